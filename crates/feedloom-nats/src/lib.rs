//! The connection options both NATS plugins take (`url`, `user`/`password`, `token`,
//! `creds_file`, `connect_timeout`) and connecting with them: one crate for the `nats`
//! source (feedloom-sources) and the `nats` sink (feedloom-sinks).
//!
//! Nothing connects at build time: a plugin connects on its first send or poll. Secrets (a
//! password, a token, the credentials in a URL) never appear in `Debug` output or in
//! messages: servers are named `host:port`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration as StdDuration;

use async_nats::{Client, ConnectOptions, ServerAddr};
use feedloom_core::{BuildContext, BuildError, Duration};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One server URL or several (the client picks one and fails over to the others).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Urls {
    /// One server.
    One(String),
    /// Several servers of one cluster.
    Many(Vec<String>),
}

impl Urls {
    fn list(&self) -> Vec<&str> {
        match self {
            Urls::One(u) => vec![u.as_str()],
            Urls::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

pub fn default_url() -> Urls {
    Urls::One("nats://127.0.0.1:4222".into())
}

pub fn default_connect_timeout() -> Duration {
    Duration::from_secs(5)
}

/// The connection options as written in the config.
pub struct ConnectArgs<'a> {
    pub url: &'a Urls,
    pub user: Option<&'a str>,
    pub password: Option<&'a str>,
    pub token: Option<&'a str>,
    pub creds_file: Option<&'a std::path::Path>,
    pub connect_timeout: Duration,
}

enum Auth {
    None,
    UserPassword(String, String),
    Token(String),
    CredsFile(PathBuf),
}

/// How to reach the servers, checked at build time.
pub struct Connection {
    servers: Vec<ServerAddr>,
    shown: String,
    auth: Auth,
    connect_timeout: StdDuration,
    /// Every secret, to scrub from messages.
    secrets: Vec<String>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let auth = match &self.auth {
            Auth::None => "none",
            Auth::UserPassword(..) => "user and password",
            Auth::Token(_) => "token",
            Auth::CredsFile(_) => "creds_file",
        };
        f.debug_struct("Connection")
            .field("servers", &self.shown)
            .field("auth", &auth)
            .finish_non_exhaustive()
    }
}

/// Why connecting failed; the message names the servers and holds no secret.
#[derive(Debug)]
pub struct ConnectFailure {
    pub message: String,
    pub timed_out: bool,
}

impl Connection {
    pub fn new(a: ConnectArgs<'_>, ctx: &BuildContext) -> Result<Self, BuildError> {
        let urls = a.url.list();
        if urls.is_empty() {
            return Err(BuildError::at("url", "give at least one server URL"));
        }
        let mut servers = Vec::new();
        let mut secrets = Vec::new();
        for u in urls {
            let addr: ServerAddr = u.trim().parse().map_err(|_| {
                BuildError::at("url", format!("invalid NATS URL `{}`", shown_url(u)))
            })?;
            if let Some(p) = addr.password() {
                secrets.push(p.to_string());
            }
            if let Some(u) = addr.username() {
                secrets.push(u.to_string());
            }
            servers.push(addr);
        }
        let auth = match (a.user, a.password, a.token, a.creds_file) {
            (None, None, None, None) => Auth::None,
            (Some(u), Some(p), None, None) => {
                secrets.push(p.to_string());
                Auth::UserPassword(u.to_string(), p.to_string())
            }
            (Some(_), None, _, _) => {
                return Err(BuildError::at("password", "`user` needs a `password`"));
            }
            (None, Some(_), _, _) => {
                return Err(BuildError::at("user", "`password` needs a `user`"));
            }
            (None, None, Some(t), None) => {
                secrets.push(t.to_string());
                Auth::Token(t.to_string())
            }
            (None, None, None, Some(f)) => Auth::CredsFile(ctx.resolve(f)),
            _ => {
                return Err(BuildError::new(
                    "choose one way to authenticate: `user` and `password`, `token`, or `creds_file`",
                ));
            }
        };
        let connect_timeout = a.connect_timeout.get();
        if !(StdDuration::from_millis(100)..=StdDuration::from_secs(600)).contains(&connect_timeout)
        {
            return Err(BuildError::at(
                "connect_timeout",
                "connect_timeout must be between 100ms and 10m",
            ));
        }
        secrets.retain(|s| !s.is_empty());
        let shown = servers
            .iter()
            .map(|s| format!("{}:{}", s.host(), s.port()))
            .collect::<Vec<_>>()
            .join(",");
        Ok(Connection {
            servers,
            shown,
            auth,
            connect_timeout,
            secrets,
        })
    }

