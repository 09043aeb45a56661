//! Which shard a source belongs to.
//!
//! **Frozen.** Every node of a cluster, of every version, must compute the same shard for the
//! same source, or two nodes poll it (or none does). The function is, and stays:
//!
//! ```text
//! h = FNV-1a 64-bit over the UTF-8 bytes of the source id
//!     (offset basis 0xcbf29ce484222325, prime 0x100000001b3, wrapping multiply)
//! shard = h mod shards          (shards = 0 is taken as 1)
//! ```
//!
//! The tests pin fixed values; changing them is a breaking change of the cluster protocol.

/// FNV-1a offset basis (64 bit).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a prime (64 bit).
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The shard of `source_id` among `shards` shards (`0..shards`). Stable across versions,
/// processes and machines (see the module documentation).
pub fn shard_of(source_id: &str, shards: u32) -> u32 {
    let shards = u64::from(shards.max(1));
    let h = fnv1a64(source_id.as_bytes());
    // h % shards < shards <= u32::MAX, so the conversion cannot fail.
    u32::try_from(h % shards).unwrap_or(0)
}

/// FNV-1a, 64 bit.
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_vectors() {
        // From the FNV reference test suite.
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn in_range_and_zero_shards() {
        for id in ["", "a", "bbc-world", "https://example.com/feed.xml"] {
            assert!(shard_of(id, 7) < 7);
            assert_eq!(shard_of(id, 0), 0);
            assert_eq!(shard_of(id, 1), 0);
        }
    }
}
