//! Dates as pages and wire copy write them for people: "March 3, 2025", "Mar. 3, 2025",
//! "3 March 2025", "Tuesday, 14 January 2025", "14.01.2025 10:32", "2025/03/03",
//! "3 марта 2025"; a date in a URL path; and the bounds a publication date must lie in.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// Publication dates before this year are not believed (the web's news begins about then).
pub const EARLIEST_YEAR: i32 = 1995;

/// A date that could be a publication date: from 1995 to one day after `now`.
pub fn plausible(d: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    d.year() >= EARLIEST_YEAR && d <= now + Duration::days(1)
}

/// A machine date (ISO 8601, RFC 822) or a human one, in UTC.
pub fn parse_any(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    crate::dates::parse_date(s).or_else(|| find_date(s).map(|(d, _)| d))
}

/// Month names in the languages of the region's and the world's news
/// (`data/month_names.txt`).
static MONTH_NAMES: std::sync::LazyLock<std::collections::HashMap<&'static str, u32>> =
    std::sync::LazyLock::new(|| {
        let mut m = std::collections::HashMap::new();
        for line in include_str!("../../data/month_names.txt").lines() {
            let mut words = line.split_whitespace();
            let Some(n) = words.next().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            for w in words {
                m.insert(w, n);
            }
        }
        m
    });

const MONTHS_EN: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The month a word names ("March", "Mar.", "Sept", "januari", "марта"), if any.
pub fn month_word(w: &str) -> Option<u32> {
    let w = w.trim_end_matches(['.', ',']).to_lowercase();
    if let Some(n) = MONTH_NAMES.get(w.as_str()) {
        return Some(*n);
    }
    if w.is_ascii() && w.len() >= 3 {
        // "Sept", "Febr": a prefix of an English month name.
        let full = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ];
        let i = MONTHS_EN.iter().position(|m| w.starts_with(m))?;
        return full[i].starts_with(w.as_str()).then_some(i as u32 + 1);
    }
    // Russian abbreviations: "янв", "сент".
    const RU: [&str; 12] = [
        "янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
    ];
    (w.chars().count() >= 3 && w.chars().count() <= 5)
        .then(|| RU.iter().position(|m| w.starts_with(m)))
        .flatten()
        .map(|i| i as u32 + 1)
}

