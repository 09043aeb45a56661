//! The `nats` sink and source end to end: the real binary against the machine's nats-server
//! (127.0.0.1:4222, JetStream on; `.ci/run` starts it when it does not answer). One config
//! reads text files into a stream through the `nats` sink; a second reads that stream
//! through the `nats` source into a JSON Lines file. The test's stream is deleted at the end.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use async_nats::jetstream;
use common::*;

const SERVER: &str = "nats://127.0.0.1:4222";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A stream of its own capturing `NAME.>`, deleted when dropped.
struct TestStream {
    name: String,
}

impl TestStream {
    fn new() -> TestStream {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("fle2e{}x{nanos}", std::process::id());
        rt().block_on(async {
            let js = jetstream::new(async_nats::connect(SERVER).await.unwrap());
            js.create_stream(jetstream::stream::Config {
                name: name.clone(),
                subjects: vec![format!("{name}.>")],
                duplicate_window: Duration::from_secs(600),
                ..Default::default()
            })
            .await
            .unwrap();
        });
        TestStream { name }
    }

    fn messages(&self) -> u64 {
        rt().block_on(async {
            let js = jetstream::new(async_nats::connect(SERVER).await.unwrap());
            let mut s = js.get_stream(&self.name).await.unwrap();
            s.info().await.unwrap().state.messages
        })
    }

    /// The stream's messages, as JSON.
    fn bodies(&self) -> Vec<serde_json::Value> {
        rt().block_on(async {
            let js = jetstream::new(async_nats::connect(SERVER).await.unwrap());
            let mut s = js.get_stream(&self.name).await.unwrap();
            let n = s.info().await.unwrap().state.messages;
            let mut out = Vec::new();
            for seq in 1..=n {
                let m = s.get_raw_message(seq).await.unwrap();
                out.push(serde_json::from_slice(&m.payload).unwrap());
            }
            out
        })
    }

    fn ack_pending(&self, consumer: &str) -> usize {
        rt().block_on(async {
            let js = jetstream::new(async_nats::connect(SERVER).await.unwrap());
            let s = js.get_stream(&self.name).await.unwrap();
            for _ in 0..60 {
                let n = s.consumer_info(consumer).await.unwrap().num_ack_pending;
                if n == 0 {
                    return 0;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            s.consumer_info(consumer).await.unwrap().num_ack_pending
        })
    }
}

impl Drop for TestStream {
    fn drop(&mut self) {
        rt().block_on(async {
            if let Ok(c) = async_nats::connect(SERVER).await {
                let _ = jetstream::new(c).delete_stream(&self.name).await;
            }
        });
    }
}

#[test]
fn files_through_a_stream_into_jsonl_arrive_once_with_their_fields() {
    let st = TestStream::new();
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 5);
    let into = dir.path().join("into");
    std::fs::create_dir_all(&into).unwrap();
    let produce = write_config(
        &into,
        &format!(
            "state_dir: st\n\
             sources:\n  - {{id: in, type: file, path: ../in/*.txt}}\n\
             sinks:\n  - id: bus\n    type: nats\n    url: {SERVER}\n    subject: \"{}.items.{{source}}\"\n    batch_size: 3\n    batch_timeout: 50ms\n",
            st.name
        ),
    );
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let consume = write_config(
        &out,
        &format!(
            "state_dir: st\n\
             sources:\n  - {{id: bus, type: nats, url: {SERVER}, stream: {}, subject: \"{}.items.>\"}}\n\
             sinks:\n  - {{id: file, type: jsonl, path: items.jsonl, fsync: always}}\n",
            st.name, st.name
        ),
    );

    let o = feedloom(&["once", "-c", produce.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(st.messages(), 5);

    let o = feedloom(&["once", "-c", consume.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = read_jsonl(&out.join("items.jsonl"));
    assert_eq!(lines.len(), 5, "{lines:?}");
    let ids: BTreeSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 5, "every item once");
    let titles: BTreeSet<String> = lines
        .iter()
        .map(|l| l["title"].as_str().unwrap().to_string())
        .collect();
    let want: BTreeSet<String> = (0..5).map(|i| format!("Article number {i}")).collect();
    assert_eq!(titles, want);
    for l in &lines {
        assert_eq!(l["source"], "bus", "the reading source's id");
        let text = l["text"].as_str().unwrap();
        assert!(
            text.contains("Kazakhstan and China signed agreement"),
            "{text}"
        );
    }
    // Every field as published, but the source id.
    let mut published = st.bodies();
    assert!(published.iter().all(|b| b["source"] == "in"));
    let key = |v: &serde_json::Value| v["id"].as_str().unwrap().to_string();
    let mut read = lines.clone();
    for v in published.iter_mut().chain(read.iter_mut()) {
        v.as_object_mut().unwrap().remove("source");
    }
    published.sort_by_key(key);
    read.sort_by_key(key);
    assert_eq!(read, published);

    // Again, both: nothing new anywhere; the second read acknowledges the first one's
    // messages from its receipts.
    let o = feedloom(&["once", "-c", produce.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(st.messages(), 5);
    let o = feedloom(&["once", "-c", consume.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_jsonl(&out.join("items.jsonl")).len(), 5);
    assert_eq!(st.ack_pending("feedloom_bus"), 0);
}
