use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use feedloom_core::{Item, MemoryStore, Registry};
use feedloom_runtime::config::Config;
use feedloom_runtime::dlq::DeadLetters;
use feedloom_runtime::{Mode, Pipeline};
use tokio_util::sync::CancellationToken;

/// feedloom — a streaming ingest pipeline for news feeds.
#[derive(Parser, Debug)]
#[command(name = "feedloom", version, about, long_about = None)]
struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Log level (error, warn, info, debug, trace) or a RUST_LOG-style filter. RUST_LOG wins.
    #[arg(long, global = true, default_value = "info")]
    log_level: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum ArticleFormat {
    Text,
    Html,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the daemon: poll sources, extract, deliver, until SIGINT/SIGTERM.
    Run {
        #[arg(short, long)]
        config: PathBuf,
    },
    /// Poll every source once, process, flush and exit (non-zero when a sink failed).
    Once {
        #[arg(short, long)]
        config: PathBuf,
    },
    /// Validate a config file without running it (exit 2 on errors, FILE:LINE:COL).
    Check {
        #[arg(short, long)]
        config: PathBuf,
    },
    /// Run the extractors on one article and print the enriched item as JSON.
    Extract {
        /// Use this config's extractors (default: every built-in extractor).
        #[arg(short, long)]
        config: Option<PathBuf>,
        /// Input format (default: html for .html/.htm files, else text: first line is the title).
        #[arg(long, value_enum)]
        format: Option<ArticleFormat>,
        /// The article's publication date (RFC 3339 or YYYY-MM-DD), for resolving dates.
        #[arg(long)]
        published: Option<String>,
        /// Indent the JSON.
        #[arg(long)]
        pretty: bool,
        /// Instead of the item, print why: each entity, quote speaker, amount and date with
        /// the rule that decided it (one line each: extractor, fact, outcome, span, text, rule).
        #[arg(long)]
        explain: bool,
        /// The article: a file, - for standard input, or an http(s) URL (fetched as a `feed`
        /// source fetches an article page, with the config's `defaults`).
        #[arg(default_value = "-")]
        file: String,
    },
    /// List the sources, extractors and sinks this binary knows.
    Plugins,
    /// Print a JSON Schema: of the item, or of the config file.
    Schema {
        #[arg(value_enum)]
        what: SchemaKind,
    },
    /// Show each source's state: last fetch, last error, items, next poll (from the running
    /// daemon's admin endpoint, or else from the status snapshot under state_dir; never
    /// opens the state store).
    Status {
        #[arg(short, long)]
        config: PathBuf,
        /// JSON for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Print the `sources:` YAML for every feed in an OPML export (from an RSS reader).
    ImportOpml {
        /// The .opml file, or - for standard input.
        file: String,
        /// Add `fulltext: true` to every source (fetch each new item's page).
        #[arg(long)]
        fulltext: bool,
        /// Add `interval: DURATION` to every source (e.g. `30m`).
        #[arg(long, value_name = "DURATION")]
        interval: Option<feedloom_core::Duration>,
    },
    /// Manage the dead-letter store.
    Dlq {
        #[command(subcommand)]
        command: DlqCommand,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum SchemaKind {
    Item,
    Config,
}

#[derive(Subcommand, Debug)]
enum DlqCommand {
    /// List dead letters.
    List {
        #[arg(short, long)]
        config: PathBuf,
        #[arg(long)]
        sink: Option<String>,
        /// JSON output (one object per dead letter, with its items).
        #[arg(long)]
        json: bool,
    },
    /// Send dead letters again; delivered ones are removed. A sink's go to that sink; an
    /// extractor's go through the extractor chain again, then to the sinks whose `when:`
    /// matches.
    Replay {
        #[arg(short, long)]
        config: PathBuf,
        #[arg(long)]
        sink: Option<String>,
    },
    /// Delete dead letters.
    Purge {
        #[arg(short, long)]
        config: PathBuf,
        #[arg(long)]
        sink: Option<String>,
    },
}

/// Threads for blocking work off the reactor (feed parsing, page extraction, file and store
/// I/O, DNS lookups); tokio's default is 512. Every thread that allocates keeps its own heap:
/// 10,000 feeds parsed on as many threads as were free peaked 110–123 MiB, and there are only
/// so many cores to parse on.
const MAX_BLOCKING_THREADS: usize = 16;

/// Run the CLI with `registry` (the built-in one, or one with extra plugins).
pub fn main_with(registry: Registry) -> ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    init_logging(cli.log_format, &cli.log_level);
    log_panics();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("feedloom: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(dispatch(cli.command, registry)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("feedloom: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat, level: &str) {
    let filter = log_filter(std::env::var("RUST_LOG").ok().as_deref(), level);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
    };
}

/// Panics are contained where they happen (an extractor's becomes that item's error, a
/// task's is caught by the runtime); the hook only reports them, through the log (so JSON
/// logs stay JSON) instead of as raw text on stderr.
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let msg = feedloom_core::blocking::panic_message(info.payload());
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_string();
        tracing::error!(panic = %msg, at = %at, thread = %thread, "a bug was hit and contained (please report it with the input that caused it)");
    }));
}

