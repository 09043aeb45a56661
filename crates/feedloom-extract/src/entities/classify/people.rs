//! Rules for people: a name after titles ([`PERSON_TITLES`], [`TITLES`]), honorifics,
//! portfolios; a job title alone is nobody; a run of two or three name-like words is a
//! person by its shape.

use super::*;

/// "Tan Sri Muhyiddin Yassin", "Datuk Seri X": a two-word honorific before the name.
pub(super) fn person_after_honorific<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if run.len() > 2
        && matches!(
            (run[0].s, run[1].s),
            ("Tan", "Sri") | ("Datuk", "Seri" | "Sri") | ("Dato", "Seri" | "Sri")
        )
        && titled_names(&run[2..])
    {
        cx.push(Span::new(cx.text, run[2].start, cx.end(), Cand::Person));
        return Step::Done;
    }
    Step::Next
}

/// A job title ([`JOB_MODIFIERS`] then [`JOB_HEADS`]: "Chief Financial Officer", "Corporate
/// Communications Officer") is nobody; "Group Chief Executive Officer of NNPC Ltd": the
/// employer after it is classified from the first rule again.
pub(super) fn job_title<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if let Some(h) = job_title_end(run) {
        if h + 2 < run.len() && matches!(run[h + 1].s, "of" | "at") {
            return Step::Restart(&run[h + 2..]);
        }
        if h + 1 == run.len() {
            return Step::Done;
        }
    }
    Step::Next
}

/// "..., Minister for Ports, Shipping and Waterways Rajeev Menon": the rest of a portfolio
/// list, then the name.
pub(super) fn person_after_portfolio_list<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if let Some(k) = run.iter().position(|t| t.s == "and")
        && portfolio_list_before(cx.text, cx.start())
        && (1..=4).contains(&(run.len() - k - 2))
        && run[k + 2..]
            .iter()
            .all(|t| name_like(t.s) && !is_org_word(t.s))
    {
        cx.push(Span::new(cx.text, run[k + 2].start, cx.end(), Cand::Person));
        return Step::Done;
    }
    Step::Next
}

/// "Minister of Water Resources Shavkat Khamraev": a title, "of", its portfolio
/// ([`PORTFOLIO`]), the name.
pub(super) fn person_after_title_of_portfolio<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if let Some(p) = run.iter().position(|t| PERSON_TITLES.contains(t.s))
        && run.get(p + 1).is_some_and(|t| t.s == "of")
        && let Some(q) = run.iter().rposition(|t| PORTFOLIO.contains(t.s))
        && q > p + 1
        && (1..=4).contains(&(run.len() - q - 1))
        && run[q + 1..]
            .iter()
            .all(|t| name_like(t.s) && !is_org_word(t.s))
    {
        cx.push(Span::new(cx.text, run[q + 1].start, cx.end(), Cand::Person));
        return Step::Done;
    }
    Step::Next
}

/// "Deputy Prime Minister Armen Hakobyan of Armenia": the place after a titled name is a place
/// of its own, and not part of the name (the run is cut before "of").
pub(super) fn place_after_titled_name<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    let end = cx.end();
    if let Some(p) = run.iter().rposition(|t| PERSON_TITLES.contains(t.s))
        && let Some(k) = run[p + 1..]
            .iter()
            .position(|t| t.s == "of")
            .map(|k| k + p + 1)
        && k >= p + 2
        && k + 1 < run.len()
        && let Some(g) = GAZ.get(text::sub(cx.text, run[k + 1].start, end))
        && g.kind != GazKind::Demonym
    {
        cx.push(Span::gaz(run[k + 1].start, end, g));
        cx.set_run(&run[..k]);
    }
    Step::Next
}

