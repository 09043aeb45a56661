//! `when:` — which items a sink receives. A small filter language on item fields,
//! validated when the config loads.
//!
//! ```yaml
//! when:
//!   countries: [KG, KZ]          # the item concerns any of these (the `countries` field)
//!   source: [eurasianet]         # came from any of these sources
//!   text_matches: "(?i)pipeline" # regex over title + summary + text
//!   entities: ["Wang Xiaohong"]  # mentions any of these (name or alias, case-insensitive)
//!   duplicate: false             # is (true) / is not (false) a near-duplicate
//!   language: [en, ru]
//!   tags: [energy]               # carries any of these tags
//!   all: [ {...}, {...} ]        # every sub-filter matches
//!   any: [ {...}, {...} ]        # at least one matches
//!   not: {...}                   # the sub-filter does not match
//! ```
//! Several keys in one mapping must all match.

use feedloom_core::Item;
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// A parsed `when:` filter.
#[derive(Clone, Debug)]
pub enum Filter {
    All(Vec<Filter>),
    Any(Vec<Filter>),
    Not(Box<Filter>),
    Countries(Vec<String>),
    Source(Vec<String>),
    TextMatches(Regex),
    Entities(Vec<String>),
    Duplicate(bool),
    Language(Vec<String>),
    Tags(Vec<String>),
}

/// A filter that did not parse; `path` is relative to the `when:` key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    pub path: String,
    pub message: String,
}

const KEY_LIST: [&str; 10] = [
    "countries",
    "source",
    "text_matches",
    "entities",
    "duplicate",
    "language",
    "tags",
    "all",
    "any",
    "not",
];

/// `when:` as written: which items a sink receives. Several keys in one mapping must all
/// match; a key may not be null, and a mapping needs at least one key. Parsed into a
/// [`Filter`] by [`Filter::parse`]; its JSON Schema is the one `feedloom schema config` shows.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with any of: countries, source, text_matches, entities, duplicate, language, tags, all, any, not"
)]
#[schemars(extend("minProperties" = 1), transform = no_null_defaults)]
pub struct When {
    /// The item concerns any of these countries: ISO 3166-1 alpha-2 codes, any case,
    /// matched against the item's `countries` (the `countries` extractor).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Strings")]
    pub countries: Option<Strings>,
    /// The item came from any of these sources (their ids).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Strings")]
    pub source: Option<Strings>,
    /// A regular expression (Rust `regex` syntax; `(?i)` for any case) that matches the
    /// title, the summary or the text.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", extend("format" = "regex"))]
    pub text_matches: Option<String>,
    /// The item mentions any of these entities, by name or alias, in any case (the
    /// `entities` extractor).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Strings")]
    pub entities: Option<Strings>,
    /// The item is (`true`) or is not (`false`) a near-duplicate of an earlier one (the
    /// `dedup` extractor).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "bool")]
    pub duplicate: Option<bool>,
    /// The item's language is any of these (ISO 639-1 codes, any case).
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Strings")]
    pub language: Option<Strings>,
    /// The item carries any of these tags.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Strings")]
    pub tags: Option<Strings>,
    /// Every one of these filters matches.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Vec<When>")]
    pub all: Option<Vec<When>>,
    /// At least one of these filters matches.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "Vec<When>")]
    pub any: Option<Vec<When>>,
    /// This filter does not match.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "When")]
    pub not: Option<Box<When>>,
}

/// A key left out is no condition, and `null` is no value for one: no `"default": null`
/// in the schema (editors would offer it).
fn no_null_defaults(schema: &mut schemars::Schema) {
    let props = schema
        .as_object_mut()
        .and_then(|o| o.get_mut("properties"))
        .and_then(Value::as_object_mut);
    for p in props.into_iter().flat_map(|p| p.values_mut()) {
        if let Some(p) = p.as_object_mut()
            && p.get("default") == Some(&Value::Null)
        {
            p.remove("default");
        }
    }
}

/// A key that is present must have a value: `duplicate: null` is an error, not "no filter".
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// One string or a list of strings (`source: wire` is `source: [wire]`).
#[derive(Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum Strings {
    /// One string.
    One(String),
    /// A list of strings.
    Many(Vec<String>),
}

