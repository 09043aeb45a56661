//! The forms a date is written in: one entry of [`FORMS`] each — its name (the rule
//! `feedloom extract --explain` prints), its pattern (named groups) and its handler.
//!
//! [`find_all`] walks the table the way one regex of all the patterns joined by `|` in table
//! order would (the regex crate's leftmost-first): at the leftmost position where any form
//! matches, the first form of the table that matches there wins, and the next search starts
//! where its match ends — also when the handler finds no date in it. So the order of the
//! table is a priority: "June 19-23" is one `month_day`, not a `month_name` and a number.

use std::sync::LazyLock;

use chrono::{Datelike, Days, Months, NaiveDate};
use feedloom_core::item::DateMention;
use regex::{Captures, Regex};

use crate::lexicon::alternation;

use super::DatesOptions;
use super::calendar::{
    infer_year, last_day, looks_ahead, month_num, months, output_range, prev_word, shift,
    today_is_the_day, weekday, years,
};
use crate::lexicon::Lexicon;
use crate::text;

/// One way a date is written.
pub(crate) struct Form {
    /// The form's name: the rule `--explain` prints, and the name of its test row.
    pub(crate) name: &'static str,
    /// Its regex (named groups; see each form).
    pub(crate) pattern: fn() -> String,
    /// The dates a match of it gives (none, one, or two: "in 2019 and 2021").
    handler: Handler,
}

/// The text being searched and what a handler needs besides its match.
pub(crate) struct Scan<'t> {
    pub(crate) text: &'t str,
    /// The date that dates without a year and relative dates resolve against.
    pub(crate) reference: Option<NaiveDate>,
    pub(crate) o: &'t DatesOptions,
    /// The end of a month's phrase that took the relative year after it ("August last year"):
    /// matches starting before it are part of that phrase.
    pub(crate) skip_until: usize,
}

/// A date found: where it starts, the mention and the rule that decided (the form's name, or
/// `year_and_year` for "in 2019 and 2021").
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) at: usize,
    pub(crate) mention: DateMention,
    pub(crate) rule: &'static str,
}

