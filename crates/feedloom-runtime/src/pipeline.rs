//! The pipeline: sources → extract → deliver, as tokio tasks joined by bounded channels.
//!
//! ```text
//!  source tasks ──(bounded mpsc: Work)──▶ extract workers ──▶ route (when:) ──▶ sink drivers
//!        ▲                                                                     │
//!        └──────── Ledger: delivered ids, poll commits (after every ack) ◀─────┘
//! ```
//! The stage boundaries are the [`Work`] channel and [`SinkHandle::submit`]; a message bus
//! (NATS JetStream) can replace either by carrying the item and settling the [`Ack`] when
//! the bus acknowledges, without touching the stages.
//!
//! Reloading swaps parts while items flow: sources are tasks keyed by id (unchanged ones keep
//! their schedule), the extractor chain and the sink routes are `Arc` snapshots that each
//! item picks up once, and a replaced sink's driver drains its queue before it stops.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use feedloom_core::backoff::{Backoff, random_unit, spread};
use feedloom_core::deadline;
use feedloom_core::plugin::{PollOutcome, Resources};
use feedloom_core::{Item, Registry, Sink, Source, SourceContext, StateStore};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::RuntimeError;
use crate::chain::{self, Step};
use crate::config::{Component, Config, ConfigError, ExtractorSpec, OnError, SinkSpec};
use crate::delivery::{Envelope, Redactor, SinkHandle, SinkLane, SinkStats, spawn_sink};
use crate::dlq::DeadLetters;
use crate::metrics::Metrics;
use crate::routing::Filter;
use crate::state::{Ack, BatchTracker, Ledger, RedbStore, ns};

/// Run every source once and stop, or keep polling until shut down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Once,
    Daemon,
}

/// What a run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunReport {
    pub polls: u64,
    pub poll_errors: u64,
    pub items: u64,
    pub delivered: u64,
    pub sink_failures: u64,
    pub dead_letters: u64,
    /// Items not delivered yet when the run ended: in a sink's queue (delivered after the
    /// next start) or in its disk backlog ([`RunReport::backlog`] of them).
    pub undelivered: u64,
    /// Of `undelivered`, the items waiting in sinks' disk backlogs.
    pub backlog: u64,
    /// Extractor failures (every `on_error`: with `skip` the item went on without that
    /// extractor's fields).
    pub extract_errors: u64,
    /// Items an extractor's failure dropped (`on_error: drop`).
    pub dropped: u64,
    /// Items an extractor's failure put in the dead-letter store (`on_error: dead_letter`).
    pub extract_dead_letters: u64,
    /// Items neither delivered, dead-lettered nor dropped by a policy (a panic while
    /// processing, a dead letter that could not be written). Released: the next poll
    /// offers them again.
    pub lost: u64,
}

impl RunReport {
    /// A sink failed: something was dead-lettered or left undelivered.
    pub fn sink_failed(&self) -> bool {
        self.dead_letters > 0 || self.undelivered > 0
    }

    /// Everything that went wrong, one phrase each; empty when the run was clean: every
    /// poll succeeded and every item was extracted and delivered.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.poll_errors > 0 {
            p.push(format!(
                "{} of {} poll(s) failed",
                self.poll_errors, self.polls
            ));
        }
        if self.extract_errors > 0 {
            p.push(format!("{} extractor failure(s)", self.extract_errors));
        }
        if self.dropped > 0 {
            p.push(format!(
                "{} item(s) dropped by an extractor's on_error: drop",
                self.dropped
            ));
        }
        if self.extract_dead_letters > 0 || self.dead_letters > 0 {
            p.push(format!(
                "{} item(s) and {} sink batch(es) in the dead-letter store",
                self.extract_dead_letters, self.dead_letters
            ));
        }
        if self.lost > 0 {
            p.push(format!(
                "{} item(s) lost in processing (released: the next poll offers them again)",
                self.lost
            ));
        }
        if self.backlog > 0 {
            p.push(format!(
                "{} item(s) wait in a sink's disk backlog (delivered when the sink answers, on the next run)",
                self.backlog
            ));
        }
        let queued = self.undelivered.saturating_sub(self.backlog);
        if queued > 0 {
            p.push(format!(
                "{queued} item(s) still queued for a sink when the run ended (offered again on the next run)"
            ));
        }
        p
    }
}

/// Everything the status table shows about one source.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceStatus {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// What it polls (a URL, a path).
    pub target: String,
    /// `starting`, `ok` or `failing`.
    pub state: String,
    pub last_fetch: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub consecutive_errors: u32,
    pub next_poll: Option<DateTime<Utc>>,
    pub polls_ok: u64,
    pub polls_not_modified: u64,
    pub polls_error: u64,
    /// New items handed to the pipeline.
    pub items: u64,
    pub bytes: u64,
    /// Duration of the last fetch, seconds.
    pub last_duration: f64,
    /// Items whose extraction failed (any `on_error`) or whose processing was lost.
    #[serde(default)]
    pub item_errors: u64,
    /// The last such failure in full (`item ID: extractor X: reason`). Kept, and the source
    /// shown as failing, until a poll brings new items; cleared when they all go through.
    #[serde(default)]
    pub last_item_error: Option<String>,
}

/// When a source polls next, kept in the state store (`ns::SCHEDULE`) with its failure
/// streak, so that a restart honours backoff and Retry-After instead of polling at once.
/// Written with the poll's own commit: if the process dies before the poll's items are
/// delivered, the older schedule stays and the source polls again at once after the
/// restart (that poll is what fetches the undelivered items again).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Schedule {
    pub next_poll: DateTime<Utc>,
    /// Consecutive failed polls (the backoff goes on from here).
    pub failures: u32,
}

impl Schedule {
    fn op(self, source: &str) -> feedloom_core::StateOp {
        feedloom_core::StateOp::put(
            ns::SCHEDULE,
            source,
            serde_json::to_vec(&self).unwrap_or_default(),
        )
    }
}

