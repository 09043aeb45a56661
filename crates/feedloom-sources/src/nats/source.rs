//! One poll: connect (the first time), acknowledge what the sinks delivered since the last
//! poll ([`super::acks`]), then take up to `batch` messages from the durable pull consumer
//! (creating it when missing) without waiting for more to arrive.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use async_nats::Client;
use async_nats::jetstream::consumer::{AckPolicy, DeliverPolicy, PullConsumer, pull};
use async_nats::jetstream::context::GetStreamErrorKind;
use async_nats::jetstream::stream::ConsumerErrorKind;
use async_trait::async_trait;
use feedloom_core::{
    BuildContext, BuildError, PollBatch, Source, SourceContext, SourceError, SourceErrorKind,
    StateStore,
};
use futures_util::StreamExt;

use super::acks::{Receipt, Receipts};
use super::connect::{ConnectArgs, Connection};
use super::{NatsSourceOptions, Payload};

/// JetStream API requests (stream and consumer lookups, a fetch) give up after this long.
const REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(10);

pub struct NatsSource {
    id: String,
    conn: Connection,
    stream: String,
    consumer: String,
    filter: Option<String>,
    payload: Payload,
    batch: usize,
    interval: StdDuration,
    ack_wait: StdDuration,
    state: Arc<dyn StateStore>,
    receipts: Receipts,
    open: tokio::sync::Mutex<Option<Open>>,
}

#[derive(Clone)]
struct Open {
    client: Client,
    consumer: PullConsumer,
}

impl std::fmt::Debug for NatsSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsSource")
            .field("id", &self.id)
            .field("servers", &self.conn.shown())
            .field("stream", &self.stream)
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

/// A valid stream or consumer name: no whitespace, `.`, `*`, `>`, path separators.
fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || ".*>/\\".contains(c))
}

/// `feedloom_` and the source id, with every character outside `[A-Za-z0-9_-]` made `_`.
pub fn default_consumer(source_id: &str) -> String {
    let safe: String = source_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("feedloom_{safe}")
}

impl NatsSource {
    pub fn build(o: NatsSourceOptions, ctx: &BuildContext) -> Result<Self, BuildError> {
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
        if !plain_name(&o.stream) {
            return Err(BuildError::at(
                "stream",
                "a stream name has no whitespace, `.`, `*`, `>`, `/` or `\\`",
            ));
        }
        let consumer = o.consumer.unwrap_or_else(|| default_consumer(&ctx.id));
        if !plain_name(&consumer) {
            return Err(BuildError::at(
                "consumer",
                "a consumer name has no whitespace, `.`, `*`, `>`, `/` or `\\`",
            ));
        }
        if let Some(s) = &o.subject
            && (s.is_empty()
                || s.split('.').any(str::is_empty)
                || s.chars().any(char::is_whitespace))
        {
            return Err(BuildError::at(
                "subject",
                "a subject filter is dot-separated tokens without whitespace",
            ));
        }
        if !(1..=10_000).contains(&o.batch) {
            return Err(BuildError::at("batch", "batch must be between 1 and 10000"));
        }
        let day = StdDuration::from_secs(86_400);
        if !(StdDuration::from_millis(100)..=day * 30).contains(&o.interval.get()) {
            return Err(BuildError::at(
                "interval",
                "interval must be between 100ms and 30d",
            ));
        }
        if !(StdDuration::from_secs(1)..=day * 7).contains(&o.ack_wait.get()) {
            return Err(BuildError::at(
                "ack_wait",
                "ack_wait must be between 1s and 7d",
            ));
        }
        Ok(NatsSource {
            receipts: Receipts::new(&ctx.id),
            id: ctx.id.clone(),
            conn,
            stream: o.stream,
            consumer,
            filter: o.subject,
            payload: o.payload,
            batch: o.batch,
            interval: o.interval.get(),
            ack_wait: o.ack_wait.get(),
            state: ctx.state.clone(),
            open: tokio::sync::Mutex::new(None),
        })
    }

