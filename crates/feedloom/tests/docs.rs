//! The documentation against the code: every option has a description in the schema, every
//! YAML example is a config `feedloom check` accepts, and every option table names the real
//! options with their real defaults. All through the registry the binary composes
//! ([`feedloom::builtin_registry`]) and the schema `feedloom schema config` prints.
//!
//! # The YAML examples
//!
//! Every ```` ```yaml ```` (or ```` ```yml ````) fence in `README.md`, `docs/*.md`, `crates/*/README.md` and
//! `examples/**/README.md` is checked, by its shape and its info string:
//!
//! * ```` ```yaml not-config ````: not a feedloom config (a Prometheus scrape config): counted,
//!   not checked. ```` ```yaml invalid ````: deliberately wrong: it must fail the check.
//! * A mapping of top-level keys (`sources:`, `sinks:`, `admin:`, ...) is a whole config,
//!   checked the way `feedloom check` checks it: parsed, then every component built once
//!   against the real registry (no network).
//! * A list is a fragment of one section: the one (`sources`, `extractors` or `sinks`) whose
//!   types include every entry's `type:`. It is put under that key in an otherwise empty
//!   config and checked as above. A mapping with a `type:` is one such entry.
//!
//! Relative paths resolve against a scratch directory holding a link to the repository's
//! `examples/` and, at every `path:` of a `wasm` extractor, a minimal valid module (the
//! examples name a module the reader builds). `${VAR}` is a placeholder value.
//!
//! # The option tables
//!
//! A markdown table is an option table when it has a column `option` and a column `default`
//! (one table per plugin: the plugin is the `type: NAME` of the heading above it; or, for a
//! heading with `` `defaults:` ``, `` `pipeline:` ``, `` `admin:` `` or `` `when:` ``, that
//! mapping; for `` `extractors:` `` or `` `sinks:` ``, the keys the runtime adds to every
//! extractor or sink besides `id` and `type`), or a column
//! whose header starts with `options` (one row per plugin, named in the first cell; the cell
//! lists the options as `` `name: default` ``). Each named option must be a property of the
//! plugin, each property must be named, and each default must equal the schema's
//! (`(required)` for a required option; for an option whose schema has no default, words,
//! or `` `defaults.NAME` `` for one that falls back to a property of `defaults:`).

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use feedloom_core::Registry;
use feedloom_runtime::config::{Config, config_schema};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

// ---------------------------------------------------------------------------------------
// Every schema property has a description.
// ---------------------------------------------------------------------------------------

/// Every property under `v` (at any depth) without a description, as `where.property`;
/// `count` counts the properties seen.
fn undocumented(v: &Value, at: &str, count: &mut usize, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Object(props)) = o.get("properties") {
                for (name, p) in props {
                    *count += 1;
                    // `feedloom schema config` appends each declared range ("Range: between
                    // 100ms and 10m (...)"): that alone does not document the option.
                    let described = p
                        .get("description")
                        .and_then(Value::as_str)
                        .and_then(|d| d.split("Range: ").next())
                        .is_some_and(|d| !d.trim().is_empty());
                    if !described {
                        out.push(format!("{at}.{name}"));
                    }
                }
            }
            for (k, x) in o {
                let at = if k == "properties" || k == "$defs" {
                    at.to_string()
                } else {
                    format!("{at}/{k}")
                };
                undocumented(x, &at, count, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                undocumented(x, &format!("{at}/{i}"), count, out);
            }
        }
        _ => {}
    }
}

/// One plugin's options schema, from the schema fn its factory stores, with its definitions.
fn plugin_schema(schema: fn(&mut schemars::SchemaGenerator) -> schemars::Schema) -> Value {
    let mut g = schemars::SchemaGenerator::default();
    let s = schema(&mut g);
    let mut v = serde_json::to_value(s).unwrap();
    let defs = serde_json::to_value(g.definitions()).unwrap();
    if let Value::Object(o) = &mut v {
        o.insert("$defs".into(), defs);
    }
    v
}

fn plugins(reg: &Registry) -> Vec<(&'static str, String, Value)> {
    let mut out = Vec::new();
    for (n, f) in reg.sources() {
        out.push(("source", n.to_string(), plugin_schema(f.schema)));
    }
    for (n, f) in reg.extractors() {
        out.push(("extractor", n.to_string(), plugin_schema(f.schema)));
    }
    for (n, f) in reg.sinks() {
        out.push(("sink", n.to_string(), plugin_schema(f.schema)));
    }
    out
}

