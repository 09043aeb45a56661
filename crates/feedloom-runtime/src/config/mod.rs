//! Loading `feedloom.yaml`: YAML (serde-saphyr, with its limits against YAML bombs),
//! `${ENV}` interpolation, strict keys, unique ids, and every error located as
//! `FILE:LINE:COL: message`.
//!
//! Loading happens in three steps so that every error can be located:
//! 1. YAML → a JSON value (syntax errors carry the parser's location) and a [`SpanIndex`]
//!    from dotted paths to positions;
//! 2. `${VAR}` interpolation over every string (an unset variable is located by its path);
//! 3. the typed top level, then each component's options through its factory (errors carry
//!    a path, which the index turns into a position).

pub mod bounds;
mod schema;
mod spans;

pub use schema::config_schema;

use std::collections::HashSet;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use feedloom_core::plugin::{Defaults, Resources};
use feedloom_core::{BuildContext, BuildError, MemoryStore, Registry, StateStore};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use spans::{Duplicate, Pos, SpanIndex};

use crate::delivery::SinkCommon;
use crate::redact::redact;
use crate::routing::Filter;
use crate::suggest;

/// One located configuration error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line per error, so editors and scripts can parse FILE:LINE:COL: message.
        let msg: Vec<&str> = self
            .message
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.col,
            msg.join(" ")
        )
    }
}

/// All the errors found in one config file (reported together).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<ConfigError>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}
impl std::error::Error for ConfigErrors {}

/// What to do with an item when an extractor fails on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// Pass the item on without this extractor's fields (the default).
    #[default]
    Skip,
    /// Drop the item (it is marked done and not delivered).
    Drop,
    /// Keep the item in the dead-letter store (`feedloom dlq list`).
    DeadLetter,
}

/// Settings of the pipeline itself.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PipelineSettings {
    /// Capacity of the bounded channels between stages (backpressure beyond it).
    pub channel_capacity: usize,
    /// Items in extraction at once. The CPU work of the built-in extractors and `rules`
    /// runs on a pool of one thread per core; twice the cores (the default) keeps that
    /// pool busy while items move in and out of it, and lets `exec`/`wasm` plugins overlap.
    pub extract_workers: usize,
    /// Longest time one extractor may take on one item before it counts as failed, unless
    /// the extractor declares it needs longer (an exec plugin's restart wait + `timeout`).
    pub extract_timeout: feedloom_core::Duration,
    /// On shutdown, how long sinks may keep trying to deliver what is in memory before the
    /// rest is kept on disk for the next start.
    pub drain_timeout: feedloom_core::Duration,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            channel_capacity: 256,
            extract_workers: 2 * feedloom_core::blocking::threads(),
            extract_timeout: feedloom_core::Duration::from_secs(30),
            drain_timeout: feedloom_core::Duration::from_secs(10),
        }
    }
}

/// The admin HTTP endpoint (`/healthz`, `/readyz`, `/metrics`, `/sources`).
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminSettings {
    /// Address to listen on, e.g. `127.0.0.1:9180`.
    pub listen: String,
}

/// The typed top level of `feedloom.yaml`. Components stay generic here; each is checked
/// against its factory's options later.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Where feedloom keeps its state (delivered ids, feed validators, backlogs, dead
    /// letters). Relative to the config file. Default `./feedloom-data`.
    #[serde(default)]
    pub state_dir: Option<String>,
    /// Defaults for every source.
    #[serde(default)]
    pub defaults: Defaults,
    /// Settings of the pipeline itself (channels, extraction workers, timeouts).
    #[serde(default)]
    pub pipeline: PipelineSettings,
    /// The admin HTTP endpoint (`/healthz`, `/readyz`, `/metrics`, `/sources`); off unless
    /// set.
    #[serde(default)]
    pub admin: Option<AdminSettings>,
    /// Where items come from. Each needs a unique `id` and a `type`.
    #[serde(default)]
    pub sources: Vec<Map<String, Value>>,
    /// Extractors, run in this order on every item. `id` is optional (defaults to `type`).
    #[serde(default)]
    pub extractors: Vec<Map<String, Value>>,
    /// Where items go. Each needs a unique `id` and a `type`.
    #[serde(default)]
    pub sinks: Vec<Map<String, Value>>,
    /// Cluster mode: several feedloom processes share this config's work over NATS
    /// JetStream (see docs/cluster.md). Off unless set: one process with its own state.
    #[serde(default)]
    pub cluster: Option<feedloom_cluster::ClusterConfig>,
}

