//! Organisations: their words, the contexts that make a lone name one, acronyms.

use super::*;

/// A lone capitalised name is an organisation by what surrounds it: the agent of building
/// or owning ("built by Rosatom"), a platform one speaks on ("said on Facebook"), an
/// organisation noun in apposition before or after it ("operator, Bulgartransgaz,"; "the
/// Majlisi Oli, Tajikistan's parliament,").
/// "<role> at X": X is where someone works ("analysts at Morgan Stanley", "a researcher at
/// Halyk Finance").
pub(super) fn employer_position(text: &str, start: usize) -> bool {
    let mut ws = words_before(text, start);
    ws.next() == Some("at")
        && before(text, start).ends_with(' ')
        && ws
            .next()
            .is_some_and(|w| EMPLOYER_ROLES.contains(w.to_ascii_lowercase().as_str()))
}

pub(super) fn org_context(text: &str, start: usize, end: usize) -> bool {
    if employer_position(text, start) {
        return true;
    }
    let mut ws = words_before(text, start);
    let w1 = ws.next().unwrap_or("");
    let w2 = ws.next().unwrap_or("");
    if before(text, start).ends_with(' ') && w1 == "by" && ORG_AGENT_VERBS.contains(w2) {
        return true;
    }
    if before(text, start).ends_with(' ') && w1 == "on" && PLATFORM_VERBS.contains(w2) {
        return true; // a platform
    }
    // "the gas grid operator, Bulgartransgaz, has", "a monitoring group, the X, put"
    let head = before(text, start)
        .strip_suffix("the ")
        .unwrap_or(before(text, start));
    if let Some(h) = head.strip_suffix(", ")
        && after(text, end).starts_with(',')
        && ORG_APPOSITION.contains(h.rsplit(|c: char| !c.is_alphabetic()).next().unwrap_or(""))
    {
        return true;
    }
    // "the Majlisi Oli, Tajikistan's parliament, approved"
    if let Some(r) = after(text, end).strip_prefix(", ") {
        let clause = r.split([',', '.', ';', '\n']).next().unwrap_or("");
        // "X, a subsidiary of Y's Z,": the head noun before "of"
        let head = clause.split(" of ").next().unwrap_or(clause);
        let ws: Vec<&str> = head.split(' ').collect();
        // not a phrase of place ("at Kaldar, on the Afghan bank,")
        let place_phrase = matches!(
            ws[0],
            "on" | "in"
                | "at"
                | "near"
                | "along"
                | "across"
                | "by"
                | "from"
                | "off"
                | "upstream"
                | "downstream"
        );
        if ws.len() <= 5
            && !place_phrase
            && ws.last().is_some_and(|w| ORG_APPOSITION.contains(w))
            && ws[..ws.len() - 1].iter().all(|w| {
                matches!(*w, "the" | "a" | "its" | "their" | "state" | "national")
                    || w.ends_with("'s")
                    || w.ends_with("’s")
                    || GAZ.get_word(w).is_some()
                    || w.chars().all(|c| c.is_lowercase() || c == '-')
            })
            && clause.len() + 2 < r.len()
        {
            return true;
        }
    }
    false
}

/// "Minister for Ports, ": a title with its portfolio list, ending right before `start`.
pub(super) fn portfolio_list_before(text: &str, start: usize) -> bool {
    let Some(head) = before(text, start).strip_suffix(", ") else {
        return false;
    };
    let from = head.len().saturating_sub(80);
    let from = head.floor_char_boundary(from);
    let win = after(head, from);
    [
        "Minister for ",
        "Minister of ",
        "Secretary for ",
        "Secretary of ",
        "Commissioner for ",
    ]
    .iter()
    .filter_map(|k| win.rfind(k).map(|p| p + k.len()))
    .max()
    .is_some_and(|p| {
        let list = after(win, p);
        !list.contains(['.', ';', ':', '"', '“', '\n'])
            && list
                .split([' ', ','])
                .filter(|w| !w.is_empty())
                .all(|w| is_cap(w) || matches!(w, "and" | "of" | "the"))
    })
}

pub(super) fn org_noun_before(text: &str, start: usize) -> bool {
    if before(text, start).trim_end().len() + 1 != start {
        return false;
    }
    ORG_BEFORE.contains(word_before(text, start))
}

