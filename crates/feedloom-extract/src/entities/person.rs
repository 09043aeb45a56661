//! People's names: titles, name parts, transliteration, a speaker's position.

use super::*;

/// The index of the head of a job title opening `run` ("Chief Financial Officer", "Group Chief
/// Executive Officer of ..."): qualifiers then a head, two words at least, and nothing of a
/// name in them.
pub(super) fn job_title_end(run: &[Tok]) -> Option<usize> {
    if run.len() < 2 || !JOB_MODIFIERS.contains(run[0].s) {
        return None;
    }
    let mut h = None;
    for (k, t) in run.iter().enumerate().skip(1) {
        if JOB_HEADS.contains(t.s) {
            h = Some(k);
        } else if !JOB_MODIFIERS.contains(t.s) {
            break;
        }
    }
    h
}

/// "led by", "founded by", "backed by", "managed by", "run by", "headed by" right before
/// `start`: verbs whose agent is as often a person as an organisation.
pub(super) fn people_by(text: &str, start: usize) -> bool {
    let mut ws = words_before(text, start);
    ws.next() == Some("by")
        && matches!(
            ws.next(),
            Some("led" | "founded" | "backed" | "managed" | "run" | "headed" | "chaired")
        )
}

/// Transliteration-insensitive key: lower case, `zh`/`dzh`→`j`, `kh`→`h`, `y`→`i`, `ou`→`u`,
/// `w`→`v`, accents dropped, doubled letters collapsed.
pub(super) fn translit_key(s: &str) -> String {
    // first: accents dropped, lower case, non-letters skipped (ASCII, nearly every name: its
    // letters and digits in lower case, without decoding)
    if s.is_ascii() {
        return translit_fold(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| char::from(b.to_ascii_lowercase())),
            s.len(),
        );
    }
    let st = s.chars().filter_map(|c| {
        // "ž" is the "zh" of English spellings (Žaparov = Zhaparov)
        let c = if matches!(c, 'ž' | 'Ž') {
            'j'
        } else {
            text::fold_diacritic(c)
        };
        Some(match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            c if c.is_alphanumeric() => c.to_lowercase().next().unwrap_or(c),
            _ => return None,
        })
    });
    translit_fold(st, s.len())
}

/// The second step of [`translit_key`], over its letters: in one pass with a three-letter
/// window, dzh/zh → j, kh → h, ou → u, y → i, w → v, doubled letters collapsed.
fn translit_fold(mut st: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut win = [st.next(), st.next(), st.next()];
    let mut prev = None;
    while let Some(c0) = win[0] {
        let (c, step) = match (c0, win[1], win[2]) {
            ('d', Some('z'), Some('h')) => ('j', 3),
            ('z', Some('h'), _) => ('j', 2),
            ('k', Some('h'), _) => ('h', 2),
            ('o', Some('u'), _) => ('u', 2),
            ('y', _, _) => ('i', 1),
            ('w', _, _) => ('v', 1),
            (c, _, _) => (c, 1),
        };
        if Some(c) != prev {
            out.push(c);
        }
        prev = Some(c);
        for _ in 0..step {
            win = [win[1], win[2], st.next()];
        }
    }
    out
}

pub(super) fn is_title(w: &str) -> bool {
    TITLES.contains(w) || TITLES.contains(strip_possessive(w))
}

/// Like [`name_like`], but a city or region name may be part of a person's name ("Vladimir
/// Putin", "Jackson Lee").
pub(super) fn name_part(w: &str) -> bool {
    name_like(w)
        || PARTICLES.contains(w)
        || matches!(
            w,
            "von"
                | "van"
                | "der"
                | "den"
                | "de"
                | "la"
                | "del"
                | "da"
                | "dos"
                | "bin"
                | "ibn"
                | "al"
                | "el"
                | "du"
        )
        || (GAZ
            .get(w)
            .is_some_and(|g| matches!(g.kind, GazKind::City | GazKind::Region))
            && w.chars().skip(1).all(|c| c.is_lowercase())
            && !NOT_NAME.contains(w))
}

/// The names after a person's title: name parts, one of them name-like, and the surname may be
/// any gazetteer name ("Finance Minister Siniša Mali", "Deputy Minister Ali Georgia"): after a
/// title it is a name, not the place.
pub(super) fn titled_names(ws: &[Tok]) -> bool {
    let Some((last, head)) = ws.split_last() else {
        return false;
    };
    let ok = |t: &Tok| name_part(t.s) && !is_org_word(t.s);
    head.iter().all(ok)
        && (ok(last)
            || (!head.is_empty()
                && is_cap(last.s)
                && !is_org_word(last.s)
                && GAZ.get(last.s).is_some_and(|g| g.kind != GazKind::Macro)))
        && ws.iter().any(|t| name_like(t.s) || GAZ.get(t.s).is_some())
}

pub(super) fn name_like(w: &str) -> bool {
    let w = particle_name(w).unwrap_or(w);
    let mut cs = w.chars();
    let Some(f) = cs.next() else { return false };
    f.is_uppercase()
        && w.chars().count() >= 2
        && w.chars().skip(1).any(|c| c.is_lowercase())
        && !w.chars().any(|c| c.is_ascii_digit())
        && !NOT_NAME.contains(w)
        && !text::is_stopword(w)
        && GAZ.get_word(w).is_none()
}

/// A capitalised plural common noun opening a sentence ("Analysts said", "Officials told").
pub(super) fn common_subject(text: &str, sp: &Span) -> bool {
    let w = sp.name.as_str();
    let sentence_start = before(text, sp.start).trim_end().is_empty()
        || before(text, sp.start)
            .trim_end()
            .ends_with(['.', '!', '?', '\n', '"', '”']);
    sentence_start
        && (w.ends_with("ers")
            || w.ends_with("ists")
            || w.ends_with("ants")
            || w.ends_with("ents")
            || w.ends_with("ors")
            || w.ends_with("als")
            || w.ends_with("ians")
            || w.ends_with("ces")
            || w.ends_with("ies"))
}

pub(super) fn after_speech_verb(text: &str, start: usize) -> bool {
    matches!(
        word_before(text, start),
        "said" | "says" | "added" | "noted" | "asked" | "explained" | "recalled"
    ) && before(text, start).trim_end().len() + 1 == start
}

/// A lower-case role word follows the name: "said Liberal senator X", "said Scottish
/// fisheries minister X" — the word qualifies the role of the person named next, it does not
/// speak.
pub(super) fn role_word_after(text: &str, end: usize) -> bool {
    let rest = text.get(end..).unwrap_or("");
    let Some(r) = rest.strip_prefix(' ') else {
        return false;
    };
    let w: &str = r.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
    w.len() > 2
        && w.starts_with(|c: char| c.is_lowercase())
        && !crate::text::is_stopword(w)
        && !w.ends_with("ing")
        && !w.ends_with("ed")
}

pub(super) fn followed_by_speech_verb(text: &str, end: usize) -> bool {
    SPEECH_VERBS.contains(word_after(text, end))
}
