//! Bytes → UTF-8 for every document this crate reads (feeds and pages over HTTP, feed files
//! and articles on disk): one function, [`to_utf8`], so the HTTP and file sources agree on
//! what a document says.

use std::borrow::Cow;
use std::ops::Range;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// The document as UTF-8 where it is safe to say so:
/// - a byte-order mark decides (UTF-8, UTF-16LE, UTF-16BE), whatever a declaration says; the
///   mark is removed;
/// - UTF-16 without a mark is recognised by an XML declaration's first bytes
///   (`<\0?\0` little-endian, `\0<\0?` big-endian);
/// - an XML declaration (or an HTML `<meta charset>`) naming another encoding decodes the
///   body — unless the body is valid UTF-8 with non-ASCII bytes in it (a CMS that says
///   ISO-8859-1 and writes UTF-8), or the declaration names UTF-16 for a document that is
///   not (its `<?xml` is in single bytes): then the body is taken as UTF-8;
/// - a body that is valid UTF-8 is left alone, whatever the Content-Type says (servers often
///   send `charset=iso-8859-1` on UTF-8 feeds; Latin text is almost never valid UTF-8 by
///   accident);
/// - otherwise the Content-Type's `charset` decodes it.
///
/// Whenever the result was decoded or differs from what the XML declaration claims, the
/// declaration is rewritten to say UTF-8, so the XML parser (quick-xml, in [`crate::xml`]) never
/// decodes a second time. Bytes still not UTF-8 after this are the caller's to replace.
pub fn to_utf8<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Cow<'a, [u8]> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = &bytes[bom_len..];
        if enc == UTF_8 {
            return declare_utf8(Cow::Borrowed(body));
        }
        return decode_with(enc, body);
    }
    if bytes.starts_with(b"<\0?\0") {
        return decode_with(UTF_16LE, bytes);
    }
    if bytes.starts_with(b"\0<\0?") {
        return decode_with(UTF_16BE, bytes);
    }
    let valid_utf8 = std::str::from_utf8(bytes).is_ok();
    if let Some(enc) = declared_encoding(bytes)
        && enc != UTF_8
    {
        if !enc.is_ascii_compatible() || (valid_utf8 && !bytes.is_ascii()) {
            // UTF-16 named by a declaration we could read as single bytes, or UTF-8 under a
            // declaration that lies: the body is (at best) UTF-8.
            return declare_utf8(Cow::Borrowed(bytes));
        }
        if bytes.is_ascii() {
            // Nothing to decode; any ASCII-compatible decoder reads it the same.
            return Cow::Borrowed(bytes);
        }
        return decode_with(enc, bytes);
    }
    if valid_utf8 {
        return Cow::Borrowed(bytes);
    }
    match content_type
        .and_then(charset_param)
        .and_then(|c| Encoding::for_label(c.as_bytes()))
        .filter(|e| *e != UTF_8 && e.is_ascii_compatible())
    {
        Some(enc) => decode_with(enc, bytes),
        None => Cow::Borrowed(bytes),
    }
}

/// [`to_utf8`] as a string: what is still not UTF-8 is replaced (U+FFFD).
pub fn to_utf8_string(bytes: &[u8], content_type: Option<&str>) -> String {
    match to_utf8(bytes, content_type) {
        Cow::Borrowed(b) => String::from_utf8_lossy(b).into_owned(),
        Cow::Owned(v) => match String::from_utf8(v) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        },
    }
}

/// `bytes` (without a BOM) decoded from `enc`, with the XML declaration saying UTF-8.
fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> Cow<'static, [u8]> {
    let (text, _had_errors) = enc.decode_without_bom_handling(bytes);
    declare_utf8(Cow::Owned(text.into_owned().into_bytes()))
}

/// The document with its XML declaration's encoding label (if any, and if not UTF-8
/// already) replaced by `UTF-8`.
fn declare_utf8(doc: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let Some(label) = xml_encoding_label(&doc) else {
        return doc;
    };
    if doc[label.clone()].eq_ignore_ascii_case(b"utf-8") {
        return doc;
    }
    let mut out = Vec::with_capacity(doc.len());
    out.extend_from_slice(&doc[..label.start]);
    out.extend_from_slice(b"UTF-8");
    out.extend_from_slice(&doc[label.end..]);
    Cow::Owned(out)
}

/// The `charset` parameter of a Content-Type value.
pub(crate) fn charset_param(ct: &str) -> Option<String> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// The encoding the document names: its XML declaration's, else an HTML `<meta>` charset
/// near its start. `None` when it names none, or one encoding_rs does not know.
pub(crate) fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    if let Some(label) = xml_encoding_label(bytes) {
        return Encoding::for_label(bytes[label].trim_ascii());
    }
    meta_charset(bytes).and_then(Encoding::for_label)
}

