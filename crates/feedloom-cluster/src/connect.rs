//! Connecting to NATS: credentials, the server list, reconnection.

use std::path::Path;
use std::time::Duration;

use async_nats::{ConnectOptions, Event};

use crate::Cluster;
use crate::config::ClusterConfig;
use crate::error::ClusterError;

/// How long one connection attempt may take at start.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects to NATS with `config` and returns the cluster handle.
///
/// `config_dir` is the directory of the config file: a relative `creds_file` is read from
/// there. The config is validated first. An unreachable server is an error that names the
/// URLs (without user info); once connected, the client reconnects by itself after an outage,
/// forever, and buffers what is published meanwhile (leases stop being claimed once they may
/// have lapsed: see [`crate::leases`]).
pub async fn connect(config: &ClusterConfig, config_dir: &Path) -> Result<Cluster, ClusterError> {
    config.validate()?;
    let node_id = config.resolved_node_id();
    let urls = config.nats_url.to_vec();
    let shown = urls
        .iter()
        .map(|u| strip_userinfo(u))
        .collect::<Vec<_>>()
        .join(", ");

    let options = options(config, config_dir, &node_id).await?;
    let attempt = options.connect(urls.clone());
    let client = match tokio::time::timeout(CONNECT_TIMEOUT + Duration::from_secs(1), attempt).await
    {
        Ok(Ok(client)) => client,
        Ok(Err(err)) => {
            return Err(ClusterError::Connect {
                urls: shown,
                reason: err.to_string(),
            });
        }
        Err(_) => {
            return Err(ClusterError::Connect {
                urls: shown,
                reason: format!("no answer within {} s", CONNECT_TIMEOUT.as_secs() + 1),
            });
        }
    };
    tracing::info!(servers = %shown, node = %node_id, cluster = %config.name, "connected to NATS");
    Ok(Cluster::new(client, config.clone(), node_id))
}

async fn options(
    config: &ClusterConfig,
    config_dir: &Path,
    node_id: &str,
) -> Result<ConnectOptions, ClusterError> {
    let mut options = ConnectOptions::new()
        .name(format!("feedloom/{}/{}", config.name, node_id))
        .connection_timeout(CONNECT_TIMEOUT)
        // Forever: a node waits out an outage and resumes by itself.
        .max_reconnects(None)
        .event_callback(|event| async move { log_event(event) });
    if let (Some(user), Some(password)) = (&config.user, &config.password) {
        options = options.user_and_password(user.clone(), password.expose().to_string());
    }
    if let Some(token) = &config.token {
        options = options.token(token.expose().to_string());
    }
    if let Some(creds) = &config.creds_file {
        let path = if creds.is_absolute() {
            creds.clone()
        } else {
            config_dir.join(creds)
        };
        options = options
            .credentials_file(&path)
            .await
            .map_err(|err| ClusterError::CredsFile {
                path,
                reason: err.to_string(),
            })?;
    }
    Ok(options)
}

fn log_event(event: Event) {
    match event {
        Event::Connected => tracing::info!("NATS connection (re)established"),
        Event::Disconnected => tracing::warn!("NATS connection lost; reconnecting"),
        Event::ClientError(err) => tracing::warn!(error = %err, "NATS client error"),
        Event::ServerError(err) => tracing::warn!(error = %err, "NATS server error"),
        other => tracing::debug!(event = %other, "NATS event"),
    }
}

/// The URL without `user:password@` or `token@`, for messages.
pub(crate) fn strip_userinfo(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let rest = match rest.rsplit_once('@') {
        Some((_, host)) => host,
        None => rest,
    };
    match scheme {
        Some(s) => format!("{s}://{rest}"),
        None => rest.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::strip_userinfo;

    #[test]
    fn userinfo_is_not_shown() {
        assert_eq!(strip_userinfo("nats://a:b@h:4222"), "nats://h:4222");
        assert_eq!(strip_userinfo("tok@h:4222"), "h:4222");
        assert_eq!(strip_userinfo("nats://h:4222"), "nats://h:4222");
    }
}
