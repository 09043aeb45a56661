//! `type: rules` — no-code extraction in YAML.
//!
//! ```yaml
//! - type: rules
//!   rules:
//!     - { name: energy, words: [gas, pipeline, "Line D"], tags: [energy] }
//!     - { name: tender, regex: "(?i)tender worth (?P<value>[0-9.]+ \\w+)", fields: { tender_value: "$value" } }
//! ```
//!
//! Word rules match case-insensitively as whole words or phrases (any run of whitespace in the
//! text — a line break, a no-break space — matches the space of a phrase); every word of
//! every rule is found in one pass over the title, summary and text with aho-corasick. Regex rules run their
//! regex over the same fields; named (or numbered) capture groups fill `fields` templates
//! (`$name`, `${name}`, `$0` for the whole match, `$$` for a literal `$`). Everything is
//! checked when the extractor is built, so `feedloom check` reports a bad regex, an unknown
//! capture group or an empty word at its line and column.

use std::collections::{BTreeMap, HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use feedloom_core::plugin::SyncExtractor;
use feedloom_core::{BuildContext, BuildError, ExtractError, Item, Registry};
use regex::Regex;
use schemars::JsonSchema;
use serde::Deserialize;

/// Options of `type: rules`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesOptions {
    /// The rules, applied in order (a later rule's field overwrites an earlier one's).
    pub rules: Vec<Rule>,
}

/// One named rule: `words` or `regex`, and what to add when it matches.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The rule's name (unique within the extractor). When a rule has neither `tags` nor
    /// `fields`, its name is the tag it adds.
    pub name: String,
    /// Words or phrases, matched case-insensitively as whole words.
    #[serde(default)]
    pub words: Option<Vec<String>>,
    /// A regular expression (Rust `regex` syntax; `(?i)` for case-insensitive).
    #[serde(default)]
    pub regex: Option<String>,
    /// Tags added to `item.tags` when the rule matches.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Fields set when the rule matches: name → template. `$name` / `${name}` is a capture
    /// group of the regex, `$0` the whole match (the word, for word rules), `$$` a `$`.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// One piece of a field template.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Lit(String),
    /// A capture group by name or number (`0` = the whole match).
    Group(String),
}

#[derive(Debug, Clone)]
struct Template(Vec<Piece>);

impl Template {
    /// Parse `$name`, `${name}`, `$0`, `$$` templates.
    fn parse(s: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            lit.push_str(&rest[..i]);
            rest = &rest[i + 1..];
            if let Some(r) = rest.strip_prefix('$') {
                lit.push('$');
                rest = r;
                continue;
            }
            let (name, after) = if let Some(r) = rest.strip_prefix('{') {
                let end = r
                    .find('}')
                    .ok_or_else(|| format!("unclosed `${{` in template {s:?}"))?;
                (&r[..end], &r[end + 1..])
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            };
            if name.is_empty() {
                return Err(format!(
                    "`$` without a group name in template {s:?} (write `$$` for a literal `$`)"
                ));
            }
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Group(name.to_string()));
            rest = after;
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        Ok(Template(pieces))
    }

    fn groups(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            Piece::Group(g) => Some(g.as_str()),
            Piece::Lit(_) => None,
        })
    }

    fn expand(&self, lookup: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for p in &self.0 {
            match p {
                Piece::Lit(s) => out.push_str(s),
                Piece::Group(g) => out.push_str(&lookup(g)),
            }
        }
        out
    }
}

/// Where a field's value goes: a known string field of the item (`summary`, `language`…)
/// through `merge_json`, or `item.extra`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FieldSlot {
    Known,
    Extra,
}

#[derive(Debug, Clone)]
struct CompiledRule {
    tags: Vec<String>,
    fields: Vec<(String, FieldSlot, Template)>,
    regex: Option<Regex>,
}

/// The built `rules` extractor.
#[derive(Debug)]
pub struct Rules {
    rules: Vec<CompiledRule>,
    /// One automaton over every word of every word rule (lower-cased, deduplicated).
    words: Option<AhoCorasick>,
    /// Word pattern index → (rule index, the word as written in the config).
    word_rules: Vec<Vec<usize>>,
    word_text: Vec<String>,
    /// Every word is ASCII: match case-insensitively in place, without lower-casing the text.
    ascii_only: bool,
    /// Some word is a phrase: runs of whitespace in the text (double spaces, line breaks,
    /// no-break spaces) are read as one space, as they are in the phrase.
    phrases: bool,
    word_rule_count: usize,
}

fn one_line_regex_error(e: &regex::Error) -> String {
    let s = e.to_string();
    let line = s
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| s.lines().last().unwrap_or("").trim().to_string());
    format!("invalid regex: {line}")
}

fn classify_field(name: &str) -> Result<FieldSlot, String> {
    let mut probe = Item::default();
    let mut patch = serde_json::Map::new();
    patch.insert(name.to_string(), serde_json::Value::String("x".into()));
    match probe.merge_json(patch) {
        Ok(()) if probe.extra.contains_key(name) => Ok(FieldSlot::Extra),
        Ok(()) => Ok(FieldSlot::Known),
        Err(_) => Err(format!(
            "field `{name}` is an item field that does not hold text; choose another name"
        )),
    }
}

