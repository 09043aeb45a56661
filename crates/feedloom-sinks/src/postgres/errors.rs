//! Which failures are worth a retry. Retryable: the connection (refused, lost, reset), the
//! server going away or restarting (class 08, 57P01–57P03), serialization failures and
//! deadlocks (40001, 40P01), lock and statement timeouts (55P03, 57014), a lack of resources
//! (class 53: disk full, too many connections), system errors (class 58), a read-only
//! server during a failover (25006), and authentication or a missing database (classes 28
//! and 3D: items wait in the backlog until the operator fixes the config). Everything
//! else the server reports (constraint, type and data errors: classes 22, 23, 42, ...) is
//! permanent: the same batch fails the same way, so it goes to the dead-letter store with
//! the server's message.

use feedloom_core::SinkError;
use tokio_postgres::error::SqlState;

/// Is a server error with this SQLSTATE worth a retry?
pub fn retryable_state(code: &str) -> bool {
    let class = code.get(..2).unwrap_or("");
    matches!(class, "08" | "53" | "58" | "28" | "3D" | "40")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "57014" | "55P03" | "25006"
        )
}

/// `e` (from doing `what`) as a sink error, naming the server as `shown` and never the
/// password (any occurrence of `password` in the message is replaced).
pub fn classify(e: &tokio_postgres::Error, what: &str, shown: &str, password: &str) -> SinkError {
    let (message, retryable) = match e.as_db_error() {
        Some(db) => {
            let mut m = format!(
                "{shown}: {what}: {} {}: {}",
                db.severity(),
                db.code().code(),
                db.message()
            );
            if let Some(d) = db.detail() {
                m.push_str(&format!(" ({d})"));
            }
            if let Some(c) = db.column() {
                m.push_str(&format!(" [column {c}]"));
            }
            (m, retryable_state(db.code().code()))
        }
        None => {
            let text = full_chain(e);
            // A parameter the client could not encode fails the same way every time.
            let encoding = text.starts_with("error serializing parameter");
            let code = e.code().map(SqlState::code).unwrap_or("");
            let retryable = !encoding && (code.is_empty() || retryable_state(code));
            (format!("{shown}: {what}: {text}"), retryable)
        }
    };
    let message = redact(message, password);
    if retryable {
        SinkError::retryable(message)
    } else {
        SinkError::permanent(message)
    }
}

/// The error and its sources, `: `-separated (tokio-postgres puts the cause, such as
/// "Connection refused", in the source).
fn full_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

/// `message` without `password` (when it is non-empty).
pub fn redact(message: String, password: &str) -> String {
    if password.is_empty() || !message.contains(password) {
        message
    } else {
        message.replace(password, "[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_classified() {
        for code in [
            "08006", "08001", "40001", "40P01", "57P01", "57014", "53100", "55P03",
        ] {
            assert!(retryable_state(code), "{code}");
        }
        for code in [
            "22001", "23505", "23502", "42703", "42P01", "22P02", "XX000",
        ] {
            assert!(!retryable_state(code), "{code}");
        }
        assert_eq!(redact("pw hunter2".into(), "hunter2"), "pw [redacted]");
        assert_eq!(redact("x".into(), ""), "x");
    }
}
