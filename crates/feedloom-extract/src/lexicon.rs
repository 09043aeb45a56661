//! Word lists as data: one word or phrase a line in `data/lexicons/<name>.txt`.
//!
//! A [`Lexicon`] is a list the extractors consult by membership ("is this word a title?")
//! or in order ("the longest job title that ends this run"). Its file is compiled in with
//! `include_str!`, so nothing is read at run time. Lines are kept in byte order with no
//! duplicates (`LC_ALL=C sort -u`), blank lines and lines starting with `#` are skipped;
//! the test at the bottom checks every file. `data/lexicons/README.md` says how to add a word.

use std::collections::HashSet;

use crate::text::Fx;

/// One word list, parsed once (see [`lexicon!`](crate::lexicon!)).
pub struct Lexicon {
    name: &'static str,
    words: Vec<&'static str>,
    set: HashSet<&'static str, Fx>,
    /// One bit per [`sketch`] of an entry: a word whose bit is clear is no entry, found
    /// without hashing it (most words looked up are none: the rules ask every word of a run).
    filter: Box<[u64; FILTER_WORDS]>,
}

/// The size of [`Lexicon`]'s filter in `u64`s (4,096 bits: a list of a few hundred entries
/// sets a few percent of them).
const FILTER_WORDS: usize = 64;

/// A word's bit in a [`Lexicon`]'s filter, from its length and its first, second and last
/// bytes (no loop over the word).
#[inline]
fn sketch(word: &str) -> usize {
    let b = word.as_bytes();
    let at = |i: usize| u64::from(b.get(i).copied().unwrap_or(0));
    let last = at(b.len().wrapping_sub(1));
    let x = (b.len() as u64) | at(0) << 16 | at(1) << 24 | last << 32;
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 52) as usize
}

impl Lexicon {
    /// Parse a list's text: one entry a line, `#` comments and blank lines skipped, spaces
    /// around an entry trimmed.
    pub fn parse(name: &'static str, src: &'static str) -> Self {
        let words: Vec<&'static str> = entries(src).collect();
        let set = words.iter().copied().collect();
        let mut filter = Box::new([0u64; FILTER_WORDS]);
        for w in &words {
            let k = sketch(w);
            filter[k / 64] |= 1 << (k % 64);
        }
        Lexicon {
            name,
            words,
            set,
            filter,
        }
    }

    /// Whether `word` is on the list, exactly (case included).
    #[inline]
    pub fn contains(&self, word: &str) -> bool {
        let k = sketch(word);
        self.filter[k / 64] & (1 << (k % 64)) != 0 && self.set.contains(word)
    }

    /// The entries in file order (byte order).
    pub fn words(&self) -> &[&'static str] {
        &self.words
    }

    /// The entries in file order.
    pub fn iter(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.words.iter().copied()
    }
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Lexicon({}, {} entries)", self.name, self.words.len())
    }
}

/// `words` as a regex alternation (`a|b|c`), each escaped, longest first (ties in the given
/// order), so that the longer of two entries sharing a start wins ("per cent" before "per").
pub(crate) fn alternation(words: &[&str]) -> String {
    let mut v = words.to_vec();
    v.sort_by_key(|w| std::cmp::Reverse(w.len()));
    v.iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}

/// The entries of a list's text, in file order.
fn entries(src: &str) -> impl Iterator<Item = &str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A lazily parsed lexicon from `data/lexicons/<name>.txt`:
/// `static TITLES: LazyLock<Lexicon> = lexicon!("titles");`
#[macro_export]
#[doc(hidden)]
macro_rules! lexicon {
    ($name:literal) => {
        ::std::sync::LazyLock::new(|| {
            $crate::lexicon::Lexicon::parse(
                $name,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/data/lexicons/",
                    $name,
                    ".txt"
                )),
            )
        })
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list in `data/lexicons/`: sorted in byte order, no duplicates, no stray spaces.
    #[test]
    fn every_lexicon_is_sorted_without_duplicates() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/lexicons");
        for entry in std::fs::read_dir(&dir).expect("data/lexicons exists") {
            let path = entry.expect("readable").path();
            if path.extension().and_then(|e| e.to_str()) != Some("txt") {
                continue;
            }
            let src = std::fs::read_to_string(&path).expect("utf-8 list");
            let name = path.display();
            for (n, line) in src.lines().enumerate() {
                assert_eq!(
                    line,
                    line.trim(),
                    "{name}:{}: spaces around the entry {line:?}",
                    n + 1
                );
            }
            let words: Vec<&str> = entries(&src).collect();
            for pair in words.windows(2) {
                assert!(
                    pair[0] < pair[1],
                    "{name}: {:?} then {:?}: {}",
                    pair[0],
                    pair[1],
                    if pair[0] == pair[1] {
                        "a duplicate"
                    } else {
                        "not in byte order (LC_ALL=C sort -u)"
                    }
                );
            }
            assert!(!words.is_empty(), "{name} is empty");
        }
    }

    #[test]
    fn parse_skips_comments_and_blank_lines() {
        let l = Lexicon::parse("t", "# a comment\n\nAmir\nEmir\n");
        assert_eq!(l.words(), ["Amir", "Emir"]);
        assert!(l.contains("Emir") && !l.contains("emir") && !l.contains("# a comment"));
    }
}
