//! The database layer around a database: whether its server (or, for SQLite, its folder) is
//! ready, and creating or dropping the database itself. PostgreSQL databases are created and
//! dropped through a maintenance database (`postgres`, else `template1`).
//! `reset` builds the new database aside on both backends (`stage_reset`; PostgreSQL's in
//! `postgres_reset`).

mod postgres_reset;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::config::{Resolved, Settings, SqliteLocation, Target};
use crate::db::{self, Access, CountRow, Database};
use crate::files::Staged;

pub use postgres_reset::{temporary_prefix, StagedDatabase};

/// What `wait` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitGoal {
    /// The database itself answers a query.
    Database,
    /// The server answers (a missing database counts as ready): before `database create`,
    /// `migrate --create` and the other commands that make or remove the database.
    Server,
}

/// One readiness attempt.
#[derive(Debug)]
pub enum Attempt {
    Ready,
    /// Worth retrying (refused, host not found, starting up, missing database, …).
    NotYet(String),
    /// Retrying cannot help (authentication, a bad option, not a database).
    Fatal(anyhow::Error),
}

/// One attempt: connect and run `SELECT 1`; SQLite: the file's folder exists and, where the
/// file exists, it opens and answers. Never creates anything.
pub fn attempt(target: &Target, settings: &Settings, goal: WaitGoal, budget: Duration) -> Attempt {
    match target {
        Target::Postgres(url) => {
            let url = db::with_connect_timeout(url, budget);
            match db::establish_postgres(&url, settings) {
                Ok(mut conn) => match conn.batch_execute("SELECT 1") {
                    Ok(()) => Attempt::Ready,
                    Err(e) => Attempt::NotYet(e.to_string()),
                },
                Err(e) => classify_postgres_error(format!("{e:#}"), goal),
            }
        }
        Target::Sqlite(SqliteLocation::Memory) => Attempt::Ready,
        Target::Sqlite(SqliteLocation::File(path)) => sqlite_attempt(path, settings, goal),
    }
}

/// libpq reports everything as text; these are the failures no retry can fix.
fn classify_postgres_error(message: String, goal: WaitGoal) -> Attempt {
    let fatal = [
        "authentication failed",
        "no pg_hba.conf entry",
        "no password supplied",
        "invalid connection option",
        "invalid sslmode value",
    ];
    let role_missing = message.contains("role \"") && message.contains("does not exist");
    if role_missing || fatal.iter().any(|f| message.contains(f)) {
        return Attempt::Fatal(anyhow!(message));
    }
    let database_missing = message.contains("database \"") && message.contains("does not exist");
    if database_missing && goal == WaitGoal::Server {
        return Attempt::Ready;
    }
    Attempt::NotYet(message)
}

fn sqlite_attempt(link: &Path, settings: &Settings, goal: WaitGoal) -> Attempt {
    // Through a symlink, the folder of the file it points to (a volume still being mounted).
    let path = &match crate::files::resolve_links(link) {
        Ok(real) => real,
        Err(e) => return Attempt::Fatal(e),
    };
    let folder = sqlite_folder(path);
    // Conditions no waiting can change fail at once: a folder or a file in the wrong place, a
    // file that is not a database or cannot be read. A read-only file or mount is ready: `wait`
    // only reads, and reads it without writing (db::read_only_open).
    if folder.exists() && !folder.is_dir() {
        return Attempt::Fatal(anyhow!(
            "{} is a file, not a folder: the SQLite database {} cannot be there",
            folder.display(),
            path.display()
        ));
    }
    if !folder.is_dir() {
        return Attempt::NotYet(format!("folder {} does not exist yet", folder.display()));
    }
    if path.is_dir() {
        return Attempt::Fatal(anyhow!(
            "SQLite path {} is a directory, not a database file",
            path.display()
        ));
    }
    if goal == WaitGoal::Server || !path.exists() {
        return Attempt::Ready;
    }
    let location = SqliteLocation::File(path.to_path_buf());
    match db::establish_sqlite_for(&location, settings, Access::ReadOnly) {
        Ok(mut conn) => match conn.batch_execute("SELECT 1") {
            Ok(()) => Attempt::Ready,
            Err(e) => Attempt::NotYet(e.to_string()),
        },
        Err(e) => {
            let message = format!("{e:#}");
            if message.contains("not a SQLite database")
                || message.contains("directory")
                || db::is_read_only_failure(&message)
            {
                Attempt::Fatal(db::explain_failure(
                    e,
                    &Target::Sqlite(SqliteLocation::File(path.to_path_buf())),
                ))
            } else {
                Attempt::NotYet(message)
            }
        }
    }
}

