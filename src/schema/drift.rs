//! Schema drift: the live shape of agentdb's own tables (columns with type, nullability and
//! default; primary, unique, foreign-key and check constraints; indexes) against the shape the
//! applied migrations define. Only tables the migrations create are compared, so other tools'
//! tables (LangGraph, ADK) are never reported.
//!
//! The reference is embedded in the binary ([`super::reference`]): the shape every prefix of the
//! migrations gives agentdb's tables, generated from the migrations themselves by a test (on a
//! real PostgreSQL server in temporary tables that are rolled back, on SQLite in memory) that
//! fails when the committed file differs. At run time nothing is created: the live catalog is
//! read (on PostgreSQL in one query) and compared, so the check works on a read-only session,
//! uses no transaction id and leaves no dead catalog rows.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use anyhow::{bail, Context, Result};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use serde::{Deserialize, Serialize};

use super::reference;
use crate::db::AnyConnection;
use crate::schema::migrations::{self, MigrationState};

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

/// A column, from the catalog's structured fields (PostgreSQL: `format_type`, `attnotnull`,
/// `pg_get_expr` of the default; SQLite: `pragma_table_info`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Column {
    #[serde(rename = "type")]
    pub data_type: String,
    pub not_null: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// `ALWAYS` or `BY DEFAULT` for an identity column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The expression of a generated column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let null = if self.not_null { "NOT NULL" } else { "NULL" };
        write!(f, "{} {null}", self.data_type)?;
        if let Some(d) = &self.default {
            write!(f, " DEFAULT {d}")?;
        }
        if let Some(g) = &self.generated {
            write!(f, " GENERATED ALWAYS AS ({g}) STORED")?;
        }
        if let Some(i) = &self.identity {
            write!(f, " GENERATED {i} AS IDENTITY")?;
        }
        Ok(())
    }
}

/// An index that backs no constraint. Key columns carry `DESC` / `NULLS FIRST|LAST` where
/// they differ from the default (SQLite: `DESC` and a non-default collation).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Index {
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// PostgreSQL's access method (`btree`, `gin`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// The `WHERE` of a partial index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// SQLite's catalog has no structured form for an expression index: its statement,
    /// whitespace squashed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
}

impl fmt::Display for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.statement {
            return f.write_str(s);
        }
        if self.unique {
            f.write_str("UNIQUE ")?;
        }
        f.write_str("INDEX")?;
        if let Some(m) = &self.method {
            write!(f, " USING {m}")?;
        }
        write!(f, " ({})", self.columns.join(", "))?;
        if !self.include.is_empty() {
            write!(f, " INCLUDE ({})", self.include.join(", "))?;
        }
        if self.nulls_not_distinct {
            f.write_str(" NULLS NOT DISTINCT")?;
        }
        if let Some(p) = &self.predicate {
            write!(f, " WHERE {p}")?;
        }
        Ok(())
    }
}

/// The table and columns a foreign key references, and its actions (`None`: NO ACTION).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct References {
    pub table: String,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub match_full: bool,
}

/// A constraint, compared by what it is, not by name (SQLite's have none).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Constraint {
    /// `primary key`, `unique`, `foreign key`, `check`, `exclusion` or `table option`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<References>,
    /// A check's expression; an exclusion constraint's or a table option's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// `DEFERRABLE` or `DEFERRABLE INITIALLY DEFERRED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferrable: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
}

