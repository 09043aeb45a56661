//! A sink's backlog on disk: items the sink could not take yet, in arrival order.
//!
//! One append-only file of JSON lines (`items.jsonl`) and a cursor file holding the byte
//! offset of the first item not yet delivered, both under `state_dir/backlog/<sink>/`.
//! Appends are fsynced before the caller settles the items' acks (the backlog then owns
//! them); the cursor is advanced (and fsynced) after delivery. When the cursor reaches the
//! end, both are reset, so the file does not grow without end. A torn last line left by a
//! crash is cut off when the backlog is opened: that item was never acknowledged, so it is
//! fetched again.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use feedloom_core::Item;

pub struct Backlog {
    dir: PathBuf,
    file: File,
    /// Byte offset of the first undelivered item.
    cursor: u64,
    /// Items after the cursor.
    len: u64,
}

fn io(e: std::io::Error, what: &str, p: &Path) -> String {
    format!("backlog {what} {}: {e}", p.display())
}

impl Backlog {
    /// Open (or create) the backlog in `dir`.
    pub fn open(dir: &Path) -> Result<Backlog, String> {
        std::fs::create_dir_all(dir).map_err(|e| io(e, "create", dir))?;
        let path = dir.join("items.jsonl");
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| io(e, "open", &path))?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes)
            .map_err(|e| io(e, "read", &path))?;
        let keep = bytes
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        if keep < bytes.len() {
            tracing::warn!(file = %path.display(), "cutting off a torn last line of the backlog");
            file.set_len(keep as u64)
                .map_err(|e| io(e, "repair", &path))?;
        }
        let cursor = std::fs::read_to_string(dir.join("cursor"))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(0)
            .min(keep as u64);
        let len = bytes[cursor as usize..keep]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        Ok(Backlog {
            dir: dir.to_path_buf(),
            file,
            cursor,
            len,
        })
    }

    /// Items waiting on disk.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Append items durably (fsync) — after this the backlog owns them.
    pub fn push(&mut self, items: &[&Item]) -> Result<(), String> {
        let mut buf = Vec::with_capacity(items.len() * 2048);
        for it in items {
            serde_json::to_writer(&mut buf, it).map_err(|e| format!("backlog encode: {e}"))?;
            buf.push(b'\n');
        }
        let path = self.dir.join("items.jsonl");
        self.file
            .write_all(&buf)
            .map_err(|e| io(e, "write", &path))?;
        self.file.sync_data().map_err(|e| io(e, "fsync", &path))?;
        self.len += items.len() as u64;
        Ok(())
    }

    /// Up to `max` items from the front, with the offset just after them (pass it to
    /// [`Backlog::consume`] once they are delivered).
    pub fn peek(&mut self, max: usize) -> Result<(Vec<Item>, u64), String> {
        let path = self.dir.join("items.jsonl");
        let mut f = File::open(&path).map_err(|e| io(e, "open", &path))?;
        f.seek(SeekFrom::Start(self.cursor))
            .map_err(|e| io(e, "seek", &path))?;
        let mut r = BufReader::new(f);
        let mut items = Vec::new();
        let mut end = self.cursor;
        let mut line = String::new();
        while items.len() < max {
            line.clear();
            let n = r.read_line(&mut line).map_err(|e| io(e, "read", &path))?;
            if n == 0 || !line.ends_with('\n') {
                break;
            }
            end += n as u64;
            match serde_json::from_str::<Item>(&line) {
                Ok(it) => items.push(it),
                Err(e) => {
                    tracing::error!(file = %path.display(), error = %e, "unreadable backlog line skipped")
                }
            }
        }
        Ok((items, end))
    }

    /// Drop the items before `end` (delivered or dead-lettered).
    pub fn consume(&mut self, end: u64, count: u64) -> Result<(), String> {
        self.cursor = end;
        self.len = self.len.saturating_sub(count);
        let path = self.dir.join("items.jsonl");
        if self.len == 0 {
            // Everything is out: start the file afresh.
            self.file.set_len(0).map_err(|e| io(e, "truncate", &path))?;
            self.file.sync_data().map_err(|e| io(e, "fsync", &path))?;
            self.cursor = 0;
        }
        let tmp = self.dir.join("cursor.tmp");
        std::fs::write(&tmp, self.cursor.to_string()).map_err(|e| io(e, "write", &tmp))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(e, "fsync", &tmp))?;
        std::fs::rename(&tmp, self.dir.join("cursor")).map_err(|e| io(e, "rename", &tmp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_survives_reopen_and_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let items: Vec<Item> = (0..5).map(|i| Item::new(i.to_string(), "s")).collect();
        {
            let mut b = Backlog::open(dir.path()).unwrap();
            b.push(&items.iter().collect::<Vec<_>>()).unwrap();
            let (first, end) = b.peek(2).unwrap();
            assert_eq!(
                first.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
                ["0", "1"]
            );
            b.consume(end, 2).unwrap();
        }
        // A crash mid-append leaves half a line.
        let mut f = OpenOptions::new()
            .append(true)
            .open(dir.path().join("items.jsonl"))
            .unwrap();
        f.write_all(b"{\"id\":\"torn").unwrap();
        let mut b = Backlog::open(dir.path()).unwrap();
        assert_eq!(b.len(), 3);
        let (rest, end) = b.peek(10).unwrap();
        assert_eq!(
            rest.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
            ["2", "3", "4"]
        );
        b.consume(end, 3).unwrap();
        assert!(b.is_empty());
        assert_eq!(
            std::fs::metadata(dir.path().join("items.jsonl"))
                .unwrap()
                .len(),
            0,
            "compacted"
        );
    }
}
