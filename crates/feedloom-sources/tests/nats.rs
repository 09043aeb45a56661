//! The `nats` source against the machine's nats-server (127.0.0.1:4222, JetStream on;
//! `.ci/run` starts one when it does not answer). Every test works on a stream of its own,
//! deleted at the end.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use feedloom_core::{
    BuildContext, Item, MemoryStore, PollBatch, Sink, Source, SourceContext, SourceErrorKind,
    StateStore,
};
use feedloom_sources::nats::NatsSource;

const SERVER: &str = "nats://127.0.0.1:4222";

fn unique(tag: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "fl{tag}{}x{}x{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// A stream capturing `NAME.>`, deleted when dropped.
struct TestStream {
    name: String,
    js: jetstream::Context,
}

impl TestStream {
    async fn new(tag: &str) -> TestStream {
        let name = unique(tag);
        let client = async_nats::connect(SERVER).await.unwrap();
        let js = jetstream::new(client);
        js.create_stream(jetstream::stream::Config {
            name: name.clone(),
            subjects: vec![format!("{name}.>")],
            ..Default::default()
        })
        .await
        .unwrap();
        TestStream { name, js }
    }

    async fn publish(&self, subject: &str, headers: &[(&str, &str)], body: &[u8]) {
        let mut h = async_nats::HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, *v);
        }
        self.js
            .publish_with_headers(format!("{}.{subject}", self.name), h, body.to_vec().into())
            .await
            .unwrap()
            .await
            .unwrap();
    }

    /// Messages delivered to `consumer` and not acknowledged, once the count settles at
    /// `want` (acknowledgements are processed by the server asynchronously).
    async fn ack_pending(&self, consumer: &str, want: usize) -> usize {
        let stream = self.js.get_stream(&self.name).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let n = stream
                .consumer_info(consumer)
                .await
                .unwrap()
                .num_ack_pending;
            if n == want || Instant::now() > deadline {
                return n;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for TestStream {
    fn drop(&mut self) {
        // A client of its own: the test's runtime (which drives `self.js`) is blocked here.
        let name = self.name.clone();
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    if let Ok(c) = async_nats::connect(SERVER).await {
                        let _ = jetstream::new(c).delete_stream(&name).await;
                    }
                })
        })
        .join()
        .unwrap();
    }
}

/// A source with id `src` over a store the test can look into.
fn source(o: serde_json::Value) -> (NatsSource, Arc<MemoryStore>) {
    source_with(o, Arc::new(MemoryStore::new()))
}

fn source_with(o: serde_json::Value, store: Arc<MemoryStore>) -> (NatsSource, Arc<MemoryStore>) {
    let mut ctx = BuildContext::for_tests(&std::env::temp_dir());
    ctx.id = "src".into();
    ctx.state = store.clone();
    let s = NatsSource::build(serde_json::from_value(o).unwrap(), &ctx).unwrap();
    (s, store)
}

async fn poll(s: &NatsSource) -> PollBatch {
    let delivered = |_: &str| false;
    let ctx = SourceContext {
        source_id: "src",
        delivered: &delivered,
    };
    s.poll(&ctx).await.unwrap()
}

fn rich_item(i: usize) -> Item {
    let mut it = Item::new(format!("https://example.org/{i}"), "feed-a");
    it.title = Some(format!("Title {i}"));
    it.url = Some(format!("https://example.org/{i}"));
    it.text = format!("Body of article {i}.");
    it.summary = Some("Summary".into());
    it.authors = vec!["A. Writer".into()];
    it.categories = vec!["world".into()];
    it.language = Some("en".into());
    it.published = Some(chrono::Utc::now() - chrono::Duration::hours(1));
    it.tags = Some(vec!["t1".into()]);
    it
}

#[tokio::test]
async fn reads_back_what_the_sink_published() {
    let st = TestStream::new("rt").await;
    let ctx = BuildContext::for_tests(&std::env::temp_dir());
    let sink = feedloom_sinks::nats::NatsSink::build(
        serde_json::from_value(serde_json::json!({
            "url": SERVER, "subject": format!("{}.items.{{source}}", st.name),
        }))
        .unwrap(),
        &ctx,
    )
    .unwrap();
    let sent: Vec<Item> = (0..3).map(rich_item).collect();
    sink.send(&sent).await.unwrap();
    let (s, _) = source(serde_json::json!({
        "url": SERVER, "stream": st.name, "subject": format!("{}.items.>", st.name),
    }));
    let got = poll(&s).await;
    assert_eq!(got.items.len(), 3);
    assert_eq!(got.skipped, 0);
    assert!(got.bytes > 0);
    assert_eq!(got.commit.len(), 1);
    for (g, want) in got.items.iter().zip(&sent) {
        let mut want = want.clone();
        want.source = "src".into();
        assert_eq!(g, &want);
    }
    // The default consumer name, created with the filter.
    let stream = st.js.get_stream(&st.name).await.unwrap();
    let info = stream.consumer_info("feedloom_src").await.unwrap();
    assert_eq!(info.config.filter_subject, format!("{}.items.>", st.name));
    assert_eq!(info.config.ack_wait, Duration::from_secs(300));
}

