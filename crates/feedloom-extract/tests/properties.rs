//! The contract of the built-in extractors on hostile articles: the whole chain (every
//! extractor in `DEFAULT_ORDER` with default options, as `feedloom extract` runs it without a
//! config) never panics, and the item it produces
//! - validates against the item's JSON Schema (`schemars::schema_for!(Item)`, what `feedloom
//!   schema item` prints), checked by the small validator below;
//! - has every `text` (dates, amounts, quotes) taken from the text it was found in: a substring
//!   of `item.text` — a quotation joined from parts (around an attribution, across paragraphs)
//!   is its parts in order, each a substring;
//! - has dates as `YYYY-MM-DD` with a year from 1000 to 9999 and `start <= end`;
//! - has finite amounts, and section offsets on char boundaries of the text.
//!
//! The property test generates articles from real sentences of `tests/eval/**` mixed with
//! quote marks, odd punctuation, huge numbers, currency symbols, date-ish tokens, unicode
//! oddities and very long tokens, with random publication dates (years 1 to 262142). The
//! plain tests below it are the concrete cases an attacker reported.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use feedloom_core::{BuildContext, Extractor, Item, Registry};
use proptest::prelude::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------
// The chain
// ---------------------------------------------------------------------------------------------

/// Every built-in extractor in `DEFAULT_ORDER`, with default options, built through the
/// registry as `feedloom extract` builds them without a config.
fn chain(ctx: &BuildContext) -> Vec<Box<dyn Extractor>> {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|name| {
            let spec = reg
                .extractor(name)
                .unwrap_or_else(|| panic!("{name} registered"));
            (spec.build)(&serde_json::json!({}), ctx).unwrap_or_else(|e| panic!("{name}: {e}"))
        })
        .collect()
}

/// Run the whole chain on one article; extractor errors are allowed (they are reported, not
/// panics), panics are not.
fn run(text: &str, published: Option<DateTime<Utc>>) -> Item {
    thread_local! {
        static CHAIN: (tokio::runtime::Runtime, Vec<Box<dyn Extractor>>) = {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let dir = std::env::temp_dir().join(format!("feedloom-props-{}", std::process::id()));
            let ctx = BuildContext::for_tests(&dir);
            (rt, chain(&ctx))
        };
    }
    let mut item = Item::new(format!("prop-{}", text.len()), "props");
    item.title = Some("Property test".into());
    item.text = text.to_string();
    item.published = published;
    item.fetched = Utc
        .with_ymd_and_hms(2026, 1, 15, 12, 0, 0)
        .single()
        .expect("fetched");
    CHAIN.with(|(rt, chain)| {
        rt.block_on(async {
            for e in chain {
                let _ = e.extract(&mut item).await;
            }
        })
    });
    item
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

static ITEM_SCHEMA: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(schemars::schema_for!(Item)).expect("schema"));

/// Check every property of the contract (`feedloom_core::item::contract`, shared with the
/// fuzzers and the end-to-end tests) and the item's JSON Schema; the error names the first
/// property broken.
fn check(item: &Item) -> Result<(), String> {
    let json = serde_json::to_value(item).map_err(|e| format!("serialise: {e}"))?;
    validate(&ITEM_SCHEMA, &ITEM_SCHEMA, &json, "$")?;
    if std::env::var("ENTITY_AUDIT").is_ok() {
        // names are canonical forms, not `text` fields: reported, not asserted
        for e in item.entities.iter().flatten() {
            for n in std::iter::once(&e.name).chain(&e.aliases) {
                if !item.text.contains(n.as_str()) {
                    eprintln!("entity name not in text: {n:?} ({:?})", e.kind);
                }
            }
        }
    }
    feedloom_core::item::contract::check(item)
}

