//! The real bulletin fixture through the `quotes`, `amounts`, `dates` and `dedup` extractors,
//! each built alone through the registry (no other extractor ran before them).

use feedloom_core::{BuildContext, Extractor, Item, Registry};

fn build(name: &str, opts: serde_json::Value, ctx: &BuildContext) -> Box<dyn Extractor> {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    (reg.extractor(name)
        .unwrap_or_else(|| panic!("{name} registered"))
        .build)(&opts, ctx)
    .unwrap_or_else(|e| panic!("{name} builds: {e}"))
}

fn fixture(id: &str) -> Item {
    let raw = include_str!("fixtures/eurasianet-bulletin.txt");
    let (title, text) = raw.split_once('\n').unwrap();
    let mut it = Item::new(id, "test");
    it.title = Some(title.to_string());
    it.text = text.to_string();
    it.published = Some("2023-07-10T08:00:00Z".parse().unwrap());
    it.fetched = "2023-07-12T10:00:00Z".parse().unwrap();
    it
}

#[tokio::test]
async fn quotes_on_the_bulletin() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(dir.path());
    let mut it = fixture("b1");
    build("quotes", serde_json::json!({}), &ctx)
        .extract(&mut it)
        .await
        .unwrap();
    let quotes = it.quotes.as_ref().unwrap();
    let q = |needle: &str| {
        quotes
            .iter()
            .find(|q| q.text.contains(needle))
            .unwrap_or_else(|| panic!("quote {needle} in {quotes:#?}"))
    };
    assert_eq!(
        q("an important platform for trade").speaker.as_deref(),
        Some("Jiang Wei")
    );
    assert_eq!(
        q("the most important priority").speaker.as_deref(),
        Some("Rashid Meredov")
    );
    // the Interior Ministry statement: "According to the Interior Ministry statement, ..."
    // names the organisation (the documented organisation rule)
    let ministry = q("to study new achievements");
    assert!(
        ministry
            .speaker
            .as_deref()
            .is_some_and(|s| s.ends_with("Interior Ministry")),
        "{ministry:?}"
    );
    // a quotation with nobody attributed in its sentence has no speaker
    assert_eq!(q("will conduct and organize training").speaker, None);
    // scare quotes are not quotations
    assert!(!quotes.iter().any(|q| q.text.contains("anti-terrorist")));
    // each quotation carries no section here: `sections` did not run
    assert!(quotes.iter().all(|q| q.section.is_none()));
}

#[tokio::test]
async fn amounts_on_the_bulletin() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(dir.path());
    let mut it = fixture("b2");
    // with numbers that have no counted noun ("24 percent (3,412)", "third with 1,474")
    build("amounts", serde_json::json!({"bare_numbers": true}), &ctx)
        .extract(&mut it)
        .await
        .unwrap();
    let amounts = it.amounts.as_ref().unwrap();
    let a = |t: &str| {
        amounts
            .iter()
            .find(|a| a.text == t)
            .unwrap_or_else(|| panic!("amount {t} in {amounts:#?}"))
    };
    let citizens = a("14,286 foreign citizens");
    assert_eq!(
        (citizens.value, citizens.unit.as_str()),
        (14286.0, "foreign citizens")
    );
    let pct = a("24 percent");
    assert_eq!((pct.value, pct.unit.as_str()), (24.0, "percent"));
    assert_eq!(a("3,412").value, 3412.0);
    let firms = a("200 Chinese firms");
    assert_eq!(firms.value, 200.0);
    assert!(firms.unit.ends_with("firms"), "{firms:?}");
    assert_eq!(a("1,884").value, 1884.0);
    assert_eq!(a("1,474").value, 1474.0);
    // "in 2020" is a year, "July 1" and "June 19-23" are dates
    assert!(
        !amounts
            .iter()
            .any(|a| a.text.contains("2020") || a.value == 2020.0 || a.value == 19.0),
        "{amounts:#?}"
    );
}

#[tokio::test]
async fn dates_on_the_bulletin() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(dir.path());
    let mut it = fixture("b3");
    build("dates", serde_json::json!({}), &ctx)
        .extract(&mut it)
        .await
        .unwrap();
    let dates = it.dates.as_ref().unwrap();
    let d = |t: &str| {
        let d = dates
            .iter()
            .find(|d| d.text == t)
            .unwrap_or_else(|| panic!("date {t} in {dates:#?}"));
        (d.start.as_str(), d.end.as_str())
    };
    assert_eq!(d("June 19-23"), ("2023-06-19", "2023-06-23"));
    assert_eq!(d("July 3-5"), ("2023-07-03", "2023-07-05"));
    assert_eq!(d("July 1"), ("2023-07-01", "2023-07-01"));
    assert_eq!(d("2020"), ("2020-01-01", "2020-12-31"));
}

#[tokio::test]
async fn dedup_on_the_bulletin() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(dir.path());
    let dedup = build("dedup", serde_json::json!({"window": "7d"}), &ctx);
    let mut first = fixture("wire-1");
    dedup.extract(&mut first).await.unwrap();
    assert_eq!(first.duplicate_of, Some(None));
    // a syndicated copy: another id, the newsletter prompt dropped, a credit line added
    let mut copy = fixture("syndicated-1");
    copy.text = copy
        .text
        .lines()
        .filter(|l| !l.contains("Eurasianet"))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n(Reporting by Eurasianet staff.)";
    copy.fetched = "2023-07-12T11:00:00Z".parse().unwrap();
    dedup.extract(&mut copy).await.unwrap();
    assert_eq!(copy.duplicate_of, Some(Some("wire-1".to_string())));
    // the first copy seen again is not its own duplicate
    let mut again = fixture("wire-1");
    dedup.extract(&mut again).await.unwrap();
    assert_eq!(again.duplicate_of, Some(None));
}
