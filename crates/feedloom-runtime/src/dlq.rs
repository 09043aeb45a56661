//! The dead-letter store: batches a sink could not deliver (a permanent error, or
//! `max_retries` used up), and items an extractor failed on with `on_error: dead_letter`.
//! Kept under `state_dir` with the sink, the last error, the attempt count and the time.
//!
//! On disk: `state_dir/dlq/<sink>/<time>-<seq>.json`, one file per dead letter (the sink id
//! with characters other than `A-Za-z0-9_.-` written as `%XX`), each written to a temporary
//! name, fsynced and renamed. The daemon only adds files and `feedloom dlq` only reads and
//! removes them, so `dlq list`, `replay` and `purge` work while the daemon runs (the state
//! store, `state.redb`, is locked by the daemon). Runs without files (tests, `feedloom
//! extract`) keep dead letters in their in-memory state store instead.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use feedloom_core::state::StateOp;
use feedloom_core::{Item, StateError, StateStore};
use serde::{Deserialize, Serialize};

use crate::state::ns;

/// One dead-lettered batch.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DeadLetter {
    /// Store key (stable; used by replay and purge).
    #[serde(skip)]
    pub key: String,
    /// The sink id, or `extractor:<id>` for an extractor failure.
    pub sink: String,
    pub error: String,
    pub attempts: u32,
    pub time: DateTime<Utc>,
    pub items: Vec<Item>,
}

