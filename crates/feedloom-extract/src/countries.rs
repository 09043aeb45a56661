//! `type: countries` — ISO 3166-1 alpha-2 codes of the countries an article concerns, ranked
//! by how often they come up.
//!
//! Counts every gazetteer hit in the title and text: country names, regions, capitals and
//! cities (each counts for its country) and demonyms ("Kyrgyz officials", "Uzbeks" count for
//! KG and UZ). Places inside an organisation's or a person's name ("University of
//! Glasgow", "Defne Kaya") do not count, and a place counts for the country the entity rules
//! settled on (a name several countries have, "Delhi" → IN; a town known by its context; a
//! dateline "SARY-TASH, Kyrgyzstan"); the entity detection is shared with `entities` when it
//! ran. Ties keep the order of first mention.
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
    /// Leave out a country mentioned (places and demonyms together) fewer times than this.
    pub min_mentions: u32,
    /// Most countries kept, the most mentioned first (0: no limit).
    pub max: usize,
    /// Extra mentions a country counts for each time the title names it.
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
    reg.register_sync_extractor(
        "countries",
        "ranked ISO country codes (places and demonyms)",
        |o: CountriesOptions, _ctx| Ok(Countries(o)),
    );
}

/// Byte ranges sorted by start (the entity detection's mentions), for finding the first one
/// holding a position in O(log n + ranges that start within the longest one's length before
/// it) rather than by scanning them all for every gazetteer hit (quadratic on a long text).
struct Spans {
    ranges: Vec<(usize, usize)>,
    longest: usize,
    /// Sorted by start (else every lookup scans them all, as before).
    sorted: bool,
}

impl Spans {
    fn new(ranges: impl Iterator<Item = (usize, usize)>) -> Spans {
        let ranges: Vec<(usize, usize)> = ranges.collect();
        let longest = ranges
            .iter()
            .map(|&(a, b)| b.saturating_sub(a))
            .max()
            .unwrap_or(0);
        let sorted = ranges.is_sorted_by_key(|r| r.0);
        Spans {
            ranges,
            longest,
            sorted,
        }
    }

    /// The index of the first range (in their order) with `a <= at < b`. A range starting more
    /// than `longest` bytes before `at` ends before it, so the search starts after those.
    fn first_holding(&self, at: usize) -> Option<usize> {
        let sorted = self.sorted;
        let from = if sorted {
            self.ranges
                .partition_point(|&(a, _)| a.saturating_add(self.longest) < at)
        } else {
            0
        };
        self.ranges[from..]
            .iter()
            .take_while(|&&(a, _)| !sorted || a <= at)
            .position(|&(a, b)| a <= at && at < b)
            .map(|k| from + k)
    }
}

/// `weight` more mentions of `cc`, first seen at `at` if it is new (no copy of a code already
/// counted).
fn add(counts: &mut HashMap<String, (u32, usize)>, cc: &str, weight: u32, at: usize) {
    match counts.get_mut(cc) {
        Some(c) => c.0 += weight,
        None => {
            counts.insert(cc.to_string(), (weight, at));
        }
    }
}

/// Count the country mentions among gazetteer `hits` into `counts` (code → (count, first
/// position)). `skip`
/// holds the spans of names that are not places; `places` the entity rules' places with the
/// country they settled on (a name several countries have, a town known by its context).
fn count(
    hits: impl Iterator<Item = (usize, usize, &'static crate::text::GazEntry)>,
    weight: u32,
    base: usize,
    skip: &[(usize, usize)],
    places: &[(usize, usize, Option<&str>)],
    counts: &mut HashMap<String, (u32, usize)>,
) {
    let mut used = vec![false; places.len()];
    let skip_at = Spans::new(skip.iter().map(|&(a, b)| (a, b)));
    let place_at = Spans::new(places.iter().map(|&(a, b, _)| (a, b)));
    for (s, _, e) in hits {
        if e.cc.is_empty()
            || (e.kind != crate::text::GazKind::Demonym && skip_at.first_holding(s).is_some())
        {
            continue;
        }
        let cc = if e.kind == crate::text::GazKind::Demonym {
            Some(e.cc)
        } else if let Some(k) = place_at.first_holding(s) {
            used[k] = true;
            places[k].2
        } else if e.kind == crate::text::GazKind::Town {
            None // a town the entity rules did not take for a place
        } else {
            Some(e.cc)
        };
        if let Some(cc) = cc {
            add(counts, cc, weight, base + s);
        }
    }
    // places the gazetteer does not name as written ("SARY-TASH, Kyrgyzstan", a town by
    // context)
    for (k, &(s, _, cc)) in places.iter().enumerate() {
        if let (false, Some(cc)) = (used[k], cc) {
            add(counts, cc, weight, base + s);
        }
    }
}

/// Ranked country codes for a title and text.
pub fn rank(title: Option<&str>, text: &str, opts: &CountriesOptions) -> Vec<String> {
    let mut counts = HashMap::new();
    // a place inside an organisation's or a person's name ("University of Glasgow",
    // "Rovshan Najaf") is not what the article is about
    let d = crate::entities::DETECTIONS.get(text);
    let place = |m: &&crate::entities::Mention| {
        d.entities[m.entity].kind == feedloom_core::item::EntityKind::Place
    };
    let orgs: Vec<(usize, usize)> = d
        .mentions
        .iter()
        .filter(|m| !place(m))
        .map(|m| (m.start, m.end))
        .collect();
    let places: Vec<(usize, usize, Option<&str>)> = d
        .mentions
        .iter()
        .filter(place)
        .map(|m| (m.start, m.end, d.entities[m.entity].country.as_deref()))
        .collect();
    // the entity rules' gazetteer pass over the text
    count(
        d.gaz.iter().copied(),
        1,
        1_000_000,
        &orgs,
        &places,
        &mut counts,
    );
    if let Some(t) = title {
        count(
            GAZ.find_iter(t),
            opts.title_weight,
            0,
            &[],
            &[],
            &mut counts,
        );
    }
    let mut v: Vec<(String, (u32, usize))> = counts
        .into_iter()
        .filter(|(_, (n, _))| *n >= opts.min_mentions)
        .collect();
    v.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    let mut out: Vec<String> = v.into_iter().map(|(c, _)| c).collect();
    if opts.max > 0 {
        out.truncate(opts.max);
    }
    out
}

impl SyncExtractor for Countries {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        // English names and demonyms: nothing to read in another language
        item.countries = Some(if crate::non_english(item) {
            Vec::new()
        } else {
            rank(item.title.as_deref(), &item.text, &self.0)
        });
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
