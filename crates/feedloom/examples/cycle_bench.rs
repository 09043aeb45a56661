//! The daemon's cost of a polling cycle, measured through the binary: a local server of N
//! static RSS feeds (real ETags: a conditional GET gets a 304), `feedloom once` run twice
//! against it into one jsonl sink. Prints each cycle's wall time, items/s and peak RSS.
//!
//! ```sh
//! cargo build --release -p feedloom --example cycle_bench
//! target/release/examples/cycle_bench [--feeds 10000] [--items 20] [--extractors] \
//!     [--big MB] [--workers N] [--daemon SECS] [--bin target/release/feedloom]
//! ```
//! `--big MB` makes feed 0's first item an article of MB megabytes (the config's
//! `max_bytes` is raised to fit it): run with and without to see what one huge article costs
//! the cycle. With `--extractors` the cycle also prints the chain's rate on one thread in
//! this process, on the same articles, and the pipeline's ratio to cores × that.
//! `--daemon SECS` then starts `feedloom run` on the same config with a fresh state: prints
//! the time until `/readyz` answers 200 (start-up), the time until the first cycle's items
//! are all in the sink, and the RSS after SECS more seconds of idling (and its peak).
//! `--extractors` turns every built-in extractor on and makes each item an ~800-word
//! article (use fewer feeds: `--feeds 200`). All feeds live on 127.0.0.1, so the config raises
//! `per_host_concurrency` to the global fetch limit, standing for feeds on many hosts.
//! Peak RSS comes from `/usr/bin/time` when it is installed.
//!
//! `--cluster 1,2,3` instead runs the feeds through cluster mode: for each count N, N
//! `feedloom run` processes with one config (a `cluster:` block on the nats-server at
//! 127.0.0.1:4222, a cluster name of the run's own, deleted afterwards), timed from their
//! start until every item is in the sinks; prints items/s end to end per N.

// A developer tool on inputs it makes itself.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

struct Args {
    feeds: usize,
    items: usize,
    extractors: bool,
    /// Size in MB of one huge article (feed 0's first item), to see that it does not hold up
    /// the cycle.
    big: Option<usize>,
    /// `pipeline.extract_workers` (the config's default when absent).
    workers: Option<usize>,
    /// Idle seconds of the daemon run after its first cycle (no daemon run when absent).
    daemon: Option<u64>,
    /// Node counts of the cluster runs (`--cluster 1,2,3`).
    cluster: Vec<usize>,
    bin: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        feeds: 10_000,
        items: 20,
        extractors: false,
        big: None,
        workers: None,
        daemon: None,
        cluster: Vec::new(),
        bin: PathBuf::from("target/release/feedloom"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--feeds" => a.feeds = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.feeds),
            "--items" => a.items = it.next().and_then(|v| v.parse().ok()).unwrap_or(a.items),
            "--extractors" => a.extractors = true,
            "--big" => a.big = it.next().and_then(|v| v.parse().ok()),
            "--workers" => a.workers = it.next().and_then(|v| v.parse().ok()),
            "--daemon" => a.daemon = it.next().and_then(|v| v.parse().ok()),
            "--bin" => a.bin = it.next().map(PathBuf::from).unwrap_or(a.bin),
            "--cluster" => {
                a.cluster = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|n| n.trim().parse().ok())
                    .collect()
            }
            other => {
                eprintln!(
                    "unknown argument {other}; usage: cycle_bench [--feeds N] [--items N] [--extractors] [--big MB] [--workers N] [--daemon SECS] [--cluster 1,2,3] [--bin PATH]"
                );
                std::process::exit(2);
            }
        }
    }
    a
}

/// ~800 words of plausible news text for feed `n`, item `i`.
fn article(n: usize, i: usize) -> String {
    let para = format!(
        "Kazakhstan and China signed a $2.5 billion agreement on gas supplies in Astana on Monday, \
         officials said. \"This deal secures our exports for a decade,\" said Energy Minister Almasadam \
         Satkaliyev, adding that deliveries of 10 billion cubic metres a year would begin in March 2026. \
         The Kyrgyz and Uzbek governments, which share the Central Asia–China pipeline, welcomed the \
         deal, according to a statement from Tashkent. Feed {n} story {i} reports that freight volumes \
         on the Khorgos corridor rose 12% in the first half of the year. "
    );
    para.repeat(8)
}

struct Feeds {
    items: usize,
    extractors: bool,
    big: Option<usize>,
}