impl Constraint {
    fn new(kind: &str) -> Constraint {
        Constraint {
            kind: kind.to_string(),
            columns: Vec::new(),
            references: None,
            expression: None,
            nulls_not_distinct: false,
            deferrable: None,
            not_valid: false,
        }
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self.columns.join(", ");
        match self.kind.as_str() {
            "primary key" => write!(f, "PRIMARY KEY ({columns})")?,
            "unique" if self.nulls_not_distinct => {
                write!(f, "UNIQUE NULLS NOT DISTINCT ({columns})")?
            }
            "unique" => write!(f, "UNIQUE ({columns})")?,
            "foreign key" => {
                write!(f, "FOREIGN KEY ({columns})")?;
                if let Some(r) = &self.references {
                    write!(f, " REFERENCES {} ({})", r.table, r.columns.join(", "))?;
                    if r.match_full {
                        f.write_str(" MATCH FULL")?;
                    }
                    if let Some(a) = &r.on_update {
                        write!(f, " ON UPDATE {a}")?;
                    }
                    if let Some(a) = &r.on_delete {
                        write!(f, " ON DELETE {a}")?;
                    }
                }
            }
            "check" => write!(f, "CHECK ({})", self.expression.as_deref().unwrap_or(""))?,
            _ => f.write_str(self.expression.as_deref().unwrap_or(&self.kind))?,
        }
        if let Some(d) = &self.deferrable {
            write!(f, " {d}")?;
        }
        if self.not_valid {
            f.write_str(" NOT VALID")?;
        }
        Ok(())
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A table's shape.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableShape {
    pub columns: BTreeMap<String, Column>,
    /// Indexes that back a constraint are compared as that constraint.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, Index>,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub constraints: BTreeSet<Constraint>,
}

/// Table name → shape.
pub type Shape = BTreeMap<String, TableShape>;

/// Compares the live schema of agentdb's tables with what the applied migrations define.
/// Reads only.
pub fn verify(conn: &mut AnyConnection) -> Result<Drift> {
    let states = migrations::read_states(conn)?;
    verify_with_states(conn, &states)
}

/// `verify` for migration states already read.
pub fn verify_with_states(conn: &mut AnyConnection, states: &[MigrationState]) -> Result<Drift> {
    let unknown = migrations::unknown_versions(states);
    if !unknown.is_empty() {
        bail!(
            "cannot verify the schema: it has migrations this agentdb does not know ({}); use the agentdb that applied them",
            unknown.join(", ")
        );
    }
    let applied: Vec<&str> = states
        .iter()
        .filter(|s| s.state == "applied")
        .map(|s| s.id.version.as_str())
        .collect();
    let expected = reference::expected(conn.backend(), &applied)?;
    let tables: Vec<String> = expected.keys().cloned().collect();
    let live = if tables.is_empty() {
        Shape::new()
    } else {
        match conn {
            AnyConnection::Postgresql(c) => postgres_shape(c, None, Some(&tables))?,
            AnyConnection::Sqlite(c) => sqlite_shape(c, Some(&tables))?,
        }
    };
    Ok(Drift {
        differences: compare(&expected, &live),
        tables,
    })
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
        for (constraint, is_missing) in missing.map(|c| (c, true)).chain(extra.map(|c| (c, false)))
        {
            out.push(Difference {
                table: table.clone(),
                object: "constraint",
                name: constraint.kind.clone(),
                expected: is_missing.then(|| constraint.to_string()),
                actual: (!is_missing).then(|| constraint.to_string()),
            });
        }
    }
    out
}

/// Differences between two name → part maps: changed, missing and extra parts.
fn named_differences<T: PartialEq + fmt::Display>(
    out: &mut Vec<Difference>,
    table: &str,
    object: &'static str,
    want: &BTreeMap<String, T>,
    have: &BTreeMap<String, T>,
) {
    let extra = have.keys().filter(|k| !want.contains_key(*k));
    for name in want.keys().chain(extra) {
        let (expected, actual) = (want.get(name), have.get(name));
        if expected != actual {
            out.push(Difference {
                table: table.to_string(),
                object,
                name: name.clone(),
                expected: expected.map(T::to_string),
                actual: actual.map(T::to_string),
            });
        }
    }
}

#[derive(QueryableByName)]
struct PartRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    part: String,
    #[diesel(sql_type = Text)]
    name: String,
    /// The part's structured fields as a JSON object.
    #[diesel(sql_type = Text)]
    body: String,
}

/// The whole shape in one read-only query: columns, indexes that back no constraint, and
/// constraints, each as a JSON object of catalog fields that read alike on PostgreSQL 14–17
/// (`format_type`, `pg_get_expr`, per-column `pg_get_indexdef`, `indoption` bits, `conkey`
/// names, action codes), never the whole `pg_get_indexdef` / `pg_get_constraintdef` text.
/// `$1`: the schema (NULL: `current_schema()`); `$2`: the tables (NULL: all). A first row
/// (`part` = `schema`) names the schema read.
const POSTGRES_SHAPE_SQL: &str = r#"
WITH s AS (SELECT COALESCE($1::text, current_schema()::text) AS nspname),
rel AS (
  SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = (SELECT nspname FROM s) AND c.relkind IN ('r', 'p')
    AND ($2::text[] IS NULL OR c.relname = ANY ($2::text[])))
SELECT ''::text AS table_name, 'schema'::text AS part, COALESCE((SELECT nspname FROM s), '') AS name,
  '{}'::text AS body
