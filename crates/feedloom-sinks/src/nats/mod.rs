//! `type: nats` — each item as a JSON message to a NATS subject, by default through
//! JetStream (publish acknowledged by the stream, deduplicated by `Nats-Msg-Id`).
//!
//! ```yaml
//! - id: bus
//!   type: nats
//!   url: nats://127.0.0.1:4222
//!   subject: news.items.{source}     # {source}: the item's source id, subject-safe
//!   mode: jetstream                  # or core (no guarantee beyond the connection)
//!   batch_size: 100
//! ```
//!
//! One folder, one job per file: this file holds the options and registers the sink;
//! [`connect`] (the feedloom-nats crate) the connection options shared with the `nats` source; [`subject`] the subject
//! template and the message id; [`sink`] publishes a batch; [`errors`] says which failures
//! are worth a retry. The page for operators is `docs/nats.md`.

use feedloom_nats as connect;
mod errors;
mod sink;
mod subject;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use feedloom_core::{Duration, Registry};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use connect::Urls;
pub use sink::NatsSink;
pub use subject::{msg_id, subject_safe};

/// How messages are published.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Publish to a JetStream stream and wait for its acknowledgement of every message.
    #[default]
    Jetstream,
    /// Plain NATS publish and flush: delivered to whoever listens at that moment.
    Core,
}

/// Options of `type: nats` (sink).
#[derive(Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatsSinkOptions {
    /// Server URL, or a list of the servers of one cluster (`nats://host:4222`).
    #[serde(default = "connect::default_url")]
    pub url: Urls,
    /// User name (with `password`).
    #[serde(default)]
    pub user: Option<String>,
    /// Password of `user` (use `${ENV}`).
    #[serde(default)]
    pub password: Option<String>,
    /// Authentication token (use `${ENV}`).
    #[serde(default)]
    pub token: Option<String>,
    /// NATS credentials file (JWT and NKey seed), relative to the config file.
    #[serde(default)]
    pub creds_file: Option<PathBuf>,
    /// Longest time to open a connection to one server.
    #[serde(default = "connect::default_connect_timeout")]
    pub connect_timeout: Duration,
    /// Subject each item is published to; `{source}` is replaced by the item's source id,
    /// with every character other than letters, digits, `_` and `-` made `_`.
    pub subject: String,
    /// `jetstream`: wait for the stream's acknowledgement of every message; `core`: plain
    /// publish and flush.
    #[serde(default)]
    pub mode: Mode,
    /// Static headers added to every message.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Items per batch (published together, then their acknowledgements awaited).
    #[serde(default = "hundred")]
    pub batch_size: usize,
    /// How long to wait for a batch to fill.
    #[serde(default = "one_second")]
    pub batch_timeout: Duration,
    /// Longest time for one batch (its acknowledgements included); past it the batch is
    /// retried.
    #[serde(default = "thirty_seconds")]
    pub timeout: Duration,
}

fn hundred() -> usize {
    100
}
fn one_second() -> Duration {
    Duration::from_secs(1)
}
fn thirty_seconds() -> Duration {
    Duration::from_secs(30)
}

impl fmt::Debug for NatsSinkOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsSinkOptions")
            .field("subject", &self.subject)
            .field("mode", &self.mode)
            .field("user", &self.user.as_ref().map(|_| "[redacted]"))
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_sink(
        "nats",
        "publishes items as JSON to a NATS subject (JetStream acks and dedup by default)",
        NatsSink::build,
    );
}
