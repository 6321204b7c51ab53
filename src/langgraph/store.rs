//! LangGraph's Store (`PostgresStore`, `SqliteStore`; langgraph-checkpoint-postgres 3.2.0,
//! -sqlite 3.1.2): items in `store(prefix, key, value, …, expires_at, ttl_minutes)` and, with a
//! vector index, their embeddings in `store_vectors(prefix, key, field_name, …)`. A namespace
//! `("users", "u1")` is stored as the text `users.u1` with no escaping, so a label may hold `%`,
//! `_`, `*`, `[` or upper case, and a namespace "and below" is an exact, separator-anchored
//! prefix match (the bug behind CVE-2026-71433 was a bare `LIKE 'users.u1%'`). SQLite never
//! cascades from `store` to `store_vectors` (the library leaves `foreign_keys` off), so every
//! delete here removes the vectors itself. Nothing here reads through the library: its reads
//! refresh an item's TTL and would bring an expired item back to life.

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde::Serialize;

use crate::db::{AnyConnection, Backend, TextRow};
use crate::retention::{execute_with_keys, json_keys, Batches, Lookup, Tally};

pub const ITEMS: &str = "store";
pub const VECTORS: &str = "store_vectors";

/// A Store namespace given by the operator (`a.b.c`): at least one label, no label empty. The
/// labels themselves may hold anything else (rows written by raw SQL are not validated by the
/// library either); matching binds them as parameters and escapes every pattern character.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Namespace(String);

impl Namespace {
    pub fn parse(text: &str) -> std::result::Result<Namespace, String> {
        if text.is_empty() {
            return Err("an empty namespace names every Store item; give at least one label (e.g. users.u1)".into());
        }
        if text.split('.').any(str::is_empty) {
            return Err(format!(
                "{text:?} has an empty label; labels are separated by single dots (e.g. users.u1.memories)"
            ));
        }
        if text.contains('\0') {
            return Err("a namespace cannot contain NUL".into());
        }
        Ok(Namespace(text.to_string()))
    }

    /// The stored prefix: the labels joined by `.` (how the library encodes a namespace).
    pub fn prefix(&self) -> &str {
        &self.0
    }

    /// PostgreSQL `LIKE … ESCAPE '\'` pattern for "strictly below": `\`, `%`, `_` escaped,
    /// then the separator and `%` (as the library's `_namespace_prefix_condition`).
    fn like_below(&self) -> String {
        let mut p = String::with_capacity(self.0.len() + 4);
        for c in self.0.chars() {
            if matches!(c, '\\' | '%' | '_') {
                p.push('\\');
            }
            p.push(c);
        }
        p.push_str(".%");
        p
    }

    /// SQLite `GLOB` pattern for "strictly below": `[`, `*`, `?` as one-character classes,
    /// then the separator and `*`. GLOB is case-sensitive (SQLite's LIKE is not).
    fn glob_below(&self) -> String {
        let mut p = String::with_capacity(self.0.len() + 4);
        for c in self.0.chars() {
            match c {
                '[' => p.push_str("[[]"),
                '*' => p.push_str("[*]"),
                '?' => p.push_str("[?]"),
                c => p.push(c),
            }
        }
        p.push_str(".*");
        p
    }

    /// The pattern bound as parameter 2 of `matches`.
    fn below_pattern(&self, backend: Backend) -> String {
        match backend {
            Backend::Postgres => self.like_below(),
            Backend::Sqlite => self.glob_below(),
        }
    }
}

/// `prefix` in the namespace or below: parameter 1 is the prefix itself (never escaped),
/// parameter 2 `below_pattern`. Both arms use the prefix index.
fn matches(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Postgres => format!("({column} = $1 OR {column} LIKE $2 ESCAPE '\\')"),
        Backend::Sqlite => format!("({column} = ?1 OR {column} GLOB ?2)"),
    }
}

/// Whether the Store's items table is there.
pub fn present(conn: &mut AnyConnection) -> Result<bool> {
    conn.table_exists(ITEMS)
}

fn vectors_present(conn: &mut AnyConnection) -> Result<bool> {
    conn.table_exists(VECTORS)
}

