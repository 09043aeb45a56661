//! Feed bytes → items: RSS 0.9x/1.0/2.0, Atom and JSON Feed via feed-rs, mapped onto
//! [`Item`] with a stable id. Shared by the `file` and `feed` sources.

use chrono::Utc;
use feedloom_core::{Item, SourceError, SourceErrorKind};

/// Parse a feed document. `base` (the feed's URL) resolves relative links.
pub fn parse_feed(
    bytes: &[u8],
    base: Option<&str>,
    source_id: &str,
) -> Result<Vec<Item>, SourceError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SourceError::new(SourceErrorKind::Parse, "empty body"));
    }
    // feed-rs invents an id (random for an entry with no guid, link or title) when the
    // document has none. Invent nothing: an empty id sends us to our own stable key.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        .id_generator(|_links, _title, _uri| String::new())
        .build();
    let feed = parser
        .parse(bytes)
        .map_err(|e| SourceError::new(SourceErrorKind::Parse, format!("not a feed: {e}")))?;
    let fetched = Utc::now();
    let feed_lang = feed.language.clone();
    Ok(feed
        .entries
        .into_iter()
        .map(|e| entry_to_item(e, source_id, fetched, feed_lang.as_deref()))
        .collect())
}

fn entry_to_item(
    e: feed_rs::model::Entry,
    source_id: &str,
    fetched: chrono::DateTime<Utc>,
    feed_lang: Option<&str>,
) -> Item {
    // The article's page: an `alternate` link (or one without rel) before `self`,
    // `replies`, `enclosure` and friends.
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(e.links.first())
        .map(|l| l.href.clone());
    let title = e.title.map(|t| t.content);
    let summary = e.summary.map(|t| t.content);
    let content = e.content.and_then(|c| c.body);
    let guid = Some(e.id).filter(|id| !id.is_empty());
    let body_for_hash = content.as_deref().or(summary.as_deref()).unwrap_or("");
    let id = Item::stable_id(
        guid.as_deref(),
        link.as_deref(),
        title.as_deref().unwrap_or(""),
        body_for_hash,
    );
    let text = content
        .as_deref()
        .or(summary.as_deref())
        .map(html_to_text)
        .unwrap_or_default();
    Item {
        id,
        source: source_id.to_string(),
        url: link,
        title: title.map(|t| html_to_text(&t)),
        published: e.published.or(e.updated),
        fetched,
        authors: e
            .authors
            .into_iter()
            .filter_map(|p| p.name)
            .filter(|n| !n.is_empty())
            .collect(),
        summary: summary.map(|s| html_to_text(&s)),
        text,
        language: e
            .language
            .or(feed_lang.map(str::to_string))
            .map(|l| l.split(['-', '_']).next().unwrap_or("").to_lowercase()),
        ..Item::default()
    }
}

/// Plain text from an HTML fragment: tags dropped, block ends become paragraph breaks,
/// entities decoded, whitespace normalised.
pub fn html_to_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return normalise_ws(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            out.push_str(&rest[..lt]);
        }
        let after = &rest[lt..];
        let end = match after.find('>') {
            Some(e) => e,
            None => {
                rest = "";
                break;
            }
        };
        let tag = after[1..end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if let Some(stop) = skip_until {
            if tag.starts_with('/') && name == stop {
                skip_until = None;
            }
        } else if !tag.starts_with('/') && matches!(name.as_str(), "script" | "style") {
            skip_until = Some(if name == "script" { "script" } else { "style" });
        } else if matches!(
            name.as_str(),
            "p" | "div"
                | "br"
                | "li"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "blockquote"
                | "tr"
                | "section"
                | "article"
        ) {
            out.push_str("\n\n");
        }
        rest = &after[end + 1..];
    }
    if skip_until.is_none() {
        out.push_str(rest);
    }
    normalise_ws(&decode_entities(&out))
}

/// Decode the common named and numeric HTML entities.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let semi = after[..after.len().min(12)].find(';');
        let decoded = semi.and_then(|semi| {
            let ent = &after[1..semi];
            let ch = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                "ndash" => Some('–'),
                "mdash" => Some('—'),
                "lsquo" => Some('‘'),
                "rsquo" => Some('’'),
                "ldquo" => Some('“'),
                "rdquo" => Some('”'),
                "hellip" => Some('…'),
                _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                    u32::from_str_radix(&ent[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if ent.starts_with('#') => ent[1..].parse::<u32>().ok().and_then(char::from_u32),
                _ => None,
            }?;
            Some((ch, semi + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collapse runs of spaces inside lines, trim lines, and keep paragraph breaks (at most one
/// blank line between paragraphs).
pub fn normalise_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for line in s.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(&words.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.com/</link>
      <item><title>A &amp; B</title><link>/a</link><guid>g-1</guid><description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate></item>
      <item><title>No guid</title><link>http://example.com/b</link></item>
      <item><description>Only text</description></item>
    </channel></rss>"#;

    #[test]
    fn maps_entries_with_stable_ids() {
        let a = parse_feed(RSS.as_bytes(), Some("http://example.com/feed"), "s").unwrap();
        let b = parse_feed(RSS.as_bytes(), Some("http://example.com/feed"), "s").unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].id, "g-1");
        assert_eq!(a[0].title.as_deref(), Some("A & B"));
        assert_eq!(a[0].text, "Hello world");
        assert_eq!(
            a[0].url.as_deref(),
            Some("http://example.com/a"),
            "relative link resolved"
        );
        assert!(a[0].published.is_some());
        let ids_a: Vec<_> = a.iter().map(|i| i.id.clone()).collect();
        let ids_b: Vec<_> = b.iter().map(|i| i.id.clone()).collect();
        assert_eq!(ids_a, ids_b, "ids are stable across parses");
    }

    #[test]
    fn atom_prefers_the_alternate_link() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id><updated>2025-01-06T10:00:00Z</updated>
          <entry><id>urn:e1</id><title>E</title><updated>2025-01-06T10:00:00Z</updated>
            <link rel="replies" href="/comments/1"/><link rel="alternate" type="text/html" href="/posts/1"/>
            <author><name>Jane</name></author><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"#;
        let items = parse_feed(atom.as_bytes(), Some("https://example.com/atom.xml"), "s").unwrap();
        assert_eq!(items[0].id, "urn:e1");
        assert_eq!(items[0].url.as_deref(), Some("https://example.com/posts/1"));
        assert_eq!(items[0].authors, ["Jane"]);
        assert_eq!(items[0].text, "Body");
    }

    #[test]
    fn json_feed_maps() {
        let j = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://example.com/1","title":"One","content_html":"<p>Hi</p>","date_published":"2025-01-06T10:00:00Z"}]}"#;
        let items = parse_feed(j.as_bytes(), None, "s").unwrap();
        assert_eq!(items[0].id, "1");
        assert_eq!(items[0].text, "Hi");
        assert!(items[0].published.is_some());
    }

    #[test]
    fn rejects_empty_and_html() {
        assert_eq!(
            parse_feed(b"  \n", None, "s").unwrap_err().kind,
            SourceErrorKind::Parse
        );
        assert!(parse_feed(b"<html><body>hi</body></html>", None, "s").is_err());
    }

    #[test]
    fn html_to_text_keeps_paragraphs() {
        assert_eq!(
            html_to_text("<p>One  two</p><p>Three</p><script>x()</script>"),
            "One two\n\nThree"
        );
    }
}
