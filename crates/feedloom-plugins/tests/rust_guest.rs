//! The Rust guest example (`examples/wasm-guest/`) through the `wasm` extractor — built only
//! when the `wasm32-unknown-unknown` target is installed (`rustup target add
//! wasm32-unknown-unknown`); without it this test says so and passes, so CI never needs it.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use feedloom_core::{BuildContext, Item, Registry};

const TARGET: &str = "wasm32-unknown-unknown";

/// Whether the standard library for `TARGET` is installed for the toolchain running the tests.
fn wasm32_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
    else {
        return false;
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    out.status.success()
        && std::fs::read_dir(&dir).is_ok_and(|mut d| {
            d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("libstd-")))
        })
}

/// `cargo build --release --target wasm32-unknown-unknown` of the example, into this test
/// target's scratch directory; the path of the module.
fn build_guest() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let manifest = root.join("examples/wasm-guest/Cargo.toml");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-guest");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "--target",
            TARGET,
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        // The outer build's settings are not the guest's.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "building examples/wasm-guest failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    target_dir
        .join(TARGET)
        .join("release/feedloom_wasm_guest.wasm")
}

#[tokio::test]
async fn the_rust_guest_example_builds_and_enriches_items() {
    if !wasm32_installed() {
        eprintln!("skipped: the {TARGET} target is not installed (rustup target add {TARGET})");
        return;
    }
    let wasm = build_guest();
    let mut reg = Registry::new();
    feedloom_plugins::register(&mut reg);
    let build = &reg.extractor("wasm").unwrap().build;
    let mut ctx = BuildContext::for_tests(wasm.parent().unwrap());
    ctx.id = "guest".into();
    let opts = serde_json::json!({"path": wasm.file_name().unwrap().to_str().unwrap(), "max_memory": "16MiB"});
    let ex = build(&opts, &ctx).expect("the example module passes the load checks");

    let mut it = Item::new("a", "test");
    it.title = Some("New railway to Kashgar".into());
    it.text = "The railway line opens «soon», officials said.".into();
    it.tags = Some(vec!["wire".into()]);
    ex.extract(&mut it).await.unwrap();
    assert_eq!(
        it.tags,
        Some(vec!["wire".to_string(), "transport".to_string()])
    );
    assert_eq!(it.extra["word_count"], 7);

    // A Rust guest aborts when an allocation fails; the error still names the limit.
    let small = serde_json::json!({"path": opts["path"], "max_memory": "2MiB"});
    let ex = build(&small, &ctx).unwrap();
    let mut big = Item::new("b", "test");
    big.text = "pipeline ".repeat(200_000);
    let e = ex.extract(&mut big).await.unwrap_err().message;
    assert!(
        e.starts_with("wasm plugin guest: exceeded its memory limit of 2MiB"),
        "{e}"
    );
}
