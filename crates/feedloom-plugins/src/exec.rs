//! `type: exec` — an out-of-process plugin in any language.
//!
//! feedloom starts `command` (an argv list, never a shell string) on the first item, keeps it
//! running and speaks JSON Lines over its stdin/stdout: one request per line,
//! `{"id": N, "item": {...}}`, and one response per line, `{"id": N, "item": {...}}` (fields
//! to add or replace) or `{"id": N, "error": "..."}`.
//!
//! * A plugin that exits is restarted on the next item, with backoff when it keeps exiting
//!   (100 ms doubling up to `timeout`, at most 30 s; the item waits for the restart). The
//!   pipeline gives each item at least that wait plus `timeout` ([`Extractor::time_needed`]),
//!   whatever `pipeline.extract_timeout` says, and does not count the wait for a free process.
//! * An item that takes longer than `timeout` fails, and the process is killed (a later item
//!   starts a fresh one).
//! * A line that is not a response (garbage, a stray `print`, the wrong `id`, half a line
//!   before exiting, a line over [`MAX_LINE`]) fails the item with an error that names the
//!   plugin and quotes the line; the process is restarted, because the conversation is out of
//!   step. A plugin that closes its stdout but keeps running is killed at once.
//! * The plugin's stderr is always drained (a plugin never blocks on it) and logged with the
//!   plugin id: lines cut at [`STDERR_LINE`] bytes, at most [`STDERR_RATE`] lines a second;
//!   lines over the rate are counted and the count logged.
//! * Each plugin runs in its own process group, and "killed" means the whole group, so a
//!   wrapper (`sh run.sh`, `uv run`, `npm start`) does not leave its child behind.
//! * `concurrency: N` runs N processes; each item goes to whichever is free.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use feedloom_core::backoff::Backoff;
use feedloom_core::{BuildContext, BuildError, Duration, ExtractError, Extractor, Item, Registry};
use schemars::JsonSchema;
use serde::Deserialize;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::{Mutex, MutexGuard, Semaphore, SemaphorePermit};

/// Longest response line accepted (a plugin that never writes a newline cannot exhaust memory).
pub const MAX_LINE: usize = 16 * 1024 * 1024;
/// How much of an offending line an error quotes.
const QUOTE: usize = 200;
/// Longest stderr line logged; the rest of a longer line is read and thrown away.
pub const STDERR_LINE: usize = 4096;
/// Most stderr lines logged per second and process; the others are counted, and the count
/// logged with the next line that is logged (or when the stream ends).
pub const STDERR_RATE: u32 = 100;
/// How long a plugin that closed its stdout gets to exit before it is taken to be still
/// running (and killed).
const EXIT_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

fn default_timeout() -> Duration {
    Duration::from_secs(5)
}
fn default_concurrency() -> usize {
    1
}

/// Options of `type: exec`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExecOptions {
    /// The program and its arguments, e.g. `[python3, plugins/tagger.py]`. Never run through
    /// a shell. A relative program path containing `/` resolves against `cwd`.
    pub command: Vec<String>,
    /// Longest time one item may take (request written to response read). The process is
    /// killed when an item times out.
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
    /// How many processes to run; items go to whichever is free.
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Extra environment variables for the plugin (feedloom's environment is inherited).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Working directory; relative to the config file. Default: the config file's directory.
    #[serde(default)]
    pub cwd: Option<PathBuf>,
}

/// What is fixed for the life of the extractor.
#[derive(Debug)]
struct Spec {
    id: String,
    program: PathBuf,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: PathBuf,
    timeout: std::time::Duration,
    backoff: Backoff,
}

/// One running plugin process.
struct Proc {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next_id: u64,
    /// The process group the plugin leads (unix): killed with it.
    pgid: Option<i32>,
}

impl Proc {
    /// SIGKILL the plugin's whole process group (what it started, too).
    fn kill_group(&mut self) {
        #[cfg(unix)]
        if let Some(pg) = self.pgid.take() {
            // SAFETY: killpg only sends a signal; a group that is gone gives ESRCH.
            unsafe {
                libc::killpg(pg, libc::SIGKILL);
            }
        }
    }

