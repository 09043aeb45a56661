//! Rules for places: gazetteer names, geographic words ([`GEO_TAIL`], [`GEO_HEAD`],
//! [`ADMIN_TAIL`]), the nouns and prepositions around a name ([`PLACE_AFTER`],
//! [`PLACE_OF_NOUNS`]).

use super::*;

/// "New Delhi", "Dar es Salaam", a dateline's "NEW DELHI": a gazetteer name of two words or
/// more, whatever its first word (not a company named like a town: "Rio Tinto's").
pub(super) fn gazetteer_name<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if run.len() <= 1 {
        return Step::Next;
    }
    let whole = cx.full();
    let titled;
    let whole = if run.iter().all(|t| is_acronym(t.s)) {
        titled = title_case(whole);
        titled.as_str()
    } else {
        whole
    };
    if run.len() > 1
        && let Some(g) = GAZ.get_any(whole)
        && !matches!(g.kind, GazKind::Demonym)
        && !company_possessive(cx.text, cx.end())
    {
        cx.push(Span::gaz(cx.start(), cx.end(), g));
        return Step::Done;
    }
    Step::Next
}

/// "Russian Federation", "United Arab Emirates": a run the gazetteer knows as a country,
/// region or settlement is a place even with an organisation word; "Rio Tinto's Oyu Tolgoi
/// mine": a company named like a town.
pub(super) fn gazetteer_place_run<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (start, end) = (cx.start(), cx.end());
    if cx.run.len() > 1
        && let Some(g) = GAZ.get_any(cx.full())
        && matches!(
            g.kind,
            GazKind::Country | GazKind::Region | GazKind::Capital | GazKind::City | GazKind::Town
        )
    {
        if g.kind != GazKind::Country && company_possessive(cx.text, end) {
            cx.push(Span::new(cx.text, start, end, Cand::Org));
        } else {
            cx.push(Span::gaz(start, end, g));
        }
        return Step::Done;
    }
    Step::Next
}

/// "Xinjiang Province", "Inner Mongolia Autonomous Region", "Sistan and Baluchestan
/// Province": a gazetteer region or settlement with its administrative nouns ([`ADMIN_TAIL`]),
/// also known by the short name; "Almaty Region" (a region named after its city) is a place
/// of its own.
pub(super) fn place_admin_noun<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    let (start, end) = (cx.start(), cx.end());
    if run.len() > 1 {
        let mut k = run.len();
        while k > 1 && ADMIN_TAIL.contains(run[k - 1].s) {
            k -= 1;
        }
        if k < run.len()
            && let Some(g) = GAZ.get_any(text::sub(cx.text, start, run[k - 1].end))
            && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
            && !(g.kind == GazKind::Country && k == 1 && run.len() == 2)
        {
            let mut sp = Span::new(cx.text, start, end, Cand::Place).country(Some(g.cc));
            if g.kind == GazKind::Region && !g.also_city {
                // the region, also called by its name alone (not "Tashkent Region" and the
                // city of Tashkent)
                sp.alias = Some(g.name);
            }
            cx.push(sp.acronym(paren_acronym(cx.text, end)));
            return Step::Done;
        }
    }
    Step::Next
}

/// "Cape of Good Hope", "Strait of Hormuz", "Lake Balkhash", "Mount Ararat": a natural
/// feature named by its head word ([`GEO_HEAD`]); "Port Klang", "Port Sudan": a town.
pub(super) fn place_feature_head<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if run.len() >= 2
        && !cx.has_org()
        && GEO_HEAD.contains(run[0].s)
        && run[1..]
            .iter()
            .all(|t| is_name_tok(t.s) || matches!(t.s, "of" | "the" | "de" | "del" | "la"))
        && run.last().is_some_and(|t| is_name_tok(t.s))
    {
        let mut sp = Span::new(cx.text, cx.start(), cx.end(), Cand::Place);
        sp.feature = run[0].s != "Port";
        cx.push(sp);
        return Step::Done;
    }
    Step::Next
}

/// "Beineu" in "the Beineu-Bozoi-Shymkent pipeline": a part of a hyphenated chain of places.
pub(super) fn place_chain_part<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if cx.in_chain && name_like(cx.run[0].s) {
        let (start, end) = (cx.start(), cx.end());
        cx.push(match GAZ.get_any(cx.full()) {
            Some(g) => Span::gaz(start, end, g),
            None => Span::new(cx.text, start, end, Cand::Place),
        });
        return Step::Done;
    }
    Step::Next
}

