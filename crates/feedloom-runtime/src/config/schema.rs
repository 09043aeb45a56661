//! The JSON Schema of `feedloom.yaml` (`feedloom schema config`): the config's own types with
//! each component's options from the registry, and every option's range from [`super::bounds`].

use super::*;

/// JSON Schema of `feedloom.yaml`, with each component's options from the registry.
pub fn config_schema(registry: &Registry) -> Value {
    let mut g = schemars::SchemaGenerator::default();
    let mut root = serde_json::to_value(g.root_schema_for::<RawConfig>()).unwrap_or(Value::Null);
    let mut variants = |role: &str, items: Vec<(String, schemars::Schema)>, extra: Value| {
        let id = match role {
            "extractors" => {
                "Names the extractor in logs, errors and metrics; defaults to its \
                             `type` (give one when a type is used twice)."
            }
            _ => {
                "Unique id: names it in logs, errors, metrics and status, and keys the \
                  state kept for it."
            }
        };
        let one_of: Vec<Value> = items
            .into_iter()
            .map(|(name, schema)| {
                let mut s = serde_json::to_value(schema).unwrap_or(Value::Null);
                let props = s
                    .as_object_mut()
                    .map(|o| o.entry("properties").or_insert(Value::Object(Map::new())));
                if let Some(Value::Object(p)) = props {
                    p.insert(
                        "type".into(),
                        serde_json::json!({"const": name, "description": "The plugin's type."}),
                    );
                    p.insert(
                        "id".into(),
                        serde_json::json!({"type": "string", "description": id}),
                    );
                    if let Value::Object(e) = &extra {
                        for (k, v) in e {
                            p.insert(k.clone(), v.clone());
                        }
                    }
                }
                s
            })
            .collect();
        if let Some(props) = root.get_mut("properties").and_then(|p| p.get_mut(role)) {
            let description = props.get("description").cloned().unwrap_or(Value::Null);
            *props = serde_json::json!({
                "type": "array",
                "description": description,
                "items": {"oneOf": one_of},
            });
        }
    };
    let src: Vec<_> = registry
        .sources()
        .map(|(n, f)| (n.to_string(), (f.schema)(&mut g)))
        .collect();
    let source_keys = serde_json::to_value(SourceKeys::json_schema(&mut g))
        .ok()
        .and_then(|mut v| v.get_mut("properties").map(Value::take))
        .unwrap_or_default();
    variants("sources", src, source_keys);
    let ex: Vec<_> = registry
        .extractors()
        .map(|(n, f)| (n.to_string(), (f.schema)(&mut g)))
        .collect();
    // The runtime's keys, derived from their types with the same generator (their `$ref`s
    // resolve in this schema's `$defs`).
    let properties_of = |s: schemars::Schema| {
        serde_json::to_value(s)
            .ok()
            .and_then(|mut v| v.get_mut("properties").map(Value::take))
            .unwrap_or_default()
    };
    let extractor_keys = properties_of(ExtractorKeys::json_schema(&mut g));
    variants("extractors", ex, extractor_keys);
    let sk: Vec<_> = registry
        .sinks()
        .map(|(n, f)| (n.to_string(), (f.schema)(&mut g)))
        .collect();
    let mut sink_keys = crate::delivery::sink_common_schema();
    if let (Value::Object(keys), Value::Object(routing)) = (
        &mut sink_keys,
        properties_of(SinkRouting::json_schema(&mut g)),
    ) {
        keys.extend(routing);
    }
    variants("sinks", sk, sink_keys);
    if let (Some(Value::Object(defs)), Value::Object(r)) =
        (serde_json::to_value(g.definitions()).ok(), &mut root)
    {
        let entry = r.entry("$defs").or_insert(Value::Object(Map::new()));
        if let Value::Object(e) = entry {
            for (k, v) in defs {
                e.entry(k).or_insert(v);
            }
        }
    }
    annotate_ranges(&mut root);
    root
}

/// Add each declared range ([`bounds::RULES`]) to its property in the schema: appended to
/// the description, and as `minimum`/`maximum` for numbers, so editors can show and check it.
fn annotate_ranges(root: &mut Value) {
    /// Where a set of properties is: a `$defs` entry or a component variant's own.
    enum Owner {
        Def(String),
        Variant(usize),
    }
    struct Target {
        section: &'static str,
        kind: Option<String>,
        owner: Owner,
    }
    let ref_name = |v: &Value| -> Option<String> {
        let r = v.get("$ref")?.as_str()?;
        Some(r.rsplit('/').next()?.to_string())
    };
    let mut targets = Vec::new();
    for section in ["defaults", "pipeline"] {
        if let Some(name) = root
            .pointer(&format!("/properties/{section}"))
            .and_then(ref_name)
        {
            targets.push(Target {
                section,
                kind: None,
                owner: Owner::Def(name),
            });
        }
    }
    for section in ["sources", "extractors", "sinks"] {
        let pointer = format!("/properties/{section}/items/oneOf");
        let Some(variants) = root.pointer(&pointer).and_then(Value::as_array) else {
            continue;
        };
        for (i, v) in variants.iter().enumerate() {
            let kind = v
                .pointer("/properties/type/const")
                .and_then(Value::as_str)
                .map(str::to_string);
            // The runtime's keys are in the variant; the plugin's behind its `$ref`.
            if let Some(name) = ref_name(v) {
                targets.push(Target {
                    section,
                    kind: kind.clone(),
                    owner: Owner::Def(name),
                });
            }
            targets.push(Target {
                section,
                kind,
                owner: Owner::Variant(i),
            });
        }
    }
    for t in targets {
        let pointer = match &t.owner {
            Owner::Def(name) => format!("/$defs/{name}/properties"),
            Owner::Variant(i) => format!("/properties/{}/items/oneOf/{i}/properties", t.section),
        };
        let Some(Value::Object(props)) = root.pointer_mut(&pointer) else {
            continue;
        };
        for (key, prop) in props.iter_mut() {
            if let Some(rule) = bounds::rule_for(t.section, t.kind.as_deref(), key) {
                annotate(prop, rule);
            }
        }
    }
}

fn annotate(prop: &mut Value, rule: &bounds::Rule) {
    let Value::Object(p) = prop else { return };
    let range = format!("Range: {} ({}).", rule.range.describe(), rule.why);
    let description = match p.get("description").and_then(Value::as_str) {
        Some(d) if d.contains("Range: ") => return,
        Some(d) => format!("{d} {range}"),
        None => range,
    };
    p.insert("description".into(), Value::String(description));
    match rule.range {
        bounds::Range::Ratio(lo, hi) => {
            p.insert("minimum".into(), serde_json::json!(lo));
            p.insert("maximum".into(), serde_json::json!(hi));
        }
        bounds::Range::Count(lo, hi) => {
            p.insert("minimum".into(), serde_json::json!(lo));
            if hi < u64::MAX {
                p.insert("maximum".into(), serde_json::json!(hi));
            }
        }
        bounds::Range::Duration(..) | bounds::Range::Size(..) => {}
    }
}
