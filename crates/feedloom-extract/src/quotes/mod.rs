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

use std::sync::LazyLock;

use feedloom_core::item::{EntityKind, Quote};
use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::entities::{self, Detected};
use crate::text::Sentences;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct QuotesOptions {
    pub min_words: usize,
}

impl Default for QuotesOptions {
    fn default() -> Self {
        QuotesOptions { min_words: 4 }
    }
}

pub struct Quotes(QuotesOptions);

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "quotes",
        "direct quotations with their speakers",
        |o: QuotesOptions, _ctx| Ok(Quotes(o)),
    );
}

const VERBS: &str = r"said|says|say|called|calls|described|describes|dubbed|told|tells|added|adds|noted|notes|stated|states|declared|declares|explained|explains|wrote|writes|warned|warns|insisted|insists|argued|argues|claimed|claims|continued|asked|asks|replied|answered|stressed|stresses|emphasi[sz]ed|commented|remarked|announced|announces|reported|reports|recalled|acknowledged|admitted|concluded|observed|underlined|underscored|pointed out|went on|quipped|tweeted|posted|urged|vowed|promised|predicted|suggested|cautioned|complained|conceded|confirmed|denied|mentioned|read";
const PARTICIPLES: &str = r"saying|touting|calling|describing|adding|noting|stating|declaring|explaining|warning|insisting|arguing|claiming|stressing|telling|urging|vowing|promising|writing";

static AFTER_VERB_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"^[[ \t\r\n],.;:!?—–-]*(?:{VERBS})(?-u:\b)")).expect("compiles")
});
static VERB_ANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?-u:\b)(?:{VERBS}|{PARTICIPLES})(?-u:\b)")).expect("compiles")
});
static ACCORDING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?-u:\b)according to(?-u:\b)").expect("compiles"));
static QUOTED_AS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:quoted|cited)(?-u:\b)(?P<who>.{1,80}?)(?-u:\b)as (?:saying|telling|stating)(?-u:\b)").expect("compiles")
});
static ANAPHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:the|The|its|Its) (ministry|committee|company|agency|bank|council|commission|service|office|department|corporation|organisation|organization|group|party|government|court|embassy|consulate|fund|union|authority|administration|bureau|association|federation|institute|exchange|airline|firm|statement)(?-u:\b)").expect("compiles")
});
static SHE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(?:she|She|her|Her)(?-u:\b)").expect("compiles"));
static HE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(?:he|He|his|His|him)(?-u:\b)").expect("compiles"));
static PRONOUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(?:he|she|He|She)(?-u:\b)").expect("compiles"));

fn is_open(c: char) -> bool {
    matches!(c, '“' | '«' | '„')
}
fn is_close(c: char) -> bool {
    matches!(c, '”' | '»')
}

/// Byte ranges of quotations: (outer start, outer end, inner text).
fn spans(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let marks: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| *c == '"' || is_open(*c) || is_close(*c))
        .collect();
    let mut i = 0;
    while i < marks.len() {
        let (p, c) = marks[i];
        let prev = text[..p].chars().next_back();
        let opening = is_open(c)
            || (c == '"'
                && prev.is_none_or(|ch| {
                    ch.is_whitespace() || matches!(ch, '(' | '[' | '—' | '–' | '-' | ':' | ',')
                }));
        if !opening {
            i += 1;
            continue;
        }
        // find the closing mark; a paragraph break continues the quotation only when the next
        // paragraph opens with a quote mark. The text is its parts (one per paragraph), each
        // as written and trimmed, empty ones left out, joined by single spaces.
        let mut parts: Vec<&str> = Vec::new();
        let mut seg_start = p + c.len_utf8();
        let mut j = i + 1;
        let mut closed = None;
        while j < marks.len() {
            let (q, d) = marks[j];
            let seg = &text[seg_start..q];
            if let Some(nl) = seg.find('\n') {
                // paragraph ended inside the quotation
                let rest = text[seg_start + nl..q].trim_start();
                if rest.is_empty() && (is_open(d) || d == '"') {
                    parts.push(text[seg_start..seg_start + nl].trim());
                    seg_start = q + d.len_utf8();
                    j += 1;
                    continue;
                }
                break;
            }
            let next = text[q + d.len_utf8()..].chars().next();
            let closing = is_close(d) || (d == '"' && next.is_none_or(|ch| !ch.is_alphanumeric()));
            if closing {
                parts.push(seg.trim());
                closed = Some((q, q + d.len_utf8()));
                break;
            }
            if is_open(d) {
                break; // another opening before a close: this one was unbalanced
            }
            j += 1;
        }
        parts.retain(|part| !part.is_empty());
        match closed {
            // an empty quotation ("" or « ») is none, and joins no other
            Some(_) if parts.is_empty() => i = j + 1,
            Some((_, e)) => {
                out.push((p, e, parts.join(" ")));
                i = j + 1;
            }
            // no mark before `j` closes anything (a mark closes or not by itself, whatever
            // opened), so an opening between `i` and `j` would stop at `j` too: go on from
            // there, which keeps a line of ten thousand unclosed quote marks linear
            None => i = j.max(i + 1),
        }
    }
    out
}

