//! `type: exec` — an out-of-process plugin in any language.
//!
//! feedloom starts `command` (an argv list, never a shell string) on the first item, keeps it
//! running and speaks JSON Lines over its stdin/stdout: one request per line,
//! `{"id": N, "item": {...}}`, and one response per line, `{"id": N, "item": {...}}` (fields
//! to add or replace) or `{"id": N, "error": "..."}`.
//!
//! * A plugin that exits is restarted on the next item, with backoff when it keeps exiting.
//! * An item that takes longer than `timeout` fails, and the process is killed (a later item
//!   starts a fresh one).
//! * A line that is not a response (garbage, a stray `print`) fails the item with an error
//!   that names the plugin and quotes the line; the process is restarted, because the
//!   conversation is out of step.
//! * Every line the plugin writes to stderr is logged with the plugin id.
//! * `concurrency: N` runs N processes; items are spread over whichever is free.

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
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::Mutex;

/// Longest response line accepted (a plugin that never writes a newline cannot exhaust memory).
pub const MAX_LINE: usize = 16 * 1024 * 1024;
/// How much of an offending line an error quotes.
const QUOTE: usize = 200;

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
    next: AtomicUsize,
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
            backoff: Backoff::new(
                std::time::Duration::from_millis(100),
                std::time::Duration::from_secs(30),
            )
            .with_jitter(0.2),
        };
        Ok(Exec {
            spec: Arc::new(spec),
            slots: (0..opts.concurrency).map(|_| Mutex::default()).collect(),
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

    /// Lock a free slot if there is one, else wait for the next one in turn.
    async fn slot(&self) -> tokio::sync::MutexGuard<'_, Slot> {
        let n = self.slots.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for k in 0..n {
            if let Ok(g) = self.slots[(start + k) % n].try_lock() {
                return g;
            }
        }
        self.slots[start % n].lock().await
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
        let id = s.id.clone();
        tokio::spawn(async move {
            let mut r = BufReader::new(stderr);
            while let Ok(Some(line)) = read_line_limited(&mut r, 64 * 1024).await {
                let line = String::from_utf8_lossy(&line);
                let line = line.trim_end();
                if !line.is_empty() {
                    tracing::warn!(target: "feedloom::plugin", plugin = %id, "{line}");
                }
            }
        });
        tracing::debug!(plugin = %s.id, pid = ?child.id(), "exec plugin started");
        Ok(Proc {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            next_id: 1,
        })
    }

    /// Kill the slot's process (if any) and count a failure for the restart backoff.
    async fn discard(&self, slot: &mut Slot) {
        if let Some(mut p) = slot.proc.take() {
            let _ = p.child.start_kill();
            let _ = p.child.wait().await;
        }
        slot.failures += 1;
        slot.not_before = Some(Instant::now() + self.spec.backoff.delay(slot.failures, None));
    }

    /// Make sure the slot has a live process, waiting out the restart backoff when it fits in
    /// the item's time budget.
    async fn ensure(&self, slot: &mut Slot, deadline: Instant) -> Result<(), ExtractError> {
        if slot.in_flight {
            slot.in_flight = false;
            if let Some(mut p) = slot.proc.take() {
                tracing::debug!(plugin = %self.spec.id, "replacing an exec plugin left mid-request");
                let _ = p.child.start_kill();
                let _ = p.child.wait().await;
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
            let now = Instant::now();
            if t > deadline {
                return Err(self.err(format!(
                    "not running: restarting in {:.1}s after {} failure(s)",
                    t.saturating_duration_since(now).as_secs_f64(),
                    slot.failures
                )));
            }
            tokio::time::sleep(t.saturating_duration_since(now)).await;
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
            return Err(Failure::Process(format!("cannot write to the plugin: {e}")));
        }
        let line = match read_line_limited(&mut proc.stdout, MAX_LINE).await {
            Ok(Some(l)) => l,
            Ok(None) => {
                let status = match proc.child.wait().await {
                    Ok(s) => s.to_string(),
                    Err(e) => e.to_string(),
                };
                return Err(Failure::Process(format!(
                    "exited ({status}) without answering request {id}"
                )));
            }
            Err(e) => return Err(Failure::Process(format!("cannot read its output: {e}"))),
        };
        let text = String::from_utf8_lossy(&line);
        let garbage = |why: &str| {
            Failure::Process(format!(
                "invalid response line {} ({why}); expected {{\"id\": {id}, \"item\": {{...}}}} or {{\"id\": {id}, \"error\": \"...\"}}",
                quote(&text)
            ))
        };
        let v: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => return Err(garbage(&format!("not JSON: {e}"))),
        };
        let Some(obj) = v.as_object() else {
            return Err(garbage("not a JSON object"));
        };
        match obj.get("id") {
            Some(got) if got.as_u64() == Some(id) => {}
            Some(got) => return Err(garbage(&format!("answers id {got}, not {id}"))),
            None => return Err(garbage("no `id`")),
        }
        Ok(v)
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
        let deadline = Instant::now() + self.spec.timeout;
        let mut slot = self.slot().await;
        self.ensure(&mut slot, deadline).await?;
        slot.in_flight = true;
        let proc = slot.proc.as_mut().expect("ensure started a process");
        let left = deadline.saturating_duration_since(Instant::now());
        let res = tokio::time::timeout(left, Self::exchange(proc, item)).await;
        slot.in_flight = false;
        match res {
            Err(_) => {
                self.discard(&mut slot).await;
                Err(self.err(format!(
                    "timed out after {}; killed (it restarts on the next item)",
                    Duration(self.spec.timeout)
                )))
            }
            Ok(Err(Failure::Process(m))) => {
                self.discard(&mut slot).await;
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

    async fn shutdown(&self) {
        for s in &self.slots {
            let mut s = s.lock().await;
            if let Some(mut p) = s.proc.take() {
                let _ = p.child.start_kill();
                let _ = p.child.wait().await;
            }
        }
    }
}

pub fn register(reg: &mut Registry) {
    reg.extractor_type(
        "exec",
        "runs an external program (any language) that enriches items over JSON Lines",
        Exec::build,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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
