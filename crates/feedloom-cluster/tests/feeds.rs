//! Feed state with compare-and-set on the real server.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Cleanup, node};
use feedloom_cluster::ClusterError;

#[tokio::test]
async fn a_stale_write_is_refused_with_conflict() {
    let name = common::unique_name("feeds");
    let _cleanup = Cleanup::new(&name);
    let a = node(&name, "a", 8, 2_000)
        .await
        .feed_states()
        .await
        .unwrap();
    let b = node(&name, "b", 8, 2_000)
        .await
        .feed_states()
        .await
        .unwrap();
    let src = "https://example.com/feed.xml?x=1 y";

    assert_eq!(a.get(src).await.unwrap(), None);
    let r1 = a.put(src, b"etag-1", None).await.unwrap();
    // "Must not exist" when it does: conflict.
    let err = b.put(src, b"etag-x", None).await.unwrap_err();
    assert!(
        matches!(err, ClusterError::Conflict { expected: None, .. }),
        "{err}"
    );

    // b (the new owner) reads and writes; a, still holding r1, is refused.
    let (state, rev) = b.get(src).await.unwrap().unwrap();
    assert_eq!((&state[..], rev), (&b"etag-1"[..], r1));
    let r2 = b.put(src, b"etag-2", Some(rev)).await.unwrap();
    assert!(r2 > r1);
    let err = a.put(src, b"etag-stale", Some(r1)).await.unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert!(err.to_string().contains(&format!("revision {r1}")), "{err}");
    assert_eq!(&a.get(src).await.unwrap().unwrap().0[..], b"etag-2");

    // Delete with CAS, then create again.
    assert!(a.delete(src, r1).await.unwrap_err().is_conflict());
    a.delete(src, r2).await.unwrap();
    assert_eq!(a.get(src).await.unwrap(), None);
    a.put(src, b"", None).await.unwrap();
    assert_eq!(&a.get(src).await.unwrap().unwrap().0[..], b"");
}