    /// The servers as they may be shown: `host:port`, comma-separated.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// `message` with every secret replaced.
    pub fn redact(&self, message: String) -> String {
        let mut m = message;
        for s in &self.secrets {
            if m.contains(s.as_str()) {
                m = m.replace(s.as_str(), "[redacted]");
            }
        }
        m
    }

    /// Connect once (every server tried in turn), within `connect_timeout` per server.
    pub async fn connect(&self, request_timeout: StdDuration) -> Result<Client, ConnectFailure> {
        let mut o = ConnectOptions::new()
            .name(format!("feedloom/{}", feedloom_core::VERSION))
            .connection_timeout(self.connect_timeout)
            .request_timeout(Some(request_timeout));
        o = match &self.auth {
            Auth::None => o,
            Auth::UserPassword(u, p) => o.user_and_password(u.clone(), p.clone()),
            Auth::Token(t) => o.token(t.clone()),
            Auth::CredsFile(f) => o.credentials_file(f).await.map_err(|e| ConnectFailure {
                message: format!("cannot read creds_file {}: {e}", f.display()),
                timed_out: false,
            })?,
        };
        let n = u32::try_from(self.servers.len()).unwrap_or(u32::MAX);
        let whole = self.connect_timeout.saturating_mul(n) + StdDuration::from_secs(1);
        match tokio::time::timeout(whole, o.connect(self.servers.clone())).await {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(e)) => Err(ConnectFailure {
                timed_out: e.kind() == async_nats::ConnectErrorKind::TimedOut,
                message: self.redact(format!("{}: cannot connect: {e}", self.shown)),
            }),
            Err(_) => Err(ConnectFailure {
                message: format!("{}: cannot connect: timed out after {whole:?}", self.shown),
                timed_out: true,
            }),
        }
    }
}

/// A URL without its user and password, for messages about a URL that did not parse.
fn shown_url(u: &str) -> String {
    match u.rsplit_once('@') {
        Some((before, after)) => match before.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://…@{after}"),
            None => format!("…@{after}"),
        },
        None => u.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn(
        url: Urls,
        user: Option<&str>,
        password: Option<&str>,
    ) -> Result<Connection, BuildError> {
        let ctx = BuildContext::for_tests(std::path::Path::new("/tmp"));
        Connection::new(
            ConnectArgs {
                url: &url,
                user,
                password,
                token: None,
                creds_file: None,
                connect_timeout: default_connect_timeout(),
            },
            &ctx,
        )
    }

    #[test]
    fn secrets_stay_out_of_debug_and_messages() {
        let c = conn(
            Urls::Many(vec![
                "nats://bob:s3cret@a.example:4222".into(),
                "b.example".into(),
            ]),
            Some("me"),
            Some("hunter2"),
        )
        .unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("s3cret") && !d.contains("hunter2"), "{d}");
        assert_eq!(c.shown(), "a.example:4222,b.example:4222");
        assert_eq!(
            c.redact("x hunter2 s3cret".into()),
            "x [redacted] [redacted]"
        );
        assert_eq!(shown_url("nats://u:p@h:1"), "nats://…@h:1");
    }

    #[test]
    fn auth_must_be_one_way() {
        assert_eq!(
            conn(default_url(), Some("u"), None).unwrap_err().path,
            "password"
        );
        assert_eq!(
            conn(default_url(), None, Some("p")).unwrap_err().path,
            "user"
        );
        assert_eq!(
            conn(Urls::Many(vec![]), None, None).unwrap_err().path,
            "url"
        );
    }
}
