//! Feed dates, read leniently: RFC 822 / 2822 (RSS, with the usual faults: no weekday or a
//! long one, long month names, two-digit years, no seconds, zone names, `UTC`, month and
//! day swapped) and ISO 8601 / W3C-DTF (Atom, RSS 1.0, Dublin Core, JSON Feed: a date
//! alone, a month alone, no zone, `+0100` without a colon, a space for the `T`). Years have
//! four digits (or two, in RFC 822); anything else is not a date.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// The date `s` names, in UTC.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    iso(s).or_else(|| rfc822(s))
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, then optionally `T` (or a space) `hh:mm[:ss[.f]]` and a
/// zone (`Z`, `±hh:mm`, `±hhmm`, `±hh`).
fn iso(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if !s.get(..4).is_some_and(digits) {
        return None;
    }
    if b.get(4).is_some_and(u8::is_ascii_digit) {
        // The basic format: `20250106`, `20250106T100000Z`.
        let date = s.get(..8).filter(|d| digits(d))?;
        let rest = s.get(8..)?;
        if rest.is_empty() || rest.starts_with(['T', 't']) {
            let extended = format!("{}-{}-{}{}", &date[..4], &date[4..6], &date[6..8], rest);
            return iso(&extended);
        }
        return None;
    }
    let (date_part, time_part) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    let mut it = date_part.split('-');
    let year: i32 = it
        .next()
        .filter(|y| y.len() == 4 && digits(y))?
        .parse()
        .ok()?;
    let month: u32 = match it.next() {
        Some(m) if digits(m) && m.len() <= 2 => m.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    let day: u32 = match it.next() {
        Some(d) if digits(d) && d.len() <= 2 => d.parse().ok()?,
        Some(_) => return None,
        None => 1,
    };
    if it.next().is_some() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let Some(t) = time_part.filter(|t| !t.is_empty()) else {
        return Some(Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)));
    };
    // The zone starts at Z, + or - (after the time's digits).
    let zone_at = t
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, 'Z' | 'z' | '+' | '-'))
        .map(|(i, _)| i);
    let (clock, zone) = match zone_at {
        Some(i) => (t[..i].trim(), t[i..].trim()),
        None => {
            // A trailing zone name (`2025-01-06 10:00:00 GMT`).
            match t.rsplit_once(' ') {
                Some((c, z)) => (c.trim(), z.trim()),
                None => (t, ""),
            }
        }
    };
    let time = clock_time(clock)?;
    let offset = zone_offset(zone)?;
    to_utc(date.and_time(time), offset)
}

/// `hh:mm`, `hh:mm:ss`, `hh:mm:ss.fff`, `hhmmss`.
fn clock_time(c: &str) -> Option<NaiveTime> {
    let c = c.split(['.', ',']).next()?;
    let parts: Vec<&str> = if c.contains(':') {
        c.split(':').collect()
    } else if c.len() == 6 && digits(c) {
        vec![&c[..2], &c[2..4], &c[4..]]
    } else if c.len() == 4 && digits(c) {
        vec![&c[..2], &c[2..]]
    } else {
        return None;
    };
    if parts.len() < 2 || parts.len() > 3 || !parts.iter().all(|p| digits(p) && p.len() <= 2) {
        return None;
    }
    let h: u32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let sec: u32 = parts.get(2).map_or(Some(0), |s| s.parse().ok())?;
    // 24:00 is the end of the day; leap seconds are the last second.
    if h == 24 && m == 0 && sec == 0 {
        return NaiveTime::from_hms_opt(23, 59, 59);
    }
    NaiveTime::from_hms_opt(h, m, sec.min(59))
}

/// Seconds east of UTC for a zone as feeds write it; an empty zone is UTC.
fn zone_offset(z: &str) -> Option<i32> {
    let z = z.trim();
    if z.is_empty() {
        return Some(0);
    }
    if let Some(sign) = z.chars().next().filter(|c| *c == '+' || *c == '-') {
        let rest: String = z[1..].chars().filter(|c| *c != ':').collect();
        if !digits(&rest) {
            return None;
        }
        let (h, m) = match rest.len() {
            1 | 2 => (rest.parse::<i32>().ok()?, 0),
            3 => (
                rest[..1].parse::<i32>().ok()?,
                rest[1..].parse::<i32>().ok()?,
            ),
            4 => (
                rest[..2].parse::<i32>().ok()?,
                rest[2..].parse::<i32>().ok()?,
            ),
            _ => return None,
        };
        if h > 23 || m > 59 {
            return None;
        }
        let secs = h * 3600 + m * 60;
        return Some(if sign == '-' { -secs } else { secs });
    }
    let hours = match z.to_ascii_uppercase().as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "WET" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "AKST" => -9,
        "AKDT" => -8,
        "HST" => -10,
        "CET" | "BST" | "WEST" | "MEZ" => 1,
        "CEST" | "EET" | "MESZ" => 2,
        "EEST" | "MSK" => 3,
        "IST" => return Some(5 * 3600 + 1800),
        "JST" | "KST" => 9,
        "AEST" => 10,
        "AEDT" => 11,
        // Military zones other than Z are too often wrong to trust (RFC 2822 says to read
        // them as -0000).
        m if m.len() == 1 && m.chars().all(|c| c.is_ascii_alphabetic()) => 0,
        _ => return None,
    };
    Some(hours * 3600)
}

