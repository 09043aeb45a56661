//! The pool that runs CPU-bound plugin work (the built-in extractors, `rules`) off the async
//! reactor.
//!
//! Why a pool of our own rather than `tokio::task::spawn_blocking`:
//! - it is bounded to the cores (tokio's blocking pool grows to 512 threads), so a burst of
//!   articles queues instead of thrashing;
//! - its threads have a large stack ([`STACK_SIZE`]): text and HTML walks that recurse get
//!   room far beyond the nesting depth the sources allow, so no page can overflow it;
//! - a job that panics becomes a [`JobError::Panicked`] with the panic message, and the
//!   thread lives on;
//! - a job whose caller gave up (a timeout) while it runs is *abandoned*: a fresh thread
//!   takes its place at once, so a runaway article cannot shrink the pool, and the old
//!   thread ends when (if ever) the job returns. [`abandoned`] counts them.
//!
//! The pool knows nothing of deadlines: a caller that bounds a job's time measures from
//! when the job starts (the runtime's extractor chain does), since waiting for a free
//! thread is queueing, not the job's own work.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::oneshot;

use crate::sync::LockExt;

/// Stack of every pool thread. Only touched pages cost memory.
pub const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Why a job gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// The job panicked; the message is the panic's.
    #[error("panicked: {0}")]
    Panicked(String),
    /// The pool could not run it (no thread could be started).
    #[error("{0}")]
    Unavailable(String),
}

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Pool {
    tx: Mutex<Sender<Job>>,
    rx: Arc<Mutex<Receiver<Job>>>,
    /// Threads currently taking jobs (abandoned ones excluded).
    live: AtomicUsize,
    next_name: AtomicUsize,
}

static POOL: LazyLock<Pool> = LazyLock::new(|| {
    let (tx, rx) = channel::<Job>();
    let pool = Pool {
        tx: Mutex::new(tx),
        rx: Arc::new(Mutex::new(rx)),
        live: AtomicUsize::new(0),
        next_name: AtomicUsize::new(0),
    };
    for _ in 0..threads() {
        // A thread that cannot start now is started by the first job that needs one.
        let _ = pool.spawn_thread();
    }
    pool
});

static ABANDONED: AtomicU64 = AtomicU64::new(0);

/// How many threads the pool keeps: one per core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Jobs whose caller gave up while they ran (each cost the pool a replacement thread).
pub fn abandoned() -> u64 {
    ABANDONED.load(Ordering::Relaxed)
}

thread_local! {
    /// Set on pool threads whose job was abandoned: the thread ends after that job.
    static RETIRE: std::cell::Cell<Option<Arc<AtomicBool>>> = const { std::cell::Cell::new(None) };
}

