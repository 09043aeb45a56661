//! The valid range of every duration, ratio, size and count in `feedloom.yaml`, declared in
//! one table and checked in one pass over the parsed document.
//!
//! A table rather than checks in each plugin: a value that parses can still be absurd
//! (`interval: 0s` polls hundreds of times a second, `jitter: 5` makes intervals negative),
//! and a newcomer should get the same located "must be between A and B" for all of them.
//! `tests/newcomer.rs` walks `feedloom schema config` and fails when a duration, size or
//! fractional option of a built-in plugin has no entry here.

use feedloom_core::{Duration, Size};
use serde_json::Value;

/// Which mapping a rule's key lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `defaults.KEY`.
    Defaults,
    /// `pipeline.KEY`.
    Pipeline,
    /// `sinks.N.KEY` of every sink (the runtime's own sink keys).
    EverySink,
    /// `sources.N.KEY` where `type` is this.
    Source(&'static str),
    /// `extractors.N.KEY` where `type` is this.
    Extractor(&'static str),
    /// `sinks.N.KEY` where `type` is this.
    Sink(&'static str),
}

/// The inclusive range a value must fall in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    Duration(Duration, Duration),
    Size(Size, Size),
    /// A fraction or a similarity.
    Ratio(f64, f64),
    /// A whole number (workers, items, retries).
    Count(u64, u64),
}

/// One declared bound.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    pub scope: Scope,
    pub key: &'static str,
    pub range: Range,
    /// Why the range is what it is, shown after the range.
    pub why: &'static str,
}

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
const MINUTE: u64 = 60;
const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

const fn rule(scope: Scope, key: &'static str, range: Range, why: &'static str) -> Rule {
    Rule {
        scope,
        key,
        range,
        why,
    }
}

// Shared ranges, so a per-source override is held to what `defaults:` is.
const INTERVAL: Range = Range::Duration(ms(100), secs(30 * DAY));
const WHY_INTERVAL: &str = "how often the source is polled";
const FETCH_TIMEOUT: Range = Range::Duration(ms(100), secs(HOUR));
const MAX_BYTES: Range = Range::Size(Size::kib(1), Size::gib(4));
const REDIRECTS: Range = Range::Count(0, 50);
const PLUGIN_TIMEOUT: Range = Range::Duration(ms(10), secs(HOUR));

use Scope::*;

