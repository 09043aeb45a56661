//! End-to-end: extractor plugins (`exec`, `rules`, `wasm`) through the real `feedloom` binary —
//! `feedloom extract -c CONFIG FILE`, misbehaving plugins following `on_error`, and
//! `feedloom check` locating bad plugin options.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{Daemon, feedloom, repo, stderr, stdout, write_config};

fn plugin(name: &str) -> String {
    repo()
        .join("crates/feedloom-plugins/tests/plugins")
        .join(name)
        .display()
        .to_string()
}

fn fixture(name: &str) -> String {
    repo()
        .join("crates/feedloom-plugins/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Write a one-article text file (first line = title) into `dir`.
fn article(dir: &Path, title: &str) -> PathBuf {
    let p = dir.join("article.txt");
    std::fs::write(
        &p,
        format!(
            "{title}\n\nKazakhstan signed a gas pipeline agreement for Line D. \
             A tender worth 1.2 billion follows, a welcome boost for trade.\n"
        ),
    )
    .unwrap();
    p
}

/// Run `feedloom extract -c cfg article` and parse the printed item.
fn extract(dir: &Path, yaml: &str, title: &str) -> (serde_json::Value, String) {
    let cfg = write_config(dir, yaml);
    let art = article(dir, title);
    let o = feedloom(&[
        "extract",
        "-c",
        cfg.to_str().unwrap(),
        art.to_str().unwrap(),
    ]);
    // Exit 1 when an extractor failed on the item (it is printed all the same).
    let failed = stderr(&o).contains("feedloom: extractor ");
    assert_eq!(
        o.status.code(),
        Some(if failed { 1 } else { 0 }),
        "{}",
        stderr(&o)
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim())
        .unwrap_or_else(|e| panic!("not one JSON item ({e}): {}", stdout(&o)));
    assert_eq!(v["title"], title, "the item is printed in every case");
    (v, stderr(&o))
}

const RULES: &str = r#"
  - type: rules
    rules:
      - { name: energy, words: [gas, pipeline, "Line D"], tags: [energy] }
      - { name: tender, regex: "(?i)tender worth (?P<value>[0-9.]+ \\w+)", fields: { tender_value: "$value" } }
"#;

#[test]
fn rules_tag_and_set_fields() {
    let dir = tempfile::tempdir().unwrap();
    let (v, _) = extract(
        dir.path(),
        &format!("sources: []\nsinks: []\nextractors:{RULES}"),
        "Caspian energy",
    );
    assert_eq!(v["tags"], serde_json::json!(["energy"]));
    assert_eq!(v["tender_value"], "1.2 billion");
}

#[test]
fn the_example_python_tagger_enriches_through_exec() {
    let dir = tempfile::tempdir().unwrap();
    let tagger = repo().join("examples/plugins/tagger.py");
    let yaml = format!(
        "sources: []\nsinks: []\nextractors:\n  - type: exec\n    id: tagger\n    command: [python3, {}]\n    timeout: 10s\n",
        tagger.display()
    );
    let (v, _) = extract(dir.path(), &yaml, "Gas deal signed");
    assert_eq!(v["tags"], serde_json::json!(["economy", "energy"]));
    assert_eq!(v["sentiment"], 1.0);

    // The bundled example config works as documented.
    let o = feedloom(&[
        "extract",
        "-c",
        repo()
            .join("examples/plugins/feedloom.yaml")
            .to_str()
            .unwrap(),
        article(dir.path(), "Pipeline news").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["tags"], serde_json::json!(["economy", "energy"]));
    assert_eq!(v["tender_value"], "1.2 billion");
}

#[test]
fn a_wasm_plugin_round_trips_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = format!(
        "sources: []\nsinks: []\nextractors:\n  - type: wasm\n    id: guest\n    path: {}\n    max_memory: 16MiB\n",
        fixture("tagger.wasm")
    );
    let (v, _) = extract(dir.path(), &yaml, "Wasm news");
    assert_eq!(v["tags"], serde_json::json!(["wasm"]));
    assert_eq!(v["echo"]["item"]["title"], "Wasm news");
}

/// A failing plugin first, then the rules: with `on_error: skip` the item goes on unenriched
/// by the plugin, the rules still run, and the binary exits 0.
fn failing_then_rules(plugin_yaml: &str, title: &str) -> (serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let yaml =
        format!("sources: []\nsinks: []\nextractors:\n{plugin_yaml}    on_error: skip\n{RULES}");
    let (v, err) = extract(dir.path(), &yaml, title);
    assert_eq!(
        v["tags"],
        serde_json::json!(["energy"]),
        "later extractors still ran"
    );
    assert!(v.get("plugin_pid").is_none(), "no plugin fields: {v}");
    assert!(
        err.contains("feedloom: extractor "),
        "the failure is reported: {err}"
    );
    (v, err)
}

#[test]
fn a_crashing_exec_plugin_is_skipped() {
    let (_, err) = failing_then_rules(
        &format!(
            "  - type: exec\n    id: crashy\n    command: [python3, {}, \"0\"]\n",
            plugin("crash.py")
        ),
        "Crash",
    );
    assert!(err.contains("exec plugin crashy: exited"), "{err}");
}

#[test]
fn a_hanging_exec_plugin_is_killed_and_skipped() {
    let (_, err) = failing_then_rules(
        &format!(
            "  - type: exec\n    id: sleepy\n    command: [python3, {}]\n    timeout: 500ms\n",
            plugin("hang.py")
        ),
        "hang",
    );
    assert!(
        err.contains("exec plugin sleepy: timed out after 500ms"),
        "{err}"
    );
}

#[test]
fn a_garbage_printing_exec_plugin_is_skipped_with_the_line_quoted() {
    let (_, err) = failing_then_rules(
        &format!(
            "  - type: exec\n    id: noisy\n    command: [python3, {}]\n",
            plugin("garbage.py")
        ),
        "garbage",
    );
    assert!(
        err.contains("exec plugin noisy: invalid response line"),
        "{err}"
    );
    assert!(err.contains("this is not json"), "{err}");
}

#[test]
fn an_over_fuel_wasm_plugin_is_skipped() {
    let (_, err) = failing_then_rules(
        &format!(
            "  - type: wasm\n    id: spinner\n    path: {}\n    fuel: 100000\n",
            fixture("spin.wasm")
        ),
        "Spin",
    );
    assert!(
        err.contains("wasm plugin spinner: ran out of fuel"),
        "{err}"
    );
}

#[test]
fn a_wasm_plugin_over_its_memory_limit_is_skipped() {
    let (_, err) = failing_then_rules(
        &format!(
            "  - type: wasm\n    id: hog\n    path: {}\n    max_memory: 1MiB\n",
            fixture("hog.wasm")
        ),
        "Hog",
    );
    assert!(
        err.contains("wasm plugin hog: exceeded its memory limit of 1MiB"),
        "{err}"
    );
}

#[test]
fn check_locates_a_bad_rules_regex_and_a_bad_wasm_module() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        dir.path(),
        "sources: []\nsinks: []\nextractors:\n  - type: rules\n    rules:\n      - name: a\n        words: [gas]\n      - name: b\n        regex: \"(?P<v\"\n",
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let want = format!("{}:9:16: rules `", cfg.display());
    assert!(err.contains(&want), "want {want:?} in {err:?}");
    assert!(err.contains("invalid regex"), "{err}");

    std::fs::write(dir.path().join("bad.wasm"), b"not wasm").unwrap();
    let cfg = write_config(
        dir.path(),
        "sources: []\nsinks: []\nextractors:\n  - type: wasm\n    path: bad.wasm\n",
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let want = format!("{}:5:11: wasm `", cfg.display());
    assert!(err.contains(&want), "want {want:?} in {err:?}");
    assert!(err.contains("is not a valid wasm module"), "{err}");
}

#[test]
fn check_does_not_start_exec_plugins() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("started");
    let cfg = write_config(
        dir.path(),
        &format!(
            "sources: []\nsinks: []\nextractors:\n  - type: exec\n    command: [python3, -c, \"open('{}', 'w')\"]\n",
            marker.display()
        ),
    );
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!marker.exists(), "check must not run the plugin");
}

