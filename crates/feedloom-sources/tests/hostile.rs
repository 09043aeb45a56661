//! Hostile documents: deep nesting must not overflow the stack (that would abort the whole
//! daemon, not just fail one source).

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use feedloom_sources::fulltext::extract_main_text;
use feedloom_sources::parse::parse_feed;

/// Run on a thread with the stack size of tokio's blocking pool (2 MiB), where parsing runs.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deeply_nested_feed_does_not_overflow() {
    for wrap in ["x", "item", "description"] {
        let depth = 200_000;
        let mut doc =
            String::from("<rss version=\"2.0\"><channel><title>t</title><item><guid>a</guid>");
        for _ in 0..depth {
            doc.push_str(&format!("<{wrap}>"));
        }
        for _ in 0..depth {
            doc.push_str(&format!("</{wrap}>"));
        }
        doc.push_str("</item></channel></rss>");
        let _ = on_small_stack(move || parse_feed(doc.as_bytes(), None, "s").map(|v| v.len()));
    }
}

#[test]
fn deeply_nested_article_does_not_overflow() {
    let depth = 100_000;
    let html = format!(
        "<html><body>{}<p>text</p>{}</body></html>",
        "<div>".repeat(depth),
        "</div>".repeat(depth)
    );
    // Flattened before extraction (rs-trafilatura's DOM walk is recursive): the text
    // survives, the thread does.
    let text = on_small_stack(move || extract_main_text(html.as_bytes(), None));
    assert!(text.is_none_or(|t| t.contains("text")));
    // Just under the flattening depth works as it did.
    let html = format!(
        "<html><body>{}<p>text</p>{}</body></html>",
        "<div>".repeat(250),
        "</div>".repeat(250)
    );
    let _ = on_small_stack(move || extract_main_text(html.as_bytes(), None));
}
