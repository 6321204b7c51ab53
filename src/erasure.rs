//! `erase`: one subject's data gone from every store the platform keeps in one database —
//! agentdb's own tables (`store::erase`), LangGraph's savers (`langgraph::erase`) and Store
//! (`langgraph::store`), Google ADK's sessions and memory (`adk::erase`, `adk::memory`).
//!
//! A run is: **plan** (read which threads, sessions and namespaces the subject has, nothing
//! written) → **count** (the plan's deletes in a transaction rolled back: exactly what a run
//! deletes; the dry run and the prompt show this) → **erase** (the same deletes in one
//! transaction, so a killed run leaves everything or nothing and a re-run completes it) →
//! **recheck** (after a wait, plan and erase again what came back: a worker that saved after
//! the erase, langgraph#7206) → **purge** (make the bytes unrecoverable from the database
//! files where the backend allows) → the **receipt**, written only when all that is done. The
//! receipt holds ids and counts, never a message, state or metadata value.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use diesel::connection::SimpleConnection;
use serde::Serialize;

use crate::adk::{self, SessionKey};
use crate::db::MetadataKey;
use crate::db::{AnyConnection, Backend};
use crate::files::Staged;
use crate::langgraph::store::{self as lg_store, Namespace};
use crate::langgraph::{self};
use crate::output::{Report, Text as Out};
use crate::retention::{self, Batches, Tally};
use crate::schema::migrations;
use crate::store::erase::{self as own, ThreadKey};

/// The stores an erase can touch (`--include`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// agentdb's tenants, configs, agents, threads, messages, runs
    Agentdb,
    /// LangGraph's checkpoint savers (checkpoints, blobs, writes)
    Langgraph,
    /// LangGraph's Store (store, store_vectors)
    Store,
    /// Google ADK's sessions, events, user state and SQLite memory
    Adk,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Agentdb => "agentdb",
            Part::Langgraph => "langgraph",
            Part::Store => "store",
            Part::Adk => "adk",
        }
    }
}

/// Whose data goes. Exactly one per run; `Namespaces` when only `--store-namespace` is given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An agentdb thread (in one tenant, or the one tenant holding that id) and the LangGraph
    /// thread of that id.
    Thread {
        id: String,
        tenant: Option<String>,
    },
    /// ADK sessions, state and memory of the user; LangGraph and agentdb threads whose
    /// metadata carries `key` = id.
    User {
        id: String,
        key: MetadataKey,
    },
    /// The tenant with everything agentdb holds for it, and the LangGraph threads of its
    /// threads' ids.
    Tenant {
        id: String,
    },
    Namespaces,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub subject: Subject,
    /// LangGraph Store namespaces erased with everything below them.
    pub namespaces: Vec<Namespace>,
    /// Empty: every store present in the database.
    pub include: BTreeSet<Part>,
}

impl Request {
    fn includes(&self, part: Part) -> bool {
        self.include.is_empty() || self.include.contains(&part)
    }
}

/// What one erase deletes, found before anything is deleted. The deletes are bound to these
/// threads, sessions and namespaces: a run deletes among what was planned (and shown).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    pub agentdb_threads: Vec<ThreadKey>,
    /// The tenant erased whole (`--tenant` alone), when it exists.
    pub tenant: Option<String>,
    pub langgraph_threads: Vec<String>,
    /// The ADK user erased in every app (`--user`).
    #[serde(skip)]
    adk_user: Option<String>,
    pub adk_sessions: Vec<SessionKey>,
    pub store_namespaces: Vec<String>,
    #[serde(skip)]
    namespaces: Vec<Namespace>,
    /// Stores asked for but not present, and other remarks.
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.agentdb_threads.is_empty()
            && self.tenant.is_none()
            && self.langgraph_threads.is_empty()
            && self.adk_sessions.is_empty()
            && self.store_namespaces.is_empty()
            && self.adk_user.is_none()
    }
}

