//! A source on a cluster node: polled only while this node holds the source's shard; its
//! new items published to the work stream; its state written to the cluster with
//! compare-and-set once every publish is acknowledged.

use crate::cluster::{ClusterCounters, ClusterNode, Feed, WORK_SUBJECT, msg_id};

use super::super::source_loop::Polling;
use super::super::*;

/// How a wait ended.
enum Waited {
    /// The time is up and the shard is still ours.
    Due,
    /// The shard was lost (or never held) meanwhile.
    Lost,
    Cancelled,
}

impl Pipeline {
    /// A source's life on a cluster node: wait for its shard, read its state from the
    /// cluster, wait until it is due, poll, publish, write the state; stop at once when
    /// the shard is lost, and read the state again when it comes back.
    pub(in crate::pipeline) async fn cluster_loop(
        self: &Arc<Self>,
        node: Arc<ClusterNode>,
        id: &str,
        run: &mut Polling,
        cancel: &CancellationToken,
    ) {
        let shard = node.cluster.shard_of(id);
        let mut owned = node.view.subscribe();
        let mut load_failures: u32 = 0;
        loop {
            if !node.view.owns(shard) {
                run.feed = None;
                self.update_status(id, |s| {
                    s.state = "standby".into();
                    s.next_poll = None;
                });
                self.status_changed(id);
                loop {
                    tokio::select! {
                        r = owned.changed() => if r.is_err() { return },
                        _ = cancel.cancelled() => return,
                    }
                    if node.view.owns(shard) {
                        break;
                    }
                }
            }
            if run.feed.is_none() {
                match node.load(id).await {
                    Ok(feed) => {
                        load_failures = 0;
                        // The source reads its validators from the store: what the
                        // cluster knows, not what this node last saw.
                        if let Err(e) = self.ledger.store().apply(feed.record.ops()) {
                            tracing::warn!(source = %id, error = %e, "cannot load the source's state");
                        }
                        run.failures = feed.record.schedule.map_or(0, |s| s.failures);
                        let wait = first_delay(
                            Mode::Daemon,
                            feed.record.schedule,
                            Utc::now(),
                            run.interval,
                            run.max_backoff,
                            None,
                        );
                        run.feed = Some(Box::new(feed));
                        if !wait.is_zero() {
                            let next =
                                Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                            self.update_status(id, |s| {
                                s.next_poll = Some(next);
                                s.state = "scheduled".into();
                            });
                            match wait_owned(&node, shard, &mut owned, wait, cancel).await {
                                Waited::Due => {}
                                Waited::Lost => continue,
                                Waited::Cancelled => return,
                            }
                        }
                    }
                    Err(e) => {
                        load_failures = load_failures.saturating_add(1);
                        if load_failures == 1 {
                            tracing::warn!(source = %id, error = %e, "cannot read the source's state from the cluster; not polling it until it can");
                        }
                        self.update_status(id, |s| {
                            s.state = "failing".into();
                            s.last_error = Some(format!("cluster state: {e}"));
                        });
                        let wait = node.tick().saturating_mul(load_failures.min(10));
                        match wait_owned(&node, shard, &mut owned, wait, cancel).await {
                            Waited::Cancelled => return,
                            Waited::Due | Waited::Lost => continue,
                        }
                    }
                }
            }
            // The shard stays ours for the whole poll: a rebalance waits for it to end.
            let Some(work) = node.view.begin(shard) else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let polled = Box::pin(self.poll_once(id, run, cancel)).await;
            drop(work);
            let Some(delay) = polled else {
                return;
            };
            let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
            self.update_status(id, |s| s.next_poll = Some(next));
            self.status_changed(id);
            match wait_owned(&node, shard, &mut owned, delay, cancel).await {
                Waited::Due => {}
                Waited::Lost => run.feed = None,
                Waited::Cancelled => return,
            }
        }
    }

