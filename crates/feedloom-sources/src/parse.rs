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

/// Does `b` hold at least one well-formed multi-byte UTF-8 sequence?
fn has_utf8_multibyte(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        let n = match b[i] {
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => {
                i += 1;
                continue;
            }
        };
        if b.get(i..i + n)
            .is_some_and(|s| std::str::from_utf8(s).is_ok())
        {
            return true;
        }
        i += 1;
    }
    false
}

/// The Windows-1252 byte a character stands for, for characters in that code page above
/// ASCII (C1 controls count as their own byte).
fn cp1252_byte(c: char) -> Option<u8> {
    let u = c as u32;
    if (0x80..=0xff).contains(&u) {
        return u8::try_from(u).ok();
    }
    let b = match c {
        '€' => 0x80,
        '‚' => 0x82,
        'ƒ' => 0x83,
        '„' => 0x84,
        '…' => 0x85,
        '†' => 0x86,
        '‡' => 0x87,
        'ˆ' => 0x88,
        '‰' => 0x89,
        'Š' => 0x8a,
        '‹' => 0x8b,
        'Œ' => 0x8c,
        'Ž' => 0x8e,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '˜' => 0x98,
        '™' => 0x99,
        'š' => 0x9a,
        '›' => 0x9b,
        'œ' => 0x9c,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => return None,
    };
    Some(b)
}

