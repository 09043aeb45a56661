//! Delivery: one driver task per sink. It batches, retries with capped exponential backoff
//! (honouring the sink's Retry-After), dead-letters what can never be delivered, and settles
//! each item's [`Ack`] once the sink has taken responsibility for it: delivered, kept in the
//! sink's disk backlog (fsynced), or kept in the dead-letter store.
//!
//! Sinks are isolated: each has its own bounded queue (`buffer` items). When it is full and
//! the sink is failing, or takes nothing for [`SPILL_AFTER`], the item goes to the sink's disk
//! backlog instead, so a slow or dead sink never holds up the others and memory stays
//! bounded; a healthy sink that is merely busy makes the submitter wait for room, and its
//! items never pass through the disk. Once anything is on disk, new items queue behind it on
//! disk, so the sink receives items in arrival order (except across a reload of that sink,
//! where the old driver's queue is put after what the new one already spilled). When the
//! backlog cannot be written (no disk space) a full queue applies backpressure instead:
//! nothing is dropped, and intake slows to what the sink takes.
//!
//! Spilling is a group commit: [`SinkHandle::submit`] puts the item on the lane's spill
//! queue (at most [`SPILL_QUEUE_MAX`] items; a full queue makes the submitter wait) and
//! returns; one writer per lane appends everything queued meanwhile and fsyncs once, then
//! settles those items' acks. An item is still on disk before the pipeline counts it as
//! taken by the sink (its ack settles after the fsync), but an extract worker no longer
//! waits for one fsync per item, so a dead sink does not cap intake for the others.
//!
//! What a sink id keeps across reloads (its counters, its backlog) is its [`SinkLane`]; a
//! driver that is replaced hands over by spilling its queue to the lane's backlog, and only
//! one driver at a time reads the backlog.

mod backlog;

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use feedloom_core::backoff::Backoff;
use feedloom_core::sync::LockExt;
use feedloom_core::{Item, Sink, SinkError};
use schemars::JsonSchema;
use serde::Deserialize;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::dlq::DeadLetters;
pub use crate::redact::Redactor;
use crate::state::Ack;

pub use backlog::{Backlog, Peeked, Pos, SEGMENT_BYTES};

/// Items at most waiting on a lane's spill queue for the next group commit.
pub const SPILL_QUEUE_MAX: usize = 512;

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

