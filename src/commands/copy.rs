//! `agentdb copy --from URL --to URL`: a platform's data moved between databases, any
//! direction, verified. The work is done by `crate::copy`; this file opens both ends and
//! reports.

use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use super::copy_layout::{self, DryRunEnds, LayoutSection};
use super::{seconds, validate_tenant_id, Context};
use crate::adk::AdkGroup;
use crate::cli::{CopyArgs, Include};
use crate::config::{self, Resolved, Target};
use crate::copy::{self, Ends, Filter, Group, Request, TableCopy, VerificationFailed};
use crate::db::{self, Access, Backend, Database};
use crate::error::{exit, UsageError};
use crate::files;
use crate::langgraph::LangGraphGroup;
use crate::legacy::LegacyGroup;
use crate::output::{Report, Text};
use crate::server::WaitGoal;
use crate::store::copy::AgentdbGroup;

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
    /// `--layout` copies only: the layout and what the import found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<LayoutSection>,
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
        if let (Some(section), [tenant]) = (&self.layout, self.tenants.as_slice()) {
            section.render(out, tenant);
        }
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

/// The `--include` groups, deduplicated, in copy order (agentdb's tables first: ADK's and
/// LangGraph's have no foreign keys to them, and the order is the report's).
pub fn include_order(include: &[Include]) -> Vec<Include> {
    let mut groups = include.to_vec();
    groups.sort();
    groups.dedup();
    groups
}

/// The copy groups `--include` names. `allow_older_source`: `backup` copies a source whose
/// agentdb schema is behind this agentdb (taken before `migrate`); `copy` refuses one.
pub fn groups(include: &[Include], allow_older_source: bool) -> Vec<Box<dyn Group>> {
    include
        .iter()
        .map(|group| -> Box<dyn Group> {
            match group {
                Include::Agentdb => Box::new(AgentdbGroup::new(allow_older_source)),
                Include::Adk => Box::new(AdkGroup),
                Include::Langgraph => Box::new(LangGraphGroup),
            }
        })
        .collect()
}

/// A database named by a `--from`/`--to` flag: copy uses only these, never `-d`/`DATABASE_URL`.
/// The context's database is `--to`, parsed once by `commands::run` with this.
pub fn resolve_url(flag: &str, url: &str) -> Result<Resolved, UsageError> {
    Resolved::from_flag(flag, url)
}

/// Opens a database named by a `--from`/`--to` flag.
fn open_flag(ctx: &Context, flag: &str, resolved: &Resolved, access: Access) -> Result<Database> {
    for param in &resolved.dropped_params {
        ctx.output.debug(format!(
            "{flag}: dropped URL parameter `{param}`: it is for the Python driver, not libpq"
        ));
    }
    Database::open(resolved, &ctx.settings, access)
}

/// The global `--wait SECS` for a copy: until `--from` and then `--to` answer, within one
/// deadline. A SQLite `--to` that does not exist yet counts as ready once its folder exists.
pub fn wait_for_ends(ctx: &Context, secs: f64, from: &Resolved) -> Result<()> {
    let deadline = std::time::Instant::now() + seconds("--wait", secs)?;
    for resolved in [from, &ctx.resolved] {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        super::wait::wait_for_database(ctx, resolved, left, WaitGoal::Database)?;
    }
    Ok(())
}

/// The same database under two spellings: refused before anything is opened for writing.
fn same_database_error(what: &str) -> anyhow::Error {
    UsageError::new(format!(
        "--from and --to name the same database ({what}): copy into another database"
    ))
    .into()
}

