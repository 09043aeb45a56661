//! One source's loop: poll, back off, schedule, and hand new items to the extractors.

use super::*;

/// When a source polls next, kept in the state store (`ns::SCHEDULE`) with its failure
/// streak, so that a restart honours backoff and Retry-After instead of polling at once.
/// Written with the poll's own commit: if the process dies before the poll's items are
/// delivered, the older schedule stays and the source polls again at once after the
/// restart (that poll is what fetches the undelivered items again).
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq)]
pub struct Schedule {
    pub next_poll: DateTime<Utc>,
    /// Consecutive failed polls (the backoff goes on from here).
    pub failures: u32,
}

impl Schedule {
    pub(crate) fn op(self, source: &str) -> feedloom_core::StateOp {
        feedloom_core::StateOp::put(
            ns::SCHEDULE,
            source,
            serde_json::to_vec(&self).unwrap_or_default(),
        )
    }
}

/// How long a source waits before its first poll after a start. `once` polls at once. A
/// source with a saved schedule waits until its `next_poll`, but never longer than one
/// interval plus `max_backoff` (a stale far-future time cannot stall it). A source that is
/// due (new, or overdue) polls at once unless it is one of a herd (`herd_jitter`: more
/// sources due at once than fetch slots), when its first poll is spread over
/// `interval × jitter`.
pub fn first_delay(
    mode: Mode,
    saved: Option<Schedule>,
    now: DateTime<Utc>,
    interval: Duration,
    max_backoff: Duration,
    herd_jitter: Option<f64>,
) -> Duration {
    if mode == Mode::Once {
        return Duration::ZERO;
    }
    if let Some(s) = saved
        && s.next_poll > now
    {
        let wait = (s.next_poll - now).to_std().unwrap_or_default();
        return wait.min(interval.saturating_add(max_backoff));
    }
    match herd_jitter {
        Some(j) => interval.mul_f64(j.clamp(0.0, 1.0) * random_unit()),
        None => Duration::ZERO,
    }
}

/// `source.poll`, a panic in the source becoming a failed poll (logged, backed off, shown
/// in status) instead of ending the source's task for good.
pub(super) async fn contained_poll(
    source: &dyn Source,
    ctx: &SourceContext<'_>,
) -> Result<feedloom_core::PollBatch, feedloom_core::SourceError> {
    use futures_util::FutureExt;
    std::panic::AssertUnwindSafe(source.poll(ctx))
        .catch_unwind()
        .await
        .unwrap_or_else(|p| {
            Err(feedloom_core::SourceError::new(
                feedloom_core::SourceErrorKind::Other,
                format!(
                    "the source panicked: {}",
                    feedloom_core::blocking::panic_message(&*p)
                ),
            ))
        })
}

/// What a source's loop carries from one poll to the next.
pub(super) struct Polling {
    pub(super) interval: Duration,
    pub(super) jitter: f64,
    pub(super) poll_timeout: Duration,
    pub(super) backoff: Backoff,
    pub(super) max_backoff: Duration,
    pub(super) m: Arc<crate::metrics::SourceMetrics>,
    /// Consecutive failed polls (the backoff goes on from here).
    pub(super) failures: u32,
    /// The last failure's kind and message: one warning per streak and reason.
    pub(super) last_reason: Option<String>,
    pub(super) source: Box<dyn Source>,
    pub(super) tags: Vec<String>,
    pub(super) mode: Mode,
    /// Cluster mode: the source's shared state as this node read it when it took the
    /// source; `None` until then (and after a lost lease or a refused write).
    pub(super) feed: Option<Box<crate::cluster::Feed>>,
}

impl Pipeline {
    pub(super) fn load_schedule(&self, id: &str) -> Option<Schedule> {
        self.ledger
            .store()
            .get(ns::SCHEDULE, id)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
    }

