//! Containment: an extractor that panics or hangs costs one item its fields (or sends it to
//! the dead-letter store), never the pipeline. More panicking items than extract workers
//! still leave every good item delivered, and every failure is counted and shown.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use feedloom_core::{
    BuildContext, ExtractError, Extractor, Item, MemoryStore, PollBatch, Registry, Sink, SinkError,
    Source, SourceContext, SourceError, StateStore, SyncExtractor,
};
use feedloom_runtime::{Config, Mode, Pipeline, RunReport};
use schemars::JsonSchema;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NoOpts {}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ItemsOpts {
    items: Vec<String>,
}

struct Fixed(Vec<String>);
#[async_trait]
impl Source for Fixed {
    async fn poll(&self, ctx: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        Ok(PollBatch {
            items: self
                .0
                .iter()
                .map(|i| Item::new(i.clone(), ctx.source_id))
                .collect(),
            ..Default::default()
        })
    }
}

struct Collect(Arc<Mutex<Vec<Item>>>);
#[async_trait]
impl Sink for Collect {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        self.0.lock().unwrap().extend(batch.iter().cloned());
        Ok(())
    }
}

/// Tags the item, then panics on ids with "panic" and runs for 3 s on ids with "hang".
struct Sloppy;
impl SyncExtractor for Sloppy {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        item.add_tags(["sloppy"]);
        if item.id.contains("panic") && !item.id.contains("apanic") {
            let v: Vec<u8> = Vec::new();
            let i = item.id.len();
            let _ = v[i]; // index out of bounds, as a slicing bug would
        }
        if item.id.contains("hang") {
            std::thread::sleep(Duration::from_secs(3));
        }
        Ok(())
    }
}

/// An async extractor that panics on ids with "apanic".
struct AsyncPanics;
#[async_trait]
impl Extractor for AsyncPanics {
    async fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        item.add_tags(["async"]);
        tokio::task::yield_now().await;
        if item.id.contains("apanic") {
            panic!("async plugin bug on {}", item.id);
        }
        Ok(())
    }
}

/// Marks that the chain went on after the failing steps.
struct Mark;
impl SyncExtractor for Mark {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        item.add_tags(["marked"]);
        Ok(())
    }
}

/// A source with a bug: its poll panics.
struct Buggy;
#[async_trait]
impl Source for Buggy {
    async fn poll(&self, _: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        let parts: Vec<&str> = "no-colon".split(':').collect();
        let _ = parts[1]; // index out of bounds
        Ok(PollBatch::default())
    }
}

/// A sink with a bug: it panics on batches holding an id with "sinkpanic".
struct Fragile(Arc<Mutex<Vec<Item>>>);
#[async_trait]
impl Sink for Fragile {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        if batch.iter().any(|i| i.id.contains("sinkpanic")) {
            panic!("sink bug");
        }
        self.0.lock().unwrap().extend(batch.iter().cloned());
        Ok(())
    }
}

/// Writes its tag only at the end (no copy of the item is kept before it); runs for 3 s on
/// ids with "hang".
struct SlowAtEnd;
impl SyncExtractor for SlowAtEnd {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        if item.id.contains("hang") {
            std::thread::sleep(Duration::from_secs(3));
        }
        item.add_tags(["slow"]);
        Ok(())
    }
    fn writes_at_end(&self) -> bool {
        true
    }
}

fn registry(out: Arc<Mutex<Vec<Item>>>) -> Registry {
    let mut reg = Registry::new();
    reg.register_sync_extractor("slow_at_end", "test", |_: NoOpts, _: &BuildContext| {
        Ok(SlowAtEnd)
    });
    reg.register_source("buggy", "test", |_: NoOpts, _: &BuildContext| Ok(Buggy));
    {
        let out = out.clone();
        reg.register_sink("fragile", "test", move |_: NoOpts, _: &BuildContext| {
            Ok(Fragile(out.clone()))
        });
    }
    reg.register_source("fixed", "test", |o: ItemsOpts, _: &BuildContext| {
        Ok(Fixed(o.items))
    });
    reg.register_sink("collect", "test", move |_: NoOpts, _: &BuildContext| {
        Ok(Collect(out.clone()))
    });
    reg.register_sync_extractor("sloppy", "test", |_: NoOpts, _: &BuildContext| Ok(Sloppy));
    reg.register_extractor("async_panics", "test", |_: NoOpts, _: &BuildContext| {
        Ok(AsyncPanics)
    });
    reg.register_sync_extractor("mark", "test", |_: NoOpts, _: &BuildContext| Ok(Mark));
    reg
}

const ITEMS: &str = "[ok1, ok2, ok3, ok4, ok5, panic1, panic2, panic3, hang1, apanic1]";

async fn run(on_error: &str) -> (RunReport, Vec<Item>, Arc<Pipeline>, Arc<dyn StateStore>) {
    let yaml = format!(
        "pipeline: {{extract_workers: 2, extract_timeout: 300ms}}\nsources:\n  - {{id: s, type: fixed, items: {ITEMS}}}\nextractors:\n  - {{type: sloppy, on_error: {on_error}}}\n  - {{type: async_panics, on_error: {on_error}}}\n  - {{type: mark}}\nsinks:\n  - {{id: c, type: collect}}\n"
    );
    let out: Arc<Mutex<Vec<Item>>> = Default::default();
    let reg = registry(out.clone());
    let cfg = Config::from_str(&yaml, Path::new("t.yaml"), &reg, &|_| None).unwrap();
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let p = Pipeline::build_with_store(cfg, reg, store.clone()).unwrap();
    let report = p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    let items = out.lock().unwrap().clone();
    (report, items, p, store)
}

