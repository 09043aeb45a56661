//! `type: quotes` — direct quotations and who said them.
//!
//! Quotations are text between quote marks — straight (`"`) or curly (`“ ”`, also `« »`),
//! mixed pairs included — of at least `min_words` words (default 4, so scare quotes and labels
//! such as “anti-terrorist” or “near abroad” are not quotations). A shorter quotation (2+
//! words) is kept only as a complete utterance ending in `,` `.` `!` `?` with its attribution
//! right after it (`"We will win," Bekov said.`). A quotation left open at the end of a paragraph
//! continues when the next paragraph opens with a quote mark (the news convention for long
//! quotes); two quotations in one paragraph joined only by an attribution ("…,” he said. “…”,
//! one sentence — abbreviations such as "Mrs." or "Ltd." do not end it — of up to 40 words,
//! or 80 when it is a whole sentence ending right before the second part) are one.
//!
//! The speaker is looked for only in the quotation's own sentence, in this order:
//! 1. after the quotation: `said X`, `said Deputy Minister X`, `X said`, `X, the deputy
//!    minister, said` (right after the quotation the appositive may run to 16 words: `X,
//!    secretary of state at the Ministry of Public Works and Transport, told`), `X told ...`,
//!    `the CFO said` (the person the paragraph named with that role, else nobody),
//!    `the X report noted`, `he added` (attribution verbs: said, says, told, added, noted,
//!    stressed, warned, explained, insisted, argued, declared, announced, asked, wrote,
//!    recalled, continued, replied, ...);
//! 2. before it: `quoted X as saying`, `X was quoted as saying`, `according to X`,
//!    `X said/told/noted/...:`, a subject with a participle (`X, ..., touting the expo as
//!    “…”`): the nearest person before the verb, else the nearest organisation — never a name
//!    after a preposition ("a notice at the gate of the ministry read:") or inside a relative
//!    clause ("X, who met Y in Cairo, said"); with no verb, the
//!    person opening a clause that ends in a colon (`X put it bluntly: “…”`);
//! 3. `“…,” according to X` after the quotation, when nobody was found before it (in
//!    `Xi said “…,” according to Xinhua` the agency is the source, not the speaker);
//! 4. a quotation standing alone as a paragraph right after another quotation keeps that
//!    speaker; a later quotation in the same paragraph without its own attribution keeps the
//!    paragraph's speaker.
//!
//! Organisations are speakers only through "X said" (and the other verbs), "the X statement
//! said" and "according to X" — not "an X spokesman/official/source said" (an unnamed member:
//! null); "the committee said", "the ministry added" resolve to the
//! latest organisation mentioned before whose name holds that noun.
//!
//! Pronouns (`he`, `she`) resolve to the person mentioned most recently before the quotation
//! (the subject of the nearest sentence naming one), unless the previous quotation's speaker
//! was attributed after that mention (then to that speaker). A person keeps the gender a
//! pronoun first gave them, and the surname form gives one (-ova/-eva/-skaya female,
//! -ov/-ev/-sky male), so "she" never lands on someone called "he". When the sentence
//! before the quotation is about someone unnamed ("A diplomat I spoke to was blunt. “…,” he
//! said.") the speaker is null. Otherwise `speaker` is null when nobody is named in the
//! attribution — never a guess from another sentence. Names are the canonical names of the
//! `entities` extractor (its rules are run here when `entities` did not run); when
//! `item.entities` is set, a speaker is renamed to the entity there whose name or alias it
//! is, or to the only person there with that surname.
//!
//! Options: `min_words` (default 4).
//!
//! Output: `item.quotes = [{text, speaker, section?}]`.
//!
//! Where things are: the quotation marks and the merging of parts in `spans.rs`; the
//! attribution rules (`said_speaker_after`, `speaker_said_after`, `speaker_before_said`,
//! `according_to_before`, ...) in `attribution.rs`; pronouns and the speaker carried over from
//! the previous quotation (`pronoun_previous_sentence`, `previous_quote_paragraph`, ...) below;
//! unnamed people, appositives and genders in `context.rs`; a test per rule in `tests.rs`.
//! `feedloom extract --explain` names the rule behind each speaker.

mod attribution;
mod context;
mod spans;

