//! `agentdb prune`: retention for agentdb's threads and runs, LangGraph checkpoints (both
//! savers) and Google ADK sessions/events, beside the running platform. Every policy lists its
//! candidates with one read, then works through them in short batches (`retention::Batches`),
//! re-checking each candidate inside the batch's transaction. The tables are known to
//! `crate::store::prune` (agentdb's own), `crate::langgraph` and `crate::adk`.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use serde::Serialize;

use super::guard::{self, Ask, Verdict, Words};
use super::Context;
use crate::adk::{self, SessionKey};
use crate::cli::PruneArgs;
use crate::db::{Access, AnyConnection, Backend};
use crate::error::{exit, UsageError};
use crate::langgraph::{self, Refusal};
use crate::output::{Report, Text as Out};
use crate::retention::{self, ms, Batches, Cutoff, Tally, TransactionSummary};
use crate::store::prune::{RunRow, Scope};
use crate::store::tenants::{self, MissingHint};
use crate::store::{self, TenantId};

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
    /// Every transaction's duration, per phase (policy step) and per statement, and the
    /// slowest one's statements (`docs/performance.md#what-prunes-transaction-report-says`).
    pub transaction_times: TransactionSummary,
    /// `-v`: the text form shows the transaction times per phase and the slowest's steps.
    #[serde(skip)]
    pub verbose: bool,
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
        if self.verbose {
            render_times(&self.transaction_times, out);
        }
        if let Some(v) = &self.vacuum {
            out.line(format!(
                "VACUUM: {} -> {} bytes ({} freed)",
                v.size_before_bytes, v.size_after_bytes, v.freed_bytes
            ));
        }
    }
}

