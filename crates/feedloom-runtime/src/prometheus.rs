//! `/metrics`: the pipeline's counters in the Prometheus text exposition format 0.0.4.
//!
//! Every family is written once, with its `# HELP` and `# TYPE` lines, and all of its samples
//! together; label values are escaped (`\\`, `\"`, `\n`).

use feedloom_core::sync::LockExt;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use crate::Pipeline;
use crate::metrics::FETCH_BUCKETS;

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The kind of a metric family (`# TYPE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// A text exposition being written.
#[derive(Default)]
pub struct Exposition {
    out: String,
}

impl Exposition {
    pub fn new() -> Self {
        Self::default()
    }

    /// Start a family: its `# HELP` and `# TYPE` lines.
    pub fn family(&mut self, name: &str, help: &str, kind: Kind) {
        let _ = writeln!(self.out, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.out, "# TYPE {name} {}", kind.as_str());
    }

    /// One sample line `name{labels} value`.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label_value(v));
            }
            self.out.push('}');
        }
        self.out.push(' ');
        self.out.push_str(&format_value(value));
        self.out.push('\n');
    }

    /// The samples of one histogram: cumulative `_bucket{le=..}` (ending with `+Inf`),
    /// `_sum` and `_count`. `cumulative` holds one count per bound plus the `+Inf` count.
    pub fn histogram(
        &mut self,
        name: &str,
        labels: &[(&str, &str)],
        bounds: &[f64],
        cumulative: &[u64],
        sum: f64,
        count: u64,
    ) {
        let bucket = format!("{name}_bucket");
        for (i, c) in cumulative.iter().enumerate() {
            let le = bounds
                .get(i)
                .map(|b| format_value(*b))
                .unwrap_or_else(|| "+Inf".into());
            let mut l = labels.to_vec();
            l.push(("le", &le));
            self.sample(&bucket, &l, *c as f64);
        }
        if cumulative.len() <= bounds.len() {
            // No +Inf slot given: it equals the count.
            let mut l = labels.to_vec();
            l.push(("le", "+Inf"));
            self.sample(&bucket, &l, count as f64);
        }
        self.sample(&format!("{name}_sum"), labels, sum);
        self.sample(&format!("{name}_count"), labels, count as f64);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Escape a label value: backslash, double quote and line feed.
pub fn escape_label_value(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o
}

/// Escape a `# HELP` text: backslash and line feed.
pub fn escape_help(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A sample value as Prometheus writes it (`+Inf`, `-Inf`, `NaN`, integers without `.0`).
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

/// Every metric of `pipeline` as a text exposition.
pub fn render(pipeline: &Pipeline) -> String {
    let mut x = Exposition::new();
    let metrics = pipeline.metrics();
    let sources = metrics.sources();
    let status = pipeline.source_status();

    // Sources.
    x.family(
        "feedloom_source_fetches_total",
        "Polls of a source by result (ok, not_modified, error).",
        Kind::Counter,
    );
    for (id, m) in &sources {
        for (result, c) in [
            ("ok", &m.fetch_ok),
            ("not_modified", &m.fetch_not_modified),
            ("error", &m.fetch_error),
        ] {
            x.sample(
                "feedloom_source_fetches_total",
                &[("source", id), ("result", result)],
                c.load(Ordering::Relaxed) as f64,
            );
        }
    }
    type SourcePick = fn(&crate::metrics::SourceMetrics) -> f64;
    let source_counters: [(&str, &str, SourcePick); 5] = [
        (
            "feedloom_source_items_total",
            "New items a source handed to the pipeline.",
            |m| m.items.load(Ordering::Relaxed) as f64,
        ),
        (
            "feedloom_source_items_skipped_total",
            "Items a source left out for having nothing to show (no title, link nor content).",
            |m| m.items_skipped.load(Ordering::Relaxed) as f64,
        ),
        (
            "feedloom_source_fulltext_failures_total",
            "Article pages (fulltext: true) a source could not fetch or read; those items keep the feed's text.",
            |m| m.fulltext_failed.load(Ordering::Relaxed) as f64,
        ),
        (
            "feedloom_source_bytes_total",
            "Bytes a source fetched.",
            |m| m.bytes.load(Ordering::Relaxed) as f64,
        ),
        (
            "feedloom_source_queue_seconds_total",
            "Time a source's polls waited for a fetch slot (max_concurrent_fetches, per_host_concurrency); not counted against the poll timeout.",
            |m| m.queue_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        ),
    ];
    for (name, help, pick) in source_counters {
        x.family(name, help, Kind::Counter);
        for (id, m) in &sources {
            x.sample(name, &[("source", id)], pick(m));
        }
    }
    x.family(
        "feedloom_source_errors_total",
        "Failed polls of a source by error kind (parse, timeout, connect, http_503...).",
        Kind::Counter,
    );
    for (id, m) in &sources {
        let kinds = m.errors_by_kind.lock_unpoisoned().clone();
        for (kind, n) in &kinds {
            x.sample(
                "feedloom_source_errors_total",
                &[("source", id), ("kind", kind)],
                *n as f64,
            );
        }
    }
    x.family(
        "feedloom_source_last_success_timestamp_seconds",
        "Unix time of a source's last successful poll (absent until one succeeds).",
        Kind::Gauge,
    );
    for s in &status {
        if let Some(t) = s.last_success {
            x.sample(
                "feedloom_source_last_success_timestamp_seconds",
                &[("source", &s.id)],
                t.timestamp_millis() as f64 / 1000.0,
            );
        }
    }
    x.family(
        "feedloom_source_consecutive_errors",
        "Failed polls of a source since its last success.",
        Kind::Gauge,
    );
    for s in &status {
        x.sample(
            "feedloom_source_consecutive_errors",
            &[("source", &s.id)],
            s.consecutive_errors as f64,
        );
    }
    x.family(
        "feedloom_source_fetch_duration_seconds",
        "Time a source's poll took (its own work: waiting for a fetch slot is in feedloom_source_queue_seconds_total).",
        Kind::Histogram,
    );
    for (id, m) in &sources {
        let (cum, sum, count) = m.duration.snapshot();
        x.histogram(
            "feedloom_source_fetch_duration_seconds",
            &[("source", id)],
            &FETCH_BUCKETS,
            &cum,
            sum,
            count,
        );
    }

    // Extractors.
    let extractors = metrics.extractors();
    for (name, help, pick) in [
        (
            "feedloom_extractor_items_total",
            "Items an extractor processed.",
            0,
        ),
        (
            "feedloom_extractor_errors_total",
            "Items an extractor failed on.",
            1,
        ),
        (
            "feedloom_extractor_seconds_total",
            "Time spent in an extractor.",
            2,
        ),
    ] {
        x.family(name, help, Kind::Counter);
        for (id, m) in &extractors {
            let v = match pick {
                0 => m.items.load(Ordering::Relaxed) as f64,
                1 => m.errors.load(Ordering::Relaxed) as f64,
                _ => m.nanos.load(Ordering::Relaxed) as f64 / 1e9,
            };
            x.sample(name, &[("extractor", id)], v);
        }
    }

    // What became of items that did not go through.
    let r = pipeline.counters();
    for (name, help, v) in [
        (
            "feedloom_items_dropped_total",
            "Items an extractor's failure dropped (on_error: drop).",
            r.dropped,
        ),
        (
            "feedloom_items_dead_lettered_total",
            "Items an extractor's failure put in the dead-letter store (on_error: dead_letter).",
            r.extract_dead_letters,
        ),
        (
            "feedloom_items_lost_total",
            "Items lost in processing (a panic outside the extractors, a dead letter that could not be written); released for the next poll.",
            r.lost,
        ),
        (
            "feedloom_worker_jobs_abandoned_total",
            "Extraction jobs that overran their deadline and still hold a worker thread.",
            feedloom_core::blocking::abandoned(),
        ),
    ] {
        x.family(name, help, Kind::Counter);
        x.sample(name, &[], v as f64);
    }

    x.family(
        "feedloom_state_writes_pending",
        "State changes (delivered marks, poll commits, statuses) queued and not yet durable.",
        Kind::Gauge,
    );
    x.sample(
        "feedloom_state_writes_pending",
        &[],
        pipeline.state_writes_pending() as f64,
    );

    // Sinks.
    let sinks = pipeline.sink_stats();
    type Pick = fn(&crate::delivery::SinkStats) -> u64;
    let sink_families: [(&str, &str, Kind, Pick); 8] = [
        (
            "feedloom_sink_delivered_total",
            "Items a sink accepted.",
            Kind::Counter,
            |s| s.delivered.load(Ordering::Relaxed),
        ),
        (
            "feedloom_sink_retries_total",
            "Retried deliveries of a batch to a sink.",
            Kind::Counter,
            |s| s.retries.load(Ordering::Relaxed),
        ),
        (
            "feedloom_sink_failures_total",
            "Failed delivery attempts to a sink.",
            Kind::Counter,
            |s| s.failures.load(Ordering::Relaxed),
        ),
        (
            "feedloom_sink_dead_letters_total",
            "Batches a sink gave up on and kept in the dead-letter store.",
            Kind::Counter,
            |s| s.dead_letters.load(Ordering::Relaxed),
        ),
        (
            "feedloom_sink_backlog_memory",
            "Items queued in memory for a sink.",
            Kind::Gauge,
            |s| s.queued.load(Ordering::Relaxed),
        ),
        (
            "feedloom_sink_backlog_disk",
            "Items waiting for a sink in its disk backlog.",
            Kind::Gauge,
            |s| s.backlog.load(Ordering::Relaxed),
        ),
        (
            "feedloom_sink_last_delivery_timestamp_seconds",
            "Unix time of a sink's last successful delivery (0: none yet).",
            Kind::Gauge,
            |s| s.last_delivery.load(Ordering::Relaxed),
        ),
        (
            "feedloom_sink_failing",
            "1 when a sink's last attempt failed and nothing was delivered since.",
            Kind::Gauge,
            |s| u64::from(s.failing()),
        ),
    ];
    for (name, help, kind, pick) in sink_families {
        x.family(name, help, kind);
        for (id, s) in &sinks {
            x.sample(name, &[("sink", id)], pick(s) as f64);
        }
    }

    if let Some(node) = pipeline.cluster() {
        cluster(&mut x, &crate::cluster::status::ClusterStatus::of(node));
    }

    // Process.
    x.family(
        "feedloom_uptime_seconds",
        "Seconds since the pipeline started.",
        Kind::Gauge,
    );
    x.sample(
        "feedloom_uptime_seconds",
        &[],
        metrics.uptime().as_secs_f64(),
    );
    x.family(
        "feedloom_build_info",
        "Build information; the value is always 1.",
        Kind::Gauge,
    );
    x.sample(
        "feedloom_build_info",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1.0,
    );
    x.finish()
}

/// Cluster mode: leases, work counters and consumer backlogs of this node.
fn cluster(x: &mut Exposition, c: &crate::cluster::status::ClusterStatus) {
    x.family(
        "feedloom_cluster_shards_owned",
        "Shards this node holds now.",
        Kind::Gauge,
    );
    x.sample("feedloom_cluster_shards_owned", &[], c.owned.len() as f64);
    x.family(
        "feedloom_cluster_shards_target",
        "This node's fair share of the shards.",
        Kind::Gauge,
    );
    x.sample("feedloom_cluster_shards_target", &[], f64::from(c.target));
    x.family(
        "feedloom_cluster_members",
        "Live members of the cluster as this node sees them.",
        Kind::Gauge,
    );
    x.sample("feedloom_cluster_members", &[], c.members.len() as f64);
    x.family(
        "feedloom_cluster_refused",
        "1 when this node takes no work because its config differs from the cluster's.",
        Kind::Gauge,
    );
    x.sample(
        "feedloom_cluster_refused",
        &[],
        if c.refused.is_some() { 1.0 } else { 0.0 },
    );
    x.family(
        "feedloom_cluster_events_total",
        "Cluster events of this node: leases (acquired, renewed, lost, released, renew errors and refusals), items published (and duplicates, errors), feed-state writes and conflicts, work taken and redelivered, extracted, given back, dead-lettered, sink acknowledgements.",
        Kind::Counter,
    );
    for (event, v) in &c.counters {
        x.sample(
            "feedloom_cluster_events_total",
            &[("event", event)],
            *v as f64,
        );
    }
    x.family(
        "feedloom_cluster_consumer_pending",
        "Messages a consumer has not delivered yet (its lag), as last read from the server.",
        Kind::Gauge,
    );
    for (name, l) in &c.consumers {
        x.sample(
            "feedloom_cluster_consumer_pending",
            &[("consumer", name)],
            l.pending as f64,
        );
    }
    x.family(
        "feedloom_cluster_consumer_ack_pending",
        "Messages delivered by a consumer and not acknowledged yet.",
        Kind::Gauge,
    );
    for (name, l) in &c.consumers {
        x.sample(
            "feedloom_cluster_consumer_ack_pending",
            &[("consumer", name)],
            l.ack_pending as f64,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_formats() {
        assert_eq!(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(escape_help("x\\y\nz"), "x\\\\y\\nz");
        assert_eq!(format_value(1.0), "1");
        assert_eq!(format_value(0.25), "0.25");
        assert_eq!(format_value(f64::INFINITY), "+Inf");
        assert_eq!(format_value(f64::NAN), "NaN");
        let mut x = Exposition::new();
        x.family("m", "help", Kind::Histogram);
        x.histogram("m", &[("s", "q\"")], &[0.5, 1.0], &[1, 2, 3], 2.5, 3);
        let t = x.finish();
        assert_eq!(
            t,
            "# HELP m help\n# TYPE m histogram\nm_bucket{s=\"q\\\"\",le=\"0.5\"} 1\nm_bucket{s=\"q\\\"\",le=\"1\"} 2\nm_bucket{s=\"q\\\"\",le=\"+Inf\"} 3\nm_sum{s=\"q\\\"\"} 2.5\nm_count{s=\"q\\\"\"} 3\n"
        );
    }
}
