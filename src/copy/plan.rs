//! A copy from start to end: the data groups (`Group`) plan their tables from the source
//! alone, then the target is checked, prepared and written in one transaction under the schema
//! lock, and verified before commit. Which groups take part is the caller's choice (`copy`'s
//! `--include`); this module knows none of them by name.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use diesel::connection::SimpleConnection;
use serde::Serialize;

use super::engine::{
    copy_steps, count_rows, in_source_snapshot, refuse_non_empty, refuse_unstorable, Filter,
    Progress, Step, TableCopy, VerificationFailed,
};
use super::spec::TableSpec;
use crate::db::{self, AnyConnection, Backend};
use crate::output::Output;

/// One data set a copy can move (agentdb's tables, ADK's, LangGraph's, a legacy layout), with
/// everything the engine needs to know about it. The steps a group plans may read its own
/// tables as they are (`Step::plain`) or map rows of differently-shaped source tables into a
/// target `TableSpec` (any `RowSource`); each spec carries its own COPY (`TableSpec::copy_in`).
pub trait Group {
    /// The name `--include` and the report use.
    fn name(&self) -> &'static str;

    /// Every refusal that depends on the source alone, then the table steps in foreign-key
    /// order. Runs before the target is opened, created or migrated.
    fn plan(
        &mut self,
        source: &mut AnyConnection,
        source_name: &str,
        target: Backend,
        filter: &Filter,
    ) -> Result<Vec<Step<'static>>>;

    /// Outside the copy transaction, once no source check can refuse the copy: schema the
    /// group's tables need that is migrated under its own lock (agentdb's migrations, up to
    /// the source's version). Returns the number of migrations applied.
    fn migrate_target(
        &self,
        _target: &mut AnyConnection,
        _target_name: &str,
        _lock_timeout: Duration,
    ) -> Result<usize> {
        Ok(0)
    }

    /// Inside the copy transaction, before the emptiness check: the DDL of the group's tables
    /// where they are missing (ADK's, the savers').
    fn prepare_target(&self, _target: &mut AnyConnection, _target_name: &str) -> Result<()> {
        Ok(())
    }

    /// Inside the copy transaction, after every table is verified: checks beyond per-table
    /// counts and digests (LangGraph's thread heads), reported as extra entries.
    fn verify(
        &self,
        _source: &mut AnyConnection,
        _target: &mut AnyConnection,
    ) -> Result<Vec<TableCopy>> {
        Ok(Vec::new())
    }
}

/// Which rows to copy, and how long to wait for the target's schema lock.
#[derive(Debug, Clone)]
pub struct Request {
    pub filter: Filter,
    pub lock_timeout: Duration,
}

/// What a copy did.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    /// agentdb migrations applied to the target first.
    pub migrations_applied: usize,
    pub tables: Vec<TableCopy>,
}

/// Both ends of a copy, with the names errors use (passwords redacted).
pub struct Ends<'a> {
    pub source: &'a mut AnyConnection,
    pub source_name: &'a str,
    pub target: &'a mut AnyConnection,
    pub target_name: &'a str,
}

/// What a copy will do, decided from the source alone (see `plan`).
pub struct Plan {
    groups: Vec<Box<dyn Group>>,
    steps: Vec<Step<'static>>,
}

/// Checks the source and decides the tables to copy, group by group in the order given: every
/// refusal that depends on the source alone happens here, before the target is opened,
/// created or migrated, so a refused copy leaves nothing behind.
pub fn plan(
    source: &mut AnyConnection,
    source_name: &str,
    mut groups: Vec<Box<dyn Group>>,
    request: &Request,
    target_backend: Backend,
) -> Result<Plan> {
    let mut steps = Vec::new();
    for group in groups.iter_mut() {
        steps.extend(group.plan(source, source_name, target_backend, &request.filter)?);
    }
    Ok(Plan { groups, steps })
}