impl Rules {
    /// Validate and compile the rules. Errors point at the offending key
    /// (`rules.1.regex`, `rules.0.words.2`, `rules.1.fields.tender_value`).
    pub fn build(opts: RulesOptions, _ctx: &BuildContext) -> Result<Rules, BuildError> {
        if opts.rules.is_empty() {
            return Err(BuildError::at("rules", "no rules: add at least one"));
        }
        let mut names = HashSet::new();
        let mut rules = Vec::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_index: HashMap<String, usize> = HashMap::new();
        let mut word_rules: Vec<Vec<usize>> = Vec::new();
        let mut word_text: Vec<String> = Vec::new();
        let mut word_rule_count = 0;
        for (i, r) in opts.rules.into_iter().enumerate() {
            let at = |k: &str| format!("rules.{i}.{k}");
            if r.name.trim().is_empty() {
                return Err(BuildError::at(at("name"), "a rule needs a name"));
            }
            if !names.insert(r.name.clone()) {
                return Err(BuildError::at(
                    at("name"),
                    format!("duplicate rule name `{}`", r.name),
                ));
            }
            let (regex, group_names): (Option<Regex>, Vec<String>) = match (&r.words, &r.regex) {
                (Some(_), Some(_)) => {
                    return Err(BuildError::at(
                        at("regex"),
                        format!(
                            "rule `{}` has both `words` and `regex`: split it into two rules",
                            r.name
                        ),
                    ));
                }
                (None, None) => {
                    return Err(BuildError::at(
                        format!("rules.{i}"),
                        format!("rule `{}` needs `words` or `regex`", r.name),
                    ));
                }
                (Some(words), None) => {
                    if words.is_empty() {
                        return Err(BuildError::at(at("words"), "an empty word list"));
                    }
                    for (j, w) in words.iter().enumerate() {
                        let norm = normalise_word(w);
                        if norm.is_empty() {
                            return Err(BuildError::at(
                                format!("rules.{i}.words.{j}"),
                                "an empty word",
                            ));
                        }
                        let p = *pattern_index.entry(norm.clone()).or_insert_with(|| {
                            patterns.push(norm);
                            word_rules.push(Vec::new());
                            word_text.push(w.trim().to_string());
                            patterns.len() - 1
                        });
                        if !word_rules[p].contains(&i) {
                            word_rules[p].push(i);
                        }
                    }
                    word_rule_count += 1;
                    (None, vec!["0".to_string()])
                }
                (None, Some(re)) => {
                    let compiled = Regex::new(re)
                        .map_err(|e| BuildError::at(at("regex"), one_line_regex_error(&e)))?;
                    let mut groups: Vec<String> = compiled
                        .capture_names()
                        .flatten()
                        .map(str::to_string)
                        .collect();
                    groups.extend((0..compiled.captures_len()).map(|n| n.to_string()));
                    (Some(compiled), groups)
                }
            };
            let mut fields = Vec::new();
            for (name, tpl) in &r.fields {
                let fat = format!("rules.{i}.fields.{name}");
                let t = Template::parse(tpl).map_err(|m| BuildError::at(&fat, m))?;
                if let Some(g) = t.groups().find(|g| !group_names.iter().any(|n| n == g)) {
                    let known = if regex.is_some() {
                        format!(
                            "the regex's groups are: {}",
                            group_names
                                .iter()
                                .filter(|n| n.parse::<usize>().is_err())
                                .map(|n| format!("${n}"))
                                .chain(std::iter::once("$0".to_string()))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    } else {
                        "a word rule has only $0 (the matched word)".to_string()
                    };
                    return Err(BuildError::at(
                        fat,
                        format!("unknown capture group `${g}`: {known}"),
                    ));
                }
                let slot = classify_field(name).map_err(|m| BuildError::at(&fat, m))?;
                fields.push((name.clone(), slot, t));
            }
            let tags = match r.tags {
                Some(t) => t,
                None if r.fields.is_empty() => vec![r.name.clone()],
                None => Vec::new(),
            };
            rules.push(CompiledRule {
                tags,
                fields,
                regex,
            });
        }
        let ascii_only = patterns.iter().all(|p| p.is_ascii());
        let phrases = patterns.iter().any(|p| p.contains(' '));
        let words = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(ascii_only)
                    .build(&patterns)
                    .map_err(|e| BuildError::at("rules", format!("word lists too large: {e}")))?,
            )
        };
        Ok(Rules {
            rules,
            words,
            word_rules,
            word_text,
            ascii_only,
            phrases,
            word_rule_count,
        })
    }

    /// Which rules' words occur in `hay`, as whole words; `first[rule]` records the first
    /// word found for each rule.
    fn scan_words(
        &self,
        ac: &AhoCorasick,
        hay: &str,
        first: &mut [Option<usize>],
        left: &mut usize,
    ) {
        let collapsed;
        let hay = if self.phrases && !single_spaced(hay) {
            collapsed = collapse_whitespace(hay);
            collapsed.as_str()
        } else {
            hay
        };
        let lowered;
        let hay = if self.ascii_only {
            hay
        } else {
            lowered = hay.to_lowercase();
            lowered.as_str()
        };
        for m in ac.find_overlapping_iter(hay) {
            if !is_boundary(hay, m.start(), m.end()) {
                continue;
            }
            let p = m.pattern().as_usize();
            for &r in &self.word_rules[p] {
                if first[r].is_none() {
                    first[r] = Some(p);
                    *left -= 1;
                }
            }
            if *left == 0 {
                return;
            }
        }
    }
}

