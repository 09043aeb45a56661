//! feedloom's core: the [`Item`] every stage passes along, the plugin traits
//! ([`Source`], [`Extractor`], [`Sink`]), their errors, the [`StateStore`] trait
//! and the [`Registry`] that maps a YAML `type:` to a factory.
//!
//! A plugin is three things: an options struct (serde, `deny_unknown_fields`),
//! a `build` function that turns the options into a running part, and one line
//! in a [`Registry`]. See `examples/custom-extractor` for a complete one.

pub mod backoff;
pub mod blocking;
pub mod deadline;
pub mod duration;
pub mod error;
pub mod explain;
pub mod item;
pub mod options;
pub mod plugin;
pub mod registry;
pub mod size;
pub mod state;
pub mod sync;

pub use duration::Duration;
pub use error::{BuildError, ExtractError, SinkError, SourceError, SourceErrorKind, StateError};
pub use explain::Decision;
pub use item::Item;
pub use options::parse_options;
pub use plugin::{
    BuildContext, Defaults, Extractor, PollBatch, PollOutcome, Resources, Sink, Source,
    SourceContext, SyncExtractor,
};
pub use registry::{ExtractorFactory, Registry, SinkFactory, SourceFactory};
pub use size::Size;
pub use state::{MemoryStore, StateOp, StateStore};

/// The version string of this build (`feedloom/VERSION` in user agents).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
