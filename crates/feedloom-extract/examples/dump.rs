//! Dump everything the built-in extractors produce (the item as JSON and every extractor's
//! `explain` decisions) for every article of `tests/eval/*/` and the test fixtures, so a change
//! meant to keep the output (a speed-up) can be diffed before and after:
//!
//! ```sh
//! cargo run --release -p feedloom-extract --example dump > before.txt
//! # change ...
//! cargo run --release -p feedloom-extract --example dump > after.txt && cmp before.txt after.txt
//! ```
//!
//! `dump DIR...` dumps the `*.txt` articles of those directories instead (first line the title).
//!
//! Each article runs through the full chain (one context per directory, in file order, so
//! `dedup` sees the earlier articles), through each extractor alone, and in variants that
//! reach other rules: the text upper-cased, lower-cased, and with a non-English language.

// A developer tool on inputs it makes itself.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use feedloom_core::{BuildContext, Extractor, Item};

mod common;
use common::{block_on, chain};

struct Article {
    name: String,
    title: String,
    text: String,
    published: Option<DateTime<Utc>>,
}

fn load(dir: &Path) -> Vec<Article> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let raw = std::fs::read_to_string(&p).unwrap();
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(&raw);
        let mut lines = raw.lines();
        let title = lines.next().unwrap_or("").trim().to_string();
        let text = lines.collect::<Vec<_>>().join("\n");
        let gold = p.with_file_name(format!(
            "{}.gold.json",
            p.file_stem().unwrap().to_string_lossy()
        ));
        let published = std::fs::read_to_string(gold)
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
            .and_then(|v| v.get("published")?.as_str()?.parse().ok());
        out.push(Article {
            name: p.display().to_string(),
            title,
            text,
            published,
        });
    }
    out
}

fn item(a: &Article, text: String, lang: Option<&str>) -> Item {
    let mut it = Item::new(a.name.clone(), "dump");
    it.title = Some(a.title.clone());
    it.text = text;
    it.published = a.published;
    it.fetched = a
        .published
        .unwrap_or_else(|| "2023-07-12T10:00:00Z".parse().unwrap());
    it.language = lang.map(str::to_string);
    it
}

fn print(label: &str, it: &Item, chain: &[(&'static str, Box<dyn Extractor>)]) {
    println!("== {label}");
    println!("{}", serde_json::to_string_pretty(it).unwrap());
    for (name, e) in chain {
        if let Some(s) = e.as_sync() {
            for d in s.explain(it) {
                println!("  explain {name}: {}", serde_json::to_string(&d).unwrap());
            }
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // directories given on the command line, else every eval set and the fixtures
    let mut dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs = std::fs::read_dir(root.join("../../tests/eval"))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        dirs.push(root.join("tests/fixtures"));
    }
    for dir in dirs {
        let arts = load(&dir);
        if arts.is_empty() {
            continue;
        }
        let tmp = tempfile::tempdir().unwrap();
        let ctx = BuildContext::for_tests(tmp.path());
        let full = chain(&ctx);
        for a in &arts {
            let mut it = item(a, a.text.clone(), None);
            for (_, e) in &full {
                block_on(e.extract(&mut it)).unwrap();
            }
            print(&format!("{} full", a.name), &it, &full);
        }
        // each extractor alone (a fresh context: `dedup` sees nothing earlier)
        let tmp2 = tempfile::tempdir().unwrap();
        let ctx2 = BuildContext::for_tests(tmp2.path());
        let alone = chain(&ctx2);
        for a in &arts {
            for (k, (name, e)) in alone.iter().enumerate() {
                if *name == "dedup" {
                    continue;
                }
                let mut it = item(a, a.text.clone(), None);
                block_on(e.extract(&mut it)).unwrap();
                print(&format!("{} alone {name}", a.name), &it, &alone[k..=k]);
            }
        }
        // variants through the chain without dedup
        type Variant = (&'static str, fn(&str) -> String, Option<&'static str>);
        let variants: [Variant; 4] = [
            ("upper", str::to_uppercase, None),
            ("lower", str::to_lowercase, None),
            ("de", str::to_string, Some("de")),
            ("en-US", str::to_string, Some("en-US")),
        ];
        let no_dedup = &alone[..alone.len() - 1];
        for a in &arts {
            for (label, f, lang) in &variants {
                let mut it = item(a, f(&a.text), *lang);
                for (_, e) in no_dedup {
                    block_on(e.extract(&mut it)).unwrap();
                }
                print(&format!("{} {label}", a.name), &it, no_dedup);
            }
        }
    }
}
