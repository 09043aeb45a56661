use std::path::Path;

use async_trait::async_trait;
use feedloom_core::{
    BuildContext, BuildError, Duration, Item, PollBatch, Registry, Sink, SinkError, Source,
    SourceContext, SourceError,
};
use schemars::JsonSchema;
use serde::Deserialize;

use super::*;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FakeSourceOpts {
    path: String,
    #[serde(default)]
    #[allow(dead_code)]
    interval: Option<Duration>,
}

struct FakeSource;
#[async_trait]
impl Source for FakeSource {
    async fn poll(&self, _: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        Ok(PollBatch::default())
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FakeSinkOpts {
    #[serde(default)]
    #[allow(dead_code)]
    pretty: bool,
}
struct FakeSink;
#[async_trait]
impl Sink for FakeSink {
    async fn send(&self, _: &[Item]) -> Result<(), SinkError> {
        Ok(())
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct FakeCleanOpts {
    #[serde(default)]
    #[allow(dead_code)]
    patterns: Vec<String>,
}
struct FakeClean;
impl feedloom_core::SyncExtractor for FakeClean {
    fn extract(&self, _: &mut Item) -> Result<(), feedloom_core::ExtractError> {
        Ok(())
    }
}

fn registry() -> Registry {
    let mut r = Registry::new();
    r.register_sync_extractor("clean", "fake", |_: FakeCleanOpts, _: &BuildContext| {
        Ok(FakeClean)
    });
    r.register_source("file", "fake", |o: FakeSourceOpts, _: &BuildContext| {
        if o.path == "reject" {
            return Err(BuildError::at("path", "rejected by the plugin"));
        }
        Ok(FakeSource)
    });
    r.register_sink("stdout", "fake", |_: FakeSinkOpts, _: &BuildContext| {
        Ok(FakeSink)
    });
    r
}

fn env(k: &str) -> Option<String> {
    match k {
        "TOKEN" => Some("s3cr3t-value".into()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

fn errors(yaml: &str) -> Vec<String> {
    match Config::from_str(yaml, Path::new("f.yaml"), &registry(), &env) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

fn first(yaml: &str) -> String {
    errors(yaml)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("expected an error for:\n{yaml}"))
}

#[test]
fn valid_config_loads_with_defaults_and_common_keys_split() {
    let y = "state_dir: st\nsources:\n  - id: a\n    type: file\n    path: x\nextractors: []\nsinks:\n  - id: out\n    type: stdout\n    max_retries: 3\n    when: {source: [a]}\n";
    let c = Config::from_str(y, Path::new("/etc/feedloom/f.yaml"), &registry(), &env).unwrap();
    assert_eq!(c.state_dir, Path::new("/etc/feedloom/st"));
    assert_eq!(
        c.sources[0].options.value(),
        serde_json::json!({"path": "x"})
    );
    assert_eq!(c.sinks[0].common.max_retries, 3);
    assert!(c.sinks[0].when.is_some());
    assert_eq!(c.sinks[0].component.options.value(), serde_json::json!({}));
}

#[test]
fn every_error_kind_is_located() {
    let cases: &[(&str, &str)] = &[
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n  bad: [\n",
            "f.yaml:5:3: invalid YAML",
        ),
        (
            "sources:\n  - id: a\n    type: fiel\n    path: x\n",
            "f.yaml:3:11: unknown source type `fiel` (known: file)",
        ),
        (
            "sources:\n  - id: a\n    type: file\n",
            "f.yaml:3:5: file `a`: missing field `path`",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n    interval: 10 minutes\n",
            "f.yaml:5:15: file `a`: invalid duration",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n    pth: y\n",
            "f.yaml:5:5: file `a`: unknown field `pth`",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n  - id: a\n    type: file\n    path: y\n",
            "f.yaml:5:9: duplicate id `a`",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: ${NOPE}\n",
            "f.yaml:4:11: environment variable `NOPE` is not set",
        ),
        ("sourcez: []\n", "f.yaml:1:1: unknown field `sourcez`"),
        (
            "defaults:\n  interval: 5x\n",
            "f.yaml:2:13: invalid duration \"5x\"",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: 3\n",
            "f.yaml:4:11: file `a`: invalid type: integer `3`, expected a string",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: reject\n",
            "f.yaml:4:11: file `a`: rejected by the plugin",
        ),
        (
            "sinks:\n  - id: a\n    type: stdout\n    when:\n      text_matches: \"(\"\n",
            "f.yaml:5:21: invalid `when`: bad regex",
        ),
        (
            "sinks:\n  - id: a\n    type: stdout\n    max_retries: lots\n",
            "f.yaml:4:18: invalid type: string \"lots\"",
        ),
        (
            "extractors:\n  - type: clean\n    on_error: explode\n",
            "f.yaml:3:15: invalid on_error",
        ),
        (
            "sources:\n  - type: file\n    path: x\n",
            "f.yaml:2:5: missing field `id`",
        ),
        (
            "sinks:\n  - id: a\n    type: stdout\n    pretty: yes please\n",
            "f.yaml:4:13: stdout `a`: invalid type",
        ),
    ];
    for (yaml, want) in cases {
        let got = first(yaml);
        assert!(
            got.starts_with(want),
            "for\n{yaml}\nwant prefix {want:?}\ngot {got:?}"
        );
        assert!(!got.contains('\n'), "one line per error: {got:?}");
    }
}

#[test]
fn all_errors_are_reported_together() {
    let y =
        "sources:\n  - id: a\n    type: fiel\n  - id: b\n    type: file\n    path: x\n    pth: 1\n";
    assert_eq!(errors(y).len(), 2);
}

#[test]
fn interpolation_defaults_escapes_and_redaction() {
    let y = "sources:\n  - id: a\n    type: file\n    path: \"${TOKEN}/${MISSING:-dflt}/${EMPTY:-e}/$${LITERAL}\"\n";
    let c = Config::from_str(y, Path::new("f.yaml"), &registry(), &env).unwrap();
    assert_eq!(
        c.sources[0].options.value()["path"],
        "s3cr3t-value/dflt/e/${LITERAL}"
    );
    assert_eq!(
        c.redact("token s3cr3t-value leaked"),
        "token [redacted] leaked"
    );
    // A plugin error that echoes a secret does not print it.
    let y = "sources:\n  - id: a\n    type: file\n    path: ${TOKEN}\n    nope: 1\n";
    assert!(errors(y).iter().all(|e| !e.contains("s3cr3t")));
}

#[test]
fn yaml_bombs_are_refused() {
    let mut y = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='k' {
        y.push_str(&format!(
            "{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = c;
    }
    let e = first(&y);
    assert!(e.starts_with("f.yaml:"), "{e}");
}

#[test]
fn config_schema_lists_component_types() {
    let s = config_schema(&registry());
    let text = s.to_string();
    assert!(text.contains("\"const\":\"file\""), "{text}");
    assert!(text.contains("max_retries"));
    // Declared ranges are in the schema.
    let interval = &s["$defs"]["Defaults"]["properties"]["interval"]["description"];
    assert!(
        interval
            .as_str()
            .unwrap_or("")
            .contains("Range: between 100ms and 30d"),
        "{interval}"
    );
    let jitter = &s["$defs"]["Defaults"]["properties"]["jitter"];
    assert_eq!(jitter["maximum"], serde_json::json!(0.5));
}

/// Every message a newcomer's first mistakes get: located, with the range or the fix.
#[test]
fn newcomer_mistakes_get_located_helpful_errors() {
    let cases: &[(&str, &str)] = &[
        (
            "defaults:\n  interval: 0s\n",
            "f.yaml:2:13: `interval` 0s is out of range: must be between 100ms and 30d",
        ),
        (
            "defaults:\n  jitter: 5\n",
            "f.yaml:2:11: `jitter` 5 is out of range: must be between 0 and 0.5",
        ),
        (
            "defaults:\n  jitter: -1\n",
            "f.yaml:2:11: `jitter` -1 is out of range: must be between 0 and 0.5",
        ),
        (
            "defaults:\n  timeout: 0s\n",
            "f.yaml:2:12: `timeout` 0s is out of range: must be between 100ms and 1h",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    path: x\n    interval: 0s\n",
            "f.yaml:5:15: file `a`: `interval` 0s is out of range: must be between 100ms and 30d",
        ),
        (
            "pipeline:\n  extract_timeout: 0s\n",
            "f.yaml:2:20: `extract_timeout` 0s is out of range",
        ),
        (
            "sinks:\n  - id: a\n    type: stdout\n    buffer: 0\n",
            "f.yaml:4:13: stdout `a`: `buffer` 0 is out of range: must be between 1 and 10000000",
        ),
        (
            "admin:\n  listen: \"9180\"\n",
            "f.yaml:2:11: admin.listen \"9180\" is not an address: did you mean 127.0.0.1:9180?",
        ),
        (
            "admin:\n  listen: \"localhost\"\n",
            "f.yaml:2:11: admin.listen \"localhost\" is not a socket address",
        ),
        (
            "sources:\n  - id: a\n    tpye: file\n    path: x\n",
            "f.yaml:3:5: unknown field `tpye`, did you mean `type`?",
        ),
        (
            "sources:\n  - idd: a\n    type: file\n    path: x\n",
            "f.yaml:2:5: unknown field `idd`, did you mean `id`?",
        ),
        (
            "sources:\n  - id: a\n    type: file\n    pth: x\n",
            "f.yaml:4:5: file `a`: unknown field `pth`, did you mean `path`? (known keys: `id`, `type`, `path`, `interval`)",
        ),
        (
            "extractors:\n  - type: clean\n    on_eror: drop\n",
            "f.yaml:3:5: clean `clean`: unknown field `on_eror`, did you mean `on_error`? (known keys: `id`, `type`, `on_error`, `patterns`)",
        ),
        (
            "defaults:\n  intervl: 5m\n",
            "f.yaml:2:3: unknown field `intervl`, did you mean `interval`?",
        ),
        (
            "sinks:\n  - id: a\n    type: stdout\n    id: b\n",
            "f.yaml:4:5: duplicate key `id` (first at 2:5)",
        ),
    ];
    for (yaml, want) in cases {
        let got = first(yaml);
        assert!(
            got.starts_with(want),
            "for\n{yaml}\nwant prefix {want:?}\ngot {got:?}"
        );
    }
}

#[test]
fn sizes_take_units_and_accepted_values_pass() {
    let y = "defaults:\n  max_bytes: 10MB\n  jitter: 0.5\n  interval: 200ms\nadmin:\n  listen: \"127.0.0.1:0\"\n";
    let c = Config::from_str(y, Path::new("f.yaml"), &registry(), &env).unwrap();
    assert_eq!(c.defaults.max_bytes, feedloom_core::Size(10_000_000));
    for listen in ["[::1]:9180", "0.0.0.0:9180", "localhost:9180"] {
        let y = format!("admin:\n  listen: \"{listen}\"\n");
        assert_eq!(errors(&y), Vec::<String>::new(), "{listen}");
    }
    let e = first("defaults:\n  max_bytes: 10\n");
    assert!(
        e.starts_with(
            "f.yaml:2:14: `max_bytes` 10B is out of range: must be between 1KiB and 4GiB"
        ),
        "{e}"
    );
}

#[test]
fn range_errors_are_reported_with_the_others_and_once() {
    // A negative count is out of range and of the wrong type: one message, the range's.
    let y = "sinks:\n  - id: a\n    type: stdout\n    buffer: -1\n    max_retries: -2\n";
    let all = errors(y);
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(all[0].starts_with("f.yaml:4:13: stdout `a`: `buffer` -1 is out of range"));
    // Several range errors and a duplicate id come together, in document order.
    let y = "defaults:\n  interval: 0s\n  jitter: 2\nsources:\n  - {id: a, type: file, path: x}\n  - {id: a, type: file, path: y}\n";
    let all = errors(y);
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(all[2].contains("duplicate id"), "{all:?}");
}

#[test]
fn lenient_load_keeps_unset_variables_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.yaml");
    let var = "FEEDLOOM_CONFIG_TEST_SURELY_UNSET";
    std::fs::write(
        &file,
        format!("state_dir: st\nsinks:\n  - id: hook\n    type: webhook\n    url: https://example.org\n    secret: ${{{var}}}\n"),
    )
    .unwrap();
    let c = Config::load_lenient(&file).unwrap();
    assert_eq!(c.state_dir, dir.path().join("st"));
    // An unset admin address is no reason to refuse either.
    std::fs::write(
        dir.path().join("admin.yaml"),
        format!("admin:\n  listen: ${{{var}}}\n"),
    )
    .unwrap();
    assert!(Config::load_lenient(&dir.path().join("admin.yaml")).is_ok());
    assert_eq!(c.sinks[0].component.id, "hook");
    assert_eq!(
        c.sinks[0].component.options.value()["secret"],
        format!("${{{var}}}")
    );
    // The strict load still refuses it.
    let e = Config::load(&file, &registry()).unwrap_err().to_string();
    assert!(
        e.contains(&format!("environment variable `{var}` is not set")),
        "{e}"
    );
}

/// Does `v` satisfy `schema`? The JSON Schema keywords the config schema's `on_error` and
/// `when` use (`$ref` into the root's `$defs`, `type`, `enum`, `const`, `oneOf`, `anyOf`,
/// `allOf`, `properties`, `additionalProperties`, `required`, `minProperties`, `items`,
/// `pattern`, and `format: regex`, checked with the `regex` crate the loader uses).
fn schema_accepts(root: &Value, schema: &Value, v: &Value) -> bool {
    let Some(s) = schema.as_object() else {
        return schema.as_bool().unwrap_or(true);
    };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let target = root.pointer(r.trim_start_matches('#')).unwrap();
        if !schema_accepts(root, target, v) {
            return false;
        }
    }
    if let Some(t) = s.get("type") {
        let is = |t: &str| match t {
            "null" => v.is_null(),
            "boolean" => v.is_boolean(),
            "string" => v.is_string(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            other => panic!("type {other}"),
        };
        let ok = match t {
            Value::String(t) => is(t),
            Value::Array(ts) => ts.iter().any(|t| is(t.as_str().unwrap())),
            _ => panic!("type {t}"),
        };
        if !ok {
            return false;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        return false;
    }
    if let Some(c) = s.get("const")
        && c != v
    {
        return false;
    }
    let count = |k: &str| {
        s.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter(|x| schema_accepts(root, x, v)).count())
    };
    if count("oneOf").is_some_and(|n| n != 1) || count("anyOf").is_some_and(|n| n == 0) {
        return false;
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array)
        && !all.iter().all(|x| schema_accepts(root, x, v))
    {
        return false;
    }
    if let Some(o) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            let ok = match props.and_then(|p| p.get(k)) {
                Some(p) => schema_accepts(root, p, x),
                None => s
                    .get("additionalProperties")
                    .is_none_or(|a| schema_accepts(root, a, x)),
            };
            if !ok {
                return false;
            }
        }
        if let Some(req) = s.get("required").and_then(Value::as_array)
            && !req.iter().all(|r| o.contains_key(r.as_str().unwrap()))
        {
            return false;
        }
        if let Some(n) = s.get("minProperties").and_then(Value::as_u64)
            && (o.len() as u64) < n
        {
            return false;
        }
    }
    if let (Some(a), Some(items)) = (v.as_array(), s.get("items"))
        && !a.iter().all(|x| schema_accepts(root, items, x))
    {
        return false;
    }
    if let Some(text) = v.as_str() {
        if let Some(p) = s.get("pattern").and_then(Value::as_str)
            && !regex::Regex::new(p).unwrap().is_match(text)
        {
            return false;
        }
        if s.get("format").and_then(Value::as_str) == Some("regex")
            && regex::Regex::new(text).is_err()
        {
            return false;
        }
    }
    true
}

/// The schema `feedloom schema config` prints for `on_error` and `when` accepts exactly what
/// the loader accepts.
#[test]
fn on_error_and_when_schemas_accept_what_the_loader_accepts() {
    let root = config_schema(&registry());
    let on_error = root
        .pointer("/properties/extractors/items/oneOf/0/properties/on_error")
        .unwrap()
        .clone();
    let when = root
        .pointer("/properties/sinks/items/oneOf/0/properties/when")
        .unwrap()
        .clone();
    assert_eq!(on_error["default"], "skip");
    for (key, schema) in [("on_error", &on_error), ("when", &when)] {
        assert!(
            schema.get("description").is_some(),
            "{key} has no description: {schema}"
        );
    }
    use serde_json::json;
    let on_error_cases = [
        (json!("skip"), true),
        (json!("drop"), true),
        (json!("dead_letter"), true),
        (json!("dead-letter"), false),
        (json!("Skip"), false),
        (json!(""), false),
        (json!(null), false),
        (json!(1), false),
        (json!(["skip"]), false),
    ];
    let when_cases = [
        (json!({"countries": ["KG", "kz"]}), true),
        (json!({"countries": "KG"}), true),
        (json!({"source": [], "duplicate": false}), true),
        (json!({"text_matches": "(?i)pipe(line)?"}), true),
        (
            json!({"entities": ["Wang Xiaohong"], "language": "en", "tags": ["x"]}),
            true,
        ),
        (
            json!({"all": [{"source": "a"}, {"not": {"tags": "t"}}], "any": []}),
            true,
        ),
        (
            json!({"any": [{"duplicate": true}, {"all": [{"language": ["ru"]}]}]}),
            true,
        ),
        (json!({}), false),
        (json!({"not": {}}), false),
        (json!({"any": [{}]}), false),
        (json!({"contries": ["KG"]}), false),
        (json!({"countries": [1]}), false),
        (json!({"countries": null}), false),
        (json!({"duplicate": "yes"}), false),
        (json!({"duplicate": null}), false),
        (json!({"text_matches": "("}), false),
        (json!({"text_matches": ["a"]}), false),
        (json!({"all": {"source": "a"}}), false),
        (json!({"not": [{"source": "a"}]}), false),
        (json!({"tags": {"a": 1}}), false),
        (json!("countries"), false),
        (json!(null), false),
        (json!([]), false),
    ];
    let mut checked = 0;
    for (v, valid) in on_error_cases {
        let yaml = format!("extractors:\n  - type: clean\n    on_error: {v}\n");
        let loads = Config::parse(&yaml, Path::new("f.yaml"), &env).is_ok();
        assert_eq!(loads, valid, "on_error: {v} (loader)");
        assert_eq!(
            schema_accepts(&root, &on_error, &v),
            valid,
            "on_error: {v} (schema)"
        );
        checked += 1;
    }
    for (v, valid) in when_cases {
        let yaml = format!("sinks:\n  - id: s\n    type: stdout\n    when: {v}\n");
        let loads = Config::parse(&yaml, Path::new("f.yaml"), &env).is_ok();
        assert_eq!(loads, valid, "when: {v} (loader)");
        assert_eq!(
            schema_accepts(&root, &when, &v),
            valid,
            "when: {v} (schema)"
        );
        checked += 1;
    }
    assert_eq!(checked, 32);
}
