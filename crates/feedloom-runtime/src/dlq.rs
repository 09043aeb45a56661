//! The dead-letter store: batches a sink could not deliver (a permanent error, or
//! `max_retries` used up), and items an extractor failed on with `on_error: dead_letter`.
//! Kept under `state_dir` with the sink, the last error, the attempt count and the time.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use feedloom_core::state::StateOp;
use feedloom_core::{Item, StateError, StateStore};
use serde::{Deserialize, Serialize};

use crate::state::ns;

/// One dead-lettered batch.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DeadLetter {
    /// Store key (stable; used by replay and purge).
    #[serde(skip)]
    pub key: String,
    /// The sink id, or `extractor:<id>` for an extractor failure.
    pub sink: String,
    pub error: String,
    pub attempts: u32,
    pub time: DateTime<Utc>,
    pub items: Vec<Item>,
}

/// Dead letters in the state store, namespace `dlq`, keyed `sink/time-seq` so they list in
/// arrival order per sink.
#[derive(Clone)]
pub struct DeadLetters {
    store: Arc<dyn StateStore>,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl DeadLetters {
    pub fn new(store: Arc<dyn StateStore>) -> Self {
        DeadLetters { store }
    }

    /// Keep a batch. Durable when this returns.
    pub fn add(
        &self,
        sink: &str,
        items: Vec<Item>,
        error: &str,
        attempts: u32,
    ) -> Result<(), StateError> {
        let time = Utc::now();
        let key = format!(
            "{sink}/{:020}-{:06}",
            time.timestamp_micros(),
            SEQ.fetch_add(1, Ordering::Relaxed) % 1_000_000
        );
        let dl = DeadLetter {
            key: key.clone(),
            sink: sink.to_string(),
            error: error.to_string(),
            attempts,
            time,
            items,
        };
        let bytes = serde_json::to_vec(&dl).map_err(|e| StateError(e.to_string()))?;
        self.store.apply(vec![StateOp::put(ns::DLQ, key, bytes)])
    }

    /// Every dead letter, optionally of one sink, oldest first per sink.
    pub fn list(&self, sink: Option<&str>) -> Result<Vec<DeadLetter>, StateError> {
        let prefix = sink.map(|s| format!("{s}/")).unwrap_or_default();
        let mut out = Vec::new();
        let mut bad = 0usize;
        self.store.scan(ns::DLQ, &prefix, &mut |k, v| {
            match serde_json::from_slice::<DeadLetter>(v) {
                Ok(mut d) => {
                    d.key = k.to_string();
                    out.push(d);
                }
                Err(_) => bad += 1,
            }
            true
        })?;
        if bad > 0 {
            tracing::warn!(count = bad, "unreadable dead letters skipped");
        }
        Ok(out)
    }

    /// Remove one dead letter (after a successful replay).
    pub fn remove(&self, key: &str) -> Result<(), StateError> {
        self.store.apply(vec![StateOp::delete(ns::DLQ, key)])
    }

    /// Remove every dead letter (of one sink). Returns how many.
    pub fn purge(&self, sink: Option<&str>) -> Result<usize, StateError> {
        let all = self.list(sink)?;
        let ops: Vec<_> = all
            .iter()
            .map(|d| StateOp::delete(ns::DLQ, d.key.clone()))
            .collect();
        let n = ops.len();
        self.store.apply(ops)?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedloom_core::MemoryStore;

    #[test]
    fn add_list_purge_per_sink() {
        let d = DeadLetters::new(Arc::new(MemoryStore::new()));
        d.add("hook", vec![Item::new("1", "s")], "HTTP 400", 1)
            .unwrap();
        d.add("hook", vec![Item::new("2", "s")], "HTTP 400", 1)
            .unwrap();
        d.add("other", vec![Item::new("3", "s")], "boom", 5)
            .unwrap();
        let hook = d.list(Some("hook")).unwrap();
        assert_eq!(hook.len(), 2);
        assert_eq!(hook[0].items[0].id, "1", "oldest first");
        assert_eq!(d.list(None).unwrap().len(), 3);
        assert_eq!(d.purge(Some("hook")).unwrap(), 2);
        assert_eq!(d.list(None).unwrap().len(), 1);
    }
}

/// What `feedloom dlq replay` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    pub attempted: usize,
    pub delivered: usize,
    pub failed: usize,
}

/// Send dead letters (of one sink, or all) to their sink again, once each; remove the ones
/// delivered. `on_progress(done, total)` is called after each one. Extractor dead letters (`extractor:<id>`) are sent to every sink whose `when:`
/// matches.
pub async fn replay(
    config: &crate::Config,
    registry: &feedloom_core::Registry,
    store: Arc<dyn StateStore>,
    sink: Option<&str>,
    on_progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ReplayReport, crate::RuntimeError> {
    let dl = DeadLetters::new(store.clone());
    let letters = dl.list(sink)?;
    let total = letters.len();
    let mut report = ReplayReport::default();
    let mut sinks: std::collections::HashMap<String, Box<dyn feedloom_core::Sink>> =
        Default::default();
    for spec in &config.sinks {
        let c = &spec.component;
        let f = registry.sink_factory(&c.kind).ok_or_else(|| {
            crate::RuntimeError::Config(format!("unknown sink type `{}`", c.kind))
        })?;
        let ctx = config.build_context(&c.id, store.clone(), Arc::new(Default::default()));
        let s = (f.build)(&c.options, &ctx)
            .map_err(|e| crate::RuntimeError::Config(config.build_error(c, e).to_string()))?;
        sinks.insert(c.id.clone(), s);
    }
    for d in letters {
        report.attempted += 1;
        let targets: Vec<&str> = if d.sink.starts_with("extractor:") {
            config
                .sinks
                .iter()
                .filter(|s| {
                    s.when
                        .as_ref()
                        .is_none_or(|w| d.items.iter().all(|i| w.matches(i)))
                })
                .map(|s| s.component.id.as_str())
                .collect()
        } else {
            vec![d.sink.as_str()]
        };
        let mut ok = !targets.is_empty();
        for t in &targets {
            match sinks.get(*t) {
                None => {
                    tracing::error!(sink = %t, "dead letter's sink is not in the config; kept");
                    ok = false;
                }
                Some(s) => {
                    let r = s.send(&d.items).await;
                    let r = match r {
                        Ok(()) => s.flush().await,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = r {
                        tracing::error!(sink = %t, error = %config.redact(&e.message), "replay failed; dead letter kept");
                        ok = false;
                    }
                }
            }
        }
        if ok {
            dl.remove(&d.key)?;
            report.delivered += 1;
        } else {
            report.failed += 1;
        }
        on_progress(report.attempted, total);
    }
    Ok(report)
}
