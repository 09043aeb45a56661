//! End-to-end delivery tests through the real binary: webhook retries and signatures, dead
//! letters and replay, routing, disk spill during an outage, crash safety (SIGKILL, with
//! and without a disk backlog), poll-commit ordering for feeds, and secrets.
//!
//! No test asserts on wall-clock time: waits are bounded (generous timeouts) and only fail
//! when the awaited state never comes.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Every request the receiver saw: its headers and body.
type Seen = Arc<Mutex<Vec<(HeaderMap, Vec<u8>)>>>;

#[derive(Clone, Default)]
struct Receiver {
    /// Status to answer: 0 = 200; otherwise this code.
    fail_with: Arc<AtomicUsize>,
    /// Answer `fail_with` for this many more requests, then 200.
    fail_next: Arc<AtomicUsize>,
    delay_ms: Arc<AtomicUsize>,
    requests: Seen,
    accepted: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    fn ids(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }
}

/// A webhook receiver on 127.0.0.1 in a thread of its own; returns its URL. It also answers
/// on any path under `/hook/`.
fn serve(r: Receiver) -> String {
    let handler = move |h: HeaderMap, body: axum::body::Bytes| {
        let r = r.clone();
        async move {
            let d = r.delay_ms.load(Ordering::SeqCst);
            if d > 0 {
                tokio::time::sleep(Duration::from_millis(d as u64)).await;
            }
            r.requests.lock().unwrap().push((h, body.to_vec()));
            let code = r.fail_with.load(Ordering::SeqCst);
            let failing = code != 0 && r.fail_next.load(Ordering::SeqCst) > 0;
            if failing {
                r.fail_next.fetch_sub(1, Ordering::SeqCst);
                return StatusCode::from_u16(code as u16).unwrap();
            }
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            for it in v.as_array().unwrap() {
                r.accepted
                    .lock()
                    .unwrap()
                    .push(it["id"].as_str().unwrap().to_string());
            }
            StatusCode::OK
        }
    };
    let app = Router::new()
        .route("/hook", post(handler.clone()))
        .route("/hook/{*rest}", post(handler));
    format!("http://{}/hook", serve_http(app))
}

fn count_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

/// The items in a sink's disk backlog (every segment, oldest first, from its start).
fn backlog_items(dir: &std::path::Path) -> Vec<serde_json::Value> {
    let mut segs: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    segs.retain(|p: &std::path::PathBuf| {
        p.extension().is_some_and(|e| e == "jsonl")
            && p.file_stem()
                .is_some_and(|s| s.to_string_lossy().parse::<u64>().is_ok())
    });
    segs.sort();
    segs.iter().flat_map(|p| read_jsonl(p)).collect()
}

/// The sink gauges and counters from the daemon's `/metrics`: metric name → value for `sink`.
fn sink_metrics(addr: &str, sink: &str) -> BTreeMap<String, u64> {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).unwrap();
    let label = format!("{{sink=\"{sink}\"}} ");
    body.lines()
        .filter_map(|l| {
            let (name, v) = l.split_once(&label)?;
            Some((name.to_string(), v.trim().parse::<f64>().ok()? as u64))
        })
        .collect()
}

/// An unlabelled sample of the daemon's /metrics.
fn metric(addr: &str, name: &str) -> Option<u64> {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut body = String::new();
    s.read_to_string(&mut body).unwrap();
    body.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
}

/// Per feed request: the If-None-Match sent and the status answered.
type FeedLog = Arc<Mutex<Vec<(Option<String>, u16)>>>;

