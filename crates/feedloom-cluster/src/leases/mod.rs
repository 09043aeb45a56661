//! Shard leases: which node polls which shard.
//!
//! Two buckets per cluster, both with `max_age = lease_ttl` (on NATS 2.9 there is no per-key
//! TTL, so a value lapses `lease_ttl` after its last write):
//!
//! - `<name>-leases`: key `shard.<n>`, value the owner's node id. Acquire = create (a write
//!   expecting no live value), renew = update expecting the last revision (every `ttl/3`),
//!   release = delete expecting the last revision.
//! - `<name>-members`: key the node id, value a JSON [`MemberRecord`], re-put every `ttl/3`
//!   as the node's heartbeat.
//!
//! **Ownership.** A node owns a shard from the acknowledgement of its acquire or renew until
//! `sent + ttl - ttl/6`, `sent` being when that write was sent, so it stops acting as owner
//! before the server can let the lease lapse (the lease's write is stamped no earlier than
//! `sent`). [`LeaseView::owns`] checks that deadline on every call, so it is exact even if the
//! manager task is starved. A refused renew (someone else's revision) drops the shard at once,
//! before anything else is done; a renew that fails for another reason (NATS unreachable)
//! keeps the shard until its deadline, then drops it. Both count as `lost`.
//!
//! **Fair share.** The live members that agree on the config, sorted by node id, each get
//! `shards / L` shards, and the first `shards % L` one more. A node above its share releases
//! its extra shards; one below acquires free ones, scanning the lease keys every `ttl/3` and at
//! once when a watch shows a member joining or leaving, or (while the node is short of its
//! share) a lease released.
//! A node killed without `shutdown` has its shards taken once its leases lapse (about `ttl`,
//! plus the server's expiry granularity, plus up to `ttl/3` for the next scan).
//!
//! **Config agreement.** The cluster's config hash is the oldest live member's (ties by node
//! id). A node whose hash differs releases everything, holds nothing, logs a warning and says
//! why in [`LeaseStatus::refused`].

mod manager;
mod ops;
mod plan;
mod shared;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use plan::{Agreement, Member, MemberRecord, agreement, fair_share};
pub use shared::OwnedSet;

use shared::Shared;

/// Settings of one lease manager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseSettings {
    /// The cluster name (bucket prefix).
    pub name: String,
    /// This node's id.
    pub node_id: String,
    /// Number of shards.
    pub shards: u32,
    /// Lease TTL; renewals and heartbeats every third of it.
    pub ttl: Duration,
    /// Hash of this node's config; see the module documentation.
    pub config_hash: String,
    /// The version this node reports.
    pub version: String,
}

impl LeaseSettings {
    /// Bucket of the leases.
    pub fn leases_bucket(&self) -> String {
        format!("{}-leases", self.name)
    }
    /// Bucket of the members.
    pub fn members_bucket(&self) -> String {
        format!("{}-members", self.name)
    }
    /// Renew (and heartbeat, and rescan) interval: `ttl / 3`.
    pub fn renew_interval(&self) -> Duration {
        self.ttl / 3
    }
    /// How long after sending a successful acquire or renew this node may act as owner:
    /// `ttl - ttl/6`.
    pub fn validity(&self) -> Duration {
        self.ttl - self.ttl / 6
    }
}

/// Lease counters, monotonic, for metrics.
#[derive(Debug, Default)]
pub struct LeaseCounters {
    /// Leases acquired.
    pub acquired: AtomicU64,
    /// Successful renewals.
    pub renewed: AtomicU64,
    /// Leases lost: a renewal refused, or not confirmed before the lease may have lapsed.
    pub lost: AtomicU64,
    /// Leases given up on purpose (rebalance, shutdown, refused config).
    pub released: AtomicU64,
    /// Renewals that failed without a verdict (timeout, NATS unreachable).
    pub renew_errors: AtomicU64,
    /// Renewals refused because the lease had been taken or had lapsed (each also counts in
    /// `lost`).
    pub renew_refused: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// See [`LeaseCounters::acquired`].
    pub acquired: u64,
    /// See [`LeaseCounters::renewed`].
    pub renewed: u64,
    /// See [`LeaseCounters::lost`].
    pub lost: u64,
    /// See [`LeaseCounters::released`].
    pub released: u64,
    /// See [`LeaseCounters::renew_errors`].
    pub renew_errors: u64,
    /// See [`LeaseCounters::renew_refused`].
    pub renew_refused: u64,
}

impl LeaseCounters {
    /// The counters now.
    pub fn snapshot(&self) -> CounterSnapshot {
        CounterSnapshot {
            acquired: self.acquired.load(Ordering::Relaxed),
            renewed: self.renewed.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
            released: self.released.load(Ordering::Relaxed),
            renew_errors: self.renew_errors.load(Ordering::Relaxed),
            renew_refused: self.renew_refused.load(Ordering::Relaxed),
        }
    }
}

/// A member as the last scan saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberStatus {
    /// Its node id.
    pub node_id: String,
    /// Shards it held at its last heartbeat.
    pub shards_held: u32,
    /// Its config hash.
    pub config_hash: String,
    /// Its version.
    pub version: String,
}