    /// The `max_ack_pending` of a consumer this source creates: most messages delivered and
    /// not yet acknowledged (past it a fetch returns nothing until acknowledgements come).
    fn max_ack_pending(&self) -> usize {
        self.batch.saturating_mul(8).max(1000)
    }

    fn error(&self, kind: SourceErrorKind, message: String) -> SourceError {
        SourceError::new(kind, self.conn.redact(message))
    }

    /// The open connection and consumer, connecting and creating the consumer first when
    /// there is none.
    async fn open(&self) -> Result<Open, SourceError> {
        let mut slot = self.open.lock().await;
        if let Some(o) = slot.as_ref() {
            return Ok(o.clone());
        }
        let server = self.conn.shown();
        let client = self.conn.connect(REQUEST_TIMEOUT).await.map_err(|f| {
            let kind = if f.timed_out {
                SourceErrorKind::Timeout
            } else {
                SourceErrorKind::Connect
            };
            SourceError::new(kind, f.message)
        })?;
        let js = async_nats::jetstream::ContextBuilder::new()
            .timeout(REQUEST_TIMEOUT)
            .build(client.clone());
        let stream = js
            .get_stream(&self.stream)
            .await
            .map_err(|e| match e.kind() {
                GetStreamErrorKind::JetStream(j)
                    if j.error_code() == async_nats::jetstream::ErrorCode::STREAM_NOT_FOUND =>
                {
                    self.error(
                        SourceErrorKind::Other,
                        format!(
                            "stream: no JetStream stream `{}` on {server} (feedloom never creates \
                         streams: create it, or fix `stream:`)",
                            self.stream
                        ),
                    )
                }
                _ => self.error(
                    SourceErrorKind::Other,
                    format!("{server}: cannot look up stream `{}`: {e}", self.stream),
                ),
            })?;
        let config = pull::Config {
            durable_name: Some(self.consumer.clone()),
            ack_policy: AckPolicy::Explicit,
            deliver_policy: DeliverPolicy::All,
            ack_wait: self.ack_wait,
            max_ack_pending: i64::try_from(self.max_ack_pending()).unwrap_or(i64::MAX),
            filter_subject: self.filter.clone().unwrap_or_default(),
            ..Default::default()
        };
        let consumer: PullConsumer = stream
            .get_or_create_consumer(&self.consumer, config)
            .await
            .map_err(|e| {
                let kind = match e.kind() {
                    ConsumerErrorKind::TimedOut => SourceErrorKind::Timeout,
                    _ => SourceErrorKind::Other,
                };
                self.error(
                    kind,
                    format!(
                        "consumer: cannot get or create consumer `{}` on stream `{}` ({server}): {e}",
                        self.consumer, self.stream
                    ),
                )
            })?;
        tracing::debug!(source = %self.id, servers = %server, stream = %self.stream, consumer = %self.consumer, "connected to NATS");
        let o = Open { client, consumer };
        *slot = Some(o.clone());
        Ok(o)
    }

