//! Feed discovery: an HTML page's `<link rel="alternate" type="application/rss+xml" href=..>`.

use url::Url;

/// Does this response look like an HTML page rather than a feed?
/// The body wins over the Content-Type: a feed served as `text/html` is still a feed.
pub fn looks_like_html(content_type: Option<&str>, body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<!doctype html") || head.starts_with("<html") {
        return true;
    }
    if head.starts_with('{')
        || ["<rss", "<feed", "<rdf:rdf", "<channel"]
            .iter()
            .any(|t| head.contains(t))
    {
        return false;
    }
    content_type.is_some_and(|ct| {
        let ct = ct.to_ascii_lowercase();
        ct.contains("text/html") || ct.contains("application/xhtml")
    })
}

/// The first feed link of an HTML page, resolved against `base`; RSS preferred over Atom over
/// JSON Feed when a page offers several.
pub fn find_feed_link(html: &[u8], base: &str) -> Option<String> {
    let text = String::from_utf8_lossy(&html[..html.len().min(512 * 1024)]);
    let lower = text.to_ascii_lowercase();
    let base = Url::parse(base).ok()?;
    let mut best: Option<(u8, String)> = None;
    let mut pos = 0;
    while let Some(i) = lower[pos..].find("<link") {
        let start = pos + i + 5;
        let Some(end) = lower[start..].find('>').map(|e| start + e) else {
            break;
        };
        pos = end;
        if !lower[start..].starts_with(|c: char| c.is_ascii_whitespace()) {
            continue;
        }
        let attrs = parse_attrs(&text[start..end]);
        let get = |name: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let rel_ok = get("rel").is_some_and(|r| {
            r.split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case("alternate"))
        });
        let rank = match get("type")
            .map(|t| t.trim().to_ascii_lowercase())
            .as_deref()
        {
            Some("application/rss+xml") => 0,
            Some("application/atom+xml") => 1,
            Some("application/feed+json") => 2,
            Some("application/json") => 3,
            _ => continue,
        };
        let Some(href) = get("href").map(str::trim).filter(|h| !h.is_empty()) else {
            continue;
        };
        if !rel_ok {
            continue;
        }
        let Ok(u) = base.join(&crate::parse::decode_entities(href)) else {
            continue;
        };
        if !matches!(u.scheme(), "http" | "https") {
            continue;
        }
        if best.as_ref().is_none_or(|(r, _)| rank < *r) {
            best = Some((rank, u.to_string()));
        }
    }
    best.map(|(_, u)| u)
}

/// `name="value"`, `name='value'` and `name=value` attributes, names lower-cased.
fn parse_attrs(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' && b[i] != b'/' {
            i += 1;
        }
        if ns == i {
            i += 1;
            continue;
        }
        let name = s[ns..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = s[vs..]
                    .bytes()
                    .position(|c| c == q)
                    .map_or(b.len(), |p| vs + p);
                i = (ve + 1).min(b.len());
                &s[vs..ve]
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                &s[vs..i]
            };
            out.push((name, value.to_string()));
        } else {
            out.push((name, String::new()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_resolves_alternate_links() {
        let html = br#"<!DOCTYPE html><html><head><link rel="stylesheet" href="/s.css">
            <link rel=alternate type="application/atom+xml" href="/atom.xml">
            <LINK REL="alternate" TYPE="application/rss+xml" title='RSS' HREF='feed.rss?a=1&amp;b=2'/>
            </head><body></body></html>"#;
        assert_eq!(
            find_feed_link(html, "http://example.com/blog/").as_deref(),
            Some("http://example.com/blog/feed.rss?a=1&b=2")
        );
        assert!(looks_like_html(None, html));
        assert!(looks_like_html(Some("text/html; charset=utf-8"), b"x"));
        assert!(!looks_like_html(Some("application/rss+xml"), b"<rss>"));
        assert!(!looks_like_html(
            Some("text/html"),
            b"<?xml version=\"1.0\"?><rss version=\"2.0\">"
        ));
    }

    #[test]
    fn no_link_or_garbage_gives_none() {
        assert_eq!(
            find_feed_link(b"<html><link rel=alternate href=x></html>", "http://a/"),
            None
        );
        assert_eq!(find_feed_link(b"<link", "http://a/"), None);
        assert_eq!(
            find_feed_link(
                b"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"javascript:x\">",
                "http://a/"
            ),
            None
        );
        assert_eq!(find_feed_link("<link é=\"é".as_bytes(), "http://a/"), None);
    }
}
