//! A newcomer's first hour: config mistakes get a located, helpful error from `check`.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// `feedloom check` on `yaml`: its exit code and stderr.
fn check(yaml: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), yaml);
    let o = feedloom(&["check", "-c", cfg.to_str().unwrap()]);
    // Paths in messages are the config's; make them stable for the assertions.
    let err = stderr(&o).replace(cfg.to_str().unwrap(), "feedloom.yaml");
    (o.status.code(), err)
}

fn assert_check_fails(yaml: &str, want: &str) {
    let (code, err) = check(yaml);
    assert_eq!(
        code,
        Some(2),
        "check should exit 2 for\n{yaml}\nstderr: {err}"
    );
    assert!(
        err.lines().any(|l| l.starts_with(want)),
        "for\n{yaml}\nwant a line starting {want:?}\ngot:\n{err}"
    );
}

const SOURCE: &str = "sources:\n  - id: samples\n    type: file\n    path: in/*.txt\n";

#[test]
fn absurd_durations_ratios_and_addresses_are_refused_with_their_range() {
    let cases: &[(&str, &str)] = &[
        (
            "defaults:\n  interval: 0s\n",
            "feedloom.yaml:2:13: `interval` 0s is out of range: must be between 100ms and 30d",
        ),
        (
            "defaults:\n  jitter: 5\n",
            "feedloom.yaml:2:11: `jitter` 5 is out of range: must be between 0 and 0.5",
        ),
        (
            "defaults:\n  jitter: -1\n",
            "feedloom.yaml:2:11: `jitter` -1 is out of range: must be between 0 and 0.5",
        ),
        (
            "defaults:\n  timeout: 0s\n",
            "feedloom.yaml:2:12: `timeout` 0s is out of range: must be between 100ms and 1h",
        ),
        (
            "admin:\n  listen: \"9180\"\n",
            "feedloom.yaml:2:11: admin.listen \"9180\" is not an address: did you mean 127.0.0.1:9180?",
        ),
        (
            "sources:\n  - id: news\n    type: feed\n    url: https://example.org/rss\n    interval: 0s\n",
            "feedloom.yaml:5:15: feed `news`: `interval` 0s is out of range",
        ),
        (
            "extractors:\n  - type: dedup\n    threshold: 1.5\n",
            "feedloom.yaml:3:16: dedup `dedup`: `threshold` 1.5 is out of range: must be between 0.01 and 1",
        ),
        (
            "extractors:\n  - type: wasm\n    path: x.wasm\n    max_memory: 1KiB\n",
            "feedloom.yaml:4:17: wasm `wasm`: `max_memory` 1KiB is out of range: must be between 64KiB and 4GiB",
        ),
        (
            "sinks:\n  - id: out\n    type: jsonl\n    path: out.jsonl\n    fsync_interval: 0s\n",
            "feedloom.yaml:5:21: jsonl `out`: `fsync_interval` 0s is out of range",
        ),
        (
            "sinks:\n  - id: hook\n    type: webhook\n    url: https://example.org/in\n    timeout: 0s\n",
            "feedloom.yaml:5:14: webhook `hook`: `timeout` 0s is out of range",
        ),
        (
            "pipeline:\n  drain_timeout: 2d\n",
            "feedloom.yaml:2:18: `drain_timeout` 2d is out of range: must be between 0s and 1h",
        ),
    ];
    for (yaml, want) in cases {
        assert_check_fails(yaml, want);
    }
}

#[test]
fn misspelled_keys_get_did_you_mean() {
    assert_check_fails(
        "sources:\n  - id: samples\n    tpye: file\n    path: in/*.txt\n",
        "feedloom.yaml:3:5: unknown field `tpye`, did you mean `type`?",
    );
    assert_check_fails(
        "defaults:\n  intervall: 5m\n",
        "feedloom.yaml:2:3: unknown field `intervall`, did you mean `interval`?",
    );
    assert_check_fails(
        &format!("{SOURCE}sinks:\n  - id: out\n    type: jsonl\n    paht: out.jsonl\n"),
        "feedloom.yaml:8:5: jsonl `out`: unknown field `paht`, did you mean `path`?",
    );
}

#[test]
fn an_extractors_known_keys_include_id_and_on_error() {
    let (code, err) = check("extractors:\n  - type: clean\n    on_eror: drop\n");
    assert_eq!(code, Some(2), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("feedloom.yaml:3:5: clean `clean`: unknown field `on_eror`"))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("did you mean `on_error`?"), "{line}");
    for key in ["`id`", "`type`", "`on_error`", "`patterns`"] {
        assert!(line.contains(key), "{key} missing from {line}");
    }
}

#[test]
fn a_duplicate_key_is_located_without_the_yaml_librarys_internals() {
    let (code, err) =
        check("sinks:\n  - id: out\n    type: stdout\n    pretty: true\n    pretty: false\n");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.starts_with("feedloom.yaml:5:5: duplicate key `pretty` (first at 4:5)"),
        "{err}"
    );
    assert!(!err.contains("DuplicateKeyPolicy"), "{err}");
}

