//! The pure part of the lease protocol: member records, config agreement, fair share.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a member writes under its node id in `<name>-members` (JSON), every third of the TTL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRecord {
    /// Hash of the member's feedloom config; members must agree (see [`agreement`]).
    pub config_hash: String,
    /// When the member's lease manager started; the oldest member's config wins.
    pub started: DateTime<Utc>,
    /// The member's feedloom version.
    pub version: String,
    /// How many shards the member held at its last heartbeat.
    pub shards_held: u32,
}

/// A member as read from the bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    /// Its node id (the key).
    pub node_id: String,
    /// What it wrote.
    pub record: MemberRecord,
}

/// The outcome of config agreement for one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Agreement {
    /// The node's config hash is the cluster's: it takes part.
    Agrees {
        /// The cluster's config hash.
        cluster_hash: String,
    },
    /// The node's hash differs from the cluster's: it must hold nothing. The text says why.
    Refused(String),
}

/// The cluster's config hash is the oldest live member's (ties by node id); `me` agrees if
/// its hash is that one. `members` must include `me`.
pub fn agreement(members: &[Member], me: &str, my_hash: &str) -> Agreement {
    let Some(oldest) = members
        .iter()
        .min_by(|a, b| (a.record.started, &a.node_id).cmp(&(b.record.started, &b.node_id)))
    else {
        return Agreement::Agrees {
            cluster_hash: my_hash.to_string(),
        };
    };
    if oldest.record.config_hash == my_hash {
        Agreement::Agrees {
            cluster_hash: my_hash.to_string(),
        }
    } else {
        Agreement::Refused(format!(
            "config hash {my_hash} of node {me} differs from the cluster's {} (that of its \
             oldest member {}, started {}); this node holds no shard until its config matches",
            oldest.record.config_hash,
            oldest.node_id,
            oldest.record.started.to_rfc3339()
        ))
    }
}

/// How many of `shards` node `me` should hold, given the node ids of the live members that
/// agree on the config (`me` among them): sorted by node id, each gets `shards / L`, and the
/// first `shards % L` one more. So every node is within one shard of `shards / L`.
pub fn fair_share(shards: u32, live: &[String], me: &str) -> u32 {
    let mut ids: Vec<&str> = live.iter().map(String::as_str).collect();
    if !ids.contains(&me) {
        ids.push(me);
    }
    ids.sort_unstable();
    ids.dedup();
    let l = u32::try_from(ids.len()).unwrap_or(u32::MAX).max(1);
    let index = ids.iter().position(|id| *id == me).unwrap_or(0);
    let base = shards / l;
    let extra = shards % l;
    if u32::try_from(index).unwrap_or(u32::MAX) < extra {
        base + 1
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, hash: &str, started_s: i64) -> Member {
        Member {
            node_id: id.to_string(),
            record: MemberRecord {
                config_hash: hash.to_string(),
                started: DateTime::from_timestamp(started_s, 0).unwrap_or_default(),
                version: "0".to_string(),
                shards_held: 0,
            },
        }
    }

    #[test]
    fn shares_add_up_and_differ_by_at_most_one() {
        for l in 1..=9u32 {
            let ids: Vec<String> = (0..l).map(|i| format!("n{i}")).collect();
            for shards in [1u32, 7, 64, 1024, 16_384] {
                let t: Vec<u32> = ids.iter().map(|me| fair_share(shards, &ids, me)).collect();
                assert_eq!(t.iter().sum::<u32>(), shards);
                let (lo, hi) = (t.iter().min(), t.iter().max());
                assert!(hi.zip(lo).is_some_and(|(h, l)| h - l <= 1));
            }
        }
        let ids = vec!["b".to_string(), "a".to_string(), "c".to_string()];
        assert_eq!(fair_share(64, &ids, "a"), 22);
        assert_eq!(fair_share(64, &ids, "b"), 21);
        assert_eq!(fair_share(64, &ids, "c"), 21);
        assert_eq!(fair_share(64, &[], "x"), 64);
    }

    #[test]
    fn oldest_member_decides() {
        let ms = vec![
            member("b", "h1", 10),
            member("a", "h2", 20),
            member("c", "h2", 10),
        ];
        assert_eq!(
            agreement(&ms, "b", "h1"),
            Agreement::Agrees {
                cluster_hash: "h1".into()
            }
        );
        assert!(matches!(agreement(&ms, "c", "h2"), Agreement::Refused(r) if r.contains("h1")));
        // Ties in `started` go by node id.
        let ms = vec![member("b", "h1", 10), member("a", "h2", 10)];
        assert!(matches!(
            agreement(&ms, "a", "h2"),
            Agreement::Agrees { .. }
        ));
    }
}
