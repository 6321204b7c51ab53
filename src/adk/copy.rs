//! Copying ADK's tables (`agentdb copy --include adk`, `docs/data-facts.md#copy-adk`): their
//! specs, the source check (schema "1" only), and ADK's own DDL for a target without them.

use anyhow::{Context, Result};

use crate::copy::{Filter, Group, Step};
use crate::db::{self, AnyConnection, Backend};

/// ADK's tables in foreign-key order, for the copy engine. `adk_internal_metadata` is not
/// copied: the target gets ADK's `schema_version` row when agentdb creates its tables.
pub mod copy_tables {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "adk",
        app_states (app_name) tenant None => {
            app_name: Text, state: Json, update_time: NaiveTimestamp,
        }
        user_states (app_name, user_id) tenant None => {
            app_name: Text, user_id: Text, state: Json, update_time: NaiveTimestamp,
        }
        sessions (app_name, user_id, id) tenant None => {
            app_name: Text, user_id: Text, id: Text, state: Json,
            create_time: NaiveTimestamp, update_time: NaiveTimestamp,
        }
        events (id, app_name, user_id, session_id) tenant None => {
            id: Text, app_name: Text, user_id: Text, session_id: Text, invocation_id: Text,
            timestamp: NaiveTimestamp, event_data: Json,
        }
    }
}

/// ADK's schema "1" as `DatabaseSessionService` (google-adk 2.13.0, SQLAlchemy) creates it,
/// statement for statement; `{json}` and `{time}` are its per-backend column types.
const DDL_TEMPLATE: &str = r#"
CREATE TABLE adk_internal_metadata (
	"key" VARCHAR(128) NOT NULL,
	value VARCHAR(256) NOT NULL,
	PRIMARY KEY ("key")
);
CREATE TABLE sessions (
	app_name VARCHAR(128) NOT NULL,
	user_id VARCHAR(128) NOT NULL,
	id VARCHAR(128) NOT NULL,
	state {json} NOT NULL,
	create_time {time} NOT NULL,
	update_time {time} NOT NULL,
	PRIMARY KEY (app_name, user_id, id)
);
CREATE TABLE app_states (
	app_name VARCHAR(128) NOT NULL,
	state {json} NOT NULL,
	update_time {time} NOT NULL,
	PRIMARY KEY (app_name)
);
CREATE TABLE user_states (
	app_name VARCHAR(128) NOT NULL,
	user_id VARCHAR(128) NOT NULL,
	state {json} NOT NULL,
	update_time {time} NOT NULL,
	PRIMARY KEY (app_name, user_id)
);
CREATE TABLE events (
	id VARCHAR(128) NOT NULL,
	app_name VARCHAR(128) NOT NULL,
	user_id VARCHAR(128) NOT NULL,
	session_id VARCHAR(128) NOT NULL,
	invocation_id VARCHAR(256) NOT NULL,
	timestamp {time} NOT NULL,
	event_data {json},
	PRIMARY KEY (id, app_name, user_id, session_id),
	FOREIGN KEY(app_name, user_id, session_id) REFERENCES sessions (app_name, user_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_events_app_user_session_ts_id ON events (app_name, user_id, session_id, timestamp DESC, id DESC);
"#;

/// ADK's DDL for a backend: PostgreSQL `JSONB` and `TIMESTAMP WITHOUT TIME ZONE`, SQLite `TEXT`
/// and `DATETIME` (as `sqlite3 .schema` shows a file ADK created).
fn ddl(backend: Backend) -> String {
    let (json, time) = match backend {
        Backend::Postgres => ("JSONB", "TIMESTAMP WITHOUT TIME ZONE"),
        Backend::Sqlite => ("TEXT", "DATETIME"),
    };
    DDL_TEMPLATE.replace("{json}", json).replace("{time}", time)
}

const DATA_TABLES: [&str; 4] = ["app_states", "user_states", "sessions", "events"];

/// Whether `events` has `column` (schema "1" has `event_data`; the legacy schema "0" has
/// `actions` and some twenty other columns instead).
fn events_has_column(conn: &mut AnyConnection, column: &str) -> Result<bool> {
    db::has_column(conn, "events", column)
}

/// Refuses an ADK source the row copy cannot read: tables missing, or the legacy schema "0"
/// (pickled `actions`), which ADK's own `adk migrate session` upgrades first.
pub fn check_copy_source(conn: &mut AnyConnection, name: &str) -> Result<()> {
    for table in DATA_TABLES {
        if !conn.table_exists(table)? {
            anyhow::bail!(
                "--include adk: the source {name} has no ADK table {table} (ADK's DatabaseSessionService creates sessions, events, app_states and user_states)"
            );
        }
    }
    if !events_has_column(conn, "event_data")? {
        anyhow::bail!(
            "--include adk: the source {name} has ADK's legacy schema \"0\" (events without event_data); upgrade it with ADK's `adk migrate session` first"
        );
    }
    Ok(())
}

/// Inside the target's copy transaction: creates ADK's tables with ADK's own DDL (and its
/// `schema_version` row) where none exist; accepts a complete schema "1" the app created;
/// refuses anything in between.
pub fn prepare_copy_target(conn: &mut AnyConnection, name: &str) -> Result<()> {
    use diesel::connection::SimpleConnection;
    let mut present = Vec::new();
    for table in DATA_TABLES {
        if conn.table_exists(table)? {
            present.push(table);
        }
    }
    if present.is_empty() {
        conn.batch_execute(&ddl(conn.backend()))
            .and_then(|_| {
                conn.batch_execute(
                    "INSERT INTO adk_internal_metadata (\"key\", value) VALUES ('schema_version', '1')",
                )
            })
            .with_context(|| format!("cannot create ADK's tables in {name}"))?;
        return Ok(());
    }
    if present.len() < DATA_TABLES.len() || !events_has_column(conn, "event_data")? {
        anyhow::bail!(
            "the target {name} has an incomplete or legacy ADK schema (found {}); copy ADK data only into a database without ADK tables or with ADK's complete schema \"1\"",
            present.join(", ")
        );
    }
    Ok(())
}

/// ADK's tables as a copy group.
#[derive(Debug, Default)]
pub struct AdkGroup;

impl Group for AdkGroup {
    fn name(&self) -> &'static str {
        "adk"
    }

    fn plan(
        &mut self,
        source: &mut AnyConnection,
        source_name: &str,
        _target: Backend,
        filter: &Filter,
    ) -> Result<Vec<Step<'static>>> {
        check_copy_source(source, source_name)?;
        let backend = source.backend();
        Ok(copy_tables::TABLES
            .iter()
            .map(|spec| Step::plain(spec, backend, filter))
            .collect())
    }

    fn prepare_target(&self, target: &mut AnyConnection, target_name: &str) -> Result<()> {
        prepare_copy_target(target, target_name)
    }
}
