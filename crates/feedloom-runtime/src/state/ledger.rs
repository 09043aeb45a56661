//! Acknowledgement: an item is done (its id marked delivered, its poll's state committed)
//! only when every sink it was routed to has settled it.
//!
//! Marks are written by one task that groups them into few transactions (group commit),
//! in order, so a poll's commit (a feed's ETag) lands after the marks of its items.
//!
//! Poll commits of one source are applied in poll order: a poll's commit waits until every
//! earlier poll of the same source is done too. Without that, a later poll whose items are
//! all still in flight from an earlier one (so it has nothing new of its own) would save the
//! feed's new ETag at once; a kill -9 before the earlier items reach their sinks would then
//! lose them behind a `304 Not Modified`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use feedloom_core::StateStore;
use feedloom_core::state::StateOp;
use feedloom_core::sync::LockExt;
use tokio::sync::{mpsc, oneshot};

use super::ns;

enum Op {
    Write(Vec<StateOp>),
    Flush(oneshot::Sender<()>),
}

/// The least time between two of the writer's commits while ops keep coming (they are
/// gathered meanwhile): at most ~50 transactions and fsyncs a second, however the items
/// trickle in.
const LINGER: std::time::Duration = std::time::Duration::from_millis(20);

/// Delivered ids and in-flight items, backed by the state store.
pub struct Ledger {
    store: Arc<dyn StateStore>,
    tx: mpsc::Sender<Op>,
    /// Items claimed and not yet recorded as delivered in the store. A delivered item
    /// leaves it only once its mark is written (by the writer), so a poll in between
    /// cannot claim it again.
    inflight: Arc<Mutex<HashSet<String>>>,
    /// Per source: polls whose commit is not written yet, oldest first.
    polls: Mutex<HashMap<String, PollQueue>>,
    /// Ops handed to the writer and not yet applied.
    pending: Arc<AtomicUsize>,
}

#[derive(Default)]
struct PollQueue {
    next_ticket: u64,
    slots: VecDeque<PollSlot>,
}

struct PollSlot {
    ticket: u64,
    /// `Some` once every item of the poll is done: the ops to write.
    done: Option<Vec<StateOp>>,
}

pub(crate) fn key(source: &str, id: &str) -> String {
    format!("{source}\u{1f}{id}")
}

impl Ledger {
    /// Start the ledger's writer task.
    pub fn start(store: Arc<dyn StateStore>) -> Arc<Ledger> {
        let (tx, mut rx) = mpsc::channel::<Op>(1024);
        let writer_store = store.clone();
        let pending = Arc::new(AtomicUsize::new(0));
        let writer_pending = pending.clone();
        let inflight: Arc<Mutex<HashSet<String>>> = Arc::default();
        let writer_inflight = inflight.clone();
        tokio::spawn(async move {
            let mut last_commit: Option<tokio::time::Instant> = None;
            while let Some(first) = rx.recv().await {
                let mut ops = Vec::new();
                let mut waiters = Vec::new();
                // A commit within LINGER of the last one waits out the rest of LINGER for
                // more ops (unless someone waits on a flush): items settling one by one
                // (extraction) would otherwise cost a transaction and an fsync each.
                let linger_until = last_commit.map(|t| t + LINGER);
                let mut next = Some(first);
                while let Some(op) = next.take() {
                    match op {
                        Op::Write(w) => ops.extend(w),
                        Op::Flush(w) => waiters.push(w),
                    }
                    if ops.len() >= 4096 {
                        break;
                    }
                    next = match rx.try_recv() {
                        Ok(op) => Some(op),
                        Err(mpsc::error::TryRecvError::Disconnected) => None,
                        Err(mpsc::error::TryRecvError::Empty) => match linger_until {
                            Some(until) if waiters.is_empty() => {
                                tokio::time::timeout_at(until, rx.recv())
                                    .await
                                    .ok()
                                    .flatten()
                            }
                            _ => None,
                        },
                    };
                }
                if !ops.is_empty() {
                    last_commit = Some(tokio::time::Instant::now());
                    let s = writer_store.clone();
                    let n = ops.len();
                    let delivered: Vec<String> = ops
                        .iter()
                        .filter_map(|op| match op {
                            StateOp::Put { ns: n, key, .. } if n == ns::DELIVERED => {
                                Some(key.clone())
                            }
                            _ => None,
                        })
                        .collect();
                    let res = tokio::task::spawn_blocking(move || s.apply(ops)).await;
                    writer_pending.fetch_sub(n, Ordering::AcqRel);
                    // Written: the store answers for them now. (Not written: they are
                    // offered again by the next poll, at least once.)
                    {
                        let mut f = writer_inflight.lock_unpoisoned();
                        for k in &delivered {
                            f.remove(k);
                        }
                    }
                    match res {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => {
                            tracing::error!(error = %e, "could not record deliveries; they will be redelivered after a restart")
                        }
                        Err(e) => tracing::error!(error = %e, "state writer panicked"),
                    }
                }
                for w in waiters {
                    let _ = w.send(());
                }
            }
        });
        Arc::new(Ledger {
            store,
            tx,
            inflight,
            polls: Mutex::new(HashMap::new()),
            pending,
        })
    }