/// The keys the runtime takes in an extractor's mapping besides `id`, `type` and the
/// plugin's own options (for the schema; `on_error` is read as an [`OnError`]).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct ExtractorKeys {
    /// What to do with an item when this extractor fails on it: `skip` it (the default:
    /// pass it on without this extractor's fields), `drop` it, or keep it in the
    /// `dead_letter` store.
    #[serde(default)]
    on_error: OnError,
}

/// The key the runtime takes in a sink's mapping for routing (for the schema; `when` is
/// read as a [`When`](crate::routing::When)).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct SinkRouting {
    /// Which items this sink receives (every item when left out). Several keys must all
    /// match.
    #[serde(default)]
    #[schemars(with = "crate::routing::When")]
    when: Option<crate::routing::When>,
}

/// A component (source, extractor or sink) as configured. Its Debug form shows the option
/// keys, not their values (they may hold secrets from `${ENV}`).
#[derive(Clone, PartialEq)]
pub struct Component {
    pub id: String,
    /// The `type:` name.
    pub kind: String,
    /// The plugin's own options (the mapping without the runtime's keys).
    pub options: Options,
    /// Dotted path in the file (`sources.2`), for locating errors.
    pub path: String,
    /// A source's `tags:` after `defaults.tags` (added to each of its items by the runtime;
    /// empty for extractors and sinks).
    pub tags: Vec<String>,
}

/// An extractor with the runtime's settings for it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExtractorSpec {
    pub component: Component,
    pub on_error: OnError,
}

/// A sink with the runtime's settings for it. Its Debug form shows the keys of `when:`, not
/// its values: a `when:` is not meant to hold secrets, but `${ENV}` works there too.
#[derive(Clone)]
pub struct SinkSpec {
    pub component: Component,
    pub common: SinkCommon,
    pub when: Option<Filter>,
    /// `when:` as written (to tell whether a reload changed it).
    pub when_raw: Option<Value>,
}

impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = self.options.keys();
        f.debug_struct("Component")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("options", &keys)
            .field("path", &self.path)
            .finish()
    }
}

impl std::fmt::Debug for SinkSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let when: Option<Vec<&String>> = self.when_raw.as_ref().map(|w| {
            w.as_object()
                .map(|o| o.keys().collect())
                .unwrap_or_default()
        });
        f.debug_struct("SinkSpec")
            .field("component", &self.component)
            .field("common", &self.common)
            .field("when", &when)
            .finish()
    }
}

/// A component's options: the plugin's own mapping, kept as its JSON text and parsed again
/// for each build. A parsed mapping costs ~700 bytes even for one key (`url`); the text of a
/// feed's options is ~60, and a config may hold 100,000 sources. Serialised from a
/// [`Value`] whose mappings are sorted, equal options have equal texts.
#[derive(Clone, PartialEq, Eq)]
pub struct Options(Box<str>);

impl Options {
    pub fn new(v: &Value) -> Self {
        Options(serde_json::to_string(v).unwrap_or_default().into())
    }

    /// The mapping (an empty one if the text were ever not JSON).
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or_else(|_| Value::Object(Map::new()))
    }

    /// The option `key`, when set.
    pub fn get(&self, key: &str) -> Option<Value> {
        match self.value() {
            Value::Object(mut m) => m.remove(key),
            _ => None,
        }
    }

    /// The option names, for messages that must not show values.
    pub fn keys(&self) -> Vec<String> {
        match self.value() {
            Value::Object(m) => m.into_iter().map(|(k, _)| k).collect(),
            _ => Vec::new(),
        }
    }
}

impl From<Value> for Options {
    fn from(v: Value) -> Self {
        Options::new(&v)
    }
}

impl Component {
    /// Same plugin with the same options (the position in the file does not matter).
    pub fn same_as(&self, other: &Component) -> bool {
        self.id == other.id
            && self.kind == other.kind
            && self.options == other.options
            && self.tags == other.tags
    }
}

