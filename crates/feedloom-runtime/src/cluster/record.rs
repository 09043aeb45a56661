//! A source's shared state in cluster mode: one JSON value per source in the KV bucket
//! `<name>-feeds`, written with compare-and-set on the revision read when the node took the
//! source, so a node that lost the source (paused past its lease) cannot overwrite what the
//! new owner wrote.

use std::collections::{BTreeMap, HashSet};

use feedloom_core::StateOp;
use serde::{Deserialize, Serialize};

use crate::pipeline::Schedule;
use crate::state::ns;

/// Recent item ids kept per source, newest last: enough for any feed's window of items
/// (the oldest are forgotten first, as the ledger forgets ids past `retention`).
const MAX_SEEN: usize = 2000;

/// What the cluster keeps of one source.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct FeedRecord {
    /// The source's own state (validators, moved URL...): `ns \x1f key` → value in hex,
    /// `None` once deleted (so a node that still has an older copy forgets it).
    #[serde(default)]
    pub state: BTreeMap<String, Option<String>>,
    /// When the source polls next and its failure streak.
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// The items already published, oldest first: [`seen_key`] of each id, with when (unix
    /// seconds). Keys, not ids: a feed's ids can be kilobytes long, the record must stay
    /// far below the server's max_payload.
    #[serde(default)]
    pub seen: Vec<(String, i64)>,
    /// The node that wrote this revision.
    #[serde(default)]
    pub node: String,
}

impl FeedRecord {
    /// Record a poll's state changes (the schedule has a field of its own).
    pub fn apply(&mut self, ops: Vec<StateOp>) {
        for op in ops {
            match op {
                StateOp::Put { ns: n, value, .. } if n == ns::SCHEDULE => {
                    if let Ok(s) = serde_json::from_slice(&value) {
                        self.schedule = Some(s);
                    }
                }
                StateOp::Put { ns: n, key, value } => {
                    self.state
                        .insert(format!("{n}\u{1f}{key}"), Some(hex::encode(value)));
                }
                StateOp::Delete { ns: n, key } => {
                    self.state.insert(format!("{n}\u{1f}{key}"), None);
                }
            }
        }
    }

    /// The source's state as writes to a local store (before a poll, so that the source
    /// reads what the cluster knows).
    pub fn ops(&self) -> Vec<StateOp> {
        self.state
            .iter()
            .filter_map(|(k, v)| {
                let (n, key) = k.split_once('\u{1f}')?;
                Some(match v {
                    Some(hexed) => StateOp::put(n, key, hex::decode(hexed).ok()?),
                    None => StateOp::delete(n, key),
                })
            })
            .collect()
    }

    /// Add the ids just published and forget those past `retention_secs` (and beyond
    /// [`MAX_SEEN`]).
    pub fn remember<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a str>,
        now: i64,
        retention_secs: i64,
    ) {
        self.seen
            .extend(ids.into_iter().map(|id| (seen_key(id), now)));
        let cutoff = now.saturating_sub(retention_secs);
        self.seen.retain(|(_, at)| *at >= cutoff);
        if self.seen.len() > MAX_SEEN {
            let cut = self.seen.len() - MAX_SEEN;
            self.seen.drain(..cut);
        }
    }
}

/// What [`FeedRecord::seen`] keeps of an item id: 16 hex digits of its SHA-256.
pub fn seen_key(id: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(id.as_bytes())[..8])
}

/// A source this node holds, as read from the cluster: the record, the revision it was read
/// at (the next write expects it) and the published ids as a set.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    pub record: FeedRecord,
    pub revision: Option<u64>,
    /// [`seen_key`]s of the items already published.
    seen: HashSet<String>,
    /// A write of it was refused or failed: read it again before the next poll.
    pub invalid: bool,
}

impl Feed {
    /// Was item `id` published already?
    pub fn published(&self, id: &str) -> bool {
        self.seen.contains(&seen_key(id))
    }

    /// Record that these items were published.
    pub fn remember<'a>(
        &mut self,
        ids: impl IntoIterator<Item = &'a str> + Clone,
        now: i64,
        retention_secs: i64,
    ) {
        self.seen.extend(ids.clone().into_iter().map(seen_key));
        self.record.remember(ids, now, retention_secs);
    }

    pub fn new(record: FeedRecord, revision: Option<u64>) -> Feed {
        let seen = record.seen.iter().map(|(id, _)| id.clone()).collect();
        Feed {
            record,
            revision,
            seen,
            invalid: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip_and_deletes_are_kept() {
        let mut r = FeedRecord::default();
        r.apply(vec![
            StateOp::put("feed", "v/a", b"{\"etag\":\"x\"}".to_vec()),
            StateOp::put("feed", "loc/a", b"moved".to_vec()),
        ]);
        r.apply(vec![StateOp::delete("feed", "loc/a")]);
        let ops = r.ops();
        assert!(ops.contains(&StateOp::put("feed", "v/a", b"{\"etag\":\"x\"}".to_vec())));
        assert!(ops.contains(&StateOp::delete("feed", "loc/a")));
    }

    #[test]
    fn schedule_goes_to_its_field() {
        let mut r = FeedRecord::default();
        let s = Schedule {
            next_poll: chrono::Utc::now(),
            failures: 3,
        };
        r.apply(vec![s.op("src")]);
        assert_eq!(r.schedule.map(|s| s.failures), Some(3));
        assert!(r.state.is_empty());
    }

    #[test]
    fn seen_ids_are_bounded_by_age_and_count() {
        let mut r = FeedRecord::default();
        r.remember(["old"], 100, 50);
        r.remember(["new"], 200, 50);
        assert_eq!(r.seen, vec![(seen_key("new"), 200)]);
        let ids: Vec<String> = (0..MAX_SEEN + 10).map(|i| i.to_string()).collect();
        r.remember(ids.iter().map(String::as_str), 200, 50);
        assert_eq!(r.seen.len(), MAX_SEEN);
        assert_eq!(r.seen.last().map(|s| s.0.clone()), Some(seen_key("2009")));
        let f = Feed::new(r, None);
        assert!(f.published("2009") && !f.published("new"));
    }
}
