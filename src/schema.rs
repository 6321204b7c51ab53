//! Schema drift: the live shape of agentdb's own tables (columns with type, nullability and
//! default; primary, unique, foreign-key and check constraints; indexes) against the shape the
//! applied migrations define. The reference is built from the migrations themselves, never
//! from a hand-kept copy: on PostgreSQL in a throwaway schema (the session's temporary schema)
//! inside a transaction that is rolled back, on SQLite in an in-memory database. Only tables the migrations create are
//! compared, so other tools' tables (LangGraph, ADK) are never reported.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use serde::Serialize;

use crate::db::{AnyConnection, Backend, TextRow};
use crate::migration_script::embedded_sql;
use crate::migrations::{self, MigrationState};

/// One difference between the live schema and the migrations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub table: String,
    /// `table`, `column`, `index` or `constraint`.
    pub object: &'static str,
    /// The column or index name; for a constraint its kind (`check`, `foreign key`, …).
    pub name: String,
    /// What the migrations define; `null` when the database has something they do not.
    pub expected: Option<String>,
    /// What the database has; `null` when it is missing.
    pub actual: Option<String>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct Drift {
    /// The tables compared (those the applied migrations create).
    pub tables: Vec<String>,
    pub differences: Vec<Difference>,
}

/// A table's shape: every part as comparable text.
#[derive(Debug, Default, Clone, PartialEq)]
struct TableShape {
    /// name → `type NOT NULL DEFAULT …`
    columns: BTreeMap<String, String>,
    /// index name → definition (indexes that back a constraint are compared as constraints)
    indexes: BTreeMap<String, String>,
    /// (kind, definition): compared by definition, as SQLite's constraints have no names
    constraints: BTreeSet<(String, String)>,
}

type Shape = BTreeMap<String, TableShape>;

/// Compares the live schema of agentdb's tables with what the applied migrations define.
/// Writes nothing: the PostgreSQL reference lives in a transaction that is rolled back.
pub fn verify(conn: &mut AnyConnection) -> Result<Drift> {
    let states = migrations::read_states(conn)?;
    let unknown = migrations::unknown_versions(&states);
    if !unknown.is_empty() {
        bail!(
            "cannot verify the schema: it has migrations this agentdb does not know ({}); use the agentdb that applied them",
            unknown.join(", ")
        );
    }
    let applied = applied_sql(conn.backend(), &states);
    let (expected, live) = match conn {
        AnyConnection::Postgresql(c) => postgres_shapes(c, &applied)?,
        AnyConnection::Sqlite(c) => (sqlite_reference(&applied)?, sqlite_shape(c)?),
    };
    Ok(Drift {
        tables: expected.keys().cloned().collect(),
        differences: compare(&expected, &live),
    })
}

/// The `up.sql` of every applied migration, in version order.
fn applied_sql(backend: Backend, states: &[MigrationState]) -> Vec<&'static str> {
    embedded_sql(backend)
        .iter()
        .filter(|m| {
            states
                .iter()
                .any(|s| s.state == "applied" && s.id.version == m.version())
        })
        .map(|m| m.up)
        .collect()
}

fn compare(expected: &Shape, live: &Shape) -> Vec<Difference> {
    let mut out = Vec::new();
    for (table, want) in expected {
        let Some(have) = live.get(table) else {
            out.push(Difference {
                table: table.clone(),
                object: "table",
                name: table.clone(),
                expected: Some("defined by the migrations".to_string()),
                actual: None,
            });
            continue;
        };
        named_differences(&mut out, table, "column", &want.columns, &have.columns);
        named_differences(&mut out, table, "index", &want.indexes, &have.indexes);
        let missing = want.constraints.difference(&have.constraints);
        let extra = have.constraints.difference(&want.constraints);
        for ((kind, definition), is_missing) in
            missing.map(|c| (c, true)).chain(extra.map(|c| (c, false)))
        {
            out.push(Difference {
                table: table.clone(),
                object: "constraint",
                name: kind.clone(),
                expected: is_missing.then(|| definition.clone()),
                actual: (!is_missing).then(|| definition.clone()),
            });
        }
    }
    out
}

/// Differences between two name → definition maps: changed, missing and extra parts.
fn named_differences(
    out: &mut Vec<Difference>,
    table: &str,
    object: &'static str,
    want: &BTreeMap<String, String>,
    have: &BTreeMap<String, String>,
) {
    let extra = have.keys().filter(|k| !want.contains_key(*k));
    for name in want.keys().chain(extra) {
        let (expected, actual) = (want.get(name), have.get(name));
        if expected != actual {
            out.push(Difference {
                table: table.to_string(),
                object,
                name: name.clone(),
                expected: expected.cloned(),
                actual: actual.cloned(),
            });
        }
    }
}

