//! Delivery: one transaction per batch. The items are upserted by id (a re-delivered item
//! updates its row, never duplicates it) and their child rows (entities, quotes, amounts,
//! dates) are deleted and written again, so a row set always matches its item as last
//! delivered. Every table is written with one `INSERT ... SELECT FROM unnest(arrays)`
//! statement per batch, the statements pipelined on one connection.

use std::collections::HashSet;
use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use feedloom_core::{BuildContext, BuildError, Item, Sink, SinkError};
use serde_json::Value;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Client, NoTls, Statement};

use super::PostgresOptions;
use super::errors::classify;
use super::schema::{self, Tables, plain_identifier};
use super::tls::MakeRustls;

/// The URL as it may be shown: `postgres://user@host:port/database`, no password and no
/// other parameters.
pub fn shown_url(url: &str) -> String {
    let Ok(c) = url.parse::<tokio_postgres::Config>() else {
        return "postgres://<invalid url>".into();
    };
    let host = match c.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = c.get_ports().first().copied().unwrap_or(5432);
    let user = c.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    let db = c.get_dbname().unwrap_or("");
    format!("postgres://{user}{host}:{port}/{db}")
}

pub struct PostgresSink {
    id: String,
    config: tokio_postgres::Config,
    tls: Option<MakeRustls>,
    shown: String,
    password: String,
    tables: Tables,
    migrate: bool,
    batch_size: usize,
    batch_timeout: StdDuration,
    timeout: StdDuration,
    conn: tokio::sync::Mutex<Option<Conn>>,
}

impl std::fmt::Debug for PostgresSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresSink")
            .field("url", &self.shown)
            .field("tables", &self.tables.items)
            .finish_non_exhaustive()
    }
}

/// An open connection and its prepared statements.
struct Conn {
    client: Client,
    items: Statement,
    delete: Statement,
    entities: Statement,
    quotes: Statement,
    amounts: Statement,
    dates: Statement,
}

