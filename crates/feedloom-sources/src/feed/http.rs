//! The HTTP side of the feed source: one shared client, the global and per-host limits,
//! redirects followed by hand (to tell 301/308 from 302/307), bodies capped at `max_bytes`
//! after decompression, and the private-network guard for article fetches.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use feedloom_core::backoff::parse_retry_after;
use feedloom_core::sync::LockExt;
use feedloom_core::{Defaults, SourceError, SourceErrorKind};
use reqwest::header::{self, HeaderMap, HeaderValue};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

/// What every feed source shares (one per process, via `BuildContext.resources`).
pub struct Shared {
    /// For feeds (operator-configured, trusted) and for article fetches when
    /// `fetch_private_networks: true`.
    pub(crate) client: Result<reqwest::Client, String>,
    /// For article fetches: its resolver refuses private, loopback, link-local and metadata
    /// addresses (checked on every connection, so DNS rebinding does not get through).
    pub(crate) guarded: Result<reqwest::Client, String>,
    global: Arc<Semaphore>,
    per_host: usize,
    /// The longest Retry-After honoured (`defaults.max_backoff`): a server asking for a
    /// year does not silence its feed for a year.
    max_retry_after: Duration,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl Shared {
    pub fn new(d: &Defaults) -> Self {
        let build = |guard: bool| {
            let mut b = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(d.connect_timeout.get())
                .pool_idle_timeout(Duration::from_secs(30))
                .pool_max_idle_per_host(d.per_host_concurrency.max(1))
                .gzip(true)
                .brotli(true)
                .deflate(true);
            if guard {
                b = b.dns_resolver(Arc::new(GuardedResolver));
            }
            b.build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))
        };
        Shared {
            client: build(false),
            guarded: build(true),
            global: Arc::new(Semaphore::new(d.max_concurrent_fetches.max(1))),
            per_host: d.per_host_concurrency.max(1),
            max_retry_after: d.max_backoff.get(),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Wait for a global slot and a slot for `host`.
    async fn permits(self: &Arc<Self>, host: &str) -> Permits {
        let sem = {
            let mut m = self.hosts.lock_unpoisoned();
            m.entry(host.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .clone()
        };
        // The host's slot first: fetches queued behind a slow host do not hold global slots
        // that other hosts could use.
        let host_permit = sem.clone().acquire_owned().await.ok();
        let global = self.global.clone().acquire_owned().await.ok();
        Permits {
            shared: self.clone(),
            host: host.to_string(),
            sem: Some(sem),
            host_permit,
            _global: global,
        }
    }

    /// Hosts with a limiter entry (they are dropped when idle); for tests.
    pub fn tracked_hosts(&self) -> usize {
        self.hosts.lock().map(|m| m.len()).unwrap_or(0)
    }
}

/// A global and a per-host slot. On drop the host's limiter is forgotten when nobody else
/// uses it, so article fetches to ever-new hosts do not grow the map.
struct Permits {
    shared: Arc<Shared>,
    host: String,
    sem: Option<Arc<Semaphore>>,
    host_permit: Option<OwnedSemaphorePermit>,
    _global: Option<OwnedSemaphorePermit>,
}

impl Drop for Permits {
    fn drop(&mut self) {
        drop(self.host_permit.take());
        if let Some(sem) = self.sem.take() {
            let mut m = self.shared.hosts.lock_unpoisoned();
            // Held by the map and by us only: idle.
            if Arc::strong_count(&sem) == 2 {
                m.remove(&self.host);
            }
        }
    }
}

/// How one request is made.
pub struct RequestSpec<'a> {
    pub url: &'a str,
    pub timeout: Duration,
    pub max_bytes: u64,
    pub max_redirects: usize,
    pub user_agent: &'a str,
    pub accept: &'static str,
    /// Extra headers, sent (with `basic_auth`) only to `credentials_host`.
    pub headers: &'a HeaderMap,
    /// The host of the configured URL: a redirect or a move elsewhere does not get the
    /// headers and credentials.
    pub credentials_host: Option<&'a str>,
    pub basic_auth: Option<(&'a str, Option<&'a str>)>,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
    /// Article fetch: refuse private addresses (unless `allow_private`).
    pub guarded: bool,
}

/// A response that was read.
pub struct Fetched {
    /// The URL the body came from (after redirects).
    pub final_url: String,
    /// Set when every redirect on the way was permanent (301/308): where to fetch next time.
    pub permanent_url: Option<String>,
    pub not_modified: bool,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_type: Option<String>,
}

/// GET `spec.url`, following redirects by hand.
pub async fn fetch(shared: &Arc<Shared>, spec: &RequestSpec<'_>) -> Result<Fetched, SourceError> {
    let client = if spec.guarded {
        &shared.guarded
    } else {
        &shared.client
    };
    let client = client
        .as_ref()
        .map_err(|e| SourceError::new(SourceErrorKind::Other, e.clone()))?;
    let mut url = parse_http_url(spec.url)?;
    let start_host = url.host_str().map(str::to_string);
    let mut all_permanent = true;
    let mut hops = 0usize;
    loop {
        if spec.guarded {
            check_ip_literal(&url)?;
        }
        let host = url.host_str().unwrap_or("").to_string();
        let same_start = url.host_str().map(str::to_string) == start_host;
        let trusted = spec.credentials_host.is_some() && url.host_str() == spec.credentials_host;
        // Waiting for a slot is queueing, not this poll's work (see feedloom_core::deadline).
        let _permits = feedloom_core::deadline::queued(shared.permits(&host)).await;
        let mut req = client
            .get(url.clone())
            .timeout(spec.timeout)
            .header(header::USER_AGENT, spec.user_agent)
            .header(header::ACCEPT, spec.accept);
        if trusted {
            req = req.headers(spec.headers.clone());
            if let Some((u, p)) = spec.basic_auth {
                req = req.basic_auth(u, p);
            }
        }
        if hops == 0 || same_start {
            if let Some(etag) = spec.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = spec.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let resp = req.send().await.map_err(|e| request_error(&url, &e))?;
        let status = resp.status();
        if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
            let Some(loc) = resp
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
            else {
                return Err(SourceError::new(
                    SourceErrorKind::Status(status.as_u16()),
                    format!("{url}: HTTP {status} without a Location header"),
                ));
            };
            let next = url.join(loc.trim()).map_err(|e| {
                SourceError::new(
                    SourceErrorKind::Other,
                    format!("{url}: bad redirect Location {loc:?}: {e}"),
                )
            })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(SourceError::new(
                    SourceErrorKind::Other,
                    format!("{url}: redirect to a non-HTTP URL {next}"),
                ));
            }
            hops += 1;
            if hops > spec.max_redirects {
                return Err(SourceError::new(
                    SourceErrorKind::Other,
                    format!(
                        "too many redirects (more than {}) starting at {}",
                        spec.max_redirects, spec.url
                    ),
                ));
            }
            all_permanent &= matches!(status.as_u16(), 301 | 308);
            url = next;
            continue;
        }
        let final_url = url.to_string();
        let permanent_url = (hops > 0 && all_permanent).then(|| final_url.clone());
        let hdr = |name: header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let etag = hdr(header::ETAG);
        let last_modified = hdr(header::LAST_MODIFIED);
        let content_type = hdr(header::CONTENT_TYPE);
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched {
                final_url,
                permanent_url,
                not_modified: true,
                body: Vec::new(),
                etag,
                last_modified,
                content_type,
            });
        }
        if !status.is_success() {
            let retry_after = if matches!(status.as_u16(), 429 | 503) {
                hdr(header::RETRY_AFTER)
                    .and_then(|v| parse_retry_after(&v, chrono::Utc::now()))
                    .map(|ra| ra.min(shared.max_retry_after))
            } else {
                None
            };
            // The same words on every retry (the runtime logs a failure streak once per
            // distinct reason): no countdown from an HTTP-date Retry-After in the message.
            let mut msg = format!("{final_url}: HTTP {status}");
            if retry_after.is_some() {
                msg.push_str(" (waiting as its Retry-After asks)");
            }
            return Err(
                SourceError::new(SourceErrorKind::Status(status.as_u16()), msg)
                    .with_retry_after(retry_after),
            );
        }
        let body = read_capped(resp, spec.max_bytes, &final_url).await?;
        return Ok(Fetched {
            final_url,
            permanent_url,
            not_modified: false,
            body,
            etag,
            last_modified,
            content_type,
        });
    }
}