fn to_utc(local: NaiveDateTime, offset_secs: i32) -> Option<DateTime<Utc>> {
    let off = FixedOffset::east_opt(offset_secs)?;
    off.from_local_datetime(&local)
        .single()
        .map(|d| d.with_timezone(&Utc))
}

fn month_of(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let i = MONTHS.iter().position(|m| w.starts_with(m))?;
    Some(i as u32 + 1)
}

/// RFC 822 and its real-world variants: the words in any sensible order.
fn rfc822(s: &str) -> Option<DateTime<Utc>> {
    let mut day = None;
    let mut month = None;
    let mut year: Option<i32> = None;
    let mut time = None;
    let mut offset = None;
    for tok in s
        .split([' ', ',', '\t', '\n', '\r'])
        .filter(|t| !t.is_empty())
    {
        // A comment (`+0000 (UTC)`) and a lone `-`.
        if tok.starts_with('(') || tok.ends_with(')') || tok == "-" {
            continue;
        }
        if let Some(m) = month_of(tok).filter(|_| month.is_none()) {
            month = Some(m);
        } else if tok.contains(':') && time.is_none() {
            // `10:00:00+0100` glued together.
            let (clock, zone) = match tok.find(['+', '-']) {
                Some(i) => (&tok[..i], Some(&tok[i..])),
                None => (tok, None),
            };
            time = Some(clock_time(clock)?);
            if let Some(z) = zone {
                offset = Some(zone_offset(z)?);
            }
        } else if digits(tok) && tok.len() <= 2 && day.is_none() && year.is_none() {
            day = Some(tok.parse::<u32>().ok()?);
        } else if digits(tok) && (tok.len() == 4 || tok.len() == 2) && year.is_none() {
            let y: i32 = tok.parse().ok()?;
            year = Some(if tok.len() == 2 {
                if y < 50 { 2000 + y } else { 1900 + y }
            } else {
                y
            });
        } else if digits(tok) && tok.len() <= 2 && day.is_some() && year.is_none() {
            // `Jan 06 2025` read `06` as the day already; a second short number is a
            // two-digit year.
            let y: i32 = tok.parse().ok()?;
            year = Some(if y < 50 { 2000 + y } else { 1900 + y });
        } else if time.is_some() && offset.is_none() {
            offset = Some(zone_offset(tok)?);
        } else if tok.chars().all(|c| c.is_ascii_alphabetic()) && time.is_none() {
            // A weekday (any language, any length).
            continue;
        } else {
            return None;
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    to_utc(
        date.and_time(time.unwrap_or(NaiveTime::MIN)),
        offset.unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse_date(s).map_or_else(|| "none".into(), |d| d.to_rfc3339())
    }

    #[test]
    fn rfc822_forms() {
        let want = "2025-01-06T10:00:00+00:00";
        for s in [
            "Mon, 06 Jan 2025 10:00:00 GMT",
            "Mon, 6 Jan 2025 10:00:00 +0000",
            "06 Jan 2025 10:00:00 Z",
            "Monday, 06 January 2025 10:00:00 UTC",
            "Mon, 06 Jan 25 10:00:00 GMT",
            "Mon, 06 Jan 2025 05:00:00 EST",
            "Mon, 06 Jan 2025 11:00:00 +01:00",
            "Jan 06 2025 10:00:00 GMT",
            "Mon, 06 Jan 2025 10:00 GMT",
        ] {
            assert_eq!(p(s), want, "{s}");
        }
        assert_eq!(p("Mon, 06 Jan 2025"), "2025-01-06T00:00:00+00:00");
        assert_eq!(
            p("Mon, 06 Jan 2025 10:00:00 +0000 (UTC)"),
            "2025-01-06T10:00:00+00:00"
        );
        assert_eq!(p("Mon Jan  6 10:00:00 2025"), "2025-01-06T10:00:00+00:00");
        for bad in [
            "Mon, 01 Jan 262142 00:00:00 GMT",
            "Mon, 01 Jan -0001 00:00:00 GMT",
            "yesterday",
            "",
        ] {
            assert_eq!(p(bad), "none", "{bad}");
        }
    }

    #[test]
    fn iso_forms() {
        assert_eq!(p("2025-01-06T10:00:00Z"), "2025-01-06T10:00:00+00:00");
        assert_eq!(p("2025-01-06T11:00:00+01:00"), "2025-01-06T10:00:00+00:00");
        assert_eq!(
            p("2025-01-06T11:00:00.123+0100"),
            "2025-01-06T10:00:00+00:00"
        );
        assert_eq!(p("2025-01-06 10:00:00"), "2025-01-06T10:00:00+00:00");
        assert_eq!(p("2025-01-06T10:00Z"), "2025-01-06T10:00:00+00:00");
        assert_eq!(p("2025-01-06"), "2025-01-06T00:00:00+00:00");
        assert_eq!(p("2025-01"), "2025-01-01T00:00:00+00:00");
        assert_eq!(p("20250106T100000Z"), "2025-01-06T10:00:00+00:00");
        assert_eq!(p("20250106"), "2025-01-06T00:00:00+00:00");
        assert_eq!(p("2é25-01-06"), "none");
        assert_eq!(p("2003-12-13T18:30:02-05:00"), "2003-12-13T23:30:02+00:00");
        for bad in [
            "262142-01-01T00:00:00Z",
            "+262142-01-01T00:00:00Z",
            "2025-13-01",
        ] {
            assert_eq!(p(bad), "none", "{bad}");
        }
    }
}
