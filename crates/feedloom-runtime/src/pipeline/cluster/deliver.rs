//! The sink consumers of a cluster node: each sink reads the out stream through a durable
//! consumer of its own (`sink-<id>`), so a sink that is down holds back no other. An item
//! goes to the node's sink driver with an ack; the message is acknowledged when the sink
//! settles it (delivered or dead-lettered), marked in progress meanwhile, and given back
//! when the driver stops before settling it.

use async_nats::jetstream::{self, AckKind};
use futures_util::StreamExt;
use tokio_util::task::TaskTracker;

use crate::cluster::{ClusterCounters, ClusterNode};

use super::super::*;
use super::extract::{ack, pause, pull};

/// Items of one sink between the consumer and their acknowledgement, per node.
const IN_FLIGHT: usize = 256;

impl Pipeline {
    /// One consumer task per configured sink; waiters for the sinks' acks go in `waiters`.
    pub(in crate::pipeline) fn spawn_sink_consumers(
        self: &Arc<Self>,
        node: Arc<ClusterNode>,
        waiters: TaskTracker,
        stop: CancellationToken,
    ) -> Vec<JoinHandle<()>> {
        let ids: Vec<String> = self.live().routes.iter().map(|r| r.id.clone()).collect();
        ids.into_iter()
            .map(|id| {
                let p = self.clone();
                let node = node.clone();
                let waiters = waiters.clone();
                let stop = stop.clone();
                tokio::spawn(async move { p.consume_sink(node, id, waiters, stop).await })
            })
            .collect()
    }

    async fn consume_sink(
        self: Arc<Self>,
        node: Arc<ClusterNode>,
        id: String,
        waiters: TaskTracker,
        stop: CancellationToken,
    ) {
        let limit = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
        let mut failures = 0u32;
        while !stop.is_cancelled() {
            let what = format!("the consumer of sink {id}");
            let Some(mut messages) =
                pull(&what, || node.sink_consumer(&id), 64, &mut failures, &stop).await
            else {
                return;
            };
            loop {
                let permit = tokio::select! {
                    p = limit.clone().acquire_owned() => match p { Ok(p) => p, Err(_) => return },
                    _ = stop.cancelled() => return,
                };
                let next = tokio::select! {
                    m = messages.next() => m,
                    _ = stop.cancelled() => return,
                };
                match next {
                    Some(Ok(msg)) => {
                        failures = 0;
                        self.deliver_message(&node, &id, msg, permit, &waiters)
                            .await;
                    }
                    Some(Err(e)) => {
                        tracing::debug!(sink = %id, error = %e, "sink pull interrupted");
                        failures += 1;
                        pause(&stop, failures).await;
                        break;
                    }
                    None => break,
                }
            }
        }
    }

    async fn deliver_message(
        &self,
        node: &Arc<ClusterNode>,
        sink: &str,
        msg: jetstream::Message,
        permit: tokio::sync::OwnedSemaphorePermit,
        waiters: &TaskTracker,
    ) {
        // Held across a pause: the server has redelivered it (or will); not a second time here.
        if node.pause.stale(std::time::Instant::now()) {
            ClusterCounters::inc(&node.counters.stale_dropped);
            return;
        }
        let item: Item = match serde_json::from_slice(&msg.payload) {
            Ok(i) => i,
            Err(e) => {
                // Not something this cluster wrote: acknowledged, so it does not block the sink.
                tracing::error!(sink = %sink, subject = %msg.subject, error = %e, "out message is not a feedloom item; skipped");
                ack(&msg, AckKind::Term).await;
                return;
            }
        };
        let routes = self.live().routes.clone();
        let Some(route) = routes.iter().find(|r| r.id == sink) else {
            // Shutting down: another node (or the next start) delivers it.
            ack(&msg, AckKind::Nak(None)).await;
            return;
        };
        if route.when.as_ref().is_some_and(|f| !f.matches(&item)) {
            ack(&msg, AckKind::Ack).await;
            return;
        }
        let (settled, rx) = Ack::notify(&item.source, &item.id);
        // The waiter marks the message in progress from now on, also while `submit` waits
        // for room in a slow sink's queue.
        let node = node.clone();
        let every = node.tick().max(Duration::from_millis(200));
        waiters.spawn(async move {
            let _permit = permit;
            let mut rx = rx;
            loop {
                tokio::select! {
                    r = &mut rx => {
                        if r.is_ok() {
                            ClusterCounters::inc(&node.counters.sink_acked);
                            ack(&msg, AckKind::Ack).await;
                        } else {
                            ClusterCounters::inc(&node.counters.sink_naks);
                            ack(&msg, AckKind::Nak(None)).await;
                        }
                        return;
                    }
                    _ = tokio::time::sleep(every) => ack(&msg, AckKind::Progress).await,
                }
            }
        });
        route
            .handle
            .submit(Envelope {
                item: Arc::new(item),
                ack: Some(settled),
            })
            .await;
    }
}