    /// State changes handed to the writer and not yet durable (a gauge for /metrics, and
    /// what a test waits on before it kills the process).
    pub fn pending_writes(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    pub fn store(&self) -> &Arc<dyn StateStore> {
        &self.store
    }

    /// Has this item been delivered (or is it on its way right now)?
    pub fn seen(&self, source: &str, id: &str) -> bool {
        let k = key(source, id);
        if self.inflight.lock_unpoisoned().contains(&k) {
            return true;
        }
        matches!(self.store.get(ns::DELIVERED, &k), Ok(Some(_)))
    }

    /// Claim an item for delivery; false when it is already delivered or in flight.
    pub fn claim(&self, source: &str, id: &str) -> bool {
        let k = key(source, id);
        if matches!(self.store.get(ns::DELIVERED, &k), Ok(Some(_))) {
            return false;
        }
        self.inflight.lock_unpoisoned().insert(k)
    }

    /// Release a claim without marking (the item will be offered again).
    pub fn release(&self, source: &str, id: &str) {
        self.inflight.lock_unpoisoned().remove(&key(source, id));
    }

    async fn write(&self, ops: Vec<StateOp>) {
        let n = ops.len();
        self.pending.fetch_add(n, Ordering::AcqRel);
        if self.tx.send(Op::Write(ops)).await.is_err() {
            self.pending.fetch_sub(n, Ordering::AcqRel);
        }
    }

    async fn mark_delivered(&self, k: String) {
        let now = chrono::Utc::now().timestamp();
        self.write(vec![StateOp::put(
            ns::DELIVERED,
            k.clone(),
            now.to_be_bytes().to_vec(),
        )])
        .await;
    }

    /// Wait until everything sent so far is on disk.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Op::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }

    /// Forget delivered ids older than `retention` (bounded seen-set). Returns how many.
    pub fn prune(&self, retention: std::time::Duration) -> usize {
        let cutoff = chrono::Utc::now().timestamp() - retention.as_secs() as i64;
        let mut old = Vec::new();
        let _ = self.store.scan(ns::DELIVERED, "", &mut |k, v| {
            let t = v.try_into().map(i64::from_be_bytes).unwrap_or(0);
            if t < cutoff {
                old.push(StateOp::delete(ns::DELIVERED, k));
            }
            true
        });
        let n = old.len();
        for chunk in old.chunks(4096) {
            if let Err(e) = self.store.apply(chunk.to_vec()) {
                tracing::warn!(error = %e, "could not prune delivered ids");
                break;
            }
        }
        n
    }

    /// Write `ops` now, unordered with respect to polls (status snapshots).
    pub async fn commit(&self, ops: Vec<StateOp>) {
        if !ops.is_empty() {
            self.write(ops).await;
        }
    }

    /// Commit a poll that handed nothing new to the pipeline: written once every earlier
    /// poll of `source` is done.
    pub async fn commit_poll(self: &Arc<Self>, source: &str, ops: Vec<StateOp>) {
        let ticket = self.begin_poll(source);
        self.finish_poll(source, ticket, ops).await;
    }

    /// [`Ledger::commit_poll`] without waiting: the poll takes its place in the order now,
    /// and its ops are written once every earlier poll of `source` is done.
    pub fn commit_poll_later(self: &Arc<Self>, source: &str, ops: Vec<StateOp>) {
        let ticket = self.begin_poll(source);
        let ledger = self.clone();
        let source = source.to_string();
        tokio::spawn(async move { ledger.finish_poll(&source, ticket, ops).await });
    }

    fn begin_poll(&self, source: &str) -> u64 {
        let mut polls = self.polls.lock_unpoisoned();
        let q = polls.entry(source.to_string()).or_default();
        let ticket = q.next_ticket;
        q.next_ticket += 1;
        q.slots.push_back(PollSlot { ticket, done: None });
        ticket
    }

    /// Poll `ticket` is done; write its commit and those of later polls that were waiting
    /// for it, in poll order.
    async fn finish_poll(&self, source: &str, ticket: u64, ops: Vec<StateOp>) {
        let ready = {
            let mut polls = self.polls.lock_unpoisoned();
            let Some(q) = polls.get_mut(source) else {
                return;
            };
            if let Some(slot) = q.slots.iter_mut().find(|s| s.ticket == ticket) {
                slot.done = Some(ops);
            }
            let mut ready = Vec::new();
            while q.slots.front().is_some_and(|s| s.done.is_some()) {
                if let Some(ops) = q.slots.pop_front().and_then(|s| s.done) {
                    ready.extend(ops);
                }
            }
            if q.slots.is_empty() {
                polls.remove(source);
            }
            ready
        };
        // Two finishers may send their ready commits in either order; both polls are fully
        // delivered by then, so the worst case is an older validator (one needless full GET).
        self.commit(ready).await;
    }

    /// Polls of `source` whose commit is still waiting (for tests and status).
    pub fn pending_polls(&self, source: &str) -> usize {
        self.polls
            .lock_unpoisoned()
            .get(source)
            .map_or(0, |q| q.slots.len())
    }
}

/// Counts down the items of one poll; commits the poll's state when all are done (and
/// every earlier poll of the same source is too). A tracker dropped before all its items
/// are done never commits, and holds back the later polls of its source until the process
/// restarts: their items are delivered, but the feed's state stays where it was, so nothing
/// that was fetched can hide behind a newer ETag.
pub struct BatchTracker {
    remaining: AtomicUsize,
    source: String,
    ticket: u64,
    commit: Mutex<Option<Vec<StateOp>>>,
    ledger: Arc<Ledger>,
}

impl BatchTracker {
    /// Track a poll of `source` that handed `items` items to the pipeline.
    pub fn new(ledger: Arc<Ledger>, source: &str, items: usize, commit: Vec<StateOp>) -> Arc<Self> {
        let ticket = ledger.begin_poll(source);
        Arc::new(BatchTracker {
            remaining: AtomicUsize::new(items),
            source: source.to_string(),
            ticket,
            commit: Mutex::new(Some(commit)),
            ledger,
        })
    }

