//! The one error type of the crate.
//!
//! Every variant names where it happened (the URL, the bucket, the stream, the source id) so a
//! log line is enough to act on it. No variant carries a password, a token or the contents of a
//! credentials file: connection errors name the URL with its user info stripped.

use std::path::PathBuf;

/// What went wrong in the cluster layer.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The cluster config does not make sense (bad name, zero shards, a TTL too short...).
    #[error("cluster config: {0}")]
    Config(String),

    /// The credentials file named by `creds_file` could not be read.
    #[error("cluster config: cannot read the NATS credentials file {path}: {reason}")]
    CredsFile {
        /// The file, resolved against the config directory.
        path: PathBuf,
        /// Why it could not be read (an I/O error or a parse error).
        reason: String,
    },

    /// No NATS server of the list could be reached at start.
    #[error("cannot connect to NATS at {urls}: {reason}")]
    Connect {
        /// The server URLs tried, comma-separated, without user info.
        urls: String,
        /// The client's reason (connection refused, timed out, authorization violation...).
        reason: String,
    },

    /// A JetStream request (stream or bucket management, a KV read or write, a publish) failed.
    #[error("NATS JetStream: {what}: {reason}")]
    Nats {
        /// What was being done, with the stream, bucket or key it was done on.
        what: String,
        /// The client's or the server's reason.
        reason: String,
    },

    /// A compare-and-set write found another revision than the one expected: another node
    /// wrote the key since it was read (or created it first).
    #[error(
        "conflict on {what}: expected {}, the key has been written by someone else",
        match expected { Some(r) => format!("revision {r}"), None => "no value".to_string() }
    )]
    Conflict {
        /// The bucket and key (for feed state, the source id).
        what: String,
        /// The revision the write expected (`None`: the key was expected not to exist).
        expected: Option<u64>,
    },

    /// A stored value is not what this crate writes (wrong format, or a hash collision on a
    /// feed-state key).
    #[error("corrupt value in {what}: {reason}")]
    Corrupt {
        /// The bucket and key.
        what: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A network operation did not complete in time.
    #[error("NATS JetStream: {what}: timed out after {after_ms} ms")]
    Timeout {
        /// What was being done.
        what: String,
        /// How long it was given.
        after_ms: u64,
    },
}

impl ClusterError {
    /// A [`ClusterError::Nats`] from any displayable client error.
    pub(crate) fn nats(what: impl Into<String>, err: impl std::fmt::Display) -> Self {
        ClusterError::Nats {
            what: what.into(),
            reason: err.to_string(),
        }
    }

    /// True for [`ClusterError::Conflict`].
    pub fn is_conflict(&self) -> bool {
        matches!(self, ClusterError::Conflict { .. })
    }
}