use feedloom_core::item::{EntityKind, Quote};
use feedloom_core::{Decision, ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::entities::{self, Detected};
use crate::text::{self, Sentences};
use attribution::{Attribution, HE, SHE, Who, speaker_after, speaker_before};
use context::{Ctx, introduced_by_colon, name_gender, unnamed_referent, unnamed_subject_before};
use spans::{merged, sentence_bounds};

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct QuotesOptions {
    /// The fewest words a quotation has (shorter ones are scare quotes or labels such as
    /// “near abroad”), unless it is a complete utterance with its attribution right after it
    /// (`"We will win," Bekov said.`, 2 words or more).
    pub(crate) min_words: usize,
}

impl Default for QuotesOptions {
    fn default() -> Self {
        QuotesOptions { min_words: 4 }
    }
}

pub(crate) struct Quotes(QuotesOptions);

pub(crate) fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "quotes",
        "direct quotations with their speakers",
        |o: QuotesOptions, _ctx| Ok(Quotes(o)),
    );
}

/// A quotation found: its start, the quotation (its speaker as the detection names them), the
/// rule that decided the speaker (or that there is none) and the words that rule went by (the
/// speaker's mention, pronoun or role; the quotation's opening words when no words name them).
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) at: usize,
    pub(crate) quote: Quote,
    pub(crate) rule: &'static str,
    /// The attribution rule that found a pronoun (`rule` then says whom it refers to).
    pub(crate) via: Option<&'static str>,
    pub(crate) span: (usize, usize),
}

/// The quotation's speaker carried over from an earlier quotation, or none: no words in the
/// text name them, so a decision points at the quotation's opening words.
fn opening(text: &str, s: usize, e: usize) -> (usize, usize) {
    let q = text::sub(text, s, e);
    let end = q
        .char_indices()
        .filter(|(_, c)| c.is_whitespace())
        .nth(5)
        .map_or(e, |(p, _)| s + p);
    (s, end)
}

/// Find quotations and speakers. `d` is the entity detection for `text`. (The extractor
/// uses [`find_explained`]; the tests use this.)
#[cfg(test)]
pub(crate) fn find(text: &str, d: &Detected, o: &QuotesOptions) -> Vec<(usize, Quote)> {
    find_explained(text, d, o)
        .into_iter()
        .map(|f| (f.at, f.quote))
        .collect()
}

