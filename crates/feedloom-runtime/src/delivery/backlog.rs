//! A sink's backlog on disk: items the sink could not take yet, in arrival order.
//!
//! Under `state_dir/backlog/<sink>/`:
//! - `<segment>.jsonl` — append-only segments of JSON lines, one item per line, numbered
//!   upwards; a new one is started when the last reaches [`SEGMENT_BYTES`];
//! - `cursor` — `<segment> <offset>`: the first line not yet delivered (replaced atomically);
//! - `corrupt.jsonl` — lines that could not be read back, kept for the operator (never
//!   dropped silently).
//!
//! Crash safety:
//! - An append is fsynced before the caller settles the items' acks (the backlog owns them
//!   from then on). An append that fails (disk full, fsync error) is cut back to the last
//!   good length, so a failed write never leaves a fragment that would merge with the next
//!   item. A torn last line left by a crash (kill -9 mid-write) is cut off on open: its items
//!   were never acknowledged, so they are fetched again.
//! - The cursor moves only after delivery: a crash between the delivery and the cursor
//!   write delivers those items again (a duplicate, never a loss).
//! - Segments before the cursor's are deleted once the cursor is durable, so the disk holds
//!   at most one segment of delivered items.
//!
//! Memory stays bounded: opening streams the files, reading takes one batch at a time.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use feedloom_core::Item;

/// A segment this large is closed and a new one started.
pub const SEGMENT_BYTES: u64 = 8 * 1024 * 1024;

/// A position in the backlog: segment number and byte offset in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub segment: u64,
    pub offset: u64,
}

/// What [`Backlog::peek`] read: the items, and how far to move the cursor once they are
/// delivered (pass it to [`Backlog::consume`]).
#[derive(Debug)]
pub struct Peeked {
    pub items: Vec<Item>,
    pub end: Pos,
    /// Lines passed over (the items and any unreadable lines set aside).
    pub lines: u64,
}

pub struct Backlog {
    dir: PathBuf,
    /// The last segment, open for appending.
    head: File,
    head_segment: u64,
    /// Length of the head segment up to its last whole, fsynced line.
    head_len: u64,
    /// A failed append may have left bytes after `head_len`: cut them before the next one.
    head_dirty: bool,
    cursor: Pos,
    /// Lines after the cursor.
    len: u64,
    /// Unreadable lines before this position are already in `corrupt.jsonl`.
    quarantined_to: Pos,
    segment_bytes: u64,
    /// Appends made (each one fsync), for tests and benches.
    syncs: u64,
}

fn io(e: std::io::Error, what: &str, p: &Path) -> String {
    format!("backlog {what} {}: {e}", p.display())
}

fn segment_name(n: u64) -> String {
    format!("{n:016}.jsonl")
}

fn sync_dir(dir: &Path) -> Result<(), String> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io(e, "fsync", dir))
}

/// The segment numbers in `dir`, ascending.
fn segments(dir: &Path) -> Result<Vec<u64>, String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| io(e, "list", dir))? {
        let e = e.map_err(|e| io(e, "list", dir))?;
        let name = e.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".jsonl")) else {
            continue;
        };
        if let Ok(n) = stem.parse::<u64>() {
            out.push(n);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// The length of `f` up to and including its last newline (0 when it has none).
fn whole_lines_len(f: &mut File) -> std::io::Result<u64> {
    let len = f.metadata()?.len();
    let mut end = len;
    let mut buf = vec![0u8; 64 * 1024];
    while end > 0 {
        let start = end.saturating_sub(buf.len() as u64);
        let n = (end - start) as usize;
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut buf[..n])?;
        if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
            return Ok(start + i as u64 + 1);
        }
        end = start;
    }
    Ok(0)
}

/// Newlines in `path` from `from` to `to`, streamed.
fn count_lines(path: &Path, from: u64, to: u64) -> Result<u64, String> {
    let mut f = File::open(path).map_err(|e| io(e, "open", path))?;
    f.seek(SeekFrom::Start(from))
        .map_err(|e| io(e, "seek", path))?;
    let mut r = f.take(to.saturating_sub(from));
    let mut buf = vec![0u8; 64 * 1024];
    let mut n = 0u64;
    loop {
        let k = r.read(&mut buf).map_err(|e| io(e, "read", path))?;
        if k == 0 {
            return Ok(n);
        }
        n += buf[..k].iter().filter(|&&b| b == b'\n').count() as u64;
    }
}

impl Backlog {
    /// Open (or create) the backlog in `dir`.
    pub fn open(dir: &Path) -> Result<Backlog, String> {
        Self::open_with_segment_size(dir, SEGMENT_BYTES)
    }

