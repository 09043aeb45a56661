//! feedloom's built-in extractors, one module per YAML `type:` name:
//! `clean`, `sections`, `language`, `entities`, `countries`, `keywords`, `quotes`, `amounts`,
//! `dates`, `dedup`.

// Slicing text at a wrong byte is this crate's main panic risk: slice with `text::sub`.
#![cfg_attr(not(test), warn(clippy::string_slice))]

mod amounts;
mod clean;
mod countries;
mod dates;
mod dedup;
mod entities;
mod forms;
mod keywords;
mod language;
mod lexicon;
mod quotes;
mod sections;
mod text;

use feedloom_core::{Item, Registry};

/// Add every built-in extractor to `reg`.
pub fn register(reg: &mut Registry) {
    amounts::register(reg);
    clean::register(reg);
    countries::register(reg);
    dates::register(reg);
    dedup::register(reg);
    entities::register(reg);
    keywords::register(reg);
    language::register(reg);
    quotes::register(reg);
    sections::register(reg);
}

/// The built-in extractors' `type:` names in the order `feedloom extract` runs them when no
/// config is given (each may read what the earlier ones added).
pub const DEFAULT_ORDER: &[&str] = &[
    "clean",
    "sections",
    "language",
    "entities",
    "countries",
    "quotes",
    "amounts",
    "dates",
    "keywords",
    "dedup",
];

/// The item is not in English: its language (the feed's or the `language` extractor's) is
/// another, or most of its letters are of another script than Latin (Cyrillic, Arabic, CJK,
/// ...; the first 4,000 bytes are looked at). The extractors whose rules read English words
/// (`entities`, `countries`, the speakers of `quotes`, the nouns and money words of
/// `amounts`, the month and weekday words of `dates`) then keep only language-neutral facts,
/// rather than English-rule garbage ("КНР Си Цзиньпином" as an organisation).
pub(crate) fn non_english(item: &Item) -> bool {
    if let Some(l) = item.language.as_deref() {
        let primary = l.split(['-', '_']).next().unwrap_or(l);
        // "und" (undetermined), "mul", "zxx" and an empty code say nothing: the script decides
        let unknown = primary.is_empty()
            || ["und", "mul", "zxx", "mis"]
                .iter()
                .any(|c| primary.eq_ignore_ascii_case(c));
        if !unknown && !primary.eq_ignore_ascii_case("en") {
            return true;
        }
    }
    let head = text::sub(
        &item.text,
        0,
        item.text.floor_char_boundary(item.text.len().min(4000)),
    );
    let (mut latin, mut other) = (0usize, 0usize);
    for c in head.chars() {
        if c.is_ascii() {
            latin += usize::from(c.is_ascii_alphabetic());
        } else if c.is_alphabetic() {
            if (c as u32) < 0x0250 {
                latin += 1;
            } else {
                other += 1;
            }
        }
        // Five of the extractors ask: a clear majority after 200 letters settles it.
        if latin + other >= 200 && (latin > 3 * other || other > 3 * latin) {
            break;
        }
    }
    other > latin
}

/// The title of the section (see the `sections` extractor) that contains byte `offset` of
/// `item.text`, if the item has sections.
pub fn section_at(item: &Item, offset: usize) -> Option<String> {
    item.sections
        .as_ref()?
        .iter()
        .find(|s| s.start <= offset && offset < s.end.max(s.start + 1))
        .map(|s| s.title.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(text: &str, lang: Option<&str>) -> Item {
        let mut it = Item::new("t", "test");
        it.text = text.to_string();
        it.language = lang.map(str::to_string);
        it
    }

    #[test]
    fn non_english_by_language_or_script() {
        let en = "The minister said the budget would be balanced next year.";
        let ru = "Министр заявил, что бюджет будет сбалансирован в следующем году.";
        assert!(!non_english(&item(en, None)));
        assert!(!non_english(&item(en, Some("en-GB"))));
        assert!(!non_english(&item(en, Some("und"))));
        assert!(non_english(&item(en, Some("de"))));
        assert!(non_english(&item(ru, None)));
        assert!(non_english(&item(ru, Some("en"))));
    }
}