/// An RSS feed on 127.0.0.1 with an ETag: answers 304 to a matching If-None-Match. Returns
/// its URL and a log of (If-None-Match sent, status answered) per request.
fn serve_feed(items: usize) -> (String, FeedLog) {
    let log: FeedLog = Default::default();
    let mut rss = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><link>http://x/</link><description>d</description>",
    );
    for i in 0..items {
        rss.push_str(&format!(
            "<item><title>Story {i}</title><link>http://x/{i}</link><guid>g{i}</guid><description>Pipeline story {i} from Astana.</description></item>"
        ));
    }
    rss.push_str("</channel></rss>");
    let l = log.clone();
    let app = Router::new().route(
        "/feed.xml",
        axum::routing::get(move |h: HeaderMap| {
            let (l, rss) = (l.clone(), rss.clone());
            async move {
                let inm = h
                    .get("if-none-match")
                    .map(|v| v.to_str().unwrap().to_string());
                let code = if inm.as_deref() == Some("\"v1\"") {
                    304
                } else {
                    200
                };
                l.lock().unwrap().push((inm, code));
                let mut hm = HeaderMap::new();
                hm.insert("etag", "\"v1\"".parse().unwrap());
                hm.insert("content-type", "application/rss+xml".parse().unwrap());
                let body = if code == 200 { rss } else { String::new() };
                (StatusCode::from_u16(code).unwrap(), hm, body)
            }
        }),
    );
    (format!("http://{}/feed.xml", serve_http(app)), log)
}

#[test]
fn webhook_retries_503_until_accepted_with_valid_signatures_and_stable_keys() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 5);
    let r = Receiver::default();
    r.fail_with.store(503, Ordering::SeqCst);
    r.fail_next.store(3, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - id: hook\n    type: webhook\n    url: {url}\n    secret: ${{FEEDLOOM_TEST_SECRET}}\n    batch_size: 10\n    batch_timeout: 200ms\n    retry_backoff: 50ms\n"
        ),
    );
    let o = Command::new(bin())
        .args(["once", "-c", cfg.to_str().unwrap()])
        .env("FEEDLOOM_TEST_SECRET", "s3cr3t-key")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("s3cr3t-key"),
        "secret leaked into logs"
    );
    let mut ids = r.ids();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "every item arrives");
    let reqs = r.requests.lock().unwrap();
    assert!(reqs.len() >= 4, "3 failures then success: {}", reqs.len());
    // Requests grouped by Idempotency-Key: a retry repeats the very same body under the
    // same key, and different batches have different keys. (How many batches there are
    // depends on timing; the first batch is retried at least 3 times either way.)
    let mut by_key: BTreeMap<String, BTreeSet<Vec<u8>>> = BTreeMap::new();
    for (h, body) in reqs.iter() {
        assert_eq!(h["content-type"], "application/json");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cr3t-key").unwrap();
        mac.update(body);
        let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(
            h["x-feedloom-signature"].to_str().unwrap(),
            want,
            "signature verifies"
        );
        by_key
            .entry(h["idempotency-key"].to_str().unwrap().to_string())
            .or_default()
            .insert(body.clone());
    }
    for (key, bodies) in &by_key {
        assert_eq!(bodies.len(), 1, "key {key} names one batch");
    }
    let first_key = reqs[0].0["idempotency-key"].to_str().unwrap();
    let retries_of_first = reqs
        .iter()
        .filter(|(h, _)| h["idempotency-key"] == first_key)
        .count();
    assert!(
        retries_of_first >= 4,
        "the failed batch was retried under the same key: {retries_of_first}"
    );
}