fn sqlite_folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Capped exponential backoff with "equal jitter": each delay is half the current step plus
/// a random part of the other half, so pods started together spread out, and the step
/// doubles up to `cap`. The cap bounds how late a ready server is noticed.
pub struct Backoff {
    step: Duration,
    cap: Duration,
}

/// The default cap: a server that comes up is noticed within 250 ms.
pub const BACKOFF_CAP: Duration = Duration::from_millis(250);
const BACKOFF_FIRST: Duration = Duration::from_millis(25);

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            step: BACKOFF_FIRST,
            cap: BACKOFF_CAP,
        }
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let half = self.step / 2;
        let mut random = [0u8; 4];
        let fraction = match getrandom::fill(&mut random) {
            Ok(()) => f64::from(u32::from_le_bytes(random)) / f64::from(u32::MAX),
            Err(_) => 0.5,
        };
        let delay = half + half.mul_f64(fraction);
        self.step = (self.step * 2).min(self.cap);
        Some(delay)
    }
}

/// How a wait went.
#[derive(Debug, Clone, Copy)]
pub struct Waited {
    pub attempts: u32,
    pub elapsed: Duration,
}

/// Retries `attempt` until it is ready or `timeout` passes; `on_retry(n, reason, delay)` is
/// called before each pause. The error names the database and carries the last reason.
pub fn wait_until_ready(
    resolved: &Resolved,
    settings: &Settings,
    goal: WaitGoal,
    timeout: Duration,
    mut on_retry: impl FnMut(u32, &str, Duration),
) -> Result<Waited> {
    let started = Instant::now();
    let deadline = started + timeout;
    let display = resolved.target.redacted();
    let mut backoff = Backoff::default();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let budget = deadline.saturating_duration_since(Instant::now());
        let reason = match attempt(&resolved.target, settings, goal, budget) {
            Attempt::Ready => {
                return Ok(Waited {
                    attempts,
                    elapsed: started.elapsed(),
                })
            }
            Attempt::Fatal(e) => {
                return Err(e.context(format!(
                    "{display} refused the connection; not retrying (retrying cannot fix this)"
                )))
            }
            Attempt::NotYet(reason) => reason,
        };
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(anyhow!(reason).context(format!(
                "{display} was not ready within {}s ({attempts} attempt(s)); the last error follows",
                timeout.as_secs_f64()
            )));
        }
        let delay = backoff.next().unwrap_or(BACKOFF_CAP).min(remaining);
        on_retry(attempts, &reason, delay);
        std::thread::sleep(delay);
    }
}

/// What `create_database` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created,
    AlreadyThere,
}

/// What `drop_database` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    Dropped,
    NotThere,
}

