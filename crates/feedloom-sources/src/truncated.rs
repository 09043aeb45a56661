//! Truncated feeds: a body cut off mid-document (a dropped connection, a proxy's size limit)
//! still holds every item before the cut. Feed readers (feedparser) keep those; so do we.
//!
//! [`check`] says whether a feed document is complete and, when it is not, builds a
//! well-formed copy that ends after the last complete item (`</item>`, `</entry>`, or a JSON
//! Feed item object) with the open elements closed.

use quick_xml::errors::{Error as XmlError, SyntaxError};
use quick_xml::events::Event;

/// What [`check`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Completeness {
    /// The document ends where it should (or it is malformed in some other way, which is
    /// the parser's to report).
    Complete,
    /// Cut off: the document up to its last complete item, closed properly (`None` when no
    /// item was complete before the cut).
    Truncated(Option<Vec<u8>>),
}

/// Deepest element nesting at which an item's ancestors are remembered (feeds put items two
/// or three levels down; deeper "items" are not a feed's).
const MAX_ITEM_ANCESTORS: usize = 16;

/// Is this (UTF-8) feed document complete? JSON when its first non-blank byte is `{`, else
/// XML.
pub fn check(doc: &[u8]) -> Completeness {
    match doc.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => check_json(doc),
        Some(_) => check_xml(doc),
        None => Completeness::Complete,
    }
}

/// XML: cheap test first (the document ends with its root element's end tag), then a full
/// pass with quick-xml (iterative, so deep nesting cannot overflow) that remembers where
/// the last `item`/`entry` ended and which elements were open there.
fn check_xml(doc: &[u8]) -> Completeness {
    if ends_with_root_end_tag(doc) {
        return Completeness::Complete;
    }
    // Bytes that are not UTF-8 are replaced, as the parser's repair would.
    let doc = String::from_utf8_lossy(doc);
    let doc = doc.as_bytes();
    let mut reader = quick_xml::Reader::from_reader(doc);
    let mut stack: Vec<Vec<u8>> = Vec::new();
    // Where the last complete item ends, and its ancestors (outermost first).
    let mut cut: Option<(usize, Vec<Vec<u8>>)> = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => stack.push(e.name().into_inner().as_bytes().to_vec()),
            Ok(Event::End(e)) => {
                stack.pop();
                if stack.is_empty() {
                    // The root element is closed: whatever trails it (a CDN's script, a
                    // stray tag) is not a cut.
                    return Completeness::Complete;
                }
                if matches!(e.local_name().into_inner(), "item" | "entry")
                    && stack.len() <= MAX_ITEM_ANCESTORS
                {
                    let end = usize::try_from(reader.buffer_position()).unwrap_or(doc.len());
                    cut = Some((end.min(doc.len()), stack.clone()));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            // Cut inside a tag, comment, CDATA section, declaration: the input ended early.
            Err(XmlError::Syntax(
                SyntaxError::UnclosedTag
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedDoctype
                | SyntaxError::UnclosedPI
                | SyntaxError::UnclosedXmlDecl
                | SyntaxError::UnclosedSingleQuotedAttributeValue
                | SyntaxError::UnclosedDoubleQuotedAttributeValue,
            )) => {
                stack.push(Vec::new());
                break;
            }
            // Malformed in some other way: not ours to judge.
            Err(_) => return Completeness::Complete,
        }
    }
    if stack.is_empty() {
        return Completeness::Complete;
    }
    Completeness::Truncated(cut.map(|(end, ancestors)| {
        let mut out = doc[..end].to_vec();
        for name in ancestors.iter().rev() {
            out.extend_from_slice(b"</");
            out.extend_from_slice(name);
            out.push(b'>');
        }
        out
    }))
}

/// Does the document end (trailing whitespace and comments aside) with `</root>`, the end
/// tag of its first element?
fn ends_with_root_end_tag(doc: &[u8]) -> bool {
    let Some(root) = root_name(doc) else {
        return false;
    };
    let mut tail = doc.trim_ascii_end();
    while tail.ends_with(b"-->") {
        match rfind(tail, b"<!--") {
            Some(i) => tail = tail[..i].trim_ascii_end(),
            None => return false,
        }
    }
    let Some(body) = tail.strip_suffix(b">") else {
        return false;
    };
    let body = body.trim_ascii_end();
    body.ends_with(root) && body[..body.len() - root.len()].ends_with(b"</")
}