    /// Publish a poll's new items to the work stream (message id = hash of source and item
    /// id: a second publish within the duplicate window is dropped by the server), wait
    /// for every acknowledgement, then write the source's state. Returns how many items
    /// were new; an error when some publish failed (nothing is written: the next poll
    /// fetches and publishes again).
    pub(in crate::pipeline) async fn publish(
        &self,
        source: &str,
        tags: &[String],
        feed: &mut Feed,
        batch: feedloom_core::PollBatch,
    ) -> Result<usize, String> {
        let Some(node) = self.cluster.get() else {
            return Err("not a cluster node".into());
        };
        let max = node.max_payload();
        let mut pending = Vec::new();
        let mut ids = Vec::new();
        for mut item in batch.items {
            if feed.published(&item.id) {
                continue;
            }
            item.source = source.to_string();
            if !tags.is_empty() {
                item.add_tags(tags.iter().cloned());
            }
            let payload = serde_json::to_vec(&item).map_err(|e| e.to_string())?;
            // Room for the headers.
            if payload.len() + 256 > max {
                ClusterCounters::inc(&node.counters.too_large);
                self.report_lock().lost += 1;
                let why = format!(
                    "item is {} bytes as JSON, more than the NATS server's max_payload of {max}; not published",
                    payload.len()
                );
                tracing::error!(source = %source, item = %item.id, "{why}");
                self.item_failed(source, &item.id, &why);
                ids.push(item.id);
                continue;
            }
            let mid = msg_id(source, &item.id);
            match node
                .streams
                .publish_with_id(WORK_SUBJECT, &mid, payload.into())
                .await
            {
                Ok(p) => pending.push(p),
                Err(e) => {
                    ClusterCounters::inc(&node.counters.publish_errors);
                    return Err(e.to_string());
                }
            }
            ids.push(item.id);
        }
        let n = pending.len();
        for p in pending {
            match p.wait().await {
                Ok(ack) if ack.duplicate => {
                    ClusterCounters::inc(&node.counters.publish_duplicates);
                }
                Ok(_) => ClusterCounters::inc(&node.counters.published),
                Err(e) => {
                    ClusterCounters::inc(&node.counters.publish_errors);
                    return Err(e.to_string());
                }
            }
        }
        feed.remember(
            ids.iter().map(String::as_str),
            Utc::now().timestamp(),
            node.retention_secs,
        );
        self.commit_feed(source, feed, batch.commit).await;
        if n > 0 {
            self.update_status(source, |s| s.last_item_error = None);
        }
        Ok(n)
    }

    /// Write `ops` into the source's shared state (compare-and-set). False when the write
    /// was refused or failed: `feed` is then marked invalid (read again before the next
    /// poll).
    pub(in crate::pipeline) async fn commit_feed(
        &self,
        source: &str,
        feed: &mut Feed,
        ops: Vec<feedloom_core::StateOp>,
    ) -> bool {
        let Some(node) = self.cluster.get() else {
            return false;
        };
        // The local copy the source reads next time.
        let local: Vec<_> = ops
            .iter()
            .filter(|op| match op {
                feedloom_core::StateOp::Put { ns, .. }
                | feedloom_core::StateOp::Delete { ns, .. } => ns != crate::state::ns::SCHEDULE,
            })
            .cloned()
            .collect();
        feed.record.apply(ops);
        match node.store(source, feed).await {
            Ok(()) => {
                if let Err(e) = self.ledger.store().apply(local) {
                    tracing::warn!(source = %source, error = %e, "cannot keep the source's state locally");
                }
                true
            }
            Err(e @ feedloom_cluster::ClusterError::Conflict { .. }) => {
                tracing::warn!(source = %source, error = %e, "another node wrote this source's state since this node read it (this node lost the source); its write is refused");
                feed.invalid = true;
                false
            }
            Err(e) => {
                tracing::warn!(source = %source, error = %e, "cannot write the source's state to the cluster; it is read again before the next poll");
                feed.invalid = true;
                false
            }
        }
    }

    /// A poll whose items could not be published: counted as a failed poll (backed off,
    /// shown in status); the state is not written, so the next poll fetches them again.
    pub(in crate::pipeline) fn publish_failed(
        &self,
        id: &str,
        run: &mut Polling,
        now: DateTime<Utc>,
        error: &str,
    ) -> Duration {
        run.failures = run.failures.saturating_add(1);
        let failures = run.failures;
        let msg = format!("publishing the items to the cluster failed: {error}");
        tracing::warn!(source = %id, error = %msg, failures, "poll not committed; retried with backoff");
        self.update_status(id, |s| {
            s.last_fetch = Some(now);
            s.last_error = Some(msg.clone());
            s.consecutive_errors = failures;
            s.polls_error += 1;
            s.state = "failing".into();
        });
        {
            let mut r = self.report_lock();
            r.polls += 1;
            r.poll_errors += 1;
        }
        run.feed = None;
        run.backoff.delay(failures, None)
    }
}

/// Sleep `wait` unless the shard is lost or the node stops first.
async fn wait_owned(
    node: &ClusterNode,
    shard: u32,
    owned: &mut tokio::sync::watch::Receiver<feedloom_cluster::OwnedSet>,
    wait: Duration,
    cancel: &CancellationToken,
) -> Waited {
    let sleep = tokio::time::sleep(wait);
    tokio::pin!(sleep);
    loop {
        if !node.view.owns(shard) {
            return Waited::Lost;
        }
        tokio::select! {
            _ = &mut sleep => {
                return if node.view.owns(shard) { Waited::Due } else { Waited::Lost };
            }
            r = owned.changed() => {
                if r.is_err() {
                    return Waited::Cancelled;
                }
            }
            _ = cancel.cancelled() => return Waited::Cancelled,
        }
    }
}
