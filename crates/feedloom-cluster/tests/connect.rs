//! Connecting: an unreachable server, bad configs, secrets kept out of messages.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use feedloom_cluster::{ClusterConfig, ClusterError, Secret, connect};

#[tokio::test]
async fn an_unreachable_server_is_a_clear_error_without_hanging() {
    let mut c = ClusterConfig::new("nats://127.0.0.1:1");
    c.user = Some("me".to_string());
    c.password = Some(Secret::new("hunter2"));
    let start = Instant::now();
    let err = connect(&c, Path::new(".")).await.unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
    let text = err.to_string();
    eprintln!("{text}");
    assert!(matches!(err, ClusterError::Connect { .. }), "{text}");
    assert!(text.contains("nats://127.0.0.1:1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

#[tokio::test]
async fn the_url_shown_has_no_user_info() {
    let c = ClusterConfig::new("nats://me:hunter2@127.0.0.1:1");
    let err = connect(&c, Path::new(".")).await.unwrap_err().to_string();
    assert!(
        err.contains("nats://127.0.0.1:1") && !err.contains("hunter2"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_creds_file_names_the_file() {
    let mut c = ClusterConfig::new(common::URL);
    c.creds_file = Some("no-such.creds".into());
    let err = connect(&c, Path::new("/etc/feedloom")).await.unwrap_err();
    assert!(matches!(err, ClusterError::CredsFile { .. }), "{err}");
    assert!(
        err.to_string().contains("/etc/feedloom/no-such.creds"),
        "{err}"
    );
}

#[tokio::test]
async fn connects_and_reports_the_node() {
    let name = common::unique_name("conn");
    let cluster = common::node(&name, "node-1", 32, 2_000).await;
    assert_eq!(cluster.node_id(), "node-1");
    assert_eq!(cluster.name(), name);
    assert_eq!(cluster.shard_of("x"), feedloom_cluster::shard_of("x", 32));
}

#[tokio::test]
async fn a_list_of_urls_is_accepted() {
    let name = common::unique_name("urls");
    let mut c = common::config(&name, "n", 8, 2_000);
    c.nats_url = feedloom_cluster::NatsUrls::Many(vec![
        common::URL.to_string(),
        "nats://127.0.0.1:4222".to_string(),
    ]);
    connect(&c, Path::new(".")).await.unwrap();
}
