//! The feed corpus: small feeds written from the specifications (RSS 0.90–0.94, 1.0 and 2.0,
//! the Atom 0.3 draft and RFC 4287, JSON Feed 1.0 and 1.1, Dublin Core, Media RSS, iTunes)
//! and from the faults of real feeds (charsets, entities, double-encoded UTF-8), one file
//! per case in `tests/corpus/`, each with `<case>.expected.json`:
//!
//! ```json
//! { "error": "text the parse error contains", "http_error": "the feed source's, when other" }
//! { "skipped": 1, "content_type": "served with this Content-Type over HTTP",
//!   "feed": { "title": "...", "link": "...", "url": "{FEED}" },
//!   "items": [ { "id": "...", "title": "...", "text_contains": ["..."], "absent": ["image"] } ] }
//! ```
//! Every item is listed, in order; only the fields named are compared (with `{FEED}` the
//! feed's URL and `{ORIGIN}` its scheme, host and port). Each case is read three ways: by
//! the parser the two sources share, by the `file` source, and by the `feed` source over
//! HTTP on 127.0.0.1.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use feedloom_core::{BuildContext, Item, MemoryStore, Registry, SourceContext};
use feedloom_sources::parse::parse_feed_doc;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Every case: (file name, document, expectations).
fn cases() -> Vec<(String, Vec<u8>, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".expected.json") {
            continue;
        }
        let stem = name.rsplit_once('.').unwrap().0.to_string();
        let exp_path = corpus_dir().join(format!("{stem}.expected.json"));
        let exp: Value = serde_json::from_str(
            &std::fs::read_to_string(&exp_path)
                .unwrap_or_else(|_| panic!("{name}: no {stem}.expected.json")),
        )
        .unwrap_or_else(|e| panic!("{stem}.expected.json: {e}"));
        out.push((name, std::fs::read(&p).unwrap(), exp));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 30, "only {} cases", out.len());
    out
}

fn substitute(v: &Value, feed: &str, origin: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace("{FEED}", feed).replace("{ORIGIN}", origin)),
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, feed, origin)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), substitute(x, feed, origin)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The differences between what a case expects and the items read (empty when none).
fn check(
    name: &str,
    got: Result<(Vec<Item>, Option<usize>), String>,
    exp: &Value,
    feed: &str,
    origin: &str,
) -> Vec<String> {
    let exp = substitute(exp, feed, origin);
    let mut bad = Vec::new();
    let (items, skipped) = match (got, exp.get("error")) {
        (Err(e), Some(want)) => {
            let want = want.as_str().unwrap();
            if !e.contains(want) {
                bad.push(format!("{name}: error {e:?} does not contain {want:?}"));
            }
            return bad;
        }
        (Err(e), None) => return vec![format!("{name}: unexpected error {e}")],
        (Ok((items, _)), Some(want)) => {
            return vec![format!(
                "{name}: expected an error ({want}), got {} items",
                items.len()
            )];
        }
        (Ok(x), None) => x,
    };
    if let (Some(want), Some(got)) = (exp.get("skipped"), skipped)
        && want.as_u64() != Some(got as u64)
    {
        bad.push(format!("{name}: skipped {got}, expected {want}"));
    }
    let want_items = exp["items"].as_array().cloned().unwrap_or_default();
    if want_items.len() != items.len() {
        bad.push(format!(
            "{name}: {} items, expected {}: {:?}",
            items.len(),
            want_items.len(),
            items.iter().map(|i| (&i.id, &i.title)).collect::<Vec<_>>()
        ));
        return bad;
    }
    for (k, (want, it)) in want_items.iter().zip(&items).enumerate() {
        let got = it.to_json();
        if let Some(f) = exp.get("feed")
            && got.get("feed") != Some(f)
        {
            bad.push(format!(
                "{name}[{k}].feed: {:?}, expected {f}",
                got.get("feed")
            ));
        }
        for (key, w) in want.as_object().unwrap() {
            match key.as_str() {
                "text_contains" => {
                    for t in w.as_array().unwrap() {
                        let t = t.as_str().unwrap();
                        if !it.text.contains(t) {
                            bad.push(format!("{name}[{k}].text {:?} lacks {t:?}", it.text));
                        }
                    }
                }
                "absent" => {
                    for f in w.as_array().unwrap() {
                        let f = f.as_str().unwrap();
                        if got.get(f).is_some_and(|v| !v.is_null()) {
                            bad.push(format!("{name}[{k}].{f} present: {}", got[f]));
                        }
                    }
                }
                _ => {
                    if got.get(key) != Some(w) {
                        bad.push(format!(
                            "{name}[{k}].{key}: {}, expected {w}",
                            got.get(key).map_or("absent".into(), |g| g.to_string())
                        ));
                    }
                }
            }
        }
    }
    bad
}

