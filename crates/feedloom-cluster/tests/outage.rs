//! A NATS outage: a node stops claiming its shards once its leases may have lapsed, and
//! resumes by itself when the server is back. Runs a private nats-server (on a free loopback
//! port, with its own store) so the shared one is never stopped; skipped if there is no
//! `nats-server` binary.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::eventually;

const TTL_MS: u64 = 2_000;

struct Server {
    child: Child,
}

impl Server {
    fn start(port: u16, store: &Path) -> Option<Server> {
        let child = Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if start.elapsed() > Duration::from_secs(10) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Server { child })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The private server's store, removed when dropped (also after a panic).
struct StoreDir(PathBuf);

impl Drop for StoreDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_stops_owning_during_an_outage_and_resumes_after_it() {
    let port = free_port();
    let store = StoreDir(std::env::temp_dir().join(common::unique_name("js")));
    let Some(server) = Server::start(port, &store.0) else {
        eprintln!("no nats-server binary to run a private server: skipped");
        return;
    };
    let mut config = common::config(&common::unique_name("out"), "a", 8, TTL_MS);
    config.nats_url = feedloom_cluster::NatsUrls::One(format!("nats://127.0.0.1:{port}"));
    let cluster = feedloom_cluster::connect(&config, Path::new("."))
        .await
        .unwrap();
    let leases = cluster.start_leases("h").await.unwrap();
    let view = leases.view();
    eventually(Duration::from_secs(10), "a holds all 8 shards", || {
        (0..8).all(|s| view.owns(s))
    })
    .await;

    drop(server);
    let t0 = Instant::now();
    let took = eventually(
        Duration::from_millis(TTL_MS * 2),
        "a stops owning its shards",
        || (0..8).all(|s| !view.owns(s)) && view.owned().is_empty(),
    )
    .await;
    eprintln!("ownership dropped {took:?} into the outage");
    assert!(
        took < Duration::from_millis(TTL_MS),
        "held past the TTL: {took:?}"
    );
    assert!(view.counters().snapshot().lost >= 8);
    assert!(view.counters().snapshot().renew_errors > 0);

    let _server = Server::start(port, &store.0).unwrap();
    let took = eventually(
        Duration::from_secs(30),
        "a holds all 8 shards again",
        || (0..8).all(|s| view.owns(s)),
    )
    .await;
    eprintln!(
        "all shards owned again {took:?} after the restart ({:?} in all)",
        t0.elapsed()
    );
    leases.shutdown().await;
}
