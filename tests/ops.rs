//! End-to-end operations tests (admin endpoint, metrics, reload, status): see issue 7.
//!
//! A daemon is started with `feedloom run` and `admin.listen: 127.0.0.1:0`; the bound address
//! is read from its `admin endpoint listening addr=...` log line. HTTP is spoken over a plain
//! `TcpStream` (HTTP/1.1, `Connection: close`).

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use common::*;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn sources(addr: &str) -> Vec<serde_json::Value> {
    let (st, ctype, body) = http_get(addr, "/sources");
    assert_eq!(st, 200, "{body}");
    assert!(ctype.starts_with("application/json"), "{ctype}");
    serde_json::from_str::<serde_json::Value>(&body)
        .unwrap()
        .as_array()
        .expect("a JSON array")
        .clone()
}

fn source_ids(addr: &str) -> BTreeSet<String> {
    sources(addr)
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// Write `text` to `path` the way editors do: a temp file renamed over it.
fn write_atomically(path: &Path, text: &str) {
    let tmp = path.with_extension("yaml.tmp~");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// A config with the admin endpoint on `listen`, one `file` source per `(id, dir)` and a
/// jsonl sink per `(id, path)`.
fn config(
    listen: Option<&str>,
    sources: &[(&str, &Path)],
    sinks: &[(&str, &str)],
    extra: &str,
) -> String {
    let mut y = String::from("state_dir: state\n");
    if let Some(l) = listen {
        y.push_str(&format!("admin:\n  listen: \"{l}\"\n"));
    }
    y.push_str(extra);
    y.push_str("sources:\n");
    for (id, dir) in sources {
        y.push_str(&format!(
            "  - id: {id}\n    type: file\n    path: {}/*\n    interval: 1h\n",
            dir.display()
        ));
    }
    y.push_str("extractors: []\nsinks:\n");
    for (id, path) in sinks {
        y.push_str(&format!(
            "  - id: {id}\n    type: jsonl\n    path: {path}\n"
        ));
    }
    y
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ---------------------------------------------------------------------------------------
// A strict parser of the Prometheus text exposition format 0.0.4
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

#[derive(Debug, Default)]
struct Family {
    help: Option<String>,
    kind: Option<String>,
    samples: Vec<Sample>,
}

fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_' || ch == ':')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == ':')
}

fn parse_value(s: &str) -> Result<f64, String> {
    match s {
        "+Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => {
            if s.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') {
                return Err(format!("bad value {s:?}"));
            }
            s.parse::<f64>()
                .map_err(|e| format!("bad value {s:?}: {e}"))
        }
    }
}

/// Parse `{a="x",b="y\"z"}` starting at `s[0] == '{'`; returns labels and the rest.
fn parse_labels(s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let mut rest = &s[1..];
    loop {
        if let Some(r) = rest.strip_prefix('}') {
            return Ok((labels, r));
        }
        let eq = rest.find('=').ok_or("label without =")?;
        let name = &rest[..eq];
        if !is_name(name) || name.contains(':') {
            return Err(format!("bad label name {name:?}"));
        }
        rest = rest[eq + 1..]
            .strip_prefix('"')
            .ok_or("label value not quoted")?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err("unterminated label value".into()),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?}")),
                },
                Some((_, '\n')) => return Err("raw line feed in label value".into()),
                Some((_, c)) => value.push(c),
            }
        };
        if labels.insert(name.to_string(), value).is_some() {
            return Err(format!("label {name} twice"));
        }
        rest = &rest[end + 1..];
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.starts_with('}') {
            return Err(format!("expected , or }} at {rest:?}"));
        }
    }
}

/// The family a sample name belongs to, given the declared families.
fn family_of<'a>(name: &'a str, fams: &BTreeMap<String, Family>) -> &'a str {
    if fams.contains_key(name) {
        return name;
    }
    for suf in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suf)
            && fams
                .get(base)
                .is_some_and(|f| f.kind.as_deref() == Some("histogram"))
        {
            return base;
        }
    }
    name
}

