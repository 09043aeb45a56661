//! Conditional GET, failure kinds, Retry-After, size and decompression limits, redirects.

use super::*;

#[tokio::test]
async fn conditional_get_takes_the_304_path_and_survives_a_restart() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let ctx = ctx_with(store.clone(), "news");
    let src = build(&ctx, serde_json::json!({ "url": srv.url("/rss") }));

    let first = poll(&*src, "news").await.unwrap();
    assert_eq!(first.outcome, PollOutcome::Ok);
    assert_eq!(ids(&first), ["g1", "g2"]);
    assert_eq!(first.items[0].url.as_deref(), Some(&*srv.url("/a/1")));
    assert!(first.bytes > 0);
    // Validators are not written before delivery: they are in the commit.
    assert_eq!(store.get(STATE_NS, &validators_key("news")).unwrap(), None);
    assert_eq!(first.commit.len(), 1);

    // Not committed (delivery failed): the next poll is unconditional and returns the items.
    let again = poll(&*src, "news").await.unwrap();
    assert_eq!(ids(&again), ["g1", "g2"]);
    let seen = srv.seen("/rss");
    assert!(seen[1].headers.get(header::IF_NONE_MATCH).is_none());

    // Delivered: commit applied. The next poll is conditional and gets a 304.
    store.apply(again.commit).unwrap();
    let third = poll(&*src, "news").await.unwrap();
    assert_eq!(third.outcome, PollOutcome::NotModified);
    assert!(third.items.is_empty() && third.commit.is_empty());
    let seen = srv.seen("/rss");
    assert_eq!(seen[2].headers[header::IF_NONE_MATCH], ETAG);
    assert_eq!(seen[2].headers[header::IF_MODIFIED_SINCE], LAST_MODIFIED);

    // "Restart": a new source instance and fresh shared resources, same state store.
    let ctx2 = ctx_with(store.clone(), "news");
    let src2 = build(&ctx2, serde_json::json!({ "url": srv.url("/rss") }));
    let after = poll(&*src2, "news").await.unwrap();
    assert_eq!(after.outcome, PollOutcome::NotModified);
    assert_eq!(srv.seen("/rss")[3].headers[header::IF_NONE_MATCH], ETAG);
}

#[tokio::test]
async fn last_modified_alone_and_unchanged_bodies_are_not_parsed_again() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let ctx = ctx_with(store.clone(), "s");
    let lm = build(&ctx, serde_json::json!({ "url": srv.url("/lm-only") }));
    let b = poll(&*lm, "s").await.unwrap();
    store.apply(b.commit).unwrap();
    let b = poll(&*lm, "s").await.unwrap();
    assert_eq!(b.outcome, PollOutcome::NotModified);
    assert_eq!(
        srv.seen("/lm-only")[1].headers[header::IF_MODIFIED_SINCE],
        LAST_MODIFIED
    );

    // No validators at all: an identical body counts as not modified.
    let plain = build(
        &ctx_with(store.clone(), "p"),
        serde_json::json!({ "url": srv.url("/plain") }),
    );
    let b = poll(&*plain, "p").await.unwrap();
    assert_eq!(ids(&b), ["p1"]);
    store.apply(b.commit).unwrap();
    let b = poll(&*plain, "p").await.unwrap();
    assert_eq!(b.outcome, PollOutcome::NotModified);
    assert!(b.items.is_empty());
}

