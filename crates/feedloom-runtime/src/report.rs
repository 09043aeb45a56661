//! What a run did (`RunReport`) and what each source is doing (`SourceStatus`): shared by
//! the pipeline, `status` and the admin endpoint.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunReport {
    pub polls: u64,
    pub poll_errors: u64,
    pub items: u64,
    pub delivered: u64,
    pub sink_failures: u64,
    pub dead_letters: u64,
    /// Items not delivered yet when the run ended: in a sink's queue (delivered after the
    /// next start) or in its disk backlog ([`RunReport::backlog`] of them).
    pub undelivered: u64,
    /// Of `undelivered`, the items waiting in sinks' disk backlogs.
    pub backlog: u64,
    /// Extractor failures (every `on_error`: with `skip` the item went on without that
    /// extractor's fields).
    pub extract_errors: u64,
    /// Items an extractor's failure dropped (`on_error: drop`).
    pub dropped: u64,
    /// Items an extractor's failure put in the dead-letter store (`on_error: dead_letter`).
    pub extract_dead_letters: u64,
    /// Items neither delivered, dead-lettered nor dropped by a policy (a panic while
    /// processing, a dead letter that could not be written). Released: the next poll
    /// offers them again.
    pub lost: u64,
}

impl RunReport {
    /// A sink failed: something was dead-lettered or left undelivered.
    pub fn sink_failed(&self) -> bool {
        self.dead_letters > 0 || self.undelivered > 0
    }

    /// Everything that went wrong, one phrase each; empty when the run was clean: every
    /// poll succeeded and every item was extracted and delivered.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.poll_errors > 0 {
            p.push(format!(
                "{} of {} poll(s) failed",
                self.poll_errors, self.polls
            ));
        }
        if self.extract_errors > 0 {
            p.push(format!("{} extractor failure(s)", self.extract_errors));
        }
        if self.dropped > 0 {
            p.push(format!(
                "{} item(s) dropped by an extractor's on_error: drop",
                self.dropped
            ));
        }
        if self.extract_dead_letters > 0 || self.dead_letters > 0 {
            p.push(format!(
                "{} item(s) and {} sink batch(es) in the dead-letter store",
                self.extract_dead_letters, self.dead_letters
            ));
        }
        if self.lost > 0 {
            p.push(format!(
                "{} item(s) lost in processing (released: the next poll offers them again)",
                self.lost
            ));
        }
        if self.backlog > 0 {
            p.push(format!(
                "{} item(s) wait in a sink's disk backlog (delivered when the sink answers, on the next run)",
                self.backlog
            ));
        }
        let queued = self.undelivered.saturating_sub(self.backlog);
        if queued > 0 {
            p.push(format!(
                "{queued} item(s) still queued for a sink when the run ended (offered again on the next run)"
            ));
        }
        p
    }
}

/// Everything the status table shows about one source.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct SourceStatus {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// What it polls (a URL, a path).
    pub target: String,
    /// `starting`, `ok` or `failing`.
    pub state: String,
    pub last_fetch: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub consecutive_errors: u32,
    pub next_poll: Option<DateTime<Utc>>,
    pub polls_ok: u64,
    pub polls_not_modified: u64,
    pub polls_error: u64,
    /// New items handed to the pipeline.
    pub items: u64,
    /// Items the source left out for having nothing to show (no title, link nor content).
    #[serde(default)]
    pub items_skipped: u64,
    /// Article pages (`fulltext: true`) not fetched or not read.
    #[serde(default)]
    pub fulltext_failed: u64,
    pub bytes: u64,
    /// Duration of the last fetch, seconds.
    pub last_duration: f64,
    /// Items whose extraction failed (any `on_error`) or whose processing was lost.
    #[serde(default)]
    pub item_errors: u64,
    /// The last such failure in full (`item ID: extractor X: reason`). Kept, and the source
    /// shown as failing, until a poll brings new items; cleared when they all go through.
    #[serde(default)]
    pub last_item_error: Option<String>,
}
