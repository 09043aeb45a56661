//! Acknowledge a message only after its item was delivered, without help from the runtime.
//!
//! The runtime writes a poll's `PollBatch::commit` once every item of that poll went through
//! every sink (or was dead-lettered). So each poll that took messages puts a *receipt* in its
//! commit: key `SOURCE/INSTANCE/POLL` in the namespace [`NS`], value the poll's highest
//! stream sequence and the acknowledgement subjects (`$JS.ACK.…`, the messages' reply
//! subjects) of exactly that poll's messages. At the start of every poll the source reads
//! the receipts written since, acknowledges what they list, and deletes them.
//!
//! Why receipts and not one "highest sequence delivered" marker per source with the
//! handles kept in memory: a marker says nothing about a message whose sequence is below it
//! but that was never delivered, and there are such messages: after the stream is deleted and
//! created again (or `stream:` names another one) sequences start again at 1, far below a
//! stored marker, so every new message would be acknowledged before delivery and lost on a
//! crash; a message redelivered to this source after another process sharing the durable
//! consumer took it and died has a sequence below ours; and on a config reload the old and
//! the new instance of a source write markers for each other's messages. A receipt lists its
//! own messages and nothing else. And because it holds the acknowledgement subjects, not
//! in-memory handles, whoever reads it can acknowledge: the last poll before a shutdown (or
//! every poll of `feedloom once`) is acknowledged by the next process's first poll, instead
//! of waiting `ack_wait` for a redelivery that the delivered-id ledger then drops. Nothing
//! is held in memory; the consumer's `max_ack_pending` bounds the messages in flight.

use std::sync::atomic::{AtomicU64, Ordering};

use feedloom_core::{StateOp, StateStore};
use serde::{Deserialize, Serialize};

/// The state namespace of the receipts.
pub const NS: &str = "nats_source_acks";

/// What one receipt says.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    /// The poll's highest stream sequence (for people reading the store).
    pub highest: u64,
    /// The acknowledgement subjects of the poll's messages.
    pub acks: Vec<String>,
}

/// The receipts of one source instance.
pub struct Receipts {
    source: String,
    instance: String,
    polls: AtomicU64,
}

/// Receipts read from the store: the subjects to acknowledge, and the keys to delete once
/// they are.
#[derive(Debug, Default)]
pub struct Due {
    pub acks: Vec<String>,
    pub keys: Vec<String>,
}

impl Receipts {
    pub fn new(source: &str) -> Self {
        Receipts {
            source: source.to_string(),
            instance: instance_id(),
            polls: AtomicU64::new(0),
        }
    }

    /// The receipt of one poll, to put in its commit.
    pub fn receipt(&self, r: &Receipt) -> StateOp {
        let poll = self.polls.fetch_add(1, Ordering::Relaxed) + 1;
        let key = format!("{}/{}/{poll:020}", self.source, self.instance);
        StateOp::put(NS, key, serde_json::to_vec(r).unwrap_or_default())
    }

    /// Every receipt of this source in `store` (any instance's).
    pub fn due(&self, store: &dyn StateStore) -> Result<Due, String> {
        let prefix = format!("{}/", self.source);
        let mut due = Due::default();
        for (key, value) in store.list(NS, &prefix).map_err(|e| e.to_string())? {
            // `SOURCE/INSTANCE/POLL`: more segments are a source whose id extends ours.
            let rest = key.get(prefix.len()..).unwrap_or("");
            if rest.split('/').count() != 2 {
                continue;
            }
            match serde_json::from_slice::<Receipt>(&value) {
                Ok(r) => due.acks.extend(
                    r.acks
                        .into_iter()
                        // Never publish anywhere else, whatever the store holds.
                        .filter(|s| s.starts_with("$JS.ACK.") && !s.contains(char::is_whitespace)),
                ),
                Err(e) => tracing::warn!(key = %key, error = %e, "dropping an unreadable receipt"),
            }
            due.keys.push(key);
        }
        Ok(due)
    }

    /// Delete receipts whose messages were acknowledged.
    pub fn done(&self, store: &dyn StateStore, keys: Vec<String>) -> Result<(), String> {
        if keys.is_empty() {
            return Ok(());
        }
        let ops = keys.into_iter().map(|k| StateOp::delete(NS, k)).collect();
        store.apply(ops).map_err(|e| e.to_string())
    }
}

/// A random id for one source instance (16 hex digits): polls of two instances (a reload,
/// a restart) never share a key.
fn instance_id() -> String {
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

    fn receipt(acks: &[&str]) -> Receipt {
        Receipt {
            highest: 7,
            acks: acks.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn receipts_are_read_by_any_instance_of_the_source_only() {
        let store = MemoryStore::new();
        let a = Receipts::new("src");
        let b = Receipts::new("src");
        assert_ne!(a.instance, b.instance);
        let r1 = a.receipt(&receipt(&["$JS.ACK.S.c.1.1.1.0.0"]));
        let StateOp::Put { key, .. } = &r1 else {
            panic!("a put")
        };
        assert!(key.starts_with("src/") && key.ends_with("/00000000000000000001"));
        // Not committed yet: nothing is due.
        assert!(b.due(&store).unwrap().acks.is_empty());
        store.apply(vec![r1]).unwrap();
        // A source whose id extends ours, and a subject that is no acknowledgement.
        store
            .apply(vec![
                StateOp::put(NS, "src/x/abc/1", "{}"),
                b.receipt(&receipt(&["news.items", "$JS.ACK.S.c.1.2.2.0.0"])),
            ])
            .unwrap();
        // Another instance (the next process) acknowledges them.
        let mut due = b.due(&store).unwrap();
        due.acks.sort();
        assert_eq!(due.acks, ["$JS.ACK.S.c.1.1.1.0.0", "$JS.ACK.S.c.1.2.2.0.0"]);
        assert_eq!(due.keys.len(), 2);
        b.done(&store, due.keys).unwrap();
        assert_eq!(store.list(NS, "").unwrap().len(), 1, "the other source's");
    }
}
