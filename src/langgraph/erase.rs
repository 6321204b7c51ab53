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
use crate::db::{AnyConnection, Backend, TextRow};
use crate::retention::{execute_with_keys, json_keys, Lookup, Tally};

/// A metadata key (`user_id`, `owner`, `sub`, …): letters, digits, `_` and `-`, so that it
/// can be written into a JSON path without quoting trouble.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct MetadataKey(String);

impl MetadataKey {
    pub fn parse(text: &str) -> std::result::Result<MetadataKey, String> {
        if text.is_empty()
            || text.len() > 64
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "{text:?} is not a metadata key: 1 to 64 letters, digits, _ or -"
            ));
        }
        Ok(MetadataKey(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for MetadataKey {
    fn default() -> Self {
        MetadataKey("user_id".into())
    }
}

/// A boolean: the JSON `column` has `key` = parameter 1, as a string or as a number written
/// the same way (`1` for the id `1`); never a nested value or a boolean. SQLite stores
/// metadata as JSON text or as a UTF-8 blob (SqliteSaver), read through `CAST` as the library
/// does.
pub fn json_key_equals(backend: Backend, column: &str, key: &MetadataKey) -> String {
    let key = key.as_str();
    match backend {
        Backend::Postgres => format!(
            "({column} ->> '{key}' = $1 AND jsonb_typeof({column} -> '{key}') IN ('string', 'number'))"
        ),
        Backend::Sqlite => format!(
            "(CAST(json_extract(CAST({column} AS TEXT), '$.\"{key}\"') AS TEXT) = ?1 \
             AND json_type(CAST({column} AS TEXT), '$.\"{key}\"') IN ('text', 'integer', 'real'))"
        ),
    }
}

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
    let condition = json_key_equals(conn.backend(), "metadata", key);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_keys_are_plain_names() {
        for ok in ["user_id", "owner", "sub", "userId", "x-1"] {
            assert!(MetadataKey::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a.b", "a\"b", "a b", "$.x", &"k".repeat(65)] {
            assert!(MetadataKey::parse(bad).is_err(), "{bad}");
        }
    }
}