/// `feedloom once` over three articles with a plugin that answers one item and then crashes:
/// the run goes on, the plugin is restarted for the third item, and the failed item follows
/// `on_error` (skip: delivered unenriched; drop: not delivered).
#[test]
fn once_keeps_going_when_an_exec_plugin_crashes() {
    for (on_error, delivered) in [("skip", 3), ("drop", 2)] {
        let dir = tempfile::tempdir().unwrap();
        common::write_articles(&dir.path().join("in"), 3);
        let cfg = write_config(
            dir.path(),
            &format!(
                "state_dir: state\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: out, type: jsonl, path: out/items.jsonl, fsync: always}}\nextractors:\n  - type: exec\n    id: crashy\n    command: [python3, {}, \"1\"]\n    on_error: {on_error}\n",
                plugin("crash.py")
            ),
        );
        let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
        // The run goes on, and its exit code says an extractor failed.
        assert_eq!(o.status.code(), Some(1), "{on_error}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("1 extractor failure(s)"),
            "{}",
            stderr(&o)
        );
        let items = common::read_jsonl(&dir.path().join("out/items.jsonl"));
        assert_eq!(items.len(), delivered, "{on_error}: {items:?}");
        let pids: std::collections::BTreeSet<String> = items
            .iter()
            .filter_map(|v| v.get("plugin_pid").map(|p| p.to_string()))
            .collect();
        assert_eq!(
            pids.len(),
            2,
            "{on_error}: two processes answered: {items:?}"
        );
        assert_eq!(
            items
                .iter()
                .filter(|v| v.get("plugin_pid").is_some())
                .count(),
            2,
            "{on_error}"
        );
        assert!(
            stderr(&o).contains("exec plugin crashy: exited"),
            "{}",
            stderr(&o)
        );
    }
}

