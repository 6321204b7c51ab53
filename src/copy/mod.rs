//! The copy engine behind `copy` and `backup`: rows of a set of tables read from one database
//! and written to another, in any direction between SQLite and PostgreSQL, converted
//! faithfully and verified.
//!
//! - Every column is read in a canonical text form, the same on both backends (timestamps as
//!   UTC ISO-8601 with microseconds, booleans `true`/`false`, JSON as text), so one row looks the
//!   same whichever side it was read from.
//! - The source is read in one snapshot (PostgreSQL `REPEATABLE READ READ ONLY`, SQLite one read
//!   transaction), streamed in pages (SQLite a statement cursor, PostgreSQL a transaction-scoped
//!   cursor), so memory stays flat.
//! - The target is written in ONE transaction that first takes the schema lock `migrate` takes:
//!   PostgreSQL through `COPY … FROM STDIN`, SQLite through bounded multi-row inserts.
//! - Verification, always: per table the row count and an order-independent digest of the
//!   canonical rows (JSON compared by content, not spelling), computed while reading the source
//!   and again by reading the target back inside its transaction. Any mismatch rolls back.
//!
//! What a table looks like (its columns and their kinds) is described by a `TableSpec`: agentdb's
//! own tables here, other tools' tables in their modules (`crate::adk`, `crate::langgraph`, which
//! also converts SqliteSaver checkpoints to PostgresSaver's layout).

use std::cell::RefCell;
use std::io::Write;

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::cli::Include;
use crate::db::{self, AnyConnection, Backend};
use crate::output::Output;
use crate::schema::migrations::{self, RunOptions};

/// How a column's values are represented, which decides how they are read, written and
/// compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Int,
    /// PostgreSQL `boolean`, SQLite 0/1.
    Bool,
    /// PostgreSQL `jsonb`, SQLite JSON text.
    Json,
    /// agentdb's times: PostgreSQL `timestamptz`, SQLite ISO-8601 UTC text.
    Timestamp,
    /// ADK's naive-UTC times: PostgreSQL `timestamp` (or `timestamptz`), SQLite DATETIME text
    /// `YYYY-MM-DD HH:MM:SS[.ffffff]` or REAL epoch seconds (`SqliteSessionService`).
    NaiveTimestamp,
    /// PostgreSQL `bytea`, SQLite BLOB; canonical form lowercase hex.
    Bytes,
}

/// A column or table name quoted for SQL (both backends): names such as `timestamp` and `key`
/// are keywords.
fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| quoted(n))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
}

/// A table the engine can copy.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec {
    /// The group `--include` names (`agentdb`, `adk`, `langgraph`).
    pub group: &'static str,
    pub name: &'static str,
    /// The primary key: names rows in messages, orders an `ordered` read.
    pub key: &'static [&'static str],
    /// The column holding the tenant id, for `--tenant` (agentdb's tables only).
    pub tenant_column: Option<&'static str>,
    pub columns: &'static [Column],
}

impl TableSpec {
    fn column_list(&self) -> String {
        quoted_list(&self.columns.iter().map(|c| c.name).collect::<Vec<_>>())
    }

    fn key_positions(&self) -> Vec<usize> {
        self.key
            .iter()
            .map(|k| {
                self.columns
                    .iter()
                    .position(|c| c.name == *k)
                    .expect("key columns are columns")
            })
            .collect()
    }
}

