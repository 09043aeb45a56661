use std::path::Path;

use feedloom_core::state::StateOp;
use feedloom_core::{StateError, StateStore};
use redb::{Database, ReadableDatabase, TableDefinition};

/// A [`StateStore`] in one redb file. Every `apply` is one durable write transaction.
pub struct RedbStore {
    db: Database,
}

fn e(x: impl std::fmt::Display) -> StateError {
    StateError(x.to_string())
}

fn table(ns: &str) -> TableDefinition<'_, &'static str, &'static [u8]> {
    TableDefinition::new(ns)
}

/// redb's page cache. Its default (1 GiB) lets a long-running daemon's memory grow with the
/// state file; the pages it reads most (recent ids, schedules) fit in much less, and the OS
/// page cache holds the rest.
const CACHE_BYTES: usize = 8 * 1024 * 1024;

impl RedbStore {
    /// Open (or create) `dir/state.redb`. Fails clearly when another process has it open.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        std::fs::create_dir_all(dir)
            .map_err(|x| StateError(format!("cannot create state dir {}: {x}", dir.display())))?;
        let path = dir.join("state.redb");
        let db = redb::Builder::new()
            .set_cache_size(CACHE_BYTES)
            .create(&path)
            .map_err(|x| match x {
                redb::DatabaseError::DatabaseAlreadyOpen => StateError(format!(
                    "{} is in use by another feedloom process (one daemon per state_dir)",
                    path.display()
                )),
                other => StateError(format!("cannot open {}: {other}", path.display())),
            })?;
        Ok(RedbStore { db })
    }
}

impl StateStore for RedbStore {
    fn get(&self, ns: &str, key: &str) -> Result<Option<Vec<u8>>, StateError> {
        let tx = self.db.begin_read().map_err(e)?;
        let t = match tx.open_table(table(ns)) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(x) => return Err(e(x)),
        };
        Ok(t.get(key).map_err(e)?.map(|v| v.value().to_vec()))
    }

    fn apply(&self, ops: Vec<StateOp>) -> Result<(), StateError> {
        if ops.is_empty() {
            return Ok(());
        }
        let tx = self.db.begin_write().map_err(e)?;
        for op in &ops {
            match op {
                StateOp::Put { ns, key, value } => {
                    let mut t = tx.open_table(table(ns)).map_err(e)?;
                    t.insert(key.as_str(), value.as_slice()).map_err(e)?;
                }
                StateOp::Delete { ns, key } => {
                    let mut t = tx.open_table(table(ns)).map_err(e)?;
                    t.remove(key.as_str()).map_err(e)?;
                }
            }
        }
        tx.commit().map_err(e)
    }

    fn scan(
        &self,
        ns: &str,
        prefix: &str,
        f: &mut dyn FnMut(&str, &[u8]) -> bool,
    ) -> Result<(), StateError> {
        let tx = self.db.begin_read().map_err(e)?;
        let t = match tx.open_table(table(ns)) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(x) => return Err(e(x)),
        };
        for row in t.range(prefix..).map_err(e)? {
            let (k, v) = row.map_err(e)?;
            let k = k.value();
            if !k.starts_with(prefix) {
                break;
            }
            if !f(k, v.value()) {
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
    fn survives_reopen_and_scans() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = RedbStore::open(dir.path()).unwrap();
            assert_eq!(
                s.get("a", "k").unwrap(),
                None,
                "missing table reads as empty"
            );
            s.apply(vec![
                StateOp::put("a", "p/1", b"x".to_vec()),
                StateOp::put("a", "p/2", b"y".to_vec()),
                StateOp::put("a", "q", b"z".to_vec()),
            ])
            .unwrap();
            assert!(
                RedbStore::open(dir.path()).is_err(),
                "a second open is refused"
            );
        }
        let s = RedbStore::open(dir.path()).unwrap();
        assert_eq!(s.get("a", "p/1").unwrap().as_deref(), Some(&b"x"[..]));
        assert_eq!(s.list("a", "p/").unwrap().len(), 2);
        s.delete("a", "p/1").unwrap();
        assert_eq!(s.list("a", "p/").unwrap().len(), 1);
    }
}
