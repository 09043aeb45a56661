//! Running the extractor chain on one item, contained.
//!
//! Every step is isolated: a panic in any extractor (built-in, `rules`, `exec`, `wasm`, a
//! plugin compiled in) becomes an extraction error for that one item, carrying the panic
//! message, and the step's `on_error` applies. On any error the item goes on as it was
//! before the failed step: without that extractor's fields.
//!
//! Synchronous steps (plain CPU work: the built-in extractors, `rules`) run off the async
//! reactor on the bounded worker pool ([`feedloom_core::blocking`]), so a slow article never
//! stalls fetching or the admin endpoint and `extract_timeout` really applies. Consecutive
//! synchronous steps run as one pool job (one hand-over per item, not one per step); the
//! job reports which step it is in, so the deadline is per step. What goes on when a step
//! fails or overruns is the item as it was before that step: a step that writes its fields
//! only at the end ([`SyncExtractor::writes_at_end`], every built-in extractor) leaves it so
//! by itself, for any other the job keeps a copy before the step; after an overrun of the
//! former, the steps before it run again on the copy the job took of its input. A step that
//! overruns leaves its thread to the pool's replacement logic.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use feedloom_core::blocking;
use feedloom_core::deadline;
use feedloom_core::sync::LockExt;
use feedloom_core::{ExtractError, Extractor, Item, SyncExtractor};

use crate::config::OnError;
use crate::metrics::Metrics;

/// One configured extractor.
pub(crate) struct Step {
    pub id: String,
    pub on_error: OnError,
    pub ex: Box<dyn Extractor>,
    /// `Some` for plain CPU work: run on the worker pool.
    pub sync: Option<Arc<dyn SyncExtractor>>,
}

impl Step {
    pub fn new(id: String, on_error: OnError, ex: Box<dyn Extractor>) -> Step {
        let sync = ex.as_sync();
        Step {
            id,
            on_error,
            ex,
            sync,
        }
    }
}

/// What a chain run needs besides the steps and the item, and what it reports.
pub(crate) struct Ctx<'a> {
    /// `pipeline.extract_timeout`: each step's own time (more if it declares so).
    pub timeout: Duration,
    pub metrics: &'a Metrics,
    /// Every step that failed, whatever its `on_error` did with the item.
    pub failures: Vec<Failure>,
}

/// One step's failure on one item.
#[derive(Clone, Debug)]
pub(crate) struct Failure {
    pub extractor: String,
    pub error: ExtractError,
}

/// A step that failed and whose `on_error` stops the chain (drop, dead_letter): its index
/// in the steps run, and why.
pub(crate) type Stop = (usize, ExtractError);

/// Run `steps` on `item` in order. Each gets `max(timeout, what it declares it needs)`
/// ([`Extractor::time_needed`]) of its own time; waiting for a shared slot is not counted.
/// A step that fails with `on_error: skip` is logged and passed over; the first that fails
/// with `drop` or `dead_letter` ends the run.
pub(crate) async fn run(
    steps: &[Arc<Step>],
    item: &mut Item,
    ctx: &mut Ctx<'_>,
) -> Result<(), Stop> {
    let mut i = 0;
    while i < steps.len() {
        if steps[i].sync.is_some() {
            let end = i + steps[i..].iter().take_while(|s| s.sync.is_some()).count();
            if let Some((k, e)) = run_sync(&steps[i..end], item, ctx).await {
                return Err((i + k, e));
            }
            i = end;
        } else {
            if let Err(e) = run_async(&steps[i], item, ctx).await {
                return Err((i, e));
            }
            i += 1;
        }
    }
    Ok(())
}

/// Record a step's run; `Err` when its failure stops the chain.
fn settle(
    step: &Step,
    item: &Item,
    took: Duration,
    res: Result<(), ExtractError>,
    ctx: &mut Ctx<'_>,
) -> Result<(), ExtractError> {
    let metrics = ctx.metrics;
    let m = metrics.extractor(&step.id);
    m.nanos.fetch_add(took.as_nanos() as u64, Ordering::Relaxed);
    m.items.fetch_add(1, Ordering::Relaxed);
    let Err(e) = res else { return Ok(()) };
    m.errors.fetch_add(1, Ordering::Relaxed);
    ctx.failures.push(Failure {
        extractor: step.id.clone(),
        error: e.clone(),
    });
    if step.on_error == OnError::Skip {
        tracing::warn!(extractor = %step.id, item = %item.id, source = %item.source, error = %e, "extractor failed; item passed on without its fields");
        return Ok(());
    }
    Err(e)
}