/// [`find`] with the rule behind each speaker.
pub(crate) fn find_explained(text: &str, d: &Detected, o: &QuotesOptions) -> Vec<Found> {
    // the entity detection's sentences when it is of this text (the extractor's always is),
    // else cut here
    let own;
    let sents = if d.sents.is_built() && d.sents.text_len() == text.len() {
        &d.sents
    } else {
        own = Sentences::new(text);
        &own
    };
    let paras = text::LineStarts::new(text);
    let cx = Ctx {
        d,
        sents,
        paras: &paras,
    };
    let mut out: Vec<Found> = Vec::new();
    let mut last_speaker: Option<(usize, usize)> = None;
    let mut prev_end: Option<(usize, Option<usize>)> = None;
    let mut prev_para: Option<(usize, Option<usize>)> = None;
    let mut genders: std::collections::HashMap<usize, bool> = std::collections::HashMap::new();
    for (s, e, t, gap) in merged(text, sents) {
        let ends = t
            .trim_end_matches(['"', '”', '’', '\''])
            .ends_with(['.', '?', '!', '…']);
        let (ss, se) = sentence_bounds(text, sents, s, e, ends);
        let wc = t.split_whitespace().count();
        if wc < o.min_words {
            // a short quotation is kept only as a complete utterance with its attribution
            // right after it ("We will win," Bekov said.); scare quotes and labels are not
            let utterance = wc >= 2 && t.ends_with([',', '.', '!', '?']);
            if !(utterance && speaker_after(text, &cx, e, se, true).is_some()) {
                continue;
            }
        }
        let para = paras.start_of(s);
        let mut who = gap.and_then(|(a, b)| speaker_after(text, &cx, a, b, true));
        if who.is_none() {
            who = speaker_after(text, &cx, e, se, false);
        }
        if who.is_none() {
            who = speaker_before(text, &cx, ss, s);
        }
        if who.is_none() {
            who = speaker_after(text, &cx, e, se, true);
        }
        if who.is_none()
            && ss == s
            && let Some((ps, colon)) = introduced_by_colon(text, cx.sents, s)
        {
            // "X said the exercises were about politics:\n\n“Moscow wants …"
            who = speaker_before(text, &cx, ps, colon).map(|a| Attribution {
                rule: "introduced_by_colon",
                ..a
            });
        }
        let mut via = None;
        let (mut speaker, mut rule, mut span) = match who {
            Some(Attribution {
                who: Who::Entity(i),
                span,
                rule,
            }) => (Some(i), rule, span),
            Some(Attribution {
                who: Who::Pronoun,
                span,
                rule: found_by,
            }) => {
                via = Some(found_by);
                let (speaker, rule) =
                    pronoun(text, &cx, (s, e, ss, se, gap), last_speaker, &mut genders);
                (speaker, rule, span)
            }
            None => (None, "no_attribution", opening(text, s, e)),
        };
        if speaker.is_none()
            && ss == s
            && let Some((pe, ps)) = prev_end
        {
            // a quotation paragraph right after a quoted one (a previous sentence that
            // reaches past this quotation's start is no sentence before it)
            if text
                .get(pe..s)
                .is_some_and(|between| between.trim().is_empty())
            {
                speaker = ps;
                if ps.is_some() {
                    (rule, span) = ("previous_quote_paragraph", opening(text, s, e));
                }
            }
        }
        if speaker.is_none()
            && let Some((pp, Some(ps))) = prev_para
            && pp == para
        {
            // a later quotation in the same paragraph, with no attribution of its own
            speaker = Some(ps);
            (rule, span) = ("same_paragraph_speaker", opening(text, s, e));
        }
        if let Some(i) = speaker {
            last_speaker = Some((i, e));
        }
        prev_end = Some((se, speaker));
        prev_para = Some((para, speaker));
        out.push(Found {
            at: s,
            quote: Quote {
                text: t,
                speaker: speaker.map(|i| cx.name(i)),
                section: None,
            },
            rule,
            via,
            span,
        });
    }
    out
}

/// Who a pronoun in the attribution ("he said") refers to, and the rule that decided:
/// - `pronoun_unnamed_subject`: nobody, the sentence before is about someone unnamed ("A
///   diplomat I spoke to was blunt.");
/// - `pronoun_unnamed_referent`: nobody, an unnamed person was mentioned since the last named
///   one ("when I asked a Russian diplomat ..., he said");
/// - `pronoun_previous_sentence`: the first person of the nearest sentence before that names
///   one;
/// - `pronoun_previous_speaker`: the previous quotation's speaker, when attributed after that
///   sentence's mention;
/// - `pronoun_earlier_person`: the latest person before whose gender fits ("she" never
///   lands on someone called "he", nor on an -ov surname);
/// - `pronoun_unresolved`: nobody fits.
///
/// `q` is the quotation's start and end and its sentence's start and end, and the attribution
/// between its two parts.
fn pronoun(
    text: &str,
    cx: &Ctx,
    q: (usize, usize, usize, usize, Option<(usize, usize)>),
    last_speaker: Option<(usize, usize)>,
    genders: &mut std::collections::HashMap<usize, bool>,
) -> (Option<usize>, &'static str) {
    let (s, e, ss, se, gap) = q;
    if unnamed_subject_before(text, cx, ss) {
        return (None, "pronoun_unnamed_subject");
    }
    let last_end = cx
        .mentions_before(s)
        .iter()
        .rev()
        .find(|m| m.end <= s && cx.d.entities[m.entity].kind == EntityKind::Person)
        .map_or(0, |m| m.end);
    let from = text.floor_char_boundary(last_end.max(s.saturating_sub(300)));
    if unnamed_referent(text, cx, from, s) {
        return (None, "pronoun_unnamed_referent");
    }
    // the person mentioned most recently, unless the last quotation's speaker came after that
    // mention
    let speaker = last_speaker.filter(|&(i, _)| cx.d.entities[i].kind == EntityKind::Person);
    let first = match (cx.subject_before(text, s), speaker) {
        (Some((p, at)), Some((_, qat))) if at > qat => Some((p, "pronoun_previous_sentence")),
        (_, Some((i, _))) => Some((i, "pronoun_previous_speaker")),
        (Some((p, _)), None) => Some((p, "pronoun_previous_sentence")),
        (None, None) => None,
    };
    // "she" never resolves to someone already referred to as "he" (and back)
    let g = gap.map_or("", |(a, b)| text::sub(text, a, b));
    let around = format!(
        "{} {} {}",
        text::sub(text, ss, s),
        g,
        text::sub(text, e, se)
    );
    let female_named = SHE.is_match(&around) && !HE.is_match(&around);
    let male_named = HE.is_match(&around) && !SHE.is_match(&around);
    let ok = |i: usize| {
        let known = genders
            .get(&i)
            .copied()
            .or_else(|| name_gender(&cx.d.entities[i].name));
        known.is_none_or(|g| (g && !male_named) || (!g && !female_named))
    };
    let pick = first.filter(|&(i, _)| ok(i)).or_else(|| {
        cx.mentions_before(s)
            .iter()
            .rev()
            .filter(|m| m.end <= s && cx.d.entities[m.entity].kind == EntityKind::Person)
            .map(|m| m.entity)
            .find(|&i| ok(i))
            .map(|i| (i, "pronoun_earlier_person"))
    });
    if let Some((i, _)) = pick
        && (female_named || male_named)
    {
        genders.insert(i, female_named);
    }
    match pick {
        Some((i, rule)) => (Some(i), rule),
        None => (None, "pronoun_unresolved"),
    }
}

