//! The three plugin roles. Each is a small async trait; the runtime owns scheduling,
//! retries, backpressure and acknowledgement, so a plugin only does its one job.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::sync::LockExt;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::state::StateOp;
use crate::{Duration, ExtractError, Item, SinkError, Size, SourceError, StateStore};

/// Settings that apply to every source unless the source overrides them
/// (the top-level `defaults:` block).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Defaults {
    /// How often a source is polled.
    pub interval: Duration,
    /// Random spread added to each interval, as a fraction of it (0.1 = up to ±10%), so that
    /// thousands of feeds do not fire at once.
    pub jitter: f64,
    /// Longest wait between retries of a failing source (exponential backoff is capped here).
    pub max_backoff: Duration,
    /// At most this many fetches in flight across all sources.
    pub max_concurrent_fetches: usize,
    /// At most this many requests in flight to one host.
    pub per_host_concurrency: usize,
    /// Longest time to open a connection (TCP and TLS) before the fetch fails.
    pub connect_timeout: Duration,
    /// Whole-request timeout (connect, headers and body).
    pub timeout: Duration,
    /// Largest response body accepted, counted after decompression: bytes or a size such
    /// as `10MB` or `10MiB`.
    pub max_bytes: Size,
    /// Most redirects one fetch follows before it fails.
    pub max_redirects: usize,
    /// Overrides the `feedloom/VERSION` user agent.
    pub user_agent: Option<String>,
    /// How long delivered item ids are remembered for deduplication.
    pub retention: Duration,
    /// Tags added to every item of every source, besides the source's own `tags`.
    pub tags: Vec<String>,
    /// `fulltext` of every `feed` source that does not set its own: fetch each new item's
    /// link and keep the page's main text.
    pub fulltext: bool,
    /// `fulltext_concurrency` of every `feed` source that does not set its own: article
    /// pages fetched at once per source.
    pub fulltext_concurrency: usize,
    /// `fetch_private_networks` of every `feed` source that does not set its own: allow
    /// article fetches to private, loopback, link-local and metadata addresses.
    pub fetch_private_networks: bool,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            interval: Duration::from_secs(600),
            jitter: 0.1,
            max_backoff: Duration::from_secs(6 * 3600),
            max_concurrent_fetches: 32,
            per_host_concurrency: 2,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_bytes: Size::mib(10),
            max_redirects: 5,
            user_agent: None,
            retention: Duration::from_secs(90 * 86_400),
            tags: Vec::new(),
            fulltext: false,
            fulltext_concurrency: 4,
            fetch_private_networks: false,
        }
    }
}

/// Shared, lazily created resources (an HTTP client, per-host limiters) that plugins of one
/// kind want to share across instances. Keyed by type.
#[derive(Default)]
pub struct Resources {
    map: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Resources {
    /// The shared `T`, created by `init` the first time it is asked for.
    pub fn get_or_init<T: Any + Send + Sync>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        let mut m = self.map.lock_unpoisoned();
        let v = m
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Arc::new(init()) as Arc<dyn Any + Send + Sync>)
            .clone();
        v.downcast::<T>().expect("TypeId matches")
    }
}

/// What a factory gets besides its options.
#[derive(Clone)]
pub struct BuildContext {
    /// The component's id (sources and sinks have one; extractors get `type` or their `id`).
    pub id: String,
    /// Directory of the config file: relative paths in options resolve against it.
    pub config_dir: PathBuf,
    /// Where feedloom keeps its state.
    pub state_dir: PathBuf,
    pub state: Arc<dyn StateStore>,
    pub defaults: Defaults,
    pub resources: Arc<Resources>,
}

impl BuildContext {
    /// A context for tests and one-off tools: in-memory state, paths relative to `dir`.
    pub fn for_tests(dir: &Path) -> Self {
        BuildContext {
            id: "test".into(),
            config_dir: dir.to_path_buf(),
            state_dir: dir.join("state"),
            state: Arc::new(crate::MemoryStore::new()),
            defaults: Defaults::default(),
            resources: Arc::new(Resources::default()),
        }
    }

    /// Resolve a path from the config relative to the config file's directory.
    pub fn resolve(&self, p: impl AsRef<Path>) -> PathBuf {
        let p = p.as_ref();
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.config_dir.join(p)
        }
    }
}

/// What one poll produced: new items, and state to commit once every one of them has been
/// delivered (a feed's ETag, say). Committing late is what makes delivery at-least-once: if
/// the process dies first, the next poll fetches the same items again.
#[derive(Debug, Default)]
pub struct PollBatch {
    pub items: Vec<Item>,
    pub commit: Vec<StateOp>,
    /// How the poll went, for logs and metrics (`ok`, `not_modified`).
    pub outcome: PollOutcome,
    /// Bytes read from the network or disk.
    pub bytes: u64,
    /// Items the source left out because they had nothing to show (no title, link nor
    /// content); the runtime counts them per source (`feedloom_source_items_skipped_total`).
    pub skipped: u64,
    /// Article pages (`fulltext: true`) that could not be fetched or read: those items keep
    /// the feed's text and say why in `fulltext_error`; the runtime counts them per source
    /// (`feedloom_source_fulltext_failures_total`).
    pub fulltext_failed: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum PollOutcome {
    #[default]
    Ok,
    NotModified,
}

/// Per-poll context for a source.
pub struct SourceContext<'a> {
    pub source_id: &'a str,
    /// Has an item with this id been delivered already? Sources use it to skip costly work
    /// (a full-text fetch) for items they have seen. The runtime filters delivered items
    /// out of every batch regardless.
    pub delivered: &'a (dyn Fn(&str) -> bool + Send + Sync),
}