#[test]
fn sizes_take_units_everywhere() {
    let yaml = format!(
        "defaults:\n  max_bytes: 10MB\n{SOURCE}  - id: news\n    type: feed\n    url: https://example.org/rss\n    max_bytes: 512KiB\nsinks:\n  - id: out\n    type: stdout\n"
    );
    let (code, err) = check(&yaml);
    assert_eq!(code, Some(0), "{err}");
    assert_check_fails(
        "defaults:\n  max_bytes: 10 megabytes\n",
        "feedloom.yaml:2:14: invalid size \"10 megabytes\"",
    );
}

/// Every duration, size and fractional option of every built-in plugin (and of `defaults`,
/// `pipeline` and the sinks' common keys) has a declared range: a new option without one
/// fails here instead of letting `0s` through.
#[test]
fn every_duration_size_and_ratio_in_the_schema_has_a_range() {
    use feedloom_runtime::config::bounds::rule_for;
    let registry = feedloom::builtin_registry();
    let schema = feedloom_runtime::config::config_schema(&registry);
    let defs = schema.get("$defs").cloned().unwrap_or(Value::Null);
    let mut missing = Vec::new();
    let mut checked = 0;
    let mut visit = |section: &str, kind: Option<&str>, props: &Value| {
        let Some(props) = props.as_object() else {
            return;
        };
        for (key, s) in props {
            if ranged_kind(s).is_some() {
                checked += 1;
                if rule_for(section, kind, key).is_none() {
                    missing.push(format!("{section} {} {key}", kind.unwrap_or("")));
                }
            }
        }
    };
    for (section, def) in [("defaults", "Defaults"), ("pipeline", "PipelineSettings")] {
        visit(section, None, &defs[def]["properties"]);
    }
    for section in ["sources", "extractors", "sinks"] {
        let variants = schema["properties"][section]["items"]["oneOf"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(!variants.is_empty(), "no {section} in the schema");
        for v in &variants {
            // The variant is a `$ref` to the plugin's options plus the runtime's keys.
            let kind = v["properties"]["type"]["const"]
                .as_str()
                .map(str::to_string);
            visit(section, kind.as_deref(), &v["properties"]);
            visit(section, kind.as_deref(), &resolve(v, &defs)["properties"]);
        }
    }
    assert!(
        checked >= 20,
        "only {checked} ranged options found: is the walk right?"
    );
    assert!(
        missing.is_empty(),
        "options without a declared range: {missing:?}"
    );
}

/// A schema with its `$ref` followed.
fn resolve<'a>(s: &'a Value, defs: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .rsplit('/')
            .next()
            .and_then(|name| defs.get(name))
            .unwrap_or(s),
        None => s,
    }
}

/// "duration", "size" or "ratio" when the property's schema (or an `anyOf` branch of it, as
/// for an `Option`) is one of them.
fn ranged_kind(s: &Value) -> Option<&'static str> {
    let mut branches = vec![s];
    for k in ["anyOf", "oneOf"] {
        if let Some(a) = s.get(k).and_then(Value::as_array) {
            branches.extend(a.iter());
        }
    }
    for b in branches {
        if let Some(r) = b.get("$ref").and_then(Value::as_str) {
            if r.ends_with("/Duration") {
                return Some("duration");
            }
            if r.ends_with("/Size") {
                return Some("size");
            }
        }
        let types = match b.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if types.contains(&"number") {
            return Some("ratio");
        }
    }
    None
}

#[test]
fn the_config_schema_describes_sizes() {
    let o = feedloom(&["schema", "config"]);
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let size = &v["$defs"]["Size"];
    let text = size.to_string();
    assert!(
        text.contains("KiB") && text.contains("powers of 1000"),
        "{text}"
    );
}

/// Write a config whose webhook sink needs a secret the shell does not have.
fn secret_config(dir: &Path) -> std::path::PathBuf {
    write_config(
        dir,
        "state_dir: st\nsources:\n  - {id: samples, type: file, path: in/*.txt}\nsinks:\n  - id: hook\n    type: webhook\n    url: https://example.org/in\n    secret: ${FEEDLOOM_NEWCOMER_UNSET_SECRET}\n",
    )
}