#[tokio::test]
async fn text_payloads_take_id_title_and_link_from_headers() {
    let st = TestStream::new("tx").await;
    st.publish(
        "a",
        &[
            ("Nats-Msg-Id", "m-1"),
            ("Title", "Hello"),
            ("Link", "https://example.org/h"),
        ],
        b"The body.",
    )
    .await;
    st.publish("b", &[], b"Another body.").await;
    let (s, _) = source(serde_json::json!({
        "url": SERVER, "stream": st.name, "payload": "text", "consumer": "texts",
    }));
    let got = poll(&s).await;
    assert_eq!(got.items.len(), 2);
    let a = &got.items[0];
    assert_eq!(a.id, "m-1");
    assert_eq!(a.title.as_deref(), Some("Hello"));
    assert_eq!(a.url.as_deref(), Some("https://example.org/h"));
    assert_eq!(a.text, "The body.");
    let b = &got.items[1];
    assert!(b.id.starts_with("sha256:"), "{}", b.id);
    assert_eq!(b.title, None);
    assert_eq!(b.text, "Another body.");
}

#[tokio::test]
async fn malformed_messages_are_skipped_counted_and_acked() {
    let st = TestStream::new("mf").await;
    st.publish("x", &[], b"not json").await;
    st.publish("x", &[], &serde_json::to_vec(&rich_item(1)).unwrap())
        .await;
    st.publish("x", &[], b"{\"id\": 5}").await;
    let (s, _) = source(serde_json::json!({"url": SERVER, "stream": st.name}));
    let got = poll(&s).await;
    assert_eq!(got.items.len(), 1);
    assert_eq!(got.skipped, 2);
    // Only the good one waits for its receipt.
    assert_eq!(st.ack_pending("feedloom_src", 1).await, 1);
}

#[tokio::test]
async fn messages_are_acked_only_after_their_poll_is_committed() {
    let st = TestStream::new("ak").await;
    for i in 0..4 {
        st.publish("x", &[], &serde_json::to_vec(&rich_item(i)).unwrap())
            .await;
    }
    let (s, store) = source(serde_json::json!({"url": SERVER, "stream": st.name, "batch": 3}));
    let first = poll(&s).await;
    assert_eq!(first.items.len(), 3);
    // Not committed (the items are still on their way): nothing is acknowledged.
    let second = poll(&s).await;
    assert_eq!(second.items.len(), 1);
    assert_eq!(st.ack_pending("feedloom_src", 4).await, 4);
    let third = poll(&s).await;
    assert!(third.items.is_empty() && third.commit.is_empty());
    assert_eq!(st.ack_pending("feedloom_src", 4).await, 4);
    // The first poll's items were delivered: the runtime writes its commit.
    store.apply(first.commit).unwrap();
    poll(&s).await;
    assert_eq!(st.ack_pending("feedloom_src", 1).await, 1);
    // The receipt is used once.
    assert!(store.list("nats_source_acks", "").unwrap().is_empty());
    store.apply(second.commit).unwrap();
    poll(&s).await;
    assert_eq!(st.ack_pending("feedloom_src", 0).await, 0);
    // A new instance (a restart) takes nothing more: everything was acknowledged.
    let (again, _) = source(serde_json::json!({"url": SERVER, "stream": st.name}));
    assert!(poll(&again).await.items.is_empty());
}

/// The last poll before a shutdown (every poll of `feedloom once`) is acknowledged by the
/// next process's first poll, from the receipt in the state store.
#[tokio::test]
async fn a_later_process_acknowledges_an_earlier_ones_last_poll() {
    let st = TestStream::new("lp").await;
    for i in 0..2 {
        st.publish("x", &[], &serde_json::to_vec(&rich_item(i)).unwrap())
            .await;
    }
    let o = serde_json::json!({"url": SERVER, "stream": st.name});
    let (first, store) = source(o.clone());
    let got = poll(&first).await;
    assert_eq!(got.items.len(), 2);
    store.apply(got.commit).unwrap();
    drop(first);
    assert_eq!(st.ack_pending("feedloom_src", 2).await, 2);
    let (second, _) = source_with(o, store.clone());
    assert!(poll(&second).await.items.is_empty());
    assert_eq!(st.ack_pending("feedloom_src", 0).await, 0);
    assert!(store.list("nats_source_acks", "").unwrap().is_empty());
}

