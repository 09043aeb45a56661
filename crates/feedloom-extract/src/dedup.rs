//! `type: dedup` — near-duplicate detection across items and sources (MinHash + LSH).
//!
//! Each item's text is lower-cased and split into words; its `shingle`-word shingles (default
//! 3) are reduced to a MinHash signature of 128 values by one-permutation hashing (one 64-bit
//! hash per shingle: its top 7 bits pick the bin, the rest compete for the bin's minimum;
//! empty bins borrow from the next filled one). The share of equal values between two
//! signatures estimates the Jaccard similarity of the two shingle sets; two texts are copies
//! when it is at least `threshold` (default 0.6: a syndicated copy with a new title, a credit
//! line and a dropped paragraph scores about 0.8; different stories on one topic stay below
//! 0.2). The title is not shingled — syndicators rewrite titles — except for an item whose
//! text has fewer words than a shingle.
//!
//! Signatures are kept in the state store (namespace `namespace`, default `dedup`, keys
//! `m/<fetched ms>/<id>`) for `window` (default `7d`, measured on `fetched`) and at most
//! `max_items` (default 50,000): older ones are pruned as new items arrive. An in-memory
//! index, loaded from the store on first use, holds the signatures and an LSH table (32
//! bands of 4 values), so a lookup compares only with the few signatures sharing a band —
//! not with every stored item. Writes to the store are batched (at most [`FLUSH_OPS`]
//! changes or [`FLUSH_AFTER`], and when the extractor is dropped): one durable transaction per
//! item would cap the whole pipeline at the disk's fsync rate. A crash loses at most that
//! last batch of signatures, which only means a later copy of those items is not recognised.
//!
//! A copy gets `duplicate_of: <id of the earliest kept copy>` and is not kept itself; an
//! original gets `duplicate_of: null` (`Some(None)`) and is kept. An id seen again that was
//! kept is not its own duplicate. Items without words are never duplicates.
//!
//! ```yaml
//! - type: dedup
//!   window: 3d
//!   threshold: 0.7
//! ```

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use feedloom_core::sync::LockExt;
use feedloom_core::{
    BuildError, Duration, ExtractError, Item, Registry, StateOp, StateStore, SyncExtractor,
};
use schemars::JsonSchema;
use serde::Deserialize;

/// MinHash values per signature.
pub const BINS: usize = 128;
const ROWS: usize = 4;
const BANDS: usize = BINS / ROWS;

/// A MinHash signature.
pub type Signature = [u32; BINS];

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DedupOptions {
    /// How long signatures are remembered.
    pub window: Duration,
    /// Least estimated Jaccard similarity of the shingle sets for two texts to be copies.
    pub threshold: f64,
    /// Words per shingle.
    pub shingle: usize,
    /// Most signatures kept.
    pub max_items: usize,
    /// State store namespace.
    pub namespace: String,
}

impl Default for DedupOptions {
    fn default() -> Self {
        DedupOptions {
            window: Duration::from_secs(7 * 86_400),
            threshold: 0.6,
            shingle: 3,
            max_items: 50_000,
            namespace: "dedup".into(),
        }
    }
}

struct Entry {
    ts: i64,
    id: String,
    sig: Box<Signature>,
}

/// The in-memory index: entries in arrival order (slots), their LSH buckets and ids.
#[derive(Default)]
struct Index {
    slots: HashMap<u64, Entry>,
    order: VecDeque<u64>,
    next: u64,
    buckets: HashMap<u64, Vec<u64>>,
    ids: HashMap<String, u64>,
}

