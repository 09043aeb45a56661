//! `type: wasm`: the ABI round trip, and every way a module can misbehave (trap, fuel,
//! memory, time, bad responses) ending in an item error, never a panic or a stall.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::wat;
use feedloom_core::{BuildContext, BuildError, Extractor, Item, Registry};

fn build(
    dir: &Path,
    module: &[u8],
    opts: serde_json::Value,
) -> Result<Box<dyn Extractor>, BuildError> {
    std::fs::write(dir.join("plugin.wasm"), module).unwrap();
    let mut o = serde_json::json!({"path": "plugin.wasm"});
    o.as_object_mut()
        .unwrap()
        .extend(opts.as_object().unwrap().clone());
    let mut reg = Registry::new();
    feedloom_plugins::register(&mut reg);
    let mut ctx = BuildContext::for_tests(dir);
    ctx.id = "sandbox".into();
    (reg.extractor("wasm").unwrap().build)(&o, &ctx)
}

fn item() -> Item {
    let mut it = Item::new("item-1", "test");
    it.title = Some("Gas deal".into());
    it.text = "Kazakhstan signs a gas deal. «Unicode» survives.".into();
    it
}

#[tokio::test]
async fn a_tagging_module_round_trips_the_item_through_linear_memory() {
    let dir = tempfile::tempdir().unwrap();
    let ex = build(
        dir.path(),
        &wat::tagger(),
        serde_json::json!({"max_memory": "16MiB"}),
    )
    .unwrap();
    for _ in 0..3 {
        let mut it = item();
        ex.extract(&mut it).await.unwrap();
        assert_eq!(it.tags, Some(vec!["wasm".to_string()]));
        let echo = &it.extra["echo"]["item"];
        assert_eq!(echo["id"], "item-1");
        assert_eq!(
            echo["text"],
            "Kazakhstan signs a gas deal. «Unicode» survives."
        );
        assert!(
            echo.get("echo").is_none(),
            "each item runs in a fresh instance"
        );
    }
    // A large item makes the guest grow its memory, within the limit.
    let mut big = item();
    big.text = "word ".repeat(200_000);
    ex.extract(&mut big).await.unwrap();
    assert_eq!(
        big.extra["echo"]["item"]["text"].as_str().unwrap().len(),
        1_000_000
    );
}

async fn fails(module: &[u8], opts: serde_json::Value) -> String {
    let dir = tempfile::tempdir().unwrap();
    let ex = build(dir.path(), module, opts).unwrap();
    let mut it = item();
    let before = it.clone();
    let err = ex.extract(&mut it).await.unwrap_err().message;
    assert_eq!(it, before, "a failed item is left as it was");
    // The extractor is still usable afterwards (a fresh instance per item).
    let again = ex.extract(&mut it).await.unwrap_err().message;
    assert_eq!(err, again);
    err
}

#[tokio::test]
async fn a_trap_is_an_item_error() {
    let e = fails(&wat::trap(), serde_json::json!({})).await;
    assert!(e.starts_with("wasm plugin sandbox: trapped: "), "{e}");
    assert!(e.contains("unreachable"), "{e}");
}

#[tokio::test]
async fn an_endless_loop_runs_out_of_fuel() {
    let e = fails(&wat::spin(), serde_json::json!({"fuel": 1_000_000})).await;
    assert_eq!(e, "wasm plugin sandbox: ran out of fuel (1000000 units)");
}

#[tokio::test]
async fn an_endless_loop_with_ample_fuel_hits_the_timeout() {
    let e = fails(
        &wat::spin(),
        serde_json::json!({"fuel": u64::MAX / 2, "timeout": "200ms"}),
    )
    .await;
    assert_eq!(e, "wasm plugin sandbox: timed out after 200ms");
}

#[tokio::test]
async fn growing_memory_past_the_limit_is_an_item_error() {
    // The guest ignores the refusal and returns garbage: the error says why.
    let e = fails(&wat::hog(100), serde_json::json!({"max_memory": "1MiB"})).await;
    assert!(
        e.starts_with(
            "wasm plugin sandbox: exceeded its memory limit of 1MiB (asked for 6464KiB); then: invalid response"
        ),
        "{e}"
    );
    // The same module within a larger limit is fine (it returns an empty response, which
    // is not JSON: a different error, with no word of memory).
    let e = fails(&wat::hog(100), serde_json::json!({"max_memory": "16MiB"})).await;
    assert!(
        e.starts_with("wasm plugin sandbox: invalid response"),
        "{e}"
    );
}

#[tokio::test]
async fn memory_grow_past_the_limit_returns_minus_one_to_the_guest() {
    // Refused the standard way (memory.grow = -1): the guest sees it and reports an error
    // itself, so memory never exceeds the limit and the guest is not killed for asking.
    let e = fails(
        &wat::grow_or_report(32),
        serde_json::json!({"max_memory": "1MiB"}),
    )
    .await;
    assert_eq!(e, "wasm plugin sandbox: plugin error: memory.grow refused");
    // 1 + 15 pages = exactly 1MiB: allowed.
    let dir = tempfile::tempdir().unwrap();
    let ex = build(
        dir.path(),
        &wat::grow_or_report(15),
        serde_json::json!({"max_memory": "1MiB"}),
    )
    .unwrap();
    for _ in 0..2 {
        let mut it = item();
        ex.extract(&mut it).await.unwrap();
        assert_eq!(
            it.extra["grew"], true,
            "a fresh 1-page memory for every item"
        );
    }
}