fn write_article(dir: &Path, file: &str, title: &str) {
    std::fs::write(
        dir.join(file),
        format!("{title}\n\nKazakhstan signed a gas pipeline agreement for Line D.\n"),
    )
    .unwrap();
}

/// The daemon under every kind of plugin failure: an exec plugin that crashes, hangs, prints
/// garbage, answers with a wrong id, writes half a line and exits, or closes its stdout
/// (`on_error: dead_letter`), behind a wasm plugin that exceeds its memory limit on every item
/// (`on_error: skip`). The daemon keeps running, good items are enriched and delivered, bad
/// ones are in the dead-letter store with their error, and an article added later still goes
/// through (the plugin was restarted).
#[test]
fn the_daemon_keeps_running_through_failing_plugins_and_dead_letters_their_items() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let bad = [
        "crash",
        "hang",
        "garbage",
        "wrong-id",
        "partial-exit",
        "close-stdout",
    ];
    for (n, title) in bad.iter().enumerate() {
        write_article(&input, &format!("b{n}.txt"), title);
    }
    write_article(&input, "g0.txt", "fine one");
    write_article(&input, "g1.txt", "fine two");
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: state
sources:
  - {{id: in, type: file, path: in/*.txt, interval: 1s}}
sinks:
  - {{id: out, type: jsonl, path: out/items.jsonl, fsync: always}}
extractors:
  - type: wasm
    id: hog
    path: {hog}
    max_memory: 1MiB
    on_error: skip
  - type: exec
    id: rogue
    command: [python3, {rogue}]
    timeout: 5s
    on_error: dead_letter
{RULES}",
            hog = fixture("hog.wasm"),
            rogue = plugin("misbehave.py"),
        ),
    );
    let out = dir.path().join("out/items.jsonl");
    let mut d = Daemon::start(&cfg);
    d.wait("the two good items", |_| {
        common::read_jsonl(&out).len() >= 2
    });
    // Added while the daemon runs, after every failure: the plugin still answers.
    write_article(&input, "g2.txt", "fine three");
    d.wait("the third good item", |_| {
        common::read_jsonl(&out).len() >= 3
    });
    let log = d.log();
    assert!(d.child.try_wait().unwrap().is_none(), "still running");
    let st = d.stop();
    assert!(st.success(), "{st}\n{log}");

    let items = common::read_jsonl(&out);
    let mut titles: Vec<&str> = items.iter().map(|v| v["title"].as_str().unwrap()).collect();
    titles.sort();
    assert_eq!(titles, ["fine one", "fine three", "fine two"], "{items:?}");
    for v in &items {
        assert!(v.get("plugin_pid").is_some(), "enriched by the plugin: {v}");
        assert_eq!(v["tags"], serde_json::json!(["energy"]), "rules ran: {v}");
    }
    assert!(
        log.contains("wasm plugin hog: exceeded its memory limit of 1MiB"),
        "{log}"
    );

    let o = feedloom(&["dlq", "list", "-c", cfg.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let letters: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut by_title = std::collections::BTreeMap::new();
    for l in &letters {
        assert_eq!(l["sink"], "extractor:rogue", "{l}");
        let title = l["items"][0]["title"].as_str().unwrap().to_string();
        by_title.insert(title, l["error"].as_str().unwrap().to_string());
    }
    let want = [
        ("close-stdout", "closed its stdout without answering"),
        ("crash", "exited (exit status: 3) without answering"),
        ("garbage", "invalid response line \"loading model... done\""),
        ("hang", "timed out after 5s"),
        ("partial-exit", "in the middle of response line"),
        ("wrong-id", "(answers id "),
    ];
    assert_eq!(
        by_title.keys().map(String::as_str).collect::<Vec<_>>(),
        want.iter().map(|w| w.0).collect::<Vec<_>>(),
        "{letters:?}"
    );
    for (title, msg) in want {
        let e = &by_title[title];
        assert!(e.starts_with("exec plugin rogue: "), "{title}: {e}");
        assert!(e.contains(msg), "{title}: {e}");
    }
}
