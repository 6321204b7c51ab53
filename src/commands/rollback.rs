//! `agentdb rollback`: revert the newest applied migrations in one locked transaction.

use anyhow::Result;
use serde::Serialize;

use super::guard::{self, Ask, Words};
use super::render_steps;
use super::{seconds, Context};
use crate::cli::RollbackArgs;
use crate::db::{Access, Backend};
use crate::error::exit;
use crate::output::{Report, Text};
use crate::schema::migrations::{self, RunOptions, Step};

#[derive(Debug, Serialize)]
pub struct RollbackReport {
    pub database: String,
    pub backend: Backend,
    pub dry_run: bool,
    /// Reverted by this run, newest first (with `dry_run`: what would be reverted).
    pub reverted: Vec<Step>,
}

impl Report for RollbackReport {
    fn render(&self, out: &mut Text) {
        if self.reverted.is_empty() {
            out.line(format!("Nothing to roll back ({}).", self.database));
            return;
        }
        let verb = if self.dry_run {
            "Would revert"
        } else {
            "Reverted"
        };
        render_steps(
            out,
            &format!("{verb} {{}} migration(s) on {}:", self.database),
            &self.reverted,
            self.dry_run,
        );
    }
}

pub fn run(ctx: &Context, args: &RollbackArgs) -> Result<u8> {
    // A dry run destroys nothing: it needs no confirmation.
    guard::confirm(ctx, args.yes || args.dry_run, Ask::ProductionOnly, || {
        Ok(Some(Words {
            production: "refusing to roll back: ENV/APP_ENV is production and rollback destroys data; pass --yes to confirm".to_string(),
            ..Words::default()
        }))
    })?;
    let lock_timeout = seconds("--lock-timeout", args.lock_timeout)?;
    let db = ctx.open(Access::writing(args.dry_run))?;
    let mut conn = db.connect()?;
    let backend = conn.backend();
    let options = RunOptions {
        lock_timeout,
        dry_run: args.dry_run,
    };
    let reverted = migrations::rollback(&mut conn, args.steps as usize, options)?;
    ctx.output.emit(&RollbackReport {
        database: db.display.clone(),
        backend,
        dry_run: args.dry_run,
        reverted,
    })?;
    Ok(exit::OK)
}
