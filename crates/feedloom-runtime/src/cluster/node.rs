//! A cluster node: its NATS connection, the streams and consumers, its leases, its counters.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use feedloom_cluster::{
    Cluster, ClusterError, FeedStates, LeaseHandle, LeaseView, Retention, StreamSpec, Streams,
};
use feedloom_core::sync::LockExt;

use super::{EXTRACT_CONSUMER, Feed, FeedRecord, OUT_STREAM, WORK_STREAM, sink_consumer};
use crate::RuntimeError;
use crate::config::{ClusterSettings, Config};

/// What a node counts of its cluster work (read by status and metrics).
#[derive(Debug, Default)]
pub struct ClusterCounters {
    /// Items published to the work stream and acknowledged by the server.
    pub published: AtomicU64,
    /// Publishes the server reported as duplicates (same message id within the window).
    pub publish_duplicates: AtomicU64,
    /// Polls whose items could not all be published (the poll is retried; state kept).
    pub publish_errors: AtomicU64,
    /// Items too large for the server's max_payload (counted as lost).
    pub too_large: AtomicU64,
    /// Feed-state writes that succeeded.
    pub state_writes: AtomicU64,
    /// Feed-state writes refused because another node wrote since (this node had lost
    /// the source).
    pub state_conflicts: AtomicU64,
    /// Feed-state reads or writes that failed (NATS unreachable, timeouts).
    pub state_errors: AtomicU64,
    /// Work messages taken by this node's extractors.
    pub extract_received: AtomicU64,
    /// Of them, redeliveries (taken before by some node that did not acknowledge).
    pub redelivered: AtomicU64,
    /// Extracted items published to the out stream and acknowledged.
    pub extracted: AtomicU64,
    /// Work messages given back with a delay (an extractor failed; retried later).
    pub extract_naks: AtomicU64,
    /// Items put in the dead-letter stream after their last delivery.
    pub dead_lettered: AtomicU64,
    /// Items acknowledged to the out stream after a sink settled them.
    pub sink_acked: AtomicU64,
    /// Out messages given back (a sink's driver stopped before it settled them).
    pub sink_naks: AtomicU64,
    /// Out messages this node held across a pause longer than half of `ack_wait`, left
    /// to the server's redelivery instead of being delivered here a second time.
    pub stale_dropped: AtomicU64,
}

/// Notices when this process was paused (SIGSTOP, a VM freeze, a starved machine): a
/// ticker every 100 ms; a gap longer than `threshold` is a pause. Messages a node holds
/// across such a pause may have been redelivered to another node (`ack_wait` ran out), so
/// the sink consumers drop what they read during the pause and just after it.
#[derive(Debug)]
pub struct PauseWatch {
    base: std::time::Instant,
    last_tick: AtomicU64,
    resumed: AtomicU64,
    threshold_ms: u64,
}

/// How long after a pause what a consumer reads still counts as read during it (the
/// socket's backlog is read in the first moments after the process resumes).
const PAUSE_GRACE_MS: u64 = 500;

impl PauseWatch {
    fn new(threshold: Duration) -> PauseWatch {
        PauseWatch {
            base: std::time::Instant::now(),
            last_tick: AtomicU64::new(1),
            resumed: AtomicU64::new(0),
            threshold_ms: u64::try_from(threshold.as_millis())
                .unwrap_or(u64::MAX)
                .max(200),
        }
    }

