//! Items per second into PostgreSQL through the `postgres` sink at batch sizes 1, 100 and
//! 1,000, every item with entities, quotes, amounts and dates (so every child table is
//! written). Prints figures; not a timed test.
//!
//! ```text
//! cargo run --release -p feedloom-sinks --example postgres_bench
//! FEEDLOOM_BENCH_URL=postgres://user@host/db cargo run --release -p feedloom-sinks --example postgres_bench
//! ```
//! The default server is the local one (`postgres://postgres@127.0.0.1:5432/test`). The
//! bench works in a schema of its own and drops it at the end.

use std::time::Instant;

use feedloom_core::item::{Amount, DateMention, Entity, EntityKind, Quote};
use feedloom_core::{BuildContext, Item, Sink};
use feedloom_sinks::postgres::{PostgresOptions, PostgresSink};

type Error = Box<dyn std::error::Error>;

/// A realistic item: ~600 words of text, 8 entities, 3 quotes, 3 amounts, 2 dates.
fn item(run: &str, i: usize) -> Item {
    let mut it = Item::new(format!("{run}-{i}"), "bench");
    it.url = Some(format!("https://news.example/{run}/{i}"));
    it.title = Some(format!(
        "Kazakhstan and China sign pipeline deal number {i}"
    ));
    it.published = Some(it.fetched);
    it.language = Some("en".into());
    it.text = "President Kassym-Jomart Tokayev met Chinese officials in Astana on Monday to \
               sign an agreement on a new gas pipeline. "
        .repeat(30);
    it.countries = Some(vec!["KZ".into(), "CN".into()]);
    it.tags = Some(vec!["energy".into()]);
    it.duplicate_of = Some(None);
    it.entities = Some(
        (0..8)
            .map(|k| Entity {
                name: format!("Entity {k}"),
                kind: [
                    EntityKind::Person,
                    EntityKind::Organization,
                    EntityKind::Place,
                ][k % 3],
                aliases: vec![format!("E{k}")],
                mentions: 1 + k as u32,
                country: (k % 3 == 2).then(|| "KZ".to_string()),
                sections: Vec::new(),
            })
            .collect(),
    );
    it.quotes = Some(
        (0..3)
            .map(|k| Quote {
                text: format!("This pipeline will carry gas for {k} decades"),
                speaker: Some("Kassym-Jomart Tokayev".into()),
                section: None,
            })
            .collect(),
    );
    it.amounts = Some(
        (0..3)
            .map(|k| Amount {
                text: format!("${k}.5 billion"),
                value: k as f64 * 1e9 + 5e8,
                unit: "USD".into(),
                section: None,
            })
            .collect(),
    );
    it.dates = Some(vec![
        DateMention {
            text: "3 March 2025".into(),
            start: "2025-03-03".into(),
            end: "2025-03-03".into(),
            section: None,
        },
        DateMention {
            text: "2026".into(),
            start: "2026-01-01".into(),
            end: "2026-12-31".into(),
            section: None,
        },
    ]);
    it
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("FEEDLOOM_BENCH_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("feedloom_bench_{}", std::process::id());
    let (admin, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    let result = run(&url, &schema).await;
    admin
        .batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .await?;
    result
}

async fn run(url: &str, schema: &str) -> Result<(), Error> {
    let dir = std::env::temp_dir();
    println!(
        "postgres sink: items/s with all child tables (8 entities, 3 quotes, 3 amounts, 2 dates per item)"
    );
    for (batch, total) in [(1usize, 2_000usize), (100, 20_000), (1_000, 40_000)] {
        let o: PostgresOptions = serde_json::from_value(serde_json::json!({
            "url": url,
            "schema": schema,
            "batch_size": batch,
        }))?;
        let sink = PostgresSink::build(o, &BuildContext::for_tests(&dir))?;
        let run = format!("b{batch}");
        // Connect, migrate and prepare before the clock starts.
        sink.send(&[item("warmup", batch)]).await?;
        let items: Vec<Item> = (0..total).map(|i| item(&run, i)).collect();
        let start = Instant::now();
        for chunk in items.chunks(batch) {
            sink.send(chunk).await?;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "batch {batch:>5}: {total:>6} items in {secs:>6.2}s = {:>7.0} items/s",
            total as f64 / secs
        );
        // Re-delivery of the same items (upsert path: update rows, replace child rows).
        let start = Instant::now();
        for chunk in items.chunks(batch) {
            sink.send(chunk).await?;
        }
        let secs = start.elapsed().as_secs_f64();
        println!("  again (updates): {:>7.0} items/s", total as f64 / secs);
    }
    Ok(())
}
