//! End-to-end tests of the spine through the real binary: `once`, `run` + SIGTERM,
//! `check`, `extract`, `plugins`, `schema`.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

const FIXTURE: &str = "examples/feeds/eurasianet-bulletin.txt";

#[test]
fn once_writes_items_with_the_item_fields_and_a_second_once_writes_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let feeds = repo().join("examples/feeds");
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: state\nsources:\n  - id: samples\n    type: file\n    path: {}/*\nsinks:\n  - id: archive\n    type: jsonl\n    path: out/items.jsonl\n",
            feeds.display()
        ),
    );
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let items = read_jsonl(&dir.path().join("out/items.jsonl"));
    assert!(items.len() >= 8, "{} items", items.len());
    for it in &items {
        for f in [
            "id",
            "source",
            "url",
            "title",
            "published",
            "fetched",
            "authors",
            "summary",
            "text",
        ] {
            assert!(it.get(f).is_some(), "item lacks {f}: {it}");
        }
        assert_eq!(it["source"], "samples");
        assert!(!it["id"].as_str().unwrap().is_empty());
    }
    let rss = items
        .iter()
        .find(|i| i["id"] == "wire-2025-0612-001")
        .expect("rss item with its guid as id");
    assert_eq!(rss["published"], "2025-06-12T08:30:00Z");
    assert_eq!(rss["authors"][0], "Aigerim Nurlanova");
    assert!(rss["text"].as_str().unwrap().contains("QazaqGaz"));
    let atom = items
        .iter()
        .find(|i| i["url"] == "https://steppe.example.net/2025/06/tj-tunnel")
        .expect("relative atom link resolved");
    assert_eq!(atom["authors"][0], "Farrukh Saidov");
    let article = items
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Central Asia: China to school"))
        })
        .expect("the .txt article");
    assert!(
        article["text"]
            .as_str()
            .unwrap()
            .contains("Oktyabr Urmambetov")
    );

    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        read_jsonl(&dir.path().join("out/items.jsonl")).len(),
        items.len(),
        "nothing delivered twice"
    );

    // A new article appears: only it is delivered.
    std::fs::write(
        dir.path().join("extra.txt"),
        "Fresh news\n\nUzbekistan opens a new rail line.\n",
    )
    .unwrap();
    let cfg2 = write_config(
        dir.path(),
        &format!(
            "state_dir: state\nsources:\n  - id: samples\n    type: file\n    path: {}/*\n  - id: extra\n    type: file\n    path: extra.txt\nsinks:\n  - id: archive\n    type: jsonl\n    path: out/items.jsonl\n",
            feeds.display()
        ),
    );
    let o = feedloom(&["once", "-c", cfg2.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after = read_jsonl(&dir.path().join("out/items.jsonl"));
    assert_eq!(after.len(), items.len() + 1);
    assert_eq!(after.last().unwrap()["title"], "Fresh news");
}

#[test]
fn stdout_sink_prints_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: f, type: file, path: {}}}\nsinks:\n  - {{id: console, type: stdout}}\n",
            repo().join(FIXTURE).display()
        ),
    );
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success());
    let out = stdout(&o);
    let lines: Vec<_> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert!(v["title"].as_str().unwrap().starts_with("Central Asia"));
}

#[test]
fn check_reports_each_kind_of_error_with_file_line_col_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str)] = &[
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n  bad: [\n",
            ":5:3: invalid YAML",
        ),
        (
            "sources:\n  - id: a\n    type: fiel\n    path: x\n",
            ":3:11: unknown source type `fiel` (known: ",
        ),
        (
            "sources:\n  - id: a\n    type: file\n",
            ":3:5: file `a`: missing field `path`",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n    interval: 10 minutes\n",
            ":5:15: file `a`: invalid duration",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n    pth: y\n",
            ":5:5: file `a`: unknown field `pth`",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n  - id: a\n    type: file\n    path: y\n",
            ":5:9: duplicate id `a`",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: ${FEEDLOOM_TEST_UNSET_VAR}\n",
            ":4:11: environment variable `FEEDLOOM_TEST_UNSET_VAR` is not set",
        ),
        (
            "sinks:\n  - id: out\n    type: stdout\n    pretty: maybe\n",
            ":4:13: stdout `out`: invalid type",
        ),
        (
            "sinks:\n  - id: out\n    type: jsonl\n",
            ":3:5: jsonl `out`: missing field `path`",
        ),
    ];
    for (yaml, want) in cases {
        let cfg = write_config(dir.path(), yaml);
        let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{yaml}");
        let err = stderr(&o);
        let expected = format!("{}{want}", cfg.display());
        assert!(
            err.contains(&expected),
            "for\n{yaml}\nwant {expected:?}\ngot {err:?}"
        );
    }
    // A valid config passes.
    let cfg = write_config(
        dir.path(),
        "sources: []\nsinks:\n  - {id: out, type: stdout}\n",
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    // The bundled default config is valid.
    let o = feedloom(&[
        "check",
        "-c",
        repo().join("config/feedloom.yaml").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn sigterm_during_run_drains_and_exits_0_with_every_accepted_item_written_once() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 300);
    let cfg = write_config(
        dir.path(),
        "state_dir: state\npipeline: {channel_capacity: 4, extract_workers: 1}\nsources:\n  - {id: in, type: file, path: in/*.txt}\nsinks:\n  - {id: out, type: jsonl, path: out/items.jsonl, fsync: always}\n",
    );
    let mut child = Command::new(bin())
        .args(["run", "-c", cfg.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = dir.path().join("out/items.jsonl");
    let start = Instant::now();
    while read_jsonl(&out).is_empty() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let first = read_jsonl(&out);
    assert!(!first.is_empty());
    // Whatever was not written in the first run is written by the next, and nothing twice.
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = read_jsonl(&out);
    let mut ids: Vec<&str> = all.iter().map(|v| v["id"].as_str().unwrap()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "an item was written twice");
    assert_eq!(n, 300);
}

#[test]
fn extract_prints_the_enriched_item_for_text_stdin_and_html() {
    let fixture = repo().join(FIXTURE);
    let o = feedloom(&["extract", fixture.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        v["title"],
        "Central Asia: China to school Kyrgyz security officers on crackdown tactics"
    );
    assert!(
        v["text"]
            .as_str()
            .unwrap()
            .contains("Deputy Minister Oktyabr Urmambetov")
    );

    let mut child = Command::new(bin())
        .args(["extract", "--format", "html", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"<html><head><title>Hello</title></head><body><p>One.</p><p>Two.</p></body></html>",
        )
        .unwrap();
    let o = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["title"], "Hello");
    assert_eq!(v["text"], "One.\n\nTwo.");

    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "extractors: []\n");
    let o = feedloom(&[
        "extract",
        "-c",
        cfg.to_str().unwrap(),
        "--published",
        "2025-06-25",
        fixture.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["published"], "2025-06-25T00:00:00Z");
    assert!(
        v.get("entities").is_none(),
        "no extractor ran, so no extractor field"
    );
}

#[test]
fn plugins_and_schemas() {
    let o = feedloom(&["plugins"]);
    let out = stdout(&o);
    for t in ["file", "stdout", "jsonl"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(t)),
            "{t} missing from:\n{out}"
        );
    }
    let o = feedloom(&["schema", "item"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    for f in [
        "id",
        "source",
        "url",
        "title",
        "published",
        "fetched",
        "text",
        "entities",
        "quotes",
        "amounts",
        "dates",
        "countries",
        "keywords",
        "duplicate_of",
        "tags",
    ] {
        assert!(v["properties"].get(f).is_some(), "item schema lacks {f}");
    }
    let o = feedloom(&["schema", "config"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let text = v.to_string();
    assert!(
        text.contains("\"const\":\"jsonl\""),
        "config schema lists sink types"
    );
    assert!(v["properties"].get("sources").is_some());
}

#[test]
fn import_opml_prints_sources_yaml_that_check_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let opml = dir.path().join("subs.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>
<outline text="Asia"><outline text="Eurasianet" type="rss" xmlUrl="https://eurasianet.org/rss"/>
<outline text="RFE/RL Kyrgyz" xmlUrl="https://www.rferl.org/api/zkp"/></outline></body></opml>"#,
    )
    .unwrap();
    let o = feedloom(&["import-opml", opml.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = stdout(&o);
    assert!(
        yaml.contains("url: \"https://eurasianet.org/rss\""),
        "{yaml}"
    );
    let cfg = write_config(
        dir.path(),
        &format!("{yaml}sinks:\n  - {{id: out, type: stdout}}\n"),
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}\n{yaml}", stderr(&o));

    std::fs::write(&opml, "<opml><body></body></opml>").unwrap();
    let o = feedloom(&["import-opml", opml.to_str().unwrap()]);
    assert!(!o.status.success());
}

#[test]
fn import_opml_folders_become_tags_duplicates_merge_and_non_latin_titles_keep_their_letters() {
    let dir = tempfile::tempdir().unwrap();
    let opml = dir.path().join("subs.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>subs</title></head><body>
<outline text="Asia">
  <outline text="Газета.uz" type="rss" xmlUrl="https://www.gazeta.uz/ru/rss/"/>
  <outline text="Eurasianet" type="rss" xmlUrl="https://eurasianet.org/rss"/>
</outline>
<outline text="Energy">
  <outline text="Eurasianet" type="rss" xmlUrl="https://eurasianet.org/rss"/>
  <outline text="Kun.uz" type="rss" xmlUrl="https://kun.uz/news/rss"/>
</outline></body></opml>"#,
    )
    .unwrap();
    let o = feedloom(&[
        "import-opml",
        opml.to_str().unwrap(),
        "--fulltext",
        "--interval",
        "30m",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let yaml = stdout(&o);
    assert_eq!(yaml.matches("type: feed").count(), 3, "{yaml}");
    assert!(yaml.contains("  - id: газета-uz\n"), "{yaml}");
    assert!(
        yaml.contains("  - id: eurasianet\n    type: feed\n    url: \"https://eurasianet.org/rss\"\n    tags: [\"Asia\", \"Energy\"]\n    interval: \"30m\"\n    fulltext: true\n"),
        "{yaml}"
    );
    assert_eq!(yaml.matches("fulltext: true").count(), 3, "{yaml}");
    let cfg = write_config(
        dir.path(),
        &format!("{yaml}sinks:\n  - {{id: out, type: stdout}}\n"),
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}\n{yaml}", stderr(&o));

    let o = feedloom(&["import-opml", opml.to_str().unwrap(), "--interval", "soon"]);
    assert!(!o.status.success());
}

#[test]
fn source_tags_and_default_tags_are_on_every_item_and_route_to_sinks() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("in");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(
        inbox.join("feed.xml"),
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>http://example.com/1</link><category>politics</category></item>
<item><title>Two</title><link>http://example.com/2</link></item>
</channel></rss>"#,
    )
    .unwrap();
    std::fs::write(inbox.join("note.txt"), "A note\n\nSome text.\n").unwrap();
    let cfg = write_config(
        dir.path(),
        "state_dir: state\n\
         defaults:\n  tags: [all, news]\n  fulltext: true\n  fulltext_concurrency: 2\n  fetch_private_networks: false\n\
         sources:\n\
         \x20 - id: feeds\n    type: file\n    path: in/*.xml\n    tags: [energy, news]\n\
         \x20 - id: notes\n    type: file\n    path: in/*.txt\n\
         sinks:\n\
         \x20 - id: all\n    type: jsonl\n    path: out/all.jsonl\n\
         \x20 - id: energy\n    type: jsonl\n    path: out/energy.jsonl\n    when: {tags: [energy]}\n",
    );
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let items = read_jsonl(&dir.path().join("out/all.jsonl"));
    assert_eq!(items.len(), 3, "{items:?}");
    for it in &items {
        let tags: Vec<&str> = it["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("no tags: {it}"))
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        if it["source"] == "feeds" {
            // defaults first, then the source's own, each once.
            for t in ["all", "news", "energy"] {
                assert_eq!(tags.iter().filter(|x| **x == t).count(), 1, "{it}");
            }
        } else {
            assert_eq!(tags, ["all", "news"], "{it}");
        }
    }
    let energy = read_jsonl(&dir.path().join("out/energy.jsonl"));
    assert_eq!(energy.len(), 2);
    assert!(energy.iter().all(|it| it["source"] == "feeds"));

    // A tag must be a string; a range is checked on the default concurrency.
    let bad = write_config(
        dir.path(),
        "sources:\n  - id: s\n    type: file\n    path: in/*.xml\n    tags: [1, {a: b}]\n",
    );
    let o = feedloom(&["check", "-c", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`tags` must be a list of non-empty strings"),
        "{}",
        stderr(&o)
    );
    let bad = write_config(
        dir.path(),
        "defaults:\n  fulltext_concurrency: 0\nsources:\n  - id: s\n    type: file\n    path: in/*.xml\n",
    );
    let o = feedloom(&["check", "-c", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("fulltext_concurrency"),
        "{}",
        stderr(&o)
    );
}
