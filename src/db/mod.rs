//! The database layer: one connection type over both backends and how it is opened. This file
//! holds the connections (`AnyConnection`, `Database`, `establish*`) and a few generic reads;
//! the submodules hold the rest: `pool` (the r2d2 manager), `lock` (the schema lock),
//! `dialect` (every SQL spelling that differs between the backends, and the bind-parameter
//! convention), `sqlite` (SQLite files: opening what is only read, writability, side files)
//! and `probe` (what `health` asks the server). agentdb's own tables are `crate::store`'s.

mod json_key;
pub use json_key::MetadataKey;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use diesel::connection::{CacheSize, InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{Pool, PooledConnection};
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;
use scheduled_thread_pool::ScheduledThreadPool;

pub mod sqlite_file;

use crate::config::{Resolved, Settings, SqliteLocation, Target};
use crate::output::stderr_line;

pub mod dialect;
pub mod lock;
pub mod pool;
pub mod probe;
pub mod sqlite;

pub use lock::{
    is_lock_timeout, AppliedRow, SchemaConnection, ADVISORY_LOCK_KEY, MIGRATIONS_TABLE,
};
pub use pool::{ConnectError, Manager};
pub use probe::{probe, round_trip, server_version, BackendProbe, ROUND_TRIP_SQL};
pub use sqlite::{
    create_owner_only_file, describe_sqlite_path, establish_sqlite, establish_sqlite_for,
    explain_failure, is_read_only_failure, read_only_open, same_sqlite_file,
    sqlite_header_says_wal, writable, ReadOpen, Writable,
};

/// One connection type over both backends, as diesel_cli does it.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which backend a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Target {
    /// The backend a parsed target names, before anything is opened.
    pub fn backend(&self) -> Backend {
        match self {
            Target::Postgres(_) => Backend::Postgres,
            Target::Sqlite(_) => Backend::Sqlite,
        }
    }
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Whether a command may create the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `status`, `stats`, `health`, copy and backup sources: a missing SQLite file is an error,
    /// never created, and an existing one is opened without writing it (`read_only_open`).
    ReadOnly,
    /// Commands that write but need an existing, migrated database.
    ReadWrite,
    /// The `--dry-run` of a command that writes (`prune`, `import-configs`, `rollback`): it
    /// writes only in transactions it rolls back, so an existing SQLite file is opened
    /// read-write but keeps its journal mode (no switch to WAL): a dry run leaves the file as
    /// it found it.
    DryRun,
    /// `migrate`: creates the SQLite file (0600) and its parent folders.
    Create,
}

impl Access {
    /// How a command that writes opens its database: `DryRun` for a dry run, else `ReadWrite`.
    pub fn writing(dry_run: bool) -> Access {
        if dry_run {
            Access::DryRun
        } else {
            Access::ReadWrite
        }
    }
}

/// An open database: the resolved target and a small pool of set-up connections.
pub struct Database {
    /// The target as connected to (PostgreSQL: with `connect_timeout` added).
    pub target: Target,
    /// The target as the operator gave it, password redacted: for output and errors.
    pub display: String,
    pool: Pool<Manager>,
    last_error: Arc<Mutex<Option<String>>>,
    timeout: Duration,
    /// Set when the `Database` is dropped: its connections are then closed (see `Drop`).
    closing: Arc<AtomicBool>,
}

pub type Conn = PooledConnection<Manager>;