/// "Energy Minister Almasadam Satkaliyev", "Chief Executive Arman Kassenov", "Lt. Gen. Hany
/// Salama": a person title ([`PERSON_TITLES`]) followed by up to four names is a person,
/// whatever organisation words the titles hold; "European Commission Vice President X": the
/// organisation before the titles is one too.
pub(super) fn person_after_title<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if let Some(mut p) = run.iter().rposition(|t| PERSON_TITLES.contains(t.s))
        && {
            while p + 2 < run.len() && is_title(run[p + 1].s) {
                p += 1;
            }
            true
        }
        && p + 1 < run.len()
        // up to four names, with particles ("Luiz Inacio Lula da Silva")
        && run[p + 1..].iter().filter(|t| is_cap(t.s)).count() <= 4
        && titled_names(&run[p + 1..])
    {
        let mut q = p;
        // "Chief Financial Officer X", "Chief Technology Officer X": one title
        if run[p].s == "Officer"
            && let Some(c) = run[..p].iter().rposition(|t| t.s == "Chief")
        {
            q = c;
        }
        while q > 0 && is_title(run[q - 1].s) {
            q -= 1;
        }
        let mut o = 0;
        while o < q && GAZ.get_word(strip_possessive(run[o].s)).is_some() {
            o += 1; // "Pakistani Railways Minister": the demonym is not part of a name
        }
        if q >= o + 2 && run[o..q].iter().any(|t| is_org_word(t.s)) {
            cx.push(Span::new(cx.text, run[0].start, run[q - 1].end, Cand::Org));
        } else if q >= 1
            && let Some(g) = GAZ.get(text::sub(cx.text, run[0].start, run[q - 1].end))
            && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
        {
            // "Queensland Treasurer X", "NSW Premier X": the place whose office it is
            cx.push(Span::gaz(run[0].start, run[q - 1].end, g));
        }
        cx.push(Span::new(cx.text, run[p + 1].start, cx.end(), Cand::Person));
        return Step::Done;
    }
    Step::Next
}

/// "Union Minister for Ports", "President of Russia": a title with its portfolio and no name
/// is nobody; the places in it count.
pub(super) fn title_of_portfolio<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if let Some(p) = run.iter().position(|t| PERSON_TITLES.contains(t.s))
        && run.get(p + 1).is_some_and(|t| matches!(t.s, "of" | "for"))
    {
        for t in &run[p + 2..] {
            if let Some(g) = GAZ.get(t.s)
                && g.kind != GazKind::Demonym
            {
                cx.push(Span::gaz(t.start, t.end, g));
            }
        }
        return Step::Done;
    }
    Step::Next
}

/// Titles ([`TITLES`]) and nationality words in front of a name ("Turkmen Foreign Minister
/// Rashid Meredov") are skipped: the rest of the run is what the later rules look at
/// (`Ctx::rest`); a place word before a title is a place ("Kazakhstan's Energy Minister").
pub(super) fn leading_titles<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    let mut k = 0;
    let mut titled = false;
    while k < run.len() {
        let w = run[k].s;
        if is_title(w) {
            titled = true;
            k += 1;
        } else if k + 1 < run.len()
            && GAZ.get_word(strip_possessive(w)).is_some()
            && run[k + 1..].iter().any(|t| is_title(t.s))
        {
            if let Some(g) = GAZ.get(strip_possessive(w))
                && g.kind != GazKind::Demonym
            {
                cx.push(Span::gaz(run[k].start, run[k].end, g));
            }
            k += 1;
        } else if matches!(w, "of" | "for" | "and" | "the") && titled {
            k += 1;
        } else {
            break;
        }
    }
    let mut rest = &run[k..];
    while rest.len() > 1 && (NOT_NAME.contains(rest[0].s) || text::is_stopword(rest[0].s)) {
        rest = &rest[1..];
    }
    cx.rest = rest;
    cx.titled = titled;
    if rest.is_empty() {
        return Step::Done;
    }
    Step::Next
}

/// "Former President Almazbek Atambayev", "Mr Ivan Petrov": after titles of any kind
/// ([`TITLES`]), up to four name parts are a person.
pub(super) fn person_after_leading_titles<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    if cx.titled && titled_names(cx.rest) && cx.rest.len() <= 4 {
        let (s, e) = cx.rest_span();
        cx.push(Span::new(cx.text, s, e, Cand::Person));
        return Step::Done;
    }
    Step::Next
}