    pub(super) fn load_status(&self, id: &str) -> SourceStatus {
        self.ledger
            .store()
            .get(ns::SOURCE_STATUS, id)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// A source's life: wait for its first poll, then poll and sleep until cancelled.
    ///
    /// This future lives as long as the source, asleep nearly all the time, once per source
    /// (100,000 of them): it keeps only what the loop carries from one poll to the next
    /// ([`Polling`]), and each poll's work is a boxed future of its own ([`Pipeline::poll_once`]).
    pub(super) async fn source_loop(
        self: Arc<Self>,
        id: String,
        source: Box<dyn Source>,
        mode: Mode,
        herd: bool,
        tags: Vec<String>,
        cancel: CancellationToken,
    ) {
        let mut run = {
            // What the loop needs of the defaults (not the whole struct).
            let config = self.config();
            let d = &config.defaults;
            let interval = source.interval().unwrap_or(d.interval.get());
            let max_backoff = d.max_backoff.get().max(Duration::from_secs(1));
            Polling {
                interval,
                jitter: d.jitter,
                // The poll's own work; waiting for a fetch slot is not counted
                // (feedloom_core::deadline).
                poll_timeout: (d.timeout.get() * 10).max(Duration::from_secs(60)),
                backoff: Backoff::new(interval.min(Duration::from_secs(60)), max_backoff)
                    .with_jitter(0.2),
                max_backoff,
                m: self.metrics.source(&id),
                failures: 0,
                last_reason: None,
                source,
                tags,
                mode,
                feed: None,
            }
        };
        if let Some(node) = self.cluster.get().cloned() {
            Box::pin(self.cluster_loop(node, &id, &mut run, &cancel)).await;
            return;
        }
        if !Box::pin(self.first_wait(&id, &mut run, herd, &cancel)).await {
            return;
        }
        loop {
            let Some(delay) = Box::pin(self.poll_once(&id, &mut run, &cancel)).await else {
                break;
            };
            let next = Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default();
            self.update_status(&id, |s| s.next_poll = Some(next));
            self.status_changed(&id);
            if mode == Mode::Once {
                break;
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = cancel.cancelled() => break,
            }
        }
    }

    /// Wait until the source's first poll is due (see [`first_delay`]); false when cancelled
    /// first.
    async fn first_wait(
        &self,
        id: &str,
        run: &mut Polling,
        herd: bool,
        cancel: &CancellationToken,
    ) -> bool {
        let saved = self.load_schedule(id);
        run.failures = saved.map_or(0, |s| s.failures);
        let wait = first_delay(
            run.mode,
            saved,
            Utc::now(),
            run.interval,
            run.max_backoff,
            herd.then_some(run.jitter),
        );
        if wait.is_zero() {
            return true;
        }
        let next = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        // Until it polls, it shows what it was when it last did.
        let before = self.load_status(id).state;
        self.update_status(id, |s| {
            s.next_poll = Some(next);
            if !before.is_empty() {
                s.state = before;
            }
        });
        tracing::debug!(source = %id, ?wait, failures = run.failures, "first poll as scheduled before the restart");
        tokio::select! {
            _ = tokio::time::sleep(wait) => true,
            _ = cancel.cancelled() => false,
        }
    }

    /// One poll: take an intake slot, poll, queue the new items (or back off), record the
    /// outcome. Returns the delay until the next poll; `None` when cancelled.
    pub(super) async fn poll_once(
        &self,
        id: &str,
        run: &mut Polling,
        cancel: &CancellationToken,
    ) -> Option<Duration> {
        let m = run.m.clone();
        // A poll starts with an intake slot and keeps it until its items are queued.
        let intake = tokio::select! {
            p = self.intake.clone().acquire_owned() => p.ok(),
            _ = cancel.cancelled() => return None,
        };
        let started = Instant::now();
        let ledger = self.ledger.clone();
        let sid = id.to_string();
        let feed = run.feed.as_deref();
        // Cluster mode: what the cluster published; else what this process delivered.
        let delivered = move |item_id: &str| match feed {
            Some(f) => f.published(item_id),
            None => ledger.seen(&sid, item_id),
        };
        let ctx = SourceContext {
            source_id: id,
            delivered: &delivered,
        };
        // A poll that hangs (a plugin source, a stuck disk) counts as a timeout.
        let poll_timeout = run.poll_timeout;
        let poll = deadline::run_excluding_queue(poll_timeout, contained_poll(&*run.source, &ctx));
        let timed = tokio::select! {
            t = poll => t,
            _ = cancel.cancelled() => return None,
        };
        m.queue_nanos
            .fetch_add(timed.queued.as_nanos() as u64, Ordering::Relaxed);
        let res = timed.result.unwrap_or_else(|_| {
            Err(feedloom_core::SourceError::new(
                feedloom_core::SourceErrorKind::Timeout,
                format!("poll did not finish within {poll_timeout:?}"),
            ))
        });
        let now = Utc::now();
        let took = started.elapsed().saturating_sub(timed.queued);
        m.duration.observe(took);
        let delay = match res {
            Ok(mut batch) => {
                if run.failures > 0 {
                    tracing::info!(source = %id, after_failures = run.failures, "source recovered");
                }
                run.failures = 0;
                run.last_reason = None;
                let delay = spread(run.interval, run.jitter);
                let next = now + chrono::Duration::from_std(delay).unwrap_or_default();
                // Saved with the poll's commit, once its items are delivered.
                batch.commit.push(
                    Schedule {
                        next_poll: next,
                        failures: 0,
                    }
                    .op(id),
                );
                let outcome = batch.outcome;
                let bytes = batch.bytes;
                let skipped = batch.skipped;
                let fulltext_failed = batch.fulltext_failed;
                let fetched_items = batch.items.len();
                m.items_skipped.fetch_add(skipped, Ordering::Relaxed);
                m.fulltext_failed
                    .fetch_add(fulltext_failed, Ordering::Relaxed);
                match outcome {
                    PollOutcome::Ok => m.fetch_ok.fetch_add(1, Ordering::Relaxed),
                    PollOutcome::NotModified => {
                        m.fetch_not_modified.fetch_add(1, Ordering::Relaxed)
                    }
                };
                m.bytes.fetch_add(bytes, Ordering::Relaxed);
                let n = match run.feed.as_mut() {
                    None => self.accept(id, &run.tags, batch).await,
                    Some(feed) => match self.publish(id, &run.tags, feed, batch).await {
                        Ok(n) => n,
                        Err(e) => {
                            drop(intake);
                            return Some(self.publish_failed(id, run, now, &e));
                        }
                    },
                };
                // A refused or failed state write: read the state again before the next poll.
                if run.feed.as_ref().is_some_and(|f| f.invalid) {
                    run.feed = None;
                }
                drop(intake);
                if outcome == PollOutcome::Ok {
                    tracing::info!(source = %id, items = fetched_items, new = n, fulltext_failed, bytes, "polled");
                }
                m.items.fetch_add(n as u64, Ordering::Relaxed);
                self.update_status(id, |s| {
                    s.last_fetch = Some(now);
                    s.last_success = Some(now);
                    s.last_error = None;
                    s.consecutive_errors = 0;
                    s.state = if s.last_item_error.is_some() {
                        "failing"
                    } else {
                        "ok"
                    }
                    .into();
                    s.items += n as u64;
                    s.items_skipped += skipped;
                    s.fulltext_failed += fulltext_failed;
                    s.bytes += bytes;
                    s.last_duration = took.as_secs_f64();
                    match outcome {
                        PollOutcome::Ok => s.polls_ok += 1,
                        PollOutcome::NotModified => s.polls_not_modified += 1,
                    }
                });
                let mut r = self.report.lock_unpoisoned();
                r.polls += 1;
                r.items += n as u64;
                drop(r);
                delay
            }
            Err(e) => {
                drop(intake);
                run.failures = run.failures.saturating_add(1);
                let failures = run.failures;
                m.fetch_error.fetch_add(1, Ordering::Relaxed);
                *m.errors_by_kind
                    .lock_unpoisoned()
                    .entry(e.kind.label())
                    .or_default() += 1;
                let reason = format!("{}: {}", e.kind.label(), e.message);
                // One line per failure streak and reason, not one per retry.
                if run.last_reason.as_deref() != Some(reason.as_str()) {
                    tracing::warn!(source = %id, kind = %e.kind.label(), error = %e.message, failures, "poll failed; backing off");
                } else {
                    tracing::debug!(source = %id, error = %e.message, failures, "poll failed again");
                }
                run.last_reason = Some(reason);
                self.update_status(id, |s| {
                    s.last_fetch = Some(now);
                    s.last_error = Some(e.message.clone());
                    s.consecutive_errors = failures;
                    s.polls_error += 1;
                    s.state = "failing".into();
                    s.last_duration = took.as_secs_f64();
                });
                {
                    let mut r = self.report.lock_unpoisoned();
                    r.polls += 1;
                    r.poll_errors += 1;
                }
                let delay = run.backoff.delay(failures, e.retry_after);
                let op = Schedule {
                    next_poll: now + chrono::Duration::from_std(delay).unwrap_or_default(),
                    failures,
                }
                .op(id);
                // After the commits of this source's earlier polls (their items may
                // still be on their way): a daemon does not wait for that, `once` does.
                if let Some(feed) = run.feed.as_mut() {
                    if !self.commit_feed(id, feed, vec![op]).await {
                        run.feed = None;
                    }
                } else if run.mode == Mode::Once {
                    self.ledger.commit_poll(id, vec![op]).await;
                } else {
                    self.ledger.commit_poll_later(id, vec![op]);
                }
                delay
            }
        };
        Some(delay)
    }

    pub(super) fn update_status(&self, id: &str, f: impl FnOnce(&mut SourceStatus)) {
        if let Some(s) = self.status.lock_unpoisoned().get_mut(id) {
            f(s);
        }
        self.status_gen.fetch_add(1, Ordering::Release);
    }

    /// `id`'s status changed: it is written with the next batch ([`Pipeline::persist_statuses`]).
    pub(super) fn status_changed(&self, id: &str) {
        self.status_dirty.lock_unpoisoned().insert(id.to_string());
    }

    /// Write the statuses that changed since the last call, in one commit: with every status
    /// snapshot, when a source stops, and at shutdown. (One write per poll cost a
    /// serialisation and a state change per source per cycle; a crash loses at most the last
    /// few seconds of counters, which the next polls rebuild.)
    pub(super) async fn persist_statuses(&self) {
        let ids = std::mem::take(&mut *self.status_dirty.lock_unpoisoned());
        if ids.is_empty() {
            return;
        }
        let changed: Vec<(String, SourceStatus)> = {
            let st = self.status.lock_unpoisoned();
            ids.into_iter()
                .filter_map(|id| st.get(&id).cloned().map(|s| (id, s)))
                .collect()
        };
        let ops = changed
            .iter()
            .filter_map(|(id, s)| {
                let b = serde_json::to_vec(s).ok()?;
                Some(feedloom_core::StateOp::put(ns::SOURCE_STATUS, id, b))
            })
            .collect();
        self.ledger.commit(ops).await;
    }

    /// Hand a poll's new items to the extractors. Returns how many were new.
    /// Queue a poll's new items, each with its source id and the source's `tags`.
    pub(super) async fn accept(
        &self,
        source: &str,
        tags: &[String],
        batch: feedloom_core::PollBatch,
    ) -> usize {
        let new: Vec<Item> = batch
            .items
            .into_iter()
            .filter(|i| self.ledger.claim(source, &i.id))
            .collect();
        let n = new.len();
        if n == 0 {
            // Waits for earlier polls of this source whose items are still in flight.
            self.ledger.commit_poll(source, batch.commit).await;
            return 0;
        }
        // A new batch: its items' failures, if any, show from now on (before the items
        // go out, so that a fast failure is not cleared after it was recorded).
        self.update_status(source, |s| s.last_item_error = None);
        let tracker = BatchTracker::new(self.ledger.clone(), source, n, batch.commit);
        let tx = self.work_tx.lock_unpoisoned().clone();
        let Some(tx) = tx else {
            for i in &new {
                self.ledger.release(source, &i.id);
            }
            return 0;
        };
        for mut item in new {
            item.source = source.to_string();
            if !tags.is_empty() {
                item.add_tags(tags.iter().cloned());
            }
            let id = item.id.clone();
            if tx
                .send(Work {
                    item,
                    batch: Some(tracker.clone()),
                })
                .await
                .is_err()
            {
                self.ledger.release(source, &id);
            }
        }
        n
    }
}
