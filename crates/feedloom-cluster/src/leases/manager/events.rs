//! Watch events: a member joining or leaving, a lease released or taken.

use async_nats::jetstream::kv::{Entry, Operation, Watch, WatcherError};
use futures_util::StreamExt;

use super::Manager;
use crate::leases::ops::shard_of_key;
use crate::leases::plan::MemberRecord;

impl Manager {
    pub(super) fn on_lease_event(&mut self, ev: Option<Result<Entry, WatcherError>>) {
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

    pub(super) fn on_member_event(&mut self, ev: Option<Result<Entry, WatcherError>>) {
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
    pub(super) async fn ensure_watches(&mut self) {
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
}

pub(super) fn opened(
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

pub(super) async fn next_event(w: &mut Option<Watch>) -> Option<Result<Entry, WatcherError>> {
    match w {
        Some(w) => w.next().await,
        None => std::future::pending().await,
    }
}
