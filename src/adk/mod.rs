//! Google ADK's session tables (`DatabaseSessionService`, schema "1", google-adk 2.x; also the
//! `SqliteSessionService` layout with REAL epoch times), which ADK owns and agentdb only reads
//! (`stats`) or prunes on request (`prune`). Rules (docs/data-facts.md, "Prune ADK sessions and
//! events"): events are deleted before their session explicitly, never left to ADK's `ON DELETE
//! CASCADE` (it only fires on a connection with foreign keys on); `app_states` and
//! `user_states` are never touched; "newest" is ADK's own order, `timestamp DESC, id DESC`.

pub mod erase;
pub mod memory;

use std::collections::HashSet;

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use serde::Serialize;

use crate::db::{self, AnyConnection, Backend};
pub mod copy;

pub use copy::{check_copy_source, prepare_copy_target, AdkGroup};

use crate::retention::{
    self, execute_with_keys, json_keys, Cutoff, KeyRow3, Lookup, NotATime, Tally,
};

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

fn keys_of(rows: Vec<KeyRow3>) -> Vec<SessionKey> {
    rows.into_iter().map(KeyRow3::into_key).collect()
}

#[derive(QueryableByName)]
struct TypeRow {
    #[diesel(sql_type = Text)]
    value: String,
}

/// `column < cutoff` for an ADK time column, comparing instants. PostgreSQL: ADK 2.x writes
/// naive-UTC `timestamp` (compared with the cut-off in UTC, whatever the session's TimeZone),
/// some 1.x installs altered it to `timestamptz`; SQLite: DATETIME text in any form SQLite
/// reads (`retention::sqlite_julian`) from `DatabaseSessionService`, REAL epochs from
/// `SqliteSessionService`. NULL (never old) when the value is not a time.
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
        Backend::Sqlite => Ok(sqlite_before(&format!("\"{column}\""), cutoff)),
    }
}

/// SQLite: `column < cutoff` where the column holds DATETIME text or epoch seconds.
fn sqlite_before(column: &str, cutoff: Cutoff) -> String {
    format!(
        "(CASE typeof({column}) WHEN 'text' THEN {} < {} \
           WHEN 'integer' THEN {column} < {epoch} WHEN 'real' THEN {column} < {epoch} END)",
        retention::sqlite_julian(column),
        cutoff.sql(Backend::Sqlite),
        epoch = cutoff.epoch_secs()
    )
}