impl Database {
    /// Opens the database described by `resolved`. Nothing is connected yet: the first
    /// `connect()` does that, so a connection error surfaces there with its real message.
    pub fn open(resolved: &Resolved, settings: &Settings, access: Access) -> Result<Database> {
        let target = match &resolved.target {
            Target::Postgres(url) => {
                init_tls();
                Target::Postgres(with_connect_timeout(url, settings.pool_timeout))
            }
            Target::Sqlite(SqliteLocation::File(path)) => {
                // The file a symlink points to, resolved once here: it is what gets created
                // (0600), opened and checked, as SQLite itself keeps -wal/-shm beside it.
                let real = crate::files::resolve_links(path)?;
                sqlite::prepare_sqlite_file(path, &real, access)?;
                Target::Sqlite(SqliteLocation::File(real))
            }
            t => t.clone(),
        };
        let last_error = Arc::new(Mutex::new(None));
        let closing = Arc::new(AtomicBool::new(false));
        let manager = Manager {
            target: target.clone(),
            settings: settings.clone(),
            last_error: last_error.clone(),
            access,
            closing: closing.clone(),
        };
        let pool = Pool::builder()
            // Every command works on one connection at a time, so the pool holds one; POOL_SIZE
            // + MAX_OVERFLOW (at least 1) can only be above that. A larger pool would just let
            // the polling in `connect` start a second connection that may still be opening
            // when the process exits. An in-memory SQLite database must be one connection.
            .max_size(1)
            // Open nothing up front and do not ping fresh connections: every round trip is
            // start-up time.
            .min_idle(Some(0))
            .test_on_check_out(false)
            .connection_timeout(settings.pool_timeout)
            .max_lifetime(settings.pool_recycle)
            .idle_timeout(None)
            // r2d2 opens connections on its own threads, three by default; one connection needs
            // one, and every thread started is start-up time.
            .thread_pool(Arc::new(
                ScheduledThreadPool::builder()
                    .num_threads(1)
                    .thread_name_pattern("r2d2-worker-{}")
                    .build(),
            ))
            .build_unchecked(manager);
        Ok(Database {
            display: resolved.target.redacted(),
            target,
            pool,
            last_error,
            timeout: settings.pool_timeout,
            closing,
        })
    }

    /// Checks a connection out of the pool. A failed connect is reported at once with the
    /// driver's message (r2d2 alone would retry silently until its timeout).
    pub fn connect(&self) -> Result<Conn> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.pool.get_timeout(Duration::from_millis(50)) {
                Ok(conn) => return Ok(conn),
                Err(_) => {
                    if let Some(message) = self.last_error.lock().expect("lock").take() {
                        return Err(anyhow!(message))
                            .context(format!("cannot connect to {}", self.display));
                    }
                    if Instant::now() >= deadline {
                        bail!(
                            "no connection to {} within {:?} (POOL_TIMEOUT)",
                            self.display,
                            self.timeout
                        );
                    }
                }
            }
        }
    }
}

/// The clean close (docs/performance.md, "Clean close"). r2d2 opens the connection on its worker thread,
/// whose job keeps a reference to the pool until it returns; when that thread is descheduled
/// past the end of a short command (a loaded machine: 16 of 20 `status` runs), the pool, and
/// with it the connection, was never dropped before the process exited, so SQLite's last close,
/// which removes the `-wal`/`-shm` files, never ran. Once the `Database` is dropped, a connection
/// returned to the pool counts as broken, which r2d2 closes at once on the returning thread:
/// the idle one here, one still checked out when it comes back.
impl Drop for Database {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Relaxed);
        drop(self.pool.try_get());
    }
}

/// Initialises OpenSSL (libpq's TLS) without its at-exit cleanup, before any connection
/// thread starts: that cleanup frees state a connection thread may still be using when the
/// process exits (health's timeout path), which crashed 30 of 1,500 such runs. The same call
/// rust-openssl makes. SQLite never loads TLS, so its start-up does not pay for this.
pub fn init_tls() {
    openssl_sys::init();
}

/// libpq waits forever for an unresponsive server unless told otherwise.
pub fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    // libpq treats values below 2 seconds as 2.
    let secs = timeout.as_secs_f64().ceil().max(2.0) as u64;
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={secs}")
}

/// Establishes one connection to `target`, set up for its backend.
pub fn establish(target: &Target, settings: &Settings) -> Result<AnyConnection> {
    establish_for(target, settings, Access::ReadWrite)
}

