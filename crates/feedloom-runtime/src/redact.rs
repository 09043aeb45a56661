//! Secrets kept out of logs: every value that came from `${ENV}` in the config is replaced by
//! `[redacted]` in error messages before they are logged, kept in a dead letter or shown.

use std::sync::Arc;

/// `s` with every secret in it replaced by `[redacted]`.
pub fn redact(s: &str, secrets: &[String]) -> String {
    let mut out = s.to_string();
    for sec in secrets {
        if out.contains(sec.as_str()) {
            out = out.replace(sec.as_str(), "[redacted]");
        }
    }
    out
}

/// Replaces secrets (values that came from `${ENV}`) in messages.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<[String]>,
}

impl Redactor {
    pub fn new(secrets: &[String]) -> Self {
        Redactor {
            secrets: secrets.into(),
        }
    }

    pub fn redact(&self, s: &str) -> String {
        redact(s, &self.secrets)
    }
}