/// A brand-like word with an inner capital after two or more small letters: "AvtoVAZ",
/// "KazMunayGas", "QazaqGaz" (not "McDonald", "MacArthur", "DiCaprio").
pub(super) fn inner_caps(w: &str) -> bool {
    let b = w.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_uppercase)
        || [
            "Mac", "Mc", "Fitz", "Van", "Von", "De", "Di", "La", "Le", "Du", "Al",
        ]
        .iter()
        .any(|p| w.starts_with(p) && b.get(p.len()).is_some_and(u8::is_ascii_uppercase))
    {
        return false;
    }
    b.windows(3).any(|x| {
        x[0].is_ascii_lowercase() && x[1].is_ascii_lowercase() && x[2].is_ascii_uppercase()
    }) && b.iter().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn is_org_word(w: &str) -> bool {
    ORG_WORDS.contains(w)
}

/// `run` names an organisation by its words: an organisation word anywhere ("Ministry",
/// "Bank", "PT", "Sociedad"; not the "Port" of a town, "Port Klang"), or an industry noun
/// ending a longer name ("Ganfeng Lithium").
pub(super) fn run_has_org(run: &[Tok]) -> bool {
    run.iter()
        .enumerate()
        .any(|(k, t)| is_org_word(t.s) && !(k == 0 && t.s == "Port" && run.len() > 1))
        || (run.len() > 1 && INDUSTRY_FINAL.contains(run[run.len() - 1].s))
}

pub(super) fn paren_acronym(text: &str, end: usize) -> Option<String> {
    let r = after(text, end).strip_prefix(" (")?;
    let close = r.find(')')?;
    let a = before(r, close);
    (is_acronym(a) && a.len() <= 10).then(|| a.to_string())
}

pub(super) fn in_parens(text: &str, start: usize, end: usize) -> bool {
    before(text, start).ends_with('(') && after(text, end).starts_with(')')
}

/// "(Reuters)" in the first line, "told VOA", "according to Xinhua", "reported by Kabar".
pub(super) fn media_position(text: &str, start: usize, end: usize) -> bool {
    // "told MPs", "told CEOs": a common noun's acronym is nobody's name
    let w = crate::text::sub(text, start, end);
    if COMMON_ACRONYMS.contains(w) || COMMON_ACRONYMS.contains(w.trim_end_matches('s')) {
        return false;
    }
    if in_parens(text, start, end) && start < 80 {
        return true;
    }
    let before = before(text, start).trim_end();
    [
        "according to",
        "told",
        "reported by",
        "released by",
        "published by",
        "quoted by",
        "cited by",
        "in an interview with",
        "speaking to",
        "said in an interview with",
    ]
    .iter()
    .any(|p| before.ends_with(p) && crate::text::boundary_before(before, before.len() - p.len()))
}

/// A lone name that behaves like a company: "X said ... that it/its ..." (in the same sentence,
/// with no he/she), or "X's chief executive/shares/board/subsidiary/...".
/// "X's chief executive/shares/board/subsidiary/mine/...": what a company has.
pub(super) fn company_possessive(text: &str, end: usize) -> bool {
    let rest = after(text, end);
    (rest.starts_with("'s ") || rest.starts_with("’s ")) && company_like(text, end)
}

pub(super) fn company_like(text: &str, end: usize) -> bool {
    let rest = after(text, end);
    if let Some(r) = rest
        .strip_prefix("'s ")
        .or_else(|| rest.strip_prefix("’s "))
    {
        // "Rio Tinto's Oyu Tolgoi mine": the company's named asset
        let mut r = r;
        for _ in 0..3 {
            match r.split_once(' ') {
                Some((w, rest)) if is_cap(w) && w != "CEO" => r = rest,
                _ => break,
            }
        }
        let w = r.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
        let two = r.split(' ').take(2).collect::<Vec<_>>().join(" ");
        return COMPANY_POSSESSIONS.contains(w)
            || two == "chief executive"
            || two == "parent company";
    }
    if !followed_by_speech_verb(text, end) {
        return false;
    }
    // the rest of the sentence, up to 120 bytes (the crate's one sentence splitter, bounded
    // so that asking this of every name stays linear)
    let sent_end = text::sentence_end_after(text, end, 120);
    let clause = text::sub(text, end, sent_end);
    let has = |w: &str| clause.split(|c: char| !c.is_alphabetic()).any(|x| x == w);
    (has("it") || has("its")) && !["he", "she", "his", "her", "him"].iter().any(|w| has(w))
}

