//! The country of each place: qualifiers, the place named right after, the article's countries.

use super::*;

/// A place the gazetteer does not know (a town, a border crossing) lies in the one country named
/// by the other places of its sentence, else in the country the article names most.
/// "Pamirs", "Urals", "Himalayas", "Andes": a plural name of a range crossing borders (not
/// "Khorgos", "Tbilisi", "Vilnius").
pub(super) fn is_plural_feature(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 3 && b[b.len() - 1] == b's' && !matches!(b[b.len() - 2], b'o' | b'u' | b'i' | b's')
}

/// The country a qualifier right before `start` names: "the Yemeni port city of Hodeidah",
/// "Pakistan's Balochistan province", "the Azerbaijani city of Qabala".
pub(super) fn qualifier_country(text: &str, start: usize) -> Option<&'static str> {
    let from = text.floor_char_boundary(start.saturating_sub(60));
    let head = text::sub(text, from, start);
    let head = head.strip_suffix(' ')?;
    let words: Vec<&str> = head.rsplit(' ').take(6).collect();
    // "<Demonym> [lower-case nouns] of X" or "<Country>'s X"
    for (k, w) in words.iter().enumerate() {
        let w = w.trim_end_matches(',');
        if let Some(c) = w.strip_suffix("'s").or_else(|| w.strip_suffix("’s")) {
            return (k == 0)
                .then(|| {
                    GAZ.get(c)
                        .filter(|g| g.kind == GazKind::Country)
                        .map(|g| g.cc)
                })
                .flatten();
        }
        if let Some(g) = GAZ.get(w)
            && g.kind == GazKind::Demonym
        {
            // only place nouns between the demonym and "of"
            let ok = k >= 1
                && words[0] == "of"
                && words[1..k].iter().all(|x| QUALIFIER_NOUNS.contains(x));
            return ok.then_some(g.cc);
        }
        if !w.chars().all(|c| c.is_lowercase()) {
            return None;
        }
    }
    None
}

