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

fn strings(v: &Value, path: &str) -> Result<Vec<String>, FilterError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| err(&sub(path, &i.to_string()), "expected a string"))
            })
            .collect(),
        _ => Err(err(path, "expected a string or a list of strings")),
    }
}

impl Filter {
    /// Parse the value of a `when:` key.
    pub fn parse(v: &Value) -> Result<Filter, FilterError> {
        Self::parse_at(v, "")
    }

    fn parse_at(v: &Value, path: &str) -> Result<Filter, FilterError> {
        let map = v.as_object().ok_or_else(|| {
            err(
                path,
                format!("expected a mapping with any of: {}", KEY_LIST.join(", ")),
            )
        })?;
        if map.is_empty() {
            return Err(err(
                path,
                format!("empty filter: use any of {}", KEY_LIST.join(", ")),
            ));
        }
        let mut parts = Vec::new();
        for (k, x) in map {
            let p = sub(path, k);
            let f = match k.as_str() {
                "countries" => Filter::Countries(
                    strings(x, &p)?
                        .into_iter()
                        .map(|s| s.to_ascii_uppercase())
                        .collect(),
                ),
                "source" => Filter::Source(strings(x, &p)?),
                "entities" => Filter::Entities(
                    strings(x, &p)?
                        .into_iter()
                        .map(|s| s.to_lowercase())
                        .collect(),
                ),
                "language" => Filter::Language(
                    strings(x, &p)?
                        .into_iter()
                        .map(|s| s.to_lowercase())
                        .collect(),
                ),
                "tags" => Filter::Tags(strings(x, &p)?),
                "duplicate" => Filter::Duplicate(
                    x.as_bool()
                        .ok_or_else(|| err(&p, "expected true or false"))?,
                ),
                "text_matches" => {
                    let s = x
                        .as_str()
                        .ok_or_else(|| err(&p, "expected a regular expression string"))?;
                    Filter::TextMatches(
                        Regex::new(s).map_err(|e| err(&p, format!("bad regex: {e}")))?,
                    )
                }
                "all" | "any" => {
                    let list = x
                        .as_array()
                        .ok_or_else(|| err(&p, "expected a list of filters"))?;
                    let fs = list
                        .iter()
                        .enumerate()
                        .map(|(i, y)| Self::parse_at(y, &sub(&p, &i.to_string())))
                        .collect::<Result<Vec<_>, _>>()?;
                    if k == "all" {
                        Filter::All(fs)
                    } else {
                        Filter::Any(fs)
                    }
                }
                "not" => Filter::Not(Box::new(Self::parse_at(x, &p)?)),
                other => {
                    let hint = crate::config::suggest::closest(other, &KEY_LIST)
                        .map(|k| format!(", did you mean `{k}`?"))
                        .unwrap_or_default();
                    return Err(err(
                        &p,
                        format!(
                            "unknown filter key `{other}`{hint} (known: {})",
                            KEY_LIST.join(", ")
                        ),
                    ));
                }
            };
            parts.push(f);
        }
        Ok(if parts.len() == 1 {
            parts.pop().unwrap()
        } else {
            Filter::All(parts)
        })
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
            e.message.contains("known: countries, source,"),
            "{}",
            e.message
        );
    }
}