    async fn one_done(&self) {
        if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            let ops = self.commit.lock_unpoisoned().take();
            if let Some(ops) = ops {
                self.ledger
                    .finish_poll(&self.source, self.ticket, ops)
                    .await;
            }
        }
    }
}

struct ItemTracker {
    remaining: AtomicUsize,
    key: String,
    batch: Option<Arc<BatchTracker>>,
    /// The local ledger marks the item delivered; `None` in cluster mode, where the
    /// message bus keeps that account ([`Ack::notify`]).
    ledger: Option<Arc<Ledger>>,
    /// Told when every sink settled (cluster mode: acknowledge the bus message).
    done: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl Drop for ItemTracker {
    /// Some sink dropped its ack unsettled (its driver stopped): release the claim so the
    /// next poll offers the item again (to every sink: a duplicate, never a loss). In
    /// cluster mode the dropped `done` sender tells the waiter to give the message back.
    fn drop(&mut self) {
        if self.remaining.load(Ordering::Acquire) > 0
            && let Some(l) = &self.ledger
        {
            l.inflight.lock_unpoisoned().remove(&self.key);
        }
    }
}

/// One sink's acknowledgement of one item. Settle it when the sink has taken
/// responsibility (delivered, kept on disk, or dead-lettered). Dropping it unsettled leaves
/// the item undelivered: it is offered again after a restart.
pub struct Ack {
    item: Arc<ItemTracker>,
}

impl Ack {
    /// `sinks` acks for one item (one per sink it is routed to). With zero sinks the item
    /// is done at once and the returned list is empty.
    pub async fn for_item(
        ledger: &Arc<Ledger>,
        source: &str,
        id: &str,
        batch: Option<Arc<BatchTracker>>,
        sinks: usize,
    ) -> Vec<Ack> {
        let t = Arc::new(ItemTracker {
            remaining: AtomicUsize::new(sinks.max(1)),
            key: key(source, id),
            batch,
            ledger: Some(ledger.clone()),
            done: Mutex::new(None),
        });
        if sinks == 0 {
            Ack { item: t }.settle().await;
            return Vec::new();
        }
        (0..sinks).map(|_| Ack { item: t.clone() }).collect()
    }

