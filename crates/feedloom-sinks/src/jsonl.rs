//! `type: jsonl` — append items to a JSON Lines file.
//!
//! ```yaml
//! - id: archive
//!   type: jsonl
//!   path: out/items-{date}.jsonl   # {date} (UTC, YYYY-MM-DD) rotates the file daily
//!   fsync: interval                # always | interval | never
//!   fsync_interval: 1s
//! ```
//! Each batch is written as whole lines at the end of the file, so a crash can only tear the
//! last line; a torn tail left by an earlier crash is cut off when the file is opened (its
//! item was never acknowledged, so it is delivered again). With `{date}`, the earlier dated
//! files are repaired too when the sink first opens a file (a crash just before midnight
//! tears yesterday's file, which is never written again). A write or fsync that fails (a
//! full disk) is cut back to the last whole line, so a retry never leaves a fragment in the
//! middle of the file. Parent directories are created. A failed write is an error, never a
//! silent drop: a full disk (or quota) is retried, then dead-lettered; what only a person can
//! fix (the path goes through a regular file, permission denied, a read-only filesystem) is
//! permanent and dead-lettered at once.
//!
//! Durability: `always` fsyncs each batch before it is acknowledged; `interval` fsyncs within
//! `fsync_interval` of a write (a timer, so an idle sink does not leave data unsynced), when
//! the file rotates, and on shutdown; `never` leaves it to the OS (and shutdown). A kill -9
//! loses nothing in any mode (written data is in the OS's cache); a power failure can lose
//! up to `fsync_interval` of acknowledged items with `interval`, and more with `never`.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
use feedloom_core::sync::LockExt;
use feedloom_core::{BuildContext, BuildError, Duration, Item, Registry, Sink, SinkError};
use schemars::JsonSchema;
use serde::Deserialize;

/// When to fsync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Fsync {
    /// After every batch (safest, slowest).
    Always,
    /// At most once per `fsync_interval`, and on shutdown.
    #[default]
    Interval,
    /// Leave it to the OS (flushed on shutdown).
    Never,
}

/// Options of `type: jsonl`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonlOptions {
    /// File path, relative to the config file; `{date}` is replaced by the UTC date.
    pub path: String,
    /// When written items are fsynced: `always` (each batch, before it is acknowledged),
    /// `interval` (within `fsync_interval`) or `never` (left to the OS; flushed on shutdown).
    #[serde(default)]
    pub fsync: Fsync,
    /// With `fsync: interval`, the longest time a written item waits for its fsync.
    #[serde(default = "default_fsync_interval")]
    pub fsync_interval: Duration,
}

fn default_fsync_interval() -> Duration {
    Duration::from_secs(1)
}

pub fn register(reg: &mut Registry) {
    reg.register_sink(
        "jsonl",
        "appends items to a JSON Lines file ({date} in the path rotates daily)",
        JsonlSink::build,
    );
}

struct Open {
    path: PathBuf,
    file: File,
    /// Length up to the last whole line written.
    len: u64,
    /// A failed write may have left bytes after `len`: cut them before the next write.
    tail_dirty: bool,
    last_sync: Instant,
    dirty: bool,
}

pub struct JsonlSink {
    template: PathBuf,
    fsync: Fsync,
    fsync_interval: std::time::Duration,
    state: Arc<Mutex<Option<Open>>>,
    /// The interval fsync timer is running.
    timer: std::sync::atomic::AtomicBool,
    /// Earlier dated files have been checked for a torn tail.
    repaired_others: std::sync::atomic::AtomicBool,
}

impl JsonlSink {
    pub fn build(o: JsonlOptions, ctx: &BuildContext) -> Result<Self, BuildError> {
        if o.path.trim().is_empty() {
            return Err(BuildError::at("path", "path must not be empty"));
        }
        Ok(JsonlSink {
            template: ctx.resolve(&o.path),
            fsync: o.fsync,
            fsync_interval: o.fsync_interval.get(),
            state: Arc::new(Mutex::new(None)),
            timer: Default::default(),
            repaired_others: Default::default(),
        })
    }