/// Finds what the request erases. Reads only. A subject with nothing anywhere is an empty
/// plan, not an error: a re-run after a completed (or killed) erase ends in the same state.
pub fn plan(conn: &mut AnyConnection, req: &Request) -> Result<Plan> {
    let mut p = Plan::default();
    let agentdb = req.includes(Part::Agentdb) && own::present(conn)?;
    let langgraph = req.includes(Part::Langgraph) && !langgraph::erase::tables(conn)?.is_empty();
    let adk = req.includes(Part::Adk);
    match &req.subject {
        Subject::Thread { id, tenant } => {
            if agentdb {
                p.agentdb_threads = own::threads_with_id(conn, id, tenant.as_deref())?;
                if tenant.is_none() && p.agentdb_threads.len() > 1 {
                    return Err(crate::error::UsageError::new(format!(
                        "agentdb thread {id} exists in {} tenants; name one with --tenant",
                        p.agentdb_threads.len()
                    ))
                    .into());
                }
            }
            if langgraph {
                p.langgraph_threads =
                    langgraph::erase::existing_threads(conn, std::slice::from_ref(id))?;
            }
        }
        Subject::User { id, key } => {
            let mut lg = BTreeSet::new();
            if agentdb {
                p.agentdb_threads = own::threads_of_user(conn, key, id)?;
                lg.extend(p.agentdb_threads.iter().map(|k| k[1].clone()));
            }
            if langgraph {
                lg.extend(langgraph::erase::threads_of_user(conn, key, id)?);
                let ids: Vec<String> = lg.into_iter().collect();
                p.langgraph_threads = langgraph::erase::existing_threads(conn, &ids)?;
            }
            if adk {
                p.adk_sessions = adk::erase::sessions_of_user(conn, id)?;
                p.adk_user = Some(id.clone());
            }
        }
        Subject::Tenant { id } => {
            if agentdb {
                p.agentdb_threads = own::threads_of_tenant(conn, id)?;
                if crate::store::tenants::exists(conn, &crate::store::TenantId::parse(id)?)? {
                    p.tenant = Some(id.clone());
                } else {
                    p.notes
                        .push(format!("tenant {id} does not exist (already erased?)"));
                }
            }
            if langgraph {
                let ids: Vec<String> = p.agentdb_threads.iter().map(|k| k[1].clone()).collect();
                p.langgraph_threads = langgraph::erase::existing_threads(conn, &ids)?;
            }
        }
        Subject::Namespaces => {}
    }
    if req.includes(Part::Agentdb) && !agentdb && req.subject != Subject::Namespaces {
        p.notes
            .push("agentdb's tables are not present: agentdb skipped".into());
    }
    if req.includes(Part::Langgraph) && !langgraph && req.subject != Subject::Namespaces {
        p.notes
            .push("LangGraph's checkpoint tables are not present: savers skipped".into());
    }
    if !req.namespaces.is_empty() {
        if lg_store::present(conn)? {
            let mut prefixes = BTreeSet::new();
            for ns in &req.namespaces {
                prefixes.extend(lg_store::prefixes_in(conn, ns)?);
            }
            p.store_namespaces = prefixes.into_iter().collect();
            p.namespaces = req.namespaces.clone();
        } else {
            p.notes
                .push("LangGraph's Store table is not present: namespaces skipped".into());
        }
    }
    Ok(p)
}

/// The plan's deletes, inside the caller's transaction, counted per store and table.
fn apply(conn: &mut AnyConnection, plan: &Plan, tally: &mut Tally) -> Result<()> {
    match &plan.tenant {
        Some(t) => own::delete_tenant(conn, t, Part::Agentdb.name(), tally)?,
        None => own::delete_threads(conn, &plan.agentdb_threads, Part::Agentdb.name(), tally)?,
    }
    langgraph::erase::delete_threads(conn, &plan.langgraph_threads, Part::Langgraph.name(), tally)?;
    for ns in &plan.namespaces {
        lg_store::delete_namespace(conn, ns, Part::Store.name(), tally)?;
    }
    if let Some(user) = &plan.adk_user {
        adk::erase::delete_user(conn, user, Part::Adk.name(), tally)?;
        adk::memory::delete_user(conn, user, Part::Adk.name(), tally)?;
    }
    Ok(())
}

/// The plan's deletes in one transaction, committed unless `dry_run` (then rolled back: the
/// counts are exactly what a run deletes). `batches` times the transaction and retries it
/// when it loses to a concurrent writer.
pub fn execute(conn: &mut AnyConnection, plan: &Plan, batches: &mut Batches) -> Result<Tally> {
    if plan.is_empty() {
        return Ok(Tally::default());
    }
    batches.run(conn, |c| {
        let mut tally = Tally::default();
        apply(c, plan, &mut tally)?;
        Ok(tally)
    })
}