/// The name of the document's first element, after the XML declaration, processing
/// instructions, comments and a doctype.
fn root_name(doc: &[u8]) -> Option<&[u8]> {
    let mut rest = doc.trim_ascii_start();
    loop {
        let skip = if rest.starts_with(b"<?") {
            find(rest, b"?>").map(|i| i + 2)
        } else if rest.starts_with(b"<!--") {
            find(rest, b"-->").map(|i| i + 3)
        } else if rest.starts_with(b"<!") {
            // A doctype; an internal subset ends at `]>`.
            match (find(rest, b"["), find(rest, b">")) {
                (Some(b), Some(g)) if b < g => find(rest, b"]>").map(|i| i + 2),
                (_, g) => g.map(|i| i + 1),
            }
        } else if let Some(tag) = rest.strip_prefix(b"<") {
            let len = tag
                .iter()
                .take_while(|b| !b.is_ascii_whitespace() && !matches!(b, b'>' | b'/'))
                .count();
            return (len > 0).then(|| &tag[..len]);
        } else {
            return None;
        };
        rest = rest.get(skip?..)?.trim_ascii_start();
    }
}

/// JSON Feed: a scan of strings and brackets that remembers where the last complete object
/// of the top-level `items` array ended.
fn check_json(doc: &[u8]) -> Completeness {
    let mut depth_stack: Vec<u8> = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let mut string_start = 0;
    // The last string seen directly inside the top-level object (a key, when `[` follows).
    let mut last_top_string: Option<(usize, usize)> = None;
    let mut in_items = false;
    // Where to cut, and what closes the document there.
    let mut cut: Option<(usize, &'static [u8])> = None;
    for (i, &c) in doc.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == b'\\' {
                escaped = true;
            } else if c == b'"' {
                in_string = false;
                if depth_stack.len() == 1 {
                    last_top_string = Some((string_start, i));
                }
            }
            continue;
        }
        match c {
            b'"' => {
                in_string = true;
                string_start = i + 1;
            }
            b'{' | b'[' => {
                if c == b'['
                    && depth_stack.len() == 1
                    && last_top_string.is_some_and(|(a, b)| &doc[a..b] == b"items")
                {
                    in_items = true;
                }
                depth_stack.push(c);
            }
            b'}' | b']' => {
                depth_stack.pop();
                match depth_stack.len() {
                    0 => return Completeness::Complete,
                    1 if in_items && c == b']' => {
                        in_items = false;
                        cut = Some((i + 1, b"}"));
                    }
                    2 if in_items && c == b'}' => cut = Some((i + 1, b"]}")),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if depth_stack.is_empty() {
        return Completeness::Complete;
    }
    Completeness::Truncated(cut.map(|(end, close)| [&doc[..end], close].concat()))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recovered(doc: &str) -> String {
        match check(doc.as_bytes()) {
            Completeness::Truncated(Some(v)) => String::from_utf8(v).unwrap(),
            other => panic!("{other:?} for {doc}"),
        }
    }

    #[test]
    fn complete_documents() {
        for doc in [
            "<?xml version=\"1.0\"?><rss><channel><item/></channel></rss>\n",
            "<rss><channel></channel></rss ><!-- served in 2 ms -->\n",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry></entry></feed>",
            "{\"items\":[{\"id\":\"1\"}],\"title\":\"t\"}",
            "<rss><channel><item></item></channel></rss>\n<script>track()</script>",
        ] {
            assert_eq!(check(doc.as_bytes()), Completeness::Complete, "{doc}");
        }
    }

    #[test]
    fn cut_rss_atom_and_json() {
        assert_eq!(
            recovered(
                "<rss><channel><title>t</title><item><guid>1</guid></item><item><guid>2</guid></item><item><title>thr"
            ),
            "<rss><channel><title>t</title><item><guid>1</guid></item><item><guid>2</guid></item></channel></rss>"
        );
        assert_eq!(
            recovered(
                "<a:feed xmlns:a=\"http://www.w3.org/2005/Atom\"><a:entry><a:id>1</a:id></a:entry><a:entry><a:id"
            ),
            "<a:feed xmlns:a=\"http://www.w3.org/2005/Atom\"><a:entry><a:id>1</a:id></a:entry></a:feed>"
        );
        assert_eq!(
            recovered(
                "{\"version\":\"x\",\"items\":[{\"id\":\"1\",\"t\":\"a}]\\\"\"},{\"id\":\"2\",\"ti"
            ),
            "{\"version\":\"x\",\"items\":[{\"id\":\"1\",\"t\":\"a}]\\\"\"}]}"
        );
        assert_eq!(
            check(b"<rss><channel><item><title>cut"),
            Completeness::Truncated(None)
        );
    }
}
