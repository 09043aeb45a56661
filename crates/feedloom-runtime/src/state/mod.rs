//! The embedded state store (redb) and the delivery ledger built on it.

mod ledger;
mod redb_store;

pub use ledger::{Ack, BatchTracker, Ledger};
pub use redb_store::RedbStore;

/// Namespaces used by the runtime.
pub mod ns {
    /// Delivered item ids: key `source\u{1f}id`, value the delivery time (unix seconds).
    pub const DELIVERED: &str = "delivered";
    /// Per-source status (last fetch, last error, counts) as JSON.
    pub const SOURCE_STATUS: &str = "source_status";
    /// When each source polls next and its failure streak (`pipeline::Schedule`, JSON),
    /// written with the poll's commit.
    pub const SCHEDULE: &str = "source_schedule";
    /// Dead letters.
    pub const DLQ: &str = "dlq";
}
