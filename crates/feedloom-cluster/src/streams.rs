//! Work streams: the JetStream streams items flow through between nodes, publishing with an
//! id (deduplicated by the server), work consumers, and the dead-letter stream.
//!
//! Names are scoped by the cluster name so several clusters share a server: stream `items`
//! of cluster `prod` is `prod-items`, and subject `items.new` is `prod.items.new`.

use std::time::Duration;

use async_nats::HeaderMap;
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, pull};
use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::publish::PublishAck;
use async_nats::jetstream::stream::{self, DiscardPolicy, RetentionPolicy, StorageType};
use async_nats::jetstream::{self, consumer};
use bytes::Bytes;

use crate::error::ClusterError;

/// Header carrying why an item was dead-lettered.
pub const DEAD_REASON_HEADER: &str = "Feedloom-Dead-Reason";
/// Header carrying the subject an item was dead-lettered from (relative to the cluster).
pub const DEAD_SUBJECT_HEADER: &str = "Feedloom-Dead-Subject";
/// Logical name of the dead-letter stream (`<name>-dead`, subjects `<name>.dead.>`).
pub const DEAD_LETTER_STREAM: &str = "dead";

/// When a stream lets a message go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    /// Each message goes to one consumer and is removed once acknowledged.
    WorkQueue,
    /// Kept until every consumer interested in it has acknowledged it.
    Interest,
    /// Kept until a limit (max age) removes it.
    Limits,
}

impl From<Retention> for RetentionPolicy {
    fn from(r: Retention) -> Self {
        match r {
            Retention::WorkQueue => RetentionPolicy::WorkQueue,
            Retention::Interest => RetentionPolicy::Interest,
            Retention::Limits => RetentionPolicy::Limits,
        }
    }
}

/// A stream to create (or find).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamSpec {
    /// Logical name (`[A-Za-z0-9_-]`); the stream is `<cluster name>-<name>`.
    pub name: String,
    /// Subjects relative to the cluster (`items.>`); stored as `<cluster name>.<subject>`.
    pub subjects: Vec<String>,
    /// When messages are removed.
    pub retention: Retention,
    /// Window in which a second publish with the same `Nats-Msg-Id` is dropped (at most
    /// `max_age` when that is set).
    pub duplicate_window: Duration,
    /// How long a message is kept at most; `None`: no age limit.
    pub max_age: Option<Duration>,
}

/// The work-stream helper of one cluster. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Streams {
    js: jetstream::Context,
    name: String,
    max_deliver: u32,
    ack_wait: Duration,
    dedup_window: Duration,
}

/// A publish whose acknowledgement has not come yet; [`PendingAck::wait`] gets it. Dropping it
/// does not cancel the publish.
#[derive(Debug)]
pub struct PendingAck {
    inner: PublishAckFuture,
    subject: String,
}

impl PendingAck {
    /// Waits for the server's acknowledgement. `duplicate` in the ack is true when the id was
    /// already published within the duplicate window (the message was dropped). Same as
    /// awaiting the `PendingAck` itself.
    pub async fn wait(self) -> Result<PublishAck, ClusterError> {
        self.inner
            .await
            .map_err(|err| ClusterError::nats(format!("ack of publish to {}", self.subject), err))
    }
}

impl std::future::IntoFuture for PendingAck {
    type Output = Result<PublishAck, ClusterError>;
    type IntoFuture = futures_util::future::BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

impl Streams {
    /// The helper for cluster `name` with the item-flow settings of its config.
    pub(crate) fn new(
        js: jetstream::Context,
        name: &str,
        max_deliver: u32,
        ack_wait: Duration,
        dedup_window: Duration,
    ) -> Self {
        Streams {
            js,
            name: name.to_string(),
            max_deliver,
            ack_wait,
            dedup_window,
        }
    }

    /// The server-side name of logical stream `logical`.
    pub fn stream_name(&self, logical: &str) -> String {
        format!("{}-{logical}", self.name)
    }

    /// The server-side subject of relative subject `rel`.
    pub fn subject(&self, rel: &str) -> String {
        format!("{}.{rel}", self.name)
    }

    /// The configured `dedup_window`, the default for [`StreamSpec::duplicate_window`].
    pub fn dedup_window(&self) -> Duration {
        self.dedup_window
    }