/// A focused JSON Schema validator for what schemars emits for `Item`: `$ref` into `$defs`,
/// `type` (one or several), `properties`, `required`, `additionalProperties`, `items`,
/// `anyOf`/`oneOf`/`allOf`, `enum`, `const`, `minimum`/`maximum` and the integer `format`s. A
/// keyword it does not know fails the check rather than being skipped silently.
fn validate(root: &Value, schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let s = match schema {
        Value::Bool(true) => return Ok(()),
        Value::Bool(false) => return Err(format!("{at}: not allowed")),
        Value::Object(s) => s,
        _ => return Err(format!("{at}: schema is neither object nor bool")),
    };
    for key in s.keys() {
        let known = matches!(
            key.as_str(),
            "$ref"
                | "$schema"
                | "$defs"
                | "definitions"
                | "title"
                | "description"
                | "default"
                | "examples"
                | "deprecated"
                | "readOnly"
                | "writeOnly"
                | "type"
                | "properties"
                | "required"
                | "additionalProperties"
                | "items"
                | "anyOf"
                | "oneOf"
                | "allOf"
                | "enum"
                | "const"
                | "minimum"
                | "maximum"
                | "format"
        );
        if !known {
            return Err(format!("{at}: the validator does not know keyword {key:?}"));
        }
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let target = r
            .strip_prefix("#/")
            .ok_or_else(|| format!("{at}: $ref {r}"))?
            .split('/')
            .try_fold(root, |node, seg| node.get(seg))
            .ok_or_else(|| format!("{at}: $ref {r} not found"))?;
        validate(root, target, v, at)?;
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => return Err(format!("{at}: bad type")),
        };
        if !types.iter().any(|t| has_type(v, t)) {
            return Err(format!("{at}: {v} is not of type {types:?}"));
        }
    }
    if let Some(f) = s.get("format").and_then(Value::as_str)
        && let Some(n) = v.as_f64()
    {
        let ok = match f {
            "uint" | "uint64" | "uint32" | "uint16" | "uint8" => n >= 0.0 && n.fract() == 0.0,
            "int" | "int64" | "int32" => n.fract() == 0.0,
            _ => true,
        };
        if !ok {
            return Err(format!("{at}: {v} is no {f}"));
        }
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        return Err(format!("{at}: {n} < minimum {min}"));
    }
    if let (Some(max), Some(n)) = (s.get("maximum").and_then(Value::as_f64), v.as_f64())
        && n > max
    {
        return Err(format!("{at}: {n} > maximum {max}"));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        return Err(format!("{at}: {v} not in {e:?}"));
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        return Err(format!("{at}: {v} is not {c}"));
    }
    for sub in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        validate(root, sub, v, at)?;
    }
    if let Some(any) = s.get("anyOf").and_then(Value::as_array)
        && !any.iter().any(|sub| validate(root, sub, v, at).is_ok())
    {
        return Err(format!("{at}: {v} matches none of anyOf"));
    }
    if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
        let n = one
            .iter()
            .filter(|sub| validate(root, sub, v, at).is_ok())
            .count();
        if n != 1 {
            return Err(format!("{at}: {v} matches {n} of oneOf"));
        }
    }
    if let Value::Object(obj) = v {
        let props = s.get("properties").and_then(Value::as_object);
        for r in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = r.as_str().unwrap_or("");
            if !obj.contains_key(name) {
                return Err(format!("{at}: missing {name}"));
            }
        }
        for (k, val) in obj {
            let path = format!("{at}.{k}");
            match props.and_then(|p| p.get(k)) {
                Some(sub) => validate(root, sub, val, &path)?,
                None => {
                    if let Some(extra) = s.get("additionalProperties") {
                        validate(root, extra, val, &path)?;
                    }
                }
            }
        }
    }
    if let (Value::Array(arr), Some(items)) = (v, s.get("items")) {
        for (i, val) in arr.iter().enumerate() {
            validate(root, items, val, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Sentences of the evaluation articles (`tests/eval/**` at the repository root).
static SENTENCES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/eval");
    let mut out = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "txt")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                for line in t.lines().filter(|l| !l.trim().is_empty()) {
                    out.extend(line.split_inclusive(". ").map(str::to_string));
                }
            }
        }
    }
    out.sort();
    if out.is_empty() {
        // the articles are part of the repository; this only keeps the generator total
        out.push("Almaz Bekov said on Monday that exports rose 12% to $3.5 billion.".into());
    }
    out
});

