//! The `cluster:` config block.

use std::fmt;
use std::path::PathBuf;

use feedloom_core::Duration;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::error::ClusterError;

/// Cluster mode: several feedloom processes share one workload over NATS JetStream.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// NATS server URL, or a list of them (`nats://host:4222`); the client picks one and moves
    /// to another when it fails, and reconnects by itself after an outage.
    pub nats_url: NatsUrls,

    /// User name for user/password authentication (with `password`).
    #[serde(default)]
    pub user: Option<String>,

    /// Password for user/password authentication (with `user`). Never logged.
    #[serde(default)]
    pub password: Option<Secret>,

    /// Token authentication. Never logged.
    #[serde(default)]
    pub token: Option<Secret>,

    /// A NATS `.creds` file (JWT and NKey seed), relative to the config file's directory.
    #[serde(default)]
    pub creds_file: Option<PathBuf>,

    /// Name of this cluster: the prefix of every stream and bucket it creates, so several
    /// clusters (or test runs) can share one NATS server. Letters, digits, `_` and `-`.
    #[serde(default = "default_name")]
    pub name: String,

    /// This node's id, unique in the cluster (default: the host name and the process id, e.g.
    /// `web-3-4711`). Letters, digits, `_`, `-` and `.`.
    #[serde(default)]
    pub node_id: Option<String>,

    /// Number of shards sources are hashed into; each shard is leased by one node at a time.
    /// Fixed for the life of the cluster: changing it moves most sources to another shard.
    #[serde(default = "default_shards")]
    pub shards: u32,

    /// How long a shard lease lives without renewal; renewed every third of it. A node killed
    /// without a clean shutdown has its shards taken over after about this long.
    #[serde(default = "default_lease_ttl")]
    pub lease_ttl: Duration,

    /// Window in which JetStream drops a second publish of the same item id (`Nats-Msg-Id`).
    #[serde(default = "default_dedup_window")]
    pub dedup_window: Duration,

    /// How many times an item is delivered to a worker before it goes to the dead-letter
    /// stream.
    #[serde(default = "default_max_deliver")]
    pub max_deliver: u32,

    /// How long a worker has to acknowledge an item before it is delivered again.
    #[serde(default = "default_ack_wait")]
    pub ack_wait: Duration,
}

fn default_name() -> String {
    "feedloom".to_string()
}
fn default_shards() -> u32 {
    1024
}
fn default_lease_ttl() -> Duration {
    Duration::from_secs(15)
}
fn default_dedup_window() -> Duration {
    Duration::from_secs(120)
}
fn default_max_deliver() -> u32 {
    5
}
fn default_ack_wait() -> Duration {
    Duration::from_secs(60)
}

/// Most shards a cluster may have.
pub const MAX_SHARDS: u32 = 65_536;
/// Shortest lease TTL accepted.
pub const MIN_LEASE_TTL: std::time::Duration = std::time::Duration::from_millis(500);

/// One NATS URL or a list of them.
#[derive(Clone, Debug, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(untagged)]
pub enum NatsUrls {
    /// One server.
    One(String),
    /// Several servers of one NATS cluster.
    Many(Vec<String>),
}

impl NatsUrls {
    /// The URLs as a list.
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            NatsUrls::One(u) => vec![u.clone()],
            NatsUrls::Many(v) => v.clone(),
        }
    }
}

/// A secret string (password, token): deserialized like a string, shown as `***`.
#[derive(Clone, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    /// The secret itself; pass it on, never print it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

impl ClusterConfig {
    /// A config with every default and one server URL (`name` "feedloom"): for tests and
    /// programs that build their config in code.
    pub fn new(nats_url: impl Into<String>) -> Self {
        ClusterConfig {
            nats_url: NatsUrls::One(nats_url.into()),
            user: None,
            password: None,
            token: None,
            creds_file: None,
            name: default_name(),
            node_id: None,
            shards: default_shards(),
            lease_ttl: default_lease_ttl(),
            dedup_window: default_dedup_window(),
            max_deliver: default_max_deliver(),
            ack_wait: default_ack_wait(),
        }
    }

    /// Checks every field; the message names the field and what is accepted.
    pub fn validate(&self) -> Result<(), ClusterError> {
        let bad = |m: String| Err(ClusterError::Config(m));
        let urls = self.nats_url.to_vec();
        if urls.is_empty() || urls.iter().any(|u| u.trim().is_empty()) {
            return bad("`nats_url` must name at least one server, and no empty URL".into());
        }
        if !is_valid_name(&self.name) {
            return bad(format!(
                "`name` {:?} must be 1 to 64 characters of letters, digits, `_` and `-`",
                self.name
            ));
        }
        if let Some(id) = &self.node_id
            && !is_valid_node_id(id)
        {
            return bad(format!(
                "`node_id` {id:?} must be 1 to 128 characters of letters, digits, `_`, `-` and \
                 `.`, not starting or ending with `.`"
            ));
        }
        if self.shards == 0 || self.shards > MAX_SHARDS {
            return bad(format!(
                "`shards` is {}; it must be between 1 and {MAX_SHARDS}",
                self.shards
            ));
        }
        if self.lease_ttl.get() < MIN_LEASE_TTL {
            return bad(format!(
                "`lease_ttl` is {}; it must be at least {}ms",
                self.lease_ttl,
                MIN_LEASE_TTL.as_millis()
            ));
        }
        if self.max_deliver == 0 {
            return bad("`max_deliver` must be at least 1".into());
        }
        if self.ack_wait.get().is_zero() {
            return bad("`ack_wait` must be more than 0s".into());
        }
        let methods = [
            self.user.is_some() || self.password.is_some(),
            self.token.is_some(),
            self.creds_file.is_some(),
        ];
        if methods.iter().filter(|m| **m).count() > 1 {
            return bad(
                "give one way to authenticate: `user` and `password`, `token`, or `creds_file`"
                    .into(),
            );
        }
        if self.user.is_some() != self.password.is_some() {
            return bad("`user` and `password` go together".into());
        }
        Ok(())
    }

    /// This node's id: `node_id`, or the host name and the process id.
    pub fn resolved_node_id(&self) -> String {
        match &self.node_id {
            Some(id) => id.clone(),
            None => default_node_id(),
        }
    }
}

/// `<hostname>-<pid>`, the host name reduced to the characters a node id may have.
pub fn default_node_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let host: String = host
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    let host = if host.is_empty() {
        "node".to_string()
    } else {
        host
    };
    format!("{host}-{}", std::process::id())
}

/// A cluster name: 1 to 64 of `[A-Za-z0-9_-]`.
pub fn is_valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A node id: 1 to 128 of `[A-Za-z0-9_.-]`, not starting or ending with `.` (it is a KV key).
pub fn is_valid_node_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && !s.starts_with('.')
        && !s.ends_with('.')
        && !s.contains("..")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}