/// "the Amu Darya", "the Cultural Revolution": a person is not "the X Y" (after a preposition
/// of place it is a place: "over the Amu Darya"); "Young Uyghurs": a plural demonym is a group
/// of people, not a person.
pub(super) fn name_after_the<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let rest = cx.rest;
    let (s, e) = cx.rest_span();
    let head = before(cx.text, s).trim_end();
    let before_the = head
        .strip_suffix("the")
        .or_else(|| head.strip_suffix("The"))
        .filter(|h| h.is_empty() || h.ends_with(|c: char| !c.is_alphanumeric()));
    let plural_demonym = rest.last().is_some_and(|t| {
        t.s.ends_with('s')
            && GAZ.get(t.s).is_none()
            && (GAZ
                .get_word(t.s)
                .is_some_and(|g| g.kind == GazKind::Demonym)
                || t.s.strip_suffix('s').is_some_and(|x| ETHNIC.contains(x)))
    });
    if rest.len() <= 3
        && !cx.named_thing()
        && (before_the.is_some() || plural_demonym)
        && rest.iter().all(|t| name_part(t.s))
    {
        if let Some(h) = before_the
            && !plural_demonym
            && matches!(
                h.trim_end().rsplit(' ').next(),
                Some("in" | "over" | "across" | "along" | "near" | "into" | "through" | "on")
            )
        {
            cx.push(Span::new(cx.text, s, e, Cand::Place));
        }
        return Step::Done;
    }
    Step::Next
}

/// "said Jordan Whitehorse, a lawyer", "Sofie Vandamme said": two or three name words that
/// speak (right after or before a speech verb, or with a role in apposition) are a person even
/// when each word is also a place's name — but not a whole place's name.
pub(super) fn person_by_speech<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let all = cx.rest;
    let (s0, e) = cx.rest_span();
    // titles before the name ("said Executive Vice-President X") are not part of it
    let k = all
        .iter()
        .position(|t| !(TITLES.contains(t.s) || PERSON_TITLES.contains(t.s) || t.s == "-"))
        .unwrap_or(all.len());
    let rest = &all[k..];
    let Some(first) = rest.first() else {
        return Step::Next;
    };
    let s = first.start;
    let run_start = s0.min(cx.start());
    let after_said = after_speech_verb(cx.text, run_start);
    let building = rest.last().is_some_and(|t| GEO_TAIL.contains(t.s));
    if (2..=3).contains(&rest.len())
        && rest.iter().all(|t| {
            is_cap(t.s)
                && t.s
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’'))
                && t.s.chars().skip(1).any(char::is_lowercase)
                && !text::is_stopword(t.s)
                && !NOT_NAME.contains(t.s)
                && !is_org_word(t.s)
        })
        // "Dewey Hall, a venue": a building in apposition is no speaker
        && (after_said || !building)
        && GAZ.get(text::sub(cx.text, s, e)).is_none()
        && !cx.named_thing()
        && ((after_said && word_before(cx.text, run_start) != "asked")
            || followed_by_speech_verb(cx.text, e)
            || role_in_apposition(cx.text, e))
    {
        let mut sp = Span::new(cx.text, s, e, Cand::Person);
        sp.weak = true;
        cx.push(sp);
        return Step::Done;
    }
    Step::Next
}

/// ", a lawyer with ...", ", the chief executive": a role in apposition after a name.
fn role_in_apposition(text: &str, end: usize) -> bool {
    let r = text.get(end..).unwrap_or("");
    [", a ", ", an ", ", the "].iter().any(|p| {
        r.strip_prefix(p)
            .is_some_and(|x| x.starts_with(|c: char| c.is_lowercase()))
    })
}

