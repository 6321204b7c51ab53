//! What `health` asks the server beyond connecting: its version, one timed round trip, and
//! per backend the state behind readiness (SQLite's integrity, journal mode and writability;
//! PostgreSQL's recovery state and connection headroom).

use anyhow::{Context, Result};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};

use super::sqlite::{sqlite_header_says_wal, writable, Writable};
use super::{AnyConnection, Backend, TextRow};
use crate::config::{SqliteLocation, Target};

/// The statement `health` times as one round trip.
pub const ROUND_TRIP_SQL: &str = "SELECT 1";

/// One round trip to the server: `ROUND_TRIP_SQL`.
pub fn round_trip(conn: &mut AnyConnection) -> std::result::Result<(), diesel::result::Error> {
    conn.batch_execute(ROUND_TRIP_SQL)
}

/// The server's version: PostgreSQL's `server_version`, or the SQLite library's.
pub fn server_version(conn: &mut AnyConnection) -> Result<String> {
    let sql = match conn.backend() {
        Backend::Postgres => "SELECT 'PostgreSQL ' || current_setting('server_version') AS value",
        Backend::Sqlite => "SELECT 'SQLite ' || sqlite_version() AS value",
    };
    let row: TextRow = diesel::sql_query(sql)
        .get_result(conn)
        .context("cannot read the server version")?;
    Ok(row.value)
}

/// What `health` inspects beyond the common checks, per backend.
#[derive(Debug)]
pub enum BackendProbe {
    Sqlite {
        /// `PRAGMA quick_check`: `ok`, or the problems found.
        quick_check: String,
        journal_mode: String,
        /// Whether the file can be opened for writing: the detail either way.
        writable: std::result::Result<String, String>,
    },
    Postgres {
        in_recovery: bool,
        connections: i64,
        max_connections: i64,
    },
}

/// Whether the SQLite file may be written, asked without opening it for writing.
fn sqlite_writable(target: &Target) -> std::result::Result<String, String> {
    match target {
        Target::Sqlite(SqliteLocation::File(path)) => match writable(path) {
            Writable::Yes => Ok(format!("{} is writable", path.display())),
            Writable::ReadOnlyFileSystem => Err(format!(
                "no: {} is on a read-only file system (reads work; writes will fail)",
                path.display()
            )),
            Writable::No => Err(format!(
                "no: {} is not writable by this user (reads work; writes will fail)",
                path.display()
            )),
        },
        _ => Ok("in-memory database".to_string()),
    }
}

#[derive(QueryableByName)]
struct PgProbeRow {
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
    #[diesel(sql_type = BigInt)]
    connections: i64,
    #[diesel(sql_type = BigInt)]
    max_connections: i64,
}

pub fn probe(conn: &mut AnyConnection, target: &Target) -> Result<BackendProbe> {
    match conn.backend() {
        Backend::Sqlite => {
            let rows: Vec<TextRow> =
                diesel::sql_query("SELECT quick_check AS value FROM pragma_quick_check")
                    .load(conn)
                    .context("PRAGMA quick_check failed")?;
            let journal: TextRow =
                diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
                    .get_result(conn)
                    .context("cannot read the journal mode")?;
            Ok(BackendProbe::Sqlite {
                quick_check: rows
                    .into_iter()
                    .map(|r| r.value)
                    .collect::<Vec<_>>()
                    .join("; "),
                // An `immutable` open (a WAL file on a read-only mount) reports `delete`; the
                // file's header says what the file is.
                journal_mode: match target {
                    Target::Sqlite(SqliteLocation::File(path)) if sqlite_header_says_wal(path) => {
                        "wal".to_string()
                    }
                    _ => journal.value,
                },
                writable: sqlite_writable(target),
            })
        }
        Backend::Postgres => {
            let row: PgProbeRow = diesel::sql_query(
                "SELECT pg_is_in_recovery() AS in_recovery, \
                 (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections, \
                 current_setting('max_connections')::bigint AS max_connections",
            )
            .get_result(conn)
            .context("cannot read the server state")?;
            Ok(BackendProbe::Postgres {
                in_recovery: row.in_recovery,
                connections: row.connections,
                max_connections: row.max_connections,
            })
        }
    }
}
