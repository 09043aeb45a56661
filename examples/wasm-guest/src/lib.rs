//! A feedloom wasm plugin in Rust: tags items that mention pipelines or railways and counts
//! their words.
//!
//! The ABI (see docs/plugins.md): the module exports `memory`, `alloc(len) -> ptr` and
//! `process(ptr, len) -> (ptr << 32) | len`. The request is `{"item": {...}}`; the response is
//! `{"item": {fields to add or replace}}` or `{"error": "..."}`. feedloom runs every item in a
//! fresh instance, so nothing needs freeing. The module must not import anything (no WASI):
//! build for `wasm32-unknown-unknown` and do not print.

use serde_json::{Map, Value, json};

/// The enrichment itself: plain Rust, testable on the host with `cargo test`.
pub fn enrich(item: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let text = item.get("text").and_then(Value::as_str).unwrap_or("");
    let title = item.get("title").and_then(Value::as_str).unwrap_or("");
    let lower = format!("{title}\n{text}").to_lowercase();
    let mut tags: Vec<Value> = item
        .get("tags")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for (word, tag) in [("pipeline", "energy"), ("railway", "transport")] {
        let t = Value::from(tag);
        if lower.contains(word) && !tags.contains(&t) {
            tags.push(t);
        }
    }
    let mut out = Map::new();
    out.insert("tags".into(), Value::Array(tags));
    out.insert("word_count".into(), json!(text.split_whitespace().count()));
    Ok(out)
}

/// Handle one request (the bytes feedloom wrote) and return the response JSON.
pub fn handle(request: &[u8]) -> Vec<u8> {
    let response = match serde_json::from_slice::<Value>(request) {
        Ok(Value::Object(mut req)) => match req.remove("item") {
            Some(Value::Object(item)) => match enrich(&item) {
                Ok(patch) => json!({ "item": patch }),
                Err(e) => json!({ "error": e }),
            },
            _ => json!({ "error": "the request has no item" }),
        },
        Ok(_) => json!({ "error": "the request is not an object" }),
        Err(e) => json!({ "error": format!("the request is not JSON: {e}") }),
    };
    serde_json::to_vec(&response).unwrap_or_else(|_| br#"{"error":"encode"}"#.to_vec())
}

/// ABI: reserve `len` bytes for the request.
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: i32) -> i32 {
    let buf: Vec<u8> = Vec::with_capacity(len.max(0) as usize);
    let ptr = buf.as_ptr() as usize;
    std::mem::forget(buf);
    ptr as i32
}

/// ABI: process the request at `ptr..ptr+len`; return the response as `(ptr << 32) | len`.
///
/// # Safety
/// `ptr` must come from [`alloc`] with at least `len` bytes written by the host.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn process(ptr: i32, len: i32) -> i64 {
    let request = unsafe { std::slice::from_raw_parts(ptr as usize as *const u8, len as usize) };
    let out = handle(request).into_boxed_slice();
    let (p, n) = (out.as_ptr() as usize as u64, out.len() as u64);
    std::mem::forget(out);
    ((p << 32) | n) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_counts() {
        let out = handle(br#"{"item": {"title": "New railway", "text": "one two three", "tags": ["x"]}}"#);
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["item"]["tags"], json!(["x", "transport"]));
        assert_eq!(v["item"]["word_count"], 3);
        let v: Value = serde_json::from_slice(&handle(b"nope")).unwrap();
        assert!(v["error"].as_str().unwrap().starts_with("the request is not JSON"));
    }
}
