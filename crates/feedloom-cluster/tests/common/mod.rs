//! Shared by the integration tests: a NATS server on 127.0.0.1:4222, a fresh cluster name per
//! test, and a guard that deletes the test's streams and buckets even when the test fails.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use feedloom_cluster::{Cluster, ClusterConfig, LeaseView};

pub const URL: &str = "nats://127.0.0.1:4222";

/// A cluster name no other test (or run) uses.
pub fn unique_name(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "t-{prefix}-{}-{nanos:x}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The config of node `node` of cluster `name`.
pub fn config(name: &str, node: &str, shards: u32, ttl_ms: u64) -> ClusterConfig {
    let mut c = ClusterConfig::new(URL);
    c.name = name.to_string();
    c.node_id = Some(node.to_string());
    c.shards = shards;
    c.lease_ttl = feedloom_core::Duration::from_millis(ttl_ms);
    c
}

pub async fn node(name: &str, node: &str, shards: u32, ttl_ms: u64) -> Cluster {
    feedloom_cluster::connect(&config(name, node, shards, ttl_ms), Path::new("."))
        .await
        .unwrap()
}

/// Deletes the cluster's buckets and `streams` when dropped (also after a panic), from a
/// thread of its own with its own runtime.
pub struct Cleanup {
    pub name: String,
    pub streams: Vec<String>,
}

impl Cleanup {
    pub fn new(name: &str) -> Self {
        Cleanup {
            name: name.to_string(),
            streams: Vec::new(),
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let name = self.name.clone();
        let streams = self.streams.clone();
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let c = config(&name, "cleanup", 1, 1_000);
                if let Ok(cluster) = feedloom_cluster::connect(&c, Path::new(".")).await {
                    let refs: Vec<&str> = streams.iter().map(String::as_str).collect();
                    let _ = cluster.destroy(&refs).await;
                }
            });
        });
        let _ = done.join();
    }
}

/// Waits until `check` holds, polling every 25 ms; panics with `what` after `limit`.
pub async fn eventually(limit: Duration, what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if check() {
            return start.elapsed();
        }
        if start.elapsed() > limit {
            panic!("not within {limit:?}: {what}");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// For each shard, how many of `views` own it now.
pub fn owners(views: &[LeaseView], shards: u32) -> Vec<usize> {
    (0..shards)
        .map(|s| views.iter().filter(|v| v.owns(s)).count())
        .collect()
}

/// Every shard owned by exactly one view, and each view holding `shards / views` rounded
/// down or up.
pub fn balanced(views: &[LeaseView], shards: u32) -> bool {
    if views.is_empty() {
        return false;
    }
    let exact = owners(views, shards).iter().all(|n| *n == 1);
    let (lo, hi) = (
        shards as usize / views.len(),
        (shards as usize).div_ceil(views.len()),
    );
    let within = views.iter().all(|v| {
        let n = v.owned().len();
        n >= lo && n <= hi
    });
    exact && within
}

/// No shard is owned by two views.
pub fn no_double_owner(views: &[LeaseView], shards: u32) -> bool {
    owners(views, shards).iter().all(|n| *n <= 1)
}

/// Watches `views` every 5 ms in the background; the returned flag turns true if a shard is
/// ever owned by two of them at once.
pub fn overlap_watchdog(
    views: Vec<LeaseView>,
    shards: u32,
) -> (
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    tokio::task::JoinHandle<()>,
) {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let f = flag.clone();
    let task = tokio::spawn(async move {
        loop {
            if !no_double_owner(&views, shards) {
                f.store(true, Ordering::SeqCst);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    (flag, task)
}
