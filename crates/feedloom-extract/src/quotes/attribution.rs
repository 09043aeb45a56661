//! Who a quotation's own sentence names as its speaker: the attribution rules, each returning
//! an [`Attribution`] with the rule's name (the one `feedloom extract --explain` prints).
//!
//! After the quotation ([`speaker_after`]), in this order:
//! - `according_to_after`: `“…,” according to X` (only when the caller asks: in `Xi said
//!   “…,” according to Xinhua` the agency is the source, not the speaker);
//! - `said_speaker_after`: `said X`, `said Deputy Minister X`, `said one farmer, X`;
//! - `said_pronoun_after`: `said he`;
//! - `speaker_appositive_said_after`: `X, the deputy minister, said`;
//! - `speaker_said_after`: `X said`, `X told reporters`;
//! - `pronoun_said_after`: `he added`;
//! - `role_said_after`: `the CFO said` (the person the paragraph named with that role);
//! - `organisation_noun_said_after`: `the ministry said` (the latest organisation with that
//!   noun in its name).
//!
//! Before it ([`speaker_before`]):
//! - `quoted_as_saying`, `quoted_pronoun_as_saying`: `quoted X as saying`;
//! - `according_to_before`: `according to X, “…”`;
//! - `subject_before_colon`: `X put it bluntly: “…”` (no verb);
//! - `speaker_before_said`: `X said/told/noted ...: “…”`, `X, ..., touting the expo as “…”`;
//! - `pronoun_before_said`: `he said: “…”`;
//! - `role_before_said`, `organisation_noun_before_said`: as after the quotation.

use std::sync::LazyLock;

use feedloom_core::item::EntityKind;
use regex::Regex;

use super::context::{
    Ctx, after_preposition, appositive, long_appositive, relative_clauses, unnamed_member,
};
use crate::entities;
use crate::lexicon::{Lexicon, alternation};
use crate::text;

static SPEECH_VERBS: LazyLock<Lexicon> = crate::lexicon!("quotes_speech_verbs");
static SPEECH_PARTICIPLES: LazyLock<Lexicon> = crate::lexicon!("quotes_speech_participles");
static ORGANISATION_NOUNS: LazyLock<Lexicon> = crate::lexicon!("quotes_organisation_nouns");
static ROLES: LazyLock<Lexicon> = crate::lexicon!("quotes_roles");
static COMPANY_FORMS: LazyLock<Lexicon> = crate::lexicon!("quotes_company_forms");

static AFTER_VERB_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = alternation(SPEECH_VERBS.words());
    Regex::new(&format!(r"^[[ \t\r\n],.;:!?—–-]*(?:{verbs})(?-u:\b)"))
        .expect("the verb-first regex compiles")
});
pub(crate) static VERB_ANY: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = alternation(SPEECH_VERBS.words());
    let participles = alternation(SPEECH_PARTICIPLES.words());
    Regex::new(&format!(r"(?-u:\b)(?:{verbs}|{participles})(?-u:\b)"))
        .expect("the verb regex compiles")
});
static ACCORDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)according to(?-u:\b)").expect("the according-to regex compiles")
});
static QUOTED_AS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:quoted|cited)(?-u:\b)(?P<who>.{1,80}?)(?-u:\b)as (?:saying|telling|stating)(?-u:\b)")
        .expect("the quoted-as regex compiles")
});
static ANAPHOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?:the|The|its|Its) (?P<noun>{})(?-u:\b)",
        alternation(ORGANISATION_NOUNS.words())
    ))
    .expect("the anaphor regex compiles")
});
static ROLE: LazyLock<Regex> = LazyLock::new(|| {
    let roles = alternation(ROLES.words());
    Regex::new(&format!(r"(?-u:\b)(?:the|The) (?P<role>{roles})(?-u:\b)"))
        .expect("the role regex compiles")
});
pub(crate) static SHE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:she|She|her|Her)(?-u:\b)").expect("the she regex compiles")
});
pub(crate) static HE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:he|He|his|His|him)(?-u:\b)").expect("the he regex compiles")
});
static PRONOUN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:he|she|He|She)(?-u:\b)").expect("the pronoun regex compiles")
});

/// Who the attribution names: an entity of the detection, or a pronoun to resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Who {
    Entity(usize),
    Pronoun,
}

/// What an attribution rule found: who, the words that name them (byte offsets of the
/// mention, pronoun or role in the text) and the rule's name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attribution {
    pub(crate) who: Who,
    pub(crate) span: (usize, usize),
    pub(crate) rule: &'static str,
}