fn parse_exposition(text: &str) -> Result<BTreeMap<String, Family>, String> {
    let mut fams: BTreeMap<String, Family> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    if !text.ends_with('\n') {
        return Err("exposition must end with a line feed".into());
    }
    for (n, line) in text.lines().enumerate() {
        let err = |m: String| format!("line {}: {m}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix("# ") {
            let mut p = c.splitn(3, ' ');
            let (kw, name, rest) = (p.next().unwrap(), p.next().unwrap_or(""), p.next());
            if !is_name(name) {
                return Err(err(format!("bad metric name {name:?}")));
            }
            if order.last().map(String::as_str) != Some(name) {
                if fams.contains_key(name) {
                    return Err(err(format!("family {name} is not contiguous")));
                }
                order.push(name.to_string());
            }
            let f = fams.entry(name.to_string()).or_default();
            match kw {
                "HELP" => {
                    if f.help.replace(rest.unwrap_or("").to_string()).is_some() {
                        return Err(err("second HELP".into()));
                    }
                }
                "TYPE" => {
                    let t = rest.ok_or_else(|| err("TYPE without a type".into()))?;
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&t) {
                        return Err(err(format!("unknown type {t}")));
                    }
                    if !f.samples.is_empty() {
                        return Err(err("TYPE after samples".into()));
                    }
                    if f.kind.replace(t.to_string()).is_some() {
                        return Err(err("second TYPE".into()));
                    }
                }
                _ => return Err(err("unexpected comment".into())),
            }
            continue;
        }
        if line.starts_with('#') {
            return Err(err("comment without a space".into()));
        }
        let name_end = line
            .find(['{', ' '])
            .ok_or_else(|| err("no value".into()))?;
        let name = &line[..name_end];
        if !is_name(name) {
            return Err(err(format!("bad metric name {name:?}")));
        }
        let (labels, rest) = if line[name_end..].starts_with('{') {
            parse_labels(&line[name_end..]).map_err(&err)?
        } else {
            (BTreeMap::new(), &line[name_end..])
        };
        let rest = rest
            .strip_prefix(' ')
            .ok_or_else(|| err("no space before the value".into()))?;
        let mut parts = rest.split(' ');
        let value = parse_value(parts.next().unwrap()).map_err(&err)?;
        if let Some(ts) = parts.next() {
            ts.parse::<i64>()
                .map_err(|e| err(format!("bad timestamp: {e}")))?;
        }
        if parts.next().is_some() {
            return Err(err("trailing text".into()));
        }
        let fam = family_of(name, &fams).to_string();
        if order.last() != Some(&fam) {
            return Err(err(format!("sample of {fam} outside its family block")));
        }
        let f = fams.get_mut(&fam).unwrap();
        if f.help.is_none() || f.kind.is_none() {
            return Err(err(format!("{fam} lacks HELP or TYPE")));
        }
        if f.kind.as_deref() == Some("counter") && (value.is_nan() || value < 0.0) {
            return Err(err("negative counter".into()));
        }
        f.samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    for (name, f) in &fams {
        if f.help.is_none() || f.kind.is_none() {
            return Err(format!("{name} lacks HELP or TYPE"));
        }
        if f.kind.as_deref() == Some("histogram") {
            check_histogram(name, &f.samples)?;
        }
    }
    Ok(fams)
}

