//! Cluster mode end to end: several real `feedloom run` processes with one config share the
//! work over the machine's nats-server (127.0.0.1:4222, JetStream; `.ci/run` starts one when
//! none answers). The feeds are served by axum on 127.0.0.1 and the server records when each
//! request to each feed started and ended. Every test uses a cluster `name` of its own and
//! deletes its streams and buckets at the end.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::*;

const SERVER: &str = "nats://127.0.0.1:4222";

/// One request to one feed: feed number, start, end (None while in flight).
type Requests = Arc<Mutex<Vec<(usize, Instant, Option<Instant>)>>>;

/// Feeds `/feed/N`: `items` items each (ids `fN-K`), an ETag per version, a 304 when the
/// client has the current one. Each request takes `delay`.
#[derive(Clone)]
struct Feeds {
    requests: Requests,
    /// Items per feed now (raise it to publish new items).
    items: Arc<AtomicU32>,
    delay: Duration,
}

impl Feeds {
    fn serve(items: u32, delay: Duration) -> (String, Feeds) {
        let feeds = Feeds {
            requests: Arc::default(),
            items: Arc::new(AtomicU32::new(items)),
            delay,
        };
        let f = feeds.clone();
        let app = axum::Router::new().route(
            "/feed/{n}",
            axum::routing::get(
                move |axum::extract::Path(n): axum::extract::Path<usize>, h: HeaderMap| {
                    let f = f.clone();
                    async move { f.answer(n, &h).await }
                },
            ),
        );
        let addr = serve_http(app);
        (format!("http://{addr}"), feeds)
    }

    async fn answer(&self, n: usize, h: &HeaderMap) -> Response {
        let at = {
            let mut r = self.requests.lock().unwrap();
            r.push((n, Instant::now(), None));
            r.len() - 1
        };
        tokio::time::sleep(self.delay).await;
        let items = self.items.load(Ordering::SeqCst);
        let etag = format!("\"v{items}-{n}\"");
        let resp = if h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(&etag) {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let body: String = (0..items)
                .map(|k| {
                    format!(
                        "<item><guid>f{n}-{k}</guid><title>Story {k} of feed {n}</title><link>http://news.example/f{n}/{k}</link><description>Kazakhstan and China signed agreement {k} in Astana on Monday.</description></item>"
                    )
                })
                .collect();
            (
                [
                    (header::CONTENT_TYPE, "application/rss+xml".to_string()),
                    (header::ETAG, etag),
                ],
                format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{body}</channel></rss>"#
                ),
            )
                .into_response()
        };
        self.requests.lock().unwrap()[at].2 = Some(Instant::now());
        resp
    }

    /// Feeds whose requests overlapped in time (two fetches of one feed at once).
    fn overlaps(&self) -> Vec<String> {
        let r = self.requests.lock().unwrap().clone();
        let mut by_feed: BTreeMap<usize, Vec<(Instant, Instant)>> = BTreeMap::new();
        for (n, start, end) in r {
            by_feed
                .entry(n)
                .or_default()
                .push((start, end.unwrap_or_else(Instant::now)));
        }
        let mut out = Vec::new();
        for (n, mut v) in by_feed {
            v.sort();
            for w in v.windows(2) {
                if w[1].0 < w[0].1 {
                    out.push(format!(
                        "feed {n}: a request started {:?} before the previous one ended",
                        w[0].1 - w[1].0
                    ));
                }
            }
        }
        out
    }

    fn requests_in_flight(&self) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.2.is_none())
            .count()
    }
}

/// A cluster name of its own; its streams and buckets are deleted when dropped.
struct TestCluster {
    name: String,
}

impl TestCluster {
    fn new(tag: &str) -> TestCluster {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        TestCluster {
            name: format!("t{tag}{}x{nanos}", std::process::id()),
        }
    }
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let name = self.name.clone();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let Ok(client) = async_nats::connect(SERVER).await else {
                return;
            };
            let js = async_nats::jetstream::new(client);
            for s in ["work", "out", "dead"] {
                let _ = js.delete_stream(format!("{name}-{s}")).await;
            }
            for b in ["leases", "members", "feeds"] {
                let _ = js.delete_stream(format!("KV_{name}-{b}")).await;
            }
        });
    }
}