impl PostgresSink {
    pub fn build(o: PostgresOptions, ctx: &BuildContext) -> Result<Self, BuildError> {
        // libpq's `verify-ca` and `verify-full` are `require` here: the certificate and the
        // host name are always checked.
        let url = o
            .url
            .replace("sslmode=verify-full", "sslmode=require")
            .replace("sslmode=verify-ca", "sslmode=require");
        let mut config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| BuildError::at("url", format!("invalid PostgreSQL URL: {e}")))?;
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(o.timeout.get());
        }
        if config.get_application_name().is_none() {
            config.application_name("feedloom");
        }
        if o.schema.is_empty() || !plain_identifier(&o.schema) || o.schema.len() > 63 {
            return Err(BuildError::at(
                "schema",
                "a schema name is letters, digits and `_`",
            ));
        }
        if !plain_identifier(&o.table_prefix) || o.table_prefix.len() > 40 {
            return Err(BuildError::at(
                "table_prefix",
                "a table prefix is letters, digits and `_`, at most 40 of them",
            ));
        }
        // The same ranges as the runtime's table of bounds gives other sinks.
        if !(1..=100_000).contains(&o.batch_size) {
            return Err(BuildError::at(
                "batch_size",
                "batch_size must be between 1 and 100000",
            ));
        }
        let hour = StdDuration::from_secs(3600);
        if o.batch_timeout.get() > hour {
            return Err(BuildError::at(
                "batch_timeout",
                "batch_timeout must be between 0s and 1h",
            ));
        }
        if !(StdDuration::from_secs(1)..=hour).contains(&o.timeout.get()) {
            return Err(BuildError::at(
                "timeout",
                "timeout must be between 1s and 1h",
            ));
        }
        let tls = if matches!(config.get_ssl_mode(), SslMode::Require) {
            let ca = o.ca_file.as_ref().map(|p| ctx.resolve(p));
            Some(MakeRustls::new(ca.as_deref()).map_err(|e| BuildError::at("ca_file", e))?)
        } else {
            None
        };
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        Ok(PostgresSink {
            id: ctx.id.clone(),
            shown: shown_url(&o.url),
            config,
            tls,
            password,
            tables: Tables::new(&o.schema, &o.table_prefix),
            migrate: o.migrate,
            batch_size: o.batch_size,
            batch_timeout: o.batch_timeout.get(),
            timeout: o.timeout.get(),
            conn: tokio::sync::Mutex::new(None),
        })
    }

    fn error(&self, e: &tokio_postgres::Error, what: &str) -> SinkError {
        classify(e, what, &self.shown, &self.password)
    }

    /// Connect, migrate (when asked) and prepare the statements.
    async fn connect(&self) -> Result<Conn, SinkError> {
        let mut client = match &self.tls {
            Some(tls) => {
                let (client, conn) = self
                    .config
                    .connect(tls.clone())
                    .await
                    .map_err(|e| self.error(&e, "cannot connect"))?;
                tokio::spawn(drive(conn));
                client
            }
            None => {
                let (client, conn) = self
                    .config
                    .connect(NoTls)
                    .await
                    .map_err(|e| self.error(&e, "cannot connect"))?;
                tokio::spawn(drive(conn));
                client
            }
        };
        if self.migrate {
            let applied = schema::migrate(&mut client, &self.tables)
                .await
                .map_err(|e| self.error(&e, "cannot create or upgrade the tables"))?;
            if !applied.is_empty() {
                tracing::info!(sink = %self.id, server = %self.shown, versions = ?applied, tables = %self.tables.items, "applied PostgreSQL migrations");
            }
        }
        let t = &self.tables;
        let prepare = |sql: String| {
            let client = &client;
            async move { client.prepare(&sql).await }
        };
        let st = async {
            Ok::<_, tokio_postgres::Error>((
                prepare(items_sql(t)).await?,
                prepare(delete_sql(t)).await?,
                prepare(entities_sql(t)).await?,
                prepare(quotes_sql(t)).await?,
                prepare(amounts_sql(t)).await?,
                prepare(dates_sql(t)).await?,
            ))
        }
        .await
        .map_err(|e| self.error(&e, "cannot prepare statements"))?;
        tracing::debug!(sink = %self.id, server = %self.shown, "connected to PostgreSQL");
        Ok(Conn {
            client,
            items: st.0,
            delete: st.1,
            entities: st.2,
            quotes: st.3,
            amounts: st.4,
            dates: st.5,
        })
    }

    /// Write `rows` on the open connection (opening it first when there is none). The
    /// error says whether the connection is still good (a server error inside a
    /// transaction that was rolled back) or must be dropped.
    async fn write(&self, slot: &mut Option<Conn>, rows: &Rows) -> Result<(), (SinkError, bool)> {
        if slot.as_ref().is_none_or(|c| c.client.is_closed()) {
            *slot = None;
            *slot = Some(self.connect().await.map_err(|e| (e, false))?);
        }
        let Some(conn) = slot.as_mut() else {
            return Err((SinkError::retryable("no connection"), false));
        };
        match rows.write(conn).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let keep = e.as_db_error().is_some() && !conn.client.is_closed();
                Err((self.error(&e, "cannot write a batch"), keep))
            }
        }
    }
}

async fn drive<F>(conn: F)
where
    F: std::future::Future<Output = Result<(), tokio_postgres::Error>>,
{
    if let Err(e) = conn.await {
        // The next send sees the closed client, reports the failure and reconnects.
        tracing::debug!(error = %e, "PostgreSQL connection ended");
    }
}

#[async_trait]
impl Sink for PostgresSink {
    async fn send(&self, batch: &[Item]) -> Result<(), SinkError> {
        if batch.is_empty() {
            return Ok(());
        }
        let rows = Rows::new(batch)?;
        let mut slot = self.conn.lock().await;
        match tokio::time::timeout(self.timeout, self.write(&mut slot, &rows)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err((e, keep))) => {
                if !keep {
                    *slot = None;
                }
                Err(e)
            }
            Err(_) => {
                // Dropping the connection rolls the open transaction back on the server.
                *slot = None;
                Err(SinkError::retryable(format!(
                    "{}: no answer within {:?} (timeout)",
                    self.shown, self.timeout
                )))
            }
        }
    }

    fn batch_size(&self) -> usize {
        self.batch_size
    }

    fn batch_timeout(&self) -> StdDuration {
        self.batch_timeout
    }
}

// ---------------------------------------------------------------------------------------
// The statements.
// ---------------------------------------------------------------------------------------

