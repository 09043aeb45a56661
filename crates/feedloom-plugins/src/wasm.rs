//! `type: wasm` — a sandboxed plugin compiled to WebAssembly, run with wasmtime.
//!
//! The module gets no imports at all (no WASI, no host functions): it can only compute on the
//! bytes it is given. Each item runs in a fresh instance with its own fuel budget (`fuel`),
//! memory cap (`max_memory`) and wall-clock limit (`timeout`, enforced with epoch
//! interruption), on a blocking thread so it never stalls the async runtime.
//!
//! A `memory.grow` past `max_memory` is refused the standard way (it returns -1, so a guest
//! may recover); if the item then fails — a Rust guest aborts on allocation failure — the
//! error says that the memory limit was hit.
//!
//! ## ABI
//!
//! The module exports:
//!
//! * `memory` — its linear memory (32-bit);
//! * `alloc(len: i32) -> i32` — return a pointer to `len` writable bytes;
//! * `process(ptr: i32, len: i32) -> i64` — read the request at `ptr..ptr+len` and return the
//!   response's location packed as `(ptr << 32) | len`;
//! * optionally `_initialize() -> ()` — called once per instance before `alloc` (the
//!   "reactor" convention of C, Zig and TinyGo toolchains).
//!
//! The request is the UTF-8 JSON `{"item": {...}}` (the full item); the response is UTF-8
//! JSON, `{"item": {...}}` (fields to add or replace) or `{"error": "..."}` — the same as an
//! exec plugin's response, without the `id`. The full description, for guest authors in any
//! language, is in docs/plugins.md.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use feedloom_core::{BuildContext, BuildError, Duration, ExtractError, Extractor, Item, Registry};
use schemars::JsonSchema;
use serde::Deserialize;
use wasmtime::{
    Config, Engine, ExternType, InstancePre, Linker, Module, ResourceLimiter, Store, Trap, ValType,
};

/// How often the epoch ticks while a wasm extractor is in use.
const TICK: std::time::Duration = std::time::Duration::from_millis(10);
/// Most elements a table may grow to (function tables of ordinary guests are far smaller).
const MAX_TABLE_ELEMENTS: usize = 1 << 16;

/// The resource limits of one instance, and the memory growth it refused.
struct Limits {
    max_memory: usize,
    /// The largest memory size (bytes) asked for past `max_memory`, if any.
    refused: Option<usize>,
}

impl ResourceLimiter for Limits {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.max_memory {
            // Refused: `memory.grow` returns -1 (instantiation fails for a too-large minimum).
            self.refused = Some(self.refused.map_or(desired, |r| r.max(desired)));
            return Ok(false);
        }
        Ok(maximum.is_none_or(|m| desired <= m))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS && maximum.is_none_or(|m| desired <= m))
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        4
    }

    fn memories(&self) -> usize {
        1
    }
}

fn default_fuel() -> u64 {
    100_000_000
}
fn default_max_memory() -> feedloom_core::Size {
    feedloom_core::Size::mib(64)
}
fn default_timeout() -> Duration {
    Duration::from_secs(5)
}

/// Options of `type: wasm`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WasmOptions {
    /// The `.wasm` module, relative to the config file.
    pub path: PathBuf,
    /// Fuel per item (about one unit per wasm instruction). An item that runs out fails.
    #[serde(default = "default_fuel")]
    pub fuel: u64,
    /// Largest linear memory an instance may have: bytes or a size such as `16MiB`, `64MB`.
    #[serde(default = "default_max_memory")]
    pub max_memory: feedloom_core::Size,
    /// Longest wall-clock time one item may take.
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
}

struct Inner {
    id: String,
    engine: Engine,
    pre: InstancePre<Limits>,
    /// The module exports `_initialize` (called before `alloc`).
    initialize: bool,
    fuel: u64,
    max_memory: usize,
    timeout: std::time::Duration,
    /// Epoch ticks an item may run for.
    ticks: u64,
}

