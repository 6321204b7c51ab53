//! The schema lock `migrate`, `rollback` and the copy engine take: PostgreSQL a
//! transaction-scoped advisory lock (safe behind PgBouncer; released by commit, rollback or a
//! crash), SQLite the write lock of an immediate transaction. Also diesel's migration history
//! as read without creating it.

use std::time::Duration;

use anyhow::{Context, Result};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel::sqlite::SqliteConnection;

use super::dialect::sql_literal;
use super::sqlite::is_busy;
use super::{AnyConnection, Backend};

/// Errors that mean "someone else holds the lock".
pub fn is_lock_timeout(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        let m = e.to_string();
        m.contains("canceling statement due to lock timeout") || is_busy(&m)
    })
}

/// A row of `__diesel_schema_migrations`, time as UTC ISO-8601 text.
#[derive(QueryableByName, Debug, Clone)]
pub struct AppliedRow {
    #[diesel(sql_type = Text)]
    pub version: String,
    #[diesel(sql_type = Text)]
    pub run_on: String,
}

#[derive(QueryableByName)]
struct PresentRow {
    #[diesel(sql_type = Bool)]
    present: bool,
}

/// diesel's migration history table.
pub const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// A connection the schema lock can be taken on: its backend, and (SQLite) how it begins an
/// immediate transaction through diesel's transaction manager, so the depth diesel keeps stays
/// right when `locked_transaction` commits or rolls back.
pub trait Lockable: Connection + SimpleConnection {
    fn lock_backend(&self) -> Backend;

    /// `BEGIN IMMEDIATE`; called on SQLite connections only.
    fn begin_immediate(&mut self) -> diesel::QueryResult<()>;
}

impl Lockable for PgConnection {
    fn lock_backend(&self) -> Backend {
        Backend::Postgres
    }

    fn begin_immediate(&mut self) -> diesel::QueryResult<()> {
        unreachable!("BEGIN IMMEDIATE is SQLite's")
    }
}

impl Lockable for SqliteConnection {
    fn lock_backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn begin_immediate(&mut self) -> diesel::QueryResult<()> {
        AnsiTransactionManager::begin_transaction_sql(self, "BEGIN IMMEDIATE")
    }
}

impl Lockable for AnyConnection {
    fn lock_backend(&self) -> Backend {
        self.backend()
    }

    fn begin_immediate(&mut self) -> diesel::QueryResult<()> {
        match self {
            AnyConnection::Sqlite(sqlite) => sqlite.begin_immediate(),
            AnyConnection::Postgresql(_) => unreachable!("BEGIN IMMEDIATE is SQLite's"),
        }
    }
}

/// The one schema lock: runs `f` in one transaction that first takes it. PostgreSQL: a
/// transaction-scoped advisory lock (safe behind PgBouncer; released by commit, rollback or a
/// crash); SQLite: the write lock of an immediate transaction. Waits at most `lock_timeout`;
/// losing the wait says who holds the lock (`lock_error`).
pub fn locked_transaction<C: Lockable, T>(
    conn: &mut C,
    lock_timeout: Duration,
    f: impl FnOnce(&mut C) -> Result<T>,
) -> Result<T> {
    match conn.lock_backend() {
        Backend::Postgres => conn.transaction(|conn| {
            take_postgres_schema_lock(conn, lock_timeout)?;
            f(conn)
        }),
        Backend::Sqlite => {
            conn.batch_execute(&sqlite_lock_timeout_sql(lock_timeout))?;
            conn.begin_immediate()
                .map_err(|e| lock_error(e.into(), lock_timeout))?;
            let result = match f(conn) {
                Ok(value) => C::TransactionManager::commit_transaction(conn)
                    .map(|()| value)
                    .map_err(anyhow::Error::from),
                Err(e) => {
                    let _ = C::TransactionManager::rollback_transaction(conn);
                    Err(e)
                }
            };
            result.map_err(|e| lock_error(e, lock_timeout))
        }
    }
}

/// What the migration runner needs from a concrete connection, per backend.
pub trait SchemaConnection: Lockable + Sized {
    /// `locked_transaction` on this connection.
    fn locked_transaction<T>(
        &mut self,
        lock_timeout: Duration,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        locked_transaction(self, lock_timeout, f)
    }

    /// The backend this connection talks to.
    const BACKEND: Backend;

    /// Whether a table (or any relation) of that name exists (PostgreSQL: in the search
    /// path). Names are ours (constants, or those our migrations create), quoted as a literal
    /// into the SQL, which `SQL_ECHO` then shows whole.
    fn table_exists(&mut self, table: &str) -> Result<bool>;

