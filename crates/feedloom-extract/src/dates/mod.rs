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
//!
//! Where things are: each way a date is written is one entry of the table in `forms.rs`
//! (name, pattern, handler: `iso_date`, `month_day`, `day_month`, `month_year`,
//! `month_dash_month`, `between_months`, `days_ago`, `month_name`, `year_dash_year`,
//! `year_to_year`, `year`, `relative_day`, `relative_period`, `weekday`), tried in the table's
//! order; calendar arithmetic and the words around a date in `calendar.rs`; each form's test
//! in `tests.rs`. `feedloom extract --explain` names the form behind each date.

mod calendar;
mod forms;

use chrono::NaiveDate;
use feedloom_core::item::DateMention;
use feedloom_core::{Decision, ExtractError, Item, Registry, SyncExtractor};
use schemars::JsonSchema;
use serde::Deserialize;

pub(crate) use calendar::plausible_reference;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct DatesOptions {
    /// Find relative dates ("yesterday", "last week", "two days ago", "on Monday"), resolved
    /// against the item's `published` time, else its `fetched` time.
    pub(crate) relative: bool,
    /// Find bare years ("in 2020", "since 2019") and year ranges ("2019-2021") as whole
    /// years.
    pub(crate) years: bool,
}

impl Default for DatesOptions {
    fn default() -> Self {
        DatesOptions {
            relative: true,
            years: true,
        }
    }
}

pub(crate) struct Dates(DatesOptions);

pub(crate) fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "dates",
        "dates, ranges and relative dates resolved to ISO dates",
        |o: DatesOptions, _ctx| Ok(Dates(o)),
    );
}

/// Find dates in `text`, resolving against `reference` when it is plausible (see
/// [`plausible_reference`]; today is the system's date).
pub(crate) fn find(
    text: &str,
    reference: NaiveDate,
    o: &DatesOptions,
) -> Vec<(usize, DateMention)> {
    find_with(text, reference_for(reference), o)
}

/// `reference` if it is plausible today.
fn reference_for(reference: NaiveDate) -> Option<NaiveDate> {
    let today = chrono::Utc::now().date_naive();
    plausible_reference(reference, today)
}

/// Find dates in `text`; with no `reference`, only dates that carry their own year.
pub(crate) fn find_with(
    text: &str,
    reference: Option<NaiveDate>,
    o: &DatesOptions,
) -> Vec<(usize, DateMention)> {
    forms::find_all(text, reference, o)
        .into_iter()
        .map(|f| (f.at, f.mention))
        .collect()
}

impl SyncExtractor for Dates {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let reference = item.reference_time().date_naive();
        let mut found = find(&item.text, reference, &self.0);
        if crate::non_english(item) {
            // month and weekday names and relative words are English: only dates written in
            // digits ("2025-06-19", "19.06.2025")
            found.retain(|(_, d)| !d.text.chars().any(char::is_alphabetic));
        }
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
    /// One decision per date: its text, the ISO date (or "start/end" for a range) and the
    /// form that found it.
    fn explain(&self, item: &Item) -> Vec<Decision> {
        let reference = reference_for(item.reference_time().date_naive());
        forms::find_all(&item.text, reference, &self.0)
            .into_iter()
            .map(|f| {
                let d = &f.mention;
                let outcome = if d.start == d.end {
                    d.start.clone()
                } else {
                    format!("{}/{}", d.start, d.end)
                };
                Decision::new(
                    "date",
                    d.text.clone(),
                    (f.at, f.at + d.text.len()),
                    outcome,
                    f.rule,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
