//! `type: exec` against real Python plugins (tests/plugins/*.py): responses, plugin errors,
//! crashes, hangs, garbage, stderr, concurrency and restarts.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use feedloom_core::{BuildContext, Extractor, Item, Registry, parse_options};
use feedloom_plugins::exec::{Exec, ExecOptions};

fn plugins_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/plugins")
}

fn exec(id: &str, opts: serde_json::Value) -> Exec {
    let mut ctx = BuildContext::for_tests(&plugins_dir());
    ctx.id = id.into();
    let o: ExecOptions = parse_options(&opts).expect("options parse");
    Exec::build(o, &ctx).expect("builds")
}

fn item(id: &str, title: &str) -> Item {
    let mut it = Item::new(id, "test");
    it.title = Some(title.into());
    it.text = "Gas flows through Line D again".into();
    it
}

#[tokio::test]
async fn a_good_plugin_adds_fields_and_keeps_running() {
    let ex = exec(
        "tagger",
        serde_json::json!({"command": ["python3", "good.py"], "env": {"FEEDLOOM_GREETING": "hi"}}),
    );
    assert_eq!(ex.starts().await, 0, "build does not start the plugin");
    let mut a = item("a", "first");
    ex.extract(&mut a).await.unwrap();
    assert_eq!(a.tags, Some(vec!["seen".to_string()]));
    assert_eq!(a.extra["word_count"], 6);
    assert_eq!(a.extra["greeting"], "hi");
    assert_eq!(
        a.extra["cwd_name"], "plugins",
        "runs in the config's directory"
    );
    let mut b = item("b", "second");
    b.tags = Some(vec!["before".into()]);
    ex.extract(&mut b).await.unwrap();
    assert_eq!(b.tags, Some(vec!["before".to_string(), "seen".to_string()]));
    assert_eq!(
        a.extra["plugin_pid"], b.extra["plugin_pid"],
        "one process for both"
    );
    assert_eq!(ex.starts().await, 1);

    // A plugin-reported error fails that item only.
    let mut c = item("c", "please fail");
    let err = ex.extract(&mut c).await.unwrap_err();
    assert_eq!(
        err.message,
        "exec plugin tagger: plugin error: asked to fail"
    );
    assert!(c.tags.is_none(), "a failed item is left as it was");
    let mut d = item("d", "fourth");
    ex.extract(&mut d).await.unwrap();
    assert_eq!(d.extra["plugin_pid"], a.extra["plugin_pid"]);
    ex.shutdown().await;
}

#[tokio::test]
async fn a_crashing_plugin_is_restarted_and_later_items_succeed() {
    let ex = exec(
        "crashy",
        serde_json::json!({"command": ["python3", "crash.py", "2"]}),
    );
    let mut pids = Vec::new();
    for n in 0..2 {
        let mut it = item(&format!("i{n}"), "x");
        ex.extract(&mut it).await.unwrap();
        pids.push(it.extra["plugin_pid"].clone());
    }
    assert_eq!(pids[0], pids[1]);
    let mut third = item("i2", "x");
    let err = ex.extract(&mut third).await.unwrap_err();
    assert!(
        err.message.starts_with("exec plugin crashy: exited ("),
        "{}",
        err.message
    );
    assert!(err.message.contains("status: 3"), "{}", err.message);
    assert!(third.extra.get("plugin_pid").is_none());
    let mut fourth = item("i3", "x");
    ex.extract(&mut fourth).await.unwrap();
    assert_ne!(fourth.extra["plugin_pid"], pids[0], "a fresh process");
    assert_eq!(ex.starts().await, 2);
    ex.shutdown().await;
}

#[tokio::test]
async fn a_hanging_plugin_is_killed_after_the_timeout_and_restarted() {
    let ex = exec(
        "sleepy",
        serde_json::json!({"command": ["python3", "hang.py"], "timeout": "2s"}),
    );
    let mut first = item("a", "fine");
    ex.extract(&mut first).await.unwrap();
    let mut hung = item("b", "hang");
    let err = ex.extract(&mut hung).await.unwrap_err();
    assert_eq!(
        err.message,
        "exec plugin sleepy: timed out after 2s; killed (it restarts on the next item)"
    );
    let mut after = item("c", "fine");
    ex.extract(&mut after).await.unwrap();
    assert_ne!(after.extra["plugin_pid"], first.extra["plugin_pid"]);
    assert_eq!(ex.starts().await, 2);
    ex.shutdown().await;
}

