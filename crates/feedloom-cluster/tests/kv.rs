//! Buckets on the real server (2.9): created the 2.9 way, idempotent, concurrent creators.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Cleanup, node};
use feedloom_cluster::kv::{BucketSpec, delete_bucket, open_or_create};

#[tokio::test]
async fn a_bucket_is_created_once_and_opened_after() {
    let name = common::unique_name("kv");
    let _cleanup = Cleanup::new(&name);
    let cluster = node(&name, "n1", 8, 2_000).await;
    let js = cluster.jetstream();
    let spec = BucketSpec {
        bucket: format!("{name}-leases"),
        history: 1,
        max_age: Some(Duration::from_secs(3)),
        description: "test".to_string(),
    };
    let store = open_or_create(js, &spec).await.unwrap();
    let rev = store.create("k", "v1".into()).await.unwrap();
    // Again: the same bucket, with its value.
    let again = open_or_create(js, &spec).await.unwrap();
    assert_eq!(again.get("k").await.unwrap().as_deref(), Some(&b"v1"[..]));
    let info = &again.stream.cached_info().config;
    assert_eq!(info.name, format!("KV_{name}-leases"));
    assert_eq!(info.max_age, Duration::from_secs(3));
    assert_eq!(info.max_messages_per_subject, 1);
    assert!(info.allow_rollup && info.deny_delete && info.allow_direct);
    // KV semantics on it: create refuses an existing key, update checks the revision.
    assert!(again.create("k", "v2".into()).await.is_err());
    assert!(again.update("k", "v2".into(), rev + 7).await.is_err());
    let rev2 = again.update("k", "v2".into(), rev).await.unwrap();
    again.delete_expect_revision("k", Some(rev2)).await.unwrap();
    assert_eq!(again.get("k").await.unwrap(), None);
    // Created again over the delete marker.
    again.create("k", "v3".into()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creators_all_succeed() {
    let name = common::unique_name("kvc");
    let _cleanup = Cleanup::new(&name);
    let cluster = node(&name, "n1", 8, 2_000).await;
    let spec = BucketSpec {
        bucket: format!("{name}-feeds"),
        history: 1,
        max_age: None,
        description: "test".to_string(),
    };
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let js = cluster.jetstream().clone();
        let spec = spec.clone();
        tasks.push(tokio::spawn(
            async move { open_or_create(&js, &spec).await },
        ));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    delete_bucket(cluster.jetstream(), &spec.bucket)
        .await
        .unwrap();
    // Deleting a missing bucket is fine.
    delete_bucket(cluster.jetstream(), &spec.bucket)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_bad_bucket_name_is_a_config_error() {
    let name = common::unique_name("kvb");
    let cluster = node(&name, "n1", 8, 2_000).await;
    let spec = BucketSpec {
        bucket: "no.dots".to_string(),
        history: 1,
        max_age: None,
        description: String::new(),
    };
    let err = open_or_create(cluster.jetstream(), &spec)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no.dots"), "{err}");
}
