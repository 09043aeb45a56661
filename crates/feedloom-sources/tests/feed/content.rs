//! Discovery, headers and auth, full text, charsets and dialects, item ids, concurrency.

use super::*;

#[tokio::test]
async fn html_page_leads_to_its_feed() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let src = build(
        &ctx_with(store.clone(), "blog"),
        serde_json::json!({ "url": srv.url("/blog/") }),
    );
    let b = poll(&*src, "blog").await.unwrap();
    assert_eq!(ids(&b), ["g1", "g2"]);
    let loc: serde_json::Value =
        serde_json::from_slice(&store.get(STATE_NS, &location_key("blog")).unwrap().unwrap())
            .unwrap();
    assert_eq!(loc["current"], srv.url("/rss"));
    assert_eq!(loc["via"], "discovery");
    store.apply(b.commit).unwrap();
    let b = poll(&*src, "blog").await.unwrap();
    assert_eq!(b.outcome, PollOutcome::NotModified);
    assert_eq!(srv.hits("/blog/"), 1, "the page is not fetched again");
}

#[tokio::test]
async fn headers_basic_auth_and_user_agent_reach_the_server() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "auth");
    let src = build(
        &ctx,
        serde_json::json!({
            "url": srv.url("/auth"),
            "headers": { "X-Token": "t0ken", "Accept-Language": "de" },
            "basic_auth": { "username": "user", "password": "s3cret" },
            "user_agent": "TestAgent/1.0"
        }),
    );
    assert_eq!(ids(&poll(&*src, "auth").await.unwrap()), ["auth1"]);
    let seen = &srv.seen("/auth")[0].headers;
    assert_eq!(seen["x-token"], "t0ken");
    assert_eq!(seen[header::ACCEPT_LANGUAGE], "de");
    assert_eq!(seen[header::USER_AGENT], "TestAgent/1.0");
    assert!(
        seen[header::ACCEPT_ENCODING]
            .to_str()
            .unwrap()
            .contains("gzip")
    );

    let plain = build(&ctx, serde_json::json!({ "url": srv.url("/plain") }));
    poll(&*plain, "p").await.unwrap();
    assert_eq!(
        srv.seen("/plain")[0].headers[header::USER_AGENT],
        format!("feedloom/{}", feedloom_core::VERSION)
    );

    // Without credentials the server says 401: a status error.
    let noauth = build(&ctx, serde_json::json!({ "url": srv.url("/auth") }));
    assert_eq!(
        poll(&*noauth, "a").await.unwrap_err().kind,
        SourceErrorKind::Status(401)
    );
}

#[tokio::test]
async fn fulltext_fetches_new_items_only_and_extracts_the_article() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "ft");
    let src = build(
        &ctx,
        serde_json::json!({
            "url": srv.url("/ft-feed"),
            "fulltext": true,
            "fetch_private_networks": true,
            "headers": { "X-Secret": "feed-only" }
        }),
    );
    let delivered = |id: &str| id == "ft2";
    let b = poll_with(&*src, "ft", &delivered).await.unwrap();
    assert_eq!(srv.hits("/article/1"), 1);
    assert_eq!(srv.hits("/article/2"), 0, "known item: no fetch");
    let it = &b.items[0];
    assert!(it.text.contains("FULLTEXT1 The council"), "{}", it.text);
    for junk in [
        "Daily Example",
        "Most read",
        "Sport",
        "Advertisement",
        "Copyright",
    ] {
        assert!(!it.text.contains(junk), "{junk} in {}", it.text);
    }
    assert_eq!(
        b.items[1].text, "Summary ft2",
        "unfetched item keeps the feed text"
    );
    assert!(
        srv.seen("/article/1")[0].headers.get("x-secret").is_none(),
        "feed headers are not sent to article pages"
    );
}

