//! `type: keywords` — the article's top terms and phrases (RAKE/YAKE-style, no model).
//!
//! Candidates are runs of one to `max_words` words (default 3) between stopwords, punctuation,
//! numbers, common verbs and lower-case past forms ("raised"), and roles before a name
//! ("Governor X" gives "X"). A word scores by how often it occurs, how early it first appears
//! and how many different phrases it sits in (its degree, as in RAKE); a phrase scores the
//! mean of its words times its own frequency, with a bonus for capitalised (name-like) phrases
//! and for appearing in the title. Phrases contained in a better one are dropped.
//!
//! Stopwords never start, end or make up a keyword, and lines that `clean`'s built-in
//! patterns call boilerplate (newsletter and donation prompts, "Share this article", "Follow us
//! on ...") are left out even when `clean` did not run.
//!
//! Options: `max` (default 10), `max_words` (default 3, at most 6), `min_chars` (default 3).
//!
//! Output: `item.keywords = [{term, score}]`, best first (scores normalised to 0..1).

use std::collections::HashMap;

use feedloom_core::item::Keyword;
use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::text;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct KeywordsOptions {
    /// Most keywords kept, best first.
    pub max: usize,
    /// Most words in one keyword phrase (1 to 6; larger values count as 6).
    pub max_words: usize,
    /// Leave out a keyword shorter than this many characters.
    pub min_chars: usize,
}

impl Default for KeywordsOptions {
    fn default() -> Self {
        KeywordsOptions {
            max: 10,
            max_words: 3,
            min_chars: 3,
        }
    }
}

pub struct Keywords(KeywordsOptions);

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "keywords",
        "top terms and phrases (RAKE/YAKE-style scoring)",
        |o: KeywordsOptions, _ctx| Ok(Keywords(o)),
    );
}

const WEAK: &[&str] = &[
    "officials",
    "official",
    "people",
    "time",
    "times",
    "way",
    "part",
    "percent",
    "number",
    "report",
    "reported",
    "including",
    "made",
    "make",
    "among",
    "upwards",
    "ongoing",
    "recent",
    "years",
    "year",
];

use crate::text::{Fx, Tok};

/// Roles before a name (the keyword is the name, not "governor X").
const ROLES: &[&str] = &[
    "president",
    "governor",
    "minister",
    "chairman",
    "chairwoman",
    "chair",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "ambassador",
    "mayor",
    "senator",
    "secretary",
    "director",
    "envoy",
    "king",
    "queen",
    "prince",
    "judge",
    "general",
    "colonel",
    "analyst",
    "economist",
    "professor",
    "dr",
    "mr",
    "mrs",
    "ms",
    "ceo",
    "premier",
    "chancellor",
    "deputy",
    "acting",
    "vice",
    "prime",
];

/// The word whose [`text::word_key`] is `k` is one of [`ROLES`], in any ASCII case (the roles
/// are ASCII and shorter than 16 bytes: a word with no key is none).
fn is_role_key(k: u128) -> bool {
    static ROLE_KEYS: std::sync::LazyLock<std::collections::HashSet<u128, Fx>> =
        std::sync::LazyLock::new(|| ROLES.iter().filter_map(|w| text::word_key(w)).collect());
    ROLE_KEYS.contains(&k)
}

/// Common verbs that end a phrase, and lower-case past forms ("raised", "signed").
const VERBS: &[&str] = &[
    "meet", "meets", "met", "make", "makes", "take", "takes", "took", "give", "gives", "gave",
    "get", "gets", "got", "go", "goes", "went", "see", "sees", "saw", "seek", "seeks", "sought",
    "hold", "holds", "held", "sign", "signs", "plan", "plans", "want", "wants", "expect",
    "expects", "is", "are", "was", "were", "has", "have", "had", "become", "becomes", "became",
    "remain", "remains", "rise", "rises", "rose", "fall", "falls", "fell", "grow", "grows", "grew",
    "lose", "loses", "lost", "run", "runs", "ran", "start", "starts", "begin", "began", "would",
    "could", "should", "must", "might", "shall", "tell", "told", "called", "calls",
];

