//! Rules for capitalised words that name no entity: currencies, documents, routes, lines and
//! roads, named things.

use super::*;

/// "US$50 billion", "Rs 120 billion", "KZT 640 million": a currency before a number is no
/// entity.
pub(super) fn currency_before_number<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    let after = after(cx.text, cx.end());
    if after.starts_with('$')
        || (run.len() == 1
            && (matches!(run[0].s, "Rs" | "KSh" | "Tk" | "Rp")
                || (run[0].s.len() == 3 && is_acronym(run[0].s)))
            && after
                .trim_start_matches([' ', '.'])
                .starts_with(|c: char| c.is_ascii_digit()))
    {
        return Step::Done;
    }
    Step::Next
}

/// "Government Decision No. 412-N", "Resolution 2722", "Article 5": a document
/// ([`DOCUMENT_NOUNS`]) followed by its number is no entity.
pub(super) fn document_number<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if DOCUMENT_NOUNS.contains(cx.last())
        && after(cx.text, cx.end())
            .trim_start_matches(['.', ' '])
            .trim_start_matches("No")
            .trim_start_matches(['.', ' '])
            .starts_with(|c: char| c.is_ascii_digit())
    {
        return Step::Done;
    }
    Step::Next
}

/// "the East Coast Rail Link", "the Standard Gauge Railway": a named line or road
/// ([`ROUTE_TAIL`]) is a project, not an entity (the places in it count: "Beijing Shanghai
/// Railway").
pub(super) fn named_line_or_road<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if run.len() >= 2 && ROUTE_TAIL.contains(cx.last()) && !run_has_org(&run[..run.len() - 1]) {
        places_inside(cx.text, run, cx.spans);
        cx.push(Span::new(cx.text, cx.start(), cx.end(), Cand::Thing));
        return Step::Done;
    }
    Step::Next
}

/// "the TurkStream pipeline": a brand-like word before a noun of named things
/// ([`NAMED_THING_AFTER`]) names a thing, not an entity, and so do its other mentions.
pub(super) fn named_thing_brand<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if cx.named_thing() && cx.run.len() == 1 && inner_caps(cx.run[0].s) {
        cx.push(Span::new(cx.text, cx.start(), cx.end(), Cand::Thing));
        return Step::Done;
    }
    Step::Next
}

/// "the Middle Corridor", "the Northern Route": a route named by a direction is no place.
pub(super) fn route_by_direction<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if matches!(cx.last(), "Corridor" | "Route" | "Passage")
        && run[..run.len() - 1].iter().all(|t| {
            matches!(
                t.s,
                "Middle"
                    | "Northern"
                    | "Southern"
                    | "Eastern"
                    | "Western"
                    | "Central"
                    | "North"
                    | "South"
                    | "East"
                    | "West"
                    | "New"
                    | "Great"
                    | "Trans"
            )
        })
    {
        return Step::Done;
    }
    Step::Next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_before_number() {
        check(
            "currency_before_number",
            &[
                ("Analysts estimate fines of Rs 120 billion.", "Rs", None),
                ("The loan of US$50 billion was signed.", "US", None),
                ("It costs 640 KZT or KZT 640 per tonne.", "KZT", None),
            ],
        );
    }

    #[test]
    fn document_number() {
        check(
            "document_number",
            &[
                (
                    "It follows Government Decision No. 412-N on tariffs.",
                    "Government Decision",
                    None,
                ),
                ("They cited Resolution 2722 again.", "Resolution", None),
            ],
        );
    }

    #[test]
    fn named_line_or_road() {
        check(
            "named_line_or_road",
            &[
                (
                    "Trains on the East Coast Rail Link run late.",
                    "East Coast Rail Link",
                    Some(Cand::Thing),
                ),
                (
                    "The Beijing Shanghai Railway is busy.",
                    "Beijing",
                    Some(Cand::Place),
                ),
            ],
        );
    }

    #[test]
    fn named_thing_brand() {
        check(
            "named_thing_brand",
            &[(
                "The TurkStream pipeline carries gas.",
                "TurkStream",
                Some(Cand::Thing),
            )],
        );
    }

    #[test]
    fn route_by_direction() {
        check(
            "route_by_direction",
            &[
                (
                    "Cargo takes the Middle Corridor now.",
                    "Middle Corridor",
                    None,
                ),
                ("Ships use the Northern Route.", "Northern Route", None),
            ],
        );
    }
}
