//! Delivery: one driver task per sink. It batches, retries with capped exponential backoff
//! (honouring the sink's Retry-After), dead-letters what can never be delivered, and settles
//! each item's [`Ack`] once the sink has taken responsibility for it.
//!
//! Sinks are isolated: each has its own bounded queue, so a slow or dead sink never blocks
//! the others.

mod backlog;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use feedloom_core::backoff::Backoff;
use feedloom_core::{Item, Sink};
use schemars::JsonSchema;
use serde::Deserialize;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::dlq::DeadLetters;
use crate::state::Ack;

pub use backlog::Backlog;

/// Keys of a sink's mapping that belong to the runtime, not to the sink plugin.
pub const SINK_COMMON_KEYS: &[&str] = &[
    "when",
    "max_retries",
    "retry_backoff",
    "retry_max_backoff",
    "buffer",
];

/// The runtime's settings for one sink.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SinkCommon {
    /// Retries of a batch before it goes to the dead-letter store.
    pub max_retries: u32,
    /// First retry delay (doubles each retry).
    pub retry_backoff: feedloom_core::Duration,
    /// Longest retry delay.
    pub retry_max_backoff: feedloom_core::Duration,
    /// Items held in memory for this sink.
    pub buffer: usize,
}

impl Default for SinkCommon {
    fn default() -> Self {
        SinkCommon {
            max_retries: 10,
            retry_backoff: feedloom_core::Duration::from_secs(1),
            retry_max_backoff: feedloom_core::Duration::from_secs(300),
            buffer: 1000,
        }
    }
}

/// JSON Schema of the common sink keys (merged into each sink's schema).
pub fn sink_common_schema() -> serde_json::Value {
    let s = schemars::schema_for!(SinkCommon);
    let mut v = serde_json::to_value(s).unwrap_or_default();
    let mut props = v
        .get_mut("properties")
        .map(|p| p.take())
        .unwrap_or_default();
    if let Some(o) = props.as_object_mut() {
        o.insert("when".into(), serde_json::json!({"type": "object", "description": "routing filter: countries, source, text_matches, entities, duplicate, language, tags, all, any, not"}));
    }
    props
}

/// One item on its way to one sink.
pub struct Envelope {
    pub item: Arc<Item>,
    pub ack: Option<Ack>,
}

/// Counters for one sink (read by status and metrics).
#[derive(Default, Debug)]
pub struct SinkStats {
    pub delivered: AtomicU64,
    pub retries: AtomicU64,
    pub failures: AtomicU64,
    pub dead_letters: AtomicU64,
    /// Items in memory not yet taken by the sink.
    pub queued: AtomicU64,
    /// Items waiting in the disk backlog.
    pub backlog: AtomicU64,
    /// Unix time of the last successful delivery (0: none yet).
    pub last_delivery: AtomicU64,
    /// Unix time of the last failed attempt (0: none yet).
    pub last_failure: AtomicU64,
}