/// An async step (exec, wasm, compiled-in async plugins), its panics caught.
async fn run_async(step: &Step, item: &mut Item, ctx: &mut Ctx<'_>) -> Result<(), ExtractError> {
    use futures_util::FutureExt;
    let budget = step
        .ex
        .time_needed()
        .map_or(ctx.timeout, |t| t.max(ctx.timeout));
    let before = item.clone();
    let t0 = Instant::now();
    let fut = std::panic::AssertUnwindSafe(step.ex.extract(item)).catch_unwind();
    let res = match deadline::run_excluding_queue(budget, fut).await.result {
        Ok(Ok(r)) => r,
        Ok(Err(p)) => Err(ExtractError::new(format!(
            "panicked: {}",
            blocking::panic_message(&*p)
        ))),
        Err(_) => Err(ExtractError::new(format!("timed out after {budget:?}"))),
    };
    if res.is_err() {
        *item = before;
    }
    settle(step, item, t0.elapsed(), res, ctx)
}

/// A pool job's state, shared with the future waiting for it (one lock keeps it
/// consistent: the waiting side takes a copy and cancels in one step).
#[derive(Default)]
struct JobState {
    /// The item, until the job takes it (left here if the job never runs).
    input: Option<Item>,
    /// A copy of the item as the job got it (cheap: no extractor has added to it yet).
    start: Option<Item>,
    /// The current step's index and when it started (`None` until the job starts).
    at: Option<(usize, Instant)>,
    /// The item as it was before the current step, kept only for steps that may leave a
    /// half-written item behind ([`SyncExtractor::writes_at_end`] is false).
    before: Option<Item>,
    /// The waiting side gave up (a step overran) and took a copy: stop.
    cancelled: bool,
}

/// What an overrunning step leaves the waiting side to go on with.
enum Recovery {
    /// The item as it was before the step.
    Before(Item),
    /// The item as it was before the job: the steps before the one that overran run again.
    Start(Item),
}

/// The job's state behind one lock, shared by the pool thread and the waiting side.
type Shared = Mutex<JobState>;

/// What a pool job did: the item, and each step's time and result.
struct Outcome {
    item: Item,
    ran: Vec<(Duration, Result<(), ExtractError>)>,
}

/// Consecutive synchronous steps as one pool job. Returns the step (index into `steps`)
/// whose failure stops the chain, if one does.
async fn run_sync(steps: &[Arc<Step>], item: &mut Item, ctx: &mut Ctx<'_>) -> Option<Stop> {
    let shared = Arc::new(Mutex::new(JobState {
        input: Some(std::mem::take(item)),
        ..JobState::default()
    }));
    let job_steps: Vec<Arc<Step>> = steps.to_vec();
    let job_shared = shared.clone();
    let job = blocking::run(move || sync_job(&job_steps, &job_shared));
    tokio::pin!(job);
    let outcome = loop {
        let at = shared.lock_unpoisoned().at;
        let timeout = ctx.timeout;
        // The current step's deadline; while the job waits for a thread (not the steps'
        // time) a whole `timeout`, then look again. Later steps start later, so waking at
        // one step's deadline and finding another running just sets the next wait: no
        // wake-up per step or at the start, only at deadlines.
        let wait = at.map_or(timeout, |(_, since)| {
            timeout.saturating_sub(since.elapsed())
        });
        tokio::select! {
            r = &mut job => break r,
            _ = sleep(wait) => {}
        }
        let Some((k, took, recovery)) = take_overrun(&shared, timeout) else {
            continue;
        };
        let e = ExtractError::new(format!("timed out after {timeout:?}"));
        return finish_overrun(steps, k, item, recovery, took, e, ctx).await;
    };
    match outcome {
        Ok(Outcome { item: out, ran }) => {
            *item = out;
            for (k, (took, res)) in ran.into_iter().enumerate() {
                if let Err(e) = settle(&steps[k], item, took, res, ctx) {
                    return Some((k, e));
                }
            }
            None
        }
        Err(e) => {
            // The job could not run (no thread could be started) or died outside a step.
            let mut st = shared.lock_unpoisoned();
            if let Some(back) = st
                .input
                .take()
                .or_else(|| st.before.take())
                .or_else(|| st.start.take())
            {
                *item = back;
            }
            drop(st);
            let e = ExtractError::new(format!("worker pool: {e}"));
            for (k, s) in steps.iter().enumerate() {
                if let Err(e) = settle(s, item, Duration::ZERO, Err(e.clone()), ctx) {
                    return Some((k, e));
                }
            }
            None
        }
    }
}