/// Every feed's body, built once: the server shares the machine's cores with the daemon
/// and should cost it as little as a static file server.
struct Served {
    bodies: Vec<axum::body::Bytes>,
}

fn feed_body(f: &Feeds, n: usize) -> String {
    // Recent dates: items older than the retention (90 days) are skipped.
    let day = (chrono::Utc::now() - chrono::Duration::days(1)).format("%a, %d %b %Y");
    let mut s = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title><link>http://example.com/{n}/</link>"#
    );
    for i in 0..f.items {
        let text = if let (0, 0, Some(mb)) = (n, i, f.big) {
            let one = article(n, i);
            one.repeat((mb << 20) / one.len() + 1)
        } else if f.extractors {
            article(n, i)
        } else {
            "The council said on Tuesday that water prices would rise by four percent next year."
                .to_string()
        };
        s.push_str(&format!(
            "<item><title>Feed {n} story {i}</title><link>/{n}/{i}</link><guid>urn:{n}:{i}</guid>\
             <pubDate>{day} 10:{:02}:00 GMT</pubDate><description>{text}</description></item>",
            i % 60
        ));
    }
    s.push_str("</channel></rss>");
    s
}

async fn serve_feed(
    State(f): State<std::sync::Arc<Served>>,
    UrlPath(n): UrlPath<usize>,
    req: Request,
) -> Response {
    let etag = format!("\"f{n}\"");
    let conditional = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str());
    if conditional {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let Some(body) = f.bodies.get(n).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml".to_string()),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}

/// Serve `n` feeds on 127.0.0.1 from a thread of its own; returns the address.
fn serve(f: Feeds, n: usize) -> std::net::SocketAddr {
    let f = Served {
        bodies: (0..n).map(|k| feed_body(&f, k).into()).collect(),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let app = axum::Router::new()
                .route("/f/{n}", axum::routing::get(serve_feed))
                .with_state(std::sync::Arc::new(f));
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(l.local_addr().expect("address"))
                .expect("report address");
            axum::serve(l, app).await.expect("serve");
        });
    });
    rx.recv().expect("server started")
}

/// The config; `daemon: Some(port)` writes the daemon run's variant (its own state, sink and
/// admin endpoint).
fn write_config(dir: &Path, addr: std::net::SocketAddr, a: &Args, daemon: Option<u16>) -> PathBuf {
    let mut y =
        String::from("defaults:\n  max_concurrent_fetches: 64\n  per_host_concurrency: 64\n");
    match daemon {
        Some(port) => y.push_str(&format!(
            "state_dir: state-daemon\nadmin:\n  listen: 127.0.0.1:{port}\n"
        )),
        None => y.push_str("state_dir: state\n"),
    }
    if let Some(w) = a.workers {
        y.push_str(&format!("pipeline:\n  extract_workers: {w}\n"));
    }
    components(&mut y, a, addr);
    let (sink, name) = match daemon {
        Some(_) => ("out/daemon.jsonl", "daemon.yaml"),
        None => ("out/items.jsonl", "feedloom.yaml"),
    };
    y.push_str(&format!(
        "sinks:\n  - {{id: out, type: jsonl, path: {sink}}}\n"
    ));
    let p = dir.join(name);
    std::fs::write(&p, y).expect("write the config");
    p
}

/// One `feedloom once`: wall seconds, peak RSS in MiB (when /usr/bin/time is there), and
/// whether it exited 0.
fn once(bin: &Path, cfg: &Path) -> (f64, Option<f64>, bool) {
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "peak-rss-kb=%M"]).arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(["once", "-c"]).arg(cfg).env("RUST_LOG", "warn");
    let t0 = Instant::now();
    let out = cmd.output().expect("run feedloom");
    let secs = t0.elapsed().as_secs_f64();
    let err = String::from_utf8_lossy(&out.stderr);
    let rss = err
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kb="))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    if !out.status.success() {
        eprintln!(
            "feedloom once: {}\n{}",
            out.status,
            err.lines().take(20).collect::<Vec<_>>().join("\n")
        );
    }
    (secs, rss, out.status.success())
}

