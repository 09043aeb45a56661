//! The `postgres` sink end to end: the real binary against the machine's PostgreSQL
//! (127.0.0.1:5432, trust auth, database `test`; `.ci/run` starts it when it does not
//! answer). Each test works in a schema of its own, dropped at the end. Rows are read back
//! with `psql`.

// A test: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;

const SERVER: &str = "127.0.0.1:5432";

/// A schema of its own for one test, dropped (with everything in it) when the test ends.
struct Schema(String);

impl Schema {
    fn new(tag: &str) -> Schema {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "fl_{tag}_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        Schema(name)
    }

    /// Run `sql` with this schema first on the search path; the rows, `|`-separated.
    fn sql(&self, sql: &str) -> String {
        psql(&self.0, sql)
    }

    fn count(&self, table: &str) -> usize {
        self.sql(&format!("SELECT count(*) FROM feedloom_{table}"))
            .trim()
            .parse()
            .unwrap()
    }

    /// `count` that is 0 while the tables do not exist yet.
    fn items_or_zero(&self) -> usize {
        let out = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-Atqc"])
            .arg(format!(
                "SELECT count(*) FROM \"{}\".feedloom_items",
                self.0
            ))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc"])
            .arg(format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.0))
            .output();
    }
}

fn psql(schema: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "test",
            "-Atq",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .env("PGOPTIONS", format!("-c search_path={schema}"))
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "psql failed on {sql:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A sink config for `schema` through `addr` (the server, or a proxy in front of it; or a
/// whole `postgres://` URL).
fn config(dir: &Path, schema: &Schema, addr: &str, extra: &str) -> std::path::PathBuf {
    config_with(dir, schema, addr, extra, true)
}

/// [`config`], with or without the `quotes` extractor.
fn config_with(
    dir: &Path,
    schema: &Schema,
    addr: &str,
    extra: &str,
    quotes: bool,
) -> std::path::PathBuf {
    let quotes = if quotes { "  - type: quotes\n" } else { "" };
    let url = if addr.starts_with("postgres://") {
        addr.to_string()
    } else {
        format!("postgres://postgres@{addr}/test")
    };
    write_config(
        dir,
        &format!(
            "state_dir: st\n\
             sources:\n  - {{id: in, type: file, path: in/*.txt, interval: 200ms}}\n\
             extractors:\n  - type: clean\n  - type: entities\n  - type: countries\n{quotes}  - type: amounts\n  - type: dates\n\
             sinks:\n  - id: db\n    type: postgres\n    url: \"{url}\"\n    schema: {}\n{extra}",
            schema.0
        ),
    )
}

const STORY: &str = "Kazakhstan signs a pipeline deal with China\n\n\
President Kassym-Jomart Tokayev met Chinese officials in Astana on 3 March 2025. \
\"This pipeline will carry gas to China for thirty years,\" Tokayev said on Monday. \
The project will cost $4.5 billion, according to the Ministry of Energy of Kazakhstan.\n";

fn write_stories(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("s{i:04}.txt")),
            STORY.replace("thirty", &format!("{} more", i + 1)),
        )
        .unwrap();
    }
}

