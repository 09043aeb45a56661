//! `shard_of` is frozen: these values must never change.

use feedloom_cluster::shard_of;

#[test]
fn fixed_values() {
    let cases: &[(&str, u32, u32)] = &[
        ("", 1024, FIXED[0]),
        ("bbc-world", 1024, FIXED[1]),
        ("https://example.com/feed.xml", 1024, FIXED[2]),
        ("reuters/top-news", 1024, FIXED[3]),
        ("reuters/top-news", 16_384, FIXED[4]),
        ("ünïcödé-source", 64, FIXED[5]),
        ("anything", 1, 0),
    ];
    for (id, shards, want) in cases {
        assert_eq!(shard_of(id, *shards), *want, "shard_of({id:?}, {shards})");
    }
}

// Computed once with an independent FNV-1a (Python) and frozen.
const FIXED: [u32; 6] = [805, 587, 407, 521, 10761, 16];

#[test]
fn spreads_sources_evenly() {
    let shards = 64u32;
    let mut counts = vec![0u32; shards as usize];
    for i in 0..64_000 {
        counts[shard_of(&format!("source-{i}"), shards) as usize] += 1;
    }
    let (min, max) = (counts.iter().min(), counts.iter().max());
    assert!(
        min.is_some_and(|m| *m > 800) && max.is_some_and(|m| *m < 1200),
        "{counts:?}"
    );
}