/// A form's handler: the scan, the match and the form's name; it adds what it finds to the
/// last argument.
type Handler = fn(&mut Scan<'_>, &Captures<'_>, &'static str, &mut Vec<Found>);

static MONTH_NAMES: LazyLock<Lexicon> = crate::lexicon!("month_names");
static MONTH_ABBREVIATIONS: LazyLock<Lexicon> = crate::lexicon!("month_abbreviations");
static WEEKDAYS: LazyLock<Lexicon> = crate::lexicon!("weekdays");
static MONTH_BEFORE_WORDS: LazyLock<Lexicon> = crate::lexicon!("dates_month_before_words");

/// Month names in full, then their abbreviations with an optional dot ("Sept.", "Jan").
fn month() -> String {
    let mut abbr = MONTH_ABBREVIATIONS.words().to_vec();
    abbr.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let abbr: Vec<String> = abbr
        .iter()
        .map(|w| format!(r"{}\.?", regex::escape(w)))
        .collect();
    format!(
        "(?:{}|{})",
        alternation(MONTH_NAMES.words()),
        abbr.join("|")
    )
}

/// Month names in full.
fn full_month() -> String {
    format!("(?:{})", alternation(MONTH_NAMES.words()))
}

/// Weekday names.
fn weekday_name() -> String {
    format!("(?:{})", alternation(WEEKDAYS.words()))
}

/// Between the two ends of a range: a dash, "to", "through", "until", "and".
const DASH: &str = r"(?:[ \t\r\n]*[-–—][ \t\r\n]*|[ \t\r\n]+(?:to|through|until|and)[ \t\r\n]+)";
/// An ordinal's ending ("1st", "22nd").
const ORD: &str = r"(?:st|nd|rd|th)?";
/// A year of 1800-2099.
const YEAR: &str = r"(?:1[89]|20)[0-9]{2}";

/// The forms, in priority order (see the module's doc).
pub(crate) static FORMS: &[Form] = &[
    // ISO "2023-07-10", "2023/07/10"
    Form {
        name: "iso_date",
        pattern: || {
            format!(r"(?-u:\b)(?P<y>{YEAR})[-/](?P<m>[01]?[0-9])[-/](?P<d>[0-3]?[0-9])(?-u:\b)")
        },
        handler: iso_date,
    },
    // "March 22", "June 19-23", "June 28 to July 2", "April 1, 2023", "April 1st, 2023"
    Form {
        name: "month_day",
        pattern: || {
            let month = month();
            format!(
                r"(?-u:\b)(?P<m>{month})[ \t\r\n](?P<d>[0-9]{{1,2}}){ORD}(?:{DASH}(?:(?P<m2>{month})[ \t\r\n])?(?P<d2>[0-9]{{1,2}}){ORD})?(?-u:\b)(?:,?[ \t\r\n](?P<y>[0-9]{{4}})(?-u:\b))?"
            )
        },
        handler: month_day,
    },
    // "1 April 2023", "19-23 June", "4th of July"
    Form {
        name: "day_month",
        pattern: || {
            let month = month();
            format!(
                r"(?-u:\b)(?P<d>[0-9]{{1,2}}){ORD}(?:{DASH}(?P<d2>[0-9]{{1,2}}){ORD})?[ \t\r\n](?:of[ \t\r\n])?(?P<m>{month})(?-u:\b)(?:,?[ \t\r\n](?P<y>[0-9]{{4}})(?-u:\b))?"
            )
        },
        handler: day_month,
    },
    // "March 2023", "June 2022 to May 2023": whole months
    Form {
        name: "month_year",
        pattern: || {
            let month = month();
            format!(
                r"(?-u:\b)(?P<m>{month})[ \t\r\n](?:of[ \t\r\n])?(?P<y>[0-9]{{4}})(?:(?:[ \t\r\n]*[-–][ \t\r\n]*|[ \t\r\n]+(?:to|through|until)[ \t\r\n]+)(?P<m2>{month})[ \t\r\n](?P<y2>[0-9]{{4}}))?(?-u:\b)"
            )
        },
        handler: month_year,
    },
    // "January-September", "January–March 2023": whole months
    Form {
        name: "month_dash_month",
        pattern: || {
            let month = month();
            format!(
                r"(?-u:\b)(?P<m>{month})[-–](?P<m2>{month})(?:,?[ \t\r\n](?P<y>[0-9]{{4}}))?(?-u:\b)"
            )
        },
        handler: month_dash_month,
    },
    // "between January and June", "from March to May": whole months
    Form {
        name: "between_months",
        pattern: || {
            let full_month = full_month();
            format!(
                r"(?-u:\b)(?i:between|from)[ \t\r\n](?P<m>{full_month})[ \t\r\n]+(?:and|to|through|until)[ \t\r\n]+(?P<m2>{full_month})(?:,?[ \t\r\n](?P<y>[0-9]{{4}}))?(?-u:\b)"
            )
        },
        handler: between_months,
    },
    // "two days ago", "3 weeks ago": that day
    Form {
        name: "days_ago",
        pattern: || {
            r"(?-u:\b)(?P<n>[0-9]{1,3}|(?i:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))[ \t\r\n](?P<unit>(?i:days?|weeks?))[ \t\r\n]ago(?-u:\b)".to_string()
        },
        handler: days_ago,
    },
    // "in May", "last May", "for October shipment", "August last year": a whole month
    Form {
        name: "month_name",
        pattern: || {
            let full_month = full_month();
            format!(r"(?-u:\b)(?P<m>{full_month})(?-u:\b)")
        },
        handler: month_name,
    },
    // "2019-2021", "2019–21"
    Form {
        name: "year_dash_year",
        pattern: || {
            format!(
                r"(?-u:\b)(?P<y>{YEAR})[ \t\r\n]*[-–][ \t\r\n]*(?P<y2>(?:1[89]|20)?[0-9]{{2}})(?-u:\b)"
            )
        },
        handler: year,
    },
    // "2019 to 2021", "between 2019 and 2021" (one span); "in 2019 and 2021" (two years)
    Form {
        name: "year_to_year",
        pattern: || {
            format!(
                r"(?-u:\b)(?P<y>{YEAR})[ \t\r\n]+(?P<conn>to|through|until|and)[ \t\r\n]+(?P<y3>{YEAR})(?-u:\b)"
            )
        },
        handler: year,
    },
    // "in 2020", "since 2019": the whole year
    Form {
        name: "year",
        pattern: || format!(r"(?-u:\b)(?P<y>{YEAR})(?-u:\b)"),
        handler: year,
    },
    // "yesterday", "today", "tomorrow", "the day before yesterday"
    Form {
        name: "relative_day",
        pattern: || {
            r"(?-u:\b)(?P<rel>(?i:yesterday|today|tomorrow|(?:the[ \t\r\n])?(?:day[ \t\r\n]before[ \t\r\n]yesterday|day[ \t\r\n]after[ \t\r\n]tomorrow)))(?-u:\b)".to_string()
        },
        handler: relative,
    },
    // "last week", "this month", "next year", "past week"
    Form {
        name: "relative_period",
        pattern: || {
            r"(?-u:\b)(?P<rel>(?i:(?:last|this|next|past)[ \t\r\n](?:week|month|year)))(?-u:\b)"
                .to_string()
        },
        handler: relative,
    },
    // "on Monday", "last Friday", "next Tuesday", "since Monday"
    Form {
        name: "weekday",
        pattern: || {
            let weekday = weekday_name();
            format!(
                r"(?-u:\b)(?P<wq>(?i:on|last|next|this|since|until|by|from)[ \t\r\n])?(?P<wd>{weekday})(?-u:\b)"
            )
        },
        handler: weekday_form,
    },
];

/// The forms' regexes, in table order.
pub(crate) static REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    FORMS
        .iter()
        .map(|f| Regex::new(&(f.pattern)()).expect("a date form's regex compiles"))
        .collect()
});

