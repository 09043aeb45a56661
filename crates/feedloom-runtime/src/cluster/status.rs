//! What a cluster node shows of itself: `GET /cluster`, the status snapshot, the cluster
//! lines of `feedloom status` and the `feedloom_cluster_*` metrics.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use feedloom_core::sync::LockExt;
use serde::{Deserialize, Serialize};

use super::{ClusterNode, ConsumerLag};

/// One member of the cluster as this node sees it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Member {
    pub node_id: String,
    pub shards: u32,
    pub config_hash: String,
    pub version: String,
}

/// A consumer's backlog.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Lag {
    pub pending: u64,
    pub ack_pending: u64,
    pub redelivered: u64,
}

/// A cluster node's status.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct ClusterStatus {
    pub name: String,
    pub node_id: String,
    pub config_hash: String,
    /// The cluster's config hash (its oldest member's).
    pub cluster_hash: Option<String>,
    /// Why this node takes no work (its config differs from the cluster's).
    pub refused: Option<String>,
    pub shards: u32,
    /// The shards this node holds now.
    pub owned: Vec<u32>,
    /// Its fair share.
    pub target: u32,
    pub members: Vec<Member>,
    pub last_loss: Option<String>,
    /// Seconds the last renewal pass took.
    pub last_renew_secs: Option<f64>,
    /// Counters: leases (`acquired`, `renewed`, `lost`, `released`, `renew_errors`,
    /// `renew_refused`) and work (`published`, `publish_errors`, `state_conflicts`...).
    pub counters: BTreeMap<String, u64>,
    /// Consumer name → backlog.
    pub consumers: BTreeMap<String, Lag>,
}

impl ClusterStatus {
    pub fn of(node: &ClusterNode) -> ClusterStatus {
        let st = node.view.status();
        let leases = node.view.counters().snapshot();
        let c = &node.counters;
        let mut counters = BTreeMap::new();
        for (k, v) in [
            ("leases_acquired", leases.acquired),
            ("leases_renewed", leases.renewed),
            ("leases_lost", leases.lost),
            ("leases_released", leases.released),
            ("lease_renew_errors", leases.renew_errors),
            ("lease_renew_refused", leases.renew_refused),
        ] {
            counters.insert(k.to_string(), v);
        }
        for (k, a) in [
            ("published", &c.published),
            ("publish_duplicates", &c.publish_duplicates),
            ("publish_errors", &c.publish_errors),
            ("too_large", &c.too_large),
            ("state_writes", &c.state_writes),
            ("state_conflicts", &c.state_conflicts),
            ("state_errors", &c.state_errors),
            ("extract_received", &c.extract_received),
            ("redelivered", &c.redelivered),
            ("extracted", &c.extracted),
            ("extract_naks", &c.extract_naks),
            ("dead_lettered", &c.dead_lettered),
            ("sink_acked", &c.sink_acked),
            ("sink_naks", &c.sink_naks),
            ("stale_dropped", &c.stale_dropped),
        ] {
            counters.insert(k.to_string(), a.load(Ordering::Relaxed));
        }
        let consumers = node
            .lag
            .lock_unpoisoned()
            .iter()
            .map(|(k, l): (&String, &ConsumerLag)| {
                (
                    k.clone(),
                    Lag {
                        pending: l.pending,
                        ack_pending: l.ack_pending as u64,
                        redelivered: l.redelivered as u64,
                    },
                )
            })
            .collect();
        ClusterStatus {
            name: node.cluster.name().to_string(),
            node_id: st.node_id.clone(),
            config_hash: node.hash.clone(),
            cluster_hash: st.cluster_hash.clone(),
            refused: st.refused.clone(),
            shards: node.cluster.config().shards,
            owned: node.view.owned().into_iter().collect(),
            target: st.target,
            members: st
                .members
                .iter()
                .map(|m| Member {
                    node_id: m.node_id.clone(),
                    shards: m.shards_held,
                    config_hash: m.config_hash.clone(),
                    version: m.version.clone(),
                })
                .collect(),
            last_loss: st.last_loss.clone(),
            last_renew_secs: st.last_renew.map(|d| d.as_secs_f64()),
            counters,
            consumers,
        }
    }

    /// The lines `feedloom status` prints under the source table.
    pub fn render(&self) -> String {
        let mut out = format!(
            "cluster {}: node {} holds {} of {} shards (fair share {}); config {}\n",
            self.name,
            self.node_id,
            self.owned.len(),
            self.shards,
            self.target,
            self.config_hash
        );
        if let Some(why) = &self.refused {
            out.push_str(&format!("  REFUSED: takes no work: {why}\n"));
        }
        for m in &self.members {
            out.push_str(&format!(
                "  member {}: {} shards, config {}, version {}\n",
                m.node_id, m.shards, m.config_hash, m.version
            ));
        }
        let c = |k: &str| self.counters.get(k).copied().unwrap_or(0);
        out.push_str(&format!(
            "  leases: acquired {} renewed {} lost {} released {}; published {} (duplicates {}, errors {}); state conflicts {}; redelivered {}; dead-lettered {}\n",
            c("leases_acquired"),
            c("leases_renewed"),
            c("leases_lost"),
            c("leases_released"),
            c("published"),
            c("publish_duplicates"),
            c("publish_errors"),
            c("state_conflicts"),
            c("redelivered"),
            c("dead_lettered"),
        ));
        for (name, l) in &self.consumers {
            out.push_str(&format!(
                "  consumer {name}: pending {}, unacknowledged {}, redelivered {}\n",
                l.pending, l.ack_pending, l.redelivered
            ));
        }
        out
    }
}
