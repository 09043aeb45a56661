//! Feed bytes → items, shared by the `file` and `feed` sources: RSS 0.90–0.94 and 2.0, RSS
//! 1.0 (RDF), Atom 0.3 and 1.0 (one small reader per dialect over [`crate::xml`]'s
//! forgiving tree) and JSON Feed 1.0 and 1.1, mapped onto [`Item`] with a stable id.
//!
//! What every dialect reads besides its own elements: Dublin Core (`dc:*`, `dcterms:*`),
//! `content:encoded`, `xhtml:body`, Media RSS, iTunes, and Atom links inside RSS. Nothing
//! is lost silently: a document whose root is no feed, or whose items all fail to read, is
//! a parse error saying why; items with nothing to show (no title, link, guid, content or
//! enclosure) are counted ([`ParsedFeed::skipped`]) and logged once per source.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use chrono::{DateTime, Utc};
use feedloom_core::item::{Enclosure, FeedInfo};
use feedloom_core::{Item, SourceError, SourceErrorKind};

use crate::dates::parse_date;
use crate::decode::declared_encoding;
pub use crate::decode::to_utf8;
use crate::truncated::Completeness;
use crate::xml::{Doc, Elem, Ns};

mod repair;
mod text;

use repair::*;
pub use text::{decode_entities, html_to_text, normalise_ws};

/// A parsed feed document.
#[derive(Debug, Default)]
pub struct ParsedFeed {
    pub items: Vec<Item>,
    /// The document was cut off (a dropped connection): `items` are the complete ones
    /// before the cut. Whoever fetched it should not remember it as seen (no validators),
    /// so the next poll fetches it again and gets the items after the cut.
    pub truncated: bool,
    /// Items left out because they had nothing to show: no title, link, guid, content,
    /// summary or enclosure (logged once per source; for a metrics counter).
    pub skipped: usize,
}

/// Parse a feed document (any encoding: see [`to_utf8`]). `base` (the feed's URL) resolves
/// relative links.
///
/// XML is read forgivingly (a bare `&` is text, HTML entities are known, a stray end tag is
/// ignored); a document that still stops on an XML error keeps the items read before it
/// (logged), and one that gives none is an error. A document that does not parse is also
/// repaired once (bare `&` outside CDATA and comments; bytes that are not UTF-8) and read
/// again when the repair changes it.
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
    // let the parse (itself behind catch_unwind) have its say.
    let completeness = std::panic::catch_unwind(|| crate::truncated::check(&bytes))
        .unwrap_or(Completeness::Complete);
    let (mut parsed, truncated) = match completeness {
        Completeness::Complete => (parse_guarded(&bytes, base, source_id)?, false),
        Completeness::Truncated(None) => {
            return Err(SourceError::new(
                SourceErrorKind::Parse,
                "not a feed: the document is truncated (cut off before its first complete item)",
            ));
        }
        Completeness::Truncated(Some(recovered)) => {
            (parse_guarded(&recovered, base, source_id)?, true)
        }
    };
    parsed.truncated = truncated;
    if truncated {
        tracing::warn!(source = %source_id, url = base.unwrap_or(""), recovered = parsed.items.len(), "feed truncated (the document is cut off); keeping the complete items before the cut");
    }
    if parsed.skipped > 0 {
        log_skipped(source_id, parsed.skipped);
    }
    Ok(parsed)
}

/// What each source has been told once already (`skipped:<id>`, `xml:<id>`).
static LOGGED_ONCE: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Default::default);

/// Is this the first time `what` is logged for `source_id`?
fn first_time(what: &str, source_id: &str) -> bool {
    LOGGED_ONCE
        .lock()
        .map(|mut s| s.insert(format!("{what}:{source_id}")))
        .unwrap_or(false)
}

fn log_skipped(source_id: &str, skipped: usize) {
    if first_time("skipped", source_id) {
        tracing::warn!(source = %source_id, skipped, "items with no title, link, guid, content or enclosure skipped (logged once for this source)");
    } else {
        tracing::debug!(source = %source_id, skipped, "empty items skipped");
    }
}