/// "Surkhandarya Region", "Arabian Sea", "Friendship Bridge": two to four capitalised words
/// ending in a geographic noun ([`GEO_TAIL`]) are a place, in the country of its head when the
/// gazetteer knows it.
pub(super) fn place_geo_tail<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    let (start, end) = (cx.start(), cx.end());
    if (2..=4).contains(&run.len())
        && GEO_TAIL.contains(cx.last())
        && run[..run.len() - 1]
            .iter()
            .all(|t| is_cap(t.s) && !is_title(t.s))
        && GAZ.get(cx.full()).is_none()
        && !(run.len() == 2
            && matches!(
                run[1].s,
                "Province" | "Region" | "Oblast" | "Prefecture" | "County"
            )
            && GAZ.get(run[0].s).is_some_and(|g| {
                g.kind == GazKind::Country || (g.kind == GazKind::Region && !g.also_city)
            }))
    {
        // "Surkhandarya Region" lies in Surkhandarya's country ("Nelson Mandela Bay" not in
        // Nelson's)
        let head = text::sub(cx.text, start, run[run.len() - 2].end);
        let g = GAZ.get(head).filter(|g| g.kind != GazKind::Demonym);
        cx.push(
            Span::new(cx.text, start, end, Cand::Place)
                .country(g.filter(|g| !g.cc.is_empty()).map(|g| g.cc))
                .acronym(paren_acronym(cx.text, end)),
        );
        return Step::Done;
    }
    Step::Next
}

/// "the town of Zharkent", "the Mediterranean port of Ceyhan": a name after a place noun
/// ([`PLACE_OF_NOUNS`]) and "of" is a place (a town of the gazetteer brings its country).
pub(super) fn place_after_of_noun<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    let (start, end) = (cx.start(), cx.end());
    let head = before(cx.text, start).trim_end();
    if run.len() <= 3
        && !cx.has_org()
        && !GEO_TAIL.contains(cx.last())
        && head
            .strip_suffix(" of")
            .is_some_and(|h| PLACE_OF_NOUNS.iter().any(|w| h.ends_with(w)))
    {
        let g = GAZ
            .get_any(cx.full())
            .filter(|g| g.kind != GazKind::Demonym);
        cx.push(match g {
            Some(g) => Span::gaz(start, end, g),
            None => Span::new(cx.text, start, end, Cand::Place),
        });
        return Step::Done;
    }
    Step::Next
}

/// "the Amu Darya basin", "the Khorgos crossing", "the Atakent expo center": a name before a
/// place noun ([`PLACE_AFTER`], or one word later) is a place; "Chabahar port": a town of the
/// gazetteer brings its country; an unknown name before a natural feature's or a structure's
/// noun ([`FEATURE_NOUNS`]) gets none.
pub(super) fn place_before_place_noun<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let text = cx.text;
    if cx.run.len() > 3 {
        return Step::Next;
    }
    let place_after = cx.next.is_some_and(|n| {
        PLACE_AFTER.contains(n.s)
            || (n.s.chars().all(|c| c.is_lowercase())
                && after(text, n.end).starts_with(' ')
                && PLACE_AFTER.contains(word_at(text, n.end + 1)))
    });
    let full = cx.full();
    if place_after
        && cx.run.len() <= 3
        && !cx.has_org()
        && GAZ.get(full).is_none()
        && cx.next_adjacent()
        && cx.run.iter().all(|t| !is_title(t.s))
    {
        let g = GAZ.get_any(full).filter(|g| g.kind != GazKind::Demonym);
        let mut sp = Span::new(text, cx.start(), cx.end(), Cand::Place).country(g.map(|g| g.cc));
        let noun = cx.next.map_or("", |n| {
            if PLACE_AFTER.contains(n.s) {
                n.s
            } else {
                word_at(text, n.end + 1)
            }
        });
        sp.feature = g.is_none() && FEATURE_NOUNS.contains(noun);
        cx.push(sp);
        return Step::Done;
    }
    Step::Next
}

/// The whole run is a word of the gazetteer ([`gaz_place`]: a country, a city or town only
/// weakly; no demonym, nor a region of the world used as an adjective: "Pacific leaders").
pub(super) fn gazetteer_word<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if let Some(g) = GAZ.get_word(cx.full()) {
        gaz_place(cx.text, cx.start(), cx.end(), g, cx.next, cx.spans);
        return Step::Done;
    }
    Step::Next
}

/// "Kazakhstan State", "Osh City": the place.
pub(super) fn place_city_or_state<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if run.len() == 2
        && matches!(run[1].s, "City" | "State")
        && let Some(g) = GAZ.get(run[0].s)
        && g.kind != GazKind::Demonym
    {
        cx.push(Span::gaz(cx.start(), run[0].end, g));
        return Step::Done;
    }
    Step::Next
}