    /// Kill the plugin (and its process group) and reap it.
    async fn kill(mut self) {
        self.kill_group();
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// The plugin's exit status, if it exits within [`EXIT_GRACE`] (it has closed a pipe,
    /// which it usually does by exiting).
    async fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        match tokio::time::timeout(EXIT_GRACE, self.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            _ => None,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // `kill_on_drop` ends the plugin itself; this ends what it started.
        self.kill_group();
    }
}

/// A process slot: the process (if running) and its restart bookkeeping.
#[derive(Default)]
struct Slot {
    proc: Option<Proc>,
    /// Consecutive failed runs (exits, kills) since the last good response.
    failures: u32,
    /// No restart before this instant.
    not_before: Option<Instant>,
    /// Processes started in this slot (for tests and logs).
    starts: u64,
    /// A request was written and its exchange abandoned (the caller's future was dropped):
    /// the process may still answer it, so it is out of step and must be replaced.
    in_flight: bool,
}

/// The built `exec` extractor.
pub struct Exec {
    spec: Arc<Spec>,
    slots: Vec<Mutex<Slot>>,
    /// One permit per slot: an item waits here until some slot is free.
    free: Semaphore,
    next: AtomicUsize,
}

/// A slot held for one item (and the permit that reserved it).
struct Held<'a> {
    slot: MutexGuard<'a, Slot>,
    _permit: SemaphorePermit<'a>,
}

impl std::fmt::Debug for Exec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exec").field("spec", &self.spec).finish()
    }
}

/// Quote a line for an error message, truncated on a character boundary.
fn quote(line: &str) -> String {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.len() <= QUOTE {
        return format!("{line:?}");
    }
    let mut end = QUOTE;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{:?}… ({} bytes)", &line[..end], line.len())
}

/// Read one `\n`-terminated line of at most `max` bytes. `Ok(None)` at end of stream.
async fn read_line_limited<R: AsyncBufRead + Unpin>(
    r: &mut R,
    max: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(if line.is_empty() { None } else { Some(line) });
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        if line.len() + take > max {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("a response line longer than {max} bytes"),
            ));
        }
        line.extend_from_slice(&buf[..take]);
        r.consume(take);
        if done {
            return Ok(Some(line));
        }
    }
}

/// Read one line, keeping at most `cap` bytes of it and throwing the rest away: the kept
/// bytes and the line's full length (without its `\n`). `Ok(None)` at end of stream.
async fn read_line_capped<R: AsyncBufRead + Unpin>(
    r: &mut R,
    cap: usize,
) -> std::io::Result<Option<(Vec<u8>, usize)>> {
    let mut kept = Vec::new();
    let mut total = 0usize;
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok((total > 0).then_some((kept, total)));
        }
        let (take, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let body = if done { take - 1 } else { take };
        let room = cap.saturating_sub(kept.len()).min(body);
        kept.extend_from_slice(&buf[..room]);
        total += body;
        r.consume(take);
        if done {
            return Ok(Some((kept, total)));
        }
    }
}

/// At most `max` events per one-second window.
struct Window {
    start: Instant,
    used: u32,
    max: u32,
}

impl Window {
    fn new(max: u32) -> Window {
        Window {
            start: Instant::now(),
            used: 0,
            max,
        }
    }

    fn allow(&mut self) -> bool {
        let now = Instant::now();
        if now.saturating_duration_since(self.start) >= std::time::Duration::from_secs(1) {
            self.start = now;
            self.used = 0;
        }
        if self.used < self.max {
            self.used += 1;
            true
        } else {
            false
        }
    }
}

/// Drain a plugin's stderr until it closes, logging each line with the plugin id (cut to
/// [`STDERR_LINE`] bytes, rate-limited). Never stops reading early: a plugin blocked on a
/// full stderr pipe would hang.
async fn log_stderr<R: AsyncRead + Unpin>(id: String, stderr: R) {
    let mut r = BufReader::new(stderr);
    let mut window = Window::new(STDERR_RATE);
    let mut suppressed = 0u64;
    let report = |n: u64| {
        tracing::warn!(
            target: "feedloom::plugin", plugin = %id,
            "{n} stderr line(s) not logged: over {STDERR_RATE} lines/s"
        );
    };
    while let Ok(Some((line, total))) = read_line_capped(&mut r, STDERR_LINE).await {
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end();
        if text.is_empty() {
            continue;
        }
        if !window.allow() {
            suppressed += 1;
            continue;
        }
        if suppressed > 0 {
            report(std::mem::take(&mut suppressed));
        }
        if total > line.len() {
            tracing::warn!(target: "feedloom::plugin", plugin = %id, "{text}… ({total} bytes, cut)");
        } else {
            tracing::warn!(target: "feedloom::plugin", plugin = %id, "{text}");
        }
    }
    if suppressed > 0 {
        report(suppressed);
    }
}

