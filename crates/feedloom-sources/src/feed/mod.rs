//! `type: feed` — RSS, Atom and JSON Feed over HTTP.
//!
//! ```yaml
//! - id: lwn
//!   type: feed
//!   url: https://lwn.net/headlines/rss
//!   interval: 15m                 # optional; default `defaults.interval`
//!   headers: { X-Token: "${LWN_TOKEN}" }
//!   fulltext: true                # fetch each new item's page and extract its main text
//! ```
//!
//! Behaviour:
//! - Conditional GET: the ETag and Last-Modified of the last delivered response are kept in
//!   the state store (namespace `feed`, key `v/<source id>`) and sent as If-None-Match /
//!   If-Modified-Since. They are returned in [`PollBatch::commit`], so they are saved only once
//!   every item of the poll has been delivered. A 304 (or a body identical to the last one)
//!   returns [`PollOutcome::NotModified`] without parsing.
//! - Redirects are followed by hand up to `max_redirects`. When every hop is permanent
//!   (301/308) the new URL is saved at once (key `loc/<source id>`) and logged once; 302/307
//!   are followed without remembering them.
//! - An HTML page where a feed was expected is searched for `<link rel="alternate">` with an
//!   RSS, Atom or JSON Feed type; the feed found is fetched, logged once and remembered.
//! - Errors carry a [`SourceErrorKind`] (connect, timeout, HTTP status, parse, too large) and,
//!   for 429 and 503, the server's Retry-After (at most `defaults.max_backoff`). The runtime
//!   logs, counts and backs off; this source never sleeps or retries by itself.
//! - The body is decoded by its XML declaration, else by the Content-Type charset when it is
//!   not UTF-8; a malformed document is repaired once (bare `&`, invalid UTF-8) before it
//!   counts as a parse error.
//! - A truncated body (cut off mid-document) gives the complete items before the cut, with a
//!   warning; its validators are not saved, so the next poll fetches the whole feed again.
//! - Once a source has been polled to completion, items published before
//!   `now - defaults.retention` are skipped: their delivered marks are forgotten after that
//!   long, and a slow feed still listing them would deliver them again. A new source's first
//!   poll delivers everything its feed lists, however old.
//! - One HTTP client, a global `max_concurrent_fetches` limit and a per-host limit
//!   (`per_host_concurrency`) are shared by every feed source.

mod discover;
pub mod http;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use feedloom_core::sync::LockExt;
use feedloom_core::{
    BuildContext, BuildError, Duration, Item, PollBatch, PollOutcome, Registry, Source,
    SourceContext, SourceError, SourceErrorKind, StateOp, StateStore,
};
use futures_util::StreamExt;
use reqwest::header::HeaderMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use discover::{find_feed_link, looks_like_html};
pub use http::{Shared, is_private};

use crate::parse::{parse_feed_doc, to_utf8};

/// State namespace of the feed source.
pub const STATE_NS: &str = "feed";

const ACCEPT_FEED: &str = "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";
/// Article failures logged one by one per poll; the rest are counted in one line.
const MAX_ARTICLE_ERRORS_LOGGED: usize = 5;
const ACCEPT_HTML: &str = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

/// Options of `type: feed`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedOptions {
    /// The feed's URL (http or https). An HTML page is searched for its feed link.
    pub url: String,
    /// How often to poll; default `defaults.interval`.
    #[serde(default)]
    pub interval: Option<Duration>,
    /// Whole-request timeout (headers and body); default `defaults.timeout`.
    #[serde(default)]
    pub timeout: Option<Duration>,
    /// Largest body accepted, counted after decompression (bytes or a size such as `10MB`);
    /// default `defaults.max_bytes`.
    #[serde(default)]
    pub max_bytes: Option<feedloom_core::Size>,
    /// Most redirects followed; default `defaults.max_redirects`.
    #[serde(default)]
    pub max_redirects: Option<usize>,
    /// User-Agent header; default `defaults.user_agent`, else `feedloom/VERSION`.
    #[serde(default)]
    pub user_agent: Option<String>,
    /// Extra request headers (values may use `${ENV}`). Not sent to other hosts on redirect,
    /// nor with article fetches.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// HTTP basic authentication for the feed (not sent to other hosts).
    #[serde(default)]
    pub basic_auth: Option<BasicAuth>,
    /// Fetch each new item's link and put the page's main text into `text`; default
    /// `defaults.fulltext` (false).
    #[serde(default)]
    pub fulltext: Option<bool>,
    /// Article pages fetched at once for this source; default `defaults.fulltext_concurrency`
    /// (4).
    #[serde(default)]
    pub fulltext_concurrency: Option<usize>,
    /// Allow article fetches to private, loopback, link-local and metadata addresses;
    /// default `defaults.fetch_private_networks` (false: a feed must not make feedloom probe
    /// the operator's network).
    #[serde(default)]
    pub fetch_private_networks: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    /// The user name.
    pub username: String,
    /// The password, if any; write `${VAR}` to keep it out of the file.
    #[serde(default)]
    pub password: Option<String>,
}

