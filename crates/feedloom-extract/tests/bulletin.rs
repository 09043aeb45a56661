//! The real bulletin fixture through the built-in extractors, built via the registry: the
//! whole chain in `DEFAULT_ORDER`, and each extractor alone (none of the others ran before it).

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use feedloom_core::item::EntityKind;
use feedloom_core::{BuildContext, Extractor, Item, Registry};

fn build(name: &str, opts: serde_json::Value, ctx: &BuildContext) -> Box<dyn Extractor> {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    (reg.extractor(name)
        .unwrap_or_else(|| panic!("{name} registered"))
        .build)(&opts, ctx)
    .unwrap_or_else(|e| panic!("{name} builds: {e}"))
}

fn chain() -> Vec<Box<dyn Extractor>> {
    let ctx = BuildContext::for_tests(std::path::Path::new("."));
    feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|t| build(t, serde_json::json!({}), &ctx))
        .collect()
}

/// The bulletin as a feed would give it: fetched, no publication date.
fn fixture() -> Item {
    let raw = include_str!("fixtures/eurasianet-bulletin.txt");
    let (title, text) = raw.split_once('\n').unwrap();
    let mut it = Item::new("eurasianet-1", "test");
    it.title = Some(title.to_string());
    it.text = text.to_string();
    it.fetched = "2023-07-12T10:00:00Z".parse().unwrap();
    it
}

/// The bulletin with its own id and a publication date two days before it was fetched.
fn published(id: &str) -> Item {
    let mut it = fixture();
    it.id = id.into();
    it.published = Some("2023-07-10T08:00:00Z".parse().unwrap());
    it
}

#[tokio::test]
async fn bulletin_facts() {
    let mut it = fixture();
    for e in chain() {
        e.extract(&mut it).await.unwrap();
    }
    if std::env::var("DUMP").is_ok() {
        println!("{}", serde_json::to_string_pretty(&it).unwrap());
    }
    assert!(!it.text.contains("Sign up for Eurasianet"));
    assert!(!it.text.contains("Support Eurasianet"));
    assert_eq!(it.language.as_deref(), Some("en"));
    let secs: Vec<&str> = it
        .sections
        .as_ref()
        .unwrap()
        .iter()
        .map(|s| s.title.as_str())
        .collect();
    assert_eq!(
        secs,
        ["Kyrgyzstan", "Kazakhstan", "Uzbekistan", "Turkmenistan"]
    );

    let ents = it.entities.as_ref().unwrap();
    let get = |name: &str, kind: EntityKind| {
        ents.iter()
            .find(|e| e.kind == kind && (e.name == name || e.aliases.iter().any(|a| a == name)))
            .unwrap_or_else(|| panic!("{kind:?} {name} missing from {ents:#?}"))
    };
    for p in [
        "Oktyabr Urmambetov",
        "Jiang Wei",
        "Rashid Meredov",
        "Hou Qijun",
    ] {
        assert_eq!(get(p, EntityKind::Person).name, p);
    }
    assert!(
        get("Jiang Wei", EntityKind::Person)
            .aliases
            .contains(&"Jiang".to_string())
    );
    assert!(
        get("Rashid Meredov", EntityKind::Person)
            .aliases
            .contains(&"Meredov".to_string())
    );
    assert_eq!(
        get("Rashid Meredov", EntityKind::Person).sections,
        ["Turkmenistan"]
    );
    let ministry = get("Kyrgyz Interior Ministry", EntityKind::Organization);
    assert!(ministry.aliases.contains(&"Interior Ministry".to_string()));
    assert!(
        get(
            "National Chamber of Entrepreneurs",
            EntityKind::Organization
        )
        .aliases
        .contains(&"NCE".to_string())
    );
    for o in [
        "Uzbekistan Airways",
        "Ministry of Labor",
        "National Petroleum Corporation",
        "Dunyo",
    ] {
        get(o, EntityKind::Organization);
    }
    for (p, cc) in [
        ("Xinjiang", "CN"),
        ("Almaty", "KZ"),
        ("Tashkent", "UZ"),
        ("Urumqi", "CN"),
        ("Ashgabat", "TM"),
        ("Beijing", "CN"),
    ] {
        assert_eq!(
            get(p, EntityKind::Place).country.as_deref(),
            Some(cc),
            "{p}"
        );
    }
    assert!(!ents.iter().any(|e| e.kind == EntityKind::Person
        && ["Line D", "Central Asia", "Covid"].contains(&e.name.as_str())));

    let countries = it.countries.as_ref().unwrap();
    for c in ["KG", "KZ", "CN", "UZ", "TM"] {
        assert!(countries.contains(&c.to_string()), "{c} in {countries:?}");
    }

    let quotes = it.quotes.as_ref().unwrap();
    let q = |needle: &str| {
        quotes
            .iter()
            .find(|q| q.text.contains(needle))
            .unwrap_or_else(|| panic!("quote {needle} in {quotes:#?}"))
    };
    assert_eq!(
        q("important platform").speaker.as_deref(),
        Some("Jiang Wei")
    );
    assert_eq!(
        q("most important priority").speaker.as_deref(),
        Some("Rashid Meredov")
    );
    assert!(matches!(
        q("new achievements").speaker.as_deref(),
        None | Some("Kyrgyz Interior Ministry")
    ));
    assert!(matches!(
        q("will conduct and organize").speaker.as_deref(),
        None | Some("Kyrgyz Interior Ministry")
    ));
    assert!(!quotes.iter().any(|q| q.text == "anti-terrorist"));

    let amounts = it.amounts.as_ref().unwrap();
    let a = |t: &str| {
        amounts
            .iter()
            .find(|a| a.text == t)
            .unwrap_or_else(|| panic!("amount {t} in {amounts:#?}"))
    };
    assert_eq!(a("14,286 foreign citizens").unit, "foreign citizens");
    assert_eq!(a("24 percent").unit, "percent");
    assert_eq!(a("200 Chinese firms").value, 200.0);
    // numbers with no counted noun are not amounts (`bare_numbers` is off by default)
    for bare in ["3,412", "1,884", "1,474"] {
        assert!(!amounts.iter().any(|a| a.text == bare), "{bare}");
    }
    assert!(
        !amounts
            .iter()
            .any(|a| a.value == 2020.0 || a.value == 19.0 || a.value == 1.0 && a.unit == "count"),
        "{amounts:#?}"
    );

    let dates = it.dates.as_ref().unwrap();
    let d = |t: &str| {
        dates
            .iter()
            .find(|d| d.text == t)
            .unwrap_or_else(|| panic!("date {t} in {dates:#?}"))
    };
    assert_eq!(
        (d("June 19-23").start.as_str(), d("June 19-23").end.as_str()),
        ("2023-06-19", "2023-06-23")
    );
    assert_eq!(d("July 3-5").end, "2023-07-05");
    assert_eq!(d("July 1").start, "2023-07-01");
    assert_eq!(d("2020").start, "2020-01-01");
    assert_eq!(d("July 3-5").section.as_deref(), Some("Kazakhstan"));

    assert!(!it.keywords.as_ref().unwrap().is_empty());
    assert_eq!(it.duplicate_of, Some(None));
}

