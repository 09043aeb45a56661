//! Rules for organisations: by their words ([`ORG_WORDS`], [`ORG_FINAL`], [`INDUSTRY_FINAL`]),
//! a known name ([`MEDIA`]) or a brand's shape, an acronym, the nouns and contexts around
//! them ([`ORG_AFTER`], [`ORG_BEFORE`], [`EMPLOYER_ROLES`]).

use super::*;

/// "Uzbek Railways (O'zbekiston Temir Yo'llari)": the organisation's name in its language,
/// in parentheses right after it, is no entity of its own.
pub(super) fn org_native_name_in_parens<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let start = cx.start();
    if before(cx.text, start).ends_with('(')
        && after(cx.text, cx.end()).starts_with(')')
        && cx.run.len() >= 2
        && cx
            .spans()
            .last()
            .is_some_and(|p| p.kind == Cand::Org && p.end + 2 == start)
    {
        return Step::Done;
    }
    Step::Next
}

/// "Reuters", "Kremlin" ([`MEDIA`]), "KazMunayGas", "AvtoVAZ" (a brand's inner capital): one
/// word that is an organisation.
pub(super) fn org_media_or_brand<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if run.len() == 1
        && (MEDIA.contains(run[0].s)
            || (inner_caps(run[0].s) && GAZ.get_word(strip_possessive(run[0].s)).is_none()))
    {
        let (start, end) = (cx.start(), cx.end());
        cx.push(Span::new(cx.text, start, end, Cand::Org).acronym(paren_acronym(cx.text, end)));
        return Step::Done;
    }
    Step::Next
}

/// "Energy", "Ministry": an organisation word alone is no name.
pub(super) fn org_word_alone<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if cx.has_org()
        && run.len() == 1
        && !is_acronym(run[0].s)
        && !org_noun_before(cx.text, cx.start())
    {
        return Step::Done;
    }
    Step::Next
}

/// The acronym or short name in parentheses right after a long form: "National Chamber of
/// Entrepreneurs (NCE)"; an organisation's one-word short name with its initial: "Power
/// Construction Corporation of China (PowerChina)"; an acronym with a legal form or an
/// industry word: "(NNPC Ltd.)", "(CHN Energy)".
fn acronym_after(cx: &Ctx) -> Option<String> {
    let (run, full, has_org) = (cx.run, cx.full(), cx.has_org());
    let rest = after(cx.text, cx.end());
    rest.strip_prefix(" (").and_then(|r| {
        let close = r.find(')')?;
        let a = r.get(..close)?;
        let short_name = has_org
            && run.len() >= 3
            && a.len() <= 20
            && is_cap(a)
            && !a.contains(' ')
            && a.chars().next() == full.chars().next()
            && GAZ.get_word(a).is_none();
        let a = a.trim_end_matches('.');
        let acronym_and_form = has_org
            && run.len() >= 3
            && a.len() <= 24
            && a.split_once(' ').is_some_and(|(x, rest)| {
                is_acronym(x)
                    && x.chars().next() == full.chars().next()
                    && rest.split(' ').all(|w| {
                        ORG_FINAL.contains(w) || INDUSTRY_FINAL.contains(w) || is_org_word(w)
                    })
            });
        ((is_acronym(a) && a.len() <= 10) || short_name || acronym_and_form).then(|| a.to_string())
    })
}

/// An organisation by its words: an organisation word in the run ("Ministry", "Bank",
/// "Airways", "PT"; [`run_has_org`]), an acronym in parentheses that fits it ("National
/// Chamber of Entrepreneurs (NCE)"), an organisation noun before it ("the state oil company
/// KazMunayGas"), or "-based" before it ("the London-based consultancy").
pub(super) fn org_by_words<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let (run, full, start, end) = (cx.run, cx.full(), cx.start(), cx.end());
    let acronym = acronym_after(cx);
    let acronym_fits = |a: &str| {
        let caps: String = full.chars().filter(|c| c.is_uppercase()).collect();
        let mut it = caps.chars();
        a.chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| it.any(|x| x == c))
    };
    if cx.has_org()
        || acronym
            .as_deref()
            .is_some_and(|a| run.len() >= 2 || acronym_fits(a))
        || org_noun_before(cx.text, start)
        || (before(cx.text, start).ends_with("-based ") && GAZ.get_word(full).is_none())
    {
        cx.push(Span::new(cx.text, start, end, Cand::Org).acronym(acronym));
        return Step::Done;
    }
    Step::Next
}