#[test]
fn every_schema_property_has_a_description() {
    let reg = feedloom::builtin_registry();
    let mut offenders = Vec::new();
    let mut plugin_props = 0;
    let kinds = plugins(&reg);
    for (role, name, schema) in &kinds {
        let mut found = Vec::new();
        undocumented(schema, "", &mut plugin_props, &mut found);
        for f in found {
            // `.min_words` for the options struct itself, `/$defs/Rule.name` for a nested type.
            offenders.push(format!("{role} `{name}`: {}", f.trim_start_matches('/')));
        }
    }
    // The whole config schema: the top level, `defaults`, `pipeline`, `admin`, and the keys the
    // runtime adds to each component (`id`, `type`, `on_error`, `when`, `max_retries`, ...).
    let mut config_props = 0;
    let mut found = Vec::new();
    undocumented(
        &config_schema(&reg),
        "config",
        &mut config_props,
        &mut found,
    );
    offenders.extend(found);
    offenders.sort();
    offenders.dedup();
    println!(
        "checked {plugin_props} option properties of {} plugin types and {config_props} \
         properties of the config schema",
        kinds.len()
    );
    assert!(plugin_props > 50 && config_props > plugin_props);
    assert!(
        offenders.is_empty(),
        "{} schema properties have no description (add a `///` doc comment to the field):\n  {}",
        offenders.len(),
        offenders.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------
// Every YAML example is valid.
// ---------------------------------------------------------------------------------------

/// The markdown files whose examples and tables are checked.
fn doc_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = vec![root.join("README.md")];
    let add_dir = |dir: PathBuf, name: Option<&str>, files: &mut Vec<PathBuf>| {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut found: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        found.sort();
        for p in found {
            match name {
                None if p.extension().is_some_and(|e| e == "md") => files.push(p),
                Some(n) if p.join(n).is_file() => files.push(p.join(n)),
                _ => {}
            }
        }
    };
    add_dir(root.join("docs"), None, &mut files);
    add_dir(root.join("crates"), Some("README.md"), &mut files);
    // examples/**/README.md
    let mut stack = vec![root.join("examples")];
    let mut examples = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.filter_map(|e| e.ok()) {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() && name != "target" && name != "node_modules" {
                stack.push(p);
            } else if name == "README.md" {
                examples.push(p);
            }
        }
    }
    examples.sort();
    files.extend(examples);
    files
}

fn rel(p: &Path) -> String {
    let root = root().canonicalize().unwrap();
    let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    p.strip_prefix(&root)
        .unwrap_or(&p)
        .to_string_lossy()
        .into_owned()
}

/// One fenced code block.
struct Fence {
    /// `file:line` of the opening fence.
    at: String,
    file: String,
    /// Line of the opening fence.
    line: usize,
    /// The info string after the backticks (`yaml not-config`).
    info: String,
    text: String,
}

fn fences(file: &Path) -> Vec<Fence> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    let mut open: Option<(usize, String, String, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((
                        i + 1,
                        indent.to_string(),
                        info.trim().to_string(),
                        Vec::new(),
                    ));
                }
            }
            Some((start, ind, info, body)) => {
                if trimmed.starts_with("```") {
                    out.push(Fence {
                        at: format!("{}:{start}", rel(file)),
                        file: rel(file),
                        line: *start,
                        info: info.clone(),
                        text: body.join("\n"),
                    });
                    open = None;
                } else {
                    body.push(line.strip_prefix(ind.as_str()).unwrap_or(line));
                }
            }
        }
    }
    assert!(open.is_none(), "{}: a fence is never closed", rel(file));
    out
}

