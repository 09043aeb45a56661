//! Measures at what nesting depth rs-trafilatura overflows a thread's stack, without our
//! flattening (each run may abort the process, so a shell loop drives it):
//! `depth_probe TAG DEPTH STACK_BYTES`. Results behind `html_guard::MAX_DEPTH`.

// A developer tool on inputs it makes itself.
#![allow(clippy::unwrap_used)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let tag = args.get(1).cloned().unwrap_or_else(|| "b".into());
    let depth: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let stack: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(2 << 20);
    let html = format!(
        "<html><body><article><p>Lead paragraph of the story with enough words to count as text.</p>{}deep text{}</article></body></html>",
        format!("<{tag}>").repeat(depth),
        format!("</{tag}>").repeat(depth)
    );
    let t = std::time::Instant::now();
    let r = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            rs_trafilatura::extract_bytes(html.as_bytes())
                .map(|r| r.content_text.len())
                .unwrap_or(0)
        })
        .unwrap()
        .join();
    println!("{tag} {depth} {stack} ok={:?} {:?}", r.is_ok(), t.elapsed());
}
