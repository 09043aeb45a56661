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

use std::collections::HashMap;

use feedloom_core::item::{Entity, EntityKind};
use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::text::{self, GAZ, GazEntry, GazKind, Tok, is_acronym, is_cap};

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
pub struct EntitiesOptions {
    /// Which kinds to keep.
    pub kinds: Vec<EntityKind>,
    /// Drop entities mentioned fewer times than this.
    pub min_mentions: u32,
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

pub struct Entities(EntitiesOptions);

pub fn register(reg: &mut Registry) {
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
        let found = detect_cached(&item.text);
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
            if !self.0.kinds.contains(&e.kind) || e.mentions < self.0.min_mentions {
                continue;
            }
            let mut e = e.clone();
            e.sections = secs;
            out.push(e);
        }
        item.entities = Some(out);
        Ok(())
    }
}

/// One mention of an entity: byte range in the text and index into `Detected::entities`.
#[derive(Clone, Copy, Debug)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub entity: usize,
}

/// Everything [`detect`] found: entities (in order of first mention) and their mentions (in
/// text order).
#[derive(Debug, Default)]
pub struct Detected {
    pub entities: Vec<Entity>,
    pub mentions: Vec<Mention>,
    /// Names of natural features and structures (no country is inferred for them).
    pub features: Vec<String>,
    /// The gazetteer's names in the text ([`text::Gazetteer::find_iter`]).
    pub gaz: Vec<(usize, usize, &'static GazEntry)>,
}

thread_local! {
    static LAST: std::cell::RefCell<Option<(String, std::rc::Rc<Detected>)>> = const { std::cell::RefCell::new(None) };
}

/// [`detect`], remembering the last result on this thread: `quotes` running right after
/// `entities` on the same text reuses the work.
pub fn detect_cached(text: &str) -> std::rc::Rc<Detected> {
    LAST.with(|c| {
        if let Some((t, d)) = c.borrow().as_ref()
            && t == text
        {
            return d.clone();
        }
        let d = std::rc::Rc::new(detect(text));
        *c.borrow_mut() = Some((text.to_string(), d.clone()));
        d
    })
}

/// Find entities and their mentions in `text`.
pub fn detect(text: &str) -> Detected {
    let mut spans: Vec<Span> = Vec::new();
    // starts of the parts of hyphenated place chains ("Beineu-Bozoi-Shymkent pipeline")
    // (sets, looked up once per run: lists made a text of many such names quadratic)
    let mut chain: std::collections::HashSet<usize, text::Fx> = Default::default();
    // gazetteer names with a lower-case word inside ("Dar es Salaam", "Sistan and
    // Baluchestan"): one run each
    // one pass of the gazetteer over the text, shared with `countries`
    let gaz_hits: Vec<(usize, usize, &'static GazEntry)> = GAZ.find_iter(text).collect();
    let mut forced: HashMap<usize, usize, text::Fx> = HashMap::default();
    for (s, e) in gaz_hits
        .iter()
        .filter(|(_, _, g)| {
            g.kind != GazKind::Demonym
                && g.name
                    .split(' ')
                    .skip(1)
                    .any(|w| w.starts_with(|c: char| c.is_lowercase()))
        })
        .map(|&(s, e, _)| (s, e))
    {
        // the first such name at each start (as the list's first match was)
        forced.entry(s).or_insert(e);
    }
    // the crate's one sentence splitter: the runs here and the sentences `infer_countries`
    // looks at are the same sentences
    let sents = text::Sentences::new(text);
    for (ss, se) in text::sentences(text) {
        let sent = &text[ss..se];
        let mut toks: Vec<Tok> = Vec::with_capacity(sent.len() / 5);
        for t in text::words(sent) {
            let (start, end) = (t.start + ss, t.end + ss);
            if place_chain(text, t.s, end) {
                let mut at = start;
                for p in t.s.split('-') {
                    toks.push(Tok {
                        s: p,
                        start: at,
                        end: at + p.len(),
                    });
                    chain.insert(at);
                    at += p.len() + 1;
                }
                continue;
            }
            // "Abu Dhabi-based", "Taliban-run": the name, then the lower-case modifier
            if is_cap(t.s)
                && let Some((name, suffix)) = modifier_split(t.s)
            {
                let cut = start + name.len();
                toks.push(Tok {
                    s: name,
                    start,
                    end: cut,
                });
                toks.push(Tok {
                    s: suffix,
                    start: cut + 1,
                    end,
                });
            } else {
                toks.push(Tok { s: t.s, start, end });
            }
        }
        let mut i = 0;
        while i < toks.len() {
            if !is_name_tok(toks[i].s) {
                i += 1;
                continue;
            }
            // grow a run of capitalised words, allowing "of"/"for"/"and"/"the"/"de"/"al" inside
            let mut j = i + 1;
            let mut last = i;
            // a possessive ends the name ("Russia's Gazprom"), except a generic noun inside an
            // organisation's name ("People's Armed Police", "Farmers' Union")
            let possessive_end = |k: usize| {
                let after = &text[toks[k].end..];
                (after.starts_with("’s") || after.starts_with("'s"))
                    && !inner_possessive(text, &toks, k)
            };
            if let Some(&fe) = forced.get(&toks[i].start)
                && let Some(k) = toks[i..].iter().position(|t| t.end == fe)
            {
                last = i + k;
                j = last + 1;
            }
            if !possessive_end(i) {
                while j < toks.len() {
                    // no name runs to MAX_RUN_TOKENS words; a longer run of capitalised words
                    // (hostile, or a headline in capitals) is cut into runs of that many, which
                    // keeps the work per run bounded and the whole text linear
                    if j - i >= MAX_RUN_TOKENS {
                        break;
                    }
                    let gap = &text[toks[j - 1].end..toks[j].start];
                    let plural_possessive =
                        (gap == "' " || gap == "’ ") && toks[j - 1].s.ends_with('s');
                    // "Korea Hydro & Nuclear Power", "Procter & Gamble"
                    let ampersand = gap == " & " && is_cap(toks[j].s);
                    // the tokenizer leaves the "s" of a possessive as a word of its own
                    if (gap == "'" || gap == "’")
                        && toks[j].s == "s"
                        && inner_possessive(text, &toks, j - 1)
                    {
                        j += 1;
                        continue;
                    }
                    // "U.N. Security Council": a dotted abbreviation opens the name
                    let dotted = gap == ". "
                        && toks[j - 1].s.contains('.')
                        && toks[j - 1].s.len() <= 5
                        && is_cap(toks[j].s)
                        && !NOT_NAME.contains(toks[j].s)
                        && !text::is_stopword(toks[j].s);
                    if gap != " " && !plural_possessive && !ampersand && !dotted {
                        break;
                    }
                    let w = toks[j].s;
                    // "Tunduk Bank and Ala-Too Finance": two names, each ending in its own
                    // organisation word
                    // "X and PT Y": a legal form opens a name of its own
                    if w == "and"
                        && (two_org_names(&toks, i, j)
                            || org_and_name(&toks, i, j)
                            || toks.get(j + 1).is_some_and(|t| LEGAL_PREFIX.contains(&t.s)))
                    {
                        break;
                    }
                    if is_name_tok(w) || (PARTICLES.contains(&w) && is_cap(toks[j - 1].s)) {
                        last = j;
                        j += 1;
                        if possessive_end(last) {
                            break;
                        }
                    } else if matches!(
                        w,
                        "of" | "for"
                            | "de"
                            | "al"
                            | "el"
                            | "bin"
                            | "ibn"
                            | "van"
                            | "von"
                            | "der"
                            | "den"
                            | "da"
                            | "dos"
                            | "du"
                            | "la"
                            | "del"
                            | "do"
                            | "des"
                            | "on"
                            | "and"
                            | "the"
                            // "Sociedad Química y Minera", "Caixa Geral e Depósitos"
                            | "y"
                            | "e"
                            | "et"
                            | "und"
                    ) && j + 1 < toks.len()
                        && (is_cap(toks[j + 1].s)
                            || (matches!(w, "of" | "for")
                                && toks[j + 1].s == "the"
                                && toks.get(j + 2).is_some_and(|t| is_cap(t.s)))
                            // "Ursula von der Leyen", "Oscar de la Renta"
                            || (matches!(w, "von" | "van" | "de")
                                && matches!(toks[j + 1].s, "der" | "den" | "la" | "los" | "del")
                                && toks.get(j + 2).is_some_and(|t| is_cap(t.s))))
                        && text[toks[j].end..toks[j + 1].start] == *" "
                        // "China Road and Bridge Corporation" (not "Monday and Tuesday")
                        && (!matches!(w, "and" | "on")
                            || !NOT_NAME.contains(toks[j + 1].s)
                            || toks[j + 1..].iter().take(4).any(|t| is_org_word(t.s)))
                        // "Mitsubishi Corporation and Turkey's Gap Insaat": two names
                        && (w != "and"
                            || (GAZ.get_word(toks[j + 1].s).is_none()
                                && !possessive_end(j + 1)
                                && !text[toks[j + 1].end..].starts_with('-')))
                        && (!matches!(w, "and" | "on" | "y" | "e" | "et" | "und")
                            || toks[i..=last].iter().any(|t| is_org_word(t.s))
                            || toks
                                .get(j + 1..)
                                .is_some_and(|r| r.iter().take(4).any(|t| is_org_word(t.s))))
                        && (w != "the" || matches!(toks[j - 1].s, "of" | "for"))
                        // "to Tianjin for the SCO summit": a place name does not take "of"/"for"
                        // (but "Van der Berg" is a name, whatever city is called Van)
                        && (!matches!(w, "of" | "for" | "and" | "on" | "the")
                            || !GAZ
                            .get(&text[toks[i].start..toks[last].end])
                            .is_some_and(|g| !matches!(g.kind, GazKind::Demonym | GazKind::Macro)))
                    {
                        j += 1;
                    } else {
                        break;
                    }
                }
            }
            let run = &toks[i..=last];
            let next = toks.get(last + 1);
            let in_chain = run.len() == 1 && chain.contains(&run[0].start);
            classify(
                text,
                run,
                next,
                ss == run[0].start || is_sentence_start(text, ss, run[0].start),
                in_chain,
                &mut spans,
            );
            i = last + 1;
        }
    }
    let mut d = resolve(text, spans);
    infer_countries(text, &sents, &mut d, &gaz_hits);
    merge_place_variants(&mut d);
    d.gaz = gaz_hits;
    d
}