pub fn register(reg: &mut Registry) {
    reg.register_source(
        "feed",
        "RSS, Atom and JSON Feed over HTTP (conditional GET, redirects, discovery, full text)",
        FeedSource::build,
    );
}

/// Validators of the last delivered response (state `feed` / `v/<id>`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Validators {
    /// The URL these validators belong to.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// sha256 of the body: an unchanged body from a server without validators is not parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
}

/// Where the feed moved (state `feed` / `loc/<id>`): a permanent redirect or discovery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// The `url` from the config this applies to (a changed config forgets the move).
    pub configured: String,
    pub current: String,
    /// `redirect` or `discovery`.
    pub via: String,
}

/// The state key of a source's validators.
pub fn validators_key(source_id: &str) -> String {
    format!("v/{source_id}")
}
/// The state key of a source's moved location.
pub fn location_key(source_id: &str) -> String {
    format!("loc/{source_id}")
}

/// An HTTP feed.
pub struct FeedSource {
    url: String,
    /// The configured URL's host: the only one that gets `headers` and `basic_auth`.
    credentials_host: Option<String>,
    interval: Option<std::time::Duration>,
    timeout: std::time::Duration,
    max_bytes: u64,
    max_redirects: usize,
    user_agent: String,
    headers: HeaderMap,
    basic_auth: Option<BasicAuth>,
    fulltext: bool,
    fulltext_concurrency: usize,
    /// Time allowed for all of one poll's article fetches.
    fulltext_budget: std::time::Duration,
    fetch_private_networks: bool,
    /// `defaults.retention`: items published before `now - retention` are skipped.
    retention: std::time::Duration,
    /// Whether the "old items skipped" line was logged at info level already.
    logged_old: std::sync::atomic::AtomicBool,
    state: Arc<dyn StateStore>,
    shared: Arc<Shared>,
    /// The location in use, as last read or written (logs a move once).
    location: Mutex<Option<Location>>,
}

