//! The config block: YAML, defaults, validation, secrets, and a description on every field.
#![allow(clippy::unwrap_used)]

use feedloom_cluster::{ClusterConfig, NatsUrls};

fn parse(yaml: &str) -> Result<ClusterConfig, String> {
    serde_saphyr::from_str::<ClusterConfig>(yaml).map_err(|e| e.to_string())
}

#[test]
fn defaults() {
    let c = parse("nats_url: nats://127.0.0.1:4222\n").unwrap();
    assert_eq!(c.name, "feedloom");
    assert_eq!(c.shards, 1024);
    assert_eq!(c.lease_ttl.get().as_secs(), 15);
    assert_eq!(c.dedup_window.get().as_secs(), 120);
    assert_eq!(c.max_deliver, 5);
    assert_eq!(c.ack_wait.get().as_secs(), 60);
    c.validate().unwrap();
    let id = c.resolved_node_id();
    assert!(id.ends_with(&format!("-{}", std::process::id())), "{id}");
    assert!(feedloom_cluster::config::is_valid_node_id(&id), "{id}");
}

#[test]
fn a_full_block() {
    let c = parse(
        "nats_url: [nats://a:4222, nats://b:4222]\nname: prod-eu\nnode_id: web-1\nshards: 4096\n\
         lease_ttl: 10s\ndedup_window: 5m\nmax_deliver: 3\nack_wait: 2m\nuser: feed\npassword: s3cret\n",
    )
    .unwrap();
    assert_eq!(
        c.nats_url,
        NatsUrls::Many(vec!["nats://a:4222".into(), "nats://b:4222".into()])
    );
    c.validate().unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("***"), "{shown}");
}

#[test]
fn unknown_fields_and_bad_values_are_refused() {
    assert!(parse("nats_url: x\nshard: 3\n").is_err());
    let bad = [
        ("name: 'a.b'", "`name`"),
        ("shards: 0", "`shards`"),
        ("lease_ttl: 100ms", "`lease_ttl`"),
        ("node_id: '.x'", "`node_id`"),
        ("max_deliver: 0", "`max_deliver`"),
        ("token: t\ncreds_file: x.creds", "one way"),
        ("user: u", "go together"),
    ];
    for (extra, want) in bad {
        let c = parse(&format!("nats_url: nats://h:4222\n{extra}\n")).unwrap();
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains(want), "{extra}: {err}");
        assert!(err.starts_with("cluster config:"), "{err}");
    }
}

/// Every property of the schema has a description (a `///` on the field).
#[test]
fn every_field_is_documented() {
    let schema = serde_json::to_value(schemars::schema_for!(ClusterConfig)).unwrap();
    let props = schema["properties"].as_object().unwrap();
    assert!(props.len() >= 12);
    let missing: Vec<&String> = props
        .iter()
        .filter(|(_, v)| {
            v.get("description")
                .and_then(|d| d.as_str())
                .is_none_or(str::is_empty)
        })
        .map(|(k, _)| k)
        .collect();
    assert!(missing.is_empty(), "undocumented fields: {missing:?}");
}
