//! The tests of this module.

use super::*;

fn f(t: &str) -> Vec<(String, String, String)> {
    let r = NaiveDate::from_ymd_opt(2023, 7, 12).unwrap(); // a Wednesday
    find(t, r, &DatesOptions::default())
        .into_iter()
        .map(|(_, d)| (d.text, d.start, d.end))
        .collect()
}

#[test]
fn ago_month_ranges_and_the_year_to_a_month() {
    let r = f(
        "It was signed two days ago and drafted 3 weeks ago; ten years ago it was a dream. Freight grew between January and June, and from March to May. In the year to June it fell. Work began in August last year and ends in March next year.",
    );
    let spans: Vec<(&str, &str)> = r.iter().map(|d| (d.1.as_str(), d.2.as_str())).collect();
    assert_eq!(
        spans,
        [
            ("2023-07-10", "2023-07-10"),
            ("2023-06-21", "2023-06-21"),
            ("2023-01-01", "2023-06-30"),
            ("2023-03-01", "2023-05-31"),
            ("2023-06-01", "2023-06-30"),
            ("2022-08-01", "2022-08-31"),
            ("2024-03-01", "2024-03-31"),
        ]
    );
    assert_eq!(r[5].0, "August last year");
}

#[test]
fn a_month_after_for() {
    let r = f("Traders booked 40 cargoes for October shipment.");
    assert_eq!(
        r,
        [("October".into(), "2023-10-01".into(), "2023-10-31".into())]
    );
}

#[test]
fn absolute_and_ranges() {
    let r = f(
        "From June 19-23 and July 3-5; on April 1, 2023 and March 22; 4 May 2021; in 2020; March 2019.",
    );
    assert_eq!(
        r[0],
        (
            "June 19-23".into(),
            "2023-06-19".into(),
            "2023-06-23".into()
        )
    );
    assert_eq!(
        r[1],
        ("July 3-5".into(), "2023-07-03".into(), "2023-07-05".into())
    );
    assert_eq!(
        r[2],
        (
            "April 1, 2023".into(),
            "2023-04-01".into(),
            "2023-04-01".into()
        )
    );
    assert_eq!(r[3].1, "2023-03-22");
    assert_eq!(r[4].1, "2021-05-04");
    assert_eq!(
        r[5],
        ("2020".into(), "2020-01-01".into(), "2020-12-31".into())
    );
    assert_eq!(
        r[6],
        (
            "March 2019".into(),
            "2019-03-01".into(),
            "2019-03-31".into()
        )
    );
}

#[test]
fn relative() {
    let r = f("Yesterday he left. Last week was busy. They met on Monday and will meet on Friday.");
    assert_eq!(r[0].1, "2023-07-11");
    assert_eq!(
        (r[1].1.as_str(), r[1].2.as_str()),
        ("2023-07-03", "2023-07-09")
    );
    assert_eq!(
        r[2],
        ("on Monday".into(), "2023-07-10".into(), "2023-07-10".into())
    );
    assert_eq!(r[3].1, "2023-07-14");
}

#[test]
fn reference_is_published_else_fetched() {
    let e = Dates(DatesOptions::default());
    let mut it = Item::new("x", "s");
    it.text = "The talks ended yesterday.".into();
    it.fetched = "2023-07-12T10:00:00Z".parse().unwrap();
    e.extract(&mut it).unwrap();
    assert_eq!(it.dates.as_ref().unwrap()[0].start, "2023-07-11");
    it.published = Some("2023-07-01T08:00:00Z".parse().unwrap());
    e.extract(&mut it).unwrap();
    assert_eq!(it.dates.as_ref().unwrap()[0].start, "2023-06-30");
}

#[test]
fn today_only_as_the_day() {
    let r = f(
        "The ministry said today that talks went well. Today the region wants roads, and nobody has that money today.",
    );
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0].0, "today");
    assert_eq!(r[0].1, "2023-07-12");
}

#[test]
fn invalid_dates_skipped() {
    assert!(f("February 31 and 45 June").is_empty());
}

mod patterns {
    use super::*;

