//! `type: feed` through the real binary: a healthy feed among broken ones, each failure
//! logged once with its source id and reason, `${ENV}` in headers, and the 304 path after
//! a restart. The feeds are served by axum on 127.0.0.1.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use common::*;

type Seen = Arc<Mutex<Vec<(String, HeaderMap)>>>;

const ETAG: &str = "\"h1\"";

fn healthy_rss() -> String {
    // Dated now: items older than the dedup retention are skipped.
    let now = chrono::Utc::now().to_rfc2822();
    let items: String = (0..3)
        .map(|i| {
            format!(
                "<item><guid>h-{i}</guid><title>Story {i}</title><link>/s/{i}</link><pubDate>{now}</pubDate><description>Body {i}</description></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>H</title>{items}</channel></rss>"#
    )
}

/// Serve the feeds on 127.0.0.1; returns the base URL and the requests seen.
fn serve() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let log = log.clone();
        async move {
            let path = req.uri().path().to_string();
            let h = req.headers().clone();
            log.lock().unwrap().push((path.clone(), h.clone()));
            let rss = |body: String| -> Response {
                ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
            };
            match path.as_str() {
                "/healthy" => {
                    if h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(ETAG) {
                        return StatusCode::NOT_MODIFIED.into_response();
                    }
                    (
                        [
                            (header::CONTENT_TYPE, "application/rss+xml"),
                            (header::ETAG, ETAG),
                        ],
                        healthy_rss(),
                    )
                        .into_response()
                }
                "/e500" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
                "/malformed" => rss("<rss version=\"2.0\"><channel><item><title>x</ti".into()),
                "/empty" => rss(String::new()),
                "/html" => (
                    [(header::CONTENT_TYPE, "text/html")],
                    "<!doctype html><html><body>My homepage</body></html>",
                )
                    .into_response(),
                _ => StatusCode::NOT_FOUND.into_response(),
            }
        }
    });
    (format!("http://{}", serve_http(app)), seen)
}

fn once(cfg: &std::path::Path) -> std::process::Output {
    std::process::Command::new(bin())
        .args(["once", "-c", cfg.to_str().unwrap()])
        .env_remove("RUST_LOG")
        .env("FEED_TOKEN", "t0ken-from-env")
        .output()
        .expect("run feedloom")
}

#[test]
fn broken_feeds_are_named_in_the_log_and_the_healthy_one_still_comes_through() {
    let (base, seen) = serve();
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}/feed")
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let cfg = write_config(
        dir.path(),
        &format!(
            r#"state_dir: state
defaults:
  timeout: 5s
sources:
  - id: healthy
    type: feed
    url: {base}/healthy
    headers: {{ X-Token: "${{FEED_TOKEN}}" }}
  - id: broken-500
    type: feed
    url: {base}/e500
  - id: broken-xml
    type: feed
    url: {base}/malformed
  - id: empty-body
    type: feed
    url: {base}/empty
  - id: homepage
    type: feed
    url: {base}/html
  - id: nobody-home
    type: feed
    url: {refused}
sinks:
  - id: out
    type: jsonl
    path: {}
"#,
            out.display()
        ),
    );
    let o = once(&cfg);
    let err = stderr(&o);
    // The broken feeds make `once` exit 1, naming how many polls failed.
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("poll(s) failed"), "{err}");
    let items = read_jsonl(&out);
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}\n{err}");
    assert!(items.iter().all(|i| i["source"] == "healthy"));
    assert_eq!(
        items[0]["url"].as_str().map(|u| u.starts_with(&base)),
        Some(true)
    );

    // One line per failing source, naming it and saying why.
    for (id, reason) in [
        ("broken-500", "HTTP 500"),
        ("broken-xml", "not a feed"),
        ("empty-body", "empty body"),
        ("homepage", "an HTML page, not a feed"),
        ("nobody-home", "Connection refused"),
    ] {
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.contains(&format!("source={id} ")))
            .collect();
        assert_eq!(lines.len(), 1, "{id}: {lines:?}\n{err}");
        assert!(
            lines[0].contains("WARN") && lines[0].contains(reason),
            "{id}: {}",
            lines[0]
        );
    }
    // The healthy source says only how its poll went: one info line, no warning.
    let healthy: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("source=healthy "))
        .collect();
    assert_eq!(healthy.len(), 1, "{err}");
    assert!(
        healthy[0].contains("INFO")
            && healthy[0].contains("polled")
            && healthy[0].contains("new=3"),
        "{}",
        healthy[0]
    );

    // `${FEED_TOKEN}` reached the server.
    let first = seen
        .lock()
        .unwrap()
        .iter()
        .find(|(p, _)| p == "/healthy")
        .cloned()
        .unwrap();
    assert_eq!(first.1["x-token"], "t0ken-from-env");

    // A restart: the healthy feed is asked conditionally, answers 304, nothing new (the
    // broken ones fail again: exit 1).
    let o = once(&cfg);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(read_jsonl(&out).len(), 3);
    let last = seen
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|(p, _)| p == "/healthy")
        .cloned()
        .unwrap();
    assert_eq!(last.1[header::IF_NONE_MATCH], ETAG);
}
