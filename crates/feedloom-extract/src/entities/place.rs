//! Places: the contexts that make a name a place, gazetteer places inside runs.

use super::*;

/// The text right after a name says it is a place: ", a village/town/port ...", ", the capital
/// of ...".
pub(super) fn place_apposition_after(text: &str, end: usize) -> bool {
    let Some(r) = after(text, end).strip_prefix(", ") else {
        return false;
    };
    let mut ws = r.split(' ').take(5);
    if !matches!(ws.next(), Some("a" | "an" | "the")) {
        return false;
    }
    ws.map(|w| w.trim_end_matches([',', '.']))
        .take_while(|w| !w.is_empty() && w.chars().all(|c| c.is_lowercase() || c == '-'))
        .any(|w| PLACE_APPOSITION_NOUNS.contains(w))
}

/// The words before `start` put a place there: a preposition of place (after an optional
/// "the"), or the name stands in apposition to a place noun.
pub(super) fn town_context(text: &str, start: usize, end: usize) -> bool {
    if place_apposition_after(text, end) {
        return true;
    }
    let mut ws = words_before_the(text, start);
    let w = ws.next().unwrap_or("");
    let w2 = ws.next().unwrap_or("");
    before(text, start).ends_with(' ')
        && (matches!(
            w,
            "in" | "near"
                | "at"
                | "from"
                | "via"
                | "outside"
                | "into"
                | "towards"
                | "toward"
                | "around"
                | "between"
                | "through"
                | "off"
                | "across"
                | "reach"
                | "reached"
                | "reaches"
        ) || (w == "to"
            && !matches!(
                w2,
                "according" | "spoke" | "told" | "close" | "due" | "next"
            )))
}

/// " in Kırklareli Province", " in northern Iran": the name before lies in a known place.
pub(super) fn in_known_place(text: &str, end: usize) -> bool {
    let Some(r) = after(text, end)
        .strip_prefix(" in ")
        .or_else(|| after(text, end).strip_prefix(", in "))
    else {
        return false;
    };
    let r = r
        .strip_prefix("northern ")
        .or_else(|| r.strip_prefix("southern "))
        .or_else(|| r.strip_prefix("eastern "))
        .or_else(|| r.strip_prefix("western "))
        .unwrap_or(r);
    let words: Vec<&str> = r
        .split(|c: char| !(c.is_alphanumeric() || c == ' ' || c == '-' || c == '\''))
        .next()
        .unwrap_or("")
        .split(' ')
        .take(3)
        .collect();
    (1..=words.len()).any(|n| {
        GAZ.get(&words[..n].join(" "))
            .is_some_and(|g| g.kind != GazKind::Demonym)
    })
}

/// ", Kyrgyzstan" after a name: the country it lies in (datelines "SARY-TASH, Kyrgyzstan —",
/// "Osh, Kyrgyzstan").
pub(super) fn place_after_comma(text: &str, end: usize) -> Option<&'static str> {
    let r = after(text, end).strip_prefix(", ")?;
    let w = r
        .split(|c: char| !(c.is_alphanumeric() || c == ' ' || c == '-'))
        .next()?;
    // the longest run of words that is a country ("United Arab Emirates")
    let words: Vec<&str> = w.split(' ').take(4).collect();
    (1..=words.len()).rev().find_map(|n| {
        let cand = words[..n].join(" ");
        // the country ends the clause ("Osh, Kyrgyzstan, ..."; not "Rosatom, China National
        // Nuclear Corporation")
        let after = after(r, cand.len());
        let ends = after.is_empty()
            || after.starts_with([',', '.', ';', ')', '\n'])
            || after.starts_with(" —")
            || after.starts_with(" –")
            || after.starts_with(" -");
        GAZ.get(&cand)
            .filter(|g| g.kind == GazKind::Country && ends)
            .map(|g| g.cc)
    })
}

/// The gazetteer places among the words of `run`, longest names first ("Line D of the Central
/// Asia": Central Asia, not Asia).
pub(super) fn places_inside(text: &str, run: &[Tok], spans: &mut Vec<Span>) {
    let mut k = 0;
    while k < run.len() {
        let hit = (1..=4.min(run.len() - k)).rev().find_map(|n| {
            let (s, e) = (run[k].start, run[k + n - 1].end);
            let name = text::sub(text, s, e);
            let g = if n == 1 {
                GAZ.get_word(name)
            } else {
                GAZ.get(name)
            };
            g.filter(|g| g.kind != GazKind::Demonym)
                .map(|g| (n, Span::gaz(s, e, g)))
        });
        match hit {
            Some((n, sp)) => {
                spans.push(sp);
                k += n;
            }
            None => k += 1,
        }
    }
}

