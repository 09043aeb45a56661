//! A lone capitalised word that is no known entity's name, classified by its context.

use super::*;

pub(in crate::entities) fn new_single(
    text: &str,
    sp: &Span,
    ents: &[Entity],
    mentions: &[Mention],
    near: &Near,
) -> Option<(EntityKind, Option<&'static str>, &'static str)> {
    let acronym = is_acronym(&sp.name);
    let listed_beside = |kind: EntityKind| {
        // only a mention within a list gap of the name can be listed beside it
        let candidates = near
            .ending_in(sp.start.saturating_sub(LIST_GAP_MAX), sp.start)
            .chain(near.starting_in(sp.end, sp.end.saturating_add(LIST_GAP_MAX)))
            .filter_map(|k| mentions.get(k));
        candidates.into_iter().any(|m| {
            ents[m.entity].kind == kind
                && ((m.end <= sp.start && list_gap(text::sub(text, m.end, sp.start)))
                    || (sp.end <= m.start && list_gap(text::sub(text, sp.end, m.start))))
                && (kind != EntityKind::Place
                    || GAZ.get_any(&ents[m.entity].name).is_some_and(|g| {
                        matches!(
                            g.kind,
                            GazKind::City | GazKind::Capital | GazKind::Region | GazKind::Town
                        )
                    }))
        })
    };
    // a town of the gazetteer brings its country
    let town_country = || {
        GAZ.get_any(&sp.name)
            .filter(|g| g.kind != GazKind::Demonym)
            .map(|g| g.cc)
    };
    if media_position(text, sp.start, sp.end)
        || acronym && in_parens(text, sp.start, sp.end) && sp.start < 80
    {
        // "told Eurasianet", "according to Xinhua", "released by Xinhua", "(Reuters)" in a
        // dateline: a news organisation
        return Some((EntityKind::Organization, None, "single_news_source"));
    }
    if org_context(text, sp.start, sp.end) {
        // "built by Rosatom", "said on Facebook", "operator, Bulgartransgaz,", "the Majlisi
        // Oli, Tajikistan's parliament", "XYZ, the battery maker,"
        return Some((EntityKind::Organization, None, "single_org_context"));
    }
    if !acronym
        && !common_subject(text, sp)
        && (matches!(
            before(text, sp.start).strip_suffix(' ').map(|h| {
                h.strip_suffix(" the")
                    .unwrap_or(h)
                    .rsplit(char::is_whitespace)
                    .next()
            }),
            Some(Some("in" | "near" | "In" | "Near"))
        ) || place_after_comma(text, sp.end).is_some()
            || (town_context(text, sp.start, sp.end)
                && (in_known_place(text, sp.end) || country_right_after(text, sp.end).is_some()))
            || motion_place(text, sp, ents, mentions, near))
        && !after(text, sp.end).starts_with(['\'', '’'])
        && !sp.name.split('-').any(text::is_stopword)
    {
        // "stations in Karakalpakstan", "in the Pamirs", "Osh, Kyrgyzstan", "at Kiyikoy in
        // Kirklareli Province": a place
        return Some((
            EntityKind::Place,
            place_after_comma(text, sp.end).or_else(town_country),
            "single_place_context",
        ));
    }
    if !acronym
        && !matches!(
            sp.name.as_str(),
            "Jan"
                | "Feb"
                | "Mar"
                | "Apr"
                | "Jun"
                | "Jul"
                | "Aug"
                | "Sep"
                | "Sept"
                | "Oct"
                | "Nov"
                | "Dec"
        )
        && !after(text, sp.end)
            .trim_start_matches([' ', '.'])
            .starts_with(|c: char| c.is_ascii_digit())
        // "In Santiago, X awarded", "in Zrenjanin, and X supplied": the subject of a clause
        // of its own, not an item of a list
        && !verb_after(text, sp.end)
        && listed_beside(EntityKind::Place)
    {
        // "compete with Poti and Batumi", "in Goris and Ijevan": a name listed beside a city
        // or town is a place
        return Some((
            EntityKind::Place,
            town_country(),
            "single_listed_beside_place",
        ));
    }
    if listed_beside(EntityKind::Organization) {
        // "Rosatom, China National Nuclear Corporation (CNNC), EDF and ...": a name listed
        // beside an organisation is one
        return Some((EntityKind::Organization, None, "single_listed_beside_org"));
    }
    if !acronym && company_like(text, sp.end) {
        // "Geely said last month that it was studying", "Gazprom's chief executive"
        return Some((EntityKind::Organization, None, "single_company_like"));
    }
    let town = GAZ.get_any(&sp.name).is_some();
    if !acronym && !town && place_possessive_before(text, sp.start) {
        // "France's Eramet", "Russia's Rosatom": what a country has and is named alone is a
        // company or an institution (its people are introduced by their full names)
        return Some((
            EntityKind::Organization,
            None,
            "single_after_place_possessive",
        ));
    }
    if !acronym && which_business(text, sp.end) {
        // "X, which exports from its Shanghai factory,": a company, not a person (who)
        return Some((EntityKind::Organization, None, "single_which_business"));
    }
    if !acronym
        && !common_subject(text, sp)
        && !after_preposition(text, sp.start)
        && (followed_by_speech_verb(text, sp.end)
            || (after_speech_verb(text, sp.start) && !role_word_after(text, sp.end)))
    {
        // "Mirziyoyev said": a lone name that speaks is a person
        return Some((EntityKind::Person, None, "single_speaker"));
    }
    if !acronym
        && !town
        && !ETHNIC.contains(sp.name.strip_suffix('s').unwrap_or(&sp.name))
        && !sentence_initial(text, sp.start)
        && !after_preposition(text, sp.start)
        && verb_after(text, sp.end)
        && business_clause(text, sp.end)
    {
        // "and X supplied the cameras", "In Santiago, X awarded a contract": a lone unknown
        // name, not opening its sentence, that does what companies do is an organisation (a
        // person of the article is introduced by full name and then matched by surname; a
        // lone word that acts otherwise — "and Putin visited", "God will judge" — is left
        // out rather than given a kind)
        return Some((EntityKind::Organization, None, "single_business_clause"));
    }
    if acronym && acronym_org(text, sp) {
        // "XYZ will put in", "for XYZ and": an acronym that is no place, currency, code,
        // dateline or common noun names an organisation
        return Some((EntityKind::Organization, None, "single_acronym_org"));
    }
    None
}
