//! bytes → lossy UTF-8 → `split_html_article` (as `feedloom extract --format html` and the
//! `file` source do) → every built-in extractor → the output contract.
//!
//! The split runs on a thread with tokio's `spawn_blocking` stack (2 MiB), where the `file`
//! source runs it, so a recursion as deep as the input's nesting overflows here as it would
//! in the daemon (the process aborts: run with the address sanitizer, the default, so the
//! overflow is reported and the input saved). `FEEDLOOM_FUZZ_STACK_KB` overrides the size.
//! A first byte below 0x10 selects the published date (see `published_from`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (published, used) = feedloom_fuzz::published_from(data);
    let html = String::from_utf8_lossy(&data[used..]);
    let (title, body) = feedloom_fuzz::on_stack(feedloom_fuzz::TOKIO_BLOCKING_STACK, || {
        feedloom_sources::file::split_html_article(&html)
    });
    let mut item = feedloom_fuzz::item_from(title, body, published);
    feedloom_fuzz::run_chain(&mut item);
    feedloom_fuzz::check_item(&item);
});
