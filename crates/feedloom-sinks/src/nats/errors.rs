//! Which failures are worth a retry. Retryable: the connection (refused, lost, timed out),
//! a JetStream acknowledgement that did not come, no stream capturing the subject (an
//! operator creates it; items wait in the backlog meanwhile), too many acknowledgements in
//! flight, and whatever else the server answers (a full stream with `discard: new`).
//! Permanent: a message larger than the server's `max_payload`: the same item fails the same
//! way, so the batch goes to the dead-letter store.

use async_nats::jetstream::context::{PublishError, PublishErrorKind};
use feedloom_core::SinkError;

/// A JetStream publish or acknowledgement error for a message to `subject` on `server`.
pub fn jetstream(e: &PublishError, server: &str, subject: &str) -> SinkError {
    match e.kind() {
        PublishErrorKind::StreamNotFound => SinkError::retryable(format!(
            "{server}: no JetStream stream captures subject {subject} (no responders): create \
             a stream whose subjects include it"
        )),
        PublishErrorKind::MaxPayloadExceeded => SinkError::permanent(format!(
            "{server}: a message to {subject} is larger than the server's max_payload: {e}"
        )),
        PublishErrorKind::TimedOut => SinkError::retryable(format!(
            "{server}: no JetStream acknowledgement for a message to {subject} in time"
        )),
        _ => SinkError::retryable(format!("{server}: publish to {subject} failed: {e}")),
    }
}

/// A core NATS publish error.
pub fn core(e: &async_nats::PublishError, server: &str, subject: &str) -> SinkError {
    match e.kind() {
        async_nats::client::PublishErrorKind::MaxPayloadExceeded => SinkError::permanent(format!(
            "{server}: a message to {subject} is larger than the server's max_payload: {e}"
        )),
        async_nats::client::PublishErrorKind::InvalidSubject => {
            SinkError::permanent(format!("{server}: invalid subject {subject}: {e}"))
        }
        _ => SinkError::retryable(format!("{server}: publish to {subject} failed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_classified() {
        let no_stream = jetstream(
            &PublishError::new(PublishErrorKind::StreamNotFound),
            "h:1",
            "a.b",
        );
        assert!(no_stream.retryable);
        assert!(
            no_stream
                .message
                .contains("no JetStream stream captures subject a.b"),
            "{}",
            no_stream.message
        );
        let big = jetstream(
            &PublishError::new(PublishErrorKind::MaxPayloadExceeded),
            "h:1",
            "a.b",
        );
        assert!(!big.retryable);
        for k in [
            PublishErrorKind::TimedOut,
            PublishErrorKind::BrokenPipe,
            PublishErrorKind::MaxAckPending,
            PublishErrorKind::Other,
        ] {
            assert!(
                jetstream(&PublishError::new(k), "h", "s").retryable,
                "{k:?}"
            );
        }
    }
}
