//! `agentdb migrate`: apply pending migrations, all or nothing, under the schema lock.

use anyhow::Result;
use serde::Serialize;

use super::render_steps;
use super::{seconds, Context};
use crate::cli::MigrateArgs;
use crate::db::{Access, Backend};
use crate::error::exit;
use crate::migration_script;
use crate::migrations::{self, RunOptions, Step};
use crate::output::{Report, Text};

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
    let db = ctx.open(access)?;
    let mut conn = db.connect()?;
    let backend = conn.backend();
    let options = RunOptions {
        lock_timeout,
        dry_run: args.dry_run,
    };
    let applied = migrations::migrate(&mut conn, options)?;
    let sql = if args.sql {
        let pending: Vec<_> = applied.iter().map(|s| s.id.clone()).collect();
        Some(migration_script::script(
            backend,
            &db.display,
            &pending,
            lock_timeout,
        )?)
    } else {
        None
    };
    ctx.output.emit(&MigrateReport {
        database: db.display.clone(),
        backend,
        dry_run: args.dry_run,
        up_to_date: applied.is_empty(),
        applied,
        created,
        sql,
    })?;
    Ok(exit::OK)
}
