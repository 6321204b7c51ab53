//! `agentdb database create | drop | reset`: the database itself.

use anyhow::{bail, Result};
use serde::Serialize;

use super::guard::{self, Ask, Verdict, Words};
use super::{render_steps, seconds, Context};
use crate::cli::{DatabaseAction, DatabaseArgs, DropArgs};
use crate::config::Resolved;
use crate::db::{Access, Database};
use crate::error::exit;
use crate::output::{Report, Text};
use crate::schema::migrations::{self, RunOptions, Step};
use crate::server::{self, Created, Dropped};

#[derive(Debug, Serialize)]
pub struct DatabaseReport {
    pub database: String,
    pub backend: &'static str,
    /// `create`, `drop` or `reset`.
    pub action: &'static str,
    /// Whether an existing database was dropped (`drop`, `reset`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dropped: Option<bool>,
    /// Whether the database was created (`create`, `reset`); false: it was already there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<bool>,
    /// SQLite: the file the database path's symlink points to, which drop/reset act on (the
    /// symlink itself is kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The migrations `reset` applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied: Option<Vec<Step>>,
}

impl Report for DatabaseReport {
    fn render(&self, out: &mut Text) {
        let via_link = match (&self.file, self.dropped) {
            (Some(file), Some(true)) => {
                format!(" (the file {file} it links to; the symlink was kept)")
            }
            _ => String::new(),
        };
        match self.dropped {
            Some(true) => out.line(format!("Dropped database {}{via_link}.", self.database)),
            Some(false) => out.line(format!(
                "Database {} does not exist; nothing to drop.",
                self.database
            )),
            None => {}
        }
        match self.created {
            Some(true) => match &self.file {
                Some(file) => out.line(format!(
                    "Created database {} (the file {file} it links to).",
                    self.database
                )),
                None => out.line(format!("Created database {}.", self.database)),
            },
            Some(false) => out.line(format!("Database {} already exists.", self.database)),
            None => {}
        }
        if let Some(applied) = &self.applied {
            render_steps(out, "Applied {} migration(s):", applied, false);
        }
    }
}

pub fn run(ctx: &Context, args: &DatabaseArgs) -> Result<u8> {
    let display = ctx.resolved.target.redacted();
    let mut report = DatabaseReport {
        database: display.clone(),
        backend: ctx.resolved.target.backend_name(),
        action: "create",
        dropped: None,
        created: None,
        file: server::symlinked_file(&ctx.resolved.target).map(|f| f.display().to_string()),
        applied: None,
    };
    match &args.action {
        DatabaseAction::Create => {
            report.created = Some(create(ctx)?);
        }
        DatabaseAction::Drop(drop) => {
            report.action = "drop";
            confirm(ctx, "drop", &display, drop)?;
            report.dropped = Some(drop_database(ctx, drop)?);
        }
        DatabaseAction::Reset(reset) => {
            report.action = "reset";
            let lock_timeout = seconds("--lock-timeout", reset.lock_timeout)?;
            confirm(ctx, "reset", &display, &reset.drop)?;
            let options = RunOptions {
                lock_timeout,
                dry_run: false,
            };
            // The new database is built and migrated aside (a SQLite file beside the old one,
            // a PostgreSQL database under a temporary name), then put in the old one's place,
            // so a kill never leaves an empty or half-migrated database there (server.rs,
            // files.rs; docs/decisions.md). In memory: drop, create, migrate.
            if let Some(staged) = server::stage_reset(&ctx.resolved, &ctx.settings)? {
                let mut db = Database::open(
                    &Resolved::internal(staged.target()),
                    &ctx.settings,
                    Access::Create,
                )?;
                db.display = display.clone();
                let mut conn = db.connect()?;
                report.applied = Some(migrations::migrate(&mut conn, options)?);
                // Closed before it is put in place: SQLite's last connection folds its -wal
                // in; a PostgreSQL database in use cannot be renamed.
                drop((conn, db));
                report.dropped = Some(staged.commit(reset.drop.force)?);
                report.created = Some(true);
            } else {
                report.dropped = Some(drop_database(ctx, &reset.drop)?);
                report.created = Some(create(ctx)?);
                let db = ctx.open(Access::Create)?;
                let mut conn = db.connect()?;
                report.applied = Some(migrations::migrate(&mut conn, options)?);
            }
        }
    }
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}

/// Creates the database; true when it was created, false when it was already there.
pub fn create(ctx: &Context) -> Result<bool> {
    Ok(server::create_database(&ctx.resolved, &ctx.settings)? == Created::Created)
}

fn drop_database(ctx: &Context, args: &DropArgs) -> Result<bool> {
    Ok(server::drop_database(&ctx.resolved, &ctx.settings, args.force)? == Dropped::Dropped)
}

/// Destroying a database needs `--yes` in production and whenever stdin is not a terminal
/// (a script cannot answer); on a terminal the operator is asked, with the database named.
fn confirm(ctx: &Context, verb: &str, display: &str, args: &DropArgs) -> Result<()> {
    let verdict = guard::confirm(ctx, args.yes, Ask::Always, || {
        Ok(Some(Words {
            production: format!(
                "refusing to {verb} database {display}: ENV/APP_ENV is production; pass --yes to confirm"
            ),
            no_terminal: format!(
                "refusing to {verb} database {display} without --yes: stdin is not a terminal, so nobody can confirm"
            ),
            question: format!(
                "This will {verb} database {display} and delete all its data. Type `yes` to confirm: "
            ),
        }))
    })?;
    if verdict == Verdict::Declined {
        bail!("aborted: database {display} was not changed");
    }
    Ok(())
}