/// One parse with a panic turned into a parse error: a hostile document must fail its
/// source, not the thread it runs on.
fn parse_guarded(
    bytes: &[u8],
    base: Option<&str>,
    source_id: &str,
) -> Result<ParsedFeed, SourceError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_repaired(bytes, base, source_id)
    })) {
        Ok(r) => r,
        Err(_) => Err(SourceError::new(
            SourceErrorKind::Parse,
            "not a feed: the feed parser gave up on this document (internal error)",
        )),
    }
}

/// One parse, and one more of a repaired copy when the first stops on an XML error.
fn parse_repaired(
    bytes: &[u8],
    base: Option<&str>,
    source_id: &str,
) -> Result<ParsedFeed, SourceError> {
    let first = parse_once(bytes, base, source_id);
    let needs_repair = match &first {
        Ok((_, xml_error)) => xml_error.is_some(),
        Err(_) => true,
    };
    if needs_repair && let Some(fixed) = repair_xml(bytes) {
        let second = parse_once(&fixed, base, source_id);
        let better = match (&first, &second) {
            (Err(_), Ok(_)) => true,
            (Ok((a, _)), Ok((b, e))) => {
                b.items.len() > a.items.len() || (e.is_none() && b.items.len() == a.items.len())
            }
            _ => false,
        };
        if better {
            return finish(second, base, source_id);
        }
    }
    finish(first, base, source_id)
}

fn finish(
    r: Result<(ParsedFeed, Option<String>), SourceError>,
    base: Option<&str>,
    source_id: &str,
) -> Result<ParsedFeed, SourceError> {
    let (parsed, xml_error) = r?;
    if let Some(e) = xml_error {
        if first_time("xml", source_id) {
            tracing::warn!(source = %source_id, url = base.unwrap_or(""), error = %e, items = parsed.items.len(), "feed is not well-formed XML; keeping the items read before the error (logged once for this source)");
        } else {
            tracing::debug!(source = %source_id, error = %e, "feed is not well-formed XML");
        }
    }
    Ok(parsed)
}

fn parse_err(msg: impl Into<String>) -> SourceError {
    SourceError::new(SourceErrorKind::Parse, msg.into())
}

/// The document as text: UTF-8 (bytes that are not are replaced, or, in a document with no
/// valid UTF-8 beyond ASCII at all, read as Windows-1252), with C1 control characters read
/// as Windows-1252 and double-encoded UTF-8 (`â€¦`) repaired.
pub fn document_text(bytes: &[u8]) -> Cow<'_, str> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            if has_utf8_multibyte(bytes) {
                String::from_utf8_lossy(bytes)
            } else {
                let (t, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
                Cow::Owned(t.into_owned())
            }
        }
    };
    match repair_mojibake(&text) {
        Some(fixed) => Cow::Owned(fixed),
        None => text,
    }
}

type Parsed = Result<(ParsedFeed, Option<String>), SourceError>;

/// One read of the document: the feed and the XML error that stopped it early, if any.
fn parse_once(bytes: &[u8], base: Option<&str>, source_id: &str) -> Parsed {
    let mut text = document_text(bytes);
    if let Some(fixed) = escape_bare_lt(&text) {
        text = Cow::Owned(fixed);
    }
    let fetched = Utc::now();
    if text.trim_start().starts_with('{') {
        return crate::jsonfeed::parse(&text, base, source_id, fetched).map(|p| (p, None));
    }
    let doc =
        crate::xml::parse(&text, base).map_err(|r| parse_err(format!("not a feed: {}", r.0)))?;
    let Some(root) = doc.root() else {
        return Err(parse_err(match &doc.error {
            Some(e) => format!("not a feed: {e}"),
            None => "not a feed: no XML element in the document".into(),
        }));
    };
    let (feed, entries, item_elems) = match root.local.as_str() {
        "rss" | "rdf" | "channel" => rss_feed(&doc, root, base),
        "feed" => atom_feed(&doc, root, base),
        "entry" => {
            let mut f = atom_feed(&doc, root, base);
            f.1 = vec![atom_entry(&doc, root, root)];
            f.2 = 1;
            f
        }
        other => {
            let prefix = match &doc.error {
                Some(e) => format!(" ({e})"),
                None => String::new(),
            };
            return Err(parse_err(format!(
                "not a feed: the root element is <{other}>, not RSS (<rss>, <rdf:RDF>), Atom (<feed>) or JSON Feed{prefix}"
            )));
        }
    };
    let mut parsed = ParsedFeed::default();
    for raw in entries {
        match raw.into_item(source_id, fetched, &feed) {
            Some(it) => parsed.items.push(it),
            None => parsed.skipped += 1,
        }
    }
    if parsed.items.is_empty() && item_elems > 0 {
        let why = match &doc.error {
            Some(e) => e.clone(),
            None => format!("all {item_elems} have no title, link, guid, content or enclosure"),
        };
        return Err(parse_err(format!(
            "not a feed: {item_elems} item/entry elements but no item could be read: {why}"
        )));
    }
    if parsed.items.is_empty()
        && let Some(e) = &doc.error
    {
        return Err(parse_err(format!("not a feed: {e}")));
    }
    Ok((parsed, doc.error.clone()))
}

