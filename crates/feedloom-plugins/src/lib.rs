//! Extractor plugins for everyone, all speaking the same JSON contract (the item in, the
//! fields to add or replace out):
//!
//! * [`exec`] (`type: exec`) — an out-of-process plugin in any language over JSON Lines;
//! * [`rules`] (`type: rules`) — no-code word lists and regexes in YAML;
//! * [`wasm`] (`type: wasm`) — a sandboxed WebAssembly module run with wasmtime.
//!
//! The plugin author's guide is `docs/plugins.md`.

pub mod exec;
pub mod rules;
#[cfg(feature = "wasm")]
pub mod wasm;

use feedloom_core::Registry;

/// Register the `exec`, `rules` and (with the default `wasm` feature) `wasm` extractor types.
pub fn register(reg: &mut Registry) {
    exec::register(reg);
    rules::register(reg);
    #[cfg(feature = "wasm")]
    wasm::register(reg);
}
