//! One error type per plugin role. Each carries what the runtime needs to decide what to do
//! next (retry, back off, dead-letter) and a message an operator can act on.

use std::time::Duration;

use thiserror::Error;

/// A plugin's options or construction failed. `path` is the location inside the component's
/// YAML mapping (e.g. `headers.Authorization`), so the config loader can point at a line.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{message}")]
pub struct BuildError {
    /// Dotted path within the component (`""` for the component itself).
    pub path: String,
    pub message: String,
}

impl BuildError {
    pub fn new(message: impl Into<String>) -> Self {
        BuildError {
            path: String::new(),
            message: message.into(),
        }
    }
    /// An error about one field of the component's options.
    pub fn at(path: impl Into<String>, message: impl Into<String>) -> Self {
        BuildError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// What kind of failure a poll hit. Used for metrics labels and for the retry policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceErrorKind {
    /// Could not connect (refused, DNS, TLS).
    Connect,
    Timeout,
    /// The server answered with an error status.
    Status(u16),
    /// The body was not a feed (malformed XML, an HTML page, empty).
    Parse,
    /// The body was larger than `max_bytes`.
    TooLarge,
    /// Local I/O (file sources).
    Io,
    Other,
}

impl SourceErrorKind {
    /// A short label for logs and metrics.
    pub fn label(&self) -> String {
        match self {
            SourceErrorKind::Connect => "connect".into(),
            SourceErrorKind::Timeout => "timeout".into(),
            SourceErrorKind::Status(s) => format!("http_{s}"),
            SourceErrorKind::Parse => "parse".into(),
            SourceErrorKind::TooLarge => "too_large".into(),
            SourceErrorKind::Io => "io".into(),
            SourceErrorKind::Other => "other".into(),
        }
    }
}

/// A poll failed. The runtime logs it once with the source id, counts it and backs off
/// (or waits `retry_after` when the server said so).
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{message}")]
pub struct SourceError {
    pub kind: SourceErrorKind,
    pub message: String,
    /// The server asked us to wait this long (Retry-After).
    pub retry_after: Option<Duration>,
}

impl SourceError {
    pub fn new(kind: SourceErrorKind, message: impl Into<String>) -> Self {
        SourceError {
            kind,
            message: message.into(),
            retry_after: None,
        }
    }
    pub fn with_retry_after(mut self, d: Option<Duration>) -> Self {
        self.retry_after = d;
        self
    }
}

/// An extractor failed on one item. What happens next is the extractor's `on_error` policy
/// (skip: pass the item on unenriched; drop; dead_letter).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{message}")]
pub struct ExtractError {
    pub message: String,
}

impl ExtractError {
    pub fn new(message: impl Into<String>) -> Self {
        ExtractError {
            message: message.into(),
        }
    }
}

/// A sink could not deliver a batch.
#[derive(Debug, Error, Clone, PartialEq)]
#[error("{message}")]
pub struct SinkError {
    pub message: String,
    /// Worth retrying (connection error, timeout, 408, 429, 5xx, a full disk) or permanent
    /// (a 4xx: the same batch will fail the same way; it goes to the dead-letter store).
    pub retryable: bool,
    /// The receiver asked us to wait this long (Retry-After).
    pub retry_after: Option<Duration>,
}

impl SinkError {
    pub fn retryable(message: impl Into<String>) -> Self {
        SinkError {
            message: message.into(),
            retryable: true,
            retry_after: None,
        }
    }
    pub fn permanent(message: impl Into<String>) -> Self {
        SinkError {
            message: message.into(),
            retryable: false,
            retry_after: None,
        }
    }
    pub fn with_retry_after(mut self, d: Option<Duration>) -> Self {
        self.retry_after = d;
        self
    }
}

/// The state store failed (disk full, corrupt file, locked by another process).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("state store: {0}")]
pub struct StateError(pub String);

impl From<std::io::Error> for SinkError {
    fn from(e: std::io::Error) -> Self {
        SinkError::retryable(e.to_string())
    }
}