/// Every bound. Counts whose zero would stall the pipeline are here too.
pub const RULES: &[Rule] = &[
    // defaults:
    rule(Defaults, "interval", INTERVAL, WHY_INTERVAL),
    rule(
        Defaults,
        "jitter",
        Range::Ratio(0.0, 0.5),
        "a fraction of the interval: 0.1 spreads polls by ±10%",
    ),
    rule(
        Defaults,
        "max_backoff",
        Range::Duration(secs(1), secs(30 * DAY)),
        "the longest wait of a failing source",
    ),
    rule(
        Defaults,
        "max_concurrent_fetches",
        Range::Count(1, 100_000),
        "fetches in flight at once",
    ),
    rule(
        Defaults,
        "per_host_concurrency",
        Range::Count(1, 10_000),
        "requests in flight to one host",
    ),
    rule(
        Defaults,
        "connect_timeout",
        Range::Duration(ms(100), secs(10 * MINUTE)),
        "time to open a connection",
    ),
    rule(Defaults, "timeout", FETCH_TIMEOUT, "a whole request"),
    rule(
        Defaults,
        "max_bytes",
        MAX_BYTES,
        "the largest body, after decompression",
    ),
    rule(Defaults, "max_redirects", REDIRECTS, "redirects followed"),
    rule(
        Defaults,
        "fulltext_concurrency",
        Range::Count(1, 256),
        "article pages fetched at once",
    ),
    rule(
        Defaults,
        "retention",
        Range::Duration(secs(MINUTE), secs(3_650 * DAY)),
        "how long delivered ids are remembered",
    ),
    // pipeline:
    rule(
        Pipeline,
        "channel_capacity",
        Range::Count(1, 1_000_000),
        "items between two stages",
    ),
    rule(
        Pipeline,
        "extract_workers",
        Range::Count(1, 1_024),
        "items extracted at once",
    ),
    rule(
        Pipeline,
        "extract_timeout",
        Range::Duration(ms(100), secs(HOUR)),
        "one extractor on one item",
    ),
    rule(
        Pipeline,
        "drain_timeout",
        Range::Duration(secs(0), secs(HOUR)),
        "delivery time on shutdown",
    ),
    // every sink:
    rule(
        EverySink,
        "max_retries",
        Range::Count(0, u32::MAX as u64),
        "retries of a batch",
    ),
    rule(
        EverySink,
        "retry_backoff",
        Range::Duration(ms(10), secs(HOUR)),
        "the first retry delay",
    ),
    rule(
        EverySink,
        "retry_max_backoff",
        Range::Duration(ms(10), secs(DAY)),
        "the longest retry delay",
    ),
    rule(
        EverySink,
        "buffer",
        Range::Count(1, 10_000_000),
        "items held in memory",
    ),
    // sources:
    rule(Source("feed"), "interval", INTERVAL, WHY_INTERVAL),
    rule(Source("feed"), "timeout", FETCH_TIMEOUT, "a whole request"),
    rule(
        Source("feed"),
        "max_bytes",
        MAX_BYTES,
        "the largest body, after decompression",
    ),
    rule(
        Source("feed"),
        "max_redirects",
        REDIRECTS,
        "redirects followed",
    ),
    rule(
        Source("feed"),
        "fulltext_concurrency",
        Range::Count(1, 256),
        "article pages fetched at once",
    ),
    rule(Source("file"), "interval", INTERVAL, WHY_INTERVAL),
    // extractors:
    rule(
        Extractor("dedup"),
        "window",
        Range::Duration(secs(MINUTE), secs(3_650 * DAY)),
        "how long signatures are remembered",
    ),
    rule(
        Extractor("dedup"),
        "threshold",
        Range::Ratio(0.01, 1.0),
        "a Jaccard similarity",
    ),
    rule(
        Extractor("dedup"),
        "shingle",
        Range::Count(1, 32),
        "words per shingle",
    ),
    rule(
        Extractor("dedup"),
        "max_items",
        Range::Count(1, 100_000_000),
        "signatures kept",
    ),
    rule(
        Extractor("language"),
        "min_confidence",
        Range::Ratio(0.0, 1.0),
        "a confidence",
    ),
    rule(
        Extractor("exec"),
        "timeout",
        PLUGIN_TIMEOUT,
        "one item in the plugin",
    ),
    rule(
        Extractor("exec"),
        "concurrency",
        Range::Count(1, 1_024),
        "plugin processes",
    ),
    rule(
        Extractor("wasm"),
        "timeout",
        PLUGIN_TIMEOUT,
        "one item in the module",
    ),
    rule(
        Extractor("wasm"),
        "max_memory",
        Range::Size(Size::kib(64), Size::gib(4)),
        "a wasm32 memory: one 64KiB page to 4GiB",
    ),
    rule(
        Extractor("wasm"),
        "fuel",
        Range::Count(1, u64::MAX),
        "instructions per item",
    ),
    // sinks:
    rule(
        Sink("jsonl"),
        "fsync_interval",
        Range::Duration(ms(10), secs(HOUR)),
        "the longest time between fsyncs",
    ),
    rule(
        Sink("webhook"),
        "batch_size",
        Range::Count(1, 100_000),
        "items per request",
    ),
    rule(
        Sink("webhook"),
        "batch_timeout",
        Range::Duration(secs(0), secs(HOUR)),
        "the wait for a batch to fill",
    ),
    rule(Sink("webhook"), "timeout", FETCH_TIMEOUT, "a whole request"),
    rule(
        Sink("postgres"),
        "batch_size",
        Range::Count(1, 100_000),
        "items per transaction",
    ),
    rule(
        Sink("postgres"),
        "batch_timeout",
        Range::Duration(secs(0), secs(HOUR)),
        "the wait for a batch to fill",
    ),
    rule(
        Sink("postgres"),
        "timeout",
        Range::Duration(secs(1), secs(HOUR)),
        "one batch, connecting included",
    ),
    rule(Source("nats"), "interval", INTERVAL, WHY_INTERVAL),
    rule(
        Source("nats"),
        "connect_timeout",
        Range::Duration(ms(100), secs(10 * MINUTE)),
        "one server's connect",
    ),
    rule(
        Source("nats"),
        "ack_wait",
        Range::Duration(secs(1), secs(7 * DAY)),
        "the server's wait for an ack",
    ),
    rule(
        Source("nats"),
        "batch",
        Range::Count(1, 100_000),
        "messages per poll",
    ),
    rule(
        Sink("nats"),
        "connect_timeout",
        Range::Duration(ms(100), secs(10 * MINUTE)),
        "one server's connect",
    ),
    rule(
        Sink("nats"),
        "batch_size",
        Range::Count(1, 100_000),
        "messages per batch",
    ),
    rule(
        Sink("nats"),
        "batch_timeout",
        Range::Duration(secs(0), secs(HOUR)),
        "the wait for a batch to fill",
    ),
    rule(
        Sink("nats"),
        "timeout",
        FETCH_TIMEOUT,
        "one batch, acks included",
    ),
];

