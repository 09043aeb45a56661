//! Counters the pipeline keeps for `/metrics` and `feedloom status`: per source (fetches by
//! result, items, bytes, fetch duration histogram), per extractor (items, errors, time).
//! Per-sink counters live in [`crate::delivery::SinkStats`]; per-source schedule and last
//! error in [`crate::SourceStatus`].

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use feedloom_core::sync::LockExt;

/// Upper bounds (seconds) of the fetch-duration histogram buckets.
pub const FETCH_BUCKETS: [f64; 11] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// A fixed-bucket histogram (Prometheus style: cumulative on render).
#[derive(Debug, Default)]
pub struct Histogram {
    /// Count per bucket (non-cumulative); the last slot is +Inf.
    pub buckets: [AtomicU64; FETCH_BUCKETS.len() + 1],
    pub sum_micros: AtomicU64,
    pub count: AtomicU64,
}

impl Histogram {
    pub fn observe(&self, d: Duration) {
        let s = d.as_secs_f64();
        let i = FETCH_BUCKETS
            .iter()
            .position(|b| s <= *b)
            .unwrap_or(FETCH_BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }

    /// Cumulative counts per bucket bound (the last is +Inf), the sum in seconds, the count.
    pub fn snapshot(&self) -> (Vec<u64>, f64, u64) {
        let mut acc = 0;
        let cum = self
            .buckets
            .iter()
            .map(|b| {
                acc += b.load(Ordering::Relaxed);
                acc
            })
            .collect();
        (
            cum,
            self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6,
            self.count.load(Ordering::Relaxed),
        )
    }
}

/// Counters of one source.
#[derive(Debug, Default)]
pub struct SourceMetrics {
    pub fetch_ok: AtomicU64,
    pub fetch_not_modified: AtomicU64,
    pub fetch_error: AtomicU64,
    pub items: AtomicU64,
    /// Items the source left out for having nothing to show (no title, link nor content).
    pub items_skipped: AtomicU64,
    /// Article pages (`fulltext: true`) not fetched or not read.
    pub fulltext_failed: AtomicU64,
    pub bytes: AtomicU64,
    /// Failed polls by error kind ([`feedloom_core::SourceErrorKind::label`]: `parse`,
    /// `timeout`, `http_503`...).
    pub errors_by_kind: Mutex<BTreeMap<String, u64>>,
    /// The poll's own time (queueing for a fetch slot not included).
    pub duration: Histogram,
    /// Nanoseconds polls spent waiting for a fetch slot (not counted against the poll
    /// timeout).
    pub queue_nanos: AtomicU64,
}

/// Counters of one extractor.
#[derive(Debug, Default)]
pub struct ExtractorMetrics {
    pub items: AtomicU64,
    pub errors: AtomicU64,
    pub nanos: AtomicU64,
}

/// Every counter of a running pipeline.
#[derive(Debug)]
pub struct Metrics {
    pub started: Instant,
    sources: Mutex<BTreeMap<String, Arc<SourceMetrics>>>,
    extractors: Mutex<BTreeMap<String, Arc<ExtractorMetrics>>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            sources: Default::default(),
            extractors: Default::default(),
        }
    }
}

impl Metrics {
    pub fn source(&self, id: &str) -> Arc<SourceMetrics> {
        self.sources
            .lock_unpoisoned()
            .entry(id.to_string())
            .or_default()
            .clone()
    }
    pub fn extractor(&self, id: &str) -> Arc<ExtractorMetrics> {
        self.extractors
            .lock_unpoisoned()
            .entry(id.to_string())
            .or_default()
            .clone()
    }
    /// Forget a removed source's counters.
    pub fn remove_source(&self, id: &str) {
        self.sources.lock_unpoisoned().remove(id);
    }
    pub fn sources(&self) -> Vec<(String, Arc<SourceMetrics>)> {
        self.sources
            .lock_unpoisoned()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    pub fn extractors(&self) -> Vec<(String, Arc<ExtractorMetrics>)> {
        self.extractors
            .lock_unpoisoned()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative() {
        let h = Histogram::default();
        h.observe(Duration::from_millis(5));
        h.observe(Duration::from_millis(300));
        h.observe(Duration::from_secs(100));
        let (cum, sum, n) = h.snapshot();
        assert_eq!(n, 3);
        assert_eq!(cum[0], 1);
        assert_eq!(cum[4], 2);
        assert_eq!(*cum.last().unwrap(), 3);
        assert!((sum - 100.305).abs() < 1e-3);
    }
}