impl SinkStats {
    /// Failing: the last attempt failed and nothing was delivered since.
    pub fn failing(&self) -> bool {
        self.last_failure.load(Ordering::Relaxed) > self.last_delivery.load(Ordering::Relaxed)
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

struct Shared {
    /// The disk backlog; None when it cannot be opened (then a full buffer applies
    /// backpressure instead of spilling).
    backlog: Option<Mutex<Backlog>>,
    /// Something is on disk: new items must queue behind it.
    on_disk: AtomicBool,
    wake: Notify,
}

/// The input end of a sink's driver.
pub struct SinkHandle {
    pub id: String,
    tx: mpsc::Sender<Envelope>,
    task: JoinHandle<()>,
    pub stats: Arc<SinkStats>,
    shared: Arc<Shared>,
}

impl SinkHandle {
    /// Queue an item. When the sink's memory buffer is full (the sink is slow or down) the
    /// item goes to the disk backlog instead, so one sink never holds up the others.
    pub async fn submit(&self, env: Envelope) {
        if !self.shared.on_disk.load(Ordering::Acquire) {
            match self.tx.try_send(env) {
                Ok(()) => {
                    self.stats.queued.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    tracing::error!(sink = %self.id, "sink driver stopped; item left for redelivery");
                    return;
                }
                Err(mpsc::error::TrySendError::Full(env)) => return self.spill_or_wait(env).await,
            }
        }
        self.spill_or_wait(env).await
    }

    async fn spill_or_wait(&self, env: Envelope) {
        if self.shared.backlog.is_some() {
            match spill(&self.shared, &self.stats, vec![env]).await {
                Ok(()) => return,
                Err((e, mut back)) => {
                    tracing::error!(sink = %self.id, error = %e, "cannot write the disk backlog; waiting for the sink instead");
                    if let Some(env) = back.pop() {
                        self.wait_send(env).await;
                    }
                    return;
                }
            }
        }
        self.wait_send(env).await;
    }

    async fn wait_send(&self, env: Envelope) {
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        if self.tx.send(env).await.is_err() {
            self.stats.queued.fetch_sub(1, Ordering::Relaxed);
            tracing::error!(sink = %self.id, "sink driver stopped; item left for redelivery");
        }
    }

    /// Stop taking items, deliver what is queued (until `drain` fires; what is left then goes
    /// to the disk backlog), flush, finish.
    pub async fn close(self) {
        drop(self.tx);
        self.shared.wake.notify_one();
        let _ = self.task.await;
    }
}

/// Write envelopes to the backlog and settle them (the backlog owns them now).
async fn spill(
    shared: &Arc<Shared>,
    stats: &Arc<SinkStats>,
    envs: Vec<Envelope>,
) -> Result<(), (String, Vec<Envelope>)> {
    let sh = shared.clone();
    let items: Vec<Arc<Item>> = envs.iter().map(|e| e.item.clone()).collect();
    let n = items.len() as u64;
    let res = tokio::task::spawn_blocking(move || {
        let Some(b) = &sh.backlog else {
            return Err("no backlog".to_string());
        };
        let mut b = b.lock().unwrap();
        let refs: Vec<&Item> = items.iter().map(|a| a.as_ref()).collect();
        b.push(&refs)?;
        sh.on_disk.store(true, Ordering::Release);
        Ok(())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    match res {
        Ok(()) => {
            stats.backlog.fetch_add(n, Ordering::Relaxed);
            shared.wake.notify_one();
            settle(envs).await;
            Ok(())
        }
        Err(e) => Err((e, envs)),
    }
}

/// Start a driver for `sink`, with its disk backlog under `backlog_dir`. `drain` is
/// cancelled when the driver should stop retrying (shutdown after the drain timeout): what
/// is in memory then goes to the backlog for the next start.
pub fn spawn_sink(
    id: String,
    sink: Arc<dyn Sink>,
    common: SinkCommon,
    dlq: DeadLetters,
    drain: CancellationToken,
    backlog_dir: Option<&Path>,
) -> SinkHandle {
    let (tx, rx) = mpsc::channel(common.buffer.max(1));
    let stats = Arc::new(SinkStats::default());
    let backlog = backlog_dir.and_then(|d| match Backlog::open(d) {
        Ok(b) => Some(b),
        Err(e) => {
            tracing::error!(sink = %id, error = %e, "cannot open the disk backlog; a slow sink will apply backpressure");
            None
        }
    });
    let pending = backlog.as_ref().map(|b| b.len()).unwrap_or(0);
    if pending > 0 {
        tracing::info!(sink = %id, items = pending, "delivering the backlog left by the last run");
    }
    stats.backlog.store(pending, Ordering::Relaxed);
    let shared = Arc::new(Shared {
        on_disk: AtomicBool::new(pending > 0),
        backlog: backlog.map(Mutex::new),
        wake: Notify::new(),
    });
    let driver = Driver {
        id: id.clone(),
        sink,
        common,
        dlq,
        drain,
        stats: stats.clone(),
        shared: shared.clone(),
    };
    let task = tokio::spawn(driver.run(rx));
    SinkHandle {
        id,
        tx,
        task,
        stats,
        shared,
    }
}

struct Driver {
    id: String,
    sink: Arc<dyn Sink>,
    common: SinkCommon,
    dlq: DeadLetters,
    drain: CancellationToken,
    stats: Arc<SinkStats>,
    shared: Arc<Shared>,
}

enum Outcome {
    /// Delivered or dead-lettered.
    Done,
    /// Shutdown cut the retries short.
    Aborted,
}

impl Driver {
    async fn run(self, mut rx: mpsc::Receiver<Envelope>) {
        let max = self.sink.batch_size().max(1);
        let wait = self.sink.batch_timeout();
        let mut closed = false;
        loop {
            // Memory first: what is in memory arrived before what went to disk.
            let first = match rx.try_recv() {
                Ok(e) => Some(e),
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    closed = true;
                    None
                }
                Err(mpsc::error::TryRecvError::Empty) => None,
            };
            if let Some(first) = first {
                let batch = self.collect(first, &mut rx, max, wait).await;
                self.stats
                    .queued
                    .fetch_sub(batch.len() as u64, Ordering::Relaxed);
                if let Outcome::Aborted = self.deliver_envelopes(batch).await {
                    self.spill_rest(&mut rx).await;
                    break;
                }
                continue;
            }
            if self.stats.backlog.load(Ordering::Relaxed) > 0 {
                if let Outcome::Aborted = self.deliver_from_disk(max).await {
                    self.spill_rest(&mut rx).await;
                    break;
                }
                continue;
            }
            if closed || self.drain.is_cancelled() && rx.is_closed() {
                break;
            }
            tokio::select! {
                e = rx.recv() => match e {
                    Some(first) => {
                        let batch = self.collect(first, &mut rx, max, wait).await;
                        self.stats.queued.fetch_sub(batch.len() as u64, Ordering::Relaxed);
                        if let Outcome::Aborted = self.deliver_envelopes(batch).await {
                            self.spill_rest(&mut rx).await;
                            break;
                        }
                    }
                    None => closed = true,
                },
                _ = self.shared.wake.notified() => {}
            }
        }
        if let Err(e) = self.sink.flush().await {
            tracing::error!(sink = %self.id, error = %e, "flush failed");
        }
    }

    async fn collect(
        &self,
        first: Envelope,
        rx: &mut mpsc::Receiver<Envelope>,
        max: usize,
        wait: std::time::Duration,
    ) -> Vec<Envelope> {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + wait;
        while batch.len() < max {
            match rx.try_recv() {
                Ok(e) => batch.push(e),
                Err(_) if wait.is_zero() => break,
                Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(e)) => batch.push(e),
                    _ => break,
                },
            }
        }
        batch
    }

    /// Shutdown: keep what is still in memory on disk (settled) for the next start.
    async fn spill_rest(&self, rx: &mut mpsc::Receiver<Envelope>) {
        rx.close();
        let mut rest = Vec::new();
        while let Ok(e) = rx.try_recv() {
            rest.push(e);
        }
        self.stats
            .queued
            .fetch_sub(rest.len() as u64, Ordering::Relaxed);
        if rest.is_empty() {
            return;
        }
        let n = rest.len();
        match spill(&self.shared, &self.stats, rest).await {
            Ok(()) => {
                tracing::warn!(sink = %self.id, items = n, "sink still failing at shutdown; items kept in its disk backlog for the next start")
            }
            Err((e, _)) => {
                tracing::warn!(sink = %self.id, items = n, error = %e, "sink still failing at shutdown; items will be fetched again after the next start")
            }
        }
    }

    async fn deliver_envelopes(&self, batch: Vec<Envelope>) -> Outcome {
        let items: Vec<Item> = batch.iter().map(|e| (*e.item).clone()).collect();
        match self.deliver(&items).await {
            Outcome::Done => {
                settle(batch).await;
                Outcome::Done
            }
            Outcome::Aborted => {
                // Put the batch itself on disk so it is not lost either.
                let n = batch.len();
                if let Err((e, _)) = spill(&self.shared, &self.stats, batch).await {
                    tracing::warn!(sink = %self.id, items = n, error = %e, "undelivered items will be fetched again after the next start");
                }
                Outcome::Aborted
            }
        }
    }

    async fn deliver_from_disk(&self, max: usize) -> Outcome {
        let sh = self.shared.clone();
        let peeked = tokio::task::spawn_blocking(move || {
            sh.backlog.as_ref().map(|b| b.lock().unwrap().peek(max))
        })
        .await;
        let (items, end) = match peeked {
            Ok(Some(Ok(x))) => x,
            Ok(Some(Err(e))) => {
                tracing::error!(sink = %self.id, error = %e, "cannot read the disk backlog");
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
                    _ = self.drain.cancelled() => return Outcome::Aborted,
                }
                return Outcome::Done;
            }
            _ => return Outcome::Done,
        };
        let n = items.len() as u64;
        let outcome = if items.is_empty() {
            Outcome::Done
        } else {
            self.deliver(&items).await
        };
        if let Outcome::Done = outcome {
            let sh = self.shared.clone();
            let res = tokio::task::spawn_blocking(move || {
                let Some(b) = &sh.backlog else { return Ok(0) };
                let mut b = b.lock().unwrap();
                b.consume(end, n)?;
                if b.is_empty() {
                    sh.on_disk.store(false, Ordering::Release);
                }
                Ok::<u64, String>(b.len())
            })
            .await;
            match res {
                Ok(Ok(left)) => self.stats.backlog.store(left, Ordering::Relaxed),
                Ok(Err(e)) => {
                    tracing::error!(sink = %self.id, error = %e, "cannot advance the backlog cursor; items may be delivered twice")
                }
                Err(e) => tracing::error!(sink = %self.id, error = %e, "backlog task failed"),
            }
        }
        outcome
    }