#[tokio::test]
async fn a_crash_looping_plugin_is_restarted_with_backoff_and_every_item_is_tried() {
    // crash.py 0 dies on every item. The restart delay grows (100 ms, 200 ms, ...) but is
    // capped at the timeout and waited out, so no item fails untried with "not running".
    let ex = exec(
        "looping",
        // 5s: a loaded machine can take over a second to start python3.
        serde_json::json!({"command": ["python3", "crash.py", "0"], "timeout": "5s"}),
    );
    for n in 0..5 {
        let mut it = item(&format!("i{n}"), "x");
        let err = ex.extract(&mut it).await.unwrap_err().message;
        assert_eq!(
            err,
            "exec plugin looping: exited (exit status: 3) without answering request 1"
        );
    }
    assert_eq!(ex.starts().await, 5);
    ex.shutdown().await;
}

#[tokio::test]
async fn garbage_output_names_the_plugin_and_quotes_the_line() {
    let ex = exec(
        "noisy",
        serde_json::json!({"command": ["python3", "garbage.py"]}),
    );
    let mut g = item("a", "garbage");
    let err = ex.extract(&mut g).await.unwrap_err();
    assert!(
        err.message.starts_with(
            "exec plugin noisy: invalid response line \"this is not json, just a stray debug print\" (not JSON:"
        ),
        "{}",
        err.message
    );
    let mut ok = item("b", "fine");
    ex.extract(&mut ok).await.unwrap();
    assert!(ok.extra.contains_key("plugin_pid"));
    ex.shutdown().await;
}

