//! `type: rules`: word lists, regexes, templates and build-time validation.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use feedloom_core::{BuildContext, BuildError, Extractor, Item, Registry};

fn build(rules: serde_json::Value) -> Result<Box<dyn Extractor>, BuildError> {
    let mut reg = Registry::new();
    feedloom_plugins::register(&mut reg);
    let f = reg.extractor("rules").unwrap();
    (f.build)(
        &serde_json::json!({ "rules": rules }),
        &BuildContext::for_tests(std::path::Path::new(".")),
    )
}

fn item(title: &str, text: &str) -> Item {
    let mut it = Item::new("a", "test");
    it.title = Some(title.into());
    it.text = text.into();
    it
}

fn issue_rules() -> serde_json::Value {
    serde_json::json!([
        {"name": "energy", "words": ["gas", "pipeline", "Line D"], "tags": ["energy"]},
        {"name": "tender", "regex": "(?i)tender worth (?P<value>[0-9.]+ \\w+)", "fields": {"tender_value": "$value"}},
    ])
}

#[tokio::test]
async fn the_issue_example_tags_and_sets_fields() {
    let ex = build(issue_rules()).unwrap();
    let mut it = item(
        "Caspian deal",
        "A TENDER worth 1.2 billion was announced for the LINE D section.",
    );
    ex.extract(&mut it).await.unwrap();
    assert_eq!(it.tags, Some(vec!["energy".to_string()]));
    assert_eq!(it.extra["tender_value"], "1.2 billion");
}

#[tokio::test]
async fn words_match_whole_words_and_phrases_case_insensitively() {
    let ex = build(issue_rules()).unwrap();
    for (text, hit) in [
        ("GAS prices rose", true),
        ("the gas.", true),
        ("Gasoline prices rose", false),
        ("biogas output", false),
        ("a new Pipeline", true),
        ("pipelines everywhere", false),
        ("line  d", true),
        ("on Line\u{a0}D, the no-break space of HTML", true),
        ("Line\nD", true),
        ("on line d today", true),
        ("online daily", false),
    ] {
        let mut it = item("", text);
        ex.extract(&mut it).await.unwrap();
        assert_eq!(it.tags.is_some(), hit, "{text:?}");
        assert!(!it.extra.contains_key("tender_value"));
    }
    // The title counts too, and tags already present are kept once.
    let mut it = item("Gas talks", "nothing here");
    it.tags = Some(vec!["energy".into(), "politics".into()]);
    ex.extract(&mut it).await.unwrap();
    assert_eq!(
        it.tags,
        Some(vec!["energy".to_string(), "politics".to_string()])
    );
}

#[tokio::test]
async fn overlapping_words_do_not_hide_each_other() {
    let ex = build(serde_json::json!([
        {"name": "ab", "words": ["alpha beta"]},
        {"name": "bg", "words": ["beta gamma"]},
    ]))
    .unwrap();
    let mut it = item("", "xalpha beta gamma");
    ex.extract(&mut it).await.unwrap();
    assert_eq!(
        it.tags,
        Some(vec!["bg".to_string()]),
        "tag defaults to the rule name"
    );
}

#[tokio::test]
async fn unicode_words_and_word_templates() {
    let ex = build(serde_json::json!([
        {"name": "gazprom", "words": ["Газпром"], "tags": ["ru-energy"], "fields": {"company": "$0", "note": "cost $$5"}},
    ]))
    .unwrap();
    let mut it = item("", "Акции ГАЗПРОМ выросли");
    ex.extract(&mut it).await.unwrap();
    assert_eq!(it.tags, Some(vec!["ru-energy".to_string()]));
    assert_eq!(it.extra["company"], "Газпром");
    assert_eq!(it.extra["note"], "cost $5");
    let mut miss = item("", "Газпромнефть");
    ex.extract(&mut miss).await.unwrap();
    assert!(miss.tags.is_none());
}

#[tokio::test]
async fn regex_fields_can_fill_known_item_fields_and_later_rules_win() {
    let ex = build(serde_json::json!([
        {"name": "lang", "regex": "\\[(?P<code>[a-z]{2})\\]", "fields": {"language": "$code", "marker": "${code}!"}},
        {"name": "lang2", "regex": "\\{(?P<code>[a-z]{2})\\}", "fields": {"marker": "$1"}},
    ]))
    .unwrap();
    let mut it = item("[kk] {ru}", "");
    ex.extract(&mut it).await.unwrap();
    assert_eq!(it.language.as_deref(), Some("kk"));
    assert_eq!(it.extra["marker"], "ru");
    assert!(
        it.tags.is_none(),
        "rules with fields and no tags add no tag"
    );
}

#[test]
fn bad_rules_are_reported_at_their_key() {
    let cases = [
        (
            serde_json::json!([{"name": "a", "words": ["x"]}, {"name": "b", "regex": "(?P<v"}]),
            "rules.1.regex",
            "invalid regex: ",
        ),
        (
            serde_json::json!([{"name": "t", "regex": "worth (?P<value>\\d+)", "fields": {"v": "$valeu"}}]),
            "rules.0.fields.v",
            "unknown capture group `$valeu`: the regex's groups are: $value, $0",
        ),
        (
            serde_json::json!([{"name": "t", "words": ["x"], "fields": {"v": "$name"}}]),
            "rules.0.fields.v",
            "a word rule has only $0",
        ),
        (
            serde_json::json!([{"name": "t", "words": ["x", "  "]}]),
            "rules.0.words.1",
            "an empty word",
        ),
        (
            serde_json::json!([{"name": "t", "words": []}]),
            "rules.0.words",
            "an empty word list",
        ),
        (
            serde_json::json!([{"name": "t"}]),
            "rules.0",
            "needs `words` or `regex`",
        ),
        (
            serde_json::json!([{"name": "t", "words": ["x"], "regex": "x"}]),
            "rules.0.regex",
            "both `words` and `regex`",
        ),
        (
            serde_json::json!([{"name": "t", "words": ["x"]}, {"name": "t", "words": ["y"]}]),
            "rules.1.name",
            "duplicate rule name `t`",
        ),
        (
            serde_json::json!([{"name": "t", "regex": "(?P<n>x)", "fields": {"tags": "$n"}}]),
            "rules.0.fields.tags",
            "does not hold text",
        ),
        (
            serde_json::json!([{"name": "t", "wrods": ["x"]}]),
            "rules.0.wrods",
            "unknown field `wrods`",
        ),
        (serde_json::json!([]), "rules", "no rules"),
    ];
    for (rules, path, msg) in cases {
        let err = build(rules.clone()).err().expect("fails");
        assert_eq!(err.path, path, "{rules}");
        assert!(err.message.contains(msg), "{rules}: {}", err.message);
        assert!(!err.message.contains('\n'), "one line: {:?}", err.message);
    }
}
