//! The lease manager task: renews, heartbeats, rebalances, releases.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_nats::jetstream::kv::Watch;
use chrono::{DateTime, Utc};
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use super::ops::Buckets;
use super::shared::Shared;
use super::{LeaseSettings, LeaseStatus};
use crate::error::ClusterError;
use crate::kv::{self, BucketSpec};

mod events;
mod holding;
mod rebalance;

use events::next_event;

/// How long watch events are gathered before one rebalance handles them all.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// How often a frozen manager looks whether it was thawed.
const FROZEN_POLL: Duration = Duration::from_millis(10);

/// Why the loop woke up.
enum Wake {
    Stop,
    Tick,
    Rebalance,
    Expiry,
    Nothing,
}

pub(crate) struct Manager {
    settings: LeaseSettings,
    buckets: Buckets,
    shared: Arc<Shared>,
    /// Shards held, with the revision of their last write.
    held: BTreeMap<u32, u64>,
    /// Held shards being handed over (rebalance): released once no work is on them.
    draining: BTreeSet<u32>,
    started: DateTime<Utc>,
    /// Fair share at the last rebalance.
    target: u32,
    refused: Option<String>,
    /// Node ids seen at the last member scan.
    known_members: BTreeSet<String>,
    /// Bound of each network operation.
    op_limit: Duration,
    lease_watch: Option<Watch>,
    member_watch: Option<Watch>,
    rebalance_at: Option<tokio::time::Instant>,
}

impl Manager {
    /// Opens both buckets and prepares the manager (nothing is claimed yet).
    pub(crate) async fn open(
        js: &async_nats::jetstream::Context,
        settings: LeaseSettings,
    ) -> Result<(Manager, Arc<Shared>), ClusterError> {
        if settings.shards == 0 || settings.shards > crate::config::MAX_SHARDS {
            return Err(ClusterError::Config(format!(
                "`shards` is {}; it must be between 1 and {}",
                settings.shards,
                crate::config::MAX_SHARDS
            )));
        }
        if settings.ttl < crate::config::MIN_LEASE_TTL {
            return Err(ClusterError::Config(format!(
                "`lease_ttl` is {} ms; it must be at least {} ms",
                settings.ttl.as_millis(),
                crate::config::MIN_LEASE_TTL.as_millis()
            )));
        }
        if !crate::config::is_valid_node_id(&settings.node_id) {
            return Err(ClusterError::Config(format!(
                "node id {:?}: letters, digits, `_`, `-` and `.` only",
                settings.node_id
            )));
        }
        let leases = kv::open_or_create(
            js,
            &BucketSpec {
                bucket: settings.leases_bucket(),
                history: 1,
                max_age: Some(settings.ttl),
                description: "feedloom shard leases (value: owner node id)".to_string(),
            },
        )
        .await?;
        let members = kv::open_or_create(
            js,
            &BucketSpec {
                bucket: settings.members_bucket(),
                history: 1,
                max_age: Some(settings.ttl),
                description: "feedloom cluster members (heartbeats)".to_string(),
            },
        )
        .await?;
        let op_limit = settings.renew_interval().max(Duration::from_millis(200));
        let writer = async_nats::jetstream::context::ContextBuilder::new()
            .timeout(op_limit)
            .build(js.client());
        let buckets = Buckets {
            leases,
            members,
            js: writer,
            node_id: settings.node_id.clone(),
        };
        let shared = Arc::new(Shared::new(
            settings.shards,
            LeaseStatus {
                node_id: settings.node_id.clone(),
                ..LeaseStatus::default()
            },
        ));
        let manager = Manager {
            settings,
            buckets,
            shared: shared.clone(),
            held: BTreeMap::new(),
            draining: BTreeSet::new(),
            started: Utc::now(),
            target: 0,
            refused: None,
            known_members: BTreeSet::new(),
            op_limit,
            lease_watch: None,
            member_watch: None,
            rebalance_at: None,
        };
        Ok((manager, shared))
    }

