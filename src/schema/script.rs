//! `migrate --dry-run --sql`: the exact SQL a `migrate` would run, in order, as a script a
//! DBA can review or apply by hand (`psql -v ON_ERROR_STOP=1 -f`, `sqlite3 FILE < script`).
//!
//! The statements are those `migrations::apply_pending` runs, minus its reads: the schema
//! lock (`Backend::migration_lock_sql`), diesel's history-table creation, then per migration
//! diesel's savepoint, the migration's `up.sql`, diesel's history row and the release, and the
//! commit. A test compares this script with what a real `migrate` runs under `SQL_ECHO`.

use std::time::Duration;

use anyhow::{bail, Result};

use crate::db::Backend;
use crate::schema::migrations::MigrationId;

/// One migration's `up.sql`, embedded by `build.rs` from the same folders as
/// `embed_migrations!` (whose copy diesel_migrations keeps private).
pub struct MigrationSql {
    /// The folder name, e.g. `2026-11-25-000001_create_tenants`.
    pub name: &'static str,
    pub up: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/migration_sql.rs"));

impl MigrationSql {
    /// diesel's version of a folder name: the digits before the first `_`.
    pub fn version(&self) -> String {
        let prefix = self.name.split('_').next().unwrap_or_default();
        prefix.chars().filter(char::is_ascii_digit).collect()
    }
}

pub fn embedded_sql(backend: Backend) -> &'static [MigrationSql] {
    match backend {
        Backend::Postgres => POSTGRES_SQL,
        Backend::Sqlite => SQLITE_SQL,
    }
}

/// diesel's history row for `version`, spelled as diesel_migrations spells its insert, with
/// the bound version written in.
fn history_insert(backend: Backend, version: &str) -> String {
    let literal = format!("'{}'", version.replace('\'', "''"));
    match backend {
        Backend::Postgres => {
            format!("INSERT INTO \"__diesel_schema_migrations\" (\"version\") VALUES ({literal})")
        }
        Backend::Sqlite => {
            format!("INSERT INTO `__diesel_schema_migrations` (`version`) VALUES ({literal})")
        }
    }
}

/// diesel runs each migration in a savepoint of the outer transaction.
const SAVEPOINT: &str = "SAVEPOINT diesel_savepoint_1";
const RELEASE: &str = "RELEASE SAVEPOINT diesel_savepoint_1";

/// The statements of a migrate applying `pending`, in order.
pub fn statements(
    backend: Backend,
    pending: &[MigrationId],
    lock_timeout: Duration,
) -> Result<Vec<String>> {
    let mut out = backend.migration_lock_sql(lock_timeout);
    out.push(diesel::migration::CREATE_MIGRATIONS_TABLE.to_string());
    for id in pending {
        let Some(sql) = embedded_sql(backend)
            .iter()
            .find(|m| m.version() == id.version)
        else {
            bail!("no SQL embedded for migration {} ({})", id.version, id.name);
        };
        out.push(SAVEPOINT.to_string());
        out.push(sql.up.to_string());
        out.push(history_insert(backend, &id.version));
        out.push(RELEASE.to_string());
    }
    out.push("COMMIT".to_string());
    Ok(out)
}

/// The script: a header naming the database, then every statement terminated by `;`.
pub fn script(
    backend: Backend,
    database: &str,
    pending: &[MigrationId],
    lock_timeout: Duration,
) -> Result<String> {
    let apply_with = match backend {
        Backend::Postgres => "psql -v ON_ERROR_STOP=1 -f FILE",
        Backend::Sqlite => "sqlite3 DATABASE < FILE",
    };
    let mut text = format!(
        "-- agentdb migrate --dry-run --sql\n-- database: {}\n-- {} pending migration(s); the SQL `agentdb migrate` would run, in order.\n-- Apply with: {apply_with}\n\n",
        database.replace('\n', " "),
        pending.len()
    );
    for statement in statements(backend, pending, lock_timeout)? {
        let statement = statement.trim_end();
        text.push_str(statement);
        // The migration files end with `;` already (or with a comment after it).
        if !statement.ends_with(';') {
            text.push_str(if statement.contains('\n') { "\n;" } else { ";" });
        }
        text.push_str("\n\n");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_embedded_for_printing_matches_the_embedded_migrations() {
        for backend in [Backend::Postgres, Backend::Sqlite] {
            let ids = crate::schema::migrations::embedded_ids(backend).unwrap();
            let versions: Vec<String> = embedded_sql(backend).iter().map(|m| m.version()).collect();
            let expected: Vec<String> = ids.iter().map(|m| m.version.clone()).collect();
            assert_eq!(versions, expected, "{backend:?}");
            for (sql, id) in embedded_sql(backend).iter().zip(&ids) {
                assert!(sql.name.ends_with(&id.name), "{} / {}", sql.name, id.name);
                assert!(!sql.up.trim().is_empty());
            }
        }
    }
}