/// JSON Schema of the common sink keys (merged into each sink's schema; the config schema
/// adds the routing keys, `when:` among them, from their own types).
pub fn sink_common_schema() -> serde_json::Value {
    let s = schemars::schema_for!(SinkCommon);
    let mut v = serde_json::to_value(s).unwrap_or_default();
    v.get_mut("properties")
        .map(|p| p.take())
        .unwrap_or_default()
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

/// How long [`SinkHandle::submit`] waits for room in a healthy sink's full queue before the
/// item goes to the disk backlog instead: a sink that takes no item for this long is slow.
pub const SPILL_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// What one sink id keeps for the life of the process, across reloads that replace its
/// driver: its counters and its disk backlog.
pub struct SinkLane {
    pub id: String,
    pub stats: Arc<SinkStats>,
    /// The disk backlog; None when there is none (in-memory runs) or it cannot be opened
    /// (then a full buffer applies backpressure instead of spilling).
    backlog: Option<Mutex<Backlog>>,
    /// Something is on disk: new items must queue behind it.
    on_disk: AtomicBool,
    wake: Notify,
    /// Held while a driver reads, delivers and consumes a batch from the backlog: the old
    /// driver of a reloaded sink finishes its batch before the new one reads.
    reader: tokio::sync::Mutex<()>,
    /// Items on their way to the backlog (group commit).
    spill_q: Mutex<SpillQueue>,
    /// The spill queue has room again.
    spill_room: Notify,
    /// The spill writer finished.
    spill_idle: Notify,
    /// The current driver's queue, for items the backlog cannot take (disk full): they wait
    /// for the sink instead. Weak: it must not keep a closed driver's queue open.
    fallback: Mutex<Option<mpsc::WeakSender<Envelope>>>,
}

#[derive(Default)]
struct SpillQueue {
    items: VecDeque<Envelope>,
    /// Taken by the writer and not yet on disk.
    inflight: usize,
    /// A writer task runs.
    writer: bool,
}

impl SinkLane {
    /// A lane for sink `id`, with its disk backlog in `backlog_dir` (None: memory only).
    pub fn open(id: &str, backlog_dir: Option<&Path>) -> Arc<SinkLane> {
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
        let stats = Arc::new(SinkStats::default());
        stats.backlog.store(pending, Ordering::Relaxed);
        Arc::new(SinkLane {
            id: id.to_string(),
            stats,
            on_disk: AtomicBool::new(pending > 0),
            backlog: backlog.map(Mutex::new),
            wake: Notify::new(),
            reader: tokio::sync::Mutex::new(()),
            spill_q: Mutex::new(SpillQueue::default()),
            spill_room: Notify::new(),
            spill_idle: Notify::new(),
            fallback: Mutex::new(None),
        })
    }

    /// Appends (each one fsync) made to the disk backlog so far.
    pub fn backlog_syncs(&self) -> u64 {
        self.backlog
            .as_ref()
            .map_or(0, |b| b.lock_unpoisoned().syncs())
    }

    /// Queue an item for the next group commit to the backlog; wait only while the spill
    /// queue is full.
    async fn enqueue_spill(self: &Arc<Self>, env: Envelope) {
        let mut env = Some(env);
        loop {
            let room = self.spill_room.notified();
            tokio::pin!(room);
            room.as_mut().enable();
            {
                let mut q = self.spill_q.lock_unpoisoned();
                if q.items.len() < SPILL_QUEUE_MAX {
                    q.items.extend(env.take());
                    // New items queue behind this one.
                    self.on_disk.store(true, Ordering::Release);
                    if !q.writer {
                        q.writer = true;
                        tokio::spawn(spill_writer(self.clone()));
                    }
                    return;
                }
            }
            room.await;
        }
    }

    /// Wait until the spill queue is written out and its writer has finished.
    async fn spilled(&self) {
        loop {
            let idle = self.spill_idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if !self.spill_q.lock_unpoisoned().writer {
                return;
            }
            idle.await;
        }
    }

    /// The backlog was emptied: new items may go to memory again, unless some are on their
    /// way to disk (decided under the spill queue's lock, which every spill takes).
    fn backlog_emptied(&self) {
        let q = self.spill_q.lock_unpoisoned();
        if q.items.is_empty() && q.inflight == 0 {
            self.on_disk.store(false, Ordering::Release);
        }
    }

    /// Has a disk backlog to spill to.
    pub fn has_backlog(&self) -> bool {
        self.backlog.is_some()
    }

    fn backlog_len(&self) -> u64 {
        self.stats.backlog.load(Ordering::Acquire)
    }
}

/// The lane's spill writer: appends what is queued in one write and one fsync, settles
/// those acks, and goes on until the queue is empty.
async fn spill_writer(lane: Arc<SinkLane>) {
    loop {
        let batch: Vec<Envelope> = {
            let mut q = lane.spill_q.lock_unpoisoned();
            if q.items.is_empty() {
                q.writer = false;
                q.inflight = 0;
                lane.spill_idle.notify_waiters();
                return;
            }
            q.inflight = q.items.len();
            q.items.drain(..).collect()
        };
        lane.spill_room.notify_waiters();
        if let Err((e, back)) = spill(&lane, batch).await {
            tracing::error!(sink = %lane.id, items = back.len(), error = %e, "cannot write the disk backlog; waiting for the sink instead");
            let tx = lane
                .fallback
                .lock_unpoisoned()
                .as_ref()
                .and_then(|w| w.upgrade());
            for env in back {
                match &tx {
                    Some(tx) => {
                        lane.stats.queued.fetch_add(1, Ordering::Relaxed);
                        if tx.send(env).await.is_err() {
                            lane.stats.queued.fetch_sub(1, Ordering::Relaxed);
                            tracing::error!(sink = %lane.id, "sink driver stopped; item left for redelivery");
                        }
                    }
                    None => {
                        tracing::error!(sink = %lane.id, "sink driver stopped; item left for redelivery")
                    }
                }
            }
        }
        lane.spill_q.lock_unpoisoned().inflight = 0;
    }
}

/// The input end of a sink's driver.
pub struct SinkHandle {
    pub id: String,
    tx: mpsc::Sender<Envelope>,
    task: JoinHandle<()>,
    pub stats: Arc<SinkStats>,
    lane: Arc<SinkLane>,
    /// Cancelled: stop retrying; what is not delivered goes to the backlog.
    abort: CancellationToken,
}

impl SinkHandle {
    /// Queue an item. When the sink's memory buffer is full (the sink is slow or down) the
    /// item goes to the disk backlog instead, so one sink never holds up the others.
    pub async fn submit(&self, env: Envelope) {
        if !self.lane.on_disk.load(Ordering::Acquire) {
            match self.tx.try_send(env) {
                Ok(()) => {
                    self.stats.queued.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                // The driver stopped (a reload replaced it): the backlog reaches its successor.
                Err(mpsc::error::TrySendError::Closed(env)) => {
                    return self.spill_or_wait(env).await;
                }
                Err(mpsc::error::TrySendError::Full(env)) => return self.when_full(env).await,
            }
        }
        self.spill_or_wait(env).await
    }

    /// The queue is full. A healthy sink is only busy: wait for room (up to [`SPILL_AFTER`])
    /// rather than write the item to disk and read it back. A failing sink, or one that takes
    /// nothing for that long, is slow or down: the item goes to the disk backlog.
    async fn when_full(&self, env: Envelope) {
        if !self.stats.failing()
            && let Ok(Ok(permit)) = tokio::time::timeout(SPILL_AFTER, self.tx.reserve()).await
            // Something went to disk meanwhile: queue behind it to keep the order.
            && !self.lane.on_disk.load(Ordering::Acquire)
        {
            self.stats.queued.fetch_add(1, Ordering::Relaxed);
            permit.send(env);
            return;
        }
        self.spill_or_wait(env).await
    }

    async fn spill_or_wait(&self, env: Envelope) {
        if self.lane.has_backlog() {
            // Group commit: the ack settles once the item is on disk, without this caller
            // waiting for the fsync (see the module docs).
            return self.lane.enqueue_spill(env).await;
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

    /// Stop retrying at once when there is a backlog to hand over to (a reload replaced this
    /// sink): what is not delivered goes to the lane's backlog, where the new driver finds it.
    pub fn hand_over(&self) {
        if self.lane.has_backlog() {
            self.abort.cancel();
        }
    }

    /// Stop taking items, deliver what is queued (until `drain` fires; what is left then goes
    /// to the disk backlog), flush, finish.
    pub async fn close(self) {
        // What is on its way to the backlog gets there (and its acks settle) first.
        self.lane.spilled().await;
        drop(self.tx);
        self.lane.wake.notify_waiters();
        let _ = self.task.await;
    }
}

/// Write envelopes to the lane's backlog and settle them (the backlog owns them now).
async fn spill(lane: &Arc<SinkLane>, envs: Vec<Envelope>) -> Result<(), (String, Vec<Envelope>)> {
    let l = lane.clone();
    let items: Vec<Arc<Item>> = envs.iter().map(|e| e.item.clone()).collect();
    let res = tokio::task::spawn_blocking(move || {
        let Some(b) = &l.backlog else {
            return Err("no backlog".to_string());
        };
        let mut b = b.lock_unpoisoned();
        let refs: Vec<&Item> = items.iter().map(|a| a.as_ref()).collect();
        b.push(&refs)?;
        l.on_disk.store(true, Ordering::Release);
        l.stats.backlog.store(b.len(), Ordering::Release);
        Ok(())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    match res {
        Ok(()) => {
            lane.wake.notify_waiters();
            settle(envs).await;
            Ok(())
        }
        Err(e) => Err((e, envs)),
    }
}

/// Start a driver for `sink` on `lane`. `drain` is cancelled when every driver should stop
/// retrying (shutdown after the drain timeout): what is in memory then goes to the backlog
/// for the next start. Messages are passed through `redact` before they are logged or kept.
pub fn spawn_sink(
    sink: Arc<dyn Sink>,
    common: SinkCommon,
    dlq: DeadLetters,
    drain: &CancellationToken,
    lane: Arc<SinkLane>,
    redact: Redactor,
) -> SinkHandle {
    let (tx, rx) = mpsc::channel(common.buffer.max(1));
    *lane.fallback.lock_unpoisoned() = Some(tx.downgrade());
    let abort = drain.child_token();
    let driver = Driver {
        id: lane.id.clone(),
        sink,
        common,
        dlq,
        abort: abort.clone(),
        stats: lane.stats.clone(),
        lane: lane.clone(),
        redact,
    };
    let task = tokio::spawn(driver.run(rx));
    SinkHandle {
        id: lane.id.clone(),
        tx,
        task,
        stats: lane.stats.clone(),
        lane,
        abort,
    }
}

struct Driver {
    id: String,
    sink: Arc<dyn Sink>,
    common: SinkCommon,
    dlq: DeadLetters,
    abort: CancellationToken,
    stats: Arc<SinkStats>,
    lane: Arc<SinkLane>,
    redact: Redactor,
}

enum Outcome {
    /// Delivered or dead-lettered.
    Done,
    /// Shutdown or a hand-over cut the retries short.
    Aborted,
}

impl Driver {
    async fn run(self, mut rx: mpsc::Receiver<Envelope>) {
        let max = self.sink.batch_size().max(1);
        let wait = self.sink.batch_timeout();
        loop {
            // Registered before the checks below, so a spill between them still wakes us.
            let notified = self.lane.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            // Memory first: what is in memory arrived before what went to disk.
            let closed = match rx.try_recv() {
                Ok(first) => {
                    if let Outcome::Aborted = self.deliver_queued(first, &mut rx, max, wait).await {
                        break;
                    }
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => true,
                Err(mpsc::error::TryRecvError::Empty) => false,
            };
            if self.lane.backlog_len() > 0 && !self.abort.is_cancelled() {
                if let Outcome::Aborted = self.deliver_from_disk(max).await {
                    self.spill_rest(&mut rx).await;
                    break;
                }
                continue;
            }
            if closed {
                break;
            }
            tokio::select! {
                // None: closed; the next turn finds it disconnected and finishes.
                e = rx.recv() => if let Some(first) = e
                    && let Outcome::Aborted = self.deliver_queued(first, &mut rx, max, wait).await
                {
                    break;
                },
                _ = &mut notified => {}
            }
        }
        if let Err(e) = self.sink.flush().await {
            tracing::error!(sink = %self.id, error = %self.redact.redact(&e.message), "flush failed");
        }
    }

    /// Deliver a batch from memory starting with `first`; on abort, spill the rest.
    async fn deliver_queued(
        &self,
        first: Envelope,
        rx: &mut mpsc::Receiver<Envelope>,
        max: usize,
        wait: std::time::Duration,
    ) -> Outcome {
        let batch = self.collect(first, rx, max, wait).await;
        let out = self.deliver_envelopes(batch).await;
        if let Outcome::Aborted = out {
            self.spill_rest(rx).await;
        }
        out
    }

    async fn collect(
        &self,
        first: Envelope,
        rx: &mut mpsc::Receiver<Envelope>,
        max: usize,
        wait: std::time::Duration,
    ) -> Vec<Envelope> {
        // `queued` counts what is in the channel: each item leaves it as it is taken.
        let taken = || self.stats.queued.fetch_sub(1, Ordering::Relaxed);
        taken();
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + wait;
        while batch.len() < max {
            match rx.try_recv() {
                Ok(e) => {
                    taken();
                    batch.push(e);
                }
                Err(_) if wait.is_zero() => break,
                Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(e)) => {
                        taken();
                        batch.push(e);
                    }
                    _ => break,
                },
            }
        }
        batch
    }

    /// Shutdown or hand-over: keep what is still in memory on disk (settled) for the next
    /// start or the next driver.
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
        match spill(&self.lane, rest).await {
            Ok(()) => {
                tracing::warn!(sink = %self.id, items = n, "sink still failing; items kept in its disk backlog")
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
                if let Err((e, _)) = spill(&self.lane, batch).await {
                    tracing::warn!(sink = %self.id, items = n, error = %e, "undelivered items will be fetched again after the next start");
                }
                Outcome::Aborted
            }
        }
    }

    async fn deliver_from_disk(&self, max: usize) -> Outcome {
        let _reader = tokio::select! {
            g = self.lane.reader.lock() => g,
            _ = self.abort.cancelled() => return Outcome::Aborted,
        };
        let lane = self.lane.clone();
        let peeked = tokio::task::spawn_blocking(move || {
            lane.backlog.as_ref().map(|b| b.lock_unpoisoned().peek(max))
        })
        .await;
        let Peeked { items, end, lines } = match peeked {
            Ok(Some(Ok(p))) => p,
            Ok(Some(Err(e))) => {
                tracing::error!(sink = %self.id, error = %e, "cannot read the disk backlog");
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
                    _ = self.abort.cancelled() => return Outcome::Aborted,
                }
                return Outcome::Done;
            }
            Ok(None) => {
                self.stats.backlog.store(0, Ordering::Release);
                return Outcome::Done;
            }
            Err(e) => {
                tracing::error!(sink = %self.id, error = %e, "backlog task failed");
                return Outcome::Done;
            }
        };
        let outcome = if items.is_empty() {
            Outcome::Done
        } else {
            self.deliver(&items).await
        };
        if let Outcome::Done = outcome {
            let lane = self.lane.clone();
            let res = tokio::task::spawn_blocking(move || {
                let Some(b) = &lane.backlog else {
                    return Ok(());
                };
                let mut b = b.lock_unpoisoned();
                b.consume(end, lines)?;
                // Items still on their way to disk keep the order too.
                if b.is_empty() {
                    lane.backlog_emptied();
                }
                lane.stats.backlog.store(b.len(), Ordering::Release);
                Ok::<(), String>(())
            })
            .await;
            match res {
                Ok(Ok(())) => {}
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
            match contained_send(&*self.sink, items).await {
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
                    let message = self.redact.redact(&e.message);
                    if !e.retryable || attempt > self.common.max_retries {
                        tracing::error!(sink = %self.id, error = %message, attempts = attempt, items = items.len(), "delivery failed; batch kept in the dead-letter store");
                        match self.dlq.add(&self.id, items.to_vec(), &message, attempt) {
                            Ok(()) => {
                                self.stats.dead_letters.fetch_add(1, Ordering::Relaxed);
                                return Outcome::Done;
                            }
                            Err(se) => {
                                tracing::error!(sink = %self.id, error = %se, "could not keep the dead letter; retrying");
                            }
                        }
                    }
                    // A server's Retry-After is honoured up to `retry_max_backoff`: one
                    // asking for a day does not stall the sink for a day.
                    let retry_after = e
                        .retry_after
                        .map(|ra| ra.min(self.common.retry_max_backoff.get()));
                    let delay =
                        backoff.delay(attempt.min(self.common.max_retries.max(1)), retry_after);
                    if attempt == 1 {
                        tracing::warn!(sink = %self.id, error = %message, retry_in = ?delay, "delivery failed; retrying");
                    }
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.abort.cancelled() => return Outcome::Aborted,
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

/// `sink.send`, a panic in the sink becoming a permanent error for the batch (kept in the
/// dead-letter store with the panic message) instead of ending the sink's driver.
async fn contained_send(sink: &dyn Sink, items: &[Item]) -> Result<(), SinkError> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(sink.send(items))
        .catch_unwind()
        .await
        .unwrap_or_else(|p| {
            Err(SinkError::permanent(format!(
                "the sink panicked: {}",
                feedloom_core::blocking::panic_message(&*p)
            )))
        })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::time::Duration;

    use async_trait::async_trait;
    use feedloom_core::{MemoryStore, SinkError};

    use super::*;

    /// Fails (retryably) while `down` is set; records what it accepted.
    #[derive(Default)]
    struct Flaky {
        down: AtomicBool,
        got: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Sink for Flaky {
        async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
            if self.down.load(Ordering::SeqCst) {
                return Err(SinkError::retryable("HTTP 503"));
            }
            let mut g = self.got.lock_unpoisoned();
            g.extend(batch.iter().map(|i| i.id.clone()));
            Ok(())
        }
        fn batch_size(&self) -> usize {
            4
        }
        fn batch_timeout(&self) -> std::time::Duration {
            std::time::Duration::ZERO
        }
    }

    fn common(buffer: usize) -> SinkCommon {
        SinkCommon {
            max_retries: 1_000_000,
            retry_backoff: feedloom_core::Duration::from_millis(5),
            retry_max_backoff: feedloom_core::Duration::from_millis(20),
            buffer,
        }
    }

    fn env(i: usize) -> Envelope {
        Envelope {
            item: Arc::new(Item::new(format!("{i:03}"), "s")),
            ack: None,
        }
    }

    async fn wait_for(what: &str, f: impl Fn() -> bool) {
        for _ in 0..3000 {
            if f() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("timed out waiting for {what}");
    }

    fn dlq() -> DeadLetters {
        DeadLetters::new(Arc::new(MemoryStore::new()))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_buffer_spills_to_disk_and_drains_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let sink = Arc::new(Flaky::default());
        sink.down.store(true, Ordering::SeqCst);
        let lane = SinkLane::open("hook", Some(dir.path()));
        let drain = CancellationToken::new();
        let h = spawn_sink(
            sink.clone(),
            common(2),
            dlq(),
            &drain,
            lane.clone(),
            Redactor::default(),
        );
        for i in 0..50 {
            h.submit(env(i)).await;
            // The queue never holds more than the buffer (the batch being retried is apart):
            // at most one more in the count, between an item leaving the channel and the
            // driver counting it out, while a submitter already counts the next one in.
            assert!(lane.stats.queued.load(Ordering::SeqCst) <= 2 + 1);
        }
        // Spilled while running (a group commit after the submits).
        wait_for("spilled", || lane.backlog_len() >= 50 - 2 - 4).await;
        sink.down.store(false, Ordering::SeqCst);
        wait_for("delivery", || sink.got.lock_unpoisoned().len() >= 50).await;
        h.close().await;
        let got = sink.got.lock_unpoisoned().clone();
        let want: Vec<String> = (0..50).map(|i| format!("{i:03}")).collect();
        assert_eq!(got, want, "every item, once, in arrival order");
        assert_eq!(lane.backlog_len(), 0);
    }

    /// A reload replaces a failing sink's driver: the old one hands its queue to the shared
    /// backlog, the new one delivers everything; nothing is lost.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replaced_driver_hands_its_queue_and_backlog_to_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let old = Arc::new(Flaky::default());
        old.down.store(true, Ordering::SeqCst);
        let lane = SinkLane::open("hook", Some(dir.path()));
        let drain = CancellationToken::new();
        let h1 = spawn_sink(
            old.clone(),
            common(8),
            dlq(),
            &drain,
            lane.clone(),
            Redactor::default(),
        );
        for i in 0..30 {
            h1.submit(env(i)).await;
        }
        let new = Arc::new(Flaky::default());
        let h2 = spawn_sink(
            new.clone(),
            common(8),
            dlq(),
            &drain,
            lane.clone(),
            Redactor::default(),
        );
        h1.hand_over();
        h1.close().await;
        for i in 30..40 {
            h2.submit(env(i)).await;
        }
        wait_for("delivery", || new.got.lock_unpoisoned().len() >= 40).await;
        h2.close().await;
        let mut got = new.got.lock_unpoisoned().clone();
        got.sort();
        let want: Vec<String> = (0..40).map(|i| format!("{i:03}")).collect();
        assert_eq!(got, want, "every item exactly once");
        assert!(old.got.lock_unpoisoned().is_empty());
    }

    /// A dead sink costs intake no fsync per item: items spilled while it is down are
    /// appended in groups, one fsync each, and every ack still settles (after its write).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn spilled_items_are_written_in_groups_and_acked_after_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let sink = Arc::new(Flaky::default());
        sink.down.store(true, Ordering::SeqCst);
        let lane = SinkLane::open("hook", Some(dir.path()));
        let drain = CancellationToken::new();
        let h = spawn_sink(
            sink.clone(),
            common(1),
            dlq(),
            &drain,
            lane.clone(),
            Redactor::default(),
        );
        let store: Arc<dyn feedloom_core::StateStore> = Arc::new(MemoryStore::new());
        let ledger = crate::state::Ledger::start(store.clone());
        const N: usize = 300;
        let batch = crate::state::BatchTracker::new(
            ledger.clone(),
            "s",
            N,
            vec![feedloom_core::StateOp::put(
                "test",
                "poll",
                b"done".to_vec(),
            )],
        );
        for i in 0..N {
            let item = Item::new(format!("{i:03}"), "s");
            let ack = Ack::for_item(&ledger, "s", &item.id, Some(batch.clone()), 1)
                .await
                .pop();
            h.submit(Envelope {
                item: Arc::new(item),
                ack,
            })
            .await;
        }
        // The sink holds at most its buffer and one batch; the rest reach the disk.
        wait_for("spilled", || {
            lane.backlog_len() + lane.stats.queued.load(Ordering::SeqCst) >= (N - 4) as u64
        })
        .await;
        let syncs = lane.backlog_syncs();
        assert!(syncs <= (N / 10) as u64, "{syncs} fsyncs for {N} items");
        // Back up: everything is delivered, every ack settled, so the poll commits.
        sink.down.store(false, Ordering::SeqCst);
        wait_for("delivery", || sink.got.lock_unpoisoned().len() >= N).await;
        h.close().await;
        ledger.flush().await;
        wait_for("poll commit", || {
            matches!(store.get("test", "poll"), Ok(Some(_)))
        })
        .await;
        let got = sink.got.lock_unpoisoned().clone();
        let want: Vec<String> = (0..N).map(|i| format!("{i:03}")).collect();
        assert_eq!(got, want, "every item, once, in arrival order");
    }

    /// A Retry-After longer than `retry_max_backoff` is cut to it.
    #[tokio::test(start_paused = true)]
    async fn retry_after_is_capped_at_retry_max_backoff() {
        struct OnceBusy {
            calls: Mutex<Vec<tokio::time::Instant>>,
        }
        #[async_trait]
        impl Sink for OnceBusy {
            async fn send(&self, _: &[Item]) -> Result<(), SinkError> {
                let mut c = self.calls.lock_unpoisoned();
                c.push(tokio::time::Instant::now());
                if c.len() == 1 {
                    return Err(SinkError::retryable("HTTP 429")
                        .with_retry_after(Some(Duration::from_secs(86_400))));
                }
                Ok(())
            }
        }
        let sink = Arc::new(OnceBusy {
            calls: Mutex::new(Vec::new()),
        });
        let c = SinkCommon {
            retry_max_backoff: feedloom_core::Duration::from_secs(30),
            ..common(4)
        };
        let drain = CancellationToken::new();
        let h = spawn_sink(
            sink.clone(),
            c,
            dlq(),
            &drain,
            SinkLane::open("hook", None),
            Redactor::default(),
        );
        h.submit(env(1)).await;
        h.close().await;
        let calls = sink.calls.lock_unpoisoned().clone();
        assert_eq!(calls.len(), 2);
        assert!(calls[1] - calls[0] <= Duration::from_secs(30), "{calls:?}");
    }

    /// Retry and dead-letter messages pass through the redactor.
    #[tokio::test]
    async fn dead_letter_errors_are_redacted() {
        struct Leaky;
        #[async_trait]
        impl Sink for Leaky {
            async fn send(&self, _: &[Item]) -> Result<(), SinkError> {
                Err(SinkError::permanent(
                    "POST https://h/tok-s3cr3t-42: HTTP 400",
                ))
            }
        }
        let store = Arc::new(MemoryStore::new());
        let dl = DeadLetters::new(store);
        let lane = SinkLane::open("hook", None);
        let drain = CancellationToken::new();
        let h = spawn_sink(
            Arc::new(Leaky),
            common(4),
            dl.clone(),
            &drain,
            lane,
            Redactor::new(&["tok-s3cr3t-42".to_string()]),
        );
        h.submit(env(1)).await;
        h.close().await;
        let all = dl.list(None).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].error, "POST https://h/[redacted]: HTTP 400");
    }

    /// A Debug print of the config shows neither option values nor the secrets list.
    #[test]
    fn config_debug_hides_secrets() {
        let y = "sinks:\n  - id: hook\n    type: webhook\n    url: http://h/x\n    secret: ${HOOK_SECRET}\n    headers: {Authorization: \"Bearer ${TOKEN}\"}\n    when: {text_matches: \"${WHEN_TOKEN}\"}\n";
        let env = |k: &str| match k {
            "HOOK_SECRET" => Some("hmac-k3y-value".to_string()),
            "TOKEN" => Some("bearer-t0ken".to_string()),
            "WHEN_TOKEN" => Some("wh3n-t0ken".to_string()),
            _ => None,
        };
        let cfg = crate::Config::parse(y, Path::new("f.yaml"), &env).unwrap();
        assert_eq!(
            cfg.sinks[0].component.options.value()["secret"],
            "hmac-k3y-value"
        );
        let dbg = format!("{cfg:?} {:#?}", cfg.sinks);
        assert!(
            !dbg.contains("hmac-k3y-value")
                && !dbg.contains("bearer-t0ken")
                && !dbg.contains("wh3n-t0ken"),
            "{dbg}"
        );
        assert!(dbg.contains("secret"), "keys are shown: {dbg}");
        assert!(dbg.contains("text_matches"), "when: keys are shown: {dbg}");
    }
}