    fn f(t: &str) -> Vec<(String, String, String)> {
        let r = NaiveDate::from_ymd_opt(2023, 7, 12).unwrap(); // a Wednesday
        find(t, r, &DatesOptions::default())
            .into_iter()
            .map(|(_, d)| (d.text, d.start, d.end))
            .collect()
    }

    fn d(text: &str, s: &str, e: &str) -> (String, String, String) {
        (text.into(), s.into(), e.into())
    }

    #[test]
    fn spans_and_iso() {
        assert_eq!(
            f("The offer runs from July 1 to August 31 and between 2019 and 2021."),
            [
                d("July 1 to August 31", "2023-07-01", "2023-08-31"),
                d("2019 and 2021", "2019-01-01", "2021-12-31")
            ]
        );
        assert_eq!(
            f("Elections were held in 2019 and 2021, and from 2015 to 2017."),
            [
                d("2019", "2019-01-01", "2019-12-31"),
                d("2021", "2021-01-01", "2021-12-31"),
                d("2015 to 2017", "2015-01-01", "2017-12-31")
            ]
        );
        assert_eq!(
            f("Published 2023-07-10; updated 2023/07/11; not 2023-02-30."),
            [
                d("2023-07-10", "2023-07-10", "2023-07-10"),
                d("2023/07/11", "2023-07-11", "2023-07-11")
            ]
        );
        assert_eq!(
            f("In March 2024, 1 April 2023, April 1st, 2023."),
            [
                d("March 2024", "2024-03-01", "2024-03-31"),
                d("1 April 2023", "2023-04-01", "2023-04-01"),
                d("April 1st, 2023", "2023-04-01", "2023-04-01")
            ]
        );
    }

    #[test]
    fn month_spans() {
        assert_eq!(
            f("It ran from June 2022 to May 2023, and in March 2021."),
            [
                d("June 2022 to May 2023", "2022-06-01", "2023-05-31"),
                d("March 2021", "2021-03-01", "2021-03-31")
            ]
        );
    }

    #[test]
    fn missing_year_is_the_reference_year() {
        // even a past-tense mention that lands months after the reference date
        assert_eq!(
            f("He left on December 28."),
            [d("December 28", "2023-12-28", "2023-12-28")]
        );
    }

    #[test]
    fn relative_dates() {
        assert_eq!(
            f("Last month, next month, last year, this week, tomorrow."),
            [
                d("Last month", "2023-06-01", "2023-06-30"),
                d("next month", "2023-08-01", "2023-08-31"),
                d("last year", "2022-01-01", "2022-12-31"),
                d("this week", "2023-07-10", "2023-07-16"),
                d("tomorrow", "2023-07-13", "2023-07-13")
            ]
        );
        assert_eq!(
            f("The president will visit on Monday. He spoke on Friday."),
            [
                d("on Monday", "2023-07-17", "2023-07-17"),
                d("on Friday", "2023-07-07", "2023-07-07")
            ]
        );
    }

    #[test]
    fn not_dates() {
        assert_eq!(f("At 10:30 the 1,500 people paid $2020 in the 2010s."), []);
    }
}

