use super::*;

const RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>http://example.com/</link>
  <item><title>A &amp; B</title><link>/a</link><guid>g-1</guid><description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate></item>
  <item><title>No guid</title><link>http://example.com/b</link></item>
  <item><description>Only text</description></item>
</channel></rss>"#;

#[test]
fn maps_entries_with_stable_ids() {
    let a = parse_feed(RSS.as_bytes(), Some("http://example.com/feed"), "s").unwrap();
    let b = parse_feed(RSS.as_bytes(), Some("http://example.com/feed"), "s").unwrap();
    assert_eq!(a.len(), 3);
    assert_eq!(a[0].id, "g-1");
    assert_eq!(a[0].title.as_deref(), Some("A & B"));
    assert_eq!(a[0].text, "Hello world");
    assert_eq!(
        a[0].url.as_deref(),
        Some("http://example.com/a"),
        "relative link resolved"
    );
    assert!(a[0].published.is_some());
    let ids_a: Vec<_> = a.iter().map(|i| i.id.clone()).collect();
    let ids_b: Vec<_> = b.iter().map(|i| i.id.clone()).collect();
    assert_eq!(ids_a, ids_b, "ids are stable across parses");
}

#[test]
fn atom_prefers_the_alternate_link() {
    let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:f</id><updated>2025-01-06T10:00:00Z</updated>
      <entry><id>urn:e1</id><title>E</title><updated>2025-01-06T10:00:00Z</updated>
        <link rel="replies" href="/comments/1"/><link rel="alternate" type="text/html" href="/posts/1"/>
        <author><name>Jane</name></author><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"#;
    let items = parse_feed(atom.as_bytes(), Some("https://example.com/atom.xml"), "s").unwrap();
    assert_eq!(items[0].id, "urn:e1");
    assert_eq!(items[0].url.as_deref(), Some("https://example.com/posts/1"));
    assert_eq!(items[0].authors, ["Jane"]);
    assert_eq!(items[0].text, "Body");
}

#[test]
fn json_feed_maps() {
    let j = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://example.com/1","title":"One","content_html":"<p>Hi</p>","date_published":"2025-01-06T10:00:00Z"}]}"#;
    let items = parse_feed(j.as_bytes(), None, "s").unwrap();
    assert_eq!(items[0].id, "1");
    assert_eq!(items[0].text, "Hi");
    assert!(items[0].published.is_some());
}

#[test]
fn rejects_empty_and_html() {
    assert_eq!(
        parse_feed(b"  \n", None, "s").unwrap_err().kind,
        SourceErrorKind::Parse
    );
    assert!(parse_feed(b"<html><body>hi</body></html>", None, "s").is_err());
}

#[test]
fn every_html_entity_and_windows_1252_references() {
    assert_eq!(
        decode_entities("caf&eacute; &hellip; &euro;5 &#8217; &#x2014; &#150; &NotANamedOne; &amp"),
        "café … €5 ’ — – &NotANamedOne; &amp"
    );
    assert_eq!(
        html_to_text("<p>R&amp;D&nbsp;team &copy; 2025</p>"),
        "R&D team © 2025"
    );
    assert_eq!(normalise_ws("a\u{1}b\u{c}c  d"), "ab c d");
}

#[test]
fn repairs_bare_ampersands_outside_cdata_only() {
    let bad = br#"<rss version="2.0"><channel><title>Q&A</title><item><guid>1</guid><title>AT&T &amp; co &#169; &x;</title><description><![CDATA[a & b]]></description></item><!-- x & y --></channel></rss>"#;
    let fixed = String::from_utf8(repair_xml(bad).unwrap()).unwrap();
    assert!(fixed.contains("Q&amp;A"));
    assert!(fixed.contains("AT&amp;T &amp; co &#169; &x;"));
    assert!(fixed.contains("<![CDATA[a & b]]>") && fixed.contains("<!-- x & y -->"));
    let items = parse_feed(bad, None, "s").unwrap();
    assert_eq!(items[0].title.as_deref(), Some("AT&T & co © &x;"));
    assert_eq!(items[0].text, "a & b");
    // Nothing to repair, or JSON: no second parse.
    assert!(repair_xml(b"<rss><channel></channel></rss>").is_none());
    assert!(repair_xml(b"{\"a\": \"&\"}").is_none());
    // Still broken after the repair: the first error is reported.
    let e = parse_feed(b"<rss version=\"2.0\"><channel>&<item>", None, "s").unwrap_err();
    assert!(e.message.starts_with("not a feed"), "{e}");
}