/// The dead-letter store: files under a directory, or (runs without files) the state store's
/// namespace `dlq`, keyed `sink/time-seq` so they list in arrival order per sink.
#[derive(Clone)]
pub struct DeadLetters {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Store(Arc<dyn StateStore>),
    Dir(PathBuf),
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn io(e: std::io::Error, what: &str, p: &Path) -> StateError {
    StateError(format!("dead letters: cannot {what} {}: {e}", p.display()))
}

/// A sink id as a directory name: `A-Za-z0-9_.-` kept, anything else `%XX`.
fn dir_name(sink: &str) -> String {
    let mut out = String::new();
    for b in sink.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (b == b'.' && !out.is_empty()) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl DeadLetters {
    /// Dead letters in a state store (runs without files, tests).
    pub fn new(store: Arc<dyn StateStore>) -> Self {
        DeadLetters {
            backend: Backend::Store(store),
        }
    }

    /// Dead letters as files under `state_dir/dlq`.
    pub fn for_state_dir(state_dir: &Path) -> Self {
        DeadLetters {
            backend: Backend::Dir(state_dir.join("dlq")),
        }
    }

    /// Move dead letters an earlier version kept in the state store into this store's files.
    /// Returns how many.
    pub fn migrate_from(&self, store: &Arc<dyn StateStore>) -> Result<usize, StateError> {
        let Backend::Dir(_) = self.backend else {
            return Ok(0);
        };
        let old = DeadLetters::new(store.clone());
        let letters = old.list(None)?;
        for d in &letters {
            self.keep(d)?;
            old.remove(&d.key)?;
        }
        Ok(letters.len())
    }

    /// Keep a batch. Durable when this returns.
    pub fn add(
        &self,
        sink: &str,
        items: Vec<Item>,
        error: &str,
        attempts: u32,
    ) -> Result<(), StateError> {
        let dl = DeadLetter {
            key: String::new(),
            sink: sink.to_string(),
            error: error.to_string(),
            attempts,
            time: Utc::now(),
            items,
        };
        self.keep(&dl)
    }

    fn keep(&self, dl: &DeadLetter) -> Result<(), StateError> {
        let stamp = format!(
            "{:020}-{:06}",
            dl.time.timestamp_micros(),
            SEQ.fetch_add(1, Ordering::Relaxed) % 1_000_000
        );
        let bytes = serde_json::to_vec(dl).map_err(|e| StateError(e.to_string()))?;
        match &self.backend {
            Backend::Store(store) => store.apply(vec![StateOp::put(
                ns::DLQ,
                format!("{}/{stamp}", dl.sink),
                bytes,
            )]),
            Backend::Dir(root) => {
                let dir = root.join(dir_name(&dl.sink));
                std::fs::create_dir_all(&dir).map_err(|e| io(e, "create", &dir))?;
                let tmp = dir.join(format!(".{stamp}.tmp"));
                let path = dir.join(format!("{stamp}.json"));
                std::fs::write(&tmp, &bytes).map_err(|e| io(e, "write", &tmp))?;
                std::fs::File::open(&tmp)
                    .and_then(|f| f.sync_all())
                    .map_err(|e| io(e, "fsync", &tmp))?;
                std::fs::rename(&tmp, &path).map_err(|e| io(e, "rename", &tmp))?;
                std::fs::File::open(&dir)
                    .and_then(|f| f.sync_all())
                    .map_err(|e| io(e, "fsync", &dir))
            }
        }
    }

    /// Every dead letter, optionally of one sink, oldest first per sink.
    pub fn list(&self, sink: Option<&str>) -> Result<Vec<DeadLetter>, StateError> {
        let store = match &self.backend {
            Backend::Store(store) => store,
            Backend::Dir(root) => return list_dir(root, sink),
        };
        let prefix = sink.map(|s| format!("{s}/")).unwrap_or_default();
        let mut out = Vec::new();
        let mut bad = 0usize;
        store.scan(ns::DLQ, &prefix, &mut |k, v| {
            match serde_json::from_slice::<DeadLetter>(v) {
                Ok(mut d) => {
                    d.key = k.to_string();
                    out.push(d);
                }
                Err(_) => bad += 1,
            }
            true
        })?;
        if bad > 0 {
            tracing::warn!(count = bad, "unreadable dead letters skipped");
        }
        Ok(out)
    }

    /// Remove one dead letter (after a successful replay).
    pub fn remove(&self, key: &str) -> Result<(), StateError> {
        match &self.backend {
            Backend::Store(store) => store.apply(vec![StateOp::delete(ns::DLQ, key)]),
            Backend::Dir(root) => {
                if key.split('/').any(|p| p == ".." || p.is_empty()) {
                    return Err(StateError(format!("not a dead-letter key: {key}")));
                }
                let p = root.join(key);
                match std::fs::remove_file(&p) {
                    Ok(()) => Ok(()),
                    // Removed meanwhile (another `dlq` command): the same outcome.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    Err(e) => Err(io(e, "remove", &p)),
                }
            }
        }
    }

    /// Remove every dead letter (of one sink). Returns how many.
    pub fn purge(&self, sink: Option<&str>) -> Result<usize, StateError> {
        let all = self.list(sink)?;
        for d in &all {
            self.remove(&d.key)?;
        }
        Ok(all.len())
    }
}

/// The dead letters under `root` (of one sink), oldest first per sink.
fn list_dir(root: &Path, sink: Option<&str>) -> Result<Vec<DeadLetter>, StateError> {
    let mut dirs: Vec<String> = match sink {
        Some(s) => vec![dir_name(s)],
        None => match std::fs::read_dir(root) {
            Ok(rd) => rd
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io(e, "list", root)),
        },
    };
    dirs.sort();
    let mut out = Vec::new();
    let mut bad = 0usize;
    for d in dirs {
        let dir = root.join(&d);
        let mut files: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json") && !n.starts_with('.'))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io(e, "list", &dir)),
        };
        files.sort();
        for f in files {
            let p = dir.join(&f);
            let bytes = match std::fs::read(&p) {
                Ok(b) => b,
                // Replayed or purged meanwhile.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(e, "read", &p)),
            };
            match serde_json::from_slice::<DeadLetter>(&bytes) {
                Ok(mut dl) => {
                    dl.key = format!("{d}/{f}");
                    out.push(dl);
                }
                Err(_) => bad += 1,
            }
        }
    }
    if bad > 0 {
        tracing::warn!(count = bad, dir = %root.display(), "unreadable dead letters skipped (left in place)");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedloom_core::MemoryStore;

    #[test]
    fn add_list_purge_per_sink() {
        let dir = tempfile::tempdir().unwrap();
        for d in [
            DeadLetters::new(Arc::new(MemoryStore::new())),
            DeadLetters::for_state_dir(dir.path()),
        ] {
            add_list_purge(d);
        }
    }

    #[test]
    fn files_survive_reopen_and_odd_sink_ids_and_migrate_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        DeadLetters::new(store.clone())
            .add("old", vec![Item::new("0", "s")], "HTTP 400", 1)
            .unwrap();
        let d = DeadLetters::for_state_dir(dir.path());
        assert_eq!(d.migrate_from(&store).unwrap(), 1);
        assert!(DeadLetters::new(store).list(None).unwrap().is_empty());
        d.add("extractor:rules/x", vec![Item::new("1", "s")], "boom", 1)
            .unwrap();
        let again = DeadLetters::for_state_dir(dir.path());
        let all = again.list(None).unwrap();
        assert_eq!(all.len(), 2);
        let ex = again.list(Some("extractor:rules/x")).unwrap();
        assert_eq!(ex[0].items[0].id, "1");
        assert!(again.remove("../../etc/passwd").is_err());
        again.remove(&ex[0].key).unwrap();
        again.remove(&ex[0].key).unwrap();
        assert_eq!(again.list(None).unwrap().len(), 1);
    }

    fn add_list_purge(d: DeadLetters) {
        d.add("hook", vec![Item::new("1", "s")], "HTTP 400", 1)
            .unwrap();
        d.add("hook", vec![Item::new("2", "s")], "HTTP 400", 1)
            .unwrap();
        d.add("other", vec![Item::new("3", "s")], "boom", 5)
            .unwrap();
        let hook = d.list(Some("hook")).unwrap();
        assert_eq!(hook.len(), 2);
        assert_eq!(hook[0].items[0].id, "1", "oldest first");
        assert_eq!(d.list(None).unwrap().len(), 3);
        assert_eq!(d.purge(Some("hook")).unwrap(), 2);
        assert_eq!(d.list(None).unwrap().len(), 1);
    }
}