#[derive(QueryableByName)]
struct PartRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

#[derive(QueryableByName)]
struct SearchPath {
    /// The schema `migrate` creates its tables in.
    #[diesel(sql_type = Text)]
    current: String,
    #[diesel(sql_type = Text)]
    search_path: String,
}

/// PostgreSQL: the live shape, then the reference built in the session's temporary schema;
/// all in one transaction that is rolled back (one server connection, so it works behind
/// PgBouncer, and nothing is left behind).
fn postgres_shapes(conn: &mut PgConnection, applied: &[&str]) -> Result<(Shape, Shape)> {
    let mut result = None;
    let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        result = Some(postgres_shapes_in_transaction(conn, applied));
        Err(diesel::result::Error::RollbackTransaction)
    });
    match (result, outcome) {
        (Some(shapes), _) => shapes,
        (None, Err(e)) => Err(e).context("cannot start the verification transaction"),
        (None, Ok(())) => unreachable!("the transaction always rolls back"),
    }
}

fn postgres_shapes_in_transaction(
    conn: &mut PgConnection,
    applied: &[&str],
) -> Result<(Shape, Shape)> {
    let path: SearchPath = diesel::sql_query(
        "SELECT current_schema()::text AS current, current_setting('search_path') AS search_path",
    )
    .get_result(conn)
    .context("cannot read the current schema (is search_path empty?)")?;
    let live = postgres_shape(conn, &path.current)?;

    if applied.is_empty() {
        return Ok((Shape::new(), live));
    }
    // The session's temporary schema first, so the migrations create their tables there (as
    // temporary tables: no WAL for their data, and a rollback that only unlinks local files,
    // which made the whole check 2x faster than a `CREATE SCHEMA`, and needs only the TEMP
    // privilege every role has by default). The rest of the search path stays, for anything
    // the migrations use from it.
    conn.batch_execute(&format!(
        "SET LOCAL search_path = pg_temp, {}",
        path.search_path
    ))
    .context("cannot set the search path for the reference schema")?;
    for sql in applied {
        conn.batch_execute(sql)
            .context("cannot build the reference schema from the migrations (in temporary tables that are rolled back)")?;
    }
    let reference: TextRow = diesel::sql_query(
        "SELECT nspname::text AS value FROM pg_namespace WHERE oid = pg_my_temp_schema()",
    )
    .get_result(conn)
    .context("cannot find the temporary schema of the reference")?;
    let expected = postgres_shape(conn, &reference.value)?;
    Ok((expected, live))
}

/// The shape of every table in `schema`.
fn postgres_shape(conn: &mut PgConnection, schema: &str) -> Result<Shape> {
    let columns: Vec<PartRow> = diesel::sql_query(
        "SELECT c.relname::text AS table_name, a.attname::text AS name, \
           format_type(a.atttypid, a.atttypmod) \
           || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END \
           || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS definition \
         FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped",
    )
    .bind::<Text, _>(schema)
    .load(conn)
    .context("cannot read the columns")?;
    // Indexes that back a primary key, unique or exclusion constraint are compared as that
    // constraint. The table name is unqualified so both schemas read alike.
    let indexes: Vec<PartRow> = diesel::sql_query(
        "SELECT t.relname::text AS table_name, i.relname::text AS name, \
           replace(replace(pg_get_indexdef(i.oid), ' ON ' || quote_ident(n.nspname) || '.', ' ON '), \
             ' ON pg_temp.', ' ON ') AS definition \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint k \
           WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))",
    )
    .bind::<Text, _>(schema)
    .load(conn)
    .context("cannot read the indexes")?;
    let constraints: Vec<PartRow> = diesel::sql_query(
        "SELECT c.relname::text AS table_name, \
           CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key' \
             WHEN 'c' THEN 'check' ELSE 'exclusion' END AS name, \
           pg_get_constraintdef(k.oid, true) AS definition \
         FROM pg_constraint k \
         JOIN pg_class c ON c.oid = k.conrelid \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND k.contype IN ('p', 'u', 'f', 'c', 'x')",
    )
    .bind::<Text, _>(schema)
    .load(conn)
    .context("cannot read the constraints")?;
    let mut shape = Shape::new();
    for r in columns {
        shape
            .entry(r.table_name)
            .or_default()
            .columns
            .insert(r.name, r.definition);
    }
    for r in indexes {
        shape
            .entry(r.table_name)
            .or_default()
            .indexes
            .insert(r.name, r.definition);
    }
    for r in constraints {
        shape
            .entry(r.table_name)
            .or_default()
            .constraints
            .insert((r.name, r.definition));
    }
    Ok(shape)
}

