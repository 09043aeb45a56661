//! Running: the extract workers, the sources' tasks, the status snapshot writer, the
//! pruner; stopping and draining.

use super::*;

/// Close a sink handle once no worker holds it (they hold route snapshots only briefly).
pub(super) async fn close_when_unused(h: Arc<SinkHandle>) {
    let mut h = h;
    loop {
        match Arc::try_unwrap(h) {
            Ok(handle) => {
                handle.close().await;
                return;
            }
            Err(still) => {
                h = still;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

pub(super) async fn join_all(handles: Vec<JoinHandle<()>>) {
    for h in handles {
        let _ = h.await;
    }
}

impl Pipeline {
    /// Run until every source has polled once (`Mode::Once`) or until `shutdown` fires.
    pub async fn run(
        self: &Arc<Self>,
        mode: Mode,
        shutdown: CancellationToken,
    ) -> Result<RunReport, RuntimeError> {
        let config = self.config();
        let node = self.join_cluster(mode, &config, &shutdown).await?;
        let (tx, rx) = mpsc::channel::<Work>(config.pipeline.channel_capacity.max(1));
        *self.work_tx.lock_unpoisoned() = Some(tx);
        *self.running.lock_unpoisoned() = Some((mode, shutdown.clone()));
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let mut workers = Vec::new();
        let cluster_tasks = node
            .as_ref()
            .map(|n| self.start_cluster_tasks(n.clone(), config.pipeline.extract_workers));
        // Cluster mode: the work stream feeds the extractors, not the local channel.
        let local_workers = if node.is_some() {
            0
        } else {
            config.pipeline.extract_workers.max(1)
        };
        for _ in 0..local_workers {
            let p = self.clone();
            let rx = rx.clone();
            workers.push(tokio::spawn(async move {
                loop {
                    let next = rx.lock().await.recv().await;
                    match next {
                        Some(w) => p.process(w).await,
                        None => break,
                    }
                }
            }));
        }

        if mode == Mode::Daemon {
            self.spawn_pruner(shutdown.clone());
        }

        let mut built = Vec::with_capacity(config.sources.len());
        for c in &config.sources {
            built.push((c, self.build_source(&config, c)?));
        }
        let herd = self.is_herd(mode, &config, built.iter().map(|(c, _)| c.id.as_str()));
        for (c, source) in built {
            self.start_source(c, source, mode, &shutdown, herd);
        }
        let snapshots = self.spawn_snapshot_writer();

        match mode {
            Mode::Once => {
                let handles: Vec<_> = std::mem::take(&mut *self.sources.lock_unpoisoned())
                    .into_values()
                    .map(|t| t.handle)
                    .collect();
                tokio::select! {
                    _ = join_all(handles) => {}
                    _ = shutdown.cancelled() => self.stop_all_sources().await,
                }
            }
            Mode::Daemon => {
                shutdown.cancelled().await;
                tracing::info!("shutting down: stopping intake, draining in-flight items");
                let _guard = self.reload_lock.lock().await;
                self.stop_all_sources().await;
            }
        }
        // Cluster mode: hand the shards over at once, finish the items in extraction, stop
        // taking items for the sinks (what they hold is drained below).
        let waiters = match (&node, cluster_tasks) {
            (Some(node), Some(tasks)) => Some(self.stop_cluster_tasks(node, tasks).await),
            _ => None,
        };

        // Stop intake: close the work channel and let the workers finish what is queued.
        self.work_tx.lock_unpoisoned().take();
        for w in workers {
            let _ = w.await;
        }
        // Drain the sinks, bounded by drain_timeout when shutting down.
        let drain = self.drain.clone();
        let timeout = config.pipeline.drain_timeout.get();
        // Both modes: a sink that is down must not hold `once` or a shutdown for long; what
        // it has not taken by then is delivered after the next start.
        let timer = tokio::spawn(async move {
            tokio::time::sleep(timeout).await;
            drain.cancel();
        });
        // No route from here on: items still in flight are released for the next start.
        let live = self.live();
        self.live.store(Arc::new(Live {
            routes: Arc::new(Vec::new()),
            ..(*live).clone()
        }));
        let routes = live.routes.clone();
        drop(live);
        let handles: Vec<Arc<SinkHandle>> = match Arc::try_unwrap(routes) {
            Ok(v) => v.into_iter().map(|r| r.handle).collect(),
            // A worker still holds the snapshot for a moment: clone the handles out of it.
            Err(shared) => shared.iter().map(|r| r.handle.clone()).collect(),
        };
        for h in handles {
            close_when_unused(h).await;
        }
        timer.abort();
        // The sinks' acks are settled or dropped by now: send their acknowledgements.
        if let Some(w) = waiters {
            w.close();
            if tokio::time::timeout(Duration::from_secs(5), w.wait())
                .await
                .is_err()
            {
                tracing::warn!(
                    "some acknowledgements to the cluster were not sent; those items are redelivered after ack_wait"
                );
            }
        }
        let chain = self.live().chain.clone();
        for s in chain.iter() {
            s.ex.shutdown().await;
        }
        self.persist_statuses().await;
        self.ledger.flush().await;
        if let Some((stop, task)) = snapshots {
            stop.cancel();
            let _ = task.await;
            self.write_snapshot(false).await;
        }
        *self.running.lock_unpoisoned() = None;
        Ok(self.final_report())
    }

    /// More sources due to poll at once than there are fetch slots: spread their first
    /// polls (see [`first_delay`]). `once` never spreads.
    pub(super) fn is_herd<'a>(
        &self,
        mode: Mode,
        config: &Config,
        ids: impl Iterator<Item = &'a str>,
    ) -> bool {
        if mode == Mode::Once {
            return false;
        }
        let now = Utc::now();
        let due = ids
            .filter(|id| self.load_schedule(id).is_none_or(|s| s.next_poll <= now))
            .count();
        due > config.defaults.max_concurrent_fetches.max(1)
    }

    /// The status snapshot `feedloom status` reads when no admin endpoint answers.
    pub fn snapshot(&self, running: bool) -> crate::status::Snapshot {
        crate::status::Snapshot {
            written: Utc::now(),
            pid: std::process::id(),
            running,
            sources: self.source_status(),
            cluster: self
                .cluster
                .get()
                .map(|n| crate::cluster::status::ClusterStatus::of(n)),
        }
    }

    pub(super) async fn write_snapshot(&self, running: bool) {
        let snap = self.snapshot(running);
        let dir = self.config().state_dir.clone();
        let res =
            tokio::task::spawn_blocking(move || crate::status::write_snapshot(&dir, &snap)).await;
        match res {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot write the status snapshot"),
            Err(e) => tracing::warn!(error = %e, "status snapshot task failed"),
        }
    }

    /// Write the status snapshot now, whenever a source's status changed (at most every
    /// [`crate::status::SNAPSHOT_EVERY`]) and at least every
    /// [`crate::status::SNAPSHOT_HEARTBEAT`], until the returned token is cancelled.
    pub(super) fn spawn_snapshot_writer(
        self: &Arc<Self>,
    ) -> Option<(CancellationToken, JoinHandle<()>)> {
        if self.in_memory {
            return None;
        }
        let stop = CancellationToken::new();
        let p = self.clone();
        let s = stop.clone();
        let task = tokio::spawn(async move {
            let mut written: Option<(u64, Instant)> = None;
            loop {
                let now = p.status_gen.load(Ordering::Acquire);
                let due = written.is_none_or(|(g, at)| {
                    g != now || at.elapsed() >= crate::status::SNAPSHOT_HEARTBEAT
                });
                p.persist_statuses().await;
                if due {
                    p.write_snapshot(true).await;
                    written = Some((now, Instant::now()));
                }
                tokio::select! {
                    _ = tokio::time::sleep(crate::status::SNAPSHOT_EVERY) => {}
                    _ = s.cancelled() => break,
                }
            }
        });
        Some((stop, task))
    }

    pub(super) fn spawn_pruner(self: &Arc<Self>, shutdown: CancellationToken) {
        let p = self.clone();
        tokio::spawn(async move {
            loop {
                let retention = p.config().defaults.retention.get();
                let ledger = p.ledger.clone();
                if let Ok(n) = tokio::task::spawn_blocking(move || ledger.prune(retention)).await
                    && n > 0
                {
                    tracing::info!(pruned = n, "forgot delivered ids past retention");
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        });
    }

    pub(super) fn final_report(&self) -> RunReport {
        let mut r = self.report.lock_unpoisoned().clone();
        for (_, s) in self.sink_stats() {
            r.delivered += s.delivered.load(Ordering::Relaxed);
            r.sink_failures += s.failures.load(Ordering::Relaxed);
            r.dead_letters += s.dead_letters.load(Ordering::Relaxed);
            let backlog = s.backlog.load(Ordering::Relaxed);
            r.undelivered += s.queued.load(Ordering::Relaxed) + backlog;
            r.backlog += backlog;
        }
        r
    }

    pub(super) async fn stop_all_sources(&self) {
        let tasks: Vec<SourceTask> = std::mem::take(&mut *self.sources.lock_unpoisoned())
            .into_values()
            .collect();
        for t in &tasks {
            t.cancel.cancel();
        }
        for t in tasks {
            let _ = t.handle.await;
        }
    }

    pub(super) fn start_source(
        self: &Arc<Self>,
        c: &Component,
        source: Box<dyn Source>,
        mode: Mode,
        shutdown: &CancellationToken,
        herd: bool,
    ) {
        let cancel = shutdown.child_token();
        let status = SourceStatus {
            id: c.id.clone(),
            kind: c.kind.clone(),
            target: source.describe(),
            state: "starting".into(),
            ..self.load_status(&c.id)
        };
        self.status.lock_unpoisoned().insert(c.id.clone(), status);
        self.status_gen.fetch_add(1, Ordering::Release);
        let p = self.clone();
        let id = c.id.clone();
        let tok = cancel.clone();
        let tags = c.tags.clone();
        let handle =
            tokio::spawn(async move { p.source_loop(id, source, mode, herd, tags, tok).await });
        self.sources
            .lock_unpoisoned()
            .insert(c.id.clone(), SourceTask { cancel, handle });
    }

    pub(super) async fn stop_source(&self, id: &str) {
        let t = self.sources.lock_unpoisoned().remove(id);
        if let Some(t) = t {
            t.cancel.cancel();
            let _ = t.handle.await;
        }
        self.persist_statuses().await;
        self.status.lock_unpoisoned().remove(id);
        self.status_gen.fetch_add(1, Ordering::Release);
    }
}
