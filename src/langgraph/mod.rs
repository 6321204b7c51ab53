//! LangGraph's checkpoint tables, which its savers own and agentdb only reads (`stats`) or
//! prunes on request (`prune`). PostgresSaver (checkpoint-postgres 3.x) keeps `checkpoints`
//! (JSONB), `checkpoint_blobs` and `checkpoint_writes`; SqliteSaver (checkpoint-sqlite 3.x)
//! keeps `checkpoints` (a whole msgpack checkpoint per row) and `writes` (with or without the
//! `task_path` column of 3.1.2). The rules of a safe prune follow `PostgresSaver.prune`
//! (3.2.0) with its "head" widened to "newest N"; see `docs/data-facts.md#prune-keep-newest-n`.
//!
//! Layout: this file holds what prune, stats and copy share (table names, detection, counts);
//! `prune` the safe deletions, `copy` the copy group and the SqliteSaver → PostgresSaver
//! conversion.

pub mod erase;
pub mod store;

use anyhow::Result;
use serde::Serialize;

use crate::db::{self, AnyConnection, Backend};

pub mod copy;
pub mod prune;

pub use copy::{prepare_copy_target, verify_thread_heads, LangGraphGroup, HEADS_CHECK};
pub use prune::{
    delete_idle_threads, idle_threads, keep_newest, threads_over, uuid6_floor, Refusal,
};

/// LangGraph's checkpoint tables; `null` where the table is not present.
#[derive(Debug, Serialize)]
pub struct LangGraphCounts {
    pub checkpoints: Option<i64>,
    pub checkpoint_threads: Option<i64>,
    pub pending_writes: Option<i64>,
}

/// The saver's pending-writes table: `checkpoint_writes` (PostgresSaver) or `writes`
/// (SqliteSaver).
pub fn writes_table(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "checkpoint_writes",
        Backend::Sqlite => "writes",
    }
}

pub fn counts(conn: &mut AnyConnection) -> Result<LangGraphCounts> {
    let writes = writes_table(conn.backend());
    Ok(LangGraphCounts {
        checkpoints: db::count_if_present(conn, "checkpoints", "count(*)")?,
        checkpoint_threads: db::count_if_present(conn, "checkpoints", "count(DISTINCT thread_id)")?,
        pending_writes: db::count_if_present(conn, writes, "count(*)")?,
    })
}

/// Whether the saver's tables are all there (a prune needs each of them).
pub fn present(conn: &mut AnyConnection) -> Result<bool> {
    let backend = conn.backend();
    if !conn.table_exists("checkpoints")? || !conn.table_exists(writes_table(backend))? {
        return Ok(false);
    }
    match backend {
        Backend::Postgres => conn.table_exists("checkpoint_blobs"),
        Backend::Sqlite => Ok(true),
    }
}

/// msgpack extension type of `_DeltaSnapshot` in LangGraph's serializer.
const EXT_DELTA_SNAPSHOT: i8 = 7;
