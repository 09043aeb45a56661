// throwaway: cost of the per-step item clone (not committed)
use feedloom_core::{BuildContext, Item, Registry};
use std::time::Instant;
fn main() {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    let ctx = BuildContext::for_tests(std::path::Path::new("."));
    let chain: Vec<_> = feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|t| {
            (reg.extractor(t).unwrap().build)(&serde_json::json!({}), &ctx)
                .unwrap()
                .as_sync()
                .unwrap()
        })
        .collect();
    let raw = include_str!("../tests/fixtures/eurasianet-bulletin.txt");
    let (title, text) = raw.split_once('\n').unwrap();
    let mut base = Item::new("bench", "bench");
    base.title = Some(title.into());
    let mut body = text.to_string();
    for line in text.lines().skip(2).cycle().take(20) {
        if body.split_whitespace().count() >= 800 {
            break;
        }
        body.push('\n');
        body.push_str(line);
    }
    base.text = body;
    base.fetched = "2023-07-12T10:00:00Z".parse().unwrap();
    let n = 2000;
    for round in 0..3 {
        for clone_each in [false, true] {
            let t0 = Instant::now();
            let mut clone_ns = 0u128;
            for i in 0..n {
                let mut it = base.clone();
                it.id = format!("b{round}{i}{clone_each}");
                for ex in &chain {
                    if clone_each {
                        let c0 = Instant::now();
                        let b = std::hint::black_box(it.clone());
                        clone_ns += c0.elapsed().as_nanos();
                        drop(b);
                    }
                    ex.extract(&mut it).unwrap();
                }
            }
            let s = t0.elapsed().as_secs_f64();
            println!(
                "clone_each={clone_each}: {:.0} articles/s, clones {:.1} µs/article",
                n as f64 / s,
                clone_ns as f64 / n as f64 / 1000.0
            );
        }
    }
}
