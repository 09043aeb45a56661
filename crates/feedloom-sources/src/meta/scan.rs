//! One linear pass over a page's markup that collects every place metadata lives: `<meta>`,
//! `<link>`, JSON-LD scripts, `<html lang>`, `<title>`, the first `<h1>`, `<time>` elements,
//! and the text of elements a template marks as a byline or a date. No DOM is built: a
//! tolerant tag scanner (comments, raw-text elements and quoted `>` handled) over the bytes.

use crate::parse::{decode_entities, html_to_text};

/// How much of an element's inner markup is read for its text (bylines, dates, headings).
const MAX_INNER: usize = 2_000;
/// At most this many of each repeated thing are kept (a page of 10,000 `<time>` elements
/// costs no more than one of 16).
const MAX_KEPT: usize = 16;

/// A `<time>` element or an element marked as a date.
#[derive(Debug, Clone, Default)]
pub(crate) struct Marked {
    /// Byte offset of its start tag.
    pub at: usize,
    /// Its `datetime` (or `content`) attribute, when it has one.
    pub datetime: Option<String>,
    /// Its text.
    pub text: String,
    /// Its class, id, itemprop and rel, lower-cased and joined by spaces.
    pub hints: String,
    /// Inside page furniture (an `<aside>`, `<nav>`, `<footer>`, a related-stories list,
    /// a sidebar, comments, the site's header): about another story, or about today.
    pub furniture: bool,
}

/// What one pass over a page found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// `<meta>` keys (`name`, `property`, `itemprop` or `http-equiv`, lower-cased) with their
    /// `content`, in document order.
    pub metas: Vec<(String, String)>,
    /// `<link>` rel values (lower-cased, one entry per rel word) with their `href`.
    pub links: Vec<(String, String)>,
    /// The text of each `<script type="application/ld+json">`.
    pub jsonld: Vec<String>,
    /// `<html lang>`.
    pub lang: Option<String>,
    pub title: Option<String>,
    pub h1: Option<String>,
    /// Byte offset of the first `<h1>` (where the story starts on most templates).
    pub h1_at: Option<usize>,
    /// Byte offset of `<body>`.
    pub body_at: Option<usize>,
    /// `<time>` elements and elements whose class, id or itemprop names a date.
    pub dates: Vec<Marked>,
    /// Elements whose class, id, itemprop or rel names an author or a byline.
    pub bylines: Vec<Marked>,
    /// Elements that name the story's section (a kicker, a category link, a primary tag).
    pub sections: Vec<Marked>,
    /// The link texts of the first breadcrumb trail.
    pub breadcrumb: Vec<String>,
    /// The first element marked as the headline (`post-title`, `entry-title`, `headline`),
    /// with its offset: the heading of a page that has no `<h1>`.
    pub headline: Option<(usize, String)>,
    /// The `alt` of the site's logo image.
    pub logo_alt: Option<String>,
    /// `<img>` sources with their offsets (not in furniture), the first few.
    pub images: Vec<(usize, String)>,
}

