//! Throughput of the built-in extractors on the bulletin fixture padded to ~800 words: the full chain in `DEFAULT_ORDER`, and each extractor alone on an item
//! the earlier ones already processed. Criterion reports articles/s (elements/s); a plain
//! summary with each extractor's share of the chain is printed first.
//!
//! `cargo bench -p feedloom-extract --bench extract`

// A benchmark on fixed inputs: an unwrap that fails is a broken benchmark.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "../examples/common/mod.rs"]
mod common;
use common::{bench_article, block_on, chain};
use feedloom_core::{BuildContext, Item};

fn summary() {
    let chain = chain(&BuildContext::for_tests(std::path::Path::new(".")));
    let base = bench_article();
    println!("article: {} words", base.text.split_whitespace().count());
    let n = 2000;
    // the item each extractor sees: processed by the earlier ones
    let mut inputs = Vec::new();
    let mut it = base.clone();
    for (_, e) in &chain {
        inputs.push(it.clone());
        block_on(e.extract(&mut it)).expect("extract");
    }
    let mut per = Vec::new();
    for (k, ((name, e), input)) in chain.iter().zip(&inputs).enumerate() {
        // each extractor alone, on distinct texts (so no cache helps), after the earlier ones ran
        let variants: Vec<Item> = (0..64)
            .map(|i| {
                let mut x = base.clone();
                x.text.push_str(&format!("\nEnd of bulletin {i}."));
                for (_, p) in &chain[..k] {
                    block_on(p.extract(&mut x)).expect("extract");
                }
                x
            })
            .collect();
        let _ = input;
        let t = Instant::now();
        for i in 0..n {
            let mut x = variants[i % variants.len()].clone();
            block_on(e.extract(black_box(&mut x))).expect("extract");
        }
        per.push((*name, t.elapsed().as_secs_f64() / n as f64));
    }
    // distinct texts, so no cache carries work from one article to the next
    let variants: Vec<Item> = (0..64)
        .map(|i| {
            let mut x = base.clone();
            x.text.push_str(&format!("\nEnd of bulletin {i}."));
            x
        })
        .collect();
    let t = Instant::now();
    for i in 0..n {
        let mut x = variants[i % variants.len()].clone();
        for (_, e) in &chain {
            block_on(e.extract(&mut x)).expect("extract");
        }
        black_box(&x);
    }
    let full = t.elapsed().as_secs_f64() / n as f64;
    // each extractor's time inside the chain (later ones reuse what earlier ones computed:
    // `countries` and `quotes` reuse the entity detection)
    let mut inside = vec![0.0f64; chain.len()];
    for i in 0..n {
        let mut x = variants[i % variants.len()].clone();
        for (k, (_, e)) in chain.iter().enumerate() {
            let t = Instant::now();
            block_on(e.extract(&mut x)).expect("extract");
            inside[k] += t.elapsed().as_secs_f64();
        }
        black_box(&x);
    }
    let sum: f64 = inside.iter().sum();
    println!(
        "full chain: {:.0} articles/s ({:.1} µs/article, one core)",
        1.0 / full,
        full * 1e6
    );
    println!("  extractor   in chain  share   alone (on an item the earlier ones processed)");
    for ((name, s), c) in per.into_iter().zip(inside) {
        let c = c / n as f64;
        println!(
            "  {name:<10} {:>7.1} µs {:>5.1}%  {:>7.1} µs ({:.0} articles/s)",
            c * 1e6,
            c / (sum / n as f64) * 100.0,
            s * 1e6,
            1.0 / s
        );
    }
}

fn bench(c: &mut Criterion) {
    summary();
    let chain = chain(&BuildContext::for_tests(std::path::Path::new(".")));
    let base = bench_article();
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Elements(1));
    let variants: Vec<Item> = (0..64)
        .map(|i| {
            let mut x = base.clone();
            x.text.push_str(&format!("\nEnd of bulletin {i}."));
            x
        })
        .collect();
    let mut k = 0;
    g.bench_function("full_chain", |b| {
        b.iter(|| {
            k += 1;
            let mut x = variants[k % variants.len()].clone();
            for (_, e) in &chain {
                block_on(e.extract(&mut x)).expect("extract");
            }
            x
        })
    });
    let mut it = base.clone();
    for (name, e) in &chain {
        let input = it.clone();
        g.bench_function(*name, |b| {
            b.iter(|| {
                let mut x = input.clone();
                block_on(e.extract(&mut x)).expect("extract");
                x
            })
        });
        block_on(e.extract(&mut it)).expect("extract");
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
