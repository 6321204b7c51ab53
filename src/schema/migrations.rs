//! The schema's migrations (one embedded set per backend) and the operations on them:
//! plan, apply (one locked transaction, all or nothing), revert, and state for `status`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use diesel::backend::Backend as DieselBackend;
use diesel::migration::{Migration, MigrationSource};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use serde::Serialize;

use crate::db::{AnyConnection, AppliedRow, SchemaConnection};
use crate::schema::script;

pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Runs `$body` with `$conn` bound to the concrete connection and `$source` to that
/// backend's embedded migrations.
macro_rules! with_schema {
    ($any:expr, |$conn:ident, $source:ident| $body:expr) => {
        match $any {
            AnyConnection::Postgresql($conn) => {
                let $source = &POSTGRES;
                $body
            }
            AnyConnection::Sqlite($conn) => {
                let $source = &SQLITE;
                $body
            }
        }
    };
}

/// A migration as operators see it: `20261125000001` / `create_tenants`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MigrationId {
    pub version: String,
    pub name: String,
}

impl MigrationId {
    fn of<DB: DieselBackend>(m: &dyn Migration<DB>) -> MigrationId {
        let full = m.name().to_string();
        let name = full
            .split_once('_')
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|| full.clone());
        MigrationId {
            version: m.name().version().to_string(),
            name,
        }
    }
}

/// The known migrations of a source, in version order.
fn known<DB: DieselBackend>(
    source: &impl MigrationSource<DB>,
) -> Result<Vec<Box<dyn Migration<DB>>>> {
    let mut all = source
        .migrations()
        .map_err(|e| anyhow!("cannot load migrations: {e}"))?;
    all.sort_by_key(|m| m.name().version().to_string());
    Ok(all)
}

/// Every migration's state, for `status`, `health` and the checks before `migrate`.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationState {
    #[serde(flatten)]
    pub id: MigrationId,
    /// `applied`, `pending`, or `unknown` (applied, but not known to this binary).
    pub state: &'static str,
    pub applied_at: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StateSummary {
    pub applied: usize,
    pub pending: usize,
    pub unknown: usize,
}

/// Joins the known migrations with the applied rows, ordered by version.
fn states<DB: DieselBackend>(
    known: &[Box<dyn Migration<DB>>],
    applied: &[AppliedRow],
) -> Vec<MigrationState> {
    let applied_by_version: BTreeMap<&str, &AppliedRow> =
        applied.iter().map(|r| (r.version.as_str(), r)).collect();
    let mut out: Vec<MigrationState> = known
        .iter()
        .map(|m| {
            let id = MigrationId::of(m.as_ref());
            let row = applied_by_version.get(id.version.as_str());
            MigrationState {
                state: if row.is_some() { "applied" } else { "pending" },
                applied_at: row.map(|r| r.run_on.clone()),
                id,
            }
        })
        .collect();
    let known_versions: Vec<String> = out.iter().map(|s| s.id.version.clone()).collect();
    for row in applied {
        if !known_versions.contains(&row.version) {
            out.push(MigrationState {
                id: MigrationId {
                    version: row.version.clone(),
                    name: "(unknown to this agentdb)".to_string(),
                },
                state: "unknown",
                applied_at: Some(row.run_on.clone()),
            });
        }
    }
    out.sort_by(|a, b| a.id.version.cmp(&b.id.version));
    out
}

pub fn summarize(states: &[MigrationState]) -> StateSummary {
    let mut s = StateSummary::default();
    for m in states {
        match m.state {
            "applied" => s.applied += 1,
            "pending" => s.pending += 1,
            _ => s.unknown += 1,
        }
    }
    s
}

/// Reads every migration's state without writing anything.
pub fn read_states(conn: &mut AnyConnection) -> Result<Vec<MigrationState>> {
    with_schema!(conn, |c, source| read_states_of(c, source))
}

/// `read_states` for a concrete connection and any migration source.
pub fn read_states_of<C, DB>(
    conn: &mut C,
    source: &impl MigrationSource<DB>,
) -> Result<Vec<MigrationState>>
where
    DB: DieselBackend,
    C: SchemaConnection<Backend = DB>,
{
    let applied = conn.applied_rows()?;
    Ok(states(&known(source)?, &applied))
}

/// Refuses to run a command on a schema that is not fully migrated.
pub fn require_migrated(conn: &mut AnyConnection, display: &str) -> Result<()> {
    let states = read_states(conn)?;
    let pending = states.iter().filter(|s| s.state == "pending").count();
    if pending > 0 {
        bail!(
            "the schema of {display} is not up to date ({pending} migration(s) pending): run `agentdb migrate` first"
        );
    }
    Ok(())
}