pub(crate) use crate::forms::matches;

/// Every date in `text` with the rule that decided it.
pub(crate) fn find_all(text: &str, reference: Option<NaiveDate>, o: &DatesOptions) -> Vec<Found> {
    let mut scan = Scan {
        text,
        reference,
        o,
        skip_until: 0,
    };
    let mut out = Vec::new();
    for (i, c) in matches(&REGEXES, text) {
        let Some(m) = c.get(0) else {
            continue; // the whole match is always there
        };
        if m.start() < scan.skip_until {
            continue;
        }
        if let Some(form) = FORMS.get(i) {
            (form.handler)(&mut scan, &c, form.name, &mut out);
        }
    }
    out
}

/// Add the date `range` written `text` at `at`, if it is a valid output range.
fn push(
    out: &mut Vec<Found>,
    at: usize,
    text: &str,
    range: Option<(NaiveDate, NaiveDate)>,
    rule: &'static str,
) {
    if let Some((start, end)) = range.and_then(|(s, e)| output_range(s, e)) {
        out.push(Found {
            at,
            mention: DateMention {
                text: text.to_string(),
                start,
                end,
                section: None,
            },
            rule,
        });
    }
}

/// A handler that gives at most one date, the whole match.
fn one(
    out: &mut Vec<Found>,
    c: &Captures<'_>,
    form: &'static str,
    range: Option<(NaiveDate, NaiveDate)>,
) {
    if let Some(m) = c.get(0) {
        push(out, m.start(), m.as_str(), range, form);
    }
}

/// A number group of the match.
fn num<T: std::str::FromStr>(c: &Captures<'_>, name: &str) -> Option<T> {
    c.name(name)?.as_str().parse().ok()
}

/// The year group `y` if there is one, else the reference year.
fn year_or_reference(scan: &Scan<'_>, c: &Captures<'_>, mo: u32, d: u32) -> Option<i32> {
    match c.name("y") {
        Some(y) => y.as_str().parse().ok(),
        None => Some(infer_year(mo, d, scan.reference?)),
    }
}

fn iso_date(_: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let range = (|| {
        let d = NaiveDate::from_ymd_opt(num(c, "y")?, num(c, "m")?, num(c, "d")?)?;
        Some((d, d))
    })();
    one(out, c, form, range);
}

fn month_day(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let range = (|| {
        let mo = month_num(c.name("m")?.as_str())?;
        let d: u32 = num(c, "d")?;
        let mo2 = c
            .name("m2")
            .and_then(|x| month_num(x.as_str()))
            .unwrap_or(mo);
        let d2: u32 = c.name("d2").map_or(Some(d), |x| x.as_str().parse().ok())?;
        let y = year_or_reference(scan, c, mo, d)?;
        let s = NaiveDate::from_ymd_opt(y, mo, d)?;
        let y2 = if mo2 < mo { y.checked_add(1)? } else { y };
        let e = NaiveDate::from_ymd_opt(y2, mo2, d2)?;
        (e >= s).then_some((s, e))
    })();
    one(out, c, form, range);
}

fn day_month(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let range = (|| {
        let mo = month_num(c.name("m")?.as_str())?;
        let d: u32 = num(c, "d")?;
        let d2: u32 = c.name("d2").map_or(Some(d), |x| x.as_str().parse().ok())?;
        let y = year_or_reference(scan, c, mo, d)?;
        let s = NaiveDate::from_ymd_opt(y, mo, d)?;
        let e = NaiveDate::from_ymd_opt(y, mo, d2)?;
        (e >= s).then_some((s, e))
    })();
    one(out, c, form, range);
}