/// Produces items: a feed over HTTP, a directory of files, a message bus.
#[async_trait]
pub trait Source: Send + Sync {
    /// How often to poll this source; `None` uses `defaults.interval`.
    fn interval(&self) -> Option<std::time::Duration> {
        None
    }
    /// Fetch once. Errors are logged with the source id and retried with backoff.
    async fn poll(&self, ctx: &SourceContext<'_>) -> Result<PollBatch, SourceError>;
    /// A short description for status output (the URL, the path).
    fn describe(&self) -> String {
        String::new()
    }
}

/// Adds facts to an item. Runs once per item, in the configured order.
#[async_trait]
pub trait Extractor: Send + Sync {
    async fn extract(&self, item: &mut Item) -> Result<(), ExtractError>;
    /// Release resources (child processes). Called once on shutdown or reload.
    async fn shutdown(&self) {}
    /// The longest one item may legitimately take here, when this extractor bounds its own
    /// work (an `exec` plugin's `timeout` plus a restart). The runtime gives each item
    /// `max(pipeline.extract_timeout, this)`, so a plugin's own limit is never cut short by
    /// the pipeline's. Waits for a shared slot belong in [`crate::deadline::queued`] and are
    /// not counted at all. `None`: `extract_timeout` alone.
    fn time_needed(&self) -> Option<std::time::Duration> {
        None
    }
    /// The synchronous extractor behind this one, if it is plain CPU work ([`Sync2Async`]).
    /// The runtime runs such steps on its worker pool ([`crate::blocking`]), several in a
    /// row as one job, instead of calling [`Extractor::extract`] on the async reactor.
    fn as_sync(&self) -> Option<Arc<dyn SyncExtractor>> {
        None
    }
}

/// A synchronous extractor: most built-in extractors are plain CPU work. Implement this and
/// wrap it with [`Sync2Async`] (the registry helpers do that for you).
pub trait SyncExtractor: Send + Sync {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError>;
    /// True when `extract` changes the item only at its very end, after everything that
    /// can fail or panic (it computes its result, then assigns its fields). The runtime then
    /// keeps no copy of the item before this step: a failure leaves the item as it was by
    /// itself. Keep the default (false) unless that holds.
    fn writes_at_end(&self) -> bool {
        false
    }
    /// The rule behind each fact this extractor adds to `item`, for
    /// `feedloom extract --explain`; called on the item after `extract` ran. An extractor
    /// with no named rules keeps the default (nothing to explain).
    fn explain(&self, item: &Item) -> Vec<crate::Decision> {
        let _ = item;
        Vec::new()
    }
}

/// Adapts a [`SyncExtractor`] to [`Extractor`]. The runtime takes the inner extractor
/// ([`Extractor::as_sync`]) and runs it on its worker pool; called directly, `extract` runs
/// it in place, a panic becoming an error.
pub struct Sync2Async(pub Arc<dyn SyncExtractor>);

#[async_trait]
impl Extractor for Sync2Async {
    async fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        run_contained(&*self.0, item)
    }
    fn as_sync(&self) -> Option<Arc<dyn SyncExtractor>> {
        Some(self.0.clone())
    }
}

/// Run `ex` on `item`, a panic becoming an [`ExtractError`] (`panicked: MESSAGE`). On any
/// error the item is left as it was before the call: without that extractor's fields.
pub fn run_contained(ex: &dyn SyncExtractor, item: &mut Item) -> Result<(), ExtractError> {
    let before = (!ex.writes_at_end()).then(|| item.clone());
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ex.extract(item)))
        .unwrap_or_else(|p| {
            Err(ExtractError::new(format!(
                "panicked: {}",
                crate::blocking::panic_message(&*p)
            )))
        });
    if r.is_err()
        && let Some(b) = before
    {
        *item = b;
    }
    r
}

/// Delivers items somewhere. The runtime batches, retries (with backoff, honouring
/// `SinkError::retry_after`), buffers to disk and dead-letters; a sink only sends.
#[async_trait]
pub trait Sink: Send + Sync {
    /// Deliver a batch, all or nothing. On error the runtime retries the same batch
    /// (retryable) or dead-letters it (permanent).
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError>;
    /// Make everything sent so far durable (fsync, flush buffers).
    async fn flush(&self) -> Result<(), SinkError> {
        Ok(())
    }
    /// Largest batch this sink wants.
    fn batch_size(&self) -> usize {
        1
    }
    /// How long to wait for a batch to fill before sending a partial one.
    fn batch_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_millis(0)
    }
}
