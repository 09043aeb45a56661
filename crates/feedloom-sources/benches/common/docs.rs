//! The documents the parse bench and `examples/parse_cpu.rs` parse: `n` items of RSS 2.0,
//! Atom and JSON Feed, each item like a short news story.

pub fn rss(n: usize) -> String {
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

pub fn atom(n: usize) -> String {
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

pub fn json(n: usize) -> String {
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