/// What entries inherit from their feed.
#[derive(Default)]
pub(crate) struct FeedMeta {
    pub language: Option<String>,
    /// An entry without authors has the feed's.
    pub authors: Vec<String>,
    pub info: FeedInfo,
    /// The feed's URL: links left relative are resolved against it.
    pub base: Option<url::Url>,
}

/// A content construct: plain text or HTML.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Text(String),
    Html(String),
}

impl Body {
    fn plain(&self) -> String {
        match self {
            Body::Text(t) => normalise_ws(t),
            Body::Html(h) => html_to_text(h),
        }
    }

    fn is_blank(&self) -> bool {
        match self {
            Body::Text(t) | Body::Html(t) => t.trim().is_empty(),
        }
    }
}

/// One entry, as the feed gives it.
#[derive(Default)]
pub(crate) struct RawEntry {
    pub guid: Option<String>,
    pub link: Option<String>,
    pub title: Option<Body>,
    pub summary: Option<Body>,
    pub content: Option<Body>,
    pub authors: Vec<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub categories: Vec<String>,
    pub enclosures: Vec<Enclosure>,
    pub image: Option<String>,
    pub language: Option<String>,
    /// An RSS guid that is a permalink: the link when the item has no other.
    pub guid_permalink: Option<String>,
}

fn push_unique(list: &mut Vec<String>, v: &str) {
    let v = v.trim();
    if !v.is_empty() && !list.iter().any(|x| x == v) {
        list.push(v.to_string());
    }
}

fn push_enclosure(list: &mut Vec<Enclosure>, e: Enclosure) {
    if e.url.is_empty() {
        return;
    }
    match list.iter_mut().find(|x| x.url == e.url) {
        Some(x) => {
            if x.mime_type.is_none() {
                x.mime_type = e.mime_type;
            }
            if x.length.is_none() {
                x.length = e.length;
            }
        }
        None => list.push(e),
    }
}

fn language_code(l: &str) -> Option<String> {
    let code = l
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_lowercase();
    (!code.is_empty()).then_some(code)
}

