//! Runs of capitalised words: how the text is cut into candidate names before they are classified.

use super::*;

/// The run of letters and digits starting at byte `at` of `text`.
pub(super) fn word_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let e = rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len());
    &rest[..e]
}

pub(super) fn strip_possessive(w: &str) -> &str {
    w.strip_suffix("’s")
        .or_else(|| w.strip_suffix("'s"))
        .unwrap_or(w)
}

/// The most words a run of capitalised words (a name with its titles, particles and
/// connectors) may have: far more than any real name ("Minister for Ports, Shipping and
/// Waterways Sarbananda Sonowal" is 8).
pub(super) const MAX_RUN_TOKENS: usize = 32;

/// "SARY-TASH" → "Sary-Tash", "NEW DELHI" → "New Delhi".
pub(super) fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut prev = ' ';
    for c in w.chars() {
        if prev.is_alphabetic() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    out
}

/// A name's word: capitalised, or an Arabic article joined to a capitalised name
/// ("al-Marwani", "el-Mandeb").
pub(super) fn is_name_tok(w: &str) -> bool {
    is_cap(w) || particle_name(w).is_some()
}

/// "al-Marwani" → "Marwani".
pub(super) fn particle_name(w: &str) -> Option<&str> {
    // fast rejection: runs for every word
    let b = w.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_lowercase)
        || !(b.get(2) == Some(&b'-') || b.get(3) == Some(&b'-') || b.get(4) == Some(&b'-'))
    {
        return None;
    }
    let (p, n) = w.split_once('-')?;
    (matches!(
        p,
        "al" | "el"
            | "ad"
            | "ar"
            | "as"
            | "ash"
            | "at"
            | "az"
            | "an"
            | "ibn"
            | "bin"
            | "bint"
            | "ul"
    ) && is_cap(n))
    .then_some(n)
}

/// A hyphenated token ending a run of names that joins places, to be read as its parts: every
/// part a capitalised word of three letters or more, the whole not a gazetteer name ("Jalal-Abad",
/// "Sary-Tash" stay whole), and one part a known place or a route noun after it.
pub(super) fn place_chain(text: &str, w: &str, end: usize) -> bool {
    // a plain loop: this runs for every word
    if !w.bytes().any(|b| b == b'-') || GAZ.get_any(w).is_some() {
        return false;
    }
    let parts = || w.split('-');
    if !parts().all(|p| p.len() >= 3 && is_cap(p) && p.chars().skip(1).any(char::is_lowercase)) {
        return false;
    }
    let rest = &text[end..];
    let next = rest.strip_prefix(' ').map(|r| word_at(r, 0)).unwrap_or("");
    if next.starts_with(|c: char| c.is_uppercase()) {
        return false; // "Tanzania-Zambia Railway Authority": part of a longer name
    }
    // "Trans-Caspian", "Sino-Russian", "North-South": a prefix, not a place
    if parts().any(|p| HYPHEN_PREFIXES.contains(p)) {
        return false;
    }
    let known = parts()
        .filter(|p| GAZ.get(p).is_some_and(|g| g.kind != GazKind::Demonym))
        .count();
    known >= 2 || (ROUTE_NOUNS.contains(&next) && (known >= 1 || parts().all(|p| p.len() >= 4)))
}

/// The possessive after `toks[k]` is inside an organisation's name: a generic plural or
/// collective noun ("People's", "Workers'", "Women's") followed by capitalised words that end in
/// an organisation word ("People's Armed Police").
pub(super) fn inner_possessive(text: &str, toks: &[Tok], k: usize) -> bool {
    let w = toks[k].s;
    if !POSSESSIVE_ORG_NOUNS.contains(w) {
        return false;
    }
    let _ = text;
    toks.get(k + 1..).is_some_and(|r| {
        r.iter()
            .skip_while(|t| t.s == "s")
            .take(4)
            .take_while(|t| is_cap(t.s))
            .any(|t| is_org_word(t.s))
    })
}

/// `toks[j]` is "and" between a company's name ending in its organisation or industry word and
/// a lone name: "Zijin Mining and Tsingshan", "Ganfeng Lithium and Eramet" (not "Ministry of
/// Finance and Economy", "Bank for Reconstruction and Development": a portfolio or another
/// organisation word after "and", or "of"/"for" inside the first name).
pub(super) fn org_and_name(toks: &[Tok], i: usize, j: usize) -> bool {
    let Some(next) = toks.get(j + 1) else {
        return false;
    };
    let last = toks[j - 1].s;
    j >= i + 2
        && (ORG_FINAL.contains(last) || INDUSTRY_FINAL.contains(last))
        && toks[i..j].iter().all(|t| is_cap(t.s))
        && name_like(next.s)
        && !is_org_word(next.s)
        && !PORTFOLIO.contains(next.s)
        && !toks.get(j + 2).is_some_and(|t| is_cap(t.s))
}

/// `toks[j]` is "and" between two organisation names, each ending in its own organisation
/// word: "Tunduk Bank and Ala-Too Finance" (not "Ministry of Finance and National Planning",
/// "Bank for Reconstruction and Development").
pub(super) fn two_org_names(toks: &[Tok], i: usize, j: usize) -> bool {
    let org_end = |w: &str| ORG_FINAL.contains(w) || INDUSTRY_FINAL.contains(w) || is_org_word(w);
    j > i
        && org_end(toks[j - 1].s)
        && toks[i..j - 1].iter().all(|t| is_cap(t.s) || t.s == "s")
        && toks.get(j + 1..).is_some_and(|r| {
            let names: Vec<_> = r.iter().take(4).take_while(|t| is_name_tok(t.s)).collect();
            names.len() >= 2 && names.last().is_some_and(|t| org_end(t.s))
        })
}

pub(super) fn is_sentence_start(text: &str, ss: usize, at: usize) -> bool {
    text[ss..at].chars().all(|c| !c.is_alphanumeric())
}

/// The text between two items of a list: a comma, "and", "&" or ", and", optionally after a
/// parenthesised acronym ("Corporation (CNNC), EDF").
/// "Abu Dhabi-based" → ("Abu Dhabi", "based"); `None` without such a modifier (no search:
/// this runs for every word).
pub(super) fn modifier_split(w: &str) -> Option<(&str, &str)> {
    // any lower-case last part of three letters or more: "-based", "-run", "-built",
    // "-flagged", "-owned" (not "Bandar-e", "Rostov-on-Don", "Jalal-Abad")
    // a plain loop: this runs for every capitalised word, most without a hyphen
    let b = w.as_bytes();
    let mut n = b.len();
    while n > 0 && b[n - 1] != b'-' {
        n -= 1;
    }
    let (name, suf) = (&w[..n.checked_sub(1)?], &w[n..]);
    (!name.is_empty() && suf.len() >= 3 && suf.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some((name, suf))
}