/// The distinct prefixes in `ns` or below, sorted.
pub fn prefixes_in(conn: &mut AnyConnection, ns: &Namespace) -> Result<Vec<String>> {
    let backend = conn.backend();
    let rows: Vec<TextRow> = diesel::sql_query(format!(
        "SELECT DISTINCT prefix AS value FROM {ITEMS} WHERE {} ORDER BY 1",
        matches(backend, "prefix")
    ))
    .bind::<Text, _>(ns.prefix())
    .bind::<Text, _>(ns.below_pattern(backend))
    .load(conn)
    .with_context(|| {
        format!(
            "cannot read LangGraph Store namespaces under {}",
            ns.prefix()
        )
    })?;
    Ok(rows.into_iter().map(|r| r.value).collect())
}

/// Deletes the items in `ns` and below and their vectors, counting each table in `tally`
/// under `group`. Vectors go first and explicitly (SQLite has no cascade; on PostgreSQL the
/// cascade would delete them uncounted).
pub fn delete_namespace(
    conn: &mut AnyConnection,
    ns: &Namespace,
    group: &str,
    tally: &mut Tally,
) -> Result<()> {
    let backend = conn.backend();
    let below = ns.below_pattern(backend);
    let mut tables = Vec::new();
    if vectors_present(conn)? {
        tables.push(VECTORS);
    }
    tables.push(ITEMS);
    for table in tables {
        let n = diesel::sql_query(format!(
            "DELETE FROM {table} WHERE {}",
            matches(backend, "prefix")
        ))
        .bind::<Text, _>(ns.prefix())
        .bind::<Text, _>(&below)
        .execute(conn)
        .with_context(|| format!("cannot delete from {table} under {}", ns.prefix()))?;
        tally.add(group, table, n as i64);
    }
    Ok(())
}

/// The Store in `stats`: items, namespaces at the first level, items with a TTL, and items
/// whose `expires_at` has passed but are still there (no sweeper ran).
#[derive(Debug, Serialize)]
pub struct StoreCounts {
    pub items: i64,
    pub top_namespaces: i64,
    pub items_with_ttl: i64,
    pub expired_items: i64,
}

#[derive(QueryableByName)]
struct CountsRow {
    #[diesel(sql_type = BigInt)]
    items: i64,
    #[diesel(sql_type = BigInt)]
    top_namespaces: i64,
    #[diesel(sql_type = BigInt)]
    items_with_ttl: i64,
    #[diesel(sql_type = BigInt)]
    expired_items: i64,
}

/// `None` when the Store's table is not there.
pub fn counts(conn: &mut AnyConnection) -> Result<Option<StoreCounts>> {
    if !present(conn)? {
        return Ok(None);
    }
    let backend = conn.backend();
    let (top, ttl) = match backend {
        Backend::Postgres => ("split_part(prefix, '.', 1)", "ttl_minutes IS NOT NULL"),
        Backend::Sqlite => (
            "CASE WHEN instr(prefix, '.') > 0 THEN substr(prefix, 1, instr(prefix, '.') - 1) ELSE prefix END",
            "ttl_minutes IS NOT NULL",
        ),
    };
    let row: CountsRow = diesel::sql_query(format!(
        "SELECT count(*) AS items, count(DISTINCT {top}) AS top_namespaces, \
           coalesce(sum(CASE WHEN {ttl} THEN 1 ELSE 0 END), 0) AS items_with_ttl, \
           coalesce(sum(CASE WHEN {expired} THEN 1 ELSE 0 END), 0) AS expired_items \
         FROM {ITEMS}",
        expired = expired(backend),
    ))
    .get_result(conn)
    .context("cannot count LangGraph Store items")?;
    Ok(Some(StoreCounts {
        items: row.items,
        top_namespaces: row.top_namespaces,
        items_with_ttl: row.items_with_ttl,
        expired_items: row.expired_items,
    }))
}

/// An item whose `expires_at` has passed. SQLite holds two text forms in that one column
/// (`2026-12-03 15:02:20.142235+00:00` from a put, `2026-12-03 15:04:19` from a refresh; a
/// `T` form written by others sorts after both): compared as instants, never as text. A value
/// that is not a time never expires (it is left alone, as the library's sweep would for most).
fn expired(backend: Backend) -> String {
    match backend {
        Backend::Postgres => "(expires_at IS NOT NULL AND expires_at < now())".into(),
        Backend::Sqlite => format!(
            "(expires_at IS NOT NULL AND {} < julianday('now'))",
            backend.instant("expires_at")
        ),
    }
}

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    prefix: String,
    #[diesel(sql_type = Text)]
    key: String,
}

