//! Delivery of a batch. JetStream mode publishes every message of the batch, then awaits
//! their acknowledgements (they are in flight together); each message carries
//! `Nats-Msg-Id`, so the stream's duplicate window drops what a retry sends again. Core mode
//! publishes and flushes. The connection opens on the first send and is kept; the client
//! reconnects by itself when it drops.

use std::time::Duration as StdDuration;

use async_nats::jetstream::context::PublishAckFuture;
use async_nats::jetstream::message::PublishMessage;
use async_nats::{Client, HeaderMap, HeaderName, HeaderValue};
use async_trait::async_trait;
use feedloom_core::{BuildContext, BuildError, Item, Sink, SinkError};

use super::connect::{ConnectArgs, Connection};
use super::errors;
use super::subject::{Template, msg_id};
use super::{Mode, NatsSinkOptions};

pub struct NatsSink {
    id: String,
    conn: Connection,
    subject: Template,
    mode: Mode,
    headers: Vec<(HeaderName, HeaderValue)>,
    batch_size: usize,
    batch_timeout: StdDuration,
    timeout: StdDuration,
    client: tokio::sync::Mutex<Option<Open>>,
}

#[derive(Clone)]
struct Open {
    client: Client,
    js: async_nats::jetstream::Context,
}

impl std::fmt::Debug for NatsSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSink")
            .field("id", &self.id)
            .field("servers", &self.conn.shown())
            .field("subject", &self.subject.as_str())
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl NatsSink {
    pub fn build(o: NatsSinkOptions, ctx: &BuildContext) -> Result<Self, BuildError> {
        let conn = Connection::new(
            ConnectArgs {
                url: &o.url,
                user: o.user.as_deref(),
                password: o.password.as_deref(),
                token: o.token.as_deref(),
                creds_file: o.creds_file.as_deref(),
                connect_timeout: o.connect_timeout,
            },
            ctx,
        )?;
        let subject = Template::new(&o.subject).map_err(|e| BuildError::at("subject", e))?;
        let mut headers = Vec::new();
        for (k, v) in &o.headers {
            let name: HeaderName = k
                .parse()
                .map_err(|_| BuildError::at(format!("headers.{k}"), "invalid header name"))?;
            if k.eq_ignore_ascii_case("Nats-Msg-Id") && o.mode == Mode::Jetstream {
                return Err(BuildError::at(
                    format!("headers.{k}"),
                    "Nats-Msg-Id is set per item by the sink",
                ));
            }
            let value: HeaderValue = v
                .parse()
                .map_err(|_| BuildError::at(format!("headers.{k}"), "invalid header value"))?;
            headers.push((name, value));
        }
        if !(1..=10_000).contains(&o.batch_size) {
            return Err(BuildError::at(
                "batch_size",
                "batch_size must be between 1 and 10000",
            ));
        }
        let hour = StdDuration::from_secs(3600);
        if o.batch_timeout.get() > hour {
            return Err(BuildError::at(
                "batch_timeout",
                "batch_timeout must be between 0s and 1h",
            ));
        }
        if !(StdDuration::from_millis(100)..=hour).contains(&o.timeout.get()) {
            return Err(BuildError::at(
                "timeout",
                "timeout must be between 100ms and 1h",
            ));
        }
        Ok(NatsSink {
            id: ctx.id.clone(),
            conn,
            subject,
            mode: o.mode,
            headers,
            batch_size: o.batch_size,
            batch_timeout: o.batch_timeout.get(),
            timeout: o.timeout.get(),
            client: tokio::sync::Mutex::new(None),
        })
    }

    /// The open connection, opening it first when there is none.
    async fn open(&self) -> Result<Open, SinkError> {
        let mut slot = self.client.lock().await;
        if let Some(o) = slot.as_ref() {
            return Ok(o.clone());
        }
        let client = self.conn.connect(self.timeout).await.map_err(|f| {
            tracing::debug!(sink = %self.id, timed_out = f.timed_out, "cannot connect to NATS");
            SinkError::retryable(f.message)
        })?;
        let js = async_nats::jetstream::ContextBuilder::new()
            .timeout(self.timeout)
            .ack_timeout(self.timeout)
            // A whole batch is in flight before its acknowledgements are awaited.
            .max_ack_inflight(self.batch_size.max(5_000))
            .build(client.clone());
        tracing::debug!(sink = %self.id, servers = %self.conn.shown(), "connected to NATS");
        let o = Open { client, js };
        *slot = Some(o.clone());
        Ok(o)
    }

    fn headers_for(&self, item: &Item) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in &self.headers {
            h.insert(k.clone(), v.clone());
        }
        if self.mode == Mode::Jetstream {
            h.insert(
                async_nats::header::NATS_MESSAGE_ID,
                msg_id(&item.source, &item.id).as_str(),
            );
        }
        h
    }

    /// Every message of the batch, encoded, before anything is published: a message over
    /// the server's `max_payload` fails the batch without publishing any of it.
    fn messages(&self, open: &Open, batch: &[Item]) -> Result<Vec<Message>, SinkError> {
        let max = open.client.server_info().max_payload;
        let mut out = Vec::with_capacity(batch.len());
        for item in batch {
            let subject = self.subject.render(&item.source);
            let payload = encode(item)?;
            let headers = self.headers_for(item);
            let header_bytes: usize = headers
                .iter()
                .map(|(k, vs)| {
                    vs.iter()
                        .map(|v| AsRef::<[u8]>::as_ref(k).len() + v.as_str().len() + 4)
                        .sum::<usize>()
                })
                .sum();
            let size = payload.len() + header_bytes;
            if max > 0 && size > max {
                return Err(SinkError::permanent(format!(
                    "{}: item {} is {size} bytes as a message to {subject}, larger than the \
                     server's max_payload ({max} bytes)",
                    self.conn.shown(),
                    item.id
                )));
            }
            out.push(Message {
                subject,
                payload,
                headers,
            });
        }
        Ok(out)
    }

    async fn send_jetstream(&self, open: &Open, batch: &[Item]) -> Result<(), SinkError> {
        let server = self.conn.shown();
        let messages = self.messages(open, batch)?;
        let mut acks: Vec<(String, PublishAckFuture)> = Vec::with_capacity(messages.len());
        for m in messages {
            let publish = PublishMessage::build()
                .payload(m.payload.into())
                .headers(m.headers);
            let ack = open
                .js
                .send_publish(m.subject.clone(), publish)
                .await
                .map_err(|e| errors::jetstream(&e, server, &m.subject))?;
            acks.push((m.subject, ack));
        }
        // Every message is in flight: the acknowledgements arrive together, so awaiting them
        // in turn takes as long as the slowest.
        for (subject, ack) in acks {
            ack.await
                .map_err(|e| errors::jetstream(&e, server, &subject))?;
        }
        Ok(())
    }

    async fn send_core(&self, open: &Open, batch: &[Item]) -> Result<(), SinkError> {
        let server = self.conn.shown();
        for m in self.messages(open, batch)? {
            open.client
                .publish_with_headers(m.subject.clone(), m.headers, m.payload.into())
                .await
                .map_err(|e| errors::core(&e, server, &m.subject))?;
        }
        open.client
            .flush()
            .await
            .map_err(|e| SinkError::retryable(format!("{server}: flush failed: {e}")))
    }
}