fn items_sql(t: &Tables) -> String {
    format!(
        "INSERT INTO {items} AS t (id, source, url, title, published, fetched, language, text, \
                countries, tags, duplicate_of, item, stored) \
         SELECT u.id, u.source, u.url, u.title, u.published, u.fetched, u.language, u.text, \
                ARRAY(SELECT jsonb_array_elements_text(u.countries)), \
                ARRAY(SELECT jsonb_array_elements_text(u.tags)), \
                u.duplicate_of, u.item, now() \
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], \
                     $6::timestamptz[], $7::text[], $8::text[], $9::jsonb[], $10::jsonb[], \
                     $11::text[], $12::jsonb[]) \
              AS u(id, source, url, title, published, fetched, language, text, countries, \
                   tags, duplicate_of, item) \
         ON CONFLICT (id) DO UPDATE SET source = EXCLUDED.source, url = EXCLUDED.url, \
            title = EXCLUDED.title, published = EXCLUDED.published, \
            fetched = EXCLUDED.fetched, language = EXCLUDED.language, text = EXCLUDED.text, \
            countries = EXCLUDED.countries, tags = EXCLUDED.tags, \
            duplicate_of = EXCLUDED.duplicate_of, item = EXCLUDED.item, stored = now()",
        items = t.items
    )
}

fn delete_sql(t: &Tables) -> String {
    format!(
        "WITH e AS (DELETE FROM {} WHERE item_id = ANY($1::text[])), \
              q AS (DELETE FROM {} WHERE item_id = ANY($1::text[])), \
              a AS (DELETE FROM {} WHERE item_id = ANY($1::text[])) \
         DELETE FROM {} WHERE item_id = ANY($1::text[])",
        t.entities, t.quotes, t.amounts, t.dates
    )
}

fn entities_sql(t: &Tables) -> String {
    format!(
        "INSERT INTO {} (item_id, ord, name, kind, country, mentions, aliases, sections) \
         SELECT u.item_id, u.ord, u.name, u.kind, u.country, u.mentions, \
                ARRAY(SELECT jsonb_array_elements_text(u.aliases)), \
                ARRAY(SELECT jsonb_array_elements_text(u.sections)) \
         FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[], $6::int4[], \
                     $7::jsonb[], $8::jsonb[]) \
              AS u(item_id, ord, name, kind, country, mentions, aliases, sections)",
        t.entities
    )
}

fn quotes_sql(t: &Tables) -> String {
    format!(
        "INSERT INTO {} (item_id, ord, text, speaker, section) \
         SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[])",
        t.quotes
    )
}

fn amounts_sql(t: &Tables) -> String {
    format!(
        "INSERT INTO {} (item_id, ord, text, value, unit, section) \
         SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::float8[], $5::text[], \
                              $6::text[])",
        t.amounts
    )
}

fn dates_sql(t: &Tables) -> String {
    format!(
        "INSERT INTO {} (item_id, ord, text, start, \"end\", section) \
         SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::date[], $5::date[], \
                              $6::text[])",
        t.dates
    )
}

// ---------------------------------------------------------------------------------------
// A batch as column arrays.
// ---------------------------------------------------------------------------------------

/// Text as PostgreSQL stores it: without NUL characters (a `text` or `jsonb` value cannot
/// hold one; a feed that has one would otherwise fail its whole batch).
fn clean(s: &str) -> String {
    if s.contains('\0') {
        s.replace('\0', "")
    } else {
        s.to_string()
    }
}

fn clean_opt(s: Option<&String>) -> Option<String> {
    s.map(|s| clean(s))
}

/// `v` with every NUL character removed from its strings and keys.
fn scrub(v: &mut Value) {
    match v {
        Value::String(s) if s.contains('\0') => *s = s.replace('\0', ""),
        Value::Array(a) => a.iter_mut().for_each(scrub),
        Value::Object(o) => {
            if o.keys().any(|k| k.contains('\0')) {
                let old = std::mem::take(o);
                for (k, mut x) in old {
                    scrub(&mut x);
                    o.insert(k.replace('\0', ""), x);
                }
            } else {
                o.values_mut().for_each(scrub);
            }
        }
        _ => {}
    }
}

fn strings(v: &[String]) -> Value {
    Value::Array(v.iter().map(|s| Value::String(clean(s))).collect())
}

