//! `type: stdout` — one JSON object per line (`pretty: true` for humans).
//!
//! ```yaml
//! - id: console
//!   type: stdout
//!   pretty: false
//! ```

use std::io::Write;

use async_trait::async_trait;
use feedloom_core::{BuildContext, BuildError, Item, Registry, Sink, SinkError};
use schemars::JsonSchema;
use serde::Deserialize;

/// Options of `type: stdout`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StdoutOptions {
    /// Indented, multi-line JSON instead of one object per line.
    #[serde(default)]
    pub pretty: bool,
}

pub fn register(reg: &mut Registry) {
    reg.register_sink(
        "stdout",
        "writes items to standard output, one JSON object per line",
        StdoutSink::build,
    );
}

pub struct StdoutSink {
    pretty: bool,
}

impl StdoutSink {
    pub fn build(o: StdoutOptions, _ctx: &BuildContext) -> Result<Self, BuildError> {
        Ok(StdoutSink { pretty: o.pretty })
    }
}

/// Serialise items as JSON Lines (or pretty JSON) into one buffer.
pub fn encode(batch: &[Item], pretty: bool) -> Result<Vec<u8>, SinkError> {
    let mut buf = Vec::with_capacity(batch.len() * 2048);
    for item in batch {
        let r = if pretty {
            serde_json::to_writer_pretty(&mut buf, item)
        } else {
            serde_json::to_writer(&mut buf, item)
        };
        r.map_err(|e| SinkError::permanent(format!("cannot encode item {}: {e}", item.id)))?;
        buf.push(b'\n');
    }
    Ok(buf)
}

#[async_trait]
impl Sink for StdoutSink {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        let buf = encode(batch, self.pretty)?;
        let mut out = std::io::stdout().lock();
        out.write_all(&buf)
            .and_then(|_| out.flush())
            .map_err(|e| SinkError::retryable(format!("stdout: {e}")))
    }

    fn batch_size(&self) -> usize {
        64
    }
}
