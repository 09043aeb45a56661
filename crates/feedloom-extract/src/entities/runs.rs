//! Runs of capitalised words: how the text is cut into candidate names before they are classified.

use super::*;

/// The text before byte `at` ("" if `at` is not a boundary of `text`).
pub(super) fn before(text: &str, at: usize) -> &str {
    text.get(..at).unwrap_or("")
}

/// The text from byte `at` on ("" if `at` is not a boundary of `text`).
pub(super) fn after(text: &str, at: usize) -> &str {
    text.get(at..).unwrap_or("")
}

/// The words before byte `at`, nearest first: runs of letters split at anything else, after
/// trailing spaces are trimmed ("built by X": "by", "built", ...). A punctuation mark right
/// before `at` gives an empty word first ("X, Y": "").
pub(super) fn words_before(text: &str, at: usize) -> impl Iterator<Item = &str> {
    before(text, at)
        .trim_end()
        .rsplit(|c: char| !c.is_alphabetic())
}

/// The word right before byte `at` ([`words_before`]), or "".
pub(super) fn word_before(text: &str, at: usize) -> &str {
    words_before(text, at).next().unwrap_or("")
}

/// [`words_before`], skipping a "the" right before `at` ("in the X": "in").
pub(super) fn words_before_the(text: &str, at: usize) -> impl Iterator<Item = &str> {
    let head = before(text, at).trim_end();
    head.strip_suffix(" the")
        .unwrap_or(head)
        .rsplit(|c: char| !c.is_alphabetic())
}

/// The word right before byte `at`, skipping a "the" ([`words_before_the`]), or "".
pub(super) fn word_before_the(text: &str, at: usize) -> &str {
    words_before_the(text, at).next().unwrap_or("")
}

/// The word right after byte `at`, after spaces and commas ("X, said": "said"), or "".
pub(super) fn word_after(text: &str, at: usize) -> &str {
    after(text, at)
        .trim_start_matches([' ', ','])
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("")
}

/// The run of letters and digits starting at byte `at` of `text`.
pub(super) fn word_at(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let e = rest
        .find(|c: char| !c.is_alphanumeric())
        .unwrap_or(rest.len());
    before(rest, e)
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
    let rest = after(text, end);
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
    known >= 2 || (ROUTE_NOUNS.contains(next) && (known >= 1 || parts().all(|p| p.len() >= 4)))
}