/// Increments the engine's epoch every [`TICK`] until dropped. Started on the first item.
struct Ticker {
    stop: Arc<AtomicBool>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The built `wasm` extractor.
pub struct Wasm {
    inner: Arc<Inner>,
    ticker: OnceLock<Result<Ticker, String>>,
}

fn check_func(
    module: &Module,
    name: &str,
    params: &[&str],
    results: &[&str],
) -> Result<(), String> {
    let show = |p: &[&str], r: &[&str]| match r {
        [] => format!("({}) -> ()", p.join(", ")),
        _ => format!("({}) -> {}", p.join(", "), r.join(", ")),
    };
    let sig = show(params, results);
    let Some(ExternType::Func(ft)) = module.get_export(name) else {
        return Err(format!(
            "the module does not export a function `{name}{sig}` (see the wasm ABI in docs/plugins.md)"
        ));
    };
    let name_of = |v: ValType| match v {
        ValType::I32 => "i32",
        ValType::I64 => "i64",
        ValType::F32 => "f32",
        ValType::F64 => "f64",
        _ => "other",
    };
    let got_p: Vec<&str> = ft.params().map(name_of).collect();
    let got_r: Vec<&str> = ft.results().map(name_of).collect();
    if got_p != params || got_r != results {
        return Err(format!(
            "export `{name}` has type {}, expected {sig}",
            show(&got_p, &got_r)
        ));
    }
    Ok(())
}

impl Wasm {
    pub fn build(opts: WasmOptions, ctx: &BuildContext) -> Result<Wasm, BuildError> {
        if opts.fuel == 0 {
            return Err(BuildError::at("fuel", "must be at least 1"));
        }
        if opts.timeout.get().is_zero() {
            return Err(BuildError::at("timeout", "must be longer than 0s"));
        }
        let max_memory = usize::try_from(opts.max_memory.0)
            .map_err(|_| BuildError::at("max_memory", "too large for this machine"))?;
        let path = ctx.resolve(&opts.path);
        let bytes = std::fs::read(&path)
            .map_err(|e| BuildError::at("path", format!("cannot read {}: {e}", path.display())))?;
        let mut config = Config::new();
        config.consume_fuel(true).epoch_interruption(true);
        let engine = Engine::new(&config)
            .map_err(|e| BuildError::new(format!("cannot set up wasmtime: {e}")))?;
        let module = Module::from_binary(&engine, &bytes).map_err(|e| {
            BuildError::at(
                "path",
                format!("{} is not a valid wasm module: {e:#}", path.display()),
            )
        })?;
        if let Some(imp) = module.imports().next() {
            return Err(BuildError::at(
                "path",
                format!(
                    "{} imports `{}::{}`, but wasm plugins get no imports (no WASI): build for wasm32-unknown-unknown",
                    path.display(),
                    imp.module(),
                    imp.name()
                ),
            ));
        }
        let at_path = |m: String| BuildError::at("path", format!("{}: {m}", path.display()));
        match module.get_export("memory") {
            Some(ExternType::Memory(m)) if !m.is_64() => {}
            Some(ExternType::Memory(_)) => {
                return Err(at_path("a 64-bit memory is not supported".into()));
            }
            _ => return Err(at_path("the module does not export `memory`".into())),
        }
        check_func(&module, "alloc", &["i32"], &["i32"]).map_err(at_path)?;
        check_func(&module, "process", &["i32", "i32"], &["i64"]).map_err(at_path)?;
        let initialize = module.get_export("_initialize").is_some();
        if initialize {
            check_func(&module, "_initialize", &[], &[]).map_err(at_path)?;
        }
        let linker = Linker::new(&engine);
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| at_path(format!("{e:#}")))?;
        let timeout = opts.timeout.get();
        let ticks = (timeout.as_millis() / TICK.as_millis()).max(1) as u64 + 1;
        Ok(Wasm {
            inner: Arc::new(Inner {
                id: ctx.id.clone(),
                engine,
                pre,
                initialize,
                fuel: opts.fuel,
                max_memory,
                timeout,
                ticks,
            }),
            ticker: OnceLock::new(),
        })
    }

    fn start_ticker(&self) -> Result<(), ExtractError> {
        let r = self.ticker.get_or_init(|| {
            let stop = Arc::new(AtomicBool::new(false));
            let engine = self.inner.engine.clone();
            let flag = stop.clone();
            std::thread::Builder::new()
                .name(format!("wasm-epoch-{}", self.inner.id))
                .spawn(move || {
                    while !flag.load(Ordering::Relaxed) {
                        std::thread::sleep(TICK);
                        engine.increment_epoch();
                    }
                })
                .map(|_| Ticker { stop })
                .map_err(|e| format!("cannot start the epoch thread: {e}"))
        });
        match r {
            Ok(_) => Ok(()),
            Err(m) => Err(ExtractError::new(format!(
                "wasm plugin {}: {m}",
                self.inner.id
            ))),
        }
    }
}

