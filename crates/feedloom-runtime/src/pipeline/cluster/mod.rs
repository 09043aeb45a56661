//! The pipeline on a cluster node (see [`crate::cluster`]): the lease-gated source loop
//! (`source`), the extraction consumer (`extract`) and the sink consumers (`deliver`).

mod deliver;
mod extract;
mod source;

use tokio_util::task::TaskTracker;

use crate::cluster::ClusterNode;

use super::*;

/// A cluster node's tasks besides the sources.
pub(super) struct ClusterTasks {
    extract: Vec<JoinHandle<()>>,
    extract_stop: CancellationToken,
    /// Acknowledgements of extracted items (awaited before the sinks stop).
    extract_acks: TaskTracker,
    sinks: Vec<JoinHandle<()>>,
    sinks_stop: CancellationToken,
    waiters: TaskTracker,
}

/// How often the consumers' backlogs are read for status and metrics.
const LAG_EVERY: Duration = Duration::from_secs(5);

impl Pipeline {
    /// Cluster mode: connect, create the streams and consumers, join (lease a share of the
    /// shards). `None` without a `cluster:` block. `once` is refused: each source is
    /// polled by the node that holds it, never by all at once. While NATS does not answer
    /// the node waits (1 s, doubling to 30 s between tries, until `shutdown`); a config or
    /// credentials error ends the run at once.
    pub(super) async fn join_cluster(
        &self,
        mode: Mode,
        config: &Config,
        shutdown: &CancellationToken,
    ) -> Result<Option<Arc<ClusterNode>>, RuntimeError> {
        let Some(settings) = &config.cluster else {
            return Ok(None);
        };
        if mode == Mode::Once {
            return Err(RuntimeError::Config(format!(
                "{}: `once` does not run in cluster mode (each source is polled by the node that holds its shard): use `feedloom run`",
                config.file.display()
            )));
        }
        let mut wait = Duration::from_secs(1);
        let node = loop {
            match ClusterNode::start(settings, config).await {
                Ok(n) => break Arc::new(n),
                Err(e @ RuntimeError::Cluster(_)) => {
                    tracing::warn!(error = %e, retry_in = ?wait, "cannot join the cluster yet; waiting for NATS");
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = shutdown.cancelled() => {
                            return Err(RuntimeError::Cluster(format!("stopped before joining the cluster: {e}")));
                        }
                    }
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
                Err(e) => return Err(e),
            }
        };
        tracing::info!(node = %node.cluster.node_id(), cluster = %node.cluster.name(), config_hash = %settings.hash, shards = settings.config.shards, "joined the cluster");
        let _ = self.cluster.set(node.clone());
        Ok(Some(node))
    }

    pub(super) fn start_cluster_tasks(
        self: &Arc<Self>,
        node: Arc<ClusterNode>,
        workers: usize,
    ) -> ClusterTasks {
        let extract_stop = CancellationToken::new();
        let sinks_stop = CancellationToken::new();
        let waiters = TaskTracker::new();
        let extract_acks = TaskTracker::new();
        let extract = self.spawn_cluster_extract(
            node.clone(),
            workers,
            extract_acks.clone(),
            extract_stop.clone(),
        );
        let mut sinks =
            self.spawn_sink_consumers(node.clone(), waiters.clone(), sinks_stop.clone());
        let ids: Vec<String> = self.live().routes.iter().map(|r| r.id.clone()).collect();
        let stop = sinks_stop.clone();
        sinks.push(tokio::spawn(async move {
            let mut consumers = Vec::new();
            loop {
                if consumers.is_empty()
                    && let Ok(c) = node.extract_consumer().await
                {
                    consumers.push((crate::cluster::EXTRACT_CONSUMER.to_string(), c));
                    for id in &ids {
                        if let Ok(c) = node.sink_consumer(id).await {
                            consumers.push((crate::cluster::sink_consumer(id), c));
                        }
                    }
                }
                node.refresh_lag(&consumers).await;
                tokio::select! {
                    _ = tokio::time::sleep(LAG_EVERY) => {}
                    _ = stop.cancelled() => return,
                }
            }
        }));
        ClusterTasks {
            extract,
            extract_stop,
            extract_acks,
            sinks,
            sinks_stop,
            waiters,
        }
    }

    /// Shutdown of a cluster node, after its sources stopped: release the leases (the
    /// others take the shards at once), finish the items in extraction, stop taking items
    /// for the sinks. Returns the waiters of the sinks' acks (closed once the sinks drained).
    pub(super) async fn stop_cluster_tasks(
        &self,
        node: &ClusterNode,
        tasks: ClusterTasks,
    ) -> TaskTracker {
        node.leave().await;
        tracing::info!("cluster: leases released");
        tasks.extract_stop.cancel();
        super::run::join_all(tasks.extract).await;
        tasks.extract_acks.close();
        tasks.extract_acks.wait().await;
        tasks.sinks_stop.cancel();
        super::run::join_all(tasks.sinks).await;
        tasks.waiters
    }
}
