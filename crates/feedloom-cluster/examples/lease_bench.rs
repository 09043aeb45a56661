//! Lease renewals per second at 1,024 and 16,384 shards (one node), and KV put and stream
//! publish rates, against a NATS server (`NATS_URL`, default nats://127.0.0.1:4222).
//! Not a timed test: `cargo run -p feedloom-cluster --example lease_bench`.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use feedloom_cluster::{Cluster, ClusterConfig, Retention, StreamSpec};

const TTL: Duration = Duration::from_secs(6);

#[tokio::main]
async fn main() {
    let url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_string());
    for shards in [1_024u32, 16_384] {
        lease_rate(&url, shards).await;
    }
    handover(&url, 16_384).await;
    let cluster = connect(&url, "kvpub", 1).await;
    kv_put_rate(&cluster, 5_000).await;
    publish_rate(&cluster, 20_000).await;
    consume_rate(&cluster, 22_000).await;
    cluster.destroy(&["bench"]).await.unwrap();
}

async fn connect(url: &str, what: &str, shards: u32) -> Cluster {
    connect_as(url, what, "bench", shards).await
}

async fn connect_as(url: &str, what: &str, node: &str, shards: u32) -> Cluster {
    let mut c = ClusterConfig::new(url);
    c.name = format!("bench-{what}-{}", std::process::id());
    c.node_id = Some(node.to_string());
    c.shards = shards;
    c.lease_ttl = feedloom_core::Duration(TTL);
    feedloom_cluster::connect(&c, Path::new(".")).await.unwrap()
}