/// Up to three name parts, or four with a particle ("Luiz Inácio Lula da Silva"), one of them
/// name-like: a person by the shape of the name (weak: a place or organisation of that name
/// elsewhere wins).
pub(super) fn person_by_shape<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let rest = cx.rest;
    let caps = rest.iter().filter(|t| is_cap(t.s)).count();
    if (caps <= 3 || (caps == 4 && rest.iter().any(|t| !is_cap(t.s))))
        && !GEO_TAIL.contains(rest[0].s)
        && !cx.named_thing()
        && rest.iter().all(|t| name_part(t.s))
        && rest.iter().any(|t| name_like(t.s))
    {
        let (s, e) = cx.rest_span();
        let mut sp = Span::new(cx.text, s, e, Cand::Person);
        sp.weak = true;
        cx.push(sp);
        return Step::Done;
    }
    Step::Next
}

/// "Dana Thiessen of the Sierra Club", "Claire Dufresne of the Department of Canadian
/// Heritage": two or three name words, `of the`, then an organisation (a name holding an
/// organisation word): the person, and the organisation classified from the first rule again.
pub(super) fn person_of_the_org<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let run = cx.run;
    if let Some(k) = run.iter().position(|t| t.s == "of")
        && (2..=3).contains(&k)
        && run.get(k + 1).is_some_and(|t| t.s == "the")
        && k + 2 < run.len()
        && run[..k].iter().all(|t| {
            is_cap(t.s)
                && t.s.chars().skip(1).any(char::is_lowercase)
                && !is_org_word(t.s)
                && !PERSON_TITLES.contains(t.s)
                && !TITLES.contains(t.s)
                && !text::is_stopword(t.s)
        })
        && run[k + 2..].iter().any(|t| is_org_word(t.s))
    {
        let mut sp = Span::new(cx.text, run[0].start, run[k - 1].end, Cand::Person);
        sp.weak = true;
        cx.push(sp);
        return Step::Restart(&run[k + 2..]);
    }
    Step::Next
}