impl Quotes {
    /// The quotations of `item` with their rules, speakers named as in `item.entities` when
    /// it is set.
    fn found(&self, item: &Item) -> Vec<Found> {
        if crate::non_english(item) {
            // the quotation marks are language-neutral, the attribution rules are English:
            // the quotations without speakers
            let d = Detected::default();
            let mut found = find_explained(&item.text, &d, &self.0);
            for f in &mut found {
                f.quote.speaker = None;
                f.rule = "non_english";
            }
            return found;
        }
        let d = entities::DETECTIONS.get(&item.text);
        let mut found = find_explained(&item.text, &d, &self.0);
        if let Some(ents) = item.entities.as_deref() {
            for f in &mut found {
                f.quote.speaker = f.quote.speaker.take().map(|sp| canonical(ents, sp));
            }
        }
        found
    }
}

impl SyncExtractor for Quotes {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let v = self
            .found(item)
            .into_iter()
            .map(|f| {
                let mut q = f.quote;
                q.section = crate::section_at(item, f.at);
                q
            })
            .collect();
        item.quotes = Some(v);
        Ok(())
    }
    /// One decision per quotation: the words that name its speaker (or its opening words),
    /// the speaker or "no speaker", and the rule that decided.
    fn explain(&self, item: &Item) -> Vec<Decision> {
        self.found(item)
            .into_iter()
            .map(|f| {
                Decision::new(
                    "quote",
                    text::sub(&item.text, f.span.0, f.span.1),
                    f.span,
                    f.quote.speaker.unwrap_or_else(|| "no speaker".to_string()),
                    match f.via {
                        Some(via) => format!("{via} + {}", f.rule),
                        None => f.rule.to_string(),
                    },
                )
            })
            .collect()
    }
}

/// The name `item.entities` gives the speaker (an `entities` extractor configured
/// differently may merge names differently): an entity whose name or alias is the speaker,
/// else a person whose name ends with the speaker's surname; else the speaker as found.
fn canonical(ents: &[feedloom_core::item::Entity], speaker: String) -> String {
    if let Some(e) = ents
        .iter()
        .find(|e| e.name == speaker || e.aliases.contains(&speaker))
    {
        return e.name.clone();
    }
    let surname = speaker.rsplit(' ').next().unwrap_or(&speaker);
    let mut persons = ents.iter().filter(|e| {
        e.kind == EntityKind::Person
            && (e.name.rsplit(' ').next() == Some(surname)
                || e.aliases.iter().any(|a| a == surname))
    });
    match (persons.next(), persons.next()) {
        (Some(e), None) => e.name.clone(),
        _ => speaker,
    }
}

#[cfg(test)]
mod tests;
