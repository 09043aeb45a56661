//! Run the full chain (`DEFAULT_ORDER`) N times on the benchmark's ~800-word article, for
//! profiling with callgrind (instruction counts do not depend on the machine's load):
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release -p feedloom-extract --example profile_chain
//! valgrind --tool=callgrind target/release/examples/profile_chain 200
//! ```
//!
//! Run it with two counts (say 20 and 220): the difference of the totals divided by the
//! difference of the counts is the cost of one article, without the one-time setup. Or
//! count only the measured loop (one article before it builds the lazy tables):
//! `--toggle-collect='*profile_chain::run*'`, and divide by the count.

// A profiling tool on fixed inputs.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use feedloom_core::{BuildContext, Extractor, Item, Registry};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// The benchmark's article (`benches/extract.rs`): the bulletin, padded to ~800 words.
fn article() -> Item {
    let raw = include_str!("../tests/fixtures/eurasianet-bulletin.txt");
    let (title, text) = raw.split_once('\n').unwrap();
    let mut it = Item::new("bench", "bench");
    it.title = Some(title.into());
    let mut body = text.to_string();
    for line in text.lines().skip(2).cycle().take(20) {
        if body.split_whitespace().count() >= 800 {
            break;
        }
        body.push('\n');
        body.push_str(line);
    }
    it.text = body;
    it.fetched = "2023-07-12T10:00:00Z".parse().unwrap();
    it
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    let tmp = tempfile::tempdir().unwrap();
    let ctx = BuildContext::for_tests(tmp.path());
    let chain: Vec<Box<dyn Extractor>> = feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|t| (reg.extractor(t).unwrap().build)(&serde_json::json!({}), &ctx).unwrap())
        .collect();
    let base = article();
    // distinct texts, as in the benchmark, so no cache carries work from one to the next
    let variants: Vec<Item> = (0..64)
        .map(|i| {
            let mut x = base.clone();
            x.text.push_str(&format!("\nEnd of bulletin {i}."));
            x
        })
        .collect();
    // one article first, so every lazily built table and automaton is ready
    let mut x = variants[63].clone();
    for e in &chain {
        block_on(e.extract(&mut x)).unwrap();
    }
    run(&chain, &variants, n);
}

/// The measured loop: `valgrind --tool=callgrind --toggle-collect='*profile_chain::run*'`
/// counts only the articles, not the setup (the first call still builds the tables).
#[inline(never)]
fn run(chain: &[Box<dyn Extractor>], variants: &[Item], n: usize) {
    for k in 0..n {
        let mut x = variants[k % variants.len()].clone();
        for e in chain {
            block_on(e.extract(&mut x)).unwrap();
        }
        black_box(&x);
    }
}