/// `establish` for a command of the given access: `Access::ReadOnly` opens SQLite without
/// writing it (PostgreSQL sessions are the same either way).
pub fn establish_for(
    target: &Target,
    settings: &Settings,
    access: Access,
) -> Result<AnyConnection> {
    match target {
        Target::Postgres(url) => establish_postgres(url, settings).map(AnyConnection::Postgresql),
        Target::Sqlite(location) => {
            establish_sqlite_for(location, settings, access).map(AnyConnection::Sqlite)
        }
    }
}

/// A PostgreSQL connection safe behind a transaction-pooling proxy: diesel's named
/// prepared statements would collide between clients of one server connection in PgBouncer.
pub fn establish_postgres(url: &str, settings: &Settings) -> Result<PgConnection> {
    init_tls();
    let mut conn =
        PgConnection::establish(url).map_err(|e| explain_postgres_error(url, &e.to_string()))?;
    conn.set_prepared_statement_cache_size(CacheSize::Disabled);
    if settings.sql_echo {
        conn.set_instrumentation(echo_sql);
    }
    Ok(conn)
}

fn explain_postgres_error(url: &str, message: &str) -> anyhow::Error {
    let message = message.trim();
    let target = Target::Postgres(url.to_string());
    if message.contains("does not exist") && message.contains("database \"") {
        let name = target.postgres_database().unwrap_or_default();
        return anyhow!(
            "{message}\nhint: the database \"{name}\" does not exist on that server; create it first: `agentdb database create` (or `agentdb migrate --create`) with the same URL, or `createdb {name}`"
        );
    }
    if message.contains("password authentication failed") {
        return anyhow!("{message}\nhint: check the user and password in the database URL");
    }
    anyhow!("{message}")
}

/// `SQL_ECHO`: every statement on stderr, without its bind values, which can be config
/// documents (OAuth tokens) or key hashes. Statements that must be readable in full (the
/// table checks) inline their constant names instead of binding them.
pub(crate) fn echo_sql(event: InstrumentationEvent<'_>) {
    if let InstrumentationEvent::StartQuery { query, .. } = event {
        let text = query.to_string();
        match text.split_once(" -- binds: ") {
            Some((sql, "[]")) => stderr_line(format_args!("SQL: {sql}")),
            Some((sql, _)) => stderr_line(format_args!("SQL: {sql} -- bind values not shown")),
            None => stderr_line(format_args!("SQL: {text}")),
        }
    }
}

impl AnyConnection {
    /// Writes a consistent copy of the whole database into the empty owner-only file at `path`
    /// (created by the caller, see `files::Staged`), where the backend can do that by itself: SQLite with `VACUUM INTO` (every table,
    /// other tools' included). `None` for PostgreSQL, whose rows go through the copy engine.
    pub fn snapshot_to_sqlite_file(&mut self, path: &Path) -> Option<Result<()>> {
        let AnyConnection::Sqlite(conn) = self else {
            return None;
        };
        Some((|| {
            let name = path
                .to_str()
                .with_context(|| format!("backup path {} is not valid UTF-8", path.display()))?;
            // A source opened `query_only` (see `ReadOpen`) refuses VACUUM INTO, which writes
            // only the new file: allowed for this statement alone.
            let query_only: CountRow =
                diesel::sql_query("SELECT query_only AS n FROM pragma_query_only")
                    .get_result(conn)
                    .context("cannot read PRAGMA query_only")?;
            conn.batch_execute("PRAGMA query_only = OFF")?;
            let done = conn
                .batch_execute(&format!("VACUUM INTO {}", dialect::sql_literal(name)))
                .with_context(|| format!("VACUUM INTO {} failed", path.display()));
            conn.batch_execute(&format!("PRAGMA query_only = {}", query_only.n))?;
            done
        })())
    }

