//! The admin HTTP endpoint (issue 7): `/healthz`, `/readyz`, `/metrics`, `/sources`.
//!
//! - `GET /healthz` — `200 ok` while the process is alive.
//! - `GET /readyz` — `200 ready` when the pipeline is running on a loaded config, a read of
//!   the state store works and the sinks are not all failing; otherwise `503` with a JSON body
//!   `{"ready": false, "reasons": [...]}`.
//! - `GET /metrics` — Prometheus text exposition 0.0.4 (see [`crate::prometheus`]).
//! - `GET /sources` — JSON array of [`SourceStatus`], one per configured source.
//!
//! A sink is *failing* when its last delivery attempt failed and nothing was delivered since
//! (`SinkStats::last_failure > last_delivery`, unix seconds): a sink retrying a batch is
//! failing, one that failed once and then delivered is not. `/readyz` is 503 only when every
//! configured sink is failing (one healthy sink keeps the pipeline useful).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::state::ns;
use crate::{Pipeline, RuntimeError, SourceStatus};

/// Serve the admin endpoint on `listen` until `shutdown`; returns the bound address.
pub async fn serve(
    pipeline: Arc<Pipeline>,
    listen: &str,
    shutdown: CancellationToken,
) -> Result<SocketAddr, RuntimeError> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| RuntimeError::Other(format!("admin.listen {listen}: {}", bind_error(&e))))?;
    let addr = listener
        .local_addr()
        .map_err(|e| RuntimeError::Other(format!("admin.listen {listen}: {e}")))?;
    let app = router(pipeline);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await
        {
            tracing::error!(error = %e, "admin endpoint stopped");
        }
    });
    Ok(addr)
}

fn bind_error(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        AddrInUse => "address in use".into(),
        AddrNotAvailable => "address not available on this host".into(),
        PermissionDenied => "permission denied (ports below 1024 need privileges)".into(),
        _ => e.to_string(),
    }
}

/// The admin routes on `pipeline` (for tests and embedding).
pub fn router(pipeline: Arc<Pipeline>) -> Router {
    let st = Arc::new(AdminState { pipeline });
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/sources", get(sources))
        .route("/cluster", get(cluster))
        .with_state(st)
}

struct AdminState {
    pipeline: Arc<Pipeline>,
}

impl AdminState {
    /// Every current sink and whether it is failing ([`crate::delivery::SinkStats::failing`]).
    fn sinks(&self) -> Vec<(String, bool)> {
        let config = self.pipeline.config();
        self.pipeline
            .sink_stats()
            .into_iter()
            .filter(|(id, _)| config.sinks.iter().any(|s| &s.component.id == id))
            .map(|(id, s)| (id, s.failing()))
            .collect()
    }
}

async fn readyz(State(st): State<Arc<AdminState>>) -> Response {
    let mut reasons: Vec<String> = Vec::new();
    if !st.pipeline.is_running() {
        reasons.push("pipeline is not running (starting or shutting down)".into());
    }
    if let Err(e) = st.pipeline.store().get(ns::SOURCE_STATUS, "") {
        reasons.push(format!("state store: {e}"));
    }
    if let Some(node) = st.pipeline.cluster()
        && let Some(why) = node.view.status().refused
    {
        reasons.push(format!("cluster: this node takes no work: {why}"));
    }
    let sinks = st.sinks();
    if !sinks.is_empty() && sinks.iter().all(|(_, f)| *f) {
        let ids: Vec<&str> = sinks.iter().map(|(i, _)| i.as_str()).collect();
        reasons.push(format!(
            "every sink is failing (its last attempt failed, nothing delivered since): {}",
            ids.join(", ")
        ));
    }
    if reasons.is_empty() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({ "ready": false, "reasons": reasons })),
        )
            .into_response()
    }
}

async fn metrics(State(st): State<Arc<AdminState>>) -> Response {
    (
        [(header::CONTENT_TYPE, crate::prometheus::CONTENT_TYPE)],
        crate::prometheus::render(&st.pipeline),
    )
        .into_response()
}

/// Cluster mode: this node's leases, members, counters and consumer backlogs.
async fn cluster(State(st): State<Arc<AdminState>>) -> Response {
    match st.pipeline.cluster() {
        Some(node) => axum::Json(crate::cluster::status::ClusterStatus::of(node)).into_response(),
        None => (StatusCode::NOT_FOUND, "not a cluster node\n").into_response(),
    }
}

async fn sources(State(st): State<Arc<AdminState>>) -> axum::Json<Vec<SourceStatus>> {
    axum::Json(source_list(&st.pipeline))
}

/// Every configured source with its status (in config order); sources not started yet are
/// `starting`.
pub fn source_list(pipeline: &Pipeline) -> Vec<SourceStatus> {
    let config = pipeline.config();
    let mut by_id: BTreeMap<String, SourceStatus> = pipeline
        .source_status()
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let mut out = Vec::new();
    for c in &config.sources {
        out.push(by_id.remove(&c.id).unwrap_or_else(|| SourceStatus {
            id: c.id.clone(),
            kind: c.kind.clone(),
            target: crate::status::target_of(c),
            state: "starting".into(),
            ..Default::default()
        }));
    }
    // Sources still stopping after a reload removed them from the config.
    out.extend(by_id.into_values());
    out
}