impl SinkSpec {
    /// Same sink, options, runtime settings and routing.
    pub fn same_as(&self, other: &SinkSpec) -> bool {
        self.component.same_as(&other.component)
            && self.common == other.common
            && self.when_raw == other.when_raw
    }
}

/// A loaded, validated configuration. Its Debug form hides secrets.
#[derive(Clone)]
pub struct Config {
    pub file: PathBuf,
    /// The config file's directory: relative paths resolve against it.
    pub dir: PathBuf,
    pub state_dir: PathBuf,
    pub defaults: Defaults,
    pub pipeline: PipelineSettings,
    pub admin: Option<AdminSettings>,
    pub sources: Vec<Component>,
    pub extractors: Vec<ExtractorSpec>,
    pub sinks: Vec<SinkSpec>,
    pub spans: SpanIndex,
    /// Strings that came from environment variables (redacted from messages).
    pub secrets: Vec<String>,
    /// The `cluster:` block and this config's hash, when cluster mode is on.
    pub cluster: Option<ClusterSettings>,
}

/// Cluster mode's settings: the `cluster:` block and the hash every node of the cluster
/// must share ([`cluster_hash`]).
#[derive(Clone, Debug)]
pub struct ClusterSettings {
    pub config: feedloom_cluster::ClusterConfig,
    pub hash: String,
}