    /// `fsync: interval`: sync within `fsync_interval` of a write even when no further write
    /// comes. The timer stops when the sink is dropped.
    fn start_timer(&self) {
        use std::sync::atomic::Ordering;
        if self.fsync != Fsync::Interval
            || self.timer.swap(true, Ordering::AcqRel)
            || tokio::runtime::Handle::try_current().is_err()
        {
            return;
        }
        let weak = Arc::downgrade(&self.state);
        let every = self.fsync_interval.max(std::time::Duration::from_millis(1));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(state) = weak.upgrade() else { break };
                let _ = tokio::task::spawn_blocking(move || {
                    let mut g = state.lock_unpoisoned();
                    let Some(o) = g.as_mut() else { return };
                    if !o.dirty || o.last_sync.elapsed() < every {
                        return;
                    }
                    match o.file.sync_data() {
                        Ok(()) => {
                            o.dirty = false;
                            o.last_sync = Instant::now();
                        }
                        Err(e) => {
                            tracing::error!(file = %o.path.display(), error = %e, "fsync failed")
                        }
                    }
                })
                .await;
            }
        });
    }

    /// With `{date}`: the other dated files, whose torn tail (from a crash just before the
    /// date changed) would otherwise never be repaired.
    fn other_dated_files(&self, current: &Path) -> Vec<PathBuf> {
        let t = self.template.to_string_lossy();
        if !t.contains("{date}") {
            return Vec::new();
        }
        let pattern = t
            .split("{date}")
            .map(glob::Pattern::escape)
            .collect::<Vec<_>>()
            .join("[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]");
        match glob::glob(&pattern) {
            Ok(paths) => paths.flatten().filter(|p| p != current).collect(),
            Err(_) => Vec::new(),
        }
    }

    fn current_path(&self) -> PathBuf {
        let t = self.template.to_string_lossy();
        if t.contains("{date}") {
            PathBuf::from(t.replace("{date}", &chrono::Utc::now().format("%Y-%m-%d").to_string()))
        } else {
            self.template.clone()
        }
    }
}

/// An io error as a sink error: permanent when retrying cannot help until someone changes
/// the filesystem (a path through a regular file, no permission, a read-only filesystem, a
/// name the filesystem refuses), retryable otherwise (a full disk or quota frees up; an
/// interrupted or timed-out write goes through next time).
fn io_error(what: &str, path: &Path, e: &std::io::Error) -> SinkError {
    use std::io::ErrorKind::*;
    let message = format!("{what} {}: {}", path.display(), describe_io(path, e));
    match e.kind() {
        NotADirectory | IsADirectory | PermissionDenied | ReadOnlyFilesystem | InvalidFilename
        | InvalidInput | Unsupported => SinkError::permanent(message),
        // create_dir_all reports a regular file where a directory should be as "File exists".
        AlreadyExists if file_in_the_way(path).is_some() => SinkError::permanent(message),
        _ => SinkError::retryable(message),
    }
}

/// The error in words, naming the regular file a directory was expected at (which
/// `mkdir`'s "File exists" does not).
fn describe_io(path: &Path, e: &std::io::Error) -> String {
    match (e.kind(), file_in_the_way(path)) {
        (std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory, Some(f)) => {
            format!("{} is a file, not a directory", f.display())
        }
        _ => e.to_string(),
    }
}

/// The nearest ancestor of `path` that exists and is not a directory.
fn file_in_the_way(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|p| p.symlink_metadata().is_ok())
        .filter(|p| !p.is_dir())
        .map(Path::to_path_buf)
}

/// Open for append, cutting off a torn last line. Returns the file and its length.
fn open_repaired(path: &Path) -> std::io::Result<(File, u64)> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    let len = f.metadata()?.len();
    if len > 0 {
        // Find the last newline, reading backwards in chunks.
        let mut end = len;
        let mut keep = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        'scan: while end > 0 {
            let start = end.saturating_sub(buf.len() as u64);
            let n = (end - start) as usize;
            f.seek(SeekFrom::Start(start))?;
            f.read_exact(&mut buf[..n])?;
            if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
                keep = start + i as u64 + 1;
                break 'scan;
            }
            end = start;
        }
        if keep < len {
            tracing::warn!(file = %path.display(), bytes = len - keep, "cutting off a torn last line left by an earlier crash");
            f.set_len(keep)?;
            f.sync_all()?;
        }
        return Ok((f, keep));
    }
    Ok((f, 0))
}

