//! `agentdb prune`: retention for agentdb's threads and runs, LangGraph checkpoints (both
//! savers) and Google ADK sessions/events, beside the running platform. Every policy lists its
//! candidates with one read, then works through them in short batches (`retention::Batches`),
//! re-checking each candidate inside the batch's transaction. The other tools' tables are
//! known to `crate::langgraph` and `crate::adk`.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context as _, Result};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use serde::Serialize;

use super::{validate_tenant_id, Context};
use crate::adk::{self, SessionKey};
use crate::cli::PruneArgs;
use crate::config::is_production;
use crate::db::{self, Access, AnyConnection, Backend};
use crate::error::{exit, UsageError};
use crate::langgraph::{self, Refusal};
use crate::output::{Report, Text as Out};
use crate::retention::{
    self, execute_with_keys, json_keys, Batches, Cutoff, Lookup, NotATime, Tally,
};
use crate::schema::migrations;

/// Runs that are over: only these are pruned by age.
const FINISHED_RUNS: &str = "('succeeded', 'failed', 'cancelled')";

#[derive(Debug, Serialize)]
pub struct VacuumReport {
    pub size_before_bytes: i64,
    pub size_after_bytes: i64,
    pub freed_bytes: i64,
}

#[derive(Debug, Serialize)]
pub struct PruneReport {
    pub database: String,
    pub backend: Backend,
    pub dry_run: bool,
    /// The policies run, as given.
    pub policies: Vec<String>,
    /// Rows deleted (with `dry_run`: that would be deleted), per policy and table.
    pub deleted: BTreeMap<String, BTreeMap<String, i64>>,
    /// The same, per table over all policies.
    pub totals: BTreeMap<String, i64>,
    /// Rows deleted over every table (`checkpoints (parent cleared)` counts updates, not
    /// deletions, and is not in it).
    pub total_deleted: i64,
    /// LangGraph threads left alone, and why (a warning, not a failure).
    pub refused: Vec<Refusal>,
    /// Policies skipped because the tool's tables are not there, and other remarks.
    pub notes: Vec<String>,
    pub elapsed_ms: f64,
    pub transactions: u64,
    /// Transactions run again after losing to a concurrent writer.
    pub retries: u64,
    pub longest_transaction_ms: f64,
    pub vacuum: Option<VacuumReport>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

impl Report for PruneReport {
    fn render(&self, out: &mut Out) {
        let verb = if self.dry_run {
            "Would delete"
        } else {
            "Deleted"
        };
        out.line(format!(
            "{verb} {} row(s) from {} ({}):",
            self.total_deleted,
            self.database,
            self.policies.join("; ")
        ));
        let rows: Vec<Vec<String>> = self
            .deleted
            .iter()
            .flat_map(|(policy, tables)| {
                tables
                    .iter()
                    .map(move |(table, n)| vec![policy.clone(), table.clone(), n.to_string()])
            })
            .collect();
        out.table(&["policy", "table", "rows"], rows);
        if !self.refused.is_empty() {
            out.line(format!(
                "Refused {} LangGraph thread(s), left untouched:",
                self.refused.len()
            ));
            out.table(
                &["thread", "reason"],
                self.refused
                    .iter()
                    .map(|r| vec![r.thread_id.clone(), r.reason.clone()]),
            );
        }
        for note in &self.notes {
            out.line(format!("note: {note}"));
        }
        out.line(format!(
            "{} ms, {} transaction(s) ({} retried), longest {} ms",
            self.elapsed_ms, self.transactions, self.retries, self.longest_transaction_ms
        ));
        if let Some(v) = &self.vacuum {
            out.line(format!(
                "VACUUM: {} -> {} bytes ({} freed)",
                v.size_before_bytes, v.size_after_bytes, v.freed_bytes
            ));
        }
    }
}

/// The policies asked for, described for the report.
fn describe(args: &PruneArgs) -> Vec<String> {
    let age = |d: &Duration| humantime::format_duration(*d).to_string();
    let mut p = Vec::new();
    if args.threads_older_than.is_some() || args.threads_status.is_some() {
        let mut parts = Vec::new();
        if let Some(s) = args.threads_status {
            parts.push(format!("status {}", s.as_str()));
        }
        if let Some(d) = &args.threads_older_than {
            parts.push(format!("idle over {}", age(d)));
        }
        p.push(format!("threads: {}", parts.join(" and ")));
    }
    if let Some(d) = &args.runs_older_than {
        p.push(format!("runs: finished over {} ago", age(d)));
    }
    if let Some(d) = &args.checkpoint_threads_older_than {
        p.push(format!(
            "checkpoint-threads: newest checkpoint over {}",
            age(d)
        ));
    }
    if let Some(n) = args.checkpoints_keep {
        p.push(format!(
            "checkpoints-keep: newest {n} per thread and namespace"
        ));
    }
    if let Some(d) = &args.adk_sessions_older_than {
        p.push(format!("adk-sessions: updated over {} ago", age(d)));
    }
    if let Some(n) = args.adk_events_keep {
        p.push(format!("adk-events-keep: newest {n} per session"));
    }
    if args.store_expired {
        p.push("store-expired: LangGraph Store items whose TTL has passed".into());
    }
    p
}

fn agentdb_policies(args: &PruneArgs) -> bool {
    args.threads_older_than.is_some()
        || args.threads_status.is_some()
        || args.runs_older_than.is_some()
}

/// What one pass over the policies did (or, dry, would do).
struct Outcome {
    candidates: Candidates,
    tally: Tally,
    refused: Vec<Refusal>,
    notes: Vec<String>,
    batches: Batches,
    elapsed: Duration,
}

/// The instants of one run, taken once before anything is counted: the prompt's preview and
/// the run use the same ones, so the run deletes at most what was shown.
#[derive(Debug, Clone, Copy)]
struct Cutoffs {
    threads: Option<Cutoff>,
    runs: Option<Cutoff>,
    checkpoint_threads: Option<Cutoff>,
    adk_sessions: Option<Cutoff>,
    /// The run's start: keep-N policies rank only what existed then, so a checkpoint or event
    /// written after the preview does not push one more out in this run.
    horizon: Cutoff,
}

impl Cutoffs {
    fn take(args: &PruneArgs) -> Result<Cutoffs> {
        let now = SystemTime::now();
        let cut = |flag: &str, age: Option<Duration>| -> Result<Option<Cutoff>> {
            age.map(|age| {
                Cutoff::before(now, age).map_err(|e| {
                    UsageError::new(format!("{flag} {}: {e}", humantime::format_duration(age)))
                        .into()
                })
            })
            .transpose()
        };
        Ok(Cutoffs {
            threads: cut("--threads-older-than", args.threads_older_than)?,
            runs: cut("--runs-older-than", args.runs_older_than)?,
            checkpoint_threads: cut(
                "--checkpoint-threads-older-than",
                args.checkpoint_threads_older_than,
            )?,
            adk_sessions: cut("--adk-sessions-older-than", args.adk_sessions_older_than)?,
            horizon: cut("(now)", Some(Duration::ZERO))?.expect("given"),
        })
    }
}

pub fn run(ctx: &Context, args: &PruneArgs) -> Result<u8> {
    if let Some(t) = &args.tenant {
        validate_tenant_id(t)?;
        if !agentdb_policies(args) {
            return Err(UsageError::new(
                "--tenant scopes agentdb's threads and runs only; LangGraph and ADK tables have no tenant (drop --tenant or add a thread/run policy)",
            )
            .into());
        }
    }
    let cutoffs = Cutoffs::take(args)?;
    let db = ctx.open(Access::writing(args.dry_run))?;
    let mut conn = db.connect()?;
    if agentdb_policies(args) {
        migrations::require_migrated(&mut conn, &db.display)?;
        if let Some(t) = &args.tenant {
            if !db::tenant_exists(&mut conn, t)? {
                bail!("tenant {t} does not exist");
            }
        }
    }
    if args.checkpoints_keep.is_some() && !args.dry_run {
        ctx.output.info(
            "note: keeping only the newest checkpoints loses time travel and forks to the pruned ones",
        );
    }
    let shown = if !args.dry_run && !args.yes {
        match confirmed(ctx, &mut conn, args, &cutoffs, &db.display)? {
            Confirmation::Declined => {
                ctx.output.info("Nothing deleted.");
                return Ok(exit::FAILED);
            }
            Confirmation::Go(shown) => shown,
        }
    } else {
        None
    };
    let outcome = prune(&mut conn, args, &cutoffs, args.dry_run, shown)?;
    let vacuum = if args.vacuum && !args.dry_run {
        vacuum(ctx, &mut conn)?
    } else {
        None
    };
    let mut notes = outcome.notes;
    if args.vacuum && conn.backend() == Backend::Postgres {
        notes.push(
            "--vacuum applies to SQLite; on PostgreSQL autovacuum makes the space reusable (VACUUM FULL or pg_repack shrink files, under an exclusive lock)".into(),
        );
    }
    ctx.output.emit(&PruneReport {
        database: db.display.clone(),
        backend: conn.backend(),
        dry_run: args.dry_run,
        policies: describe(args),
        totals: outcome.tally.by_table(),
        total_deleted: outcome.tally.total(),
        deleted: outcome.tally.by_policy,
        refused: outcome.refused,
        notes,
        elapsed_ms: ms(outcome.elapsed),
        transactions: outcome.batches.transactions,
        retries: outcome.batches.retries,
        longest_transaction_ms: ms(outcome.batches.longest),
        vacuum,
    })?;
    Ok(exit::OK)
}

enum Confirmation {
    Declined,
    /// Go ahead; with the candidates the preview counted when there was one (the run deletes
    /// among those only).
    Go(Option<Candidates>),
}

/// Without `--yes`: on a terminal, shows what would go and asks; with no terminal in
/// production, refuses (exit 2). A prune that would delete nothing needs no confirmation.
fn confirmed(
    ctx: &Context,
    conn: &mut AnyConnection,
    args: &PruneArgs,
    cutoffs: &Cutoffs,
    display: &str,
) -> Result<Confirmation> {
    let interactive = std::io::stdin().is_terminal();
    if !interactive && !is_production(&ctx.env) {
        return Ok(Confirmation::Go(None));
    }
    let preview = prune(conn, args, cutoffs, true, None)?;
    let total = preview.tally.total();
    if total == 0 {
        return Ok(Confirmation::Go(None));
    }
    let summary = summary(&preview.tally);
    if !interactive {
        return Err(UsageError::new(format!(
            "refusing to prune: ENV/APP_ENV is production, stdin is not a terminal and this would delete {total} row(s) ({summary}); pass --yes to confirm"
        ))
        .into());
    }
    let yes = crate::output::ask(&format!(
        "This deletes {total} row(s) from {display} ({summary}). Continue? [y/N] "
    ))?;
    Ok(if yes {
        Confirmation::Go(Some(preview.candidates))
    } else {
        Confirmation::Declined
    })
}

fn summary(tally: &Tally) -> String {
    tally
        .by_table()
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(t, n)| format!("{t} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Threads, sessions or rows removed by a policy's batches.
fn removed<K>(per_batch: Vec<Vec<K>>) -> Vec<K> {
    per_batch.into_iter().flatten().collect()
}

/// The candidates of every age policy, read (and their times checked) before anything is
/// deleted: a value that is not a time refuses the whole run here.
#[derive(Default, Clone)]
struct Candidates {
    threads: Vec<[String; 2]>,
    runs: Vec<RunRow>,
    /// `None` when LangGraph's tables are not there.
    checkpoint_threads: Option<Vec<String>>,
    /// `None` when ADK's tables are not there.
    adk_sessions: Option<Vec<SessionKey>>,
    langgraph_present: bool,
    adk_present: bool,
    /// `--store-expired`: the expired Store items (empty when the Store is not there).
    store_expired: Vec<langgraph::store::ItemKey>,
}

fn candidates(conn: &mut AnyConnection, args: &PruneArgs, cutoffs: &Cutoffs) -> Result<Candidates> {
    let mut c = Candidates::default();
    if args.threads_older_than.is_some() || args.threads_status.is_some() {
        c.threads = thread_candidates(conn, args, cutoffs.threads)?;
    }
    if let Some(cutoff) = cutoffs.runs {
        c.runs = run_candidates(conn, args, cutoff)?;
    }
    let langgraph_asked =
        args.checkpoint_threads_older_than.is_some() || args.checkpoints_keep.is_some();
    c.langgraph_present = langgraph_asked && langgraph::present(conn)?;
    if let (true, Some(cutoff)) = (c.langgraph_present, cutoffs.checkpoint_threads) {
        let floor = langgraph::uuid6_floor(cutoff.system_time());
        c.checkpoint_threads = Some(langgraph::idle_threads(conn, &floor)?);
    }
    let adk_asked = args.adk_sessions_older_than.is_some() || args.adk_events_keep.is_some();
    c.adk_present = adk_asked && adk::present(conn)?;
    if let (true, Some(cutoff)) = (c.adk_present, cutoffs.adk_sessions) {
        c.adk_sessions = Some(adk::idle_sessions(conn, cutoff)?);
    }
    if args.store_expired {
        c.store_expired = langgraph::store::expired_items(conn)?;
    }
    Ok(c)
}

/// Runs every policy; with `shown`, among the candidates a confirmed preview counted (a row
/// that became one since waits for the next run) instead of reading them again.
fn prune(
    conn: &mut AnyConnection,
    args: &PruneArgs,
    cutoffs: &Cutoffs,
    dry_run: bool,
    shown: Option<Candidates>,
) -> Result<Outcome> {
    let started = Instant::now();
    let mut o = Outcome {
        candidates: Candidates::default(),
        tally: Tally::default(),
        refused: Vec::new(),
        notes: Vec::new(),
        batches: Batches::new(dry_run, args.batch_size as usize),
        elapsed: Duration::ZERO,
    };
    let c = match shown {
        Some(c) => c,
        None => candidates(conn, args, cutoffs)?,
    };
    let deleted_threads = if args.threads_older_than.is_some() || args.threads_status.is_some() {
        prune_threads(conn, args, cutoffs.threads, &c.threads, &mut o)?
    } else {
        HashSet::new()
    };
    if let Some(cutoff) = cutoffs.runs {
        prune_runs(conn, args, cutoff, &c.runs, &deleted_threads, &mut o)?;
    }
    let langgraph_asked =
        args.checkpoint_threads_older_than.is_some() || args.checkpoints_keep.is_some();
    if langgraph_asked && !c.langgraph_present {
        o.notes.push(format!(
            "LangGraph checkpoint tables are not present (checkpoints, {}): checkpoint policies skipped",
            langgraph::writes_table(conn.backend())
        ));
    } else if langgraph_asked {
        let mut gone = HashSet::new();
        if let (Some(cutoff), Some(idle)) = (cutoffs.checkpoint_threads, &c.checkpoint_threads) {
            let floor = langgraph::uuid6_floor(cutoff.system_time());
            let per_batch = o.batches.each_batch(conn, idle, &mut o.tally, |c, b, t| {
                langgraph::delete_idle_threads(c, b, &floor, "checkpoint-threads", t)
            })?;
            gone = removed(per_batch).into_iter().collect();
        }
        if let Some(keep) = args.checkpoints_keep {
            let horizon = langgraph::uuid6_floor(cutoffs.horizon.system_time());
            let over: Vec<String> = langgraph::threads_over(conn, keep)?
                .into_iter()
                .filter(|t| !gone.contains(t))
                .collect();
            let refused = o.batches.each_batch(conn, &over, &mut o.tally, |c, b, t| {
                langgraph::keep_newest(c, b, keep, &horizon, "checkpoints-keep", t)
            })?;
            o.refused.extend(removed(refused));
        }
    }
    let adk_asked = args.adk_sessions_older_than.is_some() || args.adk_events_keep.is_some();
    if adk_asked && !c.adk_present {
        o.notes.push(
            "ADK session tables are not present (sessions, events): ADK policies skipped".into(),
        );
    } else if adk_asked {
        let mut gone: HashSet<SessionKey> = HashSet::new();
        if let (Some(cutoff), Some(idle)) = (cutoffs.adk_sessions, &c.adk_sessions) {
            let per_batch = o.batches.each_batch(conn, idle, &mut o.tally, |c, b, t| {
                adk::delete_idle_sessions(c, b, cutoff, "adk-sessions", t)
            })?;
            gone = removed(per_batch).into_iter().collect();
        }
        if let Some(keep) = args.adk_events_keep {
            let over = adk::sessions_over(conn, keep, &gone)?;
            o.batches.each_batch(conn, &over, &mut o.tally, |c, b, t| {
                adk::keep_newest_events(c, b, keep, cutoffs.horizon, "adk-events-keep", t)
            })?;
        }
    }
    if args.store_expired && !langgraph::store::present(conn)? {
        o.notes
            .push("LangGraph's Store table is not present (store): store-expired skipped".into());
    } else if args.store_expired {
        langgraph::store::delete_expired(
            conn,
            &c.store_expired,
            &mut o.batches,
            "store-expired",
            &mut o.tally,
        )?;
    }
    o.candidates = c;
    o.elapsed = started.elapsed();
    Ok(o)
}

#[derive(QueryableByName)]
struct PairRow {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
}

/// A candidate row of an age policy, or a row whose time is not one (`bad` names the column).
#[derive(QueryableByName)]
struct AgedRow {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
    #[diesel(sql_type = Text)]
    thread_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    bad: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

#[derive(Clone)]
struct RunRow {
    key: [String; 2],
    thread_id: String,
}

/// Refuses the run at the first row whose time is not one.
fn refuse_non_times(table: &str, key: [&str; 2], rows: &[AgedRow]) -> Result<()> {
    if let Some(r) = rows.iter().find(|r| r.bad.is_some()) {
        return Err(NotATime::new(
            table,
            &[(key[0], &r.c0), (key[1], &r.c1)],
            r.bad.as_deref().unwrap_or_default(),
            r.value.as_deref().unwrap_or("NULL"),
            retention::TIME_TEXT,
        )
        .into_error());
    }
    Ok(())
}

/// `AND tenant_id = '…'` for `--tenant` (validated: `[a-z0-9][a-z0-9_-]*`, safe to inline).
fn tenant_clause(args: &PruneArgs) -> String {
    args.tenant
        .as_ref()
        .map(|t| format!(" AND tenant_id = '{t}'"))
        .unwrap_or_default()
}

/// The condition of the threads policy without its age.
fn thread_filter(args: &PruneArgs) -> String {
    let mut condition = vec!["TRUE".to_string()];
    if let Some(status) = args.threads_status {
        condition.push(format!("status = '{}'", status.as_str()));
    }
    format!("{}{}", condition.join(" AND "), tenant_clause(args))
}

/// The threads the policy selects, in key order; refuses the run when a thread's last
/// activity is not a time.
fn thread_candidates(
    conn: &mut AnyConnection,
    args: &PruneArgs,
    cutoff: Option<Cutoff>,
) -> Result<Vec<[String; 2]>> {
    let backend = conn.backend();
    let filter = thread_filter(args);
    let rows: Vec<AgedRow> = match cutoff {
        None => diesel::sql_query(format!(
            "SELECT tenant_id AS c0, id AS c1, id AS thread_id, NULL AS bad, NULL AS value \
             FROM threads WHERE {filter} ORDER BY tenant_id, id"
        ))
        .load(conn),
        Some(cutoff) => diesel::sql_query(format!(
            // Each time is read once per row (the inner query is not flattened).
            "SELECT c0, c1, c1 AS thread_id, \
               CASE WHEN u IS NULL THEN 'updated_at' \
                    WHEN l_raw IS NOT NULL AND l IS NULL THEN 'last_message_at' END AS bad, \
               CASE WHEN u IS NULL THEN {u_shown} WHEN l_raw IS NOT NULL AND l IS NULL THEN {l_shown} END AS value \
             FROM (SELECT tenant_id AS c0, id AS c1, {u} AS u, {l} AS l, \
                     updated_at AS u_raw, last_message_at AS l_raw \
                   FROM threads WHERE {filter}{unflattened}) AS t \
             WHERE u IS NULL OR (l_raw IS NOT NULL AND l IS NULL) \
                OR (CASE WHEN l_raw IS NULL THEN u ELSE {latest} END) < {cut} \
             ORDER BY c0, c1",
            u = backend.instant("updated_at"),
            l = backend.instant("last_message_at"),
            u_shown = backend.shown("u_raw"),
            l_shown = backend.shown("l_raw"),
            unflattened = backend.unflattened(),
            latest = backend.greatest("u", "l"),
            cut = cutoff.sql(backend),
        ))
        .load(conn),
    }
    .context("cannot read agentdb threads")?;
    refuse_non_times("threads", ["tenant_id", "id"], &rows)?;
    Ok(rows.into_iter().map(|r| [r.c0, r.c1]).collect())
}

/// Deletes the candidate threads still selected inside each batch's transaction, with their
/// messages and runs; returns the deleted (tenant, thread) keys.
fn prune_threads(
    conn: &mut AnyConnection,
    args: &PruneArgs,
    cutoff: Option<Cutoff>,
    keys: &[[String; 2]],
    o: &mut Outcome,
) -> Result<HashSet<[String; 2]>> {
    let backend = conn.backend();
    let mut condition = thread_filter(args);
    if let Some(cutoff) = cutoff {
        let last_activity = backend.latest_of("updated_at", "last_message_at");
        condition.push_str(&format!(" AND {last_activity} < {}", cutoff.sql(backend)));
    }
    let per_batch = o
        .batches
        .each_batch(conn, keys, &mut o.tally, |c, batch, tally| {
            let confirmed: Vec<PairRow> = diesel::sql_query(format!(
                "SELECT tenant_id AS c0, id AS c1 FROM threads \
                 WHERE {} AND {condition}",
                backend.keys_in(&["tenant_id", "id"], Lookup::Unique)
            ))
            .bind::<Text, _>(json_keys(batch))
            .load(c)
            .context("cannot re-check agentdb threads")?;
            let confirmed: Vec<[String; 2]> = confirmed.into_iter().map(|r| [r.c0, r.c1]).collect();
            if confirmed.is_empty() {
                return Ok(confirmed);
            }
            let list = json_keys(&confirmed);
            // Children first: counted per table, and nothing relies on the cascade.
            for (table, column, lookup) in [
                ("messages", "thread_id", Lookup::Many),
                ("runs", "thread_id", Lookup::Many),
                ("threads", "id", Lookup::Unique),
            ] {
                let sql = format!(
                    "DELETE FROM {table} WHERE {}",
                    backend.keys_in(&["tenant_id", column], lookup)
                );
                tally.add("threads", table, execute_with_keys(c, &sql, &list)?);
            }
            Ok(confirmed)
        })?;
    Ok(removed(per_batch).into_iter().collect())
}

/// The runs policy's condition without its age.
fn run_filter(args: &PruneArgs) -> String {
    format!("status IN {FINISHED_RUNS}{}", tenant_clause(args))
}

/// Finished agentdb runs older than the cutoff (by finish, else creation time), in key order;
/// refuses the run when that time is not one.
fn run_candidates(
    conn: &mut AnyConnection,
    args: &PruneArgs,
    cutoff: Cutoff,
) -> Result<Vec<RunRow>> {
    let backend = conn.backend();
    let rows: Vec<AgedRow> = diesel::sql_query(format!(
        "SELECT c0, c1, thread_id, \
           CASE WHEN t IS NULL THEN (CASE WHEN f_raw IS NULL THEN 'created_at' ELSE 'finished_at' END) END AS bad, \
           CASE WHEN t IS NOT NULL THEN NULL WHEN f_raw IS NULL THEN {c_shown} ELSE {f_shown} END AS value \
         FROM (SELECT tenant_id AS c0, id AS c1, thread_id, {t} AS t, \
                 finished_at AS f_raw, created_at AS c_raw \
               FROM runs WHERE {filter}{unflattened}) AS r \
         WHERE t IS NULL OR t < {cut} ORDER BY c0, c1",
        t = backend.instant("coalesce(finished_at, created_at)"),
        f_shown = backend.shown("f_raw"),
        c_shown = backend.shown("c_raw"),
        filter = run_filter(args),
        unflattened = backend.unflattened(),
        cut = cutoff.sql(backend),
    ))
    .load(conn)
    .context("cannot read agentdb runs")?;
    refuse_non_times("runs", ["tenant_id", "id"], &rows)?;
    Ok(rows
        .into_iter()
        .map(|r| RunRow {
            key: [r.c0, r.c1],
            thread_id: r.thread_id,
        })
        .collect())
}

/// Deletes the candidate runs still old inside each batch's transaction, except those of
/// threads this run deleted anyway.
fn prune_runs(
    conn: &mut AnyConnection,
    args: &PruneArgs,
    cutoff: Cutoff,
    candidates: &[RunRow],
    deleted_threads: &HashSet<[String; 2]>,
    o: &mut Outcome,
) -> Result<()> {
    let backend = conn.backend();
    let condition = format!(
        "{} AND {} < {}",
        run_filter(args),
        backend.instant("coalesce(finished_at, created_at)"),
        cutoff.sql(backend)
    );
    let keys: Vec<[String; 2]> = candidates
        .iter()
        .filter(|r| !deleted_threads.contains(&[r.key[0].clone(), r.thread_id.clone()]))
        .map(|r| r.key.clone())
        .collect();
    o.batches
        .each_batch(conn, &keys, &mut o.tally, |c, batch, tally| {
            let sql = format!(
                "DELETE FROM runs WHERE {} AND {condition}",
                backend.keys_in(&["tenant_id", "id"], Lookup::Unique)
            );
            tally.add(
                "runs",
                "runs",
                execute_with_keys(c, &sql, &json_keys(batch))?,
            );
            Ok(())
        })?;
    Ok(())
}

/// SQLite: VACUUM (see `retention::vacuum_sqlite`), with what it needs said first.
fn vacuum(ctx: &Context, conn: &mut AnyConnection) -> Result<Option<VacuumReport>> {
    if conn.backend() != Backend::Sqlite {
        return Ok(None);
    }
    ctx.output.info(
        "VACUUM: rewrites the whole file; needs exclusive access (the platform's writers wait) and free disk of the file's size",
    );
    let (before, after) = retention::vacuum_sqlite(conn)?;
    Ok(Some(VacuumReport {
        size_before_bytes: before,
        size_after_bytes: after,
        freed_bytes: before - after,
    }))
}