/// A minimal valid wasm module: exports `memory`, `alloc(i32) -> i32` and
/// `process(i32, i32) -> i64`, imports nothing.
const MINIMAL_WASM: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x0c, 0x02, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01,
    0x7e, // types
    0x03, 0x03, 0x02, 0x00, 0x01, // functions
    0x05, 0x03, 0x01, 0x00, 0x01, // memory: 1 page
    0x07, 0x1c, 0x03, // exports
    0x06, b'm', b'e', b'm', b'o', b'r', b'y', 0x02, 0x00, //
    0x05, b'a', b'l', b'l', b'o', b'c', 0x00, 0x00, //
    0x07, b'p', b'r', b'o', b'c', b'e', b's', b's', 0x00, 0x01, //
    0x0a, 0x0c, 0x02, // code
    0x05, 0x00, 0x41, 0x80, 0x08, 0x0b, // alloc: i32.const 1024
    0x04, 0x00, 0x42, 0x00, 0x0b, // process: i64.const 0 ("nothing to add")
];

fn placeholder_env(_: &str) -> Option<String> {
    Some("placeholder-value".into())
}

/// What one fence is, by the rule at the top of this file.
enum Shape {
    Config(String),
    /// `text` is a list; `shift` is the columns the wrapping moved it right by.
    Fragment {
        section: &'static str,
        text: String,
        shift: usize,
    },
    NotYaml(String),
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}\n"))
        .collect::<String>()
}

/// Is `text` a mapping of top-level config keys, a list of components, or one component?
fn shape(text: &str, reg: &Registry) -> Shape {
    let file = Path::new("example.yaml");
    // Read the fragment's `type:`s by putting it under `extractors:` (where `id` is optional).
    let as_list = if text.trim_start().starts_with('-') {
        text.to_string()
    } else {
        // One component's mapping (a `type:` at the top level), else a whole config.
        let first_key = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .and_then(|l| l.split(':').next())
            .unwrap_or("");
        let top = [
            "state_dir",
            "defaults",
            "pipeline",
            "admin",
            "sources",
            "extractors",
            "sinks",
        ];
        if top.contains(&first_key) || !text.lines().any(|l| l.starts_with("type:")) {
            return Shape::Config(text.to_string());
        }
        indent(text, "  ").replacen("  ", "- ", 1)
    };
    let wrapped = format!("extractors:\n{}", indent(&as_list, "  "));
    let cfg = match Config::parse(&wrapped, file, &placeholder_env) {
        Ok(c) => c,
        Err(e) => return Shape::NotYaml(e.to_string()),
    };
    let kinds: Vec<&str> = cfg
        .extractors
        .iter()
        .map(|x| x.component.kind.as_str())
        .collect();
    let known = |section: &str, k: &str| match section {
        "sources" => reg.source(k).is_some(),
        "extractors" => reg.extractor(k).is_some(),
        _ => reg.sink(k).is_some(),
    };
    let fits: Vec<&'static str> = ["sources", "extractors", "sinks"]
        .into_iter()
        .filter(|s| !kinds.is_empty() && kinds.iter().all(|k| known(s, k)))
        .collect();
    match fits.as_slice() {
        [section] => Shape::Fragment {
            section,
            shift: if text.trim_start().starts_with('-') {
                2
            } else {
                4
            },
            text: as_list,
        },
        _ => Shape::NotYaml(format!(
            "a list whose types ({}) are not all of one section",
            kinds.join(", ")
        )),
    }
}

/// Check `text` as a whole config the way `feedloom check` does, in `dir`.
/// Errors as (line, column, message) in `text`.
fn check_config(text: &str, dir: &Path, reg: &Registry) -> Result<(), Vec<(usize, usize, String)>> {
    let file = dir.join("feedloom.yaml");
    // The examples name wasm modules the reader builds: put a minimal one at each path.
    if let Ok(cfg) = Config::parse(text, &file, &placeholder_env) {
        for x in cfg.extractors.iter().filter(|x| x.component.kind == "wasm") {
            if let Some(p) = x
                .component
                .options
                .get("path")
                .as_ref()
                .and_then(Value::as_str)
            {
                let p = dir.join(p);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(&p, MINIMAL_WASM).unwrap();
            }
        }
    }
    Config::from_str(text, &file, reg, &placeholder_env)
        .map(|_| ())
        .map_err(|e| {
            e.0.into_iter()
                .map(|e| (e.line, e.col, e.message))
                .collect()
        })
}

fn scratch_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        root().join("examples").canonicalize().unwrap(),
        dir.path().join("examples"),
    )
    .unwrap();
    dir
}