#[tokio::test]
async fn a_missing_program_is_an_item_error_not_a_panic() {
    let ex = exec(
        "ghost",
        serde_json::json!({"command": ["./no-such-plugin", "--flag"], "timeout": "1s"}),
    );
    let mut it = item("a", "x");
    let err = ex.extract(&mut it).await.unwrap_err();
    assert!(
        err.message.starts_with("exec plugin ghost: cannot start "),
        "{}",
        err.message
    );
    assert!(err.message.contains("no-such-plugin"), "{}", err.message);
    // The next item does not hammer the system: it waits out the backoff or says so.
    let err = ex.extract(&mut it).await.unwrap_err();
    assert!(
        err.message.starts_with("exec plugin ghost: "),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn concurrency_runs_that_many_processes() {
    let ex = Arc::new(exec(
        "pool",
        serde_json::json!({"command": ["python3", "hang.py"], "concurrency": 3}),
    ));
    // Nine items at once: every slot is busy, so all three processes start and share them.
    let mut tasks = Vec::new();
    for n in 0..9 {
        let ex = ex.clone();
        tasks.push(tokio::spawn(async move {
            let mut it = item(&format!("i{n}"), "fine");
            ex.extract(&mut it).await.map(|_| it)
        }));
    }
    let mut pids = std::collections::BTreeSet::new();
    for t in tasks {
        let it = t.await.unwrap().unwrap();
        pids.insert(it.extra["plugin_pid"].to_string());
    }
    assert_eq!(pids.len(), 3, "{pids:?}");
    assert_eq!(ex.starts().await, 3);
    ex.shutdown().await;
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);
impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn stderr_lines_are_logged_with_the_plugin_id() {
    let buf = Buf::default();
    let w = buf.clone();
    let sub = tracing_subscriber::fmt()
        .with_writer(move || w.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(sub);
    let ex = exec(
        "chatty",
        serde_json::json!({"command": ["python3", "stderr.py"]}),
    );
    let mut it = item("item-42", "x");
    ex.extract(&mut it).await.unwrap();
    assert_eq!(it.extra["noted"], true);
    // The stderr reader runs beside the exchange: give it a moment (bounded) to catch up.
    let mut logged = String::new();
    for _ in 0..200 {
        logged = String::from_utf8_lossy(&buf.0.lock().unwrap()).into_owned();
        if logged.contains("stderr-note") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let line = logged
        .lines()
        .find(|l| l.contains("stderr-note: working on item-42"))
        .unwrap_or_else(|| panic!("not logged: {logged}"));
    assert!(line.contains("plugin=chatty"), "{line}");
    assert!(line.contains("WARN"), "{line}");
    ex.shutdown().await;
}

#[test]
fn bad_options_are_build_errors_at_their_key() {
    let mut reg = Registry::new();
    feedloom_plugins::register(&mut reg);
    let f = reg.extractor("exec").unwrap();
    let ctx = BuildContext::for_tests(&plugins_dir());
    let cases = [
        (
            serde_json::json!({"command": []}),
            "command",
            "an empty command",
        ),
        (
            serde_json::json!({"command": [""]}),
            "command.0",
            "an empty program",
        ),
        (
            serde_json::json!({"command": ["python3"], "concurrency": 0}),
            "concurrency",
            "at least 1",
        ),
        (
            serde_json::json!({"command": ["python3"], "timeout": "0s"}),
            "timeout",
            "longer than 0s",
        ),
        (
            serde_json::json!({"command": "python3 tagger.py"}),
            "command",
            "invalid type",
        ),
        (
            serde_json::json!({"command": ["python3"], "on_eror": "skip"}),
            "on_eror",
            "unknown field",
        ),
    ];
    for (opts, path, msg) in cases {
        let err = (f.build)(&opts, &ctx).err().expect("fails");
        assert_eq!(err.path, path, "{opts}");
        assert!(err.message.contains(msg), "{opts}: {}", err.message);
    }
}

#[tokio::test]
async fn an_abandoned_request_does_not_confuse_the_next_item() {
    let ex = exec(
        "sleepy",
        serde_json::json!({"command": ["python3", "hang.py"]}),
    );
    let mut first = item("a", "fine");
    ex.extract(&mut first).await.unwrap();
    // The caller gives up on an item mid-request (its future is dropped).
    let mut hung = item("b", "hang");
    let gave_up =
        tokio::time::timeout(std::time::Duration::from_millis(300), ex.extract(&mut hung)).await;
    assert!(gave_up.is_err());
    // The next item gets a fresh process, not the abandoned request's answer.
    let mut next = item("c", "fine");
    ex.extract(&mut next).await.unwrap();
    assert_ne!(next.extra["plugin_pid"], first.extra["plugin_pid"]);
    assert_eq!(ex.starts().await, 2);
    ex.shutdown().await;
}

/// Capture this thread's log output (the plugin's stderr reader runs on the same thread in a
/// current-thread test runtime).
fn capture_logs() -> (Buf, tracing::subscriber::DefaultGuard) {
    let buf = Buf::default();
    let w = buf.clone();
    let sub = tracing_subscriber::fmt()
        .with_writer(move || w.clone())
        .with_ansi(false)
        .finish();
    (buf, tracing::subscriber::set_default(sub))
}

impl Buf {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Wait (bounded) until the log contains `needle`; the log so far.
    async fn wait_for(&self, needle: &str) -> String {
        for _ in 0..500 {
            let t = self.text();
            if t.contains(needle) {
                return t;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("{needle:?} never logged: {}", self.text())
    }
}

fn misbehave(timeout: &str) -> Exec {
    exec(
        "rogue",
        serde_json::json!({"command": ["python3", "misbehave.py"], "timeout": timeout}),
    )
}

/// One bad item fails with `want` in its error; the next item gets a fresh process.
async fn fails_then_recovers(ex: &Exec, title: &str) -> String {
    let mut ok = item("ok1", "fine");
    ex.extract(&mut ok).await.unwrap();
    let mut bad = item("bad", title);
    let err = ex.extract(&mut bad).await.unwrap_err().message;
    assert!(bad.extra.is_empty(), "a failed item is left as it was");
    let mut after = item("ok2", "fine");
    ex.extract(&mut after).await.unwrap();
    assert_ne!(
        after.extra["plugin_pid"], ok.extra["plugin_pid"],
        "{title}: a fresh process after {err}"
    );
    err
}

#[tokio::test]
async fn a_plugin_that_closes_stdout_but_keeps_running_is_killed_not_waited_for() {
    // The timeout is long: the error must come from the closed pipe, not from the timeout.
    let ex = misbehave("120s");
    let err = fails_then_recovers(&ex, "close-stdout").await;
    assert_eq!(
        err,
        "exec plugin rogue: closed its stdout without answering request 2; killed (it restarts on the next item)"
    );
    ex.shutdown().await;
}

#[tokio::test]
async fn half_a_line_then_exit_is_reported_as_such() {
    let ex = misbehave("30s");
    let err = fails_then_recovers(&ex, "partial-exit").await;
    assert_eq!(
        err,
        r#"exec plugin rogue: exited (exit status: 0) in the middle of response line "{\"id\": 2, \"it" to request 2"#
    );
    ex.shutdown().await;
}

#[tokio::test]
async fn a_line_longer_than_the_limit_is_refused_without_buffering_it_all() {
    let ex = misbehave("60s");
    let err = fails_then_recovers(&ex, "huge-line").await;
    assert_eq!(
        err,
        format!(
            "exec plugin rogue: cannot read its output: a response line longer than {} bytes",
            feedloom_plugins::exec::MAX_LINE
        )
    );
    ex.shutdown().await;
}

#[tokio::test]
async fn an_answer_with_the_wrong_id_is_out_of_step() {
    let ex = misbehave("30s");
    let err = fails_then_recovers(&ex, "wrong-id").await;
    assert!(
        err.starts_with(r#"exec plugin rogue: invalid response line "{\"id\": 9, \"item\": {}}" (answers id 9, not 2)"#),
        "{err}"
    );
    ex.shutdown().await;
}

#[tokio::test]
async fn a_very_long_stderr_line_is_cut_and_the_plugin_keeps_working() {
    let (logs, _guard) = capture_logs();
    let ex = misbehave("30s");
    let mut it = item("a", "long-stderr");
    ex.extract(&mut it).await.unwrap();
    let mut next = item("b", "fine");
    ex.extract(&mut next).await.unwrap();
    assert_eq!(it.extra["plugin_pid"], next.extra["plugin_pid"]);
    let log = logs.wait_for("after-long").await;
    let cut = log
        .lines()
        .find(|l| l.contains("(1000000 bytes, cut)"))
        .unwrap_or_else(|| panic!("no cut line: {log}"));
    assert!(cut.contains("plugin=rogue"), "{cut}");
    assert!(cut.len() < 5000, "cut to STDERR_LINE: {} bytes", cut.len());
    ex.shutdown().await;
}

#[tokio::test]
async fn a_stderr_flood_is_drained_rate_limited_and_counted() {
    let (logs, _guard) = capture_logs();
    let ex = misbehave("60s");
    let mut it = item("a", "flood-stderr");
    ex.extract(&mut it).await.unwrap();
    ex.shutdown().await;
    // The count of what was not logged comes with the next logged line or at the end.
    logs.wait_for("stderr line(s) not logged").await;
    // Every line is either logged or counted (wait, bounded, for the end of the stream).
    let mut seen = 0;
    for _ in 0..500 {
        let log = logs.text();
        let logged = log.lines().filter(|l| l.contains(" flood ")).count();
        let dropped: usize = log
            .lines()
            .filter(|l| l.contains("stderr line(s) not logged"))
            .map(|l| {
                assert!(l.contains("plugin=rogue"), "{l}");
                let n = l.split("WARN feedloom::plugin: ").nth(1).unwrap_or(l);
                n.split_whitespace()
                    .next()
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum();
        assert!(logged >= 1, "some lines are logged");
        seen = logged + dropped;
        if seen == 20_000 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(seen, 20_000, "{}", logs.text());
}

/// Whether process `pid` is gone (or a zombie: dead, waiting to be reaped by init).
fn dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_timed_out_plugin_is_killed_with_the_processes_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("orphan.pid");
    let ex = exec(
        "wrapper",
        serde_json::json!({
            "command": ["python3", "misbehave.py"],
            "timeout": "3s",
            "env": {"ORPHAN_PID_FILE": pid_file.to_str().unwrap()},
        }),
    );
    let mut it = item("a", "orphan");
    let err = ex.extract(&mut it).await.unwrap_err().message;
    assert!(err.contains("timed out after 3s; killed"), "{err}");
    let pid: u32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // SIGKILL is delivered at once, but give the kernel a (bounded) moment.
    for _ in 0..500 {
        if dead(pid) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(dead(pid), "the plugin's child {pid} outlived it");
    ex.shutdown().await;
}

#[tokio::test]
async fn items_go_to_whichever_process_is_free() {
    let ex = Arc::new(exec(
        "pool",
        serde_json::json!({"command": ["python3", "hang.py"], "concurrency": 2, "timeout": "120s"}),
    ));
    // One process is stuck on a hanging item...
    let stuck = {
        let ex = ex.clone();
        tokio::spawn(async move {
            let mut it = item("h", "hang");
            ex.extract(&mut it).await
        })
    };
    // ...so every other item goes to the other one, none waits behind the stuck one.
    let mut tasks = Vec::new();
    for n in 0..6 {
        let ex = ex.clone();
        tasks.push(tokio::spawn(async move {
            let mut it = item(&format!("i{n}"), "fine");
            ex.extract(&mut it).await.map(|_| it)
        }));
    }
    let mut pids = std::collections::BTreeSet::new();
    for t in tasks {
        pids.insert(t.await.unwrap().unwrap().extra["plugin_pid"].to_string());
    }
    assert!(!stuck.is_finished(), "the hanging item is still pending");
    assert_eq!(pids.len(), 1, "{pids:?}");
    stuck.abort();
    ex.shutdown().await;
}
