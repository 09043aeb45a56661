//! Work streams on the real server (2.9): creation, publish with an id, work consumer,
//! dead letters.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::{Cleanup, node};
use feedloom_cluster::{Retention, StreamSpec};
use futures_util::StreamExt;

#[tokio::test]
async fn publish_with_id_is_deduplicated_and_dead_letters_keep_the_reason() {
    let name = common::unique_name("st");
    let mut cleanup = Cleanup::new(&name);
    cleanup.streams.push("items".to_string());
    let cluster = node(&name, "a", 8, 2_000).await;
    let streams = cluster.streams();
    let spec = StreamSpec {
        name: "items".to_string(),
        subjects: vec!["items.>".to_string()],
        retention: Retention::WorkQueue,
        duplicate_window: streams.dedup_window(),
        max_age: Some(Duration::from_secs(3600)),
    };
    let s = streams.ensure_stream(&spec).await.unwrap();
    assert_eq!(s.cached_info().config.name, format!("{name}-items"));
    // Idempotent.
    streams.ensure_stream(&spec).await.unwrap();

    let first = streams
        .publish_with_id("items.new", "item-1", Bytes::from_static(b"one"))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    assert!(!first.duplicate);
    // A `PendingAck` can be awaited directly.
    let again = streams
        .publish_with_id("items.new", "item-1", Bytes::from_static(b"one"))
        .await
        .unwrap()
        .await
        .unwrap();
    assert!(
        again.duplicate,
        "the second publish of item-1 was not deduplicated"
    );
    assert_eq!(again.sequence, first.sequence);

    let consumer = streams
        .ensure_work_consumer("items", "workers", Some("items.>"))
        .await
        .unwrap();
    let info = consumer.cached_info();
    assert_eq!(info.config.max_deliver, 5);
    assert_eq!(info.config.ack_wait, Duration::from_secs(60));
    let mut batch = consumer.fetch().max_messages(10).messages().await.unwrap();
    let msg = batch.next().await.unwrap().unwrap();
    assert_eq!(&msg.payload[..], b"one");
    assert!(!streams.is_last_delivery(msg.info().unwrap().delivered));
    assert!(streams.is_last_delivery(5));

    streams.ensure_dead_letter_stream().await.unwrap();
    let ack = streams
        .dead_letter(
            "items.new",
            "item-1",
            msg.payload.clone(),
            "parse failed:\r\nbad xml",
        )
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    assert_eq!(ack.stream, format!("{name}-dead"));
    msg.ack().await.unwrap();
    let mut dead = cluster
        .jetstream()
        .get_stream(format!("{name}-dead"))
        .await
        .unwrap();
    let raw = dead.get_raw_message(ack.sequence).await.unwrap();
    let headers = raw.headers;
    assert_eq!(
        headers
            .get(feedloom_cluster::streams::DEAD_REASON_HEADER)
            .map(|v| v.as_str()),
        Some("parse failed:  bad xml")
    );
    assert_eq!(raw.subject.as_str(), format!("{name}.dead.items.new"));
    assert_eq!(dead.info().await.unwrap().state.messages, 1);
}

#[tokio::test]
async fn bad_stream_specs_are_config_errors() {
    let name = common::unique_name("stb");
    let cluster = node(&name, "a", 8, 2_000).await;
    let spec = StreamSpec {
        name: "bad.name".to_string(),
        subjects: vec!["x".to_string()],
        retention: Retention::Limits,
        duplicate_window: Duration::from_secs(1),
        max_age: None,
    };
    let err = cluster.streams().ensure_stream(&spec).await.unwrap_err();
    assert!(err.to_string().contains("bad.name"), "{err}");
}
