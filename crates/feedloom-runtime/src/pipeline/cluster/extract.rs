//! The extraction consumer of a cluster node: every node's extract workers take items from
//! one durable pull consumer of the work stream, run the chain and publish the result to
//! the out stream, then acknowledge. A failing extractor (with `on_error: dead_letter`)
//! gives the item back with a delay; after `max_deliver` deliveries it goes to the
//! dead-letter stream.

use async_nats::jetstream::{self, AckKind};
use futures_util::StreamExt;

use tokio_util::task::TaskTracker;

use crate::cluster::{ClusterCounters, ClusterNode, OUT_SUBJECT, msg_id};

use super::super::*;

/// Subject (under `<name>.dead.`) of items an extractor dead-lettered.
const DEAD_SUBJECT: &str = "extract";

impl Pipeline {
    /// Start `workers` extract workers fed by one fetch task; they stop when `stop` fires
    /// (the item each one holds is finished first; what was fetched and not started is
    /// given back at once). The tasks that acknowledge extracted items go in `acks`.
    pub(in crate::pipeline) fn spawn_cluster_extract(
        self: &Arc<Self>,
        node: Arc<ClusterNode>,
        workers: usize,
        acks: TaskTracker,
        stop: CancellationToken,
    ) -> Vec<JoinHandle<()>> {
        let workers = workers.max(1);
        let (tx, rx) = mpsc::channel::<(jetstream::Message, JoinHandle<()>)>(workers);
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let mut handles = Vec::new();
        for _ in 0..workers {
            let p = self.clone();
            let node = node.clone();
            let rx = rx.clone();
            let acks = acks.clone();
            handles.push(tokio::spawn(async move {
                loop {
                    let next = rx.lock().await.recv().await;
                    let Some((msg, alive)) = next else { break };
                    p.extract_message(&node, msg, alive, &acks).await;
                }
            }));
        }
        let fetch_node = node.clone();
        handles.push(tokio::spawn(async move {
            // Messages pulled ahead of the workers (each takes about a millisecond): enough
            // to keep them busy between pull round trips.
            fetch_work(fetch_node, tx, (workers * 8).clamp(32, 256), stop).await;
        }));
        handles
    }

    /// One work message: extract, publish to the out stream, acknowledge.
    /// `alive` marks the message in progress (from its arrival) until it is settled here.
    async fn extract_message(
        &self,
        node: &Arc<ClusterNode>,
        msg: jetstream::Message,
        alive: JoinHandle<()>,
        acks: &TaskTracker,
    ) {
        let alive = AbortOnDrop(alive);
        use futures_util::FutureExt;
        let delivered = msg.info().map(|i| i.delivered).unwrap_or(1);
        ClusterCounters::inc(&node.counters.extract_received);
        if delivered > 1 {
            ClusterCounters::inc(&node.counters.redelivered);
        }
        let mut item: Item = match serde_json::from_slice(&msg.payload) {
            Ok(i) => i,
            Err(e) => {
                let why = format!("not a feedloom item: {e}");
                tracing::error!(subject = %msg.subject, error = %why, "work message dead-lettered");
                self.dead_letter(node, &msg, "unreadable", &why).await;
                return;
            }
        };
        let mid = msg
            .headers
            .as_ref()
            .and_then(|h| h.get(async_nats::header::NATS_MESSAGE_ID))
            .map(|v| v.to_string())
            .unwrap_or_else(|| msg_id(&item.source, &item.id));
        let chain = self.live.load().chain.clone();
        let run = std::panic::AssertUnwindSafe(self.run_steps(&chain, &mut item))
            .catch_unwind()
            .await;
        let (failures, res) = match run {
            Ok(r) => r,
            Err(p) => {
                let why = format!(
                    "processing panicked: {}",
                    feedloom_core::blocking::panic_message(&*p)
                );
                tracing::error!(item = %item.id, source = %item.source, error = %why, "extracting an item panicked");
                self.item_failed(&item.source, &item.id, &why);
                self.retry_or_dead_letter(node, &msg, delivered, &mid, &why)
                    .await;
                return;
            }
        };
        self.count_failures(&item, &failures);
        if let Err((i, e)) = res {
            let step = &chain[i];
            let why = format!(
                "extractor {}: {}",
                step.id,
                self.config().redact(&e.message)
            );
            match step.on_error {
                OnError::Skip | OnError::Drop => {
                    tracing::warn!(extractor = %step.id, item = %item.id, source = %item.source, error = %e, "extractor failed; item dropped");
                    self.report_lock().dropped += 1;
                    ack(&msg, AckKind::Ack).await;
                }
                OnError::DeadLetter => {
                    self.retry_or_dead_letter(node, &msg, delivered, &mid, &why)
                        .await;
                }
            }
            return;
        }
        let payload = match serde_json::to_vec(&item) {
            Ok(p) => p,
            Err(e) => {
                self.retry_or_dead_letter(node, &msg, delivered, &mid, &e.to_string())
                    .await;
                return;
            }
        };
        let pending = node
            .streams
            .publish_with_id(OUT_SUBJECT, &mid, payload.into())
            .await;
        // The server's answer is awaited beside the next item: a worker does not wait a
        // round trip per item. The message stays in progress until it is acknowledged.
        let node = node.clone();
        acks.spawn(async move {
            let _alive = alive;
            let published = match pending {
                Ok(p) => p.wait().await,
                Err(e) => Err(e),
            };
            match published {
                Ok(_) => {
                    ClusterCounters::inc(&node.counters.extracted);
                    ack(&msg, AckKind::Ack).await;
                }
                Err(e) => {
                    tracing::warn!(item = %item.id, source = %item.source, error = %e, "cannot publish the extracted item; given back for another try");
                    ClusterCounters::inc(&node.counters.extract_naks);
                    ack(&msg, AckKind::Nak(Some(Duration::from_secs(1)))).await;
                }
            }
        });
    }