/// An item's key: (prefix, key).
pub type ItemKey = [String; 2];

/// The items whose `expires_at` has passed, in key order (empty when the Store is not there):
/// the candidates of `prune --store-expired`, listed once (the preview's are the run's).
pub fn expired_items(conn: &mut AnyConnection) -> Result<Vec<ItemKey>> {
    if !present(conn)? {
        return Ok(Vec::new());
    }
    let rows: Vec<KeyRow> = diesel::sql_query(format!(
        "SELECT prefix, key FROM {ITEMS} WHERE {} ORDER BY prefix, key",
        expired(conn.backend())
    ))
    .load(conn)
    .context("cannot list expired LangGraph Store items")?;
    Ok(rows.into_iter().map(|r| [r.prefix, r.key]).collect())
}

/// `prune --store-expired`: the library's sweep (`sweep_ttl`) beside live writers. The listed
/// expired items are deleted in time-sized batches (`Batches`), each re-checking the expiry
/// inside its transaction (a refresh meanwhile keeps the item), with their vectors; then the
/// vectors whose item is gone (left by the library's own deletes on SQLite) are removed.
pub fn delete_expired(
    conn: &mut AnyConnection,
    keys: &[ItemKey],
    batches: &mut Batches,
    group: &'static str,
    tally: &mut Tally,
) -> Result<()> {
    if !present(conn)? {
        return Ok(());
    }
    let backend = conn.backend();
    let expired = expired(backend);
    let vectors = vectors_present(conn)?;
    batches
        .in_phase(group)
        .each_batch(conn, keys, tally, |c, batch, t| {
            let list = json_keys(batch);
            let still: Vec<KeyRow> = t.step("re-check items", || {
                diesel::sql_query(format!(
                    "SELECT prefix, key FROM {ITEMS} WHERE {} AND {expired}",
                    backend.keys_in(&["prefix", "key"], Lookup::Unique)
                ))
                .bind::<Text, _>(&list)
                .load(c)
                .context("cannot re-check expired LangGraph Store items")
            })?;
            if still.is_empty() {
                return Ok(());
            }
            let list = json_keys(
                &still
                    .into_iter()
                    .map(|r| [r.prefix, r.key])
                    .collect::<Vec<_>>(),
            );
            if vectors {
                let sql = format!(
                    "DELETE FROM {VECTORS} WHERE {}",
                    backend.keys_in(&["prefix", "key"], Lookup::Many)
                );
                let n = t.step("delete vectors", || execute_with_keys(c, &sql, &list))?;
                t.add(group, VECTORS, n);
            }
            let sql = format!(
                "DELETE FROM {ITEMS} WHERE {}",
                backend.keys_in(&["prefix", "key"], Lookup::Unique)
            );
            let n = t.step("delete items", || execute_with_keys(c, &sql, &list))?;
            t.add(group, ITEMS, n);
            Ok(())
        })?;
    // PostgreSQL's cascade never leaves one behind.
    if vectors && backend == Backend::Sqlite {
        let batches = batches.in_phase("store-expired-sweep");
        batches.transaction(conn, 0, tally, |c, t| {
            let n = t.step("delete orphaned vectors", || {
                diesel::sql_query(format!(
                    "DELETE FROM {VECTORS} WHERE NOT EXISTS (SELECT 1 FROM {ITEMS} s \
                     WHERE s.prefix = {VECTORS}.prefix AND s.key = {VECTORS}.key)"
                ))
                .execute(c)
                .context("cannot delete orphaned LangGraph Store vectors")
            })?;
            t.add(group, VECTORS, n as i64);
            Ok(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_are_refused_when_empty_or_with_empty_labels() {
        for bad in ["", ".", "users.", ".u1", "users..u1", "a\0b"] {
            assert!(Namespace::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Namespace::parse("users.u1%").unwrap().prefix(), "users.u1%");
    }

    #[test]
    fn patterns_escape_every_wildcard_and_anchor_on_the_separator() {
        let ns = Namespace::parse(r"users.u_1%\x").unwrap();
        assert_eq!(ns.like_below(), r"users.u\_1\%\\x.%");
        let ns = Namespace::parse("users.u1*[a]?").unwrap();
        assert_eq!(ns.glob_below(), "users.u1[*][[]a][?].*");
    }
}