UNION ALL
SELECT r.relname::text, 'column', a.attname::text,
  json_build_object(
    'type', format_type(a.atttypid, a.atttypmod),
    'not_null', a.attnotnull,
    'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
    'identity', CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END,
    'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(d.adbin, d.adrelid) END)::text
FROM rel r
JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
UNION ALL
SELECT r.relname::text, 'index', i.relname::text,
  json_build_object(
    'unique', x.indisunique,
    'method', am.amname::text,
    'columns', ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true)
        || CASE WHEN x.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
        || CASE x.indoption[k - 1] & 3 WHEN 2 THEN ' NULLS FIRST' WHEN 1 THEN ' NULLS LAST' ELSE '' END
      FROM generate_series(1, x.indnkeyatts) k ORDER BY k),
    'include', ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true)
      FROM generate_series(x.indnkeyatts + 1, x.indnatts) k ORDER BY k),
    'predicate', pg_get_expr(x.indpred, x.indrelid, true),
    'nulls_not_distinct', COALESCE((to_jsonb(x) ->> 'indnullsnotdistinct')::boolean, false))::text
FROM rel r
JOIN pg_index x ON x.indrelid = r.oid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid
  AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))
UNION ALL
SELECT r.relname::text, 'constraint', k.conname::text,
  json_build_object(
    'kind', CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique'
      WHEN 'f' THEN 'foreign key' WHEN 'c' THEN 'check' ELSE 'exclusion' END,
    'columns', CASE WHEN k.contype IN ('p', 'u', 'f') THEN ARRAY(SELECT a.attname::text
      FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.ord)
      ELSE '{}'::text[] END,
    'references', CASE WHEN k.contype = 'f' THEN json_build_object(
      'table', f.relname::text,
      'columns', ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.ord),
      'on_update', CASE k.confupdtype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
        WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
      'on_delete', CASE k.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
        WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END,
      'match_full', k.confmatchtype = 'f') END,
    'expression', CASE k.contype WHEN 'c' THEN pg_get_expr(k.conbin, k.conrelid, true)
      WHEN 'x' THEN pg_get_constraintdef(k.oid, true) END,
    'nulls_not_distinct', k.contype = 'u' AND COALESCE((SELECT (to_jsonb(x) ->> 'indnullsnotdistinct')::boolean
      FROM pg_index x WHERE x.indexrelid = k.conindid), false),
    'deferrable', CASE WHEN k.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED'
      WHEN k.condeferrable THEN 'DEFERRABLE' END,
    'not_valid', NOT k.convalidated)::text
FROM rel r
JOIN pg_constraint k ON k.conrelid = r.oid AND k.contype IN ('p', 'u', 'f', 'c', 'x')
LEFT JOIN pg_class f ON f.oid = k.confrelid
"#;

/// The shape of the tables in `schema` (None: the current schema, where `migrate` creates
/// them), limited to `tables` when given.
pub fn postgres_shape(
    conn: &mut PgConnection,
    schema: Option<&str>,
    tables: Option<&[String]>,
) -> Result<Shape> {
    let rows: Vec<PartRow> = diesel::sql_query(POSTGRES_SHAPE_SQL)
        .bind::<Nullable<Text>, _>(schema)
        .bind::<Nullable<Array<Text>>, _>(tables)
        .load(conn)
        .context("cannot read the schema from the catalog")?;
    let mut shape = Shape::new();
    for r in rows {
        let body = r.body.as_str();
        let part = || format!("{} {} of {}", r.part, r.name, r.table_name);
        match r.part.as_str() {
            "schema" if r.name.is_empty() => {
                bail!("cannot read the current schema (is search_path empty?)")
            }
            "schema" => {}
            "column" => {
                let column: Column = serde_json::from_str(body).with_context(part)?;
                let t = shape.entry(r.table_name.clone()).or_default();
                t.columns.insert(r.name, column);
            }
            "index" => {
                let index: Index = serde_json::from_str(body).with_context(part)?;
                let t = shape.entry(r.table_name.clone()).or_default();
                t.indexes.insert(r.name, index);
            }
            _ => {
                let constraint: Constraint = serde_json::from_str(body).with_context(part)?;
                let t = shape.entry(r.table_name.clone()).or_default();
                t.constraints.insert(constraint);
            }
        }
    }
    Ok(shape)
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
    /// The key columns (JSON array), with `DESC` and a non-default collation.
    #[diesel(sql_type = Text)]
    columns: String,
}

