use chrono::{TimeZone, Utc};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

fn day(d: Option<DateTime<Utc>>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

#[test]
fn json_ld_open_graph_and_byline_page() {
    let page = r#"<html lang="en-US"><head>
<title>Gas exports to rise - Caspian Times</title>
<meta property="og:site_name" content="Caspian Times">
<meta property="og:title" content="Gas exports to rise - Caspian Times">
<meta property="og:description" content="Kazakhstan will raise gas exports.">
<meta property="og:image" content="/img/lead.jpg">
<meta property="og:url" content="https://caspiantimes.test/energy/gas-exports">
<meta property="article:published_time" content="2025-03-03T10:00:00+06:00">
<meta property="article:modified_time" content="2025-03-04T09:00:00Z">
<meta property="article:section" content="Energy">
<meta property="article:tag" content="gas"><meta property="article:tag" content="China">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Gas exports to rise","datePublished":"2025-03-03T10:00:00+06:00","author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Person","name":"Aibek Usenov"}]}</script>
</head><body><header><time datetime="2026-01-01">Today</time></header>
<h1>Gas exports to rise</h1><div class="byline">By Jane Doe and Aibek Usenov</div>
<p>ASTANA — Kazakhstan said on Monday ...</p>
<aside><h3>Related</h3><time datetime="2024-01-01">Jan 1, 2024</time> <span class="author">Other Person</span></aside>
</body></html>"#;
    let m = page_meta(
        page,
        Some("https://caspiantimes.test/energy/gas-exports?utm=x"),
        None,
        now(),
    );
    assert_eq!(m.title.as_deref(), Some("Gas exports to rise"));
    assert_eq!(day(m.published).as_deref(), Some("2025-03-03"));
    assert_eq!(m.published_by, Some("json-ld"));
    assert_eq!(day(m.modified).as_deref(), Some("2025-03-04"));
    assert_eq!(m.authors, ["Jane Doe", "Aibek Usenov"]);
    assert_eq!(
        m.canonical.as_deref(),
        Some("https://caspiantimes.test/energy/gas-exports")
    );
    assert_eq!(
        m.image.as_deref(),
        Some("https://caspiantimes.test/img/lead.jpg")
    );
    assert_eq!(m.site_name.as_deref(), Some("Caspian Times"));
    assert_eq!(m.section.as_deref(), Some("Energy"));
    assert_eq!(m.tags, ["gas", "China"]);
    assert_eq!(m.language.as_deref(), Some("en"));
    assert_eq!(
        m.description.as_deref(),
        Some("Kazakhstan will raise gas exports.")
    );
}

#[test]
fn markup_only_and_text_only_pages() {
    let page = r#"<html><head><title>Caspian Times | Border reopens</title></head><body>
<h1>Border reopens</h1><p class="meta">Submitted by <a rel="author" href="/u/1">Dana Smith</a> on Tue, 03/04/2025 - 10:15</p>
<span class="submitted">Tue, 03/04/2025 - 10:15</span><p>Text.</p></body></html>"#;
    let m = page_meta(page, Some("https://caspiantimes.test/node/12"), None, now());
    assert_eq!(m.title.as_deref(), Some("Border reopens"));
    assert_eq!(day(m.published).as_deref(), Some("2025-03-04"));
    assert_eq!(m.authors, ["Dana Smith"]);

    let page = "<html><body><h1>Trade up</h1><p>Some text.</p></body></html>";
    let text = "ALMATY, March 3, 2025 (Reuters) - Trade rose on Monday, officials said in a statement that ran long enough to be a paragraph.\nReporting by Olzhas Auyezov; Editing by Jane Smith";
    let m = page_meta(page, Some("https://x.test/a"), Some(text), now());
    assert_eq!(day(m.published).as_deref(), Some("2025-03-03"));
    assert_eq!(m.published_by, Some("dateline"));
    assert_eq!(m.authors, ["Olzhas Auyezov"]);
}

#[test]
fn a_template_date_loses_to_two_agreeing_kinds() {
    // article:published_time holds the modified date; the visible date and the URL agree.
    let page = r#"<html><head><meta property="article:published_time" content="2025-06-30T08:00:00Z"></head>
<body><h1>Dam plan approved</h1><time class="entry-date" datetime="2025-03-03T09:00:00Z">March 3, 2025</time><p>Text.</p></body></html>"#;
    let m = page_meta(
        page,
        Some("https://x.test/2025/03/03/dam-plan/"),
        None,
        now(),
    );
    assert_eq!(day(m.published).as_deref(), Some("2025-03-03"));
}

#[test]
fn implausible_dates_are_ignored() {
    let page = r#"<html><head><meta name="date" content="1970-01-01"><meta name="pubdate" content="2099-01-01"></head><body><h1>A b</h1></body></html>"#;
    let m = page_meta(page, None, None, now());
    assert_eq!(m.published, None);
}

#[test]
fn fill_keeps_the_feeds_values() {
    let mut item = Item::new("1", "s");
    item.published = Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap());
    item.authors = vec!["Feed Author".into()];
    item.title = Some("Feed title".into());
    let meta = PageMeta {
        title: Some("Page title".into()),
        published: Some(Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()),
        authors: vec!["Page Author".into()],
        image: Some("https://x.test/i.jpg".into()),
        ..PageMeta::default()
    };
    settle_published(&mut item);
    meta.fill(&mut item, false);
    assert_eq!(day(item.published).as_deref(), Some("2025-01-01"));
    assert_eq!(item.published_from.as_deref(), Some("feed"));
    assert_eq!(item.authors, ["Feed Author"]);
    assert_eq!(item.title.as_deref(), Some("Feed title"));
    assert_eq!(item.image.as_deref(), Some("https://x.test/i.jpg"));
}

