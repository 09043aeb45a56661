//! Acknowledge a message only after its item was delivered, without help from the runtime.
//!
//! The runtime writes a poll's `PollBatch::commit` once every item of that poll went through
//! every sink (or was dead-lettered). So each poll that took messages puts a *receipt* in its
//! commit: key `SOURCE/INSTANCE/POLL` in the namespace [`NS`], value the poll's highest stream
//! sequence (for people reading the store). The source keeps that poll's message handles in
//! memory under `POLL`. At the start of every poll it reads the receipts written since: for
//! each of its own it acknowledges that poll's messages, exactly those; then it deletes the
//! receipts.
//!
//! Why receipts per poll and not one "highest sequence delivered" marker per source: a
//! marker says nothing about a message whose sequence is below it but that was never
//! delivered, and there are such messages: after the stream is deleted and created again
//! (or `stream:` names another one) sequences start again at 1, far below a stored marker,
//! so every new message would be acknowledged before delivery and lost on a crash; a
//! message redelivered to this source after another process sharing the durable consumer
//! took it and died has a sequence below ours; and on a config reload the old and the new
//! instance of a source write markers for each other's messages. A receipt names one poll of
//! one instance (`INSTANCE` is random per instance), so it acknowledges nothing else.
//!
//! Receipts of another instance (an earlier process, a replaced instance) are deleted
//! unused: their handles are gone, and the server delivers those messages again after
//! `ack_wait`; the runtime's delivered-id ledger drops the repeats.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_nats::jetstream::message::Acker;
use feedloom_core::sync::LockExt;
use feedloom_core::{StateOp, StateStore};

/// The state namespace of the receipts.
pub const NS: &str = "nats_source_acks";

/// One message waiting for its receipt.
pub struct Held {
    pub sequence: u64,
    pub acker: Acker,
}

/// The unacknowledged messages of one source instance, by poll.
pub struct Pending {
    source: String,
    instance: String,
    next_poll: Mutex<u64>,
    polls: Mutex<BTreeMap<u64, (Instant, Vec<Held>)>>,
    forget_after: Duration,
}

impl Pending {
    pub fn new(source: &str, forget_after: Duration) -> Self {
        Pending {
            source: source.to_string(),
            instance: instance_id(),
            next_poll: Mutex::new(0),
            polls: Mutex::new(BTreeMap::new()),
            forget_after,
        }
    }

    /// Messages held now.
    pub fn len(&self) -> usize {
        self.polls
            .lock_unpoisoned()
            .values()
            .map(|(_, v)| v.len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hold one poll's messages; returns the receipt to put in that poll's commit.
    pub fn hold(&self, messages: Vec<Held>) -> StateOp {
        let poll = {
            let mut n = self.next_poll.lock_unpoisoned();
            *n += 1;
            *n
        };
        let highest = messages.iter().map(|m| m.sequence).max().unwrap_or(0);
        self.polls
            .lock_unpoisoned()
            .insert(poll, (Instant::now(), messages));
        StateOp::put(NS, self.key(poll), highest.to_string())
    }

    fn key(&self, poll: u64) -> String {
        format!("{}/{}/{poll:020}", self.source, self.instance)
    }

    /// Take the messages whose receipts are in `store`, deleting every receipt of this
    /// source. Returns them for acknowledging, with the number of receipts read.
    pub fn settle(&self, store: &dyn StateStore) -> Result<Vec<Held>, String> {
        let prefix = format!("{}/", self.source);
        let receipts = store.list(NS, &prefix).map_err(|e| e.to_string())?;
        let mut ready = Vec::new();
        let mut deletes = Vec::new();
        for (key, _) in receipts {
            let Some((instance, poll)) = key
                .strip_prefix(&prefix)
                .and_then(|rest| rest.split_once('/'))
            else {
                continue;
            };
            // `a/b/…` under the prefix `a/` is a source named `a/b`, not ours.
            if poll.contains('/') {
                continue;
            }
            if instance == self.instance
                && let Ok(poll) = poll.parse::<u64>()
                && let Some((_, held)) = self.polls.lock_unpoisoned().remove(&poll)
            {
                ready.extend(held);
            }
            deletes.push(StateOp::delete(NS, key));
        }
        if !deletes.is_empty() {
            store.apply(deletes).map_err(|e| e.to_string())?;
        }
        let limit = self.forget_after;
        self.polls
            .lock_unpoisoned()
            .retain(|_, (taken, _)| taken.elapsed() <= limit);
        Ok(ready)
    }
}

/// A random id for one source instance (16 hex digits).
fn instance_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!(
        "{nanos}/{}/{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let h = <sha2::Sha256 as sha2::Digest>::digest(seed.as_bytes());
    hex::encode(&h[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedloom_core::MemoryStore;

    #[test]
    fn receipts_name_their_poll_and_instance_only() {
        let store = MemoryStore::new();
        let a = Pending::new("src", Duration::from_secs(60));
        let b = Pending::new("src", Duration::from_secs(60));
        assert_ne!(a.instance, b.instance);
        // Holding nothing real: the bookkeeping, not the acks.
        let r1 = a.hold(Vec::new());
        let r2 = a.hold(Vec::new());
        let StateOp::Put { key, value, .. } = &r1 else {
            panic!()
        };
        assert!(key.starts_with("src/") && key.ends_with("/00000000000000000001"));
        assert_eq!(value, b"0");
        // Nothing committed yet: nothing settles.
        assert!(a.settle(&store).unwrap().is_empty());
        assert_eq!(a.polls.lock_unpoisoned().len(), 2);
        store.apply(vec![r1]).unwrap();
        // Another instance deletes the receipt without touching `a`'s polls.
        b.settle(&store).unwrap();
        assert_eq!(store.list(NS, "").unwrap().len(), 0);
        assert_eq!(a.polls.lock_unpoisoned().len(), 2);
        store.apply(vec![r2]).unwrap();
        // A source whose id extends ours is left alone.
        store
            .apply(vec![StateOp::put(NS, "src/x/abc/1", "1")])
            .unwrap();
        a.settle(&store).unwrap();
        let polls: Vec<u64> = a.polls.lock_unpoisoned().keys().copied().collect();
        assert_eq!(polls, [1]);
        assert_eq!(store.list(NS, "").unwrap().len(), 1);
        // Held past `forget_after`: dropped.
        let c = Pending::new("src", Duration::ZERO);
        c.hold(Vec::new());
        std::thread::sleep(Duration::from_millis(2));
        c.settle(&store).unwrap();
        assert!(c.polls.lock_unpoisoned().is_empty());
    }
}