#[tokio::test]
async fn a_module_whose_minimum_memory_exceeds_the_limit_fails_each_item() {
    let module = ::wat::parse_str(
        r#"(module (memory (export "memory") 100)
             (func (export "alloc") (param i32) (result i32) (i32.const 0))
             (func (export "process") (param i32 i32) (result i64) (i64.const 0)))"#,
    )
    .unwrap();
    let e = fails(&module, serde_json::json!({"max_memory": "1MiB"})).await;
    assert!(
        e.starts_with("wasm plugin sandbox: exceeded its memory limit of 1MiB (asked for 6400KiB)"),
        "{e}"
    );
}

#[tokio::test]
async fn an_initialize_export_runs_before_process() {
    let dir = tempfile::tempdir().unwrap();
    let ex = build(dir.path(), &wat::reactor(), serde_json::json!({})).unwrap();
    let mut it = item();
    ex.extract(&mut it).await.unwrap();
    assert_eq!(it.extra["initialized"], true);
}

#[tokio::test]
async fn bad_responses_are_item_errors() {
    let e = fails(&wat::out_of_bounds(), serde_json::json!({})).await;
    assert!(e.contains("outside its 65536 bytes of memory"), "{e}");
    let e = fails(&wat::constant("not json"), serde_json::json!({})).await;
    assert!(
        e.starts_with("wasm plugin sandbox: invalid response \"not json\""),
        "{e}"
    );
    let e = fails(
        &wat::constant(r#"{"error":"no gas here"}"#),
        serde_json::json!({}),
    )
    .await;
    assert_eq!(e, "wasm plugin sandbox: plugin error: no gas here");
    let e = fails(
        &wat::constant(r#"{"item":{"tags":"x"}}"#),
        serde_json::json!({}),
    )
    .await;
    assert!(e.contains("does not fit the item schema"), "{e}");
}

#[test]
fn modules_are_checked_at_build() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(Vec<u8>, serde_json::Value, &str, &str)> = vec![
        (b"not wasm".to_vec(), serde_json::json!({}), "path", "is not a valid wasm module"),
        (
            ::wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap(),
            serde_json::json!({}),
            "path",
            "does not export a function `alloc(i32) -> i32`",
        ),
        (
            ::wat::parse_str(
                r#"(module (import "wasi_snapshot_preview1" "fd_write" (func)) (memory (export "memory") 1))"#,
            )
            .unwrap(),
            serde_json::json!({}),
            "path",
            "imports `wasi_snapshot_preview1::fd_write`",
        ),
        (
            ::wat::parse_str(
                r#"(module (memory (export "memory") 1)
                     (func (export "alloc") (param i32) (result i32) (i32.const 0))
                     (func (export "process") (param i32 i32) (result i32) (i32.const 0)))"#,
            )
            .unwrap(),
            serde_json::json!({}),
            "path",
            "export `process` has type (i32, i32) -> i32, expected (i32, i32) -> i64",
        ),
        (
            ::wat::parse_str(
                r#"(module (func (export "alloc") (param i32) (result i32) (i32.const 0)))"#,
            )
            .unwrap(),
            serde_json::json!({}),
            "path",
            "does not export `memory`",
        ),
        (
            ::wat::parse_str(
                r#"(module (memory (export "memory") 1)
                     (func (export "_initialize") (param i32))
                     (func (export "alloc") (param i32) (result i32) (i32.const 0))
                     (func (export "process") (param i32 i32) (result i64) (i64.const 0)))"#,
            )
            .unwrap(),
            serde_json::json!({}),
            "path",
            "export `_initialize` has type (i32) -> (), expected () -> ()",
        ),
        (wat::tagger(), serde_json::json!({"fuel": 0}), "fuel", "at least 1"),
        (wat::tagger(), serde_json::json!({"max_memory": "lots"}), "max_memory", "invalid size"),
        (wat::tagger(), serde_json::json!({"timeout": "0s"}), "timeout", "longer than 0s"),
    ];
    for (module, opts, path, msg) in cases {
        let err = build(dir.path(), &module, opts.clone())
            .err()
            .expect("fails");
        assert_eq!(err.path, path, "{opts} {}", err.message);
        assert!(err.message.contains(msg), "{opts}: {}", err.message);
    }
    let mut reg = Registry::new();
    feedloom_plugins::register(&mut reg);
    let err = (reg.extractor("wasm").unwrap().build)(
        &serde_json::json!({"path": "missing.wasm"}),
        &BuildContext::for_tests(dir.path()),
    )
    .err()
    .unwrap();
    assert_eq!(err.path, "path");
    assert!(err.message.starts_with("cannot read "), "{}", err.message);
}

/// The smallest module shown in docs/plugins.md (the ```wat block) loads and works as the
/// guide says: "nothing to add" for every item.
#[tokio::test]
async fn the_guides_wat_example_works() {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/plugins.md"),
    )
    .unwrap();
    let start = guide.find("```wat\n").expect("a ```wat block in the guide") + 7;
    let len = guide[start..].find("```").unwrap();
    let module = ::wat::parse_str(&guide[start..start + len]).expect("the guide's WAT parses");
    let dir = tempfile::tempdir().unwrap();
    let ex = build(dir.path(), &module, serde_json::json!({})).unwrap();
    let mut it = item();
    let before = it.clone();
    ex.extract(&mut it).await.unwrap();
    assert_eq!(it, before);
}
