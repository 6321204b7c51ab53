//! Copying LangGraph's checkpoints (`agentdb copy --include langgraph`,
//! `docs/data-facts.md#copy-langgraph-sqlite-to-postgresql`): the savers' table specs and DDL,
//! row copies between savers of one kind, SqliteSaver → PostgresSaver conversion (msgpack read
//! through `crate::msgpack`), and the thread-head check.

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{present, writes_table, EXT_DELTA_SNAPSHOT};
use crate::copy::{Filter, Group, Row, RowSource, Step, TableCopy, TableReader, TableSpec};
use crate::db::{self, AnyConnection, Backend};
use crate::msgpack;

/// SqliteSaver's tables (checkpoint-sqlite 3.x): whole msgpack checkpoints and `writes`, with
/// or without the `task_path` column that 3.1.2 added.
pub mod sqlite_saver_tables {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "langgraph",
        checkpoints (thread_id, checkpoint_ns, checkpoint_id) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text,
            parent_checkpoint_id: Text, type_ ["type"]: Text, checkpoint: Bytes, metadata: Bytes,
        }
        writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text, task_id: Text,
            task_path: Text, idx: Int, channel: Text, type_ ["type"]: Text, value: Bytes,
        }
    }
}

/// `writes` as checkpoint-sqlite ≤ 3.1.1 made it (no `task_path`).
pub mod sqlite_saver_legacy_writes {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "langgraph",
        writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text, task_id: Text,
            idx: Int, channel: Text, type_ ["type"]: Text, value: Bytes,
        }
    }
}

/// PostgresSaver's tables (checkpoint-postgres 3.x). `checkpoint_migrations` is not copied:
/// agentdb writes its rows when it creates the tables.
pub mod postgres_saver_tables {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "langgraph",
        checkpoints (thread_id, checkpoint_ns, checkpoint_id) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text,
            parent_checkpoint_id: Text, type_ ["type"]: Text, checkpoint: Json, metadata: Json,
        }
        checkpoint_blobs (thread_id, checkpoint_ns, channel, version) tenant None => {
            thread_id: Text, checkpoint_ns: Text, channel: Text, version: Text, type_ ["type"]: Text,
            blob: Bytes,
        }
        checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text, task_id: Text, idx: Int,
            channel: Text, type_ ["type"]: Text, blob: Bytes, task_path: Text,
        }
    }
}

/// PostgresSaver's MIGRATIONS (checkpoint-postgres 3.2.0), in order; the three indexes without
/// CONCURRENTLY, which cannot run inside the copy's transaction (same indexes, same names).
const POSTGRES_SAVER_MIGRATIONS: [&str; 10] = [
    "CREATE TABLE IF NOT EXISTS checkpoint_migrations (v INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS checkpoints (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL, parent_checkpoint_id TEXT, type TEXT, checkpoint JSONB NOT NULL, metadata JSONB NOT NULL DEFAULT '{}', PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id))",
    "CREATE TABLE IF NOT EXISTS checkpoint_blobs (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL, version TEXT NOT NULL, type TEXT NOT NULL, blob BYTEA, PRIMARY KEY (thread_id, checkpoint_ns, channel, version))",
    "CREATE TABLE IF NOT EXISTS checkpoint_writes (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT, blob BYTEA NOT NULL, PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx))",
    "ALTER TABLE checkpoint_blobs ALTER COLUMN blob DROP not null",
    "SELECT 1",
    "CREATE INDEX IF NOT EXISTS checkpoints_thread_id_idx ON checkpoints(thread_id)",
    "CREATE INDEX IF NOT EXISTS checkpoint_blobs_thread_id_idx ON checkpoint_blobs(thread_id)",
    "CREATE INDEX IF NOT EXISTS checkpoint_writes_thread_id_idx ON checkpoint_writes(thread_id)",
    "ALTER TABLE checkpoint_writes ADD COLUMN IF NOT EXISTS task_path TEXT NOT NULL DEFAULT ''",
];