/// The hash of a config as the cluster compares it: SHA-256 (first 16 hex digits) of the
/// document after `${VAR}` interpolation, with its keys sorted, leaving out what may differ
/// from node to node: `state_dir`, `admin` and `cluster.node_id`.
pub fn cluster_hash(value: &Value) -> String {
    use sha2::{Digest, Sha256};
    let mut v = value.clone();
    if let Some(top) = v.as_object_mut() {
        top.remove("state_dir");
        top.remove("admin");
        if let Some(c) = top.get_mut("cluster").and_then(Value::as_object_mut) {
            c.remove("node_id");
        }
    }
    let text = serde_json::to_string(&v).unwrap_or_default();
    hex::encode(&Sha256::digest(text.as_bytes())[..8])
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("file", &self.file)
            .field("state_dir", &self.state_dir)
            .field("defaults", &self.defaults)
            .field("pipeline", &self.pipeline)
            .field("admin", &self.admin)
            .field("sources", &self.sources)
            .field("extractors", &self.extractors)
            .field("sinks", &self.sinks)
            .field("cluster", &self.cluster)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Read, parse and check a config file against `registry` (every component is built
    /// once, with in-memory state, to validate its options).
    pub fn load(file: &Path, registry: &Registry) -> Result<Config, ConfigErrors> {
        let text = read_config(file)?;
        Self::from_str(&text, file, registry, &|k| std::env::var(k).ok())
    }

    /// Read a config for commands that only look at it (`status`, `dlq list`): an unset
    /// `${VAR}` is kept as the literal `${VAR}` instead of being an error, and components are
    /// not built. Such a config must never run a pipeline: a sink's secret may be missing.
    pub fn load_lenient(file: &Path) -> Result<Config, ConfigErrors> {
        let text = read_config(file)?;
        Self::parse_with(&text, file, &|k| std::env::var(k).ok(), Unset::Keep)
    }

    /// Parse `text` as if read from `file`, looking variables up with `env`.
    pub fn from_str(
        text: &str,
        file: &Path,
        registry: &Registry,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        let cfg = Self::parse(text, file, env)?;
        cfg.validate(registry)?;
        Ok(cfg)
    }

    /// Steps 1–2 and the typed top level, without building components.
    pub fn parse(
        text: &str,
        file: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        Self::parse_with(text, file, env, Unset::Error)
    }

    fn parse_with(
        text: &str,
        file: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        unset: Unset,
    ) -> Result<Config, ConfigErrors> {
        let located = |pos: Pos, message: String| ConfigError {
            file: file.to_path_buf(),
            line: pos.line,
            col: pos.col,
            message,
        };
        // 1. YAML → value. Duplicate keys first: the YAML library's own message for them
        // talks about its options, not about the file.
        let spans = SpanIndex::build(text);
        if !spans.duplicates().is_empty() {
            let errors = spans
                .duplicates()
                .iter()
                .map(|d| {
                    located(
                        d.second,
                        format!(
                            "duplicate key `{}` (first at {}:{}): a key may appear once in a mapping",
                            d.key, d.first.line, d.first.col
                        ),
                    )
                })
                .collect();
            return Err(ConfigErrors(errors));
        }
        let mut value: Value = if text.trim().is_empty() {
            Value::Object(Map::new())
        } else {
            serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|e| {
                let (line, col) = e
                    .location()
                    .map(|l| (l.line() as usize, l.column() as usize))
                    .unwrap_or((1, 1));
                ConfigErrors(vec![located(Pos { line, col }, yaml_message(&e))])
            })?
        };
        if value.is_null() {
            value = Value::Object(Map::new());
        }
        if !value.is_object() {
            return Err(ConfigErrors(vec![located(
                Pos { line: 1, col: 1 },
                "the config must be a mapping with `sources`, `extractors` and `sinks`".into(),
            )]));
        }

        // 2. ${VAR} interpolation.
        let mut errors = Vec::new();
        let mut secrets = Vec::new();
        interpolate(
            &mut value,
            "",
            env,
            unset,
            &mut secrets,
            &mut |path, msg| errors.push(located(spans.value(path), msg)),
        );
        if !errors.is_empty() {
            return Err(ConfigErrors(errors));
        }

        // Ranges of durations, ratios, sizes and counts (on the document, so the components'
        // options are checked before any plugin sees them).
        let violations = bounds::check(&value);
        for v in &violations {
            let label = component_label(&value, &v.path).unwrap_or_default();
            errors.push(located(
                spans.value(&v.path),
                redact(&format!("{label}{}", v.message), &secrets),
            ));
        }

        // 3. Typed top level.
        let raw: RawConfig = match serde_path_to_error::deserialize(&value) {
            Ok(raw) => raw,
            Err(e) => {
                let path = feedloom_core::options::dotted(&e.path().to_string());
                // A value out of range may also be of the wrong type (`buffer: -1`): say it once.
                if !violations.iter().any(|v| v.path == path) {
                    let msg = e.inner().to_string();
                    let pos = if msg.starts_with("unknown field") {
                        spans.key(&path)
                    } else {
                        spans.value(&path)
                    };
                    let msg = suggest::improve_unknown_field(&msg, &[]);
                    errors.push(located(pos, redact(&msg, &secrets)));
                }
                return Err(sorted(errors));
            }
        };
        // A lenient load keeps an unset `${ADMIN_LISTEN}` as written; `status` then finds no
        // daemon there and falls back to the snapshot, which beats refusing to run.
        let kept_unset = |listen: &str| unset == Unset::Keep && listen.contains("${");
        if let Some(admin) = &raw.admin
            && !kept_unset(&admin.listen)
            && let Err(msg) = check_listen(&admin.listen)
        {
            errors.push(located(spans.value("admin.listen"), redact(&msg, &secrets)));
        }

        let dir = file
            .parent()
            .map(|p| {
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                }
            })
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let state_dir = dir.join(raw.state_dir.as_deref().unwrap_or("feedloom-data"));

        let mut ids = HashSet::new();
        let mut dup = |id: &str, path: &str, errors: &mut Vec<ConfigError>| {
            if !ids.insert(id.to_string()) {
                errors.push(located(
                    spans.value(&format!("{path}.id")),
                    format!("duplicate id `{id}`: ids must be unique"),
                ));
            }
        };

        let mut sources = Vec::new();
        for (i, m) in raw.sources.into_iter().enumerate() {
            let path = format!("sources.{i}");
            match split_component(m, &path, true, &["tags"]) {
                Ok((mut c, common)) => {
                    dup(&c.id, &path, &mut errors);
                    let own = match common.get("tags") {
                        None => Ok(Vec::new()),
                        Some(v) => tags_of(v),
                    };
                    match own {
                        Ok(own) => {
                            c.tags = raw.defaults.tags.clone();
                            for t in own {
                                if !c.tags.contains(&t) {
                                    c.tags.push(t);
                                }
                            }
                        }
                        Err(msg) => errors.push(located(spans.value(&format!("{path}.tags")), msg)),
                    }
                    sources.push(c);
                }
                Err((p, msg)) => errors.push(located(spans.key(&p), msg)),
            }
        }
        let mut extractors = Vec::new();
        let mut extractor_ids = HashSet::new();
        for (i, m) in raw.extractors.into_iter().enumerate() {
            let path = format!("extractors.{i}");
            match split_component(m, &path, false, &["on_error"]) {
                Ok((c, common)) => {
                    if !extractor_ids.insert(c.id.clone()) {
                        errors.push(located(
                            spans.value(&format!("{path}.id")),
                            format!(
                                "duplicate extractor id `{}`: give the second one an `id`",
                                c.id
                            ),
                        ));
                    }
                    let on_error = match common.get("on_error") {
                        None => OnError::Skip,
                        Some(v) => {
                            match serde_json::from_value::<OnError>(v.clone()) {
                                Ok(o) => o,
                                Err(_) => {
                                    errors.push(located(
                                    spans.value(&format!("{path}.on_error")),
                                    format!("invalid on_error {v}: expected skip, drop or dead_letter"),
                                ));
                                    OnError::Skip
                                }
                            }
                        }
                    };
                    extractors.push(ExtractorSpec {
                        component: c,
                        on_error,
                    });
                }
                Err((p, msg)) => errors.push(located(spans.key(&p), msg)),
            }
        }
        let mut sinks = Vec::new();
        for (i, m) in raw.sinks.into_iter().enumerate() {
            let path = format!("sinks.{i}");
            match split_component(m, &path, true, crate::delivery::SINK_COMMON_KEYS) {
                Ok((c, common_map)) => {
                    dup(&c.id, &path, &mut errors);
                    let when = match common_map.get("when") {
                        None => None,
                        Some(v) => match Filter::parse(v) {
                            Ok(f) => Some(f),
                            Err(e) => {
                                let p = if e.path.is_empty() {
                                    format!("{path}.when")
                                } else {
                                    format!("{path}.when.{}", e.path)
                                };
                                errors.push(located(
                                    spans.value(&p),
                                    redact(&format!("invalid `when`: {}", e.message), &secrets),
                                ));
                                None
                            }
                        },
                    };
                    let mut common_map = common_map;
                    let when_raw = common_map.remove("when");
                    let common = match feedloom_core::parse_options::<SinkCommon>(&Value::Object(
                        common_map,
                    )) {
                        Ok(c) => c,
                        Err(e) => {
                            let p = format!("{path}.{}", e.path);
                            let pos = if e.message.starts_with("unknown field") {
                                spans.key(&p)
                            } else {
                                spans.value(&p)
                            };
                            // Already reported with its range.
                            if !violations.iter().any(|v| v.path == p) {
                                errors.push(located(pos, redact(&e.message, &secrets)));
                            }
                            SinkCommon::default()
                        }
                    };
                    sinks.push(SinkSpec {
                        component: c,
                        common,
                        when,
                        when_raw,
                    });
                }
                Err((p, msg)) => errors.push(located(spans.key(&p), msg)),
            }
        }
        let cluster = raw.cluster.map(|config| ClusterSettings {
            config,
            hash: cluster_hash(&value),
        });
        if let Some(c) = &cluster
            && let Err(e) = c.config.validate()
        {
            errors.push(located(
                spans.key("cluster"),
                redact(&e.to_string(), &secrets),
            ));
        }
        if !errors.is_empty() {
            return Err(sorted(errors));
        }
        // Positions are looked up again only for an error found later (rarely): keep the
        // text, not the index.
        let mut spans = spans;
        spans.compact();
        Ok(Config {
            file: file.to_path_buf(),
            dir,
            state_dir,
            defaults: raw.defaults,
            pipeline: raw.pipeline,
            admin: raw.admin,
            sources,
            extractors,
            sinks,
            spans,
            secrets,
            cluster,
        })
    }

    /// Check every component's `type` and options by building it once with in-memory state.
    pub fn validate(&self, registry: &Registry) -> Result<(), ConfigErrors> {
        let ctx = self.build_context(
            "check",
            Arc::new(MemoryStore::new()),
            Arc::new(Resources::default()),
        );
        let mut errors = Vec::new();
        let sources = registry.sources().map(|(n, f)| (n, f.build.clone()));
        self.check_all(
            &ctx,
            "source",
            self.sources.iter(),
            sources.collect(),
            &mut errors,
        );
        let extractors = registry.extractors().map(|(n, f)| (n, f.build.clone()));
        self.check_all(
            &ctx,
            "extractor",
            self.extractors.iter().map(|x| &x.component),
            extractors.collect(),
            &mut errors,
        );
        let sinks = registry.sinks().map(|(n, f)| (n, f.build.clone()));
        self.check_all(
            &ctx,
            "sink",
            self.sinks.iter().map(|s| &s.component),
            sinks.collect(),
            &mut errors,
        );
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ConfigErrors(errors))
        }
    }

    /// Build each component once with the factory of its type; collect located errors.
    fn check_all<'a, T>(
        &self,
        ctx: &BuildContext,
        role: &str,
        components: impl Iterator<Item = &'a Component>,
        factories: Vec<(&str, feedloom_core::registry::BuildFn<T>)>,
        errors: &mut Vec<ConfigError>,
    ) {
        for c in components {
            match factories.iter().find(|(n, _)| *n == c.kind) {
                None => errors.push(self.unknown_type(c, role, factories.iter().map(|(n, _)| *n))),
                Some((_, build)) => {
                    if let Err(e) = build(&c.options.value(), &ctx.with_id(&c.id)) {
                        errors.push(self.build_error(c, e));
                    }
                }
            }
        }
    }

    /// The context components are built with.
    pub fn build_context(
        &self,
        id: &str,
        state: Arc<dyn StateStore>,
        resources: Arc<Resources>,
    ) -> BuildContext {
        BuildContext {
            id: id.to_string(),
            config_dir: self.dir.clone(),
            state_dir: self.state_dir.clone(),
            state,
            defaults: self.defaults.clone(),
            resources,
        }
    }

    /// Locate a plugin build error inside component `c`.
    pub fn build_error(&self, c: &Component, e: BuildError) -> ConfigError {
        let path = if e.path.is_empty() {
            c.path.clone()
        } else {
            format!("{}.{}", c.path, e.path)
        };
        let pos = if e.message.starts_with("unknown field") {
            self.spans.key(&path)
        } else if e.path.is_empty() {
            self.spans.key(&format!("{}.type", c.path))
        } else {
            self.spans.value(&path)
        };
        // At the top of the component the runtime's keys are valid too: list them, so the
        // known keys shown are every key this mapping takes.
        let runtime_keys: &[&str] = if e.path.contains('.') {
            &[]
        } else {
            runtime_keys(&c.path)
        };
        let message = suggest::improve_unknown_field(&e.message, runtime_keys);
        ConfigError {
            file: self.file.clone(),
            line: pos.line,
            col: pos.col,
            message: format!("{} `{}`: {}", c.kind, c.id, redact(&message, &self.secrets)),
        }
    }

    fn unknown_type<'a>(
        &self,
        c: &Component,
        role: &str,
        known: impl Iterator<Item = &'a str>,
    ) -> ConfigError {
        let pos = self.spans.value(&format!("{}.type", c.path));
        let known: Vec<&str> = known.collect();
        ConfigError {
            file: self.file.clone(),
            line: pos.line,
            col: pos.col,
            message: format!(
                "unknown {role} type `{}` (known: {})",
                c.kind,
                known.join(", ")
            ),
        }
    }

    /// Replace any secret (a value that came from an environment variable) in `s`.
    pub fn redact(&self, s: &str) -> String {
        redact(s, &self.secrets)
    }
}