/// One row per form of [`forms::FORMS`]: the form, a text, the date's text as written, its
/// ISO start and end, and the rule `--explain` names. The reference date is Wednesday
/// 2023-07-12.
const FORM_CASES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "iso_date",
        "Published 2023-07-10.",
        "2023-07-10",
        "2023-07-10",
        "2023-07-10",
        "iso_date",
    ),
    (
        "month_day",
        "From June 19-23 it rained.",
        "June 19-23",
        "2023-06-19",
        "2023-06-23",
        "month_day",
    ),
    (
        "month_day",
        "It ran June 28 to July 2.",
        "June 28 to July 2",
        "2023-06-28",
        "2023-07-02",
        "month_day",
    ),
    (
        "day_month",
        "Signed on 1 April 2023.",
        "1 April 2023",
        "2023-04-01",
        "2023-04-01",
        "day_month",
    ),
    (
        "month_year",
        "In March 2019 it began.",
        "March 2019",
        "2019-03-01",
        "2019-03-31",
        "month_year",
    ),
    (
        "month_dash_month",
        "Exports in January-September grew.",
        "January-September",
        "2023-01-01",
        "2023-09-30",
        "month_dash_month",
    ),
    (
        "between_months",
        "Freight grew between January and June.",
        "between January and June",
        "2023-01-01",
        "2023-06-30",
        "between_months",
    ),
    (
        "days_ago",
        "It was signed two days ago.",
        "two days ago",
        "2023-07-10",
        "2023-07-10",
        "days_ago",
    ),
    (
        "month_name",
        "Work began in August last year.",
        "August last year",
        "2022-08-01",
        "2022-08-31",
        "month_name",
    ),
    (
        "month_name",
        "It ended last May.",
        "last May",
        "2023-05-01",
        "2023-05-31",
        "month_name",
    ),
    (
        "year_dash_year",
        "In 2019-21 it grew.",
        "2019-21",
        "2019-01-01",
        "2021-12-31",
        "year_dash_year",
    ),
    (
        "year_to_year",
        "It grew from 2015 to 2017.",
        "2015 to 2017",
        "2015-01-01",
        "2017-12-31",
        "year_to_year",
    ),
    (
        "year_to_year",
        "Elections were held in 2019 and 2021.",
        "2021",
        "2021-01-01",
        "2021-12-31",
        "year_and_year",
    ),
    (
        "year",
        "It happened in 2020.",
        "2020",
        "2020-01-01",
        "2020-12-31",
        "year",
    ),
    (
        "relative_day",
        "The talks ended yesterday.",
        "yesterday",
        "2023-07-11",
        "2023-07-11",
        "relative_day",
    ),
    (
        "relative_period",
        "Last week was busy.",
        "Last week",
        "2023-07-03",
        "2023-07-09",
        "relative_period",
    ),
    (
        "weekday",
        "The president will visit on Monday.",
        "on Monday",
        "2023-07-17",
        "2023-07-17",
        "weekday",
    ),
];

#[test]
fn each_form() {
    let reference = NaiveDate::from_ymd_opt(2023, 7, 12);
    for &(form, text, want, start, end, rule) in FORM_CASES {
        let found = forms::find_all(text, reference, &DatesOptions::default());
        let f = found
            .iter()
            .find(|f| f.mention.text == want)
            .unwrap_or_else(|| panic!("{form}: no {want:?} in {text:?}: {found:?}"));
        let matched = forms::matches(&forms::REGEXES, text)
            .into_iter()
            .find(|(_, c)| c.get(0).is_some_and(|m| m.end() > f.at))
            .and_then(|(i, _)| forms::FORMS.get(i))
            .map(|form| form.name);
        assert_eq!(
            (
                matched,
                f.mention.start.as_str(),
                f.mention.end.as_str(),
                f.rule
            ),
            (Some(form), start, end, rule),
            "{text}"
        );
    }
    for f in forms::FORMS {
        assert!(
            FORM_CASES.iter().any(|c| c.0 == f.name),
            "the form {} has no row in FORM_CASES",
            f.name
        );
    }
}

/// `explain` names the form behind each date.
#[test]
fn explain_names_the_rule() {
    let e = Dates(DatesOptions::default());
    let mut it = Item::new("x", "s");
    it.text = "On April 1, 2023 and last week, in 2020.".into();
    it.published = Some("2023-07-12T08:00:00Z".parse().unwrap());
    let d = e.explain(&it);
    let got: Vec<(&str, &str, &str)> = d
        .iter()
        .map(|d| (d.text.as_str(), d.outcome.as_str(), d.rule.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("April 1, 2023", "2023-04-01", "month_day"),
            ("last week", "2023-07-03/2023-07-09", "relative_period"),
            ("2020", "2020-01-01/2020-12-31", "year"),
        ]
    );
    assert!(d.iter().all(|d| d.fact == "date"));
}