    /// [`Backlog::open`] with another segment size (tests).
    pub fn open_with_segment_size(dir: &Path, segment_bytes: u64) -> Result<Backlog, String> {
        std::fs::create_dir_all(dir).map_err(|e| io(e, "create", dir))?;
        let cursor_text = std::fs::read_to_string(dir.join("cursor")).unwrap_or_default();
        let mut parts = cursor_text.split_whitespace().map(|p| p.parse::<u64>());
        let mut cursor = match (parts.next(), parts.next()) {
            (Some(Ok(segment)), Some(Ok(offset))) => Pos { segment, offset },
            _ => Pos {
                segment: 0,
                offset: 0,
            },
        };
        let mut segs = segments(dir)?;
        // Delivered segments whose deletion a crash interrupted.
        for &s in segs.iter().filter(|&&s| s < cursor.segment) {
            let p = dir.join(segment_name(s));
            std::fs::remove_file(&p).map_err(|e| io(e, "remove", &p))?;
        }
        segs.retain(|&s| s >= cursor.segment);
        if segs.first() != Some(&cursor.segment) {
            // The cursor's segment is gone (fully delivered, or never written): start at the
            // first one left.
            cursor = Pos {
                segment: segs.first().copied().unwrap_or(cursor.segment),
                offset: 0,
            };
        }
        if segs.is_empty() {
            segs.push(cursor.segment);
        }
        let head_segment = *segs.last().unwrap_or(&cursor.segment);
        let head_path = dir.join(segment_name(head_segment));
        let mut head = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&head_path)
            .map_err(|e| io(e, "open", &head_path))?;
        sync_dir(dir)?;
        let len_now = head
            .metadata()
            .map_err(|e| io(e, "stat", &head_path))?
            .len();
        let head_len = whole_lines_len(&mut head).map_err(|e| io(e, "read", &head_path))?;
        if head_len < len_now {
            tracing::warn!(file = %head_path.display(), bytes = len_now - head_len, "cutting off a torn last line of the backlog (its items were never acknowledged; they are fetched again)");
            head.set_len(head_len)
                .and_then(|_| head.sync_all())
                .map_err(|e| io(e, "repair", &head_path))?;
        }
        let mut len = 0;
        for &s in &segs {
            let p = dir.join(segment_name(s));
            let from = if s == cursor.segment {
                cursor.offset
            } else {
                0
            };
            let to = if s == head_segment {
                head_len
            } else {
                std::fs::metadata(&p).map_err(|e| io(e, "stat", &p))?.len()
            };
            if s == cursor.segment && from > to {
                cursor.offset = to;
            }
            len += count_lines(&p, from.min(to), to)?;
        }
        Ok(Backlog {
            dir: dir.to_path_buf(),
            head,
            head_segment,
            head_len,
            head_dirty: false,
            cursor,
            len,
            quarantined_to: cursor,
            segment_bytes: segment_bytes.max(1),
            syncs: 0,
        })
    }

    /// Appends (each with one fsync) since this backlog was opened.
    pub fn syncs(&self) -> u64 {
        self.syncs
    }

    /// Items waiting on disk.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes the segments take on disk.
    pub fn disk_bytes(&self) -> u64 {
        segments(&self.dir)
            .unwrap_or_default()
            .iter()
            .filter_map(|s| std::fs::metadata(self.dir.join(segment_name(*s))).ok())
            .map(|m| m.len())
            .sum()
    }

    fn segment_path(&self, n: u64) -> PathBuf {
        self.dir.join(segment_name(n))
    }

    /// Start a new head segment.
    fn roll(&mut self) -> Result<(), String> {
        let next = self.head_segment + 1;
        let p = self.segment_path(next);
        let f = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&p)
            .map_err(|e| io(e, "create", &p))?;
        sync_dir(&self.dir)?;
        self.head = f;
        self.head_segment = next;
        self.head_len = 0;
        self.head_dirty = false;
        Ok(())
    }

    /// Append items durably (fsync) — after this the backlog owns them. On error nothing
    /// was added (a partial write is cut off).
    pub fn push(&mut self, items: &[&Item]) -> Result<(), String> {
        let mut buf = Vec::with_capacity(items.len() * 2048);
        for it in items {
            serde_json::to_writer(&mut buf, it).map_err(|e| format!("backlog encode: {e}"))?;
            buf.push(b'\n');
        }
        if self.head_len >= self.segment_bytes {
            self.roll()?;
        }
        let path = self.segment_path(self.head_segment);
        if self.head_dirty {
            self.head
                .set_len(self.head_len)
                .map_err(|e| io(e, "repair", &path))?;
            self.head_dirty = false;
        }
        let res = self
            .head
            .write_all(&buf)
            .map_err(|e| io(e, "write", &path))
            .and_then(|_| self.head.sync_data().map_err(|e| io(e, "fsync", &path)));
        if let Err(e) = res {
            // Cut off whatever part of the write landed; if even that fails, cut it before
            // the next append.
            self.head_dirty = self.head.set_len(self.head_len).is_err();
            return Err(e);
        }
        self.head_len += buf.len() as u64;
        self.len += items.len() as u64;
        self.syncs += 1;
        Ok(())
    }

    /// Up to `max` items from the front. Unreadable lines are set aside in `corrupt.jsonl`
    /// (and counted in [`Peeked::lines`]) rather than dropped.
    pub fn peek(&mut self, max: usize) -> Result<Peeked, String> {
        let mut pos = self.cursor;
        let mut items = Vec::new();
        let mut lines = 0u64;
        let mut corrupt: Vec<String> = Vec::new();
        'segments: loop {
            let path = self.segment_path(pos.segment);
            let limit = if pos.segment == self.head_segment {
                self.head_len
            } else {
                std::fs::metadata(&path)
                    .map_err(|e| io(e, "stat", &path))?
                    .len()
            };
            if pos.offset < limit {
                let mut f = File::open(&path).map_err(|e| io(e, "open", &path))?;
                f.seek(SeekFrom::Start(pos.offset))
                    .map_err(|e| io(e, "seek", &path))?;
                let mut r = BufReader::new(f.take(limit - pos.offset));
                let mut line = String::new();
                while items.len() < max {
                    line.clear();
                    let n = r.read_line(&mut line).map_err(|e| io(e, "read", &path))?;
                    if n == 0 || !line.ends_with('\n') {
                        break;
                    }
                    let at = pos;
                    pos.offset += n as u64;
                    lines += 1;
                    match serde_json::from_str::<Item>(&line) {
                        Ok(it) => items.push(it),
                        Err(e) => {
                            if at >= self.quarantined_to {
                                tracing::error!(file = %path.display(), offset = at.offset, error = %e, "unreadable backlog line set aside in corrupt.jsonl");
                                corrupt.push(line.clone());
                            }
                        }
                    }
                }
                if items.len() >= max {
                    break 'segments;
                }
            }
            if pos.segment >= self.head_segment {
                break;
            }
            pos = Pos {
                segment: pos.segment + 1,
                offset: 0,
            };
        }
        if !corrupt.is_empty() {
            let p = self.dir.join("corrupt.jsonl");
            let mut f = OpenOptions::new()
                .append(true)
                .create(true)
                .open(&p)
                .map_err(|e| io(e, "open", &p))?;
            f.write_all(corrupt.concat().as_bytes())
                .and_then(|_| f.sync_data())
                .map_err(|e| io(e, "write", &p))?;
        }
        self.quarantined_to = self.quarantined_to.max(pos);
        Ok(Peeked {
            items,
            end: pos,
            lines,
        })
    }

    /// Drop what [`Backlog::peek`] returned (delivered or dead-lettered): pass its `end`
    /// and `lines`.
    pub fn consume(&mut self, end: Pos, lines: u64) -> Result<(), String> {
        self.cursor = end;
        self.len = self.len.saturating_sub(lines);
        if self.cursor
            == (Pos {
                segment: self.head_segment,
                offset: self.head_len,
            })
        {
            self.len = 0;
        }
        let tmp = self.dir.join("cursor.tmp");
        let text = format!("{} {}\n", self.cursor.segment, self.cursor.offset);
        std::fs::write(&tmp, text).map_err(|e| io(e, "write", &tmp))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| io(e, "fsync", &tmp))?;
        std::fs::rename(&tmp, self.dir.join("cursor")).map_err(|e| io(e, "rename", &tmp))?;
        sync_dir(&self.dir)?;
        // The cursor is durable: segments before it are delivered.
        for s in segments(&self.dir)?
            .into_iter()
            .filter(|&s| s < self.cursor.segment)
        {
            let p = self.segment_path(s);
            std::fs::remove_file(&p).map_err(|e| io(e, "remove", &p))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(items: &[Item]) -> Vec<String> {
        items.iter().map(|i| i.id.clone()).collect()
    }

    fn items(range: std::ops::Range<usize>) -> Vec<Item> {
        range.map(|i| Item::new(i.to_string(), "s")).collect()
    }

    fn drain(b: &mut Backlog, max: usize) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            let p = b.peek(max).unwrap();
            if p.lines == 0 {
                return out;
            }
            out.extend(ids(&p.items));
            b.consume(p.end, p.lines).unwrap();
        }
    }

    #[test]
    fn fifo_survives_reopen_and_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let five = items(0..5);
        {
            let mut b = Backlog::open(dir.path()).unwrap();
            b.push(&five.iter().collect::<Vec<_>>()).unwrap();
            let p = b.peek(2).unwrap();
            assert_eq!(ids(&p.items), ["0", "1"]);
            b.consume(p.end, p.lines).unwrap();
        }
        // A crash mid-append leaves half a line.
        let seg = dir.path().join(segment_name(0));
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(b"{\"id\":\"torn").unwrap();
        let mut b = Backlog::open(dir.path()).unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(drain(&mut b, 10), ["2", "3", "4"]);
        assert!(b.is_empty());
        // New items after the repair are whole lines, read back in order.
        b.push(&items(5..7).iter().collect::<Vec<_>>()).unwrap();
        drop(b);
        let mut b = Backlog::open(dir.path()).unwrap();
        assert_eq!(drain(&mut b, 10), ["5", "6"]);
    }

    #[test]
    fn segments_roll_and_delivered_ones_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Backlog::open_with_segment_size(dir.path(), 100).unwrap();
        let all = items(0..30);
        for it in &all {
            b.push(&[it]).unwrap();
        }
        let n_segments = segments(dir.path()).unwrap().len();
        assert!(n_segments > 3, "{n_segments} segments");
        // Drain half, reopen, drain the rest.
        let mut got = Vec::new();
        while got.len() < 15 {
            let p = b.peek(4).unwrap();
            got.extend(ids(&p.items));
            b.consume(p.end, p.lines).unwrap();
        }
        assert!(segments(dir.path()).unwrap().len() < n_segments);
        drop(b);
        let mut b = Backlog::open_with_segment_size(dir.path(), 100).unwrap();
        assert_eq!(b.len() as usize, 30 - got.len());
        got.extend(drain(&mut b, 4));
        assert_eq!(got, ids(&all));
        assert_eq!(
            segments(dir.path()).unwrap().len(),
            1,
            "only the head is left"
        );
        // Keeps working after the drain.
        b.push(&[&Item::new("x", "s")]).unwrap();
        assert_eq!(drain(&mut b, 4), ["x"]);
    }

    #[test]
    fn an_unreadable_line_is_set_aside_not_dropped_and_does_not_stall() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut b = Backlog::open(dir.path()).unwrap();
            b.push(&[&Item::new("a", "s")]).unwrap();
        }
        let seg = dir.path().join(segment_name(0));
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(b"not json\n").unwrap();
        drop(f);
        let mut b = Backlog::open(dir.path()).unwrap();
        b.push(&[&Item::new("b", "s")]).unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!(drain(&mut b, 10), ["a", "b"]);
        assert!(b.is_empty());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("corrupt.jsonl")).unwrap(),
            "not json\n"
        );
    }

    #[test]
    fn a_failed_append_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Backlog::open(dir.path()).unwrap();
        b.push(&[&Item::new("a", "s")]).unwrap();
        // Simulate a write that landed partly before failing (disk full).
        let good = b.head_len;
        b.head.write_all(b"{\"id\":\"par").unwrap();
        b.head_dirty = true;
        b.push(&[&Item::new("b", "s")]).unwrap();
        assert_eq!(
            b.head_len,
            std::fs::metadata(dir.path().join(segment_name(0)))
                .unwrap()
                .len()
        );
        assert!(b.head_len > good);
        drop(b);
        let mut b = Backlog::open(dir.path()).unwrap();
        assert_eq!(drain(&mut b, 10), ["a", "b"]);
    }

    /// A real ENOSPC: /dev/full fails every write. The append reports the error and leaves
    /// no fragment.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_is_an_error_and_keeps_the_backlog_consistent() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Backlog::open(dir.path()).unwrap();
        b.push(&[&Item::new("a", "s")]).unwrap();
        let real = std::mem::replace(
            &mut b.head,
            OpenOptions::new().append(true).open("/dev/full").unwrap(),
        );
        let e = b.push(&[&Item::new("b", "s")]).unwrap_err();
        assert!(e.contains("write"), "{e}");
        assert_eq!(b.len(), 1, "nothing counted");
        b.head = real;
        b.push(&[&Item::new("c", "s")]).unwrap();
        assert_eq!(drain(&mut b, 10), ["a", "c"]);
    }
}