/// Lower-case and collapse inner whitespace, so `"Line  D"` matches `line d`.
fn normalise_word(w: &str) -> String {
    w.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether every whitespace in `s` is a lone ASCII space (nothing to collapse).
fn single_spaced(s: &str) -> bool {
    let mut prev_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if c != ' ' || prev_space {
                return false;
            }
            prev_space = true;
        } else {
            prev_space = false;
        }
    }
    true
}

/// Every run of whitespace as one ASCII space (what [`normalise_word`] does to a phrase).
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_boundary(hay: &str, start: usize, end: usize) -> bool {
    let before = hay[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !is_word_char(c));
    let after = hay[end..].chars().next().is_none_or(|c| !is_word_char(c));
    before && after
}

impl SyncExtractor for Rules {
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let title = item.title.as_deref().unwrap_or("");
        let summary = item.summary.as_deref().unwrap_or("");
        let haystacks = [title, summary, item.text.as_str()];

        // Word rules: one automaton pass per field, stopping once every word rule matched.
        let mut first_word: Vec<Option<usize>> = vec![None; self.rules.len()];
        if let Some(ac) = &self.words {
            let mut left = self.word_rule_count;
            for h in haystacks {
                if left == 0 {
                    break;
                }
                self.scan_words(ac, h, &mut first_word, &mut left);
            }
        }

        let mut tags: Vec<String> = Vec::new();
        let mut known = serde_json::Map::new();
        let mut extra: Vec<(String, String)> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            let mut put = |name: &str, slot: FieldSlot, value: String| match slot {
                FieldSlot::Known => {
                    known.insert(name.to_string(), serde_json::Value::String(value));
                }
                FieldSlot::Extra => extra.push((name.to_string(), value)),
            };
            if let Some(re) = &rule.regex {
                let Some(caps) = haystacks.iter().find_map(|h| re.captures(h)) else {
                    continue;
                };
                for (name, slot, t) in &rule.fields {
                    let v = t.expand(|g| {
                        let m = match g.parse::<usize>() {
                            Ok(n) => caps.get(n),
                            Err(_) => caps.name(g),
                        };
                        m.map(|m| m.as_str().to_string()).unwrap_or_default()
                    });
                    put(name, *slot, v);
                }
            } else if let Some(p) = first_word[i] {
                let word = &self.word_text[p];
                for (name, slot, t) in &rule.fields {
                    put(name, *slot, t.expand(|_| word.clone()));
                }
            } else {
                continue;
            }
            tags.extend(rule.tags.iter().cloned());
        }
        if !tags.is_empty() {
            item.add_tags(tags);
        }
        for (k, v) in extra {
            item.extra.insert(k, serde_json::Value::String(v));
        }
        if !known.is_empty() {
            item.merge_json(known)
                .map_err(|e| ExtractError::new(format!("rules: cannot set field: {e}")))?;
        }
        Ok(())
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "rules",
        "tags and fields from YAML word lists (whole words, case-insensitive) and regexes",
        Rules::build,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse_names_braces_numbers_and_dollars() {
        let t = Template::parse("$value (${unit}) $$5 $0").unwrap();
        assert_eq!(
            t.0,
            vec![
                Piece::Group("value".into()),
                Piece::Lit(" (".into()),
                Piece::Group("unit".into()),
                Piece::Lit(") $5 ".into()),
                Piece::Group("0".into()),
            ]
        );
        assert!(Template::parse("${oops").is_err());
        assert!(Template::parse("cost $").is_err());
    }

    #[test]
    fn whitespace_runs_collapse_like_phrases() {
        assert!(single_spaced("a b c") && single_spaced(" a "));
        for s in ["a  b", "a\nb", "a\u{a0}b", "a\tb"] {
            assert!(!single_spaced(s), "{s:?}");
        }
        assert_eq!(
            collapse_whitespace("Line\u{a0}D,\n\n  line\tD"),
            "Line D, line D"
        );
    }

    #[test]
    fn boundaries_respect_unicode_letters() {
        assert!(is_boundary("a gas b", 2, 5));
        assert!(!is_boundary("gases", 0, 3));
        assert!(!is_boundary("ägas", 2, 5));
        assert!(is_boundary("gas", 0, 3));
    }
}
