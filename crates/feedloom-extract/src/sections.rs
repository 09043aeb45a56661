//! `type: sections` — splits a bulletin at its headings.
//!
//! A heading is a line standing alone that is short (at most `max_words` words, default 5),
//! starts with a capital letter, has no sentence punctuation at its end (`.`, `,`, `;`, `:`,
//! `?`, `!`, quotes) and is followed by a longer line. Each section runs from its heading to
//! the next heading (or the end). Text before the first heading belongs to no section.
//! Other extractors record the section each fact came from (`section` / `sections` fields).
//!
//! Options: `max_words` (default 5), `min_sections` (default 1: fewer headings than this and
//! no sections are set).
//!
//! Output: `item.sections = [{title, start, end}]` (byte offsets into `text`).

use feedloom_core::item::Section;
use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SectionsOptions {
    /// Most words in a heading.
    pub max_words: usize,
    /// Fewest headings for the text to be split; with fewer, no sections are set.
    pub min_sections: usize,
}

impl Default for SectionsOptions {
    fn default() -> Self {
        SectionsOptions {
            max_words: 5,
            min_sections: 1,
        }
    }
}

pub struct Sections(SectionsOptions);

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "sections",
        "splits bulletins at headings standing alone on a line",
        |o: SectionsOptions, _ctx| Ok(Sections(o)),
    );
}

fn is_heading(line: &str, next: Option<&str>, max_words: usize) -> bool {
    let l = line.trim();
    if l.is_empty() || l.len() > 60 || l.split_whitespace().nth(max_words).is_some() {
        return false;
    }
    if !l
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    if l.ends_with(['.', ',', ';', ':', '?', '!', '"', '”', '’', ')', '…']) {
        return false;
    }
    next.is_some_and(|n| n.trim().len() > l.len() && n.split_whitespace().nth(max_words).is_some())
}

/// Find sections in `text`.
pub fn find_sections(text: &str, opts: &SectionsOptions) -> Vec<Section> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut pos = 0;
    for l in text.split_inclusive('\n') {
        lines.push((pos, l.trim_end_matches(['\n', '\r'])));
        pos += l.len();
    }
    let nonblank: Vec<(usize, &str)> = lines
        .into_iter()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let mut heads: Vec<(usize, &str)> = Vec::new();
    for (i, (off, l)) in nonblank.iter().enumerate() {
        if is_heading(l, nonblank.get(i + 1).map(|x| x.1), opts.max_words) {
            heads.push((*off, l.trim()));
        }
    }
    if heads.len() < opts.min_sections.max(1) {
        return vec![];
    }
    heads
        .iter()
        .enumerate()
        .map(|(i, (off, t))| Section {
            title: t.to_string(),
            start: *off,
            end: heads.get(i + 1).map_or(text.len(), |h| h.0),
        })
        .collect()
}

impl SyncExtractor for Sections {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        item.sections = Some(find_sections(&item.text, &self.0));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_headings() {
        let t = "Intro sentence that is long enough to be a paragraph.\nKyrgyzstan\nThe ministry said many things today in Bishkek.\nKazakhstan\nAnother long paragraph about Almaty and trade.";
        let s = find_sections(t, &SectionsOptions::default());
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].title, "Kyrgyzstan");
        assert_eq!(&t[s[0].start..s[0].start + 10], "Kyrgyzstan");
        assert_eq!(s[1].end, t.len());
        assert_eq!(s[0].end, s[1].start);
    }

    #[test]
    fn plain_article_has_none() {
        let t = "One paragraph here with words.\n\nAnother paragraph, also long enough.";
        assert!(find_sections(t, &SectionsOptions::default()).is_empty());
        assert!(find_sections("", &SectionsOptions::default()).is_empty());
    }
}