    /// The loop, until `stop` turns true (then every lease is released) or the task is
    /// aborted (then the leases lapse).
    pub(crate) async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.settings.renew_interval());
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut was_frozen = false;
        loop {
            if self.shared.frozen.load(Ordering::SeqCst) {
                // Frozen (test hook): nothing at all happens, as in a stopped process; watch
                // events wait in the client's buffers.
                was_frozen = true;
                tokio::time::sleep(FROZEN_POLL).await;
                continue;
            }
            if was_frozen {
                // Like a process resumed after SIGSTOP: its overdue renewals go out first,
                // before anything it missed meanwhile is looked at.
                was_frozen = false;
                self.tick().await;
                continue;
            }
            match self.wait(&mut stop, &mut tick).await {
                Wake::Stop => break,
                Wake::Tick => self.tick().await,
                Wake::Rebalance => {
                    self.expire();
                    if self.connected() {
                        self.rebalance().await;
                        self.ensure_watches().await;
                    }
                }
                Wake::Expiry => self.expire(),
                Wake::Nothing => {}
            }
        }
        self.shutdown().await;
    }

    /// Every `ttl / 3`: renew, heartbeat, (re)open the watches, rebalance; lapsed shards are
    /// dropped between the steps.
    async fn tick(&mut self) {
        if !self.connected() {
            self.note_unreachable();
            self.expire();
            return;
        }
        self.renew().await;
        self.expire();
        self.heartbeat().await;
        self.expire();
        self.rebalance().await;
        self.expire();
        self.ensure_watches().await;
    }

    async fn wait(
        &mut self,
        stop: &mut watch::Receiver<bool>,
        tick: &mut tokio::time::Interval,
    ) -> Wake {
        let expiry = self.next_deadline();
        let rebalance_at = self.rebalance_at;
        tokio::select! {
            biased;
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() { Wake::Stop } else { Wake::Nothing }
            }
            _ = tick.tick() => Wake::Tick,
            _ = sleep_until_opt(rebalance_at) => {
                self.rebalance_at = None;
                Wake::Rebalance
            }
            ev = next_event(&mut self.lease_watch) => {
                self.on_lease_event(ev);
                Wake::Nothing
            }
            ev = next_event(&mut self.member_watch) => {
                self.on_member_event(ev);
                Wake::Nothing
            }
            _ = sleep_until_opt(expiry) => Wake::Expiry,
        }
    }

    fn connected(&self) -> bool {
        self.buckets.js.client().connection_state() == async_nats::connection::State::Connected
    }

    /// A tick without a connection: no renewal can be sent; the shards are kept until their
    /// deadlines (the client reconnects by itself).
    fn note_unreachable(&self) {
        let n = self.held.len() as u64;
        self.shared.count(&self.shared.counters.renew_errors, n);
        if n > 0 {
            tracing::warn!(
                held = n,
                "NATS unreachable: leases not renewed; shards are dropped when they may lapse"
            );
        }
    }

    /// The time a network step may take: the operation bound, cut short at the next deadline
    /// of a held shard so that a lapsing lease is dropped on time however slow NATS is.
    /// (Deadlines already past do not count: `owns` is false for those shards already, and
    /// the renewal that settles them, refused or not, deserves its full time.)
    fn limit(&self) -> Duration {
        let now_ms = self.shared.now_ms();
        let next = self
            .held
            .keys()
            .map(|s| self.shared.deadline_ms(*s))
            .filter(|d| *d > now_ms)
            .min();
        match next {
            Some(d) => {
                let until = Duration::from_millis(d - now_ms);
                self.op_limit.min(until.max(Duration::from_millis(10)))
            }
            None => self.op_limit,
        }
    }

    /// The earliest deadline of a held shard.
    fn next_deadline(&self) -> Option<tokio::time::Instant> {
        let now_ms = self.shared.now_ms();
        let earliest = self
            .held
            .keys()
            .map(|s| self.shared.deadline_ms(*s))
            .min()?;
        let wait = Duration::from_millis(earliest.saturating_sub(now_ms));
        Some(tokio::time::Instant::now() + wait)
    }

    fn schedule_rebalance(&mut self) {
        if self.rebalance_at.is_none() {
            self.rebalance_at = Some(tokio::time::Instant::now() + DEBOUNCE);
        }
    }

    async fn shutdown(&mut self) {
        self.release(self.held.keys().copied().collect()).await;
        if let Err(err) = self.buckets.leave(self.op_limit).await {
            tracing::warn!(error = %err, "could not leave the cluster cleanly; membership lapses after the TTL");
        }
        self.target = 0;
        self.shared.with_status(|s| {
            s.owned = 0;
            s.target = 0;
        });
    }
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
