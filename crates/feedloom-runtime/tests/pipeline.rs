//! The pipeline with fake plugins: scheduling and backoff (paused clock), acknowledgement
//! and commit ordering, routing, extractor failure policies.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use feedloom_core::{
    BuildContext, ExtractError, Extractor, Item, MemoryStore, PollBatch, Registry, Sink, SinkError,
    Source, SourceContext, SourceError, SourceErrorKind, StateOp, StateStore,
};
use feedloom_runtime::{Config, Mode, Pipeline};
use schemars::JsonSchema;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Opts {
    #[serde(default)]
    fail_first: u32,
    #[serde(default)]
    retry_after_secs: Option<u64>,
    #[serde(default)]
    items: Vec<String>,
}

type Log = Arc<Mutex<Vec<tokio::time::Instant>>>;

struct FlakySource {
    polls: Arc<AtomicU32>,
    times: Log,
    fail_first: u32,
    retry_after: Option<Duration>,
    items: Vec<String>,
}

#[async_trait]
impl Source for FlakySource {
    fn interval(&self) -> Option<Duration> {
        Some(Duration::from_secs(600))
    }
    async fn poll(&self, ctx: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        self.times.lock().unwrap().push(tokio::time::Instant::now());
        let n = self.polls.fetch_add(1, Ordering::SeqCst);
        if n < self.fail_first {
            return Err(SourceError::new(SourceErrorKind::Status(503), "HTTP 503")
                .with_retry_after(self.retry_after));
        }
        Ok(PollBatch {
            items: self
                .items
                .iter()
                .map(|i| Item::new(i.clone(), ctx.source_id))
                .collect(),
            commit: vec![StateOp::put("feed", ctx.source_id, b"etag-1".to_vec())],
            ..Default::default()
        })
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoOpts {}

struct Collect(Arc<Mutex<Vec<String>>>, bool);
#[async_trait]
impl Sink for Collect {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        if self.1 {
            return Err(SinkError::permanent("HTTP 400"));
        }
        self.0
            .lock()
            .unwrap()
            .extend(batch.iter().map(|i| i.id.clone()));
        Ok(())
    }
}

struct Boom;
#[async_trait]
impl Extractor for Boom {
    async fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        if item.id.contains("bad") {
            Err(ExtractError::new("boom"))
        } else {
            Ok(())
        }
    }
}

struct Harness {
    times: Log,
    polls: Arc<AtomicU32>,
    good: Arc<Mutex<Vec<String>>>,
    store: Arc<dyn StateStore>,
}

fn setup(yaml: &str) -> (Arc<Pipeline>, Harness) {
    setup_with(yaml, Arc::new(MemoryStore::new()))
}

fn setup_with(yaml: &str, store: Arc<dyn StateStore>) -> (Arc<Pipeline>, Harness) {
    let times: Log = Default::default();
    let polls = Arc::new(AtomicU32::new(0));
    let good: Arc<Mutex<Vec<String>>> = Default::default();
    let mut reg = Registry::new();
    {
        let (times, polls) = (times.clone(), polls.clone());
        reg.register_source("flaky", "test", move |o: Opts, _: &BuildContext| {
            Ok(FlakySource {
                polls: polls.clone(),
                times: times.clone(),
                fail_first: o.fail_first,
                retry_after: o.retry_after_secs.map(Duration::from_secs),
                items: o.items,
            })
        });
    }
    {
        let good = good.clone();
        reg.register_sink("collect", "test", move |_: NoOpts, _: &BuildContext| {
            Ok(Collect(good.clone(), false))
        });
        reg.register_sink("reject", "test", move |_: NoOpts, _: &BuildContext| {
            Ok(Collect(Default::default(), true))
        });
    }
    reg.register_extractor("boom", "test", |_: NoOpts, _: &BuildContext| Ok(Boom));
    let cfg = Config::from_str(yaml, Path::new("t.yaml"), &reg, &|_| None).unwrap();
    let p = Pipeline::build_with_store(cfg, reg, store.clone()).unwrap();
    (
        p,
        Harness {
            times,
            polls,
            good,
            store,
        },
    )
}