/// A name the gazetteer knows, as written at `start..end`: its place (a city or town only
/// weakly, see [`Span::weak`]); not a demonym, nor a region of the world used as an adjective
/// ("Pacific leaders"); a city's name after "the" ("in the Puna") is a region or natural
/// feature of that name, without the city's country.
pub(super) fn gaz_place(
    text: &str,
    start: usize,
    end: usize,
    g: &'static GazEntry,
    next: Option<&Tok>,
    spans: &mut Vec<Span>,
) {
    let adjective = g.kind == GazKind::Macro
        && next.is_some_and(|n| text::sub(text, end, n.start) == " " && REGION_NOUNS.contains(n.s));
    if g.kind == GazKind::Demonym || adjective {
        return;
    }
    let mut sp = Span::gaz(start, end, g);
    if matches!(g.kind, GazKind::City | GazKind::Town)
        && before(text, start).ends_with(" the ")
        && !after(text, end).starts_with('-')
    {
        sp.country = None;
        sp.feature = true;
    }
    spans.push(if g.kind == GazKind::Country {
        sp
    } else {
        sp.weak()
    });
}

pub(super) fn after_preposition(text: &str, start: usize) -> bool {
    matches!(
        word_before(text, start),
        "of" | "in"
            | "from"
            | "at"
            | "to"
            | "near"
            | "into"
            | "across"
            | "outside"
            | "inside"
            | "via"
            | "towards"
            | "toward"
    )
}

/// A lone name is a place by a motion's ends: "from the X" (a river, a region), "from X into
/// China", "from <place> to X".
pub(super) fn motion_place(
    text: &str,
    sp: &Span,
    ents: &[Entity],
    mentions: &[Mention],
    near: &Near,
) -> bool {
    let head = before(text, sp.start);
    if let Some(h) = head.strip_suffix(" the ")
        && matches!(
            h.rsplit(' ').next(),
            Some("from" | "From" | "into" | "across" | "along" | "through" | "beyond")
        )
    {
        return true;
    }
    if head.ends_with("from ") || head.ends_with("From ") {
        let after = after(text, sp.end);
        if after.starts_with(" into ") {
            return true;
        }
        if let Some(r) = after.strip_prefix(" to ") {
            let w = r
                .split(|c: char| !(c.is_alphanumeric() || c == '-'))
                .next()
                .unwrap_or("");
            return GAZ
                .get(w)
                .is_some_and(|g| !matches!(g.kind, GazKind::Demonym | GazKind::Macro));
        }
    }
    // "from Gashuunsukhait to X": the other end is a place of the article
    (head.ends_with(" to ") || head.ends_with(" into "))
        && near
            .ending_in(sp.start.saturating_sub(6), sp.start.saturating_sub(4))
            .filter_map(|k| mentions.get(k))
            .any(|m| {
                m.end + 4 <= sp.start
                    && m.end + 6 >= sp.start
                    && matches!(text::sub(text, m.end, sp.start), " to " | " into ")
                    && before(text, m.start).ends_with("from ")
                    && ents[m.entity].kind == EntityKind::Place
            })
}

/// The name at `start` opens its sentence (or a quotation, or a line).
pub(super) fn sentence_initial(text: &str, start: usize) -> bool {
    let h = before(text, start).trim_end();
    h.is_empty() || h.ends_with(['.', '!', '?', '\n', '"', '“', '”', ':', ';', '—', '–'])
}

/// "France's X", "Abu Dhabi's X": the possessive of a country, region or city right before
/// `start`.
pub(super) fn place_possessive_before(text: &str, start: usize) -> bool {
    let Some(h) = before(text, start)
        .strip_suffix("'s ")
        .or_else(|| before(text, start).strip_suffix("’s "))
    else {
        return false;
    };
    let from = h.floor_char_boundary(h.len().saturating_sub(40));
    let words: Vec<&str> = after(h, from).rsplit(' ').take(3).collect();
    (1..=words.len()).any(|n| {
        let mut ws: Vec<&str> = words[..n].to_vec();
        ws.reverse();
        GAZ.get(&ws.join(" ")).is_some_and(|g| {
            matches!(
                g.kind,
                GazKind::Country | GazKind::Region | GazKind::Capital | GazKind::City
            )
        })
    })
}
