//! `type: webhook` — HTTP POST of a JSON array of items.
//!
//! ```yaml
//! - id: hook
//!   type: webhook
//!   url: https://example.org/ingest
//!   secret: ${WEBHOOK_SECRET}        # X-Feedloom-Signature: sha256=<hex HMAC-SHA256 of the body>
//!   headers: { Authorization: "Bearer ${TOKEN}" }
//!   batch_size: 100                  # items per request (default 1)
//!   batch_timeout: 1s                # wait this long for a batch to fill
//!   timeout: 10s
//! ```
//! Every request carries `Content-Type: application/json` and an `Idempotency-Key` derived
//! from the batch's item ids, the same on every retry and after a restart, so a receiver can
//! drop repeats. Connection errors, timeouts, 408, 429 and 5xx are retried by the runtime
//! (honouring Retry-After); other 4xx are permanent and the batch goes to the dead-letter
//! store. Redirects are not followed (a client following a 301/302 turns the POST into a
//! GET without the body, and a 200 to that would count as delivered): a 3xx is permanent,
//! and the message says to point `url` at the final address.
//!
//! The secret and header values never appear in logs or errors, and neither does the URL's
//! path or query (they often carry a token, as in Slack-style webhook URLs): messages name
//! the scheme, host and port only.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use feedloom_core::backoff::parse_retry_after;
use feedloom_core::{BuildContext, BuildError, Duration, Item, Registry, Sink, SinkError};
use hmac::{Hmac, Mac};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use schemars::JsonSchema;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Options of `type: webhook`.
#[derive(Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookOptions {
    /// Where to POST.
    pub url: String,
    /// Items per request.
    #[serde(default = "one")]
    pub batch_size: usize,
    /// How long to wait for a batch to fill.
    #[serde(default = "one_second")]
    pub batch_timeout: Duration,
    /// Key for the `X-Feedloom-Signature` HMAC (use `${ENV}`).
    #[serde(default)]
    pub secret: Option<String>,
    /// Extra request headers (values may use `${ENV}`).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Whole-request timeout.
    #[serde(default = "ten_seconds")]
    pub timeout: Duration,
}

fn one() -> usize {
    1
}
fn one_second() -> Duration {
    Duration::from_secs(1)
}
fn ten_seconds() -> Duration {
    Duration::from_secs(10)
}

impl fmt::Debug for WebhookOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookOptions")
            .field("url", &redacted_url(&self.url))
            .field("batch_size", &self.batch_size)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_sink(
        "webhook",
        "POSTs JSON arrays of items to a URL (HMAC-signed, idempotency keys, retries)",
        WebhookSink::build,
    );
}

pub struct WebhookSink {
    client: reqwest::Client,
    url: reqwest::Url,
    /// The URL without query or credentials, for messages.
    shown: String,
    secret: Option<Vec<u8>>,
    headers: HeaderMap,
    batch_size: usize,
    batch_timeout: StdDuration,
}

impl fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSink")
            .field("url", &self.shown)
            .finish_non_exhaustive()
    }
}

/// The URL as it may be shown: scheme, host and port; the path (which may hold a token),
/// query, fragment and userinfo are replaced by `…`.
pub fn redacted_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => {
            let origin = u.origin().ascii_serialization();
            let bare = u.path() == "/" && u.query().is_none() && u.fragment().is_none();
            if bare || origin == "null" {
                format!("{origin}/")
            } else {
                format!("{origin}/…")
            }
        }
        Err(_) => "<invalid url>".into(),
    }
}