impl RawEntry {
    /// The item, or `None` when the entry has nothing to show.
    pub(crate) fn into_item(
        self,
        source_id: &str,
        fetched: DateTime<Utc>,
        feed: &FeedMeta,
    ) -> Option<Item> {
        let link = self
            .link
            .map(|l| absolute(l.trim(), feed.base.as_ref()))
            .filter(|l| !l.is_empty());
        let title = self.title.filter(|t| !t.is_blank());
        let summary = self.summary.filter(|t| !t.is_blank());
        let content = self.content.filter(|t| !t.is_blank());
        let guid = self
            .guid
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty());
        if title.is_none()
            && link.is_none()
            && guid.is_none()
            && summary.is_none()
            && content.is_none()
            && self.enclosures.is_empty()
        {
            return None;
        }
        let raw_of = body_str;
        // The title and body only count for the id when there is no guid or link.
        let (title_raw, body_raw) = if guid.is_none() && link.is_none() {
            (
                raw_of(title.as_ref()),
                raw_of(content.as_ref().or(summary.as_ref())),
            )
        } else {
            ("", "")
        };
        let id = Item::stable_id(guid.as_deref(), link.as_deref(), title_raw, body_raw);
        let summary_text = summary.as_ref().map(Body::plain).filter(|s| !s.is_empty());
        // The text is the content, else the summary (converted once).
        let text = match &content {
            Some(c) => c.plain(),
            None => summary_text.clone().unwrap_or_default(),
        };
        let mut authors = self.authors;
        if authors.is_empty() {
            authors = feed.authors.clone();
        }
        let enclosures: Vec<Enclosure> = self
            .enclosures
            .into_iter()
            .map(|mut e| {
                e.url = absolute(e.url.trim(), feed.base.as_ref());
                e
            })
            .collect();
        let image = self
            .image
            .map(|i| absolute(i.trim(), feed.base.as_ref()))
            .filter(|i| !i.is_empty())
            .or_else(|| {
                enclosures
                    .iter()
                    .find(|e| {
                        e.mime_type
                            .as_deref()
                            .is_some_and(|t| t.starts_with("image/"))
                    })
                    .map(|e| e.url.clone())
            });
        Some(Item {
            id,
            source: source_id.to_string(),
            url: link,
            title: title.map(|t| t.plain()).filter(|t| !t.is_empty()),
            published: self
                .published
                .filter(plausible_date)
                .or(self.updated.filter(plausible_date)),
            fetched,
            authors,
            summary: summary_text,
            text,
            language: self
                .language
                .as_deref()
                .and_then(language_code)
                .or(feed.language.clone()),
            categories: self.categories,
            image,
            enclosures,
            feed: Some(feed.info.clone()),
            ..Item::default()
        })
    }
}

/// The raw text or markup of a body (`""` for none).
fn body_str(b: Option<&Body>) -> &str {
    b.map_or("", |b| match b {
        Body::Text(t) | Body::Html(t) => t.as_str(),
    })
}

/// A person as feeds write one, as a display name: `desk@example.com (News Desk)` and
/// `News Desk <desk@example.com>` are `News Desk`; a bare address stays.
pub(crate) fn person_name(raw: &str) -> Option<String> {
    let s = normalise_ws(&decode_entities(raw));
    let s = s.trim();
    if let (Some(open), true) = (s.find('('), s.ends_with(')')) {
        let inner = s[open + 1..s.len() - 1].trim();
        if (open == 0 || s[..open].contains('@')) && !inner.is_empty() {
            return Some(inner.to_string());
        }
    }
    if let (Some(open), true) = (s.find('<'), s.ends_with('>'))
        && s[open..].contains('@')
    {
        let name = s[..open].trim().trim_matches('"').trim();
        if !name.is_empty() {
            return Some(name.to_string());
        }
        return Some(s[open + 1..s.len() - 1].trim().to_string()).filter(|n| !n.is_empty());
    }
    (!s.is_empty()).then(|| s.to_string())
}

/// The trimmed text of the first child `ns:local` of `e`, when not empty.
fn child_text(doc: &Doc, e: &Elem, ns: Ns, local: &str) -> Option<String> {
    doc.children(e, ns, local)
        .map(|c| doc.text(c).trim().to_string())
        .find(|t| !t.is_empty())
}

fn date_of(doc: &Doc, e: &Elem, fields: &[(Ns, &str)]) -> Option<DateTime<Utc>> {
    fields
        .iter()
        .filter_map(|(ns, l)| child_text(doc, e, *ns, l))
        .find_map(|t| parse_date(&t))
}

/// An RSS-style description: markup written in the element (naked) or escaped in its
/// text, both HTML.
fn html_body(doc: &Doc, e: &Elem) -> Body {
    if doc.has_kids(e) {
        Body::Html(doc.inner_markup(e))
    } else {
        Body::Html(doc.text(e))
    }
}