#[tokio::test]
async fn a_missing_stream_is_a_clear_error_and_is_never_created() {
    let name = unique("ms");
    let (s, _) = source(serde_json::json!({"url": SERVER, "stream": name}));
    let delivered = |_: &str| false;
    let ctx = SourceContext {
        source_id: "src",
        delivered: &delivered,
    };
    let e = s.poll(&ctx).await.unwrap_err();
    assert!(
        e.message.contains(&format!("no JetStream stream `{name}`")),
        "{e}"
    );
    let js = jetstream::new(async_nats::connect(SERVER).await.unwrap());
    assert!(js.get_stream(&name).await.is_err());
}

#[tokio::test]
async fn an_unreachable_server_is_a_connect_error_quickly() {
    let (s, _) = source(serde_json::json!({
        "url": "nats://127.0.0.1:1", "stream": "S", "connect_timeout": "500ms",
        "token": "sekrit",
    }));
    let delivered = |_: &str| false;
    let ctx = SourceContext {
        source_id: "src",
        delivered: &delivered,
    };
    let t = Instant::now();
    let e = s.poll(&ctx).await.unwrap_err();
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(e.kind, SourceErrorKind::Connect, "{e}");
    assert!(!e.message.contains("sekrit"));
    assert!(!format!("{s:?}").contains("sekrit"));
}

#[test]
fn build_checks_options_without_connecting() {
    let ctx = BuildContext::for_tests(&std::env::temp_dir());
    let at = |o: serde_json::Value| {
        NatsSource::build(serde_json::from_value(o).unwrap(), &ctx)
            .map(|_| ())
            .unwrap_err()
            .path
    };
    assert_eq!(at(serde_json::json!({"stream": "a.b"})), "stream");
    assert_eq!(
        at(serde_json::json!({"stream": "S", "consumer": "c d"})),
        "consumer"
    );
    assert_eq!(at(serde_json::json!({"stream": "S", "batch": 0})), "batch");
    assert_eq!(
        at(serde_json::json!({"stream": "S", "subject": "a..b"})),
        "subject"
    );
    assert_eq!(
        at(serde_json::json!({"stream": "S", "ack_wait": "10ms"})),
        "ack_wait"
    );
    let s = NatsSource::build(
        serde_json::from_value(serde_json::json!({"stream": "S", "url": "nats://127.0.0.1:1"}))
            .unwrap(),
        &ctx,
    )
    .unwrap();
    assert_eq!(s.interval(), Some(Duration::from_secs(1)));
}

/// `docs/nats.md`'s table of the source's options (`source option` column: the docs test
/// keys tables by `type:` name, which the sink shares) names every option with its default.
#[test]
fn the_docs_table_of_the_source_matches_its_options() {
    let schema = serde_json::to_value(schemars::schema_for!(
        feedloom_sources::nats::NatsSourceOptions
    ))
    .unwrap();
    let props = schema["properties"].as_object().unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/nats.md"),
    )
    .unwrap();
    let rows: Vec<Vec<String>> = doc
        .lines()
        .skip_while(|l| !l.starts_with("| source option |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert!(!rows.is_empty(), "no `source option` table in docs/nats.md");
    let mut named = Vec::new();
    for r in &rows {
        let (name, default) = (r[0].trim_matches('`'), r[1].as_str());
        named.push(name.to_string());
        let p = props
            .get(name)
            .unwrap_or_else(|| panic!("`{name}` is no option"));
        if default == "(required)" {
            assert!(required.contains(&name), "{name} is optional");
            continue;
        }
        let single = default
            .strip_prefix('`')
            .and_then(|d| d.strip_suffix('`'))
            .filter(|d| !d.contains('`'));
        match (single, p.get("default").filter(|d| !d.is_null())) {
            (Some(d), Some(want)) => {
                let same = match want {
                    serde_json::Value::String(w) => w == d,
                    other => {
                        serde_json::from_str::<serde_json::Value>(d).ok().as_ref() == Some(other)
                    }
                };
                assert!(same, "{name}: the table says {d}, the schema {want}");
            }
            (None, None) => {}
            (t, s) => panic!("{name}: the table says {t:?}, the schema {s:?}"),
        }
    }
    let mut all: Vec<String> = props.keys().cloned().collect();
    all.sort();
    named.sort();
    assert_eq!(named, all);
}
