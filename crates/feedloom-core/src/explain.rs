//! Why an extractor found what it found: the decisions `feedloom extract --explain` prints.
//!
//! An extractor that decides by named rules (the built-in `entities`, `quotes`, `amounts`,
//! `dates`; the `rules` plugin) reports, for an item it has processed, one [`Decision`] per
//! fact: the words, what they were taken for, and the rule that decided it. The rule's name
//! is the one in the source, so `grep -rn '"person_after_title"' crates/` finds the rule,
//! its words and its test.

use serde::Serialize;

/// One fact and the rule that decided it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// What kind of fact: `entity`, `quote`, `amount`, `date`, ...
    pub fact: &'static str,
    /// The words the decision is about, as they stand in the text.
    pub text: String,
    /// Byte offsets of `text` in `item.text`.
    pub start: usize,
    pub end: usize,
    /// What they were taken for: an entity's kind (`person`), a quote's speaker, an amount's
    /// value and currency, a date's ISO form; `rejected` when a rule decided they are none.
    pub outcome: String,
    /// The rule that decided, by its name in the source.
    pub rule: String,
}

impl Decision {
    pub fn new(
        fact: &'static str,
        text: impl Into<String>,
        span: (usize, usize),
        outcome: impl Into<String>,
        rule: impl Into<String>,
    ) -> Self {
        Decision {
            fact,
            text: text.into(),
            start: span.0,
            end: span.1,
            outcome: outcome.into(),
            rule: rule.into(),
        }
    }
}