/// How long a source waits before its first poll after a start. `once` polls at once. A
/// source with a saved schedule waits until its `next_poll`, but never longer than one
/// interval plus `max_backoff` (a stale far-future time cannot stall it). A source that is
/// due (new, or overdue) polls at once unless it is one of a herd (`herd_jitter`: more
/// sources due at once than fetch slots), when its first poll is spread over
/// `interval × jitter`.
pub fn first_delay(
    mode: Mode,
    saved: Option<Schedule>,
    now: DateTime<Utc>,
    interval: Duration,
    max_backoff: Duration,
    herd_jitter: Option<f64>,
) -> Duration {
    if mode == Mode::Once {
        return Duration::ZERO;
    }
    if let Some(s) = saved
        && s.next_poll > now
    {
        let wait = (s.next_poll - now).to_std().unwrap_or_default();
        return wait.min(interval.saturating_add(max_backoff));
    }
    match herd_jitter {
        Some(j) => interval.mul_f64(j.clamp(0.0, 1.0) * random_unit()),
        None => Duration::ZERO,
    }
}

/// What running the extractors again on a dead-lettered item came to
/// ([`Pipeline::reextract`]).
#[derive(Debug)]
pub enum Reextracted {
    /// Through the chain: route it to the sinks.
    Done(Box<Item>),
    /// An extractor with `on_error: drop` failed on it.
    Dropped(String),
    /// An extractor with `on_error: dead_letter` failed on it again.
    Failed(String),
}

/// What a reload changed.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ReloadSummary {
    pub sources_added: Vec<String>,
    pub sources_removed: Vec<String>,
    pub sources_changed: Vec<String>,
    pub extractors_changed: bool,
    pub sinks_added: Vec<String>,
    pub sinks_removed: Vec<String>,
    pub sinks_changed: Vec<String>,
    /// Settings that only take effect after a restart.
    pub needs_restart: Vec<String>,
}

impl ReloadSummary {
    pub fn is_empty(&self) -> bool {
        *self == ReloadSummary::default()
    }
}

impl fmt::Display for ReloadSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return write!(f, "no changes");
        }
        let list = |v: &[String]| v.join(",");
        let mut parts = Vec::new();
        for (label, add, rem, chg) in [
            (
                "sources",
                &self.sources_added,
                &self.sources_removed,
                &self.sources_changed,
            ),
            (
                "sinks",
                &self.sinks_added,
                &self.sinks_removed,
                &self.sinks_changed,
            ),
        ] {
            let mut p = Vec::new();
            if !add.is_empty() {
                p.push(format!("+{}", list(add)));
            }
            if !rem.is_empty() {
                p.push(format!("-{}", list(rem)));
            }
            if !chg.is_empty() {
                p.push(format!("~{}", list(chg)));
            }
            if !p.is_empty() {
                parts.push(format!("{label} {}", p.join(" ")));
            }
        }
        if self.extractors_changed {
            parts.push("extractors replaced".into());
        }
        if !self.needs_restart.is_empty() {
            parts.push(format!(
                "restart needed for {}",
                self.needs_restart.join(", ")
            ));
        }
        write!(f, "{}", parts.join("; "))
    }
}

/// An item between the source and the extractors.
pub struct Work {
    pub item: Item,
    pub batch: Option<Arc<BatchTracker>>,
}

struct Route {
    id: String,
    when: Option<Filter>,
    handle: Arc<SinkHandle>,
}

struct SourceTask {
    cancel: CancellationToken,
    handle: JoinHandle<()>,
    spec: Component,
}

/// Shared state of a running pipeline.
pub struct Pipeline {
    config: RwLock<Arc<Config>>,
    registry: Registry,
    ledger: Arc<Ledger>,
    dlq: DeadLetters,
    resources: Arc<Resources>,
    metrics: Arc<Metrics>,
    chain: RwLock<Arc<Vec<Arc<Step>>>>,
    routes: RwLock<Arc<Vec<Route>>>,
    sources: Mutex<BTreeMap<String, SourceTask>>,
    status: Mutex<BTreeMap<String, SourceStatus>>,
    sink_stats: Mutex<BTreeMap<String, Arc<SinkStats>>>,
    /// Every sink id's lane (counters, disk backlog), kept across reloads so that a
    /// replaced or re-added sink shares one backlog with the driver before it.
    lanes: Mutex<BTreeMap<String, Arc<SinkLane>>>,
    work_tx: Mutex<Option<mpsc::Sender<Work>>>,
    running: Mutex<Option<(Mode, CancellationToken)>>,
    reload_lock: tokio::sync::Mutex<()>,
    drain: CancellationToken,
    report: Mutex<RunReport>,
    /// Bumped on every source status change: the status snapshot is rewritten when it moved.
    status_gen: AtomicU64,
    /// No files at all (tests, `feedloom extract`): sinks get no disk backlog.
    in_memory: bool,
}

impl Pipeline {
    /// Open the state store under `state_dir` and build every component.
    pub fn build(config: Config, registry: Registry) -> Result<Arc<Pipeline>, RuntimeError> {
        let store: Arc<dyn StateStore> = Arc::new(RedbStore::open(&config.state_dir)?);
        Self::assemble(config, registry, store, false)
    }

    /// Build on a given state store, writing nothing under `state_dir` (tests,
    /// `feedloom extract`).
    pub fn build_with_store(
        config: Config,
        registry: Registry,
        store: Arc<dyn StateStore>,
    ) -> Result<Arc<Pipeline>, RuntimeError> {
        Self::assemble(config, registry, store, true)
    }