#[test]
fn corpus_through_the_shared_parser() {
    let mut bad = Vec::new();
    let mut n = 0;
    for (name, bytes, exp) in cases() {
        let feed = format!("http://example.com/feeds/{name}");
        let got = parse_feed_doc(&bytes, Some(&feed), "corpus")
            .map(|p| (p.items, Some(p.skipped)))
            .map_err(|e| e.message);
        bad.extend(check(&name, got, &exp, &feed, "http://example.com"));
        n += 1;
    }
    assert!(
        bad.is_empty(),
        "{} of {n} cases differ:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[tokio::test]
async fn corpus_through_the_file_source() {
    let mut bad = Vec::new();
    for (name, bytes, exp) in cases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let mut reg = Registry::new();
        feedloom_sources::register(&mut reg);
        let src =
            (reg.source("file").unwrap().build)(&serde_json::json!({"path": "*"}), &ctx).unwrap();
        let got = src
            .poll(&SourceContext {
                source_id: "corpus",
                delivered: &|_: &str| false,
            })
            .await
            .map(|b| (b.items, None))
            .map_err(|e| e.message);
        let feed = format!("file://{}", std::fs::canonicalize(&path).unwrap().display());
        // The file source reports a file it cannot read as "could not be read" (the
        // reason is in its log): an expected error is any error here.
        let exp = match exp.get("error") {
            Some(_) => serde_json::json!({"error": ""}),
            None => exp,
        };
        bad.extend(check(&name, got, &exp, &feed, "file://"));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[tokio::test]
async fn corpus_through_the_feed_source_over_http() {
    let cases = Arc::new(cases());
    let served = cases.clone();
    let app = axum::Router::new().route(
        "/corpus/{name}",
        axum::routing::get(
            move |axum::extract::Path(name): axum::extract::Path<String>| {
                let served = served.clone();
                async move {
                    let (_, bytes, exp) = served.iter().find(|c| c.0 == name).unwrap();
                    let ct = exp
                        .get("content_type")
                        .and_then(Value::as_str)
                        .unwrap_or(if name.ends_with(".json") {
                            "application/feed+json"
                        } else {
                            "application/xml"
                        })
                        .to_string();
                    ([(header::CONTENT_TYPE, ct)], bytes.clone()).into_response()
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let mut bad = Vec::new();
    for (name, _, exp) in cases.iter() {
        let url = format!("{origin}/corpus/{name}");
        let mut ctx = BuildContext::for_tests(Path::new("."));
        ctx.state = Arc::new(MemoryStore::new());
        let mut reg = Registry::new();
        feedloom_sources::register(&mut reg);
        let src =
            (reg.source("feed").unwrap().build)(&serde_json::json!({ "url": url }), &ctx).unwrap();
        let got = src
            .poll(&SourceContext {
                source_id: "corpus",
                delivered: &|_: &str| false,
            })
            .await
            .map(|b| (b.items, None))
            .map_err(|e| e.message);
        // The feed source searches an HTML page for its feed first: its own error.
        let exp = match exp.get("http_error") {
            Some(e) => serde_json::json!({ "error": e }),
            None => exp.clone(),
        };
        bad.extend(check(name, got, &exp, &url, &origin));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Every prefix of every case (a cut connection) and every case with bytes replaced by
/// markup characters or invalid UTF-8: the parser answers (items or an error), never
/// panics (caught, it would say "internal error") and never takes long.
#[test]
fn corpus_cut_and_corrupted_never_crashes() {
    let started = std::time::Instant::now();
    let mut n = 0;
    for (name, bytes, _) in cases() {
        let mut docs: Vec<Vec<u8>> = (0..bytes.len())
            .step_by(13)
            .map(|i| bytes[..i].to_vec())
            .collect();
        for (k, with) in [b'<', b'&', 0xff, b'"', b'>', b';'].into_iter().enumerate() {
            for i in (k..bytes.len()).step_by(23) {
                let mut d = bytes.clone();
                d[i] = with;
                docs.push(d);
            }
        }
        for d in docs {
            n += 1;
            if let Err(e) = parse_feed_doc(&d, Some("http://example.com/f"), "fuzz") {
                assert!(
                    !e.message.contains("internal error"),
                    "{name}: {e} on {:?}",
                    String::from_utf8_lossy(&d)
                );
            }
        }
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(120),
        "{n} documents took {:?}",
        started.elapsed()
    );
}
