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
    /// The names of the folders (outlines without an `xmlUrl`) the feed is in, outermost
    /// first, and its `category` attribute's parts; a feed listed in several folders has the
    /// tags of all of them.
    pub tags: Vec<String>,
}

/// What `feedloom import-opml` adds to every source it prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpmlOptions {
    /// `fulltext: true` on every source.
    pub fulltext: bool,
    /// `interval:` on every source (a duration such as `30m`), as written.
    pub interval: Option<String>,
}

/// An outline's attributes that matter here.
#[derive(Default)]
struct Outline {
    url: Option<String>,
    title: Option<String>,
    text: Option<String>,
    category: Option<String>,
}

fn outline_of(e: &quick_xml::events::BytesStart<'_>) -> Outline {
    let mut o = Outline::default();
    for a in e.attributes().flatten() {
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|_| a.value.trim().to_string());
        if value.is_empty() {
            continue;
        }
        match a.key.local_name().as_ref() {
            k if k.eq_ignore_ascii_case("xmlurl") => o.url = Some(value),
            "title" => o.title = Some(value),
            "text" => o.text = Some(value),
            "category" => o.category = Some(value),
            _ => {}
        }
    }
    o
}

/// The key two listings of one feed share: the URL in its normal form (`HTTP://Example.com`
/// is `http://example.com/`), else as written.
fn url_key(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| url.to_string())
}

fn push_tag(tags: &mut Vec<String>, t: &str) {
    let t = t.trim();
    if !t.is_empty() && !tags.iter().any(|x| x == t) {
        tags.push(t.to_string());
    }
}

/// Every outline with an `xmlUrl`, nested ones included, in document order, with unique
/// slug ids made from the title (else `text`, else the URL's host). The folders a feed is in
/// become its tags; a feed listed twice (the same URL) is one feed with both folders' tags.
pub fn opml_feeds(xml: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    // The same decoding as feeds (UTF-16, BOMs, declared charsets): quick-xml then reads
    // UTF-8 only.
    let xml = crate::decode::to_utf8(xml, None);
    let mut reader = quick_xml::Reader::from_reader(xml.as_ref());
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut feeds: Vec<OpmlFeed> = Vec::new();
    let mut by_url: std::collections::HashMap<String, usize> = Default::default();
    let mut used = HashSet::new();
    let mut saw_opml = false;
    // One entry per open <outline>: the folder name it gives its children, if any.
    let mut folders: Vec<Option<String>> = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| OpmlError::Xml(format!("at byte {}: {e}", reader.buffer_position())))?;
        let (e, open) = match ev {
            Event::Start(ref e) => (e, true),
            Event::Empty(ref e) => (e, false),
            Event::End(ref e) => {
                if e.local_name().as_ref().eq_ignore_ascii_case("outline") {
                    folders.pop();
                }
                buf.clear();
                continue;
            }
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        let name = e.local_name();
        if name.as_ref().eq_ignore_ascii_case("opml") {
            saw_opml = true;
        }
        if !name.as_ref().eq_ignore_ascii_case("outline") {
            buf.clear();
            continue;
        }
        let o = outline_of(e);
        let Some(url) = o.url else {
            if open {
                folders.push(o.title.or(o.text));
            }
            buf.clear();
            continue;
        };
        if open {
            // A feed outline with children: they are not in a folder of its name.
            folders.push(None);
        }
        let mut tags = Vec::new();
        for f in folders.iter().flatten() {
            push_tag(&mut tags, f);
        }
        if let Some(c) = &o.category {
            // `category="/Tech/News,Linux"`: comma-separated slash paths.
            for t in c.split(',').flat_map(|p| p.split('/')) {
                push_tag(&mut tags, t);
            }
        }
        let key = url_key(&url);
        if let Some(&i) = by_url.get(&key) {
            for t in tags {
                push_tag(&mut feeds[i].tags, &t);
            }
            buf.clear();
            continue;
        }
        let title = o.title.or(o.text);
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
        by_url.insert(key, feeds.len());
        feeds.push(OpmlFeed {
            id,
            title,
            url,
            tags,
        });
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
    opml_to_sources_yaml_with(xml, &OpmlOptions::default())
}

