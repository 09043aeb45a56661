//! `type: jsonl` — append items to a JSON Lines file.
//!
//! ```yaml
//! - id: archive
//!   type: jsonl
//!   path: out/items-{date}.jsonl   # {date} (UTC, YYYY-MM-DD) rotates the file daily
//!   fsync: interval                # always | interval | never
//!   fsync_interval: 1s
//! ```
//! Each batch is written with one `write` call of whole lines, so a crash can only tear the
//! last line; a torn tail left by an earlier crash is cut off when the file is opened (its
//! item was never acknowledged, so it is delivered again). Parent directories are created.
//! A failed write is an error (retried, then dead-lettered), never a silent drop.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_trait::async_trait;
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
    #[serde(default)]
    pub fsync: Fsync,
    #[serde(default = "default_fsync_interval")]
    pub fsync_interval: Duration,
}

fn default_fsync_interval() -> Duration {
    Duration::from_secs(1)
}

pub fn register(reg: &mut Registry) {
    reg.sink(
        "jsonl",
        "appends items to a JSON Lines file ({date} in the path rotates daily)",
        JsonlSink::build,
    );
}

struct Open {
    path: PathBuf,
    file: File,
    last_sync: Instant,
    dirty: bool,
}

pub struct JsonlSink {
    template: PathBuf,
    fsync: Fsync,
    fsync_interval: std::time::Duration,
    state: Arc<Mutex<Option<Open>>>,
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
        })
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

/// Open for append, cutting off a torn last line.
fn open_repaired(path: &Path) -> std::io::Result<File> {
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
        }
    }
    Ok(f)
}

#[async_trait]
impl Sink for JsonlSink {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        let buf = crate::stdout::encode(batch, false)?;
        let path = self.current_path();
        let state = self.state.clone();
        let (fsync, every) = (self.fsync, self.fsync_interval);
        tokio::task::spawn_blocking(move || {
            let mut g = state.lock().unwrap();
            if g.as_ref().is_none_or(|o| o.path != path) {
                if let Some(mut old) = g.take() {
                    let _ = old.file.flush();
                    let _ = old.file.sync_data();
                }
                let file = open_repaired(&path).map_err(|e| {
                    SinkError::retryable(format!("cannot open {}: {e}", path.display()))
                })?;
                *g = Some(Open {
                    path: path.clone(),
                    file,
                    last_sync: Instant::now(),
                    dirty: false,
                });
            }
            let o = g.as_mut().unwrap();
            o.file.write_all(&buf).map_err(|e| {
                SinkError::retryable(format!("cannot write {}: {e}", o.path.display()))
            })?;
            o.dirty = true;
            let sync_now = match fsync {
                Fsync::Always => true,
                Fsync::Interval => o.last_sync.elapsed() >= every,
                Fsync::Never => false,
            };
            if sync_now {
                o.file.sync_data().map_err(|e| {
                    SinkError::retryable(format!("cannot fsync {}: {e}", o.path.display()))
                })?;
                o.last_sync = Instant::now();
                o.dirty = false;
            }
            Ok(())
        })
        .await
        .map_err(|e| SinkError::retryable(e.to_string()))?
    }

    async fn flush(&self) -> Result<(), SinkError> {
        let state = self.state.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(o) = state.lock().unwrap().as_mut()
                && o.dirty
            {
                o.file
                    .flush()
                    .and_then(|_| o.file.sync_data())
                    .map_err(|e| {
                        SinkError::retryable(format!("cannot flush {}: {e}", o.path.display()))
                    })?;
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