/// `from`: `--from`, parsed once by the caller (`commands::dispatch`).
pub fn run(ctx: &Context, args: &CopyArgs, from: Resolved) -> Result<u8> {
    let started = Instant::now();
    for tenant in &args.tenant {
        validate_tenant_id(tenant)?;
    }
    let layout = copy_layout::options(args)?;
    // A layout's rows all go to agentdb's tables; `--include` does not apply.
    let include = match layout {
        Some(_) => Vec::new(),
        None => include_order(&args.include),
    };
    if !args.tenant.is_empty() && include.iter().any(|g| *g != Include::Agentdb) {
        return Err(UsageError::new(
            "--tenant applies to agentdb's tables only: ADK's and LangGraph's tables have no tenant; copy them without --tenant",
        )
        .into());
    }
    let to = &ctx.resolved;
    if include.contains(&Include::Langgraph)
        && matches!(from.target, Target::Postgres(_))
        && matches!(to.target, Target::Sqlite(_))
    {
        return Err(UsageError::new(
            "--include langgraph: PostgreSQL → SQLite is not supported (see README, \"copy\"): PostgresSaver's JSON checkpoints cannot be turned back into SqliteSaver's msgpack without guessing",
        )
        .into());
    }
    if from.target == to.target {
        return Err(same_database_error("the same URL"));
    }
    if db::same_sqlite_file(&from.target, &to.target) {
        return Err(same_database_error("one file"));
    }
    if matches!(to.target, Target::Sqlite(config::SqliteLocation::Memory)) {
        return Err(
            UsageError::new("--to: an in-memory database would vanish with the copy").into(),
        );
    }
    let request = Request {
        filter: Filter {
            tenants: args.tenant.clone(),
        },
        lock_timeout: seconds("--lock-timeout", args.lock_timeout)?,
    };
    let source_db = open_flag(ctx, "--from", &from, Access::ReadOnly)?;
    let mut source = source_db.connect()?;
    if let (Some((layout, options)), true) = (&layout, args.dry_run) {
        let ends = DryRunEnds {
            source: &mut source,
            source_name: &source_db.display,
            target_name: to.target.redacted(),
            target_backend: to.target.backend(),
            started,
        };
        return copy_layout::dry_run(ctx, *layout, options, ends);
    }
    // A target that connecting creates nothing in (a server's database) is connected to here:
    // enough to recognise the source's own database under another URL before anything is
    // written. A SQLite target is opened only after every refusal.
    let mut early_target = None;
    if to.target.connecting_creates_nothing() {
        let target_db = open_flag(ctx, "--to", to, Access::Create)?;
        let mut target = target_db.connect()?;
        if source.database_identity()? == target.database_identity()? {
            return Err(same_database_error("one server and database"));
        }
        early_target = Some((target_db, target));
    }
    // Every refusal that depends on the source comes before a SQLite target is created.
    let (groups, import) = match layout {
        Some((layout, options)) => {
            let (group, import) = LegacyGroup::new(layout, options);
            (
                vec![Box::new(group) as Box<dyn Group>],
                Some((layout, import)),
            )
        }
        None => (groups(&include, false), None),
    };
    let plan = copy::plan(
        &mut source,
        &source_db.display,
        groups,
        &request,
        to.target.backend(),
    )?;
    if let Some((_, import)) = &import {
        copy_layout::debug_extra_columns(ctx, &import.borrow().findings);
    }
    // A new SQLite file is built under a temporary name and appears only whole (files.rs).
    let mut staged = None;
    let (target_db, mut target) = match early_target {
        Some(opened) => opened,
        None => {
            staged = files::stage_new_sqlite(&to.target)?;
            let target_db = match &staged {
                Some((_, temp)) => {
                    let resolved = Resolved::internal(temp.clone());
                    let mut db = Database::open(&resolved, &ctx.settings, Access::Create)?;
                    db.display = to.target.redacted();
                    db
                }
                None => open_flag(ctx, "--to", to, Access::Create)?,
            };
            let target = target_db.connect()?;
            (target_db, target)
        }
    };
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
        layout: None,
    };
    let ends = Ends {
        source: &mut source,
        source_name: &source_db.display,
        target: &mut target,
        target_name: &target_db.display,
    };
    let mut result = copy::execute(plan, ends, &request, &ctx.output);
    // Both ends closed first: the last connection to a SQLite file checkpoints its -wal.
    drop((source, target, target_db));
    if let (Ok(_), Some((staged, _))) = (&result, staged) {
        if let Err(e) = staged.commit(false) {
            result = Err(e);
        }
    }
    report.duration_ms = started.elapsed().as_millis();
    report.layout = import.map(|(layout, import)| LayoutSection {
        name: layout,
        import: import.take(),
    });
    match result {
        Ok(outcome) => {
            report.rows = copy::rows_copied(&outcome.tables);
            report.migrations_applied = outcome.migrations_applied;
            report.tables = outcome.tables;
            report.verified = true;
            ctx.output.emit(&report)?;
            Ok(exit::OK)
        }
        Err(e) => match e.downcast::<VerificationFailed>() {
            Ok(failed) => {
                crate::output::stderr_line(format_args!("error: {failed}"));
                report.rows = copy::rows_copied(&failed.0);
                report.tables = failed.0;
                ctx.output.emit(&report)?;
                Ok(exit::FAILED)
            }
            Err(e) => Err(e),
        },
    }
}
