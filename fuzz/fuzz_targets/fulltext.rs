//! bytes → `fulltext::extract_main_text` (the `feed` source's `fulltext: true`), on a
//! thread with tokio's `spawn_blocking` stack (2 MiB) as in the daemon.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = feedloom_fuzz::on_stack(feedloom_fuzz::TOKIO_BLOCKING_STACK, || {
        feedloom_sources::fulltext::extract_main_text(data, Some("https://example.com/a/1"))
    });
    if let Some(t) = text {
        assert!(!t.is_empty(), "Some(\"\") from extract_main_text");
    }
});