/// Creates the database: PostgreSQL `CREATE DATABASE` through a maintenance database; SQLite
/// the file (mode 0600) and its folders. Already there: `AlreadyThere`.
pub fn create_database(resolved: &Resolved, settings: &Settings) -> Result<Created> {
    match &resolved.target {
        Target::Postgres(url) => {
            let name = database_name(&resolved.target)?;
            let mut conn = maintenance_connection(url, &name, settings)?;
            postgres_reset::remove_leftovers(&mut conn, &name);
            if postgres_database_exists(&mut conn, &name)? {
                return Ok(Created::AlreadyThere);
            }
            match conn.batch_execute(&format!("CREATE DATABASE {}", quote_identifier(&name))) {
                Ok(()) => Ok(Created::Created),
                // Another process created it between our check and now.
                Err(e) if is_duplicate_database(&e.to_string()) => Ok(Created::AlreadyThere),
                Err(e) => Err(e).with_context(|| {
                    format!(
                        "cannot create database \"{name}\" on {}",
                        resolved.target.redacted()
                    )
                }),
            }
        }
        Target::Sqlite(SqliteLocation::Memory) => Ok(Created::AlreadyThere),
        Target::Sqlite(SqliteLocation::File(_)) => {
            // A new file is built aside and linked into place (files.rs): it never meets side
            // files an earlier database left at its name, and appears whole or not at all.
            if let Some((staged, temp)) = crate::files::stage_new_sqlite(&resolved.target)? {
                // Opening creates the file in WAL mode; closing it leaves it whole.
                let mut db = Database::open(&Resolved::internal(temp), settings, Access::Create)?;
                db.display = resolved.target.redacted();
                drop(db.connect()?);
                drop(db);
                match staged.commit(false) {
                    Ok(()) => return Ok(Created::Created),
                    // Another process put its database there first: checked below like any.
                    Err(e) if crate::files::already_exists(&e) => {}
                    Err(e) => return Err(e),
                }
            }
            // An existing file: opened, so one that is not a SQLite database is reported.
            let db = Database::open(resolved, settings, Access::Create)?;
            db.connect()?;
            Ok(Created::AlreadyThere)
        }
    }
}

/// A new database `database reset` builds aside, to be migrated at `target()` and put in
/// the old one's place by `commit`, so the name never holds an empty or partly migrated
/// database.
pub enum StagedReset {
    /// A SQLite file staged beside the old one (`files::Staged`).
    Sqlite(Staged, Target),
    /// A PostgreSQL database under a temporary name.
    Postgres(StagedDatabase),
}

impl StagedReset {
    /// Where the new database is, to migrate it.
    pub fn target(&self) -> Target {
        match self {
            StagedReset::Sqlite(_, target) => target.clone(),
            StagedReset::Postgres(staged) => staged.target().clone(),
        }
    }

    /// Drops the old database (PostgreSQL: in use without `force`, refused as `drop` refuses
    /// it, and the new one dropped) and puts the new one at its name, as one step against
    /// SIGINT/SIGTERM; true when there was an old one. Every connection to the new database
    /// must be closed first.
    pub fn commit(self, force: bool) -> Result<bool> {
        match self {
            StagedReset::Sqlite(staged, _) => staged.commit_replacing(),
            StagedReset::Postgres(staged) => staged.commit(force),
        }
    }
}

/// `database reset`: after the refusals `drop` makes (SQLite: a folder, a file that is not a
/// SQLite database), the new database staged aside. `None` for memory, where reset drops and
/// creates.
pub fn stage_reset(resolved: &Resolved, settings: &Settings) -> Result<Option<StagedReset>> {
    match &resolved.target {
        Target::Postgres(url) => {
            let name = database_name(&resolved.target)?;
            postgres_reset::stage(url, &name, &resolved.target.redacted(), settings)
                .map(|s| Some(StagedReset::Postgres(s)))
        }
        Target::Sqlite(SqliteLocation::Memory) => Ok(None),
        Target::Sqlite(SqliteLocation::File(link)) => {
            let path = crate::files::resolve_links(link)?;
            if path.exists() {
                refuse_unless_sqlite(link, &path)?;
            }
            Ok(crate::files::stage_sqlite_replacement(&resolved.target)?
                .map(|(staged, temp)| StagedReset::Sqlite(staged, temp)))
        }
    }
}

