//! Serve 10,000 feeds from a local axum server and poll every one of them twice with the
//! `feed` source: the first cycle gets 200s (parse, map, commit the validators), the second
//! 304s. Prints wall time, feeds/s and each cycle's peak RSS (server and state store
//! included; the peak is reset between cycles through /proc/self/clear_refs).
//!
//! ```sh
//! cargo run --release -p feedloom-sources --example poll_10k -- [FEEDS] [MAX_CONCURRENT_FETCHES]
//! ```
//! All feeds live on one host (127.0.0.1), so `per_host_concurrency` is raised to the global
//! limit to stand for thousands of feeds spread over many hosts.

// A developer tool on inputs it makes itself.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use feedloom_core::{
    BuildContext, Defaults, MemoryStore, PollOutcome, Resources, Source, SourceContext, StateStore,
};
use feedloom_sources::feed::{FeedOptions, FeedSource};
use futures_util::StreamExt;

const ITEMS_PER_FEED: usize = 20;

fn feed_body(n: usize) -> String {
    // Recent dates: items older than the dedup retention (90 days) are skipped.
    let day = (chrono::Utc::now() - chrono::Duration::days(1)).format("%a, %d %b %Y");
    let mut s = format!(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {n}</title><link>http://example.com/{n}/</link>"#
    );
    for i in 0..ITEMS_PER_FEED {
        s.push_str(&format!(
            "<item><title>Feed {n} story {i}</title><link>/{n}/{i}</link><guid>urn:{n}:{i}</guid>\
             <pubDate>{day} 10:{:02}:00 GMT</pubDate>\
             <description>&lt;p&gt;The council said on Tuesday that water prices would rise by four percent next year.&lt;/p&gt;</description></item>",
            i % 60
        ));
    }
    s.push_str("</channel></rss>");
    s
}

async fn serve_feed(Path(n): Path<usize>, req: Request) -> Response {
    let etag = format!("\"f{n}\"");
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml".to_string()),
            (header::ETAG, etag),
        ],
        feed_body(n),
    )
        .into_response()
}

/// A line of /proc/self/status in MiB (`VmHWM`: peak RSS, `VmRSS`: RSS now).
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn vm_hwm_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Reset the peak RSS to the current RSS (Linux: `5` to clear_refs), so each cycle reports
/// its own peak. Returns whether it worked.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let feeds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let concurrency: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().route("/feed/{n}", axum::routing::get(serve_feed));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let resources = Arc::new(Resources::default());
    let defaults = Defaults {
        max_concurrent_fetches: concurrency,
        per_host_concurrency: concurrency,
        ..Defaults::default()
    };
    let sources: Vec<(String, FeedSource)> = (0..feeds)
        .map(|n| {
            let id = format!("feed-{n}");
            let ctx = BuildContext {
                id: id.clone(),
                config_dir: ".".into(),
                state_dir: "state".into(),
                state: store.clone(),
                defaults: defaults.clone(),
                resources: resources.clone(),
            };
            let opts: FeedOptions =
                serde_json::from_value(serde_json::json!({ "url": format!("{base}/feed/{n}") }))
                    .unwrap();
            (id, FeedSource::build(opts, &ctx).unwrap())
        })
        .collect();
    println!(
        "{feeds} feeds × {ITEMS_PER_FEED} items, max_concurrent_fetches {concurrency}; peak RSS before polling {:.1} MiB",
        vm_hwm_mib()
    );

    for cycle in 1..=2 {
        let reset = reset_peak_rss();
        let start = Instant::now();
        let never = |_: &str| false;
        let mut polls = futures_util::stream::iter(sources.iter())
            .map(|(id, s)| async move {
                s.poll(&SourceContext {
                    source_id: id,
                    delivered: &never,
                })
                .await
            })
            .buffer_unordered(concurrency * 2);
        let (mut ok, mut not_modified, mut failed, mut items, mut bytes) = (0, 0, 0, 0, 0u64);
        // Each batch is handled as it arrives, as the runtime does: items are delivered (here
        // dropped) and the validators committed.
        while let Some(r) = polls.next().await {
            match r {
                Ok(b) => {
                    match b.outcome {
                        PollOutcome::Ok => ok += 1,
                        PollOutcome::NotModified => not_modified += 1,
                    }
                    items += b.items.len();
                    bytes += b.bytes;
                    store.apply(b.commit).unwrap();
                }
                Err(e) => {
                    failed += 1;
                    if failed <= 3 {
                        eprintln!("poll failed: {e}");
                    }
                }
            }
        }
        let wall = start.elapsed();
        println!(
            "cycle {cycle}: {:.2}s wall, {:.0} feeds/s, 200: {ok}, 304: {not_modified}, failed: {failed}, items: {items}, body bytes: {:.1} MiB, peak RSS {:.1} MiB{}, RSS after {:.1} MiB",
            wall.as_secs_f64(),
            feeds as f64 / wall.as_secs_f64(),
            bytes as f64 / (1 << 20) as f64,
            vm_hwm_mib(),
            if reset {
                " (this cycle)"
            } else {
                " (process so far)"
            },
            status_mib("VmRSS:"),
        );
    }
}
