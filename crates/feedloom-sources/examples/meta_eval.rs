//! How well feedloom reads what an article says about itself: publication day, authors and
//! headline (and canonical URL, site name, language, image, section, modified day when the
//! gold gives them), over saved pages (`.html`) and plain-text wire stories (`.txt`), each
//! with a `.gold.json` (see `tests/eval/metadata/README.md`). Also prints what the
//! main-text extractor's own metadata (rs-trafilatura) gets on the same pages, and what the
//! metadata costs beside the main-text extraction.
//!
//! ```sh
//! cargo run --release -p feedloom-sources --example meta_eval                 # figures
//! cargo run --release -p feedloom-sources --example meta_eval -- --verbose     # + every miss
//! cargo run --release -p feedloom-sources --example meta_eval -- --dir DIR
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::print_literal,
    clippy::type_complexity
)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use feedloom_sources::meta::{PageMeta, dateline_date, page_meta, text_authors};
use serde_json::Value;

#[derive(Default)]
struct Score {
    right: usize,
    total: usize,
}

impl Score {
    fn add(&mut self, ok: bool) {
        self.total += 1;
        self.right += usize::from(ok);
    }
    fn show(&self) -> String {
        if self.total == 0 {
            return "   -   (0)".into();
        }
        format!(
            "{:.3} ({}/{})",
            self.right as f64 / self.total as f64,
            self.right,
            self.total
        )
    }
}

#[derive(Default)]
struct Prf {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Prf {
    fn f1(&self) -> String {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        format!("P {p:.3} R {r:.3} F1 {f:.3}")
    }
}

#[derive(Default)]
struct Card {
    published: Score,
    authors_exact: Score,
    authors: Prf,
    title: Score,
    canonical: Score,
    site_name: Score,
    language: Score,
    image: Score,
    section: Score,
    modified: Score,
}

fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(['’', '‘'], "'")
        .replace(['“', '”'], "\"")
        .to_lowercase()
}

fn day(d: Option<DateTime<Utc>>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn gold_str<'a>(g: &'a Value, k: &str) -> Option<&'a str> {
    g.get(k).and_then(Value::as_str)
}

/// Score one prediction against its gold; misses are pushed to `misses`.
fn score(card: &mut Card, m: &PageMeta, g: &Value, misses: &mut Vec<String>) {
    let gold_day = gold_str(g, "published");
    let alt_day = gold_str(g, "published_utc");
    let got = day(m.published);
    let ok = match (gold_day, got.as_deref()) {
        (None, None) => true,
        (Some(a), Some(b)) => a == b || alt_day == Some(b),
        _ => false,
    };
    card.published.add(ok);
    if !ok {
        misses.push(format!(
            "published: gold {gold_day:?} got {got:?} (by {:?})",
            m.published_by
        ));
    }
    let gold_authors: Vec<String> = g
        .get("authors")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(norm).collect())
        .unwrap_or_default();
    let got_authors: Vec<String> = m.authors.iter().map(|a| norm(a)).collect();
    let mut exact = gold_authors.len() == got_authors.len();
    for a in &got_authors {
        if gold_authors.contains(a) {
            card.authors.tp += 1;
        } else {
            card.authors.fp += 1;
            exact = false;
        }
    }
    for a in &gold_authors {
        if !got_authors.contains(a) {
            card.authors.fn_ += 1;
            exact = false;
        }
    }
    card.authors_exact.add(exact);
    if !exact {
        misses.push(format!(
            "authors: gold {gold_authors:?} got {got_authors:?}"
        ));
    }
    if let Some(t) = gold_str(g, "title") {
        let ok = m.title.as_deref().map(norm) == Some(norm(t));
        card.title.add(ok);
        if !ok {
            misses.push(format!("title: gold {t:?} got {:?}", m.title));
        }
    }
    let mut opt =
        |s: &mut Score, name: &str, got: Option<String>, eq: &dyn Fn(&str, &str) -> bool| {
            if let Some(want) = gold_str(g, name) {
                let ok = got.as_deref().is_some_and(|x| eq(want, x));
                s.add(ok);
                if !ok {
                    misses.push(format!("{name}: gold {want:?} got {got:?}"));
                }
            }
        };
    let same = |a: &str, b: &str| norm(a) == norm(b);
    let same_url = |a: &str, b: &str| a.trim_end_matches('/') == b.trim_end_matches('/');
    opt(
        &mut card.canonical,
        "canonical",
        m.canonical.clone(),
        &same_url,
    );
    opt(&mut card.site_name, "site_name", m.site_name.clone(), &same);
    opt(&mut card.language, "language", m.language.clone(), &same);
    opt(&mut card.image, "image", m.image.clone(), &same_url);
    opt(&mut card.section, "section", m.section.clone(), &same);
    opt(&mut card.modified, "modified", day(m.modified), &|a, b| {
        a.get(..10) == Some(b)
    });
}