    fn assemble(
        config: Config,
        registry: Registry,
        store: Arc<dyn StateStore>,
        in_memory: bool,
    ) -> Result<Arc<Pipeline>, RuntimeError> {
        let p = Arc::new(Pipeline {
            in_memory,
            config: RwLock::new(Arc::new(config.clone())),
            registry,
            ledger: Ledger::start(store.clone()),
            dlq: if in_memory {
                DeadLetters::new(store)
            } else {
                let dl = DeadLetters::for_state_dir(&config.state_dir);
                match dl.migrate_from(&store) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(count = n, "dead letters moved to state_dir/dlq"),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot move dead letters to state_dir/dlq")
                    }
                }
                dl
            },
            resources: Arc::new(Resources::default()),
            metrics: Arc::new(Metrics::default()),
            chain: RwLock::new(Arc::new(Vec::new())),
            routes: RwLock::new(Arc::new(Vec::new())),
            sources: Mutex::new(BTreeMap::new()),
            status: Mutex::new(BTreeMap::new()),
            sink_stats: Mutex::new(BTreeMap::new()),
            lanes: Mutex::new(BTreeMap::new()),
            work_tx: Mutex::new(None),
            running: Mutex::new(None),
            reload_lock: tokio::sync::Mutex::new(()),
            drain: CancellationToken::new(),
            report: Mutex::new(RunReport::default()),
            status_gen: AtomicU64::new(0),
        });
        *p.chain.write().unwrap() = Arc::new(p.build_chain(&config, &config.extractors)?);
        let mut routes = Vec::new();
        for s in &config.sinks {
            routes.push(p.spawn_route(s, p.build_sink(&config, &s.component)?));
        }
        *p.routes.write().unwrap() = Arc::new(routes);
        if !in_memory {
            warn_orphan_backlogs(&config);
        }
        Ok(p)
    }

    pub fn store(&self) -> &Arc<dyn StateStore> {
        self.ledger.store()
    }

    pub fn config(&self) -> Arc<Config> {
        self.config.read().unwrap().clone()
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    fn ctx(&self, config: &Config, id: &str) -> feedloom_core::BuildContext {
        config.build_context(id, self.ledger.store().clone(), self.resources.clone())
    }

    fn build_chain(
        &self,
        config: &Config,
        specs: &[ExtractorSpec],
    ) -> Result<Vec<Arc<Step>>, RuntimeError> {
        let mut steps = Vec::new();
        for x in specs {
            let c = &x.component;
            let f = self
                .registry
                .extractor(&c.kind)
                .ok_or_else(|| unknown(config, c, "extractor"))?;
            let ex = (f.build)(&c.options, &self.ctx(config, &c.id))
                .map_err(|e| RuntimeError::Config(config.build_error(c, e).to_string()))?;
            steps.push(Arc::new(Step::new(c.id.clone(), x.on_error, ex)));
        }
        Ok(steps)
    }

    fn build_sink(&self, config: &Config, c: &Component) -> Result<Arc<dyn Sink>, RuntimeError> {
        let f = self
            .registry
            .sink_factory(&c.kind)
            .ok_or_else(|| unknown(config, c, "sink"))?;
        let s = (f.build)(&c.options, &self.ctx(config, &c.id))
            .map_err(|e| RuntimeError::Config(config.build_error(c, e).to_string()))?;
        Ok(Arc::from(s))
    }

    fn spawn_route(&self, s: &SinkSpec, sink: Arc<dyn Sink>) -> Route {
        let id = s.component.id.clone();
        let config = self.config();
        let lane = self
            .lanes
            .lock()
            .unwrap()
            .entry(id.clone())
            .or_insert_with(|| {
                let dir = (!self.in_memory).then(|| config.state_dir.join("backlog").join(&id));
                SinkLane::open(&id, dir.as_deref())
            })
            .clone();
        let handle = spawn_sink(
            sink,
            s.common.clone(),
            self.dlq.clone(),
            &self.drain,
            lane,
            Redactor::new(&config.secrets),
        );
        self.sink_stats
            .lock()
            .unwrap()
            .insert(id.clone(), handle.stats.clone());
        Route {
            id,
            when: s.when.clone(),
            handle: Arc::new(handle),
        }
    }

    fn build_source(
        &self,
        config: &Config,
        c: &Component,
    ) -> Result<Box<dyn Source>, RuntimeError> {
        let f = self
            .registry
            .source_factory(&c.kind)
            .ok_or_else(|| unknown(config, c, "source"))?;
        (f.build)(&c.options, &self.ctx(config, &c.id))
            .map_err(|e| RuntimeError::Config(config.build_error(c, e).to_string()))
    }

    /// Current status of every running source.
    pub fn source_status(&self) -> Vec<SourceStatus> {
        self.status.lock().unwrap().values().cloned().collect()
    }

    /// Counters of every sink.
    pub fn sink_stats(&self) -> Vec<(String, Arc<SinkStats>)> {
        self.sink_stats
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Is the pipeline running (between `run` starting and shutdown)?
    pub fn is_running(&self) -> bool {
        self.running
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|(_, t)| !t.is_cancelled())
    }

    /// Run until every source has polled once (`Mode::Once`) or until `shutdown` fires.
    pub async fn run(
        self: &Arc<Self>,
        mode: Mode,
        shutdown: CancellationToken,
    ) -> Result<RunReport, RuntimeError> {
        let config = self.config();
        let (tx, rx) = mpsc::channel::<Work>(config.pipeline.channel_capacity.max(1));
        *self.work_tx.lock().unwrap() = Some(tx);
        *self.running.lock().unwrap() = Some((mode, shutdown.clone()));
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let mut workers = Vec::new();
        for _ in 0..config.pipeline.extract_workers.max(1) {
            let p = self.clone();
            let rx = rx.clone();
            workers.push(tokio::spawn(async move {
                loop {
                    let next = rx.lock().await.recv().await;
                    match next {
                        Some(w) => p.process(w).await,
                        None => break,
                    }
                }
            }));
        }

        if mode == Mode::Daemon {
            self.spawn_pruner(shutdown.clone());
        }

        let mut built = Vec::new();
        for c in &config.sources {
            built.push((c.clone(), self.build_source(&config, c)?));
        }
        let herd = self.is_herd(mode, &config, built.iter().map(|(c, _)| c.id.as_str()));
        for (c, source) in built {
            self.start_source(&c, source, mode, &shutdown, herd);
        }
        let snapshots = self.spawn_snapshot_writer();

        match mode {
            Mode::Once => {
                let handles: Vec<_> = std::mem::take(&mut *self.sources.lock().unwrap())
                    .into_values()
                    .map(|t| t.handle)
                    .collect();
                tokio::select! {
                    _ = join_all(handles) => {}
                    _ = shutdown.cancelled() => self.stop_all_sources().await,
                }
            }
            Mode::Daemon => {
                shutdown.cancelled().await;
                tracing::info!("shutting down: stopping intake, draining in-flight items");
                let _guard = self.reload_lock.lock().await;
                self.stop_all_sources().await;
            }
        }

        // Stop intake: close the work channel and let the workers finish what is queued.
        self.work_tx.lock().unwrap().take();
        for w in workers {
            let _ = w.await;
        }
        // Drain the sinks, bounded by drain_timeout when shutting down.
        let drain = self.drain.clone();
        let timeout = config.pipeline.drain_timeout.get();
        // Both modes: a sink that is down must not hold `once` or a shutdown for long; what
        // it has not taken by then is delivered after the next start.
        let timer = tokio::spawn(async move {
            tokio::time::sleep(timeout).await;
            drain.cancel();
        });
        let routes = std::mem::take(&mut *self.routes.write().unwrap());
        let handles: Vec<Arc<SinkHandle>> = match Arc::try_unwrap(routes) {
            Ok(v) => v.into_iter().map(|r| r.handle).collect(),
            // A worker still holds the snapshot for a moment: clone the handles out of it.
            Err(shared) => shared.iter().map(|r| r.handle.clone()).collect(),
        };
        for h in handles {
            close_when_unused(h).await;
        }
        timer.abort();
        let chain = self.chain.read().unwrap().clone();
        for s in chain.iter() {
            s.ex.shutdown().await;
        }
        self.ledger.flush().await;
        if let Some((stop, task)) = snapshots {
            stop.cancel();
            let _ = task.await;
            self.write_snapshot(false).await;
        }
        *self.running.lock().unwrap() = None;
        Ok(self.final_report())
    }

    /// More sources due to poll at once than there are fetch slots: spread their first
    /// polls (see [`first_delay`]). `once` never spreads.
    fn is_herd<'a>(&self, mode: Mode, config: &Config, ids: impl Iterator<Item = &'a str>) -> bool {
        if mode == Mode::Once {
            return false;
        }
        let now = Utc::now();
        let due = ids
            .filter(|id| self.load_schedule(id).is_none_or(|s| s.next_poll <= now))
            .count();
        due > config.defaults.max_concurrent_fetches.max(1)
    }

    fn load_schedule(&self, id: &str) -> Option<Schedule> {
        self.ledger
            .store()
            .get(ns::SCHEDULE, id)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
    }

    /// The status snapshot `feedloom status` reads when no admin endpoint answers.
    pub fn snapshot(&self, running: bool) -> crate::status::Snapshot {
        crate::status::Snapshot {
            written: Utc::now(),
            pid: std::process::id(),
            running,
            sources: self.source_status(),
        }
    }

    async fn write_snapshot(&self, running: bool) {
        let snap = self.snapshot(running);
        let dir = self.config().state_dir.clone();
        let res =
            tokio::task::spawn_blocking(move || crate::status::write_snapshot(&dir, &snap)).await;
        match res {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot write the status snapshot"),
            Err(e) => tracing::warn!(error = %e, "status snapshot task failed"),
        }
    }

    /// Write the status snapshot now, whenever a source's status changed (at most every
    /// [`crate::status::SNAPSHOT_EVERY`]) and at least every
    /// [`crate::status::SNAPSHOT_HEARTBEAT`], until the returned token is cancelled.
    fn spawn_snapshot_writer(self: &Arc<Self>) -> Option<(CancellationToken, JoinHandle<()>)> {
        if self.in_memory {
            return None;
        }
        let stop = CancellationToken::new();
        let p = self.clone();
        let s = stop.clone();
        let task = tokio::spawn(async move {
            let mut written: Option<(u64, Instant)> = None;
            loop {
                let now = p.status_gen.load(Ordering::Acquire);
                let due = written.is_none_or(|(g, at)| {
                    g != now || at.elapsed() >= crate::status::SNAPSHOT_HEARTBEAT
                });
                if due {
                    p.write_snapshot(true).await;
                    written = Some((now, Instant::now()));
                }
                tokio::select! {
                    _ = tokio::time::sleep(crate::status::SNAPSHOT_EVERY) => {}
                    _ = s.cancelled() => break,
                }
            }
        });
        Some((stop, task))
    }

    fn spawn_pruner(self: &Arc<Self>, shutdown: CancellationToken) {
        let p = self.clone();
        tokio::spawn(async move {
            loop {
                let retention = p.config().defaults.retention.get();
                let ledger = p.ledger.clone();
                if let Ok(n) = tokio::task::spawn_blocking(move || ledger.prune(retention)).await
                    && n > 0
                {
                    tracing::info!(pruned = n, "forgot delivered ids past retention");
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        });
    }

    /// The run's item and poll counters so far (sink counters are in [`Self::sink_stats`]).
    pub fn counters(&self) -> RunReport {
        self.report_lock().clone()
    }

    fn final_report(&self) -> RunReport {
        let mut r = self.report.lock().unwrap().clone();
        for (_, s) in self.sink_stats() {
            r.delivered += s.delivered.load(Ordering::Relaxed);
            r.sink_failures += s.failures.load(Ordering::Relaxed);
            r.dead_letters += s.dead_letters.load(Ordering::Relaxed);
            let backlog = s.backlog.load(Ordering::Relaxed);
            r.undelivered += s.queued.load(Ordering::Relaxed) + backlog;
            r.backlog += backlog;
        }
        r
    }

    async fn stop_all_sources(&self) {
        let tasks: Vec<SourceTask> = std::mem::take(&mut *self.sources.lock().unwrap())
            .into_values()
            .collect();
        for t in &tasks {
            t.cancel.cancel();
        }
        for t in tasks {
            let _ = t.handle.await;
        }
    }

    fn start_source(
        self: &Arc<Self>,
        c: &Component,
        source: Box<dyn Source>,
        mode: Mode,
        shutdown: &CancellationToken,
        herd: bool,
    ) {
        let cancel = shutdown.child_token();
        let status = SourceStatus {
            id: c.id.clone(),
            kind: c.kind.clone(),
            target: source.describe(),
            state: "starting".into(),
            ..self.load_status(&c.id)
        };
        self.status.lock().unwrap().insert(c.id.clone(), status);
        self.status_gen.fetch_add(1, Ordering::Release);
        let p = self.clone();
        let id = c.id.clone();
        let tok = cancel.clone();
        let handle = tokio::spawn(async move { p.source_loop(id, source, mode, herd, tok).await });
        self.sources.lock().unwrap().insert(
            c.id.clone(),
            SourceTask {
                cancel,
                handle,
                spec: c.clone(),
            },
        );
    }

    async fn stop_source(&self, id: &str) {
        let t = self.sources.lock().unwrap().remove(id);
        if let Some(t) = t {
            t.cancel.cancel();
            let _ = t.handle.await;
        }
        self.status.lock().unwrap().remove(id);
        self.status_gen.fetch_add(1, Ordering::Release);
    }

    /// Apply a new config without a restart: added sources start, removed ones stop, changed
    /// ones restart; unchanged sources keep their schedule and state. Extractors and sinks
    /// are swapped between items; a replaced sink drains its queue first, so no item is lost
    /// or delivered twice. Everything new is built before anything is swapped: a config that
    /// fails to build leaves the old one running.
    pub async fn reload(self: &Arc<Self>, new: Config) -> Result<ReloadSummary, RuntimeError> {
        let _guard = self.reload_lock.lock().await;
        let old = self.config();
        let mut sum = ReloadSummary::default();
        if new.state_dir != old.state_dir {
            sum.needs_restart.push("state_dir".into());
        }
        if new.admin != old.admin {
            sum.needs_restart.push("admin".into());
        }
        if new.pipeline != old.pipeline {
            sum.needs_restart.push("pipeline".into());
        }
        let defaults_changed = new.defaults != old.defaults;

        // 1. Build.
        let running = self.running_sources();
        let mut new_sources = Vec::new();
        for c in &new.sources {
            match running.get(&c.id) {
                Some(old_c) if old_c.same_as(c) && !defaults_changed => {}
                Some(_) => {
                    sum.sources_changed.push(c.id.clone());
                    new_sources.push((c.clone(), self.build_source(&new, c)?));
                }
                None => {
                    sum.sources_added.push(c.id.clone());
                    new_sources.push((c.clone(), self.build_source(&new, c)?));
                }
            }
        }
        sum.sources_removed = running
            .keys()
            .filter(|id| !new.sources.iter().any(|c| &c.id == *id))
            .cloned()
            .collect();

        let chain_changed = new.extractors != old.extractors;
        let new_chain = if chain_changed {
            Some(self.build_chain(&new, &new.extractors)?)
        } else {
            None
        };
        sum.extractors_changed = chain_changed;

        let mut new_sinks: BTreeMap<String, Arc<dyn Sink>> = BTreeMap::new();
        for s in &new.sinks {
            match old.sinks.iter().find(|o| o.component.id == s.component.id) {
                Some(o) if o.same_as(s) => {}
                Some(_) => {
                    sum.sinks_changed.push(s.component.id.clone());
                    new_sinks.insert(s.component.id.clone(), self.build_sink(&new, &s.component)?);
                }
                None => {
                    sum.sinks_added.push(s.component.id.clone());
                    new_sinks.insert(s.component.id.clone(), self.build_sink(&new, &s.component)?);
                }
            }
        }
        sum.sinks_removed = old
            .sinks
            .iter()
            .filter(|o| !new.sinks.iter().any(|s| s.component.id == o.component.id))
            .map(|o| o.component.id.clone())
            .collect();

        // 2. Swap.
        *self.config.write().unwrap() = Arc::new(new.clone());
        if let Some(chain) = new_chain {
            let old_chain = std::mem::replace(&mut *self.chain.write().unwrap(), Arc::new(chain));
            tokio::spawn(async move {
                // Shut the old extractors down once no item uses them any more.
                let mut old_chain = old_chain;
                loop {
                    match Arc::try_unwrap(old_chain) {
                        Ok(steps) => {
                            for s in steps {
                                s.ex.shutdown().await;
                            }
                            break;
                        }
                        Err(still) => {
                            old_chain = still;
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    }
                }
            });
        }
        if !new_sinks.is_empty() || !sum.sinks_removed.is_empty() {
            let old_routes = self.routes.read().unwrap().clone();
            let mut routes = Vec::new();
            let mut retired = Vec::new();
            for s in &new.sinks {
                let id = &s.component.id;
                match new_sinks.remove(id) {
                    Some(sink) => routes.push(self.spawn_route(s, sink)),
                    None => {
                        if let Some(r) = old_routes.iter().find(|r| &r.id == id) {
                            routes.push(Route {
                                id: r.id.clone(),
                                when: r.when.clone(),
                                handle: r.handle.clone(),
                            });
                        }
                    }
                }
            }
            for r in old_routes.iter() {
                if !routes.iter().any(|n| Arc::ptr_eq(&n.handle, &r.handle)) {
                    if sum.sinks_changed.contains(&r.id) {
                        // Its successor reads the same backlog: hand over instead of retrying.
                        r.handle.hand_over();
                    }
                    retired.push(r.handle.clone());
                }
            }
            *self.routes.write().unwrap() = Arc::new(routes);
            drop(old_routes);
            for id in &sum.sinks_removed {
                self.sink_stats.lock().unwrap().remove(id);
            }
            tokio::spawn(async move {
                for h in retired {
                    close_when_unused(h).await;
                }
            });
        }
        let run = self.running.lock().unwrap().clone();
        for id in sum.sources_removed.iter().chain(sum.sources_changed.iter()) {
            self.stop_source(id).await;
            if sum.sources_removed.contains(id) {
                self.metrics.remove_source(id);
            }
        }
        if let Some((mode, shutdown)) = run {
            let herd = self.is_herd(mode, &new, new_sources.iter().map(|(c, _)| c.id.as_str()));
            for (c, source) in new_sources {
                self.start_source(&c, source, mode, &shutdown, herd);
            }
        }
        Ok(sum)
    }

    /// The configured spec of each running source.
    pub fn running_sources(&self) -> BTreeMap<String, Component> {
        self.sources
            .lock()
            .unwrap()
            .iter()
            .map(|(k, t)| (k.clone(), t.spec.clone()))
            .collect()
    }

    fn load_status(&self, id: &str) -> SourceStatus {
        self.ledger
            .store()
            .get(ns::SOURCE_STATUS, id)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    async fn source_loop(
        self: Arc<Self>,
        id: String,
        source: Box<dyn Source>,
        mode: Mode,
        herd: bool,
        cancel: CancellationToken,
    ) {
        let defaults = self.config().defaults.clone();
        let interval = source.interval().unwrap_or(defaults.interval.get());
        let max_backoff = defaults.max_backoff.get().max(Duration::from_secs(1));
        let backoff =
            Backoff::new(interval.min(Duration::from_secs(60)), max_backoff).with_jitter(0.2);
        let m = self.metrics.source(&id);
        // The poll's own work; waiting for a fetch slot is not counted (feedloom_core::deadline).
        let poll_timeout = (defaults.timeout.get() * 10).max(Duration::from_secs(60));
        let saved = self.load_schedule(&id);
        let mut failures: u32 = saved.map_or(0, |s| s.failures);
        let wait = first_delay(
            mode,
            saved,
            Utc::now(),
            interval,
            max_backoff,
            herd.then_some(defaults.jitter),
        );
        if !wait.is_zero() {
            let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            // Until it polls, it shows what it was when it last did.
            let before = self.load_status(&id).state;
            self.update_status(&id, |s| {
                s.next_poll = Some(next);
                if !before.is_empty() {
                    s.state = before;
                }
            });
            tracing::debug!(source = %id, ?wait, failures, "first poll as scheduled before the restart");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = cancel.cancelled() => return,
            }
        }
        let mut last_reason: Option<String> = None;
        loop {
            let started = Instant::now();
            let ledger = self.ledger.clone();
            let sid = id.clone();
            let delivered = move |item_id: &str| ledger.seen(&sid, item_id);
            let ctx = SourceContext {
                source_id: &id,
                delivered: &delivered,
            };
            // A poll that hangs (a plugin source, a stuck disk) counts as a timeout.
            let timed = tokio::select! {
                t = deadline::run_excluding_queue(poll_timeout, contained_poll(&*source, &ctx)) => t,
                _ = cancel.cancelled() => break,
            };
            m.queue_nanos
                .fetch_add(timed.queued.as_nanos() as u64, Ordering::Relaxed);
            let res = timed.result.unwrap_or_else(|_| {
                Err(feedloom_core::SourceError::new(
                    feedloom_core::SourceErrorKind::Timeout,
                    format!("poll did not finish within {poll_timeout:?}"),
                ))
            });
            let now = Utc::now();
            let took = started.elapsed().saturating_sub(timed.queued);
            m.duration.observe(took);
            let delay = match res {
                Ok(mut batch) => {
                    if failures > 0 {
                        tracing::info!(source = %id, after_failures = failures, "source recovered");
                    }
                    failures = 0;
                    last_reason = None;
                    let delay = spread(interval, defaults.jitter);
                    let next = now + chrono::Duration::from_std(delay).unwrap_or_default();
                    // Saved with the poll's commit, once its items are delivered.
                    batch.commit.push(
                        Schedule {
                            next_poll: next,
                            failures: 0,
                        }
                        .op(&id),
                    );
                    let outcome = batch.outcome;
                    let bytes = batch.bytes;
                    match outcome {
                        PollOutcome::Ok => m.fetch_ok.fetch_add(1, Ordering::Relaxed),
                        PollOutcome::NotModified => {
                            m.fetch_not_modified.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                    m.bytes.fetch_add(bytes, Ordering::Relaxed);
                    let n = self.accept(&id, batch).await;
                    m.items.fetch_add(n as u64, Ordering::Relaxed);
                    self.update_status(&id, |s| {
                        s.last_fetch = Some(now);
                        s.last_success = Some(now);
                        s.last_error = None;
                        s.consecutive_errors = 0;
                        s.state = if s.last_item_error.is_some() {
                            "failing"
                        } else {
                            "ok"
                        }
                        .into();
                        s.items += n as u64;
                        s.bytes += bytes;
                        s.last_duration = took.as_secs_f64();
                        match outcome {
                            PollOutcome::Ok => s.polls_ok += 1,
                            PollOutcome::NotModified => s.polls_not_modified += 1,
                        }
                    });
                    let mut r = self.report.lock().unwrap();
                    r.polls += 1;
                    r.items += n as u64;
                    drop(r);
                    delay
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    m.fetch_error.fetch_add(1, Ordering::Relaxed);
                    let reason = format!("{}: {}", e.kind.label(), e.message);
                    // One line per failure streak and reason, not one per retry.
                    if last_reason.as_deref() != Some(reason.as_str()) {
                        tracing::warn!(source = %id, kind = %e.kind.label(), error = %e.message, failures, "poll failed; backing off");
                    } else {
                        tracing::debug!(source = %id, error = %e.message, failures, "poll failed again");
                    }
                    last_reason = Some(reason);
                    self.update_status(&id, |s| {
                        s.last_fetch = Some(now);
                        s.last_error = Some(e.message.clone());
                        s.consecutive_errors = failures;
                        s.polls_error += 1;
                        s.state = "failing".into();
                        s.last_duration = took.as_secs_f64();
                    });
                    {
                        let mut r = self.report.lock().unwrap();
                        r.polls += 1;
                        r.poll_errors += 1;
                    }
                    let delay = backoff.delay(failures, e.retry_after);
                    let op = Schedule {
                        next_poll: now + chrono::Duration::from_std(delay).unwrap_or_default(),
                        failures,
                    }
                    .op(&id);
                    // After the commits of this source's earlier polls (their items may
                    // still be on their way): a daemon does not wait for that, `once` does.
                    if mode == Mode::Once {
                        self.ledger.commit_poll(&id, vec![op]).await;
                    } else {
                        self.ledger.commit_poll_later(&id, vec![op]);
                    }
                    delay
                }
            };
            let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
            self.update_status(&id, |s| s.next_poll = Some(next));
            self.persist_status(&id).await;
            if mode == Mode::Once {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = cancel.cancelled() => break,
            }
        }
    }

    fn update_status(&self, id: &str, f: impl FnOnce(&mut SourceStatus)) {
        if let Some(s) = self.status.lock().unwrap().get_mut(id) {
            f(s);
        }
        self.status_gen.fetch_add(1, Ordering::Release);
    }

    async fn persist_status(&self, id: &str) {
        let s = self.status.lock().unwrap().get(id).cloned();
        if let Some(s) = s
            && let Ok(b) = serde_json::to_vec(&s)
        {
            self.ledger
                .commit(vec![feedloom_core::StateOp::put(ns::SOURCE_STATUS, id, b)])
                .await;
        }
    }

    /// Hand a poll's new items to the extractors. Returns how many were new.
    async fn accept(&self, source: &str, batch: feedloom_core::PollBatch) -> usize {
        let new: Vec<Item> = batch
            .items
            .into_iter()
            .filter(|i| self.ledger.claim(source, &i.id))
            .collect();
        let n = new.len();
        if n == 0 {
            // Waits for earlier polls of this source whose items are still in flight.
            self.ledger.commit_poll(source, batch.commit).await;
            return 0;
        }
        // A new batch: its items' failures, if any, show from now on (before the items
        // go out, so that a fast failure is not cleared after it was recorded).
        self.update_status(source, |s| s.last_item_error = None);
        let tracker = BatchTracker::new(self.ledger.clone(), source, n, batch.commit);
        let tx = self.work_tx.lock().unwrap().clone();
        let Some(tx) = tx else {
            for i in &new {
                self.ledger.release(source, &i.id);
            }
            return 0;
        };
        for mut item in new {
            item.source = source.to_string();
            let id = item.id.clone();
            if tx
                .send(Work {
                    item,
                    batch: Some(tracker.clone()),
                })
                .await
                .is_err()
            {
                self.ledger.release(source, &id);
            }
        }
        n
    }

    /// Run `steps` on `item` ([`chain::run`]); every step that failed is in the returned
    /// list, whatever its `on_error` did.
    async fn run_steps(
        &self,
        steps: &[Arc<Step>],
        item: &mut Item,
    ) -> (Vec<chain::Failure>, Result<(), chain::Stop>) {
        let mut ctx = chain::Ctx {
            timeout: self.config().pipeline.extract_timeout.get(),
            metrics: &self.metrics,
            failures: Vec::new(),
        };
        let r = chain::run(steps, item, &mut ctx).await;
        (ctx.failures, r)
    }

    /// Extract, route and submit one item. Whatever happens inside (a panic in routing or
    /// in a sink's hand-over included) the item ends counted: delivered, dead-lettered,
    /// dropped by an `on_error`, or lost — released so that the next poll offers it again.
    async fn process(&self, w: Work) {
        use futures_util::FutureExt;
        let (source, id) = (w.item.source.clone(), w.item.id.clone());
        let run = std::panic::AssertUnwindSafe(self.process_inner(w)).catch_unwind();
        if let Err(p) = run.await {
            let why = feedloom_core::blocking::panic_message(&*p);
            tracing::error!(item = %id, source = %source, error = %why, "processing an item panicked; item released for the next poll");
            self.ledger.release(&source, &id);
            self.report_lock().lost += 1;
            self.item_failed(&source, &id, &format!("processing panicked: {why}"));
        }
    }

    async fn process_inner(&self, w: Work) {
        let Work { mut item, batch } = w;
        let chain = self.chain.read().unwrap().clone();
        let (failures, res) = self.run_steps(&chain, &mut item).await;
        if !failures.is_empty() {
            self.report_lock().extract_errors += failures.len() as u64;
            for f in &failures {
                let why = format!(
                    "extractor {}: {}",
                    f.extractor,
                    self.config().redact(&f.error.message)
                );
                self.item_failed(&item.source, &item.id, &why);
            }
        }
        if let Err((i, e)) = res {
            let step = &chain[i];
            match step.on_error {
                OnError::Skip | OnError::Drop => {
                    tracing::warn!(extractor = %step.id, item = %item.id, source = %item.source, error = %e, "extractor failed; item dropped");
                    self.report_lock().dropped += 1;
                    Ack::for_item(&self.ledger, &item.source, &item.id, batch, 0).await;
                }
                OnError::DeadLetter => {
                    tracing::warn!(extractor = %step.id, item = %item.id, source = %item.source, error = %e, "extractor failed; item kept in the dead-letter store");
                    let (src, id) = (item.source.clone(), item.id.clone());
                    let message = self.config().redact(&e.message);
                    match self
                        .dlq
                        .add(&format!("extractor:{}", step.id), vec![item], &message, 1)
                    {
                        Ok(()) => {
                            self.report_lock().extract_dead_letters += 1;
                            Ack::for_item(&self.ledger, &src, &id, batch, 0).await;
                        }
                        Err(se) => {
                            tracing::error!(item = %id, source = %src, error = %se, "could not keep dead letter; item left for redelivery");
                            self.report_lock().lost += 1;
                            self.ledger.release(&src, &id);
                        }
                    }
                }
            }
            return;
        }
        let routes = self.routes.read().unwrap().clone();
        let targets: Vec<&Route> = routes
            .iter()
            .filter(|r| r.when.as_ref().is_none_or(|f| f.matches(&item)))
            .collect();
        let item = Arc::new(item);
        let acks = Ack::for_item(&self.ledger, &item.source, &item.id, batch, targets.len()).await;
        for (r, ack) in targets.into_iter().zip(acks) {
            r.handle
                .submit(Envelope {
                    item: item.clone(),
                    ack: Some(ack),
                })
                .await;
        }
    }

    /// The run report, whatever a panic elsewhere left in its lock (plain counters).
    fn report_lock(&self) -> std::sync::MutexGuard<'_, RunReport> {
        self.report.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An item of `source` failed extraction (or processing): the source shows as failing,
    /// with the reason in full, until a poll brings new items that all go through.
    fn item_failed(&self, source: &str, item: &str, why: &str) {
        self.update_status(source, |s| {
            s.item_errors += 1;
            s.last_item_error = Some(format!("item {item}: {why}"));
            s.state = "failing".into();
        });
    }

    /// Run the extractors on one item (no sources, no sinks): `feedloom extract`. An
    /// extractor's failure follows its `on_error` (skip: go on; drop/dead_letter: stop).
    /// Returns the item and one line for every extractor that failed on it.
    pub async fn extract_one(&self, mut item: Item) -> (Item, Vec<String>) {
        let chain = self.chain.read().unwrap().clone();
        let (failures, res) = self.run_steps(&chain, &mut item).await;
        let mut lines: Vec<String> = failures
            .iter()
            .map(|f| format!("extractor {}: {}", f.extractor, f.error))
            .collect();
        if let Err((i, _)) = res {
            let policy = match chain[i].on_error {
                OnError::DeadLetter => "dead_letter",
                OnError::Drop | OnError::Skip => "drop",
            };
            lines.push(format!(
                "extractor {} has on_error: {policy}; the extractors after it did not run",
                chain[i].id
            ));
        }
        self.shutdown_extractors().await;
        (item, lines)
    }

    /// Run the extractor chain again on an item that extractor `failed_at` dead-lettered
    /// (`feedloom dlq replay`): from that extractor on, since the ones before it already
    /// ran on the item (their fields are in the dead letter). When `failed_at` is no longer
    /// configured, the whole chain runs (built-in extractors replace their fields, so one
    /// that ran before does no harm). Each step follows its `on_error` as in the daemon.
    pub async fn reextract(&self, failed_at: &str, mut item: Item) -> Reextracted {
        let chain = self.chain.read().unwrap().clone();
        let from = chain.iter().position(|s| s.id == failed_at).unwrap_or(0);
        match self.run_steps(&chain[from..], &mut item).await.1 {
            Ok(()) => Reextracted::Done(Box::new(item)),
            Err((i, e)) => {
                let step = &chain[from + i];
                let msg = format!(
                    "extractor {}: {}",
                    step.id,
                    self.config().redact(&e.message)
                );
                match step.on_error {
                    OnError::DeadLetter => Reextracted::Failed(msg),
                    OnError::Drop | OnError::Skip => Reextracted::Dropped(msg),
                }
            }
        }
    }

    /// Stop the extractors' resources (exec processes) when no `run` does it.
    pub async fn shutdown_extractors(&self) {
        let chain = self.chain.read().unwrap().clone();
        for s in chain.iter() {
            s.ex.shutdown().await;
        }
    }
}

/// Close a sink handle once no worker holds it (they hold route snapshots only briefly).
async fn close_when_unused(h: Arc<SinkHandle>) {
    let mut h = h;
    loop {
        match Arc::try_unwrap(h) {
            Ok(handle) => {
                handle.close().await;
                return;
            }
            Err(still) => {
                h = still;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// Warn about disk backlogs of sinks that are no longer configured: their items were
/// acknowledged when they were spilled, so they reach that sink only if it comes back.
fn warn_orphan_backlogs(config: &Config) {
    let Ok(dirs) = std::fs::read_dir(config.state_dir.join("backlog")) else {
        return;
    };
    for d in dirs.flatten() {
        let id = d.file_name().to_string_lossy().into_owned();
        if config.sinks.iter().any(|s| s.component.id == id) {
            continue;
        }
        if let Ok(b) = crate::delivery::Backlog::open(&d.path())
            && !b.is_empty()
        {
            tracing::warn!(sink = %id, items = b.len(), dir = %d.path().display(), "disk backlog of a sink that is not in the config; kept until a sink with this id is configured again");
        }
    }
}

fn unknown(config: &Config, c: &Component, role: &str) -> RuntimeError {
    let pos = config.spans.value(&format!("{}.type", c.path));
    RuntimeError::Config(
        ConfigError {
            file: config.file.clone(),
            line: pos.line,
            col: pos.col,
            message: format!("unknown {role} type `{}`", c.kind),
        }
        .to_string(),
    )
}

/// `source.poll`, a panic in the source becoming a failed poll (logged, backed off, shown
/// in status) instead of ending the source's task for good.
async fn contained_poll(
    source: &dyn Source,
    ctx: &SourceContext<'_>,
) -> Result<feedloom_core::PollBatch, feedloom_core::SourceError> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(source.poll(ctx))
        .catch_unwind()
        .await
        .unwrap_or_else(|p| {
            Err(feedloom_core::SourceError::new(
                feedloom_core::SourceErrorKind::Other,
                format!(
                    "the source panicked: {}",
                    feedloom_core::blocking::panic_message(&*p)
                ),
            ))
        })
}

async fn join_all(handles: Vec<JoinHandle<()>>) {
    for h in handles {
        let _ = h.await;
    }
}

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