/// How a run is asked to end.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub dry_run: bool,
    /// Look again after this long and erase what came back.
    pub recheck: Option<Duration>,
    pub purge: bool,
    pub receipt: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct SubjectReport {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata_key: Option<String>,
}

impl SubjectReport {
    fn of(s: &Subject) -> SubjectReport {
        let (kind, id, tenant, key) = match s {
            Subject::Thread { id, tenant } => ("thread", Some(id), tenant.clone(), None),
            Subject::User { id, key } => ("user", Some(id), None, Some(key.as_str().into())),
            Subject::Tenant { id } => ("tenant", Some(id), None, None),
            Subject::Namespaces => ("store-namespace", None, None, None),
        };
        SubjectReport {
            kind,
            id: id.cloned(),
            tenant,
            metadata_key: key,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RecheckReport {
    pub after_seconds: f64,
    /// Rows found again and erased, per store and table (empty: nothing came back).
    pub deleted: BTreeMap<String, BTreeMap<String, i64>>,
    pub total_deleted: i64,
    pub erased: Plan,
}

#[derive(Debug, Serialize)]
pub struct PurgeReport {
    pub done: Vec<String>,
    pub outside_reach: &'static str,
}

const OUTSIDE_REACH: &str = "backups, replicas, WAL archives, logs and copies made by other programs are outside agentdb's reach; erase them by their own retention";

/// The report and receipt. Ids and counts only: no content, state or metadata value.
#[derive(Debug, Serialize)]
pub struct EraseReport {
    pub subject: SubjectReport,
    pub store_namespaces_requested: Vec<Namespace>,
    pub include: Vec<&'static str>,
    pub dry_run: bool,
    /// When the erase committed (dry run: when it was counted), UTC.
    pub at: String,
    pub agentdb_version: &'static str,
    pub database: String,
    pub backend: Backend,
    /// Rows deleted (dry run: that would be), per store and table.
    pub deleted: BTreeMap<String, BTreeMap<String, i64>>,
    pub total_deleted: i64,
    /// The threads, sessions and Store namespaces erased.
    pub erased: Plan,
    pub recheck: Option<RecheckReport>,
    pub purge: Option<PurgeReport>,
    pub notes: Vec<String>,
    pub elapsed_ms: f64,
    pub transactions: u64,
    pub retries: u64,
    pub longest_transaction_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<PathBuf>,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// A one-line summary of counts (for a prompt or a refusal): `store.table n, …`.
pub fn summary(tally: &Tally) -> String {
    let parts: Vec<String> = tally
        .by_policy
        .iter()
        .flat_map(|(part, tables)| {
            tables
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(move |(t, n)| format!("{part}.{t} {n}"))
        })
        .collect();
    if parts.is_empty() {
        "nothing".into()
    } else {
        parts.join(", ")
    }
}

/// Checks before anything is deleted that the receipt can be written: the file must not
/// exist (a receipt is never overwritten), its folder must.
pub fn check_receipt_path(path: &Path) -> Result<PathBuf> {
    let resolved = crate::files::resolve_links(path)?;
    if resolved.exists() {
        return Err(crate::error::UsageError::new(format!(
            "--receipt {}: the file exists; a receipt is never overwritten (choose a new name)",
            path.display()
        ))
        .into());
    }
    Ok(resolved)
}

/// agentdb's own tables are erased only on the schema this agentdb migrates to, as every
/// command writing them requires (`Context::open_migrated`): one behind (migrations pending)
/// may lack a table or column the erase needs, one ahead (versions unknown here) may hold the
/// subject in tables this agentdb does not know, so a "complete" receipt would be false. Both
/// refuse (exit 1) before anything is deleted. A database without agentdb's tables or history
/// (other tools' only) is erased as found.
fn require_agentdb_schema(conn: &mut AnyConnection, database: &str) -> Result<()> {
    let states = migrations::read_states(conn)?;
    let summary = migrations::summarize(&states);
    if summary.applied == 0 && summary.unknown == 0 && !own::present(conn)? {
        return Ok(());
    }
    migrations::require_migrated(conn, database)
        .context("nothing erased: agentdb's tables are erased only on an up-to-date schema (--include langgraph,store,adk leaves them out)")?;
    let unknown = migrations::unknown_versions(&states);
    if !unknown.is_empty() {
        anyhow::bail!(
            "the schema of {database} has migrations this agentdb does not know ({}): a newer agentdb migrated it and may keep the subject in tables this one cannot erase; nothing erased: use that version (or newer) of agentdb (--include langgraph,store,adk leaves agentdb's tables out)",
            unknown.join(", ")
        );
    }
    Ok(())
}

/// An erase whose arguments are checked and whose subjects are found, nothing deleted yet.
pub struct Prepared<'r> {
    req: &'r Request,
    opts: &'r Options,
    receipt: Option<PathBuf>,
    plan: Plan,
    started: Instant,
}

/// Checks what can be checked before anything is deleted (the receipt's path) and finds the
/// subject's threads, sessions and namespaces.
pub fn prepare<'r>(
    conn: &mut AnyConnection,
    database: &str,
    req: &'r Request,
    opts: &'r Options,
) -> Result<Prepared<'r>> {
    let started = Instant::now();
    let receipt = opts
        .receipt
        .as_deref()
        .map(check_receipt_path)
        .transpose()?;
    if req.includes(Part::Agentdb) && req.subject != Subject::Namespaces {
        require_agentdb_schema(conn, database)?;
    }
    Ok(Prepared {
        req,
        opts,
        receipt,
        plan: plan(conn, req)?,
        started,
    })
}

impl Prepared<'_> {
    /// The counts the run will delete, per store and table (the plan's deletes, rolled back),
    /// for a question or a refusal.
    pub fn preview(&self, conn: &mut AnyConnection) -> Result<Tally> {
        execute(conn, &self.plan, &mut Batches::new(true, 1))
    }