fn band_key(band: usize, sig: &Signature) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ band as u64;
    for v in &sig[band * ROWS..(band + 1) * ROWS] {
        h = (h.rotate_left(21) ^ u64::from(*v)).wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

impl Index {
    fn insert(&mut self, e: Entry) {
        let slot = self.next;
        self.next += 1;
        for b in 0..BANDS {
            self.buckets
                .entry(band_key(b, &e.sig))
                .or_default()
                .push(slot);
        }
        self.ids.insert(e.id.clone(), slot);
        self.order.push_back(slot);
        self.slots.insert(slot, e);
    }

    fn pop_oldest(&mut self) -> Option<Entry> {
        let slot = self.order.pop_front()?;
        let e = self.slots.remove(&slot)?;
        for b in 0..BANDS {
            let k = band_key(b, &e.sig);
            if let Some(v) = self.buckets.get_mut(&k) {
                v.retain(|&s| s != slot);
                if v.is_empty() {
                    self.buckets.remove(&k);
                }
            }
        }
        if self.ids.get(&e.id) == Some(&slot) {
            self.ids.remove(&e.id);
        }
        Some(e)
    }

    fn oldest_ts(&self) -> Option<i64> {
        self.order
            .front()
            .and_then(|s| self.slots.get(s))
            .map(|e| e.ts)
    }

    /// The earliest kept entry whose estimated similarity to `sig` is at least `threshold`.
    fn find(&self, sig: &Signature, threshold: f64) -> Option<&Entry> {
        let need = (threshold * BINS as f64).ceil() as usize;
        let mut best: Option<(u64, &Entry)> = None;
        let mut seen: Vec<u64> = Vec::new();
        for b in 0..BANDS {
            let Some(v) = self.buckets.get(&band_key(b, sig)) else {
                continue;
            };
            for &slot in v {
                if seen.contains(&slot) || best.is_some_and(|(s, _)| s <= slot) {
                    continue;
                }
                seen.push(slot);
                let Some(e) = self.slots.get(&slot) else {
                    continue;
                };
                let same = e.sig.iter().zip(sig.iter()).filter(|(a, b)| a == b).count();
                if same >= need {
                    best = Some((slot, e));
                }
            }
        }
        best.map(|(_, e)| e)
    }
}

pub struct Dedup {
    opts: DedupOptions,
    state: Arc<dyn StateStore>,
    index: Mutex<Option<Index>>,
    /// Changes not yet written, and since when the oldest of them waits.
    pending: Mutex<(Vec<StateOp>, Option<Instant>)>,
    /// Held while a batch is written, so batches reach the store in the order they were made.
    writing: Mutex<()>,
}

/// Write the pending changes once there are this many...
pub(crate) const FLUSH_OPS: usize = 256;
/// ... or once the oldest has waited this long (checked when an item comes).
pub(crate) const FLUSH_AFTER: std::time::Duration = std::time::Duration::from_millis(500);

impl Dedup {
    fn new(opts: DedupOptions, state: Arc<dyn StateStore>) -> Dedup {
        Dedup {
            opts,
            state,
            index: Mutex::new(None),
            pending: Mutex::new((Vec::new(), None)),
            writing: Mutex::new(()),
        }
    }

    /// Queue `ops`; write the queue when it is due.
    fn write_behind(&self, ops: Vec<StateOp>) -> Result<(), ExtractError> {
        let due = {
            let mut p = self.pending.lock_unpoisoned();
            p.0.extend(ops);
            let since = *p.1.get_or_insert_with(Instant::now);
            p.0.len() >= FLUSH_OPS || since.elapsed() >= FLUSH_AFTER
        };
        if due { self.flush() } else { Ok(()) }
    }

    /// Write every pending change now.
    pub(crate) fn flush(&self) -> Result<(), ExtractError> {
        let _order = self.writing.lock_unpoisoned();
        let ops = {
            let mut p = self.pending.lock_unpoisoned();
            p.1 = None;
            std::mem::take(&mut p.0)
        };
        if ops.is_empty() {
            return Ok(());
        }
        self.state
            .apply(ops)
            .map_err(|e| ExtractError::new(format!("dedup state: {e}")))
    }
}

impl Drop for Dedup {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!(error = %e.message, "dedup: the last signatures were not saved");
        }
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_sync_extractor(
        "dedup",
        "near-duplicate detection (MinHash over word shingles, LSH index, kept in the state store)",
        |o: DedupOptions, ctx| {
            if o.shingle == 0 {
                return Err(BuildError::at("shingle", "must be at least 1"));
            }
            if !(o.threshold > 0.0 && o.threshold <= 1.0) {
                return Err(BuildError::at(
                    "threshold",
                    "must be a Jaccard similarity in (0, 1]",
                ));
            }
            if o.max_items == 0 {
                return Err(BuildError::at("max_items", "must be at least 1"));
            }
            Ok(Dedup::new(o, ctx.state.clone()))
        },
    );
}

/// FNV-1a of a word's bytes, ASCII lower-cased.
#[cfg(test)]
fn word_hash(w: &str) -> u64 {
    w.bytes().fold(FNV_OFFSET, fnv_step)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[inline]
fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
}