/// SQLite: the applied migrations run in an in-memory database.
fn sqlite_reference(applied: &[&str]) -> Result<Shape> {
    let mut conn = SqliteConnection::establish(":memory:")
        .context("cannot open an in-memory SQLite database for the reference schema")?;
    for sql in applied {
        conn.batch_execute(sql)
            .context("cannot build the reference schema from the migrations")?;
    }
    sqlite_shape(&mut conn)
}

#[derive(QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
    #[diesel(sql_type = Bool)]
    without_rowid: bool,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    column_type: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
    #[diesel(sql_type = Nullable<Text>)]
    default_value: Option<String>,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    /// `c` (CREATE INDEX), `u` (UNIQUE constraint) or `pk`.
    origin: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
    #[diesel(sql_type = Bool)]
    has_expression: bool,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
    /// The key columns, with `DESC` and a non-default collation.
    #[diesel(sql_type = Text)]
    columns: String,
}

impl SqliteIndex {
    /// A canonical definition, so `CREATE INDEX IF NOT EXISTS` or other spacing reads the same;
    /// an expression index falls back to its statement's text.
    fn definition(&self) -> String {
        let sql = squash_whitespace(self.sql.as_deref().unwrap_or_default());
        if self.has_expression {
            return sql;
        }
        let unique = if self.is_unique { "UNIQUE " } else { "" };
        let mut definition = format!("{unique}INDEX ({})", self.columns);
        if self.partial {
            if let Some(at) = sql.to_ascii_uppercase().rfind(" WHERE ") {
                definition.push_str(&sql[at..]);
            }
        }
        definition
    }
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Text)]
    definition: String,
}

