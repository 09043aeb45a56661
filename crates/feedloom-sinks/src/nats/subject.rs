//! The subject template (`news.{source}`) and the stable message id.

use sha2::{Digest, Sha256};

/// `s` with every character outside `[A-Za-z0-9_-]` replaced by `_` (empty: `_`).
pub fn subject_safe(s: &str) -> String {
    if s.is_empty() {
        return "_".into();
    }
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The `Nats-Msg-Id` of an item: the same for the same (source id, item id), on every retry
/// and after a restart, so the stream's duplicate window drops a redelivery.
pub fn msg_id(source: &str, item_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(source.as_bytes());
    h.update([0x1f]);
    h.update(item_id.as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// A checked subject template.
#[derive(Debug, Clone)]
pub struct Template {
    text: String,
    has_source: bool,
}

impl Template {
    /// Check `text` as a publish subject: dot-separated non-empty tokens, no whitespace, no
    /// wildcard (`*`, `>`).
    pub fn new(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("subject must not be empty".into());
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("subject `{text}` contains whitespace"));
        }
        for token in text.split('.') {
            if token.is_empty() {
                return Err(format!(
                    "subject `{text}` has an empty token (a leading, trailing or double `.`)"
                ));
            }
            if token == "*" || token == ">" || token.contains(['*', '>']) {
                return Err(format!(
                    "subject `{text}` has a wildcard: a message is published to one subject"
                ));
            }
        }
        Ok(Template {
            text: text.to_string(),
            has_source: text.contains("{source}"),
        })
    }

    /// The subject for an item of `source`.
    pub fn render(&self, source: &str) -> String {
        if self.has_source {
            self.text.replace("{source}", &subject_safe(source))
        } else {
            self.text.clone()
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_checked_and_rendered() {
        let t = Template::new("news.{source}.items").unwrap();
        assert_eq!(t.render("bbc world/uk"), "news.bbc_world_uk.items");
        assert_eq!(t.render(""), "news._.items");
        for bad in ["", "a..b", ".a", "a.", "a.*", "a.>", "a b"] {
            assert!(Template::new(bad).is_err(), "{bad}");
        }
        assert_eq!(Template::new("plain").unwrap().render("x"), "plain");
    }

    #[test]
    fn msg_ids_are_stable_and_distinct() {
        assert_eq!(msg_id("s", "a"), msg_id("s", "a"));
        assert_ne!(msg_id("s", "a"), msg_id("sa", ""));
        assert_eq!(msg_id("s", "a").len(), 32);
    }
}