/// The same YAML in `nodes` directories of their own (state, sink file); the admin port
/// comes from `${ADMIN}`, so the config's cluster hash is the same on every node.
fn node_dirs(
    root: &Path,
    nodes: usize,
    cluster: &str,
    base: &str,
    feeds: usize,
    extra: &str,
) -> Vec<PathBuf> {
    let sources: String = (0..feeds)
        .map(|n| format!("  - id: feed-{n}\n    type: feed\n    url: {base}/feed/{n}\n"))
        .collect();
    let yaml = format!(
        r#"state_dir: state
admin:
  listen: ${{ADMIN:-127.0.0.1:0}}
defaults:
  interval: 1s
  jitter: 0.2
  timeout: 10s
cluster:
  nats_url: {SERVER}
  name: {cluster}
  shards: 64
{extra}
sources:
{sources}
extractors:
  - type: clean
  - type: countries
sinks:
  - id: out
    type: jsonl
    path: out.jsonl
"#
    );
    (0..nodes)
        .map(|i| {
            let d = root.join(format!("node{i}"));
            std::fs::create_dir_all(&d).unwrap();
            write_config(&d, &yaml)
        })
        .collect()
}

fn start(cfg: &Path) -> Daemon {
    let mut d = Daemon::start_with_env(cfg, &[("ADMIN", "127.0.0.1:0")]);
    d.wait_log("joined the cluster");
    d
}

/// Item ids delivered by every node's sink (with repeats).
fn delivered(cfgs: &[PathBuf]) -> Vec<String> {
    cfgs.iter()
        .flat_map(|c| {
            let p = c.parent().unwrap().join("out.jsonl");
            if p.exists() {
                read_jsonl(&p)
            } else {
                Vec::new()
            }
        })
        .filter_map(|v| v["id"].as_str().map(str::to_string))
        .collect()
}

fn cluster_status(d: &mut Daemon) -> serde_json::Value {
    let addr = d.admin();
    let (st, _, body) = http_get(&addr, "/cluster");
    assert_eq!(st, 200, "{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{addr}/cluster: {e}: {body}"))
}

fn owned(d: &mut Daemon) -> usize {
    cluster_status(d)["owned"].as_array().map_or(0, Vec::len)
}

