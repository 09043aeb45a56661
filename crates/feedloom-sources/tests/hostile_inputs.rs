//! Hostile feeds and pages from the attacker's report, one test per case: deep HTML that
//! overflowed rs-trafilatura's recursion, UTF-16 feeds, BOMs and lying declarations in
//! files, truncated feeds, a title that prefixes the first paragraph, impossible dates.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use feedloom_core::{
    BuildContext, MemoryStore, PollBatch, Registry, Source, SourceContext, SourceError,
};
use feedloom_sources::file::split_html_article;
use feedloom_sources::fulltext::extract_main_text;
use feedloom_sources::parse::{parse_feed, parse_feed_doc};

/// Run on a thread with a quarter of the stack of tokio's blocking pool (2 MiB, where
/// extraction runs), so a regression in the depth limit overflows here (and aborts the test
/// binary) well before it could in production.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

const PARA: &str = "The council said on Tuesday that water prices would rise by four percent next year as the utility struggles with repairs to ageing pipes.";

fn nested(tag: &str, depth: usize, inner: &str) -> String {
    format!(
        "<html><head><title>Deep</title></head><body>{}{inner}{}</body></html>",
        format!("<{tag}>").repeat(depth),
        format!("</{tag}>").repeat(depth)
    )
}

// ---- 1. stack depth ----

#[test]
fn deep_inline_nesting_gives_text_not_an_abort() {
    // 8,000 nested `<b>` is 24 KB; rs-trafilatura overflowed a 2 MiB stack at ~5,600.
    for tag in ["b", "em", "x", "div", "span"] {
        let html = nested(tag, 8_000, &format!("<p>{PARA} Deep.</p>"));
        let (html2, tag2) = (html.clone(), tag.to_string());
        let text = on_small_stack(move || extract_main_text(html2.as_bytes(), None));
        if let Some(t) = &text {
            assert!(t.contains("ageing pipes. Deep."), "{tag2}: {t}");
        }
        let (_, body) = on_small_stack(move || split_html_article(&html));
        assert!(body.contains("ageing pipes. Deep."), "{tag}: {body}");
    }
}

#[test]
fn very_deep_unknown_tags_are_quick() {
    // `feedloom extract` on 29,000 nested `<x>` ran for over a minute.
    let html = nested("x", 29_000, &format!("<p>{PARA}</p>"));
    let started = Instant::now();
    let (_, body) = on_small_stack(move || split_html_article(&html));
    assert!(body.contains("ageing pipes."), "{body}");
    // Debug build, shared machine: generous, but far from a minute.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_flattened_page_still_gives_its_article() {
    // A real article buried 3,000 wrappers down, with furniture around it.
    let article = format!(
        "<article><h1>Water</h1><p>{PARA} One.</p><p>{PARA} Two.</p><p>{PARA} Three.</p></article>"
    );
    let html = format!(
        "<html><head><title>Water</title></head><body><nav><a href=/a>Home</a></nav>{}{article}{}<footer>Copyright</footer></body></html>",
        "<div class=wrap>".repeat(3_000),
        "</div>".repeat(3_000)
    );
    let text = on_small_stack(move || extract_main_text(html.as_bytes(), None)).unwrap();
    for n in ["One.", "Two.", "Three."] {
        assert!(text.contains(&format!("ageing pipes. {n}")), "{text}");
    }
}

#[tokio::test]
async fn deep_html_file_is_read_on_the_blocking_pool() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("deep.html"),
        nested("b", 8_000, &format!("<p>{PARA}</p>")),
    )
    .unwrap();
    let b = poll_file(dir.path()).await.unwrap();
    assert_eq!(b.items.len(), 1);
    assert!(
        b.items[0].text.contains("ageing pipes."),
        "{}",
        b.items[0].text
    );
}

#[tokio::test]
async fn fulltext_of_a_deep_page_is_extracted_on_the_blocking_pool() {
    let page = nested(
        "b",
        8_000,
        &format!("<article><p>{PARA} Fetched.</p></article>"),
    );
    let app = axum::Router::new()
        .route(
            "/deep",
            axum::routing::get(move || {
                let body = page.clone();
                async move { ([(header::CONTENT_TYPE, "text/html")], body).into_response() }
            }),
        )
        .route(
            "/feed",
            axum::routing::get(|req: axum::extract::Request| async move {
                let host = req
                    .headers()
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                format!("<rss version=\"2.0\"><channel><title>T</title><item><guid>d1</guid><link>http://{host}/deep</link><description>Short</description></item></channel></rss>")
            }),
        );
    let base = serve(app).await;
    let mut ctx = BuildContext::for_tests(std::path::Path::new("."));
    ctx.state = Arc::new(MemoryStore::new());
    let mut reg = Registry::new();
    feedloom_sources::register(&mut reg);
    let src = (reg.source("feed").unwrap().build)(
        &serde_json::json!({
            "url": format!("{base}/feed"),
            "fulltext": true,
            "fetch_private_networks": true
        }),
        &ctx,
    )
    .unwrap();
    let b = poll_src(&*src, "ft").await.unwrap();
    assert!(
        b.items[0].text.contains("ageing pipes. Fetched."),
        "{}",
        b.items[0].text
    );
}

