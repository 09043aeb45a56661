//! `type: dates` — dates and date ranges resolved to ISO dates.
//!
//! Recognises "March 22", "June 19-23", "July 3-5", "June 28 to July 2", "from July 1 to
//! August 31", "April 1, 2023", "1 April 2023", "19-23 June", ISO `2023-07-10` (and
//! `2023/07/10`), "March 2023" and "in May" (the whole month), "January-September", "2020"
//! (the whole year, as in "in 2020", "since 2019"), "2019-2021", "2019 to 2021" and "between
//! 2019 and 2021" (one span; "in 2019 and 2021" are two years), and relative dates:
//! `yesterday`, `today` (only as the day: "said today", "as of today", "today's", not
//! "nowadays"), `tomorrow`, `last/this/next week|month|year` (weeks run Monday to
//! Sunday), "two days ago" (that day), "three weeks ago" (that day: 21 days before; "ten
//! years ago" is a vague period), "August last year" (that month of the year before), and
//! weekdays ("on Monday", "last Friday", "next Tuesday"); whole months in
//! "between January and June", "from March to May", "the year to June" and "cargoes for
//! October shipment".
//!
//! A date without a year takes the year of the reference date — the item's `published` time,
//! else its `fetched` time — always, even when a past-tense mention then lands months after
//! the reference (simple and predictable; the eval set is annotated the same way). Relative
//! dates resolve against the same reference. A bare weekday is the latest such day on or
//! before the reference, unless the sentence looks ahead ("will", "is due to", "plans to",
//! "is expected to"), then the next one.
//!
//! A reference date that is no plausible publication date — before 1900, or more than two days
//! after today (`MIN_REFERENCE_YEAR`, `MAX_REFERENCE_DAYS_AHEAD`; a feed's `published` of year
//! 262142) — resolves nothing: relative dates and dates without a year are then left out
//! rather than invented, and dates with their own year are still found. Every output date has a
//! four-digit year (1000–9999, the item schema's `YYYY-MM-DD`) and `start <= end`; others are
//! dropped. A mention's `text` is always the text as written (a substring of `item.text`:
//! "last-May", not "last May").
//!
//! Not dates: times, amounts ("$2020", "2020 tonnes", "2,020"), decades ("the 2010s").
//!
//! Options: `relative` (default true), `years` (bare years, default true).
//!
//! Output: `item.dates = [{text, start, end, section?}]` (`start`/`end` as `YYYY-MM-DD`).

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use feedloom_core::item::DateMention;
use feedloom_core::{ExtractError, Item, Registry, SyncExtractor};
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DatesOptions {
    pub relative: bool,
    pub years: bool,
}

impl Default for DatesOptions {
    fn default() -> Self {
        DatesOptions {
            relative: true,
            years: true,
        }
    }
}

pub struct Dates(DatesOptions);

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "dates",
        "dates, ranges and relative dates resolved to ISO dates",
        |o: DatesOptions, _ctx| Ok(Dates(o)),
    );
}

const MONTH: &str = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)";
const FULL_MONTH: &str =
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)";
const WEEKDAY: &str = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const DASH: &str = r"(?:[ \t\r\n]*[-–—][ \t\r\n]*|[ \t\r\n]+(?:to|through|until|and)[ \t\r\n]+)";
const ORD: &str = r"(?:st|nd|rd|th)?";

static RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"
        (?-u:\b)(?P<iy>(?:1[89]|20)[0-9]{{2}})(?P<isep>[-/])(?P<im>[01]?[0-9])[-/](?P<id>[0-3]?[0-9])(?-u:\b)
        |(?-u:\b)(?P<m1>{MONTH})[ \t\r\n](?P<d1>[0-9]{{1,2}}){ORD}(?:{DASH}(?:(?P<m1b>{MONTH})[ \t\r\n])?(?P<d1b>[0-9]{{1,2}}){ORD})?(?-u:\b)(?:,?[ \t\r\n](?P<y1>[0-9]{{4}})(?-u:\b))?
        |(?-u:\b)(?P<d2>[0-9]{{1,2}}){ORD}(?:{DASH}(?P<d2b>[0-9]{{1,2}}){ORD})?[ \t\r\n](?:of[ \t\r\n])?(?P<m2>{MONTH})(?-u:\b)(?:,?[ \t\r\n](?P<y2>[0-9]{{4}})(?-u:\b))?
        |(?-u:\b)(?P<m3>{MONTH})[ \t\r\n](?:of[ \t\r\n])?(?P<y3>[0-9]{{4}})(?:(?:[ \t\r\n]*[-–][ \t\r\n]*|[ \t\r\n]+(?:to|through|until)[ \t\r\n]+)(?P<m3b>{MONTH})[ \t\r\n](?P<y3b>[0-9]{{4}}))?(?-u:\b)
        |(?-u:\b)(?P<m6>{MONTH})[-–](?P<m6b>{MONTH})(?:,?[ \t\r\n](?P<y6>[0-9]{{4}}))?(?-u:\b)
        |(?-u:\b)(?i:between|from)[ \t\r\n](?P<m7>{FULL_MONTH})[ \t\r\n]+(?:and|to|through|until)[ \t\r\n]+(?P<m7b>{FULL_MONTH})(?:,?[ \t\r\n](?P<y7>[0-9]{{4}}))?(?-u:\b)
        |(?-u:\b)(?P<agon>[0-9]{{1,3}}|(?i:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))[ \t\r\n](?P<agou>(?i:days?|weeks?))[ \t\r\n]ago(?-u:\b)
        |(?-u:\b)(?P<m5>January|February|March|April|May|June|July|August|September|October|November|December)(?-u:\b)
        |(?-u:\b)(?P<y4>(?:1[89]|20)[0-9]{{2}})(?:[ \t\r\n]*[-–][ \t\r\n]*(?P<y4b>(?:1[89]|20)?[0-9]{{2}})|[ \t\r\n]+(?P<yconn>to|through|until|and)[ \t\r\n]+(?P<y4c>(?:1[89]|20)[0-9]{{2}}))?(?-u:\b)
        |(?-u:\b)(?P<rel>(?i:yesterday|today|tomorrow|(?:last|this|next|past)[ \t\r\n](?:week|month|year)|(?:the[ \t\r\n])?(?:day[ \t\r\n]before[ \t\r\n]yesterday|day[ \t\r\n]after[ \t\r\n]tomorrow)))(?-u:\b)
        |(?-u:\b)(?P<wq>(?i:on|last|next|this|since|until|by|from)[ \t\r\n])?(?P<wd>{WEEKDAY})(?-u:\b)
        "
    ).lines().map(str::trim).collect::<String>())
    .expect("date regex compiles")
});

