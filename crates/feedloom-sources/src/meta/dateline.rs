//! The publication date a plain-text story states at its top: a wire dateline ("ALMATY,
//! March 3, 2025 (Reuters) -", "Dushanbe, 12 March 2024 —"), or a date on a line of its own
//! near the title ("Tuesday, 14 January 2025", "September 9, 2023", "Published: 14.01.2025
//! 10:32"). A date inside an ordinary sentence is not a dateline; a dateline without a year
//! ("MOSCOW, Jan 14 (Reuters) -") gives no date.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::dates::{find_date_with, find_month_day, weekday_word};

/// Lines at the top of a story that may hold its date.
const TOP_LINES: usize = 6;
/// A line this long or shorter may be a date line (a byline and a date, "Published: …").
const SHORT_LINE: usize = 120;
/// A dateline ends within this many bytes of its paragraph's start.
const DATELINE_SPAN: usize = 160;

/// The date at the top of `text` (the story without its title), when it states one.
pub fn dateline_date(text: &str) -> Option<DateTime<Utc>> {
    dateline_date_at(text, Utc::now())
}

/// [`dateline_date`] for a story read at `now`. A dateline without a year ("MOSCOW, Jan 14
/// (Reuters) -") is dated when its paragraph names a weekday ("on Tuesday") and exactly
/// one of the years in question puts that month and day on that weekday: the years the
/// text names and the ones after them, and `now`'s year and the one before.
pub fn dateline_date_at(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(TOP_LINES);
    for line in lines {
        if line.len() <= SHORT_LINE {
            let lower = line.to_lowercase();
            // "Updated: …" is not when the story first appeared.
            if lower.starts_with("updated")
                || lower.starts_with("last updated")
                || lower.starts_with("modified")
            {
                continue;
            }
            if let Some((d, _)) = find_date_with(line, true) {
                return Some(d);
            }
            continue;
        }
        // A paragraph: only its dateline, the words before the first dash.
        let head = line.get(..line.len().min(DATELINE_SPAN)).or_else(|| {
            let mut c = DATELINE_SPAN.min(line.len());
            while !line.is_char_boundary(c) {
                c -= 1;
            }
            line.get(..c)
        })?;
        let Some(dash) = [
            "—",
            " – ",
            " - ",
            " -- ",
            "(Reuters)",
            "(AP)",
            "(AFP)",
            "(Xinhua)",
        ]
        .iter()
        .filter_map(|d| head.find(d))
        .min() else {
            // The first long paragraph has no dateline: the story has begun.
            return None;
        };
        let prefix = &head[..dash];
        // A dateline opens with a place in capitals or a capitalised word and a comma.
        if !prefix.starts_with(|c: char| c.is_uppercase()) || prefix.split_whitespace().count() > 12
        {
            return None;
        }
        if let Some((d, _)) = find_date_with(prefix, true) {
            return Some(d);
        }
        let (month, day, _) = find_month_day(prefix)?;
        return yearless(text, line, month, day, now);
    }
    None
}

/// The year of a yearless dateline, from the weekday its paragraph names.
fn yearless(
    text: &str,
    paragraph: &str,
    month: u32,
    day: u32,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let weekday = paragraph.split_whitespace().find_map(weekday_word)?;
    let mut years: Vec<i32> = vec![now.year(), now.year() - 1];
    for w in text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .take(200)
    {
        if let Ok(y) = w.parse::<i32>()
            && (super::dates::EARLIEST_YEAR..=now.year()).contains(&y)
        {
            years.extend([y, y + 1]);
        }
    }
    years.sort_unstable();
    years.dedup();
    let fits: Vec<NaiveDate> = years
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, month, day))
        .filter(|d| d.weekday() == weekday && *d <= (now + chrono::Duration::days(1)).date_naive())
        .collect();
    match fits.as_slice() {
        [one] => one.and_hms_opt(0, 0, 0).map(|t| t.and_utc()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::dateline_date_at;

    fn day(t: &str) -> Option<String> {
        let now = chrono::Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
        dateline_date_at(t, now).map(|d| d.format("%Y-%m-%d").to_string())
    }

    #[test]
    fn datelines() {
        let body = " Kazakhstan's government said on Monday that it would raise gas exports to China by a third next year, after talks last week.";
        assert_eq!(
            day(&format!("ALMATY, March 3, 2025 (Reuters) -{body}")).as_deref(),
            Some("2025-03-03")
        );
        assert_eq!(
            day(&format!("Dushanbe, 12 March 2024 —{body}")).as_deref(),
            Some("2024-03-12")
        );
        assert_eq!(
            day(&format!("Tuesday, 14 January 2025\n\n{body}")).as_deref(),
            Some("2025-01-14")
        );
        assert_eq!(
            day(&format!("By Jane Doe\nSeptember 9, 2023\n{body}")).as_deref(),
            Some("2023-09-09")
        );
        assert_eq!(
            day(&format!("MOSCOW, Jan 14 (Reuters) -{body}")),
            None,
            "Jan 14 was no Monday in 2025 or 2026"
        );
        // A weekday settles a yearless dateline: Jan 14 was a Tuesday in 2025 only.
        assert_eq!(
            day("MOSCOW, Jan 14 (Reuters) - Russia's grain exports fell about 8% last year, data showed on Tuesday, as quotas limited shipments.").as_deref(),
            Some("2025-01-14")
        );
        assert_eq!(day(&format!("BISHKEK, Kyrgyzstan (AP) —{body}")), None);
        assert_eq!(
            day(&format!(
                "{body} The deal was signed on March 3, 2025 in Astana, officials said."
            )),
            None
        );
        assert_eq!(
            day(&format!(
                "Updated: March 5, 2025\nPublished: March 3, 2025\n{body}"
            ))
            .as_deref(),
            Some("2025-03-03")
        );
    }
}
