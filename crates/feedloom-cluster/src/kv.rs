//! Opening (or creating) a KV bucket the way a NATS 2.9 server accepts.
//!
//! `async_nats::jetstream::Context::create_key_value` first asks the server for the account
//! info and fails on 2.9, whose reply lacks fields the client expects. So the bucket's stream
//! is created here directly, with the settings a KV bucket has (`KV_<bucket>`, subjects
//! `$KV.<bucket>.>`, one message per key per history slot, rollup allowed, delete denied,
//! direct get, discard new), and then opened with `get_key_value`, which needs only the
//! stream info. Creating is idempotent, and concurrent creators do not fail: whoever loses
//! the race opens the bucket the winner made.

use std::time::Duration;

use async_nats::jetstream::ErrorCode;
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::kv::Store;
use async_nats::jetstream::stream::{self, DiscardPolicy, StorageType};
use async_nats::jetstream::{self};

use crate::error::ClusterError;

/// The JetStream default duplicate window; a KV stream's is this or its max age if shorter.
const DEFAULT_DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// What a bucket is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketSpec {
    /// The bucket's name (`[A-Za-z0-9_-]`): its stream is `KV_<bucket>`.
    pub bucket: String,
    /// Values kept per key (1 to 64).
    pub history: i64,
    /// How long a value lives after its last write; `None` keeps values forever. On 2.9 this
    /// is how a lease expires: there is no per-key TTL before 2.11.
    pub max_age: Option<Duration>,
    /// A line shown by `nats kv ls`.
    pub description: String,
}

impl BucketSpec {
    /// The stream config of this bucket.
    pub fn stream_config(&self) -> stream::Config {
        let max_age = self.max_age.unwrap_or(Duration::ZERO);
        let duplicate_window = if max_age.is_zero() {
            DEFAULT_DUPLICATE_WINDOW
        } else {
            max_age.min(DEFAULT_DUPLICATE_WINDOW)
        };
        stream::Config {
            name: format!("KV_{}", self.bucket),
            description: Some(self.description.clone()),
            subjects: vec![format!("$KV.{}.>", self.bucket)],
            max_messages_per_subject: self.history.max(1),
            max_bytes: -1,
            max_messages: -1,
            max_message_size: -1,
            max_age,
            duplicate_window,
            storage: StorageType::File,
            num_replicas: 1,
            allow_rollup: true,
            deny_delete: true,
            deny_purge: false,
            allow_direct: true,
            discard: DiscardPolicy::New,
            ..Default::default()
        }
    }
}

/// Opens bucket `spec.bucket`, creating it first if it does not exist.
///
/// An existing bucket whose max age or history differs from `spec` is opened as it is, with a
/// warning: the first node to create it decides.
pub async fn open_or_create(
    js: &jetstream::Context,
    spec: &BucketSpec,
) -> Result<Store, ClusterError> {
    if !crate::config::is_valid_name(&spec.bucket) {
        return Err(ClusterError::Config(format!(
            "bucket name {:?} must be letters, digits, `_` and `-`",
            spec.bucket
        )));
    }
    let what = || format!("bucket {}", spec.bucket);
    let wanted = spec.stream_config();
    let created = js.create_stream(wanted.clone()).await;
    let store = match js.get_key_value(spec.bucket.as_str()).await {
        Ok(store) => store,
        Err(open_err) => {
            // Both failed: the create error says more (a bad setting, no JetStream...).
            let err = match created {
                Err(create_err) => ClusterError::nats(format!("creating {}", what()), create_err),
                Ok(_) => ClusterError::nats(format!("opening {}", what()), open_err),
            };
            return Err(err);
        }
    };
    let have = &store.stream.cached_info().config;
    if have.max_age != wanted.max_age
        || have.max_messages_per_subject != wanted.max_messages_per_subject
    {
        tracing::warn!(
            bucket = %spec.bucket,
            have_max_age_ms = have.max_age.as_millis() as u64,
            want_max_age_ms = wanted.max_age.as_millis() as u64,
            have_history = have.max_messages_per_subject,
            want_history = wanted.max_messages_per_subject,
            "bucket exists with other settings; using it as it is"
        );
    }
    Ok(store)
}

/// Deletes bucket `bucket` (its stream); a missing bucket is not an error.
pub async fn delete_bucket(js: &jetstream::Context, bucket: &str) -> Result<(), ClusterError> {
    delete_stream(js, &format!("KV_{bucket}")).await
}

/// Deletes stream `name`; a missing stream is not an error.
pub(crate) async fn delete_stream(js: &jetstream::Context, name: &str) -> Result<(), ClusterError> {
    match js.delete_stream(name).await {
        Ok(_) => Ok(()),
        Err(err) => match err.kind() {
            GetStreamErrorKind::JetStream(e) if e.error_code() == ErrorCode::STREAM_NOT_FOUND => {
                Ok(())
            }
            _ => Err(ClusterError::nats(format!("deleting stream {name}"), err)),
        },
    }
}
