//! The network side of the lease protocol: batched compare-and-set writes on lease keys,
//! scans of both buckets, heartbeats. Every operation is bounded in time.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use async_nats::HeaderMap;
use async_nats::jetstream::context::{PublishAckFuture, PublishErrorKind};
use async_nats::jetstream::kv::{CreateErrorKind, Operation, Store};
use bytes::Bytes;
use futures_util::StreamExt;

use super::plan::{Member, MemberRecord};
use super::shared::Shared;
use crate::error::ClusterError;

/// Publishes in flight at most per batch (the client's default cap is 5,000).
const WINDOW: usize = 1_000;

/// What a lease write came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Written; the new revision.
    Written(u64),
    /// The key's revision was not the one expected: someone else holds it (or it lapsed).
    Refused,
    /// No verdict (timeout, NATS unreachable, other error).
    Failed(String),
}

/// One write of a batch.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Write {
    /// Put the node id expecting revision `.1` (0: no value).
    Put(u32, u64),
    /// Delete expecting revision `.1`.
    Delete(u32, u64),
}

impl Write {
    fn shard(self) -> u32 {
        match self {
            Write::Put(s, _) | Write::Delete(s, _) => s,
        }
    }
}

/// Both buckets and what is needed to write to them.
#[derive(Clone, Debug)]
pub(crate) struct Buckets {
    pub(crate) leases: Store,
    pub(crate) members: Store,
    pub(crate) js: async_nats::jetstream::Context,
    pub(crate) node_id: String,
}

/// The key of shard `n`.
pub(crate) fn lease_key(shard: u32) -> String {
    format!("shard.{shard}")
}

/// The shard of lease key `key`, if it is one.
pub(crate) fn shard_of_key(key: &str) -> Option<u32> {
    key.strip_prefix("shard.")?.parse().ok()
}

impl Buckets {
    /// Runs `writes` pipelined (up to [`WINDOW`] in flight) within `limit`; returns, in order,
    /// each write's shard, when it was sent, and its outcome (a write without an answer in
    /// time is [`Outcome::Failed`]). With `drop_refused`, a refused write's shard stops being
    /// owned the moment its answer is read.
    pub(crate) async fn write_batch(
        &self,
        writes: &[Write],
        limit: Duration,
        drop_refused: Option<&Shared>,
    ) -> Vec<(u32, Instant, Outcome)> {
        let started = Instant::now();
        let mut answers: Vec<(Instant, Option<Outcome>)> = vec![(started, None); writes.len()];
        let run = self.pipeline(writes, &mut answers, drop_refused);
        let unanswered = match tokio::time::timeout(limit, run).await {
            Ok(()) => "no answer".to_string(),
            Err(_) => format!("timed out after {} ms", limit.as_millis()),
        };
        writes
            .iter()
            .zip(answers)
            .map(|(w, (sent, outcome))| {
                let outcome = outcome.unwrap_or_else(|| Outcome::Failed(unanswered.clone()));
                (w.shard(), sent, outcome)
            })
            .collect()
    }

    async fn pipeline(
        &self,
        writes: &[Write],
        answers: &mut [(Instant, Option<Outcome>)],
        drop_refused: Option<&Shared>,
    ) {
        let settle = |answers: &mut [(Instant, Option<Outcome>)], j: usize, outcome: Outcome| {
            if outcome == Outcome::Refused
                && let Some(shared) = drop_refused
            {
                shared.drop_shard(writes[j].shard());
            }
            answers[j].1 = Some(outcome);
        };
        let mut in_flight: VecDeque<(usize, PublishAckFuture)> = VecDeque::new();
        for (i, w) in writes.iter().enumerate() {
            if in_flight.len() >= WINDOW
                && let Some((j, ack)) = in_flight.pop_front()
            {
                settle(answers, j, verdict(ack.await));
            }
            let (subject, headers, payload) = self.message(*w);
            answers[i].0 = Instant::now();
            match self
                .js
                .publish_with_headers(subject, headers, payload)
                .await
            {
                Ok(ack) => in_flight.push_back((i, ack)),
                Err(err) => answers[i].1 = Some(Outcome::Failed(err.to_string())),
            }
        }
        while let Some((j, ack)) = in_flight.pop_front() {
            settle(answers, j, verdict(ack.await));
        }
    }

    fn message(&self, w: Write) -> (String, HeaderMap, Bytes) {
        let mut headers = HeaderMap::new();
        let subject = format!("{}{}", self.leases.prefix, lease_key(w.shard()));
        let (expected, payload) = match w {
            Write::Put(_, rev) => (rev, Bytes::from(self.node_id.clone())),
            Write::Delete(_, rev) => {
                headers.insert("KV-Operation", "DEL");
                (rev, Bytes::new())
            }
        };
        headers.insert(
            async_nats::header::NATS_EXPECTED_LAST_SUBJECT_SEQUENCE,
            expected.to_string().as_str(),
        );
        (subject, headers, payload)
    }