impl FeedSource {
    pub fn build(o: FeedOptions, ctx: &BuildContext) -> Result<Self, BuildError> {
        let url = url::Url::parse(o.url.trim())
            .map_err(|e| BuildError::at("url", format!("invalid URL {:?}: {e}", o.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(BuildError::at(
                "url",
                format!("not an http(s) URL: {:?}", o.url),
            ));
        }
        let headers = http::header_map(&o.headers)
            .map_err(|(k, msg)| BuildError::at(format!("headers.{k}"), msg))?;
        let user_agent = o
            .user_agent
            .clone()
            .or_else(|| ctx.defaults.user_agent.clone())
            .unwrap_or_else(|| format!("feedloom/{}", feedloom_core::VERSION));
        reqwest::header::HeaderValue::from_str(&user_agent)
            .map_err(|e| BuildError::at("user_agent", format!("invalid user agent: {e}")))?;
        if o.max_bytes.map(feedloom_core::Size::get) == Some(0) {
            return Err(BuildError::at("max_bytes", "must be at least 1"));
        }
        if o.fulltext_concurrency == Some(0) {
            return Err(BuildError::at("fulltext_concurrency", "must be at least 1"));
        }
        let d = &ctx.defaults;
        let shared = ctx.resources.get_or_init(|| Shared::new(d));
        Ok(FeedSource {
            credentials_host: url.host_str().map(str::to_string),
            url: url.to_string(),
            interval: o.interval.map(Duration::get),
            timeout: o.timeout.unwrap_or(d.timeout).get(),
            max_bytes: o.max_bytes.unwrap_or(d.max_bytes).get(),
            max_redirects: o.max_redirects.unwrap_or(d.max_redirects),
            user_agent,
            headers,
            basic_auth: o.basic_auth,
            fulltext: o.fulltext.unwrap_or(d.fulltext),
            fulltext_concurrency: o
                .fulltext_concurrency
                .unwrap_or(d.fulltext_concurrency)
                .max(1),
            // Half the runtime's poll timeout (10 × defaults.timeout, at least 60 s).
            fulltext_budget: (d.timeout.get() * 5).max(std::time::Duration::from_secs(30)),
            fetch_private_networks: o.fetch_private_networks.unwrap_or(d.fetch_private_networks),
            retention: d.retention.get(),
            logged_old: std::sync::atomic::AtomicBool::new(false),
            state: ctx.state.clone(),
            shared,
            location: Mutex::new(None),
        })
    }

    /// The URL fetched next: the configured one, or where it permanently moved.
    pub fn current_url(&self, source_id: &str) -> String {
        let mut cached = self.location.lock_unpoisoned();
        if cached.is_none()
            && let Ok(Some(bytes)) = self.state.get(STATE_NS, &location_key(source_id))
            && let Ok(loc) = serde_json::from_slice::<Location>(&bytes)
        {
            *cached = Some(loc);
        }
        match cached.as_ref() {
            Some(loc) if loc.configured == self.url => loc.current.clone(),
            _ => self.url.clone(),
        }
    }

    /// Remember that the feed lives at `to` now (written at once, logged once).
    fn moved(&self, source_id: &str, to: &str, via: &str) {
        let loc = Location {
            configured: self.url.clone(),
            current: to.to_string(),
            via: via.to_string(),
        };
        {
            let mut cached = self.location.lock_unpoisoned();
            if cached.as_ref() == Some(&loc) {
                return;
            }
            *cached = Some(loc.clone());
        }
        if via == "discovery" {
            tracing::info!(source = %source_id, from = %self.url, feed = %to, "found the feed link on the HTML page; using it");
        } else {
            tracing::info!(source = %source_id, from = %self.url, to = %to, "feed moved permanently; using the new URL");
        }
        let bytes = serde_json::to_vec(&loc).unwrap_or_default();
        if let Err(e) = self.state.put(STATE_NS, &location_key(source_id), &bytes) {
            tracing::warn!(source = %source_id, error = %e, "cannot save the feed's new URL");
        }
    }

    /// The moved-to URL is gone (404/410): go back to the configured URL next time.
    fn forget_move(&self, source_id: &str, gone: &str) {
        *self.location.lock_unpoisoned() = None;
        tracing::info!(source = %source_id, gone = %gone, url = %self.url, "the feed's new URL is gone; going back to the configured URL");
        if let Err(e) = self.state.delete(STATE_NS, &location_key(source_id)) {
            tracing::warn!(source = %source_id, error = %e, "cannot forget the feed's new URL");
        }
    }

    fn validators(&self, source_id: &str, url: &str) -> Option<Validators> {
        let bytes = self
            .state
            .get(STATE_NS, &validators_key(source_id))
            .ok()??;
        serde_json::from_slice::<Validators>(&bytes)
            .ok()
            .filter(|v| v.url == url)
    }

    fn spec<'a>(&'a self, url: &'a str, v: Option<&'a Validators>) -> http::RequestSpec<'a> {
        http::RequestSpec {
            url,
            timeout: self.timeout,
            max_bytes: self.max_bytes,
            max_redirects: self.max_redirects,
            user_agent: &self.user_agent,
            accept: ACCEPT_FEED,
            headers: &self.headers,
            credentials_host: self.credentials_host.as_deref(),
            basic_auth: self
                .basic_auth
                .as_ref()
                .map(|b| (b.username.as_str(), b.password.as_deref())),
            etag: v.and_then(|v| v.etag.as_deref()),
            last_modified: v.and_then(|v| v.last_modified.as_deref()),
            guarded: false,
        }
    }

