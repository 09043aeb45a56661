//! A message's body and headers as an item.

use async_nats::HeaderMap;
use feedloom_core::Item;
use feedloom_core::item::content_hash;

use super::Payload;

/// The item a message carries, or why it carries none.
pub fn decode(
    mode: Payload,
    body: &[u8],
    headers: Option<&HeaderMap>,
    source: &str,
) -> Result<Item, String> {
    match mode {
        Payload::Item => item(body, source),
        Payload::Text => Ok(text(body, headers, source)),
    }
}

fn item(body: &[u8], source: &str) -> Result<Item, String> {
    let mut it: Item =
        serde_json::from_slice(body).map_err(|e| format!("not a feedloom item as JSON: {e}"))?;
    if it.id.trim().is_empty() {
        return Err("an item without an id".into());
    }
    it.source = source.to_string();
    Ok(it)
}

fn header<'a>(headers: Option<&'a HeaderMap>, name: &str) -> Option<&'a str> {
    headers?
        .get(name)
        .map(|v| v.as_str().trim())
        .filter(|v| !v.is_empty())
}

fn text(body: &[u8], headers: Option<&HeaderMap>, source: &str) -> Item {
    let content = String::from_utf8_lossy(body).into_owned();
    let id = header(headers, "Nats-Msg-Id")
        .map(str::to_string)
        .unwrap_or_else(|| content_hash("", &content));
    let mut it = Item::new(id, source);
    it.title = header(headers, "Title").map(str::to_string);
    it.url = header(headers, "Link").map(str::to_string);
    it.text = content;
    it
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_and_texts_are_decoded() {
        let mut src = Item::new("a1", "elsewhere");
        src.title = Some("T".into());
        let body = serde_json::to_vec(&src).unwrap();
        let it = decode(Payload::Item, &body, None, "here").unwrap();
        assert_eq!((it.id.as_str(), it.source.as_str()), ("a1", "here"));
        assert_eq!(it.title.as_deref(), Some("T"));
        assert!(decode(Payload::Item, b"{nope", None, "s").is_err());
        assert!(decode(Payload::Item, b"{\"id\":\"\"}", None, "s").is_err());

        let mut h = HeaderMap::new();
        h.insert("Title", "Hello");
        h.insert("Link", "https://example.org/a");
        h.insert("Nats-Msg-Id", "m-1");
        let t = decode(Payload::Text, b"Body text", Some(&h), "s").unwrap();
        assert_eq!(t.id, "m-1");
        assert_eq!(t.title.as_deref(), Some("Hello"));
        assert_eq!(t.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(t.text, "Body text");
        let bare = decode(Payload::Text, b"Body text", None, "s").unwrap();
        assert_eq!(bare.id, content_hash("", "Body text"));
        assert_eq!(bare.title, None);
    }
}
