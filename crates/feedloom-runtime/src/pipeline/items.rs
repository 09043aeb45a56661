//! One item's way through the extractor chain to the sinks, and its accounting.

use super::*;

/// What running the extractors again on a dead-lettered item came to
/// ([`Pipeline::reextract`]).
#[derive(Debug)]
pub enum Reextracted {
    /// Through the chain: route it to the sinks.
    Done(Box<Item>),
    /// An extractor with `on_error: drop` failed on it.
    Dropped(String),
    /// An extractor with `on_error: dead_letter` failed on it again.
    Failed(String),
}

impl Pipeline {
    /// Run `steps` on `item` ([`chain::run`]); every step that failed is in the returned
    /// list, whatever its `on_error` did.
    pub(super) async fn run_steps(
        &self,
        steps: &[Arc<Step>],
        item: &mut Item,
    ) -> (Vec<chain::Failure>, Result<(), chain::Stop>) {
        let mut ctx = chain::Ctx {
            timeout: self.config().pipeline.extract_timeout.get(),
            metrics: &self.metrics,
            failures: Vec::new(),
        };
        let r = chain::run(steps, item, &mut ctx).await;
        (ctx.failures, r)
    }

    /// Extract, route and submit one item. Whatever happens inside (a panic in routing or
    /// in a sink's hand-over included) the item ends counted: delivered, dead-lettered,
    /// dropped by an `on_error`, or lost — released so that the next poll offers it again.
    pub(super) async fn process(&self, w: Work) {
        use futures_util::FutureExt;
        let (source, id) = (w.item.source.clone(), w.item.id.clone());
        let run = std::panic::AssertUnwindSafe(self.process_inner(w)).catch_unwind();
        if let Err(p) = run.await {
            let why = feedloom_core::blocking::panic_message(&*p);
            tracing::error!(item = %id, source = %source, error = %why, "processing an item panicked; item released for the next poll");
            self.ledger.release(&source, &id);
            self.report_lock().lost += 1;
            self.item_failed(&source, &id, &format!("processing panicked: {why}"));
        }
    }

    pub(super) async fn process_inner(&self, w: Work) {
        let Work { mut item, batch } = w;
        let chain = self.live.load().chain.clone();
        let (failures, res) = self.run_steps(&chain, &mut item).await;
        self.count_failures(&item, &failures);
        if let Err((i, e)) = res {
            let step = &chain[i];
            match step.on_error {
                OnError::Skip | OnError::Drop => {
                    tracing::warn!(extractor = %step.id, item = %item.id, source = %item.source, error = %e, "extractor failed; item dropped");
                    self.report_lock().dropped += 1;
                    Ack::for_item(&self.ledger, &item.source, &item.id, batch, 0).await;
                }
                OnError::DeadLetter => {
                    tracing::warn!(extractor = %step.id, item = %item.id, source = %item.source, error = %e, "extractor failed; item kept in the dead-letter store");
                    let (src, id) = (item.source.clone(), item.id.clone());
                    let message = self.config().redact(&e.message);
                    match self
                        .dlq
                        .add(&format!("extractor:{}", step.id), vec![item], &message, 1)
                    {
                        Ok(()) => {
                            self.report_lock().extract_dead_letters += 1;
                            Ack::for_item(&self.ledger, &src, &id, batch, 0).await;
                        }
                        Err(se) => {
                            tracing::error!(item = %id, source = %src, error = %se, "could not keep dead letter; item left for redelivery");
                            self.report_lock().lost += 1;
                            self.ledger.release(&src, &id);
                        }
                    }
                }
            }
            return;
        }
        let routes = self.live.load().routes.clone();
        let targets: Vec<&Route> = routes
            .iter()
            .filter(|r| r.when.as_ref().is_none_or(|f| f.matches(&item)))
            .collect();
        let item = Arc::new(item);
        let acks = Ack::for_item(&self.ledger, &item.source, &item.id, batch, targets.len()).await;
        for (r, ack) in targets.into_iter().zip(acks) {
            r.handle
                .submit(Envelope {
                    item: item.clone(),
                    ack: Some(ack),
                })
                .await;
        }
    }

