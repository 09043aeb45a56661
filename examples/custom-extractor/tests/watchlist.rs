use std::process::Command;

#[test]
fn custom_binary_runs_its_extractor_and_validates_its_options() {
    let dir = tempfile::tempdir().unwrap();
    let article = dir.path().join("a.txt");
    std::fs::write(
        &article,
        "Gas news\n\nTurkmenistan wants to build Line D of the pipeline.\n",
    )
    .unwrap();
    let cfg = dir.path().join("c.yaml");
    std::fs::write(
        &cfg,
        "extractors:\n  - type: watchlist\n    words: [Line D]\n    tag: energy-watch\n",
    )
    .unwrap();
    let bin = env!("CARGO_BIN_EXE_feedloom-watchlist");
    let o = Command::new(bin)
        .args([
            "extract",
            "-c",
            cfg.to_str().unwrap(),
            article.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["tags"], serde_json::json!(["energy-watch"]));

    std::fs::write(&cfg, "extractors:\n  - type: watchlist\n    words: []\n").unwrap();
    let o = Command::new(bin)
        .args(["check", "-c", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("c.yaml:3:12: watchlist `watchlist`: give at least one word"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let o = Command::new(bin).arg("plugins").output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("watchlist"));
}
