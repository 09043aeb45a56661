//! The embedded state store: small key/value namespaces that survive restarts.
//!
//! Delivered item ids, feed validators (ETag, Last-Modified), backlogs and dead letters all
//! live here. The runtime provides a redb-backed store; [`MemoryStore`] is for tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::StateError;
use crate::sync::LockExt;

/// One write in an atomic batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateOp {
    Put {
        ns: String,
        key: String,
        value: Vec<u8>,
    },
    Delete {
        ns: String,
        key: String,
    },
}

impl StateOp {
    pub fn put(ns: &str, key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        StateOp::Put {
            ns: ns.to_string(),
            key: key.into(),
            value: value.into(),
        }
    }
    pub fn delete(ns: &str, key: impl Into<String>) -> Self {
        StateOp::Delete {
            ns: ns.to_string(),
            key: key.into(),
        }
    }
}

/// A durable key/value store with namespaces. Implementations must be safe to call from
/// many tasks; `apply` is atomic and durable when it returns.
pub trait StateStore: Send + Sync + 'static {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StateError>;
    /// Apply every op or none.
    fn apply(&self, ops: Vec<StateOp>) -> Result<(), StateError>;
    /// Visit the entries of `ns` whose key starts with `prefix`, in key order, until `f`
    /// returns false.
    fn scan(
        &self,
        ns: &str,
        prefix: &str,
        f: &mut dyn FnMut(&str, &[u8]) -> bool,
    ) -> Result<(), StateError>;

    fn put(&self, ns: &str, key: &str, value: &[u8]) -> Result<(), StateError> {
        self.apply(vec![StateOp::put(ns, key, value)])
    }
    fn delete(&self, ns: &str, key: &str) -> Result<(), StateError> {
        self.apply(vec![StateOp::delete(ns, key)])
    }
    /// Every entry of `ns` under `prefix`.
    fn list(&self, ns: &str, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, StateError> {
        let mut out = Vec::new();
        self.scan(ns, prefix, &mut |k, v| {
            out.push((k.to_string(), v.to_vec()));
            true
        })?;
        Ok(out)
    }
}

/// An in-memory [`StateStore`] for tests and for `feedloom extract`.
#[derive(Default)]
pub struct MemoryStore {
    data: Mutex<BTreeMap<(String, String), Vec<u8>>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl StateStore for MemoryStore {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StateError> {
        Ok(self
            .data
            .lock_unpoisoned()
            .get(&(ns.to_string(), key.to_string()))
            .cloned())
    }

    fn apply(&self, ops: Vec<StateOp>) -> Result<(), StateError> {
        let mut d = self.data.lock_unpoisoned();
        for op in ops {
            match op {
                StateOp::Put { ns, key, value } => {
                    d.insert((ns, key), value);
                }
                StateOp::Delete { ns, key } => {
                    d.remove(&(ns, key));
                }
            }
        }
        Ok(())
    }

    fn scan(
        &self,
        ns: &str,
        prefix: &str,
        f: &mut dyn FnMut(&str, &[u8]) -> bool,
    ) -> Result<(), StateError> {
        let d = self.data.lock_unpoisoned();
        let start = (ns.to_string(), prefix.to_string());
        for ((n, k), v) in d.range(start..) {
            if n != ns || !k.starts_with(prefix) {
                break;
            }
            if !f(k, v) {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_scans_by_prefix_in_order() {
        let s = MemoryStore::new();
        s.apply(vec![
            StateOp::put("a", "x/2", b"2".to_vec()),
            StateOp::put("a", "x/1", b"1".to_vec()),
            StateOp::put("a", "y/1", b"3".to_vec()),
            StateOp::put("b", "x/3", b"4".to_vec()),
        ])
        .unwrap();
        let keys: Vec<_> = s
            .list("a", "x/")
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, ["x/1", "x/2"]);
        s.delete("a", "x/1").unwrap();
        assert_eq!(s.get("a", "x/1").unwrap(), None);
    }
}
