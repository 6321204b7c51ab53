//! Google ADK's SQLite memory (`SqliteMemoryService`, google-adk 2.13, the `sqlite:` memory
//! URI): `memory_events(app_name, user_id, session_id, event_id, …, content_json,
//! search_text)` with an FTS5 external-content index `memory_events_fts` kept in step by
//! triggers. ADK has no way to delete a user's memories (`delete_memory` is not implemented
//! there). Deleting the rows lets the trigger drop them from matching, but the tokens stay in
//! the index's `memory_events_fts_data` blobs until the index is optimised, so an erase runs
//! FTS5's `optimize` after the delete, in the same transaction.

use anyhow::{Context, Result};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::AnyConnection;
use crate::retention::Tally;

pub const EVENTS: &str = "memory_events";
const INDEX: &str = "memory_events_fts";

/// Deletes every memory row of the user (all apps) and rewrites the full-text index without
/// their tokens; counted under `group`. Nothing when the tables are not there (PostgreSQL
/// has no ADK memory table).
pub fn delete_user(
    conn: &mut AnyConnection,
    user_id: &str,
    group: &str,
    tally: &mut Tally,
) -> Result<()> {
    if !conn.table_exists(EVENTS)? {
        return Ok(());
    }
    let n = diesel::sql_query(format!("DELETE FROM {EVENTS} WHERE user_id = $1"))
        .bind::<Text, _>(user_id)
        .execute(conn)
        .context("cannot delete ADK memory rows")?;
    tally.add(group, EVENTS, n as i64);
    if n > 0 && conn.table_exists(INDEX)? {
        conn.batch_execute(&format!("INSERT INTO {INDEX}({INDEX}) VALUES('optimize')"))
            .context("cannot optimise ADK's memory full-text index")?;
    }
    Ok(())
}
