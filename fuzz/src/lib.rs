//! Shared harness for feedloom's fuzz targets: the built-in extractor chain as
//! `feedloom extract` runs it (no config: every built-in extractor, default options, in
//! `feedloom_extract::DEFAULT_ORDER`), items built the way the CLI builds them, and the
//! output contract every target asserts.
//!
//! Extractors are called through `SyncExtractor::extract` directly, NOT through
//! `run_contained`: the daemon turns an extractor panic into an error and drops that
//! extractor's fields, which hides the bug; here a panic aborts the run so libFuzzer
//! records the input.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use feedloom_core::{BuildContext, Item, Registry, SyncExtractor};

/// A fixed "fetched" time so a run is reproducible (the CLI uses `Utc::now()`).
pub fn fixed_fetched() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 11, 9, 30, 0).unwrap()
}

fn registry() -> Registry {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    reg
}

fn build(reg: &Registry, name: &str) -> Arc<dyn SyncExtractor> {
    let f = reg
        .extractor(name)
        .unwrap_or_else(|| panic!("built-in extractor {name} not registered"));
    let ctx = BuildContext::for_tests(&std::env::temp_dir());
    let ex = (f.build)(&serde_json::json!({}), &ctx)
        .unwrap_or_else(|e| panic!("built-in extractor {name} does not build with defaults: {e}"));
    ex.as_sync()
        .unwrap_or_else(|| panic!("built-in extractor {name} is not a sync extractor"))
}

struct Chain {
    reg: Registry,
    /// Every step but `dedup`, built once.
    steps: Vec<(&'static str, Option<Arc<dyn SyncExtractor>>)>,
}

fn chain() -> &'static Chain {
    static C: OnceLock<Chain> = OnceLock::new();
    C.get_or_init(|| {
        let reg = registry();
        let steps = feedloom_extract::DEFAULT_ORDER
            .iter()
            .map(|&n| (n, (n != "dedup").then(|| build(&reg, n))))
            .collect();
        Chain { reg, steps }
    })
}

/// Run every built-in extractor on `item`, in the default order. `dedup` is built fresh
/// for each input (a new in-memory state store) so a run does not depend on earlier inputs;
/// the item is then offered to it a second time under another id, which exercises the
/// near-duplicate comparison.
pub fn run_chain(item: &mut Item) {
    let c = chain();
    for (name, ex) in &c.steps {
        match ex {
            Some(ex) => {
                let _ = ex.extract(item);
            }
            None => {
                let dedup = build(&c.reg, name);
                let _ = dedup.extract(item);
                let mut copy = item.clone();
                copy.id.push_str("#copy");
                let _ = dedup.extract(&mut copy);
            }
        }
    }
}

/// The published date an input's first bytes select (the CLI's `--published`; a feed's
/// `pubDate`). Returns the date and how many bytes were used.
///
/// An input whose first byte is 0x10 or more uses no prefix: no published date (the
/// reference date is then `fetched`, 2026-03-11), so raw article files work as seeds. A first
/// byte below 0x10 selects: 0 none; 1 2026-03-11; 2 0001-01-01; 3 262142-12-31 (chrono's
/// last day); 4 chrono's first day (year -262143); 5 9999-12-31; 6 1000-01-01;
/// 7 262142-06-15; 8 any day from the next 4 bytes (a day number from chrono's first day,
/// wrapped); 9 year from the next 2 bytes (0..65535), month from the 3rd; 10 0001-12-31;
/// 11 10000-01-01; 12 0999-12-31; 13 year 0; 14 1970-01-01; 15 2026-02-28 23:59:59.
pub fn published_from(data: &[u8]) -> (Option<DateTime<Utc>>, usize) {
    let Some(&b0) = data.first() else {
        return (None, 0);
    };
    if b0 >= 0x10 {
        return (None, 0);
    }
    let ymd = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|d| d.and_utc())
    };
    match b0 {
        1 => (ymd(2026, 3, 11), 1),
        2 => (ymd(1, 1, 1), 1),
        3 => (
            NaiveDate::MAX.and_hms_opt(23, 59, 59).map(|d| d.and_utc()),
            1,
        ),
        4 => (NaiveDate::MIN.and_hms_opt(0, 0, 0).map(|d| d.and_utc()), 1),
        5 => (ymd(9999, 12, 31), 1),
        6 => (ymd(1000, 1, 1), 1),
        7 => (ymd(262142, 6, 15), 1),
        8 if data.len() >= 5 => {
            let n = u32::from_le_bytes([data[1], data[2], data[3], data[4]]);
            let span = (NaiveDate::MAX - NaiveDate::MIN).num_days() as u64 + 1;
            let d = NaiveDate::MIN + chrono::Days::new(u64::from(n) % span);
            (d.and_hms_opt(12, 0, 0).map(|d| d.and_utc()), 5)
        }
        9 if data.len() >= 4 => {
            let y = i32::from(u16::from_le_bytes([data[1], data[2]]));
            let m = u32::from(data[3]) % 12 + 1;
            (ymd(y, m, 28).or(ymd(2026, 3, 11)), 4)
        }
        10 => (ymd(1, 12, 31), 1),
        11 => (ymd(10000, 1, 1), 1),
        12 => (ymd(999, 12, 31), 1),
        13 => (ymd(0, 6, 15), 1),
        14 => (ymd(1970, 1, 1), 1),
        15 => (
            Utc.with_ymd_and_hms(2026, 2, 28, 23, 59, 59).single(),
            1,
        ),
        _ => (None, 1),
    }
}

