//! Feed discovery: an HTML page's `<link rel="alternate" type="application/rss+xml" href=..>`.

use url::Url;

/// Does this response look like an HTML page rather than a feed?
/// The body wins over the Content-Type (servers lie both ways: feeds served as `text/html`,
/// HTML pages served as `application/rss+xml`); the Content-Type decides only when the body's
/// first element says nothing.
pub fn looks_like_html(content_type: Option<&str>, body: &[u8]) -> bool {
    match sniff(body) {
        Sniffed::Html => true,
        Sniffed::Feed => false,
        Sniffed::Unknown => content_type.is_some_and(|ct| {
            let ct = ct.to_ascii_lowercase();
            ct.contains("text/html") || ct.contains("application/xhtml")
        }),
    }
}

#[derive(Debug, PartialEq)]
enum Sniffed {
    Html,
    Feed,
    Unknown,
}

/// What the document's first element (after a BOM, whitespace, the XML declaration,
/// processing instructions, comments and the doctype) says it is. A JSON object is a feed
/// candidate; an HTML doctype or an `html`/`head`/`body` root is a page.
fn sniff(body: &[u8]) -> Sniffed {
    let head = &body[..body.len().min(4096)];
    // Decoded as the parser will (a UTF-16 feed's `<rss` is not ASCII bytes).
    let head = crate::decode::to_utf8_string(head, None).to_ascii_lowercase();
    let mut rest = head.trim_start_matches('\u{feff}').trim_start();
    loop {
        if rest.starts_with('{') {
            return Sniffed::Feed;
        }
        let skip_to = |s: &str, end: &str| s.find(end).map(|i| i + end.len());
        let next = if rest.starts_with("<?") {
            skip_to(rest, "?>")
        } else if rest.starts_with("<!--") {
            skip_to(rest, "-->")
        } else if let Some(doctype) = rest.strip_prefix("<!doctype") {
            if doctype.trim_start().starts_with("html") {
                return Sniffed::Html;
            }
            // An internal subset (`<!DOCTYPE rss [ <!ENTITY ...> ]>`) ends at `]>`.
            match (rest.find('['), rest.find('>')) {
                (Some(b), Some(g)) if b < g => skip_to(rest, "]>"),
                _ => skip_to(rest, ">"),
            }
        } else if let Some(tag) = rest.strip_prefix('<') {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'))
                .collect();
            return match name.as_str() {
                "html" | "head" | "body" => Sniffed::Html,
                "rss" | "feed" | "rdf:rdf" | "rdf" | "channel" => Sniffed::Feed,
                _ => Sniffed::Unknown,
            };
        } else {
            return Sniffed::Unknown;
        };
        match next {
            Some(n) => rest = rest[n..].trim_start(),
            None => return Sniffed::Unknown,
        }
    }
}

/// The first feed link of an HTML page, resolved against `base`; RSS preferred over Atom over
/// JSON Feed when a page offers several.
pub fn find_feed_link(html: &[u8], base: &str) -> Option<String> {
    let text = crate::decode::to_utf8_string(&html[..html.len().min(512 * 1024)], None);
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
    fn the_body_decides_when_the_content_type_lies() {
        let feed_types = Some("application/rss+xml");
        for page in [
            &b"\xef\xbb\xbf  <!-- generated --><!DOCTYPE html><html><head>"[..],
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"x\"><html xmlns=\"http://www.w3.org/1999/xhtml\">",
            b"<HTML><HEAD><TITLE>x</TITLE>",
            b"<head><meta charset=utf-8>",
        ] {
            assert!(looks_like_html(feed_types, page), "{}", String::from_utf8_lossy(page));
        }
        for feed in [
            &b"<?xml version=\"1.0\"?><?xml-stylesheet href=\"s.xsl\"?><!-- c --><rss version=\"2.0\">"[..],
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\">",
            b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
            b"<!DOCTYPE rss [ <!ENTITY a \"b\"> <!ENTITY c \"d\"> ]><rss>",
            b"  {\"version\": \"https://jsonfeed.org/version/1.1\"}",
        ] {
            assert!(!looks_like_html(Some("text/html"), feed), "{}", String::from_utf8_lossy(feed));
        }
        // Nothing to go on in the body: the Content-Type decides.
        assert!(looks_like_html(Some("text/html"), b"hello"));
        assert!(!looks_like_html(Some("application/xml"), b"<foo/>"));
        assert!(!looks_like_html(None, b""));
        // A UTF-16 feed served as text/html is still a feed.
        let utf16: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(
                "<rss version=\"2.0\">"
                    .encode_utf16()
                    .flat_map(u16::to_be_bytes),
            )
            .collect();
        assert!(!looks_like_html(Some("text/html"), &utf16));
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
