//! `type: feed` against an in-process HTTP server (axum on 127.0.0.1:0) serving feeds with
//! validators and every fault: the 304 path, restarts, error kinds, Retry-After, bombs,
//! redirects, discovery, headers and auth, full text and the private-network guard.
//!
//! This file holds the server and the helpers; the tests are in `fetch.rs` (validators,
//! failures, limits, redirects) and `content.rs` (discovery, headers, full text, dialects,
//! ids, concurrency).

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use feedloom_core::backoff::Backoff;
use feedloom_core::{
    BuildContext, MemoryStore, PollBatch, PollOutcome, Registry, Source, SourceContext,
    SourceError, SourceErrorKind, StateOp, StateStore,
};
use feedloom_sources::feed::{STATE_NS, location_key, validators_key};

const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Mon, 06 Jan 2025 10:00:00 GMT";

fn rss(items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.com/</link>"#,
    );
    for (guid, link) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><title>Title {guid}</title><link>{link}</link><description>Summary {guid}</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

#[derive(Clone, Debug)]
struct Seen {
    path: String,
    headers: HeaderMap,
}

#[derive(Default)]
struct St {
    base: Mutex<String>,
    seen: Mutex<Vec<Seen>>,
    /// Bytes (uncompressed) produced by the streaming endpoints, and whether the stream was
    /// dropped (the client stopped reading).
    produced: AtomicU64,
    stream_dropped: AtomicBool,
    /// Requests to `/busy` in flight now, and the most ever.
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
}

struct Server {
    base: String,
    st: Arc<St>,
}

impl Server {
    async fn start() -> Server {
        let st = Arc::new(St::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        *st.base.lock().unwrap() = base.clone();
        let app = axum::Router::new().fallback(handle).with_state(st.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Server { base, st }
    }
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    fn seen(&self, path: &str) -> Vec<Seen> {
        self.st
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == path)
            .cloned()
            .collect()
    }
    fn hits(&self, path: &str) -> usize {
        self.seen(path).len()
    }
}

/// A stream that counts what it produced and notes when it is dropped.
struct Counted<I> {
    inner: I,
    st: Arc<St>,
}
impl<I> Drop for Counted<I> {
    fn drop(&mut self) {
        self.st.stream_dropped.store(true, Ordering::SeqCst);
    }
}
impl<I: Iterator<Item = (Bytes, u64)> + Unpin> futures_util::Stream for Counted<I> {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let next = self.inner.next();
        std::task::Poll::Ready(next.map(|(b, n)| {
            self.st.produced.fetch_add(n, Ordering::SeqCst);
            Ok(b)
        }))
    }
}

/// Raw deflate blocks that each inflate to 1 MiB of zeros once the window holds zeros.
fn gzip_bomb_parts() -> (Vec<u8>, Vec<u8>) {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut first = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut first, flate2::FlushCompress::Sync)
        .unwrap();
    let mut next = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut next, flate2::FlushCompress::Sync)
        .unwrap();
    let mut head = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    head.extend_from_slice(&first);
    (head, next)
}