static VERB_SET: std::sync::LazyLock<std::collections::HashSet<&'static str, Fx>> =
    std::sync::LazyLock::new(|| VERBS.iter().copied().collect());

fn is_verb_like(w: &str) -> bool {
    let b = w.as_bytes();
    if b.first().is_none_or(|c| !c.is_ascii_lowercase()) {
        return false;
    }
    (b.len() >= 5 && w.ends_with("ed")) || VERB_SET.contains(w)
}

/// The word whose [`text::word_key`] is `k` is a weak word of [`WEAK`], in any ASCII case
/// (the words of [`WEAK`] are ASCII and shorter than 16 bytes: a word with no key is none).
fn is_weak_key(k: u128) -> bool {
    static WEAK_KEYS: std::sync::LazyLock<std::collections::HashSet<u128, Fx>> =
        std::sync::LazyLock::new(|| WEAK.iter().filter_map(|w| text::word_key(w)).collect());
    WEAK_KEYS.contains(&k)
}

/// A word of the word table: its [`text::word_key`] when it has one (ASCII, at most 15 bytes:
/// nearly every word), else the word compared without ASCII case. Two words equal without
/// ASCII case have the same length and the same bytes outside ASCII, so both have a key (the
/// same) or neither has.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum WordKey<'a> {
    Short(u128),
    Long(Ci<'a>),
}

impl<'a> WordKey<'a> {
    fn of(w: &'a str) -> Self {
        text::word_key(w).map_or(WordKey::Long(Ci(w)), WordKey::Short)
    }
}

/// A word compared without ASCII case, so a word table needs no lower-case copies.
#[derive(Clone, Copy)]
struct Ci<'a>(&'a str);
impl std::hash::Hash for Ci<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let mut buf = [0u8; 32];
        for chunk in self.0.as_bytes().chunks(32) {
            for (d, s) in buf.iter_mut().zip(chunk) {
                *d = s.to_ascii_lowercase();
            }
            h.write(&buf[..chunk.len()]);
        }
    }
}
impl PartialEq for Ci<'_> {
    fn eq(&self, o: &Self) -> bool {
        self.0.eq_ignore_ascii_case(o.0)
    }
}
impl Eq for Ci<'_> {}

/// Per distinct word: frequency and degree (summed lengths of the phrases it sits in) and the
/// token index of its first occurrence.
struct WordStat {
    bad: bool,
    /// One of [`ROLES`] (any ASCII case).
    role: bool,
    freq: f64,
    deg: f64,
    first: usize,
}

/// Per distinct phrase: the token range of its first occurrence, its count, its word score.
struct Phrase {
    first: std::ops::Range<usize>,
    count: f64,
    ws: f64,
    cap: bool,
}

const SLOT: u32 = 21;
/// Phrases up to this many words (a phrase is packed into a `u128` key, 21 bits a word).
const MAX_WORDS: usize = 6;

fn pack(ids: impl Iterator<Item = u32>) -> u128 {
    ids.fold(0u128, |k, id| (k << SLOT) | (id as u128 + 1))
}