/// splitmix64 finaliser.
fn mix(mut h: u64) -> u64 {
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Each byte's ASCII lower case when it is an ASCII letter or digit, else 0 (one lookup per
/// byte in [`words`]).
static ASCII_WORD_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() {
            t[i] = b.to_ascii_lowercase();
        }
        i += 1;
    }
    t
};

/// The hashes of the words of `text` (runs of alphanumeric chars): one pass over its bytes,
/// hashing as it goes, ASCII without decoding.
fn words(text: &str) -> Vec<u64> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 6);
    let (mut h, mut in_word) = (FNV_OFFSET, false);
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        let low = ASCII_WORD_LOWER[usize::from(x)];
        if low != 0 {
            h = (h ^ u64::from(low)).wrapping_mul(0x0100_0000_01b3);
            in_word = true;
            i += 1;
            continue;
        }
        let (alnum, l) = if x < 0x80 {
            (false, 1)
        } else {
            let c = text.get(i..).and_then(|r| r.chars().next()).unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        };
        if alnum {
            h = b
                .get(i..i + l)
                .unwrap_or_default()
                .iter()
                .fold(h, |h, &x| fnv_step(h, x));
            in_word = true;
        } else if in_word {
            out.push(h);
            (h, in_word) = (FNV_OFFSET, false);
        }
        i += l;
    }
    if in_word {
        out.push(h);
    }
    out
}

/// The MinHash signature of `text` over `k`-word shingles (lower-cased words, punctuation
/// ignored); `None` for a text without words (the extractor keeps the words it reads).
#[cfg(test)]
pub(crate) fn signature(text: &str, k: usize) -> Option<Box<Signature>> {
    signature_of(&words(text), k)
}

fn signature_of(w: &[u64], k: usize) -> Option<Box<Signature>> {
    if w.is_empty() {
        return None;
    }
    let k = k.clamp(1, w.len());
    let mut sig = Box::new([u32::MAX; BINS]);
    let mut filled = [false; BINS];
    for sh in w.windows(k) {
        let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
        for x in sh {
            h = (h.rotate_left(23) ^ x).wrapping_mul(0x0100_0000_01b3);
        }
        let h = mix(h);
        let bin = (h >> (64 - BINS.trailing_zeros())) as usize;
        let v = h as u32;
        if v <= sig[bin] {
            sig[bin] = v;
            filled[bin] = true;
        }
    }
    // densify: an empty bin takes the value of the next filled one (rotation), salted by the
    // distance, so equal texts still agree and different ones rarely do
    for i in 0..BINS {
        if !filled[i] {
            let (mut j, mut d) = ((i + 1) % BINS, 1u32);
            while !filled[j] {
                j = (j + 1) % BINS;
                d += 1;
            }
            sig[i] = sig[j].wrapping_add(d.wrapping_mul(0x9e37_79b9));
        }
    }
    Some(sig)
}

/// The estimated Jaccard similarity of two signatures (the index compares bins itself).
#[cfg(test)]
fn similarity(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b.iter()).filter(|(x, y)| x == y).count() as f64 / BINS as f64
}

fn key(ts: i64, id: &str) -> String {
    format!("m/{ts:015}/{id}")
}

fn encode(sig: &Signature) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn decode(b: &[u8]) -> Option<Box<Signature>> {
    if b.len() != BINS * 4 {
        return None;
    }
    let mut sig = Box::new([0u32; BINS]);
    for (i, c) in b.chunks_exact(4).enumerate() {
        sig[i] = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
    }
    Some(sig)
}

impl Dedup {
    fn load(&self) -> Result<Index, ExtractError> {
        let mut idx = Index::default();
        let mut stale = Vec::new();
        self.state
            .scan(&self.opts.namespace, "", &mut |k, val| {
                let mut parts = k.splitn(3, '/');
                let (kind, ts, id) = (parts.next(), parts.next(), parts.next());
                match (kind, ts.and_then(|t| t.parse().ok()), id, decode(val)) {
                    (Some("m"), Some(ts), Some(id), Some(sig)) => idx.insert(Entry {
                        ts,
                        id: id.to_string(),
                        sig,
                    }),
                    // entries of an older format (SimHash "s/...") or damaged ones
                    _ => stale.push(k.to_string()),
                }
                true
            })
            .map_err(|e| ExtractError::new(format!("dedup state: {e}")))?;
        if !stale.is_empty() {
            let ops = stale
                .into_iter()
                .map(|k| StateOp::delete(&self.opts.namespace, k))
                .collect();
            self.state
                .apply(ops)
                .map_err(|e| ExtractError::new(format!("dedup state: {e}")))?;
        }
        Ok(idx)
    }
}