/// If the job's current step has run for `timeout`, cancel the job and take a copy of the
/// item to go on with: the step's index, its time so far, and the copy.
fn take_overrun(shared: &Shared, timeout: Duration) -> Option<(usize, Duration, Recovery)> {
    let mut st = shared.lock_unpoisoned();
    let (k, since) = st.at?;
    if since.elapsed() < timeout {
        return None; // the job is in a later step by now
    }
    let recovery = match (st.before.take(), st.start.take()) {
        (Some(b), _) => Recovery::Before(b),
        (None, Some(s)) => Recovery::Start(s),
        (None, None) => return None, // the job is finishing right now
    };
    st.cancelled = true;
    Some((k, since.elapsed(), recovery))
}

/// `tokio::time::sleep`, at most a day (a huge `extract_timeout` must not overflow the
/// timer).
async fn sleep(d: Duration) {
    tokio::time::sleep(d.min(Duration::from_secs(86_400))).await
}

/// Step `k` overran: go on with the item as it was before it (when only the copy from
/// before the job is at hand, the steps before `k` run again on it: they finished in time
/// once), record the overrun, and when its `on_error` lets the item go on, run the steps
/// after it.
async fn finish_overrun(
    steps: &[Arc<Step>],
    k: usize,
    item: &mut Item,
    recovery: Recovery,
    took: Duration,
    e: ExtractError,
    ctx: &mut Ctx<'_>,
) -> Option<Stop> {
    match recovery {
        Recovery::Before(b) => *item = b,
        Recovery::Start(s) => {
            *item = s;
            if k > 0
                && let Some(stop) = Box::pin(run_sync(&steps[..k], item, ctx)).await
            {
                return Some(stop);
            }
        }
    }
    if let Err(e) = settle(&steps[k], item, took, Err(e), ctx) {
        return Some((k, e));
    }
    let rest = &steps[k + 1..];
    if rest.is_empty() {
        return None;
    }
    Box::pin(run_sync(rest, item, ctx))
        .await
        .map(|(j, e)| (k + 1 + j, e))
}

/// The pool side: each step on the item. A failed step leaves the item as it was: a step
/// that writes its fields at the end does so by itself, for any other a copy is kept before
/// it. Stops at the first step whose failure stops the chain, or when the waiting side gave
/// up.
fn sync_job(steps: &[Arc<Step>], shared: &Shared) -> Outcome {
    let item = {
        let mut st = shared.lock_unpoisoned();
        let item = st.input.take();
        st.start = item.clone();
        item
    };
    let Some(mut item) = item else {
        return Outcome {
            item: Item::default(),
            ran: Vec::new(),
        };
    };
    let mut ran = Vec::with_capacity(steps.len());
    for (k, step) in steps.iter().enumerate() {
        let Some(ex) = step.sync.as_ref() else { break };
        let snapshot = !ex.writes_at_end();
        {
            let mut st = shared.lock_unpoisoned();
            if st.cancelled {
                break;
            }
            st.before = snapshot.then(|| item.clone());
            st.at = Some((k, Instant::now()));
        }
        let t0 = Instant::now();
        let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ex.extract(&mut item)))
            .unwrap_or_else(|p| {
                Err(ExtractError::new(format!(
                    "panicked: {}",
                    blocking::panic_message(&*p)
                )))
            });
        let took = t0.elapsed();
        let (before, cancelled) = {
            let mut st = shared.lock_unpoisoned();
            (st.before.take(), st.cancelled)
        };
        if cancelled {
            break; // the waiting side gave up and goes on with its own copy
        }
        if res.is_err()
            && let Some(b) = before
        {
            item = b;
        }
        let stops = res.is_err() && step.on_error != OnError::Skip;
        ran.push((took, res));
        if stops {
            break;
        }
    }
    Outcome { item, ran }
}