    /// Drop items published before the dedup window (`defaults.retention`): their delivered
    /// marks are pruned after that long, so such an item, still listed by a slow feed,
    /// would be delivered a second time. Only once the source has been polled to completion
    /// (its validators are stored): a new subscription gets the whole feed, as a reader
    /// would show it. Logged at info level once, then at debug level.
    fn skip_old(&self, source_id: &str, items: &mut Vec<Item>) {
        let polled_before = matches!(
            self.state.get(STATE_NS, &validators_key(source_id)),
            Ok(Some(_))
        );
        if !polled_before {
            return;
        }
        let Ok(window) = chrono::Duration::from_std(self.retention) else {
            return;
        };
        let Some(cutoff) = chrono::Utc::now().checked_sub_signed(window) else {
            return;
        };
        let before = items.len();
        items.retain(|it| it.published.is_none_or(|p| p >= cutoff));
        let skipped = before - items.len();
        if skipped == 0 {
            return;
        }
        let retention = feedloom_core::Duration(self.retention);
        if !self
            .logged_old
            .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            tracing::info!(source = %source_id, skipped, retention = %retention, "skipping items published before the dedup retention window (they could come back as duplicates once forgotten)");
        } else {
            tracing::debug!(source = %source_id, skipped, "skipping items older than the retention window");
        }
    }

    /// Fetch each new item's page, replace `text` with its main text and fill what the feed
    /// lacks from the page's metadata (date, authors, image...). Failures are logged (a
    /// bounded number of lines a poll), leave the feed's text in place and say why in the
    /// item's `fulltext_error`. Returns the bytes read and the number of failures.
    async fn add_fulltext(&self, ctx: &SourceContext<'_>, items: &mut [Item]) -> (u64, u64) {
        let todo: Vec<(usize, String)> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| !(ctx.delivered)(&it.id))
            .filter_map(|(i, it)| {
                let u = it.url.as_deref()?;
                (u.starts_with("http://") || u.starts_with("https://")).then(|| (i, u.to_string()))
            })
            .collect();
        let source_id = ctx.source_id;
        // The whole full-text phase has a budget, well inside the runtime's poll timeout;
        // articles not reached in time keep the feed's text.
        let deadline = tokio::time::Instant::now() + self.fulltext_budget;
        let results: Vec<(usize, Option<ArticleResult>)> = futures_util::stream::iter(todo)
            .map(|(i, url)| async move {
                let r = tokio::time::timeout_at(deadline, self.fetch_article(&url)).await;
                (i, r.ok())
            })
            .buffer_unordered(self.fulltext_concurrency)
            .collect()
            .await;
        let (mut bytes, mut failed, mut skipped) = (0, 0usize, 0usize);
        for (i, r) in results {
            match r {
                Some(Ok((article, n))) => {
                    bytes += n;
                    match article {
                        Some(a) => {
                            if let Some(t) = a.text {
                                items[i].text = t;
                            }
                            a.meta.fill(&mut items[i], false);
                        }
                        None => {
                            items[i].fulltext_error = Some("not an HTML page".into());
                        }
                    }
                }
                Some(Err(e)) => {
                    failed += 1;
                    items[i].fulltext_error = Some(format!("{}: {}", e.kind.label(), e.message));
                    if failed <= MAX_ARTICLE_ERRORS_LOGGED {
                        tracing::warn!(source = %source_id, url = items[i].url.as_deref().unwrap_or(""), kind = %e.kind.label(), error = %e, "full text not fetched; keeping the feed's text");
                    }
                }
                None => {
                    skipped += 1;
                    items[i].fulltext_error = Some("full-text time budget used up".into());
                }
            }
        }
        if failed > MAX_ARTICLE_ERRORS_LOGGED {
            tracing::warn!(source = %source_id, failed, "full text not fetched for {} more articles", failed - MAX_ARTICLE_ERRORS_LOGGED);
        }
        if skipped > 0 {
            tracing::warn!(source = %source_id, skipped, budget = ?self.fulltext_budget, "full-text time budget used up; the remaining articles keep the feed's text");
        }
        (bytes, (failed + skipped) as u64)
    }

    /// One article page: its main text and metadata (None when it is not an HTML page) and
    /// the bytes read.
    pub async fn fetch_article(&self, url: &str) -> ArticleResult {
        let page = self.fetch_page(url).await?;
        let n = page.body.len() as u64;
        if !page.is_html() {
            return Ok((None, n));
        }
        let article = tokio::task::spawn_blocking(move || page.read())
            .await
            .map_err(|e| SourceError::new(SourceErrorKind::Other, format!("extraction: {e}")))??;
        Ok((Some(article), n))
    }

    /// Fetch a page with this source's HTTP client, limits and private-network guard.
    pub async fn fetch_page(&self, url: &str) -> Result<Page, SourceError> {
        let empty = HeaderMap::new();
        let spec = http::RequestSpec {
            url,
            timeout: self.timeout,
            max_bytes: self.max_bytes,
            max_redirects: self.max_redirects,
            user_agent: &self.user_agent,
            accept: ACCEPT_HTML,
            headers: &empty,
            credentials_host: None,
            basic_auth: None,
            etag: None,
            last_modified: None,
            guarded: !self.fetch_private_networks,
        };
        let f = http::fetch(&self.shared, &spec).await?;
        Ok(Page {
            body: f.body,
            final_url: f.final_url,
            content_type: f.content_type,
        })
    }
}