    /// Erases (dry run: counts), rechecks, purges and writes the receipt; the report.
    pub fn run(self, conn: &mut AnyConnection, database: &str) -> Result<EraseReport> {
        let (req, opts, plan) = (self.req, self.opts, self.plan);
        let backend = conn.backend();
        let mut batches = Batches::new(opts.dry_run, 1);
        if opts.purge && !opts.dry_run && backend == Backend::Sqlite {
            // Deleted cells are overwritten with zeros as they are deleted (some builds
            // default to off); a connection setting, kept for the rest of the run.
            conn.batch_execute("PRAGMA secure_delete = ON")
                .context("cannot set PRAGMA secure_delete")?;
        }
        let tally = execute(conn, &plan, &mut batches)?;
        let at = humantime::format_rfc3339_micros(SystemTime::now()).to_string();
        let mut notes = plan.notes.clone();
        let recheck = match opts.recheck {
            Some(_) if opts.dry_run => {
                notes.push("--recheck: not run in a dry run".into());
                None
            }
            Some(wait) => {
                std::thread::sleep(wait);
                let again = self::plan(conn, req)?;
                let found = execute(conn, &again, &mut batches)?;
                Some(RecheckReport {
                    after_seconds: wait.as_secs_f64(),
                    deleted: found.by_policy.clone(),
                    total_deleted: found.total(),
                    erased: again,
                })
            }
            None => None,
        };
        let purge = match (opts.purge, opts.dry_run) {
            (true, true) => {
                notes.push("--purge: not run in a dry run".into());
                None
            }
            (true, false) => Some(purge(conn, &tally, recheck.as_ref())?),
            _ => None,
        };
        let include: Vec<&'static str> = if req.include.is_empty() {
            vec!["agentdb", "langgraph", "store", "adk"]
        } else {
            req.include.iter().map(|p| p.name()).collect()
        };
        let report = EraseReport {
            subject: SubjectReport::of(&req.subject),
            store_namespaces_requested: req.namespaces.clone(),
            include,
            dry_run: opts.dry_run,
            at,
            agentdb_version: env!("CARGO_PKG_VERSION"),
            database: database.to_string(),
            backend,
            total_deleted: tally.total(),
            deleted: tally.by_policy,
            erased: plan,
            recheck,
            purge,
            notes,
            elapsed_ms: ms(self.started.elapsed()),
            transactions: batches.transactions,
            retries: batches.retries,
            longest_transaction_ms: ms(batches.longest),
            receipt: self.receipt.clone(),
        };
        if let Some(path) = &self.receipt {
            if !opts.dry_run {
                write_receipt(path, &report)?;
            }
        }
        Ok(report)
    }
}

