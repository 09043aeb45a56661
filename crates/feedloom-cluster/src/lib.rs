//! feedloom's cluster mode foundation: N feedloom processes share one workload over NATS
//! JetStream.
//!
//! - [`connect()`] turns a [`ClusterConfig`] into a [`Cluster`] (a NATS client that reconnects by
//!   itself).
//! - [`shard_of`] maps a source id to one of `shards` shards (frozen hash).
//! - [`Cluster::start_leases`] joins the cluster and leases a fair share of the shards
//!   ([`leases`]); [`LeaseHandle::owns`] says whether this node polls a shard now.
//! - [`Cluster::feed_states`] is per-source state with compare-and-set ([`feeds`]).
//! - [`Cluster::streams`] creates work streams, publishes with ids, dead-letters ([`streams`]).
//! - [`kv::open_or_create`] opens a KV bucket on NATS 2.9 and later.
//!
//! See `docs/cluster.md` for the concepts, the config block and the guarantees.

#![warn(missing_docs)]

pub mod config;
pub mod connect;
pub mod error;
pub mod feeds;
pub mod kv;
pub mod leases;
pub mod shard;
pub mod streams;

pub use config::{ClusterConfig, NatsUrls, Secret};
pub use connect::connect;
pub use error::ClusterError;
pub use feeds::FeedStates;
pub use leases::{
    CounterSnapshot, LeaseCounters, LeaseHandle, LeaseSettings, LeaseStatus, LeaseView,
    MemberStatus, OwnedSet, ShardWork,
};
pub use shard::shard_of;
pub use streams::{PendingAck, Retention, StreamSpec, Streams};

use async_nats::jetstream;

/// A connected cluster node: the NATS client, its JetStream context and the config.
#[derive(Clone, Debug)]
pub struct Cluster {
    client: async_nats::Client,
    js: jetstream::Context,
    config: ClusterConfig,
    node_id: String,
}

impl Cluster {
    pub(crate) fn new(client: async_nats::Client, config: ClusterConfig, node_id: String) -> Self {
        let js = jetstream::new(client.clone());
        Cluster {
            client,
            js,
            config,
            node_id,
        }
    }

    /// The NATS client (reconnects by itself).
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// The JetStream context.
    pub fn jetstream(&self) -> &jetstream::Context {
        &self.js
    }

    /// The config this node connected with.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// This node's id.
    pub fn node_id(&self) -> &str {
        &self.node_id
    }

    /// The cluster name (prefix of every stream and bucket).
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The shard of `source_id` in this cluster ([`shard_of`] with the configured `shards`).
    pub fn shard_of(&self, source_id: &str) -> u32 {
        shard_of(source_id, self.config.shards)
    }

    /// Joins the cluster and starts leasing this node's fair share of the shards.
    /// `config_hash` identifies this node's feedloom config: nodes whose hash differs from
    /// the cluster's hold nothing (see [`leases`]).
    pub async fn start_leases(&self, config_hash: &str) -> Result<LeaseHandle, ClusterError> {
        LeaseHandle::start(
            &self.js,
            LeaseSettings {
                name: self.config.name.clone(),
                node_id: self.node_id.clone(),
                shards: self.config.shards,
                ttl: self.config.lease_ttl.get(),
                config_hash: config_hash.to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
        )
        .await
    }

    /// The shared per-source state (bucket `<name>-feeds`, created if needed).
    pub async fn feed_states(&self) -> Result<FeedStates, ClusterError> {
        FeedStates::open(&self.js, &self.config.name).await
    }

    /// The work-stream helper of this cluster.
    pub fn streams(&self) -> Streams {
        Streams::new(
            self.js.clone(),
            &self.config.name,
            self.config.max_deliver,
            self.config.ack_wait.get(),
            self.config.dedup_window.get(),
        )
    }

    /// Deletes every bucket this crate creates for the cluster (leases, members, feeds) and
    /// the streams named in `streams` (logical names) plus the dead-letter stream. For tests
    /// and decommissioning; missing ones are skipped.
    pub async fn destroy(&self, streams: &[&str]) -> Result<(), ClusterError> {
        let name = &self.config.name;
        for bucket in ["leases", "members", "feeds"] {
            kv::delete_bucket(&self.js, &format!("{name}-{bucket}")).await?;
        }
        let helper = self.streams();
        for logical in streams.iter().chain([&streams::DEAD_LETTER_STREAM]) {
            kv::delete_stream(&self.js, &helper.stream_name(logical)).await?;
        }
        Ok(())
    }
}