/// Declares tables the engine copies: their `TableSpec`s, a diesel `table!` for each (all
/// columns as text: the COPY it is used for sends text), and `copy_in_postgres`, which runs
/// `COPY <table> (<columns>) FROM STDIN` for a table given by name.
macro_rules! copy_tables_macro {
    (@name $col:ident) => { stringify!($col) };
    (@name $col:ident $sql:literal) => { $sql };
    ($specs:ident, $group:literal, $(
        $table:ident ($($key:ident),+) tenant $tenant:expr => { $($col:ident $([$sql:literal])? : $kind:ident),+ $(,)? }
    )+) => {
        pub const $specs: &[$crate::copy::TableSpec] = &[$(
            $crate::copy::TableSpec {
                group: $group,
                name: stringify!($table),
                key: &[$(stringify!($key)),+],
                tenant_column: $tenant,
                columns: &[$($crate::copy::Column {
                    name: $crate::copy::declare_copy_tables!(@name $col $($sql)?),
                    kind: $crate::copy::Kind::$kind,
                }),+],
            }
        ),+];

        mod copy_schema {
            $(diesel::table! {
                $table ($($key),+) {
                    $($(#[sql_name = $sql])? $col -> diesel::sql_types::Text,)+
                }
            })+
        }

        /// `COPY <table> FROM STDIN` (text format) with rows from `write`.
        pub fn copy_in_postgres(
            conn: &mut diesel::pg::PgConnection,
            table: &str,
            write: impl Fn(&mut dyn std::io::Write) -> Result<(), $crate::copy::CopyInError>,
        ) -> Result<usize, $crate::copy::CopyInError> {
            use diesel::pg::CopyFormat;
            use diesel::prelude::ExecuteCopyFromDsl;
            match table {
                $(stringify!($table) => diesel::copy_from(copy_schema::$table::table)
                    .from_raw_data(copy_schema::$table::table, write)
                    .with_format(CopyFormat::Text)
                    .execute(conn),)+
                other => unreachable!("no COPY target for table {other}"),
            }
        }
    };
}
pub(crate) use copy_tables_macro as declare_copy_tables;

/// agentdb's own tables, in foreign-key order (parents first).
pub mod agentdb_tables {
    use super::declare_copy_tables;
    declare_copy_tables! { TABLES, "agentdb",
        tenants (id) tenant Some("id") => {
            id: Text, name: Text, status: Text, api_key_hash: Text, api_key_prefix: Text,
            metadata: Json, created_at: Timestamp, updated_at: Timestamp,
        }
        tenant_configs (tenant_id, key) tenant Some("tenant_id") => {
            tenant_id: Text, key: Text, value: Json, source_file: Text, content_hash: Text,
            created_at: Timestamp, updated_at: Timestamp,
        }
        agents (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, name: Text, description: Text, agent_type: Text,
            persona: Text, config: Json, tools: Json, sub_agents: Json, planner: Json,
            version: Int, is_active: Bool, usage_count: Int, created_at: Timestamp,
            last_used_at: Timestamp, metadata: Json,
        }
        threads (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, agent_id: Text, title: Text, agent_type: Text,
            model: Text, provider: Text, session_id: Text, status: Text,
            created_at: Timestamp, updated_at: Timestamp, last_message_at: Timestamp,
            metadata: Json,
        }
        messages (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, thread_id: Text, role: Text, content: Text,
            message_type: Text, tool_name: Text, tool_arguments: Json, tool_call_id: Text,
            artifact_data: Json, is_complete: Bool, created_at: Timestamp, metadata: Json,
        }
        runs (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, thread_id: Text, status: Text, total_tasks: Int,
            completed_tasks: Int, failed_tasks: Int, state_snapshot: Json, error: Text,
            created_at: Timestamp, started_at: Timestamp, finished_at: Timestamp,
        }
    }
}

/// An error raised while feeding a `COPY … FROM STDIN`; the real cause is kept by the feeder.
#[derive(Debug)]
pub struct CopyInError(String);

impl std::fmt::Display for CopyInError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CopyInError {}

impl From<diesel::result::Error> for CopyInError {
    fn from(e: diesel::result::Error) -> Self {
        CopyInError(e.to_string())
    }
}

/// One row in canonical text form: one value per column, `None` for NULL.
pub type Row = Vec<Option<String>>;

/// Rows read per page of the source; fewer for tables of blobs (checkpoints can be large).
const PAGE_ROWS: i64 = 5000;
const BLOB_PAGE_ROWS: i64 = 200;

fn page_rows(spec: &TableSpec) -> i64 {
    if spec.columns.iter().any(|c| c.kind == Kind::Bytes) {
        BLOB_PAGE_ROWS
    } else {
        PAGE_ROWS
    }
}

/// Which rows of a table to copy: all, or those of some tenants.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Validated tenant ids (`[a-z0-9][a-z0-9_-]*`): safe to write into SQL.
    pub tenants: Vec<String>,
}

impl Filter {
    /// A SQL condition (or `None` for every row) for `spec`.
    fn condition(&self, spec: &TableSpec) -> Option<String> {
        let column = spec.tenant_column?;
        if self.tenants.is_empty() {
            return None;
        }
        let list: Vec<String> = self.tenants.iter().map(|t| format!("'{t}'")).collect();
        Some(format!("{} IN ({})", quoted(column), list.join(", ")))
    }
}

/// The SQL expression that reads `column` in canonical text form on `backend`.
fn read_expr(backend: Backend, column: &Column) -> String {
    let name = quoted(column.name);
    match (backend, column.kind) {
        (Backend::Postgres, Kind::Text) => name,
        (Backend::Postgres, Kind::Int | Kind::Bool | Kind::Json) => format!("{name}::text"),
        (Backend::Postgres, Kind::Timestamp) => format!(
            "to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        ),
        // A `timestamptz` variant renders in the session's zone, which diesel sets to UTC.
        (Backend::Postgres, Kind::NaiveTimestamp) => {
            format!("to_char({name}, 'YYYY-MM-DD HH24:MI:SS.US')")
        }
        (Backend::Sqlite, Kind::Text | Kind::Json | Kind::Timestamp) => name,
        (Backend::Postgres, Kind::Bytes) => format!("encode({name}, 'hex')"),
        (Backend::Sqlite, Kind::Bytes) => {
            format!("CASE WHEN {name} IS NULL THEN NULL ELSE lower(hex({name})) END")
        }
        (Backend::Sqlite, Kind::Int) => format!("CAST({name} AS TEXT)"),
        (Backend::Sqlite, Kind::Bool) => {
            format!("CASE WHEN {name} IS NULL THEN NULL WHEN {name} THEN 'true' ELSE 'false' END")
        }
        // REAL epoch seconds with all their microseconds (CAST keeps only 15 digits).
        (Backend::Sqlite, Kind::NaiveTimestamp) => format!(
            "CASE WHEN typeof({name}) IN ('real', 'integer') THEN printf('%.6f', {name}) ELSE {name} END"
        ),
    }
}

/// The widest table the engine reads (agentdb's `agents`).
const WIDE_COLUMNS: usize = 16;

/// A row of any table as up to `WIDE_COLUMNS` text values `c0`…`c15` (unused ones NULL): one
/// generic shape for diesel, without encoding rows in SQL and decoding them again.
#[derive(QueryableByName)]
struct WideRow {
    #[diesel(sql_type = Nullable<Text>)]
    c0: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c1: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c2: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c3: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c4: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c5: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c6: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c7: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c8: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c9: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c10: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c11: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c12: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c13: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c14: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    c15: Option<String>,
}

impl WideRow {
    fn into_row(self, width: usize) -> Row {
        let mut row = vec![
            self.c0, self.c1, self.c2, self.c3, self.c4, self.c5, self.c6, self.c7, self.c8,
            self.c9, self.c10, self.c11, self.c12, self.c13, self.c14, self.c15,
        ];
        row.truncate(width);
        row
    }
}

#[derive(QueryableByName)]
struct EncodedRow {
    /// A row's key values as a JSON array of strings (any key width in one column).
    #[diesel(sql_type = Text)]
    row: String,
}

/// Reads a table in pages within the caller's transaction, without holding it in memory:
/// SQLite streams one query (diesel's `load_iter`, a cursor over the statement); PostgreSQL
/// fetches from a transaction-scoped cursor (`DECLARE … CURSOR`, safe behind PgBouncer's
/// transaction pooling). Rows come in storage order unless `ordered` (primary key order).
pub struct TableReader<'a> {
    spec: &'a TableSpec,
    select: String,
    backend: Backend,
}

/// The cursor name of `TableReader` on PostgreSQL (one open at a time per connection).
const CURSOR: &str = "agentdb_copy_rows";

impl<'a> TableReader<'a> {
    pub fn new(spec: &'a TableSpec, backend: Backend, filter: &Filter) -> TableReader<'a> {
        TableReader::with_order(spec, backend, filter, false)
    }

    /// A reader in primary key order (the LangGraph conversion groups by thread).
    pub fn ordered(spec: &'a TableSpec, backend: Backend, filter: &Filter) -> TableReader<'a> {
        TableReader::with_order(spec, backend, filter, true)
    }

    fn with_order(
        spec: &'a TableSpec,
        backend: Backend,
        filter: &Filter,
        ordered: bool,
    ) -> TableReader<'a> {
        let exprs: Vec<String> = spec.columns.iter().map(|c| read_expr(backend, c)).collect();
        assert!(
            exprs.len() <= WIDE_COLUMNS,
            "table {} is too wide",
            spec.name
        );
        // Every column as text, padded with NULLs to the fixed width `WideRow` reads.
        let null = match backend {
            Backend::Postgres => "NULL::text",
            Backend::Sqlite => "NULL",
        };
        let columns: Vec<String> = (0..WIDE_COLUMNS)
            .map(|i| match exprs.get(i) {
                Some(expr) => format!("{expr} AS c{i}"),
                None => format!("{null} AS c{i}"),
            })
            .collect();
        let encode = columns.join(", ");
        let wheres = filter
            .condition(spec)
            .map(|c| format!(" WHERE {c}"))
            .unwrap_or_default();
        let order = if ordered {
            format!(" ORDER BY {}", quoted_list(spec.key))
        } else {
            String::new()
        };
        TableReader {
            spec,
            select: format!("SELECT {encode} FROM {}{wheres}{order}", quoted(spec.name)),
            backend,
        }
    }

    /// Calls `page` with successive pages of rows in canonical form.
    pub fn pages(
        &mut self,
        conn: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let size = page_rows(self.spec) as usize;
        let context = || format!("cannot read table {}", self.spec.name);
        match self.backend {
            Backend::Sqlite => {
                let mut rows = Vec::with_capacity(size);
                let cursor = diesel::sql_query(&self.select)
                    .load_iter::<WideRow, diesel::connection::DefaultLoadingMode>(conn)
                    .with_context(context)?;
                for wide in cursor {
                    rows.push(self.decode(wide.with_context(context)?)?);
                    if rows.len() == size {
                        page(std::mem::replace(&mut rows, Vec::with_capacity(size)))?;
                    }
                }
                if !rows.is_empty() {
                    page(rows)?;
                }
            }
            Backend::Postgres => {
                conn.batch_execute(&format!(
                    "DECLARE {CURSOR} NO SCROLL CURSOR FOR {}",
                    self.select
                ))
                .with_context(context)?;
                loop {
                    let encoded: Vec<WideRow> =
                        diesel::sql_query(format!("FETCH FORWARD {size} FROM {CURSOR}"))
                            .load(conn)
                            .with_context(context)?;
                    if encoded.is_empty() {
                        break;
                    }
                    let rows = encoded
                        .into_iter()
                        .map(|wide| self.decode(wide))
                        .collect::<Result<Vec<Row>>>()?;
                    page(rows)?;
                }
                conn.batch_execute(&format!("CLOSE {CURSOR}"))
                    .with_context(context)?;
            }
        }
        Ok(())
    }

    fn decode(&self, wide: WideRow) -> Result<Row> {
        let mut row = wide.into_row(self.spec.columns.len());
        if self.backend == Backend::Sqlite {
            for i in 0..row.len() {
                let column = &self.spec.columns[i];
                let convert = match column.kind {
                    Kind::Timestamp => canonical_timestamp,
                    Kind::NaiveTimestamp => canonical_naive_timestamp,
                    _ => continue,
                };
                let Some(text) = row[i].as_deref() else {
                    continue;
                };
                let canonical = convert(text).with_context(|| {
                    format!(
                        "table {} row {}, column {}",
                        self.spec.name,
                        describe_key(self.spec, &key_of(self.spec, &row)),
                        column.name
                    )
                })?;
                row[i] = Some(canonical);
            }
        }
        Ok(row)
    }
}

/// `(tenant_id=a, id=m1)`.
fn describe_key(spec: &TableSpec, values: &[String]) -> String {
    let parts: Vec<String> = spec
        .key
        .iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("({})", parts.join(", "))
}

fn key_of(spec: &TableSpec, row: &Row) -> Vec<String> {
    spec.key_positions()
        .iter()
        .map(|&i| row[i].clone().unwrap_or_default())
        .collect()
}

/// A timestamp as the canonical UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ` (rounded to the
/// microsecond, PostgreSQL's precision). Accepts the ISO-8601 forms SQLite rows hold: with `T`
/// or a space, with or without a fraction and an offset (none means UTC).
pub fn canonical_timestamp(text: &str) -> Result<String> {
    let trimmed = text.trim();
    let parsed: Option<DateTime<Utc>> = DateTime::parse_from_rfc3339(trimmed)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            [
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S%.f%#z",
            ]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(trimmed, f).ok())
            .map(|n| n.and_utc())
        });
    let Some(time) = parsed else {
        bail!("{text:?} is not an ISO-8601 timestamp");
    };
    let round_up = i64::from(time.nanosecond() % 1000 >= 500);
    let micros = time.timestamp_micros() + round_up;
    let time = DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| anyhow!("{text:?} is out of range"))?;
    Ok(time.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
}

