//! `agentdb copy --from URL --to URL`: a platform's data moved between databases, any
//! direction, verified. The work is done by `crate::copy`; this file opens both ends and
//! reports.

use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use super::{seconds, validate_tenant_id, Context};
use crate::cli::{CopyArgs, Include};
use crate::config::{self, Resolved, Source, Target};
use crate::copy::{self, Ends, Filter, Request, TableCopy, VerificationFailed};
use crate::db::{Access, Backend, Database};
use crate::error::{exit, UsageError};
use crate::files;
use crate::output::{Report, Text};

#[derive(Debug, Serialize)]
pub struct CopyReport {
    pub from: String,
    pub from_backend: Backend,
    pub to: String,
    pub to_backend: Backend,
    pub include: Vec<Include>,
    /// Empty: every tenant.
    pub tenants: Vec<String>,
    pub migrations_applied: usize,
    pub tables: Vec<TableCopy>,
    pub rows: u64,
    /// Every table's row count and digest equal on both sides (else the target was rolled back).
    pub verified: bool,
    pub duration_ms: u128,
}

impl Report for CopyReport {
    fn render(&self, out: &mut Text) {
        if self.verified {
            out.line(format!(
                "Copied {} rows from {} to {} (verified).",
                self.rows, self.from, self.to
            ));
        } else {
            out.line(format!(
                "Copy from {} to {} FAILED verification: the target was rolled back.",
                self.from, self.to
            ));
        }
        render_tables(out, &self.tables);
    }
}

/// The per-table verification table, shared with `backup`.
pub fn render_tables(out: &mut Text, tables: &[TableCopy]) {
    out.table(
        &[
            "group",
            "table",
            "source rows",
            "target rows",
            "digest",
            "verified",
        ],
        tables.iter().map(|t| {
            let digest = if t.verified {
                t.source_digest[..12].to_string()
            } else {
                format!("{} ≠ {}", &t.source_digest[..12], &t.target_digest[..12])
            };
            vec![
                t.group.to_string(),
                t.table.to_string(),
                t.source_rows.to_string(),
                t.target_rows.to_string(),
                digest,
                if t.verified { "yes" } else { "NO" }.to_string(),
            ]
        }),
    );
}

/// Opens a database named by a `--from`/`--to` flag.
pub fn open_url(ctx: &Context, flag: &str, url: &str, access: Access) -> Result<Database> {
    let parsed = config::parse_database_url_full(url)
        .map_err(|e| UsageError::new(format!("{flag}: {e}")))?;
    for param in &parsed.dropped_params {
        ctx.output.debug(format!(
            "{flag}: dropped URL parameter `{param}`: it is for the Python driver, not libpq"
        ));
    }
    let resolved = Resolved {
        target: parsed.target,
        source: Source::Flag,
        dropped_params: parsed.dropped_params,
    };
    Database::open(&resolved, &ctx.settings, access)
}

pub fn run(ctx: &Context, args: &CopyArgs) -> Result<u8> {
    let started = Instant::now();
    for tenant in &args.tenant {
        validate_tenant_id(tenant)?;
    }
    let include = copy::supported_include(&args.include)?;
    if !args.tenant.is_empty() && include.iter().any(|g| *g != Include::Agentdb) {
        return Err(UsageError::new(
            "--tenant applies to agentdb's tables only: ADK's and LangGraph's tables have no tenant; copy them without --tenant",
        )
        .into());
    }
    let from = config::parse_database_url(&args.from)
        .map_err(|e| UsageError::new(format!("--from: {e}")))?;
    let to =
        config::parse_database_url(&args.to).map_err(|e| UsageError::new(format!("--to: {e}")))?;
    if include.contains(&Include::Langgraph)
        && matches!(from, Target::Postgres(_))
        && matches!(to, Target::Sqlite(_))
    {
        return Err(UsageError::new(
            "--include langgraph: PostgreSQL → SQLite is not supported (see README, \"copy\"): PostgresSaver's JSON checkpoints cannot be turned back into SqliteSaver's msgpack without guessing",
        )
        .into());
    }
    if from == to {
        return Err(UsageError::new("--from and --to name the same database").into());
    }
    if matches!(to, Target::Sqlite(config::SqliteLocation::Memory)) {
        return Err(
            UsageError::new("--to: an in-memory database would vanish with the copy").into(),
        );
    }
    let request = Request {
        include: include.clone(),
        filter: Filter {
            tenants: args.tenant.clone(),
        },
        lock_timeout: seconds("--lock-timeout", args.lock_timeout)?,
        allow_older_source: false,
    };
    let source_db = open_url(ctx, "--from", &args.from, Access::ReadOnly)?;
    // A new SQLite file is built under a temporary name and appears only whole (files.rs).
    let staged = files::stage_new_sqlite(&to)?;
    let target_db = match &staged {
        Some((_, temp)) => {
            let resolved = Resolved {
                target: temp.clone(),
                source: Source::Flag,
                dropped_params: Vec::new(),
            };
            let mut db = Database::open(&resolved, &ctx.settings, Access::Create)?;
            db.display = to.redacted();
            db
        }
        None => open_url(ctx, "--to", &args.to, Access::Create)?,
    };
    let mut source = source_db.connect()?;
    let mut target = target_db.connect()?;
    let mut report = CopyReport {
        from: source_db.display.clone(),
        from_backend: source.backend(),
        to: target_db.display.clone(),
        to_backend: target.backend(),
        include,
        tenants: args.tenant.clone(),
        migrations_applied: 0,
        tables: Vec::new(),
        rows: 0,
        verified: false,
        duration_ms: 0,
    };
    let ends = Ends {
        source: &mut source,
        source_name: &source_db.display,
        target: &mut target,
        target_name: &target_db.display,
    };
    let mut result = copy::run(ends, &request, &ctx.output);
    // Both ends closed first: the last connection to a SQLite file checkpoints its -wal.
    drop((source, target, target_db));
    if let (Ok(_), Some((staged, _))) = (&result, staged) {
        if let Err(e) = staged.commit(false) {
            result = Err(e);
        }
    }
    report.duration_ms = started.elapsed().as_millis();
    match result {
        Ok(outcome) => {
            report.rows = outcome.tables.iter().map(|t| t.source_rows).sum();
            report.migrations_applied = outcome.migrations_applied;
            report.tables = outcome.tables;
            report.verified = true;
            ctx.output.emit(&report)?;
            Ok(exit::OK)
        }
        Err(e) => match e.downcast::<VerificationFailed>() {
            Ok(failed) => {
                crate::output::stderr_line(format_args!("error: {failed}"));
                report.rows = failed.0.iter().map(|t| t.source_rows).sum();
                report.tables = failed.0;
                ctx.output.emit(&report)?;
                Ok(exit::FAILED)
            }
            Err(e) => Err(e),
        },
    }
}