fn sqlite_shape(conn: &mut SqliteConnection) -> Result<Shape> {
    let tables: Vec<SqliteTable> = diesel::sql_query(
        "SELECT m.name, m.sql, t.wr AS without_rowid FROM sqlite_master m \
         JOIN pragma_table_list t ON t.name = m.name AND t.schema = 'main' \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .load(conn)
    .context("cannot read the tables")?;
    let mut shape = Shape::new();
    for table in tables {
        let mut t = TableShape::default();
        let columns: Vec<SqliteColumn> = diesel::sql_query(
            "SELECT name, type AS column_type, \"notnull\" AS not_null, dflt_value AS default_value, pk \
             FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind::<Text, _>(&table.name)
        .load(conn)
        .with_context(|| format!("cannot read the columns of {}", table.name))?;
        let mut primary_key: Vec<(i64, String)> = Vec::new();
        for c in columns {
            let mut definition = format!(
                "{} {}",
                c.column_type,
                if c.not_null { "NOT NULL" } else { "NULL" }
            );
            if let Some(default) = c.default_value {
                definition.push_str(&format!(" DEFAULT {default}"));
            }
            if c.pk > 0 {
                primary_key.push((c.pk, c.name.clone()));
            }
            t.columns.insert(c.name, definition);
        }
        primary_key.sort();
        if !primary_key.is_empty() {
            let names: Vec<String> = primary_key.into_iter().map(|(_, n)| n).collect();
            t.constraints.insert((
                "primary key".into(),
                format!("PRIMARY KEY ({})", names.join(", ")),
            ));
        }
        if table.without_rowid {
            t.constraints
                .insert(("table option".into(), "WITHOUT ROWID".into()));
        }
        let indexes: Vec<SqliteIndex> = diesel::sql_query(
            "SELECT l.name, l.origin, l.\"unique\" AS is_unique, l.partial, m.sql, \
               (SELECT count(*) > 0 FROM pragma_index_xinfo(l.name) WHERE key AND cid = -2) AS has_expression, \
               (SELECT group_concat(column_text, ', ') FROM \
                  (SELECT coalesce(name, '<expression>') \
                     || CASE WHEN \"desc\" THEN ' DESC' ELSE '' END \
                     || CASE WHEN coll <> 'BINARY' THEN ' COLLATE ' || coll ELSE '' END AS column_text \
                   FROM pragma_index_xinfo(l.name) WHERE key ORDER BY seqno)) AS columns \
             FROM pragma_index_list($1) l LEFT JOIN sqlite_master m ON m.type = 'index' AND m.name = l.name",
        )
        .bind::<Text, _>(&table.name)
        .load(conn)
        .with_context(|| format!("cannot read the indexes of {}", table.name))?;
        for i in indexes {
            match i.origin.as_str() {
                "c" => {
                    t.indexes.insert(i.name.clone(), i.definition());
                }
                "u" => {
                    t.constraints
                        .insert(("unique".into(), format!("UNIQUE ({})", i.columns)));
                }
                // The primary key's own index: compared as the primary key.
                _ => {}
            }
        }
        let foreign_keys: Vec<SqliteForeignKey> = diesel::sql_query(
            "SELECT 'FOREIGN KEY (' || group_concat(\"from\", ', ') || ') REFERENCES ' || \"table\" \
               || ' (' || group_concat(coalesce(\"to\", '<primary key>'), ', ') || ')' \
               || CASE WHEN on_update <> 'NO ACTION' THEN ' ON UPDATE ' || on_update ELSE '' END \
               || CASE WHEN on_delete <> 'NO ACTION' THEN ' ON DELETE ' || on_delete ELSE '' END AS definition \
             FROM (SELECT * FROM pragma_foreign_key_list($1) ORDER BY id, seq) GROUP BY id",
        )
        .bind::<Text, _>(&table.name)
        .load(conn)
        .with_context(|| format!("cannot read the foreign keys of {}", table.name))?;
        for fk in foreign_keys {
            t.constraints.insert(("foreign key".into(), fk.definition));
        }
        for check in check_clauses(&table.sql) {
            t.constraints.insert(("check".into(), check));
        }
        shape.insert(table.name, t);
    }
    Ok(shape)
}

/// The `CHECK (…)` clauses of a SQLite `CREATE TABLE` statement (SQLite keeps them only in
/// the statement's text), whitespace squashed; strings, quoted names and comments skipped.
fn check_clauses(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(end) = skip_quoted_or_comment(&chars, i) {
            i = end;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word.eq_ignore_ascii_case("check") {
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if j < chars.len() && chars[j] == '(' {
                    let end = matching_paren(&chars, j);
                    let inner: String = chars[j + 1..end.min(chars.len())].iter().collect();
                    out.push(format!("CHECK ({})", squash_whitespace(inner.trim())));
                    i = end + 1;
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Where a string literal, quoted name or comment starting at `i` ends (exclusive).
fn skip_quoted_or_comment(chars: &[char], i: usize) -> Option<usize> {
    let close = match chars[i] {
        '\'' => '\'',
        '"' => '"',
        '`' => '`',
        '[' => ']',
        '-' if chars.get(i + 1) == Some(&'-') => '\n',
        '/' if chars.get(i + 1) == Some(&'*') => {
            let mut j = i + 2;
            while j + 1 < chars.len() && !(chars[j] == '*' && chars[j + 1] == '/') {
                j += 1;
            }
            return Some((j + 2).min(chars.len()));
        }
        _ => return None,
    };
    let mut j = i + 1;
    while j < chars.len() && chars[j] != close {
        j += 1;
    }
    Some((j + 1).min(chars.len()))
}

/// The index of the `)` closing the `(` at `open`.
fn matching_paren(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i < chars.len() {
        if let Some(end) = skip_quoted_or_comment(chars, i) {
            i = end;
            continue;
        }
        match chars[i] {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// Whitespace runs (and comments) outside quotes become one space.
fn squash_whitespace(sql: &str) -> String {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match skip_quoted_or_comment(&chars, i) {
            Some(end) if matches!(chars[i], '-' | '/') => {
                i = end;
                push_space(&mut out);
            }
            Some(end) => {
                out.extend(&chars[i..end]);
                i = end;
            }
            None if chars[i].is_whitespace() => {
                push_space(&mut out);
                i += 1;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out.trim().to_string()
}

fn push_space(out: &mut String) {
    if !out.ends_with(' ') && !out.is_empty() {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_check_clauses_outside_strings_and_comments() {
        let sql = "CREATE TABLE t (\n  a TEXT CHECK (a IN ('x', 'check (no)')), -- check (comment)\n  b INT,\n  CHECK ((b) >=\n 0)\n)";
        assert_eq!(
            check_clauses(sql),
            vec!["CHECK (a IN ('x', 'check (no)'))", "CHECK ((b) >= 0)"]
        );
    }

    #[test]
    fn squashes_whitespace_but_not_strings() {
        assert_eq!(
            squash_whitespace("CREATE  INDEX\n  i ON t (a, '  b') -- why\n"),
            "CREATE INDEX i ON t (a, '  b')"
        );
    }
}
