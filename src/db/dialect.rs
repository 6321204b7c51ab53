//! The SQL spellings that differ between the backends: one place for all of them, including
//! those of times and key batches that retention (`crate::retention`, prune) builds on.
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

    /// The columns of the table bound as parameter 1, in their order: `name` and `data_type`
    /// (PostgreSQL's, in the current schema; empty on SQLite). For `db::table_columns`.
    pub fn table_columns_sql(self) -> &'static str {
        match self {
            Backend::Postgres => {
                "SELECT column_name::text AS name, data_type::text AS data_type \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            }
            Backend::Sqlite => {
                "SELECT name, '' AS data_type FROM pragma_table_info(?1) ORDER BY cid"
            }
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

    /// A counter that moves when a writing transaction ends: SQLite's `PRAGMA data_version`
    /// (changes only when another connection to the file committed), PostgreSQL's next
    /// transaction id (every writing transaction of the server that ended, this session's
    /// own included: see `own_commits_counted`). Read outside a transaction.
    pub fn commit_counter_sql(self) -> &'static str {
        match self {
            Backend::Postgres => "SELECT txid_snapshot_xmax(txid_current_snapshot()) AS n",
            Backend::Sqlite => "SELECT data_version AS n FROM pragma_data_version",
        }
    }

    /// How far one transaction of this session moves `commit_counter_sql` at most.
    pub fn own_commits_counted(self) -> i64 {
        match self {
            Backend::Postgres => 1,
            Backend::Sqlite => 0,
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

// ---------------------------------------------------------------- retention: times and key batches

/// SQLite: the julian day of the ISO-8601 text in `column`, NULL when it is not a time. A time
/// is `YYYY-MM-DD`, optionally followed by `T`, `t` or a space and `HH:MM`, `:SS` and a
/// fraction of any length (SQLite keeps milliseconds), and `Z`/`z` or an offset `±HH:MM`
/// (none = UTC), as SQLite's date functions read it; the day must exist (`2023-02-29` does
/// not). Anything else (empty text, `now`, a bare number, a time without a date) is not.
pub fn sqlite_julian(column: &str) -> String {
    // `julianday` alone also reads `now`, bare numbers (julian days) and times without a date;
    // a text whose fifth character is `-` and that it reads began with `YYYY-MM-DD`. These
    // checks cost a fraction of a GLOB; the day's existence is checked only past the 28th,
    // and `t` is tried only when the text was not read as it is.
    format!(
        "(CASE WHEN substr({c}, 5, 1) = '-' \
           AND (substr({c}, 9, 2) <= '28' OR date(substr({c}, 1, 10)) = substr({c}, 1, 10)) \
         THEN coalesce(julianday({c}), CASE WHEN substr({c}, 11, 1) = 't' \
           THEN julianday(substr({c}, 1, 10) || 'T' || substr({c}, 12)) END) END)",
        c = column
    )
}

impl Backend {
    /// The instant in one of agentdb's own timestamp columns, comparable with `Cutoff::sql`:
    /// PostgreSQL `timestamptz` as it is; SQLite its julian day (`sqlite_julian`), NULL when the
    /// text is not a time.
    pub fn instant(self, column: &str) -> String {
        match self {
            Backend::Postgres => column.to_string(),
            Backend::Sqlite => sqlite_julian(column),
        }
    }

    /// The later of two instants (`Backend::instant`), where the second column may be NULL;
    /// NULL when either holds something that is not a time.
    pub fn latest_of(self, a: &str, b_nullable: &str) -> String {
        match self {
            // GREATEST ignores NULLs; timestamptz columns hold nothing but times.
            Backend::Postgres => format!("GREATEST({a}, {b_nullable})"),
            // SQLite's scalar max() is NULL when any argument is.
            Backend::Sqlite => format!(
                "(CASE WHEN {b_nullable} IS NULL THEN {} ELSE max({}, {}) END)",
                sqlite_julian(a),
                sqlite_julian(a),
                sqlite_julian(b_nullable)
            ),
        }
    }

    /// The later of two instants that are both times.
    pub fn greatest(self, a: &str, b: &str) -> String {
        match self {
            Backend::Postgres => format!("GREATEST({a}, {b})"),
            Backend::Sqlite => format!("max({a}, {b})"),
        }
    }

    /// A column's value as text for a message: SQLite `quote()` (an SQL literal, so a blob or
    /// a number shows as what it is), PostgreSQL its text.
    pub fn shown(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("CAST({column} AS TEXT)"),
            Backend::Sqlite => format!("quote({column})"),
        }
    }

    /// Appended to a subquery so that its columns are computed once per row: SQLite does not
    /// flatten (or push conditions into) a subquery with a LIMIT; PostgreSQL needs nothing.
    pub fn unflattened(self) -> &'static str {
        match self {
            Backend::Postgres => "",
            Backend::Sqlite => " LIMIT -1",
        }
    }

    /// `(columns) IN <the batch>`, the batch being a JSON array of string arrays bound as
    /// parameter `$1` (one element per column). `Unique` when the columns are a key of the table
    /// (at most one row each); `Many` when each key has many rows (a thread's messages): there
    /// PostgreSQL is given `= ANY(ARRAY(…))` per column, which it plans as index lookups,
    /// because it cannot see through a JSON parameter how few keys a batch holds and would
    /// otherwise scan the table.
    pub fn keys_in(self, columns: &[&str], lookup: Lookup) -> String {
        let rows = self.json_rows(columns.len());
        let tuple = if columns.len() == 1 {
            columns[0].to_string()
        } else {
            format!("({})", columns.join(", "))
        };
        let listed: Vec<String> = (0..columns.len()).map(|i| format!("c{i}")).collect();
        let row_in = format!(
            "{tuple} IN (SELECT {} FROM ({rows}) AS k)",
            listed.join(", ")
        );
        match (self, lookup) {
            (Backend::Postgres, Lookup::Many) => {
                let mut parts: Vec<String> = columns
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        format!(
                            "{c} = ANY(ARRAY(SELECT DISTINCT x->>{i} FROM jsonb_array_elements($1::jsonb) AS x))"
                        )
                    })
                    .collect();
                if columns.len() > 1 {
                    parts.push(row_in);
                }
                format!("({})", parts.join(" AND "))
            }
            _ => row_in,
        }
    }

    /// The rows of the JSON batch `$1` as columns `c0 … c{width-1}`.
    fn json_rows(self, width: usize) -> String {
        let columns: Vec<String> = (0..width)
            .map(|i| match self {
                Backend::Postgres => format!("x->>{i} AS c{i}"),
                Backend::Sqlite => format!("json_extract(value, '$[{i}]') AS c{i}"),
            })
            .collect();
        match self {
            Backend::Postgres => format!(
                "SELECT {} FROM jsonb_array_elements($1::jsonb) AS x",
                columns.join(", ")
            ),
            Backend::Sqlite => format!("SELECT {} FROM json_each(?1)", columns.join(", ")),
        }
    }
}

/// How many rows each key of a batch selects (see `Backend::keys_in`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Unique,
    Many,
}