/// Fetch one page as a `feed` source with these defaults would fetch an article: the same
/// HTTP client, timeouts, size limit, redirects, user agent and private-network guard
/// (`feedloom extract URL`).
pub async fn fetch_page(
    url: &str,
    defaults: &feedloom_core::Defaults,
) -> Result<Page, SourceError> {
    let mut ctx = BuildContext::for_tests(std::path::Path::new("."));
    ctx.id = "extract".into();
    ctx.defaults = defaults.clone();
    let opts: FeedOptions = serde_json::from_value(serde_json::json!({ "url": url }))
        .map_err(|e| SourceError::new(SourceErrorKind::Other, format!("{url}: {e}")))?;
    let src = FeedSource::build(opts, &ctx)
        .map_err(|e| SourceError::new(SourceErrorKind::Other, format!("{url}: {e}")))?;
    src.fetch_page(url).await
}

/// A fetched page.
pub struct Page {
    pub body: Vec<u8>,
    /// Where the page was found (after redirects).
    pub final_url: String,
    pub content_type: Option<String>,
}

impl Page {
    /// Is it HTML (or text, or unlabelled)?
    pub fn is_html(&self) -> bool {
        self.content_type.as_deref().is_none_or(|ct| {
            let ct = ct.to_ascii_lowercase();
            ct.contains("html") || ct.starts_with("text/")
        })
    }

    /// Its main text and metadata (blocking: run it off the reactor). An error when the
    /// page cannot be read (too many elements, nested too deep, the extractor failed).
    pub fn read(self) -> Result<Article, SourceError> {
        let html = crate::decode::to_utf8_string(&self.body, self.content_type.as_deref());
        let text = crate::fulltext::main_text_of(&html, Some(&self.final_url)).map_err(|why| {
            SourceError::new(SourceErrorKind::Parse, format!("{}: {why}", self.final_url))
        })?;
        let meta = crate::meta::page_meta(
            &html,
            Some(&self.final_url),
            text.as_deref(),
            chrono::Utc::now(),
        );
        Ok(Article { text, meta })
    }
}

/// An article page read: its main text (when one was found) and what it says about itself.
#[derive(Debug)]
pub struct Article {
    pub text: Option<String>,
    pub meta: crate::meta::PageMeta,
}

/// An article fetch: the page read (None when it is not HTML) and the bytes read.
type ArticleResult = Result<(Option<Article>, u64), SourceError>;

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

#[async_trait]
impl Source for FeedSource {
    fn interval(&self) -> Option<std::time::Duration> {
        self.interval
    }

    fn describe(&self) -> String {
        self.url.clone()
    }