/// Small hostile pieces of text.
const PIECES: &[&str] = &[
    // quote marks of every kind, and attributions around them
    "\"",
    "“",
    "”",
    "‘",
    "’",
    "«",
    "»",
    "„",
    "'",
    "\"a b c d,\" x! \"e f g h.\"",
    "“We will win this war,” he shouted! “Nobody can stop us now.”",
    "\"Why not?\" she asked. \"Because.\"",
    "«Nous gagnerons», a dit Almaz Bekov. «Toujours.»",
    " said Almaz Bekov. ",
    " he said? ",
    ", according to Reuters.",
    // punctuation in odd places
    "?",
    "!",
    ".",
    "…",
    "?!",
    "...",
    ". ",
    "! ",
    "? ",
    "\n",
    "\n\n",
    " ",
    "Mr.",
    "U.S.",
    "No.",
    "Lt. Gen.",
    // numbers of every magnitude, with money
    "1e400",
    "$1e400",
    "99999999999999999999999 trillion",
    "$99999999999999999999999 trillion",
    "US$ 12.5 billion",
    "€3,412",
    "£0.5m",
    "¥147.6",
    "₸ 500",
    "KZT 1,000,000",
    "1,000,000,000,000,000,000,000,000,000 dollars",
    "12%",
    "-5%",
    "3.5 percentage points",
    "40 basis points",
    "2 crore rupees",
    "7 lakh",
    "(3,412)",
    "0.0000000001",
    "18446744073709551616",
    "340282366920938463463374607431768211456 workers",
    // date-ish tokens
    "last-May",
    "last May",
    "next-March",
    "August last year",
    "31/02/2026",
    "2026-02-31",
    "the day after tomorrow",
    "the day before yesterday",
    "yesterday",
    "today's",
    "tomorrow",
    "last week",
    "next month",
    "three weeks ago",
    "999 days ago",
    "on Monday",
    "next Friday",
    "year 0",
    "0000",
    "in 0000",
    "March 0999",
    "1 April 0000",
    "99999",
    "in 99999",
    "December 28 to January 3, 9999",
    "from June 2022 to May 2023",
    "between 2019 and 2021",
    "2019-21",
    "9999-12-31",
    "1800-01-01",
    "+10000-01-31",
    "-0001-12-31",
    // unicode oddities
    "e\u{301}",
    "Vuc\u{30c}ic\u{301}",
    "\u{200b}",
    "\u{200d}",
    "\u{feff}",
    "\u{202e}",
    "\u{200f}",
    "مرحبا",
    "שלום",
    "🙂",
    "👩‍👩‍👧",
    "🇰🇿",
    "\u{0}",
    "\u{a0}",
    "ǅ",
    "ß",
    "İ",
    "Ⅻ",
    "١٢٣",
    // names and places
    "Almaz Bekov",
    "Kazakhstan",
    "the Interior Ministry",
    "Bishkek",
    "President ",
];

/// One piece of an article: a real sentence, a hostile piece, a very long token, or random
/// characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0..SENTENCES.len()).prop_map(|i| SENTENCES[i].clone()),
        5 => proptest::sample::select(PIECES).prop_map(str::to_string),
        1 => (1usize..3000, proptest::sample::select(&["a", "9", "é", ".", "“", "-", "🙂"][..]))
            .prop_map(|(n, s)| s.repeat(n)),
        // any characters at all
        1 => proptest::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
    ]
}

/// An article: pieces joined by spaces, nothing or line breaks.
fn article() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (
            piece(),
            proptest::sample::select(&[" ", " ", " ", "", "\n", "\n\n", ", "][..]),
        ),
        0..40,
    )
    .prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(p, sep)| [p, sep.to_string()])
            .collect()
    })
}

