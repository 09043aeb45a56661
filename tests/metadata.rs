//! What an article says about itself, through the real binary: `feedloom extract URL` on a
//! page served on 127.0.0.1 (its JSON-LD date, authors, headline without the site's name,
//! canonical URL), the private-network guard on that fetch, a plain-text wire story whose
//! dateline dates it, and a `fulltext: true` feed whose pages fill what the feed lacks —
//! with a page that fails leaving its reason on the item and in the counters.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use common::*;

const PAGE: &str = r##"<!doctype html><html lang="en-GB"><head>
<title>Gas exports to rise by a third - Caspian Times</title>
<meta property="og:site_name" content="Caspian Times">
<meta property="og:title" content="Gas exports to rise by a third | Caspian Times">
<link rel="canonical" href="/energy/2025/03/03/gas-exports">
<meta property="og:image" content="/img/lead.jpg">
<meta name="description" content="Kazakhstan will sell more gas to China.">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"NewsArticle","headline":"Gas exports to rise by a third","datePublished":"2025-03-03T10:00:00+06:00",
  "author":[{"@id":"#p1"},{"@type":"Person","name":"Aibek Usenov"}],"articleSection":"Energy"},
 {"@type":"Person","@id":"#p1","name":"Jane Doe"}]}</script>
</head><body><nav><a href="/">Home</a></nav><article><h1>Gas exports to rise by a third</h1>
<p class="byline">By Jane Doe and Aibek Usenov</p>
<p>ASTANA — Kazakhstan said on Monday that it would raise gas exports to China by a third next year, after talks with Beijing last week.</p>
<p>The energy ministry said the extra volumes would flow through the Central Asia–China pipeline from the autumn.</p>
</article><aside><time datetime="2024-01-01">Jan 1, 2024</time> <span class="author">Someone Else</span></aside></body></html>"##;

fn serve() -> String {
    let app = axum::Router::new().fallback(|req: axum::extract::Request| async move {
        let path = req.uri().path().to_string();
        let html = |b: String| ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], b).into_response();
        match path.as_str() {
            "/page" => html(PAGE.to_string()),
            "/feed" => {
                let now = chrono::Utc::now().to_rfc2822();
                let item = |guid: &str, link: &str, date: bool| {
                    let d = if date { format!("<pubDate>{now}</pubDate>") } else { String::new() };
                    format!("<item><guid>{guid}</guid><title>{guid}</title><link>{link}</link>{d}<description>Short teaser.</description></item>")
                };
                let body = format!(
                    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{}{}{}</channel></rss>"#,
                    item("undated", "/page", false),
                    item("dated", "/page", true),
                    item("gone", "/missing", true),
                );
                ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response()
            }
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    });
    format!("http://{}", serve_http(app))
}

#[test]
fn extract_url_reads_the_pages_metadata_behind_the_private_network_guard() {
    let base = serve();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{base}/page");

    // Without leave to fetch private addresses, 127.0.0.1 is refused, with a clear error.
    let o = feedloom(&["extract", &url]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("cannot fetch") && err.contains("private"),
        "{err}"
    );

    let cfg = write_config(
        dir.path(),
        "defaults:\n  fetch_private_networks: true\nextractors:\n  - type: dates\n",
    );
    let o = feedloom(&["extract", "-c", cfg.to_str().unwrap(), &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let item: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(item["title"], "Gas exports to rise by a third");
    assert_eq!(item["published"], "2025-03-03T04:00:00Z");
    assert_eq!(item["published_from"], "page");
    assert_eq!(
        item["authors"],
        serde_json::json!(["Jane Doe", "Aibek Usenov"])
    );
    assert_eq!(item["url"], format!("{base}/energy/2025/03/03/gas-exports"));
    assert_eq!(item["image"], format!("{base}/img/lead.jpg"));
    assert_eq!(item["site_name"], "Caspian Times");
    assert_eq!(item["language"], "en");
    assert_eq!(item["categories"], serde_json::json!(["Energy"]));
    // "on Monday" resolves against the page's own date, not today.
    let dates = item["dates"].as_array().unwrap();
    let monday = dates.iter().find(|d| d["text"] == "on Monday").unwrap();
    assert_eq!(monday["start"], "2025-03-03");
}

#[test]
fn a_wire_storys_dateline_dates_it() {
    let dir = tempfile::tempdir().unwrap();
    let story = dir.path().join("wire.txt");
    std::fs::write(
        &story,
        "Kazakhstan to raise gas exports\n\nALMATY, March 3, 2025 (Reuters) - Kazakhstan said on Monday it would raise gas exports to China by a third next year after talks last week.\n",
    )
    .unwrap();
    let o = feedloom(&["extract", story.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let item: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(item["published"], "2025-03-03T00:00:00Z");
    assert_eq!(item["published_from"], "text");
    assert!(
        item.get("url").is_none_or(serde_json::Value::is_null),
        "a file name is not the article's URL: {item}"
    );
    let dates = item["dates"].as_array().unwrap();
    let last_week = dates.iter().find(|d| d["text"] == "last week").unwrap();
    assert_eq!(last_week["start"], "2025-02-24");
}

#[test]
fn fulltext_pages_fill_what_the_feed_lacks_and_failures_are_counted() {
    let base = serve();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: state\ndefaults:\n  fetch_private_networks: true\n  timeout: 5s\nsources:\n  - id: wire\n    type: feed\n    url: {base}/feed\n    fulltext: true\nsinks:\n  - id: out\n    type: jsonl\n    path: {}\n",
            out.display()
        ),
    );
    let o = std::process::Command::new(bin())
        .args(["once", "-c", cfg.to_str().unwrap()])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    let items = read_jsonl(&out);
    assert_eq!(items.len(), 3, "{err}");
    let by_id = |id: &str| items.iter().find(|i| i["id"] == id).unwrap();

    let undated = by_id("undated");
    assert_eq!(undated["published"], "2025-03-03T04:00:00Z");
    assert_eq!(undated["published_from"], "page");
    assert_eq!(
        undated["authors"],
        serde_json::json!(["Jane Doe", "Aibek Usenov"])
    );
    assert_eq!(undated["title"], "undated", "the feed's title wins");
    assert_eq!(
        undated["summary"], "Short teaser.",
        "the feed's summary wins"
    );
    assert!(
        undated["text"]
            .as_str()
            .unwrap()
            .contains("by a third next year")
    );
    assert!(undated.get("fulltext_error").is_none());

    let dated = by_id("dated");
    assert_eq!(dated["published_from"], "feed");
    assert_ne!(
        dated["published"], "2025-03-03T04:00:00Z",
        "the feed's date wins"
    );

    let gone = by_id("gone");
    let why = gone["fulltext_error"].as_str().unwrap();
    assert!(why.contains("404"), "{why}");
    assert_eq!(gone["text"], "Short teaser.");

    // The poll's line says how it went; the failure is counted for the source.
    assert!(
        err.contains("polled") && err.contains("fulltext_failed=1"),
        "{err}"
    );
    let st = feedloom(&["status", "-c", cfg.to_str().unwrap(), "--json"]);
    let status: serde_json::Value = serde_json::from_str(&stdout(&st)).unwrap();
    let wire = status
        .as_array()
        .and_then(|a| a.iter().find(|s| s["id"] == "wire"))
        .unwrap_or_else(|| panic!("{status}"));
    assert_eq!(wire["fulltext_failed"], 1, "{wire}");
}