// ---- 2. UTF-16 feeds ----

fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian {
            &[0xfe, 0xff]
        } else {
            &[0xff, 0xfe]
        });
    }
    for u in s.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

const UTF16_FEED: &str = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>u1</guid><title>Café Жизнь</title><description>Ça va</description></item></channel></rss>";

#[test]
fn utf16_feeds_in_both_byte_orders() {
    for be in [true, false] {
        for bom in [true, false] {
            let items = parse_feed(&utf16(UTF16_FEED, be, bom), None, "s")
                .unwrap_or_else(|e| panic!("be={be} bom={bom}: {e}"));
            assert_eq!(items[0].title.as_deref(), Some("Café Жизнь"));
            assert_eq!(items[0].text, "Ça va");
        }
    }
}

// ---- 2 & 3. the file source decodes as the HTTP source does ----

#[tokio::test]
async fn file_source_decodes_boms_utf16_and_lying_declarations() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("be.xml"), utf16(UTF16_FEED, true, true)).unwrap();
    let bom_feed = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>b1</guid><title>Bom Café</title></item></channel></rss>";
    std::fs::write(p.join("bom.rss"), bom_feed).unwrap();
    let liar = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>l1</guid><title>Liar Café</title></item></channel></rss>";
    std::fs::write(p.join("liar.xml"), liar).unwrap();
    std::fs::write(p.join("a.txt"), "\u{feff}Text Café\n\nBody één.\n").unwrap();
    std::fs::write(
        p.join("b.html"),
        "\u{feff}<html><head><title>Html Café</title></head><body><p>Über alles.</p></body></html>",
    )
    .unwrap();
    let mut latin = b"<html><head><meta charset=\"iso-8859-1\"><title>Latin Caf\xe9</title></head><body><p>Caf\xe9 cr\xe8me.</p></body></html>".to_vec();
    latin.shrink_to_fit();
    std::fs::write(p.join("c.htm"), latin).unwrap();
    let b = poll_file(p).await.unwrap();
    let mut titles: Vec<String> = b.items.iter().filter_map(|i| i.title.clone()).collect();
    titles.sort();
    assert_eq!(
        titles,
        [
            "Bom Café",
            "Café Жизнь",
            "Html Café",
            "Latin Café",
            "Liar Café",
            "Text Café"
        ]
    );
    let text_of = |t: &str| {
        b.items
            .iter()
            .find(|i| i.title.as_deref() == Some(t))
            .map(|i| i.text.clone())
            .unwrap()
    };
    assert_eq!(text_of("Text Café"), "Body één.");
    assert!(text_of("Html Café").contains("Über alles."));
    assert!(text_of("Latin Café").contains("Café crème."));
}

// ---- 4. truncated feeds ----

fn rss_items(n: usize) -> String {
    let mut s =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>");
    for k in 1..=n {
        s.push_str(&format!(
            "<item><guid>g{k}</guid><title>Item {k}</title><description><![CDATA[<p>Body {k} </item></p>]]></description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

#[test]
fn truncated_rss_atom_and_json_keep_their_complete_items() {
    let full = rss_items(3);
    let cut = &full[..full.find("<guid>g3").unwrap() + 8];
    let p = parse_feed_doc(cut.as_bytes(), Some("http://example.com/feed"), "s").unwrap();
    assert!(p.truncated);
    let ids: Vec<_> = p.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["g1", "g2"]);
    assert!(
        !parse_feed_doc(full.as_bytes(), None, "s")
            .unwrap()
            .truncated
    );

    let atom = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:f</id><updated>2025-01-06T10:00:00Z</updated><entry><id>urn:e1</id><title>E1</title><updated>2025-01-06T10:00:00Z</updated></entry><entry><id>urn:e2</id><title>E2</title><upd";
    let p = parse_feed_doc(atom.as_bytes(), None, "s").unwrap();
    assert!(p.truncated);
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].id, "urn:e1");

    let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","content_text":"one } ]"},{"id":"2","content_text":"two"},{"id":"3","content_te"#;
    let p = parse_feed_doc(json.as_bytes(), None, "s").unwrap();
    assert!(p.truncated);
    let ids: Vec<_> = p.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);

    // Cut before the first item ends: an error that says so.
    let e = parse_feed(
        &full.as_bytes()[..full.find("<guid>g1").unwrap()],
        None,
        "s",
    )
    .unwrap_err();
    assert!(e.message.contains("truncated"), "{e}");
}