/// A naive-UTC time as ADK's SQLAlchemy stores it on SQLite (`YYYY-MM-DD HH:MM:SS.ffffff`),
/// from DATETIME text or REAL epoch seconds.
pub fn canonical_naive_timestamp(text: &str) -> Result<String> {
    let trimmed = text.trim();
    let time = match trimmed.parse::<f64>() {
        Ok(epoch) => DateTime::from_timestamp_micros((epoch * 1e6).round() as i64)
            .ok_or_else(|| anyhow!("{text:?} is out of range"))?,
        Err(_) => DateTime::parse_from_rfc3339(&canonical_timestamp(trimmed)?)?.to_utc(),
    };
    Ok(time.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
}

/// A canonical timestamp as agentdb's SQLite schema writes them: milliseconds (what its
/// `strftime('%f')` defaults produce) unless the value has finer digits.
fn sqlite_timestamp(canonical: &str) -> String {
    match canonical.strip_suffix("000Z") {
        Some(ms) => format!("{ms}Z"),
        None => canonical.to_string(),
    }
}

/// JSON in a form independent of spelling: keys sorted (the last of duplicate keys wins, as in
/// `jsonb`), no spaces, strings by content, and numbers exactly as PostgreSQL's `jsonb` keeps
/// them (see `canonical_number`), never through a float. So the `jsonb` rendering and the text
/// SQLite stored compare equal, and any change to a value changes the form. Text that does not
/// parse is compared as it is.
pub fn canonical_json(text: &str) -> String {
    // The commonest documents (empty metadata) need no parsing.
    if matches!(text, "{}" | "[]" | "null" | "true" | "false") {
        return text.to_string();
    }
    let mut parser = JsonCanon {
        text: text.as_bytes(),
        source: text,
        pos: 0,
    };
    let mut out = String::with_capacity(text.len());
    match parser.value(&mut out, 0) {
        Some(()) if parser.at_end() => out,
        _ => text.to_string(),
    }
}

/// A small recursive-descent reader that writes the canonical form as it goes (serde_json's
/// `Value` would turn every number that is not a 64-bit integer into an `f64`).
struct JsonCanon<'a> {
    text: &'a [u8],
    source: &'a str,
    pos: usize,
}

/// Deeper documents are compared as written (serde_json's own limit is 128).
const MAX_JSON_DEPTH: usize = 512;

