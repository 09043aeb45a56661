//! The cluster's dead letters (`feedloom dlq list|replay|purge` in cluster mode): items an
//! extractor failed on `max_deliver` times, kept in the stream `<name>-dead` with the
//! reason in a header. Replaying puts each back on the work stream (under a new message id,
//! so the duplicate window does not drop it) and deletes it from the dead-letter stream once
//! the server has it.

use std::path::Path;

use async_nats::jetstream::stream::Stream;
use chrono::{DateTime, Utc};
use feedloom_cluster::streams::{DEAD_LETTER_STREAM, DEAD_REASON_HEADER};
use feedloom_cluster::{Cluster, ClusterConfig, Streams};

use super::WORK_SUBJECT;
use crate::RuntimeError;

/// One dead letter of the cluster.
#[derive(Clone, Debug)]
pub struct ClusterDeadLetter {
    pub sequence: u64,
    pub time: DateTime<Utc>,
    pub reason: String,
    /// The item's id and source, when the payload is an item.
    pub item: Option<(String, String)>,
    pub payload: bytes::Bytes,
    msg_id: String,
}

fn err(what: &str, e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Cluster(format!("dead-letter stream: {what}: {e}"))
}

/// The cluster's dead-letter stream (none yet: `None`).
pub struct ClusterDlq {
    streams: Streams,
    stream: Option<Stream>,
}

impl ClusterDlq {
    pub async fn open(config: &ClusterConfig, dir: &Path) -> Result<ClusterDlq, RuntimeError> {
        let cluster: Cluster = feedloom_cluster::connect(config, dir)
            .await
            .map_err(|e| RuntimeError::Cluster(e.to_string()))?;
        let streams = cluster.streams();
        let name = streams.stream_name(DEAD_LETTER_STREAM);
        let stream = cluster.jetstream().get_stream(name.as_str()).await.ok();
        Ok(ClusterDlq { streams, stream })
    }

    /// Every dead letter, oldest first.
    pub async fn list(&self) -> Result<Vec<ClusterDeadLetter>, RuntimeError> {
        let Some(stream) = &self.stream else {
            return Ok(Vec::new());
        };
        let info = stream.get_info().await.map_err(|e| err("stream info", e))?;
        let (first, last) = (info.state.first_sequence, info.state.last_sequence);
        let mut out = Vec::new();
        if info.state.messages == 0 {
            return Ok(out);
        }
        for seq in first..=last {
            // Deleted sequences (replayed letters) are gaps.
            let Ok(m) = stream.get_raw_message(seq).await else {
                continue;
            };
            let header = |k: &str| m.headers.get(k).map(|v| v.to_string()).unwrap_or_default();
            let item = serde_json::from_slice::<feedloom_core::Item>(&m.payload)
                .ok()
                .map(|i| (i.id, i.source));
            out.push(ClusterDeadLetter {
                sequence: seq,
                time: DateTime::from_timestamp(m.time.unix_timestamp(), 0).unwrap_or_default(),
                reason: header(DEAD_REASON_HEADER),
                item,
                payload: m.payload.clone(),
                msg_id: header(async_nats::header::NATS_MESSAGE_ID.as_ref()),
            });
        }
        Ok(out)
    }

    /// Put every dead letter back on the work stream. Returns (replayed, failed).
    pub async fn replay(&self) -> Result<(usize, usize), RuntimeError> {
        let Some(stream) = &self.stream else {
            return Ok((0, 0));
        };
        let (mut ok, mut failed) = (0, 0);
        for d in self.list().await? {
            let id = format!("{}-replay-{}", d.msg_id, d.sequence);
            let sent = match self
                .streams
                .publish_with_id(WORK_SUBJECT, &id, d.payload.clone())
                .await
            {
                Ok(p) => p.wait().await.map(|_| ()),
                Err(e) => Err(e),
            };
            match sent {
                Ok(()) => {
                    let _ = stream.delete_message(d.sequence).await;
                    ok += 1;
                }
                Err(e) => {
                    tracing::warn!(sequence = d.sequence, error = %e, "cannot put a dead letter back on the work stream");
                    failed += 1;
                }
            }
        }
        Ok((ok, failed))
    }

    /// Delete every dead letter. Returns how many there were.
    pub async fn purge(&self) -> Result<u64, RuntimeError> {
        let Some(stream) = &self.stream else {
            return Ok(0);
        };
        let r = stream.purge().await.map_err(|e| err("purge", e))?;
        Ok(r.purged)
    }
}
