//! JSON Feed 1.0 and 1.1 (<https://jsonfeed.org/version/1.1>): read as plain JSON, so a
//! field of an unexpected type is skipped rather than failing the feed.

use chrono::{DateTime, Utc};
use feedloom_core::item::Enclosure;
use serde_json::Value;

use crate::dates::parse_date;
use crate::parse::{Body, FeedMeta, ParsedFeed, RawEntry, person_name};

fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Names of a 1.1 `authors` array or a 1.0 `author` object.
fn authors(o: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let list: Vec<&Value> = match (o.get("authors"), o.get("author")) {
        (Some(Value::Array(a)), _) => a.iter().collect(),
        (_, Some(a)) => vec![a],
        _ => Vec::new(),
    };
    for a in list {
        let name = match a {
            Value::Object(p) => text_of(p.get("name")).or_else(|| text_of(p.get("url"))),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        if let Some(n) = name.and_then(|n| person_name(&n))
            && !out.contains(&n)
        {
            out.push(n);
        }
    }
    out
}

/// Parse a JSON Feed document.
pub(crate) fn parse(
    text: &str,
    base: Option<&str>,
    source_id: &str,
    fetched: DateTime<Utc>,
) -> Result<ParsedFeed, feedloom_core::SourceError> {
    let err = |m: String| feedloom_core::SourceError::new(feedloom_core::SourceErrorKind::Parse, m);
    let v: Value =
        serde_json::from_str(text).map_err(|e| err(format!("not a feed: invalid JSON: {e}")))?;
    let Value::Object(feed) = v else {
        return Err(err("not a feed: JSON that is not an object".into()));
    };
    let version = text_of(feed.get("version")).unwrap_or_default();
    let items = match feed.get("items") {
        Some(Value::Array(a)) => a.as_slice(),
        _ if version.contains("jsonfeed.org") => &[],
        _ => {
            return Err(err(
                "not a feed: JSON without a JSON Feed version or an items list".into(),
            ));
        }
    };
    let mut meta = FeedMeta {
        base: base.and_then(|b| url::Url::parse(b).ok()),
        authors: authors(&feed),
        language: text_of(feed.get("language"))
            .and_then(|l| l.split(['-', '_']).next().map(str::to_lowercase)),
        ..FeedMeta::default()
    };
    meta.info.title = text_of(feed.get("title")).map(|t| crate::parse::normalise_ws(&t));
    meta.info.link =
        text_of(feed.get("home_page_url")).map(|l| crate::parse::absolute(&l, meta.base.as_ref()));
    meta.info.url = base
        .map(str::to_string)
        .or_else(|| text_of(feed.get("feed_url")));
    let mut parsed = ParsedFeed::default();
    for it in items {
        let Value::Object(o) = it else {
            parsed.skipped += 1;
            continue;
        };
        let mut r = RawEntry {
            guid: text_of(o.get("id")),
            link: text_of(o.get("url")).or_else(|| text_of(o.get("external_url"))),
            title: text_of(o.get("title")).map(Body::Text),
            summary: text_of(o.get("summary")).map(Body::Text),
            content: text_of(o.get("content_html"))
                .map(Body::Html)
                .or_else(|| text_of(o.get("content_text")).map(Body::Text)),
            authors: authors(o),
            published: text_of(o.get("date_published")).and_then(|d| parse_date(&d)),
            updated: text_of(o.get("date_modified")).and_then(|d| parse_date(&d)),
            image: text_of(o.get("image")).or_else(|| text_of(o.get("banner_image"))),
            language: text_of(o.get("language")),
            ..RawEntry::default()
        };
        if let Some(Value::Array(tags)) = o.get("tags") {
            for t in tags.iter().filter_map(|t| text_of(Some(t))) {
                if !r.categories.contains(&t) {
                    r.categories.push(t);
                }
            }
        }
        if let Some(Value::Array(att)) = o.get("attachments") {
            for a in att {
                let Value::Object(a) = a else { continue };
                let Some(url) = text_of(a.get("url")) else {
                    continue;
                };
                r.enclosures.push(Enclosure {
                    url,
                    mime_type: text_of(a.get("mime_type")),
                    length: a.get("size_in_bytes").and_then(Value::as_u64),
                });
            }
        }
        match r.into_item(source_id, fetched, &meta) {
            Some(item) => parsed.items.push(item),
            None => parsed.skipped += 1,
        }
    }
    if parsed.items.is_empty() && !items.is_empty() {
        return Err(err(format!(
            "not a feed: {} JSON Feed items but none could be read (no title, url, id or content)",
            items.len()
        )));
    }
    Ok(parsed)
}