/// One message, ready to publish.
struct Message {
    subject: String,
    payload: Vec<u8>,
    headers: HeaderMap,
}

/// One item as JSON, as the `jsonl` sink writes it (without the newline).
fn encode(item: &Item) -> Result<Vec<u8>, SinkError> {
    serde_json::to_vec(item)
        .map_err(|e| SinkError::permanent(format!("cannot encode item {}: {e}", item.id)))
}

#[async_trait]
impl Sink for NatsSink {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        if batch.is_empty() {
            return Ok(());
        }
        let work = async {
            let open = self.open().await?;
            match self.mode {
                Mode::Jetstream => self.send_jetstream(&open, batch).await,
                Mode::Core => self.send_core(&open, batch).await,
            }
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(r) => r.map_err(|e| SinkError {
                message: self.conn.redact(e.message),
                ..e
            }),
            Err(_) => Err(SinkError::retryable(format!(
                "{}: batch not {} within {:?} (timeout)",
                self.conn.shown(),
                match self.mode {
                    Mode::Jetstream => "acknowledged",
                    Mode::Core => "flushed",
                },
                self.timeout
            ))),
        }
    }

    async fn flush(&self) -> Result<(), SinkError> {
        let open = self.client.lock().await.clone();
        if let Some(o) = open {
            match tokio::time::timeout(self.timeout, o.client.flush()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    return Err(SinkError::retryable(format!(
                        "{}: flush failed: {e}",
                        self.conn.shown()
                    )));
                }
                Err(_) => {
                    return Err(SinkError::retryable(format!(
                        "{}: flush timed out",
                        self.conn.shown()
                    )));
                }
            }
        }
        Ok(())
    }

    fn batch_size(&self) -> usize {
        self.batch_size
    }

    fn batch_timeout(&self) -> StdDuration {
        self.batch_timeout
    }
}
