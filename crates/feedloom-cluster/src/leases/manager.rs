//! The lease manager task: renews, heartbeats, rebalances, releases.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use async_nats::jetstream::kv::{Entry, Operation, Watch, WatcherError};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use super::ops::{Buckets, Outcome, Write, shard_of_key};
use super::plan::{Agreement, Member, MemberRecord, agreement, fair_share};
use super::shared::Shared;
use super::{LeaseSettings, LeaseStatus, MemberStatus};
use crate::error::ClusterError;
use crate::kv::{self, BucketSpec};

/// How long watch events are gathered before one rebalance handles them all.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// How often a frozen manager looks whether it was thawed.
const FROZEN_POLL: Duration = Duration::from_millis(10);
/// Acquisition passes in one rebalance (each rescans the free shards).
const ACQUIRE_ROUNDS: usize = 4;

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

    fn on_lease_event(&mut self, ev: Option<Result<Entry, WatcherError>>) {
        let entry = match ev {
            Some(Ok(entry)) => entry,
            Some(Err(err)) => {
                tracing::debug!(error = %err, "lease watch failed; rescanning on the tick");
                self.lease_watch = None;
                return;
            }
            None => {
                self.lease_watch = None;
                return;
            }
        };
        let Some(shard) = shard_of_key(&entry.key) else {
            return;
        };
        match entry.operation {
            Operation::Delete | Operation::Purge => {
                if (self.held.len() as u64) < u64::from(self.target) {
                    self.schedule_rebalance();
                }
            }
            Operation::Put => {
                // Someone else wrote a lease this node holds, after this node's last write:
                // it is not ours any more. (Events older than that write, delivered late, are
                // the previous owner's and say nothing.)
                let newer = self
                    .held
                    .get(&shard)
                    .is_some_and(|rev| entry.revision > *rev);
                if newer && entry.value != self.settings.node_id.as_bytes() {
                    self.lose(&[shard], "another node wrote the lease");
                }
            }
        }
    }

    fn on_member_event(&mut self, ev: Option<Result<Entry, WatcherError>>) {
        let entry = match ev {
            Some(Ok(entry)) => entry,
            Some(Err(err)) => {
                tracing::debug!(error = %err, "member watch failed; rescanning on the tick");
                self.member_watch = None;
                return;
            }
            None => {
                self.member_watch = None;
                return;
            }
        };
        if entry.key == self.settings.node_id
            && entry.operation == Operation::Put
            && let Ok(record) = serde_json::from_slice::<MemberRecord>(&entry.value)
            && record.started != self.started
        {
            tracing::error!(
                node = %entry.key,
                "another process uses this node id: node ids must be unique in a cluster"
            );
        }
        let joined = entry.operation == Operation::Put && !self.known_members.contains(&entry.key);
        let left = entry.operation != Operation::Put;
        if joined || left {
            self.schedule_rebalance();
        }
    }

    /// (Re)opens the watch on the members bucket, and the one on the leases bucket while this
    /// node is short of its share (it receives every renewal of the cluster, so it is closed
    /// once the node has its share). A failure is retried at the next tick; the rescans
    /// every tick cover for a missing watch meanwhile.
    async fn ensure_watches(&mut self) {
        let short = self.held.len() < self.target as usize;
        if !short {
            self.lease_watch = None;
        } else if self.lease_watch.is_none() {
            let w = tokio::time::timeout(self.limit(), self.buckets.leases.watch("shard.>")).await;
            self.lease_watch = opened(w, &self.buckets.leases.name);
        }
        if self.member_watch.is_none() {
            let w = tokio::time::timeout(self.limit(), self.buckets.members.watch_all()).await;
            self.member_watch = opened(w, &self.buckets.members.name);
        }
    }

    /// Renews every held lease. A refused renewal drops its shard as soon as its answer comes.
    async fn renew(&mut self) {
        if self.held.is_empty() {
            return;
        }
        let writes: Vec<Write> = self.held.iter().map(|(s, r)| Write::Put(*s, *r)).collect();
        let began = Instant::now();
        let results = self
            .buckets
            .write_batch(&writes, self.limit(), Some(&self.shared))
            .await;
        let took = began.elapsed();
        self.shared.with_status(|s| s.last_renew = Some(took));
        let mut refused = Vec::new();
        let (mut renewed, mut errors) = (0, 0);
        let mut first_error = None;
        for (shard, sent, outcome) in results {
            match outcome {
                Outcome::Written(rev) => {
                    if let Some(held) = self.held.get_mut(&shard) {
                        *held = rev;
                        self.shared.hold(shard, sent, self.settings.validity());
                        renewed += 1;
                    }
                }
                Outcome::Refused => refused.push(shard),
                Outcome::Failed(reason) => {
                    errors += 1;
                    first_error.get_or_insert(reason);
                }
            }
        }
        let c = &self.shared.counters;
        self.shared.count(&c.renewed, renewed);
        self.shared.count(&c.renew_errors, errors);
        if let Some(reason) = first_error {
            tracing::warn!(failed = errors, error = %reason, "lease renewals failed; shards are kept until their leases may lapse");
        }
        if !refused.is_empty() {
            self.shared.count(&c.renew_refused, refused.len() as u64);
            self.lose(&refused, "renewal refused: the lease was taken or lapsed");
        }
    }

    /// Drops `shards` at once and counts them lost.
    fn lose(&mut self, shards: &[u32], why: &str) {
        let mut n = 0;
        for s in shards {
            self.shared.drop_shard(*s);
            if self.held.remove(s).is_some() {
                n += 1;
            }
        }
        self.publish_owned();
        self.shared.count(&self.shared.counters.lost, n);
        if n > 0 {
            tracing::warn!(lost = n, reason = why, "shard leases lost");
            self.shared
                .with_status(|s| s.last_loss = Some(format!("{n} shard(s): {why}")));
        }
    }

    /// Drops the shards whose lease may have lapsed (not renewed in time).
    fn expire(&mut self) {
        let now = self.shared.now_ms();
        let lapsed: Vec<u32> = self
            .held
            .keys()
            .copied()
            .filter(|s| self.shared.deadline_ms(*s) <= now)
            .collect();
        if !lapsed.is_empty() {
            self.lose(&lapsed, "not renewed before the lease may have lapsed");
        }
    }

    fn publish_owned(&self) {
        let owned: BTreeSet<u32> = self.held.keys().copied().collect();
        self.shared.publish_owned(&owned);
        self.shared.with_status(|s| s.owned = owned.len());
    }

    fn my_record(&self) -> MemberRecord {
        MemberRecord {
            config_hash: self.settings.config_hash.clone(),
            started: self.started,
            version: self.settings.version.clone(),
            shards_held: u32::try_from(self.held.len()).unwrap_or(u32::MAX),
        }
    }

    async fn heartbeat(&mut self) {
        let record = self.my_record();
        if let Err(err) = self.buckets.heartbeat(&record, self.limit()).await {
            tracing::warn!(error = %err, "cluster heartbeat failed");
        }
    }

    async fn rebalance(&mut self) {
        let mut members = match self.buckets.members(self.limit()).await {
            Ok(m) => m,
            Err(err) => {
                tracing::warn!(error = %err, "cannot list cluster members; rebalance skipped");
                return;
            }
        };
        let me = self.settings.node_id.clone();
        match members.iter_mut().find(|m| m.node_id == me) {
            Some(m) => m.record = self.my_record(),
            None => members.push(Member {
                node_id: me.clone(),
                record: self.my_record(),
            }),
        }
        members.sort_by(|a, b| a.node_id.cmp(&b.node_id));
        self.known_members = members.iter().map(|m| m.node_id.clone()).collect();

        let cluster_hash = match agreement(&members, &me, &self.settings.config_hash) {
            Agreement::Refused(reason) => {
                if self.refused.as_deref() != Some(reason.as_str()) {
                    tracing::warn!(reason = %reason, "config differs from the cluster's; holding no shard");
                }
                self.refused = Some(reason);
                self.target = 0;
                self.release(self.held.keys().copied().collect()).await;
                self.update_status(&members, None);
                return;
            }
            Agreement::Agrees { cluster_hash } => cluster_hash,
        };
        if self.refused.take().is_some() {
            tracing::info!("config agrees with the cluster's again; taking part");
        }
        let live: Vec<String> = members
            .iter()
            .filter(|m| m.record.config_hash == cluster_hash)
            .map(|m| m.node_id.clone())
            .collect();
        self.target = fair_share(self.settings.shards, &live, &me);
        let target = self.target as usize;
        if self.held.len() > target {
            let extra: Vec<u32> = self
                .held
                .keys()
                .rev()
                .take(self.held.len() - target)
                .copied()
                .collect();
            self.release(extra).await;
        } else {
            // Nodes short of shards race for the same free ones; a node that lost some races
            // looks again at once rather than at the next tick.
            for _ in 0..ACQUIRE_ROUNDS {
                if self.held.len() >= target || !self.acquire(target - self.held.len()).await {
                    break;
                }
            }
        }
        self.update_status(&members, Some(cluster_hash));
    }

    fn update_status(&self, members: &[Member], cluster_hash: Option<String>) {
        let list = members
            .iter()
            .map(|m| MemberStatus {
                node_id: m.node_id.clone(),
                shards_held: if m.node_id == self.settings.node_id {
                    u32::try_from(self.held.len()).unwrap_or(u32::MAX)
                } else {
                    m.record.shards_held
                },
                config_hash: m.record.config_hash.clone(),
                version: m.record.version.clone(),
            })
            .collect();
        self.shared.with_status(|s| {
            s.members = list;
            s.owned = self.held.len();
            s.target = self.target;
            s.refused = self.refused.clone();
            s.cluster_hash = cluster_hash;
        });
    }

    /// Acquires up to `want` free shards, walking from a point that depends on the node id so
    /// that nodes short of shards at the same time mostly try different ones. True if another
    /// node won a shard this one tried (worth another look).
    async fn acquire(&mut self, want: usize) -> bool {
        let taken = match self.buckets.taken_shards(self.limit()).await {
            Ok(t) => t,
            Err(err) => {
                tracing::warn!(error = %err, "cannot scan shard leases; acquisition skipped");
                return false;
            }
        };
        let shards = self.settings.shards;
        let start = crate::shard::shard_of(&self.settings.node_id, shards);
        let candidates: Vec<u32> = (0..shards)
            .map(|i| (start + i) % shards)
            .filter(|s| !taken.contains(s) && !self.held.contains_key(s))
            .take(want)
            .collect();
        if candidates.is_empty() {
            return false;
        }
        let writes: Vec<Write> = candidates.iter().map(|s| Write::Put(*s, 0)).collect();
        let results = self.buckets.write_batch(&writes, self.limit(), None).await;
        let began = Instant::now();
        let mut got = 0;
        let mut lost_race = false;
        for (shard, sent, outcome) in results {
            let (sent, outcome) = match outcome {
                // "No value" was refused: a delete marker may be there; create over it.
                Outcome::Refused if began.elapsed() < self.op_limit => {
                    self.buckets.create_lease(shard, self.limit()).await
                }
                other => (sent, other),
            };
            match outcome {
                Outcome::Written(rev) => {
                    self.held.insert(shard, rev);
                    self.shared.hold(shard, sent, self.settings.validity());
                    got += 1;
                }
                Outcome::Refused => lost_race = true,
                Outcome::Failed(_) => {}
            }
        }
        self.shared.count(&self.shared.counters.acquired, got);
        if got > 0 {
            tracing::debug!(
                acquired = got,
                held = self.held.len(),
                "shard leases acquired"
            );
            self.publish_owned();
        }
        lost_race
    }

    /// Stops owning `shards` at once, then deletes their leases so others can take them.
    async fn release(&mut self, shards: Vec<u32>) {
        if shards.is_empty() {
            return;
        }
        let mut writes = Vec::with_capacity(shards.len());
        for s in &shards {
            self.shared.drop_shard(*s);
            if let Some(rev) = self.held.remove(s) {
                writes.push(Write::Delete(*s, rev));
            }
        }
        self.publish_owned();
        let results = self.buckets.write_batch(&writes, self.op_limit, None).await;
        let released = results
            .iter()
            .filter(|r| matches!(r.2, Outcome::Written(_)))
            .count();
        self.shared
            .count(&self.shared.counters.released, writes.len() as u64);
        tracing::debug!(
            released = writes.len(),
            confirmed = released,
            "shard leases released"
        );
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

fn opened(
    w: Result<Result<Watch, async_nats::jetstream::kv::WatchError>, tokio::time::error::Elapsed>,
    bucket: &str,
) -> Option<Watch> {
    match w {
        Ok(Ok(w)) => Some(w),
        Ok(Err(err)) => {
            tracing::debug!(bucket, error = %err, "cannot watch the bucket; retrying at the next tick");
            None
        }
        Err(_) => {
            tracing::debug!(
                bucket,
                "watching the bucket timed out; retrying at the next tick"
            );
            None
        }
    }
}

async fn next_event(w: &mut Option<Watch>) -> Option<Result<Entry, WatcherError>> {
    match w {
        Some(w) => w.next().await,
        None => std::future::pending().await,
    }
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