/// "Andriy Melnyk of Ukraine": a name, then the place it is from.
pub(super) fn person_of_place<'a>(cx: &mut Ctx<'a>) -> Step<'a> {
    let rest = cx.rest;
    let (_, e) = cx.rest_span();
    if let Some(k) = rest.iter().position(|t| t.s == "of")
        && (2..=3).contains(&k)
        && k + 1 < rest.len()
        && rest[..k].iter().all(|t| name_like(t.s))
        && let Some(g) = GAZ.get(text::sub(cx.text, rest[k + 1].start, e))
        && g.kind != GazKind::Demonym
    {
        let mut sp = Span::new(cx.text, rest[0].start, rest[k - 1].end, Cand::Person);
        sp.weak = true;
        cx.push(sp);
        cx.push(Span::gaz(rest[k + 1].start, e, g));
        return Step::Done;
    }
    Step::Next
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Option<Cand> = Some(Cand::Person);

    #[test]
    fn person_after_honorific() {
        check(
            "person_after_honorific",
            &[
                ("Tan Sri Muhyiddin Yassin spoke.", "Muhyiddin Yassin", P),
                ("Later Datuk Seri Anwar Ibrahim left.", "Anwar Ibrahim", P),
            ],
        );
    }

    #[test]
    fn person_of_the_org() {
        check(
            "person_of_the_org",
            &[
                (
                    "He met Dana Thorsen of the Mountain Rivers Club.",
                    "Dana Thorsen",
                    P,
                ),
                (
                    "Claire Dubois of the Department of Heritage spoke.",
                    "Claire Dubois",
                    P,
                ),
            ],
        );
    }

    #[test]
    fn person_by_speech() {
        check(
            "person_by_speech",
            &[
                (
                    "\"It was wrong,\" said Jordan Whitehorse, a lawyer.",
                    "Jordan Whitehorse",
                    P,
                ),
                (
                    "\"Leave,\" said Executive Vice-President Sofie Vandamme, who oversees it.",
                    "Sofie Vandamme",
                    P,
                ),
            ],
        );
    }

    #[test]
    fn job_title() {
        check(
            "job_title",
            &[
                (
                    "Media contact: Ngozi Amadi, Chief Corporate Communications Officer, NNPC Ltd.",
                    "Chief Corporate Communications Officer",
                    None,
                ),
                (
                    "A Chief Financial Officer spoke.",
                    "Chief Financial Officer",
                    None,
                ),
            ],
        );
        // the employer after "of" is classified again
        let c = candidates("said Group Chief Executive Officer of Acme Holdings yesterday.");
        assert!(
            c.spans
                .iter()
                .any(|s| s.name == "Acme Holdings" && s.kind == Cand::Org)
        );
    }

    #[test]
    fn person_after_portfolio_list() {
        check(
            "person_after_portfolio_list",
            &[(
                "The Minister for Ports, Shipping and Waterways Rajeev Menon spoke.",
                "Rajeev Menon",
                P,
            )],
        );
    }

    #[test]
    fn person_after_title_of_portfolio() {
        check(
            "person_after_title_of_portfolio",
            &[(
                "Deputy Minister of Water Resources Shavkat Khamraev visited Kabul.",
                "Shavkat Khamraev",
                P,
            )],
        );
    }

    #[test]
    fn place_after_titled_name() {
        check(
            "place_after_titled_name",
            &[(
                "They met Deputy Prime Minister Ilgar Aliyev of Azerbaijan.",
                "Azerbaijan",
                Some(Cand::Place),
            )],
        );
    }

    #[test]
    fn person_after_title() {
        check(
            "person_after_title",
            &[
                (
                    "Energy Minister Almasadam Satkaliyev spoke.",
                    "Almasadam Satkaliyev",
                    P,
                ),
                (
                    "European Commission Vice President Maros Sefcovic visited.",
                    "Maros Sefcovic",
                    P,
                ),
                (
                    "European Commission Vice President Maros Sefcovic visited.",
                    "European Commission",
                    Some(Cand::Org),
                ),
                ("Archbishop Levon Avetisyan came.", "Levon Avetisyan", P),
                (
                    "They met Deputy Prime Minister Ilgar Aliyev of Azerbaijan.",
                    "Ilgar Aliyev",
                    P,
                ),
            ],
        );
    }

    #[test]
    fn title_of_portfolio() {
        check(
            "title_of_portfolio",
            &[
                (
                    "The Union Minister for Ports spoke.",
                    "Union Minister for Ports",
                    None,
                ),
                (
                    "A meeting with the President of Russia ended.",
                    "Russia",
                    Some(Cand::Place),
                ),
            ],
        );
    }

    #[test]
    fn leading_titles() {
        check(
            "leading_titles",
            &[
                (
                    "Uzbekistan Deputy Minister spoke.",
                    "Uzbekistan",
                    Some(Cand::Place),
                ),
                (
                    "Kazakhstan's Former Chairman spoke.",
                    "Former Chairman",
                    None,
                ),
            ],
        );
    }

    #[test]
    fn person_after_leading_titles() {
        check(
            "person_after_leading_titles",
            &[
                ("Journalist Bolot Temirov was deported.", "Bolot Temirov", P),
                ("Lawmaker Aida Kasymalieva said so.", "Aida Kasymalieva", P),
            ],
        );
    }

    #[test]
    fn name_after_the() {
        check(
            "name_after_the",
            &[
                (
                    "Boats sail on the Amu Darya to Termez.",
                    "Amu Darya",
                    Some(Cand::Place),
                ),
                (
                    "Songs were lost during the Cultural Revolution.",
                    "Cultural Revolution",
                    None,
                ),
                ("Young Uyghurs in Almaty dance.", "Young Uyghurs", None),
            ],
        );
    }

    #[test]
    fn person_by_shape() {
        check(
            "person_by_shape",
            &[
                (
                    "China's delegation was led by Tang Minghui, a vice minister.",
                    "Tang Minghui",
                    P,
                ),
                (
                    "José Eduardo dos Santos Neto agreed.",
                    "José Eduardo dos Santos Neto",
                    P,
                ),
            ],
        );
    }

    #[test]
    fn person_of_place() {
        check(
            "person_of_place",
            &[
                ("Andriy Melnyk of Ukraine spoke.", "Andriy Melnyk", P),
                (
                    "Andriy Melnyk of Ukraine spoke.",
                    "Ukraine",
                    Some(Cand::Place),
                ),
            ],
        );
    }
}
