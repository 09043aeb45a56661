//! Feed bytes → items: RSS 0.9x/1.0/2.0, Atom and JSON Feed via feed-rs, mapped onto
//! [`Item`] with a stable id. Shared by the `file` and `feed` sources.

use std::borrow::Cow;

use chrono::Utc;
use feedloom_core::{Item, SourceError, SourceErrorKind};

use crate::decode::declared_encoding;
pub use crate::decode::to_utf8;
use crate::truncated::Completeness;

/// A parsed feed document.
#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub items: Vec<Item>,
    /// The document was cut off (a dropped connection): `items` are the complete ones
    /// before the cut. Whoever fetched it should not remember it as seen (no validators),
    /// so the next poll fetches it again and gets the items after the cut.
    pub truncated: bool,
}

/// Parse a feed document (any encoding: see [`to_utf8`]). `base` (the feed's URL) resolves
/// relative links.
///
/// A document that does not parse is repaired once and parsed again when the repair changes
/// it: bare `&` (as in `AT&T`, the commonest fault of hand-made RSS) become `&amp;` outside
/// CDATA sections and comments, and bytes that are not UTF-8 in a document that claims (or
/// defaults to) UTF-8 are replaced. If the repaired document fails too, the first error is
/// reported.
pub fn parse_feed(
    bytes: &[u8],
    base: Option<&str>,
    source_id: &str,
) -> Result<Vec<Item>, SourceError> {
    parse_feed_doc(bytes, base, source_id).map(|p| p.items)
}

/// [`parse_feed`], also saying whether the document was truncated. A truncated document
/// gives its complete items (logged as a warning with the source id and URL); one cut
/// before its first complete item is a parse error.
pub fn parse_feed_doc(
    bytes: &[u8],
    base: Option<&str>,
    source_id: &str,
) -> Result<ParsedFeed, SourceError> {
    let bytes = crate::decode::drop_late_declarations(to_utf8(bytes, None));
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SourceError::new(SourceErrorKind::Parse, "empty body"));
    }
    // quick-xml is a third-party parser: should it panic, judge the document complete and
    // let feed-rs (itself behind catch_unwind) have its say.
    let completeness = std::panic::catch_unwind(|| crate::truncated::check(&bytes))
        .unwrap_or(Completeness::Complete);
    let (feed, truncated) = match completeness {
        Completeness::Complete => (parse_repaired(&bytes, base)?, false),
        Completeness::Truncated(None) => {
            return Err(SourceError::new(
                SourceErrorKind::Parse,
                "not a feed: the document is truncated (cut off before its first complete item)",
            ));
        }
        Completeness::Truncated(Some(recovered)) => (parse_repaired(&recovered, base)?, true),
    };
    let fetched = Utc::now();
    let base_url = base.and_then(|b| url::Url::parse(b).ok());
    let feed_meta = FeedMeta {
        language: feed.language.clone(),
        authors: people(&feed.authors),
        base: base_url,
    };
    let items: Vec<Item> = feed
        .entries
        .into_iter()
        .map(|e| entry_to_item(e, source_id, fetched, &feed_meta))
        .collect();
    if truncated {
        tracing::warn!(source = %source_id, url = base.unwrap_or(""), recovered = items.len(), "feed truncated (the document is cut off); keeping the complete items before the cut");
    }
    Ok(ParsedFeed { items, truncated })
}

/// One parse, and one more of a repaired copy when the first fails.
fn parse_repaired(bytes: &[u8], base: Option<&str>) -> Result<feed_rs::model::Feed, SourceError> {
    match parse_doc(bytes, base) {
        Ok(feed) => Ok(feed),
        Err(first) => match repair_xml(bytes) {
            Some(fixed) => parse_doc(&fixed, base).map_err(|_| first),
            None => Err(first),
        },
    }
}

/// One feed-rs parse, on a parser of its own (a feed-rs parser that failed half-way through
/// an entry panics when used again), with a panic inside feed-rs turned into a parse error:
/// a hostile document must fail its source, not the thread it runs on.
fn parse_doc(bytes: &[u8], base: Option<&str>) -> Result<feed_rs::model::Feed, SourceError> {
    // feed-rs invents an id (random for an entry with no guid, link or title) when the
    // document has none. Invent nothing: an empty id sends us to our own stable key.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        .id_generator(|_links, _title, _uri| String::new())
        .build();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(bytes))) {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(e)) => Err(SourceError::new(
            SourceErrorKind::Parse,
            format!("not a feed: {e}"),
        )),
        Err(_) => Err(SourceError::new(
            SourceErrorKind::Parse,
            "not a feed: the feed parser gave up on this document (internal error)",
        )),
    }
}