fn entity(m: &entities::Mention, rule: &'static str) -> Option<Attribution> {
    Some(Attribution {
        who: Who::Entity(m.entity),
        span: (m.start, m.end),
        rule,
    })
}

fn pronoun(span: (usize, usize), rule: &'static str) -> Option<Attribution> {
    Some(Attribution {
        who: Who::Pronoun,
        span,
        rule,
    })
}

/// The number of words in `text[a..b]`.
fn words(text: &str, a: usize, b: usize) -> usize {
    text::sub(text, a, b).split_whitespace().count()
}

/// The words between a speech verb and a person name only a role: up to six words of
/// letters (a title's abbreviation such as `Gov.` or `Col.` may keep its full stop; `the`
/// only first), none a stopword ("said on Tuesday that X" names no speaker), no punctuation.
fn role_words(between: &str) -> bool {
    let ws: Vec<&str> = between.split_whitespace().collect();
    ws.len() <= 6
        && ws.iter().enumerate().all(|(i, w)| {
            let core = w.strip_suffix('.').unwrap_or(w);
            let abbreviation = core.len() < w.len();
            !core.is_empty()
                && core
                    .chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '&'))
                && (!abbreviation || core.starts_with(char::is_uppercase))
                && (if i == 0 && matches!(core, "the" | "The") {
                    true
                } else {
                    !text::is_stopword(core)
                })
        })
}

/// The speaker named after the quotation (its end `qe`, its sentence's end `se`). A trailing
/// "according to X" names the speaker only when `according` is set (the caller tries it after
/// the speaker before the quotation).
pub(crate) fn speaker_after(
    text: &str,
    cx: &Ctx,
    qe: usize,
    se: usize,
    according: bool,
) -> Option<Attribution> {
    let post = text::sub(text, qe, se);
    if post.trim().is_empty() {
        return None;
    }
    // "…," according to X
    if let Some(a) = ACCORDING.find(post)
        && text::sub(post, 0, a.start())
            .trim_matches([' ', ',', '\t', '—', '–', '-'])
            .is_empty()
    {
        if !according {
            return None;
        }
        let from = qe + a.end();
        if let Some(m) = cx.mentions_in(from, se).find(|m| cx.speaker_ok(m.entity))
            && words(text, from, m.start) <= 2
        {
            return entity(m, "according_to_after");
        }
        return None;
    }
    // "said X"
    if let Some(v) = AFTER_VERB_FIRST.find(post) {
        let from = qe + v.end();
        let rest = text::sub(text, from, se);
        // "said deputy finance minister X", "said Celtics coach X", "said NUM regional
        // secretary X": a role of lower-case words (and an employer's name) before the person
        // (the last such person: "said Liberal senator X" where "Liberal" was taken for a
        // name)
        if let Some(m) = cx
            .mentions_in(from, se)
            .take_while(|m| words(text, from, m.start) <= 6)
            .filter(|m| {
                let between = text::sub(text, from, m.start);
                cx.d.entities[m.entity].kind == EntityKind::Person
                    && !between.trim().is_empty()
                    && role_words(between)
            })
            .last()
        {
            return entity(m, "said_role_speaker_after");
        }
        if let Some(m) = cx.mentions_in(from, se).next()
            && cx.speaker_ok(m.entity)
            // "said one NASA official": an unnamed member, not the organisation
            && !unnamed_member(
                cx,
                m,
                text::sub(text, m.end, text.ceil_char_boundary((m.end + 24).min(se))),
            )
        {
            let between = text::sub(text, from, m.start);
            let person = cx.d.entities[m.entity].kind == EntityKind::Person;
            if between.split_whitespace().count() <= 1
                // "said Deputy Minister X", "said Kyrgyz President X": titles before the name
                || (person
                    && between.split_whitespace().count() <= 6
                    && between.split_whitespace().all(|w| {
                        w.starts_with(|c: char| c.is_uppercase())
                            && w.chars().all(|c| c.is_alphabetic() || matches!(c, '-' | '.'))
                    }))
                // "said one farmer, Joseph Kiprono": a short description, then the name
                || (person
                    && between.trim_end().ends_with(',')
                    && between.split_whitespace().count() <= 4
                    && !between.contains(['.', '"', '“', '”']))
            {
                return entity(m, "said_speaker_after");
            }
        }
        if let Some(p) = PRONOUN.find(rest)
            && p.start() <= 2
        {
            return pronoun((from + p.start(), from + p.end()), "said_pronoun_after");
        }
        return None;
    }
    // "X said", "the X report noted", "he added"
    let v = VERB_ANY.find(post)?;
    let vs = qe + v.start();
    let head = text::sub(text, qe, vs);
    // "“…,” while Y said ...": a clause of its own after a conjunction attributes what
    // follows it, not this quotation
    let opening = head.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | '—' | '–' | '-' | '"' | '”' | '’')
    });
    if ["while ", "whereas ", "but ", "and ", "as "]
        .iter()
        .any(|c| opening.starts_with(c))
    {
        return None;
    }
    // "X, the deputy economy minister, said": a person followed by an appositive wins over
    // an organisation named inside the appositive ("X, head of Gazprom, said"); right after
    // the quotation the appositive may be long ("X, secretary of state at the Ministry of
    // Public Works and Transport, told reporters")
    if let Some(m) = cx.mentions_in(qe, vs).find(|m| {
        let gap = text::sub(text, m.end, vs);
        cx.d.entities[m.entity].kind == EntityKind::Person
            && (appositive(gap)
                || (long_appositive(gap)
                    && text::sub(text, qe, m.start)
                        .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '—' | '–'))
                        .is_empty()))
    }) {
        return entity(m, "speaker_appositive_said_after");
    }
    if head.split_whitespace().count() > 8 {
        return None;
    }
    if let Some(m) = cx
        .mentions_in(qe, vs)
        .filter(|m| cx.speaker_ok(m.entity))
        .last()
        && words(text, m.end, vs) <= 2
    {
        if unnamed_member(cx, m, text::sub(text, m.end, vs)) {
            return None;
        }
        return entity(m, "speaker_said_after");
    }
    if let Some(p) = PRONOUN.find(head) {
        return pronoun((qe + p.start(), qe + p.end()), "pronoun_said_after");
    }
    role_anaphor(text, cx, head, qe, "role_said_after")
        .or_else(|| anaphor(cx, head, qe, "organisation_noun_said_after"))
}

