//! The `nats` sink against the machine's nats-server (127.0.0.1:4222, JetStream on;
//! `.ci/run` starts one when it does not answer). Every test works on a stream and subjects
//! of its own, deleted at the end.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use feedloom_core::{BuildContext, Item, Sink};
use feedloom_sinks::nats::{NatsSink, msg_id};

const SERVER: &str = "nats://127.0.0.1:4222";

/// A unique name prefix for one test.
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

/// A stream capturing `PREFIX.>`, deleted when dropped.
struct TestStream {
    name: String,
    prefix: String,
    js: jetstream::Context,
}

impl TestStream {
    async fn new(tag: &str) -> TestStream {
        let name = unique(tag);
        let prefix = name.clone();
        let client = async_nats::connect(SERVER).await.unwrap();
        let js = jetstream::new(client);
        js.create_stream(jetstream::stream::Config {
            name: name.clone(),
            subjects: vec![format!("{prefix}.>")],
            duplicate_window: Duration::from_secs(120),
            ..Default::default()
        })
        .await
        .unwrap();
        TestStream { name, prefix, js }
    }

    async fn messages(&self) -> Vec<jetstream::message::StreamMessage> {
        let mut s = self.js.get_stream(&self.name).await.unwrap();
        let n = s.info().await.unwrap().state.messages;
        let mut out = Vec::new();
        for seq in 1..=n {
            out.push(s.get_raw_message(seq).await.unwrap());
        }
        out
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

fn sink(o: serde_json::Value) -> NatsSink {
    let ctx = BuildContext::for_tests(&std::env::temp_dir());
    NatsSink::build(serde_json::from_value(o).unwrap(), &ctx).unwrap()
}

fn items(source: &str, n: usize) -> Vec<Item> {
    (0..n)
        .map(|i| {
            let mut it = Item::new(format!("item-{i}"), source);
            it.title = Some(format!("Title {i}"));
            it.text = format!("Body {i}");
            it
        })
        .collect()
}

#[tokio::test]
async fn jetstream_batch_is_stored_once_with_message_ids() {
    let st = TestStream::new("sb").await;
    let s = sink(serde_json::json!({
        "url": SERVER, "subject": format!("{}.items", st.prefix), "batch_size": 10,
        "headers": {"X-Origin": "feedloom"},
    }));
    let batch = items("wire", 5);
    s.send(&batch).await.unwrap();
    let got = st.messages().await;
    assert_eq!(got.len(), 5);
    for (m, it) in got.iter().zip(&batch) {
        assert_eq!(m.subject.as_str(), format!("{}.items", st.prefix));
        assert_eq!(
            m.headers.get("Nats-Msg-Id").unwrap().as_str(),
            msg_id("wire", &it.id)
        );
        assert_eq!(m.headers.get("X-Origin").unwrap().as_str(), "feedloom");
        let back: Item = serde_json::from_slice(&m.payload).unwrap();
        assert_eq!(back.id, it.id);
        assert_eq!(back.title, it.title);
        assert_eq!(back.text, it.text);
    }
    // The same batch again (a retry): the duplicate window drops every message.
    s.send(&batch).await.unwrap();
    assert_eq!(st.messages().await.len(), 5);
}

#[tokio::test]
async fn source_in_the_subject_is_made_subject_safe() {
    let st = TestStream::new("ss").await;
    let s = sink(serde_json::json!({
        "url": SERVER, "subject": format!("{}.{{source}}.new", st.prefix),
    }));
    s.send(&items("bbc world.uk", 1)).await.unwrap();
    s.send(&items("plain-id_2", 1)).await.unwrap();
    let subjects: Vec<String> = st
        .messages()
        .await
        .iter()
        .map(|m| m.subject.to_string())
        .collect();
    assert_eq!(
        subjects,
        [
            format!("{}.bbc_world_uk.new", st.prefix),
            format!("{}.plain-id_2.new", st.prefix)
        ]
    );
}

#[tokio::test]
async fn core_mode_publishes_to_subscribers() {
    use futures_util::StreamExt;
    let subject = format!("{}.core", unique("sc"));
    let client = async_nats::connect(SERVER).await.unwrap();
    let mut sub = client.subscribe(subject.clone()).await.unwrap();
    client.flush().await.unwrap();
    let s = sink(serde_json::json!({"url": SERVER, "subject": subject, "mode": "core"}));
    s.send(&items("c", 3)).await.unwrap();
    for i in 0..3 {
        let m = tokio::time::timeout(Duration::from_secs(5), sub.next())
            .await
            .unwrap()
            .unwrap();
        let back: Item = serde_json::from_slice(&m.payload).unwrap();
        assert_eq!(back.id, format!("item-{i}"));
        assert!(m.headers.is_none_or(|h| h.get("Nats-Msg-Id").is_none()));
    }
}

#[tokio::test]
async fn unreachable_server_is_retryable_and_quick() {
    let s = sink(serde_json::json!({
        "url": "nats://user:hunter2@127.0.0.1:1", "subject": "x.y", "connect_timeout": "500ms",
    }));
    let t = Instant::now();
    let e = s.send(&items("u", 1)).await.unwrap_err();
    assert!(e.retryable, "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(e.message.contains("127.0.0.1:1"), "{e}");
    assert!(!e.message.contains("hunter2"), "{e}");
}

#[tokio::test]
async fn no_stream_for_the_subject_is_retryable_and_says_so() {
    let subject = format!("{}.nowhere", unique("sn"));
    let s = sink(serde_json::json!({"url": SERVER, "subject": subject}));
    let e = s.send(&items("n", 2)).await.unwrap_err();
    assert!(e.retryable, "{e}");
    assert!(
        e.message
            .contains(&format!("no JetStream stream captures subject {subject}")),
        "{e}"
    );
}

#[tokio::test]
async fn a_message_over_max_payload_is_permanent_and_nothing_of_its_batch_is_published() {
    let st = TestStream::new("sp").await;
    for mode in ["jetstream", "core"] {
        let s = sink(serde_json::json!({
            "url": SERVER, "subject": format!("{}.big", st.prefix), "mode": mode,
        }));
        let mut batch = items("p", 2);
        batch[1].text = "x".repeat(8 * 1024 * 1024);
        let e = s.send(&batch).await.unwrap_err();
        assert!(!e.retryable, "{mode}: {e}");
        assert!(e.message.contains("max_payload"), "{e}");
        assert!(e.message.contains("item item-1"), "{e}");
        assert!(st.messages().await.is_empty(), "{mode}: a partial batch");
    }
    // The connection is still good for the next batch.
    let s = sink(serde_json::json!({"url": SERVER, "subject": format!("{}.big", st.prefix)}));
    s.send(&items("p", 1)).await.unwrap();
    assert_eq!(st.messages().await.len(), 1);
}

#[test]
fn build_checks_options_without_connecting() {
    let ctx = BuildContext::for_tests(&std::env::temp_dir());
    let build = |o: serde_json::Value| {
        NatsSink::build(serde_json::from_value(o).unwrap(), &ctx).map(|_| ())
    };
    let at = |o| build(o).unwrap_err().path;
    assert_eq!(at(serde_json::json!({"subject": "a.*"})), "subject");
    assert_eq!(
        at(serde_json::json!({"subject": "a", "batch_size": 0})),
        "batch_size"
    );
    assert_eq!(
        at(serde_json::json!({"subject": "a", "headers": {"Nats-Msg-Id": "x"}})),
        "headers.Nats-Msg-Id"
    );
    assert_eq!(
        at(serde_json::json!({"subject": "a", "url": "::nope"})),
        "url"
    );
    // An unreachable server is no build error: the sink connects on its first send.
    build(serde_json::json!({"subject": "a", "url": "nats://127.0.0.1:1", "token": "t"})).unwrap();
    let s = sink(serde_json::json!({"subject": "a", "password": "pw1", "user": "u"}));
    assert!(!format!("{s:?}").contains("pw1"));
}

/// A nats-server of its own that wants a user and password (or a token), on a free port;
/// stopped when dropped.
struct AuthServer {
    child: std::process::Child,
    port: u16,
}

impl AuthServer {
    fn start(auth: &[&str]) -> AuthServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new("nats-server")
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .args(auth)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server on the PATH (see .ci/run)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nats-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        AuthServer { child, port }
    }
}

impl Drop for AuthServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn user_password_and_token_authenticate_and_never_show() {
    let server = AuthServer::start(&["--user", "feed", "--pass", "s3cret-pw"]);
    let url = format!("nats://127.0.0.1:{}", server.port);
    let o = |password: &str| {
        serde_json::json!({
            "url": url, "subject": "a.b", "mode": "core", "user": "feed", "password": password,
            "connect_timeout": "2s",
        })
    };
    sink(o("s3cret-pw")).send(&items("a", 1)).await.unwrap();
    let e = sink(o("wrong-pw")).send(&items("a", 1)).await.unwrap_err();
    assert!(e.retryable, "{e}");
    assert!(!e.message.contains("wrong-pw"), "{e}");
    drop(server);

    let server = AuthServer::start(&["--auth", "t0ken-value"]);
    let url = format!("nats://127.0.0.1:{}", server.port);
    let o = |token: &str| {
        serde_json::json!({
            "url": url, "subject": "a.b", "mode": "core", "token": token, "connect_timeout": "2s",
        })
    };
    sink(o("t0ken-value")).send(&items("a", 1)).await.unwrap();
    let e = sink(o("other-token"))
        .send(&items("a", 1))
        .await
        .unwrap_err();
    assert!(!e.message.contains("other-token"), "{e}");
}

#[tokio::test]
async fn a_missing_creds_file_is_named_relative_to_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(dir.path());
    let s = NatsSink::build(
        serde_json::from_value(serde_json::json!({
            "url": SERVER, "subject": "a.b", "creds_file": "secrets/feedloom.creds",
        }))
        .unwrap(),
        &ctx,
    )
    .unwrap();
    let e = s.send(&items("c", 1)).await.unwrap_err();
    assert!(e.retryable, "{e}");
    let want = dir.path().join("secrets/feedloom.creds");
    assert!(
        e.message
            .contains(&format!("cannot read creds_file {}", want.display())),
        "{e}"
    );
}