impl JsonCanon<'_> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_space();
        self.pos == self.text.len()
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.text.get(self.pos) == Some(&byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, out: &mut String, depth: usize) -> Option<()> {
        if depth > MAX_JSON_DEPTH {
            return None;
        }
        self.skip_space();
        match *self.text.get(self.pos)? {
            b'{' => {
                self.pos += 1;
                let mut entries = std::collections::BTreeMap::new();
                if !self.eat(b'}') {
                    loop {
                        self.skip_space();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        let mut value = String::new();
                        self.value(&mut value, depth + 1)?;
                        entries.insert(key, value);
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                out.push('{');
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(&k).expect("strings serialize"));
                    out.push(':');
                    out.push_str(&v);
                }
                out.push('}');
            }
            b'[' => {
                self.pos += 1;
                out.push('[');
                if !self.eat(b']') {
                    let mut first = true;
                    loop {
                        if !first {
                            out.push(',');
                        }
                        first = false;
                        self.value(out, depth + 1)?;
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                out.push(']');
            }
            b'"' => {
                let s = self.string()?;
                out.push_str(&serde_json::to_string(&s).expect("strings serialize"));
            }
            b't' => self.literal("true", out)?,
            b'f' => self.literal("false", out)?,
            b'n' => self.literal("null", out)?,
            _ => {
                let start = self.pos;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') =
                    self.text.get(self.pos)
                {
                    self.pos += 1;
                }
                out.push_str(&canonical_number(&self.source[start..self.pos])?);
            }
        }
        Some(())
    }

    fn literal(&mut self, word: &str, out: &mut String) -> Option<()> {
        if self.text[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            out.push_str(word);
            Some(())
        } else {
            None
        }
    }

    /// A JSON string at the current position, decoded (escapes resolved by serde_json).
    fn string(&mut self) -> Option<String> {
        if self.text.get(self.pos) != Some(&b'"') {
            return None;
        }
        let start = self.pos;
        self.pos += 1;
        loop {
            match *self.text.get(self.pos)? {
                b'\\' => self.pos += 2,
                b'"' => break,
                _ => self.pos += 1,
            }
        }
        self.pos += 1;
        serde_json::from_str(self.source.get(start..self.pos)?).ok()
    }
}

/// A JSON number exactly as PostgreSQL's `numeric` (inside `jsonb`) renders it, from its
/// decimal text: the value with as many decimals as the text had after the point minus its
/// exponent (`1.0` stays `1.0`, `1e2` is `100`, `1.50e1` is `15.0`, `100e-2` is `1.00`, `-0`
/// is `0`), without a float anywhere, so `12345678901234567890123` keeps every digit. Values
/// whose rendering would be huge (`1e999999`, which `jsonb` refuses anyway) get a compact
/// exact form instead. `None` for text that is not a JSON number.
pub fn canonical_number(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = bytes.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    let int_start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = &text[int_start..i];
    // JSON: no leading zeros, at least one digit.
    if int_digits.is_empty() || (int_digits.len() > 1 && int_digits.starts_with('0')) {
        return None;
    }
    let mut frac_digits = "";
    if bytes.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_digits = &text[start..i];
        if frac_digits.is_empty() {
            return None;
        }
    }
    let mut exponent: i64 = 0;
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let exp_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = &text[start..i];
        if digits.is_empty() {
            return None;
        }
        // Beyond any numeric a database keeps; saturating keeps the comparison exact for
        // every exponent that fits in 18 digits.
        let magnitude: i64 = digits.parse().unwrap_or(i64::MAX / 4).min(i64::MAX / 4);
        exponent = if exp_negative { -magnitude } else { magnitude };
    }
    if i != bytes.len() {
        return None;
    }
    // The scale PostgreSQL keeps: decimals written minus the exponent, at least 0.
    let scale = (frac_digits.len() as i64 - exponent).max(0);
    // The value: significant digits and the power of ten of the last one.
    let all: String = format!("{int_digits}{frac_digits}");
    let significant = all.trim_start_matches('0');
    if significant.is_empty() {
        return Some(if scale == 0 {
            "0".to_string()
        } else if scale <= 1000 {
            format!("0.{}", "0".repeat(scale as usize))
        } else {
            format!("0s{scale}")
        });
    }
    let trimmed = significant.trim_end_matches('0');
    let power = exponent - frac_digits.len() as i64 + (significant.len() - trimmed.len()) as i64;
    let sign = if negative { "-" } else { "" };
    // Rendered as PostgreSQL does: the digits, zeros up to the point, then `scale` decimals.
    let int_part_len = trimmed.len() as i64 + power; // digits before the point
    let rendered_len = int_part_len.max(1) + scale;
    if rendered_len > 1000 {
        return Some(format!("{sign}{trimmed}e{power}s{scale}"));
    }
    let mut out = String::with_capacity(rendered_len as usize + 2);
    out.push_str(sign);
    if int_part_len <= 0 {
        out.push('0');
    } else if power >= 0 {
        out.push_str(trimmed);
        out.extend(std::iter::repeat_n('0', power as usize));
    } else {
        out.push_str(&trimmed[..int_part_len as usize]);
    }
    if scale > 0 {
        out.push('.');
        let mut decimals = String::with_capacity(scale as usize);
        if int_part_len < 0 {
            decimals.extend(std::iter::repeat_n('0', (-int_part_len) as usize));
        }
        if power < 0 {
            let from = int_part_len.max(0) as usize;
            decimals.push_str(&trimmed[from..]);
        }
        while (decimals.len() as i64) < scale {
            decimals.push('0');
        }
        out.push_str(&decimals);
    }
    Some(out)
}

/// Row count and an order-independent digest of a table's canonical rows: the sum (mod 2^128)
/// of each row's SHA-256 prefix, so both sides may read in their own collation order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub rows: u64,
    sum: u128,
}

impl Tally {
    pub fn add(&mut self, spec: &TableSpec, row: &Row) {
        let mut hasher = Sha256::new();
        for (value, column) in row.iter().zip(spec.columns) {
            match value {
                None => hasher.update([0xff]),
                Some(text) => {
                    let compared = match column.kind {
                        Kind::Json => canonical_json(text),
                        _ => text.clone(),
                    };
                    hasher.update([0x00]);
                    hasher.update((compared.len() as u64).to_le_bytes());
                    hasher.update(compared.as_bytes());
                }
            }
        }
        let hash = hasher.finalize();
        let prefix = u128::from_be_bytes(hash[..16].try_into().expect("16 bytes"));
        self.sum = self.sum.wrapping_add(prefix);
        self.rows += 1;
    }