impl SyncExtractor for Dedup {
    /// Computes first, then assigns its fields: a failure leaves the item as it was.
    fn writes_at_end(&self) -> bool {
        true
    }
    fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        let k = self.opts.shingle;
        let mut w = words(&item.text);
        if w.len() < k
            && let Some(t) = item.title.as_deref()
        {
            let mut tw = words(t);
            tw.extend_from_slice(&w);
            w = tw;
        }
        let sig = signature_of(&w, k);
        let Some(sig) = sig else {
            item.duplicate_of = Some(None);
            return Ok(());
        };
        let now = item.fetched.timestamp_millis();
        let mut guard = self
            .index
            .lock()
            .map_err(|_| ExtractError::new("dedup index poisoned"))?;
        if guard.is_none() {
            *guard = Some(self.load()?);
        }
        let idx = guard.as_mut().expect("loaded");
        let mut ops = Vec::new();
        let horizon = now.saturating_sub(self.opts.window.get().as_millis() as i64);
        while idx
            .oldest_ts()
            .is_some_and(|ts| ts < horizon || idx.order.len() >= self.opts.max_items)
        {
            if let Some(e) = idx.pop_oldest() {
                ops.push(StateOp::delete(&self.opts.namespace, key(e.ts, &e.id)));
            }
        }
        if idx.ids.contains_key(&item.id) {
            // kept before: the original seen again
            item.duplicate_of = Some(None);
        } else if let Some(e) = idx.find(&sig, self.opts.threshold) {
            item.duplicate_of = Some(Some(e.id.clone()));
        } else {
            item.duplicate_of = Some(None);
            ops.push(StateOp::put(
                &self.opts.namespace,
                key(now, &item.id),
                encode(&sig),
            ));
            idx.insert(Entry {
                ts: now,
                id: item.id.clone(),
                sig,
            });
        }
        drop(guard);
        if ops.is_empty() {
            return Ok(());
        }
        self.write_behind(ops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_words_agree_with_splitting() {
        for t in [
            include_str!("../tests/fixtures/eurasianet-bulletin.txt"),
            "",
            "  Vučić’s “plan” — 12.5% in Niš… ÉCOLE école x\u{30c}y 東京 the END",
            "word",
        ] {
            let split: Vec<u64> = t
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(word_hash)
                .collect();
            assert_eq!(words(t), split, "{t}");
        }
    }
    use feedloom_core::MemoryStore;

    const STORY: &str = "Turkmen Foreign Minister Rashid Meredov has reaffirmed Ashgabat's commitment to expanding natural gas exports to China. A Foreign Ministry press statement quoted Meredov as saying the most important priority of cooperation between Turkmenistan and China is the fuel and energy sector. Meredov made the remarks after meeting with Hou Qijun, head of China's National Petroleum Corporation. China has signaled it wants to move forward with a long-planned pipeline project, dubbed Line D, enabling Beijing to import higher volumes of natural gas.";

    fn dedup(store: Arc<dyn StateStore>, o: DedupOptions) -> Dedup {
        Dedup::new(o, store)
    }

    fn item(id: &str, text: &str, t: i64) -> Item {
        let mut it = Item::new(id, "s");
        it.text = text.into();
        it.fetched = chrono::DateTime::from_timestamp(t, 0).unwrap();
        it
    }

    /// A different story of `n` words.
    fn other(i: usize, n: usize) -> String {
        (0..n)
            .map(|j| format!("w{}", mix((i as u64) << 32 | j as u64) % 5_000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn similarity_estimates_jaccard() {
        let a = signature(STORY, 3).unwrap();
        assert_eq!(similarity(&a, &a), 1.0);
        let edited = STORY.replace("higher volumes of natural gas", "more gas");
        let b = signature(&format!("{edited} Reporting by Reuters."), 3).unwrap();
        let s = similarity(&a, &b);
        assert!(s > 0.6 && s < 1.0, "{s}");
        let c = signature(&other(1, 80), 3).unwrap();
        assert!(similarity(&a, &c) < 0.1);
        assert!(signature(" ,. ", 3).is_none());
    }

    #[test]
    fn copy_points_at_first_and_survives_restart() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let d = dedup(store.clone(), DedupOptions::default());
        let mut a = item("a", STORY, 1_000);
        d.extract(&mut a).unwrap();
        assert_eq!(a.duplicate_of, Some(None));
        let copy = format!("{STORY} Reporting by Reuters.");
        let mut b = item("b", &copy, 1_100);
        d.extract(&mut b).unwrap();
        assert_eq!(b.duplicate_of, Some(Some("a".into())));
        let mut c = item(
            "c",
            "A completely different story about wheat harvests in Kansas and rain.",
            1_200,
        );
        d.extract(&mut c).unwrap();
        assert_eq!(c.duplicate_of, Some(None));
        // nothing written yet (one batch); a restart (the old instance dropped) writes it
        assert!(store.list("dedup", "m/").unwrap().is_empty());
        drop(d);
        // a new instance (restart) loads the store
        let d2 = dedup(store.clone(), DedupOptions::default());
        let mut e = item("e", STORY, 1_300);
        d2.extract(&mut e).unwrap();
        assert_eq!(e.duplicate_of, Some(Some("a".into())));
        // the same id again is not a duplicate of itself
        let mut a2 = item("a", STORY, 1_400);
        d2.extract(&mut a2).unwrap();
        assert_eq!(a2.duplicate_of, Some(None));
    }

    #[test]
    fn dropped_paragraph_and_credit_line() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let d = dedup(store, DedupOptions::default());
        let long = format!("{STORY}\n{}\n{STORY}", other(7, 300));
        let mut a = item("wire", &long, 10);
        d.extract(&mut a).unwrap();
        let trimmed: String = long
            .split('\n')
            .enumerate()
            .filter(|(i, _)| *i != 2)
            .map(|(_, p)| p)
            .collect::<Vec<_>>()
            .join("\n");
        let mut b = item("copy", &format!("{trimmed}\n(Reuters)"), 20);
        d.extract(&mut b).unwrap();
        assert_eq!(b.duplicate_of, Some(Some("wire".into())));
    }

    #[test]
    fn window_and_bound_prune_the_store() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let o = DedupOptions {
            window: Duration::from_secs(100),
            max_items: 3,
            ..Default::default()
        };
        let d = dedup(store.clone(), o);
        let mut a = item("a", STORY, 1_000);
        d.extract(&mut a).unwrap();
        let mut late = item("late", STORY, 2_000);
        d.extract(&mut late).unwrap();
        assert_eq!(
            late.duplicate_of,
            Some(None),
            "the first copy fell out of the window"
        );
        for i in 0..10 {
            let mut x = item(&format!("x{i}"), &other(i, 40), 2_001 + i as i64);
            d.extract(&mut x).unwrap();
            assert_eq!(x.duplicate_of, Some(None));
        }
        assert!(store.list("dedup", "m/").unwrap().len() <= 3);
        let mut empty = item("empty", "", 3_000);
        d.extract(&mut empty).unwrap();
        assert_eq!(empty.duplicate_of, Some(None));
    }

    #[test]
    fn many_stored_items_stay_distinct() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let d = dedup(store, DedupOptions::default());
        for i in 0..2_000 {
            let mut x = item(&format!("x{i}"), &other(i, 120), i as i64);
            d.extract(&mut x).unwrap();
            assert_eq!(x.duplicate_of, Some(None), "x{i}");
        }
        let mut again = item("copy", &other(1234, 120), 5_000);
        d.extract(&mut again).unwrap();
        assert_eq!(again.duplicate_of, Some(Some("x1234".into())));
    }

    #[test]
    fn short_items_use_the_title_and_old_entries_are_dropped() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        store
            .put("dedup", "s/000000000000001/old", &[0u8; 8])
            .unwrap();
        let d = dedup(store.clone(), DedupOptions::default());
        let mut a = item("t1", "", 10);
        a.title = Some("Kazakhstan and China sign a gas deal in Astana".into());
        d.extract(&mut a).unwrap();
        assert_eq!(a.duplicate_of, Some(None));
        assert!(store.list("dedup", "s/").unwrap().is_empty());
        let mut b = item("t2", "", 20);
        b.title = a.title.clone();
        d.extract(&mut b).unwrap();
        assert_eq!(b.duplicate_of, Some(Some("t1".into())));
    }
}
