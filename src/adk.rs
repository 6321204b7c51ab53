//! Google ADK's session tables (`DatabaseSessionService`, schema "1", google-adk 2.x; also the
//! `SqliteSessionService` layout with REAL epoch times), which ADK owns and agentdb only reads
//! (`stats`) or prunes on request (`prune`). Rules (`agent-data-facts.md` §A.5): events go
//! before their session (SQLite does not enforce ADK's cascade); `app_states` and
//! `user_states` are never touched; "newest" is ADK's own order, `timestamp DESC, id DESC`.

use std::collections::HashSet;

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;

use crate::db::{self, AnyConnection, Backend};
use crate::retention::{execute_with_keys, json_keys, Cutoff, Lookup, Tally};

/// Google ADK's session service tables; `null` where the table is not present.
#[derive(Debug, Serialize)]
pub struct AdkCounts {
    pub sessions: Option<i64>,
    pub events: Option<i64>,
}

pub fn counts(conn: &mut AnyConnection) -> Result<AdkCounts> {
    Ok(AdkCounts {
        sessions: db::count_if_present(conn, "sessions", "count(*)")?,
        events: db::count_if_present(conn, "events", "count(*)")?,
    })
}

/// Whether both ADK tables are there.
pub fn present(conn: &mut AnyConnection) -> Result<bool> {
    Ok(conn.table_exists("sessions")? && conn.table_exists("events")?)
}

/// A session's key: (app_name, user_id, session id).
pub type SessionKey = [String; 3];

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
    #[diesel(sql_type = Text)]
    c2: String,
}

#[derive(QueryableByName)]
struct EventKey {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
    #[diesel(sql_type = Text)]
    c2: String,
    #[diesel(sql_type = Text)]
    c3: String,
}

fn keys_of(rows: Vec<KeyRow>) -> Vec<SessionKey> {
    rows.into_iter().map(|r| [r.c0, r.c1, r.c2]).collect()
}

#[derive(QueryableByName)]
struct TypeRow {
    #[diesel(sql_type = Text)]
    value: String,
}

/// `column < cutoff` for an ADK time column. PostgreSQL: ADK 2.x writes naive-UTC
/// `timestamp`, some 1.x installs altered it to `timestamptz`; SQLite: DATETIME text
/// (`YYYY-MM-DD HH:MM:SS.ffffff`) from `DatabaseSessionService`, REAL epochs from
/// `SqliteSessionService`.
fn before(
    conn: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    cutoff: Cutoff,
) -> Result<String> {
    let iso = cutoff.rfc3339();
    match conn.backend() {
        Backend::Postgres => {
            let row: TypeRow = diesel::sql_query(format!(
                "SELECT format_type(atttypid, atttypmod) AS value FROM pg_attribute \
                 WHERE attrelid = '{table}'::regclass AND attname = '{column}'"
            ))
            .get_result(conn)
            .with_context(|| format!("cannot read the type of ADK's {table}.{column}"))?;
            Ok(if row.value.contains("with time zone") {
                format!("\"{column}\" < '{iso}'::timestamptz")
            } else {
                format!("\"{column}\" < ('{iso}'::timestamptz AT TIME ZONE 'UTC')")
            })
        }
        Backend::Sqlite => {
            // `2024-01-02T03:04:05.678Z` -> `2024-01-02 03:04:05.678`, comparable as text.
            let text = iso.replace('T', " ").trim_end_matches('Z').to_string();
            Ok(format!(
                "(CASE WHEN typeof(\"{column}\") = 'text' THEN \"{column}\" < '{text}' \
                 ELSE \"{column}\" < {} END)",
                cutoff.epoch_secs()
            ))
        }
    }
}

/// Sessions last updated before the cutoff, in key order.
pub fn idle_sessions(conn: &mut AnyConnection, cutoff: Cutoff) -> Result<Vec<SessionKey>> {
    let old = before(conn, "sessions", "update_time", cutoff)?;
    let rows: Vec<KeyRow> = diesel::sql_query(format!(
        "SELECT app_name AS c0, user_id AS c1, id AS c2 FROM sessions WHERE {old} ORDER BY 1, 2, 3"
    ))
    .load(conn)
    .context("cannot read ADK sessions")?;
    Ok(keys_of(rows))
}