/// Text with double-encoded UTF-8 (UTF-8 read as Windows-1252 and encoded again: `â€™`,
/// `Ã©`) decoded once more, and C1 controls (U+0080–U+009F, Windows-1252 bytes read as
/// Latin-1) read as Windows-1252. `None` when there is nothing to change.
fn repair_mojibake(s: &str) -> Option<String> {
    let suspicious =
        |c: char| ('\u{80}'..='\u{9f}').contains(&c) || ('\u{c2}'..='\u{f4}').contains(&c);
    if s.is_ascii() || !s.chars().any(suspicious) {
        return None;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let lead = cp1252_byte(c).filter(|_| ('\u{c2}'..='\u{f4}').contains(&c));
        if let Some(lead) = lead {
            let n = match lead {
                0xc2..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            let mut buf = [0u8; 4];
            buf[0] = lead;
            let mut ok = i + n <= chars.len();
            if ok {
                for k in 1..n {
                    match cp1252_byte(chars[i + k]).filter(|b| (0x80..=0xbf).contains(b)) {
                        Some(b) => buf[k] = b,
                        None => {
                            ok = false;
                            break;
                        }
                    }
                }
            }
            if ok && let Ok(dec) = std::str::from_utf8(&buf[..n]) {
                out.push_str(dec);
                changed = true;
                i += n;
                continue;
            }
        }
        if ('\u{80}'..='\u{9f}').contains(&c) {
            let mapped = markup5ever::data::C1_REPLACEMENTS[(c as u32 - 0x80) as usize];
            if let Some(m) = mapped {
                out.push(m);
                changed = true;
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    changed.then_some(out)
}

/// Text with every `<` that cannot start markup (`a < b`, `<3`) written `&lt;`, outside
/// CDATA sections and comments; `None` when there is none (XML forbids them; a title
/// with one would swallow the elements after it).
fn escape_bare_lt(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(p) = b.get(i..).and_then(|r| r.iter().position(|&c| c == b'<')) {
        let at = i + p;
        let rest = &b[at..];
        let skip_to = |end: &[u8]| find(rest, end).map_or(b.len(), |e| at + e + end.len());
        if rest.starts_with(b"<![CDATA[") {
            i = skip_to(b"]]>");
            continue;
        }
        if rest.starts_with(b"<!--") {
            i = skip_to(b"-->");
            continue;
        }
        let markup = rest.get(1).is_some_and(|&c| {
            c.is_ascii_alphabetic() || matches!(c, b'_' | b':' | b'/' | b'!' | b'?') || c >= 0x80
        });
        if !markup {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len() + 16));
            // `at` and `copied` sit on ASCII bytes (`<` and what follows one).
            o.push_str(s.get(copied..at).unwrap_or(""));
            o.push_str("&lt;");
            copied = at + 1;
        }
        i = at + 1;
    }
    let mut o = out?;
    o.push_str(s.get(copied..).unwrap_or(""));
    Some(o)
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
        // `a < b`, `<3`: not a tag, text.
        if !after[1..].starts_with(|c: char| c.is_alphabetic() || matches!(c, '/' | '!' | '?')) {
            if skip_until.is_none() {
                out.push('<');
            }
            rest = &after[1..];
            continue;
        }
        let end = match after.find('>') {
            Some(e) => e,
            None => {
                rest = "";
                break;
            }
        };
        let tag = after[1..end].trim();
        let closing = tag.starts_with('/');
        // The tag's name, lower-cased (names longer than any we look for are none of them).
        let raw_name = tag
            .trim_start_matches('/')
            .as_bytes()
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric());
        let mut buf = [0u8; 12];
        let mut len = 0;
        for &c in raw_name {
            if len == buf.len() {
                len = 0;
                break;
            }
            buf[len] = c.to_ascii_lowercase();
            len += 1;
        }
        let name: &[u8] = &buf[..len];
        if let Some(stop) = skip_until {
            if closing && name == stop.as_bytes() {
                skip_until = None;
            }
        } else if !closing && matches!(name, b"script" | b"style") {
            skip_until = Some(if name == b"script" { "script" } else { "style" });
        } else if matches!(
            name,
            b"p" | b"div"
                | b"br"
                | b"li"
                | b"h1"
                | b"h2"
                | b"h3"
                | b"h4"
                | b"h5"
                | b"h6"
                | b"blockquote"
                | b"tr"
                | b"section"
                | b"article"
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
        let mut words = clean.split_whitespace();
        let Some(first) = words.next() else {
            blank = !out.is_empty();
            continue;
        };
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(first);
        for w in words {
            out.push(' ');
            out.push_str(w);
        }
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
        // No charset anywhere and no UTF-8 beyond ASCII: read as Windows-1252.
        let items = parse_feed(cp1252, None, "s").unwrap();
        assert_eq!(items[0].title.as_deref(), Some("Café “q”"));
        // Mostly UTF-8 with a stray byte: the byte is replaced, the feed is not lost.
        let mixed = "<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Café \u{1}</title></item></channel></rss>".replace('\u{1}', "\u{fffd}");
        let mut bytes = mixed.into_bytes();
        let at = bytes.len() - 40;
        bytes.insert(at, 0xff);
        assert!(parse_feed(&bytes, None, "s").is_ok());
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
    fn an_xml_error_keeps_the_items_before_it_and_no_items_is_an_error() {
        let doc = r#"<rss version="2.0"><channel><item><title>a</title><guid>1</guid></item><!-- never closed <item><title>b</title><guid>2</guid></item></channel></rss>"#;
        let p = parse_feed_doc(doc.as_bytes(), None, "xml-error").unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].id, "1");
        let doc = r#"<rss version="2.0"><channel><!-- never closed <item><title>b</title><guid>2</guid></item></channel></rss>"#;
        let e = parse_feed(doc.as_bytes(), None, "xml-error").unwrap_err();
        assert_eq!(e.kind, SourceErrorKind::Parse);
        assert!(e.message.starts_with("not a feed"), "{e}");
    }

    #[test]
    fn html_to_text_keeps_paragraphs() {
        assert_eq!(
            html_to_text("<p>One  two</p><p>Three</p><script>x()</script>"),
            "One two\n\nThree"
        );
        assert_eq!(html_to_text("a < b, <3 and 1<2"), "a < b, <3 and 1<2");
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
        for d in ["Mon, 01 Jan 262142 00:00:00 GMT", "0000-01-01T00:00:00Z"] {
            let rss = format!(
                "<rss version=\"2.0\"><channel><title>T</title><item><guid>d</guid><pubDate>{d}</pubDate></item></channel></rss>"
            );
            assert_eq!(
                parse_feed(rss.as_bytes(), None, "s").unwrap()[0].published,
                None
            );
        }
    }
}
