//! The tables and their migrations. Each migration has a version; `migrate` applies the
//! missing ones in order, in one transaction that first takes an advisory lock on the
//! schema and prefix, so two daemons starting together apply each migration once and a
//! restart applies none. The applied versions are kept in `<prefix>migrations`.

use tokio_postgres::Client;

/// The quoted, schema-qualified names of the sink's tables.
#[derive(Clone, Debug)]
pub struct Tables {
    /// The schema as given (unquoted), for the lock key.
    pub schema: String,
    pub prefix: String,
    pub items: String,
    pub entities: String,
    pub quotes: String,
    pub amounts: String,
    pub dates: String,
    pub migrations: String,
}

/// Is `s` a plain SQL identifier fragment (letters, digits, `_`)? Names are quoted anyway;
/// this keeps them simple to type in a SQL client.
pub fn plain_identifier(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Tables {
    /// Names for `schema` and `prefix`, both already checked with [`plain_identifier`].
    pub fn new(schema: &str, prefix: &str) -> Tables {
        let t = |name: &str| format!("\"{schema}\".\"{prefix}{name}\"");
        Tables {
            schema: schema.to_string(),
            prefix: prefix.to_string(),
            items: t("items"),
            entities: t("entities"),
            quotes: t("quotes"),
            amounts: t("amounts"),
            dates: t("dates"),
            migrations: t("migrations"),
        }
    }

    /// `sql` with `{schema}`, `{p}` (the prefix, for index names) and the table names filled in.
    fn fill(&self, sql: &str) -> String {
        sql.replace("{schema}", &format!("\"{}\"", self.schema))
            .replace("{items}", &self.items)
            .replace("{entities}", &self.entities)
            .replace("{quotes}", &self.quotes)
            .replace("{amounts}", &self.amounts)
            .replace("{dates}", &self.dates)
            .replace("{p}", &self.prefix)
    }
}

/// The migrations, oldest first: (version, what it does, SQL). Never edit a released one;
/// add the next version instead.
pub const MIGRATIONS: &[(i32, &str, &str)] = &[(
    1,
    "items, entities, quotes, amounts, dates",
    r#"
CREATE TABLE IF NOT EXISTS {items} (
    id           text PRIMARY KEY,
    source       text NOT NULL,
    url          text,
    title        text,
    published    timestamptz,
    fetched      timestamptz NOT NULL,
    language     text,
    text         text NOT NULL DEFAULT '',
    countries    text[] NOT NULL DEFAULT '{}',
    tags         text[] NOT NULL DEFAULT '{}',
    duplicate_of text,
    item         jsonb NOT NULL,
    stored       timestamptz NOT NULL DEFAULT now(),
    search       tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') ||
        setweight(to_tsvector('english'::regconfig, text), 'B')
    ) STORED
);
CREATE INDEX IF NOT EXISTS "{p}items_search" ON {items} USING gin (search);
CREATE INDEX IF NOT EXISTS "{p}items_countries" ON {items} USING gin (countries);
CREATE INDEX IF NOT EXISTS "{p}items_published" ON {items} (published);
CREATE INDEX IF NOT EXISTS "{p}items_source" ON {items} (source, published);
CREATE INDEX IF NOT EXISTS "{p}items_duplicate_of" ON {items} (duplicate_of)
    WHERE duplicate_of IS NOT NULL;

CREATE TABLE IF NOT EXISTS {entities} (
    item_id  text NOT NULL REFERENCES {items} (id) ON DELETE CASCADE,
    ord      integer NOT NULL,
    name     text NOT NULL,
    kind     text NOT NULL,
    country  text,
    mentions integer NOT NULL,
    aliases  text[] NOT NULL DEFAULT '{}',
    sections text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (item_id, ord)
);
CREATE INDEX IF NOT EXISTS "{p}entities_name" ON {entities} (name, kind);

CREATE TABLE IF NOT EXISTS {quotes} (
    item_id text NOT NULL REFERENCES {items} (id) ON DELETE CASCADE,
    ord     integer NOT NULL,
    text    text NOT NULL,
    speaker text,
    section text,
    PRIMARY KEY (item_id, ord)
);
CREATE INDEX IF NOT EXISTS "{p}quotes_speaker" ON {quotes} (speaker);

CREATE TABLE IF NOT EXISTS {amounts} (
    item_id text NOT NULL REFERENCES {items} (id) ON DELETE CASCADE,
    ord     integer NOT NULL,
    text    text NOT NULL,
    value   double precision NOT NULL,
    unit    text NOT NULL,
    section text,
    PRIMARY KEY (item_id, ord)
);
CREATE INDEX IF NOT EXISTS "{p}amounts_unit" ON {amounts} (unit, value);

CREATE TABLE IF NOT EXISTS {dates} (
    item_id text NOT NULL REFERENCES {items} (id) ON DELETE CASCADE,
    ord     integer NOT NULL,
    text    text NOT NULL,
    start   date,
    "end"   date,
    section text,
    PRIMARY KEY (item_id, ord)
);
CREATE INDEX IF NOT EXISTS "{p}dates_start" ON {dates} (start);
"#,
)];

/// The newest version this build knows.
pub fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Create the schema and apply every missing migration, in one transaction under an
/// advisory lock (`pg_advisory_xact_lock`), released at commit. Returns the versions it
/// applied (empty when the tables were up to date).
pub async fn migrate(client: &mut Client, t: &Tables) -> Result<Vec<i32>, tokio_postgres::Error> {
    let tx = client.transaction().await?;
    let key = format!("feedloom:{}:{}", t.schema, t.prefix);
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))",
        &[&key],
    )
    .await?;
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS \"{}\";
         CREATE TABLE IF NOT EXISTS {} (
             version integer PRIMARY KEY,
             description text NOT NULL,
             applied timestamptz NOT NULL DEFAULT now()
         );",
        t.schema, t.migrations
    ))
    .await?;
    let have: i32 = tx
        .query_one(
            &format!("SELECT coalesce(max(version), 0) FROM {}", t.migrations),
            &[],
        )
        .await?
        .try_get(0)?;
    let mut applied = Vec::new();
    for (version, description, sql) in MIGRATIONS {
        if *version <= have {
            continue;
        }
        tx.batch_execute(&t.fill(sql)).await?;
        tx.execute(
            &format!(
                "INSERT INTO {} (version, description) VALUES ($1, $2)",
                t.migrations
            ),
            &[version, description],
        )
        .await?;
        applied.push(*version);
    }
    tx.commit().await?;
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_and_filled() {
        let t = Tables::new("news", "fl_");
        assert_eq!(t.items, "\"news\".\"fl_items\"");
        let sql = t.fill(MIGRATIONS[0].2);
        assert!(!sql.contains('{') || !sql.contains("{items}"));
        assert!(sql.contains("\"fl_items_search\" ON \"news\".\"fl_items\""));
        assert!(
            plain_identifier("feedloom_") && !plain_identifier("a\"b") && !plain_identifier("a b")
        );
        assert_eq!(latest(), 1);
    }
}