    pub fn digest(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

/// One table's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TableCopy {
    pub group: &'static str,
    pub table: &'static str,
    pub source_rows: u64,
    pub target_rows: u64,
    pub source_digest: String,
    pub target_digest: String,
    pub verified: bool,
}

/// The rows a copy moved: every table's, not the verification-only LangGraph head check.
pub fn rows_copied(tables: &[TableCopy]) -> u64 {
    tables
        .iter()
        .filter(|t| t.table != crate::langgraph::HEADS_CHECK)
        .map(|t| t.source_rows)
        .sum()
}

/// The verification failed: the target was rolled back; the tables say where.
#[derive(Debug)]
pub struct VerificationFailed(pub Vec<TableCopy>);

impl std::fmt::Display for VerificationFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let bad: Vec<&str> = self
            .0
            .iter()
            .filter(|t| !t.verified)
            .map(|t| t.table)
            .collect();
        write!(
            f,
            "verification failed for {}: the target was rolled back",
            bad.join(", ")
        )
    }
}

impl std::error::Error for VerificationFailed {}

/// Runs `f` in one read snapshot of the source.
pub fn in_source_snapshot<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T>,
) -> Result<T> {
    conn.transaction(|conn| {
        if conn.backend() == Backend::Postgres {
            conn.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .context("cannot start a snapshot of the source")?;
        }
        f(conn)
    })
}

/// The rows of `spec` (under `filter`) on `conn`.
pub fn count_rows(conn: &mut AnyConnection, spec: &TableSpec, filter: &Filter) -> Result<i64> {
    let wheres = filter
        .condition(spec)
        .map(|c| format!(" WHERE {c}"))
        .unwrap_or_default();
    db::count(
        conn,
        &format!("SELECT count(*) AS n FROM {}{wheres}", spec.name),
    )
}

/// Refuses, before anything is written, source rows that a PostgreSQL target cannot store:
/// the NUL character in text (PostgreSQL text) or `\u0000` in JSON (`jsonb`). Names the first
/// such row of each table. Only SQLite sources can hold them.
pub fn refuse_unstorable(
    source: &mut AnyConnection,
    specs: &[&TableSpec],
    filter: &Filter,
) -> Result<()> {
    if source.backend() != Backend::Sqlite {
        return Ok(());
    }
    let mut problems = Vec::new();
    for spec in specs {
        let mut tests = Vec::new();
        for column in spec.columns {
            let name = quoted(column.name);
            match column.kind {
                Kind::Text => tests.push(format!("instr(CAST({name} AS BLOB), x'00') > 0")),
                Kind::Json => tests.push(format!(
                    "instr(CAST({name} AS BLOB), x'00') > 0 OR instr({name}, '\\u0000') > 0"
                )),
                _ => {}
            }
        }
        if tests.is_empty() {
            continue;
        }
        let keys: Vec<String> = spec
            .key
            .iter()
            .map(|k| format!("CAST({} AS TEXT)", quoted(k)))
            .collect();
        let mut conditions = vec![format!("({})", tests.join(" OR "))];
        conditions.extend(filter.condition(spec));
        let sql = format!(
            "SELECT json_array({}) AS row FROM {} WHERE {} LIMIT 1",
            keys.join(", "),
            quoted(spec.name),
            conditions.join(" AND ")
        );
        let rows: Vec<EncodedRow> = diesel::sql_query(&sql)
            .load(source)
            .with_context(|| format!("cannot check table {} for NUL characters", spec.name))?;
        if let Some(row) = rows.first() {
            let key: Vec<String> = serde_json::from_str(&row.row)?;
            problems.push(format!("{} row {}", spec.name, describe_key(spec, &key)));
        }
    }
    if !problems.is_empty() {
        bail!(
            "the source holds the NUL character (\\u0000), which PostgreSQL cannot store in text or jsonb: {}; remove it from those rows (or copy to SQLite)",
            problems.join("; ")
        );
    }
    Ok(())
}

/// Refuses a target that already holds rows of the tables to copy (under `filter`), naming
/// each table and its row count.
pub fn refuse_non_empty(
    target: &mut AnyConnection,
    specs: &[&TableSpec],
    filter: &Filter,
    target_name: &str,
) -> Result<()> {
    let mut occupied = Vec::new();
    for spec in specs {
        let n = count_rows(target, spec, filter)?;
        if n > 0 {
            occupied.push(format!("{} ({n} rows)", spec.name));
        }
    }
    if occupied.is_empty() {
        return Ok(());
    }
    let scope = if filter.tenants.is_empty() {
        String::new()
    } else {
        format!(" for tenant(s) {}", filter.tenants.join(", "))
    };
    bail!(
        "the target {target_name} is not empty{scope}: {}; copy only into an empty database (or use --tenant for tenants the target does not have)",
        occupied.join(", ")
    )
}

/// Progress across all tables, drawn only on a terminal.
pub struct Progress {
    bar: ProgressBar,
    /// For `-v` timings.
    output: Output,
}

impl Progress {
    pub fn new(bar: ProgressBar, output: Output) -> Progress {
        Progress { bar, output }
    }

    fn timing(&self, what: &str, rows: u64, started: std::time::Instant) {
        self.output.debug(format!(
            "{what}: {rows} rows in {} ms",
            started.elapsed().as_millis()
        ));
    }

    fn table(&self, name: &str) {
        self.bar.set_message(name.to_string());
    }