/// The log filter: an explicit `RUST_LOG`, or a `--log-level` with targets
/// (`debug,selectors=trace`), is used as given. A bare `--log-level LEVEL` applies LEVEL to
/// feedloom's own crates (targets starting with `feedloom`) and keeps dependencies at `warn`
/// at most: at `debug`, an HTML parser's selector matching alone prints hundreds of
/// thousands of lines per poll.
fn log_filter(rust_log: Option<&str>, level: &str) -> tracing_subscriber::EnvFilter {
    use tracing_subscriber::EnvFilter;
    use tracing_subscriber::filter::LevelFilter;
    if let Some(spec) = rust_log.filter(|s| !s.trim().is_empty()) {
        match EnvFilter::try_new(spec) {
            Ok(f) => return f,
            Err(e) => eprintln!("feedloom: ignoring RUST_LOG={spec:?}: {e}"),
        }
    }
    let directive = match level.trim().parse::<LevelFilter>() {
        Ok(ours) => {
            // Dependencies never more verbose than warn, and never more than ours.
            let deps = ours.min(LevelFilter::WARN);
            format!("{deps},feedloom={ours}")
        }
        Err(_) => level.to_string(),
    };
    EnvFilter::try_new(&directive).unwrap_or_else(|e| {
        eprintln!("feedloom: invalid --log-level {level:?} ({e}); using info");
        EnvFilter::new("warn,feedloom=info")
    })
}

/// Load a config; on errors print them (FILE:LINE:COL) and give exit code 2.
fn load(path: &Path, registry: &Registry) -> Result<Config, ExitCode> {
    Config::load(path, registry).map_err(|errs| {
        for e in &errs.0 {
            eprintln!("{e}");
        }
        ExitCode::from(2)
    })
}

/// Load a config for a command that only reads `state_dir`, ids and `admin` (`status`,
/// `dlq list`, `dlq purge`): an unset `${VAR}` (a sink's secret the operator's shell does
/// not have) is no error, and components are not built.
fn load_lenient(path: &Path) -> Result<Config, ExitCode> {
    Config::load_lenient(path).map_err(|errs| {
        for e in &errs.0 {
            eprintln!("{e}");
        }
        ExitCode::from(2)
    })
}

