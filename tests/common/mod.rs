//! Helpers shared by the end-to-end tests: run the real `feedloom` binary on a temp config.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_feedloom")
}

/// The repository root (for bundled examples and fixtures).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Write `yaml` to `dir/feedloom.yaml` and return its path.
pub fn write_config(dir: &Path, yaml: &str) -> PathBuf {
    let p = dir.join("feedloom.yaml");
    std::fs::write(&p, yaml).unwrap();
    p
}

/// Run `feedloom ARGS` and wait.
pub fn feedloom(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .expect("run feedloom")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parse a JSON Lines file (missing file = no lines).
pub fn read_jsonl(p: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad line {l:?}: {e}")))
        .collect()
}

/// Write `n` small plain-text articles into `dir`.
pub fn write_articles(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("a{i:04}.txt")),
            format!("Article number {i}\n\nKazakhstan and China signed agreement {i} in Astana on Monday.\n"),
        )
        .unwrap();
    }
}
