//! bytes → the feed parsing both sources use:
//! - the `file` source: `parse_feed(bytes, Some(file URL), id)`;
//! - the `feed` (HTTP) source: `looks_like_html` / `find_feed_link` (discovery), then
//!   `parse_feed(&to_utf8(bytes, Content-Type), Some(URL), id)`.
//!
//! A first byte below 0x10 picks the Content-Type (a charset) for the HTTP path and is not
//! part of the document; otherwise the HTTP path gets `text/xml; charset=iso-8859-1` (the
//! commonest wrong label). Asserts: no panic; every item's `published` (if set) has a year in
//! 1000–9999; items serialise and read back; the `dates` extractor on each item (relative
//! dates resolve against `published`) keeps the dates contract.
//!
//! `FEEDLOOM_FUZZ_KNOWN=published_year` skips the `published` year check (finding F2).
//!
//! `parse_feed` wraps feed-rs in `catch_unwind` (a feed-rs panic becomes a parse error), but
//! libFuzzer's panic hook aborts before unwinding. Panics raised inside feed-rs are therefore
//! let through to that `catch_unwind` (counted, one line on stderr), unless
//! `FEEDLOOM_FUZZ_STRICT=1`; any other panic aborts as usual.
#![no_main]

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("text/xml; charset=iso-8859-1"),
    Some("application/rss+xml; charset=windows-1251"),
    Some("text/xml; charset=utf-16"),
    Some("text/xml; charset=UTF-16BE"),
    Some("application/atom+xml; charset=shift_jis"),
    Some("application/json; charset=\"utf-8\""),
    Some("text/xml; charset=x-user-defined"),
    Some("text/xml; charset=gb18030"),
    Some("text/xml; charset=bogus-charset"),
    Some("text/html; charset=koi8-r"),
    Some("text/xml;charset='euc-kr'"),
    Some("text/xml; charset=ISO-2022-JP"),
    Some("text/xml; charset=replacement"),
    Some("application/feed+json"),
    Some("text/xml; charset="),
];

static CONTAINED: AtomicU64 = AtomicU64::new(0);

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var("FEEDLOOM_FUZZ_STRICT").is_ok_and(|v| v == "1") {
            return;
        }
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let bt = std::backtrace::Backtrace::force_capture().to_string();
            if bt.contains("feed_rs::parser") && bt.contains("parse_doc") {
                let n = CONTAINED.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    eprintln!("feed_parse: contained feed-rs panic #{n}: {info}");
                }
                return;
            }
            prev(info)
        }));
    });
}

fn check(items: &[feedloom_core::Item], dates: &dyn feedloom_core::SyncExtractor) {
    for it in items {
        if let Some(p) = it.published.filter(|_| !feedloom_fuzz::known("published_year")) {
            assert!(
                (1000..=9999).contains(&p.year()),
                "item {:?}: published {p} has a year outside 1000-9999",
                it.id
            );
        }
        feedloom_fuzz::check_json(it);
        let mut it = it.clone();
        let _ = dates.extract(&mut it);
        feedloom_fuzz::check_item(&it);
    }
}

fn dates() -> &'static dyn feedloom_core::SyncExtractor {
    static D: std::sync::OnceLock<std::sync::Arc<dyn feedloom_core::SyncExtractor>> =
        std::sync::OnceLock::new();
    &**D.get_or_init(|| {
        let mut reg = feedloom_core::Registry::new();
        feedloom_extract::register(&mut reg);
        let ctx = feedloom_core::BuildContext::for_tests(&std::env::temp_dir());
        let ex = (reg.extractor("dates").unwrap().build)(&serde_json::json!({}), &ctx).unwrap();
        ex.as_sync().unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    install_hook();
    let (ct, body) = match data.first() {
        Some(&b) if b < 0x10 => (CONTENT_TYPES[b as usize], &data[1..]),
        _ => (Some("text/xml; charset=iso-8859-1"), data),
    };
    let d = dates();
    // file source
    if let Ok(items) =
        feedloom_sources::parse::parse_feed(body, Some("file:///fuzz/feeds/feed.xml"), "fuzz")
    {
        check(&items, d);
    }
    // feed source over HTTP
    let base = "https://news.example.com/feeds/rss";
    if feedloom_sources::feed::looks_like_html(ct, body) {
        let _ = feedloom_sources::feed::find_feed_link(body, base);
    }
    let utf8 = feedloom_sources::parse::to_utf8(body, ct);
    if let Ok(items) = feedloom_sources::parse::parse_feed(&utf8, Some(base), "fuzz") {
        check(&items, d);
    }
});
