//! Erasing one user from Google ADK's session tables: the user's `sessions`, their `events`
//! and the user's `user_states` (the `user:` state keys), in **every** `app_name`, inside the
//! caller's transaction. ADK offers only `delete_session` (which keeps `user_states`) and no
//! per-user delete. Both layouts carry `user_id` in all three tables: `DatabaseSessionService`
//! (schema "1", SQLite or PostgreSQL) and `SqliteSessionService` (REAL epoch times, no
//! `adk_internal_metadata`). Events go first and explicitly: the cascade only fires on a
//! connection with foreign keys on. `app_states` holds no user column and is not touched.
//! The user's memory rows are `super::memory`'s.

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::SessionKey;
use crate::db::AnyConnection;
use crate::retention::Tally;

/// The tables holding a user's session data, in delete order.
const USER_TABLES: [&str; 3] = ["events", "sessions", "user_states"];

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    app_name: String,
    #[diesel(sql_type = Text)]
    user_id: String,
    #[diesel(sql_type = Text)]
    id: String,
}

/// The user's sessions in every app, in key order (empty when ADK's tables are not there).
pub fn sessions_of_user(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<SessionKey>> {
    if !conn.table_exists("sessions")? {
        return Ok(Vec::new());
    }
    let rows: Vec<KeyRow> = diesel::sql_query(
        "SELECT app_name, user_id, id FROM sessions WHERE user_id = $1 ORDER BY app_name, id",
    )
    .bind::<Text, _>(user_id)
    .load(conn)
    .context("cannot read ADK sessions")?;
    Ok(rows
        .into_iter()
        .map(|r| [r.app_name, r.user_id, r.id])
        .collect())
}

/// Deletes the user's events, sessions and user state in every app, counted per table under
/// `group`.
pub fn delete_user(
    conn: &mut AnyConnection,
    user_id: &str,
    group: &str,
    tally: &mut Tally,
) -> Result<()> {
    for table in USER_TABLES {
        if !conn.table_exists(table)? {
            continue;
        }
        let n = diesel::sql_query(format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind::<Text, _>(user_id)
            .execute(conn)
            .with_context(|| format!("cannot delete from ADK's {table}"))?;
        tally.add(group, table, n as i64);
    }
    Ok(())
}