    /// Count the extractors that failed on `item` and show the failures in its source's
    /// status.
    pub(super) fn count_failures(&self, item: &Item, failures: &[chain::Failure]) {
        if failures.is_empty() {
            return;
        }
        self.report_lock().extract_errors += failures.len() as u64;
        for f in failures {
            let why = format!(
                "extractor {}: {}",
                f.extractor,
                self.config().redact(&f.error.message)
            );
            self.item_failed(&item.source, &item.id, &why);
        }
    }

    /// An item of `source` failed extraction (or processing): the source shows as failing,
    /// with the reason in full, until a poll brings new items that all go through.
    pub(super) fn item_failed(&self, source: &str, item: &str, why: &str) {
        self.update_status(source, |s| {
            s.item_errors += 1;
            s.last_item_error = Some(format!("item {item}: {why}"));
            s.state = "failing".into();
        });
    }

    /// Run the extractors on one item (no sources, no sinks): `feedloom extract`. An
    /// extractor's failure follows its `on_error` (skip: go on; drop/dead_letter: stop).
    /// Returns the item and one line for every extractor that failed on it.
    pub async fn extract_one(&self, mut item: Item) -> (Item, Vec<String>) {
        let chain = self.live.load().chain.clone();
        let (failures, res) = self.run_steps(&chain, &mut item).await;
        let mut lines: Vec<String> = failures
            .iter()
            .map(|f| format!("extractor {}: {}", f.extractor, f.error))
            .collect();
        if let Err((i, _)) = res {
            let policy = match chain[i].on_error {
                OnError::DeadLetter => "dead_letter",
                OnError::Drop | OnError::Skip => "drop",
            };
            lines.push(format!(
                "extractor {} has on_error: {policy}; the extractors after it did not run",
                chain[i].id
            ));
        }
        self.shutdown_extractors().await;
        (item, lines)
    }

    /// Run the extractor chain again on an item that extractor `failed_at` dead-lettered
    /// (`feedloom dlq replay`): from that extractor on, since the ones before it already
    /// ran on the item (their fields are in the dead letter). When `failed_at` is no longer
    /// configured, the whole chain runs (built-in extractors replace their fields, so one
    /// that ran before does no harm). Each step follows its `on_error` as in the daemon.
    pub async fn reextract(&self, failed_at: &str, mut item: Item) -> Reextracted {
        let chain = self.live.load().chain.clone();
        let from = chain.iter().position(|s| s.id == failed_at).unwrap_or(0);
        match self.run_steps(&chain[from..], &mut item).await.1 {
            Ok(()) => Reextracted::Done(Box::new(item)),
            Err((i, e)) => {
                let step = &chain[from + i];
                let msg = format!(
                    "extractor {}: {}",
                    step.id,
                    self.config().redact(&e.message)
                );
                match step.on_error {
                    OnError::DeadLetter => Reextracted::Failed(msg),
                    OnError::Drop | OnError::Skip => Reextracted::Dropped(msg),
                }
            }
        }
    }

    /// Why each configured extractor found what it found in `item`, an item the chain has
    /// processed (`feedloom extract --explain`): per extractor id in chain order, its
    /// decisions ([`SyncExtractor::explain`](feedloom_core::SyncExtractor::explain); async
    /// extractors explain nothing), or the message of the panic that cut its explanation short.
    pub fn explain(&self, item: &Item) -> Vec<(String, Result<Vec<Decision>, String>)> {
        let chain = self.live.load().chain.clone();
        chain
            .iter()
            .filter_map(|step| {
                let sync = step.sync.as_ref()?;
                let r =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sync.explain(item)))
                        .map_err(|p| feedloom_core::blocking::panic_message(p.as_ref()));
                Some((step.id.clone(), r))
            })
            .collect()
    }

    /// Stop the extractors' resources (exec processes) when no `run` does it.
    pub async fn shutdown_extractors(&self) {
        let chain = self.live.load().chain.clone();
        for s in chain.iter() {
            s.ex.shutdown().await;
        }
    }
}
