//! From candidate spans to entities: kinds settled, lone words matched to known names, shorter names merged into longer ones.

mod single;

use self::single::*;
use super::*;

/// Entity `i` merged into `target[i]` (its name and aliases become the target's aliases); the
/// entities that remain, in order of first mention (`mentions` in text order), with their
/// mentions counted and the mentions pointing at them.
pub(in crate::entities) fn merge(
    ents: &mut [Entity],
    mentions: &mut [Mention],
    target: &[usize],
) -> Vec<Entity> {
    for (a, &t) in target.iter().enumerate() {
        if t != a {
            let name = ents[a].name.clone();
            let aliases = std::mem::take(&mut ents[a].aliases);
            for al in std::iter::once(name).chain(aliases) {
                if al != ents[t].name && !ents[t].aliases.contains(&al) {
                    ents[t].aliases.push(al);
                }
            }
        }
    }
    let mut remap = vec![usize::MAX; ents.len()];
    let mut out: Vec<Entity> = Vec::new();
    for m in mentions.iter_mut() {
        let t = target[m.entity];
        if remap[t] == usize::MAX {
            remap[t] = out.len();
            let mut e = ents[t].clone();
            e.mentions = 0;
            out.push(e);
        }
        m.entity = remap[t];
        out[m.entity].mentions += 1;
    }
    out
}

pub(in crate::entities) fn list_gap(g: &str) -> bool {
    if g.len() > LIST_GAP_MAX {
        return false;
    }
    let g = g.trim();
    let g = match g.strip_prefix('(').and_then(|r| r.split_once(')')) {
        Some((_, rest)) => rest.trim(),
        None => g,
    };
    matches!(g, "," | "and" | "&" | ", and" | "or" | ", or")
}

/// `whole` holds `part` as whole words ("Sadyr Japarov" holds "Japarov").
pub(in crate::entities) fn contains_words(whole: &str, part: &str) -> bool {
    whole.match_indices(part).any(|(i, _)| {
        (i == 0 || whole.as_bytes()[i - 1] == b' ')
            && (i + part.len() == whole.len() || whole.as_bytes()[i + part.len()] == b' ')
    })
}

/// What a lone capitalised word that is no known entity's name is, by its context: a news
/// organisation ("told Eurasianet", "(Reuters)"), an organisation by what surrounds it ("built
/// by Rosatom"), a place ("in Karakalpakstan", "Osh, Kyrgyzstan", a name listed beside a
/// city), an organisation listed beside one, a company ("Geely said ... it"), a person who
/// speaks ("Mirziyoyev said"); `None`: dropped.
/// The mentions found so far by where they end and start, for the questions about a name's
/// neighbours ("Goris and Ijevan", "from X to Y"): a gap of a few bytes means looking at a few
/// positions, not at every mention (quadratic on a long text).
#[derive(Default)]
pub(in crate::entities) struct Near {
    by_end: HashMap<usize, Vec<usize>, text::Fx>,
    by_start: HashMap<usize, Vec<usize>, text::Fx>,
}

impl Near {
    pub(super) fn add(&mut self, idx: usize, start: usize, end: usize) {
        self.by_end.entry(end).or_default().push(idx);
        self.by_start.entry(start).or_default().push(idx);
    }

    /// The indices of the mentions ending at a byte in `from..=to`.
    pub(super) fn ending_in(&self, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
        (from..=to).flat_map(|p| self.by_end.get(&p).into_iter().flatten().copied())
    }

    /// The indices of the mentions starting at a byte in `from..=to`.
    pub(super) fn starting_in(&self, from: usize, to: usize) -> impl Iterator<Item = usize> + '_ {
        (from..=to).flat_map(|p| self.by_start.get(&p).into_iter().flatten().copied())
    }
}

/// The longest gap [`list_gap`] accepts.
pub(in crate::entities) const LIST_GAP_MAX: usize = 16;