/// The quotation at `qs..qe`'s sentence: from the start of the sentence holding its opening
/// mark to the end of the sentence holding its closing mark (both from the crate's one
/// sentence splitter, [`Sentences`], so the previous quotation's sentence never ends after
/// this one's starts). A quotation that ends its sentence (`ends_sentence`, "…." He said)
/// takes the next sentence as its attribution when that opens with a pronoun ("He said."),
/// and none when it opens with another capitalised word (a new sentence about something
/// else). The range always holds the quotation: `start <= qs` and `end >= qe`.
fn sentence_bounds(
    text: &str,
    sents: &Sentences,
    qs: usize,
    qe: usize,
    ends_sentence: bool,
) -> (usize, usize) {
    // at most WINDOW bytes on each side: a quotation's attribution is near it, and a sentence
    // of megabytes with thousands of quotations in it stays linear
    const WINDOW: usize = 400;
    let lo = text.floor_char_boundary(qs.saturating_sub(WINDOW));
    let hi = text.ceil_char_boundary(qe.saturating_add(WINDOW).min(text.len()));
    let s = sents.start_at(qs).clamp(lo, qs);
    let mut e = sents.end_at(qe.saturating_sub(1)).clamp(qe, hi.max(qe));
    if ends_sentence && text.get(qe..e).is_some_and(|g| g.trim().is_empty()) {
        let next_word = text
            .get(e..)
            .unwrap_or("")
            .trim_start()
            .split(|c: char| !c.is_alphabetic())
            .next()
            .unwrap_or("");
        if matches!(next_word, "He" | "She" | "They" | "It" | "I" | "We") {
            e = sents.end_at(e).clamp(e, hi.max(e));
        } else if next_word.starts_with(|c: char| c.is_uppercase()) {
            e = qe;
        }
    }
    (s, e)
}

/// The start of the sentence holding the last character of `text[..end]` (the sentence that
/// `end` closes).
fn sentence_start_of_last(text: &str, sents: &Sentences, end: usize) -> usize {
    let last = text
        .get(..end)
        .and_then(|h| h.char_indices().next_back())
        .map_or(0, |(p, _)| p);
    sents.start_at(last)
}

struct Ctx<'a> {
    d: &'a Detected,
    /// The text's sentences: every sentence start and end below comes from here.
    sents: &'a Sentences,
}

