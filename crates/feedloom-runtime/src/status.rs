//! `feedloom status` (issue 7): the source table from a running daemon's admin endpoint, or
//! from the status snapshot the daemon keeps under `state_dir` when none answers.
//!
//! With `admin.listen` configured, `GET /sources` is asked first (2 s timeout). When that
//! fails (or there is no `admin:`), `state_dir/status.json` is read: `run` and `once` write
//! it atomically (a temporary file renamed over it) when they start, whenever a source's
//! status changed (at most every [`SNAPSHOT_EVERY`]) and when they stop. `status` never
//! opens the state store (`state.redb`): redb allows one process, and a `status` that held
//! it for a moment would make a daemon starting at that moment fail.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Component;
use crate::report::SourceStatus;
use crate::{Config, RuntimeError};

/// How long to wait for the daemon's admin endpoint.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(2);

/// The status snapshot's file name under `state_dir`.
pub const SNAPSHOT_FILE: &str = "status.json";

/// How often at most a running pipeline rewrites its status snapshot.
pub const SNAPSHOT_EVERY: Duration = Duration::from_secs(2);

/// A running pipeline rewrites its snapshot at least this often, changed or not, so that a
/// reader can tell a quiet daemon from a stopped one.
pub const SNAPSHOT_HEARTBEAT: Duration = Duration::from_secs(10);

/// A snapshot older than this, of a daemon that said it was running, is called stale.
const STALE_AFTER: Duration = Duration::from_secs(30);

/// What `state_dir/status.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Snapshot {
    pub written: DateTime<Utc>,
    /// The process that wrote it.
    pub pid: u32,
    /// Written by a running pipeline (false: the last snapshot, written when it stopped).
    pub running: bool,
    pub sources: Vec<SourceStatus>,
    /// Cluster mode: the node's leases, members, counters and consumer backlogs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<crate::cluster::status::ClusterStatus>,
}

/// The snapshot's path for a state directory.
pub fn snapshot_path(state_dir: &Path) -> PathBuf {
    state_dir.join(SNAPSHOT_FILE)
}

/// Write the snapshot atomically: a reader sees the old one or the new one, never a part.
pub fn write_snapshot(state_dir: &Path, snap: &Snapshot) -> Result<(), String> {
    let path = snapshot_path(state_dir);
    let tmp = state_dir.join(format!(".{SNAPSHOT_FILE}.{}.tmp", snap.pid));
    // Streamed to the file: with 100,000 sources the JSON is tens of megabytes.
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(state_dir)?;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        serde_json::to_writer(&mut w, snap)?;
        std::io::Write::flush(&mut w)?;
        drop(w);
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| format!("{}: {e}", path.display()))
}

