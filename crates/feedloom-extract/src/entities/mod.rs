//! `type: entities` — people, organisations and places.
//!
//! Rules over capitalised word runs plus a gazetteer (`data/gazetteer.tsv`: countries,
//! first-level regions, capitals, cities, GeoNames towns of 5,000+, demonyms); the crate's
//! README lists them in full. In short:
//! - titles, ranks and nationality words in front of a name are stripped ("Kyrgyz President
//!   Sadyr Japarov" is the person `Sadyr Japarov`, "Lt. Gen. Hany Salama" is `Hany Salama`);
//! - a run holding an organisation word (Ministry, Corporation, Airways, Agency, Bank, ...) or
//!   followed by one in lower case ("the Dunyo information agency") is an organisation, and so
//!   is a name in an organisation's context ("built by X", "analysts at X", "the operator,
//!   X,"); a parenthesised acronym after a long form joins it ("National Chamber of
//!   Entrepreneurs (NCE)"), and a later bare acronym joins the long form with those initials; a
//!   shorter form that ends a longer one joins it ("Interior Ministry" → "Kyrgyz Interior
//!   Ministry");
//! - a run found in the gazetteer is a place carrying its ISO 3166-1 `country` (a town only
//!   in a place's context; a name several countries have takes the one the article names);
//! - other runs of two or three name-like words are people; a later single word that matches
//!   one of a person's names (surname, or a transliteration variant of it: Japarov/Zhaparov,
//!   Uighur/Uyghur) is merged into that person, even where a city has that name.
//!
//! Options: `kinds` (default all three: `person`, `organization`, `place`), `min_mentions`
//! (default 1).
//!
//! Output: `item.entities = [{name, kind, aliases, mentions, country?, sections}]`, in order
//! of first mention.
//!
//! ```yaml
//! - type: entities
//!   kinds: [person, organization]
//! ```
//!
//! Where things are:
//! - `runs.rs`: the text cut into runs of capitalised words (`candidates`), and the small
//!   helpers for the words around an offset (`word_before`, `words_before_the`, `word_after`);
//! - `classify/`: each run classified by an ordered table of named rules (`classify::RULES`),
//!   one file per family (`prepare`, `people`, `orgs`, `places`, `things`, `lone`), each rule
//!   with its table test beside it;
//! - `person.rs`, `organization.rs`, `place.rs`: what the rules ask about a name and its
//!   context (a name's shape, an organisation's context, a place's context);
//! - `lexicon.rs`: the word lists, one file each in `data/lexicons/`;
//! - `resolve/`: spans to entities — kinds settled, lone words matched to the article's names
//!   (`resolve/single.rs` for a word no known name explains), shorter names merged;
//! - `countries.rs`: the country of each place; `cache.rs`: the detection shared with
//!   `countries` and `quotes`;
//! - `SyncExtractor::explain` reports the rule behind every mention (`Mention::rule`) and
//!   every run a rule rejected.

use std::collections::HashMap;

use feedloom_core::item::{Entity, EntityKind};
use feedloom_core::{Decision, ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::text::{self, GAZ, GazEntry, GazKind, Tok, is_acronym, is_cap};

mod cache;
mod classify;
mod countries;
mod lexicon;
mod organization;
mod person;
mod place;
mod resolve;
mod runs;
mod span;
#[cfg(test)]
mod tests;

pub(crate) use self::cache::DETECTIONS;
use self::classify::*;
use self::countries::*;
use self::lexicon::*;
use self::organization::*;
use self::person::*;
use self::place::*;
use self::resolve::*;
use self::runs::*;
use self::span::*;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct EntitiesOptions {
    /// Which kinds of entity to keep: `person`, `organization`, `place` (default: all three).
    pub(crate) kinds: Vec<EntityKind>,
    /// Drop entities mentioned fewer times than this in the text (default 1: keep every
    /// entity found).
    pub(crate) min_mentions: u32,
}

impl Default for EntitiesOptions {
    fn default() -> Self {
        EntitiesOptions {
            kinds: vec![
                EntityKind::Person,
                EntityKind::Organization,
                EntityKind::Place,
            ],
            min_mentions: 1,
        }
    }
}

pub(crate) struct Entities(EntitiesOptions);

pub(crate) fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "entities",
        "people, organisations and places (gazetteer + rules), mentions merged",
        |o: EntitiesOptions, _ctx| Ok(Entities(o)),
    );
}

