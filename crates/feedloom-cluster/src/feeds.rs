//! Per-source state (the feed's cursor: ETag, last item ids...) shared by the cluster, written
//! with compare-and-set so that a node that lost a shard (paused past its lease TTL, cut off)
//! cannot overwrite what the new owner wrote.
//!
//! Bucket `<name>-feeds`, history 1, no max age. The key is the lower-case hex SHA-256 of the
//! source id (ids may hold characters a KV key may not); the value keeps the id:
//!
//! ```text
//! value = 0x01 | id length (u32, big-endian) | id (UTF-8) | state bytes
//! ```

use async_nats::jetstream::kv::{CreateErrorKind, Operation, Store, UpdateErrorKind};
use bytes::{BufMut, Bytes, BytesMut};
use sha2::{Digest, Sha256};

use crate::error::ClusterError;
use crate::kv::{self, BucketSpec};

/// Format version byte of a stored value.
const FORMAT: u8 = 1;

/// The shared feed-state store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FeedStates {
    store: Store,
    bucket: String,
}

impl FeedStates {
    /// The bucket's spec for cluster `name`.
    pub fn spec(name: &str) -> BucketSpec {
        BucketSpec {
            bucket: format!("{name}-feeds"),
            history: 1,
            max_age: None,
            description: "feedloom per-source state (compare-and-set)".to_string(),
        }
    }

    /// Opens (creating if needed) the feed-state bucket of cluster `name`.
    pub async fn open(
        js: &async_nats::jetstream::Context,
        name: &str,
    ) -> Result<FeedStates, ClusterError> {
        let spec = Self::spec(name);
        let store = kv::open_or_create(js, &spec).await?;
        Ok(FeedStates {
            store,
            bucket: spec.bucket,
        })
    }

    /// The state of `source` and its revision, or `None` if it has none.
    pub async fn get(&self, source: &str) -> Result<Option<(Bytes, u64)>, ClusterError> {
        let key = key_of(source);
        let entry = self
            .store
            .entry(key.as_str())
            .await
            .map_err(|err| ClusterError::nats(self.what(source), err))?;
        let Some(entry) = entry else {
            return Ok(None);
        };
        if entry.operation != Operation::Put {
            return Ok(None);
        }
        let state = decode(source, &entry.value).map_err(|reason| ClusterError::Corrupt {
            what: self.what(source),
            reason,
        })?;
        Ok(Some((state, entry.revision)))
    }

    /// Writes the state of `source` if its revision is still `expected` (`None`: if it has no
    /// state yet), and returns the new revision. Someone else's write in between is
    /// [`ClusterError::Conflict`]: read again, and write only if this node still owns the shard.
    pub async fn put(
        &self,
        source: &str,
        state: &[u8],
        expected: Option<u64>,
    ) -> Result<u64, ClusterError> {
        let key = key_of(source);
        let value = encode(source, state);
        let conflict = || ClusterError::Conflict {
            what: self.what(source),
            expected,
        };
        match expected {
            None => match self.store.create(key.as_str(), value).await {
                Ok(rev) => Ok(rev),
                Err(err) if err.kind() == CreateErrorKind::AlreadyExists => Err(conflict()),
                Err(err) => Err(ClusterError::nats(self.what(source), err)),
            },
            Some(rev) => match self.store.update(key.as_str(), value, rev).await {
                Ok(rev) => Ok(rev),
                Err(err) if err.kind() == UpdateErrorKind::WrongLastRevision => Err(conflict()),
                Err(err) => Err(ClusterError::nats(self.what(source), err)),
            },
        }
    }

    /// Removes the state of `source` if its revision is still `expected`.
    pub async fn delete(&self, source: &str, expected: u64) -> Result<(), ClusterError> {
        let key = key_of(source);
        match self
            .store
            .delete_expect_revision(key.as_str(), Some(expected))
            .await
        {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == UpdateErrorKind::WrongLastRevision => {
                Err(ClusterError::Conflict {
                    what: self.what(source),
                    expected: Some(expected),
                })
            }
            Err(err) => Err(ClusterError::nats(self.what(source), err)),
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    fn what(&self, source: &str) -> String {
        format!("bucket {} state of source {source:?}", self.bucket)
    }
}

/// The KV key of `source`: hex SHA-256 of its id.
pub fn key_of(source: &str) -> String {
    hex::encode(Sha256::digest(source.as_bytes()))
}

fn encode(source: &str, state: &[u8]) -> Bytes {
    let id = source.as_bytes();
    let mut out = BytesMut::with_capacity(5 + id.len() + state.len());
    out.put_u8(FORMAT);
    // Source ids are far below 4 GiB; a longer one would not fit a NATS message anyway.
    out.put_u32(u32::try_from(id.len()).unwrap_or(u32::MAX));
    out.put_slice(id);
    out.put_slice(state);
    out.freeze()
}

fn decode(source: &str, value: &Bytes) -> Result<Bytes, String> {
    let Some((&format, rest)) = value.split_first() else {
        return Err("empty value".to_string());
    };
    if format != FORMAT {
        return Err(format!("unknown format byte {format}"));
    }
    let Some((len, rest)) = rest.split_first_chunk::<4>() else {
        return Err("value too short".to_string());
    };
    let len = u32::from_be_bytes(*len) as usize;
    let Some((id, _)) = rest.split_at_checked(len) else {
        return Err("id length past the end of the value".to_string());
    };
    if id != source.as_bytes() {
        return Err(format!(
            "stored for source {:?}, not this one",
            String::from_utf8_lossy(id)
        ));
    }
    Ok(value.slice(5 + len..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let v = encode("src/ä", b"state");
        assert_eq!(decode("src/ä", &v).as_deref(), Ok(&b"state"[..]));
        assert!(decode("other", &v).is_err());
        assert!(decode("x", &Bytes::from_static(&[1, 0, 0, 0, 9, b'x'])).is_err());
        assert!(decode("x", &Bytes::new()).is_err());
    }

    #[test]
    fn key_is_kv_safe() {
        let k = key_of("https://example.com/a b.xml");
        assert_eq!(k.len(), 64);
        assert!(k.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