/// The snapshot under `state_dir`; `Ok(None)` when there is none.
pub fn read_snapshot(state_dir: &Path) -> Result<Option<Snapshot>, String> {
    let path = snapshot_path(state_dir);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Is process `pid` alive? `None` when this system cannot tell (no /proc).
fn alive(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    proc.is_dir().then(|| proc.join(pid.to_string()).exists())
}

/// The status table (or JSON with `json`).
pub async fn status(config: &Config, json: bool) -> Result<String, RuntimeError> {
    let mut admin_error = None;
    let mut from = None;
    let mut cluster = None;
    if let Some(admin) = &config.admin {
        match fetch_admin(&admin.listen).await {
            Ok((url, list)) => {
                if config.cluster.is_some() {
                    cluster = fetch_cluster(&url).await;
                }
                from = Some((format!("from the daemon at {url}"), list, true));
            }
            Err(e) => admin_error = Some(e),
        }
    }
    let now = Utc::now();
    let (origin, list, live) = match from {
        Some(f) => f,
        None => {
            let snap = read_snapshot(&config.state_dir).map_err(RuntimeError::Other)?;
            let (origin, list, live) = match snap {
                Some(s) => {
                    let (origin, live) = describe(&s, now, admin_error.as_deref());
                    cluster = s.cluster;
                    (origin, s.sources, live)
                }
                None => (
                    format!(
                        "nothing yet: no status snapshot in {} (written by `run` and `once`)",
                        config.state_dir.display()
                    ),
                    Vec::new(),
                    false,
                ),
            };
            (origin, list, live)
        }
    };
    let rows = merge(config, list, live);
    if json {
        // Cluster mode: the rows and the node's cluster status in one object.
        let v = match config.cluster {
            Some(_) => serde_json::json!({ "sources": rows, "cluster": cluster }),
            None => serde_json::to_value(&rows).unwrap_or_default(),
        };
        let mut s = serde_json::to_string_pretty(&v)
            .map_err(|e| RuntimeError::Other(format!("status: {e}")))?;
        s.push('\n');
        return Ok(s);
    }
    let mut out = render_table(&rows, now, &origin);
    if config.cluster.is_some() {
        match &cluster {
            Some(c) => out.push_str(&c.render()),
            None => out.push_str("cluster: no status of this node yet\n"),
        }
    }
    Ok(out)
}

/// `GET /cluster` of a daemon (cluster mode).
async fn fetch_cluster(base: &str) -> Option<crate::cluster::status::ClusterStatus> {
    let client = reqwest::Client::builder()
        .timeout(ADMIN_TIMEOUT)
        .no_proxy()
        .build()
        .ok()?;
    let resp = client.get(format!("{base}/cluster")).send().await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    serde_json::from_slice(&resp.bytes().await.ok()?).ok()
}

/// Where a snapshot's rows come from, for the table's last line; and whether a daemon is
/// running (then sources it runs that the file no longer lists are shown too).
fn describe(s: &Snapshot, now: DateTime<Utc>, admin_error: Option<&str>) -> (String, bool) {
    let age = relative(Some(s.written), now);
    let why = admin_error
        .map(|e| format!("; admin endpoint not reachable: {e}"))
        .unwrap_or_default();
    if !s.running {
        return (
            format!(
                "from the status snapshot written {age} when feedloom (pid {}) stopped",
                s.pid
            ),
            false,
        );
    }
    let stale = (now - s.written).to_std().unwrap_or_default() > STALE_AFTER;
    match alive(s.pid) {
        Some(false) => (
            format!(
                "from the status snapshot written {age} by feedloom (pid {}), which is no longer running (killed?)",
                s.pid
            ),
            false,
        ),
        _ if stale => (
            format!(
                "from the status snapshot written {age} by feedloom (pid {}), which has not updated it since{why}",
                s.pid
            ),
            true,
        ),
        _ => (
            format!(
                "from the status snapshot of the running daemon (pid {}), written {age}{why}",
                s.pid
            ),
            true,
        ),
    }
}

/// The URL of the admin endpoint for a `listen` address (wildcards become loopback).
fn admin_base(listen: &str) -> Option<String> {
    match listen.parse::<SocketAddr>() {
        Ok(mut a) => {
            if a.port() == 0 {
                return None;
            }
            if a.ip().is_unspecified() {
                a.set_ip(match a {
                    SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            Some(format!("http://{a}"))
        }
        Err(_) => Some(format!("http://{listen}")),
    }
}

async fn fetch_admin(listen: &str) -> Result<(String, Vec<SourceStatus>), String> {
    let base = admin_base(listen).ok_or_else(|| format!("{listen} has no fixed port"))?;
    let client = reqwest::Client::builder()
        .timeout(ADMIN_TIMEOUT)
        .connect_timeout(ADMIN_TIMEOUT)
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let url = format!("{base}/sources");
    let resp = client
        .get(&url)
        .send()
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("{url}: HTTP {}", resp.status()));
    }
    let body = resp.bytes().await.map_err(|e| format!("{url}: {e}"))?;
    let list =
        serde_json::from_slice::<Vec<SourceStatus>>(&body).map_err(|e| format!("{url}: {e}"))?;
    Ok((base, list))
}

/// Every configured source (never polled ones as `never`), in config order; with a live
/// daemon, also the sources it runs that the file no longer lists.
fn merge(config: &Config, list: Vec<SourceStatus>, live: bool) -> Vec<SourceStatus> {
    let mut by_id: BTreeMap<String, SourceStatus> =
        list.into_iter().map(|s| (s.id.clone(), s)).collect();
    let mut out = Vec::new();
    for c in &config.sources {
        let s = match by_id.remove(&c.id) {
            Some(mut s) => {
                if s.target.is_empty() {
                    s.target = target_of(c);
                }
                s
            }
            None => SourceStatus {
                id: c.id.clone(),
                kind: c.kind.clone(),
                target: target_of(c),
                state: "never".into(),
                ..Default::default()
            },
        };
        out.push(s);
    }
    if live {
        out.extend(by_id.into_values());
    }
    out
}

/// What a configured source polls, from its options (`url`, `path`, ...), for display.
pub fn target_of(c: &Component) -> String {
    for k in ["url", "path", "command", "file", "dir"] {
        if let Some(serde_json::Value::String(v)) = c.options.get(k) {
            return v;
        }
    }
    String::new()
}

/// `3m ago`, `0s ago`, `in 5m`, `never`.
pub fn relative(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(t) = t else {
        return "never".into();
    };
    let secs = (now - t).num_seconds();
    let span = |s: i64| {
        let s = s.unsigned_abs();
        if s < 60 {
            format!("{s}s")
        } else if s < 3600 {
            format!("{}m", s / 60)
        } else if s < 86_400 {
            format!("{}h", s / 3600)
        } else {
            format!("{}d", s / 86_400)
        }
    };
    if secs >= 0 {
        format!("{} ago", span(secs))
    } else {
        format!("in {}", span(secs))
    }
}

fn truncate(s: &str, max: usize) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        one_line
    } else {
        let mut t: String = one_line.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The aligned table. NEXT POLL is the saved schedule: a daemon started now waits for it
/// too (`due`: at once).
pub fn render_table(rows: &[SourceStatus], now: DateTime<Utc>, origin: &str) -> String {
    let header = [
        "ID",
        "TYPE",
        "STATE",
        "LAST FETCH",
        "NEXT POLL",
        "ITEMS",
        "ERRORS",
        "FAILED ITEMS",
        "LAST ERROR",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for s in rows {
        let next = match s.next_poll {
            None => "-".to_string(),
            Some(t) if t <= now => "due".to_string(),
            Some(t) => relative(Some(t), now),
        };
        table.push(vec![
            truncate(&s.id, 40),
            truncate(&s.kind, 12),
            truncate(&s.state, 10),
            relative(s.last_fetch, now),
            next,
            s.items.to_string(),
            s.consecutive_errors.to_string(),
            s.item_errors.to_string(),
            // The last column: the reason in full, on one line.
            s.last_error
                .as_deref()
                .or(s.last_item_error.as_deref())
                .map(|e| truncate(e, usize::MAX))
                .unwrap_or_else(|| "-".into()),
        ]);
    }
    let cols = header.len();
    let widths: Vec<usize> = (0..cols)
        .map(|i| {
            table
                .iter()
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in &table {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            if i + 1 == cols {
                line.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                // Numbers right-aligned.
                if (5..=7).contains(&i) {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                }
                line.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!("({} sources; {origin})\n", rows.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times() {
        let now = Utc::now();
        assert_eq!(relative(None, now), "never");
        assert_eq!(
            relative(Some(now - chrono::Duration::seconds(185)), now),
            "3m ago"
        );
        assert_eq!(
            relative(Some(now + chrono::Duration::seconds(7200)), now),
            "in 2h"
        );
        assert_eq!(relative(Some(now), now), "0s ago");
    }

    #[test]
    fn table_is_aligned_and_shows_errors_in_full_on_one_line() {
        let now = Utc::now();
        let rows = vec![
            SourceStatus {
                id: "a".into(),
                kind: "feed".into(),
                state: "failing".into(),
                last_fetch: Some(now - chrono::Duration::seconds(30)),
                last_error: Some("x".repeat(200) + "\nsecond line"),
                consecutive_errors: 12,
                items: 5,
                ..Default::default()
            },
            SourceStatus {
                id: "longer-id".into(),
                kind: "file".into(),
                state: "never".into(),
                ..Default::default()
            },
        ];
        let t = render_table(&rows, now, "status snapshot");
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        let col = |l: &str| {
            l.find("TYPE")
                .or_else(|| l.find("feed"))
                .or_else(|| l.find("file"))
        };
        assert_eq!(col(lines[0]), col(lines[1]));
        assert_eq!(col(lines[1]), col(lines[2]));
        // The reason in full, on one line.
        assert!(lines[1].contains("30s ago"));
        assert!(lines[1].ends_with(&format!("{} second line", "x".repeat(200))));
        assert!(lines[2].contains("never"));
    }

    #[test]
    fn wildcard_listen_becomes_loopback() {
        assert_eq!(
            admin_base("0.0.0.0:9180").as_deref(),
            Some("http://127.0.0.1:9180")
        );
        assert_eq!(
            admin_base("[::]:9180").as_deref(),
            Some("http://[::1]:9180")
        );
        assert_eq!(admin_base("127.0.0.1:0"), None);
        assert_eq!(
            admin_base("localhost:9180").as_deref(),
            Some("http://localhost:9180")
        );
    }
}
