//! Rules for a lone word (a run of one word after its titles): a dateline's place, an
//! acronym, a gazetteer word, a town by its context, or a name left for `resolve` to match
//! with the article's other names ([`Cand::Single`]).

use super::*;

/// The one word of `cx.rest`, if the rest is one word.
fn lone<'a>(cx: &Ctx<'a>) -> Option<&'a Tok<'a>> {
    match cx.rest {
        [t] => Some(t),
        _ => None,
    }
}

/// An all-caps dateline ("DUSHANBE (AP) —"): the place in title case.
pub(super) fn dateline_place<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if let Some(t) = lone(cx)
        && t.s.len() > 3
        && is_acronym(t.s)
        && let Some(g) = GAZ.get(&title_case(t.s))
        && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
    {
        cx.push(Span::gaz(t.start, t.end, g));
        return Step::Done;
    }
    Step::Next
}

/// "SARY-TASH, Kyrgyzstan —": an all-caps word the gazetteer does not know, then a country:
/// a place of that country, named in title case.
pub(super) fn dateline_place_with_country<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if let Some(t) = lone(cx)
        && t.s.len() > 3
        && is_acronym(t.s)
        && let Some(c) = place_after_comma(cx.text, t.end)
    {
        let mut sp = Span::new(cx.text, t.start, t.end, Cand::Place).country(Some(c));
        sp.name = title_case(t.s);
        cx.push(sp);
        return Step::Done;
    }
    Step::Next
}

/// An acronym may join its long form ("the IMF said" after "International Monetary Fund
/// (IMF)"): left for `resolve`; "US", "UK" are places, "GDP", "TV" nothing.
pub(super) fn lone_acronym<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if let Some(t) = lone(cx)
        && is_acronym(t.s)
        && (!NOT_NAME.contains(t.s)
            || (GAZ.get_word(t.s).is_none() && !matches!(t.s, "AM" | "PM" | "OK" | "TV" | "GDP")))
    {
        cx.push(Span::new(cx.text, t.start, t.end, Cand::Single));
        return Step::Done;
    }
    Step::Next
}

/// A word of the gazetteer ([`gaz_place`]): a country, a city or town (weakly: a person of
/// the article with that name wins).
pub(super) fn lone_gazetteer_word<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if let Some(t) = lone(cx)
        && let Some(g) = GAZ.get_word(t.s)
    {
        gaz_place(cx.text, t.start, t.end, g, cx.next, cx.spans);
        return Step::Done;
    }
    Step::Next
}

/// A town of the gazetteer where the text says it is a place ("at Kuryk, a village near
/// Aktau"; [`town_context`]); not a people's name ([`ETHNIC`]).
pub(super) fn lone_town_in_place_context<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if let Some(t) = lone(cx)
        && let Some(g) = GAZ.get_any(t.s)
        && !ETHNIC.contains(t.s)
        && town_context(cx.text, t.start, t.end)
    {
        cx.push(Span::gaz(t.start, t.end, g).weak());
        return Step::Done;
    }
    Step::Next
}

/// "the last stretch of the Panj": a town's name after "the" names the river, valley or
/// region of that name (no country: see [`gaz_place`]).
pub(super) fn lone_feature_after_the<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if let Some(t) = lone(cx)
        && GAZ.get_any(t.s).is_some()
        && !ETHNIC.contains(t.s)
        && before(cx.text, t.start).ends_with(" the ")
        && !after(cx.text, t.end).starts_with(['-', '\'', '’'])
        && !org_context(cx.text, t.start, t.end)
    {
        let mut sp = Span::new(cx.text, t.start, t.end, Cand::Place);
        sp.feature = true;
        cx.push(sp.weak());
        return Step::Done;
    }
    Step::Next
}

/// Any other lone word: a name-like one is left for `resolve` (a surname, a company by its
/// context); other words are nothing.
pub(super) fn lone_name<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let Some(t) = lone(cx) else {
        return Step::Next;
    };
    if name_like(t.s) {
        cx.push(Span::new(cx.text, t.start, t.end, Cand::Single));
    }
    Step::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    const PL: Option<Cand> = Some(Cand::Place);
    const S: Option<Cand> = Some(Cand::Single);

    #[test]
    fn dateline_place() {
        check(
            "dateline_place",
            &[("ZHANAOZEN, Kazakhstan — Workers met.", "ZHANAOZEN", PL)],
        );
    }

    #[test]
    fn dateline_place_with_country() {
        check(
            "dateline_place_with_country",
            &[("KURYKTAU, Kazakhstan — Trucks wait.", "KURYKTAU", PL)],
        );
    }

    #[test]
    fn lone_acronym() {
        check(
            "lone_acronym",
            &[
                ("Members of the SCO agreed.", "SCO", S),
                ("Later the IMF said so.", "IMF", S),
            ],
        );
    }

    #[test]
    fn lone_gazetteer_word() {
        check(
            "lone_gazetteer_word",
            &[
                ("The Olympic Almaty bid failed.", "Almaty", PL),
                ("The Olympic Pacific leaders met.", "Pacific", None),
            ],
        );
    }

    #[test]
    fn lone_town_in_place_context() {
        check(
            "lone_town_in_place_context",
            &[(
                "Workers at Kuryk, a village near the sea, met.",
                "Kuryk",
                PL,
            )],
        );
    }

    #[test]
    fn lone_feature_after_the() {
        check(
            "lone_feature_after_the",
            &[("Boats ply the last stretch of the Malaba.", "Malaba", PL)],
        );
    }

    #[test]
    fn lone_name() {
        check(
            "lone_name",
            &[
                (
                    "Officials met, and Mirziyoyev said nothing.",
                    "Mirziyoyev",
                    S,
                ),
                ("He said GDP grew.", "GDP", None),
                ("It was built by Novatom.", "Novatom", S),
            ],
        );
    }
}