    /// Creates lease `shard` over a delete marker (or a value that lapsed meanwhile): the
    /// slow path of an acquire whose "no value" expectation was refused.
    pub(crate) async fn create_lease(&self, shard: u32, limit: Duration) -> (Instant, Outcome) {
        let sent = Instant::now();
        let value = Bytes::from(self.node_id.clone());
        let create = self.leases.create(lease_key(shard), value);
        let outcome = match tokio::time::timeout(limit, create).await {
            Ok(Ok(rev)) => Outcome::Written(rev),
            Ok(Err(err)) if err.kind() == CreateErrorKind::AlreadyExists => Outcome::Refused,
            Ok(Err(err)) => Outcome::Failed(err.to_string()),
            Err(_) => Outcome::Failed("timed out".to_string()),
        };
        (sent, outcome)
    }

    /// The shards that have a live lease (anyone's).
    pub(crate) async fn taken_shards(
        &self,
        limit: Duration,
    ) -> Result<BTreeSet<u32>, ClusterError> {
        let what = || format!("scanning bucket {}", self.leases.name);
        let scan = async {
            let mut keys = self
                .leases
                .keys()
                .await
                .map_err(|err| ClusterError::nats(what(), err))?;
            let mut taken = BTreeSet::new();
            while let Some(key) = keys.next().await {
                let key = key.map_err(|err| ClusterError::nats(what(), err))?;
                if let Some(shard) = shard_of_key(&key) {
                    taken.insert(shard);
                }
            }
            Ok(taken)
        };
        timeout(limit, what(), scan).await?
    }

    /// The live members and their records (records that do not parse are skipped).
    pub(crate) async fn members(&self, limit: Duration) -> Result<Vec<Member>, ClusterError> {
        let what = || format!("scanning bucket {}", self.members.name);
        let scan = async {
            let mut keys = self
                .members
                .keys()
                .await
                .map_err(|err| ClusterError::nats(what(), err))?;
            let mut names = Vec::new();
            while let Some(key) = keys.next().await {
                names.push(key.map_err(|err| ClusterError::nats(what(), err))?);
            }
            let mut members = Vec::with_capacity(names.len());
            for node_id in names {
                let entry = self
                    .members
                    .entry(node_id.as_str())
                    .await
                    .map_err(|err| ClusterError::nats(what(), err))?;
                let Some(entry) = entry else { continue };
                if entry.operation != Operation::Put {
                    continue;
                }
                match serde_json::from_slice::<MemberRecord>(&entry.value) {
                    Ok(record) => members.push(Member { node_id, record }),
                    Err(err) => {
                        tracing::warn!(member = %node_id, error = %err, "unreadable member record; ignored")
                    }
                }
            }
            Ok(members)
        };
        timeout(limit, what(), scan).await?
    }

    /// Writes this node's member record (its heartbeat).
    pub(crate) async fn heartbeat(
        &self,
        record: &MemberRecord,
        limit: Duration,
    ) -> Result<(), ClusterError> {
        let what = format!("heartbeat in bucket {}", self.members.name);
        let value = serde_json::to_vec(record).map_err(|err| ClusterError::nats(&what, err))?;
        let put = self.members.put(self.node_id.as_str(), value.into());
        match timeout(limit, what.clone(), put).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(ClusterError::nats(what, err)),
            Err(err) => Err(err),
        }
    }

    /// Removes this node's member record (a clean leave).
    pub(crate) async fn leave(&self, limit: Duration) -> Result<(), ClusterError> {
        let what = format!("leaving bucket {}", self.members.name);
        let delete = self.members.delete(self.node_id.as_str());
        match timeout(limit, what.clone(), delete).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(ClusterError::nats(what, err)),
            Err(err) => Err(err),
        }
    }
}

fn verdict(
    ack: Result<
        async_nats::jetstream::publish::PublishAck,
        async_nats::jetstream::context::PublishError,
    >,
) -> Outcome {
    match ack {
        Ok(ack) => Outcome::Written(ack.sequence),
        Err(err) if err.kind() == PublishErrorKind::WrongLastSequence => Outcome::Refused,
        Err(err) => Outcome::Failed(err.to_string()),
    }
}

async fn timeout<T>(
    limit: Duration,
    what: String,
    f: impl Future<Output = T>,
) -> Result<T, ClusterError>
where
    T: Sized,
{
    tokio::time::timeout(limit, f)
        .await
        .map_err(|_| ClusterError::Timeout {
            what,
            after_ms: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
        })
}
