//! Deadlines that count work, not queueing.
//!
//! The runtime bounds each poll and each extractor step with a deadline. Time a plugin
//! spends waiting for a shared slot (a global or per-host fetch limit, a free plugin
//! process) is not its own work: with thousands of sources, a healthy feed at the back of
//! the queue would otherwise fail for the time the ones ahead of it took. A plugin wraps
//! such a wait in [`queued`]; the runtime runs the step with [`run_excluding_queue`], whose
//! deadline moves on by the time spent queued. Outside [`run_excluding_queue`] (tests,
//! other callers) [`queued`] just awaits its future.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::sync::LockExt;

tokio::task_local! {
    static CLOCK: Arc<QueueClock>;
}

/// How long the current step has been queued so far.
#[derive(Default, Debug)]
struct QueueClock {
    state: Mutex<ClockState>,
}

#[derive(Default, Debug)]
struct ClockState {
    /// Queue time of waits that ended.
    total: Duration,
    /// Waits in progress (a step may queue for several slots at once).
    waiting: usize,
    /// Since when at least one wait is in progress.
    since: Option<Instant>,
}

impl QueueClock {
    fn enter(&self) {
        let mut s = self.state.lock_unpoisoned();
        if s.waiting == 0 {
            s.since = Some(Instant::now());
        }
        s.waiting += 1;
    }

    fn leave(&self) {
        let mut s = self.state.lock_unpoisoned();
        s.waiting = s.waiting.saturating_sub(1);
        if s.waiting == 0
            && let Some(t) = s.since.take()
        {
            s.total += t.elapsed();
        }
    }

    fn queued(&self) -> Duration {
        let s = self.state.lock_unpoisoned();
        s.total + s.since.map(|t| t.elapsed()).unwrap_or_default()
    }
}

struct Waiting(Arc<QueueClock>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.leave();
    }
}

/// Await `fut` as queueing (waiting for a slot, not working): the time it takes does not
/// count against the deadline of the enclosing [`run_excluding_queue`].
pub async fn queued<F: Future>(fut: F) -> F::Output {
    let _waiting = CLOCK.try_with(|c| c.clone()).ok().map(|c| {
        c.enter();
        Waiting(c)
    });
    fut.await
}

/// The step did not finish within its budget of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

/// What [`run_excluding_queue`] returns: the outcome and how long the step was queued.
#[derive(Debug)]
pub struct Timed<T> {
    pub result: Result<T, Elapsed>,
    pub queued: Duration,
}

/// Run `fut` for at most `budget` of its own time: time spent in [`queued`] inside it moves
/// the deadline on. A step that never leaves the queue is not timed out by this (queues
/// move as the steps ahead finish or time out themselves).
pub async fn run_excluding_queue<F: Future>(budget: Duration, fut: F) -> Timed<F::Output> {
    let clock = Arc::new(QueueClock::default());
    let start = Instant::now();
    let fut = CLOCK.scope(clock.clone(), fut);
    tokio::pin!(fut);
    loop {
        let deadline = start + budget + clock.queued();
        tokio::select! {
            biased;
            out = &mut fut => return Timed { result: Ok(out), queued: clock.queued() },
            _ = tokio::time::sleep_until(deadline) => {
                // Waiting moved the deadline meanwhile: sleep on.
                if start + budget + clock.queued() <= Instant::now() {
                    return Timed { result: Err(Elapsed), queued: clock.queued() };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::Semaphore;

    const BUDGET: Duration = Duration::from_secs(300);

    /// A step that waits 10 budgets for a slot and then works briefly finishes; the wait is
    /// reported.
    #[tokio::test(start_paused = true)]
    async fn queueing_does_not_count() {
        let slot = Arc::new(Semaphore::new(0));
        let s = slot.clone();
        tokio::spawn(async move {
            tokio::time::sleep(BUDGET * 10).await;
            s.add_permits(1);
        });
        let t = run_excluding_queue(BUDGET, async {
            let _p = queued(slot.acquire()).await.unwrap();
            tokio::time::sleep(BUDGET / 2).await;
            7
        })
        .await;
        assert_eq!(t.result, Ok(7));
        assert_eq!(t.queued, BUDGET * 10);
    }

    /// Work is still bounded: a step that works past its budget (after queueing) fails at
    /// budget + queue time.
    #[tokio::test(start_paused = true)]
    async fn work_past_the_budget_times_out() {
        let t0 = Instant::now();
        let t = run_excluding_queue(BUDGET, async {
            queued(tokio::time::sleep(Duration::from_secs(50))).await;
            tokio::time::sleep(BUDGET * 2).await;
        })
        .await;
        assert_eq!(t.result, Err(Elapsed));
        assert_eq!(t0.elapsed(), BUDGET + Duration::from_secs(50));
    }

    /// Overlapping waits count once; `queued` outside a deadline just awaits.
    #[tokio::test(start_paused = true)]
    async fn overlapping_waits_count_once() {
        assert_eq!(queued(async { 3 }).await, 3);
        let t = run_excluding_queue(BUDGET, async {
            let a = queued(tokio::time::sleep(Duration::from_secs(40)));
            let b = queued(tokio::time::sleep(Duration::from_secs(60)));
            tokio::join!(a, b);
        })
        .await;
        assert!(t.result.is_ok());
        assert_eq!(t.queued, Duration::from_secs(60));
    }
}