/// Top keywords of `text` (and `title`).
pub fn extract_keywords(title: Option<&str>, text: &str, o: &KeywordsOptions) -> Vec<Keyword> {
    let toks = text::words(text);
    let max_words = o.max_words.clamp(1, MAX_WORDS);
    let n = toks.len().max(1) as f64;
    // intern words (ASCII case-insensitive); the word table decides stopwords once per word
    let mut ids: HashMap<WordKey, u32, Fx> = HashMap::with_capacity_and_hasher(512, Fx::default());
    let mut stats: Vec<WordStat> = Vec::with_capacity(512);
    let tid: Vec<u32> = toks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let next = stats.len() as u32;
            let key = WordKey::of(t.s);
            let id = *ids.entry(key).or_insert(next);
            if id == next {
                let w = t.s;
                let short = match key {
                    WordKey::Short(k) => Some(k),
                    WordKey::Long(_) => None,
                };
                let bad = next >= (1 << SLOT) - 1
                    || short.is_some_and(text::is_stopword_key)
                    || w.bytes().any(|b| b.is_ascii_digit())
                    || w.chars().nth(1).is_none()
                    || short.is_some_and(is_weak_key)
                    || is_verb_like(w);
                stats.push(WordStat {
                    bad,
                    role: short.is_some_and(is_role_key),
                    freq: 0.0,
                    deg: 0.0,
                    first: i,
                });
            }
            id
        })
        .collect();
    // phrases: runs of good words, split at stopwords, numbers and punctuation between words
    let mut phrases: Vec<std::ops::Range<usize>> = Vec::with_capacity(toks.len() / 2);
    let mut cur: std::ops::Range<usize> = 0..0;
    for (i, t) in toks.iter().enumerate() {
        let gap_breaks = i > 0
            && text.as_bytes()[toks[i - 1].end..t.start]
                .iter()
                .any(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'-'));
        if gap_breaks && !cur.is_empty() {
            phrases.push(cur.clone());
            cur = i..i;
        }
        // "Governor Olayemi Cardoso": the role is not part of the name's phrase
        let role = text::is_cap(t.s)
            && stats[tid[i] as usize].role
            && toks.get(i + 1).is_some_and(|n| text::is_cap(n.s));
        if role || stats[tid[i] as usize].bad {
            if !cur.is_empty() {
                phrases.push(cur.clone());
            }
            cur = i + 1..i + 1;
            continue;
        }
        if cur.is_empty() {
            cur = i..i;
        }
        cur.end = i + 1;
        if cur.len() == max_words {
            phrases.push(cur.clone());
            cur = i + 1..i + 1;
        }
    }
    if !cur.is_empty() {
        phrases.push(cur);
    }
    for p in &phrases {
        for i in p.clone() {
            let w = &mut stats[tid[i] as usize];
            w.freq += 1.0;
            w.deg += p.len() as f64;
        }
    }
    let mut uniq: Vec<Phrase> = Vec::with_capacity(phrases.len());
    let mut by_key: HashMap<u128, usize, Fx> =
        HashMap::with_capacity_and_hasher(phrases.len(), Fx::default());
    for p in &phrases {
        let chars: usize =
            p.clone().map(|i| toks[i].s.len()).sum::<usize>() + p.len().saturating_sub(1);
        if chars < o.min_chars {
            continue;
        }
        let key = pack(p.clone().map(|i| tid[i]));
        if let Some(&u) = by_key.get(&key) {
            uniq[u].count += 1.0;
            continue;
        }
        let ws = p
            .clone()
            .map(|i| {
                let w = &stats[tid[i] as usize];
                let pos = 1.0 + 1.0 / (1.0 + (w.first as f64 / n * 10.0));
                (w.deg / w.freq).sqrt() * w.freq.ln_1p() * pos
            })
            .sum::<f64>()
            / p.len() as f64;
        by_key.insert(key, uniq.len());
        uniq.push(Phrase {
            first: p.clone(),
            count: 1.0,
            ws,
            cap: p.clone().all(|i| text::is_cap(toks[i].s)),
        });
    }
    // the title as word ids (a phrase in the title scores higher)
    let title_ids: Vec<u32> = title
        .map(|t| {
            text::words(t)
                .iter()
                .map(|w| ids.get(&WordKey::of(w.s)).copied().unwrap_or(u32::MAX))
                .collect()
        })
        .unwrap_or_default();
    let mut scored: Vec<(f64, usize)> = uniq
        .iter()
        .enumerate()
        .map(|(u, p)| {
            let len = p.first.len();
            let mut s = p.ws * (1.0 + p.count.ln()) * (1.0 + 0.15 * (len as f64 - 1.0));
            if p.cap {
                s *= 1.2;
            }
            let pid = &tid[p.first.clone()];
            if title_ids.windows(len).any(|w| w == pid) {
                s *= 1.5;
            }
            (s, u)
        })
        .collect();
    // best first; equal scores: the phrase that appears first (no two distinct phrases first
    // appear at the same word, so the order is total and an unstable sort gives the same)
    scored.sort_unstable_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(uniq[a.1].first.start.cmp(&uniq[b.1].first.start))
    });
    let mut out: Vec<(String, f64)> = Vec::new();
    for (s, u) in scored {
        if out.len() >= o.max {
            break;
        }
        let k = phrase_text(&toks, uniq[u].first.clone());
        if out
            .iter()
            .any(|(o, _)| o.contains(&k) || k.contains(o.as_str()))
        {
            continue;
        }
        out.push((k, s));
    }
    let top = out.first().map_or(1.0, |x| x.1).max(f64::MIN_POSITIVE);
    out.into_iter()
        .map(|(term, s)| Keyword {
            term,
            score: (s / top * 1000.0).round() / 1000.0,
        })
        .collect()
}

