//! What the extractor benchmark and the profiling examples share: a way to run an async
//! extractor without a runtime, the built-in chain, and the benchmark's article. Included
//! with `#[path]` (`benches/extract.rs`) or `mod common;` (`examples/*.rs`).

// Each user takes what it needs.
#![allow(dead_code)]

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use feedloom_core::{BuildContext, Extractor, Item, Registry};

/// Run a future that never waits (the built-in extractors) to its end.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Every built-in extractor in `DEFAULT_ORDER`, with its default options.
pub fn chain(ctx: &BuildContext) -> Vec<(&'static str, Box<dyn Extractor>)> {
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|t| {
            (
                *t,
                (reg.extractor(t).expect("registered").build)(&serde_json::json!({}), ctx)
                    .expect("builds"),
            )
        })
        .collect()
}

/// The benchmark's article: the bulletin fixture, padded to ~800 words.
pub fn bench_article() -> Item {
    let raw = include_str!("../../tests/fixtures/eurasianet-bulletin.txt");
    let (title, text) = raw.split_once('\n').expect("title line");
    let mut it = Item::new("bench", "bench");
    it.title = Some(title.into());
    // ~800 words: the bulletin, then its paragraphs again until it has 800 words
    let mut body = text.to_string();
    for line in text.lines().skip(2).cycle().take(20) {
        if body.split_whitespace().count() >= 800 {
            break;
        }
        body.push('\n');
        body.push_str(line);
    }
    it.text = body;
    it.fetched = "2023-07-12T10:00:00Z".parse().expect("date");
    it
}
