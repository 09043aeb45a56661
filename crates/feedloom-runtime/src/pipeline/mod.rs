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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use feedloom_core::backoff::{Backoff, random_unit, spread};
use feedloom_core::deadline;
use feedloom_core::plugin::{PollOutcome, Resources};
use feedloom_core::sync::LockExt;
use feedloom_core::{Decision, Item, Registry, Sink, Source, SourceContext, StateStore};
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

mod build;
mod cluster;
mod items;
mod reload;
mod run;
mod source_loop;

pub use crate::report::{RunReport, SourceStatus};
pub use items::Reextracted;
pub use reload::ReloadSummary;
pub use source_loop::{Schedule, first_delay};

/// Run every source once and stop, or keep polling until shut down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Once,
    Daemon,
}

/// An item between the source and the extractors.
pub struct Work {
    pub item: Item,
    pub batch: Option<Arc<BatchTracker>>,
}

/// What a reload replaces, as one snapshot. Each item reads it once ([`Pipeline::live`]), so
/// it goes through one config's chain to that config's routes, never a mix; a reload builds
/// the next one and swaps it in whole.
#[derive(Clone)]
struct Live {
    config: Arc<Config>,
    chain: Arc<Vec<Arc<Step>>>,
    routes: Arc<Vec<Route>>,
}

struct Route {
    id: String,
    when: Option<Filter>,
    handle: Arc<SinkHandle>,
}

/// A running source. Its spec is the one in the live config (not a copy: 100,000 sources).
struct SourceTask {
    cancel: CancellationToken,
    handle: JoinHandle<()>,
}

/// Shared state of a running pipeline.
pub struct Pipeline {
    /// The config, extractor chain and routes in force (see [`Live`]).
    live: ArcSwap<Live>,
    registry: Registry,
    ledger: Arc<Ledger>,
    dlq: DeadLetters,
    resources: Arc<Resources>,
    metrics: Arc<Metrics>,
    sources: Mutex<BTreeMap<String, SourceTask>>,
    status: Mutex<BTreeMap<String, SourceStatus>>,
    sink_stats: Mutex<BTreeMap<String, Arc<SinkStats>>>,
    /// Every sink id's lane (counters, disk backlog), kept across reloads so that a
    /// replaced or re-added sink shares one backlog with the driver before it.
    lanes: Mutex<BTreeMap<String, Arc<SinkLane>>>,
    work_tx: Mutex<Option<mpsc::Sender<Work>>>,
    /// Polls between their start and the moment their items are all in the work queue:
    /// `2 × max_concurrent_fetches`. Without this bound every due source fetches, parses
    /// and then holds its items in memory while the extractors catch up.
    intake: Arc<tokio::sync::Semaphore>,
    running: Mutex<Option<(Mode, CancellationToken)>>,
    reload_lock: tokio::sync::Mutex<()>,
    drain: CancellationToken,
    report: Mutex<RunReport>,
    /// Sources whose status changed since it was last written to the state store.
    status_dirty: Mutex<std::collections::HashSet<String>>,
    /// Bumped on every source status change: the status snapshot is rewritten when it moved.
    status_gen: AtomicU64,
    /// No files at all (tests, `feedloom extract`): sinks get no disk backlog.
    in_memory: bool,
    /// Cluster mode: this node's membership, set when `run` connects. Sources then poll
    /// only the shards this node leases, items travel through NATS JetStream, and the
    /// sinks keep no disk backlog (the out stream is their backlog).
    cluster: std::sync::OnceLock<Arc<crate::cluster::ClusterNode>>,
}

impl Pipeline {
    pub fn store(&self) -> &Arc<dyn StateStore> {
        self.ledger.store()
    }

    pub fn config(&self) -> Arc<Config> {
        self.live.load().config.clone()
    }

    /// The config, chain and routes in force, as one snapshot.
    fn live(&self) -> Arc<Live> {
        self.live.load_full()
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Current status of every running source.
    pub fn source_status(&self) -> Vec<SourceStatus> {
        self.status.lock_unpoisoned().values().cloned().collect()
    }

    /// Counters of every sink.
    pub fn sink_stats(&self) -> Vec<(String, Arc<SinkStats>)> {
        self.sink_stats
            .lock_unpoisoned()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Is the pipeline running (between `run` starting and shutdown)?
    pub fn is_running(&self) -> bool {
        self.running
            .lock_unpoisoned()
            .as_ref()
            .is_some_and(|(_, t)| !t.is_cancelled())
    }

    /// The run's item and poll counters so far (sink counters are in [`Self::sink_stats`]).
    pub fn counters(&self) -> RunReport {
        self.report_lock().clone()
    }

    /// The run report, whatever a panic elsewhere left in its lock (plain counters).
    pub(super) fn report_lock(&self) -> std::sync::MutexGuard<'_, RunReport> {
        self.report.lock_unpoisoned()
    }

    /// This node's cluster membership (cluster mode, while running).
    pub fn cluster(&self) -> Option<&Arc<crate::cluster::ClusterNode>> {
        self.cluster.get()
    }

    /// State changes (delivered marks, poll commits, statuses) queued but not yet durable.
    pub fn state_writes_pending(&self) -> usize {
        self.ledger.pending_writes()
    }
}

#[cfg(test)]
mod tests;