/// Deletes the sessions of `batch` that are still idle inside the transaction, events first;
/// returns the sessions deleted.
pub fn delete_idle_sessions(
    conn: &mut AnyConnection,
    batch: &[SessionKey],
    cutoff: Cutoff,
    policy: &str,
    tally: &mut Tally,
) -> Result<Vec<SessionKey>> {
    let backend = conn.backend();
    let old = before(conn, "sessions", "update_time", cutoff)?;
    let confirmed: Vec<KeyRow> = diesel::sql_query(format!(
        "SELECT app_name AS c0, user_id AS c1, id AS c2 FROM sessions \
         WHERE {} AND {old}",
        backend.keys_in(&["app_name", "user_id", "id"], Lookup::Unique)
    ))
    .bind::<Text, _>(json_keys(batch))
    .load(conn)
    .context("cannot re-check idle ADK sessions")?;
    let confirmed = keys_of(confirmed);
    if confirmed.is_empty() {
        return Ok(confirmed);
    }
    let list = json_keys(&confirmed);
    for (table, id_column, lookup) in [
        ("events", "session_id", Lookup::Many),
        ("sessions", "id", Lookup::Unique),
    ] {
        let sql = format!(
            "DELETE FROM {table} WHERE {}",
            backend.keys_in(&["app_name", "user_id", id_column], lookup)
        );
        tally.add(policy, table, execute_with_keys(conn, &sql, &list)?);
    }
    Ok(confirmed)
}

/// Sessions with more than `keep` events, except those in `skip`.
pub fn sessions_over(
    conn: &mut AnyConnection,
    keep: u32,
    skip: &HashSet<SessionKey>,
) -> Result<Vec<SessionKey>> {
    let rows: Vec<KeyRow> = diesel::sql_query(format!(
        "SELECT app_name AS c0, user_id AS c1, session_id AS c2 FROM events \
         GROUP BY app_name, user_id, session_id HAVING count(*) > {keep} ORDER BY 1, 2, 3"
    ))
    .load(conn)
    .context("cannot read ADK events")?;
    Ok(keys_of(rows)
        .into_iter()
        .filter(|k| !skip.contains(k))
        .collect())
}

/// Deletes all but the newest `keep` events of each session in `batch`, in ADK's order.
pub fn keep_newest_events(
    conn: &mut AnyConnection,
    batch: &[SessionKey],
    keep: u32,
    policy: &str,
    tally: &mut Tally,
) -> Result<()> {
    let backend = conn.backend();
    let doomed: Vec<EventKey> = diesel::sql_query(format!(
        "SELECT id AS c0, app_name AS c1, user_id AS c2, session_id AS c3 FROM ( \
           SELECT id, app_name, user_id, session_id, row_number() OVER ( \
             PARTITION BY app_name, user_id, session_id ORDER BY \"timestamp\" DESC, id DESC) AS rn \
           FROM events WHERE {}) AS ranked WHERE rn > {keep}",
        backend.keys_in(&["app_name", "user_id", "session_id"], Lookup::Many)
    ))
    .bind::<Text, _>(json_keys(batch))
    .load(conn)
    .context("cannot rank ADK events")?;
    if doomed.is_empty() {
        return Ok(());
    }
    let doomed: Vec<[String; 4]> = doomed
        .into_iter()
        .map(|r| [r.c0, r.c1, r.c2, r.c3])
        .collect();
    let sql = format!(
        "DELETE FROM events WHERE {}",
        backend.keys_in(&["id", "app_name", "user_id", "session_id"], Lookup::Unique)
    );
    tally.add(
        policy,
        "events",
        execute_with_keys(conn, &sql, &json_keys(&doomed))?,
    );
    Ok(())
}