/// What entries inherit from their feed.
struct FeedMeta {
    language: Option<String>,
    /// Atom: an entry without authors has the feed's.
    authors: Vec<String>,
    /// The feed's URL: links feed-rs left relative (JSON Feed) are resolved against it.
    base: Option<url::Url>,
}

/// A repaired copy of a malformed XML feed, or `None` when there is nothing to repair
/// (JSON, or no bare `&` and no invalid UTF-8 in a UTF-8 document).
fn repair_xml(bytes: &[u8]) -> Option<Vec<u8>> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace())?;
    if *first == b'{' {
        return None;
    }
    let utf8 = declared_encoding(bytes).is_none_or(|e| e == encoding_rs::UTF_8)
        && !bytes.starts_with(b"\xff\xfe")
        && !bytes.starts_with(b"\xfe\xff");
    let text: Cow<[u8]> = if utf8 {
        match String::from_utf8_lossy(bytes) {
            Cow::Borrowed(_) => Cow::Borrowed(bytes),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }
    } else {
        Cow::Borrowed(bytes)
    };
    let mut changed = matches!(text, Cow::Owned(_));
    let mut out = Vec::with_capacity(text.len() + 64);
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        // Raw sections: copied as they are.
        let raw_end = if rest.starts_with(b"<![CDATA[") {
            Some(find(rest, b"]]>").map_or(rest.len(), |e| e + 3))
        } else if rest.starts_with(b"<!--") {
            Some(find(rest, b"-->").map_or(rest.len(), |e| e + 3))
        } else {
            None
        };
        if let Some(n) = raw_end {
            out.extend_from_slice(&rest[..n]);
            i += n;
            continue;
        }
        if rest[0] == b'&' && !is_reference(&rest[1..]) {
            out.extend_from_slice(b"&amp;");
            changed = true;
        } else {
            out.push(rest[0]);
        }
        i += 1;
    }
    changed.then_some(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Does `s` (what follows an `&`) start with a character or entity reference (`#123;`,
/// `#x1F;`, `name;`)?
fn is_reference(s: &[u8]) -> bool {
    let s = &s[..s.len().min(64)];
    let Some(semi) = s.iter().position(|&b| b == b';') else {
        return false;
    };
    let r = &s[..semi];
    match r {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', dec @ ..] => !dec.is_empty() && dec.iter().all(u8::is_ascii_digit),
        [first, tail @ ..] => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && tail
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
        }
        [] => false,
    }
}

/// Display names of feed-rs people: the name, else the e-mail's owner as RSS writes it
/// (`desk@example.com (News Desk)` → `News Desk`).
fn people(p: &[feed_rs::model::Person]) -> Vec<String> {
    p.iter()
        .filter_map(|p| {
            let name = p.name.as_deref()?.trim();
            // feed-rs splits some of these into an e-mail and `(News Desk)`, not all.
            let name = match (name.find('('), name.ends_with(')')) {
                (Some(open), true) if open == 0 || name[..open].contains('@') => {
                    name[open + 1..name.len() - 1].trim()
                }
                _ => name,
            };
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

fn entry_to_item(
    e: feed_rs::model::Entry,
    source_id: &str,
    fetched: chrono::DateTime<Utc>,
    feed: &FeedMeta,
) -> Item {
    // The article's page: an `alternate` link (or one without rel) before `self`,
    // `replies`, `enclosure` and friends. feed-rs resolves XML links against the base URI and
    // xml:base; JSON Feed links it leaves as written, so resolve those here.
    let link = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(e.links.first())
        .map(|l| absolute(l.href.trim(), feed.base.as_ref()))
        .filter(|l| !l.is_empty());
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
    let mut authors = people(&e.authors);
    if authors.is_empty() {
        authors = feed.authors.clone();
    }
    Item {
        id,
        source: source_id.to_string(),
        url: link,
        title: title.map(|t| html_to_text(&t)).filter(|t| !t.is_empty()),
        published: e
            .published
            .filter(plausible_date)
            .or(e.updated.filter(plausible_date)),
        fetched,
        authors,
        summary: summary.map(|s| html_to_text(&s)).filter(|s| !s.is_empty()),
        text,
        language: e
            .language
            .or(feed.language.clone())
            .map(|l| l.split(['-', '_']).next().unwrap_or("").to_lowercase())
            .filter(|l| !l.is_empty()),
        ..Item::default()
    }
}

/// Item dates must have four-digit years (1000–9999): chrono accepts years up to 262143 and
/// below zero, which RFC 3339 cannot write and sinks would choke on; such a date is a
/// feed's mistake (or an attack), not a publication time.
fn plausible_date(d: &chrono::DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (1000..=9999).contains(&d.year())
}

/// `href` made absolute against `base` when it is relative (unchanged when it cannot be).
fn absolute(href: &str, base: Option<&url::Url>) -> String {
    if url::Url::parse(href).is_ok() {
        return href.to_string();
    }
    base.and_then(|b| b.join(href).ok())
        .map_or_else(|| href.to_string(), |u| u.to_string())
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

/// Decode HTML character references: every HTML5 named entity (`&eacute;`, `&hellip;`),
/// decimal and hex references, and the Windows-1252 meanings of `&#128;`–`&#159;` that
/// browsers apply. Anything else is left as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        // The longest named entity is 32 characters with its `;`.
        let window = &after.as_bytes()[..after.len().min(40)];
        let decoded = window.iter().position(|&b| b == b';').and_then(|semi| {
            let ent = &after[1..semi];
            let chars = if let Some(num) = ent.strip_prefix('#') {
                let code = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                }?;
                let c1 = markup5ever::data::C1_REPLACEMENTS;
                let ch = match code {
                    0x80..=0x9f => c1[(code - 0x80) as usize].or(char::from_u32(code)),
                    0 => Some('\u{fffd}'),
                    _ => char::from_u32(code),
                }?;
                [Some(ch), None]
            } else {
                let &(a, b) = markup5ever::data::NAMED_ENTITIES.get(&after[1..=semi])?;
                [char::from_u32(a), char::from_u32(b).filter(|_| b != 0)]
            };
            Some((chars, semi + 1))
        });
        match decoded {
            Some((chars, len)) => {
                out.extend(chars.into_iter().flatten());
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
        // Control characters other than whitespace (XML 1.0 forbids them; feeds have them).
        let clean: Cow<str> = if line.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            Cow::Owned(
                line.chars()
                    .filter(|c| !c.is_control() || c.is_whitespace())
                    .collect(),
            )
        } else {
            Cow::Borrowed(line)
        };
        let words: Vec<&str> = clean.split_whitespace().collect();
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
    fn every_html_entity_and_windows_1252_references() {
        assert_eq!(
            decode_entities(
                "caf&eacute; &hellip; &euro;5 &#8217; &#x2014; &#150; &NotANamedOne; &amp"
            ),
            "café … €5 ’ — – &NotANamedOne; &amp"
        );
        assert_eq!(
            html_to_text("<p>R&amp;D&nbsp;team &copy; 2025</p>"),
            "R&D team © 2025"
        );
        assert_eq!(normalise_ws("a\u{1}b\u{c}c  d"), "ab c d");
    }

    #[test]
    fn repairs_bare_ampersands_outside_cdata_only() {
        let bad = br#"<rss version="2.0"><channel><title>Q&A</title><item><guid>1</guid><title>AT&T &amp; co &#169; &x;</title><description><![CDATA[a & b]]></description></item><!-- x & y --></channel></rss>"#;
        let fixed = String::from_utf8(repair_xml(bad).unwrap()).unwrap();
        assert!(fixed.contains("Q&amp;A"));
        assert!(fixed.contains("AT&amp;T &amp; co &#169; &x;"));
        assert!(fixed.contains("<![CDATA[a & b]]>") && fixed.contains("<!-- x & y -->"));
        let items = parse_feed(bad, None, "s").unwrap();
        assert_eq!(items[0].title.as_deref(), Some("AT&T & co © &x;"));
        assert_eq!(items[0].text, "a & b");
        // Nothing to repair, or JSON: no second parse.
        assert!(repair_xml(b"<rss><channel></channel></rss>").is_none());
        assert!(repair_xml(b"{\"a\": \"&\"}").is_none());
        // Still broken after the repair: the first error is reported.
        let e = parse_feed(b"<rss version=\"2.0\"><channel>&<item>", None, "s").unwrap_err();
        assert!(e.message.starts_with("not a feed"), "{e}");
    }

    #[test]
    fn charsets() {
        let cp1252 = b"<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Caf\xe9 \x93q\x94</title></item></channel></rss>";
        // Content-Type names the charset; the document does not.
        let fixed = to_utf8(cp1252, Some("text/xml; charset=\"windows-1252\""));
        assert!(matches!(fixed, Cow::Owned(_)));
        let items = parse_feed(&fixed, None, "s").unwrap();
        assert_eq!(items[0].title.as_deref(), Some("Café “q”"));
        // No charset anywhere: bad bytes are replaced, the feed is not lost.
        let items = parse_feed(cp1252, None, "s").unwrap();
        assert_eq!(
            items[0].title.as_deref(),
            Some("Caf\u{fffd} \u{fffd}q\u{fffd}")
        );
        // Valid UTF-8 wins over a header that says otherwise.
        let utf8 = "<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Café</title></item></channel></rss>";
        assert!(matches!(
            to_utf8(utf8.as_bytes(), Some("text/xml; charset=iso-8859-1")),
            Cow::Borrowed(_)
        ));
        // A declaration that lies (says ISO-8859-1, is UTF-8) is rewritten.
        let liar = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Café</title></item></channel></rss>";
        let fixed = to_utf8(liar.as_bytes(), None);
        assert!(fixed.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss"));
        assert_eq!(
            parse_feed(&fixed, None, "s").unwrap()[0].title.as_deref(),
            Some("Café")
        );
        // A declared encoding is decoded here, and the declaration then says UTF-8.
        let mut latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Caf".to_vec();
        latin.extend_from_slice(b"\xe9</title></item></channel></rss>");
        assert!(
            to_utf8(&latin, Some("text/xml; charset=utf-8"))
                .starts_with(b"<?xml version='1.0' encoding='UTF-8'?>")
        );
        assert_eq!(
            parse_feed(&latin, None, "s").unwrap()[0].title.as_deref(),
            Some("Café")
        );
        assert_eq!(
            declared_encoding(b" <?xml version=\"1.0\" encoding = \"windows-1251\" ?><rss/>"),
            Some(encoding_rs::WINDOWS_1251)
        );
        assert_eq!(
            crate::decode::charset_param("text/xml;Charset=KOI8-R ; q=1").as_deref(),
            Some("KOI8-R")
        );
    }

    #[test]
    fn json_feed_links_are_resolved_and_rss_authors_named() {
        let j = r#"{"version":"https://jsonfeed.org/version/1","title":"J","items":[{"url":"/a/1","content_text":"t"}]}"#;
        let items =
            parse_feed(j.as_bytes(), Some("https://example.com/feeds/j.json"), "s").unwrap();
        assert_eq!(items[0].url.as_deref(), Some("https://example.com/a/1"));
        assert_eq!(items[0].id, "https://example.com/a/1");
        let rss = r#"<rss version="2.0"><channel><title>T</title><item><guid>1</guid><author>desk@example.com (News Desk)</author></item></channel></rss>"#;
        assert_eq!(
            parse_feed(rss.as_bytes(), None, "s").unwrap()[0].authors,
            ["News Desk"]
        );
    }

    #[test]
    fn html_to_text_keeps_paragraphs() {
        assert_eq!(
            html_to_text("<p>One  two</p><p>Three</p><script>x()</script>"),
            "One two\n\nThree"
        );
    }
}

#[cfg(test)]
mod date_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_four_digit_years_are_plausible() {
        for (y, ok) in [
            (262_142, false),
            (-1, false),
            (0, false),
            (999, false),
            (1000, true),
            (2025, true),
            (9999, true),
            (10_000, false),
        ] {
            let d = Utc.with_ymd_and_hms(y, 1, 1, 0, 0, 0).single().unwrap();
            assert_eq!(plausible_date(&d), ok, "{y}");
        }
        // feed-rs (through chrono) reads six-digit years and year 0 in RSS and Atom dates.
        for d in ["Mon, 01 Jan 262142 00:00:00 GMT", "0000-01-01T00:00:00Z"] {
            let rss = format!(
                "<rss version=\"2.0\"><channel><title>T</title><item><guid>d</guid><pubDate>{d}</pubDate></item></channel></rss>"
            );
            let raw = parse_doc(rss.as_bytes(), None).unwrap().entries[0].published;
            assert!(raw.is_some(), "feed-rs no longer reads {d}");
            assert_eq!(
                parse_feed(rss.as_bytes(), None, "s").unwrap()[0].published,
                None
            );
        }
    }
}
