//! Scheduling and deadlines of the pipeline, on tokio's paused clock (no wall-clock waits).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use feedloom_core::{
    ExtractError, Extractor, Item, MemoryStore, PollBatch, Registry, Source, SourceContext,
    SourceError, SourceErrorKind, StateStore,
};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::*;

/// When each fake source polled, as time since the test started.
type Polls = Arc<Mutex<BTreeMap<String, Vec<Duration>>>>;

/// `behaviour`: `ok`, `fail`, `queue` (waits `secs` for a slot, then ok), `hang` (works
/// `secs`, then ok).
struct Fake {
    id: String,
    behaviour: String,
    secs: u64,
    interval: Option<Duration>,
    polls: Polls,
    t0: Instant,
}

#[async_trait]
impl Source for Fake {
    fn interval(&self) -> Option<Duration> {
        self.interval
    }
    async fn poll(&self, _: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        self.polls
            .lock()
            .unwrap()
            .entry(self.id.clone())
            .or_default()
            .push(self.t0.elapsed());
        let secs = Duration::from_secs(self.secs);
        match self.behaviour.as_str() {
            "fail" => Err(SourceError::new(SourceErrorKind::Status(500), "HTTP 500")),
            "queue" => {
                deadline::queued(tokio::time::sleep(secs)).await;
                Ok(PollBatch::default())
            }
            "hang" => {
                tokio::time::sleep(secs).await;
                Ok(PollBatch::default())
            }
            _ => Ok(PollBatch::default()),
        }
    }
}

/// Takes `secs` to set the title; declares `need` seconds when given.
struct Slow {
    secs: u64,
    need: Option<u64>,
}

#[async_trait]
impl Extractor for Slow {
    async fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        tokio::time::sleep(Duration::from_secs(self.secs)).await;
        item.title = Some("done".into());
        Ok(())
    }
    fn time_needed(&self) -> Option<Duration> {
        self.need.map(Duration::from_secs)
    }
}

fn registry(polls: &Polls, t0: Instant) -> Registry {
    let mut reg = Registry::new();
    let p = polls.clone();
    reg.register_source(
        "fake",
        "test source",
        move |o: serde_json::Value, ctx: &feedloom_core::BuildContext| {
            Ok(Fake {
                id: ctx.id.clone(),
                behaviour: o["behaviour"].as_str().unwrap_or("ok").to_string(),
                secs: o["secs"].as_u64().unwrap_or(0),
                interval: o["interval_secs"].as_u64().map(Duration::from_secs),
                polls: p.clone(),
                t0,
            })
        },
    );
    reg.register_extractor(
        "slow",
        "test extractor",
        |o: serde_json::Value, _: &feedloom_core::BuildContext| {
            Ok(Slow {
                secs: o["secs"].as_u64().unwrap_or(0),
                need: o["need"].as_u64(),
            })
        },
    );
    reg
}

fn pipeline(yaml: &str, reg: Registry, store: Arc<dyn StateStore>) -> Arc<Pipeline> {
    let cfg = Config::from_str(yaml, Path::new("/nonexistent/f.yaml"), &reg, &|_| None).unwrap();
    Pipeline::build_with_store(cfg, reg, store).unwrap()
}

fn save(store: &Arc<dyn StateStore>, id: &str, in_secs: i64, failures: u32) {
    let s = Schedule {
        next_poll: Utc::now() + chrono::Duration::seconds(in_secs),
        failures,
    };
    store.apply(vec![s.op(id)]).unwrap();
}

