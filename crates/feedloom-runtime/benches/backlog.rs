//! The cost of a sink's disk spill: items/s written (fsynced) to the backlog and read back,
//! and the bytes each item takes on disk (printed once).
//! `cargo bench -p feedloom-runtime --bench backlog`
//!
//! `backlog_lane/*` goes through a sink's lane as the extract workers do (a dead sink,
//! memory buffer 1): what intake costs while one sink is down.

// A benchmark on fixed inputs: an unwrap that fails is a broken benchmark.
#![allow(clippy::unwrap_used)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use feedloom_core::Item;
use feedloom_runtime::delivery::Backlog;

fn item(i: usize) -> Item {
    let mut it = Item::new(format!("id-{i}"), "bench");
    it.title = Some(format!("Article {i}"));
    it.text = "Kazakhstan and China signed an agreement on gas supplies. ".repeat(60);
    it
}

/// A sink that is down: every send fails (retryably); the driver keeps retrying.
struct Down;

#[async_trait::async_trait]
impl feedloom_core::Sink for Down {
    async fn send(&self, _: &[Item]) -> Result<(), feedloom_core::SinkError> {
        Err(feedloom_core::SinkError::retryable("HTTP 503"))
    }
}

/// What the extract workers see while one sink is dead: `workers` tasks submit `n` items in
/// all to its lane (memory buffer 1), so nearly every item is spilled to the disk backlog.
/// Timed until every spilled item is on disk (fsynced).
fn spill_through_the_lane(rt: &tokio::runtime::Runtime, items: &[Item], workers: usize) {
    use feedloom_runtime::delivery::{Envelope, Redactor, SinkCommon, SinkLane, spawn_sink};
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
        let lane = SinkLane::open("down", Some(dir.path()));
        let drain = tokio_util::sync::CancellationToken::new();
        let common = SinkCommon {
            buffer: 1,
            retry_backoff: feedloom_core::Duration::from_secs(3600),
            ..SinkCommon::default()
        };
        let dlq = feedloom_runtime::dlq::DeadLetters::for_state_dir(dir.path());
        let h = Arc::new(spawn_sink(
            Arc::new(Down),
            common,
            dlq,
            &drain,
            lane.clone(),
            Redactor::default(),
        ));
        let items: Vec<Arc<Item>> = items.iter().cloned().map(Arc::new).collect();
        let per = items.len().div_ceil(workers);
        let mut tasks = Vec::new();
        for chunk in items.chunks(per) {
            let h = h.clone();
            let chunk = chunk.to_vec();
            tasks.push(tokio::spawn(async move {
                for it in chunk {
                    h.submit(Envelope {
                        item: it,
                        ack: None,
                    })
                    .await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // The driver holds one item (its batch of one) and its queue a few more; the rest
        // must be on disk.
        let want = items.len() as u64 - 1;
        while lane.stats.backlog.load(Ordering::Acquire) + lane.stats.queued.load(Ordering::Acquire)
            < want
        {
            tokio::time::sleep(std::time::Duration::from_micros(200)).await;
        }
        drain.cancel();
        if let Ok(h) = Arc::try_unwrap(h) {
            h.close().await;
        }
    });
}

fn bench(c: &mut Criterion) {
    let items: Vec<Item> = (0..100).map(item).collect();
    let refs: Vec<&Item> = items.iter().collect();
    {
        let dir = tempfile::tempdir().unwrap();
        let mut bl = Backlog::open(dir.path()).unwrap();
        bl.push(&refs).unwrap();
        let one = serde_json::to_vec(&items[0]).unwrap().len();
        eprintln!(
            "backlog: {} bytes on disk per item ({} bytes of JSON per item in memory)",
            bl.disk_bytes() / items.len() as u64,
            one
        );
    }
    let mut g = c.benchmark_group("backlog");
    g.throughput(Throughput::Elements(100));
    g.bench_function("spill_100_one_fsync_each", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let mut bl = Backlog::open(dir.path()).unwrap();
                for r in &refs {
                    bl.push(&[*r]).unwrap();
                }
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("spill_100_one_fsync_then_drain", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| {
                let mut bl = Backlog::open(dir.path()).unwrap();
                bl.push(&refs).unwrap();
                while !bl.is_empty() {
                    let p = bl.peek(25).unwrap();
                    bl.consume(p.end, p.lines).unwrap();
                }
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let many: Vec<Item> = (0..1000).map(item).collect();
    let mut g = c.benchmark_group("backlog_lane");
    g.throughput(Throughput::Elements(1000));
    g.sample_size(10);
    for workers in [1, 4] {
        g.bench_function(format!("spill_1000_dead_sink_{workers}_workers"), |b| {
            b.iter(|| spill_through_the_lane(&rt, &many, workers))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
