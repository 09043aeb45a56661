//! End-to-end delivery tests through the real binary: webhook retries and signatures, dead
//! letters and replay, routing, disk spill during an outage, and crash safety (SIGKILL).

mod common;

use std::collections::BTreeSet;
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

/// A webhook receiver on 127.0.0.1 in a thread of its own; returns its URL.
fn serve(r: Receiver) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = Router::new().route(
                "/hook",
                post(move |h: HeaderMap, body: axum::body::Bytes| {
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
                }),
            );
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    format!("http://{}/hook", rx.recv().unwrap())
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
    let key0 = reqs[0].0["idempotency-key"].clone();
    for (h, body) in reqs.iter() {
        assert_eq!(h["idempotency-key"], key0, "the same key on every retry");
        let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cr3t-key").unwrap();
        mac.update(body);
        let want = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(h["x-feedloom-signature"].to_str().unwrap(), want);
    }
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

#[test]
fn long_outage_spills_to_disk_with_a_tiny_buffer_and_drains_in_order() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 40);
    let r = Receiver::default();
    r.fail_with.store(503, Ordering::SeqCst);
    r.fail_next.store(usize::MAX / 2, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\npipeline: {{drain_timeout: 1s}}\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: hook, type: webhook, url: \"{url}\", buffer: 2, retry_backoff: 20ms, retry_max_backoff: 100ms, max_retries: 1000}}\n  - {{id: copy, type: jsonl, path: copy.jsonl}}\n"
        ),
    );
    let c = cfg.to_str().unwrap();
    // The receiver is down for the whole run: the items go to the hook's disk backlog.
    let o = feedloom(&["once", "-c", c]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "items left in the backlog count as a sink failure"
    );
    let backlog = dir.path().join("st/backlog/hook");
    let spilled = backlog_items(&backlog);
    assert!(
        spilled.len() >= 38,
        "items kept on disk, not in memory: {}",
        spilled.len()
    );
    assert!(r.ids().is_empty());
    assert_eq!(
        read_jsonl(&dir.path().join("copy.jsonl")).len(),
        40,
        "the healthy sink got everything"
    );
    // The receiver recovers: the next start drains the backlog, in order, and nothing else.
    r.fail_next.store(0, Ordering::SeqCst);
    let o = feedloom(&["once", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let got = r.ids();
    let mut uniq = got.clone();
    uniq.sort();
    uniq.dedup();
    assert_eq!(uniq.len(), 40, "every item delivered after the outage");
    let spilled_ids: Vec<String> = spilled
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        got[got.len() - spilled_ids.len()..],
        spilled_ids[..],
        "backlog drained in the order it was written"
    );
    assert_eq!(
        std::fs::read_to_string(backlog.join("cursor")).unwrap(),
        format!(
            "0 {}\n",
            std::fs::metadata(backlog.join("0000000000000000.jsonl"))
                .unwrap()
                .len()
        ),
        "backlog fully consumed"
    );
}

#[test]
fn sigkill_mid_stream_never_loses_an_item() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 120);
    let r = Receiver::default();
    r.delay_ms.store(15, Ordering::SeqCst);
    let url = serve(r.clone());
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\npipeline: {{channel_capacity: 4, extract_workers: 1}}\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: hook, type: webhook, url: \"{url}\", batch_size: 3, batch_timeout: 10ms}}\n  - {{id: file, type: jsonl, path: out.jsonl, fsync: always}}\n"
        ),
    );
    let c = cfg.to_str().unwrap();
    for round in 0..4 {
        let mut child = Command::new(bin())
            .args(["run", "-c", c])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let before = r.ids().len();
        let start = Instant::now();
        while r.ids().len() < before + 10 && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = Command::new("kill")
            .args(["-KILL", &child.id().to_string()])
            .status();
        let _ = child.wait();
        assert!(
            r.ids().len() < 120 || round > 0,
            "killed mid-stream, not after the end"
        );
    }
    // A final clean run delivers the rest.
    let o = feedloom(&["once", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let received: BTreeSet<String> = r.ids().into_iter().collect();
    let written: BTreeSet<String> = read_jsonl(&dir.path().join("out.jsonl"))
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(count_files(&dir.path().join("in")), 120);
    assert_eq!(
        received.len(),
        120,
        "every source item reached the webhook at least once"
    );
    assert_eq!(written, received, "and the jsonl sink, with no torn line");
}