/// Read a body chunk by chunk (decompressed), stopping as soon as it passes `max`.
async fn read_capped(
    mut resp: reqwest::Response,
    max: u64,
    url: &str,
) -> Result<Vec<u8>, SourceError> {
    let too_large = || {
        SourceError::new(
            SourceErrorKind::TooLarge,
            format!("{url}: body larger than max_bytes ({max} bytes, counted after decompression)"),
        )
    };
    // Content-Length is the encoded size; without a content encoding it is the body size.
    if resp.headers().get(header::CONTENT_ENCODING).is_none()
        && resp.content_length().is_some_and(|n| n > max)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() as u64 + chunk.len() as u64 > max {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => {
                let kind = if e.is_timeout() {
                    SourceErrorKind::Timeout
                } else if e.is_decode() {
                    SourceErrorKind::Parse
                } else {
                    SourceErrorKind::Other
                };
                return Err(SourceError::new(
                    kind,
                    format!("{url}: reading the body: {}", error_chain(&e)),
                ));
            }
        }
    }
}

fn parse_http_url(s: &str) -> Result<Url, SourceError> {
    let url = Url::parse(s)
        .map_err(|e| SourceError::new(SourceErrorKind::Other, format!("bad URL {s:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(SourceError::new(
            SourceErrorKind::Other,
            format!("not an http(s) URL: {s}"),
        ));
    }
    Ok(url)
}