impl Scan {
    /// The first `content` of the `<meta>` with this key (lower-case).
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metas
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// Every `content` of the `<meta>`s with this key.
    pub fn metas_of<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.metas
            .iter()
            .filter(move |(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// The first `href` of a `<link>` with this rel.
    pub fn link(&self, rel: &str) -> Option<&str> {
        self.links
            .iter()
            .find(|(r, h)| r == rel && !h.trim().is_empty())
            .map(|(_, h)| h.trim())
    }
}

/// Scan a page.
pub(crate) fn scan(html: &str) -> Scan {
    let b = html.as_bytes();
    let mut s = Scan::default();
    // Open elements: their name and whether they are (or sit in) page furniture.
    let mut open: Vec<(String, bool)> = Vec::new();
    let mut i = 0;
    while let Some(p) = memchr(b, i, b'<') {
        let lt = p;
        i = lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        if b.get(i) == Some(&b'/') {
            // An end tag closes the nearest open element of its name (and any left open
            // inside it); one with no open match is ignored.
            let name_end = b[i + 1..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || *c == b'>')
                .map_or(b.len(), |n| i + 1 + n);
            let name = html[i + 1..name_end].to_ascii_lowercase();
            if let Some(k) = open.iter().rposition(|(n, _)| *n == name) {
                open.truncate(k);
            }
            continue;
        }
        if !b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let name_end = b[i..]
            .iter()
            .position(|c| c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
            .map_or(b.len(), |n| i + n);
        let name = html[i..name_end].to_ascii_lowercase();
        let (attrs, end) = attributes(html, name_end);
        i = end;
        let hints = hints(&attrs);
        let furniture = open.last().is_some_and(|(_, f)| *f)
            || matches!(name.as_str(), "aside" | "nav" | "footer")
            || (!matches!(name.as_str(), "html" | "body" | "main") && is_furniture(&hints));
        let self_closing = b.get(end.saturating_sub(2)) == Some(&b'/');
        if !is_void(&name) && !self_closing && open.len() < 512 {
            open.push((name.clone(), furniture));
        }
        match name.as_str() {
            "script" | "style" | "textarea" | "template" => {
                let close = find_ci(b, end, format!("</{name}").as_bytes()).unwrap_or(b.len());
                let is_ld = name == "script"
                    && attr(&attrs, "type")
                        .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"));
                if is_ld && s.jsonld.len() < MAX_KEPT {
                    s.jsonld.push(html[end..close].to_string());
                }
                i = close;
            }
            "meta" => {
                let key = ["property", "name", "itemprop", "http-equiv"]
                    .iter()
                    .find_map(|k| attr(&attrs, k));
                let content = attr(&attrs, "content").or_else(|| attr(&attrs, "datetime"));
                if let (Some(k), Some(c)) = (key, content)
                    && s.metas.len() < 512
                {
                    s.metas
                        .push((k.trim().to_ascii_lowercase(), decode_entities(c)));
                }
            }
            "link" => {
                if let (Some(rel), Some(href)) = (attr(&attrs, "rel"), attr(&attrs, "href"))
                    && s.links.len() < 256
                {
                    for r in rel.split_ascii_whitespace() {
                        s.links
                            .push((r.to_ascii_lowercase(), decode_entities(href.trim())));
                    }
                }
            }
            "html" if s.lang.is_none() => {
                s.lang = attr(&attrs, "lang")
                    .or_else(|| attr(&attrs, "xml:lang"))
                    .map(|l| l.trim().to_string());
            }
            "title" if s.title.is_none() => {
                s.title = inner_text(html, end, "title").filter(|t| !t.is_empty());
            }
            "body" if s.body_at.is_none() => s.body_at = Some(lt),
            "h1" if s.h1.is_none() => {
                s.h1 = inner_text(html, end, "h1").filter(|t| !t.is_empty());
                s.h1_at = Some(lt);
            }
            _ => {}
        }
        // A page without `<h1>` (Blogger's `h3.post-title`, a builder's title block): the
        // first element its template marks as the headline stands in.
        if s.headline.is_none() && names_a_headline(&name, &hints) && !furniture {
            s.headline = inner_text(html, end, &name)
                .filter(|t| t.split_whitespace().count() >= 2)
                .map(|t| (lt, t));
        }
        // `data-published="2025-01-14T10:32:00+01:00"` on the article element.
        for (k, v) in &attrs {
            if k.starts_with("data-")
                && (k.contains("publish") || *k == "data-date" || *k == "data-pubdate")
                && s.dates.len() < MAX_KEPT * 4
            {
                s.dates.push(Marked {
                    at: lt,
                    datetime: Some(decode_entities(v)),
                    text: String::new(),
                    hints: "data-published".into(),
                    furniture,
                });
            }
        }
        let is_time = name == "time";
        // `<meta>` and `<link>` are read above; a void element has no text of its own.
        let markup_only = matches!(name.as_str(), "meta" | "link" | "script" | "style");
        if !markup_only && (is_time || names_a_date(&hints)) && s.dates.len() < MAX_KEPT * 4 {
            s.dates.push(Marked {
                at: lt,
                datetime: attr(&attrs, "datetime")
                    .or_else(|| attr(&attrs, "content"))
                    .or_else(|| attr(&attrs, "title"))
                    .or_else(|| attr(&attrs, "data-timestamp"))
                    .or_else(|| attr(&attrs, "data-date"))
                    .map(decode_entities),
                text: if is_void(&name) {
                    String::new()
                } else {
                    inner_text(html, end, &name).unwrap_or_default()
                },
                hints: hints.clone(),
                furniture,
            });
        }
        if name == "img" {
            let src = attr(&attrs, "src")
                .or_else(|| attr(&attrs, "data-src"))
                .unwrap_or("");
            let logo = hints.contains("logo") || src.to_ascii_lowercase().contains("logo");
            if logo && s.logo_alt.is_none() {
                s.logo_alt = attr(&attrs, "alt")
                    .map(|a| decode_entities(a).trim().to_string())
                    .filter(|a| !a.is_empty());
            } else if !furniture
                && !logo
                && !src.is_empty()
                && !src.starts_with("data:")
                && s.images.len() < MAX_KEPT
            {
                s.images.push((lt, decode_entities(src)));
            }
        }
        if s.breadcrumb.is_empty() && hints.contains("breadcrumb") && name != "h2" {
            s.breadcrumb = link_texts(html, end, &name);
        }
        if !furniture && names_a_section(&hints) && s.sections.len() < MAX_KEPT {
            let text = inner_text(html, end, &name).unwrap_or_default();
            if !text.is_empty() && text.split_whitespace().count() <= 4 {
                s.sections.push(Marked {
                    at: lt,
                    datetime: None,
                    text,
                    hints: hints.clone(),
                    furniture,
                });
            }
        }
        // A photo's credit ("MEGAN SOTO, Tribune" in a figure) is not the story's byline.
        let in_figure = open.iter().any(|(n, _)| n == "figure" || n == "figcaption");
        if !markup_only && !in_figure && names_an_author(&hints) && s.bylines.len() < MAX_KEPT * 2 {
            let text = attr(&attrs, "content")
                .map(decode_entities)
                .or_else(|| inner_text(html, end, &name))
                .unwrap_or_default();
            if !text.is_empty() {
                s.bylines.push(Marked {
                    at: lt,
                    datetime: None,
                    text,
                    hints,
                    furniture,
                });
            }
        }
    }
    if s.h1.is_none()
        && let Some((at, text)) = s.headline.clone()
    {
        s.h1 = Some(text);
        s.h1_at = Some(at);
    }
    s
}

/// The visible text just after the heading (or the page's start): where a template puts
/// its "By …" and "Published …" lines when it marks them with nothing a scan can see.
/// `before` bytes before the heading are read too (a newsletter's "By …" line sits above
/// its headline).
pub(crate) fn near_heading_text(html: &str, h1_at: Option<usize>, before: usize) -> String {
    let from = h1_at.unwrap_or(0).saturating_sub(before);
    let mut to = (from + 4_000).min(html.len());
    while !html.is_char_boundary(to) {
        to -= 1;
    }
    let mut start = from;
    while !html.is_char_boundary(start) {
        start -= 1;
    }
    // Line breaks where block elements end, so each label stays on its own line.
    let chunk = html[start..to]
        .replace("<br", "\n<br")
        .replace("</p>", "</p>\n")
        .replace("</div>", "</div>\n")
        .replace("</li>", "</li>\n")
        .replace("</span>", "</span> ");
    html_to_text(&chunk)
}

/// Elements that never hold a start tag's content: no end tag follows.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Words that make a class or id name (as its first or last part between `-` and `_`) a
/// container about other stories, or about the site and today: `related-posts`,
/// `article-comments`, `teaser__time`; but not `has-sidebar-right` on a page's body.
const FURNITURE_WORDS: [&str; 20] = [
    "related",
    "sidebar",
    "popular",
    "recommend",
    "recommended",
    "recommendations",
    "mostread",
    "trending",
    "comment",
    "comments",
    "teaser",
    "teasers",
    "promo",
    "newsletter",
    "masthead",
    "topbar",
    "navbar",
    "today",
    "outbrain",
    "taboola",
];
/// Phrases of such names.
const FURNITURE_PHRASES: [&str; 6] = [
    "most-read",
    "more-stories",
    "read-more",
    "also-read",
    "site-header",
    "top-bar",
];

fn is_furniture(hints: &str) -> bool {
    hints.split_ascii_whitespace().any(|h| {
        let mut parts = h.split(['-', '_']).filter(|p| !p.is_empty());
        let first = parts.next().unwrap_or("");
        let last = parts.next_back().unwrap_or(first);
        FURNITURE_PHRASES.iter().any(|f| h.contains(f))
            || FURNITURE_WORDS.contains(&first)
            || FURNITURE_WORDS.contains(&last)
    })
}

/// A class, id, itemprop or rel that marks a publication date.
fn names_a_date(hints: &str) -> bool {
    hints.split_ascii_whitespace().any(|h| {
        h == "datepublished"
            || h == "pubdate"
            || h.contains("dateline")
            || h.contains("submitted")
            || h.contains("created")
            || h.ends_with("time")
            || h.contains("time__")
            || h.contains("date")
            || h.contains("publish")
            || h.contains("posted")
            || h.contains("timestamp")
            || h.contains("entry-date")
            || h.contains("byline-date")
            || h.contains("article-date")
            || h.contains("story-date")
            || h.contains("post-date")
            || h.contains("news-date")
            || h == "date"
            || h.ends_with("__date")
            || h.ends_with("-date")
            || h.ends_with("_date")
            || h.contains("datecreated")
            || h == "submitted"
    })
}

/// A class, id, itemprop or rel that marks an author or a byline.
fn names_an_author(hints: &str) -> bool {
    hints.split_ascii_whitespace().any(|h| {
        (h.contains("author")
            || h.contains("byline")
            || h == "creator"
            || h.contains("writer")
            || h == "by"
            || h.ends_with("-by")
            || h.ends_with("__by")
            || h.ends_with("_by"))
            && !h.contains("bio")
            && !h.contains("avatar")
            && !h.contains("image")
            && !h.contains("photo")
            && !h.contains("date")
            && !h.contains("more")
            && !h.contains("social")
            && !h.contains("follow")
            && !h.contains("twitter")
            && !h.contains("email")
            && !h.contains("description")
            && !h.contains("title")
            && !h.contains("wrap")
            && !h.contains("container")
    })
}

/// An element a template marks as the story's headline.
fn names_a_headline(name: &str, hints: &str) -> bool {
    let heading = matches!(name, "h2" | "h3" | "div" | "span" | "p" | "a");
    heading
        && hints.split_ascii_whitespace().any(|h| {
            h == "headline"
                || h.contains("entry-title")
                || h.contains("post-title")
                || h.contains("article-title")
                || h.contains("article__title")
                || h.contains("story-title")
                || h.contains("news-title")
                || h.ends_with("__headline")
                || h.ends_with("-headline")
                || (h == "t-title" || h.starts_with("t-title_xl") || h.starts_with("t-title_xx"))
        })
}

/// A class or id that marks the story's section: a kicker, an eyebrow, a category link, a
/// primary tag, a rubric.
fn names_a_section(hints: &str) -> bool {
    hints.split_ascii_whitespace().any(|h| {
        h.contains("primary-tag")
            || h.contains("kicker")
            || h.contains("eyebrow")
            || h.contains("rubric")
            || h.contains("section-name")
            || h.contains("article-section")
            || h.split(['-', '_']).any(|w| w == "cat" || w == "category")
    })
}

/// The texts of the links inside an element whose start tag ends at `from`.
fn link_texts(html: &str, from: usize, name: &str) -> Vec<String> {
    let b = html.as_bytes();
    let limit = (from + MAX_INNER).min(b.len());
    let end = find_ci(&b[..limit], from, format!("</{name}").as_bytes()).unwrap_or(limit);
    let mut out = Vec::new();
    let mut at = from;
    while let Some(a) = find_ci(&b[..end], at, b"<a") {
        let Some(gt) = memchr(&b[..end], a, b'>') else {
            break;
        };
        let close = find_ci(&b[..end], gt, b"</a").unwrap_or(end);
        if let Some(inner) = html.get(gt + 1..close) {
            let t = html_to_text(inner)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if !t.is_empty() {
                out.push(t);
            }
        }
        at = close.max(gt + 1);
        if out.len() >= 8 {
            break;
        }
    }
    out
}

/// class, id, itemprop and rel, lower-cased, space-separated.
fn hints(attrs: &[(String, &str)]) -> String {
    let mut h = String::new();
    for (k, v) in attrs {
        if matches!(
            k.as_str(),
            "class" | "id" | "itemprop" | "rel" | "property" | "data-testid"
        ) {
            h.push_str(&v.to_ascii_lowercase());
            h.push(' ');
        }
    }
    h
}

/// The attributes of a start tag whose name ends at `from`, and the offset after its `>`.
fn attributes(html: &str, from: usize) -> (Vec<(String, &str)>, usize) {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (out, b.len());
        }
        if b[i] == b'>' {
            return (out, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            if !name.is_empty() && out.len() < 64 {
                out.push((name, ""));
            }
            if name_start == i {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = memchr(b, i + 1, q).unwrap_or(b.len());
                let v = &html[i + 1..end];
                i = (end + 1).min(b.len());
                v
            }
            _ => {
                let start = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                &html[start..i]
            }
        };
        if out.len() < 64 {
            out.push((name, value));
        }
    }
}

fn attr<'a>(attrs: &[(String, &'a str)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
}

