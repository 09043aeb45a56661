//! Rules for sports teams, numbered military units and legislatures: a results line's names
//! ("Coventry City 0 Arsenal 2", "Aston Villa 17 9 6 2 25 14 33"), a town with a club word
//! ([`CLUB_SUFFIXES`]: "Leeds United"), a city with a capitalised plural ("Toronto Raptors"),
//! an ordinal with a formation ([`MILITARY_UNITS`]: "the 58th Army"), a chamber's name alone
//! ([`LEGISLATURES`]: "Congress", "the Senate").

use std::sync::LazyLock;

use regex::Regex;

use super::*;

/// A line of a results table: two names with their scores ("Leeds United 2 Aston Villa 1"),
/// or a name and three or more numbers (a standings row).
static RESULTS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    let name = r"\p{Lu}[\p{L}'’.&-]*(?: (?:\p{Lu}[\p{L}'’.&-]*|of|and|de|la))*";
    Regex::new(&format!(
        r"^\s*(?:{name} [0-9]{{1,3}} {name} [0-9]{{1,3}}|{name}(?: [0-9]{{1,3}}){{3,}})\s*$"
    ))
    .expect("the results-line regex compiles")
});

/// A wire story's ticker right after a company's name: " <HALV.OL>", " <BWTR.N>".
static TICKER_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ <[A-Z0-9][A-Z0-9.]{0,11}>").expect("the ticker regex compiles")
});