/// Drops the database. PostgreSQL: `DROP DATABASE`, with `WITH (FORCE)` only when `force`;
/// a database in use is otherwise an error saying how many sessions hold it. SQLite: removes
/// the file and its `-wal`, `-shm` and `-journal` files, after checking it is a SQLite file.
pub fn drop_database(resolved: &Resolved, settings: &Settings, force: bool) -> Result<Dropped> {
    match &resolved.target {
        Target::Postgres(url) => {
            let name = database_name(&resolved.target)?;
            let mut conn = maintenance_connection(url, &name, settings)?;
            postgres_reset::remove_leftovers(&mut conn, &name);
            drop_postgres(&mut conn, &name, force, &resolved.target.redacted())
        }
        Target::Sqlite(SqliteLocation::Memory) => Ok(Dropped::NotThere),
        Target::Sqlite(SqliteLocation::File(path)) => drop_sqlite_file(path),
    }
}

/// `DROP DATABASE name` on a maintenance connection; in use and not `force`: an error saying
/// how many sessions hold it. `display`: the redacted URL, for errors.
fn drop_postgres(
    conn: &mut PgConnection,
    name: &str,
    force: bool,
    display: &str,
) -> Result<Dropped> {
    if !postgres_database_exists(conn, name)? {
        return Ok(Dropped::NotThere);
    }
    let force_clause = if force { " WITH (FORCE)" } else { "" };
    let sql = format!("DROP DATABASE {}{force_clause}", quote_identifier(name));
    match conn.batch_execute(&sql) {
        Ok(()) => Ok(Dropped::Dropped),
        Err(e) if e.to_string().contains("is being accessed by other users") => {
            let sessions = sessions_using(conn, name).unwrap_or(0);
            bail!(
                "database \"{name}\" is in use by {sessions} other session(s) and was not dropped\nhint: stop the applications using it (a PgBouncer keeps idle server connections: PAUSE or RECONNECT it), or pass --force to end those sessions (DROP DATABASE … WITH (FORCE))"
            )
        }
        Err(e) => Err(e).with_context(|| format!("cannot drop database \"{name}\" on {display}")),
    }
}

/// Removes the file a symlink points to (and the side files SQLite keeps beside that file),
/// never the link itself: the link still names the database `create`/`reset` make again.
/// In an order a kill cannot turn into a hazard (`files::take_down_sqlite`).
fn drop_sqlite_file(link: &Path) -> Result<Dropped> {
    let path = &crate::files::resolve_links(link)?;
    if !path.exists() {
        return Ok(Dropped::NotThere);
    }
    refuse_unless_sqlite(link, path)?;
    Ok(if crate::files::take_down_sqlite(path)? {
        Dropped::Dropped
    } else {
        Dropped::NotThere
    })
}

/// What `drop` and `reset` refuse to delete: a folder, a file that is not a SQLite database.
fn refuse_unless_sqlite(link: &Path, path: &Path) -> Result<()> {
    if path.is_dir() {
        bail!(
            "SQLite path {} is a directory, not a database file; refusing to delete it",
            db::describe_sqlite_path(link, path)
        );
    }
    if !is_sqlite_file(path)? {
        bail!(
            "{} is not a SQLite database; refusing to delete it (check the database URL)",
            db::describe_sqlite_path(link, path)
        );
    }
    Ok(())
}

/// The file a SQLite target's symlink points to, when its path is a symlink: what
/// `database drop`/`reset` act on (the link is kept), for the report.
pub fn symlinked_file(target: &Target) -> Option<PathBuf> {
    let Target::Sqlite(SqliteLocation::File(path)) = target else {
        return None;
    };
    let real = crate::files::resolve_links(path).ok()?;
    (real != *path).then_some(real)
}

/// An empty file (what `database create` may leave) or one with SQLite's header.
fn is_sqlite_file(path: &Path) -> Result<bool> {
    let mut header = Vec::with_capacity(16);
    std::fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut header))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(header.is_empty() || header == b"SQLite format 3\0")
}

/// Concurrent `CREATE DATABASE`s of one name: the loser sees either message.
fn is_duplicate_database(message: &str) -> bool {
    message.contains("already exists") || message.contains("pg_database_datname_index")
}

