//! Calendar arithmetic and the small tests on the words around a date: month and weekday
//! names, whole months and years, the reference date, the output range.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use std::sync::LazyLock;

use crate::lexicon::Lexicon;
use crate::text;

static TODAY_WORDS: LazyLock<Lexicon> = crate::lexicon!("dates_today_words");

pub(crate) fn month_num(m: &str) -> Option<u32> {
    let l = m.trim_end_matches('.').to_ascii_lowercase();
    Some(match l.get(..3.min(l.len())).unwrap_or("") {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

pub(crate) fn weekday(w: &str) -> Option<Weekday> {
    w.parse().ok()
}

pub(crate) fn last_day(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

/// January 1 of `y1` to December 31 of `y2`.
pub(crate) fn years(y1: i32, y2: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(y1, 1, 1)?,
        NaiveDate::from_ymd_opt(y2, 12, 31)?,
    ))
}

/// The first day of month `m1` of `y1` to the last day of month `m2` of `y2`.
pub(crate) fn months(y1: i32, m1: u32, y2: i32, m2: u32) -> Option<(NaiveDate, NaiveDate)> {
    Some((NaiveDate::from_ymd_opt(y1, m1, 1)?, last_day(y2, m2)?))
}

pub(crate) fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The year for a month/day given without one: always the reference year. A past-tense
/// "December 28" in an article of January 5 is thus put in the reference year too — the rule
/// is kept simple and predictable rather than guessing from tense.
pub(crate) fn infer_year(_m: u32, _d: u32, reference: NaiveDate) -> i32 {
    reference.year()
}

/// The lower-case word before byte `at`.
pub(crate) fn prev_word(text: &str, at: usize) -> String {
    text::sub(text, 0, at)
        .trim_end()
        .rsplit(|ch: char| !ch.is_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(crate) fn looks_ahead(text: &str, at: usize) -> bool {
    // the 60 bytes before the weekday, within its sentence (the crate's one splitter)
    let s = text::sentence_start_before(text, at, 60);
    let sent = text::sub(text, s, at);
    [
        " will ",
        " is due ",
        " are due ",
        " plans to ",
        " is set to ",
        " are set to ",
        " is expected to ",
        " to be held",
        " scheduled ",
    ]
    .iter()
    .any(|k| sent.contains(k))
}

/// "today" at `s..e` names the day of the article: after a verb of reporting or of an event
/// ("said today", "signed today", "will meet today"), after "as of"/"until"/"from"/"since"/
/// "by", or before a possessive ("today's vote").
pub(crate) fn today_is_the_day(text: &str, s: usize, e: usize) -> bool {
    let rest = text.get(e..).unwrap_or("");
    if rest.starts_with("'s") || rest.starts_with("’s") {
        return true;
    }
    let pw = prev_word(text, s);
    pw.ends_with("ed") || TODAY_WORDS.contains(&pw)
}

/// The earliest year of a reference date that relative dates are resolved against.
const MIN_REFERENCE_YEAR: i32 = 1900;
/// How many days after today a reference date may lie (time zones, a feed's clock running
/// ahead); a later one is taken for a wrong date.
const MAX_REFERENCE_DAYS_AHEAD: u64 = 2;

/// `reference` if it is a plausible date for an article to be published: from
/// [`MIN_REFERENCE_YEAR`] to [`MAX_REFERENCE_DAYS_AHEAD`] days after `today`. A `published`
/// time of year 262142 or 0001 is a broken feed, and dates resolved against it would be
/// invented, so then relative dates and dates without a year are left out.
pub(crate) fn plausible_reference(reference: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    let latest = today.checked_add_days(Days::new(MAX_REFERENCE_DAYS_AHEAD))?;
    (reference.year() >= MIN_REFERENCE_YEAR && reference <= latest).then_some(reference)
}

/// The years a date output may have: the item schema's `YYYY-MM-DD` has four digits.
const OUTPUT_YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// `start` and `end` as ISO dates, if both have four-digit years and `start <= end`; else the
/// mention is dropped (a "10000-01-31" or a negative year is no `YYYY-MM-DD`).
pub(crate) fn output_range(start: NaiveDate, end: NaiveDate) -> Option<(String, String)> {
    (OUTPUT_YEARS.contains(&start.year()) && OUTPUT_YEARS.contains(&end.year()) && start <= end)
        .then(|| (iso(start), iso(end)))
}

/// `d` moved by `days` (negative: back), `None` past chrono's range.
pub(crate) fn shift(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}