async fn dispatch(cmd: Command, registry: Registry) -> Result<ExitCode> {
    match cmd {
        Command::Check { config } => {
            let cfg = match load(&config, &registry) {
                Ok(c) => c,
                Err(code) => return Ok(code),
            };
            println!(
                "{}: ok ({} sources, {} extractors, {} sinks)",
                config.display(),
                cfg.sources.len(),
                cfg.extractors.len(),
                cfg.sinks.len()
            );
            if let Some(c) = &cfg.cluster {
                println!(
                    "cluster {}: config hash {} (every node's must be the same)",
                    c.config.name, c.hash
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { config } => run(&config, registry, Mode::Daemon).await,
        Command::Once { config } => run(&config, registry, Mode::Once).await,
        Command::Extract {
            config,
            format,
            published,
            pretty,
            explain,
            file,
        } => {
            let out = if explain {
                Output::Explain
            } else if pretty {
                Output::Pretty
            } else {
                Output::Json
            };
            extract(
                config.as_deref(),
                format,
                published.as_deref(),
                out,
                &file,
                registry,
            )
            .await
        }
        Command::Plugins => {
            let w = registry
                .sources()
                .map(|(n, _)| n.len())
                .chain(registry.extractors().map(|(n, _)| n.len()))
                .chain(registry.sinks().map(|(n, _)| n.len()))
                .max()
                .unwrap_or(0);
            println!("sources:");
            for (n, f) in registry.sources() {
                println!("  {n:w$}  {}", f.summary);
            }
            println!("extractors:");
            for (n, f) in registry.extractors() {
                println!("  {n:w$}  {}", f.summary);
            }
            println!("sinks:");
            for (n, f) in registry.sinks() {
                println!("  {n:w$}  {}", f.summary);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { what } => {
            let v = match what {
                SchemaKind::Item => serde_json::to_value(schemars::schema_for!(Item))?,
                SchemaKind::Config => feedloom_runtime::config::config_schema(&registry),
            };
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Dlq { command } => dlq(command, registry).await,
        Command::ImportOpml {
            file,
            fulltext,
            interval,
        } => {
            let mut raw = Vec::new();
            if file == "-" {
                std::io::stdin()
                    .read_to_end(&mut raw)
                    .context("cannot read standard input")?;
            } else {
                raw = std::fs::read(&file).with_context(|| format!("cannot read {file}"))?;
            }
            let feeds = feedloom_sources::opml::opml_feeds(&raw)
                .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            let options = feedloom_sources::opml::OpmlOptions {
                fulltext,
                interval: interval.map(|d| d.to_string()),
            };
            let yaml = feedloom_sources::opml::feeds_to_sources_yaml(&feeds, &options);
            print!("{yaml}");
            eprintln!(
                "{} feeds; paste the block under `sources:` in your config and run `feedloom check`",
                feeds.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { config, json } => {
            let cfg = match load_lenient(&config) {
                Ok(c) => c,
                Err(code) => return Ok(code),
            };
            let out = feedloom_runtime::status::status(&cfg, json)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            print!("{out}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn run(path: &Path, registry: Registry, mode: Mode) -> Result<ExitCode> {
    let cfg = match load(path, &registry) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    let pipeline = Pipeline::build(cfg, registry).map_err(|e| anyhow::anyhow!("{e}"))?;
    let shutdown = CancellationToken::new();
    spawn_signal_handler(shutdown.clone());
    if mode == Mode::Daemon {
        if pipeline.config().cluster.is_some() {
            // Every node must run the cluster's config: a change rolls out by restarting
            // the nodes one by one (docs/cluster.md), not by reloading one of them.
            tracing::info!(
                "cluster mode: config changes take effect when the node restarts (no reload)"
            );
        } else {
            feedloom_runtime::reload::spawn_reloader(
                pipeline.clone(),
                path.to_path_buf(),
                shutdown.clone(),
            );
        }
        if let Some(admin) = pipeline.config().admin.clone() {
            let addr =
                feedloom_runtime::admin::serve(pipeline.clone(), &admin.listen, shutdown.clone())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            tracing::info!(%addr, "admin endpoint listening");
        }
        tracing::info!(config = %path.display(), "feedloom running");
        spawn_heap_trimmer();
    }
    let progress = (mode == Mode::Once).then(|| spawn_progress(pipeline.clone()));
    let report = pipeline
        .run(mode, shutdown)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some((bar, task)) = progress {
        task.abort();
        bar.finish_and_clear();
    }
    tracing::info!(
        polls = report.polls,
        poll_errors = report.poll_errors,
        items = report.items,
        delivered = report.delivered,
        dead_letters = report.dead_letters,
        undelivered = report.undelivered,
        backlog = report.backlog,
        extract_errors = report.extract_errors,
        dropped = report.dropped,
        lost = report.lost,
        "done"
    );
    // `once` says whether everything went through: exit 1, with every reason, when a poll
    // failed or any item was not extracted and delivered in full. (A daemon stopped by a
    // signal exits 0: its items are delivered after the next start.)
    let problems = report.problems();
    if mode == Mode::Once && !problems.is_empty() {
        eprintln!(
            "feedloom: not everything went through: {}.",
            problems.join("; ")
        );
        if report.extract_dead_letters > 0 || report.dead_letters > 0 {
            eprintln!(
                "feedloom: dead letters: `feedloom dlq list -c {}`",
                path.display()
            );
        }
        if report.poll_errors > 0 || report.extract_errors > 0 {
            eprintln!(
                "feedloom: per-source errors: `feedloom status -c {}` and the log above",
                path.display()
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// A progress bar for `once` on a terminal: sources polled, items, deliveries, rate. Hidden
/// when stderr is not a terminal.
fn spawn_progress(
    pipeline: Arc<Pipeline>,
) -> (indicatif::ProgressBar, tokio::task::JoinHandle<()>) {
    use std::sync::atomic::Ordering;
    let total = pipeline.config().sources.len() as u64;
    let bar = progress_bar(total, "sources");
    let b = bar.clone();
    let started = std::time::Instant::now();
    let hidden = bar.is_hidden();
    let task = tokio::spawn(async move {
        // Not on a terminal: nothing to draw, nothing to count.
        if hidden {
            return;
        }
        loop {
            // Counters only: cloning every source's status ten times a second would cost
            // more than the polls themselves with thousands of sources.
            let so_far = pipeline.counters();
            let (polled, items) = (so_far.polls, so_far.items);
            let delivered: u64 = pipeline
                .sink_stats()
                .iter()
                .map(|(_, s)| s.delivered.load(Ordering::Relaxed))
                .sum();
            let rate = delivered as f64 / started.elapsed().as_secs_f64().max(0.001);
            b.set_position(polled);
            b.set_message(format!(
                "{items} items, {delivered} deliveries ({rate:.0}/s)"
            ));
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    });
    (bar, task)
}

/// For binaries built on [`main_with`] that keep glibc's allocator (the `feedloom` binary
/// itself uses mimalloc, see its main.rs; there these settings touch a heap it hardly uses).
///
/// glibc gives every thread that allocates its own arena (up to 8 per core), and memory freed
/// in one is not reused by another: a daemon whose items are built on one thread and freed on
/// another holds far more than it uses. Two arenas per core keep most of the speed of many
/// (10,000 feeds × 20 items on 2 cores: 16 arenas 3.4 s and 125 MiB peak, 4 arenas 3.7 s and
/// 102 MiB, 2 arenas 4.7 s and 96 MiB). `MALLOC_ARENA_MAX` in the environment still wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let arenas = (2 * feedloom_core::blocking::threads()).clamp(2, 128) as libc::c_int;
        // SAFETY: mallopt only sets an allocator parameter; called before any other thread.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// How often a daemon hands freed heap back to the system.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// glibc keeps what a program frees for its next allocations and returns to the system only
/// the free space at the top of each heap. A daemon's cycle (feeds parsed, items built and
/// sent, statuses serialised) frees most of what it allocated, but scattered, so its RSS stays
/// at the cycle's high-water mark for good. `malloc_trim` every [`TRIM_EVERY`] returns the
/// free pages (100,000 sources after their first cycle: 547 MiB → 440 MiB; a trim takes
/// milliseconds).
fn spawn_heap_trimmer() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let spawned = std::thread::Builder::new()
            .name("feedloom-trim".into())
            .spawn(|| {
                loop {
                    std::thread::sleep(TRIM_EVERY);
                    // SAFETY: malloc_trim only releases free memory of the allocator's own
                    // heaps; it is safe to call from any thread at any time.
                    unsafe {
                        libc::malloc_trim(0);
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::debug!(error = %e, "no heap trimmer thread");
        }
    }
}

/// A progress bar on stderr when it is a terminal; a hidden one otherwise.
pub(crate) fn progress_bar(total: u64, unit: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let style = indicatif::ProgressStyle::with_template(&format!(
        "{{bar:30}} {{pos}}/{{len}} {unit} {{msg}} [{{elapsed}}]"
    ))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn spawn_signal_handler(token: CancellationToken) {
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            tokio::select! {
                _ = term.recv() => tracing::info!("SIGTERM received"),
                _ = int.recv() => tracing::info!("SIGINT received"),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        token.cancel();
    });
}

/// What `feedloom extract` prints.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Json,
    Pretty,
    Explain,
}

async fn extract(
    config: Option<&Path>,
    format: Option<ArticleFormat>,
    published: Option<&str>,
    output: Output,
    file: &str,
    registry: Registry,
) -> Result<ExitCode> {
    let cfg = match config {
        Some(path) => {
            let mut cfg = match load(path, &registry) {
                Ok(c) => c,
                Err(code) => return Ok(code),
            };
            cfg.sources.clear();
            cfg.sinks.clear();
            cfg
        }
        None => {
            let dir = std::env::temp_dir();
            let types: Vec<String> = feedloom_extract::DEFAULT_ORDER
                .iter()
                .map(|n| format!("{{type: {n}}}"))
                .collect();
            let yaml = format!("extractors: [{}]\n", types.join(", "));
            match Config::from_str(&yaml, &dir.join("builtin.yaml"), &registry, &|k| {
                std::env::var(k).ok()
            }) {
                Ok(c) => c,
                Err(e) => bail!("built-in extractor defaults do not load: {e}"),
            }
        }
    };
    let item = read_article(file, format, published, &cfg.defaults).await?;
    let pipeline = Pipeline::build_with_store(cfg, registry, Arc::new(MemoryStore::new()))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (out, mut failures) = pipeline.extract_one(item).await;
    match output {
        Output::Json => println!("{}", serde_json::to_string(&out)?),
        Output::Pretty => println!("{}", serde_json::to_string_pretty(&out)?),
        Output::Explain => {
            let mut all = Vec::new();
            for (extractor, decisions) in pipeline.explain(&out) {
                match decisions {
                    Ok(ds) => all.extend(ds.into_iter().map(|d| (extractor.clone(), d))),
                    Err(panic) => failures.push(format!(
                        "extractor {extractor}: its explanation failed: {panic}"
                    )),
                }
            }
            print_decisions(&all);
        }
    }
    if failures.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    // The item is printed all the same (without the failed extractors' fields); the exit
    // code says it is incomplete.
    for f in &failures {
        eprintln!("feedloom: {f}");
    }
    Ok(ExitCode::FAILURE)
}

/// The article `feedloom extract` reads: a file, standard input or a fetched page; an HTML
/// page's own metadata (date, authors, headline, canonical URL...) fills the item, a plain
/// text's dateline gives its date.
async fn read_article(
    file: &str,
    format: Option<ArticleFormat>,
    published: Option<&str>,
    defaults: &feedloom_core::Defaults,
) -> Result<Item> {
    let is_url = file.starts_with("http://") || file.starts_with("https://");
    let mut raw = Vec::new();
    let (mut url, mut content_type) = (None, None);
    if is_url {
        let page = feedloom_sources::feed::fetch_page(file, defaults)
            .await
            .map_err(|e| anyhow::anyhow!("cannot fetch {file}: {e}"))?;
        if !page.is_html() && format.is_none() {
            bail!(
                "{file}: not an HTML or text page (Content-Type {})",
                page.content_type.as_deref().unwrap_or("?")
            );
        }
        url = Some(page.final_url);
        content_type = page.content_type;
        raw = page.body;
    } else if file == "-" {
        std::io::stdin()
            .read_to_end(&mut raw)
            .context("cannot read standard input")?;
    } else {
        raw = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
    }
    // The same decoding as the sources: a BOM, the Content-Type's or the page's charset,
    // else UTF-8.
    let text = feedloom_sources::decode::to_utf8_string(&raw, content_type.as_deref());
    let is_html = match format {
        Some(f) => f == ArticleFormat::Html,
        None => {
            is_url
                || file.ends_with(".html")
                || file.ends_with(".htm")
                || text.trim_start().starts_with('<')
        }
    };
    let (title, body) = if is_html {
        feedloom_sources::file::split_html_article(&text)
    } else {
        feedloom_sources::file::split_text_article(&text)
    };
    let mut item = Item::new(feedloom_core::item::content_hash(&title, &body), "extract");
    item.title = Some(title).filter(|t| !t.is_empty());
    item.url.clone_from(&url);
    if let Some(p) = published {
        let d = parse_date(p)
            .with_context(|| format!("--published {p:?}: expected RFC 3339 or YYYY-MM-DD"))?;
        // The sources drop item dates outside these years; so does this flag.
        if !(1000..=9999).contains(&chrono::Datelike::year(&d)) {
            bail!("--published {p:?}: the year must be between 1000 and 9999");
        }
        item.published = Some(d);
    }
    if is_html {
        // The page is the article: its headline and canonical URL replace the guesses.
        feedloom_sources::meta::page_meta(&text, url.as_deref(), Some(&body), chrono::Utc::now())
            .fill(&mut item, true);
    }
    item.text = body;
    feedloom_sources::meta::settle_published(&mut item);
    Ok(item)
}

/// One line a decision, columns aligned: extractor, fact, outcome, span, the text (quoted,
/// on one line), the rule.
fn print_decisions(ds: &[(String, feedloom_core::Decision)]) {
    let width = |f: &dyn Fn(&(String, feedloom_core::Decision)) -> usize| {
        ds.iter().map(f).max().unwrap_or(0)
    };
    let span = |d: &feedloom_core::Decision| format!("{}..{}", d.start, d.end);
    let w_ex = width(&|(e, _)| e.chars().count());
    let w_fact = width(&|(_, d)| d.fact.len());
    let w_out = width(&|(_, d)| d.outcome.chars().count());
    let w_span = width(&|(_, d)| span(d).len());
    for (e, d) in ds {
        println!(
            "{e:<w_ex$}  {:<w_fact$}  {:<w_out$}  {:<w_span$}  {:?} by {}",
            d.fact,
            d.outcome,
            span(d),
            d.text,
            d.rule
        );
    }
}

fn parse_date(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

async fn dlq(cmd: DlqCommand, registry: Registry) -> Result<ExitCode> {
    let (path, sink) = match &cmd {
        DlqCommand::List { config, sink, .. }
        | DlqCommand::Replay { config, sink }
        | DlqCommand::Purge { config, sink } => (config, sink.clone()),
    };
    // Only a replay sends anything, so only a replay needs the sinks' secrets.
    let loaded = match cmd {
        DlqCommand::Replay { .. } => load(path, &registry),
        DlqCommand::List { .. } | DlqCommand::Purge { .. } => load_lenient(path),
    };
    let cfg = match loaded {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    // Dead letters are files under state_dir/dlq, usable while the daemon runs. The state
    // store is not opened: a `dlq` command must never stand in the way of a daemon starting
    // (dead letters an earlier build kept there are moved by the next `run` or `once`).
    let dl = DeadLetters::for_state_dir(&cfg.state_dir);
    // Cluster mode: the extractors' dead letters are in the cluster's dead-letter stream
    // (shared by every node); a sink's stay on the node that tried to deliver them.
    let cluster = match (&cfg.cluster, &sink) {
        (Some(c), None) => Some(
            feedloom_runtime::cluster::dlq::ClusterDlq::open(&c.config, &cfg.dir)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        _ => None,
    };
    match cmd {
        DlqCommand::List { json, .. } => {
            let all = dl
                .list(sink.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let shared = match &cluster {
                Some(c) => c.list().await.map_err(|e| anyhow::anyhow!("{e}"))?,
                None => Vec::new(),
            };
            if json {
                for d in &shared {
                    println!(
                        "{}",
                        serde_json::json!({"cluster_sequence": d.sequence, "sink": "cluster:extract", "error": cfg.redact(&d.reason), "time": d.time, "item": d.item.as_ref().map(|(id, src)| serde_json::json!({"id": id, "source": src}))})
                    );
                }
            } else {
                for d in &shared {
                    println!(
                        "cluster dead letter #{} {} item {} of {}: {}",
                        d.sequence,
                        d.time.format("%Y-%m-%dT%H:%M:%SZ"),
                        d.item.as_ref().map_or("?", |i| i.0.as_str()),
                        d.item.as_ref().map_or("?", |i| i.1.as_str()),
                        cfg.redact(&d.reason)
                    );
                }
                if !shared.is_empty() && all.is_empty() {
                    return Ok(ExitCode::SUCCESS);
                }
            }
            if json {
                for d in &all {
                    println!(
                        "{}",
                        serde_json::json!({"key": d.key, "sink": d.sink, "error": cfg.redact(&d.error), "attempts": d.attempts, "time": d.time, "items": d.items})
                    );
                }
            } else if all.is_empty() {
                println!("no dead letters");
            } else {
                println!(
                    "{:<20} {:>5} {:>8} {:<25} ERROR",
                    "SINK", "ITEMS", "ATTEMPTS", "TIME"
                );
                for d in &all {
                    println!(
                        "{:<20} {:>5} {:>8} {:<25} {}",
                        d.sink,
                        d.items.len(),
                        d.attempts,
                        d.time.format("%Y-%m-%dT%H:%M:%SZ"),
                        cfg.redact(&d.error)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        DlqCommand::Purge { .. } => {
            let n = dl
                .purge(sink.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("purged {n} dead letter(s)");
            if let Some(c) = &cluster {
                let n = c.purge().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                println!("purged {n} dead letter(s) of the cluster");
            }
            Ok(ExitCode::SUCCESS)
        }
        DlqCommand::Replay { .. } => {
            let bar = progress_bar(0, "dead letters");
            let b = bar.clone();
            let progress = move |done: usize, total: usize| {
                b.set_length(total as u64);
                b.set_position(done as u64);
            };
            let r =
                feedloom_runtime::replay::replay(&cfg, &registry, &dl, sink.as_deref(), &progress)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            bar.finish_and_clear();
            println!(
                "replayed {} dead letter(s): {} delivered, {} still failing",
                r.attempted, r.delivered, r.failed
            );
            let mut failed = r.failed;
            if let Some(c) = &cluster {
                let (ok, bad) = c.replay().await.map_err(|e| anyhow::anyhow!("{e}"))?;
                println!(
                    "put {ok} dead letter(s) of the cluster back on its work stream ({bad} could not be)"
                );
                failed += bad;
            }
            Ok(if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