    /// An item failed: give it back with a delay (1 s, doubling per delivery, at most a
    /// minute), or on its last delivery put it in the dead-letter stream.
    async fn retry_or_dead_letter(
        &self,
        node: &ClusterNode,
        msg: &jetstream::Message,
        delivered: i64,
        mid: &str,
        why: &str,
    ) {
        if node.streams.is_last_delivery(delivered) {
            tracing::warn!(delivered, error = %why, "item failed on its last delivery; kept in the dead-letter stream");
            self.dead_letter(node, msg, mid, why).await;
            self.report_lock().extract_dead_letters += 1;
        } else {
            let delay =
                Duration::from_secs(1u64 << delivered.clamp(0, 6)).min(Duration::from_secs(60));
            tracing::debug!(delivered, ?delay, error = %why, "item failed; given back for a later try");
            ClusterCounters::inc(&node.counters.extract_naks);
            ack(msg, AckKind::Nak(Some(delay))).await;
        }
    }

    /// Put the message as it came in the dead-letter stream, then acknowledge it. If the
    /// dead-letter publish fails, the message is given back instead (nothing is lost).
    async fn dead_letter(
        &self,
        node: &ClusterNode,
        msg: &jetstream::Message,
        mid: &str,
        why: &str,
    ) {
        let kept = match node
            .streams
            .dead_letter(DEAD_SUBJECT, mid, msg.payload.clone(), why)
            .await
        {
            Ok(p) => p.wait().await.map(|_| ()),
            Err(e) => Err(e),
        };
        match kept {
            Ok(()) => {
                ClusterCounters::inc(&node.counters.dead_lettered);
                ack(msg, AckKind::Ack).await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot write the dead-letter stream; item given back");
                ack(msg, AckKind::Nak(Some(Duration::from_secs(5)))).await;
            }
        }
    }
}

/// Acknowledge (or nak, or mark in progress); a failure is logged: the server redelivers
/// after `ack_wait` (at-least-once).
pub(super) async fn ack(msg: &jetstream::Message, kind: AckKind) {
    if let Err(e) = msg.ack_with(kind).await {
        tracing::debug!(error = %e, "acknowledgement not sent; the server redelivers after ack_wait");
    }
}

/// Aborts its task when dropped (a message's keep-alive ends with its handling).
pub(super) struct AbortOnDrop(pub(super) JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Tell the server every `every` that `msg` is still being worked on.
pub(super) fn keep_alive(msg: jetstream::Message, every: Duration) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            ack(&msg, AckKind::Progress).await;
        }
    })
}

/// Pull work messages into `tx` until `stop`; a broken pull (NATS unreachable) is started
/// again after a pause. Messages fetched but not handed to a worker when `stop` fires are
/// given back.
async fn fetch_work(
    node: Arc<ClusterNode>,
    tx: mpsc::Sender<(jetstream::Message, JoinHandle<()>)>,
    batch: usize,
    stop: CancellationToken,
) {
    let mut failures = 0u32;
    while !stop.is_cancelled() {
        let Some(mut messages) = pull(
            "the extraction consumer",
            || node.extract_consumer(),
            batch,
            &mut failures,
            &stop,
        )
        .await
        else {
            return;
        };
        loop {
            let next = tokio::select! {
                m = messages.next() => m,
                _ = stop.cancelled() => return,
            };
            match next {
                Some(Ok(msg)) => {
                    failures = 0;
                    // In progress from now on: an exec plugin may take minutes, and the
                    // message may wait for a free worker.
                    let alive =
                        keep_alive(msg.clone(), node.tick().max(Duration::from_millis(200)));
                    let permit = tokio::select! {
                        p = tx.reserve() => p,
                        _ = stop.cancelled() => {
                            alive.abort();
                            ack(&msg, AckKind::Nak(None)).await;
                            return;
                        }
                    };
                    match permit {
                        Ok(p) => p.send((msg, alive)),
                        Err(_) => {
                            alive.abort();
                            ack(&msg, AckKind::Nak(None)).await;
                            return;
                        }
                    }
                }
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "extraction pull interrupted");
                    failures += 1;
                    pause(&stop, failures).await;
                    break;
                }
                None => break,
            }
        }
    }
}

/// A pull stream of the consumer `get` makes (`batch` messages asked ahead), made again
/// after each failure (NATS unreachable) with a growing pause; `None` once `stop` fires.
/// The first failure of a streak is logged, naming `what`.
pub(super) async fn pull<F, Fut>(
    what: &str,
    get: F,
    batch: usize,
    failures: &mut u32,
    stop: &CancellationToken,
) -> Option<async_nats::jetstream::consumer::pull::Stream>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<async_nats::jetstream::consumer::PullConsumer, RuntimeError>>,
{
    while !stop.is_cancelled() {
        let opened = match get().await {
            Ok(c) => c
                .stream()
                .max_messages_per_batch(batch)
                .heartbeat(Duration::from_secs(5))
                .messages()
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match opened {
            Ok(m) => return Some(m),
            Err(e) => {
                *failures += 1;
                if *failures == 1 {
                    tracing::warn!(error = %e, "cannot pull from {what}; retrying");
                }
                pause(stop, *failures).await;
            }
        }
    }
    None
}

/// Wait a little longer after each failure (at most 5 s), or until `stop`.
pub(super) async fn pause(stop: &CancellationToken, failures: u32) {
    let wait = Duration::from_millis(200u64 << failures.min(5)).min(Duration::from_secs(5));
    tokio::select! {
        _ = tokio::time::sleep(wait) => {}
        _ = stop.cancelled() => {}
    }
}