/// SqliteSaver's `setup()` (checkpoint-sqlite 3.1.2), without its `PRAGMA journal_mode=WAL`
/// (agentdb's connections already use WAL).
const SQLITE_SAVER_SETUP: &str = "
CREATE TABLE IF NOT EXISTS checkpoints (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    parent_checkpoint_id TEXT,
    type TEXT,
    checkpoint BLOB,
    metadata BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE TABLE IF NOT EXISTS writes (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    task_path TEXT NOT NULL DEFAULT '',
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    type TEXT,
    value BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);";

fn sqlite_writes_has_task_path(conn: &mut AnyConnection) -> Result<bool> {
    db::has_column(conn, "writes", "task_path")
}

/// The steps that copy LangGraph's checkpoints from `source` to a `target` backend: row copies
/// between savers of the same kind, SqliteSaver → PostgresSaver conversion, and a refusal of
/// PostgresSaver → SqliteSaver (see docs/data-facts.md: not shown to be sound).
pub fn copy_plan(
    source: &mut AnyConnection,
    source_name: &str,
    target: Backend,
) -> Result<Vec<Step<'static>>> {
    let backend = source.backend();
    if !present(source)? {
        anyhow::bail!(
            "--include langgraph: the source {source_name} has no LangGraph checkpoint tables (checkpoints and {})",
            writes_table(backend)
        );
    }
    let filter = Filter::default();
    let pg = postgres_saver_tables::TABLES;
    let sqlite = sqlite_saver_tables::TABLES;
    let writes: &'static TableSpec =
        if backend == Backend::Sqlite && !sqlite_writes_has_task_path(source)? {
            &sqlite_saver_legacy_writes::TABLES[0]
        } else {
            &sqlite[1]
        };
    Ok(match (backend, target) {
        (Backend::Sqlite, Backend::Sqlite) => vec![
            Step::plain(&sqlite[0], backend, &filter),
            Step::plain(writes, backend, &filter),
        ],
        (Backend::Postgres, Backend::Postgres) => {
            pg.iter().map(|spec| Step::plain(spec, backend, &filter)).collect()
        }
        (Backend::Sqlite, Backend::Postgres) => vec![
            Step {
                target: &pg[0],
                rows: Box::new(Converter::new(Output::Checkpoints)),
                plain_source: None,
            },
            Step {
                target: &pg[1],
                rows: Box::new(Converter::new(Output::Blobs)),
                plain_source: None,
            },
            Step {
                target: &pg[2],
                rows: Box::new(WritesToPostgres::new(writes)),
                plain_source: None,
            },
        ],
        (Backend::Postgres, Backend::Sqlite) => anyhow::bail!(
            "--include langgraph: copying PostgresSaver checkpoints into SQLite is not supported: SqliteSaver keeps each checkpoint as one msgpack document, which would have to be re-encoded from PostgreSQL's JSON (whose numbers and strings have lost msgpack's types) and its blobs; agentdb does not guess. Copy LangGraph data PostgreSQL → PostgreSQL, or SQLite → PostgreSQL"
        ),
    })
}

/// LangGraph's checkpoint tables as a copy group.
#[derive(Debug, Default)]
pub struct LangGraphGroup;

impl Group for LangGraphGroup {
    fn name(&self) -> &'static str {
        "langgraph"
    }

    fn plan(
        &mut self,
        source: &mut AnyConnection,
        source_name: &str,
        target: Backend,
        _filter: &Filter,
    ) -> Result<Vec<Step<'static>>> {
        copy_plan(source, source_name, target)
    }

    fn prepare_target(&self, target: &mut AnyConnection, target_name: &str) -> Result<()> {
        prepare_copy_target(target, target_name)
    }

    fn verify(
        &self,
        source: &mut AnyConnection,
        target: &mut AnyConnection,
    ) -> Result<Vec<TableCopy>> {
        Ok(vec![verify_thread_heads(source, target)?])
    }
}