#[tokio::test]
async fn fulltext_options_come_from_defaults_unless_the_source_sets_its_own() {
    let srv = Server::start().await;
    let mut ctx = ctx_with(Arc::new(MemoryStore::new()), "ftd");
    ctx.defaults.fulltext = true;
    ctx.defaults.fetch_private_networks = true;
    ctx.defaults.fulltext_concurrency = 1;
    let src = build(&ctx, serde_json::json!({ "url": srv.url("/ft-feed") }));
    let b = poll(&*src, "ftd").await.unwrap();
    assert_eq!(
        srv.hits("/article/1"),
        1,
        "defaults.fulltext fetched the article"
    );
    assert!(b.items[0].text.contains("FULLTEXT1"), "{}", b.items[0].text);
    // The source's own `fulltext: false` wins.
    let mut ctx2 = ctx_with(Arc::new(MemoryStore::new()), "ftd2");
    ctx2.defaults = ctx.defaults.clone();
    let src = build(
        &ctx2,
        serde_json::json!({ "url": srv.url("/ft-feed"), "fulltext": false }),
    );
    let b = poll(&*src, "ftd2").await.unwrap();
    assert_eq!(srv.hits("/article/1"), 1, "no second fetch");
    assert!(
        b.items[0].text.starts_with("Summary"),
        "{}",
        b.items[0].text
    );
}

#[tokio::test]
async fn fulltext_refuses_private_addresses_by_default() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "guard");
    // The feed itself (operator-configured) is fetched from 127.0.0.1; its article links
    // (127.0.0.1 literal, and `localhost` through the resolver) are refused.
    for feed in ["/ft-feed", "/ft-feed-localhost"] {
        let src = build(
            &ctx,
            serde_json::json!({ "url": srv.url(feed), "fulltext": true }),
        );
        let b = poll(&*src, "guard").await.unwrap();
        assert!(!b.items.is_empty());
        assert!(
            b.items[0].text.starts_with("Summary"),
            "{}",
            b.items[0].text
        );
    }
    assert_eq!(srv.hits("/article/1") + srv.hits("/article/2"), 0);

    let src = feedloom_sources::feed::FeedSource::build(
        serde_json::from_value(serde_json::json!({ "url": srv.url("/ft-feed"), "fulltext": true }))
            .unwrap(),
        &ctx,
    )
    .unwrap();
    for url in [
        srv.url("/article/1"),
        srv.url("/article/1").replace("127.0.0.1", "localhost"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/".to_string(),
        "http://[::1]/".to_string(),
        "http://0.0.0.0/".to_string(),
    ] {
        let e = src.fetch_article(&url).await.unwrap_err();
        assert!(e.message.contains("refused"), "{url}: {e}");
    }
    assert_eq!(srv.hits("/article/1"), 0);
}

#[tokio::test]
async fn options_are_checked_at_build() {
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "bad");
    let mut reg = Registry::new();
    feedloom_sources::register(&mut reg);
    let f = reg.source("feed").unwrap();
    let err = |v: serde_json::Value| (f.build)(&v, &ctx).err().expect("build error");
    assert_eq!(
        err(serde_json::json!({ "url": "http://x/", "intervall": "1m" })).path,
        "intervall"
    );
    assert_eq!(err(serde_json::json!({ "interval": "1m" })).path, "");
    assert_eq!(err(serde_json::json!({ "url": "ftp://x/" })).path, "url");
    assert_eq!(err(serde_json::json!({ "url": "not a url" })).path, "url");
    assert_eq!(
        err(serde_json::json!({ "url": "http://x/", "headers": { "Bad Name": "v" } })).path,
        "headers.Bad Name"
    );
    let ok = (f.build)(
        &serde_json::json!({ "url": "https://example.com/feed", "interval": "15m" }),
        &ctx,
    )
    .unwrap();
    assert_eq!(ok.interval(), Some(Duration::from_secs(900)));
    assert_eq!(ok.describe(), "https://example.com/feed");
}

#[tokio::test]
async fn per_host_limit_is_shared_and_forgotten_when_idle() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "many");
    let sources: Vec<_> = (0..10)
        .map(|_| build(&ctx, serde_json::json!({ "url": srv.url("/busy") })))
        .collect();
    let results = futures_util::future::join_all(sources.iter().map(|s| poll(&**s, "many"))).await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(srv.hits("/busy"), 10);
    let max = srv.st.max_in_flight.load(Ordering::SeqCst);
    assert!(
        max <= ctx.defaults.per_host_concurrency as u64,
        "{max} requests in flight to one host"
    );
    let shared = ctx
        .resources
        .get_or_init(|| feedloom_sources::feed::Shared::new(&ctx.defaults));
    assert_eq!(shared.tracked_hosts(), 0);
}