#[tokio::test]
async fn a_truncated_http_feed_delivers_its_items_but_keeps_no_validators() {
    let full = rss_items(3);
    let cut = full[..full.find("<guid>g3").unwrap() + 8].to_string();
    let app = axum::Router::new()
        .route(
            "/cut",
            axum::routing::get(move || {
                let body = cut.clone();
                async move {
                    (
                        StatusCode::OK,
                        [
                            (header::ETAG, "\"cut\""),
                            (header::CONTENT_TYPE, "application/rss+xml"),
                        ],
                        body,
                    )
                        .into_response()
                }
            }),
        )
        .route(
            "/full",
            axum::routing::get(move || {
                let body = full.clone();
                async move { ([(header::ETAG, "\"full\"")], body).into_response() }
            }),
        );
    let base = serve(app).await;
    let state: Arc<MemoryStore> = Arc::new(MemoryStore::new());
    let src = build_feed(state.clone(), &format!("{base}/cut"));
    let b = poll_src(&*src, "cut").await.unwrap();
    let ids: Vec<_> = b.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["g1", "g2"]);
    assert!(
        b.commit.is_empty(),
        "no ETag or body hash saved for a truncated body"
    );
    // A complete body is remembered as before.
    let src = build_feed(state, &format!("{base}/full"));
    let b = poll_src(&*src, "full").await.unwrap();
    assert_eq!(b.items.len(), 3);
    assert_eq!(b.commit.len(), 1);
}

// ---- 5. title and first paragraph ----

#[test]
fn a_first_paragraph_that_starts_with_the_title_is_kept() {
    let html = "<html><head><title>Water prices</title></head><body><article><p>Water prices will rise by four percent next year, the council said.</p><p>Second paragraph.</p></article></body></html>";
    let (title, text) = split_html_article(html);
    assert_eq!(title, "Water prices");
    assert!(
        text.starts_with("Water prices will rise by four percent"),
        "{text}"
    );
    // A heading that repeats the title (or the title less the site's name) still goes.
    let html = "<html><head><title>Water prices rise | Daily Example</title></head><body><article><h1>Water prices rise</h1><p>The council said so.</p></article></body></html>";
    let (title, text) = split_html_article(html);
    assert_eq!(title, "Water prices rise | Daily Example");
    assert_eq!(text, "The council said so.");
    let html = "<html><head><title>Water</title></head><body><article><h1>Water</h1><p>The council said so.</p></article></body></html>";
    assert_eq!(split_html_article(html).1, "The council said so.");
}

// ---- 6. impossible dates ----

#[test]
fn item_dates_outside_four_digit_years_are_dropped() {
    let rss = |date: &str| {
        format!(
            "<rss version=\"2.0\"><channel><title>T</title><item><guid>d</guid><pubDate>{date}</pubDate></item></channel></rss>"
        )
    };
    let atom = |date: &str| {
        format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>f</id><entry><id>e</id><title>x</title><updated>{date}</updated></entry></feed>"
        )
    };
    let json = |date: &str| {
        format!(
            r#"{{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{{"id":"1","content_text":"t","date_published":"{date}"}}]}}"#
        )
    };
    for doc in [
        rss("Mon, 01 Jan 262142 00:00:00 GMT"),
        rss("Mon, 01 Jan -0001 00:00:00 GMT"),
        rss("Mon, 01 Jan 0999 00:00:00 GMT"),
        rss("Fri, 31 Dec 262142 23:59:59 +0000"),
        atom("0000-01-01T00:00:00Z"),
        atom("Mon, 01 Jan 262142 00:00:00 GMT"),
        atom("+262142-01-01T00:00:00Z"),
        atom("262142-01-01T00:00:00Z"),
        atom("-0001-01-01T00:00:00Z"),
        json("+262142-01-01T00:00:00Z"),
        json("-000001-01-01T00:00:00Z"),
    ] {
        if let Ok(items) = parse_feed(doc.as_bytes(), None, "s") {
            for it in items {
                if let Some(p) = it.published {
                    let y = chrono::Datelike::year(&p);
                    assert!((1000..=9999).contains(&y), "{p} from {doc}");
                }
            }
        }
    }
    let ok = parse_feed(rss("Mon, 06 Jan 2025 10:00:00 GMT").as_bytes(), None, "s").unwrap();
    assert!(ok[0].published.is_some());
}

// ---- helpers ----

async fn poll_file(dir: &std::path::Path) -> Result<PollBatch, SourceError> {
    let ctx = BuildContext::for_tests(dir);
    let mut reg = Registry::new();
    feedloom_sources::register(&mut reg);
    let src = (reg.source("file").unwrap().build)(&serde_json::json!({"path": "*"}), &ctx).unwrap();
    poll_src(&*src, "files").await
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn build_feed(state: Arc<MemoryStore>, url: &str) -> Box<dyn Source> {
    let mut ctx = BuildContext::for_tests(std::path::Path::new("."));
    ctx.state = state;
    let mut reg = Registry::new();
    feedloom_sources::register(&mut reg);
    (reg.source("feed").unwrap().build)(&serde_json::json!({ "url": url }), &ctx).unwrap()
}

async fn poll_src(src: &dyn Source, id: &str) -> Result<PollBatch, SourceError> {
    src.poll(&SourceContext {
        source_id: id,
        delivered: &|_: &str| false,
    })
    .await
}
