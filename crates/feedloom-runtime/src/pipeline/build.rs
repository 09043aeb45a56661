//! Building a pipeline: the state store, the extractor chain, the sinks with their routes
//! and lanes, the sources.

use super::*;

/// Warn about disk backlogs of sinks that are no longer configured: their items were
/// acknowledged when they were spilled, so they reach that sink only if it comes back.
pub(super) fn warn_orphan_backlogs(config: &Config) {
    let Ok(dirs) = std::fs::read_dir(config.state_dir.join("backlog")) else {
        return;
    };
    for d in dirs.flatten() {
        let id = d.file_name().to_string_lossy().into_owned();
        if config.sinks.iter().any(|s| s.component.id == id) {
            continue;
        }
        if let Ok(b) = crate::delivery::Backlog::open(&d.path())
            && !b.is_empty()
        {
            tracing::warn!(sink = %id, items = b.len(), dir = %d.path().display(), "disk backlog of a sink that is not in the config; kept until a sink with this id is configured again");
        }
    }
}

pub(super) fn unknown(config: &Config, c: &Component, role: &str) -> RuntimeError {
    let pos = config.spans.value(&format!("{}.type", c.path));
    RuntimeError::Config(
        ConfigError {
            file: config.file.clone(),
            line: pos.line,
            col: pos.col,
            message: format!("unknown {role} type `{}`", c.kind),
        }
        .to_string(),
    )
}

impl Pipeline {
    /// Open the state store under `state_dir` and build every component.
    /// In cluster mode the sources' state lives in the cluster: the local store is a
    /// cache in memory, filled from the cluster before each poll.
    pub fn build(config: Config, registry: Registry) -> Result<Arc<Pipeline>, RuntimeError> {
        let store: Arc<dyn StateStore> = if config.cluster.is_some() {
            Arc::new(feedloom_core::MemoryStore::new())
        } else {
            Arc::new(RedbStore::open(&config.state_dir)?)
        };
        Self::assemble(config, registry, store, false)
    }

    /// Build on a given state store, writing nothing under `state_dir` (tests,
    /// `feedloom extract`).
    pub fn build_with_store(
        config: Config,
        registry: Registry,
        store: Arc<dyn StateStore>,
    ) -> Result<Arc<Pipeline>, RuntimeError> {
        Self::assemble(config, registry, store, true)
    }

    pub(super) fn assemble(
        config: Config,
        registry: Registry,
        store: Arc<dyn StateStore>,
        in_memory: bool,
    ) -> Result<Arc<Pipeline>, RuntimeError> {
        // One copy, shared by every snapshot (a config of 100,000 sources is megabytes).
        let config = Arc::new(config);
        let p = Arc::new(Pipeline {
            in_memory,
            live: ArcSwap::from_pointee(Live {
                config: config.clone(),
                chain: Arc::new(Vec::new()),
                routes: Arc::new(Vec::new()),
            }),
            registry,
            ledger: Ledger::start(store.clone()),
            dlq: if in_memory {
                DeadLetters::new(store)
            } else {
                let dl = DeadLetters::for_state_dir(&config.state_dir);
                match dl.migrate_from(&store) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(count = n, "dead letters moved to state_dir/dlq"),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot move dead letters to state_dir/dlq")
                    }
                }
                dl
            },
            resources: Arc::new(Resources::default()),
            metrics: Arc::new(Metrics::default()),
            sources: Mutex::new(BTreeMap::new()),
            status: Mutex::new(BTreeMap::new()),
            sink_stats: Mutex::new(BTreeMap::new()),
            lanes: Mutex::new(BTreeMap::new()),
            work_tx: Mutex::new(None),
            intake: Arc::new(tokio::sync::Semaphore::new(
                config
                    .defaults
                    .max_concurrent_fetches
                    .max(1)
                    .saturating_mul(2),
            )),
            running: Mutex::new(None),
            reload_lock: tokio::sync::Mutex::new(()),
            drain: CancellationToken::new(),
            report: Mutex::new(RunReport::default()),
            status_dirty: Mutex::new(Default::default()),
            status_gen: AtomicU64::new(0),
            cluster: std::sync::OnceLock::new(),
        });
        let chain = p.build_chain(&config, &config.extractors)?;
        let mut routes = Vec::new();
        for s in &config.sinks {
            routes.push(p.spawn_route(s, p.build_sink(&config, &s.component)?));
        }
        p.live.store(Arc::new(Live {
            config: config.clone(),
            chain: Arc::new(chain),
            routes: Arc::new(routes),
        }));
        if !in_memory {
            warn_orphan_backlogs(&config);
        }
        Ok(p)
    }

    pub(super) fn ctx(&self, config: &Config, id: &str) -> feedloom_core::BuildContext {
        config.build_context(id, self.ledger.store().clone(), self.resources.clone())
    }

    pub(super) fn build_chain(
        &self,
        config: &Config,
        specs: &[ExtractorSpec],
    ) -> Result<Vec<Arc<Step>>, RuntimeError> {
        let mut steps = Vec::new();
        for x in specs {
            let c = &x.component;
            let f = self
                .registry
                .extractor(&c.kind)
                .ok_or_else(|| unknown(config, c, "extractor"))?;
            let ex = (f.build)(&c.options.value(), &self.ctx(config, &c.id))
                .map_err(|e| RuntimeError::Config(config.build_error(c, e).to_string()))?;
            steps.push(Arc::new(Step::new(c.id.clone(), x.on_error, ex)));
        }
        Ok(steps)
    }

    pub(super) fn build_sink(
        &self,
        config: &Config,
        c: &Component,
    ) -> Result<Arc<dyn Sink>, RuntimeError> {
        let f = self
            .registry
            .sink(&c.kind)
            .ok_or_else(|| unknown(config, c, "sink"))?;
        let s = (f.build)(&c.options.value(), &self.ctx(config, &c.id))
            .map_err(|e| RuntimeError::Config(config.build_error(c, e).to_string()))?;
        Ok(Arc::from(s))
    }

    pub(super) fn spawn_route(&self, s: &SinkSpec, sink: Arc<dyn Sink>) -> Route {
        let id = s.component.id.clone();
        let config = self.config();
        let lane = self
            .lanes
            .lock_unpoisoned()
            .entry(id.clone())
            .or_insert_with(|| {
                // Cluster mode: the out stream keeps what a sink has not taken.
                let dir = (!self.in_memory && config.cluster.is_none())
                    .then(|| config.state_dir.join("backlog").join(&id));
                SinkLane::open(&id, dir.as_deref())
            })
            .clone();
        let handle = spawn_sink(
            sink,
            s.common.clone(),
            self.dlq.clone(),
            &self.drain,
            lane,
            Redactor::new(&config.secrets),
        );
        self.sink_stats
            .lock_unpoisoned()
            .insert(id.clone(), handle.stats.clone());
        Route {
            id,
            when: s.when.clone(),
            handle: Arc::new(handle),
        }
    }

    pub(super) fn build_source(
        &self,
        config: &Config,
        c: &Component,
    ) -> Result<Box<dyn Source>, RuntimeError> {
        let f = self
            .registry
            .source(&c.kind)
            .ok_or_else(|| unknown(config, c, "source"))?;
        (f.build)(&c.options.value(), &self.ctx(config, &c.id))
            .map_err(|e| RuntimeError::Config(config.build_error(c, e).to_string()))
    }
}
