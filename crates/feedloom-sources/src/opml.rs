//! OPML import: an RSS reader's subscription export → the `sources:` YAML block of a
//! feedloom config (`feedloom import-opml FILE.opml`).

use std::collections::HashSet;

use quick_xml::events::Event;

/// Why an OPML document could not be converted.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum OpmlError {
    #[error("not a valid OPML document: {0}")]
    Xml(String),
    #[error("the OPML document lists no feeds (no <outline> with an xmlUrl)")]
    NoFeeds,
}

/// One feed found in an OPML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// A unique slug for the source id.
    pub id: String,
    pub title: Option<String>,
    pub url: String,
}

/// Every outline with an `xmlUrl`, nested ones included, in document order, with unique
/// slug ids made from the title (else `text`, else the URL's host).
pub fn opml_feeds(xml: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    // The same decoding as feeds (UTF-16, BOMs, declared charsets): quick-xml then reads
    // UTF-8 only.
    let xml = crate::decode::to_utf8(xml, None);
    let mut reader = quick_xml::Reader::from_reader(xml.as_ref());
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut feeds = Vec::new();
    let mut used = HashSet::new();
    let mut saw_opml = false;
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| OpmlError::Xml(format!("at byte {}: {e}", reader.buffer_position())))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name();
                if name.as_ref().eq_ignore_ascii_case("opml") {
                    saw_opml = true;
                }
                if !name.as_ref().eq_ignore_ascii_case("outline") {
                    buf.clear();
                    continue;
                }
                let (mut url, mut title, mut text) = (None, None, None);
                for a in e.attributes().flatten() {
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.trim().to_string())
                        .unwrap_or_else(|_| a.value.trim().to_string());
                    if value.is_empty() {
                        continue;
                    }
                    match a.key.local_name().as_ref() {
                        k if k.eq_ignore_ascii_case("xmlurl") => url = Some(value),
                        "title" => title = Some(value),
                        "text" => text = Some(value),
                        _ => {}
                    }
                }
                if let Some(url) = url {
                    let title = title.or(text);
                    let base = title
                        .as_deref()
                        .map(slug)
                        .filter(|s| !s.is_empty())
                        .or_else(|| {
                            url::Url::parse(&url)
                                .ok()
                                .and_then(|u| u.host_str().map(slug))
                        })
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| "feed".to_string());
                    let mut id = base.clone();
                    let mut n = 2;
                    while !used.insert(id.clone()) {
                        id = format!("{base}-{n}");
                        n += 1;
                    }
                    feeds.push(OpmlFeed { id, title, url });
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !saw_opml && feeds.is_empty() {
        return Err(OpmlError::Xml("no <opml> element".into()));
    }
    if feeds.is_empty() {
        return Err(OpmlError::NoFeeds);
    }
    Ok(feeds)
}

/// The `sources:` YAML for every feed of an OPML export: one `- id: <slug>` / `type: feed` /
/// `url: ...` entry per outline with an `xmlUrl` (the title as a comment).
pub fn opml_to_sources_yaml(xml: &[u8]) -> Result<String, OpmlError> {
    let feeds = opml_feeds(xml)?;
    let mut out = String::from("sources:\n");
    for f in feeds {
        if let Some(t) = &f.title {
            let t: String = t
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            out.push_str(&format!("  # {t}\n"));
        }
        out.push_str(&format!("  - id: {}\n", f.id));
        out.push_str("    type: feed\n");
        out.push_str(&format!("    url: {}\n", yaml_quote(&f.url)));
    }
    Ok(out)
}

/// Lower-case ASCII letters and digits joined by single dashes, at most 48 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
            if out.len() >= 48 {
                break;
            }
        } else {
            dash = true;
        }
    }
    out
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn yaml_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Ars Technica — All"), "ars-technica-all");
        assert_eq!(slug("  ¡Hola!  "), "hola");
        assert_eq!(slug("日本"), "");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(opml_to_sources_yaml(b"<opml><body><outline").is_err());
        assert!(opml_to_sources_yaml(b"\xff\xfe\x00").is_err());
        assert_eq!(
            opml_to_sources_yaml(b"<opml><body><outline text=\"x\"/></body></opml>"),
            Err(OpmlError::NoFeeds)
        );
    }
}