#[tokio::test]
async fn each_failure_has_its_kind_and_healthy_feeds_still_come_through() {
    let srv = Server::start().await;
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        drop(l);
        format!("http://127.0.0.1:{port}/feed")
    };
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "x");
    let cases: Vec<(&str, String, Option<SourceErrorKind>)> = vec![
        ("ok", srv.url("/rss"), None),
        ("e500", srv.url("/500"), Some(SourceErrorKind::Status(500))),
        ("e404", srv.url("/404"), Some(SourceErrorKind::Status(404))),
        ("slow", srv.url("/slow"), Some(SourceErrorKind::Timeout)),
        ("refused", refused, Some(SourceErrorKind::Connect)),
        (
            "malformed",
            srv.url("/malformed"),
            Some(SourceErrorKind::Parse),
        ),
        ("empty", srv.url("/empty"), Some(SourceErrorKind::Parse)),
        ("html", srv.url("/html"), Some(SourceErrorKind::Parse)),
        ("ok2", srv.url("/plain"), None),
    ];
    let sources: Vec<_> = cases
        .iter()
        .map(|(_, url, _)| build(&ctx, serde_json::json!({ "url": url, "timeout": "300ms" })))
        .collect();
    let results = futures_util::future::join_all(
        sources
            .iter()
            .zip(&cases)
            .map(|(s, (id, _, _))| poll(&**s, id)),
    )
    .await;
    for ((id, _, want), got) in cases.iter().zip(results) {
        match (want, got) {
            (None, Ok(b)) => assert!(!b.items.is_empty(), "{id}"),
            (Some(kind), Err(e)) => {
                assert_eq!(e.kind, *kind, "{id}: {e}");
                assert!(!e.message.is_empty());
            }
            (want, got) => panic!("{id}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[tokio::test]
async fn html_error_names_the_problem() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "h");
    let e = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/html") })),
        "h",
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("HTML page"), "{e}");
}

#[tokio::test]
async fn retry_after_in_seconds_and_as_a_date() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "r");
    let e429 = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/429") })),
        "r",
    )
    .await
    .unwrap_err();
    assert_eq!(e429.kind, SourceErrorKind::Status(429));
    assert_eq!(e429.retry_after, Some(Duration::from_secs(120)));
    let e503 = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/503") })),
        "r",
    )
    .await
    .unwrap_err();
    assert_eq!(e503.kind, SourceErrorKind::Status(503));
    let ra = e503.retry_after.expect("HTTP-date Retry-After parsed");
    assert!(
        (Duration::from_secs(80)..=Duration::from_secs(90)).contains(&ra),
        "{ra:?}"
    );
    let e500 = poll(
        &*build(&ctx, serde_json::json!({ "url": srv.url("/500") })),
        "r",
    )
    .await
    .unwrap_err();
    assert_eq!(e500.retry_after, None);

    // The runtime's backoff with these errors, on a paused clock: the server's wait wins
    // over the exponential step, which resumes doubling afterwards and is capped.
    let errors = [
        e500.clone(),
        e429,
        e500.clone(),
        e500.clone(),
        e500.clone(),
        e500,
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let gaps = std::thread::spawn(move || {
        rt.block_on(async move {
            let backoff = Backoff::new(Duration::from_secs(30), Duration::from_secs(300));
            let mut gaps = Vec::new();
            for (attempt, e) in errors.iter().enumerate() {
                let start = tokio::time::Instant::now();
                tokio::time::sleep(backoff.delay(attempt as u32 + 1, e.retry_after)).await;
                gaps.push(start.elapsed().as_secs());
            }
            gaps
        })
    })
    .join()
    .unwrap();
    assert_eq!(gaps, [30, 120, 120, 240, 300, 300]);
}

#[tokio::test]
async fn gzip_bomb_is_cut_off_after_decompression_with_bounded_memory() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "bomb");
    let src = build(
        &ctx,
        serde_json::json!({ "url": srv.url("/gzip-bomb"), "max_bytes": 1048576 }),
    );
    let e = poll(&*src, "bomb").await.unwrap_err();
    assert_eq!(e.kind, SourceErrorKind::TooLarge, "{e}");
    assert!(e.message.contains("after decompression"), "{e}");
    // The bomb inflates to 4 GiB; had it been buffered, the process peak would show it.
    let hwm = vm_hwm_kib();
    assert!(hwm < 1024 * 1024, "peak RSS {hwm} KiB");
}

