//! What the attribution rules and the pronoun resolution consult: the entity detection and
//! the sentences ([`Ctx`]), unnamed people and members of organisations, appositives,
//! relative clauses, and the gender a surname gives.

use std::sync::LazyLock;

use feedloom_core::item::EntityKind;

use super::spans::sentence_start_of_last;
use crate::entities::{self, Detected};
use crate::lexicon::Lexicon;
use crate::text::{self, Sentences};

static UNNAMED_MEMBER_WORDS: LazyLock<Lexicon> = crate::lexicon!("quotes_unnamed_member_words");
static UNNAMED_PERSON_NOUNS: LazyLock<Lexicon> = crate::lexicon!("quotes_unnamed_person_nouns");

pub(crate) struct Ctx<'a> {
    pub(crate) d: &'a Detected,
    /// The text's sentences: every sentence start and end below comes from here.
    pub(crate) sents: &'a Sentences,
    /// The text's paragraphs (lines).
    pub(crate) paras: &'a text::LineStarts,
}

impl Ctx<'_> {
    /// The mentions inside `s..e` (the detection's mentions are sorted by start).
    pub(crate) fn mentions_in(
        &self,
        s: usize,
        e: usize,
    ) -> impl Iterator<Item = &entities::Mention> {
        let from = self.d.mentions.partition_point(|m| m.start < s);
        self.d.mentions[from..]
            .iter()
            .take_while(move |m| m.start < e)
            .filter(move |m| m.end <= e)
    }
    /// The mentions starting before `at`: a backward search for the latest one before a
    /// quotation starts here, not at the text's end (which made many quotations quadratic).
    pub(crate) fn mentions_before(&self, at: usize) -> &[entities::Mention] {
        let to = self.d.mentions.partition_point(|m| m.start < at);
        &self.d.mentions[..to]
    }
    pub(crate) fn speaker_ok(&self, idx: usize) -> bool {
        matches!(
            self.d.entities[idx].kind,
            EntityKind::Person | EntityKind::Organization
        )
    }
    pub(crate) fn name(&self, idx: usize) -> String {
        self.d.entities[idx].name.clone()
    }
    /// The first person named in the nearest sentence before `at` that names one (the
    /// subject a pronoun most likely refers to), with the mention's position.
    pub(crate) fn subject_before(&self, text: &str, at: usize) -> Option<(usize, usize)> {
        let last = self.last_person_before(at)?;
        // the start of the sentence holding that latest mention
        let start = self.sents.start_at(last.1);
        let people = || {
            self.mentions_in(start, at)
                .filter(|m| self.d.entities[m.entity].kind == EntityKind::Person)
        };
        // a possessive is no subject: in "Reyes's widow, Marisol Reyes, sat ..." she is
        people()
            .find(|m| {
                let after = text.get(m.end..).unwrap_or("");
                !(after.starts_with("'s") || after.starts_with("’s"))
            })
            .or_else(|| people().next())
            .map(|m| (m.entity, m.start))
    }

    pub(crate) fn last_person_before(&self, at: usize) -> Option<(usize, usize)> {
        let to = self.d.mentions.partition_point(|m| m.start < at);
        self.d.mentions[..to]
            .iter()
            .rev()
            .find(|m| m.end <= at && self.d.entities[m.entity].kind == EntityKind::Person)
            .map(|m| (m.entity, m.start))
    }
}

/// The sentence before `ss` is about someone unnamed ("A Central Asian diplomat I spoke to
/// was less diplomatic."): a pronoun in the next quotation refers to that person, so nobody
/// named is the speaker.
pub(crate) fn unnamed_subject_before(text: &str, cx: &Ctx, ss: usize) -> bool {
    let head = text::sub(text, 0, ss).trim_end();
    if head.is_empty() {
        return false;
    }
    let ps = sentence_start_of_last(text, cx.sents, head.len());
    let prev = text::sub(text, ps, head.len());
    let first = prev.split(' ').next().unwrap_or("");
    matches!(first, "A" | "An" | "One" | "Another")
        && !cx
            .mentions_in(ps, head.len())
            .any(|m| cx.d.entities[m.entity].kind == EntityKind::Person)
}

/// "A Foreign Ministry spokesman said", "Gazprom officials told": the speaker is an unnamed
/// member of the organisation, not the organisation.
pub(crate) fn unnamed_member(cx: &Ctx, m: &entities::Mention, gap: &str) -> bool {
    cx.d.entities[m.entity].kind == EntityKind::Organization
        && gap
            .split_whitespace()
            .any(|w| UNNAMED_MEMBER_WORDS.contains(w.trim_matches(|c: char| !c.is_alphabetic())))
}

