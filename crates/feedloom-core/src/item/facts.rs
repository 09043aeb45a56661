//! The facts extractors add to an [`Item`](super::Item). Offsets are byte offsets into
//! `Item::text`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What an entity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organization,
    Place,
}

/// A person, organisation or place, with all its mentions merged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Entity {
    /// Canonical name (the longest full form, titles stripped).
    pub name: String,
    pub kind: EntityKind,
    /// Other spellings seen in the text (surname alone, acronym, transliteration variant).
    #[serde(default)]
    pub aliases: Vec<String>,
    /// How many times it is mentioned.
    pub mentions: u32,
    /// ISO 3166-1 alpha-2 code, for places that resolve to a country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Sections (see the `sections` extractor) the entity is mentioned in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<String>,
}

/// A direct quotation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Quote {
    pub text: String,
    /// The speaker's canonical name, or null when nobody can be found.
    pub speaker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// Money, a percentage or a count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Amount {
    /// The text as written ("US$31.5 billion").
    pub text: String,
    pub value: f64,
    /// ISO 4217 currency code for money, `percent`, or the counted noun ("foreign citizens").
    pub unit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// A date or date range, resolved to ISO dates (`YYYY-MM-DD`; a bare year is its whole span).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DateMention {
    pub text: String,
    pub start: String,
    pub end: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// A key term or phrase with its score (higher is more relevant).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Keyword {
    pub term: String,
    pub score: f64,
}

/// A section of a bulletin: its heading and the byte range of `text` it covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Section {
    pub title: String,
    pub start: usize,
    pub end: usize,
}