/// Refuses to apply migrations whose tables already exist: agentdb did not create them (its
/// history would record the migration), so they belong to another application sharing the
/// database (e.g. a platform's own `threads` and `messages`). Checked with reads only, under
/// the lock, before anything is written.
fn refuse_foreign_tables<C: SchemaConnection>(conn: &mut C, pending: &[Step]) -> Result<()> {
    let mut found: Vec<String> = Vec::new();
    for migration in script::embedded_sql(C::BACKEND) {
        if !pending.iter().any(|p| p.id.version == migration.version()) {
            continue;
        }
        for table in created_tables(migration.up) {
            if conn.table_exists(&table)? && !found.contains(&table) {
                found.push(table);
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(anyhow!(
        "the database already has table(s) {} that agentdb's pending migrations would create, but agentdb did not create them: they belong to another application sharing this database; nothing was written\nhint: give agentdb a database of its own: another SQLite file (e.g. DATABASE_URL=sqlite:///./agentdb.db) or another PostgreSQL database (`agentdb -d postgres://…/agentdb database create`)",
        found.join(", ")
    ))
}

/// The tables a migration's SQL creates: the names after `CREATE TABLE [IF NOT EXISTS]`,
/// unquoted (`"x"`, `` `x` ``) and, when unquoted, lower-cased as both databases fold them.
pub fn created_tables(sql: &str) -> Vec<String> {
    let code: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let words: Vec<&str> = code
        .split(|c: char| c.is_whitespace() || c == '(' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let mut tables = Vec::new();
    for (i, pair) in words.windows(2).enumerate() {
        if !(pair[0].eq_ignore_ascii_case("create") && pair[1].eq_ignore_ascii_case("table")) {
            continue;
        }
        let mut rest = words[i + 2..].iter();
        let mut name = rest.next();
        if name.is_some_and(|w| w.eq_ignore_ascii_case("if")) {
            name = rest.nth(2); // IF NOT EXISTS name
        }
        if let Some(name) = name {
            let quoted = name.starts_with(['"', '`']);
            let bare = name.trim_matches(|c| c == '"' || c == '`');
            tables.push(if quoted {
                bare.to_string()
            } else {
                bare.to_ascii_lowercase()
            });
        }
    }
    tables
}

/// The versions applied to the database that this binary does not know.
pub fn unknown_versions(states: &[MigrationState]) -> Vec<&str> {
    states
        .iter()
        .filter(|s| s.state == "unknown")
        .map(|s| s.id.version.as_str())
        .collect()
}

/// Refuses to touch a database migrated by a newer agentdb.
fn refuse_unknown(states: &[MigrationState]) -> Result<()> {
    let unknown = unknown_versions(states);
    if !unknown.is_empty() {
        bail!(
            "the database has migrations this agentdb does not know ({}): it was migrated by a newer agentdb; use that version (or newer) of agentdb",
            unknown.join(", ")
        );
    }
    Ok(())
}

/// One migration applied or reverted, with its duration.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    #[serde(flatten)]
    pub id: MigrationId,
    pub duration_ms: f64,
}

/// Options of a run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub lock_timeout: Duration,
    pub dry_run: bool,
}

/// Applies every pending migration of `source`, in version order, in one transaction that
/// first takes the schema lock and only then reads what is applied. All or nothing.
/// With `dry_run`, returns what would run and changes nothing.
pub fn apply_pending<C, DB>(
    conn: &mut C,
    source: &impl MigrationSource<DB>,
    options: RunOptions,
) -> Result<Vec<Step>>
where
    DB: DieselBackend,
    C: SchemaConnection<Backend = DB> + MigrationHarness<DB>,
{
    apply_pending_up_to(conn, source, options, None)
}

/// `apply_pending`, stopping after migration `last` when given (a copy target made to match an
/// older source).
fn apply_pending_up_to<C, DB>(
    conn: &mut C,
    source: &impl MigrationSource<DB>,
    options: RunOptions,
    last: Option<&str>,
) -> Result<Vec<Step>>
where
    DB: DieselBackend,
    C: SchemaConnection<Backend = DB> + MigrationHarness<DB>,
{
    let mut known = known(source)?;
    if let Some(last) = last {
        known.retain(|m| m.name().version().to_string().as_str() <= last);
    }
    if options.dry_run {
        let applied = conn.applied_rows()?;
        let states = states(&known, &applied);
        refuse_unknown(&states)?;
        let pending = pending_steps(&states);
        refuse_foreign_tables(conn, &pending)?;
        return Ok(pending);
    }
    conn.locked_transaction(options.lock_timeout, |conn| {
        // diesel's applied_migrations creates the history table if missing: under the lock,
        // and rolled back with everything else if a migration fails.
        conn.applied_migrations()
            .map_err(|e| anyhow!("cannot prepare {}: {e}", crate::db::MIGRATIONS_TABLE))?;
        let states = states(&known, &conn.applied_rows()?);
        refuse_unknown(&states)?;
        refuse_foreign_tables(conn, &pending_steps(&states))?;
        let mut steps = Vec::new();
        for migration in &known {
            let id = MigrationId::of(migration.as_ref());
            if !states.iter().any(|s| s.id == id && s.state == "pending") {
                continue;
            }
            let started = Instant::now();
            conn.run_migration(migration.as_ref())
                .map_err(|e| anyhow!("{e}"))
                .with_context(|| {
                    format!(
                        "migration {} ({}) failed; nothing of this run was applied",
                        id.version, id.name
                    )
                })?;
            steps.push(Step {
                id,
                duration_ms: elapsed_ms(started),
            });
        }
        Ok(steps)
    })
}

fn pending_steps(states: &[MigrationState]) -> Vec<Step> {
    states
        .iter()
        .filter(|s| s.state == "pending")
        .map(|s| Step {
            id: s.id.clone(),
            duration_ms: 0.0,
        })
        .collect()
}

/// Reverts the last `steps` applied migrations, newest first, in one locked transaction.
pub fn revert_last<C, DB>(
    conn: &mut C,
    source: &impl MigrationSource<DB>,
    steps: usize,
    options: RunOptions,
) -> Result<Vec<Step>>
where
    DB: DieselBackend,
    C: SchemaConnection<Backend = DB> + MigrationHarness<DB>,
{
    let known = known(source)?;
    let plan = |applied: &[AppliedRow]| -> Result<Vec<MigrationId>> {
        let states = states(&known, applied);
        let newest: Vec<&MigrationState> = states
            .iter()
            .rev()
            .filter(|s| s.state != "pending")
            .take(steps)
            .collect();
        refuse_unknown(&newest.iter().map(|s| (*s).clone()).collect::<Vec<_>>())?;
        Ok(newest.iter().map(|s| s.id.clone()).collect())
    };
    if options.dry_run {
        let ids = plan(&conn.applied_rows()?)?;
        return Ok(ids
            .into_iter()
            .map(|id| Step {
                id,
                duration_ms: 0.0,
            })
            .collect());
    }
    conn.locked_transaction(options.lock_timeout, |conn| {
        let ids = plan(&conn.applied_rows()?)?;
        let mut done = Vec::new();
        for id in ids {
            let migration = known
                .iter()
                .find(|m| m.name().version().to_string() == id.version)
                .expect("planned migrations are known");
            let started = Instant::now();
            conn.revert_migration(migration.as_ref())
                .map_err(|e| anyhow!("{e}"))
                .with_context(|| {
                    format!(
                        "reverting migration {} ({}) failed; nothing was rolled back",
                        id.version, id.name
                    )
                })?;
            done.push(Step {
                id,
                duration_ms: elapsed_ms(started),
            });
        }
        Ok(done)
    })
}

/// `apply_pending` with this backend's embedded migrations.
pub fn migrate(conn: &mut AnyConnection, options: RunOptions) -> Result<Vec<Step>> {
    with_schema!(conn, |c, source| apply_pending(c, source, options))
}

/// `migrate`, applying no migration newer than version `last`.
pub fn migrate_up_to(
    conn: &mut AnyConnection,
    options: RunOptions,
    last: &str,
) -> Result<Vec<Step>> {
    with_schema!(conn, |c, source| apply_pending_up_to(
        c,
        source,
        options,
        Some(last)
    ))
}

/// `revert_last` with this backend's embedded migrations.
pub fn rollback(conn: &mut AnyConnection, steps: usize, options: RunOptions) -> Result<Vec<Step>> {
    with_schema!(conn, |c, source| revert_last(c, source, steps, options))
}

/// The embedded migrations' ids for one backend (used to check both folders agree).
pub fn embedded_ids(backend: crate::db::Backend) -> Result<Vec<MigrationId>> {
    use diesel::pg::Pg;
    use diesel::sqlite::Sqlite;
    Ok(match backend {
        crate::db::Backend::Postgres => known::<Pg>(&POSTGRES)?
            .iter()
            .map(|m| MigrationId::of(m.as_ref()))
            .collect(),
        crate::db::Backend::Sqlite => known::<Sqlite>(&SQLITE)?
            .iter()
            .map(|m| MigrationId::of(m.as_ref()))
            .collect(),
    })
}

fn elapsed_ms(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Backend;

    #[test]
    fn both_backends_have_the_same_migrations() {
        let pg = embedded_ids(Backend::Postgres).unwrap();
        let sqlite = embedded_ids(Backend::Sqlite).unwrap();
        assert!(!pg.is_empty());
        assert_eq!(pg, sqlite);
    }
}