/// Two names of one place ("Ulaanbaatar" and the old spelling "Ulan Bator", both MN): the
/// same country and the same consonant skeleton (four consonants or more) — merged into the
/// first.
pub(super) fn merge_place_variants(d: &mut Detected) {
    let n = d.entities.len();
    let mut target: Vec<usize> = (0..n).collect();
    let keys: Vec<Option<String>> = d
        .entities
        .iter()
        .map(|e| {
            (e.kind == EntityKind::Place && e.country.is_some())
                .then(|| text::skeleton(&e.name))
                .filter(|k| k.len() >= 4)
        })
        .collect();
    let mut any = false;
    // "the Caspian" and "the Caspian Sea", "Volga" and "Volga River": a name without a
    // country is the natural feature named by it with its geographic noun
    for (ea, t) in d.entities.iter().zip(target.iter_mut()) {
        if ea.kind != EntityKind::Place || ea.country.is_some() || ea.name.contains(' ') {
            continue;
        }
        if let Some(b) = d.entities.iter().position(|eb| {
            eb.kind == EntityKind::Place
                && eb
                    .name
                    .strip_prefix(ea.name.as_str())
                    .and_then(|r| r.strip_prefix(' '))
                    .is_some_and(|t| GEO_TAIL.contains(t))
        }) {
            *t = b;
            any = true;
        }
    }
    // "Villa, who had led ..." in prose and "Aston Villa 2" on the results line: a place named
    // exactly as a team of the article is that team
    let teams: Vec<usize> = {
        let mut v: Vec<usize> = d
            .mentions
            .iter()
            .filter(|m| {
                matches!(
                    m.rule,
                    "org_in_results_line" | "org_club_name" | "org_team_city_plural"
                )
            })
            .map(|m| m.entity)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if !teams.is_empty() {
        for (a, t) in target.iter_mut().enumerate() {
            let ea = &d.entities[a];
            if ea.kind != EntityKind::Place || *t != a {
                continue;
            }
            if let Some(&b) = teams.iter().find(|&&b| {
                d.entities[b].kind == EntityKind::Organization && d.entities[b].name == ea.name
            }) {
                *t = b;
                any = true;
            }
        }
    }
    for b in 0..n {
        if target[b] != b {
            continue;
        }
        let Some(kb) = &keys[b] else { continue };
        if let Some(a) = (0..b).find(|&a| {
            keys[a].as_ref() == Some(kb) && d.entities[a].country == d.entities[b].country
        }) {
            target[b] = target[a];
            any = true;
        }
    }
    if !any {
        return;
    }
    d.entities = merge(&mut d.entities, &mut d.mentions, &target);
}

pub(super) fn infer_countries(
    text: &str,
    sents: &text::Sentences,
    d: &mut Detected,
    gaz_hits: &[(usize, usize, &GazEntry)],
) {
    // each entity's first mention (mentions are in text order)
    let mut first_of: Vec<Option<Mention>> = vec![None; d.entities.len()];
    for m in &d.mentions {
        first_of[m.entity].get_or_insert(*m);
    }
    // a qualifier names the country ("the Yemeni port city of Hodeidah"); a name several
    // countries have takes the one the article names when it does not name the first
    let mut named: Vec<&'static str> = Vec::new();
    let mut ambiguous = false;
    for e in &d.entities {
        if e.kind != EntityKind::Place {
            continue;
        }
        match GAZ.get_any(&e.name) {
            Some(g) if g.others.is_empty() && !g.cc.is_empty() => named.push(g.cc),
            Some(_) => ambiguous = true,
            None => {
                ambiguous |= e
                    .aliases
                    .iter()
                    .any(|a| GAZ.get_any(a).is_some_and(|g| !g.others.is_empty()));
            }
        }
    }
    if ambiguous {
        for (_, _, g) in gaz_hits.iter().filter(|h| h.2.kind == GazKind::Demonym) {
            named.push(g.cc);
        }
    }
    for (ent, first) in d.entities.iter_mut().zip(&first_of) {
        if ent.kind != EntityKind::Place {
            continue;
        }
        let g = GAZ.get_any(&ent.name);
        if g.is_some_and(|g| g.kind == GazKind::Country) {
            continue;
        }
        let Some(first) = first else {
            continue;
        };
        if let Some(c) = qualifier_country(text, first.start) {
            ent.country = Some(c.to_string());
            continue;
        }
        // "Kurdistan Region": the region the gazetteer knows as "Kurdistan"
        let g = g.or_else(|| ent.aliases.iter().find_map(|a| GAZ.get_any(a)));
        if let Some(g) = g
            && !g.others.is_empty()
            && ent
                .country
                .as_deref()
                .is_none_or(|c| g.countries().any(|x| x == c))
            && let Some(c) =
                pick_country(text, sents, g, &named, gaz_hits, &d.mentions, first.entity)
        {
            ent.country = Some(c.to_string());
        }
    }
    let mut counts: HashMap<&str, (u32, usize)> = HashMap::new();
    for m in &d.mentions {
        if let Some(c) = d.entities[m.entity].country.as_deref() {
            let e = counts.entry(c).or_insert((0, m.start));
            e.0 += 1;
        }
    }
    let top = counts
        .iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(c, _)| c.to_string());
    let mut fill: Vec<(usize, String)> = Vec::new();
    for (i, e) in d.entities.iter().enumerate() {
        if e.kind != EntityKind::Place
            || e.country.is_some()
            || d.features.contains(&e.name)
            || GAZ.get(&e.name).is_some_and(|g| g.kind == GazKind::Macro)
            || e.name
                .split(' ')
                .next_back()
                .is_some_and(|w| CROSS_BORDER.contains(w))
            || (is_plural_feature(&e.name)
                && d.mentions.iter().any(|m| {
                    m.entity == i && {
                        let h = before(text, m.start).trim_end();
                        h.ends_with(" the") || h.ends_with("The")
                    }
                }))
        {
            continue;
        }
        // another spelling of a known region or city ("Kashkadarya Region" ~ Qashqadaryo)
        let core = match e.name.rsplit_once(' ') {
            Some((h, t)) if GEO_TAIL.contains(t) => h,
            _ => e.name.as_str(),
        };
        // a town of the gazetteer that a context made a place ("the port of Ceyhan")
        if let Some(g) = GAZ.get_any(&e.name)
            && !g.cc.is_empty()
            && !matches!(g.kind, GazKind::Demonym | GazKind::Macro)
        {
            let c = first_of[i]
                .and_then(|f| pick_country(text, sents, g, &named, gaz_hits, &d.mentions, f.entity))
                .unwrap_or(g.cc);
            fill.push((i, c.to_string()));
            continue;
        }
        // ... in a country the article names (a spelling match alone is too weak)
        let mut by_sk = text::countries_by_skeleton(core)
            .iter()
            .filter(|c| counts.contains_key(**c));
        if let (Some(c), None) = (by_sk.next(), by_sk.next()) {
            fill.push((i, c.to_string()));
            continue;
        }
        let Some(first) = first_of[i] else {
            continue;
        };
        // the sentence holding the first mention (the crate's one sentence splitter)
        let (s, e_end) = sents.span_at(first.start);
        // "at Ain Sokhna on Egypt's Red Sea coast", "Morowali, Central Sulawesi", "X in
        // northern Iran": the place named right after it
        if let Some(c) = country_right_after(text, first.end) {
            fill.push((i, c.to_string()));
            continue;
        }
        // the countries of the sentence's places and demonyms ("a Tajik soldier was wounded
        // near Darvoz")
        let mut near: Vec<&str> = d
            .mentions
            .iter()
            .filter(|m| m.start >= s && m.end <= e_end)
            .filter_map(|m| d.entities[m.entity].country.as_deref())
            .chain(
                gaz_hits
                    .iter()
                    .filter(|(hs, he, g)| {
                        *hs >= s
                            && *he <= e_end
                            && g.kind == GazKind::Demonym
                            && !after(text, *he).starts_with(" border")
                    })
                    .map(|(_, _, g)| g.cc),
            )
            .collect();
        near.sort_unstable();
        near.dedup();
        let c = if near.len() == 1 {
            Some(near[0].to_string())
        } else {
            top.clone()
        };
        if let Some(c) = c {
            fill.push((i, c));
        }
    }
    for (i, c) in fill {
        d.entities[i].country = Some(c);
    }
}

