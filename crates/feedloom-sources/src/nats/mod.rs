//! `type: nats` — items from a JetStream stream, read through a durable pull consumer.
//!
//! ```yaml
//! - id: bus
//!   type: nats
//!   url: nats://127.0.0.1:4222
//!   stream: NEWS                   # must exist; the consumer is created when missing
//!   subject: news.items.>          # optional filter
//!   payload: item                  # item: feedloom Item JSON; text: the body is the article
//! ```
//!
//! A message is acknowledged only once its item was delivered by the sinks: see [`acks`].
//! One folder, one job per file: this file holds the options and registers the source;
//! [`connect`] (the feedloom-nats crate) the connection options shared with the `nats` sink; [`payload`] turns a
//! message into an item; [`acks`] writes and reads the delivery receipts that say which
//! messages may be acknowledged; [`source`] polls. The page for operators is `docs/nats.md`.

pub mod acks;
use feedloom_nats as connect;
mod payload;
mod source;

use std::fmt;
use std::path::PathBuf;

use feedloom_core::{Duration, Registry};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use connect::Urls;
pub use source::NatsSource;

/// What a message's body is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Payload {
    /// A feedloom item as JSON, as the `nats` and `jsonl` sinks write it.
    #[default]
    Item,
    /// The text of an article: the item's content; its id is the `Nats-Msg-Id` header (else
    /// a hash of the body), its title and link the `Title` and `Link` headers.
    Text,
}

/// Options of `type: nats` (source).
#[derive(Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatsSourceOptions {
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
    /// The JetStream stream to read. It must exist: feedloom never creates a stream.
    pub stream: String,
    /// Name of the durable pull consumer (created when missing); default `feedloom_` and the
    /// source id, subject-safe.
    #[serde(default)]
    pub consumer: Option<String>,
    /// Only messages whose subject matches this filter (wildcards allowed); default every
    /// subject of the stream. Used when the consumer is created.
    #[serde(default)]
    pub subject: Option<String>,
    /// `item`: the body is a feedloom item as JSON; `text`: the body is an article's text.
    #[serde(default)]
    pub payload: Payload,
    /// Most messages taken per poll.
    #[serde(default = "batch")]
    pub batch: usize,
    /// How often to poll.
    #[serde(default = "one_second")]
    pub interval: Duration,
    /// How long the server waits for a message's acknowledgement before it delivers the
    /// message again. A message is acknowledged once its item went through every sink, so
    /// keep this well above the slowest pipeline. Used when the consumer is created.
    #[serde(default = "five_minutes")]
    pub ack_wait: Duration,
}

fn batch() -> usize {
    256
}
fn one_second() -> Duration {
    Duration::from_secs(1)
}
fn five_minutes() -> Duration {
    Duration::from_secs(300)
}

impl fmt::Debug for NatsSourceOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NatsSourceOptions")
            .field("stream", &self.stream)
            .field("consumer", &self.consumer)
            .field("subject", &self.subject)
            .field("payload", &self.payload)
            .field("user", &self.user.as_ref().map(|_| "[redacted]"))
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_source(
        "nats",
        "items from a NATS JetStream stream (durable pull consumer, acked once delivered)",
        NatsSource::build,
    );
}
