//! State the lease manager task shares with the handles: per-shard deadlines (what `owns`
//! reads), the watch of the owned set, the status and the counters.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::{LeaseCounters, LeaseStatus};

/// The owned set as the watch carries it.
pub type OwnedSet = Arc<BTreeSet<u32>>;

/// Shared between the manager task and every [`super::LeaseView`].
#[derive(Debug)]
pub(crate) struct Shared {
    /// Origin of the millisecond clock of `deadlines`.
    base: Instant,
    /// Per shard: until when (ms since `base`, exclusive) this node may act as its owner;
    /// 0: not owned. Written by the manager only.
    deadlines: Box<[AtomicU64]>,
    /// Per shard: work in progress under the lease ([`super::ShardWork`]); a rebalance
    /// releases only idle shards.
    busy: Box<[AtomicU64]>,
    /// Per shard: being handed over (a rebalance): no new work starts on it; it is
    /// released once idle.
    draining: Box<[AtomicBool]>,
    /// The owned set, for callers that react to changes.
    pub(crate) owned: watch::Sender<OwnedSet>,
    pub(crate) counters: LeaseCounters,
    pub(crate) status: Mutex<LeaseStatus>,
    /// Test hook: while set the manager does nothing at all, like a stopped process.
    pub(crate) frozen: AtomicBool,
    /// Set when the handle is dropped without a shutdown: nothing is owned any more, even if
    /// the aborted task still writes a deadline on its way out.
    stopped: AtomicBool,
}

impl Shared {
    pub(crate) fn new(shards: u32, status: LeaseStatus) -> Self {
        let deadlines = (0..shards).map(|_| AtomicU64::new(0)).collect();
        let busy = (0..shards).map(|_| AtomicU64::new(0)).collect();
        let draining = (0..shards).map(|_| AtomicBool::new(false)).collect();
        let (owned, _) = watch::channel(Arc::new(BTreeSet::new()));
        Shared {
            base: Instant::now(),
            deadlines,
            busy,
            draining,
            owned,
            counters: LeaseCounters::default(),
            status: Mutex::new(status),
            frozen: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
        }
    }

    /// Milliseconds since `base`, at least 1.
    pub(crate) fn now_ms(&self) -> u64 {
        self.ms_at(Instant::now())
    }

    /// `at` as milliseconds since `base`, at least 1.
    pub(crate) fn ms_at(&self, at: Instant) -> u64 {
        let ms = at.saturating_duration_since(self.base).as_millis();
        u64::try_from(ms).unwrap_or(u64::MAX).max(1)
    }

    /// True if this node holds `shard`, its lease cannot have lapsed yet and it is not
    /// being handed over.
    pub(crate) fn owns(&self, shard: u32) -> bool {
        if self.stopped.load(Ordering::Acquire)
            || self
                .draining
                .get(shard as usize)
                .is_some_and(|d| d.load(Ordering::SeqCst))
        {
            return false;
        }
        match self.deadlines.get(shard as usize) {
            Some(d) => {
                let d = d.load(Ordering::Acquire);
                d != 0 && self.now_ms() < d
            }
            None => false,
        }
    }

    /// Sets `shard`'s deadline to `sent + valid` (`sent`: when the write that proved the lease
    /// was sent).
    pub(crate) fn hold(&self, shard: u32, sent: Instant, valid: Duration) {
        if let Some(d) = self.deadlines.get(shard as usize) {
            d.store(self.ms_at(sent + valid), Ordering::Release);
        }
    }

    /// Starts work on `shard` if this node owns it: true, and the shard counts as busy
    /// until [`Shared::end_work`]. (Marked busy first, then checked: with
    /// [`Shared::quiesce`] doing the opposite, one of the two sees the other.)
    pub(crate) fn begin_work(&self, shard: u32) -> bool {
        let Some(b) = self.busy.get(shard as usize) else {
            return false;
        };
        b.fetch_add(1, Ordering::SeqCst);
        if self.owns(shard) {
            true
        } else {
            b.fetch_sub(1, Ordering::SeqCst);
            false
        }
    }

    pub(crate) fn end_work(&self, shard: u32) {
        if let Some(b) = self.busy.get(shard as usize) {
            b.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Starts handing `shard` over: no new work starts on it from now on. True if no work
    /// is in progress (release it now); else release it once [`Shared::is_idle`].
    pub(crate) fn start_drain(&self, shard: u32) -> bool {
        if let Some(d) = self.draining.get(shard as usize) {
            d.store(true, Ordering::SeqCst);
        }
        self.is_idle(shard)
    }

    /// No work in progress on `shard`.
    pub(crate) fn is_idle(&self, shard: u32) -> bool {
        self.busy
            .get(shard as usize)
            .is_none_or(|b| b.load(Ordering::SeqCst) == 0)
    }

    /// Keeps `shard` after all (the fair share grew while it drained).
    pub(crate) fn stop_drain(&self, shard: u32) {
        if let Some(d) = self.draining.get(shard as usize) {
            d.store(false, Ordering::SeqCst);
        }
    }

    /// Stops owning `shard` at once.
    pub(crate) fn drop_shard(&self, shard: u32) {
        if let Some(d) = self.deadlines.get(shard as usize) {
            d.store(0, Ordering::Release);
        }
        self.stop_drain(shard);
    }

    /// Stops owning every shard at once (the manager is gone).
    pub(crate) fn drop_all(&self) {
        self.stopped.store(true, Ordering::Release);
        for d in self.deadlines.iter() {
            d.store(0, Ordering::Release);
        }
        self.publish_owned(&BTreeSet::new());
        self.with_status(|s| s.owned = 0);
    }

    /// The deadline of `shard` in ms since `base` (0: not owned).
    pub(crate) fn deadline_ms(&self, shard: u32) -> u64 {
        self.deadlines
            .get(shard as usize)
            .map_or(0, |d| d.load(Ordering::Acquire))
    }

    /// Publishes `owned` on the watch if it differs from what the watch has.
    pub(crate) fn publish_owned(&self, owned: &BTreeSet<u32>) {
        let empty = BTreeSet::new();
        let owned = if self.stopped.load(Ordering::Acquire) {
            &empty
        } else {
            owned
        };
        self.owned.send_if_modified(|cur| {
            if cur.as_ref() == owned {
                false
            } else {
                *cur = Arc::new(owned.clone());
                true
            }
        });
    }

    /// Runs `f` on the status under its lock (a short one: no await inside).
    pub(crate) fn with_status<R>(&self, f: impl FnOnce(&mut LeaseStatus) -> R) -> R {
        let mut guard = match self.status.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    pub(crate) fn count(&self, counter: &AtomicU64, n: u64) {
        if n > 0 {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }
}