/// An unnamed person ("a Russian diplomat", "one resident", "another official") is mentioned
/// in `text[from..to]`, not in apposition to a named one ("Almaz Bekov, a senior economist").
pub(crate) fn unnamed_referent(text: &str, cx: &Ctx, from: usize, to: usize) -> bool {
    for t in text::words(text::sub(text, from, to)) {
        let (w, at) = (t.s, from + t.start);
        if !matches!(
            w,
            "a" | "an" | "A" | "An" | "one" | "One" | "another" | "Another"
        ) {
            continue;
        }
        let tail = text::sub(text, at + w.len(), to);
        let hit = tail
            .split_whitespace()
            .take(4)
            .map(|x| x.trim_end_matches([',', '.', ';', ':']))
            .take_while(|x| !x.is_empty())
            .any(|x| UNNAMED_PERSON_NOUNS.contains(&x.to_lowercase()));
        if !hit {
            continue;
        }
        // a predicate ("works as a sound engineer", "she is a teacher"), or in apposition to
        // a person named right before ("Gulnara Bakytzhan, 46, a teacher"): not someone else
        let head = text::sub(text, 0, at).trim_end();
        let prev = head
            .rsplit(|c: char| !c.is_alphanumeric() && c != '\'')
            .next()
            .unwrap_or("");
        let predicate = matches!(
            prev,
            "as" | "is"
                | "was"
                | "were"
                | "are"
                | "became"
                | "becomes"
                | "remains"
                | "remained"
                | "being"
                | "been"
                | "be"
                | "like"
        );
        let appositive = head.ends_with(',')
            && cx
                .mentions_before(at)
                .iter()
                .rev()
                .find(|m| m.end <= at && cx.d.entities[m.entity].kind == EntityKind::Person)
                .is_some_and(|m| {
                    text::sub(text, m.end, at)
                        .chars()
                        .all(|c| c == ',' || c.is_whitespace() || c.is_ascii_digit())
                });
        if !predicate && !appositive {
            return true;
        }
    }
    false
}

/// The quotation at `s` opens its sentence right after a sentence ending in a colon (in the
/// same or the previous paragraph): that sentence's start and the colon's position.
pub(crate) fn introduced_by_colon(
    text: &str,
    sents: &Sentences,
    s: usize,
) -> Option<(usize, usize)> {
    let head = text.get(..s)?.trim_end();
    if !head.ends_with(':') {
        return None;
    }
    let colon = head.len() - 1;
    Some((sents.start_at(colon).min(colon), colon))
}

/// Titles written before a name (abbreviated or not) that may stand between a preposition and
/// the name it governs ("a spokesman for Gov. X").
const TITLE_ABBREVIATIONS: &[&str] = &[
    "Gov",
    "Sen",
    "Rep",
    "Dr",
    "Mr",
    "Mrs",
    "Ms",
    "Gen",
    "Col",
    "Lt",
    "Sgt",
    "Capt",
    "Prof",
    "Governor",
    "Senator",
    "President",
    "Minister",
    "Mayor",
    "Judge",
    "Justice",
];

/// A name right after a preposition ("a notice at the gate of the ministry read:") is not
/// the subject of the clause.
pub(crate) fn after_preposition(text: &str, from: usize, at: usize) -> bool {
    let mut words = text::sub(text, from, at)
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .rev();
    let mut w = words.next().unwrap_or("");
    // titles between the preposition and the name: "a spokesman for Gov. X"
    let mut titles = 0;
    while titles < 3 && TITLE_ABBREVIATIONS.contains(&w) {
        w = words.next().unwrap_or("");
        titles += 1;
    }
    if matches!(w, "the" | "The" | "a" | "an") {
        w = words.next().unwrap_or("");
    }
    matches!(
        w,
        "of" | "at" | "in" | "from" | "with" | "near" | "for" | "on" | "into" | "inside"
    )
}

/// The text between a name and its verb is an appositive: ", the deputy minister," (up to 10
/// words between commas, no sentence end, no quote mark).
pub(crate) fn appositive(gap: &str) -> bool {
    let g = gap.trim();
    g.len() > 2
        && g.starts_with(',')
        && g.ends_with(',')
        && g.split_whitespace().count() <= 10
        && !g.contains(['.', '"', '“', '”', ';', ':', '\n'])
}

/// A longer appositive right after a quotation's speaker: up to 16 words between commas.
pub(crate) fn long_appositive(gap: &str) -> bool {
    let g = gap.trim();
    g.len() > 2
        && g.starts_with(',')
        && g.ends_with(',')
        && g.split_whitespace().count() <= 16
        && !g.contains(['.', '"', '“', '”', ';', ':', '\n'])
}

/// A person's likely gender from the form of the surname (Slavic and Central Asian endings:
/// -ova/-eva/-skaya female, -ov/-ev/-sky male; other names, Chinese ones included, are
/// unknown); `Some(true)` for female.
pub(crate) fn name_gender(name: &str) -> Option<bool> {
    let last = name.rsplit(' ').next()?.to_ascii_lowercase();
    if ["ova", "eva", "yova", "skaya", "tskaya"]
        .iter()
        .any(|s| last.ends_with(s))
    {
        Some(true)
    } else if ["ov", "ev", "yov", "sky", "skiy", "skii"]
        .iter()
        .any(|s| last.ends_with(s))
    {
        Some(false)
    } else {
        None
    }
}

/// Byte ranges of the relative clauses and appositives set off by commas in `text[s..e]`
/// (", who met X in Cairo,", ", whose ... ,", ", which ... ,"): names inside are not the
/// clause's subject.
pub(crate) fn relative_clauses(text: &str, s: usize, e: usize) -> Vec<(usize, usize)> {
    let seg = text::sub(text, s, e);
    let mut out = Vec::new();
    for p in [", who ", ", whose ", ", which ", ", where "] {
        for (i, _) in seg.match_indices(p) {
            if let Some(c) = seg.get(i + p.len()..).and_then(|r| r.find(',')) {
                out.push((s + i, s + i + p.len() + c));
            }
        }
    }
    out
}