/// "Halvorsen <HALV.OL>", "Brightwater Inc <BWTR.N>": the name before a ticker in angle
/// brackets is a company.
pub(super) fn org_before_ticker<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (s, e) = (cx.start(), cx.end());
    // (the regex's first two bytes, looked at before it runs)
    let rest = after(cx.text, e);
    if rest.starts_with(" <") && TICKER_AFTER.is_match(rest) {
        cx.push(Span::new(cx.text, s, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "HALV", "OL" inside "<HALV.OL>": a ticker's parts are no names.
pub(super) fn ticker_code<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (s, e) = (cx.start(), cx.end());
    // a ticker is short: look at most 16 bytes either side (not back to the text's start)
    let text = cx.text;
    let head = text::sub(text, text.floor_char_boundary(s.saturating_sub(16)), s);
    let tail = text::sub(text, e, text.ceil_char_boundary((e + 16).min(text.len())));
    // (a byte search: `<` and `>` are ASCII, and so is every byte allowed between them)
    let code = |b: &[u8]| {
        b.iter()
            .all(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'.')
    };
    let opened = head
        .bytes()
        .rposition(|c| c == b'<')
        .is_some_and(|p| code(head.as_bytes().get(p + 1..).unwrap_or_default()));
    if !opened {
        return Step::Next;
    }
    let closed = tail
        .bytes()
        .position(|c| c == b'>')
        .is_some_and(|q| code(tail.as_bytes().get(..q).unwrap_or_default()));
    if closed {
        return Step::Done;
    }
    Step::Next
}

/// "CBC/Radio-Canada", "Greens/EFA": a name joined by a slash (see `runs`) is one
/// organisation; "One News/Colmar Brunton": a name beside an organisation across a slash is
/// an organisation too.
pub(super) fn org_slash_name<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (s, e) = (cx.start(), cx.end());
    let joined = cx.full().contains('/');
    // the other side of a slash right before or after the run: its capitalised words
    let other: &str = if before(cx.text, s).ends_with('/') {
        let lo = cx.text.floor_char_boundary(s.saturating_sub(80));
        let b = text::sub(cx.text, lo, s.saturating_sub(1));
        let from = b
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '.')))
            .map_or(0, |(p, c)| p + c.len_utf8());
        text::sub(b, from, b.len())
    } else if let Some(r) = text::sub(
        cx.text,
        e,
        cx.text.ceil_char_boundary((e + 80).min(cx.text.len())),
    )
    .strip_prefix('/')
    {
        let to = r
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '.')))
            .unwrap_or(r.len());
        text::sub(r, 0, to)
    } else {
        ""
    };
    let beside_org = other
        .split(' ')
        .filter(|w| is_cap(w))
        .any(|w| is_org_word(w) || MEDIA.contains(w));
    if joined || beside_org {
        cx.push(Span::new(cx.text, s, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "Sen. Maria Alvarez, D-Calif.,", "Rep. Andre Thibodeaux, D-Lake Charles,": after a US
/// lawmaker's name, the party's letter and the state or district: that place (an abbreviated
/// state by [`US_STATE_ABBREVIATIONS`]), not a name.
pub(super) fn place_after_party_letter<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (s, e) = (cx.start(), cx.end());
    let full = cx.full();
    let Some(place) = ["D-", "R-", "I-"].iter().find_map(|p| full.strip_prefix(p)) else {
        return Step::Next;
    };
    if !(before(cx.text, s).ends_with(", ") || before(cx.text, s).ends_with('('))
        || place.is_empty()
    {
        return Step::Next;
    }
    let ps = s + 2;
    let state = US_STATE_ABBREVIATIONS.iter().find_map(|line| {
        let (abbr, name) = line.split_once(' ')?;
        (abbr == place.trim_end_matches('.')).then_some(name)
    });
    match state.and_then(|n| GAZ.get(n)).or_else(|| GAZ.get(place)) {
        Some(g) if g.kind != GazKind::Demonym => cx.push(Span::gaz(ps, e, g)),
        _ => cx.push(Span::new(cx.text, ps, e, Cand::Place).country(Some("US"))),
    }
    Step::Done
}

/// "7th", "82nd", "3rd", "21st": an ordinal written in digits.
fn is_ordinal(w: &str) -> bool {
    let digits = w.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0
        && w.get(digits..)
            .is_some_and(|s| matches!(s, "st" | "nd" | "rd" | "th"))
}

/// "Coventry City 0 Arsenal 2", "Aston Villa 17 9 6 2 25 14 33": a name followed by its score
/// on a line of a results table is a team (an organisation), even a town's name.
pub(super) fn org_in_results_line<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (s, e) = (cx.start(), cx.end());
    let text = cx.text;
    let next_is_score = after(text, e)
        .strip_prefix(' ')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    if !next_is_score {
        return Step::Next;
    }
    // a results line is short: at most 200 bytes either side are looked at (a page of one
    // long line stays linear)
    let lo = text.floor_char_boundary(s.saturating_sub(200));
    let hi = text.ceil_char_boundary((e + 200).min(text.len()));
    let Some(ls) = text::sub(text, lo, s)
        .rfind('\n')
        .map(|p| lo + p + 1)
        .or((lo == 0).then_some(0))
    else {
        return Step::Next;
    };
    let Some(le) = text::sub(text, e, hi)
        .find('\n')
        .map(|p| e + p)
        .or((hi == text.len()).then_some(hi))
    else {
        return Step::Next;
    };
    if RESULTS_LINE.is_match(text::sub(text, ls, le)) {
        cx.push(Span::new(text, s, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "the 58th Army", "7th Fleet", "82nd Airborne Division", "3rd Brigade Combat Team": an
/// ordinal right before a run of up to four words ending in a formation is a unit.
pub(super) fn org_numbered_unit<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (s, e) = (cx.start(), cx.end());
    let Some(head) = before(cx.text, s).strip_suffix(' ') else {
        return Step::Next;
    };
    let os = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !c.is_ascii_alphanumeric())
        .map_or(0, |(p, c)| p + c.len_utf8());
    if cx.run.len() <= 4
        && is_ordinal(text::sub(head, os, head.len()))
        && MILITARY_UNITS.contains(cx.last())
    {
        cx.push(Span::new(cx.text, os, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "Leeds United", "Coventry City", "Tottenham Hotspur", "Bristol Rovers": a name, then a
/// club word, is a sports club (not a whole gazetteer name: "Kansas City", "Mexico City").
pub(super) fn org_club_name<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if (2..=4).contains(&run.len())
        && CLUB_SUFFIXES.contains(cx.last())
        && run[..run.len() - 1]
            .iter()
            .all(|t| is_cap(t.s) && !is_org_word(t.s) && !text::is_stopword(t.s))
        && GAZ.get_any(cx.full()).is_none()
    {
        let (s, e) = (cx.start(), cx.end());
        cx.push(Span::new(cx.text, s, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "the Toronto Raptors", "the Boston Celtics": after "the", a city's or state's name, then a
/// capitalised plural that names no place, is a team.
pub(super) fn org_team_city_plural<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    let Some((last, head)) = run.split_last() else {
        return Step::Next;
    };
    let (Some(f), Some(l)) = (head.first(), head.last()) else {
        return Step::Next;
    };
    let w = last.s;
    // "the Toronto Raptors": a team is "the" team ("said Michael Kostas" is a person whose
    // given name is also a town's)
    let the = before(cx.text, cx.start())
        .trim_end()
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .is_some_and(|p| p == "the" || p == "The");
    if the
        && (2..=3).contains(&run.len())
        && w.len() > 4
        && w.ends_with('s')
        && !w.ends_with("ss")
        && w.chars().all(char::is_alphabetic)
        && w.chars().skip(1).all(char::is_lowercase)
        && !GEO_TAIL.contains(w)
        && !is_org_word(w)
        && !NOT_NAME.contains(w)
        && GAZ.get_word(w).is_none()
        && GAZ.get_any(cx.full()).is_none()
        && GAZ
            .get(text::sub(cx.text, f.start, l.end))
            .is_some_and(|g| matches!(g.kind, GazKind::City | GazKind::Capital | GazKind::Region))
    {
        let (s, e) = (cx.start(), cx.end());
        cx.push(Span::new(cx.text, s, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "Congress", "the Senate", "the House of Commons": a legislature's name alone.
pub(super) fn org_legislature<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if LEGISLATURES.contains(cx.full()) {
        let (s, e) = (cx.start(), cx.end());
        cx.push(Span::new(cx.text, s, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

#[cfg(test)]
mod tests {
    use super::*;

    const O: Option<Cand> = Some(Cand::Org);

    #[test]
    fn org_in_results_line() {
        check(
            "org_in_results_line",
            &[
                ("Results:\nCoventry City 0 Arsenal 2\n", "Arsenal", O),
                ("Results:\nLiverpool 1 West Ham United 3\n", "Liverpool", O),
                ("Table:\nAston Villa 17 9 6 2 25 14 33\n", "Aston Villa", O),
            ],
        );
    }

    #[test]
    fn tickers() {
        check(
            "org_before_ticker",
            &[
                (
                    "OSLO - Norwegian shipping group Halvorsen <HALV.OL> said.",
                    "Halvorsen",
                    O,
                ),
                (
                    "NEW YORK - Brightwater Inc <BWTR.N> on Wednesday reported.",
                    "Brightwater Inc",
                    O,
                ),
            ],
        );
        check(
            "ticker_code",
            &[
                ("Shipping group Halvorsen <HALV.OL> said.", "HALV", None),
                ("Cairnmore <CRN.I> said.", "CRN", None),
            ],
        );
    }

    #[test]
    fn org_slash_name() {
        check(
            "org_slash_name",
            &[
                ("The cuts to CBC/Radio-Canada hurt.", "CBC/Radio-Canada", O),
                ("An MEP from the Greens/EFA group spoke.", "Greens/EFA", O),
                (
                    "The latest One News/Colmar Brunton poll showed it.",
                    "Colmar Brunton",
                    O,
                ),
            ],
        );
        // two people's surnames are not joined
        let c = candidates("The songwriting team Hollis/Brandt wrote it.");
        assert!(c.spans.iter().all(|s| !s.name.contains('/')));
        // nor a dateline's two cities
        let c = candidates("ANKARA/BAGHDAD, Oct 7 (Reuters) - Turkey said it would act.");
        assert!(c.spans.iter().all(|s| !s.name.contains('/')));
    }

    #[test]
    fn place_after_party_letter() {
        const P: Option<Cand> = Some(Cand::Place);
        check(
            "place_after_party_letter",
            &[
                (
                    "said Sen. Maria Alvarez, D-Calif., the ranking member.",
                    "Calif",
                    P,
                ),
                (
                    "said Rep. Andre Thibault, D-Lake Charles, whose district",
                    "Lake Charles",
                    P,
                ),
                ("Rep. Hal Brenner, R-Mo., said he had heard.", "Mo", P),
            ],
        );
        let c = candidates("said Sen. Maria Alvarez, D-Calif., the ranking member.");
        assert!(
            c.spans
                .iter()
                .any(|s| s.name == "California" && s.country == Some("US"))
        );
    }

    #[test]
    fn org_numbered_unit() {
        check(
            "org_numbered_unit",
            &[
                ("Troops of the 58th Army moved.", "58th Army", O),
                (
                    "The 82nd Airborne Division deployed.",
                    "82nd Airborne Division",
                    O,
                ),
                ("Ships of the 7th Fleet sailed.", "7th Fleet", O),
                (
                    "Troops—82nd Airborne Division—deployed.",
                    "82nd Airborne Division",
                    O,
                ),
            ],
        );
    }

    #[test]
    fn org_club_name() {
        check(
            "org_club_name",
            &[
                ("They beat Leeds United on Saturday.", "Leeds United", O),
                ("A win at Coventry City followed.", "Coventry City", O),
                ("Fans of Bristol Rovers sang.", "Bristol Rovers", O),
            ],
        );
    }

    #[test]
    fn org_team_city_plural() {
        check(
            "org_team_city_plural",
            &[
                (
                    "They lost to the Toronto Raptors again.",
                    "Toronto Raptors",
                    O,
                ),
                (
                    "A trade sent him to the Boston Celtics.",
                    "Boston Celtics",
                    O,
                ),
                ("He signed with the Denver Nuggets.", "Denver Nuggets", O),
            ],
        );
    }

    #[test]
    fn a_speaker_is_no_team() {
        // a given name that is also a town's, then a surname ending in "s"
        let c = candidates("\"It hurts,\" said opposition spokesman Michael Kostas.");
        assert!(c.spans.iter().all(|s| s.kind != Cand::Org));
    }

    #[test]
    fn org_legislature() {
        check(
            "org_legislature",
            &[
                ("The bill now goes to Congress for a vote.", "Congress", O),
                ("On Tuesday the Senate voted.", "Senate", O),
                (
                    "MPs in the House of Commons cheered.",
                    "House of Commons",
                    O,
                ),
            ],
        );
    }
}