    fn ms(&self, at: std::time::Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn tick(&self) {
        let now = self.ms(std::time::Instant::now());
        let last = self.last_tick.swap(now, Ordering::SeqCst);
        let gap = now.saturating_sub(last);
        if gap > self.threshold_ms {
            self.resumed.store(now, Ordering::SeqCst);
            tracing::warn!(
                paused_ms = gap,
                "this node was paused or starved; messages it held may have been redelivered to other nodes, so it drops them"
            );
        }
    }

    /// Was a message read at `read` held across a pause (or is a pause being noticed now)?
    pub fn stale(&self, read: std::time::Instant) -> bool {
        let now = self.ms(std::time::Instant::now());
        if now.saturating_sub(self.last_tick.load(Ordering::SeqCst)) > self.threshold_ms {
            return true;
        }
        let resumed = self.resumed.load(Ordering::SeqCst);
        resumed != 0 && self.ms(read) < resumed + PAUSE_GRACE_MS
    }
}

impl ClusterCounters {
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// One consumer's backlog as the server last reported it.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct ConsumerLag {
    /// Messages not yet delivered to any node.
    pub pending: u64,
    /// Delivered, not yet acknowledged.
    pub ack_pending: usize,
    /// Messages delivered more than once (server's count).
    pub redelivered: usize,
}

/// This process as a member of the cluster.
pub struct ClusterNode {
    pub cluster: Cluster,
    pub view: LeaseView,
    leases: tokio::sync::Mutex<Option<LeaseHandle>>,
    pub feeds: FeedStates,
    pub streams: Streams,
    pub counters: ClusterCounters,
    pub hash: String,
    /// Consumer name → its lag, refreshed by [`ClusterNode::refresh_lag`].
    pub lag: Mutex<BTreeMap<String, ConsumerLag>>,
    pub retention_secs: i64,
    pub pause: Arc<PauseWatch>,
}

impl std::fmt::Debug for ClusterNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterNode")
            .field("node_id", &self.cluster.node_id())
            .field("name", &self.cluster.name())
            .finish_non_exhaustive()
    }
}

/// A config or credentials-file error is the config's (waiting does not mend it); the rest
/// (NATS unreachable, a stream that cannot be made yet) is the cluster's.
fn err(e: ClusterError) -> RuntimeError {
    match e {
        ClusterError::Config(_) | ClusterError::CredsFile { .. } => {
            RuntimeError::Config(e.to_string())
        }
        e => RuntimeError::Cluster(e.to_string()),
    }
}