fn month_year(_: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let range = (|| {
        let mo = month_num(c.name("m")?.as_str())?;
        let y: i32 = num(c, "y")?;
        let (mo2, y2) = match (c.name("m2"), c.name("y2")) {
            // "from June 2023 to May 2024"
            (Some(m), Some(y)) => (month_num(m.as_str())?, y.as_str().parse().ok()?),
            _ => (mo, y),
        };
        let (s, e) = months(y, mo, y2, mo2)?;
        (e >= s).then_some((s, e))
    })();
    one(out, c, form, range);
}

fn month_dash_month(
    scan: &mut Scan<'_>,
    c: &Captures<'_>,
    form: &'static str,
    out: &mut Vec<Found>,
) {
    let range = (|| {
        let (mo, mo2) = (
            month_num(c.name("m")?.as_str())?,
            month_num(c.name("m2")?.as_str())?,
        );
        let y = year_or_reference(scan, c, mo, 1)?;
        let y2 = if mo2 < mo { y.checked_add(1)? } else { y };
        months(y, mo, y2, mo2)
    })();
    one(out, c, form, range);
}

fn between_months(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let range = (|| {
        let (mo, mo2) = (
            month_num(c.name("m")?.as_str())?,
            month_num(c.name("m2")?.as_str())?,
        );
        let y = year_or_reference(scan, c, mo, 1)?;
        // "from June to July 2": a month and a day, no date rather than a wrong one
        let after = scan.text.get(c.get(0)?.end()..).unwrap_or("");
        if after
            .strip_prefix(' ')
            .is_some_and(|r| r.starts_with(|ch: char| ch.is_ascii_digit()))
            && c.name("y").is_none()
        {
            return None;
        }
        let y2 = if mo2 < mo { y.checked_add(1)? } else { y };
        months(y, mo, y2, mo2)
    })();
    one(out, c, form, range);
}

