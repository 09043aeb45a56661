//! WebAssembly test plugins written in WAT (built with the `wat` crate, so tests need no
//! wasm toolchain). Every module follows the feedloom wasm ABI: `memory`, `alloc`, `process`.
#![allow(dead_code)]

/// A module with a bump `alloc`, `data` at offset 0 and the given `process` body.
fn module(data: &str, process: &str) -> String {
    format!(
        r#"(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 0) "{data}")
  (func $alloc (export "alloc") (param $len i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr (global.get $heap))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (block $done
      (loop $grow
        (br_if $done (i32.le_u (local.get $end) (i32.mul (memory.size) (i32.const 65536))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (br $grow)))
    (global.set $heap (local.get $end))
    (local.get $ptr))
  (func (export "process") (param $ptr i32) (param $len i32) (result i64)
    (local $out i32) (local $n i32)
    {process}))"#
    )
}

fn wat_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn packed(ptr: &str, len: &str) -> String {
    format!("(i64.or (i64.shl (i64.extend_i32_u {ptr}) (i64.const 32)) (i64.extend_i32_u {len}))")
}

/// Tags the item `wasm` and echoes the whole request back as the field `echo`: a full JSON
/// round trip through linear memory.
pub fn tagger() -> Vec<u8> {
    let prefix = r#"{"item":{"tags":["wasm"],"echo":"#;
    let p = prefix.len();
    let body = format!(
        r#"(local.set $n (i32.add (local.get $len) (i32.const {n2})))
    (local.set $out (call $alloc (local.get $n)))
    (memory.copy (local.get $out) (i32.const 0) (i32.const {p}))
    (memory.copy (i32.add (local.get $out) (i32.const {p})) (local.get $ptr) (local.get $len))
    (i32.store16 (i32.add (local.get $out) (i32.add (i32.const {p}) (local.get $len))) (i32.const 0x7d7d))
    {ret}"#,
        n2 = p + 2,
        ret = packed("(local.get $out)", "(local.get $n)")
    );
    wat::parse_str(module(&wat_escape(prefix), &body)).unwrap()
}

/// Returns a constant response from offset 0.
pub fn constant(response: &str) -> Vec<u8> {
    let body = packed("(i32.const 0)", &format!("(i32.const {})", response.len()));
    wat::parse_str(module(&wat_escape(response), &body)).unwrap()
}

/// Traps (`unreachable`) on every item.
pub fn trap() -> Vec<u8> {
    wat::parse_str(module("", "unreachable")).unwrap()
}

/// Loops forever: stopped by fuel (or the timeout).
pub fn spin() -> Vec<u8> {
    wat::parse_str(module("", "(loop $l (br $l)) (i64.const 0)")).unwrap()
}

/// Grows its memory by `pages` 64 KiB pages on every item.
pub fn hog(pages: u32) -> Vec<u8> {
    wat::parse_str(module(
        "",
        &format!("(drop (memory.grow (i32.const {pages}))) (i64.const 0)"),
    ))
    .unwrap()
}

/// Returns a location outside its memory.
pub fn out_of_bounds() -> Vec<u8> {
    wat::parse_str(module(
        "",
        &packed("(i32.const 0x7fff0000)", "(i32.const 16)"),
    ))
    .unwrap()
}

/// Grows its memory by `pages` and reports what `memory.grow` answered: `{"item":{"grew":true}}`
/// or, when the grow was refused (it returned -1), `{"error":"memory.grow refused"}`. Shows
/// that a refused grow is the standard -1 a guest can handle, not a crash.
pub fn grow_or_report(pages: u32) -> Vec<u8> {
    let ok = r#"{"item":{"grew":true}}"#;
    let refused = r#"{"error":"memory.grow refused"}"#;
    let body = format!(
        r#"(if (result i64) (i32.eq (memory.grow (i32.const {pages})) (i32.const -1))
      (then {no})
      (else {yes}))"#,
        no = packed(
            &format!("(i32.const {})", ok.len()),
            &format!("(i32.const {})", refused.len())
        ),
        yes = packed("(i32.const 0)", &format!("(i32.const {})", ok.len())),
    );
    wat::parse_str(module(&wat_escape(&format!("{ok}{refused}")), &body)).unwrap()
}

/// A "reactor": `_initialize` must run before `process`, which answers
/// `{"item":{"initialized":true}}` only if it did (else it traps).
pub fn reactor() -> Vec<u8> {
    let resp = r#"{"item":{"initialized":true}}"#;
    wat::parse_str(format!(
        r#"(module
  (memory (export "memory") 1)
  (global $ready (mut i32) (i32.const 0))
  (data (i32.const 0) "{data}")
  (func (export "_initialize") (global.set $ready (i32.const 1)))
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "process") (param i32 i32) (result i64)
    (if (i32.eqz (global.get $ready)) (then unreachable))
    {ret}))"#,
        data = wat_escape(resp),
        ret = packed("(i32.const 0)", &format!("(i32.const {})", resp.len())),
    ))
    .unwrap()
}
