//! Text out of the markup feeds carry: HTML fragments to plain text, entities, whitespace.

use super::*;

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