fn count_lines(p: &Path) -> usize {
    std::fs::read(p)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

fn main() {
    let a = args();
    if !a.bin.exists() {
        eprintln!(
            "{} not found: build it first (cargo build --release -p feedloom)",
            a.bin.display()
        );
        std::process::exit(2);
    }
    let addr = serve(
        Feeds {
            items: a.items,
            extractors: a.extractors,
            big: a.big,
        },
        a.feeds,
    );
    let dir = tempfile::tempdir().expect("temp dir");
    if !a.cluster.is_empty() {
        for &n in &a.cluster {
            cluster_run(&a, dir.path(), addr, n);
        }
        return;
    }
    let cfg = write_config(dir.path(), addr, &a, None);
    let out = dir.path().join("out/items.jsonl");
    println!(
        "{} feeds × {} items, extractors {}, binary {}",
        a.feeds,
        a.items,
        if a.extractors { "on" } else { "off" },
        a.bin.display()
    );
    // Extraction's yardstick: the same chain on the same articles, in this process, on one
    // thread; the pipeline should reach about cores × this.
    let single = a.extractors.then(single_core_rate);
    let mut before = 0;
    for cycle in 1..=2 {
        let (secs, rss, ok) = once(&a.bin, &cfg);
        let total = count_lines(&out);
        let new = total - before;
        before = total;
        println!(
            "cycle {cycle}: {secs:.2} s, {new} new items ({:.0} items/s, {:.0} feeds/s), peak RSS {}{}",
            new as f64 / secs,
            a.feeds as f64 / secs,
            rss.map_or("n/a".to_string(), |m| format!("{m:.0} MiB")),
            if ok { "" } else { " — exit non-zero" }
        );
        if let (1, Some(single)) = (cycle, single) {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            println!(
                "  extraction: one thread in-process {single:.0} articles/s; pipeline {:.0} items/s \
                 = {:.2} × ({cores} cores × one thread)",
                new as f64 / secs,
                new as f64 / secs / (cores as f64 * single)
            );
        }
    }
    if let Some(idle) = a.daemon {
        daemon(&a, dir.path(), addr, idle);
    }
}

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Does `GET path` on 127.0.0.1:`port` answer 200?
fn get_ok(port: u16, path: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(std::time::Duration::from_secs(5)));
    if write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.ends_with(b"200")
}

