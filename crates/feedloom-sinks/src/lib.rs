//! feedloom's built-in sinks, one module per YAML `type:` name:
//! - `stdout` — [`stdout`]: one JSON object per line (or pretty).
//! - `jsonl` — [`jsonl`]: append to a JSON Lines file, daily rotation with `{date}`.
//! - `webhook` — [`webhook`]: HTTP POST of JSON arrays, signed.
//! - `postgres` — [`postgres`]: upserts into PostgreSQL tables (items, entities, quotes,
//!   amounts, dates) an analyst can query; see docs/postgres.md.
//! - `nats` — [`nats`]: JSON messages to a NATS subject (JetStream by default); see docs/nats.md.

pub mod jsonl;
pub mod nats;
pub mod postgres;
pub mod stdout;
pub mod webhook;

use feedloom_core::Registry;

/// Add every built-in sink to `reg`.
pub fn register(reg: &mut Registry) {
    jsonl::register(reg);
    nats::register(reg);
    postgres::register(reg);
    stdout::register(reg);
    webhook::register(reg);
}