/// A value found outside its range: where (dotted path) and what to say.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub path: String,
    pub message: String,
}

impl Range {
    /// `"between 100ms and 30d"`.
    pub fn describe(&self) -> String {
        match self {
            Range::Duration(lo, hi) => format!("between {lo} and {hi}"),
            Range::Size(lo, hi) => format!("between {lo} and {hi}"),
            Range::Ratio(lo, hi) => format!("between {lo} and {hi}"),
            Range::Count(lo, hi) if *hi == u64::MAX => format!("at least {lo}"),
            Range::Count(lo, hi) => format!("between {lo} and {hi}"),
        }
    }

    /// `Some(shown value)` when `v` parses as this kind and is out of range. A value of the
    /// wrong kind is left alone: deserialisation reports it with the expected form.
    fn out_of_range(&self, v: &Value) -> Option<String> {
        match self {
            Range::Duration(lo, hi) => {
                let d: Duration = v.as_str()?.parse().ok()?;
                (d < *lo || d > *hi).then(|| d.to_string())
            }
            Range::Size(lo, hi) => {
                // A negative number is out of range rather than "not a size".
                if v.as_i64().is_some_and(|n| n < 0) {
                    return Some(v.to_string());
                }
                let s: Size = serde_json::from_value(v.clone()).ok()?;
                (s < *lo || s > *hi).then(|| s.to_string())
            }
            Range::Ratio(lo, hi) => {
                let x = v.as_f64()?;
                (x.is_nan() || x < *lo || x > *hi).then(|| v.to_string())
            }
            Range::Count(lo, hi) => {
                if v.as_i64().is_some_and(|n| n < 0) {
                    return Some(v.to_string());
                }
                let n = v.as_u64()?;
                (n < *lo || n > *hi).then(|| n.to_string())
            }
        }
    }
}

/// The (path, value) pairs `rule` applies to in the document `root`.
fn targets<'a>(root: &'a Value, rule: &Rule) -> Vec<(String, &'a Value)> {
    let section = |name: &str| -> Vec<(usize, &'a Value)> {
        root.get(name)
            .and_then(Value::as_array)
            .map(|a| a.iter().enumerate().collect())
            .unwrap_or_default()
    };
    let typed = |name: &str, kind: &str| -> Vec<(String, &'a Value)> {
        section(name)
            .into_iter()
            .filter(|(_, c)| c.get("type").and_then(Value::as_str) == Some(kind))
            .filter_map(|(i, c)| Some((format!("{name}.{i}.{}", rule.key), c.get(rule.key)?)))
            .collect()
    };
    match rule.scope {
        Scope::Defaults | Scope::Pipeline => {
            let name = if rule.scope == Scope::Defaults {
                "defaults"
            } else {
                "pipeline"
            };
            root.get(name)
                .and_then(|m| m.get(rule.key))
                .map(|v| vec![(format!("{name}.{}", rule.key), v)])
                .unwrap_or_default()
        }
        Scope::EverySink => section("sinks")
            .into_iter()
            .filter_map(|(i, c)| Some((format!("sinks.{i}.{}", rule.key), c.get(rule.key)?)))
            .collect(),
        Scope::Source(kind) => typed("sources", kind),
        Scope::Extractor(kind) => typed("extractors", kind),
        Scope::Sink(kind) => typed("sinks", kind),
    }
}