#[test]
fn charsets() {
    let cp1252 = b"<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Caf\xe9 \x93q\x94</title></item></channel></rss>";
    // Content-Type names the charset; the document does not.
    let fixed = to_utf8(cp1252, Some("text/xml; charset=\"windows-1252\""));
    assert!(matches!(fixed, Cow::Owned(_)));
    let items = parse_feed(&fixed, None, "s").unwrap();
    assert_eq!(items[0].title.as_deref(), Some("Café “q”"));
    // No charset anywhere and no UTF-8 beyond ASCII: read as Windows-1252.
    let items = parse_feed(cp1252, None, "s").unwrap();
    assert_eq!(items[0].title.as_deref(), Some("Café “q”"));
    // Mostly UTF-8 with a stray byte: the byte is replaced, the feed is not lost.
    let mixed = "<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Café \u{1}</title></item></channel></rss>".replace('\u{1}', "\u{fffd}");
    let mut bytes = mixed.into_bytes();
    let at = bytes.len() - 40;
    bytes.insert(at, 0xff);
    assert!(parse_feed(&bytes, None, "s").is_ok());
    // Valid UTF-8 wins over a header that says otherwise.
    let utf8 = "<rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Café</title></item></channel></rss>";
    assert!(matches!(
        to_utf8(utf8.as_bytes(), Some("text/xml; charset=iso-8859-1")),
        Cow::Borrowed(_)
    ));
    // A declaration that lies (says ISO-8859-1, is UTF-8) is rewritten.
    let liar = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Café</title></item></channel></rss>";
    let fixed = to_utf8(liar.as_bytes(), None);
    assert!(fixed.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss"));
    assert_eq!(
        parse_feed(&fixed, None, "s").unwrap()[0].title.as_deref(),
        Some("Café")
    );
    // A declared encoding is decoded here, and the declaration then says UTF-8.
    let mut latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><rss version=\"2.0\"><channel><title>T</title><item><guid>1</guid><title>Caf".to_vec();
    latin.extend_from_slice(b"\xe9</title></item></channel></rss>");
    assert!(
        to_utf8(&latin, Some("text/xml; charset=utf-8"))
            .starts_with(b"<?xml version='1.0' encoding='UTF-8'?>")
    );
    assert_eq!(
        parse_feed(&latin, None, "s").unwrap()[0].title.as_deref(),
        Some("Café")
    );
    assert_eq!(
        declared_encoding(b" <?xml version=\"1.0\" encoding = \"windows-1251\" ?><rss/>"),
        Some(encoding_rs::WINDOWS_1251)
    );
    assert_eq!(
        crate::decode::charset_param("text/xml;Charset=KOI8-R ; q=1").as_deref(),
        Some("KOI8-R")
    );
}

#[test]
fn json_feed_links_are_resolved_and_rss_authors_named() {
    let j = r#"{"version":"https://jsonfeed.org/version/1","title":"J","items":[{"url":"/a/1","content_text":"t"}]}"#;
    let items = parse_feed(j.as_bytes(), Some("https://example.com/feeds/j.json"), "s").unwrap();
    assert_eq!(items[0].url.as_deref(), Some("https://example.com/a/1"));
    assert_eq!(items[0].id, "https://example.com/a/1");
    let rss = r#"<rss version="2.0"><channel><title>T</title><item><guid>1</guid><author>desk@example.com (News Desk)</author></item></channel></rss>"#;
    assert_eq!(
        parse_feed(rss.as_bytes(), None, "s").unwrap()[0].authors,
        ["News Desk"]
    );
}

#[test]
fn an_xml_error_keeps_the_items_before_it_and_no_items_is_an_error() {
    let doc = r#"<rss version="2.0"><channel><item><title>a</title><guid>1</guid></item><!-- never closed <item><title>b</title><guid>2</guid></item></channel></rss>"#;
    let p = parse_feed_doc(doc.as_bytes(), None, "xml-error").unwrap();
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].id, "1");
    let doc = r#"<rss version="2.0"><channel><!-- never closed <item><title>b</title><guid>2</guid></item></channel></rss>"#;
    let e = parse_feed(doc.as_bytes(), None, "xml-error").unwrap_err();
    assert_eq!(e.kind, SourceErrorKind::Parse);
    assert!(e.message.starts_with("not a feed"), "{e}");
}

#[test]
fn html_to_text_keeps_paragraphs() {
    assert_eq!(
        html_to_text("<p>One  two</p><p>Three</p><script>x()</script>"),
        "One two\n\nThree"
    );
    assert_eq!(html_to_text("a < b, <3 and 1<2"), "a < b, <3 and 1<2");
}
