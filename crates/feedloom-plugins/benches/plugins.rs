//! Items per second through each plugin type: an exec plugin (python3, JSON Lines round trip),
//! a wasm plugin (the item in and out of linear memory, a fresh instance per item) and rules.
//!
//! `cargo bench -p feedloom-plugins --bench plugins` (criterion prints `thrpt` in
//! elements/s = items/s). `plugins/*` is one item at a time; `plugins_batch/*` sends
//! batches of `BATCH` items at once, as the pipeline's extract workers do, through exec
//! with `concurrency` 1 and 2 and through wasm (instances on blocking threads).

// A benchmark on fixed inputs: an unwrap that fails is a broken benchmark.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/wat.rs"]
mod wat;

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feedloom_core::{BuildContext, Extractor, Item, Registry};

fn article() -> Item {
    let mut it = Item::new("https://example.invalid/a/1", "bench");
    it.title = Some("Kazakhstan and China sign a gas pipeline deal".into());
    it.text = "Kazakhstan and China signed an agreement on Line D of the gas pipeline in Astana \
               on Monday. A tender worth 1.2 billion dollars follows.\n\n"
        .repeat(20);
    it
}

fn build(kind: &str, opts: serde_json::Value, dir: &std::path::Path) -> Box<dyn Extractor> {
    let mut reg = Registry::new();
    feedloom_plugins::register(&mut reg);
    let mut ctx = BuildContext::for_tests(dir);
    ctx.id = kind.into();
    (reg.extractor(kind).unwrap().build)(&opts, &ctx).expect("builds")
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let plugins = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/plugins");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("tagger.wasm"), wat::tagger()).unwrap();
    let base = article();
    let bytes = serde_json::to_vec(&base).unwrap().len();
    println!("item size: {bytes} bytes of JSON");

    let mut g = c.benchmark_group("plugins");
    g.throughput(Throughput::Elements(1));

    let exec = build(
        "exec",
        serde_json::json!({"command": ["python3", "echo.py"]}),
        &plugins,
    );
    g.bench_function("exec_python_echo", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut it = base.clone();
                exec.extract(&mut it).await.unwrap();
                it
            })
        })
    });
    rt.block_on(exec.shutdown());

    let wasm = build(
        "wasm",
        serde_json::json!({"path": "tagger.wasm"}),
        tmp.path(),
    );
    g.bench_function("wasm_echo", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut it = base.clone();
                wasm.extract(&mut it).await.unwrap();
                it
            })
        })
    });

    let rules = build(
        "rules",
        serde_json::json!({"rules": [
            {"name": "energy", "words": ["gas", "pipeline", "Line D", "oil", "uranium", "coal"], "tags": ["energy"]},
            {"name": "places", "words": ["Astana", "Almaty", "Tashkent", "Bishkek", "Dushanbe"]},
            {"name": "tender", "regex": "(?i)tender worth (?P<value>[0-9.]+ \\w+)", "fields": {"tender_value": "$value"}},
        ]}),
        tmp.path(),
    );
    g.bench_function("rules", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut it = base.clone();
                rules.extract(&mut it).await.unwrap();
                it
            })
        })
    });
    g.finish();

    // Batches of items in flight at once.
    const BATCH: usize = 64;
    let mut g = c.benchmark_group("plugins_batch");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.sample_size(20);
    let mut run_batch = |name: &str, ex: Arc<Box<dyn Extractor>>| {
        g.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let tasks: Vec<_> = (0..BATCH)
                        .map(|_| {
                            let ex = ex.clone();
                            let mut it = base.clone();
                            tokio::spawn(async move {
                                ex.extract(&mut it).await.unwrap();
                                it
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                })
            })
        });
        rt.block_on(ex.shutdown());
    };
    for n in [1, 2] {
        let ex = build(
            "exec",
            serde_json::json!({"command": ["python3", "echo.py"], "concurrency": n}),
            &plugins,
        );
        run_batch(&format!("exec_python_echo_concurrency_{n}"), Arc::new(ex));
    }
    let wasm = build(
        "wasm",
        serde_json::json!({"path": "tagger.wasm"}),
        tmp.path(),
    );
    run_batch("wasm_echo", Arc::new(wasm));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