/// `VmRSS` and `VmHWM` of `pid` in MiB.
fn rss(pid: u32) -> (f64, f64) {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        s.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// `feedloom run` on a fresh state: start-up time, first cycle, idle RSS.
fn daemon(a: &Args, dir: &Path, addr: std::net::SocketAddr, idle: u64) {
    use std::time::Duration;
    let port = free_port();
    let cfg = write_config(dir, addr, a, Some(port));
    let out = dir.join("out/daemon.jsonl");
    let t0 = Instant::now();
    let mut child = Command::new(&a.bin)
        .args(["run", "-c"])
        .arg(&cfg)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start feedloom run");
    while !get_ok(port, "/readyz") {
        if t0.elapsed() > Duration::from_secs(120) || child.try_wait().unwrap().is_some() {
            eprintln!("feedloom run did not become ready");
            let _ = child.kill();
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let ready = t0.elapsed().as_secs_f64();
    let (rss_ready, _) = rss(child.id());
    // New sources due at once in a herd spread their first poll over interval × jitter.
    let want = a.feeds * a.items;
    while count_lines(&out) < want && t0.elapsed() < Duration::from_secs(180) {
        std::thread::sleep(Duration::from_millis(100));
    }
    let cycle = t0.elapsed().as_secs_f64();
    let got = count_lines(&out);
    std::thread::sleep(Duration::from_secs(idle));
    let (now, peak) = rss(child.id());
    // SIGTERM through the `kill` command (std has no signal API): a clean shutdown.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().expect("wait for feedloom run");
    println!(
        "daemon: ready after {ready:.2} s (RSS {rss_ready:.0} MiB); first cycle {got}/{want} items after {cycle:.1} s; \
         after {idle} s idle RSS {now:.0} MiB (peak {peak:.0} MiB); exit {status}"
    );
}

/// Articles/s of every built-in extractor in `DEFAULT_ORDER`, run in turn on one thread over
/// the articles the feeds serve (400 of them, distinct, so no cache helps).
fn single_core_rate() -> f64 {
    let mut reg = feedloom_core::Registry::new();
    feedloom_extract::register(&mut reg);
    let ctx = feedloom_core::BuildContext::for_tests(Path::new("."));
    let chain: Vec<_> = feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|t| {
            let x = (reg.extractor(t).unwrap().build)(&serde_json::json!({}), &ctx).unwrap();
            x.as_sync().expect("built-in extractors are synchronous")
        })
        .collect();
    let items: Vec<feedloom_core::Item> = (0..400)
        .map(|k| {
            let mut it = feedloom_core::Item::new(format!("urn:{k}"), "bench");
            it.title = Some(format!("Feed {k} story {k}"));
            it.text = article(k, k % 20);
            it
        })
        .collect();
    let t0 = Instant::now();
    for mut it in items.clone() {
        for x in &chain {
            let _ = x.extract(&mut it);
        }
    }
    items.len() as f64 / t0.elapsed().as_secs_f64()
}

/// The feeds through `nodes` cluster nodes: items/s from their start until every item is
/// in one of their sinks.
fn cluster_run(a: &Args, dir: &Path, addr: std::net::SocketAddr, nodes: usize) {
    let name = format!("bench{}x{nodes}", std::process::id());
    let mut y = format!(
        "state_dir: state\ndefaults:\n  max_concurrent_fetches: 64\n  per_host_concurrency: 64\ncluster:\n  nats_url: nats://127.0.0.1:4222\n  name: {name}\n"
    );
    if let Some(w) = a.workers {
        y.push_str(&format!("pipeline:\n  extract_workers: {w}\n"));
    }
    components(&mut y, a, addr);
    y.push_str("sinks:\n  - {id: out, type: jsonl, path: out.jsonl}\n");
    let dirs: Vec<PathBuf> = (0..nodes)
        .map(|i| {
            let d = dir.join(&name).join(format!("node{i}"));
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("feedloom.yaml"), &y).unwrap();
            d
        })
        .collect();
    let want = a.feeds * a.items;
    let t0 = Instant::now();
    let mut children: Vec<std::process::Child> = dirs
        .iter()
        .map(|d| {
            Command::new(&a.bin)
                .args(["run", "-c"])
                .arg(d.join("feedloom.yaml"))
                .env("RUST_LOG", "warn")
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start a node")
        })
        .collect();
    // Lines counted as they are appended (rereading ~10 KB items every 50 ms would cost the
    // nodes a core).
    let mut seen: Vec<(u64, usize)> = vec![(0, 0); nodes];
    let mut total = 0;
    while total < want && t0.elapsed() < std::time::Duration::from_secs(900) {
        std::thread::sleep(std::time::Duration::from_millis(50));
        for (d, s) in dirs.iter().zip(seen.iter_mut()) {
            count_new_lines(&d.join("out.jsonl"), s);
        }
        total = seen.iter().map(|s| s.1).sum();
    }
    let secs = t0.elapsed().as_secs_f64();
    let per_node: Vec<usize> = seen.iter().map(|s| s.1).collect();
    println!(
        "cluster of {nodes}: {total} of {want} items in {secs:.2} s = {:.0} items/s end to end (delivered per node {per_node:?})",
        total as f64 / secs
    );
    for c in &children {
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
    }
    for c in &mut children {
        let _ = c.wait();
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if let Ok(client) = async_nats::connect("127.0.0.1:4222").await {
            let js = async_nats::jetstream::new(client);
            for s in ["work", "out", "dead"] {
                let _ = js.delete_stream(format!("{name}-{s}")).await;
            }
            for b in ["leases", "members", "feeds"] {
                let _ = js.delete_stream(format!("KV_{name}-{b}")).await;
            }
        }
    });
}

/// Count the lines appended to `p` since `seen` (offset, lines so far).
fn count_new_lines(p: &Path, seen: &mut (u64, usize)) {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(p) else {
        return;
    };
    if f.seek(SeekFrom::Start(seen.0)).is_err() {
        return;
    }
    let mut buf = Vec::new();
    if f.read_to_end(&mut buf).is_err() {
        return;
    }
    // Up to the last complete line.
    let Some(end) = buf.iter().rposition(|&b| b == b'\n') else {
        return;
    };
    seen.1 += buf[..=end].iter().filter(|&&b| b == b'\n').count();
    seen.0 += end as u64 + 1;
}

/// The config's `sources:` (every feed) and, with `--extractors`, `extractors:`.
fn components(y: &mut String, a: &Args, addr: std::net::SocketAddr) {
    y.push_str("sources:\n");
    for n in 0..a.feeds {
        y.push_str(&format!(
            "  - {{id: f{n}, type: feed, url: \"http://{addr}/f/{n}\"}}\n"
        ));
    }
    if a.extractors {
        y.push_str("extractors:\n");
        for t in feedloom_extract::DEFAULT_ORDER {
            y.push_str(&format!("  - {{type: {t}}}\n"));
        }
    }
}
