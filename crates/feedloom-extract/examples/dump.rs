//! Run every built-in extractor (DEFAULT_ORDER) on text files and print the items as JSON.
//! The first line of a file is its title.
//!
//! `cargo run -p feedloom-extract --example dump -- article.txt [published RFC 3339]`

use std::pin::pin;
use std::task::{Context, Poll, Waker};

use feedloom_core::{BuildContext, Item, Registry};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: dump FILE [PUBLISHED]");
        std::process::exit(2);
    };
    let mut reg = Registry::new();
    feedloom_extract::register(&mut reg);
    let ctx = BuildContext::for_tests(std::path::Path::new("."));
    let chain = feedloom_extract::DEFAULT_ORDER
        .iter()
        .map(|t| (reg.extractor(t).expect("registered").build)(&serde_json::json!({}), &ctx))
        .collect::<Result<Vec<_>, _>>()?;
    let raw = std::fs::read_to_string(path)?;
    let (title, text) = raw.split_once('\n').unwrap_or((raw.as_str(), ""));
    let mut it = Item::new(path.clone(), "file");
    it.title = Some(title.to_string());
    it.text = text.to_string();
    if let Some(p) = args.get(1) {
        it.published = Some(p.parse()?);
    }
    for e in &chain {
        block_on(e.extract(&mut it))?;
    }
    println!("{}", serde_json::to_string_pretty(&it)?);
    Ok(())
}