#[test]
fn every_yaml_example_is_valid() {
    let reg = feedloom::builtin_registry();
    let (mut configs, mut fragments, mut marked) = (0, 0, Vec::new());
    let mut failures = Vec::new();
    let mut files = 0;
    for file in doc_files() {
        files += 1;
        for f in fences(&file) {
            let mut words = f.info.split_whitespace();
            if !matches!(words.next(), Some("yaml" | "yml")) {
                continue;
            }
            let marks: Vec<&str> = words.collect();
            if marks.contains(&"not-config") {
                marked.push(format!("{} (not-config)", f.at));
                continue;
            }
            let invalid = marks.contains(&"invalid");
            if let Some(m) = marks.iter().find(|m| **m != "invalid") {
                failures.push(format!(
                    "{}: unknown mark `{m}` (use `not-config` or `invalid`)",
                    f.at
                ));
                continue;
            }
            let dir = scratch_dir();
            // Errors located in the markdown file: FILE:LINE:COL: message.
            let locate = |errs: Vec<(usize, usize, String)>, lines: isize, cols: usize| {
                errs.iter()
                    .map(|(l, c, m)| {
                        let line = (f.line as isize + *l as isize + lines).max(1);
                        format!("{}:{line}:{}: {m}", f.file, c.saturating_sub(cols).max(1))
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let result = match shape(&f.text, &reg) {
                Shape::Config(text) => {
                    configs += 1;
                    check_config(&text, dir.path(), &reg).map_err(|e| locate(e, 0, 0))
                }
                Shape::Fragment {
                    section,
                    text,
                    shift,
                } => {
                    fragments += 1;
                    let wrapped = format!("{section}:\n{}", indent(&text, "  "));
                    check_config(&wrapped, dir.path(), &reg).map_err(|e| locate(e, -1, shift))
                }
                Shape::NotYaml(e) => Err(format!("{}: {e}", f.at)),
            };
            match (result, invalid) {
                (Ok(()), false) => {}
                (Err(e), true) => marked.push(format!("{} (invalid, as marked: {e})", f.at)),
                (Err(e), false) => failures.push(e),
                (Ok(()), true) => failures.push(format!(
                    "{}: marked `invalid`, but the check accepts it",
                    f.at
                )),
            }
        }
    }
    // The shipped configs too.
    let shipped = [
        root().join("config/feedloom.yaml"),
        root().join("examples/plugins/feedloom.yaml"),
    ];
    for p in &shipped {
        let text = std::fs::read_to_string(p).unwrap();
        if let Err(e) = Config::from_str(&text, p, &reg, &placeholder_env) {
            failures.push(format!("{}: {e}", rel(p)));
        }
    }
    println!(
        "{files} markdown files: checked {} YAML examples ({configs} whole configs, {fragments} \
         fragments) and {} shipped configs; {} marked:\n  {}",
        configs + fragments,
        shipped.len(),
        marked.len(),
        marked.join("\n  ")
    );
    assert!(
        failures.is_empty(),
        "{} YAML examples fail `feedloom check`:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
    // A fence parser that finds nothing passes everything: the docs hold at least these.
    assert!(
        configs >= 6 && fragments >= 2,
        "{configs} configs, {fragments} fragments"
    );
}

// ---------------------------------------------------------------------------------------
// Option tables match the schema.
// ---------------------------------------------------------------------------------------

/// A plugin's options: property name → (default, required).
struct Options {
    props: BTreeMap<String, Option<Value>>,
    required: BTreeSet<String>,
}

fn options_of(schema: &Value) -> Options {
    // The options struct is behind the root `$ref`, or is the root itself.
    let body = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            &schema["$defs"][name]
        }
        None => schema,
    };
    let props = body
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.get("default").cloned()))
        .collect();
    let required = body
        .get("required")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Options { props, required }
}