/// Inside the copy transaction: the saver's tables with the saver's own DDL where they are
/// missing (PostgresSaver: its ten migrations and their `checkpoint_migrations` rows).
pub fn prepare_copy_target(conn: &mut AnyConnection, name: &str) -> Result<()> {
    use diesel::connection::SimpleConnection;
    match conn.backend() {
        Backend::Sqlite => {
            if conn.table_exists("writes")? && !sqlite_writes_has_task_path(conn)? {
                conn.batch_execute("ALTER TABLE writes ADD COLUMN task_path TEXT NOT NULL DEFAULT ''")?;
            }
            conn.batch_execute(SQLITE_SAVER_SETUP)
        }
        Backend::Postgres => {
            let mut result = Ok(());
            for sql in POSTGRES_SAVER_MIGRATIONS {
                result = result.and_then(|_| conn.batch_execute(sql));
            }
            result.and_then(|_| {
                conn.batch_execute(
                    "INSERT INTO checkpoint_migrations (v) SELECT generate_series(0, 9) ON CONFLICT DO NOTHING",
                )
            })
        }
    }
    .with_context(|| format!("cannot create LangGraph's checkpoint tables in {name}"))
}

/// The name of the verification-only entry `verify_thread_heads` reports (no rows of its own).
pub const HEADS_CHECK: &str = "checkpoints: head and count per thread";

/// Per thread, the newest checkpoint id and the number of checkpoints, on both sides.
pub fn verify_thread_heads(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
) -> Result<TableCopy> {
    const HEADS: TableSpec = TableSpec {
        group: "langgraph",
        name: HEADS_CHECK,
        key: &["thread_id"],
        tenant_column: None,
        copy_in: crate::copy::never_loaded,
        columns: &[
            crate::copy::Column {
                name: "thread_id",
                kind: crate::copy::Kind::Text,
            },
            crate::copy::Column {
                name: "head",
                kind: crate::copy::Kind::Text,
            },
            crate::copy::Column {
                name: "n",
                kind: crate::copy::Kind::Int,
            },
        ],
    };
    #[derive(QueryableByName)]
    struct HeadRow {
        #[diesel(sql_type = Text)]
        thread_id: String,
        #[diesel(sql_type = Text)]
        head: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let tally = |conn: &mut AnyConnection| -> Result<crate::copy::Tally> {
        let rows: Vec<HeadRow> = diesel::sql_query(
            "SELECT thread_id, max(checkpoint_id) AS head, count(*) AS n FROM checkpoints GROUP BY thread_id",
        )
        .load(conn)
        .context("cannot read the LangGraph thread heads")?;
        let mut tally = crate::copy::Tally::default();
        for r in rows {
            tally.add(
                &HEADS,
                &vec![Some(r.thread_id), Some(r.head), Some(r.n.to_string())],
            );
        }
        Ok(tally)
    };
    let (from, to) = (tally(source)?, tally(target)?);
    Ok(TableCopy {
        group: "langgraph",
        table: HEADS.name,
        source_rows: from.rows,
        target_rows: to.rows,
        source_digest: from.digest(),
        target_digest: to.digest(),
        verified: from == to,
        check_only: true,
    })
}

/// SQLite `writes` rows as PostgresSaver's `checkpoint_writes` rows (`value` → `blob`; a
/// missing `task_path` is `''`, as PostgresSaver's default).
struct WritesToPostgres {
    reader: TableReader<'static>,
    spec: &'static TableSpec,
}

impl WritesToPostgres {
    fn new(spec: &'static TableSpec) -> WritesToPostgres {
        WritesToPostgres {
            reader: TableReader::new(spec, Backend::Sqlite, &Filter::default()),
            spec,
        }
    }
}

impl RowSource for WritesToPostgres {
    fn pages(
        &mut self,
        source: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let spec = self.spec;
        let column = |row: &Row, name: &str| -> Option<String> {
            spec.columns
                .iter()
                .position(|c| c.name == name)
                .and_then(|i| row[i].clone())
        };
        self.reader.pages(source, &mut |rows| {
            page(
                rows.iter()
                    .map(|row| {
                        vec![
                            column(row, "thread_id"),
                            column(row, "checkpoint_ns"),
                            column(row, "checkpoint_id"),
                            column(row, "task_id"),
                            column(row, "idx"),
                            column(row, "channel"),
                            column(row, "type"),
                            Some(column(row, "value").unwrap_or_default()),
                            Some(column(row, "task_path").unwrap_or_default()),
                        ]
                    })
                    .collect(),
            )
        })
    }
}

/// Which PostgresSaver table a pass over the SQLite checkpoints produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Checkpoints,
    Blobs,
}