impl WebhookSink {
    pub fn build(o: WebhookOptions, _ctx: &BuildContext) -> Result<Self, BuildError> {
        let url = reqwest::Url::parse(&o.url)
            .map_err(|e| BuildError::at("url", format!("invalid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(BuildError::at(
                "url",
                format!("unsupported scheme `{}` (use http or https)", url.scheme()),
            ));
        }
        if o.batch_size == 0 {
            return Err(BuildError::at(
                "batch_size",
                "batch_size must be at least 1",
            ));
        }
        let mut headers = HeaderMap::new();
        for (k, v) in &o.headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| BuildError::at(format!("headers.{k}"), "invalid header name"))?;
            let mut value = HeaderValue::from_str(v)
                .map_err(|_| BuildError::at(format!("headers.{k}"), "invalid header value"))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        let client = reqwest::Client::builder()
            .timeout(o.timeout.get())
            .connect_timeout(o.timeout.get().min(StdDuration::from_secs(10)))
            .user_agent(format!("feedloom/{}", feedloom_core::VERSION))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| BuildError::new(format!("cannot build HTTP client: {e}")))?;
        Ok(WebhookSink {
            client,
            shown: redacted_url(&o.url),
            url,
            secret: o.secret.filter(|s| !s.is_empty()).map(String::into_bytes),
            headers,
            batch_size: o.batch_size,
            batch_timeout: o.batch_timeout.get(),
        })
    }
}

/// `sha256=<hex>` of HMAC-SHA256(secret, body).
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The same key for the same batch: SHA-256 over the items' source and id.
pub fn idempotency_key(batch: &[Item]) -> String {
    let mut h = Sha256::new();
    for it in batch {
        h.update(it.source.as_bytes());
        h.update([0x1f]);
        h.update(it.id.as_bytes());
        h.update([0x1e]);
    }
    hex::encode(h.finalize())
}

