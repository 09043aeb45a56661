//! `type: file` — local files matched by a glob: `.xml`, `.rss`, `.atom` and `.json` are
//! parsed as feeds; `.txt` (first line is the title) and `.html` are one article each.
//!
//! ```yaml
//! - id: samples
//!   type: file
//!   path: examples/feeds/*     # relative to the config file
//!   interval: 1m               # optional; default from `defaults.interval`
//! ```
//! A file that cannot be read or parsed is logged (with the source id and the path) and
//! skipped; the other files are still ingested.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use feedloom_core::item::content_hash;
use feedloom_core::{
    BuildContext, BuildError, Duration, Item, PollBatch, Registry, Source, SourceContext,
    SourceError, SourceErrorKind,
};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::decode::to_utf8_string;
use crate::parse::{html_to_text, normalise_ws, parse_feed_doc};

/// Options of `type: file`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileOptions {
    /// A file or a glob (`examples/feeds/*`, `data/**/*.xml`), relative to the config file.
    pub path: String,
    /// How often to look again; default `defaults.interval`.
    #[serde(default)]
    pub interval: Option<Duration>,
}

pub fn register(reg: &mut Registry) {
    reg.register_source("file", "local feed files and articles matched by a glob (.xml/.rss/.atom/.json feeds, .txt/.html articles)", FileSource::build);
}

/// A glob of local files.
pub struct FileSource {
    pattern: String,
    interval: Option<std::time::Duration>,
}

