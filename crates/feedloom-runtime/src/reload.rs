//! Hot reload: on SIGHUP, and when the config file changes (a debounced watch on its
//! directory, so editors' atomic renames are seen), re-read and validate the config. A valid
//! one is applied with [`Pipeline::reload`]; an invalid one is logged with its located errors
//! and the running config stays.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::Pipeline;
use crate::config::Config;

/// Why a reload was attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Signal,
    FileChanged,
}

/// Watch for SIGHUP and changes to `path`, reloading `pipeline` until `shutdown`.
pub fn spawn_reloader(pipeline: Arc<Pipeline>, path: PathBuf, shutdown: CancellationToken) {
    let (tx, mut rx) = mpsc::channel::<Trigger>(8);

    #[cfg(unix)]
    {
        let tx = tx.clone();
        let sd = shutdown.clone();
        tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let Ok(mut hup) = signal(SignalKind::hangup()) else {
                tracing::warn!("cannot listen for SIGHUP; reload on file change only");
                return;
            };
            loop {
                tokio::select! {
                    r = hup.recv() => {
                        if r.is_none() { break; }
                        let _ = tx.try_send(Trigger::Signal);
                    }
                    _ = sd.cancelled() => break,
                }
            }
        });
    }

    let watcher = watch(&path, tx.clone());
    if watcher.is_none() {
        tracing::warn!(config = %path.display(), "cannot watch the config file; reload with SIGHUP");
    }

    tokio::spawn(async move {
        let _keep_watching = watcher;
        let mut last = std::fs::read(&path).ok();
        loop {
            let trigger = tokio::select! {
                t = rx.recv() => match t { Some(t) => t, None => break },
                _ = shutdown.cancelled() => break,
            };
            let now = std::fs::read(&path).ok();
            if trigger == Trigger::FileChanged && now == last {
                continue;
            }
            // Remember this content either way: a broken edit is reported once, not on every
            // event (our own read of the file is an event too); SIGHUP always retries.
            reload_once(&pipeline, &path).await;
            last = now;
        }
    });
}

/// Load and apply the config once; true when applied. An invalid config is logged with its
/// located errors and the running one is kept.
pub async fn reload_once(pipeline: &Arc<Pipeline>, path: &Path) -> bool {
    let registry = pipeline.registry().clone();
    let p = path.to_path_buf();
    let Ok(loaded) = tokio::task::spawn_blocking(move || Config::load(&p, &registry)).await else {
        return false;
    };
    match loaded {
        Err(errs) => {
            for e in &errs.0 {
                tracing::error!(error = %e, "config reload failed; still running the previous config");
            }
            false
        }
        Ok(cfg) => match pipeline.reload(cfg).await {
            Ok(sum) => {
                tracing::info!(changes = %sum, "config reloaded");
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "config reload failed; still running the previous config");
                false
            }
        },
    }
}

fn watch(
    path: &Path,
    tx: mpsc::Sender<Trigger>,
) -> Option<notify_debouncer_mini::Debouncer<notify::RecommendedWatcher>> {
    use notify::RecursiveMode;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let name = path.file_name()?.to_os_string();
    let mut debouncer = notify_debouncer_mini::new_debouncer(
        Duration::from_millis(250),
        move |res: notify_debouncer_mini::DebounceEventResult| {
            if let Ok(events) = res
                && events.iter().any(|e| match e.path.file_name() {
                    // The file itself, or Kubernetes' `..data` symlink swap of a ConfigMap.
                    Some(f) => f == name.as_os_str() || f.to_string_lossy().starts_with(".."),
                    None => false,
                })
            {
                let _ = tx.try_send(Trigger::FileChanged);
            }
        },
    )
    .ok()?;
    debouncer
        .watcher()
        .watch(&dir, RecursiveMode::NonRecursive)
        .ok()?;
    Some(debouncer)
}