pub(in crate::entities) fn resolve(text: &str, spans: Vec<Span>) -> Detected {
    let mut ents: Vec<Entity> = Vec::new();
    let mut index: HashMap<(EntityKind, String), usize, text::Fx> = HashMap::default();
    let mut mentions: Vec<Mention> = Vec::new();
    let mut rejected: Vec<Rejected> = Vec::new();
    let reject = |rejected: &mut Vec<Rejected>, sp: &Span, rule: &'static str| {
        rejected.push(Rejected {
            start: sp.start,
            end: sp.end,
            rule,
        });
    };
    // the mentions by position, kept beside `mentions` for `new_single`'s neighbour questions
    let mut near = Near::default();
    let mut pending: Vec<&Span> = Vec::new();
    let add = |ents: &mut Vec<Entity>,
               index: &mut HashMap<(EntityKind, String), usize, text::Fx>,
               kind: EntityKind,
               name: &str,
               country: Option<&str>|
     -> usize {
        let key = (kind, translit_key(name));
        *index.entry(key).or_insert_with(|| {
            ents.push(Entity {
                name: name.to_string(),
                kind,
                aliases: vec![],
                mentions: 0,
                country: country.map(str::to_string),
                sections: vec![],
            });
            ents.len() - 1
        })
    };
    // the name parts of the article's people: a single word that is one of them is that
    // person, not the town or city of that name ("Defne Kaya ... Kaya said")
    // (sets, not lists: a long article repeats names thousands of times, and a list looked up
    // for every span is quadratic)
    let person_parts: std::collections::HashSet<String, text::Fx> = spans
        .iter()
        .filter(|s| s.kind == Cand::Person && s.name.contains(' '))
        .flat_map(|s| s.name.split(' ').map(translit_key).collect::<Vec<_>>())
        .collect();
    // their surnames: alone, the person even where a country has the name ("Finance Minister
    // Siniša Mali ... Mali said")
    let surnames: std::collections::HashSet<String, text::Fx> = spans
        .iter()
        .filter(|s| s.kind == Cand::Person && !s.weak && s.name.contains(' '))
        .filter_map(|s| s.name.rsplit(' ').next().map(translit_key))
        .collect();
    let initial = |w: &str| {
        w.chars()
            .next()
            .and_then(|c| text::fold_diacritic(c).to_lowercase().next())
    };
    let surname_initials: std::collections::HashSet<Option<char>, text::Fx> = spans
        .iter()
        .filter(|s| s.kind == Cand::Person && !s.weak && s.name.contains(' '))
        .map(|s| initial(s.name.rsplit(' ').next().unwrap_or("")))
        .collect();
    // names that are places or organisations by stronger evidence than a name's shape
    // each (name, kind) once, in the order of first mention; and each name's first kind
    let mut other_names: Vec<(&str, EntityKind)> = Vec::new();
    let mut seen_other: std::collections::HashSet<(&str, EntityKind), text::Fx> =
        std::collections::HashSet::default();
    let mut first_kind: HashMap<&str, EntityKind, text::Fx> = HashMap::default();
    for (name, kind) in spans.iter().filter_map(|s| match s.kind {
        Cand::Place if !s.weak => Some((s.name.as_str(), EntityKind::Place)),
        Cand::Org => Some((s.name.as_str(), EntityKind::Organization)),
        _ => None,
    }) {
        first_kind.entry(name).or_insert(kind);
        if seen_other.insert((name, kind)) {
            other_names.push((name, kind));
        }
    }
    let things: std::collections::HashSet<&str, text::Fx> = spans
        .iter()
        .filter(|s| s.kind == Cand::Thing)
        .map(|s| s.name.as_str())
        .collect();
    // first pass: multi-word people, organisations, places
    for sp in &spans {
        if things.contains(&sp.name.as_str()) {
            // a named thing, and the other mentions of its name
            let rule = if sp.kind == Cand::Thing {
                sp.rule
            } else {
                "named_thing_elsewhere"
            };
            reject(&mut rejected, sp, rule);
            continue;
        }
        let (kind, rule) = match sp.kind {
            Cand::Thing => continue,
            Cand::Place
                if (sp.weak && person_parts.contains(&translit_key(&sp.name)))
                    || (sp.end - sp.start == sp.name.len()
                        && !sp.name.contains(' ')
                        && surname_initials.contains(&initial(&sp.name))
                        && surnames.contains(&translit_key(&sp.name))) =>
            {
                pending.push(sp);
                continue;
            }
            Cand::Person
                if sp.weak
                    && let Some(&k) = first_kind.get(sp.name.as_str()) =>
            {
                (k, "person_shape_known_elsewhere")
            }
            // "Hua Tong" after "Hua Tong Energy": the company without its industry word
            Cand::Person
                if sp.weak
                    && other_names.iter().any(|(n, k)| {
                        *k == EntityKind::Organization
                            && n.strip_prefix(sp.name.as_str())
                                .and_then(|r| r.strip_prefix(' '))
                                .is_some_and(|r| {
                                    r.split(' ').all(|w| {
                                        ORG_FINAL.contains(w) || INDUSTRY_FINAL.contains(w)
                                    })
                                })
                    }) =>
            {
                (EntityKind::Organization, "company_without_industry_word")
            }
            Cand::Person => (EntityKind::Person, sp.rule),
            Cand::Org => (EntityKind::Organization, sp.rule),
            Cand::Place => (EntityKind::Place, sp.rule),
            Cand::Single => {
                pending.push(sp);
                continue;
            }
        };
        // "Xinjiang Province" and "Xinjiang": one place, whichever comes first
        let known = ents.len();
        let i = match sp
            .alias
            .and_then(|a| index.get(&(kind, translit_key(a))).copied())
        {
            Some(i) => i,
            None => add(&mut ents, &mut index, kind, &sp.name, sp.country),
        };
        if kind == EntityKind::Organization && ents.len() > known {
            // "Ganfeng" alone is "Ganfeng Lithium": the name without its industry word
            let mut head = sp.name.as_str();
            while let Some((h, w)) = head.rsplit_once(' ')
                && (ORG_FINAL.contains(w) || INDUSTRY_FINAL.contains(w) || is_org_word(w))
            {
                head = h;
            }
            if head.len() < sp.name.len() && GAZ.get_word(head).is_none() {
                index.entry((kind, translit_key(head))).or_insert(i);
            }
        }
        if let Some(a) = sp.alias {
            index.insert((kind, translit_key(a)), i);
            if ents[i].name != a && !ents[i].aliases.iter().any(|x| x == a) {
                ents[i].aliases.push(a.to_string());
            }
        }
        if ents[i].name != sp.name && !ents[i].aliases.contains(&sp.name) {
            ents[i].aliases.push(sp.name.clone());
        }
        if kind == EntityKind::Organization
            && let Some((first, rest)) = sp.name.split_once(' ')
            && GAZ
                .get_word(first)
                .is_some_and(|g| g.kind == GazKind::Demonym)
            && rest.split(' ').count() >= 2
            && !ents[i].aliases.iter().any(|a| a == rest)
        {
            // "Tajik State Committee for National Security" is also "State Committee for ..."
            ents[i].aliases.push(rest.to_string());
        }
        if let Some(a) = &sp.acronym
            && !ents[i].aliases.contains(a)
        {
            ents[i].aliases.push(a.clone());
            index.insert((EntityKind::Organization, translit_key(a)), i);
        }
        near.add(mentions.len(), sp.start, sp.end);
        mentions.push(Mention {
            start: sp.start,
            end: sp.end,
            entity: i,
            rule,
        });
    }
    // single words: a person's name part, an acronym of an organisation, else a lone person
    // mentioned with a title elsewhere is not known: drop
    let acr_ends: std::collections::HashSet<usize, text::Fx> = spans
        .iter()
        .filter(|s| s.acronym.is_some())
        .map(|s| s.end + 2)
        .collect();
    let mut part_keys: Vec<Vec<String>> = Vec::with_capacity(ents.len());
    // (first letter, consonant skeleton) of people's name parts, computed once per entity
    let mut part_skels: Vec<Vec<(Option<char>, String)>> = Vec::with_capacity(ents.len());
    // two passes: a word left unresolved may be listed beside a name that a later sentence
    // resolved ("Google, Meta and Microsoft ... Google said in a statement that it ...")
    let mut unresolved: Vec<&Span> = Vec::new();
    // organisations found to be one ("X, known as Y" and Y elsewhere)
    let mut same: Vec<(usize, usize)> = Vec::new();
    for pass in 0..2 {
        let todo = if pass == 0 {
            std::mem::take(&mut pending)
        } else {
            std::mem::take(&mut unresolved)
        };
        for sp in todo {
            if acr_ends.contains(&sp.start) {
                reject(&mut rejected, sp, "acronym_after_long_form");
                continue;
            }
            let key = translit_key(&sp.name);
            let mut hit = index
                .get(&(EntityKind::Organization, key.clone()))
                .or_else(|| {
                    // "the Houthis" after "Houthi rebels"
                    let sing = sp.name.strip_suffix('s')?;
                    index.get(&(EntityKind::Organization, translit_key(sing)))
                })
                .copied();
            // the rule that found the word's entity (see `Mention::rule`)
            let mut rule = "single_known_org";
            if hit.is_none() && is_acronym(&sp.name) {
                hit = ents.iter().position(|e| {
                    e.kind == EntityKind::Organization
                        && initials(&e.name) == sp.name.replace('.', "")
                });
                rule = "single_acronym_initials";
            }
            if hit.is_none() {
                // keys of people's name parts, computed once per entity (names do not change here)
                while part_keys.len() < ents.len() {
                    let e = &ents[part_keys.len()];
                    part_keys.push(if e.kind == EntityKind::Person {
                        e.name.split(' ').map(translit_key).collect()
                    } else {
                        Vec::new()
                    });
                }
                hit = part_keys.iter().position(|ks| ks.contains(&key));
                rule = "single_person_name_part";
            }
            if hit.is_none() {
                // a place a context named before ("from X into China ... from X to Y")
                hit = index.get(&(EntityKind::Place, key.clone())).copied();
                rule = "single_known_place";
            }
            if hit.is_none() && !sp.name.contains(' ') {
                // another transliteration of a person's name part (Mirziyoev, Mirziyoyev):
                // the same consonant skeleton (four or more) and first letter
                let first = |w: &str| w.chars().next().map(text::fold_diacritic);
                while part_skels.len() < ents.len() {
                    let e = &ents[part_skels.len()];
                    part_skels.push(if e.kind == EntityKind::Person {
                        e.name
                            .split(' ')
                            .map(|p| (first(p), text::skeleton(p)))
                            .filter(|(_, k)| k.len() >= 4)
                            .collect()
                    } else {
                        Vec::new()
                    });
                }
                let f = first(&sp.name);
                if part_skels.iter().flatten().any(|(pf, _)| *pf == f) {
                    let sk = text::skeleton(&sp.name);
                    hit = part_skels
                        .iter()
                        .position(|ps| ps.iter().any(|(pf, k)| *pf == f && *k == sk));
                }
                rule = "single_person_spelling_variant";
            }
            if hit.is_none()
                && is_acronym(&sp.name)
                && (sp.name.ends_with("AR") || sp.name.ends_with("AO"))
            {
                // "XUAR", "GBAO": an autonomous region's or oblast's acronym is the article's
                // region with that initial
                let first = sp.name.chars().next();
                hit = ents.iter().position(|e| {
                    e.kind == EntityKind::Place
                        && e.country.is_some()
                        && e.name.chars().next() == first
                        && GAZ
                            .get_any(&e.name)
                            .is_none_or(|g| g.kind == GazKind::Region)
                });
                rule = "single_region_acronym";
            }
            if ["known as ", "called ", "dubbed "]
                .iter()
                .any(|p| before(text, sp.start).ends_with(p))
                && let Some(t) = mentions
                    .iter()
                    .filter(|m| m.end <= sp.start && m.end + 200 >= sp.start)
                    .filter(|m| ents[m.entity].kind == EntityKind::Organization)
                    .max_by_key(|m| m.end)
                    .map(|m| m.entity)
            {
                // "China Nonferrous Metal Mining (Group) Co., Ltd., known as CNMC": the short
                // name of the organisation named just before (one with the organisation of
                // that name found elsewhere)
                match hit {
                    Some(h) if h != t && ents[h].kind == EntityKind::Organization => {
                        same.push((h, t));
                    }
                    _ => {
                        hit = Some(t);
                        rule = "single_known_as";
                    }
                }
            }
            if hit.is_none()
                && let Some((kind, country, by)) = new_single(text, sp, &ents, &mentions, &near)
            {
                hit = Some(add(&mut ents, &mut index, kind, &sp.name, country));
                rule = by;
            }
            if let Some(i) = hit {
                if ents[i].name != sp.name && !ents[i].aliases.contains(&sp.name) {
                    ents[i].aliases.push(sp.name.clone());
                }
                if ents[i].kind == EntityKind::Organization {
                    // later mentions of the short name find it
                    index
                        .entry((EntityKind::Organization, key.clone()))
                        .or_insert(i);
                }
                near.add(mentions.len(), sp.start, sp.end);
                mentions.push(Mention {
                    start: sp.start,
                    end: sp.end,
                    entity: i,
                    rule,
                });
            } else if pass == 0 {
                unresolved.push(sp);
            } else {
                // no evidence of any kind: a lone word is left out rather than guessed
                reject(&mut rejected, sp, "single_without_evidence");
            }
        }
    }
    // people: a shorter multi-word name contained in a longer one; organisations: a shorter
    // name that ends a longer one ("Interior Ministry" in "Kyrgyz Interior Ministry")
    let n = ents.len();
    let mut target: Vec<usize> = (0..n).collect();
    let lower: Vec<String> = ents
        .iter()
        .map(|e| {
            if e.kind == EntityKind::Person {
                e.name.to_lowercase()
            } else {
                String::new()
            }
        })
        .collect();
    for a in 0..n {
        for b in 0..n {
            if a == b || ents[a].kind != ents[b].kind || ents[a].kind == EntityKind::Place {
                continue;
            }
            let (sa, sb) = (&ents[a].name, &ents[b].name);
            if ents[a].kind == EntityKind::Organization
                && !sa.contains(' ')
                && ents[b].aliases.contains(sa)
                && !ents[a].aliases.contains(sb)
            {
                // "CNMC chairman X" after "..., known as CNMC": one organisation
                target[a] = b;
                continue;
            }
            if sb.len() <= sa.len() {
                continue;
            }
            let org = ents[a].kind == EntityKind::Organization;
            let merge = if org {
                // "Interior Ministry" ends "Kyrgyz Interior Ministry"; but "Bank of China" is
                // not "Export-Import Bank of China": a name "X of Y" is only the longer one
                // with a qualifier before it
                (sb.ends_with(sa.as_str())
                    && sb.as_bytes()[sb.len() - sa.len() - 1] == b' '
                    && (!sa.contains(" of ")
                        || before(sb, sb.len() - sa.len() - 1).split(' ').all(|w| {
                            GAZ.get_word(strip_possessive(w)).is_some()
                        })))
                    || (sb.starts_with(sa.as_str()) && after(sb, sa.len()).starts_with(" of "))
                    // "Hua Tong" and "Hua Tong Energy", "Ganfeng" and "Ganfeng Lithium"
                    || (sb.starts_with(sa.as_str())
                        && after(sb, sa.len()).starts_with(' ')
                        && after(sb, sa.len() + 1).split(' ').all(|w| {
                            ORG_FINAL.contains(w) || INDUSTRY_FINAL.contains(w)
                        }))
            } else {
                // people: "Von der Leyen" is "Ursula von der Leyen"
                contains_words(&lower[b], &lower[a])
            };
            if merge {
                target[a] = b;
            }
        }
    }
    for &(a, b) in &same {
        target[a] = b;
    }
    for a in 0..n {
        let mut t = target[a];
        let mut guard = 0;
        while target[t] != t && guard < n {
            t = target[t];
            guard += 1;
        }
        target[a] = t;
    }
    mentions.sort_by_key(|m| m.start);
    let out = merge(&mut ents, &mut mentions, &target);
    let features = spans
        .iter()
        .filter(|s| s.feature)
        .map(|s| s.name.clone())
        .collect();
    Detected {
        entities: out,
        mentions,
        features,
        gaz: Vec::new(),
        rejected,
        sents: text::Sentences::default(),
    }
}