    /// The applied migrations, read without creating the history table (diesel's own
    /// `applied_migrations` creates it, which a read-only command must not do).
    fn applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        if !self.table_exists(MIGRATIONS_TABLE)? {
            return Ok(Vec::new());
        }
        self.load_applied_rows()
    }

    fn load_applied_rows(&mut self) -> Result<Vec<AppliedRow>>;
}

/// The advisory lock key: the bytes of "agentdb" (per database, as advisory locks are).
pub const ADVISORY_LOCK_KEY: i64 = 0x0061_6765_6e74_6462;

/// How `locked_transaction` bounds the lock wait; shared with `migration_lock_sql`, which
/// prints the same statements for `migrate --dry-run --sql`.
pub(super) fn pg_lock_timeout_sql(lock_timeout: Duration) -> String {
    format!(
        "SET LOCAL lock_timeout = '{}ms'",
        lock_timeout.as_millis().max(1)
    )
}

pub(super) const PG_LOCK_TIMEOUT_OFF: &str = "SET LOCAL lock_timeout = 0";

pub(super) fn sqlite_lock_timeout_sql(lock_timeout: Duration) -> String {
    format!("PRAGMA busy_timeout = {}", lock_timeout.as_millis())
}

/// PostgreSQL's schema lock, inside the caller's transaction: the transaction-scoped advisory
/// lock, waiting at most `lock_timeout`. The key is our constant, written into the SQL, so the
/// statements are exactly those `migration_lock_sql` prints.
fn take_postgres_schema_lock(
    conn: &mut impl SimpleConnection,
    lock_timeout: Duration,
) -> Result<()> {
    conn.batch_execute(&pg_lock_timeout_sql(lock_timeout))?;
    conn.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})"
    ))
    .map_err(|e| lock_error(e.into(), lock_timeout))?;
    // What runs under the lock is not bounded by the lock wait.
    conn.batch_execute(PG_LOCK_TIMEOUT_OFF)?;
    Ok(())
}

impl SchemaConnection for PgConnection {
    const BACKEND: Backend = Backend::Postgres;

    fn table_exists(&mut self, table: &str) -> Result<bool> {
        let row: PresentRow = diesel::sql_query(format!(
            "SELECT to_regclass({}) IS NOT NULL AS present",
            sql_literal(table)
        ))
        .get_result(self)
        .with_context(|| format!("cannot check whether table {table} exists"))?;
        Ok(row.present)
    }

    fn load_applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        diesel::sql_query(
            "SELECT version, to_char(run_on, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS run_on \
             FROM __diesel_schema_migrations ORDER BY version",
        )
        .load(self)
        .context("cannot read __diesel_schema_migrations")
    }
}

impl SchemaConnection for SqliteConnection {
    const BACKEND: Backend = Backend::Sqlite;

    fn table_exists(&mut self, table: &str) -> Result<bool> {
        let row: PresentRow = diesel::sql_query(format!(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = {}) AS present",
            sql_literal(table)
        ))
        .get_result(self)
        .with_context(|| format!("cannot check whether table {table} exists"))?;
        Ok(row.present)
    }

    fn load_applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        diesel::sql_query(
            "SELECT version, strftime('%Y-%m-%dT%H:%M:%SZ', run_on) AS run_on \
             FROM __diesel_schema_migrations ORDER BY version",
        )
        .load(self)
        .context("cannot read __diesel_schema_migrations")
    }
}

impl AnyConnection {
    pub fn table_exists(&mut self, table: &str) -> Result<bool> {
        match self {
            AnyConnection::Postgresql(c) => c.table_exists(table),
            AnyConnection::Sqlite(c) => c.table_exists(table),
        }
    }

    pub fn applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        match self {
            AnyConnection::Postgresql(c) => c.applied_rows(),
            AnyConnection::Sqlite(c) => c.applied_rows(),
        }
    }

    /// `locked_transaction` for code written against `AnyConnection` (the copy engine): the
    /// same lock `migrate` takes, then `f` in that one transaction.
    pub fn schema_locked_transaction<T>(
        &mut self,
        lock_timeout: Duration,
        f: impl FnOnce(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        locked_transaction(self, lock_timeout, f)
    }
}

fn lock_error(err: anyhow::Error, lock_timeout: Duration) -> anyhow::Error {
    if is_lock_timeout(&err) {
        err.context(format!(
            "could not take the schema lock within {}s: another agentdb migrate or rollback is running on this database; retry, or raise --lock-timeout",
            lock_timeout.as_secs_f64()
        ))
    } else {
        err
    }
}