/// The possessive after `toks[k]` is inside an organisation's name: a generic plural or
/// collective noun ("People's", "Workers'", "Women's") followed by capitalised words that end in
/// an organisation word ("People's Armed Police").
pub(super) fn inner_possessive(text: &str, toks: &[Tok], k: usize) -> bool {
    let w = toks[k].s;
    // "Information Commissioner's Office", "Prime Minister's Office": an office named after
    // its holder (not a place's: "Russia's Office of ...")
    if toks
        .get(k + 1..)
        .and_then(|r| r.iter().find(|t| t.s != "s"))
        .is_some_and(|t| t.s == "Office")
        && GAZ.get_word(w).is_none()
        && (w.ends_with("er") || w.ends_with("or") || w.ends_with("General"))
    {
        return true;
    }
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
    text::sub(text, ss, at)
        .chars()
        .all(|c| !c.is_alphanumeric())
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
    let (name, suf) = (before(w, n.checked_sub(1)?), after(w, n));
    (!name.is_empty() && suf.len() >= 3 && suf.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some((name, suf))
}

/// What the classifier found in a text, before resolution: the candidate spans in text order,
/// the words rules rejected, and the gazetteer's names in the text.
pub(super) struct Candidates {
    pub(super) spans: Vec<Span>,
    pub(super) rejected: Vec<Rejected>,
    pub(super) gaz_hits: Vec<(usize, usize, &'static GazEntry)>,
}

/// Cut `text` into runs of capitalised words (with the connectors, particles and
/// possessives a name may hold) and classify each run ([`classify`]).
#[cfg(test)]
pub(super) fn candidates(text: &str) -> Candidates {
    candidates_in(text, &text::Sentences::new(text))
}

/// [`candidates`], with the sentences of `text` already cut.
pub(super) fn candidates_in(text: &str, sents: &text::Sentences) -> Candidates {
    let mut spans: Vec<Span> = Vec::new();
    let mut rejected: Vec<Rejected> = Vec::new();
    // starts of the parts of hyphenated place chains ("Beineu-Bozoi-Shymkent pipeline")
    // (sets, looked up once per run: lists made a text of many such names quadratic)
    let mut chain: std::collections::HashSet<usize, text::Fx> = Default::default();
    // gazetteer names with a lower-case word inside ("Dar es Salaam", "Sistan and
    // Baluchestan"): one run each
    // one pass of the gazetteer over the text, shared with `countries`
    let gaz_hits: Vec<(usize, usize, &'static GazEntry)> = GAZ.find_iter(text).collect();
    let mut forced: HashMap<usize, usize, text::Fx> = HashMap::default();
    for (s, e) in gaz_hits
        .iter()
        .filter(|(_, _, g)| {
            g.kind != GazKind::Demonym
                && g.name
                    .split(' ')
                    .skip(1)
                    .any(|w| w.starts_with(|c: char| c.is_lowercase()))
        })
        .map(|&(s, e, _)| (s, e))
    {
        // the first such name at each start (as the list's first match was)
        forced.entry(s).or_insert(e);
    }
    // the crate's one sentence splitter: the runs here and the sentences `infer_countries`
    // looks at are the same sentences
    for (ss, se) in sents.non_blank(text) {
        let sent = text::sub(text, ss, se);
        let mut toks: Vec<Tok> = Vec::with_capacity(sent.len() / 5);
        for t in text::words(sent) {
            let (start, end) = (t.start + ss, t.end + ss);
            if place_chain(text, t.s, end) {
                let mut at = start;
                for p in t.s.split('-') {
                    toks.push(Tok {
                        s: p,
                        start: at,
                        end: at + p.len(),
                    });
                    chain.insert(at);
                    at += p.len() + 1;
                }
                continue;
            }
            // "Abu Dhabi-based", "Taliban-run": the name, then the lower-case modifier
            if is_cap(t.s)
                && let Some((name, suffix)) = modifier_split(t.s)
            {
                let cut = start + name.len();
                toks.push(Tok {
                    s: name,
                    start,
                    end: cut,
                });
                toks.push(Tok {
                    s: suffix,
                    start: cut + 1,
                    end,
                });
            } else {
                toks.push(Tok { s: t.s, start, end });
            }
        }
        let mut i = 0;
        while i < toks.len() {
            if !is_name_tok(toks[i].s) {
                i += 1;
                continue;
            }
            // grow a run of capitalised words, allowing "of"/"for"/"and"/"the"/"de"/"al" inside
            let mut j = i + 1;
            let mut last = i;
            // a possessive ends the name ("Russia's Gazprom"), except a generic noun inside an
            // organisation's name ("People's Armed Police", "Farmers' Union")
            let possessive_end = |k: usize| {
                let after = after(text, toks[k].end);
                (after.starts_with("’s") || after.starts_with("'s"))
                    && !inner_possessive(text, &toks, k)
            };
            if let Some(&fe) = forced.get(&toks[i].start)
                && let Some(k) = toks[i..].iter().position(|t| t.end == fe)
            {
                last = i + k;
                j = last + 1;
            }
            if !possessive_end(i) {
                while j < toks.len() {
                    // no name runs to MAX_RUN_TOKENS words; a longer run of capitalised words
                    // (hostile, or a headline in capitals) is cut into runs of that many, which
                    // keeps the work per run bounded and the whole text linear
                    if j - i >= MAX_RUN_TOKENS {
                        break;
                    }
                    let gap = text::sub(text, toks[j - 1].end, toks[j].start);
                    let plural_possessive =
                        (gap == "' " || gap == "’ ") && toks[j - 1].s.ends_with('s');
                    // "Korea Hydro & Nuclear Power", "Procter & Gamble"
                    let ampersand = gap == " & " && is_cap(toks[j].s);
                    // the tokenizer leaves the "s" of a possessive as a word of its own
                    if (gap == "'" || gap == "’")
                        && toks[j].s == "s"
                        && inner_possessive(text, &toks, j - 1)
                    {
                        j += 1;
                        continue;
                    }
                    // "U.N. Security Council": a dotted abbreviation opens the name
                    let dotted = gap == ". "
                        && toks[j - 1].s.contains('.')
                        && toks[j - 1].s.len() <= 5
                        && is_cap(toks[j].s)
                        && !NOT_NAME.contains(toks[j].s)
                        && !text::is_stopword(toks[j].s);
                    // "CBC/Radio-Canada", "Greens/EFA": two one-word names joined by a slash,
                    // one an acronym, are one organisation's name ("One News/Colmar Brunton"
                    // are two)
                    let slash = gap == "/"
                        && j == i + 1
                        && is_name_tok(toks[j].s)
                        // (one acronym: not a dateline's "ANKARA/BAGHDAD")
                        && (is_acronym(toks[i].s) != is_acronym(toks[j].s))
                        && !(i > 0
                            && text::sub(text, toks[i - 1].end, toks[i].start) == " "
                            && is_name_tok(toks[i - 1].s))
                        && !toks.get(j + 1).is_some_and(|t| {
                            text::sub(text, toks[j].end, t.start) == " " && is_name_tok(t.s)
                        });
                    if gap != " " && !plural_possessive && !ampersand && !dotted && !slash {
                        break;
                    }
                    let w = toks[j].s;
                    // "Tunduk Bank and Ala-Too Finance": two names, each ending in its own
                    // organisation word
                    // "X and PT Y": a legal form opens a name of its own
                    if w == "and"
                        && (two_org_names(&toks, i, j)
                            || org_and_name(&toks, i, j)
                            || toks.get(j + 1).is_some_and(|t| LEGAL_PREFIX.contains(t.s)))
                    {
                        break;
                    }
                    if is_name_tok(w) || (PARTICLES.contains(w) && is_cap(toks[j - 1].s)) {
                        last = j;
                        j += 1;
                        if possessive_end(last) {
                            break;
                        }
                    } else if matches!(
                        w,
                        "of" | "for"
                            | "de"
                            | "al"
                            | "el"
                            | "bin"
                            | "ibn"
                            | "van"
                            | "von"
                            | "der"
                            | "den"
                            | "da"
                            | "dos"
                            | "du"
                            | "la"
                            | "del"
                            | "do"
                            | "des"
                            | "on"
                            | "and"
                            | "the"
                            // "Sociedad Química y Minera", "Caixa Geral e Depósitos"
                            | "y"
                            | "e"
                            | "et"
                            | "und"
                    ) && j + 1 < toks.len()
                        && (is_cap(toks[j + 1].s)
                            || (matches!(w, "of" | "for")
                                && toks[j + 1].s == "the"
                                && toks.get(j + 2).is_some_and(|t| is_cap(t.s)))
                            // "Ursula von der Leyen", "Oscar de la Renta"
                            || (matches!(w, "von" | "van" | "de")
                                && matches!(toks[j + 1].s, "der" | "den" | "la" | "los" | "del")
                                && toks.get(j + 2).is_some_and(|t| is_cap(t.s))))
                        && text::sub(text, toks[j].end, toks[j + 1].start) == " "
                        // "China Road and Bridge Corporation" (not "Monday and Tuesday")
                        && (!matches!(w, "and" | "on")
                            || !NOT_NAME.contains(toks[j + 1].s)
                            || toks[j + 1..].iter().take(4).any(|t| is_org_word(t.s)))
                        // "Mitsubishi Corporation and Turkey's Gap Insaat": two names
                        && (w != "and"
                            || (GAZ.get_word(toks[j + 1].s).is_none()
                                && !possessive_end(j + 1)
                                && !after(text, toks[j + 1].end).starts_with('-')))
                        && (!matches!(w, "and" | "on" | "y" | "e" | "et" | "und")
                            || toks[i..=last].iter().any(|t| is_org_word(t.s))
                            || toks
                                .get(j + 1..)
                                .is_some_and(|r| r.iter().take(4).any(|t| is_org_word(t.s))))
                        && (w != "the" || matches!(toks[j - 1].s, "of" | "for"))
                        // "to Tianjin for the SCO summit": a place name does not take "of"/"for"
                        // (but "Van der Berg" is a name, whatever city is called Van)
                        && (!matches!(w, "of" | "for" | "and" | "on" | "the")
                            || !GAZ
                            .get(text::sub(text, toks[i].start, toks[last].end))
                            .is_some_and(|g| !matches!(g.kind, GazKind::Demonym | GazKind::Macro)))
                    {
                        j += 1;
                    } else {
                        break;
                    }
                }
            }
            let run = &toks[i..=last];
            let next = toks.get(last + 1);
            let in_chain = run.len() == 1 && chain.contains(&run[0].start);
            classify(
                text,
                run,
                next,
                ss == run[0].start || is_sentence_start(text, ss, run[0].start),
                in_chain,
                &mut spans,
                &mut rejected,
            );
            i = last + 1;
        }
    }
    Candidates {
        spans,
        rejected,
        gaz_hits,
    }
}