impl Ctx<'_> {
    /// The mentions inside `s..e` (the detection's mentions are sorted by start).
    fn mentions_in(&self, s: usize, e: usize) -> impl Iterator<Item = &entities::Mention> {
        let from = self.d.mentions.partition_point(|m| m.start < s);
        self.d.mentions[from..]
            .iter()
            .take_while(move |m| m.start < e)
            .filter(move |m| m.end <= e)
    }
    /// The mentions starting before `at`: a backward search for the latest one before a
    /// quotation starts here, not at the text's end (which made many quotations quadratic).
    fn mentions_before(&self, at: usize) -> &[entities::Mention] {
        let to = self.d.mentions.partition_point(|m| m.start < at);
        &self.d.mentions[..to]
    }
    fn speaker_ok(&self, idx: usize) -> bool {
        matches!(
            self.d.entities[idx].kind,
            EntityKind::Person | EntityKind::Organization
        )
    }
    fn name(&self, idx: usize) -> String {
        self.d.entities[idx].name.clone()
    }
    /// The first person named in the nearest sentence before `at` that names one (the
    /// subject a pronoun most likely refers to), with the mention's position.
    fn subject_before(&self, at: usize) -> Option<(usize, usize)> {
        let last = self.last_person_before(at)?;
        // the start of the sentence holding that latest mention
        let start = self.sents.start_at(last.1);
        self.mentions_in(start, at)
            .find(|m| self.d.entities[m.entity].kind == EntityKind::Person)
            .map(|m| (m.entity, m.start))
    }

    fn last_person_before(&self, at: usize) -> Option<(usize, usize)> {
        let to = self.d.mentions.partition_point(|m| m.start < at);
        self.d.mentions[..to]
            .iter()
            .rev()
            .find(|m| m.end <= at && self.d.entities[m.entity].kind == EntityKind::Person)
            .map(|m| (m.entity, m.start))
    }
}

enum Who {
    Entity(usize),
    Pronoun,
}

/// The speaker named after the quotation. A trailing "according to X" names the speaker only
/// when `according` is set (the caller tries it after the speaker before the quotation: in
/// `Xi said "…," according to Xinhua` the agency is the source of the report, not the speaker).
fn speaker_after(text: &str, cx: &Ctx, qe: usize, se: usize, according: bool) -> Option<Who> {
    let post = crate::text::sub(text, qe, se);
    if post.trim().is_empty() {
        return None;
    }
    // "…," according to X
    if let Some(a) = ACCORDING.find(post)
        && post[..a.start()]
            .trim_matches([' ', ',', '\t', '—', '–', '-'])
            .is_empty()
    {
        if !according {
            return None;
        }
        let from = qe + a.end();
        if let Some(m) = cx.mentions_in(from, se).find(|m| cx.speaker_ok(m.entity))
            && text[from..m.start].split_whitespace().count() <= 2
        {
            return Some(Who::Entity(m.entity));
        }
        return None;
    }
    // "said X"
    if let Some(v) = AFTER_VERB_FIRST.find(post) {
        let from = qe + v.end();
        let rest = &text[from..se];
        if let Some(m) = cx.mentions_in(from, se).next()
            && cx.speaker_ok(m.entity)
            && (text[from..m.start].split_whitespace().count() <= 1
                // "said Deputy Minister X", "said Kyrgyz President X": titles before the name
                || (cx.d.entities[m.entity].kind == EntityKind::Person
                    && text[from..m.start].split_whitespace().count() <= 6
                    && text[from..m.start].split_whitespace().all(|w| {
                        w.starts_with(|c: char| c.is_uppercase())
                            && w.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '.'))
                    }))
                // "said one farmer, Joseph Kiprono": a short description, then the name
                || (cx.d.entities[m.entity].kind == EntityKind::Person
                    && text[from..m.start].trim_end().ends_with(',')
                    && text[from..m.start].split_whitespace().count() <= 4
                    && !text[from..m.start].contains(['.', '"', '“', '”'])))
        {
            return Some(Who::Entity(m.entity));
        }
        if PRONOUN.find(rest).is_some_and(|p| p.start() <= 2) {
            return Some(Who::Pronoun);
        }
        return None;
    }
    // "X said", "the X report noted", "he added"
    let v = VERB_ANY.find(post)?;
    let vs = qe + v.start();
    let head = &text[qe..vs];
    // "X, the deputy economy minister, said": a person followed by an appositive wins over
    // an organisation named inside the appositive ("X, head of Gazprom, said"); right after
    // the quotation the appositive may be long ("X, secretary of state at the Ministry of
    // Public Works and Transport, told reporters")
    if let Some(m) = cx.mentions_in(qe, vs).find(|m| {
        cx.d.entities[m.entity].kind == EntityKind::Person
            && (appositive(&text[m.end..vs])
                || (long_appositive(&text[m.end..vs])
                    && text[qe..m.start]
                        .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '—' | '–'))
                        .is_empty()))
    }) {
        return Some(Who::Entity(m.entity));
    }
    if head.split_whitespace().count() > 8 {
        return None;
    }
    if let Some(m) = cx
        .mentions_in(qe, vs)
        .filter(|m| cx.speaker_ok(m.entity))
        .last()
        && text[m.end..vs].split_whitespace().count() <= 2
    {
        if unnamed_member(cx, m, &text[m.end..vs]) {
            return None;
        }
        return Some(Who::Entity(m.entity));
    }
    if PRONOUN.is_match(head) {
        return Some(Who::Pronoun);
    }
    role_anaphor(text, cx, head, qe).or_else(|| anaphor(text, cx, head, qe))
}

