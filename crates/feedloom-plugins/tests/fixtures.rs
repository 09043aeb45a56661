//! The prebuilt `.wasm` fixtures (used by the end-to-end tests of the `feedloom` binary, which
//! cannot compile WAT) are exactly the WAT modules of `tests/common/wat.rs`.
//! Regenerate them with `FEEDLOOM_UPDATE_FIXTURES=1 cargo test -p feedloom-plugins --test fixtures`.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::wat;

#[test]
fn wasm_fixtures_match_their_wat_source() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let update = std::env::var_os("FEEDLOOM_UPDATE_FIXTURES").is_some();
    for (name, module) in [
        ("tagger.wasm", wat::tagger()),
        ("spin.wasm", wat::spin()),
        ("hog.wasm", wat::hog(100)),
    ] {
        let p = dir.join(name);
        if update {
            std::fs::write(&p, &module).unwrap();
        }
        let on_disk = std::fs::read(&p).unwrap_or_default();
        assert!(
            on_disk == module,
            "{} is stale: run FEEDLOOM_UPDATE_FIXTURES=1 cargo test -p feedloom-plugins --test fixtures",
            p.display()
        );
    }
}
