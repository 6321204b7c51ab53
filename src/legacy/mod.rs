//! Legacy data layouts: another platform's own tables, brought into agentdb's `agents`,
//! `threads` and `messages` under one tenant (`copy --layout`). One module per layout
//! (`agentkit`, `adk_integration`); this file holds what they share:
//!
//! - detection: the layout's tables and the columns its guide lists, checked before anything
//!   is written (a missing one is a usage error naming it); columns the guide does not list
//!   are carried into `metadata` under their own names;
//! - the column list that reads a legacy table's rows as text, whatever columns it has (on the
//!   engine's `TextReader`);
//! - the value conversions every mapping uses (times, JSON, booleans, integers), which refuse a
//!   value naming the table, row id and column;
//! - agentdb's three target rows, built by name and emitted in the engine's column order.
//!
//! The copy engine (`crate::copy`) writes the mapped rows in one transaction and verifies counts
//! and digests of the mapped rows on both sides. The mapping tables and the decisions are in
//! `docs/legacy-layouts.md`.

pub mod adk_integration;
pub mod agentkit;
pub mod group;

pub use group::{preview, DryRun, Import, Layout, LegacyGroup};

use anyhow::{anyhow, bail, Context, Result};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;

use crate::copy::{self, Row, RowSource, Step, TableSpec, TextReader};
use crate::db::{self, AnyConnection, Backend};
use crate::error::UsageError;

/// A legacy table as its layout's guide describes it.
#[derive(Debug)]
pub struct LegacyTable {
    pub name: &'static str,
    /// The primary key column: names rows in refusals.
    pub key: &'static str,
    /// Every column the guide lists: all required.
    pub columns: &'static [&'static str],
    /// Which of them hold times (read with all their microseconds).
    pub times: &'static [&'static str],
    /// A family of columns the guide names by prefix (the ADK integration's `persona_*`): any
    /// number of them, none required.
    pub prefix: Option<&'static str>,
}

/// What a legacy table looks like in the source at hand.
#[derive(Debug, Clone)]
pub struct Shape {
    pub table: &'static LegacyTable,
    /// The columns read, in the table's own order: listed, prefixed and extra ones.
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    /// PostgreSQL's `data_type`; empty on SQLite (read by storage class instead).
    pub pg_type: String,
    pub role: ColumnRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    /// Listed by the guide.
    Listed,
    /// Named by the guide's prefix (`persona_*`).
    Prefixed,
    /// Not in the guide: carried into `metadata`.
    Extra,
}

impl Shape {
    /// The position of a column the guide lists (present: `inspect` checked it).
    pub fn listed(&self, name: &str) -> usize {
        self.position(name)
            .unwrap_or_else(|| panic!("{}.{name} was checked to exist", self.table.name))
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Positions and names of the columns with `role`.
    pub fn with_role(&self, role: ColumnRole) -> Vec<(usize, String)> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.role == role)
            .map(|(i, c)| (i, c.name.clone()))
            .collect()
    }

    /// `table.column` of every extra column, for the report.
    pub fn extra_names(&self) -> Vec<String> {
        self.with_role(ColumnRole::Extra)
            .into_iter()
            .map(|(_, c)| format!("{}.{c}", self.table.name))
            .collect()
    }
}