/// The tables an erase touched (anything counted, even zero rows deleted is skipped).
fn touched(tally: &Tally, recheck: Option<&RecheckReport>) -> BTreeSet<String> {
    let mut t: BTreeSet<String> = tally
        .by_table()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, _)| t)
        .collect();
    if let Some(r) = recheck {
        for tables in r.deleted.values() {
            t.extend(
                tables
                    .iter()
                    .filter(|(_, n)| **n > 0)
                    .map(|(t, _)| t.clone()),
            );
        }
    }
    t
}

/// SQLite: the deletes ran with `secure_delete`; the WAL is checkpointed and truncated (its
/// frames held the old pages), the file rewritten without free pages (`VACUUM`) and the WAL
/// truncated again. PostgreSQL: `VACUUM` of each touched table (dead tuples, their index
/// entries and TOAST), which cannot reach the server's WAL.
fn purge(
    conn: &mut AnyConnection,
    tally: &Tally,
    recheck: Option<&RecheckReport>,
) -> Result<PurgeReport> {
    let mut done = Vec::new();
    match conn.backend() {
        Backend::Sqlite => {
            done.push("PRAGMA secure_delete = ON during the deletes".to_string());
            conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")
                .context("cannot checkpoint the SQLite WAL")?;
            done.push("PRAGMA wal_checkpoint(TRUNCATE)".into());
            let (before, after) = retention::vacuum_sqlite(conn)?;
            done.push(format!(
                "VACUUM ({before} -> {after} bytes), then PRAGMA wal_checkpoint(TRUNCATE)"
            ));
        }
        Backend::Postgres => {
            for table in touched(tally, recheck) {
                conn.batch_execute(&format!("VACUUM \"{table}\""))
                    .with_context(|| format!("VACUUM {table} failed"))?;
                done.push(format!("VACUUM {table}"));
            }
            done.push(
                "PostgreSQL's WAL still holds the deleted rows until its segments are recycled"
                    .into(),
            );
        }
    }
    Ok(PurgeReport {
        done,
        outside_reach: OUTSIDE_REACH,
    })
}

/// The report as the receipt: owner-only, whole or not at all, never over an existing file.
fn write_receipt(path: &Path, report: &EraseReport) -> Result<()> {
    let staged = Staged::file(path, false)?;
    let mut text = serde_json::to_vec_pretty(report).context("cannot render the receipt")?;
    text.push(b'\n');
    std::fs::write(staged.path(), &text)
        .with_context(|| format!("cannot write {}", staged.path().display()))?;
    staged.commit(false).with_context(|| {
        format!(
            "the erase is done but its receipt {} was not written",
            path.display()
        )
    })
}

impl Report for EraseReport {
    fn render(&self, out: &mut Out) {
        let verb = if self.dry_run {
            "Would erase"
        } else {
            "Erased"
        };
        let who = match (&self.subject.id, &self.subject.tenant) {
            (Some(id), Some(t)) => format!("{} {id} (tenant {t})", self.subject.kind),
            (Some(id), None) => format!("{} {id}", self.subject.kind),
            _ => "Store namespaces".into(),
        };
        out.line(format!(
            "{verb} {who}: {} row(s) from {}",
            self.total_deleted, self.database
        ));
        let rows: Vec<Vec<String>> = self
            .deleted
            .iter()
            .flat_map(|(part, tables)| {
                tables
                    .iter()
                    .map(move |(t, n)| vec![part.clone(), t.clone(), n.to_string()])
            })
            .collect();
        out.table(&["store", "table", "rows"], rows);
        let e = &self.erased;
        out.line(format!(
            "agentdb threads {}, LangGraph threads {}, ADK sessions {}, Store namespaces {}",
            e.agentdb_threads.len(),
            e.langgraph_threads.len(),
            e.adk_sessions.len(),
            e.store_namespaces.len()
        ));
        if let Some(r) = &self.recheck {
            out.line(format!(
                "recheck after {} s: {} row(s) came back and were erased",
                r.after_seconds, r.total_deleted
            ));
        }
        if let Some(p) = &self.purge {
            out.line(format!("purge: {}", p.done.join("; ")));
            out.line(format!("note: {}", p.outside_reach));
        }
        for note in &self.notes {
            out.line(format!("note: {note}"));
        }
        if let Some(r) = &self.receipt {
            if !self.dry_run {
                out.line(format!("receipt: {}", r.display()));
            }
        }
        out.line(format!(
            "{} ms, {} transaction(s), longest {} ms",
            self.elapsed_ms, self.transactions, self.longest_transaction_ms
        ));
    }
}