#[test]
fn settle_published_reads_a_dateline_or_says_fetched() {
    let mut item = Item::new("1", "s");
    item.text = "Dushanbe, 12 March 2024 — The government said on Monday that prices would rise again next month, officials said.".into();
    settle_published(&mut item);
    assert_eq!(day(item.published).as_deref(), Some("2024-03-12"));
    assert_eq!(item.published_from.as_deref(), Some("text"));
    let mut item = Item::new("2", "s");
    item.text =
        "No date here at all, just a story that runs on for a while without saying when.".into();
    settle_published(&mut item);
    assert_eq!(item.published, None);
    assert_eq!(item.published_from.as_deref(), Some("fetched"));
}

#[test]
fn hostile_pages_do_not_panic() {
    for page in [
        "",
        "<",
        "<script type=application/ld+json>{\"@graph\":[[[[[[[[[[[[[]]]]]]]]]]]]]}",
        "<meta name=author content='By'><h1>é",
        &"<time datetime=2025-01-01>".repeat(10_000),
        &"<div class=author>".repeat(10_000),
    ] {
        let _ = page_meta(page, Some("not a url"), Some("—"), now());
    }
}

#[test]
fn related_lists_and_todays_date_are_not_the_storys_date() {
    let page = r#"<html lang="en-GB"><body><header class="site-header"><span class="date">Friday, 6 June 2025</span></header>
<h1>Port handles record volumes</h1><p class="meta"><span class="by">By Ann Lee</span></p>
<div class="story__date">Published 2 October 2024</div><p>Text.</p>
<aside><div class="related"><time datetime="2025-06-05">5 June 2025</time><span class="author">Other Writer</span></div></aside>
</body></html>"#;
    let m = page_meta(page, Some("https://x.test/a"), None, now());
    assert_eq!(day(m.published).as_deref(), Some("2024-10-02"));
    assert_eq!(m.authors, ["Ann Lee"]);
}

#[test]
fn a_live_blog_began_when_its_coverage_began() {
    let page = r#"<script type="application/ld+json">{"@type":"LiveBlogPosting","headline":"Runoff live","coverageStartTime":"2024-11-05T18:00:00-05:00","datePublished":"2024-11-06T08:15:00-05:00"}</script><h1>Runoff live</h1>"#;
    let m = page_meta(page, None, None, now());
    assert_eq!(day(m.published).as_deref(), Some("2024-11-05"));
}

#[test]
fn a_placeholder_date_and_a_site_named_author_are_not_believed() {
    let page = r#"<html><head><meta property="og:site_name" content="Pamir Herald"><meta name="author" content="Pamir Herald">
<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2009-01-01T00:00:00Z","dateModified":"2024-04-19"}</script></head>
<body><h1>Town limits new housing</h1><p class="byline-date">April 18, 2024</p></body></html>"#;
    let m = page_meta(
        page,
        Some("https://pamirherald.test/stories/x"),
        None,
        now(),
    );
    assert_eq!(day(m.published).as_deref(), Some("2024-04-18"));
    assert!(m.authors.is_empty(), "{:?}", m.authors);
}

#[test]
fn site_name_section_and_image_from_the_page_when_no_meta_says() {
    let page = r#"<html><head><title>Mangystau Today: Aktau port handles record volumes</title></head><body>
<ul class="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/economy/">Economy</a></li></ul>
<h1>Aktau port handles record volumes</h1><figure><img src="/media/cranes.jpg" alt="Cranes"></figure></body></html>"#;
    let m = page_meta(
        page,
        Some("https://mangystau-today.test/en/news/1"),
        None,
        now(),
    );
    assert_eq!(m.site_name.as_deref(), Some("Mangystau Today"));
    assert_eq!(m.section.as_deref(), Some("Economy"));
    assert_eq!(
        m.image.as_deref(),
        Some("https://mangystau-today.test/media/cranes.jpg")
    );
    assert_eq!(
        m.title.as_deref(),
        Some("Aktau port handles record volumes")
    );
}