/// Checks that the source holds every table of a layout with every column its guide lists,
/// and describes each. Everything missing is named at once, as a usage error (exit 2).
pub fn inspect(
    source: &mut AnyConnection,
    source_name: &str,
    layout: &str,
    tables: &[&'static LegacyTable],
) -> Result<Vec<Shape>> {
    let mut shapes = Vec::new();
    let mut missing = Vec::new();
    for table in tables {
        let present = db::table_columns(source, table.name)?;
        if present.is_empty() {
            missing.push(format!("table {}", table.name));
            continue;
        }
        for listed in table.columns {
            if !present.iter().any(|c| c.name == *listed) {
                missing.push(format!("column {}.{listed}", table.name));
            }
        }
        let columns = present
            .into_iter()
            .map(|db::TableColumn { name, data_type }| {
                let role = if table.columns.contains(&name.as_str()) {
                    ColumnRole::Listed
                } else if table.prefix.is_some_and(|p| name.starts_with(p)) {
                    ColumnRole::Prefixed
                } else {
                    ColumnRole::Extra
                };
                Column {
                    name,
                    pg_type: data_type,
                    role,
                }
            })
            .collect();
        shapes.push(Shape { table, columns });
    }
    if !missing.is_empty() {
        let mut message = format!(
            "--layout {layout}: the source {source_name} is not in that layout: no {}; nothing was copied",
            missing.join(", ")
        );
        if source.table_exists(db::MIGRATIONS_TABLE)? {
            message.push_str("\nhint: the source is an agentdb database: copy it without --layout");
        }
        return Err(UsageError::new(message).into());
    }
    Ok(shapes)
}

/// A column for SQL (both backends quote with `"`).
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One legacy row: the text of each column of its `Shape`, `None` for NULL.
pub type Record = Vec<Option<String>>;

/// The engine's reader over a legacy table: its rows as text, column by column as its `Shape`
/// lists them (in storage order; `condition` may leave rows out). Times come with all their
/// microseconds: PostgreSQL through `to_char`, SQLite REAL epochs through `printf('%.6f')`
/// (`CAST` keeps 15 digits).
fn reader(shape: &Shape, backend: Backend, condition: Option<&str>) -> TextReader {
    let columns: Vec<String> = shape
        .columns
        .iter()
        .map(|c| {
            let name = format!("t.{}", quoted(&c.name));
            let time = shape.table.times.contains(&c.name.as_str());
            match backend {
                Backend::Postgres if c.pg_type.starts_with("timestamp") => {
                    format!("to_char({name}, 'YYYY-MM-DD HH24:MI:SS.US')")
                }
                Backend::Postgres => format!("{name}::text"),
                Backend::Sqlite if time => format!(
                    "CASE WHEN typeof({name}) IN ('real', 'integer') THEN printf('%.6f', {name}) ELSE CAST({name} AS TEXT) END"
                ),
                Backend::Sqlite => format!("CAST({name} AS TEXT)"),
            }
        })
        .collect();
    let wheres = condition.map(|c| format!(" WHERE {c}")).unwrap_or_default();
    let from = format!("{} AS t{wheres}", quoted(shape.table.name));
    TextReader::new(shape.table.name, &columns, &from, copy::PAGE_ROWS)
}

/// A refusal of one legacy value: names the table, the row and the column.
pub fn refusal(table: &str, key: &str, id: &str, column: &str, problem: &str) -> anyhow::Error {
    anyhow!("table {table}, row {key}={id}, column {column}: {problem}; nothing was copied")
}

/// A legacy value being mapped: where it came from, for refusals.
pub struct Field<'a> {
    pub table: &'static LegacyTable,
    pub id: &'a str,
    pub column: &'a str,
    pub value: Option<&'a str>,
}

