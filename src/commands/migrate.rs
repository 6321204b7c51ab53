//! `agentdb migrate`: apply pending migrations, all or nothing, under the schema lock.

use std::path::Path;

use anyhow::{Context as _, Result};
use serde::Serialize;

use super::backup;
use super::render_steps;
use super::{seconds, Context};
use crate::cli::{Include, MigrateArgs};
use crate::config::Resolved;
use crate::db::{Access, Backend, Conn, Database};
use crate::error::exit;
use crate::files;
use crate::output::{Report, Text};
use crate::schema::migrations::{self, RunOptions, Step};
use crate::schema::script;

#[derive(Debug, Serialize)]
pub struct MigrateReport {
    pub database: String,
    pub backend: Backend,
    pub dry_run: bool,
    /// Applied by this run (with `dry_run`: what would be applied).
    pub applied: Vec<Step>,
    /// True when nothing was (or would be) applied.
    pub up_to_date: bool,
    /// With `--create`: whether the database was created by this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
    /// With `--dry-run --sql`: the script a migrate would run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// `--backup`: the file written before anything was applied.
    pub backup: Option<String>,
}

impl Report for MigrateReport {
    fn render(&self, out: &mut Text) {
        // The script alone, so `> migrate.sql` gives a file psql or sqlite3 can run.
        if let Some(sql) = &self.sql {
            out.line(sql.trim_end());
            return;
        }
        if self.up_to_date {
            out.line(format!("Schema is up to date ({}).", self.database));
            return;
        }
        let verb = if self.dry_run {
            "Would apply"
        } else {
            "Applied"
        };
        if let Some(path) = &self.backup {
            out.line(format!("Backup: {path}"));
        }
        render_steps(
            out,
            &format!("{verb} {{}} migration(s) to {}:", self.database),
            &self.applied,
            self.dry_run,
        );
    }
}

pub fn run(ctx: &Context, args: &MigrateArgs) -> Result<u8> {
    let lock_timeout = seconds("--lock-timeout", args.lock_timeout)?;
    // A new SQLite file is built whole under a temporary name and appears only migrated
    // (files.rs; docs/decisions.md, "migrate on a new SQLite file"). A dry run creates nothing.
    if !args.dry_run {
        if let Some((staged, temp)) = files::stage_new_sqlite(&ctx.resolved.target)? {
            let mut db = Database::open(&Resolved::internal(temp), &ctx.settings, Access::Create)?;
            db.display = ctx.resolved.target.redacted();
            let report = apply(ctx, args, db, lock_timeout, args.create.then_some(true))?;
            match staged.commit(false) {
                Ok(()) => {
                    if args.create {
                        ctx.output
                            .info(format!("Created database {}.", report.database));
                    }
                    ctx.output.emit(&report)?;
                    return Ok(exit::OK);
                }
                // Another migrate put its whole database there first: that one is migrated
                // below like any existing file (up to date), as if this run had waited for it.
                Err(e) if files::already_exists(&e) => {}
                Err(e) => return Err(e),
            }
        }
    }
    let created = if args.create {
        let created = super::database::create(ctx)?;
        if created {
            ctx.output.info(format!(
                "Created database {}.",
                ctx.resolved.target.redacted()
            ));
        }
        Some(created)
    } else {
        None
    };
    // A dry run changes nothing, so it must not create the SQLite file either.
    let access = if args.dry_run {
        Access::ReadOnly
    } else {
        Access::Create
    };
    let report = apply(ctx, args, ctx.open(access)?, lock_timeout, created)?;
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}

/// Backs up if asked, applies the pending migrations and closes the database (the last
/// connection to a SQLite file checkpoints its -wal, so a staged file is whole after this).
fn apply(
    ctx: &Context,
    args: &MigrateArgs,
    db: Database,
    lock_timeout: std::time::Duration,
    created: Option<bool>,
) -> Result<MigrateReport> {
    let mut conn = db.connect()?;
    let backend = conn.backend();
    let options = RunOptions {
        lock_timeout,
        dry_run: args.dry_run,
    };
    let backup = match &args.backup {
        Some(path) if !args.dry_run => backup_before(ctx, &db, &mut conn, path.as_deref())?,
        _ => None,
    };
    let applied = migrations::migrate(&mut conn, options)?;
    let sql = if args.sql {
        let pending: Vec<_> = applied.iter().map(|s| s.id.clone()).collect();
        Some(script::script(
            backend,
            &db.display,
            &pending,
            lock_timeout,
        )?)
    } else {
        None
    };
    let database = db.display.clone();
    drop((conn, db));
    Ok(MigrateReport {
        database,
        backend,
        dry_run: args.dry_run,
        up_to_date: applied.is_empty(),
        applied,
        created,
        sql,
        backup,
    })
}

/// `--backup`: a backup of a database that has data and pending migrations, taken before
/// anything is applied; a failed backup stops the migration.
fn backup_before(
    ctx: &Context,
    db: &Database,
    conn: &mut Conn,
    path: Option<&Path>,
) -> Result<Option<String>> {
    let summary = migrations::summarize(&migrations::read_states(conn)?);
    if summary.pending == 0 || summary.applied == 0 {
        ctx.output.info(if summary.applied == 0 {
            "--backup: nothing to back up (no schema yet)"
        } else {
            "--backup: no migration pending, no backup taken"
        });
        return Ok(None);
    }
    let path = path.map_or_else(|| backup::default_path(&db.target), Path::to_path_buf);
    let report = backup::take(ctx, db, conn, &path, &[Include::Agentdb], true)
        .context("no migration was applied")?;
    ctx.output.info(format!(
        "Backup written to {} ({} bytes).",
        report.path, report.bytes
    ));
    Ok(Some(report.path))
}