/// The ```sql fences of `docs/postgres.md`.
fn doc_queries() -> Vec<String> {
    let text = std::fs::read_to_string(repo().join("docs/postgres.md")).unwrap();
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        match (&mut cur, line.trim_start()) {
            (None, "```sql") => cur = Some(String::new()),
            (Some(q), "```") => {
                out.push(std::mem::take(q));
                cur = None;
            }
            (Some(q), _) => {
                q.push_str(line);
                q.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn items_land_with_entities_and_quotes_and_a_second_run_updates_them() {
    let s = Schema::new("land");
    let dir = tempfile::tempdir().unwrap();
    write_stories(&dir.path().join("in"), 3);
    write_articles(&dir.path().join("in"), 4);
    let cfg = config(
        dir.path(),
        &s,
        SERVER,
        "    batch_size: 50\n    batch_timeout: 100ms\n",
    );
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.count("items"), 7);
    let id = s
        .sql("SELECT id FROM feedloom_items WHERE text LIKE '%1 more years%'")
        .trim()
        .to_string();
    assert!(
        id.starts_with("sha256:"),
        "{}",
        s.sql("SELECT id, text FROM feedloom_items")
    );
    let q = |sql: &str| s.sql(&sql.replace("$ID", &id.replace('\'', "''")));
    let ents =
        q("SELECT name || ':' || kind FROM feedloom_entities WHERE item_id = '$ID' ORDER BY ord");
    assert!(ents.contains("Tokayev"), "entities: {ents}");
    let quotes = q("SELECT speaker || ': ' || text FROM feedloom_quotes WHERE item_id = '$ID'");
    assert!(
        quotes.contains("Tokayev") && quotes.contains("This pipeline will carry gas"),
        "quotes: {quotes}"
    );
    let amounts = q("SELECT unit || ' ' || value FROM feedloom_amounts WHERE item_id = '$ID'");
    assert!(amounts.contains("USD 4500000000"), "amounts: {amounts}");
    let dates = q("SELECT start FROM feedloom_dates WHERE item_id = '$ID'");
    assert!(dates.contains("2025-03-03"), "dates: {dates}");
    let row = q(
        "SELECT title, 'KZ' = ANY(countries), item->>'source', search @@ websearch_to_tsquery('english', 'pipelines') FROM feedloom_items WHERE id = '$ID'",
    );
    assert_eq!(
        row.trim(),
        "Kazakhstan signs a pipeline deal with China|t|in|t"
    );
    let children = |s: &Schema| ["entities", "quotes", "amounts", "dates"].map(|t| s.count(t));
    let before = children(&s);
    assert_eq!(
        q("SELECT version FROM feedloom_migrations").trim(),
        "1",
        "one migration, applied once"
    );

    // The analyst's queries of docs/postgres.md run on these rows.
    let queries = doc_queries();
    assert!(queries.len() >= 5, "five queries in docs/postgres.md");
    for sql in &queries {
        s.sql(sql);
    }
    let top = s.sql(&queries[0]);
    assert!(
        top.contains("Tokayev") || top.contains("Kazakhstan"),
        "{top}"
    );

    // A second run with a fresh state re-delivers every item: rows are updated in place,
    // nothing is duplicated.
    let stored = |s: &Schema| s.sql("SELECT max(stored) FROM feedloom_items");
    let first = stored(&s);
    std::fs::remove_dir_all(dir.path().join("st")).unwrap();
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.count("items"), 7);
    assert_eq!(children(&s), before, "child rows replaced, not added");
    assert!(stored(&s) > first, "rows rewritten");
    // A third without the quotes extractor: the items no longer have quotes, and neither
    // do their rows.
    let cfg = config_with(dir.path(), &s, SERVER, "    batch_size: 50\n", false);
    std::fs::remove_dir_all(dir.path().join("st")).unwrap();
    let o = feedloom(&["once", "-c", cfg.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.count("items"), 7);
    assert_eq!(s.count("quotes"), 0, "quotes replaced with their item");
    assert_eq!(s.count("entities"), before[0]);
    assert_eq!(
        q("SELECT item ? 'quotes', item ? 'entities' FROM feedloom_items WHERE id = '$ID'").trim(),
        "f|t"
    );
}

#[test]
fn kill_9_mid_batch_then_restart_leaves_every_item_exactly_once() {
    let s = Schema::new("kill");
    let dir = tempfile::tempdir().unwrap();
    let n = 400;
    write_stories(&dir.path().join("in"), n);
    let cfg = config(
        dir.path(),
        &s,
        SERVER,
        "    batch_size: 7\n    batch_timeout: 10ms\n",
    );
    let c = cfg.to_str().unwrap();
    let mut mid = 0;
    for round in 0..4 {
        let d = Daemon::start(&cfg);
        let before = s.items_or_zero();
        let start = Instant::now();
        while s.items_or_zero() < before + 20 + round * 10 && start.elapsed() < WAIT {
            std::thread::sleep(Duration::from_millis(5));
        }
        d.kill9();
        if s.items_or_zero() < n {
            mid += 1;
        }
    }
    assert!(mid > 0, "at least one kill landed mid-stream");
    let o = feedloom(&["once", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.count("items"), n);
    assert_eq!(
        s.sql("SELECT count(DISTINCT id) FROM feedloom_items")
            .trim(),
        n.to_string()
    );
    // Every item's child rows once: as many quotes as items, no entity twice.
    assert_eq!(s.count("quotes"), n);
    assert_eq!(
        s.sql("SELECT count(*) FROM (SELECT item_id, name, kind FROM feedloom_entities GROUP BY 1, 2, 3 HAVING count(*) > 1) d").trim(),
        "0"
    );
}

/// A TCP proxy in front of the server that can be taken down (open connections cut, new
/// ones closed at once) and brought back.
struct Proxy {
    addr: String,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start() -> Proxy {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let up = Arc::new(AtomicBool::new(true));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (u, o) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in l.incoming() {
                let Ok(client) = client else { continue };
                if !u.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(SERVER) else {
                    continue;
                };
                {
                    let mut g = o.lock().unwrap();
                    g.push(client.try_clone().unwrap());
                    g.push(server.try_clone().unwrap());
                }
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16 * 1024];
                        loop {
                            match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(k) => {
                                    if to.write_all(&buf[..k]).is_err() {
                                        break;
                                    }
                                }
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                        let _ = from.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Proxy { addr, up, open }
    }

    fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[test]
fn while_the_server_is_unreachable_items_wait_in_the_backlog_and_then_arrive() {
    let s = Schema::new("outage");
    let dir = tempfile::tempdir().unwrap();
    let proxy = Proxy::start();
    write_stories(&dir.path().join("in"), 2);
    let cfg = config(
        dir.path(),
        &s,
        &proxy.addr,
        "    batch_size: 5\n    batch_timeout: 50ms\n    timeout: 5s\n    buffer: 2\n    max_retries: 1000\n    retry_backoff: 50ms\n    retry_max_backoff: 300ms\n",
    );
    let mut d = Daemon::start(&cfg);
    d.wait("the first items", |_| s.items_or_zero() == 2);
    // The server goes away (the open connection is cut), then new items come.
    proxy.down();
    write_stories(&dir.path().join("in"), 30);
    d.wait_log("delivery failed; retrying");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(s.items_or_zero(), 2, "nothing gets through the outage");
    let backlog = dir.path().join("st/backlog/db");
    assert!(
        std::fs::read_dir(&backlog).map(|r| r.count()).unwrap_or(0) > 0,
        "items spilled to the sink's disk backlog"
    );
    proxy.up();
    d.wait("every item after the outage", |_| s.items_or_zero() == 30);
    d.wait_log("delivered after retrying");
    let log = d.log();
    assert!(d.stop().success());
    assert!(
        !log.contains("delivery failed; batch kept in the dead-letter store"),
        "{log}"
    );
    assert_eq!(s.count("quotes"), 30);
}

#[test]
fn a_permanent_error_dead_letters_just_that_batch() {
    let s = Schema::new("perm");
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 1);
    let cfg = config(
        dir.path(),
        &s,
        SERVER,
        "    batch_size: 1\n    retry_backoff: 50ms\n",
    );
    let c = cfg.to_str().unwrap();
    let o = feedloom(&["once", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.count("items"), 1);
    // A quote column too narrow for any real quote.
    s.sql("ALTER TABLE feedloom_quotes ALTER COLUMN text TYPE varchar(10)");
    // One story with a quote, two more articles without (the first is delivered already).
    write_stories(&dir.path().join("in"), 1);
    write_articles(&dir.path().join("in"), 3);
    let o = feedloom(&["once", "-c", c]);
    assert_eq!(o.status.code(), Some(1), "a batch failed: {}", stderr(&o));
    assert_eq!(s.count("items"), 3, "the other batches landed");
    assert_eq!(
        s.sql("SELECT count(*) FROM feedloom_items WHERE text LIKE '%Tokayev%'")
            .trim(),
        "0",
        "the failed batch's item was rolled back with its quotes"
    );
    let o = feedloom(&["dlq", "list", "-c", c, "--json"]);
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{}", stdout(&o));
    let dl = &lines[0];
    assert_eq!(dl["sink"], "db");
    assert_eq!(dl["attempts"], 1, "not retried");
    assert_eq!(dl["items"].as_array().unwrap().len(), 1);
    let msg = dl.to_string();
    assert!(
        msg.contains("22001") && msg.contains("value too long"),
        "{msg}"
    );
    // Fixed: the replay delivers it.
    s.sql("ALTER TABLE feedloom_quotes ALTER COLUMN text TYPE text");
    let o = feedloom(&["dlq", "replay", "-c", c]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(s.count("items"), 4);
}

#[test]
fn the_password_never_shows() {
    let s = Schema::new("secret");
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 1);
    // Nothing listens on this port: connection refused, retried, then dead-lettered.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: db, type: postgres, url: \"postgres://bob:hunter2pw@127.0.0.1:{port}/test\", schema: {}, max_retries: 1, retry_backoff: 10ms}}\n",
            s.0
        ),
    );
    let c = cfg.to_str().unwrap();
    let o = Command::new(bin())
        .args(["--log-level", "debug", "once", "-c", c])
        .output()
        .unwrap();
    let all = stdout(&o) + &stderr(&o);
    assert!(all.contains("postgres://bob@127.0.0.1"), "{all}");
    assert!(!all.contains("hunter2pw"), "{all}");
    let o = feedloom(&["dlq", "list", "-c", c, "--json"]);
    assert!(!stdout(&o).contains("hunter2pw"));
    assert!(stdout(&o).contains("cannot connect"), "{}", stdout(&o));
}

#[test]
fn two_daemons_starting_together_migrate_once() {
    let s = Schema::new("race");
    let runs: Vec<_> = (0..2)
        .map(|k| {
            let dir = tempfile::tempdir().unwrap();
            write_stories(&dir.path().join("in"), 3 + k);
            let cfg = config(dir.path(), &s, SERVER, "    batch_size: 1\n");
            let child = Command::new(bin())
                .args(["once", "-c", cfg.to_str().unwrap()])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            (dir, child)
        })
        .collect();
    for (_dir, child) in runs {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(
        s.sql("SELECT count(*) FROM feedloom_migrations").trim(),
        "1"
    );
    assert_eq!(s.count("items"), 4, "the same three stories and one more");
}

/// `sslmode=require` connects with rustls and checks the server's certificate: the
/// machine's server has a self-signed `localhost` certificate (no subject alternative
/// name), which no root vouches for, so the handshake fails and says why.
#[test]
fn sslmode_require_uses_tls_and_checks_the_certificate() {
    let ssl = psql("public", "SHOW ssl");
    if ssl.trim() != "on" {
        eprintln!("the server has no TLS; skipped");
        return;
    }
    let s = Schema::new("tls");
    let dir = tempfile::tempdir().unwrap();
    write_articles(&dir.path().join("in"), 1);
    let cfg = write_config(
        dir.path(),
        &format!(
            "state_dir: st\nsources:\n  - {{id: in, type: file, path: in/*.txt}}\nsinks:\n  - {{id: db, type: postgres, url: \"postgres://postgres@localhost:5432/test?sslmode=require\", schema: {}, max_retries: 0}}\n",
            s.0
        ),
    );
    let c = cfg.to_str().unwrap();
    let o = feedloom(&["once", "-c", c]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = feedloom(&["dlq", "list", "-c", c, "--json"]);
    let out = stdout(&o);
    assert!(
        out.contains("cannot connect") && out.contains("certificate"),
        "{out}"
    );
    assert_eq!(s.items_or_zero(), 0);
}

/// The server ends the sink's session (what a restart or `pg_terminate_backend` does,
/// SQLSTATE 57P01): the sink reconnects and the next items arrive; nothing is dead-lettered.
#[test]
fn a_terminated_session_is_reconnected() {
    let s = Schema::new("term");
    let dir = tempfile::tempdir().unwrap();
    write_stories(&dir.path().join("in"), 2);
    let app = s.0.clone();
    let cfg = config(
        dir.path(),
        &s,
        &format!("postgres://postgres@{SERVER}/test?application_name={app}"),
        "    batch_size: 5\n    batch_timeout: 50ms\n    retry_backoff: 50ms\n",
    );
    let mut d = Daemon::start(&cfg);
    d.wait("the first items", |_| s.items_or_zero() == 2);
    let killed = psql(
        "public",
        &format!(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{app}'"
        ),
    );
    assert_eq!(killed.trim(), "1", "the sink's one session");
    write_stories(&dir.path().join("in"), 5);
    d.wait("the items after the restart", |_| s.items_or_zero() == 5);
    let log = d.log();
    assert!(d.stop().success());
    assert!(!log.contains("dead-letter store"), "{log}");
}