/// Buckets cumulative, ascending `le`, ending in `+Inf` equal to `_count`; `_sum` present.
fn check_histogram(name: &str, samples: &[Sample]) -> Result<(), String> {
    type Key = BTreeMap<String, String>;
    /// Buckets (le, count), sum, count.
    type Series = (Vec<(f64, f64)>, Option<f64>, Option<f64>);
    let mut series: BTreeMap<Key, Series> = BTreeMap::new();
    for s in samples {
        let mut key = s.labels.clone();
        let le = key.remove("le");
        let e = series.entry(key).or_default();
        if s.name == format!("{name}_bucket") {
            let le = le.ok_or(format!("{name}_bucket without le"))?;
            e.0.push((parse_value(&le)?, s.value));
        } else if s.name == format!("{name}_sum") {
            e.1 = Some(s.value);
        } else if s.name == format!("{name}_count") {
            e.2 = Some(s.value);
        } else {
            return Err(format!("{} in histogram {name}", s.name));
        }
    }
    for (k, (buckets, sum, count)) in series {
        let count = count.ok_or(format!("{name}{k:?} lacks _count"))?;
        sum.ok_or(format!("{name}{k:?} lacks _sum"))?;
        let last = buckets
            .last()
            .ok_or(format!("{name}{k:?} has no buckets"))?;
        if last.0 != f64::INFINITY {
            return Err(format!("{name}{k:?} does not end with le=\"+Inf\""));
        }
        if last.1 != count {
            return Err(format!(
                "{name}{k:?}: +Inf bucket {} != count {count}",
                last.1
            ));
        }
        for w in buckets.windows(2) {
            if w[1].0 <= w[0].0 {
                return Err(format!("{name}{k:?}: le not ascending"));
            }
            if w[1].1 < w[0].1 {
                return Err(format!("{name}{k:?}: buckets not cumulative"));
            }
        }
    }
    Ok(())
}