/// What this node's lease manager knows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaseStatus {
    /// This node's id.
    pub node_id: String,
    /// Live members at the last scan (this node included), by node id.
    pub members: Vec<MemberStatus>,
    /// Shards this node owns now.
    pub owned: usize,
    /// Shards this node should own (its fair share; 0 when refused).
    pub target: u32,
    /// Why this node holds nothing because its config differs from the cluster's.
    pub refused: Option<String>,
    /// The cluster's config hash (the oldest member's), once known.
    pub cluster_hash: Option<String>,
    /// The last time this node lost shards: how many and why.
    pub last_loss: Option<String>,
    /// How long the last renewal pass over every held lease took (it must stay well under
    /// the renew interval, `ttl / 3`).
    pub last_renew: Option<Duration>,
}

/// Work in progress on a shard ([`LeaseView::begin`]); ends when dropped.
#[derive(Debug)]
pub struct ShardWork {
    shared: Arc<Shared>,
    shard: u32,
}

impl Drop for ShardWork {
    fn drop(&mut self) {
        self.shared.end_work(self.shard);
    }
}

/// A cheap, cloneable view of one node's leases: `owns`, the owned-set watch, status and
/// counters. Outlives nothing: once the manager stops, `owns` turns false as deadlines pass.
#[derive(Clone, Debug)]
pub struct LeaseView {
    shared: Arc<Shared>,
}

impl LeaseView {
    /// True if this node owns `shard` now (lock-free: one atomic load and a clock read).
    /// Call it before each poll of a source of that shard.
    pub fn owns(&self, shard: u32) -> bool {
        self.shared.owns(shard)
    }

    /// A watch of the owned set: changes at once when a shard is lost or released, so a
    /// caller can stop polling it.
    pub fn subscribe(&self) -> watch::Receiver<OwnedSet> {
        self.shared.owned.subscribe()
    }

    /// The owned set now (as the watch has it).
    pub fn owned(&self) -> BTreeSet<u32> {
        self.shared.owned.borrow().as_ref().clone()
    }

    /// Start work on `shard` (a poll) if this node owns it. While the returned guard
    /// lives, a rebalance does not hand the shard to another node (a lapsed or refused
    /// lease still ends ownership: check [`LeaseView::owns`] or fence writes).
    pub fn begin(&self, shard: u32) -> Option<ShardWork> {
        self.shared.begin_work(shard).then(|| ShardWork {
            shared: self.shared.clone(),
            shard,
        })
    }

    /// Status: node id, members and their shard counts, owned count, refusal.
    pub fn status(&self) -> LeaseStatus {
        self.shared.with_status(|s| s.clone())
    }

    /// The counters, for metrics.
    pub fn counters(&self) -> &LeaseCounters {
        &self.shared.counters
    }

    /// Test and chaos hook: while frozen the manager does nothing at all (no renewal, no
    /// heartbeat, no expiry handling), as if the process were stopped (SIGSTOP, a long pause).
    /// `owns` still turns false once deadlines pass.
    pub fn freeze(&self, frozen: bool) {
        self.shared.frozen.store(frozen, Ordering::SeqCst);
    }
}

/// The running lease manager of this node. [`LeaseHandle::shutdown`] hands every shard over
/// at once; dropping the handle without it stops the manager like `kill -9`: the other nodes
/// wait for the leases to lapse (the TTL), and the views of this process own nothing from
/// then on.
#[derive(Debug)]
pub struct LeaseHandle {
    view: LeaseView,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl LeaseHandle {
    /// Starts the lease manager: opens (or creates) both buckets, then joins the cluster in a
    /// background task.
    pub async fn start(
        js: &async_nats::jetstream::Context,
        settings: LeaseSettings,
    ) -> Result<LeaseHandle, crate::ClusterError> {
        let (manager, shared) = manager::Manager::open(js, settings).await?;
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(manager.run(stop_rx));
        Ok(LeaseHandle {
            view: LeaseView { shared },
            stop,
            task: Some(task),
        })
    }

    /// A cloneable view (owns, watch, status, counters).
    pub fn view(&self) -> LeaseView {
        self.view.clone()
    }

    /// See [`LeaseView::owns`].
    pub fn owns(&self, shard: u32) -> bool {
        self.view.owns(shard)
    }

    /// See [`LeaseView::subscribe`].
    pub fn subscribe(&self) -> watch::Receiver<OwnedSet> {
        self.view.subscribe()
    }

    /// See [`LeaseView::status`].
    pub fn status(&self) -> LeaseStatus {
        self.view.status()
    }

    /// See [`LeaseView::counters`].
    pub fn counters(&self) -> &LeaseCounters {
        self.view.counters()
    }

    /// See [`LeaseView::freeze`].
    pub fn freeze(&self, frozen: bool) {
        self.view.freeze(frozen)
    }

    /// Stops the manager and releases every lease at once (and the membership), so the other
    /// nodes take the shards over without waiting for the TTL. For SIGTERM.
    pub async fn shutdown(mut self) {
        self.view.freeze(false);
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take()
            && let Err(err) = task.await
        {
            tracing::warn!(error = %err, "lease manager task ended abnormally");
        }
    }
}

impl Drop for LeaseHandle {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            // Like kill -9 for the cluster (the leases lapse after the TTL); in this process
            // the views stop owning anything at once.
            task.abort();
            self.view.shared.drop_all();
        }
    }
}