#[tokio::test(start_paused = true)]
async fn failing_source_backs_off_exponentially_then_resets_on_success() {
    let (p, h) = setup(
        "defaults: {max_backoff: 10m}\nsources:\n  - {id: s, type: flaky, fail_first: 5, items: [a]}\nsinks:\n  - {id: c, type: collect}\n",
    );
    let stop = CancellationToken::new();
    let run = tokio::spawn({
        let (p, stop) = (p.clone(), stop.clone());
        async move { p.run(Mode::Daemon, stop).await }
    });
    while h.polls.load(Ordering::SeqCst) < 8 {
        tokio::time::sleep(Duration::from_secs(30)).await;
    }
    stop.cancel();
    run.await.unwrap().unwrap();
    let t = h.times.lock().unwrap().clone();
    let gaps: Vec<f64> = t.windows(2).map(|w| (w[1] - w[0]).as_secs_f64()).collect();
    // Failures 1..5: backoff 60s, 120s, 240s, 480s, then capped at 600s (±20% jitter).
    let nominal = [60.0, 120.0, 240.0, 480.0, 600.0];
    for (g, n) in gaps.iter().zip(nominal) {
        assert!(
            *g >= n * 0.8 - 1.0 && *g <= n * 1.2 + 1.0,
            "gap {g} not within jitter of {n}: {gaps:?}"
        );
    }
    // After the success the normal interval (600s ±10%) applies again.
    assert!(gaps[5] >= 540.0 - 1.0 && gaps[5] <= 660.0 + 1.0, "{gaps:?}");
    assert_eq!(
        h.good.lock().unwrap().as_slice(),
        ["a"],
        "delivered once, not on every poll"
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured() {
    let (p, h) = setup(
        "sources:\n  - {id: s, type: flaky, fail_first: 1, retry_after_secs: 3600}\nsinks: []\n",
    );
    let stop = CancellationToken::new();
    let run = tokio::spawn({
        let (p, stop) = (p.clone(), stop.clone());
        async move { p.run(Mode::Daemon, stop).await }
    });
    while h.polls.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    stop.cancel();
    run.await.unwrap().unwrap();
    let t = h.times.lock().unwrap().clone();
    assert!(
        (t[1] - t[0]) >= Duration::from_secs(3600),
        "{:?}",
        t[1] - t[0]
    );
}

#[tokio::test]
async fn commit_applies_only_after_delivery_and_items_are_not_redelivered() {
    let (p, h) = setup(
        "sources:\n  - {id: s, type: flaky, items: [a, b]}\nsinks:\n  - {id: c, type: collect}\n",
    );
    let r = p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    assert_eq!(r.delivered, 2);
    assert_eq!(
        h.store.get("feed", "s").unwrap().as_deref(),
        Some(&b"etag-1"[..])
    );
    let mut good = h.good.lock().unwrap().clone();
    good.sort();
    assert_eq!(good, ["a", "b"]);
    // A new pipeline on the same store (a restart) delivers only what is new.
    let y = "sources:\n  - {id: s, type: flaky, items: [a, b, c]}\nsinks:\n  - {id: c, type: collect}\n";
    let (p2, h2) = setup_with(y, h.store.clone());
    let r2 = p2.run(Mode::Once, CancellationToken::new()).await.unwrap();
    assert_eq!(r2.delivered, 1);
    assert_eq!(h2.good.lock().unwrap().as_slice(), ["c"]);
}

#[tokio::test]
async fn permanent_sink_error_dead_letters_and_does_not_block_other_sinks() {
    let (p, h) = setup(
        "sources:\n  - {id: s, type: flaky, items: [a]}\nsinks:\n  - {id: bad, type: reject}\n  - {id: c, type: collect}\n",
    );
    let r = p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    assert_eq!(r.dead_letters, 1);
    assert!(r.sink_failed());
    assert_eq!(h.good.lock().unwrap().as_slice(), ["a"]);
    let dl = feedloom_runtime::dlq::DeadLetters::new(h.store.clone())
        .list(Some("bad"))
        .unwrap();
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].error, "HTTP 400");
    // The item counts as done: its commit was applied.
    assert!(h.store.get("feed", "s").unwrap().is_some());
}

