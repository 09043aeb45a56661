//! The cost of a sink's disk spill: items/s written (fsynced) to the backlog and read back,
//! and the bytes each item takes on disk (printed once).
//! `cargo bench -p feedloom-runtime --bench backlog`

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use feedloom_core::Item;
use feedloom_runtime::delivery::Backlog;

fn item(i: usize) -> Item {
    let mut it = Item::new(format!("id-{i}"), "bench");
    it.title = Some(format!("Article {i}"));
    it.text = "Kazakhstan and China signed an agreement on gas supplies. ".repeat(60);
    it
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