/// SqliteSaver checkpoints as PostgresSaver rows, as `PostgresSaver.put` would have written
/// them: primitives inline in the JSONB, every other channel value as an opaque msgpack blob
/// under (channel, version), shared by the checkpoints that keep that version.
struct Converter {
    reader: TableReader<'static>,
    output: Output,
    /// Blobs already produced for the current (thread, namespace): pages come in key order.
    group: (String, String),
    seen: HashSet<(String, String)>,
    /// Threads that cannot be converted, and why (first reason each).
    refused: BTreeMap<String, String>,
}

impl Converter {
    fn new(output: Output) -> Converter {
        Converter {
            // Key order: blobs are deduplicated per (thread, namespace) as they stream by.
            reader: TableReader::ordered(
                &sqlite_saver_tables::TABLES[0],
                Backend::Sqlite,
                &Filter::default(),
            ),
            output,
            group: Default::default(),
            seen: HashSet::new(),
            refused: BTreeMap::new(),
        }
    }

    fn rows_of(&mut self, row: &Row) -> Result<Vec<Row>> {
        let text = |i: usize| row[i].clone();
        let thread = text(0).unwrap_or_default();
        let ns = text(1).unwrap_or_default();
        let converted = convert_checkpoint(
            text(4).as_deref(),
            &hex::decode(text(5).unwrap_or_default()).context("checkpoint bytes")?,
            &hex::decode(text(6).unwrap_or_default()).context("metadata bytes")?,
        )
        .map_err(|e| anyhow::anyhow!("checkpoint {}: {e:#}", text(2).unwrap_or_default()))?;
        Ok(match self.output {
            Output::Checkpoints => vec![vec![
                Some(thread),
                Some(ns),
                text(2),
                text(3),
                None,
                Some(converted.checkpoint),
                Some(converted.metadata),
            ]],
            Output::Blobs => {
                if self.group != (thread.clone(), ns.clone()) {
                    self.group = (thread.clone(), ns.clone());
                    self.seen.clear();
                }
                let mut rows = Vec::new();
                for blob in converted.blobs {
                    if self
                        .seen
                        .insert((blob.channel.clone(), blob.version.clone()))
                    {
                        rows.push(vec![
                            Some(thread.clone()),
                            Some(ns.clone()),
                            Some(blob.channel),
                            Some(blob.version),
                            Some("msgpack".to_string()),
                            Some(hex::encode(blob.bytes)),
                        ]);
                    }
                }
                rows
            }
        })
    }
}

impl RowSource for Converter {
    fn pages(
        &mut self,
        source: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let mut reader = std::mem::replace(
            &mut self.reader,
            TableReader::new(
                &sqlite_saver_tables::TABLES[0],
                Backend::Sqlite,
                &Filter::default(),
            ),
        );
        reader.pages(source, &mut |rows| {
            let mut out = Vec::new();
            for row in &rows {
                match self.rows_of(row) {
                    Ok(converted) => out.extend(converted),
                    Err(e) => {
                        let thread = row[0].clone().unwrap_or_default();
                        self.refused
                            .entry(thread)
                            .or_insert_with(|| format!("{e:#}"));
                    }
                }
            }
            page(out)
        })?;
        if !self.refused.is_empty() {
            let list: Vec<String> = self
                .refused
                .iter()
                .map(|(thread, why)| format!("thread {thread}: {why}"))
                .collect();
            anyhow::bail!(
                "LangGraph checkpoints that cannot be converted to PostgresSaver's layout (nothing was copied): {}",
                list.join("; ")
            );
        }
        Ok(())
    }
}

