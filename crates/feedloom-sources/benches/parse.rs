//! Feed parsing and item mapping throughput: `cargo bench -p feedloom-sources --bench parse`.
//! Reports MB/s (criterion's bytes throughput) and items/s (elements throughput).

// A benchmark on fixed inputs: an unwrap that fails is a broken benchmark.
#![allow(clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feedloom_sources::parse::parse_feed;

#[path = "common/docs.rs"]
mod docs;
use docs::{atom, json, rss};

fn bench(c: &mut Criterion) {
    let n = 200;
    for (name, doc) in [("rss2", rss(n)), ("atom", atom(n)), ("jsonfeed", json(n))] {
        let mut g = c.benchmark_group(format!("parse_{name}_{n}_items"));
        g.throughput(Throughput::Bytes(doc.len() as u64));
        g.bench_function("MB/s", |b| {
            b.iter(|| {
                parse_feed(doc.as_bytes(), Some("https://example.com/feed"), "bench").unwrap()
            })
        });
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function("items/s", |b| {
            b.iter(|| {
                parse_feed(doc.as_bytes(), Some("https://example.com/feed"), "bench").unwrap()
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