pub(super) fn initials(name: &str) -> String {
    name.split([' ', '-'])
        .filter(|w| is_cap(w) && !matches!(*w, "of" | "for" | "and" | "the"))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// The word right after `end` is a verb of which the name before is the subject ("X supplied",
/// "X has taken", "X owns the"): an auxiliary, a past tense, or a present tense before an
/// article, a possessive or a number.
pub(super) fn verb_after(text: &str, end: usize) -> bool {
    let Some(r) = after(text, end).strip_prefix(' ') else {
        return false;
    };
    let (w, rest) = r.split_once(' ').unwrap_or((r, ""));
    let w = w.trim_end_matches([',', '.', ';', ':']);
    if w.is_empty() || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    if AUX_VERBS.contains(w) {
        return true;
    }
    if w.len() >= 5 && w.ends_with("ed") && !matches!(w, "based" | "owned" | "linked" | "backed") {
        return true;
    }
    let next = rest.split(' ').next().unwrap_or("");
    w.len() >= 4
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !text::is_stopword(w)
        && (matches!(
            next,
            "the" | "a" | "an" | "its" | "their" | "up" | "more" | "about" | "over"
        ) || next.starts_with(|c: char| c.is_ascii_digit()))
}

/// The clause after a name tells what a company does: a verb of trade or production right
/// after it ("X supplied", "X awarded", "X has acquired"), or a company's thing in the clause
/// ("X has taken over a former Nissan plant") with no verb of a person's doings ("X visited
/// the plant").
pub(super) fn business_clause(text: &str, end: usize) -> bool {
    let r = after(text, end);
    let clause = before(r, r.find(['.', ';', '\n', ',']).unwrap_or(r.len())).trim();
    let mut ws = clause.split(' ').filter(|w| {
        !matches!(
            *w,
            "has" | "had" | "have" | "will" | "would" | "also" | "is" | "was"
        )
    });
    let verb = ws.next().unwrap_or("");
    if PERSON_VERBS.contains(verb) {
        return false;
    }
    COMPANY_VERBS.contains(verb)
        || clause
            .split(' ')
            .take(12)
            .any(|w| COMPANY_NOUNS.contains(w.trim_end_matches([',', ':'])))
}

/// ", which exports from its factory", ", which is building a plant": a relative clause that
/// tells what a company does.
pub(super) fn which_business(text: &str, end: usize) -> bool {
    let Some(r) = after(text, end).strip_prefix(", which ") else {
        return false;
    };
    let clause = r.split([',', '.', ';', '\n']).next().unwrap_or("");
    clause
        .split(' ')
        .take(8)
        .any(|w| BUSINESS_VERBS.contains(w))
}

/// A lone acronym that names an organisation: 2–6 letters, not a gazetteer name, a currency
/// code (ISO 4217), a Roman numeral or a common noun ([`COMMON_ACRONYMS`]); not a code before a
/// number ("SV 311"), a number's unit ("640 KZT") or a dateline's place ("MORONI —").
pub(super) fn acronym_org(text: &str, sp: &Span) -> bool {
    let w = sp.name.as_str();
    let letters = w.chars().filter(|c| c.is_alphabetic()).count();
    let line_start = before(text, sp.start).rfind('\n').map_or(0, |p| p + 1);
    let after = after(text, sp.end);
    (2..=6).contains(&letters)
        && !in_parens(text, sp.start, sp.end)
        && !w.ends_with("AR")
        && !w.ends_with("AO")
        && GAZ.get_any(w).is_none()
        && GAZ.get_any(&title_case(w)).is_none()
        && !crate::amounts::is_currency_code(w)
        && !w
            .chars()
            .all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M'))
        && !COMMON_ACRONYMS.contains(w.trim_end_matches('s').to_uppercase().as_str())
        && !COMMON_ACRONYMS.contains(w)
        && !after
            .trim_start_matches([' ', '-'])
            .starts_with(|c: char| c.is_ascii_digit())
        && !before(text, sp.start)
            .trim_end()
            .ends_with(|c: char| c.is_ascii_digit())
        && !(text::sub(text, line_start, sp.start).trim().is_empty()
            && (after.starts_with(" —") || after.starts_with(" –") || after.starts_with(',')))
}