    fn rows(&self, n: usize) {
        self.bar.inc(n as u64);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Produces the rows of one target table, page by page, in the target spec's canonical form:
/// a plain read of the same table, or a conversion (LangGraph's savers).
pub trait RowSource {
    /// Calls `page` with successive pages of rows.
    fn pages(
        &mut self,
        source: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()>;
}

impl RowSource for TableReader<'_> {
    fn pages(
        &mut self,
        source: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        TableReader::pages(self, source, page)
    }
}

/// One target table and where its rows come from.
pub struct Step<'a> {
    pub target: &'static TableSpec,
    pub rows: Box<dyn RowSource + 'a>,
    /// The source table, when rows are read as they are: checked for what PostgreSQL cannot
    /// store, and counted for progress.
    pub plain_source: Option<&'static TableSpec>,
}

impl Step<'_> {
    /// A table copied as it is.
    pub fn plain(spec: &'static TableSpec, backend: Backend, filter: &Filter) -> Step<'static> {
        Step {
            target: spec,
            rows: Box::new(TableReader::new(spec, backend, filter)),
            plain_source: Some(spec),
        }
    }
}

/// Copies one step's rows into `target` (both ends already in their transactions) and
/// returns the tally of the rows written.
pub fn copy_step(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    step: &mut Step<'_>,
    progress: &Progress,
) -> Result<Tally> {
    progress.table(step.target.name);
    let spec = step.target;
    let rows = step.rows.as_mut();
    match target {
        AnyConnection::Postgresql(pg) => copy_into_postgres(source, pg, spec, rows, progress),
        AnyConnection::Sqlite(_) => copy_into_sqlite(source, target, spec, rows, progress),
    }
}

/// What the COPY feeder carries between calls of diesel's callback.
struct Feed<'a, 'b> {
    source: &'a mut AnyConnection,
    reader: &'b mut dyn RowSource,
    tally: Tally,
    failure: Option<anyhow::Error>,
}

fn copy_into_postgres(
    source: &mut AnyConnection,
    target: &mut PgConnection,
    spec: &TableSpec,
    reader: &mut dyn RowSource,
    progress: &Progress,
) -> Result<Tally> {
    let feed = RefCell::new(Feed {
        source,
        reader,
        tally: Tally::default(),
        failure: None,
    });
    let write = |sink: &mut dyn Write| -> Result<(), CopyInError> {
        let mut feed = feed.borrow_mut();
        let feed = &mut *feed;
        let mut buffer = Vec::with_capacity(1 << 20);
        let tally = &mut feed.tally;
        let fed = feed.reader.pages(feed.source, &mut |page| {
            buffer.clear();
            for row in &page {
                tally.add(spec, row);
                write_copy_line(&mut buffer, spec, row);
            }
            sink.write_all(&buffer)
                .context("the COPY stream to PostgreSQL failed")?;
            progress.rows(page.len());
            Ok(())
        });
        fed.map_err(|e| {
            let message = format!("{e:#}");
            feed.failure = Some(e);
            CopyInError(message)
        })
    };
    let result = copy_in(target, spec, write);
    let mut feed = feed.into_inner();
    if let Some(failure) = feed.failure.take() {
        return Err(failure);
    }
    result
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("cannot load table {} into the target", spec.name))?;
    Ok(feed.tally)
}

/// Dispatches a COPY to the module that declared the table.
fn copy_in(
    target: &mut PgConnection,
    spec: &TableSpec,
    write: impl Fn(&mut dyn Write) -> Result<(), CopyInError>,
) -> Result<usize, CopyInError> {
    match spec.group {
        "agentdb" => agentdb_tables::copy_in_postgres(target, spec.name, write),
        "adk" => crate::adk::copy_tables::copy_in_postgres(target, spec.name, write),
        // Only PostgresSaver's tables are ever loaded into PostgreSQL.
        "langgraph" => {
            crate::langgraph::postgres_saver_tables::copy_in_postgres(target, spec.name, write)
        }
        other => unreachable!("no COPY for group {other}"),
    }
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn write_copy_line(out: &mut Vec<u8>, spec: &TableSpec, row: &Row) {
    for (i, (value, column)) in row.iter().zip(spec.columns).enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match value {
            None => out.extend_from_slice(b"\\N"),
            Some(text) => {
                let text = target_text(Backend::Postgres, column.kind, text);
                for byte in text.bytes() {
                    match byte {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b => out.push(b),
                    }
                }
            }
        }
    }
    out.push(b'\n');
}

/// A canonical value as the target backend stores it.
fn target_text(backend: Backend, kind: Kind, canonical: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    match (backend, kind) {
        (Backend::Sqlite, Kind::Bool) => Cow::Borrowed(if canonical == "true" { "1" } else { "0" }),
        (Backend::Sqlite, Kind::Timestamp) => Cow::Owned(sqlite_timestamp(canonical)),
        (Backend::Postgres, Kind::Bytes) => Cow::Owned(format!("\\x{canonical}")),
        // PostgreSQL reads a zone-less time in the session's zone: UTC.
        _ => Cow::Borrowed(canonical),
    }
}

/// SQLite binds at most 32766 parameters per statement; 500 rows keep statements small.
fn rows_per_insert(columns: usize) -> usize {
    (32766 / columns).min(500)
}

fn copy_into_sqlite(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    spec: &TableSpec,
    reader: &mut dyn RowSource,
    progress: &Progress,
) -> Result<Tally> {
    let mut tally = Tally::default();
    let per_insert = rows_per_insert(spec.columns.len());
    reader.pages(source, &mut |page| {
        for chunk in page.chunks(per_insert) {
            for row in chunk {
                tally.add(spec, row);
            }
            insert_rows(target, spec, chunk)?;
        }
        progress.rows(page.len());
        Ok(())
    })?;
    Ok(tally)
}

/// One multi-row INSERT of canonical rows into a SQLite target.
fn insert_rows(target: &mut AnyConnection, spec: &TableSpec, rows: &[Row]) -> Result<()> {
    let backend = target.backend();
    let width = spec.columns.len();
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = spec
                .columns
                .iter()
                .enumerate()
                .map(|(c, column)| {
                    let param = backend.param(r * width + c + 1);
                    match (backend, column.kind) {
                        (Backend::Sqlite, Kind::Bytes) => format!("unhex({param})"),
                        _ => param,
                    }
                })
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO {} ({}) VALUES {}",
        quoted(spec.name),
        spec.column_list(),
        tuples.join(", ")
    );
    let mut query = diesel::sql_query(sql).into_boxed::<db::MultiBackend>();
    for row in rows {
        for (value, column) in row.iter().zip(spec.columns) {
            let value = value
                .as_deref()
                .map(|v| target_text(backend, column.kind, v).into_owned());
            query = query.bind::<Nullable<Text>, _>(value);
        }
    }
    query.execute(target).with_context(|| {
        let first = rows.first().map(|r| key_of(spec, r)).unwrap_or_default();
        format!(
            "cannot insert into table {} (batch starting at row {})",
            spec.name,
            describe_key(spec, &first)
        )
    })?;
    Ok(())
}

/// Reads the copied rows back from the target (in its transaction) and compares them with the
/// source's tally.
pub fn verify_table(
    target: &mut AnyConnection,
    spec: &TableSpec,
    filter: &Filter,
    source: Tally,
) -> Result<TableCopy> {
    let mut reader = TableReader::new(spec, target.backend(), filter);
    let mut tally = Tally::default();
    reader.pages(target, &mut |page| {
        for row in &page {
            tally.add(spec, row);
        }
        Ok(())
    })?;
    Ok(TableCopy {
        group: spec.group,
        table: spec.name,
        source_rows: source.rows,
        target_rows: tally.rows,
        source_digest: source.digest(),
        target_digest: tally.digest(),
        verified: source == tally,
    })
}