#[test]
fn opml_import_lists_every_feed_with_unique_ids() {
    let opml = br#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="Tech">
    <outline type="rss" text="Ars Technica" title="Ars Technica" xmlUrl="https://feeds.arstechnica.com/arstechnica/index" htmlUrl="https://arstechnica.com"/>
    <outline type="rss" text="LWN.net" xmlUrl="https://lwn.net/headlines/rss"/>
    <outline text="Nested"><outline text="Ars Technica" xmlUrl="https://example.com/a?x=1&amp;y=2"/></outline>
  </outline>
  <outline type="rss" xmlUrl="https://blog.example.org/feed.xml"/>
  <outline text="Not a feed" htmlUrl="https://example.com"/>
</body></opml>"#;
    let yaml = feedloom_sources::opml::opml_to_sources_yaml(opml).unwrap();
    assert_eq!(
        yaml,
        "sources:\n  # Ars Technica\n  - id: ars-technica\n    type: feed\n    url: \"https://feeds.arstechnica.com/arstechnica/index\"\n    tags: [\"Tech\"]\n  # LWN.net\n  - id: lwn-net\n    type: feed\n    url: \"https://lwn.net/headlines/rss\"\n    tags: [\"Tech\"]\n  # Ars Technica\n  - id: ars-technica-2\n    type: feed\n    url: \"https://example.com/a?x=1&y=2\"\n    tags: [\"Tech\", \"Nested\"]\n  - id: blog-example-org\n    type: feed\n    url: \"https://blog.example.org/feed.xml\"\n"
    );
    assert!(feedloom_sources::opml::opml_to_sources_yaml(b"<html>nope</html>").is_err());
}

#[tokio::test]
async fn credentials_stay_with_the_configured_host() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "c");
    let src = build(
        &ctx,
        serde_json::json!({
            "url": srv.url("/r-other-host"),
            "headers": { "X-Token": "t0ken" },
            "basic_auth": { "username": "user", "password": "s3cret" }
        }),
    );
    assert_eq!(ids(&poll(&*src, "c").await.unwrap()), ["p1"]);
    let first = &srv.seen("/r-other-host")[0].headers;
    assert_eq!(first["x-token"], "t0ken");
    assert!(first.get(header::AUTHORIZATION).is_some());
    let moved = &srv.seen("/plain")[0].headers;
    assert!(
        moved.get("x-token").is_none(),
        "header sent to another host"
    );
    assert!(
        moved.get(header::AUTHORIZATION).is_none(),
        "credentials sent to another host"
    );
}

#[tokio::test]
async fn a_feed_served_as_text_html_is_still_a_feed() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "h");
    let src = build(&ctx, serde_json::json!({ "url": srv.url("/rss-as-html") }));
    assert_eq!(ids(&poll(&*src, "h").await.unwrap()), ["h1"]);
}

#[tokio::test]
async fn a_moved_url_that_is_gone_is_forgotten() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let loc = serde_json::json!({ "configured": srv.url("/plain"), "current": srv.url("/404"), "via": "redirect" });
    store
        .put(STATE_NS, &location_key("g"), loc.to_string().as_bytes())
        .unwrap();
    let src = build(
        &ctx_with(store.clone(), "g"),
        serde_json::json!({ "url": srv.url("/plain") }),
    );
    assert_eq!(
        poll(&*src, "g").await.unwrap_err().kind,
        SourceErrorKind::Status(404)
    );
    assert_eq!(store.get(STATE_NS, &location_key("g")).unwrap(), None);
    assert_eq!(ids(&poll(&*src, "g").await.unwrap()), ["p1"]);
    // A location recorded for another configured URL is ignored.
    let other = serde_json::json!({ "configured": "http://old.example/", "current": srv.url("/404"), "via": "redirect" });
    store
        .put(STATE_NS, &location_key("g2"), other.to_string().as_bytes())
        .unwrap();
    let src = build(
        &ctx_with(store.clone(), "g2"),
        serde_json::json!({ "url": srv.url("/plain") }),
    );
    assert_eq!(ids(&poll(&*src, "g2").await.unwrap()), ["p1"]);
}

