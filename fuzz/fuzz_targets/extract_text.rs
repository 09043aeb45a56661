//! bytes → lossy UTF-8 → an item as `feedloom extract FILE.txt` builds it (first non-empty
//! line the title, the rest the body) → every built-in extractor → the output contract.
//! A first byte below 0x10 selects the item's published date (see `published_from`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (published, used) = feedloom_fuzz::published_from(data);
    let mut item = feedloom_fuzz::text_item(&data[used..], published);
    feedloom_fuzz::run_chain(&mut item);
    feedloom_fuzz::check_item(&item);
});