    /// Creates the stream of `spec`, or finds it if it exists (idempotent; concurrent callers
    /// do not fail). An existing stream with other settings is used as it is, with a warning.
    pub async fn ensure_stream(&self, spec: &StreamSpec) -> Result<stream::Stream, ClusterError> {
        if !crate::config::is_valid_name(&spec.name) || spec.subjects.is_empty() {
            return Err(ClusterError::Config(format!(
                "stream {:?}: a name of letters, digits, `_`, `-` and at least one subject",
                spec.name
            )));
        }
        let name = self.stream_name(&spec.name);
        let max_age = spec.max_age.unwrap_or(Duration::ZERO);
        let duplicate_window = if max_age.is_zero() {
            spec.duplicate_window
        } else {
            spec.duplicate_window.min(max_age)
        };
        let wanted = stream::Config {
            name: name.clone(),
            subjects: spec.subjects.iter().map(|s| self.subject(s)).collect(),
            retention: spec.retention.into(),
            duplicate_window,
            max_age,
            storage: StorageType::File,
            num_replicas: 1,
            discard: DiscardPolicy::Old,
            ..Default::default()
        };
        let created = self.js.create_stream(wanted.clone()).await;
        match self.js.get_stream(name.as_str()).await {
            Ok(stream) => {
                let have = &stream.cached_info().config;
                if have.subjects != wanted.subjects
                    || have.retention != wanted.retention
                    || have.max_age != wanted.max_age
                {
                    tracing::warn!(stream = %name, "stream exists with other settings; using it as it is");
                }
                Ok(stream)
            }
            Err(get_err) => Err(match created {
                Err(err) => ClusterError::nats(format!("creating stream {name}"), err),
                Ok(_) => ClusterError::nats(format!("opening stream {name}"), get_err),
            }),
        }
    }

    /// Publishes `payload` to relative subject `subject` with header `Nats-Msg-Id: msg_id`, so
    /// a second publish of the same id within the stream's duplicate window is dropped.
    pub async fn publish_with_id(
        &self,
        subject: &str,
        msg_id: &str,
        payload: Bytes,
    ) -> Result<PendingAck, ClusterError> {
        let mut headers = HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, header_value(msg_id));
        self.publish(self.subject(subject), headers, payload).await
    }

    /// Creates (or finds) durable pull consumer `durable` on logical stream `stream`, taking
    /// `filter` (a relative subject, `None` for all), with explicit acks, the configured
    /// `ack_wait` and `max_deliver`.
    pub async fn ensure_work_consumer(
        &self,
        stream: &str,
        durable: &str,
        filter: Option<&str>,
    ) -> Result<consumer::PullConsumer, ClusterError> {
        let name = self.stream_name(stream);
        let what = format!("consumer {durable} on stream {name}");
        let s = self
            .js
            .get_stream(name.as_str())
            .await
            .map_err(|err| ClusterError::nats(what.clone(), err))?;
        let config = pull::Config {
            durable_name: Some(durable.to_string()),
            filter_subject: filter.map(|f| self.subject(f)).unwrap_or_default(),
            ack_policy: AckPolicy::Explicit,
            deliver_policy: DeliverPolicy::All,
            ack_wait: self.ack_wait,
            max_deliver: i64::from(self.max_deliver),
            ..Default::default()
        };
        s.get_or_create_consumer(durable, config)
            .await
            .map_err(|err| ClusterError::nats(what, err))
    }

    /// Creates (or finds) the dead-letter stream `<name>-dead` (subjects `<name>.dead.>`,
    /// limits retention, no age limit).
    pub async fn ensure_dead_letter_stream(&self) -> Result<stream::Stream, ClusterError> {
        self.ensure_stream(&StreamSpec {
            name: DEAD_LETTER_STREAM.to_string(),
            subjects: vec![format!("{DEAD_LETTER_STREAM}.>")],
            retention: Retention::Limits,
            duplicate_window: self.dedup_window,
            max_age: None,
        })
        .await
    }

    /// Publishes an item that failed `max_deliver` times (or cannot be processed) to
    /// `dead.<subject>`, keeping its id and saying why. Ack (or terminate) the original after
    /// this ack arrives.
    pub async fn dead_letter(
        &self,
        subject: &str,
        msg_id: &str,
        payload: Bytes,
        reason: &str,
    ) -> Result<PendingAck, ClusterError> {
        let mut headers = HeaderMap::new();
        headers.insert(async_nats::header::NATS_MESSAGE_ID, header_value(msg_id));
        headers.insert(DEAD_REASON_HEADER, header_value(reason));
        headers.insert(DEAD_SUBJECT_HEADER, header_value(subject));
        let to = self.subject(&format!("{DEAD_LETTER_STREAM}.{subject}"));
        self.publish(to, headers, payload).await
    }

    /// True when a message delivered `delivered` times has used up `max_deliver` and should
    /// go to the dead-letter stream instead of being processed again.
    pub fn is_last_delivery(&self, delivered: i64) -> bool {
        delivered >= i64::from(self.max_deliver)
    }

    async fn publish(
        &self,
        subject: String,
        headers: HeaderMap,
        payload: Bytes,
    ) -> Result<PendingAck, ClusterError> {
        let inner = self
            .js
            .publish_with_headers(subject.clone(), headers, payload)
            .await
            .map_err(|err| ClusterError::nats(format!("publish to {subject}"), err))?;
        Ok(PendingAck { inner, subject })
    }
}

/// A header value without the control characters (CR, LF) that would break the protocol.
fn header_value(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