fn tags(i: &Item) -> Vec<&str> {
    i.tags
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_and_overruns_with_skip_cost_only_the_failed_extractors_fields() {
    let (report, items, p, _) = run("skip").await;
    let mut ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "apanic1", "hang1", "ok1", "ok2", "ok3", "ok4", "ok5", "panic1", "panic2", "panic3"
        ],
        "every item delivered"
    );
    for i in &items {
        let t = tags(i);
        assert!(
            t.contains(&"marked"),
            "the chain went on for {}: {t:?}",
            i.id
        );
        if i.id.starts_with("ok") {
            assert_eq!(t, ["sloppy", "async", "marked"], "{}", i.id);
        } else if i.id.starts_with("apanic") {
            assert_eq!(t, ["sloppy", "marked"], "no fields of the panicking step");
        } else {
            assert_eq!(
                t,
                ["async", "marked"],
                "no fields of the failed step: {}",
                i.id
            );
        }
    }
    assert_eq!(report.extract_errors, 5, "{report:?}");
    assert_eq!(report.delivered, 10);
    assert_eq!(
        report.dropped + report.lost + report.extract_dead_letters,
        0
    );
    assert!(
        !report.problems().is_empty(),
        "failures make the run not clean"
    );
    let st = p.source_status();
    let s = st.iter().find(|s| s.id == "s").unwrap();
    assert_eq!(s.state, "failing");
    assert_eq!(s.item_errors, 5);
    let why = s.last_item_error.as_deref().unwrap();
    assert!(
        why.contains("extractor ") && (why.contains("panicked") || why.contains("timed out")),
        "{why}"
    );
    let m = feedloom_runtime::prometheus::render(&p);
    assert!(
        m.contains("feedloom_extractor_errors_total{extractor=\"sloppy\"} 4"),
        "{m}"
    );
    assert!(
        m.contains("feedloom_extractor_errors_total{extractor=\"async_panics\"} 1"),
        "{m}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_dead_letter_the_failed_items_are_kept_and_the_rest_delivered() {
    let (report, items, _, store) = run("dead_letter").await;
    let mut ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["ok1", "ok2", "ok3", "ok4", "ok5"]);
    assert_eq!(report.extract_dead_letters, 5, "{report:?}");
    let dl = feedloom_runtime::dlq::DeadLetters::new(store);
    let mut kept: Vec<String> = ["extractor:sloppy", "extractor:async_panics"]
        .iter()
        .flat_map(|s| dl.list(Some(s)).unwrap())
        .flat_map(|d| d.items.into_iter().map(|i| i.id))
        .collect();
    kept.sort();
    assert_eq!(kept, ["apanic1", "hang1", "panic1", "panic2", "panic3"]);
    let errors: Vec<String> = dl
        .list(Some("extractor:sloppy"))
        .unwrap()
        .into_iter()
        .map(|d| d.error)
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("panicked: index out of bounds")),
        "{errors:?}"
    );
    assert!(errors.iter().any(|e| e.contains("timed out")), "{errors:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_source_is_a_failed_poll_and_a_panicking_sink_dead_letters_the_batch() {
    let yaml = "sources:\n  - {id: bad, type: buggy}\n  - {id: s, type: fixed, items: [ok1, ok2, sinkpanic1]}\nsinks:\n  - {id: c, type: fragile}\n";
    let out: Arc<Mutex<Vec<Item>>> = Default::default();
    let reg = registry(out.clone());
    let cfg = Config::from_str(yaml, Path::new("t.yaml"), &reg, &|_| None).unwrap();
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let p = Pipeline::build_with_store(cfg, reg, store.clone()).unwrap();
    let report = p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    assert_eq!(report.poll_errors, 1, "{report:?}");
    let st = p.source_status();
    let bad = st.iter().find(|s| s.id == "bad").unwrap();
    assert_eq!(bad.state, "failing");
    assert!(
        bad.last_error
            .as_deref()
            .unwrap()
            .contains("the source panicked: index out of bounds"),
        "{bad:?}"
    );
    let mut ids: Vec<String> = out.lock().unwrap().iter().map(|i| i.id.clone()).collect();
    ids.sort();
    assert_eq!(ids, ["ok1", "ok2"]);
    assert_eq!(report.dead_letters, 1, "{report:?}");
    let dl = feedloom_runtime::dlq::DeadLetters::new(store)
        .list(Some("c"))
        .unwrap();
    assert_eq!(dl.len(), 1);
    assert!(
        dl[0].error.contains("the sink panicked: sink bug"),
        "{}",
        dl[0].error
    );
    assert_eq!(dl[0].items[0].id, "sinkpanic1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overrun_of_a_step_without_a_copy_reruns_the_steps_before_it() {
    let yaml = "pipeline: {extract_timeout: 300ms}\nsources:\n  - {id: s, type: fixed, items: [ok1, hang1]}\nextractors:\n  - {type: mark}\n  - {type: slow_at_end}\nsinks:\n  - {id: c, type: collect}\n";
    let out: Arc<Mutex<Vec<Item>>> = Default::default();
    let reg = registry(out.clone());
    let cfg = Config::from_str(yaml, Path::new("t.yaml"), &reg, &|_| None).unwrap();
    let p = Pipeline::build_with_store(cfg, reg, Arc::new(MemoryStore::new())).unwrap();
    let report = p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    assert_eq!(report.extract_errors, 1, "{report:?}");
    let items = out.lock().unwrap().clone();
    let ok = items.iter().find(|i| i.id == "ok1").unwrap();
    assert_eq!(tags(ok), ["marked", "slow"]);
    let hang = items.iter().find(|i| i.id == "hang1").unwrap();
    assert_eq!(
        tags(hang),
        ["marked"],
        "the step before kept, the overrun one not"
    );
}