impl Strings {
    fn into_vec(self) -> Vec<String> {
        match self {
            Strings::One(s) => vec![s],
            Strings::Many(v) => v,
        }
    }
}

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Strings;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Strings, E> {
                Ok(Strings::One(s.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Strings, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(Strings::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

fn err(path: &str, message: impl Into<String>) -> FilterError {
    FilterError {
        path: path.to_string(),
        message: message.into(),
    }
}

fn sub(path: &str, seg: &str) -> String {
    if path.is_empty() {
        seg.to_string()
    } else {
        format!("{path}.{seg}")
    }
}

impl When {
    /// The filter this stands for: regexes compiled, codes and names normalised.
    fn into_filter(self, path: &str) -> Result<Filter, FilterError> {
        let upper = |s: Strings| s.into_vec().into_iter().map(|x| x.to_ascii_uppercase());
        let lower = |s: Strings| s.into_vec().into_iter().map(|x| x.to_lowercase());
        let list = |ws: Vec<When>, key: &str| {
            ws.into_iter()
                .enumerate()
                .map(|(i, w)| w.into_filter(&sub(&sub(path, key), &i.to_string())))
                .collect::<Result<Vec<_>, _>>()
        };
        let mut parts = Vec::new();
        if let Some(s) = self.countries {
            parts.push(Filter::Countries(upper(s).collect()));
        }
        if let Some(s) = self.source {
            parts.push(Filter::Source(s.into_vec()));
        }
        if let Some(re) = self.text_matches {
            let re = Regex::new(&re)
                .map_err(|e| err(&sub(path, "text_matches"), format!("bad regex: {e}")))?;
            parts.push(Filter::TextMatches(re));
        }
        if let Some(s) = self.entities {
            parts.push(Filter::Entities(lower(s).collect()));
        }
        if let Some(d) = self.duplicate {
            parts.push(Filter::Duplicate(d));
        }
        if let Some(s) = self.language {
            parts.push(Filter::Language(lower(s).collect()));
        }
        if let Some(s) = self.tags {
            parts.push(Filter::Tags(s.into_vec()));
        }
        if let Some(ws) = self.all {
            parts.push(Filter::All(list(ws, "all")?));
        }
        if let Some(ws) = self.any {
            parts.push(Filter::Any(list(ws, "any")?));
        }
        if let Some(w) = self.not {
            parts.push(Filter::Not(Box::new(w.into_filter(&sub(path, "not"))?)));
        }
        match parts.len() {
            0 => Err(err(
                path,
                format!("empty filter: use any of {}", KEY_LIST.join(", ")),
            )),
            1 => Ok(parts.remove(0)),
            _ => Ok(Filter::All(parts)),
        }
    }
}

impl Filter {
    /// Parse the value of a `when:` key (through [`When`]).
    pub fn parse(v: &Value) -> Result<Filter, FilterError> {
        let when: When = serde_path_to_error::deserialize(v).map_err(|e| {
            let path = feedloom_core::options::dotted(&e.path().to_string());
            let message = crate::suggest::improve_unknown_field(&e.inner().to_string(), &[]);
            err(&path, message)
        })?;
        when.into_filter("")
    }

    /// Does `item` pass?
    pub fn matches(&self, item: &Item) -> bool {
        match self {
            Filter::All(fs) => fs.iter().all(|f| f.matches(item)),
            Filter::Any(fs) => fs.iter().any(|f| f.matches(item)),
            Filter::Not(f) => !f.matches(item),
            Filter::Countries(cs) => item.countries.as_ref().is_some_and(|have| {
                have.iter()
                    .any(|c| cs.iter().any(|w| w.eq_ignore_ascii_case(c)))
            }),
            Filter::Source(ss) => ss.iter().any(|s| s == &item.source),
            Filter::TextMatches(re) => {
                item.title.as_deref().is_some_and(|t| re.is_match(t))
                    || item.summary.as_deref().is_some_and(|t| re.is_match(t))
                    || re.is_match(&item.text)
            }
            Filter::Entities(names) => item.entities.as_ref().is_some_and(|es| {
                es.iter().any(|e| {
                    names.iter().any(|n| {
                        e.name.to_lowercase() == *n
                            || e.aliases.iter().any(|a| a.to_lowercase() == *n)
                    })
                })
            }),
            Filter::Duplicate(want) => {
                let is_dup = matches!(&item.duplicate_of, Some(Some(_)));
                is_dup == *want
            }
            Filter::Language(ls) => item
                .language
                .as_ref()
                .is_some_and(|l| ls.iter().any(|x| x == l)),
            Filter::Tags(ts) => item
                .tags
                .as_ref()
                .is_some_and(|have| have.iter().any(|t| ts.contains(t))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedloom_core::item::{Entity, EntityKind};
    use serde_json::json;

    fn item() -> Item {
        let mut it = Item::new("1", "eurasianet");
        it.text = "A new gas Pipeline".into();
        it.countries = Some(vec!["KG".into(), "CN".into()]);
        it.duplicate_of = Some(None);
        it.entities = Some(vec![Entity {
            name: "Wang Xiaohong".into(),
            kind: EntityKind::Person,
            aliases: vec!["Wang".into()],
            mentions: 2,
            country: None,
            sections: vec![],
        }]);
        it
    }

    #[test]
    fn matches_each_key() {
        let it = item();
        let yes = [
            json!({"countries": ["kz", "KG"]}),
            json!({"source": "eurasianet"}),
            json!({"text_matches": "(?i)pipeline"}),
            json!({"entities": ["wang xiaohong"]}),
            json!({"duplicate": false}),
            json!({"any": [{"source": "x"}, {"countries": "CN"}]}),
            json!({"not": {"source": "x"}}),
            json!({"all": [{"source": "eurasianet"}, {"duplicate": false}]}),
        ];
        for f in yes {
            assert!(Filter::parse(&f).unwrap().matches(&it), "{f}");
        }
        let no = [
            json!({"countries": ["UZ"]}),
            json!({"text_matches": "pipeline"}),
            json!({"duplicate": true}),
            json!({"source": "eurasianet", "countries": "UZ"}),
            json!({"tags": ["energy"]}),
        ];
        for f in no {
            assert!(!Filter::parse(&f).unwrap().matches(&it), "{f}");
        }
    }

    #[test]
    fn errors_are_located() {
        let e =
            Filter::parse(&json!({"any": [{"source": "x"}, {"text_matches": "("}]})).unwrap_err();
        assert_eq!(e.path, "any.1.text_matches");
        let e = Filter::parse(&json!({"contries": ["KG"]})).unwrap_err();
        assert_eq!(e.path, "contries");
        assert!(
            e.message.contains("did you mean `countries`?"),
            "{}",
            e.message
        );
        assert!(
            e.message.contains("known keys: `countries`, `source`,"),
            "{}",
            e.message
        );
        // Every other error is located too, and says what was expected.
        let cases = [
            (
                json!(5),
                "",
                "expected a mapping with any of: countries, source,",
            ),
            (json!({}), "", "empty filter: use any of countries, source,"),
            (json!({"not": {}}), "not", "empty filter"),
            (
                json!({"duplicate": null}),
                "duplicate",
                "expected a boolean",
            ),
            (
                json!({"tags": 3}),
                "tags",
                "expected a string or a list of strings",
            ),
            (
                json!({"any": [{"tags": ["a"]}, {"tags": ["b", 7]}]}),
                "any.1.tags.1",
                "expected a string",
            ),
            (json!({"all": {"tags": "x"}}), "all", "expected a sequence"),
        ];
        for (v, path, msg) in cases {
            let e = Filter::parse(&v).unwrap_err();
            assert_eq!(e.path, path, "{v}: {}", e.message);
            assert!(e.message.contains(msg), "{v}: {}", e.message);
        }
    }

    /// The schema's keys are the filter's keys, each described.
    #[test]
    fn the_schema_lists_every_key() {
        let s = serde_json::to_value(schemars::schema_for!(When)).unwrap();
        let props = s["properties"].as_object().unwrap();
        let keys: Vec<&str> = props.keys().map(String::as_str).collect();
        let mut want = KEY_LIST.to_vec();
        want.sort_unstable();
        let mut have = keys.clone();
        have.sort_unstable();
        assert_eq!(have, want);
        for (k, p) in props {
            assert!(p.get("description").is_some(), "{k}: {p}");
            assert!(p.get("default").is_none(), "{k}: {p}");
        }
        assert_eq!(s["minProperties"], json!(1));
        assert_eq!(s["additionalProperties"], json!(false));
    }
}