impl Field<'_> {
    pub fn refuse(&self, problem: impl std::fmt::Display) -> anyhow::Error {
        refusal(
            self.table.name,
            self.table.key,
            self.id,
            self.column,
            &problem.to_string(),
        )
    }

    /// A value agentdb requires.
    pub fn required(&self) -> Result<&str> {
        self.value
            .ok_or_else(|| self.refuse("is NULL, and agentdb requires a value"))
    }

    pub fn text(&self) -> Option<String> {
        self.value.map(str::to_string)
    }

    /// A time as agentdb's canonical UTC text; a naive time is UTC.
    pub fn time(&self) -> Result<Option<String>> {
        self.value
            .map(|v| legacy_time(v).map_err(|e| self.refuse(e)))
            .transpose()
    }

    /// JSON text, checked to parse (its spelling kept: numbers keep every digit).
    pub fn json(&self) -> Result<Option<String>> {
        match self.value {
            None => Ok(None),
            Some(text) => {
                check_json(text).map_err(|e| self.refuse(format!("not JSON ({e})")))?;
                Ok(Some(text.to_string()))
            }
        }
    }

    /// A time agentdb requires.
    pub fn required_time(&self) -> Result<String> {
        self.required()?;
        Ok(self.time()?.expect("not NULL"))
    }

    /// A value of `one_of` agentdb requires.
    pub fn required_one_of(&self, accepted: &[(&str, &'static str)]) -> Result<&'static str> {
        self.required()?;
        Ok(self.one_of(accepted)?.expect("not NULL"))
    }

    pub fn boolean(&self) -> Result<Option<bool>> {
        self.value
            .map(|v| parse_bool(v).ok_or_else(|| self.refuse(format!("{v:?} is not a boolean"))))
            .transpose()
    }

    pub fn integer(&self) -> Result<Option<i64>> {
        self.value
            .map(|v| {
                v.trim()
                    .parse::<i64>()
                    .map_err(|_| self.refuse(format!("{v:?} is not an integer")))
            })
            .transpose()
    }

    /// One of the values agentdb accepts, through `accepted` (legacy spelling → agentdb's).
    pub fn one_of(&self, accepted: &[(&str, &'static str)]) -> Result<Option<&'static str>> {
        let Some(value) = self.value else {
            return Ok(None);
        };
        accepted
            .iter()
            .find(|(legacy, _)| *legacy == value)
            .map(|(_, agentdb)| Some(*agentdb))
            .ok_or_else(|| {
                let names: Vec<&str> = accepted.iter().map(|(l, _)| *l).collect();
                self.refuse(format!(
                    "{value:?} is not accepted by agentdb (accepted: {})",
                    names.join(", ")
                ))
            })
    }
}

/// Where a table's columns are in its `Record`s: resolved once per run from the column list
/// the source has (`Shape`).
pub struct Positions {
    table: &'static LegacyTable,
    /// Of the guide's columns, in the guide's order.
    listed: Vec<usize>,
    /// The columns named by the guide's prefix, with the name without the prefix.
    prefixed: Vec<(usize, String)>,
    extras: Vec<(usize, String)>,
}

impl Positions {
    pub fn new(shape: &Shape) -> Positions {
        let prefix = shape.table.prefix.map_or(0, str::len);
        Positions {
            table: shape.table,
            listed: shape
                .table
                .columns
                .iter()
                .map(|c| shape.listed(c))
                .collect(),
            prefixed: shape
                .with_role(ColumnRole::Prefixed)
                .into_iter()
                .map(|(i, name)| (i, name[prefix..].to_string()))
                .collect(),
            extras: shape.with_role(ColumnRole::Extra),
        }
    }

    /// The columns named by the guide's prefix: each name without the prefix, and its value.
    pub fn prefixed<'s, 'r>(
        &'s self,
        record: &'r Record,
    ) -> impl Iterator<Item = (&'s str, Option<&'r str>)> {
        self.prefixed
            .iter()
            .map(|(i, key)| (key.as_str(), record[*i].as_deref()))
    }

    /// The row's key (the guide's first column).
    pub fn id<'r>(&self, record: &'r Record) -> &'r str {
        record[self.listed[0]].as_deref().unwrap_or("")
    }

    /// The value of the guide's column `name`.
    pub fn field<'r>(&self, record: &'r Record, name: &'static str) -> Field<'r> {
        let n = self
            .table
            .columns
            .iter()
            .position(|c| *c == name)
            .unwrap_or_else(|| panic!("{} lists no column {name}", self.table.name));
        Field {
            table: self.table,
            id: self.id(record),
            column: name,
            value: record[self.listed[n]].as_deref(),
        }
    }

    /// agentdb's `metadata`: the JSON document in the guide's column `column` with `added`
    /// members, then the extra columns, put in (`merge_metadata`); refused naming `column`.
    pub fn metadata(
        &self,
        record: &Record,
        column: &'static str,
        mut added: Vec<(String, serde_json::Value)>,
    ) -> Result<String> {
        let field = self.field(record, column);
        let document = field.json()?;
        added.extend(self.extras(record));
        merge_metadata(document.as_deref(), &added).map_err(|e| field.refuse(e))
    }

    /// The extra columns as metadata members: their text, NULL as null.
    pub fn extras(&self, record: &Record) -> Vec<(String, serde_json::Value)> {
        self.extras
            .iter()
            .map(|(i, name)| {
                let value = record[*i]
                    .clone()
                    .map(serde_json::Value::String)
                    .unwrap_or(serde_json::Value::Null);
                (name.clone(), value)
            })
            .collect()
    }
}

/// A legacy time as agentdb's canonical UTC text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`): every text
/// form `copy::canonical_timestamp` reads (a naive one, as SQLAlchemy writes it, is UTC) and
/// REAL epoch seconds.
pub fn legacy_time(text: &str) -> Result<String> {
    copy::canonical_timestamp(&copy::canonical_naive_timestamp(text)?)
}

/// Whether `text` parses as one JSON document. Documents nested deeper than 128 levels (serde's
/// limit) count as not parsing.
pub fn check_json(text: &str) -> std::result::Result<(), String> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A boolean as SQLAlchemy stores it on SQLite (1/0) or PostgreSQL renders it.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim() {
        "1" | "true" | "t" | "TRUE" | "True" => Some(true),
        "0" | "false" | "f" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

/// agentdb's `metadata`: the legacy metadata document (NULL: an empty object) with `added`
/// members (a column agentdb has no place for, under its own name) put in. The document's own
/// spelling is kept, so its numbers keep every digit. Refused: members to add to a document
/// that is not an object, or one that already has a member of that name.
pub fn merge_metadata(
    base: Option<&str>,
    added: &[(String, serde_json::Value)],
) -> std::result::Result<String, String> {
    let base = base.map(str::trim).unwrap_or("{}");
    check_json(base)?;
    if added.is_empty() {
        return Ok(base.to_string());
    }
    if !base.starts_with('{') {
        return Err(format!(
            "is not a JSON object, so the column(s) {} cannot be added to it",
            added
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let existing: std::collections::BTreeMap<String, serde::de::IgnoredAny> =
        serde_json::from_str(base).map_err(|e| e.to_string())?;
    if let Some((clash, _)) = added.iter().find(|(k, _)| existing.contains_key(k)) {
        return Err(format!(
            "already has a member {clash:?}, the name of a column that goes into metadata"
        ));
    }
    let members: Vec<String> = added
        .iter()
        .map(|(k, v)| {
            format!(
                "{}:{}",
                serde_json::Value::String(k.clone()),
                serde_json::to_string(v).expect("JSON values serialize")
            )
        })
        .collect();
    if existing.is_empty() {
        return Ok(format!("{{{}}}", members.join(",")));
    }
    let inner = base[..base.len() - 1].trim_end();
    Ok(format!("{inner},{}}}", members.join(",")))
}

/// An agentdb `agents` row (under the import's tenant).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AgentRow {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub agent_type: &'static str,
    pub persona: Option<String>,
    pub config: String,
    pub tools: String,
    pub sub_agents: String,
    pub planner: Option<String>,
    pub version: i64,
    pub is_active: bool,
    pub usage_count: i64,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub metadata: String,
}

/// An agentdb `threads` row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ThreadRow {
    pub id: String,
    pub agent_id: Option<String>,
    pub title: Option<String>,
    pub agent_type: Option<String>,
    pub model: Option<String>,
    pub provider: Option<String>,
    pub session_id: Option<String>,
    pub status: &'static str,
    pub created_at: String,
    pub updated_at: String,
    pub last_message_at: Option<String>,
    pub metadata: String,
}

/// An agentdb `messages` row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessageRow {
    pub id: String,
    pub thread_id: String,
    pub role: &'static str,
    pub content: String,
    pub message_type: &'static str,
    pub tool_name: Option<String>,
    pub tool_arguments: Option<String>,
    pub tool_call_id: Option<String>,
    pub artifact_data: Option<String>,
    pub is_complete: bool,
    pub created_at: String,
    pub metadata: String,
}

fn flag(b: bool) -> Option<String> {
    Some(if b { "true" } else { "false" }.to_string())
}

/// The engine's row for a target table: values in its `TableSpec`'s column order, canonical.
pub trait TargetRow {
    const TABLE: &'static str;
    fn into_row(self, tenant: &str) -> Row;
}

impl TargetRow for AgentRow {
    const TABLE: &'static str = "agents";
    fn into_row(self, tenant: &str) -> Row {
        vec![
            Some(tenant.to_string()),
            Some(self.id),
            Some(self.name),
            self.description,
            Some(self.agent_type.to_string()),
            self.persona,
            Some(self.config),
            Some(self.tools),
            Some(self.sub_agents),
            self.planner,
            Some(self.version.to_string()),
            flag(self.is_active),
            Some(self.usage_count.to_string()),
            Some(self.created_at),
            self.last_used_at,
            Some(self.metadata),
        ]
    }
}

impl TargetRow for ThreadRow {
    const TABLE: &'static str = "threads";
    fn into_row(self, tenant: &str) -> Row {
        vec![
            Some(tenant.to_string()),
            Some(self.id),
            self.agent_id,
            self.title,
            self.agent_type,
            self.model,
            self.provider,
            self.session_id,
            Some(self.status.to_string()),
            Some(self.created_at),
            Some(self.updated_at),
            self.last_message_at,
            Some(self.metadata),
        ]
    }
}

impl TargetRow for MessageRow {
    const TABLE: &'static str = "messages";
    fn into_row(self, tenant: &str) -> Row {
        vec![
            Some(tenant.to_string()),
            Some(self.id),
            Some(self.thread_id),
            Some(self.role.to_string()),
            Some(self.content),
            Some(self.message_type.to_string()),
            self.tool_name,
            self.tool_arguments,
            self.tool_call_id,
            self.artifact_data,
            flag(self.is_complete),
            Some(self.created_at),
            Some(self.metadata),
        ]
    }
}

/// agentdb's `TableSpec` for a target table.
pub fn agentdb_spec(name: &str) -> &'static TableSpec {
    crate::store::copy::agentdb_tables::TABLES
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("agentdb has a table {name}"))
}

/// How one legacy row becomes one agentdb row: a function of the record, given where its
/// table's columns are.
pub type MapFn<T> = fn(&Positions, &Record) -> Result<T>;

/// A legacy table's mapping into one agentdb table, with the positions of its columns resolved
/// once from the source's column list: the one shape of every layout's mappers.
pub struct Mapper<T> {
    at: Positions,
    map: MapFn<T>,
}

impl<T: TargetRow> Mapper<T> {
    pub fn new(shape: &Shape, map: MapFn<T>) -> Mapper<T> {
        Mapper {
            at: Positions::new(shape),
            map,
        }
    }

    pub fn map(&self, record: &Record) -> Result<T> {
        (self.map)(&self.at, record)
    }
}

/// A `RowSource` for the engine: a legacy table read by the engine's `TextReader` and mapped
/// by a `Mapper`.
struct Mapped<T> {
    reader: TextReader,
    mapper: Mapper<T>,
    tenant: String,
    /// PostgreSQL cannot store NUL in text or `\u0000` in `jsonb`: refused by row.
    target: Backend,
}

impl<T: TargetRow> Mapped<T> {
    fn check_storable(&self, record: &Record, row: &Row) -> Result<()> {
        if self.target != Backend::Postgres {
            return Ok(());
        }
        let spec = agentdb_spec(T::TABLE);
        let legacy = self.mapper.at.table;
        for (value, column) in row.iter().zip(spec.columns) {
            let Some(value) = value else { continue };
            if value.contains('\0')
                || (column.kind == copy::Kind::Json && value.contains("\\u0000"))
            {
                return Err(refusal(
                    legacy.name,
                    legacy.key,
                    self.mapper.at.id(record),
                    column.name,
                    "holds the NUL character (\\u0000), which PostgreSQL cannot store in text or jsonb (copy to SQLite, or remove it)",
                ));
            }
        }
        Ok(())
    }
}

impl<T: TargetRow> RowSource for Mapped<T> {
    fn pages(
        &mut self,
        source: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let this = &*self;
        this.reader.pages(source, &mut |records| {
            let mut rows = Vec::with_capacity(records.len());
            for record in &records {
                let row = this.mapper.map(record)?.into_row(&this.tenant);
                this.check_storable(record, &row)?;
                rows.push(row);
            }
            page(rows)
        })
    }
}

/// The engine's step that fills `T`'s agentdb table from the legacy table of `shape` through
/// `map` (the rows that meet `keep`, when given).
pub fn step<T: TargetRow + 'static>(
    shape: &Shape,
    map: MapFn<T>,
    keep: Option<&str>,
    backends: Backends,
    options: &Options,
) -> Step<'static> {
    Step {
        target: agentdb_spec(T::TABLE),
        rows: Box::new(Mapped {
            reader: reader(shape, backends.source, keep),
            mapper: Mapper::new(shape, map),
            tenant: options.tenant.clone(),
            target: backends.target,
        }),
        plain_source: None,
    }
}