impl Pool {
    fn spawn_thread(&self) -> std::io::Result<()> {
        let rx = self.rx.clone();
        let n = self.next_name.fetch_add(1, Ordering::Relaxed);
        std::thread::Builder::new()
            .name(format!("feedloom-work-{n}"))
            .stack_size(STACK_SIZE)
            .spawn(move || worker(rx))?;
        self.live.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn worker(rx: Arc<Mutex<Receiver<Job>>>) {
    loop {
        let job = {
            let guard = rx.lock_unpoisoned();
            guard.recv()
        };
        let Ok(job) = job else { return };
        // `job` catches its own panics (see `run`), so the thread always gets here.
        job();
        if RETIRE.with(|r| {
            let flag = r.take();
            let retire = flag.as_ref().is_some_and(|f| f.load(Ordering::Acquire));
            r.set(flag);
            retire
        }) {
            return;
        }
    }
}

/// Shared between a job and the future that waits for it.
struct Shared {
    running: AtomicBool,
    finished: AtomicBool,
    /// Set when the caller gave up while the job ran: its thread retires afterwards.
    abandoned: Arc<AtomicBool>,
}

/// Marks the job abandoned if the waiting future is dropped while the job runs.
struct Watch(Arc<Shared>);

impl Drop for Watch {
    fn drop(&mut self) {
        let s = &self.0;
        if s.running.load(Ordering::Acquire) && !s.finished.load(Ordering::Acquire) {
            s.abandoned.store(true, Ordering::Release);
            ABANDONED.fetch_add(1, Ordering::Relaxed);
            let pool = &*POOL;
            pool.live.fetch_sub(1, Ordering::Relaxed);
            if let Err(e) = pool.spawn_thread() {
                tracing::error!(error = %e, "cannot start a replacement worker thread");
            }
            tracing::warn!(
                abandoned = abandoned(),
                "a job overran its deadline and keeps a worker thread busy; a new thread took its place"
            );
        }
    }
}

/// Run `f` on the pool and wait for it. Dropping the returned future before `f` starts
/// cancels it, dropping it while `f` runs abandons the thread (see the module docs).
pub async fn run<T, F>(f: F) -> Result<T, JobError>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let shared = Arc::new(Shared {
        running: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        abandoned: Arc::new(AtomicBool::new(false)),
    });
    let (done_tx, done_rx) = oneshot::channel::<Result<T, JobError>>();
    let job_shared = shared.clone();
    let job: Job = Box::new(move || {
        if done_tx.is_closed() {
            return; // the caller gave up before the job started
        }
        job_shared.running.store(true, Ordering::Release);
        RETIRE.with(|r| r.set(Some(job_shared.abandoned.clone())));
        let r =
            catch_unwind(AssertUnwindSafe(f)).map_err(|p| JobError::Panicked(panic_message(&*p)));
        job_shared.finished.store(true, Ordering::Release);
        let _ = done_tx.send(r);
    });
    let pool = &*POOL;
    if pool.live.load(Ordering::Relaxed) == 0 {
        pool.spawn_thread()
            .map_err(|e| JobError::Unavailable(format!("cannot start a worker thread: {e}")))?;
    }
    {
        let tx = pool.tx.lock_unpoisoned();
        tx.send(job)
            .map_err(|_| JobError::Unavailable("the worker pool is gone".into()))?;
    }
    let watch = Watch(shared);
    let r = done_rx
        .await
        .unwrap_or_else(|_| Err(JobError::Unavailable("the worker thread ended".into())));
    drop(watch);
    r
}

/// The text of a panic payload (`panic!("...")` gives a `&str` or a `String`).
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn runs_and_returns() {
        assert_eq!(run(|| 6 * 7).await, Ok(42));
    }

    #[tokio::test]
    async fn a_panic_is_an_error_and_the_pool_lives_on() {
        let e = run(|| -> u32 { panic!("boom at {}", 3) }).await;
        assert_eq!(e, Err(JobError::Panicked("boom at 3".into())));
        for i in 0..(threads() * 3) {
            assert_eq!(run(move || i).await, Ok(i));
        }
    }

    #[tokio::test]
    async fn deep_recursion_fits_the_stack() {
        fn down(n: u32) -> u32 {
            let pad = [n as u8; 512];
            if n == 0 {
                0
            } else {
                std::hint::black_box(pad)[0] as u32 % 2 + down(n - 1)
            }
        }
        // over 512 bytes a frame × 10,000 frames: past a default 2 MiB thread stack.
        assert!(run(|| down(10_000)).await.is_ok());
    }

    #[tokio::test]
    async fn an_abandoned_job_gets_its_thread_replaced() {
        let before = abandoned();
        let gate = Arc::new(AtomicBool::new(false));
        let g = gate.clone();
        let slow = run(move || {
            while !g.load(Ordering::Acquire) {
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(200), slow)
                .await
                .is_err()
        );
        assert!(abandoned() > before);
        // Every other thread still serves, and so does the replacement.
        for i in 0..(threads() * 2) {
            assert_eq!(run(move || i).await, Ok(i));
        }
        gate.store(true, Ordering::Release);
    }
}