    async fn poll(&self, ctx: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        let source_id = ctx.source_id;
        let url = self.current_url(source_id);
        let v = self.validators(source_id, &url);
        let mut f = match http::fetch(&self.shared, &self.spec(&url, v.as_ref())).await {
            Ok(f) => f,
            Err(e) => {
                if url != self.url && matches!(e.kind, SourceErrorKind::Status(404 | 410)) {
                    self.forget_move(source_id, &url);
                }
                return Err(e);
            }
        };
        if let Some(p) = &f.permanent_url {
            self.moved(source_id, p, "redirect");
        }
        let mut bytes = f.body.len() as u64;
        if f.not_modified {
            return Ok(PollBatch {
                outcome: PollOutcome::NotModified,
                bytes,
                ..PollBatch::default()
            });
        }
        // An HTML page: find the feed it links to, once.
        if looks_like_html(f.content_type.as_deref(), &f.body) {
            let Some(feed_url) = find_feed_link(&f.body, &f.final_url) else {
                return Err(SourceError::new(
                    SourceErrorKind::Parse,
                    format!(
                        "{}: an HTML page, not a feed, and it links to no RSS, Atom or JSON feed",
                        f.final_url
                    ),
                ));
            };
            if feed_url == f.final_url {
                return Err(SourceError::new(
                    SourceErrorKind::Parse,
                    format!(
                        "{}: an HTML page that names itself as its feed",
                        f.final_url
                    ),
                ));
            }
            let v2 = self.validators(source_id, &feed_url);
            let f2 = http::fetch(&self.shared, &self.spec(&feed_url, v2.as_ref()))
                .await
                .map_err(|mut e| {
                    e.message = format!("feed link found on {}: {}", f.final_url, e.message);
                    e
                })?;
            if looks_like_html(f2.content_type.as_deref(), &f2.body) && !f2.not_modified {
                return Err(SourceError::new(
                    SourceErrorKind::Parse,
                    format!(
                        "{}: the feed link found on {} is an HTML page too",
                        f2.final_url, f.final_url
                    ),
                ));
            }
            self.moved(
                source_id,
                f2.permanent_url.as_deref().unwrap_or(&feed_url),
                "discovery",
            );
            bytes += f2.body.len() as u64;
            f = f2;
            if f.not_modified {
                return Ok(PollBatch {
                    outcome: PollOutcome::NotModified,
                    bytes,
                    ..PollBatch::default()
                });
            }
        }
        // The URL the validators belong to: where we will ask next time.
        let next_url = self.current_url(source_id);
        let digest = sha256_hex(&f.body);
        let prev = self.validators(source_id, &next_url);
        if prev
            .as_ref()
            .is_some_and(|p| p.body_sha256.as_deref() == Some(digest.as_str()))
        {
            return Ok(PollBatch {
                outcome: PollOutcome::NotModified,
                bytes,
                ..PollBatch::default()
            });
        }
        let body = std::mem::take(&mut f.body);
        let base = f.final_url.clone();
        let sid = source_id.to_string();
        let content_type = f.content_type.clone();
        let parsed = tokio::task::spawn_blocking(move || {
            parse_feed_doc(&to_utf8(&body, content_type.as_deref()), Some(&base), &sid)
        })
        .await
        .map_err(|e| SourceError::new(SourceErrorKind::Other, format!("parser: {e}")))?
        .map_err(|mut e| {
            e.message = format!("{}: {}", f.final_url, e.message);
            e
        })?;
        let skipped = parsed.skipped as u64;
        let mut items = parsed.items;
        self.skip_old(source_id, &mut items);
        let mut fulltext_failed = 0;
        if self.fulltext {
            let (n, failed) = self.add_fulltext(ctx, &mut items).await;
            bytes += n;
            fulltext_failed = failed;
        }
        for it in &mut items {
            crate::meta::settle_published(it);
        }
        let validators = Validators {
            url: next_url,
            etag: f.etag,
            last_modified: f.last_modified,
            body_sha256: Some(digest),
        };
        // A truncated body is not remembered: with its ETag saved, the next poll would get
        // a 304 (or the same body hash) and the items after the cut would never be seen.
        // Without it, the next poll fetches the whole feed again; the items delivered from
        // the truncated copy are known by their ids and not delivered twice.
        let commit = if parsed.truncated {
            Vec::new()
        } else {
            vec![StateOp::put(
                STATE_NS,
                validators_key(source_id),
                serde_json::to_vec(&validators).unwrap_or_default(),
            )]
        };
        Ok(PollBatch {
            items,
            commit,
            outcome: PollOutcome::Ok,
            bytes,
            skipped,
            fulltext_failed,
        })
    }
}
