//! The SQL spellings that differ between the backends: one place for all of them (the
//! retention spellings of times live beside the cut-offs, in `crate::retention`).
//!
//! **Bind parameters**: written with [`Backend::param`] (or [`Backend::json_param`]), never as
//! `$N` literals: PostgreSQL gets `$N`, SQLite `?N`, which it binds by number (it treats `$N`
//! as a named parameter and looks each one up by name, quadratic in a statement with
//! thousands). Values are bound in the order of their numbers; a number may repeat in the SQL
//! and is bound once. Inside a per-backend arm (`match backend { … }`) the backend's own
//! spelling (`$1` for PostgreSQL, `?1` for SQLite) is the same thing written out. Only
//! constants of our own (table names, the advisory lock key) are ever written into SQL text.

use std::time::Duration;

use super::lock::{
    pg_lock_timeout_sql, sqlite_lock_timeout_sql, ADVISORY_LOCK_KEY, PG_LOCK_TIMEOUT_OFF,
};
use super::Backend;

impl Backend {
    /// The statements `locked_transaction` runs before its body, in order, with the advisory
    /// lock key written in, as when run: for `migrate --dry-run --sql`.
    pub fn migration_lock_sql(self, lock_timeout: Duration) -> Vec<String> {
        match self {
            Backend::Postgres => vec![
                "BEGIN".to_string(),
                pg_lock_timeout_sql(lock_timeout),
                format!("SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})"),
                PG_LOCK_TIMEOUT_OFF.to_string(),
            ],
            Backend::Sqlite => vec![
                sqlite_lock_timeout_sql(lock_timeout),
                "BEGIN IMMEDIATE".to_string(),
            ],
        }
    }
}

/// A string as a SQL literal (quotes doubled).
pub fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL spellings that differ between the backends, for the commands' queries.
///
/// Bind parameters are written `$1`, `$2`, … on both backends and must appear in the SQL in
/// that order: SQLite numbers `$N` parameters by first appearance, not by N, while diesel binds
/// by position.
impl Backend {
    /// The current time as the schema stores it (UTC).
    pub fn now(self) -> &'static str {
        match self {
            Backend::Postgres => "now()",
            Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        }
    }

    /// Bind parameter `n`. SQLite gets `?NNN`, which it binds by number: it treats `$N` as a
    /// named parameter and looks each one up by name, quadratic in a statement with thousands.
    pub fn param(self, n: usize) -> String {
        match self {
            Backend::Postgres => format!("${n}"),
            Backend::Sqlite => format!("?{n}"),
        }
    }

    /// A bind parameter for a JSON column (`jsonb` on PostgreSQL, checked text on SQLite).
    pub fn json_param(self, n: usize) -> String {
        match self {
            Backend::Postgres => format!("${n}::jsonb"),
            Backend::Sqlite => self.param(n),
        }
    }

    /// A timestamp expression read as UTC ISO-8601 text.
    pub fn timestamp_text(self, expr: &str) -> String {
        match self {
            Backend::Postgres => {
                format!("to_char(({expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
            }
            Backend::Sqlite => format!("({expr})"),
        }
    }

    /// Whether `VACUUM` gives freed space back to the file system (SQLite); PostgreSQL's
    /// autovacuum only makes it reusable.
    pub fn vacuum_shrinks_file(self) -> bool {
        self == Backend::Sqlite
    }

    /// The size of the database on disk, in bytes.
    pub fn database_size_sql(self) -> &'static str {
        match self {
            Backend::Postgres => "SELECT pg_database_size(current_database()) AS n",
            Backend::Sqlite => {
                "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()"
            }
        }
    }

    /// Checks a valid JSON document against what the backend can store: PostgreSQL's `jsonb`
    /// refuses the NUL character (`\u0000`) that JSON itself allows.
    pub fn json_storable(self, text: &str) -> std::result::Result<(), String> {
        if self == Backend::Postgres && text.contains("\\u0000") {
            return Err("contains \\u0000, which PostgreSQL's jsonb cannot store".to_string());
        }
        Ok(())
    }
}

/// The spellings for reading JSON columns: values as JSON text and their stored size.
impl Backend {
    /// A JSON column as text (PostgreSQL renders `jsonb`; SQLite keeps the text as written).
    pub fn json_text(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("({column})::text"),
            Backend::Sqlite => column.to_string(),
        }
    }

    /// Bytes of the stored JSON text (for an encrypted value: of its envelope).
    pub fn stored_bytes(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("octet_length(({column})::text)::bigint"),
            Backend::Sqlite => format!("length(CAST({column} AS BLOB))"),
        }
    }
}
