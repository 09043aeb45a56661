//! Holding leases: renew, lose, expire, acquire, release.

use std::collections::BTreeSet;
use std::time::Instant;

use futures_util::StreamExt;

use super::Manager;

/// Creates over delete markers in flight at once.
const CREATE_CONCURRENCY: usize = 64;
use crate::leases::ops::{Outcome, Write};

impl Manager {
    /// Renews every held lease. A refused renewal drops its shard as soon as its answer comes.
    pub(super) async fn renew(&mut self) {
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
    pub(super) fn lose(&mut self, shards: &[u32], why: &str) {
        let mut n = 0;
        for s in shards {
            self.shared.drop_shard(*s);
            self.draining.remove(s);
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
    pub(super) fn expire(&mut self) {
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

    /// The owned set: held and not being handed over.
    pub(super) fn publish_owned(&self) {
        let owned: BTreeSet<u32> = self
            .held
            .keys()
            .copied()
            .filter(|s| !self.draining.contains(s))
            .collect();
        self.shared.publish_owned(&owned);
        self.shared.with_status(|s| s.owned = owned.len());
    }

    /// Acquires up to `want` free shards, walking from a point that depends on the node id so
    /// that nodes short of shards at the same time mostly try different ones. True if another
    /// node won a shard this one tried (worth another look).
    pub(super) async fn acquire(&mut self, want: usize) -> bool {
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
        let mut results = self.buckets.write_batch(&writes, self.limit(), None).await;
        // "No value" refused: a delete marker may be there (a released lease), or another
        // node was faster. Create over the marker, concurrently; a create refused is a race
        // lost.
        let retry: Vec<u32> = results
            .iter()
            .filter(|r| r.2 == Outcome::Refused)
            .map(|r| r.0)
            .collect();
        if !retry.is_empty() {
            let (buckets, limit) = (&self.buckets, self.limit());
            let retried: Vec<(u32, Instant, Outcome)> = futures_util::stream::iter(retry)
                .map(|shard| async move {
                    let (sent, outcome) = buckets.create_lease(shard, limit).await;
                    (shard, sent, outcome)
                })
                .buffer_unordered(CREATE_CONCURRENCY)
                .collect()
                .await;
            results.retain(|r| r.2 != Outcome::Refused);
            results.extend(retried);
        }
        let mut got = 0;
        let mut lost_race = false;
        for (shard, sent, outcome) in results {
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
    pub(super) async fn release(&mut self, shards: Vec<u32>) {
        if shards.is_empty() {
            return;
        }
        let mut writes = Vec::with_capacity(shards.len());
        for s in &shards {
            self.shared.drop_shard(*s);
            self.draining.remove(s);
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
}