/// Walking the table finds what one regex of all the forms joined by `|` in table order
/// finds: the same matches, each by the same form.
#[test]
fn the_table_walks_like_one_alternation() {
    let names = regex::Regex::new(r"\(\?P<[a-z0-9_]+>").expect("regex");
    let joined: Vec<String> = forms::FORMS
        .iter()
        .enumerate()
        .map(|(i, f)| format!("(?P<f{i}>{})", names.replace_all(&(f.pattern)(), "(?:")))
        .collect();
    let one = regex::Regex::new(&joined.join("|")).expect("joined regex");
    let mut texts = crate::amounts::tests::eval_texts();
    assert!(texts.len() > 50, "the eval sets are there");
    texts.push("June 19-23, 19-23 June, Sept. 5, 4th of July, March 2023-May 2024, 2019–21, between 2019 and 2021, the day before yesterday, last Friday, since Monday, August last year".into());
    for t in &texts {
        let want: Vec<(usize, usize, usize)> = one
            .captures_iter(t)
            .filter_map(|c| {
                let m = c.get(0)?;
                let i = (0..forms::FORMS.len()).find(|i| c.name(&format!("f{i}")).is_some())?;
                Some((m.start(), m.end(), i))
            })
            .collect();
        let got: Vec<(usize, usize, usize)> = forms::matches(&forms::REGEXES, t)
            .into_iter()
            .filter_map(|(i, c)| c.get(0).map(|m| (m.start(), m.end(), i)))
            .collect();
        assert_eq!(got, want);
    }
}

mod fuzz {
    /// Random texts of tricky pieces never make `quotes`, `amounts` or `dates` panic.
    #[test]
    fn no_panics_on_random_text() {
        const PIECES: &[&str] = &[
            "1",
            "19",
            "2020",
            "3,412",
            ".5",
            "-",
            "–",
            "—",
            ":",
            "/",
            "\n",
            "\n\n",
            " ",
            " ",
            "  ",
            "\"",
            "“",
            "”",
            "«",
            "»",
            "„",
            "(",
            ")",
            "%",
            "$",
            "US$",
            "€",
            "£",
            "¥",
            "₸",
            "é",
            "ß",
            "June",
            "July ",
            "Monday",
            "on ",
            "last ",
            "week",
            "said",
            " he ",
            "she ",
            "told ",
            "according to ",
            "Almaz Bekov",
            "Ministry",
            "the ",
            "billion",
            "m",
            "bn",
            "tenge",
            "Uzbek som",
            "percent",
            "(3,412)",
            " of the ",
            "workers",
            ", ",
            ". ",
            "between ",
            " and ",
            " to ",
            "2023-07-10",
            "No.",
            "Article ",
            "+996 ",
            "10:30",
            "A ",
            "quoted ",
            " as saying ",
            "a ",
            "million",
            "ğ",
            "🙂",
        ];
        let mut seed: u64 = 0x1234_5678_9abc_def0;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let r = chrono::NaiveDate::from_ymd_opt(2023, 7, 12).expect("date");
        for _ in 0..3_000 {
            let n = (next() % 60) as usize;
            let t: String = (0..n)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let _ = super::find(&t, r, &super::DatesOptions::default());
            let _ = crate::amounts::find(&t, &crate::amounts::AmountsOptions::default());
            let d = crate::entities::detect(&t);
            let _ = crate::quotes::find(&t, &d, &crate::quotes::QuotesOptions::default());
            let _ = crate::dedup::signature(&t, 3);
        }
    }
}

#[test]
fn a_month_qualifying_an_event() {
    let r = f("Prosecutors opened a case over the March blast at the depot.");
    assert_eq!(
        r,
        [("March".into(), "2023-03-01".into(), "2023-03-31".into())]
    );
    let r = f(
        "The bill will not reach the floor before the April recess, and since the June launch sales fell.",
    );
    assert_eq!(
        r,
        [
            ("April".into(), "2023-04-01".into(), "2023-04-30".into()),
            ("June".into(), "2023-06-01".into(), "2023-06-30".into()),
        ]
    );
    // a month followed by a stopword or a name is no event's
    assert!(f("It was the May of his life. They met the May Group.").is_empty());
}