/// What the caller decided about an import.
#[derive(Debug, Clone)]
pub struct Options {
    /// The tenant the rows go to (validated).
    pub tenant: String,
    /// Leave out messages whose thread, and conversations whose agent, is missing (counted)
    /// instead of refusing them.
    pub skip_orphans: bool,
}

/// The backends read from and written to (the target's decides what PostgreSQL refuses).
#[derive(Debug, Clone, Copy)]
pub struct Backends {
    pub source: Backend,
    pub target: Backend,
}

/// What an import found in the source beyond the rows it copies.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Findings {
    /// `table.column` of each column the guide does not list (carried into `metadata`).
    pub extra_columns: Vec<String>,
    /// Rows left out by `--skip-orphans`, per legacy table.
    pub orphans_skipped: Vec<Skipped>,
    /// Conversations whose `message_count` disagrees with their messages (not stored).
    pub message_count_mismatches: Vec<CountMismatch>,
    /// How many there are (`message_count_mismatches` lists the first 20).
    pub message_count_mismatch_total: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub table: &'static str,
    pub rows: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountMismatch {
    pub conversation_id: String,
    pub message_count: i64,
    pub messages: i64,
}

/// A legacy layout's copy, decided from the source: the steps for the engine, and what was found.
pub struct LegacyPlan {
    pub steps: Vec<Step<'static>>,
    pub findings: Findings,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    value: Option<String>,
}

