//! The contract of an item's extracted facts, as one checker every test and fuzzer uses:
//! - every `text` (dates, amounts) is a substring of `item.text`, the text it was found in;
//!   a quotation joined from parts (around an attribution, across paragraphs) is its parts in
//!   order, each a substring;
//! - dates are `YYYY-MM-DD` with a year from 1000 to 9999 and `start <= end`;
//! - no date, amount or quotation `text` is empty, no amount lacks its unit;
//! - amounts and keyword scores are finite;
//! - sections are ranges of the text on char boundaries, with their title in it.

use chrono::{Datelike, NaiveDate};

use super::Item;

/// Check the contract of an item's extracted facts; the error names the first property
/// broken.
pub fn check(item: &Item) -> Result<(), String> {
    let text = item.text.as_str();
    for d in item.dates.iter().flatten() {
        if d.text.is_empty() || !text.contains(&d.text) {
            return Err(format!("date text {:?} not in the text", d.text));
        }
        let s = iso_day(&d.start)?;
        let e = iso_day(&d.end)?;
        if s > e {
            return Err(format!(
                "date {:?}: start {} after end {}",
                d.text, d.start, d.end
            ));
        }
    }
    for a in item.amounts.iter().flatten() {
        if a.text.is_empty() || !text.contains(&a.text) {
            return Err(format!("amount text {:?} not in the text", a.text));
        }
        if a.unit.is_empty() {
            return Err(format!("amount {:?} has no unit", a.text));
        }
        if !a.value.is_finite() {
            return Err(format!("amount {:?}: value {}", a.text, a.value));
        }
    }
    for q in item.quotes.iter().flatten() {
        if q.text.trim().is_empty() || !parts_in_order(text, &q.text) {
            return Err(format!(
                "quote {:?} is not parts of the text in order",
                q.text
            ));
        }
    }
    for k in item.keywords.iter().flatten() {
        if !k.score.is_finite() {
            return Err(format!("keyword {:?}: score {}", k.term, k.score));
        }
    }
    for s in item.sections.iter().flatten() {
        if s.start > s.end
            || !text.is_char_boundary(s.start)
            || !text.is_char_boundary(s.end)
            || !text.contains(&s.title)
        {
            return Err(format!("section {s:?} is no range of the text"));
        }
    }
    Ok(())
}

/// A `YYYY-MM-DD` day with a year from 1000 to 9999.
fn iso_day(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| shape);
    match d {
        Some(d) if (1000..=9999).contains(&d.year()) => Ok(d),
        _ => Err(format!("{s:?} is no YYYY-MM-DD day of years 1000-9999")),
    }
}

/// `needle` is `hay`, or split at some of its spaces into parts that occur in `hay` in this
/// order (a quotation joined around an attribution or across paragraphs). The earliest end of
/// a match of each prefix is kept (ending earlier never hurts the rest), so this is quadratic in
/// the number of spaces at worst, not exponential.
pub fn parts_in_order(hay: &str, needle: &str) -> bool {
    if hay.contains(needle) {
        return true;
    }
    // split points: after each space
    let cuts: Vec<usize> = std::iter::once(0)
        .chain(needle.match_indices(' ').map(|(i, _)| i + 1))
        .chain(std::iter::once(needle.len() + 1))
        .collect();
    // best[k]: the earliest end in `hay` of a match of the parts before cut k
    let mut best: Vec<Option<usize>> = vec![None; cuts.len()];
    best[0] = Some(0);
    for k in 1..cuts.len() {
        for j in 0..k {
            let Some(from) = best[j] else { continue };
            // the part from cut j to the space before cut k
            let part = &needle[cuts[j]..cuts[k] - 1];
            if part.is_empty() {
                continue;
            }
            if let Some(p) = hay.get(from..).and_then(|r| r.find(part)) {
                let end = from + p + part.len();
                if best[k].is_none_or(|b| end < b) {
                    best[k] = Some(end);
                }
            }
        }
    }
    best[cuts.len() - 1].is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_kind_of_breach() {
        let mut it = Item::new("1", "s");
        it.text = "Prices rose 5% on 3 March 2025, \"said X\" and more.".into();
        assert_eq!(check(&it), Ok(()));
        it.amounts = Some(vec![crate::item::Amount {
            text: "5%".into(),
            value: f64::INFINITY,
            unit: "%".into(),
            section: None,
        }]);
        assert!(check(&it).unwrap_err().contains("amount"));
        it.amounts = None;
        it.dates = Some(vec![crate::item::DateMention {
            text: "3 March 2025".into(),
            start: "+10000-03-03".into(),
            end: "2025-03-03".into(),
            section: None,
        }]);
        assert!(check(&it).is_err());
        it.dates = None;
        assert!(parts_in_order(&it.text, "Prices rose and more."));
        assert!(!parts_in_order(&it.text, "and more. Prices rose"));
    }
}