fn value(fams: &BTreeMap<String, Family>, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let fam = family_of(name, fams);
    fams.get(fam)?
        .samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

#[test]
fn the_exposition_parser_is_strict() {
    let ok = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"q\\\"\\n\\\\\"} 3\n";
    let f = parse_exposition(ok).unwrap();
    assert_eq!(f["a_total"].samples[0].labels["x"], "q\"\n\\");
    for bad in [
        "a_total 1\n",                                   // no HELP/TYPE
        "# HELP a A.\n# TYPE a gauge\na{x=\"1} 1\n",     // unterminated
        "# HELP a A.\n# TYPE a gauge\na{x=\"\\t\"} 1\n", // bad escape
        "# HELP a A.\n# TYPE a gauge\na 1x\n",           // bad value
        "# HELP a A.\n# TYPE a gauge\na 1\n# HELP b B.\n# TYPE b gauge\nb 1\na 2\n", // split
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
        "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",
    ] {
        assert!(parse_exposition(bad).is_err(), "accepted {bad:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

#[test]
fn admin_endpoint_serves_health_readiness_metrics_and_sources() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    write_articles(&articles, 20);
    let cfg = write_config(
        dir.path(),
        &config(
            Some("127.0.0.1:0"),
            &[("local", &articles)],
            &[("archive", "out/items.jsonl")],
            "",
        )
        .replace("extractors: []\n", "extractors:\n  - type: clean\n"),
    );
    let mut d = Daemon::start(&cfg);
    let addr = d.admin();

    let (st, _, body) = http_get(&addr, "/healthz");
    assert_eq!((st, body.trim()), (200, "ok"));

    d.wait("/readyz 200", |_| http_get(&addr, "/readyz").0 == 200);
    d.wait("20 items delivered", |_| {
        read_jsonl(&dir.path().join("out/items.jsonl")).len() == 20
    });
    d.wait("source status ok", |_| {
        sources(&addr)
            .first()
            .is_some_and(|s| s["state"] == "ok" && s["items"] == 20)
    });

    let list = sources(&addr);
    assert_eq!(list.len(), 1);
    let s = &list[0];
    assert_eq!(s["id"], "local");
    assert_eq!(s["type"], "file");
    assert!(s["target"].as_str().unwrap().contains("articles"), "{s}");
    assert!(
        s["last_fetch"].is_string() && s["last_success"].is_string(),
        "{s}"
    );
    assert!(s["next_poll"].is_string(), "{s}");
    assert!(s["last_error"].is_null());
    assert_eq!(s["consecutive_errors"], 0);
    assert_eq!(s["polls_ok"], 1);

    d.wait("sink delivered counter", |_| {
        let (_, _, body) = http_get(&addr, "/metrics");
        body.contains("feedloom_sink_delivered_total{sink=\"archive\"} 20")
    });
    let (st, ctype, body) = http_get(&addr, "/metrics");
    assert_eq!(st, 200);
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    let fams = parse_exposition(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    for f in [
        "feedloom_source_fetches_total",
        "feedloom_source_items_total",
        "feedloom_source_bytes_total",
        "feedloom_source_last_success_timestamp_seconds",
        "feedloom_source_consecutive_errors",
        "feedloom_source_fetch_duration_seconds",
        "feedloom_extractor_items_total",
        "feedloom_extractor_errors_total",
        "feedloom_extractor_seconds_total",
        "feedloom_sink_delivered_total",
        "feedloom_sink_retries_total",
        "feedloom_sink_failures_total",
        "feedloom_sink_dead_letters_total",
        "feedloom_sink_backlog_memory",
        "feedloom_sink_backlog_disk",
        "feedloom_sink_last_delivery_timestamp_seconds",
        "feedloom_sink_failing",
        "feedloom_uptime_seconds",
        "feedloom_build_info",
    ] {
        assert!(fams.contains_key(f), "missing {f}\n{body}");
    }
    let src = [("source", "local")];
    assert_eq!(
        value(
            &fams,
            "feedloom_source_fetches_total",
            &[("source", "local"), ("result", "ok")]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &fams,
            "feedloom_source_fetches_total",
            &[("source", "local"), ("result", "error")]
        ),
        Some(0.0)
    );
    assert_eq!(
        value(&fams, "feedloom_source_items_total", &src),
        Some(20.0)
    );
    assert!(value(&fams, "feedloom_source_bytes_total", &src).unwrap() > 0.0);
    let last = value(
        &fams,
        "feedloom_source_last_success_timestamp_seconds",
        &src,
    )
    .unwrap();
    assert!(last > 1.7e9, "{last}");
    assert_eq!(
        value(&fams, "feedloom_source_fetch_duration_seconds_count", &src),
        Some(1.0)
    );
    assert_eq!(
        value(
            &fams,
            "feedloom_sink_dead_letters_total",
            &[("sink", "archive")]
        ),
        Some(0.0)
    );
    let clean = [("extractor", "clean")];
    assert_eq!(
        value(&fams, "feedloom_extractor_items_total", &clean),
        Some(20.0)
    );
    assert_eq!(
        value(&fams, "feedloom_extractor_errors_total", &clean),
        Some(0.0)
    );
    assert!(value(&fams, "feedloom_extractor_seconds_total", &clean).unwrap() > 0.0);
    let archive = [("sink", "archive")];
    assert_eq!(value(&fams, "feedloom_sink_failing", &archive), Some(0.0));
    assert_eq!(
        value(&fams, "feedloom_sink_backlog_disk", &archive),
        Some(0.0)
    );
    assert_eq!(
        value(&fams, "feedloom_sink_backlog_memory", &archive),
        Some(0.0)
    );
    assert!(
        value(
            &fams,
            "feedloom_sink_last_delivery_timestamp_seconds",
            &archive
        )
        .unwrap()
            > 1.7e9
    );
    assert_eq!(
        value(
            &fams,
            "feedloom_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        Some(1.0)
    );
    assert!(value(&fams, "feedloom_uptime_seconds", &[]).unwrap() >= 0.0);

    assert_eq!(http_get(&addr, "/nope").0, 404);
    assert!(d.stop().success());
}

#[test]
fn readyz_is_503_with_a_reason_when_every_sink_fails() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    write_articles(&articles, 3);
    // A webhook nobody listens on: every send fails (connection refused), retried for long.
    // (A jsonl path through a regular file would fail permanently, without retries.)
    let mut y = config(Some("127.0.0.1:0"), &[("local", &articles)], &[], "");
    y.push_str(&format!(
        "  - id: broken\n    type: webhook\n    url: http://127.0.0.1:{}/hook\n",
        free_port()
    ));
    y.push_str("    max_retries: 1000\n    retry_backoff: 50ms\n    retry_max_backoff: 100ms\n");
    let cfg = write_config(dir.path(), &y);
    let mut d = Daemon::start(&cfg);
    let addr = d.admin();
    assert_eq!(http_get(&addr, "/healthz").0, 200);
    let mut last = String::new();
    d.wait("/readyz 503", |_| {
        let (st, _, body) = http_get(&addr, "/readyz");
        last = body;
        st == 503
    });
    let v: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(v["ready"], false);
    let reasons = v["reasons"].to_string();
    assert!(
        reasons.contains("broken") && reasons.contains("failing"),
        "{v}"
    );
    // /readyz turns 503 at the first failure; the retry it schedules is counted when it
    // runs (50 ms later): wait for it rather than race it.
    let mut body = String::new();
    d.wait("a retry of the broken sink in /metrics", |_| {
        body = http_get(&addr, "/metrics").2;
        parse_exposition(&body).is_ok_and(|f| {
            value(&f, "feedloom_sink_retries_total", &[("sink", "broken")])
                .is_some_and(|v| v >= 1.0)
        })
    });
    let fams = parse_exposition(&body).unwrap();
    assert!(value(&fams, "feedloom_sink_failures_total", &[("sink", "broken")]).unwrap() >= 1.0);
    assert!(value(&fams, "feedloom_sink_retries_total", &[("sink", "broken")]).unwrap() >= 1.0);
    assert_eq!(
        value(&fams, "feedloom_sink_failing", &[("sink", "broken")]),
        Some(1.0)
    );
    d.stop();
}

#[test]
fn a_running_daemon_reloads_on_sighup_and_on_file_change_and_keeps_running_on_a_broken_edit() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    write_articles(&articles, 5);
    // The config is a symlink to a file in another directory: writing that file is seen by
    // no watcher (the daemon watches the symlink's directory), so only SIGHUP can apply it.
    let elsewhere = tempfile::tempdir().unwrap();
    let real = elsewhere.path().join("real.yaml");
    let cfg = dir.path().join("feedloom.yaml");
    let sinks = [("archive", "out/items.jsonl")];
    let c1 = config(Some("127.0.0.1:0"), &[("one", &articles)], &sinks, "");
    std::fs::write(&real, &c1).unwrap();
    std::os::unix::fs::symlink(&real, &cfg).unwrap();

    let mut d = Daemon::start(&cfg);
    let addr = d.admin();
    d.wait_log("feedloom running");
    assert_eq!(source_ids(&addr), set(&["one"]));

    // SIGHUP: a source added.
    let c2 = config(
        Some("127.0.0.1:0"),
        &[("one", &articles), ("two", &articles)],
        &sinks,
        "",
    );
    std::fs::write(&real, &c2).unwrap();
    d.signal("HUP");
    d.wait("source two after SIGHUP", |_| {
        source_ids(&addr) == set(&["one", "two"])
    });
    d.wait_log("config reloaded changes=sources +two");
    d.wait("two polled", |_| {
        sources(&addr)
            .iter()
            .any(|s| s["id"] == "two" && s["items"] == 5)
    });

    // File change (an editor's atomic rename over the symlink): one removed, three added.
    let c3 = config(
        Some("127.0.0.1:0"),
        &[("two", &articles), ("three", &articles)],
        &sinks,
        "",
    );
    write_atomically(&cfg, &c3);
    d.wait("sources two, three after the file changed", |_| {
        source_ids(&addr) == set(&["two", "three"])
    });
    d.wait_log("-one");
    let (_, _, body) = http_get(&addr, "/metrics");
    let fams = parse_exposition(&body).unwrap();
    assert!(value(&fams, "feedloom_source_items_total", &[("source", "one")]).is_none());

    // A broken edit: an unknown option. The located error is logged; nothing changes.
    let mut c4 = config(
        Some("127.0.0.1:0"),
        &[("two", &articles), ("four", &articles)],
        &sinks,
        "",
    );
    c4 = c4.replacen(
        "    interval: 1h\n",
        "    interval: 1h\n    colour: blue\n",
        1,
    );
    let line = c4.lines().position(|l| l.contains("colour")).unwrap() + 1;
    write_atomically(&cfg, &c4);
    d.wait_log("config reload failed");
    let log = d.log();
    let failed = log
        .lines()
        .find(|l| l.contains("config reload failed"))
        .unwrap();
    assert!(
        failed.contains(&format!("feedloom.yaml:{line}:")),
        "expected feedloom.yaml:{line}:COL in {failed:?}"
    );
    assert!(failed.contains("colour"), "{failed}");
    assert_eq!(source_ids(&addr), set(&["two", "three"]));
    assert_eq!(http_get(&addr, "/healthz").0, 200);

    // Fixed again: applied.
    write_atomically(&cfg, &c4.replace("    colour: blue\n", ""));
    d.wait("sources two, four after the fix", |_| {
        source_ids(&addr) == set(&["two", "four"])
    });
    // The new source's first poll runs after the reload: let its items reach the sink.
    let out = dir.path().join("out/items.jsonl");
    d.wait("source four's five articles in the sink", |_| {
        std::fs::read_to_string(&out).is_ok_and(|t| {
            t.lines()
                .filter(|l| l.contains("\"source\":\"four\""))
                .count()
                >= 5
        })
    });
    assert!(d.stop().success());
    // Each source delivered each article once.
    let items = read_jsonl(&dir.path().join("out/items.jsonl"));
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for it in &items {
        *per.entry(it["source"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    for s in ["one", "two", "three", "four"] {
        assert_eq!(per.get(s), Some(&5), "{per:?}");
    }
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn no_item_is_lost_or_duplicated_across_a_reload_in_the_middle_of_a_poll() {
    const N: usize = 3000;
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    write_articles(&articles, N);
    let other = dir.path().join("other");
    write_articles(&other, 2);
    let small = "pipeline:\n  channel_capacity: 4\n";
    let slow_sink = |y: String| {
        // Every batch is fsynced and the queue is tiny: the poll's items trickle through.
        y.replacen(
            "path: out/items.jsonl\n",
            "path: out/items.jsonl\n    fsync: always\n    buffer: 2\n",
            1,
        )
    };
    let c1 = slow_sink(config(
        Some("127.0.0.1:0"),
        &[("bulk", &articles)],
        &[("archive", "out/items.jsonl")],
        small,
    ));
    let cfg = write_config(dir.path(), &c1);
    let out = dir.path().join("out/items.jsonl");
    let mut d = Daemon::start(&cfg);
    let addr = d.admin();
    d.wait("the first items", |_| !read_jsonl(&out).is_empty());

    // Reload while the poll's items flow: a second sink and another source.
    let c2 = slow_sink(config(
        Some("127.0.0.1:0"),
        &[("bulk", &articles), ("other", &other)],
        &[("archive", "out/items.jsonl"), ("copy", "out/copy.jsonl")],
        small,
    ));
    write_atomically(&cfg, &c2);
    d.signal("HUP");
    d.wait_log("config reloaded");
    let at_reload = read_jsonl(&out).len();
    assert!(
        at_reload < N,
        "the poll was over before the reload: {at_reload}/{N}"
    );
    d.wait("every item in the archive", |_| {
        read_jsonl(&out).len() >= N + 2
    });
    d.wait("bulk done", |_| {
        sources(&addr)
            .iter()
            .any(|s| s["id"] == "bulk" && s["items"] == N)
    });
    assert!(d.stop().success());

    let items = read_jsonl(&out);
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for it in &items {
        *seen
            .entry((
                it["source"].as_str().unwrap().to_string(),
                it["id"].as_str().unwrap().to_string(),
            ))
            .or_default() += 1;
    }
    let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "delivered twice: {dups:?}");
    let bulk = seen.keys().filter(|(s, _)| s == "bulk").count();
    assert_eq!(bulk, N, "every bulk article exactly once");
    assert_eq!(items.len(), N + 2);
    let copy = read_jsonl(&dir.path().join("out/copy.jsonl"));
    eprintln!(
        "reload applied with {at_reload}/{N} items written; the new sink got {} items",
        copy.len()
    );
    let mut copy_ids: Vec<_> = copy.iter().map(|i| i["id"].to_string()).collect();
    let n = copy_ids.len();
    copy_ids.sort();
    copy_ids.dedup();
    assert_eq!(copy_ids.len(), n, "the new sink got an item twice");
}

#[test]
fn status_reads_the_snapshot_without_a_daemon_and_the_admin_endpoint_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    write_articles(&articles, 4);
    let missing = dir.path().join("missing");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let sinks = [("archive", "out/items.jsonl")];
    let srcs: [(&str, &Path); 2] = [("local", &articles), ("later", &missing)];
    let with_admin = config(Some(&listen), &srcs, &sinks, "");
    let cfg = write_config(dir.path(), &with_admin);
    let c = cfg.to_str().unwrap();

    // Nothing ever ran: every source is "never", and no state store is created.
    let o = feedloom(&["status", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    let head = t.lines().next().unwrap();
    for col in [
        "ID",
        "TYPE",
        "STATE",
        "LAST FETCH",
        "NEXT POLL",
        "ITEMS",
        "ERRORS",
        "LAST ERROR",
    ] {
        assert!(head.contains(col), "{head}");
    }
    assert_eq!(t.lines().filter(|l| l.contains("never")).count(), 2, "{t}");
    assert!(!dir.path().join("state").join("state.redb").exists());

    // After a run, from the status snapshot it left (the state store is not opened).
    let o = feedloom(&["once", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = feedloom(&["status", "-c", c, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], "local");
    assert_eq!(rows[0]["state"], "ok");
    assert_eq!(rows[0]["items"], 4);
    assert!(rows[0]["last_fetch"].is_string());
    assert_eq!(rows[1]["id"], "later");
    let o = feedloom(&["status", "-c", c]);
    let t = stdout(&o);
    let local = t.lines().find(|l| l.starts_with("local ")).unwrap();
    assert!(local.contains(" ago") && local.contains(" 4 "), "{t}");
    assert!(
        t.contains("from the status snapshot written") && t.contains("stopped"),
        "{t}"
    );

    // With a daemon: through its admin endpoint.
    let mut d = Daemon::start(&cfg);
    let addr = d.admin();
    assert_eq!(addr, listen);
    d.wait("sources polled", |_| {
        sources(&addr).iter().all(|s| s["state"] != "starting")
    });
    let o = feedloom(&["status", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    assert!(t.contains(&format!("daemon at http://{listen}")), "{t}");
    assert!(t.lines().any(|l| l.starts_with("local ")), "{t}");
    let o = feedloom(&["status", "-c", c, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["local", "later"]);
    assert!(d.stop().success());

    // A daemon without an admin endpoint: its status snapshot, while it runs.
    let no_admin = config(None, &srcs, &sinks, "");
    let cfg2 = write_config(dir.path(), &no_admin);
    let c2 = cfg2.to_str().unwrap();
    let mut d = Daemon::start(&cfg2);
    d.wait_log("feedloom running");
    let pid = d.child.id();
    // The snapshot is rewritten at most every 2 s, so the first one read may still show
    // the poll in progress: wait for the one that shows it done.
    d.wait("the running daemon's snapshot with the poll done", |_| {
        let o = feedloom(&["status", "-c", c2]);
        assert!(o.status.success(), "{}", stderr(&o));
        let t = stdout(&o);
        t.contains(&format!(
            "status snapshot of the running daemon (pid {pid})"
        )) && t
            .lines()
            .any(|l| l.starts_with("local ") && l.contains(" ok ") && l.contains(" 4 "))
    });
    // Killed: said so.
    let _ = d.child.kill();
    let _ = d.child.wait();
    let t = stdout(&feedloom(&["status", "-c", c2]));
    assert!(
        t.contains(&format!("(pid {pid}), which is no longer running")),
        "{t}"
    );
}

/// `status` never opens the state store: run in a loop while daemons start, it never
/// makes one fail with "in use" (a redb store allows one process).
#[test]
fn status_never_stands_in_the_way_of_a_daemon_starting() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    write_articles(&articles, 2);
    let cfg = write_config(
        dir.path(),
        &config(
            None,
            &[("local", &articles)],
            &[("archive", "out/items.jsonl")],
            "",
        ),
    );
    let c = cfg.to_str().unwrap().to_string();
    assert!(feedloom(&["once", "-c", &c]).status.success());
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hammer: Vec<_> = (0..2)
        .map(|_| {
            let (stop, runs, c) = (stop.clone(), runs.clone(), c.clone());
            std::thread::spawn(move || {
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    let o = feedloom(&["status", "-c", &c]);
                    assert!(o.status.success(), "{}", stderr(&o));
                    runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
            })
        })
        .collect();
    for _ in 0..8 {
        let mut d = Daemon::start(&cfg);
        d.wait_log("feedloom running");
        assert!(d.stop().success());
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for h in hammer {
        h.join().unwrap();
    }
    assert!(runs.load(std::sync::atomic::Ordering::SeqCst) > 8);
}

#[test]
fn an_admin_address_in_use_is_a_clear_startup_error() {
    let dir = tempfile::tempdir().unwrap();
    let articles = dir.path().join("articles");
    write_articles(&articles, 1);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let listen = taken.local_addr().unwrap().to_string();
    let cfg = write_config(
        dir.path(),
        &config(
            Some(&listen),
            &[("local", &articles)],
            &[("archive", "out/items.jsonl")],
            "",
        ),
    );
    let mut child = Command::new(bin())
        .args(["run", "-c", cfg.to_str().unwrap()])
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let st = child.wait().unwrap();
    assert!(!st.success());
    assert!(
        err.contains(&format!("admin.listen {listen}: address in use")),
        "{err}"
    );
    drop(taken);
}

#[test]
fn metrics_count_skipped_items_and_poll_errors_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    let bad = dir.path().join("bad");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        good.join("feed.xml"),
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://example.com/1</link></item>
<item><description></description></item>
<item><title>Two</title><link>http://example.com/2</link></item>
<item></item>
</channel></rss>"#,
    )
    .unwrap();
    std::fs::write(
        bad.join("nothing.xml"),
        "<?xml version=\"1.0\"?><notafeed><x/></notafeed>",
    )
    .unwrap();
    let cfg = write_config(
        dir.path(),
        &config(
            Some("127.0.0.1:0"),
            &[("good", &good), ("bad", &bad)],
            &[("archive", "out/items.jsonl")],
            "",
        ),
    );
    let mut d = Daemon::start(&cfg);
    let addr = d.admin();
    d.wait("both sources polled", |_| {
        let l = sources(&addr);
        l.iter().any(|s| s["id"] == "good" && s["state"] == "ok")
            && l.iter()
                .any(|s| s["id"] == "bad" && s["state"] == "failing")
    });
    let list = sources(&addr);
    let g = list.iter().find(|s| s["id"] == "good").unwrap();
    assert_eq!(g["items"], 2, "{g}");
    assert_eq!(g["items_skipped"], 2, "{g}");
    let (_, _, body) = http_get(&addr, "/metrics");
    let fams = parse_exposition(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    assert_eq!(
        value(
            &fams,
            "feedloom_source_items_skipped_total",
            &[("source", "good")]
        ),
        Some(2.0),
        "{body}"
    );
    assert_eq!(
        value(
            &fams,
            "feedloom_source_items_skipped_total",
            &[("source", "bad")]
        ),
        Some(0.0),
        "{body}"
    );
    assert_eq!(
        value(
            &fams,
            "feedloom_source_errors_total",
            &[("source", "bad"), ("kind", "parse")]
        ),
        Some(1.0),
        "{body}"
    );
    assert!(
        value(
            &fams,
            "feedloom_source_errors_total",
            &[("source", "good"), ("kind", "parse")]
        )
        .is_none(),
        "{body}"
    );
    d.stop();
}