fn request_error(url: &Url, e: &reqwest::Error) -> SourceError {
    let chain = error_chain(e);
    let kind = if find_private(e).is_some() {
        SourceErrorKind::Other
    } else if e.is_timeout() {
        SourceErrorKind::Timeout
    } else if e.is_connect() {
        SourceErrorKind::Connect
    } else {
        SourceErrorKind::Other
    };
    SourceError::new(kind, format!("{url}: {chain}"))
}

/// The error and its causes, `: `-separated, without repeats.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let m = s.to_string();
        if !out.contains(&m) {
            out.push_str(": ");
            out.push_str(&m);
        }
        cur = s.source();
    }
    out
}

fn find_private<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a PrivateAddress> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(p) = c.downcast_ref::<PrivateAddress>() {
            return Some(p);
        }
        cur = c.source();
    }
    None
}

/// A fetch was refused because the host is (or resolves to) a private address.
#[derive(Debug, thiserror::Error)]
#[error(
    "refused: {host} is a private, loopback, link-local or metadata address ({ip}); set fetch_private_networks: true to allow"
)]
pub struct PrivateAddress {
    pub host: String,
    pub ip: IpAddr,
}

fn check_ip_literal(url: &Url) -> Result<(), SourceError> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    if is_private(ip) {
        return Err(SourceError::new(
            SourceErrorKind::Other,
            format!(
                "{url}: {}",
                PrivateAddress {
                    host: url.host_str().unwrap_or("").to_string(),
                    ip
                }
            ),
        ));
    }
    Ok(())
}

/// Loopback, private (RFC 1918, unique local), link-local (including the cloud metadata
/// address 169.254.169.254), unspecified, CGNAT and IPv4-mapped forms of those.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private_v4(v4);
            }
            let seg0 = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || (seg0 & 0xfe00) == 0xfc00 // fc00::/7 unique local
                || (seg0 & 0xffc0) == 0xfe80 // fe80::/10 link-local
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) // AWS IPv6 metadata
        }
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // 100.64/10 carrier-grade NAT
}

/// A resolver that refuses names resolving to any private address.
struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(a) = addrs.iter().find(|a| is_private(a.ip())) {
                return Err(Box::new(PrivateAddress { host, ip: a.ip() })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Build a header map from the `headers` option.
pub fn header_map(
    h: &std::collections::BTreeMap<String, String>,
) -> Result<HeaderMap, (String, String)> {
    let mut m = HeaderMap::new();
    for (k, v) in h {
        let name = header::HeaderName::from_bytes(k.as_bytes())
            .map_err(|e| (k.clone(), format!("invalid header name {k:?}: {e}")))?;
        let value = HeaderValue::from_str(v)
            .map_err(|e| (k.clone(), format!("invalid value for header {k}: {e}")))?;
        m.insert(name, value);
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for s in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "100.64.0.1",
        ] {
            assert!(is_private(s.parse().unwrap()), "{s}");
        }
        for s in [
            "8.8.8.8",
            "172.32.0.1",
            "2001:4860:4860::8888",
            "93.184.216.34",
        ] {
            assert!(!is_private(s.parse().unwrap()), "{s}");
        }
    }
}