/// [`opml_to_sources_yaml`] with `tags:` from the folders, and `fulltext:` and `interval:`
/// on every source when `options` asks for them.
pub fn opml_to_sources_yaml_with(xml: &[u8], options: &OpmlOptions) -> Result<String, OpmlError> {
    Ok(feeds_to_sources_yaml(&opml_feeds(xml)?, options))
}

/// The `sources:` YAML for `feeds`.
pub fn feeds_to_sources_yaml(feeds: &[OpmlFeed], options: &OpmlOptions) -> String {
    let mut out = String::from("sources:\n");
    for f in feeds {
        if let Some(t) = &f.title {
            let t: String = t
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            out.push_str(&format!("  # {t}\n"));
        }
        out.push_str(&format!("  - id: {}\n", yaml_id(&f.id)));
        out.push_str("    type: feed\n");
        out.push_str(&format!("    url: {}\n", yaml_quote(&f.url)));
        if !f.tags.is_empty() {
            let tags: Vec<String> = f.tags.iter().map(|t| yaml_quote(t)).collect();
            out.push_str(&format!("    tags: [{}]\n", tags.join(", ")));
        }
        if let Some(i) = &options.interval {
            out.push_str(&format!("    interval: {}\n", yaml_quote(i)));
        }
        if options.fulltext {
            out.push_str("    fulltext: true\n");
        }
    }
    out
}

/// A slug as a YAML string: plain when it reads as one (starts with a letter and is no
/// YAML keyword), else quoted (`"2600"` would otherwise be a number).
fn yaml_id(id: &str) -> String {
    const KEYWORDS: [&str; 11] = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf",
    ];
    if id.chars().next().is_some_and(char::is_alphabetic) && !KEYWORDS.contains(&id) {
        id.to_string()
    } else {
        yaml_quote(id)
    }
}

/// Lower-case letters (of any script: `Газета.uz` is `газета-uz`, `日本` stays `日本`) and
/// digits joined by single dashes, at most 48 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    let mut n = 0;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
                n += 1;
            }
            dash = false;
            out.push(c);
            n += 1;
            if n >= 48 {
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
        assert_eq!(slug("日本"), "日本");
        assert_eq!(slug("Газета.uz"), "газета-uz");
        assert_eq!(slug("Ελληνικά Νέα"), "ελληνικά-νέα");
    }

    #[test]
    fn folders_become_tags_and_a_feed_listed_twice_is_one_source() {
        let opml = r#"<opml version="2.0"><body>
  <outline text="Asia">
    <outline text="Газета.uz" xmlUrl="https://www.gazeta.uz/ru/rss/"/>
    <outline text="Eurasianet" xmlUrl="https://eurasianet.org/rss" category="/Regional/News"/>
  </outline>
  <outline title="Energy" text="ignored">
    <outline text="Eurasianet again" xmlUrl="HTTPS://Eurasianet.org/rss"/>
    <outline text="Sub"><outline text="2600" xmlUrl="https://2600.com/rss"/></outline>
  </outline>
  <outline text="Top" xmlUrl="https://top.example/feed"/>
</body></opml>"#;
        let feeds = opml_feeds(opml.as_bytes()).unwrap();
        let got: Vec<(&str, Vec<&str>)> = feeds
            .iter()
            .map(|f| (f.id.as_str(), f.tags.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            got,
            [
                ("газета-uz", vec!["Asia"]),
                ("eurasianet", vec!["Asia", "Regional", "News", "Energy"]),
                ("2600", vec!["Energy", "Sub"]),
                ("top", vec![]),
            ]
        );
        let yaml = feeds_to_sources_yaml(
            &feeds,
            &OpmlOptions {
                fulltext: true,
                interval: Some("30m".into()),
            },
        );
        assert!(yaml.contains("  - id: газета-uz\n"), "{yaml}");
        assert!(yaml.contains("  - id: \"2600\"\n"), "{yaml}");
        assert!(
            yaml.contains(
                "    tags: [\"Energy\", \"Sub\"]\n    interval: \"30m\"\n    fulltext: true\n"
            ),
            "{yaml}"
        );
        assert_eq!(yaml.matches("fulltext: true").count(), 4);
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