trait WithId {
    fn with_id(&self, id: &str) -> BuildContext;
}
impl WithId for BuildContext {
    fn with_id(&self, id: &str) -> BuildContext {
        let mut c = self.clone();
        c.id = id.to_string();
        c
    }
}

/// The keys the runtime takes in a source's mapping besides `id`, `type` and the plugin's
/// own options (for the schema; `tags` is read by [`tags_of`]).
#[derive(JsonSchema)]
#[allow(dead_code)]
struct SourceKeys {
    /// Tags added to every item of this source (after `defaults.tags`), for routing
    /// (`when: {tags: [...]}`) and for sinks.
    #[serde(default)]
    tags: Vec<String>,
}

/// A `tags:` value: a list of non-empty strings (a single string is one tag).
fn tags_of(v: &Value) -> Result<Vec<String>, String> {
    let bad = || "`tags` must be a list of non-empty strings, e.g. [energy, kz]".to_string();
    let list: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::String(_) => vec![v],
        _ => return Err(bad()),
    };
    let mut out: Vec<String> = Vec::new();
    for t in list {
        let t = t
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(bad)?;
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    Ok(out)
}

/// Split a component mapping into (id, type, options) and the runtime's common keys.
fn split_component(
    mut m: Map<String, Value>,
    path: &str,
    id_required: bool,
    common_keys: &[&str],
) -> Result<(Component, Map<String, Value>), (String, String)> {
    // A misspelled `tpye:` is what the user wrote: report it rather than the missing `type`.
    for wanted in ["type", "id"] {
        if !m.contains_key(wanted)
            && let Some(k) = m.keys().find(|k| suggest::is_typo_of(k, wanted))
        {
            return Err((
                format!("{path}.{k}"),
                format!("unknown field `{k}`, did you mean `{wanted}`?"),
            ));
        }
    }
    let kind = match m.remove("type") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(_) => return Err((format!("{path}.type"), "`type` must be a string".into())),
        None => return Err((path.to_string(), "missing field `type`".into())),
    };
    let id = match m.remove("id") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(_) => {
            return Err((
                format!("{path}.id"),
                "`id` must be a non-empty string".into(),
            ));
        }
        None if id_required => {
            return Err((
                path.to_string(),
                format!(
                    "missing field `id` (every {} needs a unique id)",
                    path.split('.')
                        .next()
                        .unwrap_or("component")
                        .trim_end_matches('s')
                ),
            ));
        }
        None => kind.clone(),
    };
    let mut common = Map::new();
    for k in common_keys {
        if let Some(v) = m.remove(*k) {
            common.insert((*k).to_string(), v);
        }
    }
    Ok((
        Component {
            id,
            kind,
            options: Options::new(&Value::Object(m)),
            path: path.to_string(),
            tags: Vec::new(),
        },
        common,
    ))
}

