//! `type: postgres` — items into PostgreSQL tables an analyst can query with plain SQL.
//!
//! ```yaml
//! - id: db
//!   type: postgres
//!   url: postgres://feedloom:${PGPASSWORD}@db.internal:5432/news?sslmode=require
//!   schema: public                   # created if missing
//!   table_prefix: feedloom_          # feedloom_items, feedloom_entities, ...
//!   migrate: true                    # create or upgrade the tables on start
//!   batch_size: 100                  # items per transaction
//!   batch_timeout: 1s
//! ```
//!
//! One folder, one job per file: this file registers the sink and holds its options;
//! [`schema`] creates and upgrades the tables (versioned migrations under an advisory lock);
//! [`sink`] writes a batch (one transaction: upsert the items by id, replace their child
//! rows); [`errors`] says which failures are worth a retry; [`tls`] connects with rustls when
//! the URL asks for TLS (`sslmode=require`). The page for analysts is `docs/postgres.md`.

mod errors;
pub mod schema;
mod sink;
mod tls;

use std::fmt;
use std::path::PathBuf;

use feedloom_core::{Duration, Registry};
use schemars::JsonSchema;
use serde::Deserialize;

pub use errors::classify;
pub use sink::{PostgresSink, shown_url};

/// Options of `type: postgres`.
#[derive(Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresOptions {
    /// Connection URL (`postgres://user:password@host:port/database`, or libpq `key=value`
    /// pairs); use `${ENV}` for the password. `sslmode=require` (or `verify-full`) connects
    /// with TLS (rustls, the server's certificate checked against the Mozilla roots and
    /// `ca_file`).
    pub url: String,
    /// Schema holding the tables (created if missing).
    #[serde(default = "default_schema")]
    pub schema: String,
    /// Prefix of every table name (`feedloom_items`, `feedloom_entities`, ...).
    #[serde(default = "default_prefix")]
    pub table_prefix: String,
    /// Create or upgrade the tables on start (versioned, idempotent, safe when several
    /// daemons start at once). With `false` the tables must exist already.
    #[serde(default = "yes")]
    pub migrate: bool,
    /// Items per transaction.
    #[serde(default = "hundred")]
    pub batch_size: usize,
    /// How long to wait for a batch to fill.
    #[serde(default = "one_second")]
    pub batch_timeout: Duration,
    /// Longest time for one batch, connecting included; past it the attempt is abandoned
    /// (rolled back) and retried.
    #[serde(default = "thirty_seconds")]
    pub timeout: Duration,
    /// PEM file of extra certificate authorities to trust with `sslmode=require` (a private
    /// CA), relative to the config file.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_schema() -> String {
    "public".into()
}
fn default_prefix() -> String {
    "feedloom_".into()
}
fn yes() -> bool {
    true
}
fn hundred() -> usize {
    100
}
fn one_second() -> Duration {
    Duration::from_secs(1)
}
fn thirty_seconds() -> Duration {
    Duration::from_secs(30)
}

impl fmt::Debug for PostgresOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresOptions")
            .field("url", &shown_url(&self.url))
            .field("schema", &self.schema)
            .field("table_prefix", &self.table_prefix)
            .field("migrate", &self.migrate)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_sink(
        "postgres",
        "upserts items into PostgreSQL tables (items, entities, quotes, amounts, dates)",
        PostgresSink::build,
    );
}