/// A publication date: none, a usual one, or one from the edges of chrono's range.
fn published() -> impl Strategy<Value = Option<DateTime<Utc>>> {
    let year = prop_oneof![
        Just(1),
        Just(262_142),
        Just(-262_000),
        Just(0),
        Just(999),
        Just(1000),
        Just(9999),
        Just(10_000),
        1890..2100i32,
        -262_000..262_142i32,
    ];
    prop_oneof![
        1 => Just(None),
        6 => (year, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
            NaiveDate::from_ymd_opt(y, m, d)
                .or_else(|| NaiveDate::from_ymd_opt(y, m, 1))
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .map(|d| d.and_utc())
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        // 256 in CI; more by hand: PROPTEST_CASES=20000
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        // a failing case is shrunk, but not for ever
        max_shrink_iters: 2_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_chain_keeps_its_contract_on_hostile_articles(text in article(), published in published()) {
        let item = run(&text, published);
        if let Err(e) = check(&item) {
            prop_assert!(false, "{}\n--- text ---\n{:?}\n--- published ---\n{:?}", e, text, published);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Regression tests: the concrete cases reported
// ---------------------------------------------------------------------------------------------

fn checked(text: &str, published: Option<DateTime<Utc>>) -> Item {
    let item = run(text, published);
    if let Err(e) = check(&item) {
        panic!("{e}\n{text:?}");
    }
    item
}

fn at(y: i32, m: u32, d: u32) -> Option<DateTime<Utc>> {
    NaiveDate::from_ymd_opt(y, m, d)?
        .and_hms_opt(12, 0, 0)
        .map(|d| d.and_utc())
}

/// Two quotations on one line split by `!`/`?`, the second without a speaker: the previous
/// quotation's sentence used to run past the next one's start (the two ends of a sentence came
/// from two splitters), and slicing between them panicked.
#[test]
fn two_quotes_split_by_an_exclamation_or_question_mark() {
    for text in [
        "\"a b c d,\" x! \"e f g h.\"",
        "\"a b c d,\" x? \"e f g h.\"",
        "“We will win this war,” he shouted! “Nobody can stop us now.”",
        "Almaz Bekov spoke. “We will win this war,” he shouted! “Nobody can stop us now.”",
    ] {
        let item = checked(text, at(2025, 6, 1));
        let quotes = item.quotes.unwrap_or_default();
        assert!(!quotes.is_empty(), "{text}");
    }
    // a sentence of more than 400 bytes between the quotations
    let long = format!("\"a b c d,\" x {} x! \"e f g h.\"", "word ".repeat(120));
    checked(&long, at(2025, 6, 1));
}

/// Found by the property test: an empty quotation after a quoted one was joined to it, and the
/// quotation's text ended in a space that is nowhere in the input.
#[test]
fn an_empty_quotation_joins_nothing() {
    let text = "\"China supports all efforts that bring stability to our neighbours,\" Chinese \
                Ambassador Zhou Meilin told reporters in Dushanbe on Wednesday. « \" ";
    let item = checked(text, None);
    let quotes = item.quotes.unwrap_or_default();
    assert_eq!(quotes.len(), 1, "{quotes:?}");
    assert_eq!(
        quotes[0].text,
        "China supports all efforts that bring stability to our neighbours,"
    );
    // and a quotation across paragraphs with an empty one between
    checked("“We will build it.\n“\n“ And soon.”", None);
}

/// A publication date of year 262142 (chrono parses six-digit years) and relative dates: the
/// date arithmetic overflowed. Such a reference is implausible: nothing is resolved against it.
#[test]
fn far_future_publication_date_resolves_nothing() {
    let published = DateTime::parse_from_rfc2822("Fri, 31 Dec 262142 12:00:00 +0000")
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| at(262_142, 12, 31));
    let text = "The talks end the day after tomorrow. They began the day before yesterday, \
                on Monday, last week, in May and on March 22. Next year, tomorrow, 3 weeks ago.";
    let item = checked(text, published);
    assert_eq!(item.dates.unwrap_or_default(), vec![]);
    // year 1: the same
    let item = checked(text, at(1, 1, 1));
    assert_eq!(item.dates.unwrap_or_default(), vec![]);
    // a plausible date still resolves them
    let item = checked(text, at(2025, 6, 4));
    let dates = item.dates.unwrap_or_default();
    assert!(
        dates
            .iter()
            .any(|d| d.text == "the day after tomorrow" && d.start == "2025-06-06")
    );
}

/// Numbers beyond `f64`'s range are no amounts (their JSON was `"value": null`).
#[test]
fn amounts_beyond_f64_are_dropped() {
    let huge = "9".repeat(400);
    let text = format!(
        "The fund holds ${huge} and 99999999999999999999999 trillion dollars, 1e400 tonnes and {huge} workers, but also $5 million."
    );
    let item = checked(&text, at(2025, 6, 1));
    let amounts = item.amounts.unwrap_or_default();
    assert!(amounts.iter().all(|a| a.value.is_finite()));
    assert!(
        amounts.iter().any(|a| a.text == "$5 million"),
        "{amounts:?}"
    );
    let json = serde_json::to_string(&amounts).unwrap_or_default();
    assert!(!json.contains("null"), "{json}");
}

/// Dates whose year has five digits or is before 1000 are not `YYYY-MM-DD`: not output.
#[test]
fn dates_outside_four_digit_years_are_dropped() {
    let text = "It ran from December 28 to January 3, 9999. In March 0999 and on 1 April 0000 \
                nothing happened; +10000-01-31 and -0001-12-31 are not dates either. It ended \
                on April 1, 2023.";
    let item = checked(text, at(2025, 6, 1));
    let dates = item.dates.unwrap_or_default();
    assert!(dates.iter().all(|d| !d.start.starts_with(['+', '-', '0'])));
    assert!(dates.iter().any(|d| d.start == "2023-04-01"), "{dates:?}");
    assert!(!dates.iter().any(|d| d.text.contains("9999")), "{dates:?}");
    // a reference date of year 10000 or 0 gives dates without a year nothing either
    for published in [at(10_000, 1, 31), at(0, 1, 31), at(-1, 12, 31)] {
        let item = checked("He left on December 28 and came back last May.", published);
        assert_eq!(item.dates.unwrap_or_default(), vec![]);
    }
}

/// Every `text` is a substring of the input: "last-May" stays "last-May".
#[test]
fn date_text_is_as_written() {
    let item = checked(
        "Prices rose last-May and fell next-March; in August last year they were flat.",
        at(2025, 6, 4),
    );
    let dates = item.dates.unwrap_or_default();
    let texts: Vec<&str> = dates.iter().map(|d| d.text.as_str()).collect();
    assert!(texts.contains(&"last-May"), "{texts:?}");
    assert!(texts.contains(&"next-March"), "{texts:?}");
    assert!(texts.contains(&"August last year"), "{texts:?}");
}

/// Long and repetitive inputs: no panic (run `cargo test -p feedloom-extract --test properties
/// -- --ignored --nocapture` to print the timings of the big ones).
#[test]
fn long_tokens_and_many_quotes() {
    let line = "a".repeat(100_000);
    checked(&line, at(2025, 6, 1));
    let dots = "a.".repeat(20_000);
    checked(&dots, at(2025, 6, 1));
    let quotes = "“We will win this war,” he shouted! ".repeat(500);
    checked(&quotes, at(2025, 6, 1));
}

/// How the chain's time grows with the article: each input is timed at n and 4n; a linear
/// chain takes about four times as long, a quadratic one sixteen.
#[test]
#[ignore = "timing; run by hand with --ignored --nocapture"]
fn growth_is_about_linear() {
    /// A named maker of inputs of about n bytes.
    type Case = (&'static str, Box<dyn Fn(usize) -> String>);
    let cases: Vec<Case> = vec![
        (
            "article",
            Box::new(|n| {
                // the evaluation sentences, eight to a paragraph, until n bytes
                let mut s = String::new();
                for (k, sentence) in SENTENCES.iter().cycle().enumerate() {
                    if s.len() >= n {
                        break;
                    }
                    s.push_str(sentence.trim_end());
                    s.push(if k % 8 == 7 { '\n' } else { ' ' });
                }
                s
            }),
        ),
        ("no spaces", Box::new(|n| "a".repeat(n))),
        (
            "quotes",
            Box::new(|n| "“We will win this war,” he shouted! ".repeat(n / 40)),
        ),
        (
            "amounts",
            Box::new(|n| "He paid ¥147.6 and 300 pesos. ".repeat(n / 30)),
        ),
        (
            "one paragraph of names",
            Box::new(|n| "Almaz Bekov met Kazakh officials in Bishkek, ".repeat(n / 46)),
        ),
    ];
    let only = std::env::var("GROWTH_CASE").ok();
    for (name, make) in &cases {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let mut times = Vec::new();
        // GROWTH_SIZES=1000000,5000000 for other sizes
        let sizes: Vec<usize> = std::env::var("GROWTH_SIZES")
            .ok()
            .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .filter(|v: &Vec<usize>| v.len() == 2)
            .unwrap_or_else(|| vec![100_000, 400_000]);
        for &n in &sizes {
            let text = make(n);
            // the chain alone (the substring checks of `check` are quadratic themselves)
            let t = std::time::Instant::now();
            let item = run(&text, at(2025, 6, 1));
            times.push(t.elapsed().as_secs_f64());
            assert!(item.amounts.iter().flatten().all(|a| a.value.is_finite()));
        }
        println!(
            "{name}: {} bytes {:.2}s, {} bytes {:.2}s (x{:.1})",
            sizes[0],
            times[0],
            sizes[1],
            times[1],
            times[1] / times[0].max(1e-9)
        );
    }
}

/// A run of capitalised words that is job title after job title ("Chief Financial Officer of
/// Chief Financial Officer of ..."): the entity rules take the employer after each title, and
/// used to recurse once per title.
#[test]
fn a_long_chain_of_job_titles() {
    let text = format!(
        "{}NNPC Ltd said so.",
        "Chief Financial Officer of ".repeat(20_000)
    );
    checked(&text, at(2025, 6, 1));
}