#[tokio::test]
async fn https_goes_through_rustls_and_a_failed_handshake_is_a_connect_error() {
    // A plain-HTTP server behind an https:// URL: the TLS handshake fails cleanly.
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "tls");
    let url = srv.url("/rss").replace("http://", "https://");
    let e = poll(&*build(&ctx, serde_json::json!({ "url": url })), "tls")
        .await
        .unwrap_err();
    assert_eq!(e.kind, SourceErrorKind::Connect, "{e}");
}

#[tokio::test]
async fn charset_from_the_content_type_and_lying_headers() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "cs");
    // No encoding declaration, windows-1251 bytes, charset only in the Content-Type.
    let b = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/cp1251") })),
        "cs",
    )
    .await
    .unwrap();
    assert_eq!(b.items[0].title.as_deref(), Some("Привет"));
    // The header says UTF-8, the document declares (and is) ISO-8859-1: the document wins.
    let b = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/lying-utf8") })),
        "cs",
    )
    .await
    .unwrap();
    assert_eq!(b.items[0].title.as_deref(), Some("Café"));
}

#[tokio::test]
async fn an_html_page_served_as_rss_is_still_searched_for_its_feed() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let src = build(
        &ctx_with(store.clone(), "lie"),
        serde_json::json!({ "url": srv.url("/html-as-rss") }),
    );
    let b = poll(&*src, "lie").await.unwrap();
    assert_eq!(ids(&b), ["urn:a:1", "urn:a:2"]);
    let loc: serde_json::Value =
        serde_json::from_slice(&store.get(STATE_NS, &location_key("lie")).unwrap().unwrap())
            .unwrap();
    assert_eq!(loc["current"], srv.url("/atom"));
}

#[tokio::test]
async fn atom_relative_links_resolve_against_the_final_url_and_xml_base() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "atom");
    let b = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/atom") })),
        "atom",
    )
    .await
    .unwrap();
    assert_eq!(b.items[0].url.as_deref(), Some(&*srv.url("/posts/1")));
    assert_eq!(
        b.items[0].authors,
        ["Feed Author"],
        "inherited from the feed"
    );
    assert_eq!(
        b.items[1].url.as_deref(),
        Some("https://cdn.example.org/x/p2"),
        "xml:base on the entry"
    );
    assert_eq!(b.items[1].authors, ["Own"]);
    // Behind a 302 the base is where the document really came from.
    let b = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/moved-atom") })),
        "atom",
    )
    .await
    .unwrap();
    assert_eq!(b.items[0].url.as_deref(), Some(&*srv.url("/blog/posts/1")));
}

#[tokio::test]
async fn json_feed_with_only_content_html_and_no_ids() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let src = build(
        &ctx_with(store.clone(), "j"),
        serde_json::json!({ "url": srv.url("/json") }),
    );
    let b = poll(&*src, "j").await.unwrap();
    assert_eq!(b.items.len(), 2);
    // A relative url is resolved (feed-rs leaves JSON Feed links as written) and is the id.
    assert_eq!(b.items[0].url.as_deref(), Some(&*srv.url("/j/1")));
    assert_eq!(b.items[0].id, srv.url("/j/1"));
    assert_eq!(b.items[0].text, "Only HTML été");
    assert!(b.items[1].id.starts_with("sha256:"), "{}", b.items[1].id);
    assert_eq!(b.items[1].text, "No id, no url");
    // Same ids from a new instance (a restart) polling the same document.
    let again = poll(
        &*build(
            &ctx_with(Arc::new(MemoryStore::new()), "j"),
            serde_json::json!({ "url": srv.url("/json") }),
        ),
        "j",
    )
    .await
    .unwrap();
    assert_eq!(ids(&again), ids(&b));
}