    /// Deliver one batch with retries; dead-letter it when it can never be delivered.
    async fn deliver(&self, items: &[Item]) -> Outcome {
        let backoff = Backoff::new(
            self.common.retry_backoff.get(),
            self.common.retry_max_backoff.get(),
        )
        .with_jitter(0.2);
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            match self.sink.send(items).await {
                Ok(()) => {
                    self.stats
                        .delivered
                        .fetch_add(items.len() as u64, Ordering::Relaxed);
                    self.stats
                        .last_delivery
                        .store(now_secs(), Ordering::Relaxed);
                    if attempt > 1 {
                        tracing::info!(sink = %self.id, attempts = attempt, "delivered after retrying");
                    }
                    return Outcome::Done;
                }
                Err(e) => {
                    self.stats.failures.fetch_add(1, Ordering::Relaxed);
                    self.stats.last_failure.store(now_secs(), Ordering::Relaxed);
                    if !e.retryable || attempt > self.common.max_retries {
                        tracing::error!(sink = %self.id, error = %e, attempts = attempt, items = items.len(), "delivery failed; batch kept in the dead-letter store");
                        match self.dlq.add(&self.id, items.to_vec(), &e.message, attempt) {
                            Ok(()) => {
                                self.stats.dead_letters.fetch_add(1, Ordering::Relaxed);
                                return Outcome::Done;
                            }
                            Err(se) => {
                                tracing::error!(sink = %self.id, error = %se, "could not keep the dead letter; retrying");
                            }
                        }
                    }
                    let delay =
                        backoff.delay(attempt.min(self.common.max_retries.max(1)), e.retry_after);
                    if attempt == 1 {
                        tracing::warn!(sink = %self.id, error = %e, retry_in = ?delay, "delivery failed; retrying");
                    }
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.drain.cancelled() => return Outcome::Aborted,
                    }
                }
            }
        }
    }
}

async fn settle(batch: Vec<Envelope>) {
    for e in batch {
        if let Some(a) = e.ack {
            a.settle().await;
        }
    }
}
