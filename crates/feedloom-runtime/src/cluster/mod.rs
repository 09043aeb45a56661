//! Cluster mode: this process is one node of several that share one config's work over NATS
//! JetStream (`cluster:` in the YAML; see docs/cluster.md).
//!
//! ```text
//!  sources (the shards this node leases) ──publish, msg-id──▶ <name>-work (work queue)
//!     └─ feed state: KV <name>-feeds, compare-and-set, after every publish is acked
//!  <name>-work ──durable consumer `extract`, every node──▶ extractor chain
//!     ──publish, msg-id──▶ <name>-out (interest) ──one durable consumer per sink──▶ sinks
//!  extractor failures: nak with delay, then <name>-dead after max_deliver
//! ```
//!
//! - `node`: connecting, the streams and consumers, leases, counters, shutdown.
//! - `record`: a source's shared state (validators, schedule, recent item ids).
//! - [`status`]: what `status`, `/status` and `/metrics` show of the cluster.
//!
//! The pipeline's side (lease-gated polls, the extraction consumer, the sink consumers) is
//! in `pipeline/cluster/`.

pub mod dlq;
mod node;
mod record;
pub mod status;

pub use node::{ClusterCounters, ClusterNode, ConsumerLag};
pub use record::{Feed, FeedRecord};

/// The work stream's logical name and subject: items as polled.
pub const WORK_STREAM: &str = "work";
pub(crate) const WORK_SUBJECT: &str = "work.items";
/// The stream of extracted items the sinks consume.
pub const OUT_STREAM: &str = "out";
pub(crate) const OUT_SUBJECT: &str = "out.items";
/// The durable consumer of the work stream every node's extractors share.
pub const EXTRACT_CONSUMER: &str = "extract";

/// The message id of an item: the server drops a second publish of it within the
/// duplicate window. Hex SHA-256 of `source \x1f item id`, 32 digits.
pub fn msg_id(source: &str, item: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(source.as_bytes());
    h.update([0x1f]);
    h.update(item.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// The durable consumer name of sink `id` on the out stream: `sink-<id>` when the id is
/// letters, digits, `_` and `-`; otherwise those characters replaced by `_` and a hash of
/// the id appended (two ids never share a consumer).
pub fn sink_consumer(id: &str) -> String {
    let clean: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean == id {
        format!("sink-{id}")
    } else {
        format!("sink-{clean}-{}", &msg_id("sink", id)[..8])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_names_are_valid_and_distinct() {
        assert_eq!(sink_consumer("out"), "sink-out");
        let a = sink_consumer("a.b");
        let b = sink_consumer("a b");
        assert!(a.starts_with("sink-a_b-") && b.starts_with("sink-a_b-"));
        assert_ne!(a, b);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        );
    }

    #[test]
    fn msg_ids_separate_sources() {
        assert_ne!(msg_id("a", "bc"), msg_id("ab", "c"));
        assert_eq!(msg_id("a", "b").len(), 32);
    }
}
