//! bytes → what a page says about itself (`meta::page_meta`: JSON-LD, `<meta>`, `<time>`,
//! bylines, title, URL) and a plain text's dateline (`meta::dateline_date_at`), as the `feed`
//! source reads a fulltext page and `feedloom extract` a file. Asserts: no panic, every date
//! plausible (1995 to a day after `now`), no empty author or title, authors without `@`.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = Utc.with_ymd_and_hms(2026, 3, 11, 9, 30, 0).unwrap();
    let html = feedloom_sources::decode::to_utf8_string(data, None);
    let m = feedloom_sources::meta::page_meta(
        &html,
        Some("https://example.com/2025/03/03/a"),
        Some(&html),
        now,
    );
    for d in [m.published, m.modified].into_iter().flatten() {
        assert!(feedloom_sources::meta::dates::plausible(d, now), "implausible date {d}");
    }
    assert!(m.title.as_deref().is_none_or(|t| !t.trim().is_empty()), "empty title");
    for a in &m.authors {
        assert!(!a.trim().is_empty() && !a.contains('@'), "author {a:?}");
    }
    // A dateline's year is one a story could be written in (the caller bounds it further).
    if let Some(d) = feedloom_sources::meta::dateline_date_at(&html, now) {
        let y = chrono::Datelike::year(&d);
        assert!((1900..=2200).contains(&y), "dateline {d}");
    }
});