/// The sentence before `ss` is about someone unnamed ("A Central Asian diplomat I spoke to
/// was less diplomatic."): a pronoun in the next quotation refers to that person, so nobody
/// named is the speaker.
fn unnamed_subject_before(text: &str, cx: &Ctx, ss: usize) -> bool {
    let head = text[..ss].trim_end();
    if head.is_empty() {
        return false;
    }
    let ps = sentence_start_of_last(text, cx.sents, head.len());
    let prev = &text[ps..head.len()];
    let first = prev.split(' ').next().unwrap_or("");
    matches!(first, "A" | "An" | "One" | "Another")
        && !cx
            .mentions_in(ps, head.len())
            .any(|m| cx.d.entities[m.entity].kind == EntityKind::Person)
}

/// "A Foreign Ministry spokesman said", "Gazprom officials told": the speaker is an unnamed
/// member of the organisation, not the organisation.
fn unnamed_member(cx: &Ctx, m: &entities::Mention, gap: &str) -> bool {
    cx.d.entities[m.entity].kind == EntityKind::Organization
        && gap.split_whitespace().any(|w| {
            matches!(
                w.trim_matches(|c: char| !c.is_alphabetic()),
                "spokesman"
                    | "spokeswoman"
                    | "spokesperson"
                    | "official"
                    | "officials"
                    | "source"
                    | "sources"
                    | "representative"
                    | "representatives"
                    | "diplomat"
                    | "diplomats"
                    | "employee"
                    | "employees"
                    | "staff"
                    | "analyst"
                    | "analysts"
                    | "adviser"
                    | "advisor"
                    | "aide"
                    | "insider"
                    | "member"
                    | "members"
                    | "officer"
                    | "officers"
                    | "expert"
                    | "experts"
                    | "researcher"
                    | "researchers"
                    | "lawyer"
                    | "lawyers"
                    // "its president said", "the company's chairman told": a named
                    // organisation's unnamed head is not the organisation
                    | "president"
                    | "chairman"
                    | "chairwoman"
                    | "chair"
                    | "head"
                    | "chief"
                    | "director"
                    | "executive"
                    | "ceo"
                    | "boss"
                    | "founder"
                    | "manager"
                    | "deputy"
                    | "secretary"
                    | "governor"
                    | "leader"
                    | "owner"
                    | "minister"
                    | "envoy"
                    | "ambassador"
                    | "commander"
                    | "economist"
                    | "economists"
                    | "banker"
                    | "bankers"
            )
        })
}

/// Nouns for a person that, after "a"/"an"/"one"/"another", introduce someone unnamed.
const PERSON_NOUNS: &[&str] = &[
    "diplomat",
    "official",
    "officer",
    "resident",
    "man",
    "woman",
    "source",
    "analyst",
    "driver",
    "banker",
    "herder",
    "farmer",
    "trader",
    "worker",
    "miner",
    "businessman",
    "businesswoman",
    "activist",
    "witness",
    "soldier",
    "teacher",
    "student",
    "journalist",
    "expert",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "representative",
    "employee",
    "manager",
    "executive",
    "engineer",
    "doctor",
    "lawyer",
    "villager",
    "local",
    "passenger",
    "pilot",
    "captain",
    "sailor",
    "fisherman",
    "shopkeeper",
    "vendor",
    "merchant",
    "refugee",
    "migrant",
    "mother",
    "father",
    "person",
    "member",
    "insider",
    "observer",
    "critic",
    "economist",
    "researcher",
    "scholar",
    "professor",
    "commander",
    "guard",
    "policeman",
    "investor",
    "entrepreneur",
    "owner",
    "director",
    "adviser",
    "advisor",
    "aide",
    "consultant",
    "negotiator",
    "lawmaker",
    "deputy",
    "voter",
    "protester",
    "pensioner",
    "nurse",
    "guide",
    "neighbour",
    "neighbor",
    "friend",
    "relative",
    "veteran",
    "elder",
    "priest",
    "imam",
    "mullah",
    "cleric",
    "smuggler",
    "broker",
    "dealer",
    "clerk",
    "inspector",
    "ranger",
];