#[tokio::test]
async fn oversize_body_stops_the_read() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "big");
    let src = build(
        &ctx,
        serde_json::json!({ "url": srv.url("/huge"), "max_bytes": 1048576 }),
    );
    let e = poll(&*src, "big").await.unwrap_err();
    assert_eq!(e.kind, SourceErrorKind::TooLarge);
    // The server notices the client hung up; it never produced more than socket buffers
    // beyond the 1 MiB limit (the body is 1 GiB).
    for _ in 0..500 {
        if srv.st.stream_dropped.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(srv.st.stream_dropped.load(Ordering::SeqCst), "read stopped");
    let produced = srv.st.produced.load(Ordering::SeqCst);
    assert!(produced < 64 << 20, "server produced {produced} bytes");

    // A declared Content-Length over the limit is refused before reading.
    let small = build(
        &ctx,
        serde_json::json!({ "url": srv.url("/sized"), "max_bytes": 1024 }),
    );
    assert_eq!(
        poll(&*small, "big").await.unwrap_err().kind,
        SourceErrorKind::TooLarge
    );
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn xml_entity_bomb_is_not_expanded() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "lol");
    let src = build(&ctx, serde_json::json!({ "url": srv.url("/entity-bomb") }));
    // Custom entities are left unexpanded (or the document is rejected): never a billion lols.
    match poll(&*src, "lol").await {
        Ok(b) => {
            for it in &b.items {
                assert!(it.title.as_deref().unwrap_or("").len() < 1000);
                assert!(it.text.len() < 1000);
            }
        }
        Err(e) => assert_eq!(e.kind, SourceErrorKind::Parse),
    }
}

#[tokio::test]
async fn permanent_redirects_are_remembered_temporary_ones_are_not() {
    let srv = Server::start().await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    for (id, path) in [("p301", "/r301"), ("p308", "/r308")] {
        let src = build(
            &ctx_with(store.clone(), id),
            serde_json::json!({ "url": srv.url(path) }),
        );
        let b = poll(&*src, id).await.unwrap();
        assert_eq!(ids(&b), ["g1", "g2"]);
        let loc: serde_json::Value =
            serde_json::from_slice(&store.get(STATE_NS, &location_key(id)).unwrap().unwrap())
                .unwrap();
        assert_eq!(loc["current"], srv.url("/rss"), "{id}");
        assert_eq!(loc["via"], "redirect");
        store.apply(b.commit).unwrap();
        // The next poll (even from a new instance) goes straight to the new URL.
        let src2 = build(
            &ctx_with(store.clone(), id),
            serde_json::json!({ "url": srv.url(path) }),
        );
        assert_eq!(
            poll(&*src2, id).await.unwrap().outcome,
            PollOutcome::NotModified
        );
        assert_eq!(srv.hits(path), 1, "{id}");
    }
    for (id, path) in [("p302", "/r302"), ("p307", "/r307")] {
        let src = build(
            &ctx_with(store.clone(), id),
            serde_json::json!({ "url": srv.url(path) }),
        );
        let b = poll(&*src, id).await.unwrap();
        assert_eq!(ids(&b), ["g1", "g2"]);
        assert_eq!(store.get(STATE_NS, &location_key(id)).unwrap(), None);
        store.apply(b.commit).unwrap();
        poll(&*src, id).await.unwrap();
        assert_eq!(srv.hits(path), 2, "{id}: still fetched at the old URL");
    }
}

#[tokio::test]
async fn redirect_loops_stop_at_the_limit() {
    let srv = Server::start().await;
    let ctx = ctx_with(Arc::new(MemoryStore::new()), "loop");
    let src = build(
        &ctx,
        serde_json::json!({ "url": srv.url("/loop"), "max_redirects": 3 }),
    );
    let e = poll(&*src, "loop").await.unwrap_err();
    assert!(e.message.contains("too many redirects"), "{e}");
    assert_eq!(srv.hits("/loop"), 4);
}