#[async_trait]
impl Sink for JsonlSink {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        let buf = crate::stdout::encode(batch, false)?;
        let path = self.current_path();
        let state = self.state.clone();
        let (fsync, every) = (self.fsync, self.fsync_interval);
        self.start_timer();
        let others = if self
            .repaired_others
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            Vec::new()
        } else {
            self.other_dated_files(&path)
        };
        tokio::task::spawn_blocking(move || {
            for p in others {
                if let Err(e) = open_repaired(&p) {
                    tracing::warn!(file = %p.display(), error = %e, "cannot check an earlier file for a torn last line");
                }
            }
            let mut g = state.lock_unpoisoned();
            if g.as_ref().is_none_or(|o| o.path != path) {
                if let Some(old) = g.take()
                    && old.dirty
                    && let Err(e) = old.file.sync_data()
                {
                    tracing::error!(file = %old.path.display(), error = %e, "fsync of the rotated file failed");
                }
                let (file, len) =
                    open_repaired(&path).map_err(|e| io_error("cannot open", &path, &e))?;
                *g = Some(Open {
                    path: path.clone(),
                    file,
                    len,
                    tail_dirty: false,
                    last_sync: Instant::now(),
                    dirty: false,
                });
            }
            let o = g.as_mut().expect("opened just above");
            if o.tail_dirty {
                o.file
                    .set_len(o.len)
                    .map_err(|e| io_error("cannot repair", &o.path, &e))?;
                o.tail_dirty = false;
            }
            let sync_now = match fsync {
                Fsync::Always => true,
                Fsync::Interval => o.last_sync.elapsed() >= every,
                Fsync::Never => false,
            };
            let res = o
                .file
                .write_all(&buf)
                .map_err(|e| io_error("cannot write", &o.path, &e))
                .and_then(|_| {
                    if sync_now {
                        o.file
                            .sync_data()
                            .map_err(|e| io_error("cannot fsync", &o.path, &e))
                    } else {
                        Ok(())
                    }
                });
            if let Err(e) = res {
                // Cut the file back to its last whole line: the retry (or a replay from the
                // dead-letter store) writes the batch again.
                o.tail_dirty = o.file.set_len(o.len).is_err();
                return Err(e);
            }
            o.len += buf.len() as u64;
            if sync_now {
                o.last_sync = Instant::now();
                o.dirty = false;
            } else {
                o.dirty = true;
            }
            Ok(())
        })
        .await
        .map_err(|e| SinkError::retryable(e.to_string()))?
    }

    async fn flush(&self) -> Result<(), SinkError> {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(o) = state.lock_unpoisoned().as_mut()
                && o.dirty
            {
                o.file
                    .flush()
                    .and_then(|_| o.file.sync_data())
                    .map_err(|e| io_error("cannot flush", &o.path, &e))?;
                o.dirty = false;
            }
            Ok(())
        })
        .await
        .map_err(|e| SinkError::retryable(e.to_string()))?
    }

    fn batch_size(&self) -> usize {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_path_through_a_regular_file_is_a_permanent_error() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        std::fs::write(dir.path().join("out/file.txt"), "not a directory").unwrap();
        for path in ["out/file.txt/items.jsonl", "out/file.txt/sub/items.jsonl"] {
            let s = JsonlSink::build(
                JsonlOptions {
                    path: path.into(),
                    fsync: Fsync::Always,
                    fsync_interval: default_fsync_interval(),
                },
                &ctx,
            )
            .unwrap();
            let e = s.send(&[Item::new("a", "s")]).await.unwrap_err();
            assert!(!e.retryable, "{path}: {e}");
            assert!(
                e.message.contains("file.txt is a file, not a directory"),
                "{path}: {e}"
            );
        }
    }

    #[test]
    fn io_errors_are_classified() {
        use std::io::{Error, ErrorKind};
        let p = Path::new("/nonexistent-feedloom-test/x.jsonl");
        let kinds = [
            (ErrorKind::PermissionDenied, false),
            (ErrorKind::ReadOnlyFilesystem, false),
            (ErrorKind::NotADirectory, false),
            (ErrorKind::StorageFull, true),
            (ErrorKind::QuotaExceeded, true),
            (ErrorKind::Interrupted, true),
            (ErrorKind::TimedOut, true),
        ];
        for (kind, retryable) in kinds {
            let e = io_error("cannot write", p, &Error::from(kind));
            assert_eq!(e.retryable, retryable, "{kind:?}");
        }
    }

    #[tokio::test]
    async fn appends_whole_lines_and_repairs_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let path = dir.path().join("out/x.jsonl");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "{\"id\":\"old\"}\n{\"id\":\"to").unwrap();
        let s = JsonlSink::build(
            JsonlOptions {
                path: "out/x.jsonl".into(),
                fsync: Fsync::Always,
                fsync_interval: default_fsync_interval(),
            },
            &ctx,
        )
        .unwrap();
        s.send(&[Item::new("a", "s"), Item::new("b", "s")])
            .await
            .unwrap();
        s.flush().await.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ids, ["old", "a", "b"]);
    }

    #[tokio::test]
    async fn date_in_path_rotates_and_creates_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let s = JsonlSink::build(
            JsonlOptions {
                path: "a/b/items-{date}.jsonl".into(),
                fsync: Fsync::Never,
                fsync_interval: default_fsync_interval(),
            },
            &ctx,
        )
        .unwrap();
        s.send(&[Item::new("a", "s")]).await.unwrap();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert!(dir.path().join(format!("a/b/items-{today}.jsonl")).exists());
    }

    /// A crash just before midnight tore yesterday's file; today's first write repairs it.
    #[tokio::test]
    async fn earlier_dated_files_are_repaired_too() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        std::fs::create_dir_all(dir.path().join("out")).unwrap();
        let old = dir.path().join("out/items-2001-02-03.jsonl");
        std::fs::write(&old, "{\"id\":\"a\"}\n{\"id\":\"b").unwrap();
        let other = dir.path().join("out/notes.jsonl");
        std::fs::write(&other, "half").unwrap();
        let s = JsonlSink::build(
            JsonlOptions {
                path: "out/items-{date}.jsonl".into(),
                fsync: Fsync::Always,
                fsync_interval: default_fsync_interval(),
            },
            &ctx,
        )
        .unwrap();
        s.send(&[Item::new("c", "s")]).await.unwrap();
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "{\"id\":\"a\"}\n");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "half", "not ours");
    }

    /// A write that fails part-way (a full disk) is cut back, so the retry's lines follow the
    /// last whole line and no fragment is left in the middle of the file.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_failed_write_leaves_no_fragment() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let s = JsonlSink::build(
            JsonlOptions {
                path: "x.jsonl".into(),
                fsync: Fsync::Always,
                fsync_interval: default_fsync_interval(),
            },
            &ctx,
        )
        .unwrap();
        s.send(&[Item::new("a", "s")]).await.unwrap();
        let path = dir.path().join("x.jsonl");
        // A partial write landed, then the disk filled up.
        let real = {
            let mut g = s.state.lock_unpoisoned();
            let o = g.as_mut().expect("opened just above");
            o.file.write_all(b"{\"id\":\"b\",\"ti").unwrap();
            std::mem::replace(
                &mut o.file,
                OpenOptions::new().append(true).open("/dev/full").unwrap(),
            )
        };
        assert!(s.send(&[Item::new("b", "s")]).await.is_err());
        s.state.lock_unpoisoned().as_mut().unwrap().file = real;
        s.send(&[Item::new("b", "s")]).await.unwrap();
        let ids: Vec<String> = std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(ids, ["\"a\"", "\"b\""]);
    }

    /// `fsync: interval` syncs an idle file within the interval, without another write.
    #[tokio::test]
    async fn interval_fsync_happens_without_another_write() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let s = JsonlSink::build(
            JsonlOptions {
                path: "x.jsonl".into(),
                fsync: Fsync::Interval,
                fsync_interval: Duration::from_millis(20),
            },
            &ctx,
        )
        .unwrap();
        s.send(&[Item::new("a", "s")]).await.unwrap();
        s.send(&[Item::new("b", "s")]).await.unwrap();
        for _ in 0..1000 {
            if !s.state.lock_unpoisoned().as_ref().unwrap().dirty {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("never synced");
    }

    #[tokio::test]
    async fn unwritable_path_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "").unwrap();
        let ctx = BuildContext::for_tests(dir.path());
        let s = JsonlSink::build(
            JsonlOptions {
                path: "file/x.jsonl".into(),
                fsync: Fsync::Never,
                fsync_interval: default_fsync_interval(),
            },
            &ctx,
        )
        .unwrap();
        assert!(s.send(&[Item::new("a", "s")]).await.is_err());
    }
}