impl SqliteIndex {
    /// Structured where SQLite's catalog has the fields, so `CREATE INDEX IF NOT EXISTS` or
    /// other spacing reads the same; an expression index falls back to its statement's text.
    fn index(&self) -> Result<Index> {
        let sql = squash_whitespace(self.sql.as_deref().unwrap_or_default());
        if self.has_expression {
            return Ok(Index {
                unique: self.is_unique,
                statement: Some(sql),
                ..Index::default()
            });
        }
        let predicate = if self.partial {
            sql.to_ascii_uppercase()
                .rfind(" WHERE ")
                .map(|at| sql[at + " WHERE ".len()..].to_string())
        } else {
            None
        };
        Ok(Index {
            unique: self.is_unique,
            columns: serde_json::from_str(&self.columns)
                .with_context(|| format!("columns of index {}", self.name))?,
            predicate,
            ..Index::default()
        })
    }
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = Text)]
    from_columns: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    to_columns: String,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    match_kind: String,
}

/// SQLite's action spelling, `None` for the default.
fn sqlite_action(action: String) -> Option<String> {
    (action != "NO ACTION").then_some(action)
}

/// The shape of the tables of `main`, limited to `tables` when given.
pub fn sqlite_shape(conn: &mut SqliteConnection, tables: Option<&[String]>) -> Result<Shape> {
    let listed: Vec<SqliteTable> = diesel::sql_query(
        "SELECT m.name, m.sql, t.wr AS without_rowid FROM sqlite_master m \
         JOIN pragma_table_list t ON t.name = m.name AND t.schema = 'main' \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
    )
    .load(conn)
    .context("cannot read the tables")?;
    let mut shape = Shape::new();
    for table in listed {
        if tables.is_some_and(|wanted| !wanted.contains(&table.name)) {
            continue;
        }
        let t = sqlite_table(conn, &table)?;
        shape.insert(table.name, t);
    }
    Ok(shape)
}

fn sqlite_table(conn: &mut SqliteConnection, table: &SqliteTable) -> Result<TableShape> {
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
        if c.pk > 0 {
            primary_key.push((c.pk, c.name.clone()));
        }
        t.columns.insert(
            c.name,
            Column {
                data_type: c.column_type,
                not_null: c.not_null,
                default: c.default_value,
                identity: None,
                generated: None,
            },
        );
    }
    primary_key.sort();
    if !primary_key.is_empty() {
        let mut pk = Constraint::new("primary key");
        pk.columns = primary_key.into_iter().map(|(_, n)| n).collect();
        t.constraints.insert(pk);
    }
    if table.without_rowid {
        let mut option = Constraint::new("table option");
        option.expression = Some("WITHOUT ROWID".into());
        t.constraints.insert(option);
    }
    let indexes: Vec<SqliteIndex> = diesel::sql_query(
        "SELECT l.name, l.origin, l.\"unique\" AS is_unique, l.partial, m.sql, \
           (SELECT count(*) > 0 FROM pragma_index_xinfo(l.name) WHERE key AND cid = -2) AS has_expression, \
           (SELECT json_group_array(column_text) FROM \
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
                t.indexes.insert(i.name.clone(), i.index()?);
            }
            "u" => {
                let mut unique = Constraint::new("unique");
                unique.columns = serde_json::from_str(&i.columns)
                    .with_context(|| format!("columns of index {}", i.name))?;
                t.constraints.insert(unique);
            }
            // The primary key's own index: compared as the primary key.
            _ => {}
        }
    }
    let foreign_keys: Vec<SqliteForeignKey> = diesel::sql_query(
        "SELECT json_group_array(\"from\") AS from_columns, \"table\" AS table_name, \
           json_group_array(coalesce(\"to\", '<primary key>')) AS to_columns, \
           on_update, on_delete, \"match\" AS match_kind \
         FROM (SELECT * FROM pragma_foreign_key_list($1) ORDER BY id, seq) GROUP BY id",
    )
    .bind::<Text, _>(&table.name)
    .load(conn)
    .with_context(|| format!("cannot read the foreign keys of {}", table.name))?;
    for fk in foreign_keys {
        let mut c = Constraint::new("foreign key");
        c.columns = serde_json::from_str(&fk.from_columns).context("foreign key columns")?;
        c.references = Some(References {
            table: fk.table_name,
            columns: serde_json::from_str(&fk.to_columns).context("foreign key columns")?,
            on_update: sqlite_action(fk.on_update),
            on_delete: sqlite_action(fk.on_delete),
            match_full: fk.match_kind.eq_ignore_ascii_case("FULL"),
        });
        t.constraints.insert(c);
    }
    for check in check_clauses(&table.sql) {
        let mut c = Constraint::new("check");
        c.expression = Some(check);
        t.constraints.insert(c);
    }
    Ok(t)
}

/// The expressions of the `CHECK (…)` clauses of a SQLite `CREATE TABLE` statement (SQLite keeps them only in
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
                    out.push(squash_whitespace(inner.trim()));
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
            vec!["a IN ('x', 'check (no)')", "(b) >= 0"]
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
