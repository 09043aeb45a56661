//! The `feedloom` command line. Thin glue over `feedloom-runtime`: parse arguments, load
//! the config, run the pipeline.
//!
//! A custom binary with extra plugins (see `examples/custom-extractor`):
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     let registry = feedloom::builtin_registry();
//!     // registry.register_sync_extractor("mytype", "what it does", MyExtractor::build);
//!     feedloom::main_with(registry)
//! }
//! ```

mod cli;

pub use cli::main_with;

use feedloom_core::Registry;

/// Every built-in source, extractor and sink.
pub fn builtin_registry() -> Registry {
    let mut r = Registry::new();
    feedloom_sources::register(&mut r);
    feedloom_extract::register(&mut r);
    feedloom_sinks::register(&mut r);
    feedloom_plugins::register(&mut r);
    r
}
