//! Erasing from agentdb's own tables, inside the caller's transaction: a thread with its
//! messages and runs; the threads whose `metadata` carries a user's id; a tenant with
//! everything it owns (configs, agents, threads, messages, runs). Children are deleted before
//! their parents and counted per table; nothing relies on a cascade.

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::{AnyConnection, Backend, MetadataKey};
use crate::retention::{execute_with_keys, json_keys, Lookup, Tally};

/// An agentdb thread's key: (tenant_id, id).
pub type ThreadKey = [String; 2];

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    tenant_id: String,
    #[diesel(sql_type = Text)]
    id: String,
}

fn keys(rows: Vec<KeyRow>) -> Vec<ThreadKey> {
    rows.into_iter().map(|r| [r.tenant_id, r.id]).collect()
}

/// Whether agentdb's tables are there (the database may hold only LangGraph's or ADK's).
pub fn present(conn: &mut AnyConnection) -> Result<bool> {
    Ok(conn.table_exists("tenants")? && conn.table_exists("threads")?)
}

/// The threads with this id: in `tenant`, or in every tenant.
pub fn threads_with_id(
    conn: &mut AnyConnection,
    id: &str,
    tenant: Option<&str>,
) -> Result<Vec<ThreadKey>> {
    let rows: Vec<KeyRow> = match tenant {
        Some(t) => {
            diesel::sql_query("SELECT tenant_id, id FROM threads WHERE id = $1 AND tenant_id = $2")
                .bind::<Text, _>(id)
                .bind::<Text, _>(t)
                .load(conn)
        }
        None => {
            diesel::sql_query("SELECT tenant_id, id FROM threads WHERE id = $1 ORDER BY tenant_id")
                .bind::<Text, _>(id)
                .load(conn)
        }
    }
    .context("cannot read agentdb threads")?;
    Ok(keys(rows))
}

/// The threads whose `metadata` has `key` = `user` (text, or a number written the same way).
pub fn threads_of_user(
    conn: &mut AnyConnection,
    key: &MetadataKey,
    user: &str,
) -> Result<Vec<ThreadKey>> {
    let rows: Vec<KeyRow> = diesel::sql_query(format!(
        "SELECT tenant_id, id FROM threads WHERE {} ORDER BY tenant_id, id",
        conn.backend().json_key_equals("metadata", key)
    ))
    .bind::<Text, _>(user)
    .load(conn)
    .context("cannot search agentdb thread metadata")?;
    Ok(keys(rows))
}

/// Every thread of the tenant.
pub fn threads_of_tenant(conn: &mut AnyConnection, tenant: &str) -> Result<Vec<ThreadKey>> {
    let rows: Vec<KeyRow> =
        diesel::sql_query("SELECT tenant_id, id FROM threads WHERE tenant_id = $1 ORDER BY id")
            .bind::<Text, _>(tenant)
            .load(conn)
            .context("cannot read agentdb threads")?;
    Ok(keys(rows))
}

/// Deletes the threads with their messages and runs, counted per table under `group`.
pub fn delete_threads(
    conn: &mut AnyConnection,
    threads: &[ThreadKey],
    group: &str,
    tally: &mut Tally,
) -> Result<()> {
    if threads.is_empty() {
        return Ok(());
    }
    let backend: Backend = conn.backend();
    let list = json_keys(threads);
    for (table, column, lookup) in [
        ("messages", "thread_id", Lookup::Many),
        ("runs", "thread_id", Lookup::Many),
        ("threads", "id", Lookup::Unique),
    ] {
        let sql = format!(
            "DELETE FROM {table} WHERE {}",
            backend.keys_in(&["tenant_id", column], lookup)
        );
        tally.add(group, table, execute_with_keys(conn, &sql, &list)?);
    }
    Ok(())
}

/// Deletes the tenant and every row it owns, counted per table under `group`.
pub fn delete_tenant(
    conn: &mut AnyConnection,
    tenant: &str,
    group: &str,
    tally: &mut Tally,
) -> Result<()> {
    for (table, column) in [
        ("messages", "tenant_id"),
        ("runs", "tenant_id"),
        ("threads", "tenant_id"),
        ("agents", "tenant_id"),
        ("tenant_configs", "tenant_id"),
        ("tenants", "id"),
    ] {
        let n = diesel::sql_query(format!("DELETE FROM {table} WHERE {column} = $1"))
            .bind::<Text, _>(tenant)
            .execute(conn)
            .with_context(|| format!("cannot delete tenant {tenant}'s {table}"))?;
        tally.add(group, table, n as i64);
    }
    Ok(())
}
