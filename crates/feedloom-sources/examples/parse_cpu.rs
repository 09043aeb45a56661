//! The parse bench's documents parsed a fixed number of times, to measure CPU time rather
//! than wall time (criterion's wall time swings with the load of a shared machine):
//!
//! ```sh
//! cargo build --release -p feedloom-sources --example parse_cpu
//! perf stat -e task-clock,instructions target/release/examples/parse_cpu rss2 300
//! ```
//! Prints the bytes parsed; MiB/s is that over perf's task-clock.

// A developer tool on inputs it makes itself.
#![allow(clippy::unwrap_used)]

use feedloom_sources::parse::parse_feed;

fn rss(n: usize) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title><link>https://example.com/</link><language>en-gb</language>"#,
    );
    for i in 0..n {
        s.push_str(&format!(
            "<item><title>Story number {i} &amp; more</title><link>/news/{i}</link><guid>urn:bench:{i}</guid>\
             <pubDate>Mon, 06 Jan 2025 10:{:02}:00 GMT</pubDate><author>desk@example.com (News Desk)</author>\
             <description>&lt;p&gt;The council said on Tuesday that water prices would rise by four percent next year, \
             as the utility struggles with repairs to &lt;b&gt;ageing pipes&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Residents protested outside city hall.&lt;/p&gt;</description></item>",
            i % 60
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn atom(n: usize) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Bench</title><id>urn:bench</id><updated>2025-01-06T10:00:00Z</updated>"#,
    );
    for i in 0..n {
        s.push_str(&format!(
            "<entry><title>Story {i}</title><id>urn:bench:{i}</id><link href=\"/news/{i}\"/><updated>2025-01-06T10:00:00Z</updated>\
             <author><name>Jane Doe</name></author><summary>Short summary of story {i}.</summary>\
             <content type=\"html\">&lt;p&gt;The council said on Tuesday that water prices would rise by four percent next year.&lt;/p&gt;&lt;p&gt;Residents protested.&lt;/p&gt;</content></entry>"
        ));
    }
    s.push_str("</feed>");
    s
}

fn json(n: usize) -> String {
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "id": format!("urn:bench:{i}"),
                "url": format!("https://example.com/news/{i}"),
                "title": format!("Story {i}"),
                "content_html": "<p>The council said on Tuesday that water prices would rise by four percent next year.</p><p>Residents protested.</p>",
                "date_published": "2025-01-06T10:00:00Z",
                "authors": [{"name": "Jane Doe"}]
            })
        })
        .collect();
    serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": "Bench", "items": items}).to_string()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let kind = args.next().unwrap_or_else(|| "rss2".into());
    let rounds: usize = args.next().map_or(300, |r| r.parse().unwrap());
    let doc = match kind.as_str() {
        "rss2" => rss(200),
        "atom" => atom(200),
        _ => json(200),
    };
    let mut items = 0;
    for _ in 0..rounds {
        items += parse_feed(doc.as_bytes(), Some("https://example.com/feed"), "bench")
            .unwrap()
            .len();
    }
    println!(
        "{kind}: {} bytes parsed ({rounds} x {}), {items} items",
        doc.len() * rounds,
        doc.len()
    );
}
