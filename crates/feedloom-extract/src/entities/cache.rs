//! The entity detection of a text, shared by the extractors that need it.
//!
//! `countries` (places inside names do not count) and `quotes` (who speaks) need the entities'
//! mentions with their byte offsets, which `item.entities` does not carry, and the full
//! detection whatever `kinds`/`min_mentions` the `entities` extractor was given. Detecting
//! again costs as much as `entities` itself (about a third of the default chain), so the
//! detections of the last texts are kept in [`DETECTIONS`]: a bounded, thread-safe cache
//! keyed by the whole text (a detection depends on nothing else), which the worker threads
//! of the runtime share.

use std::collections::VecDeque;
use std::sync::{Arc, LazyLock, Mutex};

use feedloom_core::sync::LockExt;

use super::{Detected, detect};

/// How many texts [`DETECTIONS`] keeps: more than the items the worker pool (one thread a
/// core) has in flight at once, so that an item's extractors find its detection.
fn capacity() -> usize {
    static CAPACITY: LazyLock<usize> =
        LazyLock::new(|| (2 * feedloom_core::blocking::threads()).max(16));
    *CAPACITY
}

/// The detections of the last [`capacity`] texts, oldest first.
pub(crate) struct DetectCache {
    slots: Mutex<VecDeque<(String, Arc<Detected>)>>,
}

/// The detections `entities`, `countries` and `quotes` share.
pub(crate) static DETECTIONS: DetectCache = DetectCache {
    slots: Mutex::new(VecDeque::new()),
};

/// `a == b`, comparing the last bytes first: texts of one length that differ (an article and
/// its copy with another last line) are told apart without comparing them whole.
fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let tail = a.len().saturating_sub(64);
    a.len() == b.len() && a.get(tail..) == b.get(tail..) && a == b
}

impl DetectCache {
    /// [`detect`]`(text)`, computed once for the last texts asked for. The lock is not held
    /// while detecting.
    pub(crate) fn get(&self, text: &str) -> Arc<Detected> {
        let hit = self
            .slots
            .lock_unpoisoned()
            .iter()
            .find(|(t, _)| same_text(t, text))
            .map(|(_, d)| Arc::clone(d));
        if let Some(d) = hit {
            return d;
        }
        let d = Arc::new(detect(text));
        let mut slots = self.slots.lock_unpoisoned();
        if !slots.iter().any(|(t, _)| same_text(t, text)) {
            if slots.len() >= capacity() {
                slots.pop_front();
            }
            slots.push_back((text.to_string(), Arc::clone(&d)));
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_detected_once_and_the_cache_stays_bounded() {
        let cache = DetectCache {
            slots: Mutex::new(VecDeque::new()),
        };
        let a = cache.get("Energy Minister Almasadam Satkaliyev spoke in Astana.");
        let b = cache.get("Energy Minister Almasadam Satkaliyev spoke in Astana.");
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(
            a.entities.len(),
            detect("Energy Minister Almasadam Satkaliyev spoke in Astana.")
                .entities
                .len()
        );
        for i in 0..capacity() * 2 {
            cache.get(&format!("Text {i} about Almaty."));
        }
        assert_eq!(cache.slots.lock_unpoisoned().len(), capacity());
        let c = cache.get("Energy Minister Almasadam Satkaliyev spoke in Astana.");
        assert!(!Arc::ptr_eq(&a, &c), "evicted, detected again");
    }
}