/// Runs `steps` (in the given, foreign-key order) inside the target's open transaction and
/// verifies each table by reading it back.
pub fn copy_steps(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    steps: &mut [Step<'_>],
    filter: &Filter,
    progress: &Progress,
) -> Result<Vec<TableCopy>> {
    let mut tallies = Vec::with_capacity(steps.len());
    for step in steps.iter_mut() {
        let started = std::time::Instant::now();
        let tally = copy_step(source, target, step, progress)?;
        progress.timing(&format!("copied {}", step.target.name), tally.rows, started);
        tallies.push(tally);
    }
    progress.table("verifying");
    let mut results = Vec::with_capacity(steps.len());
    for (step, tally) in steps.iter().zip(tallies) {
        let started = std::time::Instant::now();
        let result = verify_table(target, step.target, filter, tally)?;
        progress.timing(
            &format!("verified {}", step.target.name),
            result.target_rows,
            started,
        );
        results.push(result);
    }
    Ok(results)
}

/// What to copy, and how long to wait for the target's schema lock.
#[derive(Debug, Clone)]
pub struct Request {
    pub include: Vec<Include>,
    pub filter: Filter,
    pub lock_timeout: Duration,
    /// `backup` copies a source whose schema is behind this agentdb (a backup taken before
    /// `migrate`): the target is migrated only as far as the source. `copy` refuses such a source.
    pub allow_older_source: bool,
}

/// What a copy did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// agentdb migrations applied to the target first.
    pub migrations_applied: usize,
    pub tables: Vec<TableCopy>,
}

/// Both ends of a copy, with the names errors use (passwords redacted).
pub struct Ends<'a> {
    pub source: &'a mut AnyConnection,
    pub source_name: &'a str,
    pub target: &'a mut AnyConnection,
    pub target_name: &'a str,
}

/// The `--include` groups this agentdb can copy, deduplicated in copy order; the others are
/// refused as usage errors.
pub fn supported_include(include: &[Include]) -> Result<Vec<Include>> {
    let mut groups = include.to_vec();
    groups.sort();
    groups.dedup();
    if let Some(missing) = groups
        .iter()
        .find(|g| !matches!(g, Include::Agentdb | Include::Adk | Include::Langgraph))
    {
        return Err(crate::error::UsageError::new(format!(
            "--include {}: not supported by this agentdb yet",
            format!("{missing:?}").to_lowercase()
        ))
        .into());
    }
    Ok(groups)
}

/// What a copy will do, decided from the source alone (see `plan`).
pub struct Plan {
    steps: Vec<Step<'static>>,
    /// The newest agentdb migration of the source: the target is migrated that far.
    source_version: Option<String>,
}

/// Checks the source and decides the tables to copy: every refusal that depends on the source
/// alone (no agentdb schema, one from a newer agentdb, pending migrations, a missing tenant,
/// ADK's or LangGraph's tables missing or not convertible) happens here, before the target is
/// opened, created or migrated, so a refused copy leaves nothing behind.
pub fn plan(
    source: &mut AnyConnection,
    source_name: &str,
    request: &Request,
    target_backend: Backend,
) -> Result<Plan> {
    let include = &request.include;
    let filter = &request.filter;
    let source_backend = source.backend();
    let mut steps: Vec<Step<'static>> = Vec::new();
    let mut source_version = None;
    if include.contains(&Include::Agentdb) {
        source_version = Some(agentdb_schema_version(source, source_name, request)?);
        for tenant in &filter.tenants {
            if !crate::store::tenants::exists(source, &crate::store::TenantId::parse(tenant)?)? {
                bail!("--tenant {tenant}: the source {source_name} has no such tenant");
            }
        }
        for spec in agentdb_tables::TABLES {
            // A source behind this agentdb may lack the newer tables.
            if source.table_exists(spec.name)? {
                steps.push(Step::plain(spec, source_backend, filter));
            }
        }
    }
    if include.contains(&Include::Adk) {
        crate::adk::check_copy_source(source, source_name)?;
        for spec in crate::adk::copy_tables::TABLES {
            steps.push(Step::plain(spec, source_backend, filter));
        }
    }
    if include.contains(&Include::Langgraph) {
        let langgraph = crate::langgraph::copy_plan(source, source_name, target_backend)?;
        steps.extend(langgraph);
    }
    Ok(Plan {
        steps,
        source_version,
    })
}

/// The whole copy: `plan`, then `execute`.
pub fn run(ends: Ends<'_>, request: &Request, output: &Output) -> Result<Outcome> {
    let plan = plan(
        ends.source,
        ends.source_name,
        request,
        ends.target.backend(),
    )?;
    execute(plan, ends, request, output)
}

/// Carries out a plan: the target checked for rows, migrated (to the source's schema version)
/// once nothing in the source can refuse the copy, then every row in one target transaction
/// under the schema lock, verified before commit.
pub fn execute(plan: Plan, ends: Ends<'_>, request: &Request, output: &Output) -> Result<Outcome> {
    let Ends {
        source,
        source_name: _,
        target,
        target_name,
    } = ends;
    let Plan {
        mut steps,
        source_version,
    } = plan;
    let include = &request.include;
    let filter = &request.filter;
    let source_backend = source.backend();
    // Before the target is migrated: a refused copy should not have migrated someone's database.
    refuse_non_empty_existing(target, &steps, filter, target_name)?;
    // The source is read once, in key order: SQLite's large page cache (64 MB on agentdb's
    // connections) would only make the copy's memory grow with the data.
    if source_backend == Backend::Sqlite {
        source
            .batch_execute("PRAGMA cache_size = -2048")
            .context("cannot configure the SQLite source")?;
    }
    let (migrations_applied, tables) = in_source_snapshot(source, |source| {
        let plain: Vec<&TableSpec> = steps.iter().filter_map(|s| s.plain_source).collect();
        if target.backend() == Backend::Postgres {
            refuse_unstorable(source, &plain, filter)?;
        }
        let mut migrations_applied = 0;
        if let Some(version) = &source_version {
            let options = RunOptions {
                lock_timeout: request.lock_timeout,
                dry_run: false,
            };
            migrations_applied = migrations::migrate_up_to(target, options, version)
                .with_context(|| format!("cannot migrate the target {target_name}"))?
                .len();
        }
        let mut total = 0;
        for spec in &plain {
            total += count_rows(source, spec, filter)?;
        }
        let progress = Progress::new(progress_bar(output, total), *output);
        let result = target.schema_locked_transaction(request.lock_timeout, |target| {
            if include.contains(&Include::Adk) {
                crate::adk::prepare_copy_target(target, target_name)?;
            }
            if include.contains(&Include::Langgraph) {
                crate::langgraph::prepare_copy_target(target, target_name)?;
            }
            let specs: Vec<&TableSpec> = steps.iter().map(|s| s.target).collect();
            refuse_non_empty(target, &specs, filter, target_name)?;
            let mut results = copy_steps(source, target, &mut steps, filter, &progress)?;
            if include.contains(&Include::Langgraph) {
                results.push(crate::langgraph::verify_thread_heads(source, target)?);
            }
            if results.iter().any(|r| !r.verified) {
                return Err(VerificationFailed(results).into());
            }
            Ok(results)
        });
        progress.finish();
        result.map(|tables| (migrations_applied, tables))
    })?;
    Ok(Outcome {
        migrations_applied,
        tables,
    })
}