impl FileSource {
    pub fn build(o: FileOptions, ctx: &BuildContext) -> Result<Self, BuildError> {
        let pattern = ctx.resolve(&o.path).to_string_lossy().into_owned();
        glob::Pattern::new(&pattern)
            .map_err(|e| BuildError::at("path", format!("invalid glob {:?}: {e}", o.path)))?;
        Ok(FileSource {
            pattern,
            interval: o.interval.map(Duration::get),
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Feed,
    Text,
    Html,
}

fn kind_of(p: &Path) -> Option<Kind> {
    let ext = p.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "xml" | "rss" | "atom" | "json" | "rdf" => Some(Kind::Feed),
        "txt" | "text" | "md" => Some(Kind::Text),
        "html" | "htm" => Some(Kind::Html),
        _ => None,
    }
}

#[async_trait]
impl Source for FileSource {
    fn interval(&self) -> Option<std::time::Duration> {
        self.interval
    }

    fn describe(&self) -> String {
        self.pattern.clone()
    }

    async fn poll(&self, ctx: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        let pattern = self.pattern.clone();
        let source_id = ctx.source_id.to_string();
        tokio::task::spawn_blocking(move || poll_files(&pattern, &source_id))
            .await
            .map_err(|e| SourceError::new(SourceErrorKind::Other, e.to_string()))?
    }
}

fn poll_files(pattern: &str, source_id: &str) -> Result<PollBatch, SourceError> {
    let paths: Vec<PathBuf> = glob::glob(pattern)
        .map_err(|e| SourceError::new(SourceErrorKind::Io, format!("invalid glob: {e}")))?
        .filter_map(Result::ok)
        .filter(|p| p.is_file())
        .collect();
    let mut batch = PollBatch::default();
    let mut failed = 0usize;
    let mut matched = 0usize;
    for p in &paths {
        let Some(kind) = kind_of(p) else { continue };
        matched += 1;
        let bytes = match std::fs::read(p) {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(source = %source_id, file = %p.display(), error = %e, "cannot read file; skipped");
                failed += 1;
                continue;
            }
        };
        batch.bytes += bytes.len() as u64;
        let url = file_url(p);
        match kind {
            // parse_feed decodes with `to_utf8`, as the HTTP source does.
            Kind::Feed => match parse_feed_doc(&bytes, Some(&url), source_id) {
                Ok(parsed) => {
                    batch.skipped += parsed.skipped as u64;
                    batch.items.extend(parsed.items);
                }
                Err(e) => {
                    tracing::warn!(source = %source_id, file = %p.display(), error = %e, "not a feed; skipped");
                    failed += 1;
                }
            },
            Kind::Text | Kind::Html => {
                // The same decoding as feeds and fetched pages: a BOM (UTF-8 or UTF-16), a
                // declared charset, else UTF-8 (bad bytes replaced).
                let s = to_utf8_string(&bytes, None);
                let (title, text) = if kind == Kind::Text {
                    split_text_article(&s)
                } else {
                    split_html_article(&s)
                };
                let mut item = Item::new(content_hash(&title, &text), source_id);
                item.url = Some(url);
                item.title = Some(title).filter(|t| !t.is_empty());
                if kind == Kind::Html {
                    // The page is the article: its own headline and canonical URL win.
                    crate::meta::page_meta(&s, None, Some(&text), chrono::Utc::now())
                        .fill(&mut item, true);
                }
                item.text = text;
                batch.items.push(item);
            }
        }
    }
    for it in &mut batch.items {
        crate::meta::settle_published(it);
    }
    if matched > 0 && failed == matched {
        return Err(SourceError::new(
            SourceErrorKind::Parse,
            format!("none of the {matched} files matching {pattern} could be read"),
        ));
    }
    Ok(batch)
}

/// A plain-text article: the first non-empty line is the title.
pub fn split_text_article(s: &str) -> (String, String) {
    let s = s.trim_start_matches('\u{feff}');
    let mut lines = s.lines();
    let title = lines
        .by_ref()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string();
    let rest: Vec<&str> = lines.collect();
    (title, normalise_ws(&rest.join("\n")))
}

/// An HTML article: `<title>` (or the first `<h1>`) and the main text: the `<article>` (else
/// `<main>`, else `<body>`) without navigation, headers, footers, asides, forms and scripts.
pub fn split_html_article(s: &str) -> (String, String) {
    let lower = s.to_ascii_lowercase();
    let between = |open: &str, close: &str| -> Option<(usize, usize)> {
        let a = lower.find(open)?;
        let a = a + lower[a..].find('>')? + 1;
        let b = a + lower[a..].rfind(close)?;
        Some((a, b))
    };
    let title = element_text(s, &lower, "title").unwrap_or_default();
    let heading = element_text(s, &lower, "h1");
    let (a, b) = between("<article", "</article>")
        .or_else(|| between("<main", "</main>"))
        .or_else(|| between("<body", "</body>"))
        .unwrap_or((0, s.len()));
    // The simple cut (the article element without page furniture) keeps paragraph breaks;
    // the main-text extractor (trafilatura's rules) is better at dropping what the cut
    // misses (ads, related links inside the article). Keep the cut when both found the same
    // words, else trust the extractor. The extractor refuses pages nested too deep even
    // after flattening: then the cut (a flat scan, safe at any depth) is all there is.
    let body = strip_blocks(
        &s[a..b],
        &[
            "nav", "header", "footer", "aside", "form", "script", "style", "noscript", "figure",
        ],
    );
    let simple = html_to_text(&body);
    let mut text = match crate::fulltext::main_text_of(s, None) {
        Ok(Some(main)) if words(&main) != words(&simple) => main,
        _ => simple,
    };
    if let Some(first) = text.lines().next()
        && is_headline(first, &title, heading.as_deref())
    {
        text = text[first.len()..].trim_start().to_string();
    }
    let title = if title.is_empty() {
        heading.unwrap_or_default()
    } else {
        title
    };
    (title, text)
}

/// The words of `t`, single-spaced.
fn words(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Is the body's first line the headline, to be dropped? Only when it IS the title, or it
/// is the page's `<h1>` and the title is that heading with more after it (a site name:
/// "Water prices rise | Daily Example"). A first paragraph that merely starts with the
/// title's words is the article's first paragraph and stays.
fn is_headline(first: &str, title: &str, heading: Option<&str>) -> bool {
    let first = words(first);
    if first.is_empty() {
        return false;
    }
    let title = words(title);
    first == title
        || heading.is_some_and(|h| words(h) == first && title.starts_with(first.as_str()))
}

/// The text of the first `<name ...>...</name>` element (`lower` is `s` lower-cased).
fn element_text(s: &str, lower: &str, name: &str) -> Option<String> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut from = 0;
    // `<title` must not match `<titles>`: the name ends at whitespace, `>` or `/`.
    let start = loop {
        let at = from + lower[from..].find(&open)?;
        let after = at + open.len();
        if lower[after..].starts_with(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace()) {
            break after;
        }
        from = after;
    };
    let a = start + lower[start..].find('>')? + 1;
    let b = a + lower[a..].find(&close)?;
    let text = html_to_text(&s[a..b]);
    (!text.is_empty()).then_some(text)
}

/// Remove `<tag ...>...</tag>` blocks (case-insensitive, not nested) for each tag, in one
/// pass (linear in the length of the page).
fn strip_blocks(html: &str, tags: &[&str]) -> String {
    let lower = html.to_ascii_lowercase();
    let lb = lower.as_bytes();
    let mut out = String::with_capacity(html.len());
    let (mut copied, mut i) = (0, 0);
    while let Some(p) = lower[i..].find('<') {
        let lt = i + p;
        let name_at = lt + 1;
        let tag = tags.iter().find(|t| {
            lb[name_at..].starts_with(t.as_bytes())
                && lb
                    .get(name_at + t.len())
                    .is_some_and(|&c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
        });
        let Some(tag) = tag else {
            i = name_at;
            continue;
        };
        let close = format!("</{tag}>");
        let end = lower[lt..]
            .find(&close)
            .map_or(html.len(), |e| lt + e + close.len());
        out.push_str(&html[copied..lt]);
        out.push('\n');
        copied = end;
        i = end;
    }
    out.push_str(&html[copied..]);
    out
}

fn file_url(p: &Path) -> String {
    let abs = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    format!("file://{}", abs.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never(_: &str) -> bool {
        false
    }

    #[tokio::test]
    async fn reads_feeds_and_articles_and_skips_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.txt"),
            "Title line\n\nBody one.\nBody two.\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("b.xml"), r#"<rss version="2.0"><channel><title>x</title><item><guid>g1</guid><title>T</title></item></channel></rss>"#).unwrap();
        std::fs::write(dir.path().join("c.xml"), "<not a feed").unwrap();
        std::fs::write(
            dir.path().join("d.html"),
            "<html><head><title>H</title></head><body><nav>x</nav><p>Para</p></body></html>",
        )
        .unwrap();
        std::fs::write(dir.path().join("ignored.bin"), [0u8, 1, 2]).unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let src = FileSource::build(
            FileOptions {
                path: "*".into(),
                interval: None,
            },
            &ctx,
        )
        .unwrap();
        let b = src
            .poll(&SourceContext {
                source_id: "s",
                delivered: &never,
            })
            .await
            .unwrap();
        let mut titles: Vec<_> = b.items.iter().filter_map(|i| i.title.clone()).collect();
        titles.sort();
        assert_eq!(titles, ["H", "T", "Title line"]);
        let txt = b
            .items
            .iter()
            .find(|i| i.title.as_deref() == Some("Title line"))
            .unwrap();
        assert_eq!(txt.text, "Body one.\nBody two.");
        assert!(txt.id.starts_with("sha256:"));
        let again = src
            .poll(&SourceContext {
                source_id: "s",
                delivered: &never,
            })
            .await
            .unwrap();
        assert_eq!(
            again.items.iter().map(|i| &i.id).collect::<Vec<_>>(),
            b.items.iter().map(|i| &i.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn html_article_keeps_the_article_and_drops_page_furniture() {
        let html = "<html><head><title>T</title></head><body><nav>Home | News</nav><header>Logo</header><article><h1>T</h1><p>First para.</p><aside>Most read</aside><p>Second para.</p></article><footer>Follow us</footer></body></html>";
        let (title, text) = split_html_article(html);
        assert_eq!(title, "T");
        assert!(
            text.contains("First para.") && text.contains("Second para."),
            "{text}"
        );
        for furniture in ["Home", "Logo", "Most read", "Follow us"] {
            assert!(!text.contains(furniture), "{furniture} kept: {text}");
        }
    }

    #[test]
    fn bad_glob_is_a_build_error_at_path() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let e = FileSource::build(
            FileOptions {
                path: "[".into(),
                interval: None,
            },
            &ctx,
        )
        .err()
        .unwrap();
        assert_eq!(e.path, "path");
    }
}