/// Where the encoding label of the document's XML declaration sits in `bytes`, if the
/// document starts (after whitespace) with a declaration that has one.
pub(crate) fn xml_encoding_label(bytes: &[u8]) -> Option<Range<usize>> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let head = &bytes[start..bytes.len().min(start + 256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let decl = &head[..find(head, b"?>")?];
    // encoding <ws>* = <ws>* ("label" | 'label')
    let mut i = find(decl, b"encoding")? + b"encoding".len();
    let skip_ws = |mut i: usize| {
        while decl.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    i = skip_ws(i);
    if decl.get(i) != Some(&b'=') {
        return None;
    }
    i = skip_ws(i + 1);
    let quote = *decl.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let from = i + 1;
    let len = decl.get(from..)?.iter().position(|&c| c == quote)?;
    Some(start + from..start + from + len)
}

/// The charset an HTML page names in its first 2 KB: `<meta charset="x">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=x">`.
fn meta_charset(bytes: &[u8]) -> Option<&[u8]> {
    let head = &bytes[..bytes.len().min(2048)];
    let mut pos = 0;
    while let Some(i) = find_ci(&head[pos..], b"<meta") {
        let tag_start = pos + i + b"<meta".len();
        let tag_end = head[tag_start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(head.len(), |e| tag_start + e);
        let tag = &head[tag_start..tag_end];
        if let Some(c) = find_ci(tag, b"charset") {
            let mut j = c + b"charset".len();
            while tag.get(j).is_some_and(u8::is_ascii_whitespace) {
                j += 1;
            }
            if tag.get(j) == Some(&b'=') {
                j += 1;
                while tag
                    .get(j)
                    .is_some_and(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
                {
                    j += 1;
                }
                let len = tag[j..]
                    .iter()
                    .take_while(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')
                    })
                    .count();
                if len > 0 {
                    return Some(&tag[j..j + len]);
                }
            }
        }
        pos = tag_end;
    }
    None
}

/// The document without any XML declaration that is not at its start (after whitespace).
/// Such a declaration is not XML anyway, and quick-xml has panicked on one that
/// names an encoding once it has read past the document's first bytes; the text is UTF-8
/// by now ([`to_utf8`]), so nothing is lost. A `<?xml-stylesheet` or other instruction
/// stays.
pub fn drop_late_declarations(doc: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let lead = doc.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let is_declaration = |at: usize| {
        doc.get(at..at + 5)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"<?xml"))
            && doc
                .get(at + 5)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'?')
    };
    let mut cuts = Vec::new();
    let mut from = 0;
    while let Some(p) = find_ci(&doc[from..], b"<?xml") {
        let at = from + p;
        let end = find(&doc[at..], b"?>").map_or(doc.len(), |e| at + e + 2);
        if at != lead && is_declaration(at) {
            cuts.push(at..end);
        }
        from = at + 5;
    }
    if cuts.is_empty() {
        return doc;
    }
    let mut out = Vec::with_capacity(doc.len());
    let mut last = 0;
    for c in cuts {
        if c.start >= last {
            out.extend_from_slice(&doc[last..c.start]);
            last = c.end;
        }
    }
    out.extend_from_slice(&doc[last.min(doc.len())..]);
    Cow::Owned(out)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn find_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_declarations_are_dropped_and_the_first_kept() {
        let doc = b"  <?xml version=\"1.0\"?><a><?xml-stylesheet href=\"x\"?>\xff\xff<?xml encoding=\"ISO88591\"?></a><?XML";
        let out = drop_late_declarations(Cow::Borrowed(&doc[..]));
        assert_eq!(
            &out[..],
            &b"  <?xml version=\"1.0\"?><a><?xml-stylesheet href=\"x\"?>\xff\xff</a>"[..]
        );
        let clean = b"<?xml version=\"1.0\"?><rss/>";
        assert!(matches!(
            drop_late_declarations(Cow::Borrowed(&clean[..])),
            Cow::Borrowed(_)
        ));
    }

    fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if big_endian {
                &[0xfe, 0xff]
            } else {
                &[0xff, 0xfe]
            });
        }
        for u in s.encode_utf16() {
            out.extend_from_slice(&if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn utf16_both_orders_with_and_without_bom() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss><title>Café Ж</title></rss>";
        let want = doc.replace("UTF-16", "UTF-8");
        for be in [true, false] {
            for bom in [true, false] {
                let bytes = utf16(doc, be, bom);
                let got = to_utf8(&bytes, None);
                assert_eq!(
                    std::str::from_utf8(&got).unwrap(),
                    want,
                    "be={be} bom={bom}"
                );
            }
        }
    }

    #[test]
    fn utf8_bom_and_lying_declarations() {
        let doc = "\u{feff}<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>Café</rss>";
        assert_eq!(
            to_utf8(doc.as_bytes(), None).as_ref(),
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss>Caf\xc3\xa9</rss>"
        );
        // Declared UTF-16, but the declaration is in single bytes: UTF-8.
        let liar = b"<?xml version=\"1.0\" encoding=\"utf-16\"?><rss>x</rss>";
        assert!(to_utf8(liar, None).starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        // A real Latin-1 body is decoded here, and the declaration follows.
        let latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss>Caf\xe9</rss>";
        assert_eq!(
            to_utf8(latin, None).as_ref(),
            "<?xml version='1.0' encoding='UTF-8'?><rss>Café</rss>".as_bytes()
        );
    }

    #[test]
    fn html_meta_charset() {
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><body>\xcf\xf0\xe8\xe2\xe5\xf2</body></html>";
        assert!(to_utf8_string(page, None).contains("Привет"));
        let page = b"<meta charset=koi8-r><p>\xf0\xd2\xc9\xd7\xc5\xd4";
        assert!(to_utf8_string(page, None).ends_with("Привет"));
        assert_eq!(meta_charset(b"<meta charset"), None);
    }
}
