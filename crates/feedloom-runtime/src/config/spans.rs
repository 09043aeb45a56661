//! Where each value of a YAML document stands: a map from a dotted path (`sources.0.url`)
//! to the line and column of its key and its value. Built from the parser's events, so
//! errors found after deserialisation (a plugin's options, a duplicate id, an unset
//! variable) can still be reported as `FILE:LINE:COL`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_saphyr::granit_parser::{Event, Parser};

/// 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    key: Option<Pos>,
    value: Pos,
}

/// A key written twice in one mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The key as written.
    pub key: String,
    /// Dotted path of the key.
    pub path: String,
    pub first: Pos,
    pub second: Pos,
}

/// Positions of every node in a document, by dotted path. The root is `""`.
///
/// It keeps the document's text and builds the index when asked: a loaded config drops its
/// index ([`SpanIndex::compact`]) and rebuilds it only to locate an error found later (a
/// source that fails to build on reload). The index of 100,000 sources is tens of megabytes;
/// their text is a few.
#[derive(Clone, Debug, Default)]
pub struct SpanIndex {
    text: Arc<str>,
    index: OnceLock<Arc<Index>>,
}

#[derive(Debug, Default)]
struct Index {
    entries: HashMap<String, Entry>,
    duplicates: Vec<Duplicate>,
}

enum Frame {
    Map {
        path: String,
        key: Option<(String, Pos)>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

fn join(parent: &str, seg: &str) -> String {
    if parent.is_empty() {
        seg.to_string()
    } else {
        format!("{parent}.{seg}")
    }
}

impl SpanIndex {
    /// Index `text`. A document the parser rejects yields whatever was indexed before the
    /// error (the deserialiser reports the syntax error itself).
    pub fn build(text: &str) -> Self {
        let index = OnceLock::new();
        let _ = index.set(Arc::new(Index::build(text)));
        SpanIndex {
            text: Arc::from(text),
            index,
        }
    }

    /// Drop the index, keeping the text to rebuild it from when a position is asked for.
    pub fn compact(&mut self) {
        self.index = OnceLock::new();
    }

    fn index(&self) -> &Index {
        self.index
            .get_or_init(|| Arc::new(Index::build(&self.text)))
    }

    /// Keys written twice in the same mapping, in document order.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.index().duplicates
    }

    /// The position of the value at `path`, or of its nearest indexed ancestor.
    pub fn value(&self, path: &str) -> Pos {
        self.index().lookup(path, false)
    }

    /// The position of the key at `path` (falls back to the value, then to ancestors).
    pub fn key(&self, path: &str) -> Pos {
        self.index().lookup(path, true)
    }
}

impl Index {
    fn build(text: &str) -> Self {
        let mut idx = Index::default();
        let mut stack: Vec<Frame> = Vec::new();
        for ev in Parser::new_from_str(text) {
            let Ok((event, span)) = ev else { break };
            let pos = Pos {
                line: span.start.line(),
                col: span.start.col() + 1,
            };
            // Where does this node go? (None: it is a mapping key.)
            let slot: Option<(String, Option<Pos>)> = match stack.last_mut() {
                None => Some((String::new(), None)),
                Some(Frame::Seq { path, next }) => {
                    let p = join(path, &next.to_string());
                    *next += 1;
                    Some((p, None))
                }
                Some(Frame::Map { path, key }) => {
                    key.take().map(|(k, kpos)| (join(path, &k), Some(kpos)))
                }
            };
            match event {
                Event::Scalar(value, ..) => match slot {
                    Some((p, kpos)) => {
                        idx.insert(
                            p,
                            Entry {
                                key: kpos,
                                value: pos,
                            },
                        );
                    }
                    None => {
                        if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                            *key = Some((value.to_string(), pos));
                        }
                    }
                },
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    let (mut p, kpos) = slot.unwrap_or_default();
                    let duplicate = idx.insert(
                        p.clone(),
                        Entry {
                            key: kpos,
                            value: pos,
                        },
                    );
                    if duplicate {
                        // The second copy's children must not be taken for duplicates of
                        // the first's: index them under a path no lookup uses.
                        p.push_str(".\u{0}duplicate");
                    }
                    stack.push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map { path: p, key: None }
                    } else {
                        Frame::Seq { path: p, next: 0 }
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                }
                Event::Alias(..) => {
                    if let Some((p, kpos)) = slot {
                        idx.insert(
                            p,
                            Entry {
                                key: kpos,
                                value: pos,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
        idx
    }

    /// Record `entry` at `path`; a second key at the same path is a duplicate key (the first
    /// position is kept, so errors point at what the reader sees first).
    fn insert(&mut self, path: String, entry: Entry) -> bool {
        if let (Some(first), Some(second)) =
            (self.entries.get(&path).and_then(|e| e.key), entry.key)
        {
            let key = path.rsplit('.').next().unwrap_or(&path).to_string();
            self.duplicates.push(Duplicate {
                key,
                path,
                first,
                second,
            });
            return true;
        }
        self.entries.insert(path, entry);
        false
    }

    fn lookup(&self, path: &str, key: bool) -> Pos {
        let mut p = path;
        loop {
            if let Some(e) = self.entries.get(p) {
                return if key {
                    e.key.unwrap_or(e.value)
                } else {
                    e.value
                };
            }
            match p.rfind('.') {
                Some(i) => p = &p[..i],
                None if !p.is_empty() => p = "",
                None => return Pos { line: 1, col: 1 },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_nested_paths() {
        let y = "state_dir: x\nsources:\n  - id: a\n    type: file\n  - id: b\n    headers:\n      X: \"1\"\n";
        let i = SpanIndex::build(y);
        assert_eq!(i.value("state_dir"), Pos { line: 1, col: 12 });
        assert_eq!(i.key("state_dir"), Pos { line: 1, col: 1 });
        assert_eq!(i.value("sources.0.type"), Pos { line: 4, col: 11 });
        assert_eq!(i.key("sources.1.id"), Pos { line: 5, col: 5 });
        assert_eq!(i.value("sources.1.headers.X"), Pos { line: 7, col: 10 });
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(i.value("sources.1.nope"), i.value("sources.1"));
        assert!(i.duplicates().is_empty());
    }

    #[test]
    fn records_duplicate_keys_with_both_positions() {
        let y = "sinks:\n  - id: a\n    type: stdout\n    id: b\n";
        let i = SpanIndex::build(y);
        assert_eq!(
            i.duplicates(),
            [Duplicate {
                key: "id".into(),
                path: "sinks.0.id".into(),
                first: Pos { line: 2, col: 5 },
                second: Pos { line: 4, col: 5 },
            }]
        );
        // The first one keeps its place in the index.
        assert_eq!(i.value("sinks.0.id"), Pos { line: 2, col: 9 });
        // Dropped and rebuilt from the text, it says the same.
        let mut c = i.clone();
        c.compact();
        assert_eq!(c.value("sinks.0.id"), Pos { line: 2, col: 9 });
        assert_eq!(c.duplicates(), i.duplicates());
    }
}
