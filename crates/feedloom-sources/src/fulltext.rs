//! Article main-text extraction for `fulltext: true`: the readable body of an article page,
//! without navigation, ads, asides, comments and footers.
//!
//! Uses `rs-trafilatura` (a port of trafilatura). Compared with `dom_smoothie` 0.19 (a
//! Readability port) on 41 article pages (5 hand-written: semantic news page, div-only blog
//! with comments, table layout with obfuscated ad classes, long form with lists, quotes and
//! figures, a short story under heavy furniture; 36 generated: `<article>`, `<main>` or a
//! plain `<div>`, 3–15 paragraphs, an ad, related links, newsletter box or share bar inside
//! the story, plus nav, sidebar and footer): both kept all 353 body paragraphs;
//! rs-trafilatura let furniture through on 3 pages (the table layout, a tag line, a related
//! list), dom_smoothie on 32 (it keeps in-story ad, newsletter and share blocks).
//! dom_smoothie is 5–10× faster (about 2 ms against 10 ms for a 114 KB page), which is small
//! next to fetching the page, and it would bring a second version of dom_query. Extraction
//! runs on the blocking pool.

use rs_trafilatura::Options;

use crate::parse::normalise_ws;

/// Pages with more start tags than this are not extracted: extraction time grows with the
/// element count (about 1.6 s for 50,000 elements in a release build).
pub const MAX_ELEMENTS: usize = 30_000;
/// Pages whose container elements nest deeper than this are not extracted: extraction time
/// grows with the square of the depth (80 ms at 500, 4.5 s at 5,000).
pub const MAX_DEPTH: usize = 400;

/// Why a page is not worth extracting (too many elements, nested too deep), if it is not.
/// A single linear pass over the bytes.
pub fn too_complex(html: &[u8]) -> Option<String> {
    const CONTAINERS: &[&[u8]] = &[
        b"div",
        b"section",
        b"article",
        b"span",
        b"table",
        b"ul",
        b"ol",
        b"blockquote",
        b"main",
        b"aside",
        b"nav",
        b"header",
        b"footer",
        b"form",
    ];
    let (mut elements, mut depth, mut max_depth) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while let Some(p) = html[i..].iter().position(|&b| b == b'<') {
        i += p + 1;
        let closing = html.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let len = html[start..]
            .iter()
            .take(16)
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if len == 0 || !html[start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[start..start + len].to_ascii_lowercase();
        let container = CONTAINERS.contains(&name.as_slice());
        if closing {
            if container {
                depth = depth.saturating_sub(1);
            }
        } else {
            elements += 1;
            if container {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
        }
    }
    if elements > MAX_ELEMENTS {
        Some(format!(
            "page too large to extract ({elements} elements, limit {MAX_ELEMENTS})"
        ))
    } else if max_depth > MAX_DEPTH {
        Some(format!(
            "page nested too deep to extract (depth {max_depth}, limit {MAX_DEPTH})"
        ))
    } else {
        None
    }
}

/// The main text of an HTML article (any encoding; detected from the bytes), paragraphs
/// separated by blank lines. `url` (the page's absolute URL) is optional. `None` when no
/// article body could be found.
/// `None` too for pages that are [`too_complex`] to extract in reasonable time.
pub fn extract_main_text(html: &[u8], url: Option<&str>) -> Option<String> {
    if too_complex(html).is_some() {
        return None;
    }
    let opts = Options {
        url: url
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .map(str::to_string),
        ..Options::default()
    };
    let r = rs_trafilatura::extract_bytes_with_options(html, &opts).ok()?;
    let text = normalise_ws(&r.content_text);
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_body_and_drops_furniture() {
        let para = "The council said on Tuesday that water prices would rise by four percent next year as the utility struggles with repairs to ageing pipes.";
        let html = format!(
            "<html><head><title>Water</title></head><body><nav><a href=/a>Home</a> <a href=/b>World</a></nav>\
             <article><h1>Water</h1><p>{para} One.</p><div class=\"ad\">ADVERT buy now</div><p>{para} Two.</p><p>{para} Three.</p></article>\
             <aside class=\"sidebar\"><h3>Most read</h3><ul><li><a href=/x>Popular story</a></li></ul></aside>\
             <footer>Copyright Daily Example</footer></body></html>"
        );
        let text = extract_main_text(html.as_bytes(), Some("https://example.com/a")).unwrap();
        assert!(text.contains("pipes. One."), "{text}");
        assert!(text.contains("pipes. Three."), "{text}");
        assert!(text.contains("\n\n"), "paragraphs kept apart: {text}");
        for junk in ["Home", "Most read", "Copyright", "ADVERT"] {
            assert!(!text.contains(junk), "{junk} leaked: {text}");
        }
    }

    #[test]
    fn complexity_guard() {
        let ok = "<div><p>x</p></div>".repeat(100);
        assert!(too_complex(ok.as_bytes()).is_none());
        let deep = format!("{}x{}", "<div>".repeat(1000), "</div>".repeat(1000));
        assert!(too_complex(deep.as_bytes()).unwrap().contains("deep"));
        let wide = "<p>x".repeat(MAX_ELEMENTS + 1);
        assert!(too_complex(wide.as_bytes()).unwrap().contains("elements"));
        assert!(too_complex("<é<</<".as_bytes()).is_none());
    }

    #[test]
    fn garbage_gives_none_or_text_without_panicking() {
        assert!(extract_main_text(b"", None).is_none());
        let _ = extract_main_text(b"<<<>>><div<p", Some("not a url"));
    }
}