/// "the Dunyo information agency", "Kabar news agency", "X shares rose": a lower-case noun of
/// organisations after the name ([`ORG_AFTER`], or one word later); "X flight SV 311": an
/// airline.
pub(super) fn org_before_org_noun<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let text = cx.text;
    if cx.run.len() > 3 {
        return Step::Next;
    }
    let org_after = cx.next.is_some_and(|n| {
        ORG_AFTER.contains(n.s)
            || (n.s.chars().all(|c| c.is_lowercase())
                && after(text, n.end).starts_with(' ')
                && ORG_AFTER.contains(word_at(text, n.end + 1)))
            || (n.s == "flight"
                && after(text, n.end).strip_prefix(' ').is_some_and(|r| {
                    let code = word_at(r, 0);
                    !code.is_empty()
                        && code
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                }))
    });
    let full = cx.full();
    if cx.run.len() <= 3
        && org_after
        && !NOT_NAME.contains(full)
        && cx.next_adjacent()
        && GAZ.get(full).is_none()
    {
        cx.push(Span::new(text, cx.start(), cx.end(), Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "analysts at Morgan Stanley": two or three name-like words where someone works
/// ([`EMPLOYER_ROLES`] before "at") are an employer.
pub(super) fn org_employer<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if (2..=3).contains(&run.len())
        && !cx.has_org()
        && run.iter().all(|t| name_like(t.s))
        && employer_position(cx.text, cx.start())
    {
        cx.push(Span::new(cx.text, cx.start(), cx.end(), Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "Emirates NBD", "Almalyk MMC": a name with an acronym in it (not a gazetteer name, a Roman
/// numeral or a common acronym: [`COMMON_ACRONYMS`]) is no person's.
pub(super) fn org_acronym_inside<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let rest = cx.rest;
    if rest.len() >= 2
        && rest.iter().any(|t| is_cap(t.s) && !is_acronym(t.s))
        && rest.iter().any(|t| {
            is_acronym(t.s)
                && (2..=6).contains(&t.s.chars().filter(|c| c.is_alphabetic()).count())
                && GAZ.get_word(t.s).is_none()
                && !COMMON_ACRONYMS.contains(t.s)
                && !t.s.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
        })
    {
        let (s, e) = cx.rest_span();
        cx.push(Span::new(cx.text, s, e, Cand::Org).acronym(paren_acronym(cx.text, e)));
        return Step::Done;
    }
    Step::Next
}

/// "built by Rosatom", "said on Facebook", "the grid operator, Gridco,", "the Majlisi Oli,
/// Tajikistan's parliament,": up to four words an organisation by what surrounds them
/// ([`org_context`]); not a person after "led by", "founded by" (people lead and found things
/// too).
pub(super) fn org_by_context<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let rest = cx.rest;
    let (s, e) = cx.rest_span();
    let person_shaped = (2..=3).contains(&rest.len())
        && people_by(cx.text, s)
        && rest.iter().all(|t| name_like(t.s) && !is_acronym(t.s));
    if rest.len() <= 4 && !cx.has_org() && !person_shaped && org_context(cx.text, s, e) {
        cx.push(Span::new(cx.text, s, e, Cand::Org));
        return Step::Done;
    }
    Step::Next
}

/// "Steppe Ledger", "Valley News": a geographic common noun ([`GEO_TAIL`]) opens no person's
/// name; told or quoted ([`media_position`]), it is a news outlet.
pub(super) fn org_outlet_geo_word<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let rest = cx.rest;
    let (s, e) = cx.rest_span();
    if GEO_TAIL.contains(rest[0].s) && rest.len() <= 3 && media_position(cx.text, s, e) {
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
    fn org_native_name_in_parens() {
        check(
            "org_native_name_in_parens",
            &[(
                "Uzbek Railways (O'zbekiston Temir Yo'llari) signed.",
                "O'zbekiston Temir Yo'llari",
                None,
            )],
        );
    }

    #[test]
    fn org_media_or_brand() {
        check(
            "org_media_or_brand",
            &[
                ("A statement from the Kremlin followed.", "Kremlin", O),
                ("Russia's AvtoVAZ lost ground.", "AvtoVAZ", O),
                (
                    "The state oil company KazMunayGas (KMG) grew.",
                    "KazMunayGas",
                    O,
                ),
            ],
        );
    }

    #[test]
    fn org_word_alone() {
        check(
            "org_word_alone",
            &[("Prices rose. Energy is cheap.", "Energy", None)],
        );
    }

    #[test]
    fn org_by_words() {
        check(
            "org_by_words",
            &[
                (
                    "The National Chamber of Entrepreneurs (NCE) objected.",
                    "National Chamber of Entrepreneurs",
                    O,
                ),
                (
                    "The firm signed with Japan's Mitsubishi Corporation.",
                    "Mitsubishi Corporation",
                    O,
                ),
                (
                    "In the north, Qinfeng Lithium holds stakes.",
                    "Qinfeng Lithium",
                    O,
                ),
                (
                    "The Sociedad Minera y Metalúrgica del Sur signed.",
                    "Sociedad Minera y Metalúrgica del Sur",
                    O,
                ),
                (
                    "Bidders include Korea Hydro & Nuclear Power.",
                    "Korea Hydro & Nuclear Power",
                    O,
                ),
                (
                    "An analyst at the London-based consultancy Steppe Metrics said so.",
                    "Steppe Metrics",
                    O,
                ),
            ],
        );
    }

    #[test]
    fn org_before_org_noun() {
        check(
            "org_before_org_noun",
            &[
                (
                    "It was reported by the Dunyo information agency on Monday.",
                    "Dunyo",
                    O,
                ),
                ("He flew on Aerolux flight AX 102.", "Aerolux", O),
                (
                    "Later, Baltek chief executive Ivan Petrov spoke.",
                    "Baltek",
                    O,
                ),
            ],
        );
    }

    #[test]
    fn org_employer() {
        check(
            "org_employer",
            &[(
                "Analysts at Morgan Stanley estimate fines.",
                "Morgan Stanley",
                O,
            )],
        );
    }

    #[test]
    fn org_acronym_inside() {
        check(
            "org_acronym_inside",
            &[
                ("Kestrel NBK said it would pay.", "Kestrel NBK", O),
                ("The plant of Almalyk MMC grew.", "Almalyk MMC", O),
            ],
        );
    }

    #[test]
    fn org_by_context() {
        check(
            "org_by_context",
            &[
                (
                    "Verdant One, a subsidiary of Japan's Morito, signed.",
                    "Verdant One",
                    O,
                ),
                (
                    "The station was built by Nova Atom in 2020.",
                    "Nova Atom",
                    O,
                ),
            ],
        );
    }

    #[test]
    fn org_outlet_geo_word() {
        check(
            "org_outlet_geo_word",
            &[("Petrov told Delta Ledger in Lagos.", "Delta Ledger", O)],
        );
    }
}