/// One blob PostgresSaver would store for a checkpoint.
struct Blob {
    channel: String,
    version: String,
    bytes: Vec<u8>,
}

/// A SqliteSaver checkpoint as PostgresSaver stores it.
struct Converted {
    /// The `checkpoint` JSONB, as JSON text.
    checkpoint: String,
    /// The `metadata` JSONB (without `writes`, which PostgresSaver drops).
    metadata: String,
    blobs: Vec<Blob>,
}

/// Converts one checkpoint row (`docs/data-facts.md#copy-langgraph-sqlite-to-postgresql`): msgpack read generically, channel
/// values kept as the exact byte slices `dumps_typed` produced.
fn convert_checkpoint(kind: Option<&str>, body: &[u8], metadata: &[u8]) -> Result<Converted> {
    match kind {
        Some("msgpack") => {}
        other => anyhow::bail!(
            "stored as {:?}: only msgpack checkpoints can be converted (pickle, JSON and encrypted checkpoints cannot be split into channels)",
            other.unwrap_or("NULL")
        ),
    }
    let mut rest = body;
    let entries =
        msgpack::read_map_len(&mut rest).context("the checkpoint is not a msgpack map")?;
    let mut fields = serde_json::Map::new();
    let mut channel_values: Vec<(String, &[u8])> = Vec::new();
    for _ in 0..entries {
        let key = msgpack::read_key(&mut rest)?;
        if key == "channel_values" {
            let n = msgpack::read_map_len(&mut rest).context("channel_values is not a map")?;
            for _ in 0..n {
                let channel = msgpack::read_key(&mut rest)?;
                let value = msgpack::split_value(&mut rest).context("unreadable channel value")?;
                channel_values.push((channel, value));
            }
        } else {
            let value = msgpack::split_value(&mut rest).context("unreadable msgpack")?;
            let json = msgpack::to_json(value).with_context(|| format!("field {key}"))?;
            fields.insert(key, json);
        }
    }
    let v = fields.get("v").and_then(|v| v.as_i64()).unwrap_or(0);
    if v < 4 {
        anyhow::bail!("checkpoint format v{v} (langgraph < 0.5) keeps pending sends inline; PostgresSaver reads them from writes: not convertible");
    }
    let versions = fields
        .get("channel_versions")
        .and_then(|v| v.as_object())
        .cloned()
        .unwrap_or_default();
    let mut inline = serde_json::Map::new();
    let mut blobs = Vec::new();
    for (channel, bytes) in channel_values {
        // A value PostgresSaver keeps inline: None, str, int, float, bool, when `jsonb` can
        // hold it (no NUL, no NaN/Infinity; those go to a blob, which PostgresSaver also reads).
        if let Some(json) = msgpack::inline_scalar(bytes) {
            inline.insert(channel, json);
            continue;
        }
        let Some(version) = versions.get(&channel) else {
            anyhow::bail!("channel {channel} has a value but no version");
        };
        let version = match version {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if msgpack::ext_type(bytes) == Some(EXT_DELTA_SNAPSHOT) {
            inline.insert(channel.clone(), serde_json::Value::Bool(true));
        }
        blobs.push(Blob {
            channel,
            version,
            bytes: bytes.to_vec(),
        });
    }
    fields.insert("channel_values".into(), serde_json::Value::Object(inline));
    let checkpoint = serde_json::Value::Object(fields).to_string();
    let mut metadata: serde_json::Value =
        serde_json::from_slice(metadata).context("metadata is not JSON")?;
    if let Some(map) = metadata.as_object_mut() {
        map.remove("writes");
    }
    let metadata = metadata.to_string();
    for (what, text) in [("checkpoint", &checkpoint), ("metadata", &metadata)] {
        if text.contains("\\u0000") {
            anyhow::bail!("its {what} holds \\u0000, which PostgreSQL's jsonb cannot store");
        }
    }
    Ok(Converted {
        checkpoint,
        metadata,
        blobs,
    })
}