impl ClusterNode {
    /// Connect, create what is missing (streams, consumers, buckets), join the cluster.
    /// Every sink's consumer exists before anything is published to the out stream (an
    /// interest stream keeps a message only for the consumers that exist when it arrives).
    pub async fn start(
        settings: &ClusterSettings,
        config: &Config,
    ) -> Result<ClusterNode, RuntimeError> {
        let cluster = feedloom_cluster::connect(&settings.config, &config.dir)
            .await
            .map_err(err)?;
        let streams = cluster.streams();
        let window = streams.dedup_window();
        for (name, retention) in [
            (WORK_STREAM, Retention::WorkQueue),
            (OUT_STREAM, Retention::Interest),
        ] {
            streams
                .ensure_stream(&StreamSpec {
                    name: name.into(),
                    subjects: vec![format!("{name}.>")],
                    retention,
                    duplicate_window: window,
                    max_age: None,
                })
                .await
                .map_err(err)?;
        }
        streams.ensure_dead_letter_stream().await.map_err(err)?;
        streams
            .ensure_work_consumer(WORK_STREAM, EXTRACT_CONSUMER, None)
            .await
            .map_err(err)?;
        for s in &config.sinks {
            ensure_sink_consumer(&cluster, &streams, &s.component.id).await?;
        }
        let feeds = cluster.feed_states().await.map_err(err)?;
        let leases = cluster.start_leases(&settings.hash).await.map_err(err)?;
        let pause = Arc::new(PauseWatch::new(settings.config.ack_wait.get() / 2));
        let watch = Arc::downgrade(&pause);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_millis(100));
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                match watch.upgrade() {
                    Some(p) => p.tick(),
                    None => return,
                }
            }
        });
        Ok(ClusterNode {
            feeds,
            view: leases.view(),
            leases: tokio::sync::Mutex::new(Some(leases)),
            cluster,
            streams,
            counters: ClusterCounters::default(),
            hash: settings.hash.clone(),
            lag: Mutex::new(BTreeMap::new()),
            retention_secs: i64::try_from(config.defaults.retention.get().as_secs())
                .unwrap_or(i64::MAX),
            pause,
        })
    }

    /// Release every lease and leave the membership at once (SIGTERM): the other nodes take
    /// the shards within a renew interval.
    pub async fn leave(&self) {
        if let Some(h) = self.leases.lock().await.take() {
            h.shutdown().await;
        }
    }

    /// The extraction consumer (shared by every node).
    pub async fn extract_consumer(&self) -> Result<PullConsumer, RuntimeError> {
        self.streams
            .ensure_work_consumer(WORK_STREAM, EXTRACT_CONSUMER, None)
            .await
            .map_err(err)
    }

    /// Sink `id`'s durable consumer on the out stream.
    pub async fn sink_consumer(&self, id: &str) -> Result<PullConsumer, RuntimeError> {
        ensure_sink_consumer(&self.cluster, &self.streams, id).await
    }

    /// A source's shared state (an empty record, revision `None`, for a new source).
    pub async fn load(&self, source: &str) -> Result<Feed, ClusterError> {
        match self.feeds.get(source).await {
            Ok(Some((bytes, rev))) => match serde_json::from_slice::<FeedRecord>(&bytes) {
                Ok(record) => Ok(Feed::new(record, Some(rev))),
                // Not ours to read (another version, a hand edit): start the source over
                // rather than never poll it again; the next write replaces it.
                Err(e) => {
                    tracing::error!(source = %source, revision = rev, error = %e, "unreadable cluster state of the source; it starts over (its items may be delivered again)");
                    ClusterCounters::inc(&self.counters.state_errors);
                    Ok(Feed::new(FeedRecord::default(), Some(rev)))
                }
            },
            Ok(None) => Ok(Feed::default()),
            Err(e) => {
                ClusterCounters::inc(&self.counters.state_errors);
                Err(e)
            }
        }
    }

    /// Write a source's state, expecting the revision it was read at; the new revision is
    /// kept in `feed`. A conflict means another node took the source and wrote since.
    pub async fn store(&self, source: &str, feed: &mut Feed) -> Result<(), ClusterError> {
        feed.record.node = self.cluster.node_id().to_string();
        let bytes = serde_json::to_vec(&feed.record).unwrap_or_default();
        match self.feeds.put(source, &bytes, feed.revision).await {
            Ok(rev) => {
                feed.revision = Some(rev);
                ClusterCounters::inc(&self.counters.state_writes);
                Ok(())
            }
            Err(e @ ClusterError::Conflict { .. }) => {
                ClusterCounters::inc(&self.counters.state_conflicts);
                Err(e)
            }
            Err(e) => {
                ClusterCounters::inc(&self.counters.state_errors);
                Err(e)
            }
        }
    }

    /// Ask the server for every consumer's backlog (status and metrics read the result).
    pub async fn refresh_lag(&self, consumers: &[(String, PullConsumer)]) {
        for (name, c) in consumers {
            if let Ok(info) = c.get_info().await {
                self.lag.lock_unpoisoned().insert(
                    name.clone(),
                    ConsumerLag {
                        pending: info.num_pending,
                        ack_pending: info.num_ack_pending,
                        redelivered: info.num_redelivered,
                    },
                );
            }
        }
    }

    /// The largest message the server takes.
    pub fn max_payload(&self) -> usize {
        match self.cluster.client().max_payload() {
            0 => 1024 * 1024,
            n => n,
        }
    }

    /// How often a waiting node looks again (renew interval).
    pub fn tick(&self) -> Duration {
        (self.cluster.config().lease_ttl.get() / 3).max(Duration::from_millis(100))
    }
}

/// Sink `id`'s durable consumer on the out stream. Deliveries are not capped: a sink that
/// fails retries and dead-letters in the node's delivery layer; the server redelivers only
/// what a node took and never settled (it stopped or crashed).
async fn ensure_sink_consumer(
    cluster: &Cluster,
    streams: &Streams,
    id: &str,
) -> Result<PullConsumer, RuntimeError> {
    let name = sink_consumer(id);
    let stream = streams.stream_name(OUT_STREAM);
    let what = |e: &dyn std::fmt::Display| {
        RuntimeError::Cluster(format!(
            "NATS JetStream: consumer {name} of sink {id:?} on stream {stream}: {e}"
        ))
    };
    let s = cluster
        .jetstream()
        .get_stream(stream.as_str())
        .await
        .map_err(|e| what(&e))?;
    let config = pull::Config {
        durable_name: Some(name.clone()),
        ack_policy: AckPolicy::Explicit,
        deliver_policy: DeliverPolicy::All,
        ack_wait: cluster.config().ack_wait.get(),
        max_deliver: -1,
        ..Default::default()
    };
    s.get_or_create_consumer(&name, config)
        .await
        .map_err(|e| what(&e))
}