/// Wait until `cond` holds (`what` names it in the failure), at most [`WAIT`].
fn wait_for(what: &str, mut cond: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

fn expected(feeds: usize, items: u32) -> BTreeSet<String> {
    (0..feeds)
        .flat_map(|n| (0..items).map(move |k| format!("f{n}-{k}")))
        .collect()
}

#[test]
fn three_nodes_poll_300_feeds_once_each_and_deliver_everything() {
    let tc = TestCluster::new("three");
    let (base, feeds) = Feeds::serve(3, Duration::from_millis(20));
    let dir = tempfile::tempdir().unwrap();
    let cfgs = node_dirs(dir.path(), 3, &tc.name, &base, 300, "  lease_ttl: 2s");
    // Joining one after the other: the shards move while the feeds are polled.
    let mut nodes = Vec::new();
    for c in &cfgs {
        nodes.push(start(c));
        std::thread::sleep(Duration::from_millis(700));
    }
    let want = expected(300, 3);
    wait_for("all 900 items in the sinks", || {
        delivered(&cfgs).into_iter().collect::<BTreeSet<_>>() == want
    });
    // Every node gets its fair share (64 shards / 3 nodes: 21 or 22).
    wait_for("a fair share on every node", || {
        let o: Vec<usize> = nodes.iter_mut().map(owned).collect();
        eprintln!("owned {o:?}");
        o.iter().all(|n| (21..=22).contains(n))
    });
    // A few more cycles (ETags: 304s) after the rebalance.
    std::thread::sleep(Duration::from_secs(3));
    let got = delivered(&cfgs);
    let distinct: BTreeSet<_> = got.iter().cloned().collect();
    assert_eq!(distinct, want);
    assert_eq!(got.len(), want.len(), "an item reached the sinks twice");
    let overlaps = feeds.overlaps();
    assert!(overlaps.is_empty(), "{overlaps:#?}");
    let st = cluster_status(&mut nodes[0]);
    assert_eq!(st["members"].as_array().unwrap().len(), 3, "{st}");
    assert!(
        st["counters"]["leases_renewed"].as_u64().unwrap() > 0,
        "{st}"
    );
    for d in nodes {
        assert!(d.stop().success());
    }
}

#[test]
fn a_killed_node_is_replaced_and_a_new_node_takes_its_share() {
    let tc = TestCluster::new("kill");
    let (base, feeds) = Feeds::serve(2, Duration::from_millis(5));
    let dir = tempfile::tempdir().unwrap();
    let cfgs = node_dirs(dir.path(), 4, &tc.name, &base, 60, "  lease_ttl: 2s");
    let mut a = start(&cfgs[0]);
    let mut b = start(&cfgs[1]);
    let mut c = start(&cfgs[2]);
    wait_for("all items", || delivered(&cfgs).len() >= 120);
    wait_for("three shares", || {
        [&mut a, &mut b, &mut c]
            .into_iter()
            .all(|d| (21..=22).contains(&owned(d)))
    });
    // kill -9 mid-stream: new items appear as the node dies.
    feeds.items.store(4, Ordering::SeqCst);
    a.kill9();
    let took = wait_for("the killed node's shards taken over", || {
        owned(&mut b) + owned(&mut c) == 64
    });
    eprintln!("shards of the killed node taken over after {took:?} (lease_ttl 2s)");
    let want = expected(60, 4);
    wait_for("every item, the new ones too", || {
        delivered(&cfgs).into_iter().collect::<BTreeSet<_>>() == want
    });
    // A fourth node joins and gets its share (64 / 3 live nodes).
    let mut d = start(&cfgs[3]);
    wait_for("the new node's fair share", || {
        (21..=22).contains(&owned(&mut d))
    });
    // SIGTERM hands the shards over at once (well before the 2 s lease could lapse).
    let stopped = Instant::now();
    assert!(b.stop().success());
    let handover = wait_for("the stopped node's shards taken", || {
        owned(&mut c) + owned(&mut d) == 64
    });
    eprintln!(
        "after SIGTERM: exit and handover in {:?}",
        stopped.elapsed()
    );
    assert!(
        handover < Duration::from_secs(2),
        "shards of a node stopped with SIGTERM were taken only after {handover:?}"
    );
    feeds.items.store(5, Ordering::SeqCst);
    let want = expected(60, 5);
    wait_for("the items published after the handover", || {
        delivered(&cfgs).into_iter().collect::<BTreeSet<_>>() == want
    });
    for n in [c, d] {
        assert!(n.stop().success());
    }
}

#[test]
fn a_node_paused_past_its_lease_cannot_overwrite_the_new_owners_state() {
    let tc = TestCluster::new("pause");
    // One feed on one shard; each request takes 1.5 s, so a poll is caught mid-fetch.
    let (base, feeds) = Feeds::serve(3, Duration::from_millis(1500));
    let dir = tempfile::tempdir().unwrap();
    let cfgs = node_dirs(
        dir.path(),
        2,
        &tc.name,
        &base,
        1,
        // Messages a frozen node had pulled come back after ack_wait.
        "  lease_ttl: 2s\n  ack_wait: 4s",
    )
    .into_iter()
    .inspect(|p| {
        // The frozen fetch must not time out (timeouts run on wall-clock time).
        let t = std::fs::read_to_string(p)
            .unwrap()
            .replace("shards: 64", "shards: 1")
            .replace("timeout: 10s", "timeout: 120s");
        std::fs::write(p, t).unwrap();
    })
    .collect::<Vec<_>>();
    let mut a = start(&cfgs[0]);
    let mut b = start(&cfgs[1]);
    wait_for("one node holding the shard", || {
        owned(&mut a) + owned(&mut b) == 1
    });
    let (mut holder, mut other) = if owned(&mut a) == 1 { (a, b) } else { (b, a) };
    // New items, then freeze the holder while it fetches them.
    wait_for("the first items", || delivered(&cfgs).len() >= 3);
    feeds.items.store(5, Ordering::SeqCst);
    wait_for("a fetch in flight", || feeds.requests_in_flight() == 1);
    holder.signal("STOP");
    wait_for("the other node taking the shard", || owned(&mut other) == 1);
    let want = expected(1, 5);
    wait_for("the new owner delivering the new items", || {
        delivered(&cfgs).into_iter().collect::<BTreeSet<_>>() == want
    });
    holder.signal("CONT");
    holder.wait_log("its write is refused");
    // The late node's publishes were duplicates within the window: nothing twice.
    std::thread::sleep(Duration::from_secs(2));
    let got = delivered(&cfgs);
    assert_eq!(got.len(), 5, "{got:?}\n{}", holder.log());
    let st = cluster_status(&mut holder);
    assert!(
        st["counters"]["state_conflicts"].as_u64().unwrap() >= 1,
        "{st}"
    );
    assert!(
        st["counters"]["publish_duplicates"].as_u64().unwrap() >= 1,
        "{st}\n{}",
        holder.log()
    );
    for n in [holder, other] {
        assert!(n.stop().success());
    }
}

#[test]
fn once_and_a_bad_cluster_block_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        &format!(
            "cluster:\n  nats_url: {SERVER}\n  name: bad name\nsources: []\nsinks:\n  - id: out\n    type: jsonl\n    path: out.jsonl\n"
        ),
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("cluster"), "{}", stderr(&o));
    let tc = TestCluster::new("once");
    let cfg = write_config(
        dir.path(),
        &format!(
            "cluster:\n  nats_url: {SERVER}\n  name: {}\nsources: []\nsinks:\n  - id: out\n    type: jsonl\n    path: out.jsonl\n",
            tc.name
        ),
    );
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("`once` does not run in cluster mode"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn failing_items_reach_the_clusters_dead_letters_and_replay_from_there() {
    let tc = TestCluster::new("dlq");
    let (base, _feeds) = Feeds::serve(2, Duration::from_millis(1));
    let dir = tempfile::tempdir().unwrap();
    let cfgs = node_dirs(
        dir.path(),
        1,
        &tc.name,
        &base,
        1,
        "  lease_ttl: 2s\n  max_deliver: 2",
    );
    let cfg = &cfgs[0];
    let good = std::fs::read_to_string(cfg).unwrap();
    let failing = good.replace(
        "extractors:\n",
        "extractors:\n  - {type: exec, id: broken, command: [sh, -c, \"exit 3\"], on_error: dead_letter}\n",
    );
    std::fs::write(cfg, &failing).unwrap();
    let c = cfg.to_str().unwrap();
    let d = start(cfg);
    wait_for("two dead letters in the cluster", || {
        stdout(&feedloom(&["dlq", "list", "-c", c]))
            .matches("cluster dead letter")
            .count()
            == 2
    });
    let list = stdout(&feedloom(&["dlq", "list", "-c", c]));
    assert!(list.contains("extractor broken"), "{list}");
    assert!(list.contains("item f0-0 of feed-0"), "{list}");
    assert!(d.stop().success());
    assert!(delivered(&cfgs).is_empty());
    // Fixed config: the replayed items go through.
    std::fs::write(cfg, &good).unwrap();
    let _d = start(cfg);
    let o = feedloom(&["dlq", "replay", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("put 2 dead letter(s) of the cluster back"),
        "{}",
        stdout(&o)
    );
    wait_for("the replayed items in the sink", || {
        delivered(&cfgs).len() == 2
    });
    assert!(!stdout(&feedloom(&["dlq", "list", "-c", c])).contains("cluster dead letter"));
}

#[test]
fn a_node_with_another_config_takes_no_work_until_the_old_config_is_gone() {
    let tc = TestCluster::new("cfg");
    let (base, _feeds) = Feeds::serve(1, Duration::from_millis(1));
    let dir = tempfile::tempdir().unwrap();
    let cfgs = node_dirs(dir.path(), 2, &tc.name, &base, 4, "  lease_ttl: 2s");
    // The second node's config has one source more: a rolling upgrade half done.
    let newer = std::fs::read_to_string(&cfgs[1]).unwrap().replace(
        "sources:\n",
        &format!("sources:\n  - id: feed-4\n    type: feed\n    url: {base}/feed/4\n"),
    );
    std::fs::write(&cfgs[1], newer).unwrap();
    let mut old = start(&cfgs[0]);
    wait_for("the old node holding every shard", || owned(&mut old) == 64);
    let mut new = start(&cfgs[1]);
    new.wait_log("config differs from the cluster's");
    wait_for("the refusal in /cluster", || {
        cluster_status(&mut new)["refused"]
            .as_str()
            .is_some_and(|r| r.contains("config"))
    });
    assert_eq!(owned(&mut new), 0);
    let addr = new.admin();
    let (code, _, body) = http_get(&addr, "/readyz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("takes no work"), "{body}");
    // `status` (from the snapshot: the admin port is not fixed) says why.
    wait_for("REFUSED in `feedloom status`", || {
        let status = stdout(&feedloom(&["status", "-c", cfgs[1].to_str().unwrap()]));
        status.contains("REFUSED") && status.contains("standby")
    });
    // The last node with the old config leaves: the new config is the cluster's.
    assert!(old.stop().success());
    wait_for("the new node holding every shard", || owned(&mut new) == 64);
    wait_for("the new source's items", || {
        delivered(&cfgs).iter().any(|id| id == "f4-0")
    });
    assert!(new.stop().success());
}

/// A nats-server of the test's own (port, store), started, stopped and started again.
struct OwnServer {
    port: u16,
    store: tempfile::TempDir,
    child: Option<std::process::Child>,
}

impl OwnServer {
    /// A port and a store, no server yet.
    fn not_started() -> OwnServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        OwnServer {
            port,
            store: tempfile::tempdir().unwrap(),
            child: None,
        }
    }

    fn up(&mut self) {
        let child = std::process::Command::new("nats-server")
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server on PATH (apt-get install nats-server)");
        self.child = Some(child);
        wait_for("the test's nats-server", || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
    }

    fn down(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.down();
    }
}

#[test]
fn a_nats_outage_pauses_the_node_and_it_resumes_by_itself() {
    // NATS is down when the node starts: it waits for it.
    let mut server = OwnServer::not_started();
    let (base, feeds) = Feeds::serve(2, Duration::from_millis(1));
    let dir = tempfile::tempdir().unwrap();
    let cfgs: Vec<PathBuf> = node_dirs(dir.path(), 1, "outage", &base, 5, "  lease_ttl: 2s")
        .into_iter()
        .inspect(|p| {
            let t = std::fs::read_to_string(p)
                .unwrap()
                .replace(SERVER, &format!("nats://127.0.0.1:{}", server.port));
            std::fs::write(p, t).unwrap();
        })
        .collect();
    let mut d = Daemon::start_with_env(&cfgs[0], &[("ADMIN", "127.0.0.1:0")]);
    d.wait_log("waiting for NATS");
    server.up();
    d.wait_log("joined the cluster");
    wait_for("the first items", || delivered(&cfgs).len() == 10);
    server.down();
    feeds.items.store(3, Ordering::SeqCst);
    d.wait_log("shard leases lost");
    std::thread::sleep(Duration::from_secs(2));
    assert!(delivered(&cfgs).len() == 10);
    server.up();
    let want = expected(5, 3);
    wait_for("the items published after the outage", || {
        delivered(&cfgs).into_iter().collect::<BTreeSet<_>>() == want
    });
    assert_eq!(delivered(&cfgs).len(), 15, "{}", d.log());
    assert!(d.stop().success());
}
