//! Classification of one run of capitalised words into candidate spans.

use super::*;

/// Classify a run of capitalised words into spans. A run that is a job title followed by
/// `of`/`at` and more names is classified again from the employer on ("Group Chief Executive
/// Officer of NNPC Ltd"): a loop, not recursion, so that a hostile run of thousands of titles
/// cannot overflow the stack.
pub(in crate::entities) fn classify(
    text: &str,
    run: &[Tok],
    next: Option<&Tok>,
    sent_start: bool,
    in_chain: bool,
    spans: &mut Vec<Span>,
) {
    let (mut run, mut sent_start, mut in_chain) = (run, sent_start, in_chain);
    while let Some(rest) = classify_step(text, run, next, sent_start, in_chain, spans) {
        (run, sent_start, in_chain) = (rest, false, false);
    }
}

/// One step of [`classify`]: the spans of `run`, or the rest of it to classify next.
pub(in crate::entities) fn classify_step<'r, 't>(
    text: &str,
    run: &'r [Tok<'t>],
    next: Option<&Tok>,
    sent_start: bool,
    in_chain: bool,
    spans: &mut Vec<Span>,
) -> Option<&'r [Tok<'t>]> {
    let mut run = run;
    // "Taliban-run Ministry", "Kremlin-backed party": the hyphenated modifier is not part of it
    if let Some(p) = run.iter().rposition(|t| {
        t.s.rsplit_once('-')
            .is_some_and(|(_, suf)| MODIFIER_SUFFIXES.contains(suf))
    }) {
        // "Dubai-based": the place still counts
        if let Some((pre, _)) = run[p].s.rsplit_once('-')
            && let Some(g) = GAZ.get(pre)
            && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
        {
            spans.push(Span::gaz(run[p].start, run[p].start + pre.len(), g));
        }
        run = &run[p + 1..];
    }
    // "US$50 billion", "Rs 120 billion", "KZT 640 million": a currency
    let after = &text[run[run.len() - 1].end..];
    if after.starts_with('$')
        || (run.len() == 1
            && (matches!(run[0].s, "Rs" | "KSh" | "Tk" | "Rp")
                || (run[0].s.len() == 3 && is_acronym(run[0].s)))
            && after
                .trim_start_matches([' ', '.'])
                .starts_with(|c: char| c.is_ascii_digit()))
    {
        return None;
    }
    // "New Delhi", "Dar es Salaam", a dateline's "NEW DELHI": a gazetteer name, whatever its
    // first word
    let whole = &text[run[0].start..run[run.len() - 1].end];
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
        && !company_possessive(text, run[run.len() - 1].end)
    {
        spans.push(Span::gaz(run[0].start, run[run.len() - 1].end, g));
        return None;
    }
    // leading stopwords ("The", "According", "In") are not part of a name, but an adjective
    // opening an organisation's name is ("First Quantum Minerals", "New Development Bank")
    while let Some(f) = run.first() {
        let adjective = matches!(f.s, "First" | "New" | "Second" | "Third" | "Next" | "One")
            && run[1..].iter().any(|t| is_org_word(t.s));
        // "Shares of Adani Ports ...": a plural noun opening the sentence, then "of"
        let noun_of = sent_start
            && run.len() > 2
            && run[1].s == "of"
            && f.s.len() > 3
            && f.s.ends_with('s')
            && !is_org_word(f.s)
            && GAZ.get_word(f.s).is_none();
        if noun_of {
            run = &run[2..];
            continue;
        }
        // "Follow NNPC Ltd. on X", "Contact Ngozi Amadi": an imperative opening the sentence
        if sent_start
            && run.len() > 1
            && matches!(
                f.s,
                "Follow" | "Contact" | "Visit" | "Subscribe" | "Join" | "Watch" | "Listen"
            )
        {
            run = &run[1..];
            continue;
        }
        if !adjective
            && !is_acronym(f.s)
            && (text::is_stopword(f.s) || (sent_start && run.len() > 1 && f.s.ends_with("ly")))
        {
            run = &run[1..];
        } else {
            break;
        }
    }
    // trailing connectors
    while let Some(l) = run.last() {
        if !is_name_tok(l.s) && !PARTICLES.contains(&l.s) {
            run = &run[..run.len() - 1];
        } else {
            break;
        }
    }
    // "Government Decision No. 412-N", "Resolution 2722", "Article 5": a document, not a name
    if let Some(l) = run.last()
        && matches!(l.s, "No" | "Nos" | "Number")
    {
        run = &run[..run.len() - 1];
    }
    if run.is_empty() {
        return None;
    }
    // "Tan Sri Muhyiddin Yassin", "Datuk Seri X": a two-word honorific before the name
    if run.len() > 2
        && matches!(
            (run[0].s, run[1].s),
            ("Tan", "Sri") | ("Datuk", "Seri" | "Sri") | ("Dato", "Seri" | "Sri")
        )
        && titled_names(&run[2..])
    {
        spans.push(Span::new(
            text,
            run[2].start,
            run[run.len() - 1].end,
            Cand::Person,
        ));
        return None;
    }
    // a job title is nobody ("Chief Financial Officer", "Corporate Communications Officer");
    // "Group Chief Executive Officer of NNPC Ltd": the employer after it is the organisation
    if let Some(h) = job_title_end(run) {
        if h + 2 < run.len() && matches!(run[h + 1].s, "of" | "at") {
            // the employer after the title: classified next, by the loop in `classify`
            return Some(&run[h + 2..]);
        }
        if h + 1 == run.len() {
            return None;
        }
    }
    let start = run[0].start;
    let end = run[run.len() - 1].end;
    if DOCUMENT_NOUNS.contains(&run[run.len() - 1].s)
        && text[end..]
            .trim_start_matches(['.', ' '])
            .trim_start_matches("No")
            .trim_start_matches(['.', ' '])
            .starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    // "..., Minister for Ports, Shipping and Waterways Rajeev Menon": the rest of a portfolio
    // list, then the name
    if let Some(k) = run.iter().position(|t| t.s == "and")
        && portfolio_list_before(text, start)
        && (1..=4).contains(&(run.len() - k - 2))
        && run[k + 2..]
            .iter()
            .all(|t| name_like(t.s) && !is_org_word(t.s))
    {
        let (s, e) = (run[k + 2].start, run[run.len() - 1].end);
        spans.push(Span::new(text, s, e, Cand::Person));
        return None;
    }
    // "Minister of Water Resources Shavkat Khamraev": a title, "of", its portfolio, the name
    if let Some(p) = run.iter().position(|t| PERSON_TITLES.contains(t.s))
        && run.get(p + 1).is_some_and(|t| t.s == "of")
        && let Some(q) = run.iter().rposition(|t| PORTFOLIO.contains(t.s))
        && q > p + 1
        && (1..=4).contains(&(run.len() - q - 1))
        && run[q + 1..]
            .iter()
            .all(|t| name_like(t.s) && !is_org_word(t.s))
    {
        let (s, e) = (run[q + 1].start, run[run.len() - 1].end);
        spans.push(Span::new(text, s, e, Cand::Person));
        return None;
    }
    // "Deputy Prime Minister Armen Hakobyan of Armenia": the place after the name is not part
    // of it
    let mut run_end = run.len();
    if let Some(p) = run.iter().rposition(|t| PERSON_TITLES.contains(t.s))
        && let Some(k) = run[p + 1..]
            .iter()
            .position(|t| t.s == "of")
            .map(|k| k + p + 1)
        && k >= p + 2
        && k + 1 < run.len()
        && let Some(g) = GAZ.get(&text[run[k + 1].start..end])
        && g.kind != GazKind::Demonym
    {
        spans.push(Span::gaz(run[k + 1].start, end, g));
        run_end = k;
    }
    let (run, end) = (&run[..run_end], run[run_end - 1].end);
    // "Energy Minister Almasadam Satkaliyev", "Chief Executive Arman Kassenov", "Lt. Gen. Hany
    // Salama": person titles followed by a name are a person, whatever organisation words the
    // titles hold
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
        // "European Commission Vice President X": the organisation before the titles
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
            let (s, e) = (run[0].start, run[q - 1].end);
            spans.push(Span::new(text, s, e, Cand::Org));
        }
        let (s, e) = (run[p + 1].start, run[run.len() - 1].end);
        spans.push(Span::new(text, s, e, Cand::Person));
        return None;
    }
    let full = &text[start..end];
    if run.len() > 1
        && let Some(g) = GAZ.get_any(full)
        && matches!(
            g.kind,
            GazKind::Country | GazKind::Region | GazKind::Capital | GazKind::City | GazKind::Town
        )
    {
        // "Russian Federation", "United Arab Emirates": a place even with an organisation word
        if g.kind != GazKind::Country && company_possessive(text, end) {
            // "Rio Tinto's Oyu Tolgoi mine": a company named like a town
            spans.push(Span::new(text, start, end, Cand::Org));
        } else {
            spans.push(Span::gaz(start, end, g));
        }
        return None;
    }
    // "Xinjiang Province", "Inner Mongolia Autonomous Region", "Sistan and Baluchestan
    // Province": a gazetteer region or settlement with its administrative nouns, also known by
    // the short name; "Almaty Region" (a region named after its city) is a place of its own
    if run.len() > 1 {
        let mut k = run.len();
        while k > 1 && ADMIN_TAIL.contains(&run[k - 1].s) {
            k -= 1;
        }
        if k < run.len()
            && let Some(g) = GAZ.get_any(&text[start..run[k - 1].end])
            && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
            && !(g.kind == GazKind::Country && k == 1 && run.len() == 2)
        {
            let mut sp = Span::new(text, start, end, Cand::Place).country(Some(g.cc));
            if g.kind == GazKind::Region && !g.also_city {
                // the region, also called by its name alone (not "Tashkent Region" and the
                // city of Tashkent)
                sp.alias = Some(g.name);
            }
            spans.push(sp.acronym(paren_acronym(text, end)));
            return None;
        }
    }
    // "Union Minister for Ports", "President of Russia": a title with its portfolio and no name
    // is nobody; the places in it count
    if let Some(p) = run.iter().position(|t| PERSON_TITLES.contains(t.s))
        && run.get(p + 1).is_some_and(|t| matches!(t.s, "of" | "for"))
    {
        for t in &run[p + 2..] {
            if let Some(g) = GAZ.get(t.s)
                && g.kind != GazKind::Demonym
            {
                spans.push(Span::gaz(t.start, t.end, g));
            }
        }
        return None;
    }
    let has_org = run_has_org(run);
    // "Cape of Good Hope", "Strait of Hormuz", "Lake Balkhash", "Mount Ararat": a natural
    // feature named by its head word
    if run.len() >= 2
        && !has_org
        && GEO_HEAD.contains(&run[0].s)
        && run[1..]
            .iter()
            .all(|t| is_name_tok(t.s) || matches!(t.s, "of" | "the" | "de" | "del" | "la"))
        && run.last().is_some_and(|t| is_name_tok(t.s))
    {
        let mut sp = Span::new(text, start, end, Cand::Place);
        // "Port Klang", "Port Sudan": a town, which lies in a country
        sp.feature = run[0].s != "Port";
        spans.push(sp);
        return None;
    }
    // "the East Coast Rail Link", "the Standard Gauge Railway": a named line or road is a
    // project, not an entity (the places in it count: "Beijing Shanghai Railway")
    if run.len() >= 2
        && ROUTE_TAIL.contains(&run[run.len() - 1].s)
        && !run_has_org(&run[..run.len() - 1])
    {
        places_inside(text, run, spans);
        spans.push(Span::new(text, start, end, Cand::Thing));
        return None;
    }
    // a part of a place chain ("Beineu" in "Beineu-Bozoi-Shymkent pipeline")
    if in_chain && name_like(run[0].s) {
        spans.push(match GAZ.get_any(full) {
            Some(g) => Span::gaz(start, end, g),
            None => Span::new(text, start, end, Cand::Place),
        });
        return None;
    }
    // "the TurkStream pipeline", "the Power of Siberia project": a named thing, not an entity
    if next.is_some_and(|n| text[end..n.start].trim().is_empty() && NAMED_THING_AFTER.contains(n.s))
        && (run.len() == 1 && inner_caps(run[0].s))
    {
        spans.push(Span::new(text, start, end, Cand::Thing));
        return None;
    }
    // "Uzbek Railways (O'zbekiston Temir Yo'llari)": the organisation's name in its language
    if text[..start].ends_with('(')
        && text[end..].starts_with(')')
        && run.len() >= 2
        && spans
            .last()
            .is_some_and(|p| p.kind == Cand::Org && p.end + 2 == start)
    {
        return None;
    }
    if run.len() == 1
        && (MEDIA.contains(run[0].s)
            || (inner_caps(run[0].s) && GAZ.get_word(strip_possessive(run[0].s)).is_none()))
    {
        spans.push(Span::new(text, start, end, Cand::Org).acronym(paren_acronym(text, end)));
        return None;
    }
    if has_org && run.len() == 1 && !is_acronym(run[0].s) && !org_noun_before(text, start) {
        return None; // "Energy", "Ministry" alone are not names
    }
    // "the Middle Corridor", "the Northern Route": a route named by a direction, not a place
    if matches!(run[run.len() - 1].s, "Corridor" | "Route" | "Passage")
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
        return None;
    }
    // "Surkhandarya Region", "Arabian Sea", "Friendship Bridge": a geographic name
    if (2..=4).contains(&run.len())
        && GEO_TAIL.contains(run[run.len() - 1].s)
        && run[..run.len() - 1]
            .iter()
            .all(|t| is_cap(t.s) && !is_title(t.s))
        && GAZ.get(full).is_none()
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
        let head = &text[start..run[run.len() - 2].end];
        let g = GAZ.get(head).filter(|g| g.kind != GazKind::Demonym);
        spans.push(
            Span::new(text, start, end, Cand::Place)
                .country(g.filter(|g| !g.cc.is_empty()).map(|g| g.cc))
                .acronym(paren_acronym(text, end)),
        );
        return None;
    }
    // acronym in parentheses right after: "National Chamber of Entrepreneurs (NCE)"; an
    // organisation's one-word short name with its initial: "Power Construction Corporation of
    // China (PowerChina)"
    let acronym = {
        let rest = &text[end..];
        rest.strip_prefix(" (").and_then(|r| {
            let close = r.find(')')?;
            let a = &r[..close];
            let short_name = has_org
                && run.len() >= 3
                && a.len() <= 20
                && is_cap(a)
                && !a.contains(' ')
                && a.chars().next() == full.chars().next()
                && GAZ.get_word(a).is_none();
            // "(NNPC Ltd.)", "(CHN Energy)": an acronym with a legal form or an industry word
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
            ((is_acronym(a) && a.len() <= 10) || short_name || acronym_and_form)
                .then(|| a.to_string())
        })
    };
    let acronym_fits = |a: &str| {
        let caps: String = full.chars().filter(|c| c.is_uppercase()).collect();
        let mut it = caps.chars();
        a.chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| it.any(|x| x == c))
    };
    if has_org
        || acronym
            .as_deref()
            .is_some_and(|a| run.len() >= 2 || acronym_fits(a))
        || org_noun_before(text, start)
        || (text[..start].ends_with("-based ") && GAZ.get_word(full).is_none())
    {
        // strip a leading title-only prefix that is not part of the organisation name
        spans.push(Span::new(text, start, end, Cand::Org).acronym(acronym));
        return None;
    }
    // "the town of Zharkent", "the city of Osh": a place
    let before = text[..start].trim_end();
    if run.len() <= 3
        && !has_org
        && !GEO_TAIL.contains(run[run.len() - 1].s)
        && before.ends_with(" of")
        && [
            "town",
            "city",
            "village",
            "region",
            "province",
            "district",
            "port",
            "settlement",
            "capital",
            "oblast",
            "county",
        ]
        .iter()
        .any(|w| before[..before.len() - 3].ends_with(w))
    {
        // "the Mediterranean port of Ceyhan": a town of the gazetteer brings its country
        let g = GAZ.get_any(full).filter(|g| g.kind != GazKind::Demonym);
        spans.push(match g {
            Some(g) => Span::gaz(start, end, g),
            None => Span::new(text, start, end, Cand::Place),
        });
        return None;
    }
    // "the Amu Darya basin", "the Khorgos crossing", "the Atakent expo center": a place
    let place_after = next.is_some_and(|n| {
        PLACE_AFTER.contains(n.s)
            || (n.s.chars().all(|c| c.is_lowercase())
                && text[n.end..].starts_with(' ')
                && PLACE_AFTER.contains(word_at(text, n.end + 1)))
    });
    if place_after
        && run.len() <= 3
        && !has_org
        && GAZ.get(full).is_none()
        && next.is_some_and(|n| text[end..n.start].trim().is_empty())
        && run.iter().all(|t| !is_title(t.s))
    {
        // "Chabahar port", "Murghab district": a town of the gazetteer brings its country;
        // an unknown name before a natural feature's or a structure's noun gets none
        let g = GAZ.get_any(full).filter(|g| g.kind != GazKind::Demonym);
        let mut sp = Span::new(text, start, end, Cand::Place).country(g.map(|g| g.cc));
        let noun = next.map_or("", |n| {
            if PLACE_AFTER.contains(n.s) {
                n.s
            } else {
                word_at(text, n.end + 1)
            }
        });
        sp.feature = g.is_none() && FEATURE_NOUNS.contains(&noun);
        spans.push(sp);
        return None;
    }
    let org_after = next.is_some_and(|n| {
        ORG_AFTER.contains(n.s)
            || (n.s.chars().all(|c| c.is_lowercase())
                && text[n.end..].starts_with(' ')
                && ORG_AFTER.contains(word_at(text, n.end + 1)))
            // "X flight SV 311", "X flight 102": an airline
            || (n.s == "flight"
                && text[n.end..].strip_prefix(' ').is_some_and(|r| {
                    let code = word_at(r, 0);
                    !code.is_empty()
                        && code
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                }))
    });
    if let Some(n) = next
        && run.len() <= 3
        && org_after
        && !NOT_NAME.contains(full)
        && text[end..n.start].trim().is_empty()
        && GAZ.get(full).is_none()
    {
        spans.push(Span::new(text, start, end, Cand::Org));
        return None;
    }
    // whole run in the gazetteer
    if let Some(g) = GAZ.get_word(full) {
        gaz_place(text, start, end, g, next, spans);
        return None;
    }
    // "Kazakhstan State", "Osh City": the place
    if run.len() == 2
        && matches!(run[1].s, "City" | "State")
        && let Some(g) = GAZ.get(run[0].s)
        && g.kind != GazKind::Demonym
    {
        spans.push(Span::gaz(start, run[0].end, g));
        return None;
    }
    // "analysts at Morgan Stanley": an employer
    if (2..=3).contains(&run.len())
        && !has_org
        && run.iter().all(|t| name_like(t.s))
        && employer_position(text, start)
    {
        spans.push(Span::new(text, start, end, Cand::Org));
        return None;
    }
    // an unknown two-word name after "in", "over", "near": a place, not a person
    if (2..=3).contains(&run.len()) && run.iter().all(|t| name_like(t.s)) && {
        let before = text[..start].trim_end();
        let before = before.strip_suffix(" the").unwrap_or(before);
        let w = before
            .rsplit(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        matches!(
            w,
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
    } {
        spans.push(Span::new(text, start, end, Cand::Place));
        return None;
    }
    // titles and nationality words in front: "Turkmen Foreign Minister Rashid Meredov"
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
            // a place/demonym word before a title: emit the place, skip the word
            if let Some(g) = GAZ.get(strip_possessive(w))
                && g.kind != GazKind::Demonym
            {
                spans.push(Span::gaz(run[k].start, run[k].end, g));
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
    if rest.is_empty() {
        return None;
    }
    if titled && titled_names(rest) && rest.len() <= 4 {
        let s = rest[0].start;
        let e = rest[rest.len() - 1].end;
        spans.push(Span::new(text, s, e, Cand::Person));
        return None;
    }
    if rest.len() == 1 {
        let w = rest[0].s;
        // an all-caps dateline ("DUSHANBE (AP) —", "SARY-TASH, Kyrgyzstan —"): the place in
        // title case
        let titled = title_case(w);
        if w.len() > 3
            && is_acronym(w)
            && let Some(g) = GAZ.get(&titled)
            && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
        {
            spans.push(Span::gaz(rest[0].start, rest[0].end, g));
            return None;
        }
        if w.len() > 3
            && is_acronym(w)
            && let Some(c) = place_after_comma(text, rest[0].end)
        {
            let mut sp = Span::new(text, rest[0].start, rest[0].end, Cand::Place).country(Some(c));
            sp.name = titled;
            spans.push(sp);
            return None;
        }
        // an acronym may join its long form ("the IMF said" after "International Monetary
        // Fund (IMF)"); "US", "UK" are places, "GDP", "TV" nothing
        if is_acronym(w)
            && (!NOT_NAME.contains(w)
                || (GAZ.get_word(w).is_none() && !matches!(w, "AM" | "PM" | "OK" | "TV" | "GDP")))
        {
            spans.push(Span::new(text, rest[0].start, rest[0].end, Cand::Single));
        } else if let Some(g) = GAZ.get_word(w) {
            gaz_place(text, rest[0].start, rest[0].end, g, next, spans);
        } else if let Some(g) = GAZ.get_any(w)
            && !ETHNIC.contains(&w)
            && town_context(text, rest[0].start, rest[0].end)
        {
            // a town where the text says it is a place ("at Kuryk, a village ...")
            spans.push(Span::gaz(rest[0].start, rest[0].end, g).weak());
        } else if GAZ.get_any(w).is_some()
            && !ETHNIC.contains(&w)
            && text[..rest[0].start].ends_with(" the ")
            && !text[rest[0].end..].starts_with(['-', '\'', '’'])
            && !org_context(text, rest[0].start, rest[0].end)
        {
            // "the last stretch of the Panj": a town's name after "the" names the river,
            // valley or region of that name (no country: see `gaz_place`)
            let mut sp = Span::new(text, rest[0].start, rest[0].end, Cand::Place);
            sp.feature = true;
            spans.push(sp.weak());
        } else if name_like(w) {
            spans.push(Span::new(text, rest[0].start, rest[0].end, Cand::Single));
        }
        return None;
    }
    // "Emirates NBD", "Almalyk MMC": a name with an acronym in it is no person's
    if rest.len() >= 2
        && rest.iter().any(|t| is_cap(t.s) && !is_acronym(t.s))
        && rest.iter().any(|t| {
            is_acronym(t.s)
                && (2..=6).contains(&t.s.chars().filter(|c| c.is_alphabetic()).count())
                && GAZ.get_word(t.s).is_none()
                && !COMMON_ACRONYMS.contains(&t.s)
                && !t.s.chars().all(|c| matches!(c, 'I' | 'V' | 'X'))
        })
    {
        let (s, e) = (rest[0].start, rest[rest.len() - 1].end);
        spans.push(Span::new(text, s, e, Cand::Org).acronym(paren_acronym(text, e)));
        return None;
    }
    // "led by Tang Minghui, a vice minister": people lead, found and back things too; a
    // name of two or three name-like words after those verbs is a person's
    let person_shaped = (2..=3).contains(&rest.len())
        && people_by(text, rest[0].start)
        && rest.iter().all(|t| name_like(t.s) && !is_acronym(t.s));
    if rest.len() <= 4
        && !has_org
        && !person_shaped
        && org_context(text, rest[0].start, rest[rest.len() - 1].end)
    {
        let (s, e) = (rest[0].start, rest[rest.len() - 1].end);
        spans.push(Span::new(text, s, e, Cand::Org));
        return None;
    }
    let named_thing = next
        .is_some_and(|n| text[end..n.start].trim().is_empty() && NAMED_THING_AFTER.contains(n.s));
    // "the Amu Darya", "the Cultural Revolution": a person is not "the X Y"; after a
    // preposition of place it is a place ("over the Amu Darya")
    let before_the = {
        let head = text[..rest[0].start].trim_end();
        head.strip_suffix("the")
            .or_else(|| head.strip_suffix("The"))
            .filter(|h| h.is_empty() || h.ends_with(|c: char| !c.is_alphanumeric()))
    };
    // "Young Uyghurs": a plural demonym is a group of people, not a person
    let plural_demonym = rest.last().is_some_and(|t| {
        t.s.ends_with('s')
            && GAZ.get(t.s).is_none()
            && (GAZ
                .get_word(t.s)
                .is_some_and(|g| g.kind == GazKind::Demonym)
                || ETHNIC.contains(&&t.s[..t.s.len() - 1]))
    });
    if rest.len() <= 3
        && !named_thing
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
            let (s, e) = (rest[0].start, rest[rest.len() - 1].end);
            spans.push(Span::new(text, s, e, Cand::Place));
        }
        return None;
    }
    // "Steppe Ledger", "Valley News": a geographic common noun opens no person's name; told
    // or quoted, it is a news outlet
    let geo_first = GEO_TAIL.contains(rest[0].s);
    if geo_first && rest.len() <= 3 && media_position(text, rest[0].start, rest[rest.len() - 1].end)
    {
        let (s, e) = (rest[0].start, rest[rest.len() - 1].end);
        spans.push(Span::new(text, s, e, Cand::Org));
        return None;
    }
    // up to three names, or four with a particle ("Luiz Inácio Lula da Silva")
    let caps = rest.iter().filter(|t| is_cap(t.s)).count();
    if (caps <= 3 || (caps == 4 && rest.iter().any(|t| !is_cap(t.s))))
        && !geo_first
        && !named_thing
        && rest.iter().all(|t| name_part(t.s))
        && rest.iter().any(|t| name_like(t.s))
    {
        let s = rest[0].start;
        let e = rest[rest.len() - 1].end;
        let mut sp = Span::new(text, s, e, Cand::Person);
        sp.weak = true;
        spans.push(sp);
        return None;
    }
    // "Andriy Melnyk of Ukraine": a name, then the place it is from
    if let Some(k) = rest.iter().position(|t| t.s == "of")
        && (2..=3).contains(&k)
        && k + 1 < rest.len()
        && rest[..k].iter().all(|t| name_like(t.s))
        && let Some(g) = GAZ.get(&text[rest[k + 1].start..rest[rest.len() - 1].end])
        && g.kind != GazKind::Demonym
    {
        let mut sp = Span::new(text, rest[0].start, rest[k - 1].end, Cand::Person);
        sp.weak = true;
        spans.push(sp);
        spans.push(Span::gaz(rest[k + 1].start, rest[rest.len() - 1].end, g));
        return None;
    }
    // a longer run: emit the gazetteer places inside it
    places_inside(text, rest, spans);
    None
}