/// The speaker named before the quotation, in `text[ss..qs]` (from its sentence's start to its
/// opening mark).
pub(crate) fn speaker_before(text: &str, cx: &Ctx, ss: usize, qs: usize) -> Option<Attribution> {
    let pre = text::sub(text, ss, qs);
    if let Some(c) = QUOTED_AS.captures(pre)
        && let Some(w) = c.name("who")
    {
        let (a, b) = (ss + w.start(), ss + w.end());
        if let Some(m) = cx.mentions_in(a, b).find(|m| cx.speaker_ok(m.entity)) {
            return entity(m, "quoted_as_saying");
        }
        if PRONOUN.is_match(w.as_str())
            || w.as_str().contains(" him ")
            || w.as_str().contains(" her ")
        {
            return pronoun((a, b), "quoted_pronoun_as_saying");
        }
    }
    if let Some(a) = ACCORDING.find_iter(pre).last() {
        let from = ss + a.end();
        if let Some(m) = cx.mentions_in(from, qs).find(|m| cx.speaker_ok(m.entity))
            && words(text, from, m.start) <= 2
        {
            return entity(m, "according_to_before");
        }
    }
    let Some(v) = VERB_ANY.find_iter(pre).last() else {
        // "X, deputy minister, put it bluntly in an interview: “…”": the person who is the
        // subject of a clause ending in a colon
        if pre.trim_end().ends_with(':') {
            let m = cx.mentions_in(ss, qs).next().filter(|m| {
                cx.d.entities[m.entity].kind == EntityKind::Person && words(text, ss, m.start) <= 1
            })?;
            return entity(m, "subject_before_colon");
        }
        return None;
    };
    let vs = ss + v.start();
    // "which he described as “…”", "she said: “…”": a pronoun right before the verb is its
    // subject, whatever names the clause holds before it
    let head = text::sub(text, ss, vs).trim_end();
    let last_word = head
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    if matches!(last_word, "he" | "He" | "she" | "She") && head.len() > last_word.len() {
        let p = ss + head.len() - last_word.len();
        return pronoun((p, p + last_word.len()), "pronoun_before_said");
    }
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
        // the words of a relative clause after the name are not its role: "X (NUM), which
        // has lost thousands of members to Y, said" is X speaking
        let gap_start = relative
            .iter()
            .filter(|&&(a, b)| a >= m.end && b <= vs)
            .map(|&(_, b)| b)
            .max()
            .unwrap_or(m.end);
        if unnamed_member(cx, m, text::sub(text, gap_start, vs)) {
            return None;
        }
        // a pronoun between the name and the verb belongs to someone else's clause
        return entity(m, "speaker_before_said");
    }
    let clause = text::sub(text, ss, vs);
    if let Some(p) = PRONOUN.find(clause) {
        return pronoun((ss + p.start(), ss + p.end()), "pronoun_before_said");
    }
    role_anaphor(text, cx, clause, ss, "role_before_said")
        .or_else(|| anaphor(cx, clause, ss, "organisation_noun_before_said"))
}

