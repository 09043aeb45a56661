//! feedloom's built-in sources, one module per YAML `type:` name:
//! - `file` — [`file`]: a glob of local feed files (.xml/.rss/.atom/.json) and articles (.txt/.html).
//! - `feed` — [`feed`]: RSS, Atom and JSON Feed polled over HTTP.
//! - `nats` — [`nats`]: items from a NATS JetStream stream (durable pull consumer); see docs/nats.md.

pub mod dates;
pub mod decode;
pub mod feed;
pub mod file;
pub mod fulltext;
pub mod html_guard;
mod jsonfeed;
pub mod meta;
pub mod nats;
pub mod opml;
pub mod parse;
pub mod truncated;
pub mod xml;

use feedloom_core::Registry;

/// Add every built-in source to `reg`.
pub fn register(reg: &mut Registry) {
    feed::register(reg);
    file::register(reg);
    nats::register(reg);
}