#[tokio::test]
async fn routing_and_extractor_failure_policies() {
    let y = "sources:\n  - {id: s, type: flaky, items: [ok1, bad1]}\nextractors:\n  - {type: boom, on_error: dead_letter}\nsinks:\n  - {id: c, type: collect, when: {not: {source: [other]}}}\n";
    let (p, h) = setup(y);
    p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    assert_eq!(h.good.lock().unwrap().as_slice(), ["ok1"]);
    let dl = feedloom_runtime::dlq::DeadLetters::new(h.store.clone())
        .list(Some("extractor:boom"))
        .unwrap();
    assert_eq!(dl.len(), 1);
    assert_eq!(dl[0].items[0].id, "bad1");

    let y = "sources:\n  - {id: s, type: flaky, items: [ok1, bad1]}\nextractors:\n  - {type: boom}\nsinks:\n  - {id: c, type: collect, when: {source: [other]}}\n";
    let (p, h) = setup(y);
    p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    assert!(
        h.good.lock().unwrap().is_empty(),
        "when: filtered everything out"
    );
    let y = "sources:\n  - {id: s, type: flaky, items: [ok1, bad1]}\nextractors:\n  - {type: boom}\nsinks:\n  - {id: c, type: collect}\n";
    let (p, h) = setup(y);
    p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    let mut got = h.good.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, ["bad1", "ok1"], "skip passes the failed item on");
}

#[tokio::test]
async fn reload_adds_removes_and_swaps_without_losing_or_duplicating() {
    let y1 = "sources:\n  - {id: s1, type: flaky, items: [a1, a2]}\nsinks:\n  - {id: c, type: collect}\n";
    let (p, h) = setup(y1);
    let stop = CancellationToken::new();
    let run = tokio::spawn({
        let (p, stop) = (p.clone(), stop.clone());
        async move { p.run(Mode::Daemon, stop).await }
    });
    let wait_for = |n: usize| {
        let good = h.good.clone();
        async move {
            for _ in 0..500 {
                if good.lock().unwrap().len() >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!(
                "timed out waiting for {n} items: {:?}",
                good.lock().unwrap()
            );
        }
    };
    wait_for(2).await;
    // Add s2, drop s1, change the sink's settings (a new driver replaces the old one).
    let y2 = "sources:\n  - {id: s2, type: flaky, items: [b1]}\nsinks:\n  - {id: c, type: collect, max_retries: 3}\n";
    let cfg = Config::from_str(y2, Path::new("t.yaml"), &reg_for(&h), &|_| None).unwrap();
    let sum = p.reload(cfg).await.unwrap();
    assert_eq!(sum.sources_added, ["s2"]);
    assert_eq!(sum.sources_removed, ["s1"]);
    assert_eq!(sum.sinks_changed, ["c"]);
    assert!(!sum.extractors_changed);
    assert_eq!(sum.to_string(), "sources +s2 -s1; sinks ~c");
    wait_for(3).await;
    assert_eq!(p.running_sources().keys().collect::<Vec<_>>(), ["s2"]);
    // Reloading the same config changes nothing.
    let cfg = Config::from_str(y2, Path::new("t.yaml"), &reg_for(&h), &|_| None).unwrap();
    assert!(p.reload(cfg).await.unwrap().is_empty());
    stop.cancel();
    run.await.unwrap().unwrap();
    let mut got = h.good.lock().unwrap().clone();
    got.sort();
    assert_eq!(got, ["a1", "a2", "b1"]);
}

/// A registry equal in shape to the one `setup` built (types only matter for validation).
fn reg_for(h: &Harness) -> Registry {
    let mut reg = Registry::new();
    let (times, polls) = (h.times.clone(), h.polls.clone());
    reg.register_source("flaky", "test", move |o: Opts, _: &BuildContext| {
        Ok(FlakySource {
            polls: polls.clone(),
            times: times.clone(),
            fail_first: o.fail_first,
            retry_after: None,
            items: o.items,
        })
    });
    let good = h.good.clone();
    reg.register_sink("collect", "test", move |_: NoOpts, _: &BuildContext| {
        Ok(Collect(good.clone(), false))
    });
    reg
}