/// The options of a mapping of the config schema (`defaults`, `pipeline`, `admin`, `when`), or
/// the keys the runtime adds to every component of a section (`extractors`, `sinks`).
fn section_options(config: &Value, section: &str) -> Option<Options> {
    let of_def = |name: &str| {
        options_of(&serde_json::json!({
            "$ref": format!("#/$defs/{name}"),
            "$defs": config["$defs"],
        }))
    };
    match section {
        "defaults" | "pipeline" | "admin" => {
            let r = config["properties"][section].to_string();
            let name = ["Defaults", "PipelineSettings", "AdminSettings"]
                .into_iter()
                .find(|n| r.contains(&format!("/{n}\"")))?;
            Some(of_def(name))
        }
        "when" => Some(of_def("When")),
        "sources" | "extractors" | "sinks" => {
            // Every variant holds the runtime's keys beside `id`, `type` and the plugin's `$ref`.
            let variant = &config["properties"][section]["items"]["oneOf"][0];
            let mut o = options_of(&serde_json::json!({
                "properties": variant["properties"],
            }));
            o.props.remove("id");
            o.props.remove("type");
            Some(o)
        }
        _ => None,
    }
}

/// A YAML scalar or flow value as written in a table, read by the real config loader.
fn yaml_value(text: &str) -> Option<Value> {
    let doc = format!("sources:\n  - {{id: x, type: x, v: {text}}}\n");
    let cfg = Config::parse(&doc, Path::new("table.yaml"), &|_| None).ok()?;
    cfg.sources.first()?.options.get("v")
}

/// Same default: equal values, or equal durations or sizes however written (`7d`, `168h`).
fn same_default(table: &Value, schema: &Value) -> bool {
    if table == schema {
        return true;
    }
    if let (Ok(a), Ok(b)) = (
        serde_json::from_value::<feedloom_core::Duration>(table.clone()),
        serde_json::from_value::<feedloom_core::Duration>(schema.clone()),
    ) {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (
        serde_json::from_value::<feedloom_core::Size>(table.clone()),
        serde_json::from_value::<feedloom_core::Size>(schema.clone()),
    ) {
        return a == b;
    }
    // 1 and 1.0
    matches!((table.as_f64(), schema.as_f64()), (Some(a), Some(b)) if a == b)
}

/// The text of each `code span` in a markdown cell.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_string())
        .collect()
}

/// The cells of a markdown table row (`|` inside a code span escaped as `\|`).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// What a table says about one plugin: option → its default cell.
struct Table {
    at: String,
    plugin: String,
    /// (option, default cell, `file:line` of the row)
    rows: Vec<(String, String, String)>,
}

/// The option tables of one markdown file, by the rule at the top of this file.
fn option_tables(file: &Path) -> Vec<Table> {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut heading_type: Option<String> = None;
    let mut in_fence = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if in_fence {
            i += 1;
            continue;
        }
        if line.starts_with('#') {
            // `type: feed` names a plugin; `defaults:` a mapping of the config.
            heading_type = code_spans(line).iter().find_map(|s| {
                s.strip_prefix("type: ")
                    .map(str::to_string)
                    .or_else(|| s.ends_with(':').then(|| s.clone()))
            });
        }
        let is_table = line.trim_start().starts_with('|')
            && lines.get(i + 1).is_some_and(|l| l.contains("---"));
        if !is_table {
            i += 1;
            continue;
        }
        let header: Vec<String> = cells(line)
            .iter()
            .map(|c| c.trim_matches('`').to_lowercase())
            .collect();
        let start = i;
        i += 2;
        let mut body = Vec::new();
        while i < lines.len() && lines[i].trim_start().starts_with('|') {
            body.push((i + 1, cells(lines[i])));
            i += 1;
        }
        let at = |line: usize| format!("{}:{line}", rel(file));
        let option_col = header.iter().position(|h| h == "option");
        let default_col = header.iter().position(|h| h == "default");
        let options_col = header.iter().position(|h| h.starts_with("options"));
        if let (Some(o), Some(d)) = (option_col, default_col) {
            out.push(Table {
                at: at(start + 1),
                plugin: heading_type.clone().unwrap_or_default(),
                rows: body
                    .iter()
                    .map(|(n, r)| (r[o].trim_matches('`').to_string(), r[d].clone(), at(*n)))
                    .collect(),
            });
        } else if let Some(o) = options_col {
            for (n, r) in &body {
                let rows = code_spans(&r[o])
                    .iter()
                    .filter_map(|s| {
                        let (k, v) = s.split_once(": ")?;
                        k.chars()
                            .all(|c| c.is_ascii_lowercase() || c == '_')
                            .then(|| (k.to_string(), format!("`{v}`"), at(*n)))
                    })
                    .collect();
                out.push(Table {
                    at: at(*n),
                    plugin: r[0].trim_matches('`').to_string(),
                    rows,
                });
            }
        }
    }
    out
}