/// Every value of `root` (the interpolated document) outside its declared range.
pub fn check(root: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    for rule in RULES {
        for (path, v) in targets(root, rule) {
            if let Some(shown) = rule.range.out_of_range(v) {
                out.push(Violation {
                    path,
                    message: format!(
                        "`{}` {shown} is out of range: must be {} ({})",
                        rule.key,
                        rule.range.describe(),
                        rule.why
                    ),
                });
            }
        }
    }
    out.extend(check_backoff_order(root));
    out
}

/// A sink's `retry_max_backoff` below its `retry_backoff` would make every retry wait the
/// maximum: almost certainly two values swapped.
fn check_backoff_order(root: &Value) -> Vec<Violation> {
    let Some(sinks) = root.get("sinks").and_then(Value::as_array) else {
        return Vec::new();
    };
    let dur = |s: &Value, k: &str| -> Option<Duration> { s.get(k)?.as_str()?.parse().ok() };
    sinks
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let first = dur(s, "retry_backoff")?;
            let max = dur(s, "retry_max_backoff")?;
            (max < first).then(|| Violation {
                path: format!("sinks.{i}.retry_max_backoff"),
                message: format!(
                    "`retry_max_backoff` {max} is below `retry_backoff` {first}: the longest retry delay must be at least the first"
                ),
            })
        })
        .collect()
}

/// The rule for `key` of a component of `role` (`sources`, `extractors`, `sinks`) and
/// `kind`, or of a top-level section (`defaults`, `pipeline`), for the schema.
pub fn rule_for(section: &str, kind: Option<&str>, key: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| {
        r.key == key
            && match (r.scope, section, kind) {
                (Scope::Defaults, "defaults", _) => true,
                (Scope::Pipeline, "pipeline", _) => true,
                (Scope::EverySink, "sinks", _) => true,
                (Scope::Source(t), "sources", Some(k)) => t == k,
                (Scope::Extractor(t), "extractors", Some(k)) => t == k,
                (Scope::Sink(t), "sinks", Some(k)) => t == k,
                _ => false,
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(v: Value) -> Vec<String> {
        check(&v).into_iter().map(|x| x.path).collect()
    }

    #[test]
    fn defaults_of_the_structs_are_in_range() {
        // The built-in defaults must pass their own bounds.
        let d = serde_json::to_value(feedloom_core::Defaults::default()).unwrap();
        let p = serde_json::to_value(crate::config::PipelineSettings::default()).unwrap();
        let mut p = p;
        // extract_workers defaults to the CPU count; clamp for machines with more than the max.
        p["extract_workers"] = serde_json::json!(2);
        assert_eq!(
            paths(serde_json::json!({"defaults": d, "pipeline": p})),
            Vec::<String>::new()
        );
    }

    #[test]
    fn out_of_range_values_are_found_by_path() {
        let v = serde_json::json!({
            "defaults": {"interval": "0s", "jitter": 5, "timeout": "0s", "max_bytes": "10MB"},
            "sources": [{"id": "a", "type": "feed", "interval": "0s", "max_bytes": -1},
                        {"id": "b", "type": "file", "interval": "1m"}],
            "extractors": [{"type": "dedup", "threshold": 1.5}],
            "sinks": [{"id": "s", "type": "jsonl", "fsync_interval": "1ms", "buffer": 0,
                       "retry_backoff": "10s", "retry_max_backoff": "1s"}]
        });
        assert_eq!(
            paths(v),
            [
                "defaults.interval",
                "defaults.jitter",
                "defaults.timeout",
                "sinks.0.buffer",
                "sources.0.interval",
                "sources.0.max_bytes",
                "extractors.0.threshold",
                "sinks.0.fsync_interval",
                "sinks.0.retry_max_backoff",
            ]
        );
    }

    #[test]
    fn messages_say_the_range() {
        let v = serde_json::json!({"defaults": {"jitter": -1}});
        let m = &check(&v)[0].message;
        assert!(
            m.contains("`jitter` -1 is out of range: must be between 0 and 0.5"),
            "{m}"
        );
        let v = serde_json::json!({"defaults": {"interval": "0s"}});
        let m = &check(&v)[0].message;
        assert!(m.contains("between 100ms and 30d"), "{m}");
    }

    #[test]
    fn values_of_the_wrong_kind_are_left_to_deserialisation() {
        let v = serde_json::json!({"defaults": {"interval": "5x", "jitter": "lots"}});
        assert!(check(&v).is_empty());
    }
}
