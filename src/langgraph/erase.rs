//! Erasing threads from LangGraph's checkpoint savers: every row of a `thread_id` in every
//! `checkpoint_ns` (root and subgraphs), in each of the saver's tables (SqliteSaver:
//! `checkpoints`, `writes`; PostgresSaver: `checkpoints`, `checkpoint_blobs`,
//! `checkpoint_writes`), as the savers' own `delete_thread` does, inside the caller's
//! transaction. And finding a user's threads: the savers copy scalar `configurable` values
//! (such as `user_id`) into every checkpoint's `metadata`, so the threads whose metadata
//! carries the key with the user's id, as text or as a number, are that user's (a lower bound:
//! untagged runs are not found).

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::writes_table;
use crate::db::{AnyConnection, Backend, MetadataKey, TextRow};
use crate::retention::{execute_with_keys, json_keys, Lookup, Tally};

/// The saver's tables present in this database, in delete order.
pub fn tables(conn: &mut AnyConnection) -> Result<Vec<&'static str>> {
    let backend = conn.backend();
    let mut all = vec!["checkpoints"];
    if backend == Backend::Postgres {
        all.push("checkpoint_blobs");
    }
    all.push(writes_table(backend));
    let mut present = Vec::new();
    for t in all {
        if conn.table_exists(t)? {
            present.push(t);
        }
    }
    Ok(present)
}

/// The thread ids whose checkpoints carry `key` = `id` in their metadata, sorted.
pub fn threads_of_user(
    conn: &mut AnyConnection,
    key: &MetadataKey,
    id: &str,
) -> Result<Vec<String>> {
    if !conn.table_exists("checkpoints")? {
        return Ok(Vec::new());
    }
    let condition = conn.backend().json_key_equals("metadata", key);
    let rows: Vec<TextRow> = diesel::sql_query(format!(
        "SELECT DISTINCT thread_id AS value FROM checkpoints WHERE {condition} ORDER BY 1"
    ))
    .bind::<Text, _>(id)
    .load(conn)
    .context("cannot search LangGraph checkpoint metadata")?;
    Ok(rows.into_iter().map(|r| r.value).collect())
}

/// Of `ids`, the threads with any row in the saver's tables, sorted.
pub fn existing_threads(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<String>> {
    let backend = conn.backend();
    let keys: Vec<[String; 1]> = ids.iter().map(|i| [i.clone()]).collect();
    let list = json_keys(&keys);
    let mut found = std::collections::BTreeSet::new();
    for table in tables(conn)? {
        let rows: Vec<TextRow> = diesel::sql_query(format!(
            "SELECT DISTINCT thread_id AS value FROM {table} WHERE {}",
            backend.keys_in(&["thread_id"], Lookup::Many)
        ))
        .bind::<Text, _>(&list)
        .load(conn)
        .with_context(|| format!("cannot read LangGraph {table}"))?;
        found.extend(rows.into_iter().map(|r| r.value));
    }
    Ok(found.into_iter().collect())
}

/// Deletes every row of the threads `ids` (exact `thread_id`, every namespace) from each of
/// the saver's tables, counted per table under `group`.
pub fn delete_threads(
    conn: &mut AnyConnection,
    ids: &[String],
    group: &str,
    tally: &mut Tally,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let backend = conn.backend();
    let keys: Vec<[String; 1]> = ids.iter().map(|i| [i.clone()]).collect();
    let list = json_keys(&keys);
    for table in tables(conn)? {
        let sql = format!(
            "DELETE FROM {table} WHERE {}",
            backend.keys_in(&["thread_id"], Lookup::Many)
        );
        tally.add(group, table, execute_with_keys(conn, &sql, &list)?);
    }
    Ok(())
}
