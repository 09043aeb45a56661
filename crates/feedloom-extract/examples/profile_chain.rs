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

use feedloom_core::{BuildContext, Extractor, Item};

mod common;
use common::{bench_article, block_on, chain};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let tmp = tempfile::tempdir().unwrap();
    let chain: Vec<Box<dyn Extractor>> = chain(&BuildContext::for_tests(tmp.path()))
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let base = bench_article();
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