/// Why one exchange failed, and whether the process must go.
enum Failure {
    /// The plugin answered with an error or an unusable item; it stays up.
    Item(String),
    /// The process is gone or out of step; kill it and restart later.
    Process(String),
}

impl Exec {
    pub fn build(opts: ExecOptions, ctx: &BuildContext) -> Result<Exec, BuildError> {
        let Some(program) = opts.command.first() else {
            return Err(BuildError::at(
                "command",
                "an empty command: give the program and its arguments, e.g. [python3, plugins/tagger.py]",
            ));
        };
        if program.trim().is_empty() {
            return Err(BuildError::at("command.0", "an empty program name"));
        }
        if opts.concurrency == 0 {
            return Err(BuildError::at("concurrency", "must be at least 1"));
        }
        if opts.timeout.get().is_zero() {
            return Err(BuildError::at("timeout", "must be longer than 0s"));
        }
        let cwd = match &opts.cwd {
            Some(c) => ctx.resolve(c),
            None => ctx.config_dir.clone(),
        };
        let p = Path::new(program);
        let program = if p.is_relative() && program.contains('/') {
            cwd.join(p)
        } else {
            p.to_path_buf()
        };
        let spec = Spec {
            id: ctx.id.clone(),
            program,
            args: opts.command[1..].to_vec(),
            env: opts.env,
            cwd,
            timeout: opts.timeout.get(),
            // Capped at the item timeout: an item waits for a pending restart rather than
            // failing untried, so a crash-looping plugin costs at most `timeout` per item (like
            // a hanging one) and is restarted at most once per `timeout`.
            backoff: Backoff::new(
                std::time::Duration::from_millis(100),
                opts.timeout.get().min(std::time::Duration::from_secs(30)),
            )
            .with_jitter(0.2),
        };
        Ok(Exec {
            spec: Arc::new(spec),
            slots: (0..opts.concurrency).map(|_| Mutex::default()).collect(),
            free: Semaphore::new(opts.concurrency),
            next: AtomicUsize::new(0),
        })
    }

    /// How many processes have been started so far, over all slots.
    pub async fn starts(&self) -> u64 {
        let mut n = 0;
        for s in &self.slots {
            n += s.lock().await.starts;
        }
        n
    }