    /// What makes this database itself, whatever spelling reached it (host name or address,
    /// through a proxy or not, parameter order). PostgreSQL: the cluster's system identifier
    /// (where the role may read it), the postmaster's start time, and the database's oid and
    /// name; SQLite: the file SQLite opened (symlinks resolved).
    pub fn database_identity(&mut self) -> Result<String> {
        let sql = match self {
            AnyConnection::Postgresql(_) => {
                "SELECT pg_postmaster_start_time()::text || ' ' || d.oid::text || ' ' || d.datname \
                 AS value FROM pg_database d WHERE d.datname = current_database()"
            }
            AnyConnection::Sqlite(_) => {
                "SELECT coalesce(file, '') AS value FROM pragma_database_list WHERE name = 'main'"
            }
        };
        let row: TextRow = diesel::sql_query(sql)
            .get_result(self)
            .context("cannot tell which database this is")?;
        if self.backend() == Backend::Sqlite {
            return Ok(row.value);
        }
        // Readable by any role on PostgreSQL 15; a managed server may refuse it (then the start
        // time, oid and name decide alone). A statement of its own, outside any transaction.
        let system: Option<TextRow> =
            diesel::sql_query("SELECT system_identifier::text AS value FROM pg_control_system()")
                .get_result(self)
                .ok();
        Ok(format!(
            "{} {}",
            system.map(|r| r.value).unwrap_or_default(),
            row.value
        ))
    }
}

/// A row of one integer column named `n`.
#[derive(QueryableByName, Debug)]
pub struct CountRow {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Runs a query returning one integer column `n`.
pub fn count(conn: &mut AnyConnection, sql: &str) -> Result<i64> {
    let row: CountRow = diesel::sql_query(sql)
        .get_result(conn)
        .with_context(|| format!("query failed: {sql}"))?;
    Ok(row.n)
}

/// The size of the database on disk, in bytes.
pub fn database_size(conn: &mut AnyConnection) -> Result<i64> {
    count(conn, conn.backend().database_size_sql())
}

/// A row of one text column named `value`.
#[derive(QueryableByName, Debug)]
pub struct TextRow {
    #[diesel(sql_type = Text)]
    pub value: String,
}

/// A column of a table, as the catalog lists it.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct TableColumn {
    #[diesel(sql_type = Text)]
    pub name: String,
    /// PostgreSQL's `data_type`; empty on SQLite (whose values carry their storage class).
    #[diesel(sql_type = Text)]
    pub data_type: String,
}

/// The columns of `table` in their order (none: no such table): the one catalog read of a
/// table's columns (PostgreSQL's current schema, SQLite's `table_info`).
pub fn table_columns(conn: &mut AnyConnection, table: &str) -> Result<Vec<TableColumn>> {
    diesel::sql_query(conn.backend().table_columns_sql())
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(table.to_string())
        .load(conn)
        .with_context(|| format!("cannot read the columns of table {table}"))
}

/// Which of `columns` the existing `table` lacks (a table of that name another application
/// made).
pub fn missing_columns(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
) -> Result<Vec<String>> {
    let present = table_columns(conn, table)?;
    Ok(columns
        .iter()
        .filter(|c| !present.iter().any(|p| p.name == **c))
        .map(|c| c.to_string())
        .collect())
}

/// Whether `table` has `column`.
pub fn has_column(conn: &mut AnyConnection, table: &str, column: &str) -> Result<bool> {
    Ok(table_columns(conn, table)?.iter().any(|c| c.name == column))
}

/// A count over another tool's table (LangGraph's, ADK's), or `None` where it is missing.
pub fn count_if_present(
    conn: &mut AnyConnection,
    table: &'static str,
    expr: &str,
) -> Result<Option<i64>> {
    if !conn.table_exists(table)? {
        return Ok(None);
    }
    count(conn, &format!("SELECT {expr} AS n FROM {table}")).map(Some)
}