/// The country of a name several countries have (`g`): among the places of comparable
/// importance (within one order of magnitude of the most important: never a small town of
/// the US instead of London), the one the sentence of a mention names, else the one its
/// paragraph names most, else the one the article names when it does not name the first, or
/// names at least three times as often ("Malaba" in an article about Kenya); `None` keeps
/// the first.
pub(super) fn pick_country(
    text: &str,
    sents: &text::Sentences,
    g: &GazEntry,
    named: &[&'static str],
    gaz_hits: &[(usize, usize, &GazEntry)],
    mentions: &[Mention],
    entity: usize,
) -> Option<&'static str> {
    // a capital, a region or a city of a million people (under this spelling) is not given
    // up for a place more than ten times smaller
    let top = g.magnitude();
    let major = top >= 6 || matches!(g.kind, GazKind::Capital | GazKind::Region);
    let cands: Vec<&'static str> = std::iter::once(g.cc)
        .chain(
            g.alternatives()
                .filter(|&(_, m)| !major || m + 1 >= top)
                .map(|(c, _)| c),
        )
        .collect();
    if cands.len() < 2 {
        return None;
    }
    // the countries named (unambiguous places, countries, demonyms) inside a byte range
    let count_in = |s: usize, e: usize, c: &str| {
        gaz_hits
            .iter()
            .filter(|(hs, he, h)| {
                *hs >= s
                    && *he <= e
                    && h.others.is_empty()
                    && h.cc == c
                    && h.name != g.name
                    // "Malaba on the Ugandan border": the neighbour, not the place's country
                    && !after(text, *he).starts_with(" border")
                    && !after(text, *he).starts_with(" frontier")
            })
            .count()
    };
    for m in mentions.iter().filter(|m| m.entity == entity) {
        let para_s = before(text, m.start).rfind('\n').map_or(0, |p| p + 1);
        let para_e = after(text, m.end)
            .find('\n')
            .map_or(text.len(), |p| m.end + p);
        // the sentence holding the mention (the crate's one sentence splitter)
        let (sent_s, sent_e) = sents.span_at(m.start);
        for (s, e) in [(sent_s, sent_e), (para_s, para_e)] {
            let counts: Vec<(usize, &str)> = cands
                .iter()
                .map(|c| (count_in(s, e, c), *c))
                .filter(|(n, _)| *n > 0)
                .collect();
            let best = counts.iter().map(|(n, _)| *n).max().unwrap_or(0);
            let mut at_best = counts.iter().filter(|(n, _)| *n == best);
            if let (Some((_, c)), None) = (at_best.next(), at_best.next()) {
                return (*c != g.cc).then_some(*c);
            }
        }
    }
    let times = |c: &str| named.iter().filter(|x| **x == c).count();
    if !named.contains(&g.cc) {
        let mut alts = cands[1..].iter().filter(|c| named.contains(c));
        if let (Some(c), None) = (alts.next(), alts.next()) {
            return Some(c);
        }
    } else if let Some(c) = cands[1..].iter().max_by_key(|c| times(c))
        && times(c) >= 3 * times(g.cc)
    {
        return Some(c);
    }
    None
}