/// The newest agentdb migration applied to the source; refuses a source this agentdb cannot
/// read (no schema, migrated by a newer agentdb, or behind when that is not allowed).
fn agentdb_schema_version(
    source: &mut AnyConnection,
    source_name: &str,
    request: &Request,
) -> Result<String> {
    let states = migrations::read_states(source)?;
    let summary = migrations::summarize(&states);
    if summary.unknown > 0 {
        bail!(
            "the source {source_name} was migrated by a newer agentdb: use that version to copy it"
        );
    }
    if summary.pending > 0 && !request.allow_older_source {
        bail!(
            "the schema of the source {source_name} is not up to date ({} migration(s) pending): run `agentdb migrate` on it first",
            summary.pending
        );
    }
    states
        .iter()
        .rev()
        .find(|s| s.state == "applied")
        .map(|s| s.id.version.clone())
        .ok_or_else(|| {
            anyhow!("the source {source_name} has no agentdb schema (no migration applied): nothing to copy")
        })
}

/// The emptiness check before the target is migrated, for the tables it already has: a
/// refused copy should not have migrated someone's database first.
fn refuse_non_empty_existing(
    target: &mut AnyConnection,
    steps: &[Step<'_>],
    filter: &Filter,
    target_name: &str,
) -> Result<()> {
    let mut existing = Vec::new();
    let mut foreign = Vec::new();
    for step in steps {
        if target.table_exists(step.target.name)? {
            let missing = db::missing_columns(target, step.target.name, step.target.key)?;
            if missing.is_empty() {
                existing.push(step.target);
            } else {
                foreign.push(format!(
                    "{} (no column {})",
                    step.target.name,
                    missing.join(", ")
                ));
            }
        }
    }
    if !foreign.is_empty() {
        bail!(
            "the target {target_name} already has table(s) {} of another shape than the ones copied into them: they belong to another application sharing that database; no rows were copied\nhint: copy into a database of its own (a new SQLite file, or `agentdb -d postgres://…/NEW database create`)",
            foreign.join("; ")
        );
    }
    refuse_non_empty(target, &existing, filter, target_name)
}

fn progress_bar(output: &Output, total: i64) -> ProgressBar {
    if !output.progress_allowed() || total < 1000 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows ({eta})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_canonical_microseconds() {
        for (input, expected) in [
            ("2026-11-25T10:00:00.123Z", "2026-11-25T10:00:00.123000Z"),
            ("2026-11-25T10:00:00Z", "2026-11-25T10:00:00.000000Z"),
            ("2026-11-25 10:00:00", "2026-11-25T10:00:00.000000Z"),
            ("2026-11-25 10:00:00.1234567", "2026-11-25T10:00:00.123457Z"),
            ("2026-11-25T12:00:00.5+02:00", "2026-11-25T10:00:00.500000Z"),
            ("2026-11-25T10:00:00.999999Z", "2026-11-25T10:00:00.999999Z"),
        ] {
            assert_eq!(canonical_timestamp(input).unwrap(), expected, "{input}");
        }
        assert!(canonical_timestamp("yesterday").is_err());
        assert_eq!(
            sqlite_timestamp("2026-11-25T10:00:00.123000Z"),
            "2026-11-25T10:00:00.123Z"
        );
        assert_eq!(
            sqlite_timestamp("2026-11-25T10:00:00.123456Z"),
            "2026-11-25T10:00:00.123456Z"
        );
    }

    #[test]
    fn json_compares_by_content() {
        // How PostgreSQL's jsonb renders what SQLite stored as written.
        assert_eq!(
            canonical_json(r#"{"b": [1e0, 2.50, "\u00e9"], "a": {"y": null, "x": true}}"#),
            canonical_json(r#"{"a": {"x": true, "y": null}, "b": [1, 2.50, "é"]}"#)
        );
        assert_ne!(
            canonical_json(r#"{"a": 1}"#),
            canonical_json(r#"{"a": "1"}"#)
        );
    }

    #[test]
    fn numbers_keep_every_digit_as_jsonb_does() {
        for (input, expected) in [
            ("12345678901234567890123", "12345678901234567890123"),
            (
                "-12345678901234567890123.000",
                "-12345678901234567890123.000",
            ),
            ("1", "1"),
            ("1.0", "1.0"),
            ("1e0", "1"),
            ("1.0e0", "1.0"),
            ("1E+2", "100"),
            ("1.50e1", "15.0"),
            ("100e-2", "1.00"),
            ("1e-2", "0.01"),
            ("1.0e-2", "0.010"),
            ("1.5e-7", "0.00000015"),
            ("-0", "0"),
            ("-0.0", "0.0"),
            ("0e5", "0"),
            ("0.00e1", "0.0"),
            ("12.345", "12.345"),
            ("9007199254740993", "9007199254740993"),
        ] {
            assert_eq!(
                canonical_number(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
        for bad in [
            "", "-", "01", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "1.2.3",
        ] {
            assert_eq!(canonical_number(bad), None, "{bad}");
        }
        // Huge exponents stay exact without being written out.
        assert_ne!(canonical_number("1e999999"), canonical_number("1e999998"));
        assert_eq!(canonical_number("10e999998"), canonical_number("1e999999"));
        // A change in any digit changes the canonical document.
        assert_ne!(
            canonical_json(r#"{"n": 12345678901234567890123}"#),
            canonical_json(r#"{"n": 12345678901234567890999}"#)
        );
        assert_eq!(
            canonical_json(r#"{"n": 1e2, "n": [1.0e0, -0]}"#),
            r#"{"n":[1.0,0]}"#
        );
    }

    #[test]
    fn copy_lines_escape_text_format() {
        let spec = &agentdb_tables::TABLES[0];
        let row: Row = vec![
            Some("t1".into()),
            Some("tab\there\nnew\\line".into()),
            Some("active".into()),
            None,
            None,
            Some("{}".into()),
            Some("2026-11-25T10:00:00.000000Z".into()),
            Some("2026-11-25T10:00:00.000000Z".into()),
        ];
        let mut out = Vec::new();
        write_copy_line(&mut out, spec, &row);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "t1\ttab\\there\\nnew\\\\line\tactive\t\\N\t\\N\t{}\t2026-11-25T10:00:00.000000Z\t2026-11-25T10:00:00.000000Z\n"
        );
    }
}