/// The lower-case words of a phrase joined by single spaces.
fn phrase_text(toks: &[Tok], r: std::ops::Range<usize>) -> String {
    let mut k = String::with_capacity(32);
    for i in r {
        if !k.is_empty() {
            k.push(' ');
        }
        k.push_str(&toks[i].s.to_lowercase());
    }
    k
}

impl SyncExtractor for Keywords {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        // boilerplate lines never give keywords, whether `clean` ran before or not
        let text = crate::clean::without_boilerplate(&item.text);
        item.keywords = Some(extract_keywords(item.title.as_deref(), &text, &self.0));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeated_phrases_without_stopwords() {
        let t = "Natural gas exports to China grew. The natural gas pipeline is key. Natural gas prices rose and the pipeline project moved on.";
        let k = extract_keywords(Some("Gas pipeline"), t, &KeywordsOptions::default());
        assert!(k.iter().any(|k| k.term.contains("natural gas")), "{k:?}");
        assert!(k.iter().all(|k| !text::is_stopword(&k.term)));
        // no keyword starts or ends with a stopword, or holds one
        for k in &k {
            assert!(k.term.split(' ').all(|w| !text::is_stopword(w)), "{k:?}");
        }
        assert!(extract_keywords(None, "", &KeywordsOptions::default()).is_empty());
    }

    #[test]
    fn boilerplate_never_gives_keywords_even_without_clean() {
        let mut it = Item::new("x", "s");
        it.text = "Sign up for our free weekly newsletter\nNatural gas exports grew. Natural gas prices rose.\nSign up for our free weekly newsletter\nShare this article\nFollow us on Telegram for daily news\nSupport independent journalism. Donate today.".into();
        Keywords(KeywordsOptions::default())
            .extract(&mut it)
            .unwrap();
        let k = it.keywords.unwrap();
        assert!(k.iter().any(|k| k.term.contains("natural gas")), "{k:?}");
        for bad in [
            "newsletter",
            "telegram",
            "share",
            "journalism",
            "sign",
            "donate",
        ] {
            assert!(!k.iter().any(|k| k.term.contains(bad)), "{bad}: {k:?}");
        }
    }

    #[test]
    fn roles_and_verbs_end_phrases() {
        let t = "The central bank raised rates. Governor Olayemi Cardoso said the central bank raised rates to fight inflation. Cardoso spoke in Abuja.";
        let k = extract_keywords(None, t, &KeywordsOptions::default());
        let terms: Vec<&str> = k.iter().map(|k| k.term.as_str()).collect();
        assert!(terms.contains(&"central bank"), "{terms:?}");
        assert!(
            !terms
                .iter()
                .any(|t| t.contains("raised") || t.contains("governor")),
            "{terms:?}"
        );
    }
}