#[tokio::test]
async fn items_without_guid_or_link_keep_their_id_between_polls() {
    let srv = Server::start().await;
    let mut all = Vec::new();
    for _ in 0..3 {
        let ctx = ctx_with(Arc::new(MemoryStore::new()), "n");
        let b = poll(
            &*build(&ctx, serde_json::json!({ "url": srv.url("/no-ids") })),
            "n",
        )
        .await
        .unwrap();
        assert_eq!(b.items.len(), 2);
        all.push(ids(&b));
    }
    assert!(all[0][0].starts_with("sha256:") && all[0][0] != all[0][1]);
    assert!(all.windows(2).all(|w| w[0] == w[1]), "{all:?}");
}

#[tokio::test]
async fn a_bare_ampersand_does_not_lose_the_feed() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "amp");
    let b = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/bare-amp") })),
        "amp",
    )
    .await
    .unwrap();
    assert_eq!(b.items[0].title.as_deref(), Some("AT&T buys Q&A site"));
    assert_eq!(b.items[0].text, "R&D & more", "CDATA left as it was");
}

#[tokio::test]
async fn items_older_than_the_dedup_retention_are_skipped_once_the_source_has_been_polled() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let ctx = ctx_with(store.clone(), "d");
    assert_eq!(
        ctx.defaults.retention.get(),
        Duration::from_secs(90 * 86_400)
    );
    let src = build(&ctx, serde_json::json!({ "url": srv.url("/dated") }));
    // A new subscription gets everything the feed lists, however old.
    let first = poll(&*src, "d").await.unwrap();
    assert_eq!(ids(&first), ["recent", "old", "undated"]);
    // Polled to completion before (validators stored, here for another URL so that the
    // body is fetched and parsed again): the 400-day-old item's delivered mark would be
    // pruned at 90 days and the item delivered again, so it is skipped; undated items
    // cannot be judged and are kept.
    let earlier = serde_json::json!({ "url": srv.url("/elsewhere") });
    store
        .apply(vec![StateOp::Put {
            ns: STATE_NS.into(),
            key: validators_key("d"),
            value: serde_json::to_vec(&earlier).unwrap(),
        }])
        .unwrap();
    let later = poll(&*src, "d").await.unwrap();
    assert_eq!(ids(&later), ["recent", "undated"]);
}

#[tokio::test]
async fn a_body_that_stalls_after_the_headers_times_out() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "stall");
    let e = poll(
        &*build(
            &ctx,
            serde_json::json!({ "url": srv.url("/stall-body"), "timeout": "300ms" }),
        ),
        "stall",
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, SourceErrorKind::Timeout, "{e}");
    assert!(e.message.contains("/stall-body"), "{e}");
}

#[tokio::test]
async fn retry_after_is_capped_and_its_message_is_the_same_every_time() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "ra");
    // A year's Retry-After is held to max_backoff (6 h by default).
    let e = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/429-forever") })),
        "ra",
    )
    .await
    .unwrap_err();
    assert_eq!(e.retry_after, Some(ctx.defaults.max_backoff.get()));
    // An HTTP-date Retry-After counts down between requests; the reason logged must not,
    // or the runtime would log every retry of a failure streak as a new reason.
    let src = build(&ctx, serde_json::json!({ "url": srv.url("/503") }));
    let a = poll(&*src, "ra").await.unwrap_err();
    assert!(a.retry_after.is_some());
    assert_eq!(
        a.message,
        format!(
            "{}: HTTP 503 Service Unavailable (waiting as its Retry-After asks)",
            srv.url("/503")
        )
    );
}

#[tokio::test]
async fn max_concurrent_fetches_holds_across_hosts() {
    let srv = Server::start().await;
    let mut ctx = ctx_with(Arc::new(MemoryStore::new()), "g");
    ctx.defaults.max_concurrent_fetches = 1;
    ctx.defaults.per_host_concurrency = 4;
    // 127.0.0.1 and localhost are two hosts to the per-host limiter, one server to us.
    let urls = [
        srv.url("/busy"),
        srv.url("/busy").replace("127.0.0.1", "localhost"),
    ];
    let sources: Vec<_> = (0..6)
        .map(|i| build(&ctx, serde_json::json!({ "url": urls[i % 2] })))
        .collect();
    let results = futures_util::future::join_all(sources.iter().map(|s| poll(&**s, "g"))).await;
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(srv.hits("/busy"), 6);
    assert_eq!(srv.st.max_in_flight.load(Ordering::SeqCst), 1);
}