/// "the CFO said" right after "NNPC Ltd. Chief Financial Officer, Mr. Chukwuemeka Eze,
/// said ...": the person named with that role in the paragraph before the quotation (the
/// role word, or the title an acronym stands for, within 80 bytes of a mention of them).
/// Nobody when no person of the paragraph holds the role ("a spokesman said": unnamed).
/// `clause` starts at byte `at` of `text`.
fn role_anaphor(
    text: &str,
    cx: &Ctx,
    clause: &str,
    at: usize,
    rule: &'static str,
) -> Option<Attribution> {
    let c = ROLE.captures(clause)?;
    let whole = c.get(0)?;
    if after_preposition(clause, 0, whole.start()) {
        return None;
    }
    let role = c.name("role")?.as_str();
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
    let para = cx.paras.start_of(at);
    // "A lawyer familiar with the case ... “…,” the lawyer said": an unnamed holder of the
    // role introduced in the paragraph: nobody
    let before_in_para = text::sub(text, para, at);
    if ["a ", "A ", "an ", "An "].iter().any(|a| {
        before_in_para
            .match_indices(&format!("{a}{role}"))
            .any(|(p, m)| {
                text::boundary_before(before_in_para, p)
                    && text::boundary_after(before_in_para, p + m.len())
            })
    }) {
        return None;
    }
    let to = cx.d.mentions.partition_point(|m| m.start < at);
    // the paragraph first, then the text before it ("The judge, Sir Edmund Harcourt,
    // rejected that argument." paragraphs earlier), at most 6,000 bytes back
    let earliest = at.saturating_sub(6000);
    let in_para = |m: &&entities::Mention| m.start >= para;
    let before_para = |m: &&entities::Mention| m.start < para && m.start >= earliest;
    let holds = |m: &&entities::Mention| {
        let own_para = cx.paras.start_of(m.start);
        let a = text.floor_char_boundary(m.start.saturating_sub(80).max(own_para));
        let b = text.ceil_char_boundary((m.end + 80).min(at));
        let win = text::sub(text, a, b.max(m.end));
        if forms.is_empty() {
            win.match_indices(role).any(|(p, _)| {
                text::boundary_before(win, p) && text::boundary_after(win, p + role.len())
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
    };
    let people = || {
        cx.d.mentions[..to]
            .iter()
            .rev()
            .take_while(move |m| m.start >= earliest)
            .filter(|m| cx.d.entities[m.entity].kind == EntityKind::Person)
    };
    let holder = people()
        .filter(in_para)
        .find(holds)
        .or_else(|| people().filter(before_para).find(holds))?;
    Some(Attribution {
        who: Who::Entity(holder.entity),
        span: (at + whole.start(), at + whole.end()),
        rule,
    })
}

/// "the committee said", "the ministry added": the latest organisation mentioned before `at`
/// whose name holds that noun. `clause` starts at byte `at` of the text.
fn anaphor(cx: &Ctx, clause: &str, at: usize, rule: &'static str) -> Option<Attribution> {
    let c = ANAPHOR.captures(clause)?;
    let whole = c.get(0)?;
    if after_preposition(clause, 0, whole.start()) {
        return None; // "a notice at the gate of the ministry read:"
    }
    let noun = c.name("noun")?.as_str();
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
            // "the company said" after "Stridely Ltd ... the Court of Appeal": the latest
            // organisation whose name ends in a legal form, within the last 1,500 bytes
            matches!(noun, "company" | "firm")
                .then(|| {
                    cx.mentions_before(at)
                        .iter()
                        .rev()
                        .take_while(|m| m.start.saturating_add(1500) >= at)
                        .filter(|m| m.end <= at)
                        .find(|m| {
                            let e = &cx.d.entities[m.entity];
                            e.kind == EntityKind::Organization
                                && e.name.rsplit(' ').next().is_some_and(|w| {
                                    COMPANY_FORMS.contains(w.trim_end_matches('.'))
                                })
                        })
                })
                .flatten()
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
        })?;
    Some(Attribution {
        who: Who::Entity(found.entity),
        span: (at + whole.start(), at + whole.end()),
        rule,
    })
}
