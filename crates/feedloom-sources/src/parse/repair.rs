//! Repairs made before a document is read: double-encoded UTF-8, Windows-1252 in a feed
//! that says ISO-8859-1, bare `<` and `&` in XML.

use super::*;

/// Does `b` hold at least one well-formed multi-byte UTF-8 sequence?
pub(super) fn has_utf8_multibyte(b: &[u8]) -> bool {
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
pub(super) fn cp1252_byte(c: char) -> Option<u8> {
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
pub(super) fn repair_mojibake(s: &str) -> Option<String> {
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
pub(super) fn escape_bare_lt(s: &str) -> Option<String> {
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

/// A repaired copy of a malformed XML feed, or `None` when there is nothing to repair
/// (JSON, or no bare `&` and no invalid UTF-8 in a UTF-8 document).
pub(super) fn repair_xml(bytes: &[u8]) -> Option<Vec<u8>> {
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

pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Does `s` (what follows an `&`) start with a character or entity reference (`#123;`,
/// `#x1F;`, `name;`)?
pub(super) fn is_reference(s: &[u8]) -> bool {
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