    /// Acknowledge the messages whose polls the runtime committed (in this process or an
    /// earlier one), then delete their receipts. A failure keeps the receipts for the next
    /// poll (acknowledging twice is harmless).
    async fn settle(&self, client: &Client) {
        let due = match self.receipts.due(&*self.state) {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(source = %self.id, error = %e, "cannot read the delivery receipts; acknowledging later");
                return;
            }
        };
        if due.keys.is_empty() {
            return;
        }
        let sent = async {
            for subject in &due.acks {
                client
                    .publish(subject.clone(), "+ACK".into())
                    .await
                    .map_err(|e| e.to_string())?;
            }
            client.flush().await.map_err(|e| e.to_string())
        };
        match tokio::time::timeout(REQUEST_TIMEOUT, sent).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(source = %self.id, error = %e, "cannot acknowledge delivered messages; trying again next poll");
                return;
            }
            Err(_) => {
                tracing::warn!(source = %self.id, "acknowledging delivered messages timed out; trying again next poll");
                return;
            }
        }
        tracing::debug!(source = %self.id, messages = due.acks.len(), "acknowledged delivered messages");
        if let Err(e) = self.receipts.done(&*self.state, due.keys) {
            tracing::warn!(source = %self.id, error = %e, "cannot delete used delivery receipts");
        }
    }

    /// Take up to `n` messages, not waiting for more.
    async fn fetch(
        &self,
        open: &Open,
        n: usize,
    ) -> Result<Vec<async_nats::jetstream::Message>, SourceError> {
        let server = self.conn.shown();
        let work = async {
            let mut batch = open
                .consumer
                .fetch()
                .max_messages(n)
                .messages()
                .await
                .map_err(|e| {
                    self.error(
                        SourceErrorKind::Other,
                        format!("{server}: cannot fetch from `{}`: {e}", self.consumer),
                    )
                })?;
            let mut out = Vec::new();
            while let Some(m) = batch.next().await {
                match m {
                    Ok(m) => out.push(m),
                    // Keep what came: those messages are held like any other.
                    Err(e) if !out.is_empty() => {
                        tracing::debug!(source = %self.id, error = %e, "fetch ended early");
                        break;
                    }
                    Err(e) => {
                        return Err(self.error(
                            SourceErrorKind::Other,
                            format!("{server}: fetch from `{}` failed: {e}", self.consumer),
                        ));
                    }
                }
            }
            Ok(out)
        };
        match tokio::time::timeout(REQUEST_TIMEOUT, work).await {
            Ok(r) => r,
            Err(_) => Err(SourceError::new(
                SourceErrorKind::Timeout,
                format!(
                    "{server}: no messages from `{}` within {REQUEST_TIMEOUT:?}",
                    self.consumer
                ),
            )),
        }
    }
}

#[async_trait]
impl Source for NatsSource {
    fn interval(&self) -> Option<StdDuration> {
        Some(self.interval)
    }

    fn describe(&self) -> String {
        format!("nats://{} stream {}", self.conn.shown(), self.stream)
    }

    async fn poll(&self, ctx: &SourceContext<'_>) -> Result<PollBatch, SourceError> {
        let open = self.open().await?;
        self.settle(&open.client).await;
        let messages = match self.fetch(&open, self.batch).await {
            Ok(m) => m,
            Err(e) => {
                // The consumer may have been deleted: look it up (or create it) next time.
                *self.open.lock().await = None;
                return Err(e);
            }
        };
        let mut out = PollBatch::default();
        let mut receipt = Receipt::default();
        for m in messages {
            let sequence = m.info().map(|i| i.stream_sequence).unwrap_or(0);
            out.bytes += m.payload.len() as u64;
            match super::payload::decode(
                self.payload,
                &m.payload,
                m.headers.as_ref(),
                ctx.source_id,
            ) {
                Ok(item) => {
                    out.items.push(item);
                    receipt.highest = receipt.highest.max(sequence);
                    if let Some(reply) = &m.reply {
                        receipt.acks.push(reply.to_string());
                    }
                }
                Err(why) => {
                    out.skipped += 1;
                    tracing::warn!(source = %self.id, stream = %self.stream, sequence, error = %why, "skipping a message that holds no item");
                    // Acknowledged now: it would fail the same way every time.
                    if m.ack().await.is_err() {
                        tracing::warn!(source = %self.id, sequence, "cannot acknowledge a skipped message");
                    }
                }
            }
        }
        if out.skipped > 0 {
            let _ = tokio::time::timeout(REQUEST_TIMEOUT, open.client.flush()).await;
        }
        if !receipt.acks.is_empty() {
            out.commit.push(self.receipts.receipt(&receipt));
        }
        Ok(out)
    }
}
