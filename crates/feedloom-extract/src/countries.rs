//! `type: countries` — ISO 3166-1 alpha-2 codes of the countries an article concerns, ranked
//! by how often they come up.
//!
//! Counts every gazetteer hit in the title and text: country names, regions, capitals and
//! cities (each counts for its country) and demonyms ("Kyrgyz officials", "Uzbeks" count for
//! KG and UZ). Places inside an organisation's name ("University of Glasgow") do not count
//! (the entity rules find them; their result is shared with `entities` when it ran). Ties
//! keep the order of first mention.
//!
//! Options: `min_mentions` (default 1), `max` (default 0 = no limit), `title_weight` (extra
//! mentions a title hit counts for, default 1).
//!
//! Output: `item.countries = ["KZ", "CN", ...]`.

use std::collections::HashMap;

use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::text::GAZ;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CountriesOptions {
    pub min_mentions: u32,
    pub max: usize,
    pub title_weight: u32,
}

impl Default for CountriesOptions {
    fn default() -> Self {
        CountriesOptions {
            min_mentions: 1,
            max: 0,
            title_weight: 1,
        }
    }
}

pub struct Countries(CountriesOptions);

pub fn register(reg: &mut Registry) {
    reg.sync_extractor(
        "countries",
        "ranked ISO country codes (places and demonyms)",
        |o: CountriesOptions, _ctx| Ok(Countries(o)),
    );
}

/// Count country mentions in `text` into `counts` (code → (count, first position)).
fn count(
    text: &str,
    weight: u32,
    base: usize,
    skip: &[(usize, usize)],
    counts: &mut HashMap<&'static str, (u32, usize)>,
) {
    for (s, _, e) in GAZ.find_iter(text) {
        if e.cc.is_empty()
            || e.kind == crate::text::GazKind::Town
            || skip
                .iter()
                .any(|&(a, b)| a <= s && s < b && e.kind != crate::text::GazKind::Demonym)
        {
            continue;
        }
        let c = counts.entry(e.cc).or_insert((0, base + s));
        c.0 += weight;
    }
}

/// Ranked country codes for a title and text.
pub fn rank(title: Option<&str>, text: &str, opts: &CountriesOptions) -> Vec<String> {
    let mut counts = HashMap::new();
    // a place inside an organisation's or a person's name ("University of Glasgow",
    // "Rovshan Najaf") is not what the article is about
    let d = crate::entities::detect_cached(text);
    let orgs: Vec<(usize, usize)> = d
        .mentions
        .iter()
        .filter(|m| d.entities[m.entity].kind != feedloom_core::item::EntityKind::Place)
        .map(|m| (m.start, m.end))
        .collect();
    count(text, 1, 1_000_000, &orgs, &mut counts);
    if let Some(t) = title {
        count(t, opts.title_weight, 0, &[], &mut counts);
    }
    let mut v: Vec<(&str, (u32, usize))> = counts
        .into_iter()
        .filter(|(_, (n, _))| *n >= opts.min_mentions)
        .collect();
    v.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    let mut out: Vec<String> = v.into_iter().map(|(c, _)| c.to_string()).collect();
    if opts.max > 0 {
        out.truncate(opts.max);
    }
    out
}

impl SyncExtractor for Countries {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        item.countries = Some(rank(item.title.as_deref(), &item.text, &self.0));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demonyms_and_places_count() {
        let r = rank(
            None,
            "Kyrgyz officials met Uzbeks in Tashkent. Kyrgyz delegates went to Bishkek and Osh.",
            &CountriesOptions::default(),
        );
        assert_eq!(r[0], "KG");
        assert!(r.contains(&"UZ".to_string()));
        assert!(rank(None, "", &CountriesOptions::default()).is_empty());
        let r = rank(
            None,
            "A US$31.5 billion deal for Almaty. The UK and the U.S. agreed.",
            &CountriesOptions::default(),
        );
        assert_eq!(r, ["KZ", "GB", "US"]);
        let r = rank(
            None,
            "Its president Rovshan Najaf told the Financial Times that Azerbaijan agreed.",
            &CountriesOptions::default(),
        );
        assert_eq!(r, ["AZ"]);
    }
}