fn database_name(target: &Target) -> Result<String> {
    match target.postgres_database() {
        Some(name) if !name.is_empty() => Ok(name),
        _ => bail!(
            "the URL {} names no database to create or drop",
            target.redacted()
        ),
    }
}

/// A double-quoted PostgreSQL identifier: any name works, quotes and unicode included.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A connection to the server's `postgres` database, else `template1` (managed servers often
/// lack `postgres`); never to `target_name` itself, which cannot be dropped from within.
fn maintenance_connection(
    url: &str,
    target_name: &str,
    settings: &Settings,
) -> Result<PgConnection> {
    let mut last_error = None;
    for maintenance in ["postgres", "template1"] {
        if maintenance == target_name {
            continue;
        }
        let with_timeout =
            db::with_connect_timeout(&url_for_database(url, maintenance)?, settings.pool_timeout);
        match db::establish_postgres(&with_timeout, settings) {
            Ok(conn) => return Ok(conn),
            Err(e)
                if format!("{e:#}")
                    .contains(&format!("database \"{maintenance}\" does not exist")) =>
            {
                last_error = Some(e);
            }
            Err(e) => {
                return Err(e).context(format!(
                    "cannot connect to the maintenance database \"{maintenance}\" of {}",
                    crate::config::redact_url(url)
                ))
            }
        }
    }
    Err(last_error
        .unwrap_or_else(|| anyhow!("no maintenance database to connect to"))
        .context(format!(
            "cannot connect to a maintenance database (postgres, template1) of {}",
            crate::config::redact_url(url)
        )))
}

/// `url` with its database replaced by `name` (percent-encoded: any name works), every other
/// parameter kept.
fn url_for_database(url: &str, name: &str) -> Result<String> {
    let mut parsed = url::Url::parse(url).context("cannot parse the PostgreSQL URL")?;
    parsed.set_path(
        &percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC)
            .to_string(),
    );
    // A `dbname=` in the query would win over the path: keep every other parameter.
    if let Some(query) = parsed.query().map(str::to_string) {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| pair.split('=').next() != Some("dbname"))
            .collect();
        parsed.set_query((!kept.is_empty()).then(|| kept.join("&")).as_deref());
    }
    Ok(parsed.to_string())
}

fn postgres_database_exists(conn: &mut PgConnection, name: &str) -> Result<bool> {
    let row: CountRow =
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(name)
            .get_result(conn)
            .with_context(|| format!("cannot look up database \"{name}\""))?;
    Ok(row.n > 0)
}

fn sessions_using(conn: &mut PgConnection, name: &str) -> Result<i64> {
    let row: CountRow = diesel::sql_query(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind::<Text, _>(name)
    .get_result(conn)?;
    Ok(row.n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap_with_jitter() {
        let delays: Vec<Duration> = Backoff::default().take(12).collect();
        assert!(delays[0] >= BACKOFF_FIRST / 2 && delays[0] <= BACKOFF_FIRST);
        assert!(delays.iter().all(|d| *d <= BACKOFF_CAP));
        assert!(delays[11] >= BACKOFF_CAP / 2);
    }

    #[test]
    fn authentication_errors_are_fatal_and_a_missing_database_waits() {
        let fatal = "FATAL:  password authentication failed for user \"postgres\"";
        assert!(matches!(
            classify_postgres_error(fatal.into(), WaitGoal::Database),
            Attempt::Fatal(_)
        ));
        let missing = "FATAL:  database \"x\" does not exist";
        assert!(matches!(
            classify_postgres_error(missing.into(), WaitGoal::Database),
            Attempt::NotYet(_)
        ));
        assert!(matches!(
            classify_postgres_error(missing.into(), WaitGoal::Server),
            Attempt::Ready
        ));
        let starting = "FATAL:  the database system is starting up";
        assert!(matches!(
            classify_postgres_error(starting.into(), WaitGoal::Server),
            Attempt::NotYet(_)
        ));
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_identifier("a \"b\" é"), "\"a \"\"b\"\" é\"");
    }
}