async fn lease_rate(url: &str, shards: u32) {
    let cluster = connect(url, &format!("leases{shards}"), shards).await;
    let t0 = Instant::now();
    let leases = cluster.start_leases("bench").await.unwrap();
    while leases.view().owned().len() < shards as usize {
        if t0.elapsed() > Duration::from_secs(120) {
            panic!("did not acquire {shards} shards in 120 s");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let acquired_in = t0.elapsed();
    // Three renewal passes.
    let mut passes = Vec::new();
    let before = leases.counters().snapshot();
    let t1 = Instant::now();
    while passes.len() < 3 {
        tokio::time::sleep(TTL / 3).await;
        if let Some(d) = leases.status().last_renew {
            passes.push(d);
        }
    }
    let renewed = leases.counters().snapshot().renewed - before.renewed;
    let best = passes.iter().min().copied().unwrap_or_default();
    println!(
        "leases  {shards:>6} shards: acquired in {:>7.1} ms ({:>7.0} acquires/s); renewal pass {:>7.1} ms = {:>7.0} renewals/s (best of {}); {renewed} renewals in {:.1} s, lost {}",
        acquired_in.as_secs_f64() * 1e3,
        f64::from(shards) / acquired_in.as_secs_f64(),
        best.as_secs_f64() * 1e3,
        f64::from(shards) / best.as_secs_f64(),
        passes.len(),
        t1.elapsed().as_secs_f64(),
        leases.counters().snapshot().lost,
    );
    // `owns` is called before every poll: one atomic load and a clock read.
    let view = leases.view();
    let calls = 2_000_000u32;
    let t2 = Instant::now();
    let mut owned = 0u32;
    for i in 0..calls {
        owned += u32::from(view.owns(i % shards));
    }
    let per_call = t2.elapsed().as_secs_f64() * 1e9 / f64::from(calls);
    println!("        owns(): {per_call:.0} ns a call ({owned} of {calls} owned)");
    leases.shutdown().await;
    cluster.destroy(&[]).await.unwrap();
}

async fn kv_put_rate(cluster: &Cluster, n: u32) {
    let feeds = cluster.feed_states().await.unwrap();
    // Sequential compare-and-set writes, each awaited (what a node does per feed).
    let t0 = Instant::now();
    let mut revs = Vec::with_capacity(n as usize);
    for i in 0..n {
        revs.push(
            feeds
                .put(&format!("src-{i}"), b"state", None)
                .await
                .unwrap(),
        );
    }
    let created = t0.elapsed();
    let t1 = Instant::now();
    for (i, rev) in revs.iter().enumerate() {
        feeds
            .put(&format!("src-{i}"), b"state2", Some(*rev))
            .await
            .unwrap();
    }
    let updated = t1.elapsed();
    println!(
        "kv      feed state: {:>7.0} creates/s, {:>7.0} CAS updates/s (sequential, {n} each)",
        f64::from(n) / created.as_secs_f64(),
        f64::from(n) / updated.as_secs_f64()
    );
}

async fn publish_rate(cluster: &Cluster, n: u32) {
    let streams = cluster.streams();
    streams
        .ensure_stream(&StreamSpec {
            name: "bench".to_string(),
            subjects: vec!["bench.>".to_string()],
            retention: Retention::Limits,
            duplicate_window: Duration::from_secs(120),
            max_age: Some(Duration::from_secs(600)),
        })
        .await
        .unwrap();
    let payload = Bytes::from(vec![b'x'; 512]);
    // Pipelined: up to 1,000 acks outstanding.
    let t0 = Instant::now();
    let mut pending = std::collections::VecDeque::new();
    for i in 0..n {
        let ack = streams
            .publish_with_id("bench.items", &format!("id-{i}"), payload.clone())
            .await
            .unwrap();
        pending.push_back(ack);
        if pending.len() >= 1_000 {
            pending.pop_front().unwrap().wait().await.unwrap();
        }
    }
    while let Some(ack) = pending.pop_front() {
        ack.wait().await.unwrap();
    }
    let piped = t0.elapsed();
    // Sequential: each ack awaited before the next publish.
    let m = n / 10;
    let t1 = Instant::now();
    for i in 0..m {
        streams
            .publish_with_id("bench.items", &format!("seq-{i}"), payload.clone())
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
    }
    let seq = t1.elapsed();
    println!(
        "stream  publish_with_id 512 B: {:>7.0} msgs/s pipelined ({n}), {:>7.0} msgs/s one at a time ({m})",
        f64::from(n) / piped.as_secs_f64(),
        f64::from(m) / seq.as_secs_f64()
    );
}

/// A durable pull consumer reading `n` messages of the stream `publish_rate` filled, each
/// acknowledged (as the extraction and sink consumers do).
async fn consume_rate(cluster: &Cluster, n: usize) {
    use futures_util::StreamExt;
    let streams = cluster.streams();
    let consumer = streams
        .ensure_work_consumer("bench", "bench-reader", None)
        .await
        .unwrap();
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(256)
        .messages()
        .await
        .unwrap();
    let t0 = Instant::now();
    let mut got = 0;
    while got < n {
        let Some(Ok(m)) = messages.next().await else {
            break;
        };
        m.ack().await.unwrap();
        got += 1;
    }
    println!(
        "stream  pull consumer, ack each: {:>7.0} msgs/s ({got})",
        got as f64 / t0.elapsed().as_secs_f64()
    );
}

/// Two nodes: how long a second node takes to get its half, and the first node's half to be
/// taken over after its clean shutdown.
async fn handover(url: &str, shards: u32) {
    let a_cluster = connect_as(url, "handover", "a", shards).await;
    let b_cluster = connect_as(url, "handover", "b", shards).await;
    let a = a_cluster.start_leases("bench").await.unwrap();
    wait_for(|| a.view().owned().len() == shards as usize).await;
    let t0 = Instant::now();
    let b = b_cluster.start_leases("bench").await.unwrap();
    let half = shards as usize / 2;
    wait_for(|| a.view().owned().len() == half && b.view().owned().len() == half).await;
    let join = t0.elapsed();
    let t1 = Instant::now();
    a.shutdown().await;
    wait_for(|| b.view().owned().len() == shards as usize).await;
    let leave = t1.elapsed();
    println!(
        "handover {shards:>6} shards, 2 nodes: a joining node has its half in {:>7.1} ms; a clean leave is taken over in {:>7.1} ms",
        join.as_secs_f64() * 1e3,
        leave.as_secs_f64() * 1e3
    );
    b.shutdown().await;
    a_cluster.destroy(&[]).await.unwrap();
}

async fn wait_for(mut done: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !done() {
        if t0.elapsed() > Duration::from_secs(120) {
            panic!("not done in 120 s");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