#[tokio::test]
async fn syndicated_copy_is_a_duplicate() {
    let chain = chain();
    let mut a = fixture();
    let mut b = fixture();
    b.id = "copy".into();
    b.source = "other".into();
    b.text = b.text.replace("Eurasianet", "Wire");
    for e in &chain {
        e.extract(&mut a).await.unwrap();
    }
    for e in &chain {
        e.extract(&mut b).await.unwrap();
    }
    assert_eq!(a.duplicate_of, Some(None));
    assert_eq!(b.duplicate_of, Some(Some("eurasianet-1".into())));
}

#[tokio::test]
async fn every_extractor_alone_on_odd_input() {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    let ctx = BuildContext::for_tests(std::path::Path::new("."));
    for t in feedloom_extract::DEFAULT_ORDER {
        let e = (reg.extractor(t).unwrap().build)(&serde_json::json!({}), &ctx).unwrap();
        for text in [
            "",
            "“",
            "\"\"\"",
            "July 99-1 $ 5bn (",
            "Ü\n\n\nÖ’s ’s 's",
            "1,000,000,000,000,000,000,000 tenge",
        ] {
            let mut it = Item::new("x", "s");
            it.text = text.into();
            e.extract(&mut it).await.unwrap();
        }
        assert!(
            (reg.extractor(t).unwrap().build)(&serde_json::json!({"no_such_option": 1}), &ctx)
                .is_err(),
            "{t} rejects unknown options"
        );
    }
}

/// Each extractor built alone (none of the others ran before it) gives its facts, and the
/// ones the chain shares (entities, quotes, countries) agree with the chain's.
#[tokio::test]
async fn each_extractor_alone_on_the_bulletin() {
    let mut full = fixture();
    for e in chain() {
        e.extract(&mut full).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(dir.path());
    for t in feedloom_extract::DEFAULT_ORDER {
        let e = build(t, serde_json::json!({}), &ctx);
        let mut it = fixture();
        e.extract(&mut it).await.unwrap();
        match *t {
            "clean" => assert!(!it.text.contains("Sign up for Eurasianet"), "{t}"),
            "sections" => assert!(!it.sections.unwrap().is_empty(), "{t}"),
            "language" => assert_eq!(it.language.as_deref(), Some("en")),
            "entities" => {
                let alone = it.entities.unwrap();
                for p in full.entities.as_ref().unwrap() {
                    assert!(
                        alone.iter().any(|a| a.name == p.name && a.kind == p.kind),
                        "{t}: {} missing alone",
                        p.name
                    );
                }
            }
            "countries" => {
                let alone = it.countries.unwrap();
                for c in full.countries.as_ref().unwrap() {
                    assert!(alone.contains(c), "{t}: {c}");
                }
            }
            "quotes" => {
                let alone = it.quotes.unwrap();
                let chain = full.quotes.as_ref().unwrap();
                assert_eq!(alone.len(), chain.len(), "{t}");
                for (a, c) in alone.iter().zip(chain) {
                    assert_eq!((&a.text, &a.speaker), (&c.text, &c.speaker), "{t}");
                }
            }
            "amounts" => assert!(!it.amounts.unwrap().is_empty(), "{t}"),
            "dates" => assert!(!it.dates.unwrap().is_empty(), "{t}"),
            "keywords" => {
                let k = it.keywords.unwrap();
                assert!(!k.is_empty());
                assert!(!k.iter().any(|k| k.term.contains("newsletter")), "{k:?}");
            }
            "dedup" => assert_eq!(it.duplicate_of, Some(None)),
            other => panic!("new extractor {other}: add it here"),
        }
    }
}

#[tokio::test]
async fn quotes_on_the_bulletin() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(dir.path());
    let mut it = published("b1");
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
    let mut it = published("b2");
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
    let mut it = published("b3");
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
    let mut first = published("wire-1");
    dedup.extract(&mut first).await.unwrap();
    assert_eq!(first.duplicate_of, Some(None));
    // a syndicated copy: another id, the newsletter prompt dropped, a credit line added
    let mut copy = published("syndicated-1");
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
    let mut again = published("wire-1");
    dedup.extract(&mut again).await.unwrap();
    assert_eq!(again.duplicate_of, Some(None));
}