/// The first row of `table` (alias `t`) matching `condition`: its key and the text of `column`.
fn first_where(
    source: &mut AnyConnection,
    table: &LegacyTable,
    column: &str,
    condition: &str,
) -> Result<Option<(String, Option<String>)>> {
    let sql = format!(
        "SELECT CAST(t.{key} AS TEXT) AS id, CAST(t.{column} AS TEXT) AS value FROM {table} AS t WHERE {condition} LIMIT 1",
        key = quoted(table.key),
        column = quoted(column),
        table = quoted(table.name)
    );
    let rows: Vec<IdRow> = diesel::sql_query(&sql)
        .load(source)
        .with_context(|| format!("cannot check table {}", table.name))?;
    Ok(rows.into_iter().next().map(|r| (r.id, r.value)))
}

/// Refuses, before anything is written, the first row whose `column` holds a value agentdb
/// does not accept (`accepted`: the legacy spellings; NULL allowed only if `null_ok`). `keep`
/// is the condition of the rows copied (orphans skipped or not).
pub fn refuse_unaccepted(
    source: &mut AnyConnection,
    table: &LegacyTable,
    column: &str,
    accepted: &[(&str, &'static str)],
    null_ok: bool,
    keep: Option<&str>,
) -> Result<()> {
    let list: Vec<String> = accepted
        .iter()
        .map(|(legacy, _)| format!("'{}'", legacy.replace('\'', "''")))
        .collect();
    let name = format!("t.{}", quoted(column));
    let mut condition = format!("{name} NOT IN ({})", list.join(", "));
    if !null_ok {
        condition = format!("({name} IS NULL OR {condition})");
    }
    if let Some(keep) = keep {
        condition = format!("{condition} AND {keep}");
    }
    if let Some((id, value)) = first_where(source, table, column, &condition)? {
        let names: Vec<&str> = accepted.iter().map(|(l, _)| *l).collect();
        let problem = match value {
            Some(v) => format!(
                "{v:?} is not accepted by agentdb (accepted: {})",
                names.join(", ")
            ),
            None => "is NULL, and agentdb requires a value".to_string(),
        };
        return Err(refusal(table.name, table.key, &id, column, &problem));
    }
    Ok(())
}

/// Refuses, before anything is written, the first row whose JSON text in `columns` does not
/// parse, on a SQLite source (JSON there is text nothing checked). PostgreSQL's `json`/`jsonb`
/// parse by construction; a PostgreSQL text column is checked as its rows are mapped.
pub fn refuse_unparsable_json(
    source: &mut AnyConnection,
    table: &LegacyTable,
    columns: &[&str],
    keep: Option<&str>,
) -> Result<()> {
    if source.backend() != Backend::Sqlite {
        return Ok(());
    }
    for column in columns {
        let name = format!("t.{}", quoted(column));
        let mut condition = format!("{name} IS NOT NULL AND NOT json_valid(CAST({name} AS TEXT))");
        if let Some(keep) = keep {
            condition = format!("{condition} AND {keep}");
        }
        if let Some((id, _)) = first_where(source, table, column, &condition)? {
            return Err(refusal(table.name, table.key, &id, column, "not JSON"));
        }
    }
    Ok(())
}

/// Orphans: rows of `table` for which `keep` (their parent exists) is false. Refused naming the
/// first one, or counted when they are to be skipped.
pub fn orphans(
    source: &mut AnyConnection,
    table: &LegacyTable,
    column: &str,
    parent: &str,
    keep: &str,
    skip: bool,
) -> Result<u64> {
    let not_kept = format!("NOT ({keep})");
    if !skip {
        if let Some((id, value)) = first_where(source, table, column, &not_kept)? {
            let problem = match value {
                Some(v) => format!("names {parent} {v:?}, which does not exist"),
                None => format!("is NULL: the row belongs to no {parent}"),
            };
            bail!(
                "{}\nhint: --skip-orphans leaves such rows out (and counts them)",
                refusal(table.name, table.key, &id, column, &problem)
            );
        }
        return Ok(0);
    }
    let n = db::count(
        source,
        &format!(
            "SELECT count(*) AS n FROM {} AS t WHERE {not_kept}",
            quoted(table.name)
        ),
    )?;
    Ok(n as u64)
}

/// Creates the import's tenant in the target when it does not exist (named after its id,
/// active, no API key: `init-tenant` gives it one). Returns whether it was created.
pub fn ensure_tenant(target: &mut AnyConnection, tenant: &str) -> Result<bool> {
    let created = diesel::sql_query(
        "INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .into_boxed::<db::MultiBackend>()
    .bind::<Text, _>(tenant)
    .bind::<Text, _>(tenant)
    .execute(target)
    .with_context(|| format!("cannot create tenant {tenant} in the target"))?;
    Ok(created == 1)
}

/// One agentdb table of a dry run: the rows the copy would write, and their digest.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    pub table: &'static str,
    pub rows: u64,
    pub digest: String,
}

/// `--dry-run`: every legacy row read and mapped in one snapshot of the source (so every
/// refusal the copy would meet is met), counted and digested as the copy's verification would;
/// nothing is written anywhere.
pub fn dry_run(source: &mut AnyConnection, steps: &mut [Step<'static>]) -> Result<Vec<Preview>> {
    copy::in_source_snapshot(source, |source| {
        let mut previews = Vec::with_capacity(steps.len());
        for step in steps.iter_mut() {
            let spec = step.target;
            let mut tally = copy::Tally::default();
            step.rows.pages(source, &mut |rows| {
                for row in &rows {
                    tally.add(spec, row);
                }
                Ok(())
            })?;
            previews.push(Preview {
                table: spec.name,
                rows: tally.rows,
                digest: tally.digest(),
            });
        }
        Ok(previews)
    })
}

/// Test helpers for the layouts' mapping tests.
#[cfg(test)]
pub mod fixtures {
    use super::*;

    /// A table with every listed column, in the guide's order, then `more`.
    pub fn shape(table: &'static LegacyTable, more: &[(&str, ColumnRole)]) -> Shape {
        let listed = table.columns.iter().map(|c| (*c, ColumnRole::Listed));
        let columns = listed
            .chain(more.iter().copied())
            .map(|(name, role)| Column {
                name: name.to_string(),
                pg_type: String::new(),
                role,
            })
            .collect();
        Shape { table, columns }
    }

    pub fn record(values: &[Option<&str>]) -> Record {
        values.iter().map(|v| v.map(str::to_string)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_rows_follow_the_engine_column_order() {
        // Each field set to its own column's name, to see where it lands.
        let agent = AgentRow {
            id: "id".into(),
            name: "name".into(),
            description: Some("description".into()),
            agent_type: "agent_type",
            persona: Some("persona".into()),
            config: "config".into(),
            tools: "tools".into(),
            sub_agents: "sub_agents".into(),
            planner: Some("planner".into()),
            version: 0,
            is_active: true,
            usage_count: 0,
            created_at: "created_at".into(),
            last_used_at: Some("last_used_at".into()),
            metadata: "metadata".into(),
        };
        let thread = ThreadRow {
            id: "id".into(),
            agent_id: Some("agent_id".into()),
            title: Some("title".into()),
            agent_type: Some("agent_type".into()),
            model: Some("model".into()),
            provider: Some("provider".into()),
            session_id: Some("session_id".into()),
            status: "status",
            created_at: "created_at".into(),
            updated_at: "updated_at".into(),
            last_message_at: Some("last_message_at".into()),
            metadata: "metadata".into(),
        };
        let message = MessageRow {
            id: "id".into(),
            thread_id: "thread_id".into(),
            role: "role",
            content: "content".into(),
            message_type: "message_type",
            tool_name: Some("tool_name".into()),
            tool_arguments: Some("tool_arguments".into()),
            tool_call_id: Some("tool_call_id".into()),
            artifact_data: Some("artifact_data".into()),
            is_complete: true,
            created_at: "created_at".into(),
            metadata: "metadata".into(),
        };
        let numeric = ["version", "is_active", "usage_count", "is_complete"];
        for (table, row) in [
            ("agents", agent.into_row("tenant_id")),
            ("threads", thread.into_row("tenant_id")),
            ("messages", message.into_row("tenant_id")),
        ] {
            let spec = agentdb_spec(table);
            assert_eq!(row.len(), spec.columns.len(), "{table}");
            for (value, column) in row.iter().zip(spec.columns) {
                if !numeric.contains(&column.name) {
                    assert_eq!(value.as_deref(), Some(column.name), "{table}");
                }
            }
        }
    }

    #[test]
    fn naive_sqlalchemy_times_are_utc() {
        for (input, expected) in [
            ("2026-01-04 10:00:00.123456", "2026-01-04T10:00:00.123456Z"),
            ("2026-01-04 10:00:00", "2026-01-04T10:00:00.000000Z"),
            ("2026-01-04T10:00:00.5", "2026-01-04T10:00:00.500000Z"),
            // PostgreSQL `timestamptz` rendered in the UTC session, and an offset.
            (
                "2026-01-04 10:00:00.123456+00",
                "2026-01-04T10:00:00.123456Z",
            ),
            ("2026-01-04 12:00:00+02:00", "2026-01-04T10:00:00.000000Z"),
            // REAL epoch seconds, as SQLite's printf('%.6f') gives them.
            ("1767520800.123456", "2026-01-04T10:00:00.123456Z"),
        ] {
            assert_eq!(legacy_time(input).unwrap(), expected, "{input}");
        }
        for bad in ["", "yesterday", "2026-13-01 00:00:00", "04/01/2026"] {
            assert!(legacy_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn metadata_keeps_the_document_and_adds_columns_by_name() {
        let big = r#"{"n": 12345678901234567890123, "deep": {"a": [1.50, {"b": null}]}}"#;
        assert_eq!(merge_metadata(Some(big), &[]).unwrap(), big);
        assert_eq!(merge_metadata(None, &[]).unwrap(), "{}");
        let added = vec![
            ("is_streaming".to_string(), serde_json::Value::Bool(true)),
            ("x".to_string(), serde_json::Value::Null),
        ];
        let merged = merge_metadata(Some(big), &added).unwrap();
        assert_eq!(
            copy::canonical_json(&merged),
            copy::canonical_json(
                r#"{"deep": {"a": [1.50, {"b": null}]}, "is_streaming": true, "n": 12345678901234567890123, "x": null}"#
            )
        );
        assert!(merged.contains("12345678901234567890123"));
        assert_eq!(
            merge_metadata(Some(" { } "), &added).unwrap(),
            r#"{"is_streaming":true,"x":null}"#
        );
        assert_eq!(
            merge_metadata(None, &added).unwrap(),
            r#"{"is_streaming":true,"x":null}"#
        );
        // Not an object, a clash, not JSON: refused, never silently reshaped.
        assert!(merge_metadata(Some("[1, 2]"), &added)
            .unwrap_err()
            .contains("not a JSON object"));
        assert!(merge_metadata(Some(r#"{"x": 1}"#), &added)
            .unwrap_err()
            .contains("\"x\""));
        assert!(merge_metadata(Some("{oops"), &[]).is_err());
        // A non-object document without columns to add stays as it is.
        assert_eq!(merge_metadata(Some("[1, 2]"), &[]).unwrap(), "[1, 2]");
    }

    #[test]
    fn booleans_and_json_are_checked() {
        assert_eq!(parse_bool("1"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert!(check_json(r#"{"a": [1, 2e400, "é"]}"#).is_ok());
        assert!(check_json("{'a': 1}").is_err());
        assert!(check_json("").is_err());
        assert!(check_json("NaN").is_err());
    }

    #[test]
    fn fields_refuse_naming_table_row_and_column() {
        let field = Field {
            table: &agentkit::MESSAGES,
            id: "m-1",
            column: "artifact_data",
            value: Some("{not json"),
        };
        let err = field.json().unwrap_err().to_string();
        assert!(
            err.starts_with("table messages, row id=m-1, column artifact_data: not JSON"),
            "{err}"
        );
        let role = Field {
            column: "role",
            value: Some("function"),
            ..field
        };
        let err = role.one_of(&[("user", "user")]).unwrap_err().to_string();
        assert!(err.contains("\"function\" is not accepted"), "{err}");
        let missing = Field {
            column: "created_at",
            value: None,
            ..role
        };
        assert!(missing.required().is_err());
        assert_eq!(missing.time().unwrap(), None);
    }
}