/// The country of a place named right after a name: ", Central Sulawesi", " in northern Iran",
/// " on Egypt's Red Sea coast".
pub(super) fn country_right_after(text: &str, end: usize) -> Option<&'static str> {
    let r = after(text, end);
    // "the Morowali regency of Central Sulawesi": an administrative noun, then "of"
    let r_admin = [
        " regency of ",
        " district of ",
        " province of ",
        " region of ",
        " county of ",
        " municipality of ",
    ]
    .iter()
    .find_map(|p| r.strip_prefix(p));
    let r = match r_admin {
        Some(r) => r,
        None => [", on ", ", in ", ", near ", ", ", " in ", " on ", " near "]
            .iter()
            .find_map(|p| r.strip_prefix(p))?,
    };
    let r = r.strip_prefix("the ").unwrap_or(r);
    let r = ["northern ", "southern ", "eastern ", "western ", "central "]
        .iter()
        .find_map(|p| r.strip_prefix(p))
        .unwrap_or(r);
    let words: Vec<&str> = r
        .split(|c: char| !(c.is_alphanumeric() || c == ' ' || c == '-' || c == '\'' || c == '’'))
        .next()
        .unwrap_or("")
        .split(' ')
        .take(3)
        .collect();
    // "on the Afghan bank", "on the Tajik side" (not "on the Ugandan border": the neighbour)
    if let [adj, noun, ..] = words.as_slice()
        && matches!(*noun, "bank" | "side" | "shore" | "coast")
        && let Some(g) = GAZ.get(adj)
        && g.kind == GazKind::Demonym
    {
        return Some(g.cc);
    }
    (1..=words.len()).rev().find_map(|n| {
        let name = words[..n].join(" ");
        let name = strip_possessive(&name);
        GAZ.get(name)
            .filter(|g| {
                matches!(
                    g.kind,
                    GazKind::Country | GazKind::Region | GazKind::Capital | GazKind::City
                )
            })
            .map(|g| g.cc)
    })
}