    /// One sink's ack of an item that came from a message bus (cluster mode): no ledger;
    /// the receiver gets `Ok` when the sink settles it and an error when the ack is dropped
    /// unsettled (give the message back).
    pub fn notify(source: &str, id: &str) -> (Ack, tokio::sync::oneshot::Receiver<()>) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let t = Arc::new(ItemTracker {
            remaining: AtomicUsize::new(1),
            key: key(source, id),
            batch: None,
            ledger: None,
            done: Mutex::new(Some(tx)),
        });
        (Ack { item: t }, rx)
    }

    /// This sink is done with the item.
    pub async fn settle(self) {
        let t = &self.item;
        if t.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Some(l) = &t.ledger {
                l.mark_delivered(t.key.clone()).await;
            }
            if let Some(tx) = t.done.lock_unpoisoned().take() {
                let _ = tx.send(());
            }
            if let Some(b) = &t.batch {
                b.one_done().await;
            }
        }
    }

    /// The item's ledger key (`source\u{1f}id`).
    pub fn key(&self) -> &str {
        &self.item.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedloom_core::MemoryStore;

    /// A delivered item is not offered again in the moment between its settling and the
    /// write of its mark (a poll there once delivered it twice).
    #[tokio::test]
    async fn a_settled_item_cannot_be_claimed_before_its_mark_is_written() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let ledger = Ledger::start(store.clone());
        assert!(ledger.claim("s", "a"));
        let mut acks = Ack::for_item(&ledger, "s", "a", None, 1).await;
        acks.pop().unwrap().settle().await;
        assert!(
            !ledger.claim("s", "a"),
            "claimed again before the mark was written"
        );
        assert!(ledger.seen("s", "a"));
        ledger.flush().await;
        assert!(!ledger.claim("s", "a"), "delivered");
        assert!(
            ledger.inflight.lock_unpoisoned().is_empty(),
            "left in flight"
        );
    }

    #[tokio::test]
    async fn commit_waits_for_every_sink_of_every_item() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let ledger = Ledger::start(store.clone());
        let batch = BatchTracker::new(
            ledger.clone(),
            "s",
            2,
            vec![StateOp::put("feed", "s", b"etag".to_vec())],
        );
        assert!(ledger.claim("s", "a"));
        assert!(!ledger.claim("s", "a"), "in flight");
        let mut a = Ack::for_item(&ledger, "s", "a", Some(batch.clone()), 2).await;
        let b = Ack::for_item(&ledger, "s", "b", Some(batch.clone()), 1).await;
        a.pop().unwrap().settle().await;
        for x in b {
            x.settle().await;
        }
        ledger.flush().await;
        assert_eq!(
            store.get("feed", "s").unwrap(),
            None,
            "item a still has a sink to go"
        );
        assert!(store.get(ns::DELIVERED, &key("s", "b")).unwrap().is_some());
        a.pop().unwrap().settle().await;
        ledger.flush().await;
        assert_eq!(
            store.get("feed", "s").unwrap().as_deref(),
            Some(&b"etag"[..])
        );
        assert!(ledger.seen("s", "a"));
        assert!(!ledger.claim("s", "a"), "delivered");
    }

    /// A later poll with nothing new (its items are still in flight from an earlier poll)
    /// must not save the feed's state before the earlier poll's items are delivered.
    #[tokio::test]
    async fn a_poll_commit_waits_for_earlier_polls_of_its_source() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let ledger = Ledger::start(store.clone());
        assert!(ledger.claim("feed", "a"));
        let first = BatchTracker::new(
            ledger.clone(),
            "feed",
            1,
            vec![StateOp::put("v", "feed", b"etag-1".to_vec())],
        );
        let acks = Ack::for_item(&ledger, "feed", "a", Some(first.clone()), 1).await;
        drop(first);
        // Poll 2: same body, item a still in flight, so nothing new; its commit waits.
        assert!(!ledger.claim("feed", "a"));
        ledger
            .commit_poll("feed", vec![StateOp::put("v", "feed", b"etag-2".to_vec())])
            .await;
        // Another source is not held up.
        ledger
            .commit_poll("other", vec![StateOp::put("v", "other", b"x".to_vec())])
            .await;
        ledger.flush().await;
        assert_eq!(store.get("v", "feed").unwrap(), None, "held back");
        assert_eq!(store.get("v", "other").unwrap().as_deref(), Some(&b"x"[..]));
        assert_eq!(ledger.pending_polls("feed"), 2);
        for a in acks {
            a.settle().await;
        }
        ledger.flush().await;
        assert_eq!(
            store.get("v", "feed").unwrap().as_deref(),
            Some(&b"etag-2"[..]),
            "both written, in poll order"
        );
        assert_eq!(ledger.pending_polls("feed"), 0);
    }

    /// An ack dropped unsettled (its sink driver stopped) releases the claim, and the poll
    /// never commits: its later polls stay held back.
    #[tokio::test]
    async fn an_unsettled_ack_releases_the_item_and_holds_the_poll() {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        let ledger = Ledger::start(store.clone());
        assert!(ledger.claim("feed", "a"));
        let batch = BatchTracker::new(
            ledger.clone(),
            "feed",
            1,
            vec![StateOp::put("v", "feed", b"etag-1".to_vec())],
        );
        let acks = Ack::for_item(&ledger, "feed", "a", Some(batch), 2).await;
        let mut acks = acks.into_iter();
        acks.next().unwrap().settle().await;
        drop(acks);
        assert!(ledger.claim("feed", "a"), "offered again");
        ledger
            .commit_poll("feed", vec![StateOp::put("v", "feed", b"etag-2".to_vec())])
            .await;
        ledger.flush().await;
        assert_eq!(store.get("v", "feed").unwrap(), None);
        assert!(
            store
                .get(ns::DELIVERED, &key("feed", "a"))
                .unwrap()
                .is_none()
        );
    }
}
