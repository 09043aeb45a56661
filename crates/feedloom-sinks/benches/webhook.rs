//! Items/s through the webhook sink to a local receiver, batch sizes 1 and 100.
//! `cargo bench -p feedloom-sinks --bench webhook`

// A benchmark on fixed inputs: an unwrap that fails is a broken benchmark.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use axum::Router;
use axum::routing::post;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feedloom_core::{BuildContext, Duration, Item, Sink};
use feedloom_sinks::webhook::{WebhookOptions, WebhookSink};

fn item(i: usize) -> Item {
    let mut it = Item::new(format!("id-{i}"), "bench");
    it.title = Some(format!("Article {i}"));
    it.text = "Kazakhstan and China signed an agreement on gas supplies. ".repeat(60);
    it
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = rt.block_on(async {
        let app = Router::new().route("/hook", post(|_b: axum::body::Bytes| async { "" }));
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
        format!("http://{addr}/hook")
    });
    let dir = std::env::temp_dir();
    let mut g = c.benchmark_group("webhook");
    for batch in [1usize, 100] {
        let o = WebhookOptions {
            url: url.clone(),
            batch_size: batch,
            batch_timeout: Duration::from_secs(1),
            secret: Some("bench-secret".into()),
            headers: BTreeMap::new(),
            timeout: Duration::from_secs(10),
        };
        let sink = WebhookSink::build(o, &BuildContext::for_tests(&dir)).unwrap();
        let items: Vec<Item> = (0..batch).map(item).collect();
        g.throughput(Throughput::Elements(batch as u64));
        g.bench_function(format!("batch_{batch}"), |b| {
            b.iter(|| rt.block_on(sink.send(&items)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