/// serde-saphyr's message without its rendered snippet and location suffix.
/// The YAML parser's limits: its defaults (alias and anchor caps against billion-laughs
/// documents, depth 64) with room for a config of a million sources (about seven nodes and
/// ten events each; the defaults stop near 35,000).
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 20_000_000;
    budget.max_events = 40_000_000;
    budget.max_total_scalar_bytes = 512 * 1024 * 1024;
    budget.max_reader_input_bytes = Some(512 * 1024 * 1024);
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

fn yaml_message(e: &serde_saphyr::Error) -> String {
    let full = e.without_snippet().to_string();
    let first = full.lines().next().unwrap_or("invalid YAML").trim();
    // Drop a trailing " at line X column Y" — we print the location ourselves.
    let msg = match first.find(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    // The span index reports duplicate keys first; should one slip past it (a key that is
    // not a plain scalar), the library's advice about its own options is no use to a reader.
    if let Some(rest) = msg.strip_prefix("duplicate mapping key") {
        let key = rest
            .split(", set DuplicateKeyPolicy")
            .next()
            .unwrap_or("")
            .trim_start_matches(':')
            .trim();
        return if key.is_empty() {
            "duplicate key: a key may appear once in a mapping".to_string()
        } else {
            format!("duplicate key `{key}`: a key may appear once in a mapping")
        };
    }
    format!("invalid YAML: {msg}")
}

/// What an unset `${VAR}` without a default becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unset {
    /// An error (running, checking).
    Error,
    /// The literal `${VAR}` (commands that only read ids and `state_dir`).
    Keep,
}