/// What rs-trafilatura's own metadata says, as a `PageMeta` (for comparison).
fn trafilatura_meta(html: &str, url: Option<&str>) -> PageMeta {
    let opts = rs_trafilatura::Options {
        url: url.map(str::to_string),
        ..rs_trafilatura::Options::default()
    };
    let Ok(Ok(r)) = std::panic::catch_unwind(|| rs_trafilatura::extract_with_options(html, &opts))
    else {
        return PageMeta::default();
    };
    let md = r.metadata;
    PageMeta {
        title: md.title,
        published: md.date,
        authors: md
            .author
            .map(|a| {
                a.split(';')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        canonical: md.url,
        site_name: md.sitename,
        language: md.language,
        image: md.image,
        ..PageMeta::default()
    }
}

fn main() {
    let mut dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/eval/metadata"
    ));
    let mut verbose = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--verbose" => verbose = true,
            "--dir" => dir = PathBuf::from(args.next().expect("--dir DIR")),
            other => {
                eprintln!("unknown argument {other:?}; usage: meta_eval [--verbose] [--dir DIR]");
                std::process::exit(2);
            }
        }
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("html" | "txt")))
        .collect();
    files.sort();
    let now = Utc::now();
    let (mut ours, mut theirs) = (Card::default(), Card::default());
    let (mut t_main, mut t_meta) = (Duration::ZERO, Duration::ZERO);
    let mut pages = 0;
    for f in &files {
        let gold_path = f.with_extension("gold.json");
        let Ok(gold) = std::fs::read_to_string(&gold_path) else {
            eprintln!("{}: no gold file", f.display());
            continue;
        };
        let g: Value =
            serde_json::from_str(&gold).unwrap_or_else(|e| panic!("{}: {e}", gold_path.display()));
        let raw = std::fs::read(f).unwrap();
        let url = gold_str(&g, "url");
        let mut misses = Vec::new();
        let mut their_misses = Vec::new();
        if f.extension().is_some_and(|e| e == "html") {
            pages += 1;
            let html = feedloom_sources::decode::to_utf8_string(&raw, None);
            let t0 = Instant::now();
            let text = feedloom_sources::fulltext::main_text_of(&html, url)
                .ok()
                .flatten();
            let t1 = Instant::now();
            let m = page_meta(&html, url, text.as_deref(), now);
            t_main += t1 - t0;
            t_meta += t1.elapsed();
            score(&mut ours, &m, &g, &mut misses);
            score(
                &mut theirs,
                &trafilatura_meta(&html, url),
                &g,
                &mut their_misses,
            );
        } else {
            let s = String::from_utf8_lossy(&raw);
            let (title, body) = feedloom_sources::file::split_text_article(&s);
            let m = PageMeta {
                title: Some(title),
                published: dateline_date(&body),
                authors: text_authors(&body),
                ..PageMeta::default()
            };
            score(&mut ours, &m, &g, &mut misses);
        }
        if verbose && !misses.is_empty() {
            println!("{}", name(f));
            for m in &misses {
                println!("    {m}");
            }
        }
    }
    println!(
        "{} articles ({} pages, {} plain-text stories) in {}",
        files.len(),
        pages,
        files.len() - pages,
        dir.display()
    );
    println!();
    println!(
        "{:<22} {:<34} {}",
        "field", "feedloom", "rs-trafilatura metadata (pages only)"
    );
    let rows: [(&str, &dyn Fn(&Card) -> String); 10] = [
        ("published day", &|c| c.published.show()),
        ("authors (exact list)", &|c| c.authors_exact.show()),
        ("authors (names)", &|c| c.authors.f1()),
        ("title", &|c| c.title.show()),
        ("canonical", &|c| c.canonical.show()),
        ("site_name", &|c| c.site_name.show()),
        ("language", &|c| c.language.show()),
        ("image", &|c| c.image.show()),
        ("section", &|c| c.section.show()),
        ("modified day", &|c| c.modified.show()),
    ];
    for (name, f) in &rows {
        println!("{:<22} {:<34} {}", name, f(&ours), f(&theirs));
    }
    println!();
    println!("targets: published day >= 0.95, authors (exact list) >= 0.90");
    if pages > 0 {
        let per = |d: Duration| d.as_secs_f64() * 1e3 / pages as f64;
        println!(
            "time per page: main text {:.3} ms, metadata {:.3} ms (+{:.1}%)",
            per(t_main),
            per(t_meta),
            100.0 * t_meta.as_secs_f64() / t_main.as_secs_f64().max(1e-9)
        );
    }
}

fn name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