/// The text of an element whose start tag ends at `from`: up to its close tag (or a bounded
/// stretch of markup when it has none), as plain text.
fn inner_text(html: &str, from: usize, name: &str) -> Option<String> {
    let b = html.as_bytes();
    let limit = (from + MAX_INNER).min(b.len());
    // The matching close tag: elements of the same name may nest inside.
    let (open_tag, close_tag) = (format!("<{name}"), format!("</{name}"));
    let mut depth = 0usize;
    let mut at = from;
    let close = loop {
        let Some(c) = find_ci(&b[..limit], at, close_tag.as_bytes()) else {
            break limit;
        };
        let opens = count_open(&b[at..c], open_tag.as_bytes());
        depth += opens;
        if depth == 0 {
            break c;
        }
        depth -= 1;
        at = c + close_tag.len();
    };
    let inner = html.get(from..close).or_else(|| {
        // `limit` fell inside a character: back off to a boundary.
        let mut c = close;
        while !html.is_char_boundary(c) {
            c -= 1;
        }
        html.get(from..c)
    })?;
    Some(
        html_to_text(inner)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Start tags `<name` (followed by a space, `>` or `/`) in `b`.
fn count_open(b: &[u8], open: &[u8]) -> usize {
    let mut n = 0;
    let mut at = 0;
    while let Some(p) = find_ci(b, at, open) {
        let next = b.get(p + open.len()).copied().unwrap_or(b'>');
        if next == b'>' || next == b'/' || next.is_ascii_whitespace() {
            n += 1;
        }
        at = p + open.len();
    }
    n
}

fn memchr(b: &[u8], from: usize, c: u8) -> Option<usize> {
    b.get(from..)?
        .iter()
        .position(|&x| x == c)
        .map(|p| from + p)
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ci(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_meta_links_scripts_and_marked_elements() {
        let page = r#"<!doctype html><html lang="en-GB"><head><title>A &amp; B - Site</title>
<meta property="og:title" content="A &amp; B"><meta name=author content='Jane Doe'>
<!-- <meta name="date" content="1999-01-01"> -->
<link rel="canonical stylesheet" href="https://x.test/a">
<script type="application/ld+json">{"@type":"NewsArticle"}</script>
<script>var s = "<meta name='date' content='2000-01-01'>";</script></head>
<body><h1 class="headline">A <em>&amp;</em> B</h1><span class="byline">By <a rel="author">Jane Doe</a></span>
<time datetime="2025-03-03T10:00:00+06:00">3 March 2025</time></body></html>"#;
        let s = scan(page);
        assert_eq!(s.lang.as_deref(), Some("en-GB"));
        assert_eq!(s.title.as_deref(), Some("A & B - Site"));
        assert_eq!(s.meta("og:title"), Some("A & B"));
        assert_eq!(s.meta("author"), Some("Jane Doe"));
        assert_eq!(s.meta("date"), None, "comments and scripts are not markup");
        assert_eq!(s.link("canonical"), Some("https://x.test/a"));
        assert_eq!(s.jsonld.len(), 1);
        assert_eq!(s.h1.as_deref(), Some("A & B"));
        assert_eq!(
            s.dates[0].datetime.as_deref(),
            Some("2025-03-03T10:00:00+06:00")
        );
        assert_eq!(s.dates[0].text, "3 March 2025");
        assert!(s.bylines.iter().any(|m| m.text == "By Jane Doe"));
    }

    #[test]
    fn garbage_does_not_panic() {
        for page in [
            "<",
            "<a",
            "<meta content=",
            "<meta content=\"é",
            "<h1>é",
            "<script>",
            "<!--",
            "<time datetime='x",
        ] {
            let _ = scan(page);
        }
        let s = scan(&format!("<h1>{}</h1>", "é".repeat(5_000)));
        assert!(s.h1.is_some());
    }
}