/// `-v`: p50/p99/max per phase, then the slowest transaction's steps.
fn render_times(times: &TransactionSummary, out: &mut Out) {
    let row = |name: &str, s: &retention::Spread| {
        vec![
            name.to_string(),
            s.count.to_string(),
            s.p50_ms.to_string(),
            s.p99_ms.to_string(),
            s.max_ms.to_string(),
        ]
    };
    out.line(format!(
        "Transactions: p50 {} ms, p99 {} ms, max {} ms; COMMIT {} of {} ms",
        times.p50_ms, times.p99_ms, times.max_ms, times.commit_ms_total, times.total_ms
    ));
    out.table(
        &["phase", "transactions", "p50 ms", "p99 ms", "max ms"],
        times.by_phase.iter().map(|(p, s)| row(p, s)),
    );
    let beside = &times.beside_writers;
    if beside.transactions > 0 {
        out.line(format!(
            "Other connections were writing: {} transaction(s) at the polite pace; paused {} ms in all",
            beside.transactions, beside.pause_ms_total
        ));
    }
    if let Some(slowest) = &times.slowest {
        out.line(format!(
            "Slowest transaction: {} ms, {} ({} key(s)):",
            slowest.ms, slowest.phase, slowest.keys
        ));
        out.table(
            &["step", "ms"],
            slowest
                .steps
                .iter()
                .map(|s| vec![s.step.clone(), s.ms.to_string()]),
        );
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
    let tenant = args.tenant.as_deref().map(TenantId::parse).transpose()?;
    if tenant.is_some() && !agentdb_policies(args) {
        return Err(UsageError::new(
            "--tenant scopes agentdb's threads and runs only; LangGraph and ADK tables have no tenant (drop --tenant or add a thread/run policy)",
        )
        .into());
    }
    let cutoffs = Cutoffs::take(args)?;
    let access = Access::writing(args.dry_run);
    // Only the agentdb policies need agentdb's schema; LangGraph's and ADK's alone do not.
    let (db, mut conn) = if agentdb_policies(args) {
        let (db, mut conn) = ctx.open_migrated(access)?;
        if let Some(t) = &tenant {
            tenants::require(&mut conn, t, MissingHint::Plain)?;
        }
        (db, conn)
    } else {
        let db = ctx.open(access)?;
        let conn = db.connect()?;
        (db, conn)
    };
    if args.checkpoints_keep.is_some() && !args.dry_run {
        ctx.output.info(
            "note: keeping only the newest checkpoints loses time travel and forks to the pruned ones",
        );
    }
    let shown = if !args.dry_run && !args.yes {
        match confirmed(ctx, &mut conn, args, tenant.as_ref(), &cutoffs, &db.display)? {
            Confirmation::Declined => {
                ctx.output.info("Nothing deleted.");
                return Ok(exit::FAILED);
            }
            Confirmation::Go(shown) => shown,
        }
    } else {
        None
    };
    let outcome = prune(
        &mut conn,
        args,
        tenant.as_ref(),
        &cutoffs,
        args.dry_run,
        shown,
    )?;
    let vacuum = if args.vacuum && !args.dry_run {
        vacuum(ctx, &mut conn)?
    } else {
        None
    };
    let mut notes = outcome.notes;
    if args.vacuum && !conn.backend().vacuum_shrinks_file() {
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
        transaction_times: outcome.batches.times.summary(),
        verbose: ctx.output.verbose > 0,
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
    tenant: Option<&TenantId>,
    cutoffs: &Cutoffs,
    display: &str,
) -> Result<Confirmation> {
    let mut shown = None;
    let verdict = guard::confirm(ctx, false, Ask::WhereItMatters, || {
        let preview = prune(conn, args, tenant, cutoffs, true, None)?;
        let total = preview.tally.total();
        if total == 0 {
            return Ok(None);
        }
        let summary = summary(&preview.tally);
        shown = Some(preview.candidates);
        Ok(Some(Words {
            production: format!(
                "refusing to prune: ENV/APP_ENV is production, stdin is not a terminal and this would delete {total} row(s) ({summary}); pass --yes to confirm"
            ),
            question: format!(
                "This deletes {total} row(s) from {display} ({summary}). Continue? [y/N] "
            ),
            ..Words::default()
        }))
    })?;
    Ok(match verdict {
        Verdict::Go => Confirmation::Go(shown),
        Verdict::Declined => Confirmation::Declined,
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

/// Which of agentdb's rows the thread and run policies look at.
fn scope<'a>(args: &PruneArgs, tenant: Option<&'a TenantId>) -> Scope<'a> {
    Scope {
        tenant,
        thread_status: args.threads_status.map(|s| s.as_str()),
    }
}

fn candidates(
    conn: &mut AnyConnection,
    args: &PruneArgs,
    tenant: Option<&TenantId>,
    cutoffs: &Cutoffs,
) -> Result<Candidates> {
    let mut c = Candidates::default();
    if args.threads_older_than.is_some() || args.threads_status.is_some() {
        c.threads = store::prune::thread_candidates(conn, scope(args, tenant), cutoffs.threads)?;
    }
    if let Some(cutoff) = cutoffs.runs {
        c.runs = store::prune::run_candidates(conn, scope(args, tenant), cutoff)?;
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
    tenant: Option<&TenantId>,
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
        None => candidates(conn, args, tenant, cutoffs)?,
    };
    let deleted_threads = if args.threads_older_than.is_some() || args.threads_status.is_some() {
        store::prune::prune_threads(
            conn,
            scope(args, tenant),
            cutoffs.threads,
            &c.threads,
            &mut o.batches,
            &mut o.tally,
        )?
    } else {
        HashSet::new()
    };
    if let Some(cutoff) = cutoffs.runs {
        store::prune::prune_runs(
            conn,
            scope(args, tenant),
            cutoff,
            &c.runs,
            &deleted_threads,
            &mut o.batches,
            &mut o.tally,
        )?;
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
            let batches = o.batches.in_phase("checkpoint-threads");
            let per_batch = batches.each_batch(conn, idle, &mut o.tally, |c, b, t| {
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
            let batches = o.batches.in_phase("checkpoints-keep");
            let refused = batches.each_batch(conn, &over, &mut o.tally, |c, b, t| {
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
            let batches = o.batches.in_phase("adk-sessions");
            let per_batch = batches.each_batch(conn, idle, &mut o.tally, |c, b, t| {
                adk::delete_idle_sessions(c, b, cutoff, "adk-sessions", t)
            })?;
            gone = removed(per_batch).into_iter().collect();
        }
        if let Some(keep) = args.adk_events_keep {
            let over = adk::sessions_over(conn, keep, &gone)?;
            let batches = o.batches.in_phase("adk-events-keep");
            batches.each_batch(conn, &over, &mut o.tally, |c, b, t| {
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

/// SQLite: VACUUM (see `retention::vacuum_sqlite`), with what it needs said first.
fn vacuum(ctx: &Context, conn: &mut AnyConnection) -> Result<Option<VacuumReport>> {
    if !conn.backend().vacuum_shrinks_file() {
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