async fn handle(State(st): State<Arc<St>>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let full = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let h = req.headers().clone();
    st.seen.lock().unwrap().push(Seen {
        path: path.clone(),
        headers: h.clone(),
    });
    let base = st.base.lock().unwrap().clone();
    let xml =
        |body: String| ([(header::CONTENT_TYPE, "application/rss+xml")], body).into_response();
    let redirect =
        |code: StatusCode, to: &str| (code, [(header::LOCATION, to.to_string())]).into_response();
    match path.as_str() {
        "/rss" => {
            let inm = h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok());
            let ims = h.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok());
            if inm == Some(ETAG) || (inm.is_none() && ims == Some(LAST_MODIFIED)) {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            (
                [
                    (header::CONTENT_TYPE, "application/rss+xml"),
                    (header::ETAG, ETAG),
                    (header::LAST_MODIFIED, LAST_MODIFIED),
                ],
                rss(&[("g1", "/a/1"), ("g2", "/a/2")]),
            )
                .into_response()
        }
        "/plain" => xml(rss(&[("p1", "/p/1")])),
        "/busy" => {
            let now = st.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            st.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            st.in_flight.fetch_sub(1, Ordering::SeqCst);
            xml(rss(&[("b1", "/b/1")]))
        }
        "/lm-only" => {
            if h.get(header::IF_MODIFIED_SINCE).and_then(|v| v.to_str().ok()) == Some(LAST_MODIFIED) {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            (
                [(header::LAST_MODIFIED, LAST_MODIFIED)],
                rss(&[("l1", "/l/1")]),
            )
                .into_response()
        }
        "/500" => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "/404" => (StatusCode::NOT_FOUND, "no").into_response(),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            xml(rss(&[("s1", "/s")]))
        }
        "/malformed" => xml("<rss version=\"2.0\"><channel><item><title>x</ti".into()),
        "/empty" => xml(String::new()),
        "/html" => (
            [(header::CONTENT_TYPE, "text/html")],
            "<!doctype html><html><head><title>Blog</title></head><body>no feed here</body></html>",
        )
            .into_response(),
        "/blog/" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!doctype html><html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"../rss\"></head><body>hi</body></html>",
        )
            .into_response(),
        "/429" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "120")],
            "slow down",
        )
            .into_response(),
        "/503" => {
            let when = chrono::Utc::now() + chrono::Duration::seconds(90);
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(
                    header::RETRY_AFTER,
                    when.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
                )],
                "maintenance",
            )
                .into_response()
        }
        "/gzip-bomb" => {
            // 4 GiB of zeros in about 4 MB of gzip.
            let (head, block) = gzip_bomb_parts();
            let head = Bytes::from(head);
            let block = Bytes::from(block);
            let it = std::iter::once((head, 1u64 << 20))
                .chain(std::iter::repeat_n((block, 1u64 << 20), 4095));
            (
                [
                    (header::CONTENT_TYPE, "application/rss+xml"),
                    (header::CONTENT_ENCODING, "gzip"),
                ],
                Body::from_stream(Counted { inner: it, st }),
            )
                .into_response()
        }
        "/huge" => {
            // 1 GiB of plain bytes, produced only as fast as they are read.
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let it = std::iter::repeat_n((chunk, 64 * 1024u64), 16 * 1024);
            (
                [(header::CONTENT_TYPE, "application/rss+xml")],
                Body::from_stream(Counted { inner: it, st }),
            )
                .into_response()
        }
        "/sized" => xml(format!("{}{}", " ".repeat(4096), rss(&[("z", "/z")]))),
        "/r301" => redirect(StatusCode::MOVED_PERMANENTLY, "/rss"),
        "/r308" => redirect(StatusCode::PERMANENT_REDIRECT, &format!("{base}/rss")),
        "/r302" => redirect(StatusCode::FOUND, "/rss"),
        "/r307" => redirect(StatusCode::TEMPORARY_REDIRECT, "/rss"),
        "/loop" => redirect(StatusCode::FOUND, "/loop"),
        "/r-other-host" => redirect(
            StatusCode::FOUND,
            &format!("{}/plain", base.replace("127.0.0.1", "localhost")),
        ),
        "/rss-as-html" => (
            [(header::CONTENT_TYPE, "text/html")],
            rss(&[("h1", "/h/1")]),
        )
            .into_response(),
        "/auth" => {
            let ok = h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
                == Some("Basic dXNlcjpzM2NyZXQ="); // user:s3cret
            if !ok {
                return StatusCode::UNAUTHORIZED.into_response();
            }
            xml(rss(&[("auth1", "/x")]))
        }
        "/ft-feed" => xml(rss(&[
            ("ft1", &format!("{base}/article/1")),
            ("ft2", &format!("{base}/article/2")),
        ])),
        "/ft-feed-localhost" => {
            let port = base.rsplit(':').next().unwrap();
            xml(rss(&[("fl1", &format!("http://localhost:{port}/article/1"))]))
        }
        p if p.starts_with("/article/") => {
            let n = &p["/article/".len()..];
            let para = "The council said on Tuesday that water prices would rise by four percent next year as the utility struggles with repairs to ageing pipes, and residents protested outside city hall.";
            let html = format!(
                "<!doctype html><html><head><title>Article {n}</title></head><body>\
                 <header><a href=\"/\">Daily Example</a></header>\
                 <nav><ul><li><a href=\"/world\">World</a></li><li><a href=\"/sport\">Sport</a></li></ul></nav>\
                 <article><h1>Article {n}</h1><p>FULLTEXT{n} {para}</p><div class=\"ad\">Advertisement: cheap flights</div>\
                 <p>{para}</p><p>{para}</p><p>{para}</p></article>\
                 <aside class=\"sidebar\"><h3>Most read</h3><ul><li><a href=\"/x\">Other story</a></li></ul></aside>\
                 <footer>Copyright Daily Example</footer></body></html>"
            );
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        "/cp1251" => {
            // No XML encoding declaration: only the Content-Type names the charset.
            let mut body = b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>w1</guid><title>".to_vec();
            body.extend_from_slice(&[0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]); // "Привет"
            body.extend_from_slice(b"</title></item></channel></rss>");
            (
                [(header::CONTENT_TYPE, "text/xml; charset=windows-1251")],
                body,
            )
                .into_response()
        }
        "/lying-utf8" => (
            // Says UTF-8 (header) but the body is, and declares, ISO-8859-1.
            [(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")],
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>l1</guid><title>Caf\xe9</title></item></channel></rss>".to_vec(),
        )
            .into_response(),
        "/html-as-rss" => (
            [(header::CONTENT_TYPE, "application/rss+xml")],
            "<!-- cms -->\n<!DOCTYPE html><html><head><link rel=\"alternate\" type=\"application/atom+xml\" href=\"/atom\"></head><body>blog</body></html>",
        )
            .into_response(),
        "/atom" => (
            [(header::CONTENT_TYPE, "application/atom+xml")],
            // Dated now: items older than the dedup retention are skipped.
            r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id><updated>{NOW}</updated>
<author><name>Feed Author</name></author>
<entry><id>urn:a:1</id><title>Rel</title><updated>{NOW}</updated><link href="posts/1"/></entry>
<entry xml:base="https://cdn.example.org/x/"><id>urn:a:2</id><title>Base</title><updated>{NOW}</updated><link href="p2"/><author><name>Own</name></author></entry>
</feed>"#
                .replace("{NOW}", &chrono::Utc::now().to_rfc3339()),
        )
            .into_response(),
        "/moved-atom" => redirect(StatusCode::FOUND, "/blog/atom/"),
        "/blog/atom/" => (
            [(header::CONTENT_TYPE, "application/atom+xml")],
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:b</id><updated>{NOW}</updated>
<entry><id>urn:b:1</id><title>R</title><updated>{NOW}</updated><link href="../posts/1"/></entry></feed>"#
                .replace("{NOW}", &chrono::Utc::now().to_rfc3339()),
        )
            .into_response(),
        "/json" => (
            [(header::CONTENT_TYPE, "application/feed+json")],
            r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[
                {"url":"/j/1","content_html":"<p>Only <b>HTML</b> &eacute;t&eacute;</p>"},
                {"content_html":"<p>No id, no url</p>"}]}"#,
        )
            .into_response(),
        "/no-ids" => xml(
            r#"<rss version="2.0"><channel><title>T</title>
<item><title>Only a title</title></item>
<item><description>Only a description</description></item></channel></rss>"#
                .into(),
        ),
        "/bare-amp" => xml(
            r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><guid>amp1</guid><title>AT&T buys Q&A site</title><description><![CDATA[<p>R&D &amp; more</p>]]></description></item></channel></rss>"#
                .into(),
        ),
        "/dated" => {
            let recent = chrono::Utc::now() - chrono::Duration::days(2);
            let old = chrono::Utc::now() - chrono::Duration::days(400);
            let fmt = |d: chrono::DateTime<chrono::Utc>| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            xml(format!(
                r#"<rss version="2.0"><channel><title>T</title>
<item><guid>recent</guid><title>R</title><pubDate>{}</pubDate></item>
<item><guid>old</guid><title>O</title><pubDate>{}</pubDate></item>
<item><guid>undated</guid><title>U</title></item></channel></rss>"#,
                fmt(recent),
                fmt(old)
            ))
        }
        "/stall-body" => {
            // Headers at once, then 10 bytes, then nothing for ever.
            let first = futures_util::stream::once(async {
                Ok::<_, std::io::Error>(Bytes::from_static(b"<rss versi"))
            });
            let never = futures_util::stream::pending::<Result<Bytes, std::io::Error>>();
            (
                [(header::CONTENT_TYPE, "application/rss+xml")],
                Body::from_stream(futures_util::StreamExt::chain(first, never)),
            )
                .into_response()
        }
        "/429-forever" => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "31536000")],
            "come back next year",
        )
            .into_response(),
        "/entity-bomb" => xml(
            r#"<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Bomb</title><item><guid>b1</guid><title>&lol9;</title><description>&lol9;&lol9;</description></item></channel></rss>"#
                .into(),
        ),
        _ => (StatusCode::NOT_FOUND, format!("no route {full}")).into_response(),
    }
}

fn ctx_with(state: Arc<dyn StateStore>, id: &str) -> BuildContext {
    let mut ctx = BuildContext::for_tests(std::path::Path::new("."));
    ctx.id = id.into();
    ctx.state = state;
    ctx
}

fn build(ctx: &BuildContext, opts: serde_json::Value) -> Box<dyn Source> {
    let mut reg = Registry::new();
    feedloom_sources::register(&mut reg);
    (reg.source("feed").unwrap().build)(&opts, ctx).unwrap()
}

async fn poll(s: &dyn Source, id: &str) -> Result<PollBatch, SourceError> {
    poll_with(s, id, &|_: &str| false).await
}

async fn poll_with(
    s: &dyn Source,
    id: &str,
    delivered: &(dyn Fn(&str) -> bool + Send + Sync),
) -> Result<PollBatch, SourceError> {
    s.poll(&SourceContext {
        source_id: id,
        delivered,
    })
    .await
}

fn ids(b: &PollBatch) -> Vec<String> {
    b.items.iter().map(|i| i.id.clone()).collect()
}

mod content;
mod fetch;
