//! `agentdb backup PATH`: the database's data in a new SQLite file (mode 0600), from either
//! backend; also taken by `migrate --backup` before it applies anything. Restore is
//! `agentdb copy --from PATH --to URL`.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use serde::Serialize;

use super::copy::{groups, include_order, render_tables};
use super::{Context, DEFAULT_LOCK_TIMEOUT};
use crate::cli::{BackupArgs, Include};
use crate::config::{Resolved, SqliteLocation, Target};
use crate::copy::{self, Ends, Filter, Request, TableCopy};
use crate::db::{Access, Backend, Conn, Database};
use crate::error::{exit, UsageError};
use crate::files;
use crate::output::{Report, Text};

#[derive(Debug, Serialize)]
pub struct BackupReport {
    pub path: String,
    pub source: String,
    pub source_backend: Backend,
    /// `vacuum_into` (SQLite source: the whole file) or `copy` (PostgreSQL source).
    pub method: &'static str,
    pub bytes: u64,
    /// `PRAGMA integrity_check` of the new file.
    pub integrity: String,
    /// Per table counts and digests (copies only).
    pub tables: Vec<TableCopy>,
    pub duration_ms: u128,
}

impl Report for BackupReport {
    fn render(&self, out: &mut Text) {
        out.line(format!(
            "Backed up {} to {} ({} bytes, {}, integrity {}).",
            self.source, self.path, self.bytes, self.method, self.integrity
        ));
        if !self.tables.is_empty() {
            render_tables(out, &self.tables);
        }
    }
}

pub fn run(ctx: &Context, args: &BackupArgs) -> Result<u8> {
    let include = include_order(&args.include);
    let db = ctx.open(Access::ReadOnly)?;
    let mut conn = db.connect()?;
    let report = take(ctx, &db, &mut conn, &args.path, &include, false)?;
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}

/// Writes the backup to `path`, which must not exist (a symlink: to the file it points to).
/// The file is built under a temporary name beside it and appears at `path` only whole and
/// checked; on any failure or SIGINT/SIGTERM nothing is left there (`files.rs`).
/// `older_schema`: the source may be behind this agentdb's migrations (before `migrate`).
pub fn take(
    ctx: &Context,
    db: &Database,
    conn: &mut Conn,
    path: &Path,
    include: &[Include],
    older_schema: bool,
) -> Result<BackupReport> {
    let started = Instant::now();
    let at_path = Target::Sqlite(SqliteLocation::File(path.to_path_buf()));
    if crate::db::same_sqlite_file(&db.target, &at_path) {
        return Err(UsageError::new(format!(
            "backup file {} is the database itself ({}): choose a new path",
            path.display(),
            db.display
        ))
        .into());
    }
    let dest = files::resolve_links(path)?;
    if fs::symlink_metadata(&dest).is_ok() {
        // Exit 1, as `copy` into a non-empty target: the same refusal (docs/decisions.md, copy and backup).
        bail!(
            "backup file {} already exists: choose a new path",
            path.display()
        );
    }
    let source_backend = conn.backend();
    let written = files::Staged::file(&dest, true).and_then(|staged| {
        let temp = staged.path().to_path_buf();
        let (tables, method) = match conn.snapshot_to_sqlite_file(&temp) {
            Some(done) => done.map(|()| (Vec::new(), "vacuum_into"))?,
            None => (
                copy_into_file(ctx, db, conn, &temp, include, older_schema)?,
                "copy",
            ),
        };
        let integrity = integrity_check(ctx, &temp)?;
        let bytes = fs::metadata(&temp).map(|m| m.len()).unwrap_or(0);
        staged.commit(false)?;
        Ok((tables, method, integrity, bytes))
    });
    let (tables, method, integrity, bytes) = written.map_err(|e| {
        e.context(format!(
            "backup to {} failed (nothing was kept there)",
            path.display()
        ))
    })?;
    Ok(BackupReport {
        path: path.display().to_string(),
        source: db.display.clone(),
        source_backend,
        method,
        bytes,
        integrity,
        tables,
        duration_ms: started.elapsed().as_millis(),
    })
}

/// PostgreSQL: the copy engine into a new SQLite database at `path`.
fn copy_into_file(
    ctx: &Context,
    db: &Database,
    conn: &mut Conn,
    path: &Path,
    include: &[Include],
    older_schema: bool,
) -> Result<Vec<TableCopy>> {
    let resolved = Resolved::internal(Target::Sqlite(SqliteLocation::File(path.to_path_buf())));
    let target_db = Database::open(&resolved, &ctx.settings, Access::Create)?;
    let mut target = target_db.connect()?;
    let request = Request {
        filter: Filter::default(),
        lock_timeout: DEFAULT_LOCK_TIMEOUT,
    };
    let ends = Ends {
        source: conn,
        source_name: &db.display,
        target: &mut target,
        target_name: &target_db.display,
    };
    let outcome = copy::run(ends, groups(include, older_schema), &request, &ctx.output)?;
    // One self-contained file: no -wal beside it.
    target
        .use_rollback_journal()
        .context("cannot finish the backup file")?;
    Ok(outcome.tables)
}

/// The new file's integrity check, through agentdb's read-only open (nothing written to it).
fn integrity_check(ctx: &Context, path: &Path) -> Result<String> {
    let resolved = Resolved::internal(Target::Sqlite(SqliteLocation::File(path.to_path_buf())));
    let db = Database::open(&resolved, &ctx.settings, Access::ReadOnly)
        .with_context(|| format!("cannot open backup {}", path.display()))?;
    let mut conn = db
        .connect()
        .with_context(|| format!("cannot open backup {}", path.display()))?;
    conn.integrity_check(&path.display().to_string())
}

/// Where `migrate --backup` writes when no path is given: beside the SQLite file, or in the
/// working directory for PostgreSQL, named with the UTC time.
pub fn default_path(target: &Target) -> PathBuf {
    let stamp = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .format("%Y%m%dT%H%M%SZ");
    match target {
        Target::Sqlite(SqliteLocation::File(path)) => {
            let mut name = path.as_os_str().to_owned();
            name.push(format!(".backup-{stamp}.db"));
            PathBuf::from(name)
        }
        other => {
            let database = other
                .postgres_database()
                .unwrap_or_else(|| "agentdb".into());
            PathBuf::from(format!("{database}.backup-{stamp}.db"))
        }
    }
}