/// The whole copy: `plan`, then `execute`.
pub fn run(
    ends: Ends<'_>,
    groups: Vec<Box<dyn Group>>,
    request: &Request,
    output: &Output,
) -> Result<Outcome> {
    let target_backend = ends.target.backend();
    let plan = plan(
        ends.source,
        ends.source_name,
        groups,
        request,
        target_backend,
    )?;
    execute(plan, ends, request, output)
}

/// Carries out a plan: the target checked for rows, migrated (to the source's schema version)
/// once nothing in the source can refuse the copy, then every row in one target transaction
/// under the schema lock, verified before commit.
pub fn execute(plan: Plan, ends: Ends<'_>, request: &Request, output: &Output) -> Result<Outcome> {
    let Ends {
        source,
        source_name: _,
        target,
        target_name,
    } = ends;
    let Plan { groups, mut steps } = plan;
    let filter = &request.filter;
    let source_backend = source.backend();
    // Before the target is migrated: a refused copy should not have migrated someone's database.
    refuse_non_empty_existing(target, &steps, filter, target_name)?;
    // The source is read once, in key order: SQLite's large page cache (64 MB on agentdb's
    // connections) would only make the copy's memory grow with the data.
    if source_backend == Backend::Sqlite {
        source
            .batch_execute("PRAGMA cache_size = -2048")
            .context("cannot configure the SQLite source")?;
    }
    let (migrations_applied, tables) = in_source_snapshot(source, |source| {
        let plain: Vec<&TableSpec> = steps.iter().filter_map(|s| s.plain_source).collect();
        if target.backend() == Backend::Postgres {
            refuse_unstorable(source, &plain, filter)?;
        }
        let mut migrations_applied = 0;
        for group in &groups {
            migrations_applied +=
                group.migrate_target(target, target_name, request.lock_timeout)?;
        }
        let mut total = 0;
        for spec in &plain {
            total += count_rows(source, spec, filter)?;
        }
        let progress = Progress::new(
            output.progress_bar(total.max(0) as u64, 1000, " rows"),
            *output,
        );
        let result = target.schema_locked_transaction(request.lock_timeout, |target| {
            for group in &groups {
                group.prepare_target(target, target_name)?;
            }
            let specs: Vec<&TableSpec> = steps.iter().map(|s| s.target).collect();
            refuse_non_empty(target, &specs, filter, target_name)?;
            let mut results = copy_steps(source, target, &mut steps, filter, &progress)?;
            for group in &groups {
                results.extend(group.verify(source, target)?);
            }
            if results.iter().any(|r| !r.verified) {
                return Err(VerificationFailed(results).into());
            }
            Ok(results)
        });
        progress.finish();
        result.map(|tables| (migrations_applied, tables))
    })?;
    Ok(Outcome {
        migrations_applied,
        tables,
    })
}

/// The emptiness check before the target is migrated, for the tables it already has: a
/// refused copy should not have migrated someone's database first.
fn refuse_non_empty_existing(
    target: &mut AnyConnection,
    steps: &[Step<'_>],
    filter: &Filter,
    target_name: &str,
) -> Result<()> {
    let mut existing = Vec::new();
    let mut foreign = Vec::new();
    for step in steps {
        if target.table_exists(step.target.name)? {
            let missing = db::missing_columns(target, step.target.name, step.target.key)?;
            if missing.is_empty() {
                existing.push(step.target);
            } else {
                foreign.push(format!(
                    "{} (no column {})",
                    step.target.name,
                    missing.join(", ")
                ));
            }
        }
    }
    if !foreign.is_empty() {
        bail!(
            "the target {target_name} already has table(s) {} of another shape than the ones copied into them: they belong to another application sharing that database; no rows were copied\nhint: copy into a database of its own (a new SQLite file, or `agentdb -d postgres://…/NEW database create`)",
            foreign.join("; ")
        );
    }
    refuse_non_empty(target, &existing, filter, target_name)
}