fn saved(store: &Arc<dyn StateStore>, id: &str) -> Option<Schedule> {
    store
        .get(ns::SCHEDULE, id)
        .unwrap()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

/// Run the daemon until `until` holds for the polls (checked every virtual second, for at
/// most a virtual day), then stop it.
async fn run_until(
    p: &Arc<Pipeline>,
    polls: &Polls,
    until: impl Fn(&BTreeMap<String, Vec<Duration>>) -> bool,
) {
    let shutdown = CancellationToken::new();
    let task = {
        let p = p.clone();
        let s = shutdown.clone();
        tokio::spawn(async move { p.run(Mode::Daemon, s).await })
    };
    for _ in 0..86_400 {
        if until(&polls.lock_unpoisoned()) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    shutdown.cancel();
    task.await.unwrap().unwrap();
}

fn first(polls: &Polls, id: &str) -> Duration {
    polls.lock_unpoisoned()[id][0]
}

const SOURCES: &str = "defaults: {interval: 1m, max_backoff: 10m}\nsources:\n  - {id: waits, type: fake, behaviour: fail}\n  - {id: stale, type: fake}\n  - {id: new, type: fake}\n";

/// After a restart a source waits for its saved next poll (a Retry-After, a backoff) and
/// its failure streak goes on; a far-future time is capped at interval + max_backoff; a new
/// source polls at once.
#[tokio::test(start_paused = true)]
async fn a_restart_honours_the_saved_schedule_and_failure_streak() {
    let t0 = Instant::now();
    let polls = Polls::default();
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    save(&store, "waits", 120, 3);
    save(&store, "stale", 30 * 86_400, 0);
    let p = pipeline(SOURCES, registry(&polls, t0), store.clone());
    run_until(&p, &polls, |m| m.len() == 3).await;
    let waits = first(&polls, "waits");
    assert!(
        waits >= Duration::from_secs(119) && waits <= Duration::from_secs(121),
        "{waits:?}"
    );
    assert_eq!(first(&polls, "stale"), Duration::from_secs(60 + 600));
    assert_eq!(first(&polls, "new"), Duration::ZERO);
    // The failure streak went on from 3: the retry after the first failed poll waited the
    // 4th backoff step (60 s × 8, ±20%), not the 1st (60 s).
    let w = polls.lock_unpoisoned()["waits"].clone();
    if w.len() > 1 {
        assert!(w[1] - w[0] >= Duration::from_secs(384), "{w:?}");
    }
    let s = saved(&store, "waits").unwrap();
    assert_eq!(s.failures, 3 + w.len() as u32);
    assert!(s.next_poll > Utc::now());
    assert_eq!(saved(&store, "new").unwrap().failures, 0);
}

/// `once` ignores saved schedules: everything polls at once.
#[tokio::test(start_paused = true)]
async fn once_polls_everything_at_once_whatever_was_saved() {
    let t0 = Instant::now();
    let polls = Polls::default();
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    save(&store, "waits", 120, 3);
    save(&store, "stale", 30 * 86_400, 0);
    let p = pipeline(SOURCES, registry(&polls, t0), store.clone());
    p.run(Mode::Once, CancellationToken::new()).await.unwrap();
    let m = polls.lock_unpoisoned().clone();
    assert_eq!(m.len(), 3);
    assert!(m.values().all(|v| v == &[Duration::ZERO]), "{m:?}");
    assert_eq!(saved(&store, "waits").unwrap().failures, 4);
}

/// More sources due at once than fetch slots: their first polls are spread over
/// interval × jitter. As many as the slots (the bundled config): all at once.
#[tokio::test(start_paused = true)]
async fn a_herd_of_new_sources_is_spread_and_a_few_poll_at_once() {
    let t0 = Instant::now();
    let polls = Polls::default();
    let mut y = String::from(
        "defaults: {interval: 100s, jitter: 0.5, max_concurrent_fetches: 3}\nsources:\n",
    );
    for i in 0..20 {
        y.push_str(&format!("  - {{id: s{i}, type: fake}}\n"));
    }
    let p = pipeline(&y, registry(&polls, t0), Arc::new(MemoryStore::new()));
    run_until(&p, &polls, |m| m.len() == 20).await;
    let firsts: Vec<Duration> = (0..20).map(|i| first(&polls, &format!("s{i}"))).collect();
    assert!(
        firsts.iter().all(|d| *d <= Duration::from_secs(50)),
        "{firsts:?}"
    );
    assert!(
        firsts.iter().filter(|d| d.is_zero()).count() < 10,
        "{firsts:?}"
    );

    let polls = Polls::default();
    let y = "defaults: {interval: 100s, jitter: 0.5, max_concurrent_fetches: 3}\nsources:\n  - {id: a, type: fake}\n  - {id: b, type: fake}\n  - {id: c, type: fake}\n";
    let p = pipeline(y, registry(&polls, t0), Arc::new(MemoryStore::new()));
    let t1 = t0.elapsed();
    run_until(&p, &polls, |m| m.len() == 3).await;
    for id in ["a", "b", "c"] {
        assert_eq!(first(&polls, id), t1, "{id}");
    }
}

/// The poll timeout (60 s here) counts the poll's own work, not its wait for a fetch slot:
/// a poll queued for 1000 s succeeds; one that works for 1000 s still times out.
#[tokio::test(start_paused = true)]
async fn a_poll_queued_for_a_fetch_slot_is_not_timed_out() {
    let t0 = Instant::now();
    let polls = Polls::default();
    let y = "defaults: {timeout: 1s}\nsources:\n  - {id: queued, type: fake, behaviour: queue, secs: 1000}\n  - {id: hangs, type: fake, behaviour: hang, secs: 1000}\n";
    let p = pipeline(y, registry(&polls, t0), Arc::new(MemoryStore::new()));
    let shutdown = CancellationToken::new();
    let task = {
        let p = p.clone();
        let s = shutdown.clone();
        tokio::spawn(async move { p.run(Mode::Daemon, s).await })
    };
    tokio::time::sleep(Duration::from_secs(1100)).await;
    let st: BTreeMap<String, SourceStatus> = p
        .source_status()
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    shutdown.cancel();
    task.await.unwrap().unwrap();
    assert_eq!(st["queued"].state, "ok", "{:?}", st["queued"]);
    assert_eq!(st["hangs"].state, "failing");
    assert!(
        st["hangs"]
            .last_error
            .as_deref()
            .unwrap()
            .contains("did not finish"),
        "{:?}",
        st["hangs"]
    );
    let m = p.metrics().source("queued");
    let q = m.queue_nanos.load(Ordering::Relaxed);
    assert_eq!(q, Duration::from_secs(1000).as_nanos() as u64);
}

/// An extractor that declares it needs more than `extract_timeout` (an exec plugin with a
/// long `timeout`) gets it; one that declares nothing is cut at `extract_timeout`.
#[tokio::test(start_paused = true)]
async fn an_extractor_gets_the_time_it_declares_beyond_extract_timeout() {
    let polls = Polls::default();
    for (need, done) in [("need: 60", true), ("", false)] {
        let y = format!(
            "pipeline: {{extract_timeout: 30s}}\nextractors:\n  - {{type: slow, secs: 40, {need}}}\n"
        );
        let p = pipeline(
            &y,
            registry(&polls, Instant::now()),
            Arc::new(MemoryStore::new()),
        );
        let (out, _) = p.extract_one(Item::new("1", "s")).await;
        assert_eq!(out.title.as_deref() == Some("done"), done, "{need:?}");
    }
}

/// A source's task lives as long as the source, asleep nearly all the time, once per source:
/// its future stays small (a poll's work is boxed while it runs). 808 bytes before the
/// split into `Polling` + `poll_once`, 520 after.
#[tokio::test]
async fn source_loop_future_stays_small() {
    let polls: Polls = Default::default();
    let reg = registry(&polls, Instant::now());
    let p = pipeline(
        "sources:\n  - {id: a, type: fake}\n",
        reg,
        Arc::new(MemoryStore::new()),
    );
    let src: Box<dyn Source> = Box::new(Fake {
        id: "a".into(),
        behaviour: "ok".into(),
        secs: 0,
        interval: None,
        polls: polls.clone(),
        t0: Instant::now(),
    });
    let f = p.clone().source_loop(
        "a".into(),
        src,
        Mode::Daemon,
        false,
        vec![],
        CancellationToken::new(),
    );
    let size = std::mem::size_of_val(&f);
    assert!(size <= 640, "source_loop's future is {size} bytes");
}