/// An unknown name of two or three words after "in", "over", "near" (and the like): a place,
/// not a person.
pub(super) fn place_after_preposition<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if (2..=3).contains(&run.len())
        && run.iter().all(|t| name_like(t.s))
        && matches!(
            word_before_the(cx.text, cx.start()),
            "in" | "at"
                | "near"
                | "over"
                | "across"
                | "along"
                | "into"
                | "towards"
                | "toward"
                | "via"
                | "outside"
                | "inside"
                | "around"
                | "beyond"
                | "off"
        )
    {
        cx.push(Span::new(cx.text, cx.start(), cx.end(), Cand::Place));
        return Step::Done;
    }
    Step::Next
}

/// A longer run no rule decided: the gazetteer places inside it count ("Line D of the Central
/// Asia gas network": Central Asia).
pub(super) fn places_inside_run<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    places_inside(cx.text, cx.rest, cx.spans);
    Step::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    const PL: Option<Cand> = Some(Cand::Place);

    #[test]
    fn gazetteer_name() {
        check(
            "gazetteer_name",
            &[
                ("He flew to New Delhi on Monday.", "New Delhi", PL),
                ("NEW DELHI — Talks opened.", "NEW DELHI", PL),
                ("Ships call at Dar es Salaam.", "Dar es Salaam", PL),
            ],
        );
    }

    #[test]
    fn gazetteer_place_run() {
        check(
            "gazetteer_place_run",
            &[
                ("The Russian Federation signed.", "Russian Federation", PL),
                (
                    "Rio Tinto's Oyu Tolgoi mine grew.",
                    "Rio Tinto",
                    Some(Cand::Org),
                ),
            ],
        );
    }

    #[test]
    fn place_admin_noun() {
        check(
            "place_admin_noun",
            &[
                (
                    "Officials toured China’s Xinjiang Province and Urumqi.",
                    "Xinjiang Province",
                    PL,
                ),
                (
                    "Farmers in the Almaty Region met officials.",
                    "Almaty Region",
                    PL,
                ),
            ],
        );
    }

    #[test]
    fn place_feature_head() {
        check(
            "place_feature_head",
            &[
                (
                    "The route runs near the Cape of Good Hope.",
                    "Cape of Good Hope",
                    PL,
                ),
                ("Boats cross Lake Vorlak in May.", "Lake Vorlak", PL),
            ],
        );
    }

    #[test]
    fn place_chain_part() {
        check(
            "place_chain_part",
            &[("The Beineu-Bozoi-Shymkent pipeline runs.", "Bozoi", PL)],
        );
    }

    #[test]
    fn place_geo_tail() {
        check(
            "place_geo_tail",
            &[
                (
                    "Boats crossed the Arabian Sea to Karachi.",
                    "Arabian Sea",
                    PL,
                ),
                (
                    "Trains cross the Friendship Bridge daily.",
                    "Friendship Bridge",
                    PL,
                ),
            ],
        );
    }

    #[test]
    fn place_after_of_noun() {
        check(
            "place_after_of_noun",
            &[
                (
                    "Officials said the town of Zharkent will get a market.",
                    "Zharkent",
                    PL,
                ),
                (
                    "The pipeline runs to the Mediterranean port of Ceyhan.",
                    "Ceyhan",
                    PL,
                ),
            ],
        );
    }

    #[test]
    fn place_before_place_noun() {
        check(
            "place_before_place_noun",
            &[
                ("Trucks wait at the Khorgos crossing.", "Khorgos", PL),
                ("Work began at the Karachaganak field.", "Karachaganak", PL),
            ],
        );
    }

    #[test]
    fn gazetteer_word() {
        check(
            "gazetteer_word",
            &[
                ("Kazakhstan, Kazakhstan and Kazakhstan.", "Kazakhstan", PL),
                ("Pacific leaders met.", "Pacific", None),
            ],
        );
    }

    #[test]
    fn place_city_or_state() {
        check(
            "place_city_or_state",
            &[("Jobs will go to Kazakhstan State soon.", "Kazakhstan", PL)],
        );
    }

    #[test]
    fn place_after_preposition() {
        check(
            "place_after_preposition",
            &[("Herders live near Vorlak Denn now.", "Vorlak Denn", PL)],
        );
    }

    #[test]
    fn places_inside_run() {
        check(
            "places_inside_run",
            &[(
                "Line D of the Central Asia gas network is late.",
                "Central Asia",
                PL,
            )],
        );
    }
}