    /// Wait until a slot is free and lock it.
    async fn slot(&self) -> Held<'_> {
        let permit = self
            .free
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let n = self.slots.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for k in 0..n {
            if let Ok(slot) = self.slots[(start + k) % n].try_lock() {
                return Held {
                    slot,
                    _permit: permit,
                };
            }
        }
        // Only `starts()` or `shutdown()` can hold a slot that no item holds, and briefly.
        Held {
            slot: self.slots[start % n].lock().await,
            _permit: permit,
        }
    }

    fn err(&self, msg: impl std::fmt::Display) -> ExtractError {
        ExtractError::new(format!("exec plugin {}: {msg}", self.spec.id))
    }

    fn spawn(&self) -> Result<Proc, String> {
        let s = &self.spec;
        let mut cmd = Command::new(&s.program);
        cmd.args(&s.args)
            .envs(&s.env)
            .current_dir(&s.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        #[cfg(unix)]
        cmd.process_group(0);
        let mut child = cmd.spawn().map_err(|e| {
            format!(
                "cannot start {} (in {}): {e}",
                s.program.display(),
                s.cwd.display()
            )
        })?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        tokio::spawn(log_stderr(s.id.clone(), stderr));
        tracing::debug!(plugin = %s.id, pid = ?child.id(), "exec plugin started");
        // With `process_group(0)` the plugin leads a group whose id is its pid.
        let pgid = if cfg!(unix) {
            child.id().and_then(|p| i32::try_from(p).ok())
        } else {
            None
        };
        Ok(Proc {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            next_id: 1,
            pgid,
        })
    }

    /// Kill the slot's process (if any) and count a failure for the restart backoff.
    async fn discard(&self, slot: &mut Slot) {
        if let Some(p) = slot.proc.take() {
            p.kill().await;
        }
        slot.failures += 1;
        slot.not_before = Some(Instant::now() + self.spec.backoff.delay(slot.failures, None));
    }

    /// Make sure the slot has a live process, waiting out the restart backoff (at most
    /// `timeout`) first.
    async fn ensure(&self, slot: &mut Slot) -> Result<(), ExtractError> {
        if slot.in_flight {
            slot.in_flight = false;
            if let Some(p) = slot.proc.take() {
                tracing::debug!(plugin = %self.spec.id, "replacing an exec plugin left mid-request");
                p.kill().await;
            }
        }
        if let Some(p) = &mut slot.proc {
            match p.child.try_wait() {
                Ok(None) => return Ok(()),
                Ok(Some(status)) => {
                    tracing::warn!(plugin = %self.spec.id, %status, "exec plugin exited; restarting");
                    self.discard(slot).await;
                }
                Err(e) => {
                    tracing::warn!(plugin = %self.spec.id, error = %e, "exec plugin lost; restarting");
                    self.discard(slot).await;
                }
            }
        }
        if let Some(t) = slot.not_before {
            tracing::debug!(plugin = %self.spec.id, failures = slot.failures, "waiting to restart the exec plugin");
            tokio::time::sleep(t.saturating_duration_since(Instant::now())).await;
        }
        match self.spawn() {
            Ok(p) => {
                slot.proc = Some(p);
                slot.starts += 1;
                Ok(())
            }
            Err(m) => {
                slot.failures += 1;
                slot.not_before =
                    Some(Instant::now() + self.spec.backoff.delay(slot.failures, None));
                Err(self.err(m))
            }
        }
    }

    /// Send one request and read its response.
    async fn exchange(proc: &mut Proc, item: &Item) -> Result<serde_json::Value, Failure> {
        let id = proc.next_id;
        proc.next_id += 1;
        let mut req = serde_json::to_vec(&serde_json::json!({"id": id, "item": item}))
            .map_err(|e| Failure::Item(format!("cannot encode the item: {e}")))?;
        req.push(b'\n');
        let write = async {
            proc.stdin.write_all(&req).await?;
            proc.stdin.flush().await
        };
        if let Err(e) = write.await {
            return Err(Failure::Process(match proc.exit_status().await {
                Some(status) => format!("exited ({status}) before reading request {id}"),
                None => format!(
                    "stopped reading its stdin ({e}) before request {id}; killed (it restarts on the next item)"
                ),
            }));
        }
        let line = match read_line_limited(&mut proc.stdout, MAX_LINE).await {
            Ok(Some(l)) => l,
            Ok(None) => {
                return Err(Failure::Process(match proc.exit_status().await {
                    Some(status) => format!("exited ({status}) without answering request {id}"),
                    None => format!(
                        "closed its stdout without answering request {id}; killed (it restarts on the next item)"
                    ),
                }));
            }
            Err(e) => return Err(Failure::Process(format!("cannot read its output: {e}"))),
        };
        let text = String::from_utf8_lossy(&line);
        match parse_response(&text, id) {
            Ok(v) => Ok(v),
            // The stream ended inside the line: say so rather than "not JSON".
            Err(_) if !line.ends_with(b"\n") => {
                Err(Failure::Process(match proc.exit_status().await {
                    Some(status) => format!(
                        "exited ({status}) in the middle of response line {} to request {id}",
                        quote(&text)
                    ),
                    None => format!(
                        "closed its stdout in the middle of response line {} to request {id}; killed",
                        quote(&text)
                    ),
                }))
            }
            Err(why) => Err(Failure::Process(format!(
                "invalid response line {} ({why}); expected {{\"id\": {id}, \"item\": {{...}}}} or {{\"id\": {id}, \"error\": \"...\"}}",
                quote(&text)
            ))),
        }
    }
}

/// Parse one response line to request `id`: a JSON object with that `id`.
fn parse_response(text: &str, id: u64) -> Result<serde_json::Value, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Some(obj) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    match obj.get("id") {
        Some(got) if got.as_u64() == Some(id) => Ok(v),
        Some(got) => Err(format!("answers id {got}, not {id}")),
        None => Err("no `id`".into()),
    }
}