#[async_trait]
impl Sink for WebhookSink {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        let body = serde_json::to_vec(batch)
            .map_err(|e| SinkError::permanent(format!("cannot encode batch: {e}")))?;
        let mut req = self
            .client
            .post(self.url.clone())
            .headers(self.headers.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", idempotency_key(batch));
        if let Some(secret) = &self.secret {
            req = req.header("X-Feedloom-Signature", signature(secret, &body));
        }
        let resp = match req.body(body).send().await {
            Ok(r) => r,
            Err(e) => {
                let what = if e.is_timeout() {
                    "timed out"
                } else if e.is_connect() {
                    "cannot connect"
                } else {
                    "request failed"
                };
                // reqwest's message names the URL with its query; say it ourselves.
                return Err(SinkError::retryable(format!("POST {}: {what}", self.shown)));
            }
        };
        let status = resp.status();
        if status.is_success() {
            return Ok(());
        }
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, chrono::Utc::now()));
        let msg = format!("POST {}: HTTP {}", self.shown, status.as_u16());
        let code = status.as_u16();
        if status.is_redirection() {
            return Err(SinkError::permanent(format!(
                "{msg} (a redirect: webhooks are not redirected, so that the POST and its body \
                 are never turned into a GET; set `url` to the final address)"
            )));
        }
        if code == 408 || code == 429 || status.is_server_error() {
            Err(SinkError::retryable(msg).with_retry_after(retry_after))
        } else {
            Err(SinkError::permanent(msg))
        }
    }

    fn batch_size(&self) -> usize {
        self.batch_size
    }

    fn batch_timeout(&self) -> StdDuration {
        self.batch_timeout
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::http::{HeaderMap as AxHeaders, StatusCode};
    use axum::routing::post;

    use super::*;

    type Seen = Arc<Mutex<Vec<(AxHeaders, Vec<u8>)>>>;

    async fn receiver(statuses: Vec<(u16, Option<&'static str>)>) -> (String, Seen) {
        let seen: Seen = Default::default();
        let queue = Arc::new(Mutex::new(statuses));
        let s = seen.clone();
        let app = Router::new().route(
            "/hook",
            post(move |h: AxHeaders, body: axum::body::Bytes| {
                let (s, q) = (s.clone(), queue.clone());
                async move {
                    s.lock().unwrap().push((h, body.to_vec()));
                    let (code, ra) = {
                        let mut q = q.lock().unwrap();
                        if q.is_empty() {
                            (200, None)
                        } else {
                            q.remove(0)
                        }
                    };
                    let mut hm = axum::http::HeaderMap::new();
                    if let Some(ra) = ra {
                        hm.insert("retry-after", ra.parse().unwrap());
                    }
                    (StatusCode::from_u16(code).unwrap(), hm, "")
                }
            }),
        );
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        (format!("http://{addr}/hook?token=s3cret"), seen)
    }

    fn sink(url: &str, secret: Option<&str>) -> WebhookSink {
        let dir = std::env::temp_dir();
        let o = WebhookOptions {
            url: url.into(),
            batch_size: 10,
            batch_timeout: one_second(),
            secret: secret.map(str::to_string),
            headers: BTreeMap::from([("X-Api-Key".to_string(), "hunter2".to_string())]),
            timeout: Duration::from_secs(5),
        };
        WebhookSink::build(o, &BuildContext::for_tests(&dir)).unwrap()
    }

    #[tokio::test]
    async fn posts_signed_json_arrays_with_stable_idempotency_keys() {
        let (url, seen) = receiver(vec![(503, Some("7")), (200, None)]).await;
        let s = sink(&url, Some("k3y"));
        let batch = vec![Item::new("a", "src"), Item::new("b", "src")];
        let e = s.send(&batch).await.unwrap_err();
        assert!(e.retryable);
        assert_eq!(e.retry_after, Some(StdDuration::from_secs(7)));
        assert!(
            !e.message.contains("s3cret"),
            "query string not shown: {}",
            e.message
        );
        s.send(&batch).await.unwrap();
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        for (h, body) in seen.iter() {
            assert_eq!(h["content-type"], "application/json");
            assert_eq!(h["x-api-key"], "hunter2");
            assert_eq!(
                h["x-feedloom-signature"].to_str().unwrap(),
                signature(b"k3y", body)
            );
            let v: serde_json::Value = serde_json::from_slice(body).unwrap();
            assert_eq!(v.as_array().unwrap().len(), 2);
        }
        assert_eq!(
            seen[0].0["idempotency-key"], seen[1].0["idempotency-key"],
            "same key on retry"
        );
        assert_ne!(idempotency_key(&batch[..1]), idempotency_key(&batch));
    }

    #[tokio::test]
    async fn classifies_statuses() {
        for (code, retryable) in [
            (400, false),
            (401, false),
            (404, false),
            (408, true),
            (429, true),
            (500, true),
            (502, true),
        ] {
            let (url, _) = receiver(vec![(code, None)]).await;
            let e = sink(&url, None)
                .send(&[Item::new("a", "s")])
                .await
                .unwrap_err();
            assert_eq!(e.retryable, retryable, "HTTP {code}");
            assert!(e.message.contains(&format!("HTTP {code}")));
        }
        // A redirect is permanent, and nothing follows it with a GET.
        let (url, seen) = receiver(vec![(301, None)]).await;
        let e = sink(&url, None)
            .send(&[Item::new("a", "s")])
            .await
            .unwrap_err();
        assert!(
            !e.retryable && e.message.contains("HTTP 301"),
            "{}",
            e.message
        );
        assert_eq!(seen.lock().unwrap().len(), 1, "not followed");
        // Nothing listening: retryable, and no secret in the message.
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        let e = sink(
            &format!("http://user:pw@127.0.0.1:{port}/services/T0/B0/p4thtok?token=s3cret"),
            None,
        )
        .send(&[Item::new("a", "s")])
        .await
        .unwrap_err();
        assert!(e.retryable);
        assert_eq!(
            e.message,
            format!("POST http://127.0.0.1:{port}/…: cannot connect")
        );
    }

    #[test]
    fn build_validates_and_debug_hides_secrets() {
        let dir = std::env::temp_dir();
        let ctx = BuildContext::for_tests(&dir);
        let bad = |url: &str| WebhookOptions {
            url: url.into(),
            batch_size: 1,
            batch_timeout: one_second(),
            secret: Some("topsecret".into()),
            headers: BTreeMap::from([("Authorization".into(), "Bearer tok3n".into())]),
            timeout: ten_seconds(),
        };
        assert_eq!(
            WebhookSink::build(bad("not a url"), &ctx).unwrap_err().path,
            "url"
        );
        assert_eq!(
            WebhookSink::build(bad("ftp://x/"), &ctx).unwrap_err().path,
            "url"
        );
        let dbg = format!(
            "{:?} {:?}",
            bad("https://h/x?k=v"),
            WebhookSink::build(bad("https://h/x?k=v"), &ctx).unwrap()
        );
        assert!(
            !dbg.contains("topsecret") && !dbg.contains("tok3n") && !dbg.contains("k=v"),
            "{dbg}"
        );
    }
}