#[test]
fn status_and_dlq_list_run_without_a_sinks_secret() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = secret_config(dir.path());
    let c = cfg.to_str().unwrap();
    for args in [
        &["status", "-c", c][..],
        &["dlq", "list", "-c", c][..],
        &["dlq", "purge", "-c", c][..],
    ] {
        let o = feedloom(args);
        assert!(
            o.status.success(),
            "{args:?} failed: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert!(
            !stderr(&o).contains("FEEDLOOM_NEWCOMER_UNSET_SECRET"),
            "{args:?}: {}",
            stderr(&o)
        );
    }
    // What needs the secret still refuses to run without it, located.
    for args in [&["check", "-c", c][..], &["dlq", "replay", "-c", c][..]] {
        let o = feedloom(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(
                ":8:13: environment variable `FEEDLOOM_NEWCOMER_UNSET_SECRET` is not set"
            ),
            "{args:?}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_jsonl_path_through_a_regular_file_is_dead_lettered_at_once() {
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 2);
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/file.txt"), "a file").unwrap();
    let cfg = write_config(
        dir.path(),
        "state_dir: st\nsources:\n  - {id: samples, type: file, path: in/*.txt}\nsinks:\n  - {id: archive, type: jsonl, path: out/file.txt/items.jsonl}\n",
    );
    let started = std::time::Instant::now();
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    // A permanent error is not retried for the sink's whole backoff.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "took {:?}: {}",
        started.elapsed(),
        stderr(&o)
    );
    assert!(!o.status.success(), "{}", stderr(&o));
    let list = feedloom(&["dlq", "list", "-c", cfg.to_str().unwrap()]);
    let out = stdout(&list);
    assert!(
        out.contains("file.txt is a file, not a directory"),
        "{out}\n{}",
        stderr(&o)
    );
}

#[test]
fn log_level_debug_keeps_dependencies_quiet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("in")).unwrap();
    std::fs::write(
        dir.path().join("in/a.html"),
        "<html><head><title>Gas deal</title></head><body><nav>Home | About</nav><article><h1>Gas deal</h1><p>Kazakhstan and China signed a gas agreement in Astana on Monday, officials said.</p><p>The deal covers deliveries until 2030.</p></article></body></html>",
    )
    .unwrap();
    let cfg = write_config(
        dir.path(),
        "state_dir: st\nsources:\n  - {id: samples, type: file, path: in/*}\nextractors:\n  - type: clean\nsinks:\n  - {id: out, type: jsonl, path: out.jsonl}\n",
    );
    let c = cfg.to_str().unwrap();
    // The HTML parser logs thousands of debug lines for this one page: none of them shows.
    let o = feedloom(&["--log-level", "debug", "once", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("feedloom::cli: done"), "{err}");
    for line in err
        .lines()
        .filter(|l| l.contains("DEBUG") || l.contains("TRACE"))
    {
        assert!(
            line.contains(" feedloom"),
            "a dependency's debug line: {line}"
        );
    }
    let dependency_lines = |err: &str| err.lines().filter(|l| l.contains(" html5ever::")).count();
    // A directive with targets is used as given.
    std::fs::remove_dir_all(dir.path().join("st")).unwrap();
    let o = feedloom(&["--log-level", "info,html5ever=debug", "once", "-c", c]);
    assert!(dependency_lines(&stderr(&o)) > 0, "{}", stderr(&o));
    // So is an explicit RUST_LOG.
    std::fs::remove_dir_all(dir.path().join("st")).unwrap();
    let o = std::process::Command::new(bin())
        .args(["once", "-c", c])
        .env("RUST_LOG", "info,html5ever=debug")
        .output()
        .unwrap();
    assert!(dependency_lines(&stderr(&o)) > 0, "{}", stderr(&o));
}

/// `feedloom extract --explain`: every entity, quote speaker, amount and date with the named
/// rule that decided it, so that a newcomer who wants to change one finds it by name.
#[test]
fn extract_explain_names_the_rule_behind_each_fact() {
    let dir = tempfile::tempdir().unwrap();
    let art = dir.path().join("article.txt");
    std::fs::write(
        &art,
        "Astana signs pipeline deal\n\
         President Kassym-Jomart Tokayev met the board of KazMunayGas in Astana on 3 March 2025. \
         The company will invest $1.2 billion in the line, officials said.\n\n\
         \"We will finish it by 2027,\" Tokayev said.\n",
    )
    .unwrap();
    let o = feedloom(&[
        "extract",
        "--explain",
        "--published",
        "2025-03-04",
        art.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    // extractor, fact, outcome..., span, "text", by, rule
    let lines: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    for fact in ["entity", "quote", "amount", "date"] {
        assert!(
            lines.iter().any(|l| l.get(1) == Some(&fact)),
            "no {fact} explained in:\n{out}"
        );
    }
    for l in &lines {
        let n = l.len();
        assert!(
            n >= 5 && l[n - 2] == "by" && !l[n - 1].is_empty(),
            "a line without its rule: {l:?}"
        );
    }
    let line_of = |needle: &str| {
        out.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle} in:\n{out}"))
    };
    assert!(line_of("\"$1.2 billion\"").contains("USD"), "{out}");
    assert!(line_of("\"3 March 2025\"").contains("2025-03-03"), "{out}");
    assert!(
        line_of("\"Kassym-Jomart Tokayev\"").contains("person"),
        "{out}"
    );
    // The quote's speaker, resolved to the person named earlier.
    assert!(
        out.lines()
            .any(|l| l.contains(" quote ") && l.contains("Tokayev")),
        "{out}"
    );
}