/// An Atom (1.0 or 0.3) text or content construct: `type` text / html / xhtml or a MIME
/// type; 0.3's `mode` xml / escaped / base64.
fn construct(doc: &Doc, e: &Elem) -> Option<Body> {
    let ty = e.attr("type").unwrap_or("").trim().to_ascii_lowercase();
    let mode = e.attr("mode").map(|m| m.trim().to_ascii_lowercase());
    let raw = match mode.as_deref() {
        Some("base64") => {
            let bytes = base64_decode(&doc.text(e))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Some("escaped") => doc.text(e),
        _ if doc.has_kids(e) => {
            // Markup in the element: xhtml (its wrapper div is harmless as HTML).
            return Some(Body::Html(doc.inner_markup(e)));
        }
        _ => doc.text(e),
    };
    let html = ty == "html"
        || ty == "xhtml"
        || ty.contains("html")
        || (mode.as_deref() == Some("escaped") && (ty.is_empty() || ty.ends_with("xml")));
    if html {
        return Some(Body::Html(raw));
    }
    if ty.is_empty() || ty == "text" || ty.starts_with("text/") || ty.ends_with("xml") {
        return Some(Body::Text(raw));
    }
    // Another MIME type (an image, a PDF): not text.
    None
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// What the namespaces every dialect shares say about an entry (or a Media RSS group).
fn read_extensions(doc: &Doc, e: &Elem, r: &mut RawEntry) {
    for k in doc.kids(e) {
        match (k.ns, k.local.as_str()) {
            (Ns::Dc, "title") if r.title.is_none() => {
                r.title = Some(Body::Html(doc.text(k)));
            }
            (Ns::Dc, "creator" | "author") | (Ns::Itunes, "author") => {
                if let Some(n) = person_name(&doc.text(k)) {
                    push_unique(&mut r.authors, &n);
                }
            }
            (Ns::Dc, "subject") => push_unique(&mut r.categories, &doc.text(k)),
            (Ns::Media, "keywords") | (Ns::Itunes, "keywords") => {
                for w in doc.text(k).split(',') {
                    push_unique(&mut r.categories, w);
                }
            }
            (Ns::Itunes, "category") => {
                if let Some(t) = k.attr("text") {
                    push_unique(&mut r.categories, t);
                }
            }
            (Ns::Dc, "language") if r.language.is_none() => {
                r.language = Some(doc.text(k));
            }
            (Ns::Dc, "identifier") if r.guid.is_none() => {
                let t = doc.text(k);
                if !t.trim().is_empty() {
                    r.guid = Some(t.trim().to_string());
                }
            }
            (Ns::Content, "encoded") if r.content.is_none() => {
                r.content = Some(html_body(doc, k));
            }
            (Ns::Xhtml, "body" | "div") if r.content.is_none() => {
                r.content = Some(Body::Html(doc.inner_markup(k)));
            }
            (Ns::Media, "thumbnail") if r.image.is_none() => {
                r.image = k.attr("url").map(|u| doc.resolve(k, u));
            }
            (Ns::Media, "content") => {
                let Some(url) = k.attr("url").map(|u| doc.resolve(k, u)) else {
                    // A media:content may carry its thumbnail and description inside.
                    read_extensions(doc, k, r);
                    continue;
                };
                let ty = k.attr("type").map(str::to_string);
                let is_image = k.attr("medium") == Some("image")
                    || ty.as_deref().is_some_and(|t| t.starts_with("image/"));
                if is_image && r.image.is_none() {
                    r.image = Some(url.clone());
                }
                push_enclosure(
                    &mut r.enclosures,
                    Enclosure {
                        url,
                        mime_type: ty,
                        length: k.attr("filesize").and_then(|l| l.trim().parse().ok()),
                    },
                );
                read_extensions(doc, k, r);
            }
            (Ns::Media, "group") => read_extensions(doc, k, r),
            (Ns::Media, "title") if r.title.is_none() => {
                r.title = construct(doc, k).or(Some(Body::Text(doc.text(k))));
            }
            (Ns::Itunes, "image") if r.image.is_none() => {
                r.image = k
                    .attr("href")
                    .or(k.attr("url"))
                    .map(|u| doc.resolve(k, u))
                    .or_else(|| Some(doc.text(k)).filter(|t| !t.trim().is_empty()));
            }
            // Atom elements inside another dialect's item (the Atom dialect reads its own
            // first, so these only add what is missing).
            (Ns::Atom, "author" | "contributor") => {
                let name = child_text(doc, k, Ns::Atom, "name")
                    .or_else(|| child_text(doc, k, Ns::Atom, "email"));
                if let Some(n) = name.and_then(|n| person_name(&n)) {
                    push_unique(&mut r.authors, &n);
                }
            }
            (Ns::Atom, "category") => push_unique(&mut r.categories, &category_label(doc, k)),
            (Ns::Atom, "content") if r.content.is_none() && k.attr("src").is_none() => {
                r.content = construct(doc, k);
            }
            (Ns::Atom, "summary") if r.summary.is_none() => r.summary = construct(doc, k),
            // The article's own address behind FeedBurner's redirecting link (as Miniflux
            // reads it).
            (Ns::Feedburner, "origlink") => {
                let t = doc.text(k);
                if looks_like_url(&t) {
                    r.link = Some(t.trim().to_string());
                }
            }
            (Ns::Atom, "link") => {
                let rel = k.attr("rel").unwrap_or("alternate");
                let Some(href) = k.attr("href").map(|h| doc.resolve(k, h)) else {
                    continue;
                };
                if rel == "enclosure" {
                    push_enclosure(&mut r.enclosures, enclosure_of(k, href));
                } else if rel == "alternate" && r.link.is_none() {
                    r.link = Some(href);
                }
            }
            _ => {}
        }
    }
    // Summaries last: the dialect's own description comes first.
    if r.summary.is_none() {
        r.summary = [
            (Ns::Dc, "description"),
            (Ns::Itunes, "summary"),
            (Ns::Media, "description"),
            (Ns::Itunes, "subtitle"),
        ]
        .iter()
        .find_map(|(ns, l)| doc.child(e, *ns, l))
        .map(|k| html_body(doc, k));
    }
    if r.published.is_none() {
        r.published = date_of(
            doc,
            e,
            &[
                (Ns::Dc, "date"),
                (Ns::Dcterms, "issued"),
                (Ns::Dcterms, "created"),
                (Ns::Dcterms, "date"),
                (Ns::Atom, "published"),
            ],
        );
    }
    if r.updated.is_none() {
        r.updated = date_of(doc, e, &[(Ns::Dcterms, "modified"), (Ns::Atom, "updated")]);
    }
}

/// An Atom category's label, else its term (else its text, as some feeds write it).
fn category_label(doc: &Doc, c: &Elem) -> String {
    c.attr("label")
        .filter(|l| !l.trim().is_empty())
        .or(c.attr("term"))
        .map_or_else(|| doc.text(c), str::to_string)
}

fn enclosure_of(k: &Elem, url: String) -> Enclosure {
    Enclosure {
        url,
        mime_type: k
            .attr("type")
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        length: k.attr("length").and_then(|l| l.trim().parse().ok()),
    }
}

/// RSS 0.9x, 2.0 and 1.0 (RDF): the feed, its entries, and how many item elements there
/// were.
fn rss_feed(doc: &Doc, root: &Elem, base: Option<&str>) -> (FeedMeta, Vec<RawEntry>, usize) {
    let channel = if root.local == "channel" {
        root
    } else {
        doc.kids(root)
            .find(|k| k.local == "channel")
            .unwrap_or(root)
    };
    let mut meta = FeedMeta {
        base: base.and_then(|b| url::Url::parse(b).ok()),
        ..FeedMeta::default()
    };
    meta.info.url = base.map(str::to_string);
    meta.info.title = child_text(doc, channel, Ns::Rss, "title")
        .or_else(|| child_text(doc, channel, Ns::Dc, "title"))
        .map(|t| html_to_text(&t))
        .filter(|t| !t.is_empty());
    meta.info.link = doc
        .children(channel, Ns::Rss, "link")
        .map(|l| doc.resolve(l, doc.text(l).trim()))
        .find(|l| !l.is_empty())
        .or_else(|| channel.attr("href").map(|h| doc.resolve(channel, h)))
        .or_else(|| {
            doc.children(channel, Ns::Atom, "link")
                .filter(|l| l.attr("rel").is_none_or(|r| r == "alternate"))
                .find_map(|l| l.attr("href").map(|h| doc.resolve(l, h)))
        });
    meta.language = child_text(doc, channel, Ns::Rss, "language")
        .or_else(|| child_text(doc, channel, Ns::Dc, "language"))
        .or_else(|| channel.attr_ns(Ns::Xml, "lang").map(str::to_string))
        .or_else(|| root.attr_ns(Ns::Xml, "lang").map(str::to_string))
        .and_then(|l| language_code(&l));
    for (ns, l) in [
        (Ns::Rss, "managingeditor"),
        (Ns::Dc, "creator"),
        (Ns::Itunes, "author"),
        (Ns::Rss, "webmaster"),
    ] {
        if let Some(n) = child_text(doc, channel, ns, l).and_then(|t| person_name(&t)) {
            meta.authors.push(n);
            break;
        }
    }
    // Items are the channel's (RSS 0.9x, 2.0) or the root's (RDF), wherever they are.
    // RSS's own namespace, or whatever (unknown) one the document put its elements in.
    let own = |k: &Elem| k.ns == Ns::Rss || k.ns == root.ns || k.ns == channel.ns;
    let mut items: Vec<&Elem> = doc
        .kids(channel)
        .filter(|k| k.local == "item" && own(k))
        .collect();
    if !std::ptr::eq(channel, root) {
        items.extend(doc.kids(root).filter(|k| k.local == "item" && own(k)));
    }
    let n = items.len();
    let entries = items.into_iter().map(|it| rss_entry(doc, it)).collect();
    (meta, entries, n)
}

fn rss_entry(doc: &Doc, it: &Elem) -> RawEntry {
    let mut r = RawEntry::default();
    let about = it
        .attr_ns(Ns::Rdf, "about")
        .map(|a| doc.resolve(it, a))
        .filter(|a| !a.is_empty());
    for k in doc.kids(it) {
        if k.ns != Ns::Rss && k.ns != it.ns {
            continue;
        }
        match k.local.as_str() {
            "title" if r.title.is_none() => r.title = Some(Body::Html(doc.text(k))),
            "link" if r.link.is_none() => {
                let t = doc.text(k);
                let href = if t.trim().is_empty() {
                    k.attr("href").unwrap_or("").to_string()
                } else {
                    t
                };
                let l = doc.resolve(k, href.trim());
                if !l.is_empty() {
                    r.link = Some(l);
                }
            }
            "guid" if r.guid.is_none() => {
                let g = doc.text(k).trim().to_string();
                if !g.is_empty() {
                    let permalink = k
                        .attr("ispermalink")
                        .is_none_or(|p| !p.trim().eq_ignore_ascii_case("false"));
                    if permalink && looks_like_url(&g) {
                        r.guid_permalink = Some(doc.resolve(k, &g));
                    }
                    r.guid = Some(g);
                }
            }
            "description" | "abstract" if r.summary.is_none() => {
                r.summary = Some(html_body(doc, k));
            }
            "author" => {
                if let Some(n) = person_name(&doc.text(k)) {
                    push_unique(&mut r.authors, &n);
                }
            }
            "category" => push_unique(&mut r.categories, &doc.text(k)),
            "enclosure" => {
                if let Some(u) = k.attr("url").or(k.attr("href")) {
                    let url = doc.resolve(k, u);
                    push_enclosure(&mut r.enclosures, enclosure_of(k, url));
                }
            }
            "pubdate" if r.published.is_none() => {
                r.published = parse_date(&doc.text(k));
            }
            "content" if r.content.is_none() => r.content = Some(html_body(doc, k)),
            _ => {}
        }
    }
    read_extensions(doc, it, &mut r);
    if r.language.is_none() {
        r.language = it.attr_ns(Ns::Xml, "lang").map(str::to_string);
    }
    if r.link.is_none() {
        // CDF gives an item's link as its HREF.
        let href = it.attr("href").map(|h| doc.resolve(it, h));
        r.link = r.guid_permalink.take().or(about.clone()).or(href);
    }
    if r.guid.is_none() {
        r.guid = about;
    }
    r
}

fn looks_like_url(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://")
}

/// Atom 1.0 (RFC 4287) and the Atom 0.3 draft: the feed, its entries, and how many entry
/// elements there were.
fn atom_feed(doc: &Doc, root: &Elem, base: Option<&str>) -> (FeedMeta, Vec<RawEntry>, usize) {
    let ns = root.ns;
    let mut meta = FeedMeta {
        base: base.and_then(|b| url::Url::parse(b).ok()),
        ..FeedMeta::default()
    };
    meta.info.url = base.map(str::to_string);
    meta.info.title = doc
        .child(root, ns, "title")
        .and_then(|t| construct(doc, t))
        .map(|b| b.plain())
        .filter(|t| !t.is_empty());
    meta.info.link = alternate_link(doc, root, ns);
    meta.language = root.attr_ns(Ns::Xml, "lang").and_then(language_code);
    meta.authors = atom_people(doc, root, ns, "author");
    let entries: Vec<&Elem> = doc.children(root, ns, "entry").collect();
    let n = entries.len();
    let raws = entries
        .into_iter()
        .map(|e| atom_entry(doc, root, e))
        .collect();
    (meta, raws, n)
}

fn alternate_link(doc: &Doc, e: &Elem, ns: Ns) -> Option<String> {
    let links: Vec<&Elem> = doc
        .children(e, ns, "link")
        .filter(|l| l.attr("href").is_some_and(|h| !h.trim().is_empty()))
        .collect();
    links
        .iter()
        .find(|l| l.attr("rel").is_none_or(|r| r.trim() == "alternate"))
        .or_else(|| {
            links.iter().find(|l| {
                !matches!(
                    l.attr("rel").map(str::trim),
                    Some("self" | "edit" | "replies" | "enclosure" | "hub" | "related" | "via")
                )
            })
        })
        .and_then(|l| l.attr("href").map(|h| doc.resolve(l, h)))
}

fn atom_people(doc: &Doc, e: &Elem, ns: Ns, which: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in doc.children(e, ns, which) {
        let name = child_text(doc, p, ns, "name")
            .or_else(|| child_text(doc, p, ns, "email"))
            .or_else(|| Some(doc.text(p)).filter(|t| !t.trim().is_empty()));
        if let Some(n) = name.and_then(|n| person_name(&n)) {
            push_unique(&mut out, &n);
        }
    }
    out
}

fn atom_entry(doc: &Doc, root: &Elem, e: &Elem) -> RawEntry {
    let ns = root.ns;
    let mut r = RawEntry {
        guid: child_text(doc, e, ns, "id"),
        link: alternate_link(doc, e, ns),
        title: doc.child(e, ns, "title").and_then(|t| construct(doc, t)),
        summary: doc.child(e, ns, "summary").and_then(|t| construct(doc, t)),
        content: doc
            .children(e, ns, "content")
            .find(|c| c.attr("src").is_none())
            .and_then(|c| construct(doc, c)),
        published: date_of(
            doc,
            e,
            &[(ns, "published"), (ns, "issued"), (ns, "created")],
        ),
        updated: date_of(doc, e, &[(ns, "updated"), (ns, "modified")]),
        language: e.attr_ns(Ns::Xml, "lang").map(str::to_string),
        ..RawEntry::default()
    };
    r.authors = atom_people(doc, e, ns, "author");
    for c in atom_people(doc, e, ns, "contributor") {
        push_unique(&mut r.authors, &c);
    }
    for c in doc.children(e, ns, "category") {
        push_unique(&mut r.categories, &category_label(doc, c));
    }
    for l in doc.children(e, ns, "link") {
        if l.attr("rel").map(str::trim) == Some("enclosure")
            && let Some(h) = l.attr("href")
        {
            push_enclosure(&mut r.enclosures, enclosure_of(l, doc.resolve(l, h)));
        }
    }
    if r.link.is_none()
        && let Some(id) = r.guid.as_deref().filter(|i| looks_like_url(i))
    {
        r.link = Some(id.to_string());
    }
    read_extensions(doc, e, &mut r);
    r
}

/// Item dates must have four-digit years (1000–9999): chrono accepts years up to 262143 and
/// below zero, which RFC 3339 cannot write and sinks would choke on; such a date is a
/// feed's mistake (or an attack), not a publication time.
fn plausible_date(d: &DateTime<Utc>) -> bool {
    use chrono::Datelike;
    (1000..=9999).contains(&d.year())
}

/// `href` made absolute against `base` when it is relative (unchanged when it cannot be).
pub(crate) fn absolute(href: &str, base: Option<&url::Url>) -> String {
    if href.is_empty() || url::Url::parse(href).is_ok() {
        return href.to_string();
    }
    base.and_then(|b| b.join(href).ok())
        .map_or_else(|| href.to_string(), |u| u.to_string())
}

#[cfg(test)]
mod date_tests;
#[cfg(test)]
mod tests;