/// Interpret a response object (`item` patch or `error`) for one item.
pub(crate) fn apply(item: &mut Item, resp: serde_json::Value) -> Result<(), String> {
    let serde_json::Value::Object(mut obj) = resp else {
        return Err("the response is not a JSON object".into());
    };
    if let Some(e) = obj.remove("error") {
        let msg = match e {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        return Err(format!("plugin error: {msg}"));
    }
    match obj.remove("item") {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(serde_json::Value::Object(patch)) => item
            .merge_json(patch)
            .map_err(|e| format!("the returned item does not fit the item schema: {e}")),
        Some(other) => Err(format!(
            "`item` must be an object of fields to add or replace, got {}",
            quote(&other.to_string())
        )),
    }
}

#[async_trait]
impl Extractor for Exec {
    async fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        // Waiting for a free process is queueing: it does not count against the pipeline's
        // deadline for this item (see `time_needed` for what does).
        let mut held = feedloom_core::deadline::queued(self.slot()).await;
        let slot = &mut *held.slot;
        self.ensure(slot).await?;
        // The budget starts once a process is ours: waiting for a free one or for a restart
        // is not the plugin's time.
        let deadline = Instant::now() + self.spec.timeout;
        slot.in_flight = true;
        let proc = slot.proc.as_mut().expect("ensure started a process");
        let left = deadline.saturating_duration_since(Instant::now());
        let res = tokio::time::timeout(left, Self::exchange(proc, item)).await;
        slot.in_flight = false;
        match res {
            Err(_) => {
                self.discard(slot).await;
                Err(self.err(format!(
                    "timed out after {}; killed (it restarts on the next item)",
                    Duration(self.spec.timeout)
                )))
            }
            Ok(Err(Failure::Process(m))) => {
                self.discard(slot).await;
                Err(self.err(m))
            }
            Ok(Err(Failure::Item(m))) => Err(self.err(m)),
            Ok(Ok(resp)) => {
                slot.failures = 0;
                slot.not_before = None;
                apply(item, resp).map_err(|m| self.err(m))
            }
        }
    }

    /// A pending restart (at most the restart backoff's cap), then `timeout` for the item,
    /// then killing a process that overran: the pipeline's `extract_timeout` must not cut
    /// that short.
    fn time_needed(&self) -> Option<std::time::Duration> {
        Some(self.spec.backoff.max + self.spec.timeout + 2 * EXIT_GRACE)
    }

    async fn shutdown(&self) {
        for s in &self.slots {
            let mut s = s.lock().await;
            if let Some(p) = s.proc.take() {
                p.kill().await;
            }
        }
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_extractor(
        "exec",
        "runs an external program (any language) that enriches items over JSON Lines",
        Exec::build,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An item may wait for a restart (up to `timeout`, at most 30 s) and then run for
    /// `timeout`: the pipeline must give it that long, even above `extract_timeout`.
    #[test]
    fn time_needed_covers_a_restart_and_the_item_timeout() {
        let ctx = BuildContext::for_tests(Path::new("."));
        for (secs, restart) in [(20, 20), (45, 30), (2, 2)] {
            let opts: ExecOptions = serde_json::from_value(
                serde_json::json!({"command": ["true"], "timeout": format!("{secs}s")}),
            )
            .unwrap();
            let ex = Exec::build(opts, &ctx).unwrap();
            let need = ex.time_needed().unwrap();
            let floor = std::time::Duration::from_secs(secs + restart);
            assert!(need >= floor, "{secs}s: {need:?} < {floor:?}");
            assert!(
                need <= floor + std::time::Duration::from_secs(5),
                "{need:?}"
            );
        }
    }

    #[test]
    fn quotes_are_truncated_on_char_boundaries() {
        let long = "é".repeat(300);
        let q = quote(&long);
        assert!(q.contains("(600 bytes)"), "{q}");
        assert_eq!(quote("abc\n"), "\"abc\"");
    }

    #[tokio::test]
    async fn long_lines_are_refused() {
        let data = [b'x'; 100];
        let mut r = BufReader::new(&data[..]);
        assert!(read_line_limited(&mut r, 10).await.is_err());
        let mut r = BufReader::new(&b"a\nb"[..]);
        assert_eq!(
            read_line_limited(&mut r, 10).await.unwrap().unwrap(),
            b"a\n"
        );
        assert_eq!(read_line_limited(&mut r, 10).await.unwrap().unwrap(), b"b");
        assert!(read_line_limited(&mut r, 10).await.unwrap().is_none());
    }

    #[test]
    fn responses_patch_or_fail() {
        let mut it = Item::new("a", "s");
        apply(
            &mut it,
            serde_json::json!({"id": 1, "item": {"tags": ["x"], "mood": 1}}),
        )
        .unwrap();
        assert_eq!(it.tags, Some(vec!["x".into()]));
        assert_eq!(it.extra["mood"], 1);
        apply(&mut it, serde_json::json!({"id": 2})).unwrap();
        let e = apply(&mut it, serde_json::json!({"id": 3, "error": "boom"})).unwrap_err();
        assert_eq!(e, "plugin error: boom");
        let e = apply(&mut it, serde_json::json!({"id": 4, "item": {"tags": 3}})).unwrap_err();
        assert!(e.contains("item schema"), "{e}");
        assert!(apply(&mut it, serde_json::json!({"item": [1]})).is_err());
    }
}