#[derive(QueryableByName)]
struct AgedSession {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
    #[diesel(sql_type = Text)]
    c2: String,
    #[diesel(sql_type = Bool)]
    bad: bool,
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// Sessions last updated before the cutoff, in key order. On SQLite, where the column may
/// hold anything, a session whose `update_time` is not a time refuses the whole run.
pub fn idle_sessions(conn: &mut AnyConnection, cutoff: Cutoff) -> Result<Vec<SessionKey>> {
    let sql = match conn.backend() {
        Backend::Postgres => format!(
            "SELECT app_name AS c0, user_id AS c1, id AS c2, FALSE AS bad, NULL AS value \
             FROM sessions WHERE {} ORDER BY 1, 2, 3",
            before(conn, "sessions", "update_time", cutoff)?
        ),
        // Each time is read once per row (the inner query is not flattened).
        Backend::Sqlite => format!(
            "SELECT c0, c1, c2, \
               (kind = 'text' AND j IS NULL) OR kind NOT IN ('text', 'integer', 'real') AS bad, \
               CASE WHEN (kind = 'text' AND j IS NULL) OR kind NOT IN ('text', 'integer', 'real') \
                 THEN quote(raw) END AS value \
             FROM (SELECT app_name AS c0, user_id AS c1, id AS c2, update_time AS raw, \
                     typeof(update_time) AS kind, \
                     CASE WHEN typeof(update_time) = 'text' THEN {j} END AS j \
                   FROM sessions LIMIT -1) AS s \
             WHERE (kind = 'text' AND (j IS NULL OR j < {cut})) \
                OR (kind IN ('integer', 'real') AND raw < {epoch}) \
                OR kind NOT IN ('text', 'integer', 'real') \
             ORDER BY 1, 2, 3",
            j = retention::sqlite_julian("update_time"),
            cut = cutoff.sql(Backend::Sqlite),
            epoch = cutoff.epoch_secs()
        ),
    };
    let rows: Vec<AgedSession> = diesel::sql_query(sql)
        .load(conn)
        .context("cannot read ADK sessions")?;
    if let Some(r) = rows.iter().find(|r| r.bad) {
        return Err(NotATime::new(
            "sessions",
            &[("app_name", &r.c0), ("user_id", &r.c1), ("id", &r.c2)],
            "update_time",
            r.value.as_deref().unwrap_or("NULL"),
            "ADK's DATETIME text such as 2026-12-03 14:36:00.123456, or epoch seconds",
        )
        .into_error());
    }
    Ok(rows.into_iter().map(|r| [r.c0, r.c1, r.c2]).collect())
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
    let old = tally.step("read column type", || {
        before(conn, "sessions", "update_time", cutoff)
    })?;
    let confirmed: Vec<KeyRow3> = tally.step("re-check sessions", || {
        diesel::sql_query(format!(
            "SELECT app_name AS c0, user_id AS c1, id AS c2 FROM sessions \
             WHERE {} AND {old}",
            backend.keys_in(&["app_name", "user_id", "id"], Lookup::Unique)
        ))
        .bind::<Text, _>(json_keys(batch))
        .load(conn)
        .context("cannot re-check idle ADK sessions")
    })?;
    let confirmed = keys_of(confirmed);
    if confirmed.is_empty() {
        return Ok(confirmed);
    }
    let list = json_keys(&confirmed);
    for (table, id_column, lookup, step) in [
        ("events", "session_id", Lookup::Many, "delete events"),
        ("sessions", "id", Lookup::Unique, "delete sessions"),
    ] {
        let sql = format!(
            "DELETE FROM {table} WHERE {}",
            backend.keys_in(&["app_name", "user_id", id_column], lookup)
        );
        let n = tally.step(step, || execute_with_keys(conn, &sql, &list))?;
        tally.add(policy, table, n);
    }
    Ok(confirmed)
}

/// Sessions with more than `keep` events, except those in `skip`.
pub fn sessions_over(
    conn: &mut AnyConnection,
    keep: u32,
    skip: &HashSet<SessionKey>,
) -> Result<Vec<SessionKey>> {
    let rows: Vec<KeyRow3> = diesel::sql_query(format!(
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
/// Events saved after the run began (`horizon`) are kept and not counted, so the run deletes
/// what its preview counted, never one more; an event whose time is not one is kept too.
pub fn keep_newest_events(
    conn: &mut AnyConnection,
    batch: &[SessionKey],
    keep: u32,
    horizon: Cutoff,
    policy: &str,
    tally: &mut Tally,
) -> Result<()> {
    let backend = conn.backend();
    let before_horizon = tally.step("read column type", || {
        before(conn, "events", "timestamp", horizon)
    })?;
    let doomed: Vec<EventKey> = tally.step("rank events", || {
        diesel::sql_query(format!(
            "SELECT id AS c0, app_name AS c1, user_id AS c2, session_id AS c3 FROM ( \
               SELECT id, app_name, user_id, session_id, row_number() OVER ( \
                 PARTITION BY app_name, user_id, session_id ORDER BY \"timestamp\" DESC, id DESC) AS rn \
               FROM events WHERE {} AND {before_horizon}) AS ranked WHERE rn > {keep}",
            backend.keys_in(&["app_name", "user_id", "session_id"], Lookup::Many)
        ))
        .bind::<Text, _>(json_keys(batch))
        .load(conn)
        .context("cannot rank ADK events")
    })?;
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
    let n = tally.step("delete events", || {
        execute_with_keys(conn, &sql, &json_keys(&doomed))
    })?;
    tally.add(policy, "events", n);
    Ok(())
}