fn ord(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[derive(Default)]
struct Rows {
    id: Vec<String>,
    source: Vec<String>,
    url: Vec<Option<String>>,
    title: Vec<Option<String>>,
    published: Vec<Option<DateTime<Utc>>>,
    fetched: Vec<DateTime<Utc>>,
    language: Vec<Option<String>>,
    text: Vec<String>,
    countries: Vec<Value>,
    tags: Vec<Value>,
    duplicate_of: Vec<Option<String>>,
    item: Vec<Value>,
    ent: EntityRows,
    quo: QuoteRows,
    amt: AmountRows,
    dat: DateRows,
}

#[derive(Default)]
struct EntityRows {
    item_id: Vec<String>,
    ord: Vec<i32>,
    name: Vec<String>,
    kind: Vec<String>,
    country: Vec<Option<String>>,
    mentions: Vec<i32>,
    aliases: Vec<Value>,
    sections: Vec<Value>,
}

#[derive(Default)]
struct QuoteRows {
    item_id: Vec<String>,
    ord: Vec<i32>,
    text: Vec<String>,
    speaker: Vec<Option<String>>,
    section: Vec<Option<String>>,
}

#[derive(Default)]
struct AmountRows {
    item_id: Vec<String>,
    ord: Vec<i32>,
    text: Vec<String>,
    value: Vec<f64>,
    unit: Vec<String>,
    section: Vec<Option<String>>,
}

#[derive(Default)]
struct DateRows {
    item_id: Vec<String>,
    ord: Vec<i32>,
    text: Vec<String>,
    start: Vec<Option<NaiveDate>>,
    end: Vec<Option<NaiveDate>>,
    section: Vec<Option<String>>,
}

impl Rows {
    /// The batch as column arrays. An id that comes twice is written once, as its last copy
    /// (one statement cannot upsert the same row twice).
    fn new(batch: &[Item]) -> Result<Rows, SinkError> {
        let mut seen = HashSet::new();
        let mut last: Vec<&Item> = batch
            .iter()
            .rev()
            .filter(|it| seen.insert(clean(&it.id)))
            .collect();
        last.reverse();
        let mut r = Rows::default();
        for it in last {
            let id = clean(&it.id);
            let mut json = serde_json::to_value(it)
                .map_err(|e| SinkError::permanent(format!("cannot encode item {id}: {e}")))?;
            scrub(&mut json);
            for (i, e) in it.entities.iter().flatten().enumerate() {
                r.ent.item_id.push(id.clone());
                r.ent.ord.push(ord(i));
                r.ent.name.push(clean(&e.name));
                let kind = serde_json::to_value(e.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                r.ent.kind.push(kind);
                r.ent.country.push(clean_opt(e.country.as_ref()));
                r.ent
                    .mentions
                    .push(i32::try_from(e.mentions).unwrap_or(i32::MAX));
                r.ent.aliases.push(strings(&e.aliases));
                r.ent.sections.push(strings(&e.sections));
            }
            for (i, q) in it.quotes.iter().flatten().enumerate() {
                r.quo.item_id.push(id.clone());
                r.quo.ord.push(ord(i));
                r.quo.text.push(clean(&q.text));
                r.quo.speaker.push(clean_opt(q.speaker.as_ref()));
                r.quo.section.push(clean_opt(q.section.as_ref()));
            }
            for (i, a) in it.amounts.iter().flatten().enumerate() {
                r.amt.item_id.push(id.clone());
                r.amt.ord.push(ord(i));
                r.amt.text.push(clean(&a.text));
                r.amt.value.push(a.value);
                r.amt.unit.push(clean(&a.unit));
                r.amt.section.push(clean_opt(a.section.as_ref()));
            }
            for (i, d) in it.dates.iter().flatten().enumerate() {
                r.dat.item_id.push(id.clone());
                r.dat.ord.push(ord(i));
                r.dat.text.push(clean(&d.text));
                r.dat.start.push(date(&d.start));
                r.dat.end.push(date(&d.end));
                r.dat.section.push(clean_opt(d.section.as_ref()));
            }
            r.source.push(clean(&it.source));
            r.url.push(clean_opt(it.url.as_ref()));
            r.title.push(clean_opt(it.title.as_ref()));
            r.published.push(it.published);
            r.fetched.push(it.fetched);
            r.language.push(clean_opt(it.language.as_ref()));
            r.text.push(clean(&it.text));
            r.countries
                .push(strings(it.countries.as_deref().unwrap_or_default()));
            r.tags.push(strings(it.tags.as_deref().unwrap_or_default()));
            r.duplicate_of
                .push(clean_opt(it.duplicate_of.as_ref().and_then(Option::as_ref)));
            r.item.push(json);
            r.id.push(id);
        }
        Ok(r)
    }

    /// One transaction: upsert the items, delete their child rows, insert the new ones. The
    /// statements are sent without waiting for each other's answers (one connection runs
    /// them in order).
    async fn write(&self, c: &mut Conn) -> Result<(), tokio_postgres::Error> {
        type P<'a> = &'a (dyn tokio_postgres::types::ToSql + Sync);
        let (e, q, a, d) = (&self.ent, &self.quo, &self.amt, &self.dat);
        let items: [P; 12] = [
            &self.id,
            &self.source,
            &self.url,
            &self.title,
            &self.published,
            &self.fetched,
            &self.language,
            &self.text,
            &self.countries,
            &self.tags,
            &self.duplicate_of,
            &self.item,
        ];
        let ids: [P; 1] = [&self.id];
        let ents: [P; 8] = [
            &e.item_id,
            &e.ord,
            &e.name,
            &e.kind,
            &e.country,
            &e.mentions,
            &e.aliases,
            &e.sections,
        ];
        let quos: [P; 5] = [&q.item_id, &q.ord, &q.text, &q.speaker, &q.section];
        let amts: [P; 6] = [&a.item_id, &a.ord, &a.text, &a.value, &a.unit, &a.section];
        let dats: [P; 6] = [&d.item_id, &d.ord, &d.text, &d.start, &d.end, &d.section];
        let tx = c.client.transaction().await?;
        let items = tx.execute(&c.items, &items);
        let delete = tx.execute(&c.delete, &ids);
        let entities = tx.execute(&c.entities, &ents);
        let quotes = tx.execute(&c.quotes, &quos);
        let amounts = tx.execute(&c.amounts, &amts);
        let dates = tx.execute(&c.dates, &dats);
        tokio::try_join!(items, delete, entities, quotes, amounts, dates)?;
        tx.commit().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_url_has_no_password() {
        let s = shown_url("postgres://bob:hunter2@db.example:6543/news?sslmode=require");
        assert_eq!(s, "postgres://bob@db.example:6543/news");
        assert_eq!(
            shown_url("host=h user=u password=p dbname=d"),
            "postgres://u@h:5432/d"
        );
    }

    #[test]
    fn build_checks_names_and_ranges() {
        let dir = std::env::temp_dir();
        let ctx = BuildContext::for_tests(&dir);
        let build = |extra: serde_json::Value| {
            let mut o = serde_json::json!({"url": "postgres://u:pw@h/db"});
            for (k, v) in extra.as_object().unwrap() {
                o[k] = v.clone();
            }
            PostgresSink::build(serde_json::from_value(o).unwrap(), &ctx)
        };
        let at = |extra| build(extra).unwrap_err().path;
        assert_eq!(at(serde_json::json!({"schema": "a;b"})), "schema");
        assert_eq!(at(serde_json::json!({"schema": ""})), "schema");
        assert_eq!(
            at(serde_json::json!({"table_prefix": "x-"})),
            "table_prefix"
        );
        assert_eq!(at(serde_json::json!({"batch_size": 0})), "batch_size");
        assert_eq!(at(serde_json::json!({"timeout": "10ms"})), "timeout");
        assert_eq!(
            at(serde_json::json!({"batch_timeout": "2h"})),
            "batch_timeout"
        );
        assert_eq!(
            at(serde_json::json!({"url": "postgres://h:notaport/db"})),
            "url"
        );
        let tls = build(serde_json::json!({"url": "postgres://h/db?sslmode=verify-full"})).unwrap();
        assert!(tls.tls.is_some());
        let s = build(serde_json::json!({})).unwrap();
        assert!(s.tls.is_none());
        assert!(!format!("{s:?}").contains("pw"));
        assert_eq!(s.batch_size(), 100);
    }

    #[test]
    fn rows_keep_the_last_copy_of_an_id_and_drop_nuls() {
        let mut a = Item::new("a", "s");
        a.title = Some("first".into());
        let mut a2 = Item::new("a", "s");
        a2.title = Some("sec\0ond".into());
        let r = Rows::new(&[a, Item::new("b", "s"), a2]).unwrap();
        assert_eq!(r.id, ["b", "a"]);
        assert_eq!(r.title[1].as_deref(), Some("second"));
        assert_eq!(r.item[1]["title"], "second");
    }
}