impl SyncExtractor for Entities {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        if crate::non_english(item) {
            // the rules read English capitalisation, titles and words: nothing, not garbage
            item.entities = Some(Vec::new());
            return Ok(());
        }
        let found = DETECTIONS.get(&item.text);
        // the sections each entity is mentioned in, in one pass over the mentions
        let mut secs: Vec<Vec<String>> = vec![Vec::new(); found.entities.len()];
        if item.sections.as_ref().is_some_and(|s| !s.is_empty()) {
            for m in &found.mentions {
                if let Some(s) = crate::section_at(item, m.start)
                    && !secs[m.entity].contains(&s)
                {
                    secs[m.entity].push(s);
                }
            }
        }
        let mut out = Vec::new();
        for (e, secs) in found.entities.iter().zip(secs) {
            if !self.keeps(e) {
                continue;
            }
            let mut e = e.clone();
            e.sections = secs;
            out.push(e);
        }
        item.entities = Some(out);
        Ok(())
    }

    /// One decision per mention of an entity kept in `item.entities` (its kind and the rule
    /// that decided it), and one per run of capitalised words a rule decided is no entity
    /// (`rejected`), in text order.
    fn explain(&self, item: &Item) -> Vec<Decision> {
        let found = DETECTIONS.get(&item.text);
        let words = |s: usize, e: usize| text::sub(&item.text, s, e).to_string();
        let mut out: Vec<Decision> = found
            .mentions
            .iter()
            .filter_map(|m| {
                let e = found.entities.get(m.entity)?;
                self.keeps(e).then(|| {
                    let kind = match e.kind {
                        EntityKind::Person => "person",
                        EntityKind::Organization => "organization",
                        EntityKind::Place => "place",
                    };
                    Decision::new(
                        "entity",
                        words(m.start, m.end),
                        (m.start, m.end),
                        kind,
                        m.rule,
                    )
                })
            })
            .chain(found.rejected.iter().map(|r| {
                Decision::new(
                    "entity",
                    words(r.start, r.end),
                    (r.start, r.end),
                    "rejected",
                    r.rule,
                )
            }))
            .collect();
        out.sort_by_key(|d| (d.start, d.end));
        out
    }
}

impl Entities {
    /// The options keep this entity (its kind, its number of mentions).
    fn keeps(&self, e: &Entity) -> bool {
        self.0.kinds.contains(&e.kind) && e.mentions >= self.0.min_mentions
    }
}

/// One mention of an entity: byte range in the text and index into `Detected::entities`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mention {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) entity: usize,
    /// The rule that decided this mention's kind: a classifier rule (`classify::RULES`) or
    /// one of `resolve`'s.
    pub(crate) rule: &'static str,
}

/// Everything [`detect`] found: entities (in order of first mention) and their mentions (in
/// text order).
#[derive(Debug, Default)]
pub(crate) struct Detected {
    pub(crate) entities: Vec<Entity>,
    pub(crate) mentions: Vec<Mention>,
    /// Names of natural features and structures (no country is inferred for them).
    pub(crate) features: Vec<String>,
    /// The gazetteer's names in the text ([`text::Gazetteer::find_iter`]).
    pub(crate) gaz: Vec<(usize, usize, &'static GazEntry)>,
    /// Words rules decided are no entity, in text order.
    pub(crate) rejected: Vec<Rejected>,
    /// The sentences of the text (shared with `quotes`, which would cut them again).
    pub(crate) sents: text::Sentences,
}

/// Find entities and their mentions in `text`.
pub(crate) fn detect(text: &str) -> Detected {
    let sents = text::Sentences::new(text);
    let Candidates {
        spans,
        rejected,
        gaz_hits,
    } = candidates_in(text, &sents);
    let mut d = resolve(text, spans);
    d.rejected.extend(rejected);
    d.rejected.sort_by_key(|r| r.start);
    infer_countries(text, &sents, &mut d, &gaz_hits);
    merge_place_variants(&mut d);
    d.gaz = gaz_hits;
    d.sents = sents;
    d
}