/// An unnamed person ("a Russian diplomat", "one resident", "another official") is mentioned
/// in `text[from..to]`, not in apposition to a named one ("Almaz Bekov, a senior economist").
fn unnamed_referent(text: &str, cx: &Ctx, from: usize, to: usize) -> bool {
    for t in crate::text::words(&text[from..to]) {
        let (w, at) = (t.s, from + t.start);
        if !matches!(
            w,
            "a" | "an" | "A" | "An" | "one" | "One" | "another" | "Another"
        ) {
            continue;
        }
        let tail = &text[at + w.len()..to];
        let hit = tail
            .split_whitespace()
            .take(4)
            .map(|x| x.trim_end_matches([',', '.', ';', ':']))
            .take_while(|x| !x.is_empty())
            .any(|x| PERSON_NOUNS.contains(&x.to_lowercase().as_str()));
        if !hit {
            continue;
        }
        // a predicate ("works as a sound engineer", "she is a teacher"), or in apposition to
        // a person named right before ("Gulnara Bakytzhan, 46, a teacher"): not someone else
        let head = text[..at].trim_end();
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
                    text[m.end..at]
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
fn introduced_by_colon(text: &str, sents: &Sentences, s: usize) -> Option<(usize, usize)> {
    let head = text.get(..s)?.trim_end();
    if !head.ends_with(':') {
        return None;
    }
    let colon = head.len() - 1;
    Some((sents.start_at(colon).min(colon), colon))
}

/// A name right after a preposition ("a notice at the gate of the ministry read:") is not
/// the subject of the clause.
fn after_preposition(text: &str, from: usize, at: usize) -> bool {
    let mut words = text[from..at]
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .rev();
    let mut w = words.next().unwrap_or("");
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
fn appositive(gap: &str) -> bool {
    let g = gap.trim();
    g.len() > 2
        && g.starts_with(',')
        && g.ends_with(',')
        && g.split_whitespace().count() <= 10
        && !g.contains(['.', '"', '“', '”', ';', ':', '\n'])
}

/// A longer appositive right after a quotation's speaker: up to 16 words between commas.
fn long_appositive(gap: &str) -> bool {
    let g = gap.trim();
    g.len() > 2
        && g.starts_with(',')
        && g.ends_with(',')
        && g.split_whitespace().count() <= 16
        && !g.contains(['.', '"', '“', '”', ';', ':', '\n'])
}

static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:the|The) (CEO|CFO|COO|CTO|chief executive|chairman|chairwoman|chair|minister|deputy minister|ambassador|envoy|president|governor|mayor|director|secretary|commander|general|prosecutor|judge|professor|economist|analyst|spokesman|spokeswoman|spokesperson)(?-u:\b)").expect("compiles")
});

