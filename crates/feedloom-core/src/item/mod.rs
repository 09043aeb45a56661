//! The [`Item`]: one article as it moves from a source, through the extractors, to the sinks.
//!
//! Serialised as one JSON object (one line in `stdout` and `jsonl` sinks). Fields that an
//! extractor adds are `Option`s and are left out of the JSON when that extractor did not run,
//! so a consumer can tell "not extracted" from "nothing found" (an empty list).

pub mod contract;
mod facts;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use facts::{Amount, DateMention, Entity, EntityKind, Keyword, Quote, Section};

/// One news item (an article) and everything the extractors found in it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Item {
    /// Stable id: the feed's guid, else the link, else a hash of title and content.
    /// Never changes between polls of the same entry.
    pub id: String,
    /// The id of the source (from the config) that produced this item.
    pub source: String,
    /// The article's link.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// When the article was published (RFC 3339), when known.
    #[serde(default)]
    pub published: Option<DateTime<Utc>>,
    /// Where `published` came from: `feed` (the feed, or whoever made the item), `page`
    /// (the article page's metadata), `text` (a dateline at the top of the text), or
    /// `fetched` when nothing gave a date (`published` is then absent and relative dates
    /// resolve against `fetched`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_from: Option<String>,
    /// When the article was last modified, when its page says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
    /// When feedloom fetched it (RFC 3339).
    pub fetched: DateTime<Utc>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub summary: Option<String>,
    /// The main text, paragraphs separated by blank lines.
    #[serde(default)]
    pub text: String,
    /// ISO 639-1 language code (set by the `language` extractor, or by the feed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The categories the feed gives the item (RSS `category`, Atom category label or term,
    /// `dc:subject`, `media:keywords`, JSON Feed `tags`), in document order, without
    /// repeats; when the feed gives none, the article page's section and tags; absent when
    /// there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// The item's image URL (Media RSS thumbnail or image content, an image enclosure,
    /// `itunes:image`, JSON Feed `image`, else the page's `og:image` or JSON-LD image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Files attached to the item (RSS `enclosure`, Atom `link rel="enclosure"`,
    /// `media:content`, JSON Feed `attachments`); absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enclosures: Vec<Enclosure>,
    /// The feed the item came from (its title, its website link and its own URL), when the
    /// source reads a feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed: Option<FeedInfo>,
    /// The article's canonical URL, as its page names it (`link rel=canonical`, `og:url`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    /// The name of the site that published the article (`og:site_name`, JSON-LD publisher).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// Why the article's page was not fetched or read (`fulltext: true`), when it was not:
    /// the item then carries the feed's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulltext_error: Option<String>,

    // ---- fields added by extractors; absent when the extractor did not run ----
    /// People, organisations and places (`entities` extractor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<Entity>>,
    /// Direct quotations with their speakers (`quotes` extractor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotes: Option<Vec<Quote>>,
    /// Money, percentages and counts (`amounts` extractor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amounts: Option<Vec<Amount>>,
    /// Dates and date ranges resolved to ISO dates (`dates` extractor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dates: Option<Vec<DateMention>>,
    /// ISO 3166-1 alpha-2 codes of the countries the article concerns, most mentioned first
    /// (`countries` extractor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub countries: Option<Vec<String>>,
    /// Top terms and phrases (`keywords` extractor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<Vec<Keyword>>,
    /// Sections of a bulletin (`sections` extractor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sections: Option<Vec<Section>>,
    /// The id of the first item this one is a near-duplicate of (`dedup` extractor):
    /// `null` when dedup ran and found none, absent when dedup did not run.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "double_option"
    )]
    #[schemars(with = "Option<String>")]
    pub duplicate_of: Option<Option<String>>,
    /// Free-form labels (`rules` extractor, plugins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Any other field a plugin added (exec, wasm and rules plugins may add their own).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A file attached to an item (a podcast's audio, a photo).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Enclosure {
    /// The file's URL (absolute when the feed's URL made it so).
    pub url: String,
    /// Its MIME type as the feed gives it (`audio/mpeg`), when given.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// Its size in bytes as the feed gives it, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
}

