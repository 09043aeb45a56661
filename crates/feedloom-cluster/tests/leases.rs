//! Lease managers against the real server: balance, join, clean leave, a frozen node, a
//! killed node, a node whose config differs.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{Cleanup, balanced, eventually, node, overlap_watchdog};
use feedloom_cluster::{LeaseHandle, LeaseView};

const TTL_MS: u64 = 2_000;
const RENEW: Duration = Duration::from_millis(TTL_MS / 3);
const SHARDS: u32 = 64;

async fn start(name: &str, id: &str, shards: u32, hash: &str) -> LeaseHandle {
    node(name, id, shards, TTL_MS)
        .await
        .start_leases(hash)
        .await
        .unwrap()
}

fn views(hs: &[&LeaseHandle]) -> Vec<LeaseView> {
    hs.iter().map(|h| h.view()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_balance_a_fourth_joins_and_a_clean_leave_hands_over() {
    let name = common::unique_name("bal");
    let _cleanup = Cleanup::new(&name);
    let a = start(&name, "a", SHARDS, "h").await;
    let b = start(&name, "b", SHARDS, "h").await;
    let c = start(&name, "c", SHARDS, "h").await;
    let (overlap, dog) = overlap_watchdog(views(&[&a, &b, &c]), SHARDS);

    let three = views(&[&a, &b, &c]);
    let took = eventually(Duration::from_secs(10), "3 nodes balanced over 64", || {
        balanced(&three, SHARDS)
    })
    .await;
    eprintln!("3 nodes balanced after {took:?}");
    eventually(Duration::from_secs(3), "a's status lists 3 members", || {
        a.status().members.len() == 3
    })
    .await;

    // b's owned-set watch tells it which shards it gives up when d joins.
    let mut b_owned = b.subscribe();
    let b_before = b_owned.borrow_and_update().as_ref().clone();
    let d = start(&name, "d", SHARDS, "h").await;
    let (overlap_d, dog_d) = overlap_watchdog(views(&[&a, &b, &c, &d]), SHARDS);
    let four = views(&[&a, &b, &c, &d]);
    let took = eventually(Duration::from_secs(10), "4 nodes balanced over 64", || {
        balanced(&four, SHARDS)
    })
    .await;
    eprintln!("rebalanced to 4 nodes after {took:?}");
    assert!(b_owned.has_changed().unwrap());
    let b_after = b_owned.borrow_and_update().as_ref().clone();
    assert_eq!(b_after, b.view().owned());
    assert!(b_after.len() < b_before.len() && b_after.is_subset(&b_before));
    assert!(
        b_before
            .difference(&b_after)
            .all(|s| d.owns(*s) || a.owns(*s) || c.owns(*s))
    );

    let held_by_a = a.view().owned().len() as u64;
    let released_before = a.counters().snapshot().released;
    let a_view = a.view();
    let t0 = Instant::now();
    a.shutdown().await;
    let rest = views(&[&b, &c, &d]);
    let took = eventually(
        Duration::from_secs(5),
        "3 remaining nodes take a's shards",
        || balanced(&rest, SHARDS),
    )
    .await;
    let since_shutdown = t0.elapsed();
    eprintln!("a's shards taken {took:?} after its shutdown returned ({since_shutdown:?} in all)");
    assert!(
        since_shutdown < RENEW * 2,
        "handover after a clean shutdown took {since_shutdown:?}, more than about one renew interval"
    );
    // a released what it held, on purpose.
    let a_counts = a_view.counters().snapshot();
    assert!(
        a_counts.released >= released_before + held_by_a,
        "{a_counts:?}"
    );
    assert!(a_view.owned().is_empty());

    // Steady state: renewals go on, the balance holds.
    tokio::time::sleep(RENEW * 2).await;
    assert!(balanced(&rest, SHARDS), "the balance did not hold");

    assert!(!overlap.load(Ordering::SeqCst), "a shard had two owners");
    assert!(!overlap_d.load(Ordering::SeqCst), "a shard had two owners");
    for h in [&b, &c, &d] {
        let n = h.counters().snapshot();
        assert_eq!(n.lost, 0, "{:?} lost leases: {n:?}", h.status().node_id);
        assert!(n.renewed > 0);
    }
    dog.abort();
    dog_d.abort();
    for h in [b, c, d] {
        h.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_node_loses_its_shards_after_the_ttl_and_does_not_claim_them_back() {
    let name = common::unique_name("frz");
    let _cleanup = Cleanup::new(&name);
    let a = start(&name, "a", SHARDS, "h").await;
    let b = start(&name, "b", SHARDS, "h").await;
    let c = start(&name, "c", SHARDS, "h").await;
    let all = views(&[&a, &b, &c]);
    let (overlap, dog) = overlap_watchdog(all.clone(), SHARDS);
    eventually(Duration::from_secs(10), "3 nodes balanced", || {
        balanced(&all, SHARDS)
    })
    .await;

    let frozen_set = c.view().owned();
    let before = c.counters().snapshot();
    c.freeze(true);
    let t0 = Instant::now();
    let two = views(&[&a, &b]);
    let took = eventually(
        Duration::from_millis(TTL_MS * 4),
        "a and b take the frozen node's shards",
        || balanced(&two, SHARDS),
    )
    .await;
    eprintln!("frozen node's shards taken after {took:?}");
    assert!(
        took >= Duration::from_millis(TTL_MS) - RENEW - Duration::from_millis(100),
        "shards taken after {took:?}: before the frozen node's leases could lapse"
    );
    assert!(
        frozen_set.iter().all(|s| !c.owns(*s)),
        "the frozen node still claims a shard past its deadline"
    );

    // Thawed: its renewals are refused; it drops those shards and does not claim them.
    c.freeze(false);
    eventually(
        Duration::from_secs(3),
        "the thawed node counts its losses",
        || c.counters().snapshot().lost >= before.lost + frozen_set.len() as u64,
    )
    .await;
    let after = c.counters().snapshot();
    assert_eq!(
        after.renew_refused - before.renew_refused,
        frozen_set.len() as u64,
        "each of its renewals refused: {after:?}; last loss: {:?}",
        c.status().last_loss
    );
    let t1 = Instant::now();
    eventually(Duration::from_secs(10), "3 nodes balanced again", || {
        balanced(&all, SHARDS)
    })
    .await;
    eprintln!("balanced again {:?} after the thaw", t1.elapsed());
    assert!(!overlap.load(Ordering::SeqCst), "a shard had two owners");
    assert!(t0.elapsed() < Duration::from_secs(30));
    dog.abort();
    for h in [a, b, c] {
        h.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_node_has_its_shards_taken_after_the_ttl() {
    let name = common::unique_name("kill");
    let _cleanup = Cleanup::new(&name);
    let shards = 16;
    let a = start(&name, "a", shards, "h").await;
    let b = start(&name, "b", shards, "h").await;
    let both = views(&[&a, &b]);
    eventually(Duration::from_secs(10), "2 nodes balanced", || {
        balanced(&both, shards)
    })
    .await;
    let b_view = b.view();
    let (overlap, dog) = overlap_watchdog(both.clone(), shards);
    drop(b); // like kill -9: no release, no leave
    assert!(b_view.owned().is_empty() && (0..shards).all(|s| !b_view.owns(s)));
    let t0 = Instant::now();
    let only_a = views(&[&a]);
    let took = eventually(
        Duration::from_millis(TTL_MS * 4),
        "a takes every shard",
        || balanced(&only_a, shards),
    )
    .await;
    eprintln!("killed node's shards taken after {took:?}");
    assert!(took >= Duration::from_millis(TTL_MS) - RENEW - Duration::from_millis(100));
    assert!((0..shards).all(|s| !b_view.owns(s)));
    assert!(!overlap.load(Ordering::SeqCst), "a shard had two owners");
    assert!(t0.elapsed() < Duration::from_millis(TTL_MS * 4));
    dog.abort();
    a.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_whose_config_differs_refuses_and_holds_nothing() {
    let name = common::unique_name("cfg");
    let _cleanup = Cleanup::new(&name);
    let shards = 16;
    let a = start(&name, "a", shards, "hash-one").await;
    let only_a = views(&[&a]);
    eventually(Duration::from_secs(10), "a holds every shard", || {
        balanced(&only_a, shards)
    })
    .await;
    let b = start(&name, "b", shards, "hash-two").await;
    eventually(Duration::from_secs(5), "b refuses", || {
        b.status().refused.is_some()
    })
    .await;
    let why = b.status().refused.unwrap();
    eprintln!("refused: {why}");
    assert!(
        why.contains("hash-one") && why.contains("hash-two"),
        "{why}"
    );
    // b stays out: a keeps its share of 16, b holds nothing, for two more renew intervals.
    tokio::time::sleep(RENEW * 2).await;
    assert!(b.view().owned().is_empty());
    assert!((0..shards).all(|s| !b.owns(s)));
    assert_eq!(a.view().owned().len(), shards as usize);
    assert_eq!(b.status().target, 0);
    assert_eq!(a.status().refused, None);

    // Once the oldest member (a) leaves, b's config is the cluster's: it takes part.
    a.shutdown().await;
    let only_b = views(&[&b]);
    eventually(Duration::from_secs(5), "b takes every shard", || {
        balanced(&only_b, shards)
    })
    .await;
    assert_eq!(b.status().refused, None);
    assert_eq!(b.status().cluster_hash.as_deref(), Some("hash-two"));
    b.shutdown().await;
}