#[test]
fn permanent_failure_goes_to_the_dead_letter_store_and_replay_delivers_it() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 2);
    let r = Receiver::default();
    r.fail_with.store(400, Ordering::SeqCst);
    r.fail_next.store(1000, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: hook, type: webhook, url: \"{url}\", batch_size: 5, batch_timeout: 200ms}}\n  - {{id: file, type: jsonl, path: out.jsonl}}\n"
        ),
    );
    let c = cfg.to_str().unwrap();
    let o = feedloom(&["once", "-c", c]);
    assert_eq!(o.status.code(), Some(1), "a sink failed: {}", stderr(&o));
    assert_eq!(
        read_jsonl(&dir.path().join("out.jsonl")).len(),
        2,
        "the other sink is not held up"
    );
    let o = feedloom(&["dlq", "list", "-c", c]);
    let out = stdout(&o);
    assert!(out.contains("hook") && out.contains("HTTP 400"), "{out}");
    let o = feedloom(&["dlq", "list", "-c", c, "--json"]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(v["sink"], "hook");
    assert_eq!(v["attempts"], 1);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);

    // Still broken: replay keeps it.
    let o = feedloom(&["dlq", "replay", "-c", c]);
    assert!(!o.status.success());
    assert!(stdout(&feedloom(&["dlq", "list", "-c", c])).contains("hook"));
    // The sink is removed from the config: replay keeps its dead letter (and says why), and
    // purging another sink leaves it alone.
    let full = std::fs::read_to_string(&cfg).unwrap();
    let without: String = full
        .lines()
        .filter(|l| !l.contains("id: hook"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&cfg, without).unwrap();
    let o = feedloom(&["dlq", "replay", "-c", c]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("1 still failing"), "{}", stdout(&o));
    assert!(stderr(&o).contains("not in the config"), "{}", stderr(&o));
    assert!(stdout(&feedloom(&["dlq", "purge", "-c", c, "--sink", "file"])).contains("purged 0"));
    assert!(stdout(&feedloom(&["dlq", "list", "-c", c])).contains("HTTP 400"));
    std::fs::write(&cfg, full).unwrap();
    // Fixed: replay delivers it once and empties the store.
    r.fail_with.store(0, Ordering::SeqCst);
    let o = feedloom(&["dlq", "replay", "-c", c, "--sink", "hook"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(r.ids().len(), 2);
    assert!(stdout(&feedloom(&["dlq", "list", "-c", c])).contains("no dead letters"));
    // A new once delivers nothing twice.
    assert!(feedloom(&["once", "-c", c]).status.success());
    assert_eq!(r.ids().len(), 2);
    // Purge.
    r.fail_with.store(400, Ordering::SeqCst);
    std::fs::write(dir.path().join("in/new.txt"), "New\n\nbody\n").unwrap();
    feedloom(&["once", "-c", c]);
    let o = feedloom(&["dlq", "purge", "-c", c]);
    assert!(stdout(&o).contains("purged 1"), "{}", stdout(&o));
}

#[test]
fn when_filters_route_items_to_matching_sinks_only() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("a.txt"),
        "Pipeline news\n\nA gas pipeline to China.\n",
    )
    .unwrap();
    std::fs::write(input.join("b.txt"), "Wheat news\n\nWheat exports rose.\n").unwrap();
    let cfg = write_config(
        dir.path(),
        "state_dir: st\nsources:\n  - {id: in, type: file, path: in/*.txt}\nsinks:\n  - {id: energy, type: jsonl, path: energy.jsonl, when: {text_matches: \"(?i)pipeline\"}}\n  - {id: rest, type: jsonl, path: rest.jsonl, when: {not: {text_matches: \"(?i)pipeline\"}}}\n  - {id: none, type: jsonl, path: none.jsonl, when: {source: [elsewhere]}}\n",
    );
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let e = read_jsonl(&dir.path().join("energy.jsonl"));
    let r = read_jsonl(&dir.path().join("rest.jsonl"));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["title"], "Pipeline news");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["title"], "Wheat news");
    assert!(read_jsonl(&dir.path().join("none.jsonl")).is_empty());
    // Filtered-out items count as done: nothing is redelivered.
    assert!(
        feedloom(&["once", "-c", cfg.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(read_jsonl(&dir.path().join("energy.jsonl")).len(), 1);
}

/// A webhook that is down while the daemon runs: with a memory buffer of 2 items the
/// backlog spills to disk *while running* (read from /metrics, not from a shutdown spill),
/// memory never holds more than the buffer, the healthy sink is not held up; a kill -9
/// during the outage loses nothing; after recovery the backlog drains in the order it was
/// written.
#[test]
fn long_outage_spills_to_disk_while_running_with_bounded_memory_and_drains_in_order() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 60);
    let r = Receiver::default();
    r.fail_with.store(503, Ordering::SeqCst);
    r.fail_next.store(usize::MAX / 2, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nadmin: {{listen: \"127.0.0.1:0\"}}\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: hook, type: webhook, url: \"{url}\", buffer: 2, retry_backoff: 20ms, retry_max_backoff: 100ms, max_retries: 1000000}}\n  - {{id: copy, type: jsonl, path: copy.jsonl}}\n"
        ),
    );
    let mut d = Daemon::start(&cfg);
    let admin = d.admin();
    let mut samples = 0;
    d.wait("the hook's disk backlog to hold the outage", |_| {
        let m = sink_metrics(&admin, "hook");
        let memory = m.get("feedloom_sink_backlog_memory").copied().unwrap_or(0);
        assert!(memory <= 2, "memory holds at most the buffer: {memory}");
        samples += 1;
        m.get("feedloom_sink_backlog_disk").copied().unwrap_or(0) >= 55
    });
    assert!(samples > 0);
    d.wait("the healthy sink", |_| {
        read_jsonl(&dir.path().join("copy.jsonl")).len() == 60
    });
    assert!(r.ids().is_empty());
    // Every item's delivered mark durable (a crash before that would fetch it again, and the
    // backlog would rightly hold it twice: at least once).
    d.wait("the delivered marks on disk", |_| {
        metric(&admin, "feedloom_state_writes_pending") == Some(0)
    });
    // Crash during the outage.
    d.kill9();
    let backlog = dir.path().join("st/backlog/hook");
    let spilled: Vec<String> = backlog_items(&backlog)
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert!(spilled.len() >= 55, "kept on disk: {}", spilled.len());

    // The receiver recovers: the next start drains the backlog first, in order, and fetches
    // again only what was in memory at the crash.
    r.fail_next.store(0, Ordering::SeqCst);
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = r.ids();
    let uniq: BTreeSet<&String> = got.iter().collect();
    assert_eq!(uniq.len(), 60, "every item delivered after the outage");
    assert_eq!(
        got[..spilled.len()],
        spilled[..],
        "backlog drained in the order it was written"
    );
    assert!(backlog_items(&backlog).len() <= 60);
    let cursor = std::fs::read_to_string(backlog.join("cursor")).unwrap();
    let (seg, off) = cursor.trim().split_once(' ').unwrap();
    let seg_len =
        std::fs::metadata(backlog.join(format!("{:016}.jsonl", seg.parse::<u64>().unwrap())))
            .unwrap()
            .len();
    assert_eq!(
        off.parse::<u64>().unwrap(),
        seg_len,
        "backlog fully consumed"
    );
}

/// Kill `feedloom run` with SIGKILL mid-stream several times, then run it clean once: the
/// set of ids the webhook received equals the set of source ids, and the jsonl sink
/// (fsync: always) holds whole lines only. `buffer` is the webhook's memory buffer: with 1
/// the kills also land in the middle of disk-backlog writes.
fn sigkill_rounds(buffer: usize, items: usize) {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), items);
    let r = Receiver::default();
    r.delay_ms.store(15, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\npipeline: {{channel_capacity: 4, extract_workers: 1}}\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: hook, type: webhook, url: \"{url}\", batch_size: 3, batch_timeout: 10ms, buffer: {buffer}}}\n  - {{id: file, type: jsonl, path: out.jsonl, fsync: always}}\n"
        ),
    );
    let c = cfg.to_str().unwrap();
    let mut killed_mid_stream = 0;
    for _ in 0..4 {
        let mut child = Command::new(bin())
            .args(["run", "-c", c])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let before = r.ids().len();
        let start = Instant::now();
        while r.ids().len() < before + 10 && start.elapsed() < WAIT {
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status();
        let _ = child.wait();
        let seen: BTreeSet<String> = r.ids().into_iter().collect();
        if seen.len() < items {
            killed_mid_stream += 1;
        }
    }
    assert!(killed_mid_stream > 0, "at least one kill landed mid-stream");
    // A final clean run delivers the rest.
    let o = feedloom(&["once", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let received: BTreeSet<String> = r.ids().into_iter().collect();
    let written: BTreeSet<String> = read_jsonl(&dir.path().join("out.jsonl"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(count_files(&dir.path().join("in")), items);
    assert_eq!(
        received.len(),
        items,
        "every source item reached the webhook at least once"
    );
    assert_eq!(written, received, "and the jsonl sink, with no torn line");
}

#[test]
fn sigkill_mid_stream_never_loses_an_item() {
    sigkill_rounds(1000, 120);
}

#[test]
fn sigkill_mid_stream_with_a_disk_backlog_never_loses_an_item() {
    sigkill_rounds(1, 120);
}

/// A feed polled again while its first poll's items are still on their way (the webhook is
/// down) gets the same items, all in flight: nothing new. That poll must not save the
/// feed's ETag, or a kill -9 now would hide the items behind a 304 after the restart.
#[test]
fn a_later_poll_does_not_save_the_feed_state_before_earlier_items_are_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let (feed, feed_log) = serve_feed(5);
    let r = Receiver::default();
    r.fail_with.store(503, Ordering::SeqCst);
    r.fail_next.store(usize::MAX / 2, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\ndefaults: {{jitter: 0.0}}\nsources:\n  - {{id: news, type: feed, url: \"{feed}\", interval: 200ms}}\nsinks:\n  - {{id: hook, type: webhook, url: \"{url}\", retry_backoff: 20ms, retry_max_backoff: 50ms, max_retries: 1000000}}\n"
        ),
    );
    let mut d = Daemon::start(&cfg);
    d.wait("three polls while the items are in flight", |_| {
        feed_log.lock().unwrap().len() >= 3
    });
    d.kill9();
    assert!(
        feed_log
            .lock()
            .unwrap()
            .iter()
            .all(|(_, code)| *code == 200),
        "no validators were saved, so every poll was a full GET"
    );
    r.fail_next.store(0, Ordering::SeqCst);
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got: BTreeSet<String> = r.ids().into_iter().collect();
    assert_eq!(got.len(), 5, "every item of the feed delivered: {got:?}");
    // Now the ETag is saved: the next poll is conditional.
    assert!(
        feedloom(&["once", "-c", cfg.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(feed_log.lock().unwrap().last().unwrap().1, 304);
}

/// Secrets from `${ENV}` (the HMAC key, a token in the URL's path, an auth header) appear in
/// no log line (even at debug), no error, no dead letter listing, no `check` output.
#[test]
fn secrets_never_appear_in_logs_errors_dlq_or_check() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 2);
    let r = Receiver::default();
    r.fail_with.store(400, Ordering::SeqCst);
    r.fail_next.store(1000, Ordering::SeqCst);
    let url = serve(r.clone());
    let env = [
        ("FL_PATH_TOKEN", "p4th-t0ken-xyz"),
        ("FL_HMAC", "hm4c-s3cret-xyz"),
        ("FL_AUTH", "b3arer-t0ken-xyz"),
    ];
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - id: hook\n    type: webhook\n    url: \"{url}/${{FL_PATH_TOKEN}}?k=${{FL_PATH_TOKEN}}\"\n    secret: ${{FL_HMAC}}\n    headers: {{Authorization: \"Bearer ${{FL_AUTH}}\"}}\n    batch_size: 5\n    batch_timeout: 100ms\n"
        ),
    );
    let c = cfg.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = Command::new(bin());
        cmd.args(args).env_remove("RUST_LOG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let leaks = |what: &str, text: &str| {
        for (_, v) in env {
            assert!(!text.contains(v), "{what} leaks {v}:\n{text}");
        }
    };
    let o = run(&["--log-level", "debug", "once", "-c", c]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("HTTP 400"), "{}", stderr(&o));
    leaks("once", &(stdout(&o) + &stderr(&o)));
    // The receiver did get them (the secrets were used, not dropped).
    let reqs = r.requests.lock().unwrap().clone();
    assert_eq!(reqs[0].0["authorization"], "Bearer b3arer-t0ken-xyz");
    for args in [
        &["dlq", "list", "-c", c][..],
        &["dlq", "list", "--json", "-c", c],
        &["check", "-c", c],
        &["dlq", "replay", "-c", c],
    ] {
        let o = run(args);
        leaks(&args.join(" "), &(stdout(&o) + &stderr(&o)));
    }
    assert!(stdout(&run(&["dlq", "list", "-c", c])).contains("HTTP 400"));
    // A bad `when:` regex that came from the environment: located, and not echoed.
    let bad = write_config(
        dir.path(),
        "sinks:\n  - id: out\n    type: stdout\n    when:\n      text_matches: \"${FL_HMAC}(\"\n",
    );
    let o = run(&["check", "-c", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    leaks("check", &(stdout(&o) + &stderr(&o)));
}

/// `check` reports a bad `when:` as FILE:LINE:COL and exits 2.
#[test]
fn check_locates_a_bad_when_regex() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        "sources:\n  - {id: in, type: file, path: in/*.txt}\nsinks:\n  - id: out\n    type: stdout\n    when:\n      any:\n        - {source: [in]}\n        - {text_matches: \"(?i)pipe(\"}\n",
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o) + &stdout(&o);
    let want = format!("{}:9:", cfg.display());
    let line = err
        .lines()
        .find(|l| l.contains("invalid `when`"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.starts_with(&want), "{line}");
    assert!(line.contains("bad regex"), "{line}");
}

/// The operator's workflow against a running daemon: the receiver rejects a batch, `dlq
/// list` shows it while the daemon runs, the receiver is fixed, `dlq replay` delivers it,
/// all without stopping the daemon.
#[test]
fn dead_letters_can_be_listed_and_replayed_while_the_daemon_runs() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 3);
    let r = Receiver::default();
    r.fail_with.store(400, Ordering::SeqCst);
    r.fail_next.store(1000, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: hook, type: webhook, url: \"{url}\", batch_size: 10, batch_timeout: 100ms}}\n"
        ),
    );
    let c = cfg.to_str().unwrap();
    let mut d = Daemon::start(&cfg);
    d.wait("a dead letter listed while running", |_| {
        let o = feedloom(&["dlq", "list", "-c", c, "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o).contains("HTTP 400")
    });
    r.fail_with.store(0, Ordering::SeqCst);
    d.wait("every dead letter replayed", |_| {
        let o = feedloom(&["dlq", "replay", "-c", c]);
        assert!(
            o.status.success() || stdout(&o).contains("still failing"),
            "{}",
            stderr(&o)
        );
        stdout(&feedloom(&["dlq", "list", "-c", c])).contains("no dead letters")
    });
    let got: BTreeSet<String> = r.ids().into_iter().collect();
    assert_eq!(got.len(), 3);
    assert!(
        d.child.try_wait().unwrap().is_none(),
        "the daemon kept running"
    );
}

/// An exec plugin that answers with `tags: [fixed]` once `flag` exists and fails every item
/// before that; it sleeps `delay` seconds before each answer.
fn flaky_plugin(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("plugin.py");
    std::fs::write(
        &p,
        r#"import json, os, sys, time
flag, delay = sys.argv[1], float(sys.argv[2])
for line in sys.stdin:
    req = json.loads(line)
    time.sleep(delay)
    if os.path.exists(flag):
        out = {"id": req["id"], "item": {"tags": ["fixed"]}}
    else:
        out = {"id": req["id"], "error": "plugin broken"}
    print(json.dumps(out), flush=True)
"#,
    )
    .unwrap();
    p
}

/// An extractor's dead letter is replayed through the extractor chain (from the extractor
/// that failed on it, so the extractors after it run too) and then routed by `when:`; one
/// that fails in the plugin again is kept. (A sink's dead letter goes to that sink only:
/// `permanent_failure_goes_to_the_dead_letter_store_and_replay_delivers_it`.)
#[test]
fn replaying_an_extractor_dead_letter_runs_the_extractors_again_and_routes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 2);
    let plugin = flaky_plugin(dir.path());
    let flag = dir.path().join("fixed.flag");
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nextractors:\n  - {{type: exec, id: tagger, command: [python3, {}, {}, \"0\"], on_error: dead_letter}}\n  - {{type: rules, rules: [{{name: kz, words: [Kazakhstan], tags: [kz]}}]}}\nsinks:\n  - {{id: fixed, type: jsonl, path: fixed.jsonl, when: {{tags: [fixed]}}}}\n  - {{id: other, type: jsonl, path: other.jsonl, when: {{not: {{tags: [fixed]}}}}}}\n",
            plugin.display(),
            flag.display(),
        ),
    );
    let c = cfg.to_str().unwrap();
    // The plugin is broken: both items are dead-lettered by it, nothing reaches a sink, and
    // `once` says so in its exit code.
    let o = feedloom(&["once", "-c", c]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 item(s) and 0 sink batch(es) in the dead-letter store"),
        "{}",
        stderr(&o)
    );
    assert!(read_jsonl(&dir.path().join("fixed.jsonl")).is_empty());
    assert!(read_jsonl(&dir.path().join("other.jsonl")).is_empty());
    let list = stdout(&feedloom(&["dlq", "list", "-c", c]));
    assert_eq!(list.matches("extractor:tagger").count(), 2, "{list}");

    // Still broken: replay keeps them, and sends nothing anywhere.
    let o = feedloom(&["dlq", "replay", "-c", c]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("2 still failing"), "{}", stdout(&o));
    assert!(read_jsonl(&dir.path().join("other.jsonl")).is_empty());
    assert!(read_jsonl(&dir.path().join("fixed.jsonl")).is_empty());

    // Fixed: the items go through the plugin and the rules after it, and `when:` routes the
    // enriched item (to `fixed`, not `other`).
    std::fs::write(&flag, "").unwrap();
    let o = feedloom(&["dlq", "replay", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("2 delivered"), "{}", stdout(&o));
    let fixed = read_jsonl(&dir.path().join("fixed.jsonl"));
    assert_eq!(fixed.len(), 2, "{fixed:?}");
    for it in &fixed {
        let tags: Vec<&str> = it["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(tags.contains(&"fixed") && tags.contains(&"kz"), "{it}");
    }
    assert!(read_jsonl(&dir.path().join("other.jsonl")).is_empty());
    assert!(stdout(&feedloom(&["dlq", "list", "-c", c])).contains("no dead letters"));
}

/// An exec plugin whose own `timeout` is longer than `pipeline.extract_timeout` is not cut
/// short by it: the item waits for the plugin (here 2 s against an extract_timeout of 1 s).
#[test]
fn an_exec_plugin_slower_than_extract_timeout_but_within_its_own_timeout_enriches_the_item() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 1);
    let plugin = flaky_plugin(dir.path());
    let flag = dir.path().join("fixed.flag");
    std::fs::write(&flag, "").unwrap();
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\npipeline: {{extract_timeout: 1s}}\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nextractors:\n  - {{type: exec, id: tagger, command: [python3, {}, {}, \"2\"], timeout: 20s, on_error: dead_letter}}\nsinks:\n  - {{id: out, type: jsonl, path: out.jsonl}}\n",
            plugin.display(),
            flag.display(),
        ),
    );
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = read_jsonl(&dir.path().join("out.jsonl"));
    assert_eq!(out.len(), 1, "{}", stderr(&o));
    assert_eq!(out[0]["tags"][0], "fixed");
}