/// The feed an item came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FeedInfo {
    /// The feed's title, as plain text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The feed's website (its `link`, or Atom `alternate` link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The URL the feed was read from (`file://` for the file source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Item {
    /// A new item with the given id and source, fetched now.
    pub fn new(id: impl Into<String>, source: impl Into<String>) -> Self {
        Item {
            id: id.into(),
            source: source.into(),
            fetched: Utc::now(),
            ..Item::default()
        }
    }

    /// The stable id rule shared by every source: the guid, else the link, else a hash of
    /// title and content (`sha256:` + 32 hex digits). Never random, so an entry keeps its id
    /// across polls.
    pub fn stable_id(guid: Option<&str>, link: Option<&str>, title: &str, content: &str) -> String {
        if let Some(g) = guid.map(str::trim).filter(|g| !g.is_empty()) {
            return g.to_string();
        }
        if let Some(l) = link.map(str::trim).filter(|l| !l.is_empty()) {
            return l.to_string();
        }
        content_hash(title, content)
    }

    /// The reference date for resolving relative dates: `published`, else `fetched`.
    pub fn reference_time(&self) -> DateTime<Utc> {
        self.published.unwrap_or(self.fetched)
    }

    /// The item as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("an Item always serialises")
    }

    /// Merge a JSON object into the item: every key in `patch` adds or replaces that field.
    /// This is how out-of-process plugins (exec, wasm) return their results.
    pub fn merge_json(
        &mut self,
        patch: serde_json::Map<String, serde_json::Value>,
    ) -> Result<(), serde_json::Error> {
        let mut obj = match self.to_json() {
            serde_json::Value::Object(o) => o,
            _ => unreachable!("an Item serialises to an object"),
        };
        for (k, v) in patch {
            obj.insert(k, v);
        }
        *self = serde_json::from_value(serde_json::Value::Object(obj))?;
        Ok(())
    }

    /// Add tags, keeping them unique and in first-seen order.
    pub fn add_tags<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, tags: I) {
        let list = self.tags.get_or_insert_with(Vec::new);
        for t in tags {
            let t = t.into();
            if !list.contains(&t) {
                list.push(t);
            }
        }
    }
}

/// `sha256:` + the first 32 hex digits of SHA-256 over title and content.
pub fn content_hash(title: &str, content: &str) -> String {
    let mut h = Sha256::new();
    h.update(title.as_bytes());
    h.update([0u8]);
    h.update(content.as_bytes());
    let digest = h.finalize();
    format!("sha256:{}", &hex::encode(digest)[..32])
}

/// Serde helper that keeps `Some(None)` (serialised as `null`) apart from `None` (absent).
mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Option<String>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(inner) => inner.serialize(s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_id_prefers_guid_then_link_then_hash() {
        assert_eq!(
            Item::stable_id(Some("g1"), Some("http://x"), "t", "c"),
            "g1"
        );
        assert_eq!(
            Item::stable_id(Some("  "), Some("http://x"), "t", "c"),
            "http://x"
        );
        let h = Item::stable_id(None, None, "t", "c");
        assert!(h.starts_with("sha256:"));
        assert_eq!(
            h,
            Item::stable_id(None, Some(""), "t", "c"),
            "hash is deterministic"
        );
        assert_ne!(h, Item::stable_id(None, None, "t", "d"));
    }

    #[test]
    fn extractor_fields_absent_until_set_and_duplicate_of_null_kept() {
        let mut it = Item::new("a", "s");
        let v = it.to_json();
        assert!(v.get("entities").is_none());
        assert!(v.get("duplicate_of").is_none());
        it.duplicate_of = Some(None);
        let v = it.to_json();
        assert!(v.get("duplicate_of").unwrap().is_null());
        let back: Item = serde_json::from_value(v).unwrap();
        assert_eq!(back.duplicate_of, Some(None));
    }

    #[test]
    fn feed_fields_are_absent_when_empty_and_round_trip() {
        let mut it = Item::new("a", "s");
        let v = it.to_json();
        for k in ["categories", "image", "enclosures", "feed"] {
            assert!(v.get(k).is_none(), "{k}");
        }
        it.categories = vec!["x".into()];
        it.enclosures = vec![Enclosure {
            url: "http://e/a.mp3".into(),
            mime_type: Some("audio/mpeg".into()),
            length: Some(3),
        }];
        it.feed = Some(FeedInfo {
            title: Some("F".into()),
            ..FeedInfo::default()
        });
        let v = it.to_json();
        assert_eq!(v["enclosures"][0]["type"], "audio/mpeg");
        assert_eq!(v["feed"], serde_json::json!({"title": "F"}));
        let back: Item = serde_json::from_value(v).unwrap();
        assert_eq!(back, it);
    }

    #[test]
    fn schema_shows_the_feed_fields_described() {
        // What `feedloom schema item` prints.
        let schema = serde_json::to_value(schemars::schema_for!(Item)).unwrap();
        let props = &schema["properties"];
        for k in ["categories", "image", "enclosures", "feed"] {
            assert!(
                props[k]["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{k}: {}",
                props[k]
            );
        }
        let defs = &schema["$defs"];
        for (def, fields) in [
            ("Enclosure", &["url", "type", "length"][..]),
            ("FeedInfo", &["title", "link", "url"][..]),
        ] {
            for f in fields {
                assert!(
                    defs[def]["properties"][f]["description"].is_string(),
                    "{def}.{f}"
                );
            }
        }
    }

    #[test]
    fn merge_json_adds_custom_and_replaces_known_fields() {
        let mut it = Item::new("a", "s");
        let patch = serde_json::json!({"sentiment": 0.5, "tags": ["x"], "title": "T"});
        it.merge_json(patch.as_object().unwrap().clone()).unwrap();
        assert_eq!(it.title.as_deref(), Some("T"));
        assert_eq!(it.tags, Some(vec!["x".to_string()]));
        assert_eq!(it.extra["sentiment"], serde_json::json!(0.5));
        // A mistyped known field is an error, and the item is left as it was.
        let bad = serde_json::json!({"tags": 3});
        assert!(it.merge_json(bad.as_object().unwrap().clone()).is_err());
        assert_eq!(it.tags, Some(vec!["x".to_string()]));
    }
}