/// "two days ago": that day; "three weeks ago": that day too (the reference less 21 days);
/// "ten years ago" is a vague period, not a date.
fn days_ago(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let range = (|| {
        if !scan.o.relative {
            return None;
        }
        let reference = scan.reference?;
        let n: u32 = match c.name("n")?.as_str().to_ascii_lowercase().as_str() {
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
        let unit = c.name("unit")?.as_str().to_ascii_lowercase();
        let days = if unit.trim_end_matches('s') == "day" {
            n as u64
        } else {
            7 * n as u64
        };
        let d = reference.checked_sub_days(Days::new(days))?;
        Some((d, d))
    })();
    one(out, c, form, range);
}

/// "in May": that month of the reference year ("last May": the one before, "next May": the
/// one after); "in August last year": that month of that year. Only after one of the words
/// below, so "May" the verb and names are no dates.
fn month_name(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let text = scan.text;
    let Some(mn) = c.name("m") else { return };
    let before = text::sub(text, 0, mn.start()).trim_end_matches([' ', '-']);
    let pw = before
        .rsplit(|ch: char| !ch.is_alphabetic())
        .next()
        .unwrap_or("");
    let qualified = matches!(pw.to_ascii_lowercase().as_str(), "last" | "next" | "this");
    // "last May", "last-May": the mention starts at the qualifier
    let start_at = if qualified {
        before.len() - pw.len()
    } else {
        mn.start()
    };
    let pw = pw.to_ascii_lowercase();
    let found = (|| {
        let reference = scan.reference?;
        let mo = month_num(mn.as_str())?;
        // "the October blast", "before the April recess": a month qualifying an event is
        // that month (a full month name, then a lower-case noun)
        let event = pw == "the"
            && MONTH_NAMES.contains(mn.as_str())
            && text
                .get(mn.end()..)
                .and_then(|r| r.strip_prefix(' '))
                .is_some_and(|r| {
                    let w = r.split(|ch: char| !ch.is_alphabetic()).next().unwrap_or("");
                    w.len() > 2
                        && w.starts_with(|ch: char| ch.is_ascii_lowercase())
                        && !text::is_stopword(w)
                });
        if !MONTH_BEFORE_WORDS.contains(&pw) && !event {
            return None;
        }
        let y = match pw.as_str() {
            "last" if mo >= reference.month() => reference.year().checked_sub(1)?,
            "next" if mo <= reference.month() => reference.year().checked_add(1)?,
            _ => infer_year(mo, 1, reference),
        };
        // "in August last year", "in March next year": that month of that year
        let after = text.get(mn.end()..).unwrap_or("");
        for (w, dy) in [(" last year", -1), (" next year", 1), (" this year", 0)] {
            if after
                .get(..w.len())
                .is_some_and(|a| a.eq_ignore_ascii_case(w))
                && text::boundary_after(after, w.len())
            {
                // the words as written (a substring of the text)
                let written = text.get(mn.start()..mn.end() + w.len())?;
                scan.skip_until = mn.end() + w.len();
                let y = reference.year().checked_add(dy)?;
                return Some((written, months(y, mo, y, mo)));
            }
        }
        let written = if qualified {
            // "last May", "last-May": from the qualifier to the month as written
            text.get(start_at..mn.end())?
        } else {
            mn.as_str()
        };
        Some((written, months(y, mo, y, mo)))
    })();
    if let Some((written, range)) = found {
        push(out, start_at, written, range, form);
    }
}

/// "2020", "2019-2021", "2019 to 2021", "between 2019 and 2021": the whole years; "in 2019 and
/// 2021": two years (rule `year_and_year`). Not an amount ("2020 tonnes", "$2020") nor part
/// of a number.
fn year(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let text = scan.text;
    let Some(m) = c.get(0) else { return };
    let range = (|| {
        if !scan.o.years {
            return None;
        }
        let before = text::sub(text, 0, m.start()).chars().next_back();
        let after = text.get(m.end()..).unwrap_or("");
        let digit_after = |p: char| {
            after
                .strip_prefix(p)
                .is_some_and(|r| r.starts_with(|ch: char| ch.is_ascii_digit()))
        };
        if before.is_some_and(|ch| matches!(ch, '$' | '€' | '£' | ',' | '.' | '#'))
            || digit_after(',')
            || digit_after('.')
            || after.trim_start().starts_with('%')
            || after.trim_start().starts_with("percent")
        {
            return None;
        }
        let y = c.name("y")?;
        let y1: i32 = y.as_str().parse().ok()?;
        if let Some(y3m) = c.name("y3") {
            // "2019 to 2021", "between 2019 and 2021" are one span; "in 2019 and 2021" are
            // two years
            let pw = prev_word(text, m.start());
            let y3: i32 = y3m.as_str().parse().ok()?;
            if (c.name("conn").map(|x| x.as_str()) != Some("and") || pw == "between") && y3 > y1 {
                return years(y1, y3);
            }
            // two separate years joined by "and", each as written
            for (at, t, y) in [(y.start(), y.as_str(), y1), (y3m.start(), y3m.as_str(), y3)] {
                push(out, at, t, years(y, y), "year_and_year");
            }
            return None;
        }
        let y2: i32 = match c.name("y2") {
            Some(b) if b.as_str().len() == 2 => y1 / 100 * 100 + b.as_str().parse::<i32>().ok()?,
            Some(b) => b.as_str().parse().ok()?,
            None => y1,
        };
        if y2 < y1 {
            return None;
        }
        years(y1, y2)
    })();
    one(out, c, form, range);
}

/// "yesterday", "today" (only as the day: "said today", "today's"), "tomorrow", "last week"
/// (Monday to Sunday), "this month", "next year", ...
fn relative(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let text = scan.text;
    let range = (|| {
        if !scan.o.relative {
            return None;
        }
        let reference = scan.reference?;
        let m = c.get(0)?;
        let r = c.name("rel")?.as_str().to_ascii_lowercase();
        let week_start = shift(
            reference,
            -i64::from(reference.weekday().num_days_from_monday()),
        )?;
        let month_start = reference.with_day(1)?;
        let day = |n: i64| shift(reference, n);
        let week = |from: i64, to: i64| Some((shift(week_start, from)?, shift(week_start, to)?));
        Some(match r.trim_start_matches("the ") {
            "yesterday" => (day(-1)?, day(-1)?),
            // "today" is the day only beside an event ("said today", "as of today", "today's
            // vote"), not "nowadays" ("Today the whole region wants...", "nobody has that
            // money today")
            "today" if !today_is_the_day(text, m.start(), m.end()) => return None,
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
    })();
    one(out, c, form, range);
}

/// "on Monday": the latest Monday on or before the reference, or the next one when the
/// sentence looks ahead ("will", "is due to"); "last Friday", "next Tuesday"; "since Monday"
/// (the mention is the weekday alone).
fn weekday_form(scan: &mut Scan<'_>, c: &Captures<'_>, form: &'static str, out: &mut Vec<Found>) {
    let text = scan.text;
    let Some(m) = c.get(0) else { return };
    let Some(w) = c.name("wd") else { return };
    let found = (|| {
        if !scan.o.relative {
            return None;
        }
        let reference = scan.reference?;
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
        // "since Monday": keep the weekday only
        let written = if q
            .as_deref()
            .is_some_and(|q| !matches!(q, "on" | "last" | "next" | "this"))
        {
            w.as_str()
        } else {
            m.as_str()
        };
        Some((written, (d, d)))
    })();
    if let Some((written, range)) = found {
        push(out, m.start(), written, Some(range), form);
    }
}
