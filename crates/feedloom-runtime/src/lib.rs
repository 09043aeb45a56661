//! feedloom's runtime: config loading ([`config`]), the pipeline ([`pipeline`]), embedded
//! state and acknowledgement ([`state`]), delivery to sinks ([`delivery`]), routing
//! ([`routing`]) and the dead-letter store ([`dlq`]).

pub mod admin;
mod chain;
pub mod cluster;
pub mod config;
pub mod delivery;
pub mod dlq;
pub mod metrics;
pub mod pipeline;
pub mod prometheus;
pub mod redact;
pub mod reload;
pub mod replay;
pub mod report;
pub mod routing;
pub mod state;
pub mod status;
pub(crate) mod suggest;

pub use config::{Config, ConfigError, ConfigErrors};
pub use pipeline::{Mode, Pipeline};
pub use report::{RunReport, SourceStatus};

/// Errors of the runtime.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    State(#[from] feedloom_core::StateError),
    #[error("{0}")]
    Other(String),
    /// Cluster mode: NATS unreachable at start, a stream or consumer that cannot be made.
    #[error("cluster: {0}")]
    Cluster(String),
}