/// Expand `${NAME}`, `${NAME:-default}` and `${NAME-default}` in every string; `$${` is a
/// literal `${`. Values taken from the environment are remembered as secrets.
fn interpolate(
    v: &mut Value,
    path: &str,
    env: &dyn Fn(&str) -> Option<String>,
    unset: Unset,
    secrets: &mut Vec<String>,
    err: &mut dyn FnMut(&str, String),
) {
    match v {
        Value::String(s) if s.contains('$') => match expand(s, env, unset, secrets) {
            Ok(n) => *s = n,
            Err(m) => err(path, m),
        },
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                interpolate(x, &join(path, &i.to_string()), env, unset, secrets, err);
            }
        }
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                interpolate(x, &join(path, k), env, unset, secrets, err);
            }
        }
        _ => {}
    }
}

fn join(parent: &str, seg: &str) -> String {
    if parent.is_empty() {
        seg.to_string()
    } else {
        format!("{parent}.{seg}")
    }
}

fn expand(
    s: &str,
    env: &dyn Fn(&str) -> Option<String>,
    unset: Unset,
    secrets: &mut Vec<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(tail) = after.strip_prefix("$${") {
            out.push_str("${");
            rest = tail;
            continue;
        }
        if !after.starts_with("${") {
            out.push('$');
            rest = &after[1..];
            continue;
        }
        let close = after
            .find('}')
            .ok_or_else(|| format!("unterminated `${{` in {s:?}"))?;
        let inner = &after[2..close];
        let (name, default) = if let Some((n, d)) = inner.split_once(":-") {
            (n, Some((d, true)))
        } else if let Some((n, d)) = inner.split_once('-') {
            (n, Some((d, false)))
        } else {
            (inner, None)
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("invalid variable reference `${{{inner}}}`"));
        }
        match (env(name), default) {
            (Some(v), Some((d, true))) if v.is_empty() => out.push_str(d),
            (Some(v), _) => {
                if v.len() >= 4 {
                    secrets.push(v.clone());
                }
                out.push_str(&v);
            }
            (None, Some((d, _))) => out.push_str(d),
            (None, None) if unset == Unset::Keep => out.push_str(&after[..=close]),
            (None, None) => {
                return Err(format!(
                    "environment variable `{name}` is not set (use `${{{name}:-default}}` for a default)"
                ));
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The config file's text, or a located "cannot read" error.
fn read_config(file: &Path) -> Result<String, ConfigErrors> {
    std::fs::read_to_string(file).map_err(|e| {
        ConfigErrors(vec![ConfigError {
            file: file.to_path_buf(),
            line: 1,
            col: 1,
            message: format!("cannot read config: {e}"),
        }])
    })
}

/// Errors in document order.
fn sorted(mut errors: Vec<ConfigError>) -> ConfigErrors {
    errors.sort_by_key(|e| (e.line, e.col));
    ConfigErrors(errors)
}

/// The keys the runtime takes in a component mapping besides the plugin's options, by the
/// component's path (`sources.0`, `extractors.1`, `sinks.2`).
fn runtime_keys(component_path: &str) -> &'static [&'static str] {
    match component_path.split('.').next() {
        Some("extractors") => &["id", "type", "on_error"],
        Some("sinks") => &[
            "id",
            "type",
            "when",
            "max_retries",
            "retry_backoff",
            "retry_max_backoff",
            "buffer",
        ],
        _ => &["id", "type"],
    }
}

/// `"feed `a`: "` for a path inside a component, so range errors read like the plugin's own.
fn component_label(root: &Value, path: &str) -> Option<String> {
    let mut parts = path.split('.');
    let section = parts.next()?;
    let index: usize = parts.next()?.parse().ok()?;
    let c = root.get(section)?.get(index)?;
    let kind = c.get("type")?.as_str()?;
    let id = c.get("id").and_then(Value::as_str).unwrap_or(kind);
    Some(format!("{kind} `{id}`: "))
}

/// `admin.listen` must be something the daemon can bind: `IP:PORT` or `HOST:PORT`.
fn check_listen(listen: &str) -> Result<(), String> {
    let s = listen.trim();
    if s.parse::<SocketAddr>().is_ok() {
        return Ok(());
    }
    let bare_port = s.strip_prefix(':').unwrap_or(s);
    if bare_port.parse::<u16>().is_ok() {
        return Err(format!(
            "admin.listen {listen:?} is not an address: did you mean 127.0.0.1:{bare_port}? (0.0.0.0:{bare_port} to listen on every interface, e.g. in a container)"
        ));
    }
    // A host name is resolved when the daemon starts (`localhost:9180`).
    if let Some((host, port)) = s.rsplit_once(':')
        && port.parse::<u16>().is_ok()
        && !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Ok(());
    }
    Err(format!(
        "admin.listen {listen:?} is not a socket address: expected IP:PORT or HOST:PORT, e.g. 127.0.0.1:9180"
    ))
}

#[cfg(test)]
mod tests;
