//! `agentdb wait` and the global `--wait SECS`: until the database answers a query.

use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use super::{seconds, Context};
use crate::cli::{Command, DatabaseAction, WaitArgs};
use crate::config::Resolved;
use crate::error::exit;
use crate::output::{Report, Text};
use crate::server::{self, WaitGoal, Waited};

#[derive(Debug, Serialize)]
pub struct WaitReport {
    pub database: String,
    pub backend: &'static str,
    pub ready: bool,
    pub attempts: u32,
    pub elapsed_ms: f64,
}

impl Report for WaitReport {
    fn render(&self, out: &mut Text) {
        out.line(format!(
            "{} is ready ({} attempt(s), {:.0} ms).",
            self.database, self.attempts, self.elapsed_ms
        ));
    }
}

pub fn run(ctx: &Context, args: &WaitArgs) -> Result<u8> {
    let waited = wait_for(ctx, "--timeout", args.timeout, WaitGoal::Database)?;
    ctx.output.emit(&WaitReport {
        database: ctx.resolved.target.redacted(),
        backend: ctx.resolved.target.backend_name(),
        ready: true,
        attempts: waited.attempts,
        elapsed_ms: (waited.elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
    })?;
    Ok(exit::OK)
}

/// Waits up to `secs` (from `flag`), one line per retry on stderr with `-v`.
pub fn wait_for(ctx: &Context, flag: &str, secs: f64, goal: WaitGoal) -> Result<Waited> {
    let timeout = seconds(flag, secs)?;
    wait_for_database(ctx, &ctx.resolved, timeout, goal)
}

/// `wait_for` on a database other than the configured one (copy's `--from` and `--to`).
pub fn wait_for_database(
    ctx: &Context,
    resolved: &Resolved,
    timeout: Duration,
    goal: WaitGoal,
) -> Result<Waited> {
    let waited = server::wait_until_ready(
        resolved,
        &ctx.settings,
        goal,
        timeout,
        |attempt, reason, delay| {
            ctx.output.debug(format!(
                "wait: attempt {attempt} not ready ({}); retrying in {} ms",
                reason.lines().next().unwrap_or_default().trim(),
                delay.as_millis()
            ))
        },
    )?;
    ctx.output.debug(format!(
        "wait: {} ready after {} attempt(s), {} ms",
        resolved.target.redacted(),
        waited.attempts,
        waited.elapsed.as_millis()
    ));
    Ok(waited)
}

/// The global `--wait`: commands that create or remove the database wait for the server
/// only (their database may not exist yet); every other command waits for its database.
pub fn goal_for(command: &Command) -> WaitGoal {
    match command {
        Command::Database(args) => match args.action {
            DatabaseAction::Create | DatabaseAction::Drop(_) | DatabaseAction::Reset(_) => {
                WaitGoal::Server
            }
        },
        Command::Migrate(args) if args.create => WaitGoal::Server,
        _ => WaitGoal::Database,
    }
}