/// An item as `feedloom extract` builds it for a text article: first non-empty line the
/// title, the rest the body (`split_text_article`).
pub fn text_item(body_bytes: &[u8], published: Option<DateTime<Utc>>) -> Item {
    let text = String::from_utf8_lossy(body_bytes);
    let (title, body) = feedloom_sources::file::split_text_article(&text);
    item_from(title, body, published)
}

/// An item from a title and body, as the CLI and the `file` source assemble it.
pub fn item_from(title: String, body: String, published: Option<DateTime<Utc>>) -> Item {
    let mut item = Item::new(feedloom_core::item::content_hash(&title, &body), "fuzz");
    item.fetched = fixed_fetched();
    item.title = Some(title).filter(|t| !t.is_empty());
    item.text = body;
    item.url = Some("file:///fuzz/input".into());
    item.published = published;
    item
}

/// The output contract of the extractor chain: `feedloom_core::item::contract` (the one
/// checker the property test and the end-to-end tests use too), and the JSON round trip.
/// `item.text` is the text the extractors saw: `clean` (first in the chain) replaces it and
/// every later extractor reads the cleaned text, so the `text` fields of dates, amounts and
/// quotes must come from it.
pub fn check_item(item: &Item) {
    if let Err(e) = feedloom_core::item::contract::check(item) {
        panic!("contract: {e} (published {:?})", item.published);
    }
    check_json(item);
}

/// The item serialises (sinks, dead letters) and reads back the same (`dlq replay`,
/// exec/wasm plugins' `merge_json`). Numbers are compared with a relative tolerance of
/// 1e-12: serde_json's default float parser (no `float_roundtrip` feature) may read the
/// shortest representation it wrote back one ulp off (`1e+44`).
pub fn check_json(item: &Item) {
    let json = serde_json::to_string(item)
        .unwrap_or_else(|e| panic!("item does not serialise: {e}"));
    let back: Item = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("item's JSON does not read back: {e}\n{json}"));
    let a = serde_json::to_value(item).expect("item to JSON value");
    let b = serde_json::to_value(&back).expect("item read back to JSON value");
    assert!(
        same_json(&a, &b),
        "item's JSON reads back different\n{json}\n{}",
        serde_json::to_string(&back).unwrap_or_default()
    );
}

fn same_json(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
            _ => x == y,
        },
        (V::Array(x), V::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (V::Object(x), V::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

/// Run `f` on a thread with `stack` bytes of stack, propagating its panic. The fuzzer's
/// main thread has the process stack (8 MiB); the daemon's `file` source runs
/// `split_html_article` on a tokio `spawn_blocking` thread (2 MiB). Override with
/// `FEEDLOOM_FUZZ_STACK_KB`.
pub fn on_stack<T: Send>(stack: usize, f: impl FnOnce() -> T + Send) -> T {
    let stack = std::env::var("FEEDLOOM_FUZZ_STACK_KB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(stack, |kb| kb * 1024);
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(s, f)
            .expect("spawn")
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Is check `key` switched off (`FEEDLOOM_FUZZ_KNOWN=key1,key2`)? Used to keep fuzzing past
/// a finding already recorded in FINDINGS.md without it stopping every run.
pub fn known(key: &str) -> bool {
    static K: OnceLock<Vec<String>> = OnceLock::new();
    K.get_or_init(|| {
        std::env::var("FEEDLOOM_FUZZ_KNOWN")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .iter()
    .any(|k| k == key)
}

/// tokio's default stack for `spawn_blocking` threads.
pub const TOKIO_BLOCKING_STACK: usize = 2 * 1024 * 1024;