fn month_num(m: &str) -> Option<u32> {
    let l = m.trim_end_matches('.').to_ascii_lowercase();
    Some(match &l[..3.min(l.len())] {
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

fn weekday(w: &str) -> Option<Weekday> {
    w.parse().ok()
}

fn last_day(y: i32, m: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, 1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

/// January 1 of `y1` to December 31 of `y2`.
fn years(y1: i32, y2: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(y1, 1, 1)?,
        NaiveDate::from_ymd_opt(y2, 12, 31)?,
    ))
}

/// The first day of month `m1` of `y1` to the last day of month `m2` of `y2`.
fn months(y1: i32, m1: u32, y2: i32, m2: u32) -> Option<(NaiveDate, NaiveDate)> {
    Some((NaiveDate::from_ymd_opt(y1, m1, 1)?, last_day(y2, m2)?))
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The year for a month/day given without one: always the reference year. A past-tense
/// "December 28" in an article of January 5 is thus put in the reference year too — the rule
/// is kept simple and predictable rather than guessing from tense.
fn infer_year(_m: u32, _d: u32, reference: NaiveDate) -> i32 {
    reference.year()
}

/// The lower-case word before byte `at`.
fn prev_word(text: &str, at: usize) -> String {
    text[..at]
        .trim_end()
        .rsplit(|ch: char| !ch.is_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn looks_ahead(text: &str, at: usize) -> bool {
    // the 60 bytes before the weekday, within its sentence (the crate's one splitter)
    let s = crate::text::sentence_start_before(text, at, 60);
    let sent = crate::text::sub(text, s, at);
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
fn today_is_the_day(text: &str, s: usize, e: usize) -> bool {
    let rest = &text[e..];
    if rest.starts_with("'s") || rest.starts_with("’s") {
        return true;
    }
    let pw = prev_word(text, s);
    pw.ends_with("ed")
        || matches!(
            pw.as_str(),
            "said"
                | "says"
                | "say"
                | "told"
                | "tells"
                | "announced"
                | "met"
                | "meet"
                | "meets"
                | "began"
                | "begin"
                | "begins"
                | "held"
                | "hold"
                | "holds"
                | "left"
                | "leave"
                | "leaves"
                | "sent"
                | "spoke"
                | "speaks"
                | "wrote"
                | "made"
                | "came"
                | "went"
                | "was"
                | "were"
                | "is"
                | "are"
                | "will"
                | "be"
                | "of"
                | "until"
                | "from"
                | "since"
                | "by"
                | "on"
                | "for"
                | "as"
        )
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
pub fn plausible_reference(reference: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    let latest = today.checked_add_days(Days::new(MAX_REFERENCE_DAYS_AHEAD))?;
    (reference.year() >= MIN_REFERENCE_YEAR && reference <= latest).then_some(reference)
}

/// The years a date output may have: the item schema's `YYYY-MM-DD` has four digits.
const OUTPUT_YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// `start` and `end` as ISO dates, if both have four-digit years and `start <= end`; else the
/// mention is dropped (a "10000-01-31" or a negative year is no `YYYY-MM-DD`).
fn output_range(start: NaiveDate, end: NaiveDate) -> Option<(String, String)> {
    (OUTPUT_YEARS.contains(&start.year()) && OUTPUT_YEARS.contains(&end.year()) && start <= end)
        .then(|| (iso(start), iso(end)))
}

/// `d` moved by `days` (negative: back), `None` past chrono's range.
fn shift(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
}

/// Find dates in `text`, resolving against `reference` when it is plausible (see
/// [`plausible_reference`]; today is the system's date).
pub fn find(text: &str, reference: NaiveDate, o: &DatesOptions) -> Vec<(usize, DateMention)> {
    let today = chrono::Utc::now().date_naive();
    find_with(text, plausible_reference(reference, today), o)
}

/// Find dates in `text`; with no `reference`, only dates that carry their own year.
pub fn find_with(
    text: &str,
    reference: Option<NaiveDate>,
    o: &DatesOptions,
) -> Vec<(usize, DateMention)> {
    let mut out = Vec::new();
    // the end of a month's phrase that took the relative year after it ("August last year")
    let mut skip_until = 0;
    for c in RE.captures_iter(text) {
        let Some(m) = c.get(0) else {
            continue; // the whole match is always there
        };
        if m.start() < skip_until {
            continue;
        }
        let start_at = match c.name("m5") {
            Some(x) => {
                let before = text[..x.start()].trim_end_matches([' ', '-']);
                let pw = before
                    .rsplit(|ch: char| !ch.is_alphabetic())
                    .next()
                    .unwrap_or("");
                if matches!(pw.to_ascii_lowercase().as_str(), "last" | "next" | "this") {
                    before.len() - pw.len()
                } else {
                    x.start()
                }
            }
            None => m.start(),
        };
        let mut text_m = m.as_str().to_string();
        let mut split_years: Option<(usize, usize, usize, i32)> = None;
        let range: Option<(NaiveDate, NaiveDate)> = (|| {
            if let Some(y) = c.name("iy") {
                // ISO 2023-07-10 (or 2023/07/10)
                let d = NaiveDate::from_ymd_opt(
                    y.as_str().parse().ok()?,
                    c["im"].parse().ok()?,
                    c["id"].parse().ok()?,
                )?;
                Some((d, d))
            } else if let Some(mn) = c.name("m1") {
                let mo = month_num(mn.as_str())?;
                let d: u32 = c["d1"].parse().ok()?;
                let mo2 = c
                    .name("m1b")
                    .and_then(|x| month_num(x.as_str()))
                    .unwrap_or(mo);
                let d2: u32 = c.name("d1b").map_or(Some(d), |x| x.as_str().parse().ok())?;
                let y = match c.name("y1") {
                    Some(y) => y.as_str().parse().ok()?,
                    None => infer_year(mo, d, reference?),
                };
                let s = NaiveDate::from_ymd_opt(y, mo, d)?;
                let y2 = if mo2 < mo { y.checked_add(1)? } else { y };
                let e = NaiveDate::from_ymd_opt(y2, mo2, d2)?;
                (e >= s).then_some((s, e))
            } else if let Some(mn) = c.name("m2") {
                let mo = month_num(mn.as_str())?;
                let d: u32 = c["d2"].parse().ok()?;
                let d2: u32 = c.name("d2b").map_or(Some(d), |x| x.as_str().parse().ok())?;
                let y = match c.name("y2") {
                    Some(y) => y.as_str().parse().ok()?,
                    None => infer_year(mo, d, reference?),
                };
                let s = NaiveDate::from_ymd_opt(y, mo, d)?;
                let e = NaiveDate::from_ymd_opt(y, mo, d2)?;
                (e >= s).then_some((s, e))
            } else if let Some(mn) = c.name("m3") {
                let mo = month_num(mn.as_str())?;
                let y: i32 = c["y3"].parse().ok()?;
                let (mo2, y2) = match (c.name("m3b"), c.name("y3b")) {
                    // "from June 2023 to May 2024"
                    (Some(m), Some(y)) => (month_num(m.as_str())?, y.as_str().parse().ok()?),
                    _ => (mo, y),
                };
                let (s, e) = months(y, mo, y2, mo2)?;
                (e >= s).then_some((s, e))
            } else if let Some(mn) = c.name("m6") {
                // "January-September": whole months
                let (mo, mo2) = (month_num(mn.as_str())?, month_num(&c["m6b"])?);
                let y = match c.name("y6") {
                    Some(y) => y.as_str().parse().ok()?,
                    None => infer_year(mo, 1, reference?),
                };
                let y2 = if mo2 < mo { y.checked_add(1)? } else { y };
                months(y, mo, y2, mo2)
            } else if let Some(mn) = c.name("m7") {
                // "between January and June", "from March to May": whole months
                let (mo, mo2) = (month_num(mn.as_str())?, month_num(&c["m7b"])?);
                let y = match c.name("y7") {
                    Some(y) => y.as_str().parse().ok()?,
                    None => infer_year(mo, 1, reference?),
                };
                // "from June to July 2": a month and a day, no date rather than a wrong one
                if text[m.end()..].starts_with(' ')
                    && text[m.end() + 1..].starts_with(|ch: char| ch.is_ascii_digit())
                    && c.name("y7").is_none()
                {
                    return None;
                }
                let y2 = if mo2 < mo { y.checked_add(1)? } else { y };
                months(y, mo, y2, mo2)
            } else if let Some(n) = c.name("agon") {
                // "two days ago": that day; "three weeks ago": that day too (the reference
                // less 21 days); "ten years ago" is a vague period, not a date
                if !o.relative {
                    return None;
                }
                let reference = reference?;
                let n: u32 = match n.as_str().to_ascii_lowercase().as_str() {
                    "a" | "an" | "one" => 1,
                    "two" => 2,
                    "three" => 3,
                    "four" => 4,
                    "five" => 5,
                    "six" => 6,
                    "seven" => 7,
                    "eight" => 8,
                    "nine" => 9,
                    "ten" => 10,
                    "eleven" => 11,
                    "twelve" => 12,
                    d => d.parse().ok()?,
                };
                let unit = c["agou"].to_ascii_lowercase();
                match unit.trim_end_matches('s') {
                    "day" => {
                        let d = reference.checked_sub_days(Days::new(n as u64))?;
                        Some((d, d))
                    }
                    _ => {
                        let d = reference.checked_sub_days(Days::new(7 * n as u64))?;
                        Some((d, d))
                    }
                }
            } else if let Some(mn) = c.name("m5") {
                // "in May": that month of the reference year ("last May": the one before)
                let reference = reference?;
                let mo = month_num(mn.as_str())?;
                let before = text[..mn.start()].trim_end_matches([' ', '-']);
                let pw = before
                    .rsplit(|ch: char| !ch.is_alphabetic())
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if !matches!(
                    pw.as_str(),
                    "in" | "since"
                        // "the fiscal year to June"
                        | "to"
                        | "by"
                        | "until"
                        | "from"
                        | "last"
                        | "next"
                        | "this"
                        | "early"
                        | "late"
                        | "mid"
                        | "during"
                        | "through"
                        | "throughout"
                        | "of"
                        | "before"
                        | "after"
                        // "cargoes for October shipment"
                        | "for"
                ) {
                    return None;
                }
                let p = Some(pw.clone());
                let y = match p.as_deref() {
                    Some("last") if mo >= reference.month() => reference.year().checked_sub(1)?,
                    Some("next") if mo <= reference.month() => reference.year().checked_add(1)?,
                    _ => infer_year(mo, 1, reference),
                };
                text_m = mn.as_str().to_string();
                // "in August last year", "in March next year": that month of that year
                let after = &text[mn.end()..];
                for (w, dy) in [(" last year", -1), (" next year", 1), (" this year", 0)] {
                    if after.len() >= w.len()
                        && after.is_char_boundary(w.len())
                        && after[..w.len()].eq_ignore_ascii_case(w)
                        && crate::text::boundary_after(after, w.len())
                    {
                        // the words as written (a substring of the text)
                        text_m = text.get(mn.start()..mn.end() + w.len())?.to_string();
                        skip_until = mn.end() + w.len();
                        let y = reference.year().checked_add(dy)?;
                        return months(y, mo, y, mo);
                    }
                }
                if matches!(p.as_deref(), Some("last" | "next" | "this")) {
                    // "last May", "last-May": from the qualifier to the month as written
                    text_m = text.get(start_at..mn.end())?.to_string();
                }
                months(y, mo, y, mo)
            } else if let Some(y) = c.name("y4") {
                if !o.years {
                    return None;
                }
                // not an amount ("2020 tonnes", "$2020") nor part of a number
                let before = text[..m.start()].chars().next_back();
                let after = &text[m.end()..];
                if before.is_some_and(|ch| matches!(ch, '$' | '€' | '£' | ',' | '.' | '#'))
                    || after.starts_with(',')
                        && after[1..].starts_with(|ch: char| ch.is_ascii_digit())
                    || after.starts_with('.')
                        && after[1..].starts_with(|ch: char| ch.is_ascii_digit())
                    || after.trim_start().starts_with('%')
                    || after.trim_start().starts_with("percent")
                {
                    return None;
                }
                let y1: i32 = y.as_str().parse().ok()?;
                if let Some(y3) = c.name("y4c") {
                    // "2019 to 2021", "between 2019 and 2021" are one span; "in 2019 and
                    // 2021" are two years
                    let pw = prev_word(text, m.start());
                    let y3: i32 = y3.as_str().parse().ok()?;
                    if (&c["yconn"] != "and" || pw == "between") && y3 > y1 {
                        return years(y1, y3);
                    }
                    split_years = Some((y.start(), y.end(), c.get(0)?.end() - 4, y3));
                    return None;
                }
                let y2: i32 = match c.name("y4b") {
                    Some(b) if b.as_str().len() == 2 => {
                        y1 / 100 * 100 + b.as_str().parse::<i32>().ok()?
                    }
                    Some(b) => b.as_str().parse().ok()?,
                    None => y1,
                };
                if y2 < y1 {
                    return None;
                }
                years(y1, y2)
            } else if let Some(r) = c.name("rel") {
                if !o.relative {
                    return None;
                }
                let reference = reference?;
                let r = r.as_str().to_ascii_lowercase();
                let week_start = shift(
                    reference,
                    -i64::from(reference.weekday().num_days_from_monday()),
                )?;
                let month_start = reference.with_day(1)?;
                let day = |n: i64| shift(reference, n);
                let week =
                    |from: i64, to: i64| Some((shift(week_start, from)?, shift(week_start, to)?));
                Some(match r.trim_start_matches("the ") {
                    "yesterday" => (day(-1)?, day(-1)?),
                    // "today" is the day only beside an event ("said today", "as of
                    // today", "today's vote"), not "nowadays" ("Today the whole region
                    // wants...", "nobody has that money today")
                    "today" if !today_is_the_day(text, c.get(0)?.start(), c.get(0)?.end()) => {
                        return None;
                    }
                    "today" => (reference, reference),
                    "tomorrow" => (day(1)?, day(1)?),
                    "day before yesterday" => (day(-2)?, day(-2)?),
                    "day after tomorrow" => (day(2)?, day(2)?),
                    "last week" | "past week" => week(-7, -1)?,
                    "this week" => week(0, 6)?,
                    "next week" => week(7, 13)?,
                    "last month" | "past month" => {
                        let s = month_start.checked_sub_months(Months::new(1))?;
                        (s, month_start.pred_opt()?)
                    }
                    "this month" => (month_start, last_day(reference.year(), reference.month())?),
                    "next month" => {
                        let s = month_start.checked_add_months(Months::new(1))?;
                        (s, last_day(s.year(), s.month())?)
                    }
                    "last year" | "past year" => {
                        let y = reference.year().checked_sub(1)?;
                        years(y, y)?
                    }
                    "this year" => years(reference.year(), reference.year())?,
                    "next year" => {
                        let y = reference.year().checked_add(1)?;
                        years(y, y)?
                    }
                    _ => return None,
                })
            } else if let Some(w) = c.name("wd") {
                if !o.relative {
                    return None;
                }
                let reference = reference?;
                let wd = weekday(w.as_str())?;
                let q = c.name("wq").map(|x| x.as_str().trim().to_ascii_lowercase());
                let back = (7 + reference.weekday().num_days_from_monday() as i64
                    - wd.num_days_from_monday() as i64)
                    % 7;
                let fwd = (7 + wd.num_days_from_monday() as i64
                    - reference.weekday().num_days_from_monday() as i64)
                    % 7;
                let d = match q.as_deref() {
                    Some("last") => shift(reference, -(if back == 0 { 7 } else { back }))?,
                    Some("next") => shift(reference, if fwd == 0 { 7 } else { fwd })?,
                    _ if looks_ahead(text, m.start()) => shift(reference, fwd)?,
                    _ => shift(reference, -back)?,
                };
                if q.as_deref()
                    .is_some_and(|q| !matches!(q, "on" | "last" | "next" | "this"))
                {
                    // "since Monday": keep the weekday only
                    text_m = w.as_str().to_string();
                }
                Some((d, d))
            } else {
                None
            }
        })();
        if let Some((a, b, c2, y3)) = split_years {
            // two separate years joined by "and", each as written
            let first = text.get(a..b).and_then(|t| Some((a, t, t.parse().ok()?)));
            let second = text.get(c2..c2 + 4).map(|t| (c2, t, y3));
            for (at, t, y) in first.into_iter().chain(second) {
                if let Some((s, e)) = years(y, y).and_then(|(s, e)| output_range(s, e)) {
                    out.push((
                        at,
                        DateMention {
                            text: t.to_string(),
                            start: s,
                            end: e,
                            section: None,
                        },
                    ));
                }
            }
        }
        if let Some((s, e)) = range.and_then(|(s, e)| output_range(s, e)) {
            out.push((
                start_at,
                DateMention {
                    text: text_m,
                    start: s,
                    end: e,
                    section: None,
                },
            ));
        }
    }
    out
}

impl SyncExtractor for Dates {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let reference = item.reference_time().date_naive();
        let found = find(&item.text, reference, &self.0);
        let v = found
            .into_iter()
            .map(|(off, mut d)| {
                d.section = crate::section_at(item, off);
                d
            })
            .collect();
        item.dates = Some(v);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
