//! Heartbeats, config agreement and the fair share.

use super::Manager;
use crate::leases::MemberStatus;
use crate::leases::plan::{Agreement, Member, MemberRecord, agreement, fair_share};

/// Acquisition passes in one rebalance (each rescans the free shards).
const ACQUIRE_ROUNDS: usize = 4;

impl Manager {
    pub(super) fn my_record(&self) -> MemberRecord {
        MemberRecord {
            config_hash: self.settings.config_hash.clone(),
            started: self.started,
            version: self.settings.version.clone(),
            shards_held: u32::try_from(self.held.len()).unwrap_or(u32::MAX),
        }
    }

    pub(super) async fn heartbeat(&mut self) {
        let record = self.my_record();
        if let Err(err) = self.buckets.heartbeat(&record, self.limit()).await {
            tracing::warn!(error = %err, "cluster heartbeat failed");
        }
    }

    pub(super) async fn rebalance(&mut self) {
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
        // Shards kept after all: the share grew while they drained.
        while self.held.len() - self.draining.len() < target
            && let Some(s) = self.draining.pop_last()
        {
            self.shared.stop_drain(s);
        }
        let keeping = self.held.len() - self.draining.len();
        if keeping > target {
            // Hand over: no new poll starts on these; each is released once the poll in
            // progress on it (if any) ends, so two nodes never work on one shard at once.
            let extra: Vec<u32> = self
                .held
                .keys()
                .rev()
                .filter(|s| !self.draining.contains(s))
                .take(keeping - target)
                .copied()
                .collect();
            for s in extra {
                self.shared.start_drain(s);
                self.draining.insert(s);
            }
            self.publish_owned();
        } else if self.held.len() < target {
            // Nodes short of shards race for the same free ones; a node that lost some races
            // looks again at once rather than at the next tick.
            for _ in 0..ACQUIRE_ROUNDS {
                if self.held.len() >= target || !self.acquire(target - self.held.len()).await {
                    break;
                }
            }
        }
        self.release_drained().await;
        self.update_status(&members, Some(cluster_hash));
    }

    /// Releases the draining shards that became idle; looks again soon while some are not.
    pub(super) async fn release_drained(&mut self) {
        if self.draining.is_empty() {
            return;
        }
        let idle: Vec<u32> = self
            .draining
            .iter()
            .copied()
            .filter(|s| self.shared.is_idle(*s))
            .collect();
        for s in &idle {
            self.draining.remove(s);
        }
        self.release(idle).await;
        if !self.draining.is_empty() {
            self.schedule_rebalance();
        }
    }

    pub(super) fn update_status(&self, members: &[Member], cluster_hash: Option<String>) {
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
}
