//! The copy engine's moving parts: rows read as text page by page (`TextReader`, the one
//! paging reader, also the legacy layouts'), tables read on it in canonical form
//! (`TableReader`), rows written (PostgreSQL `COPY … FROM STDIN`, SQLite multi-row inserts),
//! tallied and verified by reading the target back (`Tally`, `verify_table`), and the refusals
//! that look at rows (NUL characters, a non-empty target). It knows tables only through their
//! `TableSpec`s and rows only through a `RowSource`: no group, tool or command by name.

use std::cell::RefCell;
use std::io::Write;

use anyhow::{anyhow, bail, Context, Result};
use diesel::connection::SimpleConnection;
use diesel::deserialize::{FromSql, QueryableByName};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use indicatif::ProgressBar;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::canonical::{
    canonical_json, canonical_naive_timestamp, canonical_timestamp, sqlite_timestamp,
};
use super::spec::{quoted, quoted_list, Column, CopyInError, Kind, Row, TableSpec};
use crate::db::{self, AnyConnection, Backend};
use crate::output::Output;

/// Rows read per page of the source; fewer for tables of blobs (checkpoints can be large).
pub const PAGE_ROWS: usize = 5000;
const BLOB_PAGE_ROWS: usize = 200;

fn page_rows(spec: &TableSpec) -> usize {
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

/// One row of any query as text, however many columns it has (`None` for NULL): read by
/// position, so one diesel row type serves every column list built at run time, without
/// encoding rows in SQL and decoding them again.
struct TextColumns(Row);

impl<DB> QueryableByName<DB> for TextColumns
where
    DB: diesel::backend::Backend,
    Option<String>: FromSql<Nullable<Text>, DB>,
{
    fn build<'a>(row: &impl diesel::row::NamedRow<'a, DB>) -> diesel::deserialize::Result<Self> {
        (0..row.field_count())
            .map(|i| row.get_value::<Nullable<Text>, Option<String>, usize>(i))
            .collect::<diesel::deserialize::Result<Row>>()
            .map(TextColumns)
    }
}

/// The one paging reader of the source: a query's rows, every column as text, in pages,
/// within the caller's transaction (the snapshot `in_source_snapshot` opens), without holding
/// them in memory. SQLite streams one query (diesel's `load_iter`, a cursor over the
/// statement); PostgreSQL fetches from a transaction-scoped cursor (`DECLARE … CURSOR`, safe
/// behind PgBouncer's transaction pooling). The engine's `TableReader` and the legacy layouts'
/// reader build their column lists on it.
pub struct TextReader {
    /// Names the table in errors.
    table: String,
    select: String,
    page_rows: usize,
}

/// The cursor name of `TextReader` on PostgreSQL (one open at a time per connection).
const CURSOR: &str = "agentdb_copy_rows";

impl TextReader {
    /// `SELECT <columns> FROM <from>`: `from` names the table and may go on with `WHERE`
    /// and `ORDER BY`; `table` names it in errors.
    pub fn new(table: &str, columns: &[String], from: &str, page_rows: usize) -> TextReader {
        TextReader {
            table: table.to_string(),
            select: format!("SELECT {} FROM {from}", columns.join(", ")),
            page_rows,
        }
    }

    /// Calls `page` with successive pages of rows.
    pub fn pages(
        &self,
        conn: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let size = self.page_rows;
        let context = || format!("cannot read table {}", self.table);
        match conn.backend() {
            Backend::Sqlite => {
                let mut rows = Vec::with_capacity(size);
                let cursor = diesel::sql_query(&self.select)
                    .load_iter::<TextColumns, diesel::connection::DefaultLoadingMode>(conn)
                    .with_context(context)?;
                for row in cursor {
                    rows.push(row.with_context(context)?.0);
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
                    let rows: Vec<TextColumns> =
                        diesel::sql_query(format!("FETCH FORWARD {size} FROM {CURSOR}"))
                            .load(conn)
                            .with_context(context)?;
                    if rows.is_empty() {
                        break;
                    }
                    page(rows.into_iter().map(|r| r.0).collect())?;
                }
                conn.batch_execute(&format!("CLOSE {CURSOR}"))
                    .with_context(context)?;
            }
        }
        Ok(())
    }
}

#[derive(QueryableByName)]
struct EncodedRow {
    /// A row's key values as a JSON array of strings (any key width in one column).
    #[diesel(sql_type = Text)]
    row: String,
}

/// Reads a table of a `TableSpec` in pages, in canonical form, on `TextReader`. Rows come in
/// storage order unless `ordered` (primary key order).
pub struct TableReader<'a> {
    spec: &'a TableSpec,
    reader: TextReader,
    backend: Backend,
}

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
        let columns: Vec<String> = spec.columns.iter().map(|c| read_expr(backend, c)).collect();
        let wheres = filter
            .condition(spec)
            .map(|c| format!(" WHERE {c}"))
            .unwrap_or_default();
        let order = if ordered {
            format!(" ORDER BY {}", quoted_list(spec.key))
        } else {
            String::new()
        };
        let from = format!("{}{wheres}{order}", quoted(spec.name));
        TableReader {
            spec,
            reader: TextReader::new(spec.name, &columns, &from, page_rows(spec)),
            backend,
        }
    }

    /// Calls `page` with successive pages of rows in canonical form.
    pub fn pages(
        &mut self,
        conn: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let this = &*self;
        this.reader.pages(conn, &mut |mut rows| {
            for row in &mut rows {
                this.decode(row)?;
            }
            page(rows)
        })
    }

    /// SQLite times in canonical form (PostgreSQL renders them so in SQL).
    fn decode(&self, row: &mut Row) -> Result<()> {
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
                        describe_key(self.spec, &key_of(self.spec, row)),
                        column.name
                    )
                })?;
                row[i] = Some(canonical);
            }
        }
        Ok(())
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
    /// A check of copied rows rather than a table of its own (LangGraph's thread heads): its
    /// rows are not counted as copied. Not part of the report.
    #[serde(skip)]
    pub check_only: bool,
}

/// The rows a copy moved: every table's, not the verification-only checks.
pub fn rows_copied(tables: &[TableCopy]) -> u64 {
    tables
        .iter()
        .filter(|t| !t.check_only)
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
            crate::error::Message(message)
        })
    };
    let result = (spec.copy_in)(target, &write);
    let mut feed = feed.into_inner();
    if let Some(failure) = feed.failure.take() {
        return Err(failure);
    }
    result
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("cannot load table {} into the target", spec.name))?;
    Ok(feed.tally)
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
pub(crate) fn write_copy_line(out: &mut Vec<u8>, spec: &TableSpec, row: &Row) {
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
        check_only: false,
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

#[cfg(test)]
mod tests {
    use super::*;

    mod tenants {
        crate::copy::declare_copy_tables! { TABLES, "agentdb",
            tenants (id) tenant Some("id") => {
                id: Text, name: Text, status: Text, api_key_hash: Text, api_key_prefix: Text,
                metadata: Json, created_at: Timestamp, updated_at: Timestamp,
            }
        }
    }

    #[test]
    fn copy_lines_escape_text_format() {
        let spec = &tenants::TABLES[0];
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
