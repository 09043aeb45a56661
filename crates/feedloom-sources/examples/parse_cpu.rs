//! The parse bench's documents parsed a fixed number of times, to measure CPU time rather
//! than wall time (criterion's wall time swings with the load of a shared machine):
//!
//! ```sh
//! cargo build --release -p feedloom-sources --example parse_cpu
//! perf stat -e task-clock,instructions target/release/examples/parse_cpu rss2 300
//! ```
//! Prints the bytes parsed; MiB/s is that over perf's task-clock.

// A developer tool on inputs it makes itself.
#![allow(clippy::unwrap_used)]

use feedloom_sources::parse::parse_feed;

#[path = "../benches/common/docs.rs"]
mod docs;
use docs::{atom, json, rss};

fn main() {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "rss2".into());
    let rounds: usize = args.next().map_or(300, |r| r.parse().unwrap());
    let doc = match kind.as_str() {
        "rss2" => rss(200),
        "atom" => atom(200),
        _ => json(200),
    };
    let mut items = 0;
    for _ in 0..rounds {
        items += parse_feed(doc.as_bytes(), Some("https://example.com/feed"), "bench")
            .unwrap()
            .len();
    }
    println!(
        "{kind}: {} bytes parsed ({rounds} x {}), {items} items",
        doc.len() * rounds,
        doc.len()
    );
}
