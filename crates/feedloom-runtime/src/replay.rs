//! `feedloom dlq replay`: dead letters sent again, through the extractor chain where an
//! extractor dead-lettered them, then to their sinks. The store itself is [`crate::dlq`].

use std::sync::Arc;

use feedloom_core::{Item, Registry, StateStore};

use crate::Config;
use crate::dlq::DeadLetters;
use crate::pipeline::Reextracted;

/// What `feedloom dlq replay` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReplayReport {
    pub attempted: usize,
    /// Resolved and removed: delivered (or dropped by an extractor with `on_error: drop`, or
    /// routed to no sink).
    pub delivered: usize,
    pub failed: usize,
}

/// Send dead letters (of one sink, or all) again, once each; remove the ones that went
/// through. `on_progress(done, total)` is called after each one.
///
/// A sink's dead letter goes to that sink only. An extractor's (`extractor:<id>`) goes
/// through the configured extractor chain again, from that extractor on (see
/// [`crate::Pipeline::reextract`]), and then to every sink whose `when:` matches the
/// enriched item. One that fails again in an extractor with `on_error: dead_letter` is kept.
pub async fn replay(
    config: &Config,
    registry: &Registry,
    dl: &DeadLetters,
    sink: Option<&str>,
    on_progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ReplayReport, crate::RuntimeError> {
    let letters = dl.list(sink)?;
    // Plugins keep no state of their own here; the daemon may hold the real store.
    let store: Arc<dyn StateStore> = Arc::new(feedloom_core::MemoryStore::new());
    let total = letters.len();
    let mut report = ReplayReport::default();
    let mut sinks: std::collections::HashMap<String, Box<dyn feedloom_core::Sink>> =
        Default::default();
    for spec in &config.sinks {
        let c = &spec.component;
        let f = registry.sink(&c.kind).ok_or_else(|| {
            crate::RuntimeError::Config(format!("unknown sink type `{}`", c.kind))
        })?;
        let ctx = config.build_context(&c.id, store.clone(), Arc::new(Default::default()));
        let s = (f.build)(&c.options.value(), &ctx)
            .map_err(|e| crate::RuntimeError::Config(config.build_error(c, e).to_string()))?;
        sinks.insert(c.id.clone(), s);
    }
    // The extractor chain, built only when an extractor's dead letter is replayed (an exec
    // plugin starts its process on the first item).
    let mut chain: Option<Arc<crate::Pipeline>> = None;
    for d in letters {
        report.attempted += 1;
        // (sink, items) to send.
        let mut sends: Vec<(&str, Vec<Item>)> = Vec::new();
        let mut ok = true;
        if let Some(extractor) = d.sink.strip_prefix("extractor:") {
            if chain.is_none() {
                let mut cfg = config.clone();
                cfg.sources.clear();
                cfg.sinks.clear();
                chain = Some(crate::Pipeline::build_with_store(
                    cfg,
                    registry.clone(),
                    store.clone(),
                )?);
            }
            let p = chain.as_ref().expect("built above");
            for item in &d.items {
                match p.reextract(extractor, item.clone()).await {
                    Reextracted::Done(item) => {
                        for s in &config.sinks {
                            if s.when.as_ref().is_none_or(|w| w.matches(&item)) {
                                match sends.iter_mut().find(|(t, _)| *t == s.component.id) {
                                    Some((_, v)) => v.push((*item).clone()),
                                    None => sends.push((&s.component.id, vec![(*item).clone()])),
                                }
                            }
                        }
                    }
                    Reextracted::Dropped(msg) => {
                        tracing::warn!(item = %item.id, error = %msg, "replayed item dropped by its extractor (on_error: drop)");
                    }
                    Reextracted::Failed(msg) => {
                        tracing::error!(item = %item.id, error = %msg, "replayed item failed in an extractor again; dead letter kept");
                        ok = false;
                    }
                }
            }
            if !ok {
                sends.clear();
            }
        } else {
            sends.push((d.sink.as_str(), d.items.clone()));
        }
        for (t, items) in &sends {
            match sinks.get(*t) {
                None => {
                    tracing::error!(sink = %t, "dead letter's sink is not in the config; kept (drop it with `feedloom dlq purge --sink {t}`)");
                    ok = false;
                }
                Some(s) => {
                    let r = s.send(items).await;
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
    if let Some(p) = chain {
        p.shutdown_extractors().await;
    }
    Ok(report)
}