/// Words of a text with their byte offsets (split at whitespace and commas).
fn words(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let sep = c.is_whitespace() || c == ',' || c == '|' || c == '(' || c == ')';
        match (sep, start) {
            (true, Some(st)) => {
                out.push((st, &s[st..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
        if out.len() > 400 {
            return out;
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

fn number(w: &str) -> Option<u32> {
    let w = w.trim_end_matches(['.', ',']);
    let w = w
        .strip_suffix("st")
        .or_else(|| w.strip_suffix("nd"))
        .or_else(|| w.strip_suffix("rd"))
        .or_else(|| w.strip_suffix("th"))
        .unwrap_or(w);
    (!w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
}

fn year(w: &str) -> Option<i32> {
    let w = w.trim_end_matches(['.', ',']);
    let w = w.strip_suffix("г").unwrap_or(w);
    (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
        .filter(|y| (1900..=2200).contains(y))
}

/// A clock time right after a date ("10:32", "10.32", "10:32am").
fn clock(w: Option<&&str>) -> Option<NaiveTime> {
    let w = w?.trim_end_matches(['.', ',']);
    let (h, m) = w.split_once([':', '.'])?;
    let m = m.get(..2)?;
    let mut h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    if w.to_ascii_lowercase().ends_with("pm") && h < 12 {
        h += 12;
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// The weekday a word names ("Tue", "Tuesday,", "вторник").
pub fn weekday_word(w: &str) -> Option<chrono::Weekday> {
    use chrono::Weekday::*;
    let w = w.trim_end_matches(['.', ',']).to_lowercase();
    const EN: [(&str, chrono::Weekday); 7] = [
        ("monday", Mon),
        ("tuesday", Tue),
        ("wednesday", Wed),
        ("thursday", Thu),
        ("friday", Fri),
        ("saturday", Sat),
        ("sunday", Sun),
    ];
    const RU: [(&str, chrono::Weekday); 8] = [
        ("понедельник", Mon),
        ("вторник", Tue),
        ("среда", Wed),
        ("среду", Wed),
        ("четверг", Thu),
        ("пятниц", Fri),
        ("суббот", Sat),
        ("воскресень", Sun),
    ];
    if w.len() >= 3 && w.is_ascii() {
        if let Some((_, d)) = EN.iter().find(|(n, _)| {
            n.starts_with(w.as_str())
                && (w.len() == 3 || w == *n || w == "tues" || w == "thur" || w == "thurs")
        }) {
            return Some(*d);
        }
        return None;
    }
    RU.iter().find(|(n, _)| w.starts_with(n)).map(|(_, d)| *d)
}

/// The first full date (day, month and year) written in `s`, and where it ends.
/// `month_first_numeric` reads `03/04/2025` as March 4 (US); dotted dates are always
/// day first.
pub fn find_date(s: &str) -> Option<(DateTime<Utc>, usize)> {
    find_date_with(s, true)
}

pub fn find_date_with(s: &str, month_first_numeric: bool) -> Option<(DateTime<Utc>, usize)> {
    let ws = words(s);
    let end_of = |k: usize| ws[k].0 + ws[k].1.len();
    for k in 0..ws.len() {
        let w = ws[k].1;
        // Numeric: 2025-03-03, 2025/03/03, 14.01.2025, 03/04/2025 (a weekday before an
        // ambiguous one decides which reading: "Tue, 04/03/2025" is March 4).
        let weekday = k.checked_sub(1).and_then(|j| weekday_word(ws[j].1));
        let reading = |first: bool| numeric(w, first);
        let pick = match (weekday, reading(true), reading(false)) {
            (Some(wd), Some(a), Some(b)) if a != b => {
                if b.weekday() == wd && a.weekday() != wd {
                    Some(b)
                } else if a.weekday() == wd {
                    Some(a)
                } else {
                    reading(month_first_numeric)
                }
            }
            _ => reading(month_first_numeric),
        };
        if let Some(d) = pick {
            let t = clock(ws.get(k + 1).map(|x| &x.1)).unwrap_or(NaiveTime::MIN);
            return Some((Utc.from_utc_datetime(&d.and_time(t)), end_of(k)));
        }
        // Month D, YYYY.
        if let Some(m) = month_word(w)
            && let Some(d) = ws.get(k + 1).and_then(|x| number(x.1)).filter(|d| *d <= 31)
            && let Some(y) = ws.get(k + 2).and_then(|x| year(x.1))
            && let Some(day) = NaiveDate::from_ymd_opt(y, m, d)
        {
            let t = clock(ws.get(k + 3).map(|x| &x.1)).unwrap_or(NaiveTime::MIN);
            return Some((Utc.from_utc_datetime(&day.and_time(t)), end_of(k + 2)));
        }
        // D Month YYYY.
        if let Some(d) = number(w).filter(|d| (1..=31).contains(d))
            && let Some(m) = ws.get(k + 1).and_then(|x| month_word(x.1))
            && let Some(y) = ws.get(k + 2).and_then(|x| year(x.1))
            && let Some(day) = NaiveDate::from_ymd_opt(y, m, d)
        {
            let t = clock(ws.get(k + 3).map(|x| &x.1)).unwrap_or(NaiveTime::MIN);
            return Some((Utc.from_utc_datetime(&day.and_time(t)), end_of(k + 2)));
        }
    }
    None
}

/// A month and day without a year ("March 3", "3 March", "Jan 14"), and where it ends.
pub fn find_month_day(s: &str) -> Option<(u32, u32, usize)> {
    let ws = words(s);
    for k in 0..ws.len() {
        if let Some(m) = month_word(ws[k].1)
            && let Some(d) = ws
                .get(k + 1)
                .and_then(|x| number(x.1))
                .filter(|d| (1..=31).contains(d))
        {
            return Some((m, d, ws[k + 1].0 + ws[k + 1].1.len()));
        }
        if let Some(d) = number(ws[k].1).filter(|d| (1..=31).contains(d))
            && let Some(m) = ws.get(k + 1).and_then(|x| month_word(x.1))
        {
            return Some((m, d, ws[k + 1].0 + ws[k + 1].1.len()));
        }
    }
    None
}

fn numeric(w: &str, month_first: bool) -> Option<NaiveDate> {
    let w = w.trim_end_matches([',', ';']).trim_end_matches('.');
    let w = w.split(['T', 't']).next()?;
    let sep = if w.contains('-') {
        '-'
    } else if w.contains('/') {
        '/'
    } else if w.contains('.') {
        '.'
    } else {
        return None;
    };
    let parts: Vec<&str> = w.split(sep).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if n.len() != 3 {
        return None;
    }
    if parts[0].len() == 4 {
        return NaiveDate::from_ymd_opt(n[0] as i32, n[1], n[2]);
    }
    if parts[2].len() != 4 {
        return None;
    }
    let y = n[2] as i32;
    let (m, d) = if sep == '.' || n[0] > 12 {
        (n[1], n[0])
    } else if n[1] > 12 || month_first {
        (n[0], n[1])
    } else {
        (n[1], n[0])
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A date in a URL's path: `/2025/03/03/`, `/2025-03-03-slug`, `/20250303/`.
pub fn url_date(url: &str) -> Option<NaiveDate> {
    let path = url.split_once("://").map_or(url, |(_, r)| r);
    let path = path.find('/').map_or("", |i| &path[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').collect();
    let num = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    for k in 0..segs.len() {
        if let Some(y) = num(segs[k], 4).filter(|y| (1995..=2200).contains(y))
            && let Some(m) = segs
                .get(k + 1)
                .and_then(|s| num(s, 2).or_else(|| num(s, 1)))
            && let Some(d) = segs
                .get(k + 2)
                .and_then(|s| num(s, 2).or_else(|| num(s, 1)))
            && let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d)
        {
            return Some(date);
        }
        let s = segs[k];
        if s.len() >= 10
            && let Some(date) = s
                .get(..10)
                .and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
            && date.year() >= EARLIEST_YEAR
        {
            return Some(date);
        }
        if let Some(v) = num(s, 8)
            && let Some(date) = NaiveDate::from_ymd_opt((v / 10_000) as i32, v / 100 % 100, v % 100)
            && date.year() >= EARLIEST_YEAR
        {
            return Some(date);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Option<String> {
        find_date(s).map(|(d, _)| d.format("%Y-%m-%d").to_string())
    }

    #[test]
    fn human_dates() {
        assert_eq!(day("March 3, 2025").as_deref(), Some("2025-03-03"));
        assert_eq!(
            day("Published Mar. 3, 2025 at 10:00").as_deref(),
            Some("2025-03-03")
        );
        assert_eq!(
            day("Tuesday, 14 January 2025").as_deref(),
            Some("2025-01-14")
        );
        assert_eq!(day("14.01.2025 10:32").as_deref(), Some("2025-01-14"));
        assert_eq!(
            day("Tue, 03/04/2025 - 10:15").as_deref(),
            Some("2025-03-04")
        );
        assert_eq!(day("25/04/2025").as_deref(), Some("2025-04-25"));
        assert_eq!(day("3 марта 2025 г.").as_deref(), Some("2025-03-03"));
        assert_eq!(day("Sept. 9th, 2023").as_deref(), Some("2023-09-09"));
        assert_eq!(day("2025/03/03").as_deref(), Some("2025-03-03"));
        assert_eq!(day("In March, 200 people"), None);
        assert_eq!(day("may 2025"), None);
    }

    #[test]
    fn url_dates() {
        assert_eq!(
            url_date("https://x.test/world/2025/03/03/slug/"),
            NaiveDate::from_ymd_opt(2025, 3, 3)
        );
        assert_eq!(
            url_date("https://x.test/2025-03-03-slug"),
            NaiveDate::from_ymd_opt(2025, 3, 3)
        );
        assert_eq!(
            url_date("https://x.test/news/20250303/slug"),
            NaiveDate::from_ymd_opt(2025, 3, 3)
        );
        assert_eq!(url_date("https://x.test/2025/slug"), None);
        assert_eq!(url_date("https://x.test/a/12345678"), None);
    }
}