/// "the CFO said" right after "NNPC Ltd. Chief Financial Officer, Mr. Chukwuemeka Eze,
/// said ...": the person named with that role in the paragraph before the quotation (the
/// role word, or the title an acronym stands for, within 80 bytes of a mention of them).
/// Nobody when no person of the paragraph holds the role ("a spokesman said": unnamed).
fn role_anaphor(text: &str, cx: &Ctx, clause: &str, at: usize) -> Option<Who> {
    let c = ROLE.captures(clause)?;
    if after_preposition(clause, 0, c.get(0)?.start()) {
        return None;
    }
    let role = c.get(1)?.as_str();
    let forms: &[&str] = match role {
        "CEO" | "chief executive" => &["CEO", "Chief Executive", "chief executive"],
        "CFO" => &[
            "CFO",
            "Financial Officer",
            "finance chief",
            "Finance Director",
        ],
        "COO" => &["COO", "Operating Officer"],
        "CTO" => &["CTO", "Technology Officer"],
        _ => &[],
    };
    let para = text[..at].rfind('\n').map_or(0, |p| p + 1);
    let to = cx.d.mentions.partition_point(|m| m.start < at);
    cx.d.mentions[..to]
        .iter()
        .rev()
        .filter(|m| m.start >= para && cx.d.entities[m.entity].kind == EntityKind::Person)
        .find(|m| {
            let a = text.floor_char_boundary(m.start.saturating_sub(80).max(para));
            let b = text.ceil_char_boundary((m.end + 80).min(at));
            let win = &text[a..b.max(m.end)];
            if forms.is_empty() {
                win.match_indices(role).any(|(p, _)| {
                    crate::text::boundary_before(win, p)
                        && crate::text::boundary_after(win, p + role.len())
                }) || {
                    // "Deputy Minister X": the title in capitals
                    let cap: String = role
                        .split(' ')
                        .map(|w| {
                            let mut cs = w.chars();
                            cs.next()
                                .map(|f| f.to_uppercase().chain(cs).collect::<String>())
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                        .join(" ");
                    win.contains(&cap)
                }
            } else {
                forms.iter().any(|f| win.contains(f))
            }
        })
        .map(|m| Who::Entity(m.entity))
}

/// A person's likely gender from the form of the surname (Slavic and Central Asian endings:
/// -ova/-eva/-skaya female, -ov/-ev/-sky male; other names, Chinese ones included, are
/// unknown); `Some(true)` for female.
fn name_gender(name: &str) -> Option<bool> {
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

/// "the committee said", "the ministry added": the latest organisation mentioned before `at`
/// whose name holds that noun.
fn anaphor(text: &str, cx: &Ctx, clause: &str, at: usize) -> Option<Who> {
    let c = ANAPHOR.captures(clause)?;
    if after_preposition(clause, 0, c.get(0)?.start()) {
        return None; // "a notice at the gate of the ministry read:"
    }
    let noun = c.get(1)?.as_str();
    let found = cx
        .mentions_before(at)
        .iter()
        .rev()
        .filter(|m| m.end <= at)
        .find(|m| {
            let e = &cx.d.entities[m.entity];
            e.kind == EntityKind::Organization
                && e.name
                    .split(' ')
                    .any(|w| w.len() == noun.len() && w.eq_ignore_ascii_case(noun))
        })
        .or_else(|| {
            // "the company said" after "according to QazaqGaz": the latest organisation
            // mentioned within the last 300 bytes
            matches!(
                noun,
                "company" | "firm" | "group" | "agency" | "operator" | "statement"
            )
            .then(|| {
                cx.mentions_before(at)
                    .iter()
                    .rev()
                    // (no mention is 700 bytes long: stop looking well before)
                    .take_while(|m| m.start.saturating_add(1000) >= at)
                    .filter(|m| m.end <= at && m.end + 300 >= at)
                    .find(|m| cx.d.entities[m.entity].kind == EntityKind::Organization)
            })
            .flatten()
        });
    let _ = text;
    found.map(|m| Who::Entity(m.entity))
}

fn speaker_before(text: &str, cx: &Ctx, ss: usize, qs: usize) -> Option<Who> {
    let pre = crate::text::sub(text, ss, qs);
    if let Some(c) = QUOTED_AS.captures(pre)
        && let Some(w) = c.name("who")
    {
        let (a, b) = (ss + w.start(), ss + w.end());
        if let Some(m) = cx.mentions_in(a, b).find(|m| cx.speaker_ok(m.entity)) {
            return Some(Who::Entity(m.entity));
        }
        if PRONOUN.is_match(w.as_str())
            || w.as_str().contains(" him ")
            || w.as_str().contains(" her ")
        {
            return Some(Who::Pronoun);
        }
    }
    if let Some(a) = ACCORDING.find_iter(pre).last() {
        let from = ss + a.end();
        if let Some(m) = cx.mentions_in(from, qs).find(|m| cx.speaker_ok(m.entity))
            && text[from..m.start].split_whitespace().count() <= 2
        {
            return Some(Who::Entity(m.entity));
        }
    }
    let Some(v) = VERB_ANY.find_iter(pre).last() else {
        // "X, deputy minister, put it bluntly in an interview: “…”": the person who is the
        // subject of a clause ending in a colon
        if pre.trim_end().ends_with(':') {
            return cx
                .mentions_in(ss, qs)
                .next()
                .filter(|m| {
                    cx.d.entities[m.entity].kind == EntityKind::Person
                        && text[ss..m.start].split_whitespace().count() <= 1
                })
                .map(|m| Who::Entity(m.entity));
        }
        return None;
    };
    let vs = ss + v.start();
    // "X, who met Y in Cairo last week, said": Y is inside a relative clause, not the subject
    let relative = relative_clauses(text, ss, vs);
    let subj: Vec<_> = cx
        .mentions_in(ss, vs)
        .filter(|m| cx.speaker_ok(m.entity) && !after_preposition(text, ss, m.start))
        .filter(|m| !relative.iter().any(|&(a, b)| a < m.start && m.end <= b))
        .collect();
    let person = subj
        .iter()
        .rev()
        .find(|m| cx.d.entities[m.entity].kind == EntityKind::Person);
    if let Some(m) = person.or(subj.last()) {
        if unnamed_member(cx, m, &text[m.end..vs]) {
            return None;
        }
        // a pronoun between the name and the verb belongs to someone else's clause
        return Some(Who::Entity(m.entity));
    }
    if PRONOUN.is_match(&text[ss..vs]) {
        return Some(Who::Pronoun);
    }
    role_anaphor(text, cx, &text[ss..vs], ss).or_else(|| anaphor(text, cx, &text[ss..vs], ss))
}

/// Byte ranges of the relative clauses and appositives set off by commas in `text[s..e]`
/// (", who met X in Cairo,", ", whose ... ,", ", which ... ,"): names inside are not the
/// clause's subject.
fn relative_clauses(text: &str, s: usize, e: usize) -> Vec<(usize, usize)> {
    let seg = &text[s..e];
    let mut out = Vec::new();
    for p in [", who ", ", whose ", ", which ", ", where "] {
        for (i, _) in seg.match_indices(p) {
            if let Some(c) = seg[i + p.len()..].find(',') {
                out.push((s + i, s + i + p.len() + c));
            }
        }
    }
    out
}

/// Find quotations and speakers. `d` is the entity detection for `text`.
pub fn find(text: &str, d: &Detected, o: &QuotesOptions) -> Vec<(usize, Quote)> {
    let sents = Sentences::new(text);
    let cx = Ctx { d, sents: &sents };
    let raw = spans(text);
    // merge "…,” he said. “…”" into one quotation
    type Raw = (usize, usize, String, Option<(usize, usize)>);
    let mut merged: Vec<Raw> = Vec::new();
    for (s, e, t) in raw {
        if let Some(last) = merged.last_mut() {
            let gap = crate::text::sub(text, last.1, s);
            let g = gap.trim_end();
            // one sentence of attribution (abbreviations do not end it: "said Mrs. X, ...
            // of NNPC Ltd."), of up to 40 words before a comma; a whole sentence ending in a
            // full stop right before the next part may be longer
            let limit = if g.ends_with('.') { 80 } else { 40 };
            if !gap.contains('\n')
                && gap.split_whitespace().count() <= limit
                && g.ends_with(['.', ','])
                && !sents.crosses(last.1, last.1 + g.len().saturating_sub(1))
                && VERB_ANY.is_match(gap)
                && last.2.ends_with(',')
            {
                let g = (last.1, s);
                if !last.2.ends_with(',') && !last.2.ends_with(['.', '?', '!']) {
                    last.2.push(',');
                }
                last.2.push(' ');
                last.2.push_str(&t);
                last.1 = e;
                last.3 = Some(g);
                continue;
            }
        }
        merged.push((s, e, t, None));
    }
    let mut out: Vec<(usize, Quote)> = Vec::new();
    let mut last_speaker: Option<(usize, usize)> = None;
    let mut prev_end: Option<(usize, Option<usize>)> = None;
    let mut prev_para: Option<(usize, Option<usize>)> = None;
    let mut genders: std::collections::HashMap<usize, bool> = std::collections::HashMap::new();
    for (s, e, t, gap) in merged {
        let ends = t
            .trim_end_matches(['"', '”', '’', '\''])
            .ends_with(['.', '?', '!', '…']);
        let (ss, se) = sentence_bounds(text, &sents, s, e, ends);
        let wc = t.split_whitespace().count();
        if wc < o.min_words {
            // a short quotation is kept only as a complete utterance with its attribution
            // right after it ("We will win," Bekov said.); scare quotes and labels are not
            let utterance = wc >= 2 && t.ends_with([',', '.', '!', '?']);
            if !(utterance && speaker_after(text, &cx, e, se, true).is_some()) {
                continue;
            }
        }
        let para = text[..s].rfind('\n').map_or(0, |p| p + 1);
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
            who = speaker_before(text, &cx, ps, colon);
        }
        let mut speaker = match who {
            Some(Who::Entity(i)) => Some(i),
            Some(Who::Pronoun) if unnamed_subject_before(text, &cx, ss) => None,
            // "when I asked a Russian diplomat ..., he smiled and said": the pronoun is the
            // unnamed person's, not the last named one's
            Some(Who::Pronoun)
                if {
                    let last_end = cx
                        .mentions_before(s)
                        .iter()
                        .rev()
                        .find(|m| m.end <= s && cx.d.entities[m.entity].kind == EntityKind::Person)
                        .map_or(0, |m| m.end);
                    let from = text.floor_char_boundary(last_end.max(s.saturating_sub(300)));
                    unnamed_referent(text, &cx, from, s)
                } =>
            {
                None
            }
            Some(Who::Pronoun) => {
                // the person mentioned most recently, unless the last quotation's speaker came
                // after that mention
                let speaker =
                    last_speaker.filter(|&(i, _)| cx.d.entities[i].kind == EntityKind::Person);
                let first = match (cx.subject_before(s), speaker) {
                    (Some((p, at)), Some((_, qat))) if at > qat => Some(p),
                    (_, Some((i, _))) => Some(i),
                    (Some((p, _)), None) => Some(p),
                    (None, None) => None,
                };
                // "she" never resolves to someone already referred to as "he" (and back)
                let g = gap.map_or("", |(a, b)| crate::text::sub(text, a, b));
                let around = format!(
                    "{} {} {}",
                    crate::text::sub(text, ss, s),
                    g,
                    crate::text::sub(text, e, se)
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
                let pick = first.filter(|&i| ok(i)).or_else(|| {
                    cx.mentions_before(s)
                        .iter()
                        .rev()
                        .filter(|m| {
                            m.end <= s && cx.d.entities[m.entity].kind == EntityKind::Person
                        })
                        .map(|m| m.entity)
                        .find(|&i| ok(i))
                });
                if let Some(i) = pick
                    && (female_named || male_named)
                {
                    genders.insert(i, female_named);
                }
                pick
            }
            None => None,
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
            }
        }
        if speaker.is_none()
            && let Some((pp, Some(ps))) = prev_para
            && pp == para
        {
            // a later quotation in the same paragraph, with no attribution of its own
            speaker = Some(ps);
        }
        if let Some(i) = speaker {
            last_speaker = Some((i, e));
        }
        prev_end = Some((se, speaker));
        prev_para = Some((para, speaker));
        out.push((
            s,
            Quote {
                text: t,
                speaker: speaker.map(|i| cx.name(i)),
                section: None,
            },
        ));
    }
    out
}

impl SyncExtractor for Quotes {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let d = entities::detect_cached(&item.text);
        let found = find(&item.text, &d, &self.0);
        let v = found
            .into_iter()
            .map(|(off, mut q)| {
                q.section = crate::section_at(item, off);
                if let Some(ents) = item.entities.as_deref() {
                    q.speaker = q.speaker.map(|sp| canonical(ents, sp));
                }
                q
            })
            .collect();
        item.quotes = Some(v);
        Ok(())
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
