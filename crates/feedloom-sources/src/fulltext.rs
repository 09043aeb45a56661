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
//!
//! rs-trafilatura walks the DOM recursively (a few thousand nested elements overflow a
//! 2 MiB stack), so every page goes through [`crate::html_guard::prepare`] first: flattened
//! beyond [`crate::html_guard::MAX_DEPTH`] levels, and refused if the parsed tree is still
//! too deep. A panic inside the extractor fails the page, not the thread.

use rs_trafilatura::Options;

use crate::decode::to_utf8_string;
use crate::parse::normalise_ws;

/// Pages with more start tags than this are not extracted: extraction time grows with the
/// element count (about 1.6 s for 50,000 elements in a release build).
pub const MAX_ELEMENTS: usize = 30_000;

/// Why a page is not worth extracting (too many elements), if it is not. A single linear
/// pass over the bytes. Depth is [`crate::html_guard`]'s business: deep pages are flattened
/// (or refused) there, before extraction.
pub fn too_complex(html: &[u8]) -> Option<String> {
    let mut elements = 0usize;
    let mut i = 0;
    while let Some(p) = html[i..].iter().position(|&b| b == b'<') {
        i += p + 1;
        if html.get(i).is_some_and(u8::is_ascii_alphabetic) {
            elements += 1;
        }
    }
    (elements > MAX_ELEMENTS)
        .then(|| format!("page too large to extract ({elements} elements, limit {MAX_ELEMENTS})"))
}

/// The main text of an HTML article (any encoding: BOM, `<meta charset>`, else UTF-8),
/// paragraphs separated by blank lines. `url` (the page's absolute URL) is optional. `None`
/// when no article body could be found, or the page could not be extracted (see
/// [`main_text`] for why).
pub fn extract_main_text(html: &[u8], url: Option<&str>) -> Option<String> {
    main_text(html, None, url).ok().flatten()
}

/// [`extract_main_text`] with the page's Content-Type (its charset decodes a page that
/// names none) and the reason a page is refused: too many elements, nested too deep even
/// after flattening, or the extractor panicked.
pub fn main_text(
    html: &[u8],
    content_type: Option<&str>,
    url: Option<&str>,
) -> Result<Option<String>, String> {
    main_text_of(&to_utf8_string(html, content_type), url)
}

/// [`main_text`] of a page already decoded.
pub fn main_text_of(page: &str, url: Option<&str>) -> Result<Option<String>, String> {
    if let Some(why) = too_complex(page.as_bytes()) {
        return Err(why);
    }
    // rs-trafilatura walks the DOM recursively: only a page known to be shallow goes in.
    let page = crate::html_guard::prepare(page)?;
    let opts = Options {
        url: url
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .map(str::to_string),
        ..Options::default()
    };
    // A panic in the extractor fails this page, not the thread (or the poll) it runs on.
    let extracted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rs_trafilatura::extract_with_options(&page, &opts)
    }))
    .map_err(|_| "the main-text extractor gave up on this page (internal error)".to_string())?;
    let Ok(r) = extracted else {
        return Ok(None);
    };
    let text = normalise_ws(&r.content_text);
    Ok((!text.is_empty()).then_some(text))
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