impl Inner {
    /// Run one item in a fresh instance; the response JSON on success.
    fn run(&self, request: &[u8]) -> Result<serde_json::Value, String> {
        let mut store = Store::new(
            &self.engine,
            Limits {
                max_memory: self.max_memory,
                refused: None,
            },
        );
        store.limiter(|l| l);
        store
            .set_fuel(self.fuel)
            .map_err(|e| format!("cannot set fuel: {e}"))?;
        store.set_epoch_deadline(self.ticks);
        let res = self.run_in(&mut store, request);
        match (res, store.data().refused) {
            (Err(m), Some(asked)) => Err(format!(
                "exceeded its memory limit of {} (asked for {}); then: {m}",
                feedloom_core::Size(self.max_memory as u64),
                feedloom_core::Size(asked as u64)
            )),
            (res, _) => res,
        }
    }

    fn run_in(
        &self,
        store: &mut Store<Limits>,
        request: &[u8],
    ) -> Result<serde_json::Value, String> {
        let explain = |e: wasmtime::Error| -> String {
            match e.downcast_ref::<Trap>() {
                Some(Trap::OutOfFuel) => format!("ran out of fuel ({} units)", self.fuel),
                Some(Trap::Interrupt) => format!("timed out after {}", Duration(self.timeout)),
                Some(t) => format!("trapped: {t}"),
                None => format!("{e:#}"),
            }
        };
        let instance = self.pre.instantiate(&mut *store).map_err(explain)?;
        if self.initialize {
            instance
                .get_typed_func::<(), ()>(&mut *store, "_initialize")
                .map_err(|e| format!("{e:#}"))?
                .call(&mut *store, ())
                .map_err(explain)?;
        }
        let memory = instance
            .get_memory(&mut *store, "memory")
            .ok_or("no `memory` export")?;
        let alloc = instance
            .get_typed_func::<i32, i32>(&mut *store, "alloc")
            .map_err(|e| format!("{e:#}"))?;
        let process = instance
            .get_typed_func::<(i32, i32), i64>(&mut *store, "process")
            .map_err(|e| format!("{e:#}"))?;
        let len = i32::try_from(request.len()).map_err(|_| "the item is larger than 2 GiB")?;
        let ptr = alloc.call(&mut *store, len).map_err(explain)?;
        memory
            .write(&mut *store, ptr as u32 as usize, request)
            .map_err(|_| {
                format!(
                    "alloc({len}) returned {}, which is outside its {} bytes of memory",
                    ptr as u32,
                    memory.data_size(&*store)
                )
            })?;
        let packed = process.call(&mut *store, (ptr, len)).map_err(explain)? as u64;
        let (rptr, rlen) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        let data = memory.data(&*store);
        let Some(out) = rptr.checked_add(rlen).and_then(|end| data.get(rptr..end)) else {
            return Err(format!(
                "process returned ptr {rptr} len {rlen}, outside its {} bytes of memory",
                data.len()
            ));
        };
        serde_json::from_slice(out).map_err(|e| {
            let text = String::from_utf8_lossy(&out[..out.len().min(200)]).into_owned();
            format!("invalid response {text:?}: {e}")
        })
    }
}

#[async_trait]
impl Extractor for Wasm {
    async fn extract(&self, item: &mut Item) -> Result<(), ExtractError> {
        self.start_ticker()?;
        let err = |m: String| ExtractError::new(format!("wasm plugin {}: {m}", self.inner.id));
        let request = serde_json::to_vec(&serde_json::json!({ "item": &*item }))
            .map_err(|e| err(format!("cannot encode the item: {e}")))?;
        let inner = self.inner.clone();
        let resp = tokio::task::spawn_blocking(move || inner.run(&request))
            .await
            .map_err(|e| err(format!("the plugin thread failed: {e}")))?
            .map_err(err)?;
        crate::exec::apply(item, resp).map_err(err)
    }

    /// The module's own `timeout` (enforced with epochs), plus a few ticks and instance
    /// set-up: the pipeline's `extract_timeout` must not cut a longer `timeout` short.
    fn time_needed(&self) -> Option<std::time::Duration> {
        Some(self.inner.timeout + 10 * TICK + std::time::Duration::from_secs(1))
    }
}

pub fn register(reg: &mut Registry) {
    reg.register_extractor(
        "wasm",
        "runs a sandboxed WebAssembly module (fuel, memory and time limits) that enriches items",
        Wasm::build,
    );
}