#[test]
fn option_tables_match_the_schema() {
    let reg = feedloom::builtin_registry();
    let schemas: BTreeMap<String, Value> =
        plugins(&reg).into_iter().map(|(_, n, s)| (n, s)).collect();
    let config = config_schema(&reg);
    let top_defaults = options_of(&serde_json::json!({
        "$ref": config["properties"]["defaults"]["$ref"],
        "$defs": config["$defs"],
    }));
    assert!(top_defaults.props.contains_key("interval"));
    let mut problems = Vec::new();
    let (mut tables, mut rows) = (0, 0);
    for file in doc_files() {
        for t in option_tables(&file) {
            tables += 1;
            let opts = if let Some(section) = t.plugin.strip_suffix(':') {
                match section_options(&config, section) {
                    Some(o) => o,
                    None => {
                        problems.push(format!(
                            "{}: an option table for `{section}:`, which is none of \
                             `defaults:`, `pipeline:`, `admin:`, `when:`, `sources:`, `extractors:`, `sinks:`",
                            t.at
                        ));
                        continue;
                    }
                }
            } else if let Some(schema) = schemas.get(&t.plugin) {
                options_of(schema)
            } else {
                problems.push(format!(
                    "{}: an option table for `{}`, which is no plugin type (known: {})",
                    t.at,
                    t.plugin,
                    schemas.keys().cloned().collect::<Vec<_>>().join(", ")
                ));
                continue;
            };
            // `feed`, or `defaults` for the table of `defaults:`.
            let who = t.plugin.trim_end_matches(':');
            let mut seen = BTreeSet::new();
            for (name, default, at) in &t.rows {
                rows += 1;
                seen.insert(name.clone());
                let Some(schema_default) = opts.props.get(name) else {
                    problems.push(format!(
                        "{}: `{}` has no option `{name}` (its options: {})",
                        at,
                        who,
                        opts.props.keys().cloned().collect::<Vec<_>>().join(", ")
                    ));
                    continue;
                };
                let required = opts.required.contains(name);
                let written = default.trim();
                if written == "(required)" || required {
                    if !(written == "(required)" && required) {
                        problems.push(format!(
                            "{}: `{}.{name}`: the table says {written}, the schema {}",
                            at,
                            who,
                            if required { "(required)" } else { "optional" }
                        ));
                    }
                    continue;
                }
                let value = written
                    .strip_prefix('`')
                    .and_then(|s| s.strip_suffix('`'))
                    .filter(|s| !s.contains('`'));
                let schema_default = schema_default.as_ref().filter(|d| !d.is_null());
                match (value, schema_default) {
                    (Some(v), None) if v.starts_with("defaults.") => {
                        let key = v.trim_start_matches("defaults.");
                        if !top_defaults.props.contains_key(key) {
                            problems.push(format!(
                                "{}: `{}.{name}` falls back to `{v}`, which is no key of \
                                 `defaults:`",
                                at, who
                            ));
                        }
                    }
                    (Some(v), Some(d)) => {
                        let table_value = yaml_value(v);
                        if !table_value.as_ref().is_some_and(|tv| same_default(tv, d)) {
                            problems.push(format!(
                                "{}: `{}.{name}` defaults to {d} in the schema, not {v}",
                                at, who
                            ));
                        }
                    }
                    // Words ("the config file's directory") for what has no fixed default.
                    (None, None) => {}
                    (Some(v), None) => problems.push(format!(
                        "{}: `{}.{name}`: the table gives the default {v}, the schema none",
                        at, who
                    )),
                    (None, Some(d)) => problems.push(format!(
                        "{}: `{}.{name}`: write the default as a value: {d}",
                        at, who
                    )),
                }
            }
            for name in opts.props.keys().filter(|k| !seen.contains(*k)) {
                problems.push(format!(
                    "{}: the table of `{}` leaves out the option `{name}`",
                    t.at, who
                ));
            }
        }
    }
    println!("checked {tables} option tables ({rows} rows) against the schema");
    assert!(
        problems.is_empty(),
        "{} option table problems:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
    assert!(tables >= 19, "only {tables} option tables found");
}
