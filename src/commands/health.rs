//! `agentdb health`: a readiness probe. Every check has a status (ok / warn / fail) and a
//! detail; the whole command never takes longer than `--timeout`, even when the server
//! accepts a connection and then says nothing.

use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use serde::Serialize;

use super::{seconds, Context};
use crate::cli::HealthArgs;
use crate::config::{Resolved, Settings};
use crate::db::{self, Access, BackendProbe, Database};
use crate::error::exit;
use crate::output::{Report, Text};
use crate::schema::migrations::{self, StateSummary};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct HealthReport {
    pub database: String,
    pub backend: &'static str,
    /// The worst status of all checks.
    pub status: Status,
    /// True unless a check failed (warnings are healthy).
    pub healthy: bool,
    /// Migration counts, or `null` where the schema could not be read.
    pub schema: Option<StateSummary>,
    pub checks: Vec<Check>,
    pub elapsed_ms: f64,
}

impl Report for HealthReport {
    fn render(&self, out: &mut Text) {
        out.table(
            &["check", "status", "detail"],
            self.checks.iter().map(|c| {
                let detail = match c.latency_ms {
                    Some(ms) => format!("{} ({ms:.1} ms)", c.detail),
                    None => c.detail.clone(),
                };
                vec![c.name.to_string(), c.status.as_str().to_string(), detail]
            }),
        );
        out.line(format!("{}: {}", self.database, self.status.as_str()));
    }
}

/// Checks gathered so far; shared with the caller so a timeout still reports them.
#[derive(Default)]
struct Findings {
    checks: Vec<Check>,
    schema: Option<StateSummary>,
    /// The one deadline (`--timeout`): what the checks find after it is not reported, so a
    /// slower inner timer (the pool's, libpq's) can never speak instead of the flag's.
    deadline: Option<Instant>,
    /// A check ended after the deadline (and was left out).
    late: bool,
}

type Shared = Arc<Mutex<Findings>>;

fn record(
    shared: &Shared,
    name: &'static str,
    status: Status,
    detail: impl Into<String>,
    latency: Option<Duration>,
) {
    let mut findings = shared.lock().expect("findings lock");
    if findings.deadline.is_some_and(|d| Instant::now() >= d) {
        findings.late = true;
        return;
    }
    findings.checks.push(Check {
        name,
        status,
        detail: detail.into(),
        latency_ms: latency.map(|d| (d.as_secs_f64() * 10_000.0).round() / 10.0),
    });
}

pub fn run(ctx: &Context, args: &HealthArgs) -> Result<u8> {
    let timeout = seconds("--timeout", args.timeout)?;
    let started = Instant::now();
    let mut settings = ctx.settings.clone();
    // The inner timers end after the deadline, so only the deadline reports a timeout.
    settings.pool_timeout = timeout + INNER_TIMER_MARGIN;
    settings.busy_timeout = settings.busy_timeout.min(timeout);
    let shared: Shared = Arc::new(Mutex::new(Findings {
        deadline: Some(started + timeout),
        ..Findings::default()
    }));
    let (done_tx, done_rx) = mpsc::channel();
    {
        let shared = shared.clone();
        let resolved = ctx.resolved.clone();
        // The checks run on their own thread: a server that accepts and never answers can
        // block a driver call, but not this command past its timeout.
        std::thread::spawn(move || {
            run_checks(&resolved, &settings, &shared);
            let _ = done_tx.send(());
        });
    }
    let answered = done_rx
        .recv_timeout(timeout.saturating_sub(started.elapsed()))
        .is_ok();
    let mut findings = std::mem::take(&mut *shared.lock().expect("findings lock"));
    if !answered || findings.late {
        findings.checks.push(Check {
            name: "timeout",
            status: Status::Fail,
            detail: format!(
                "no answer within {}s (--timeout); stopped waiting",
                timeout.as_secs_f64()
            ),
            latency_ms: None,
        });
    }
    let status = findings
        .checks
        .iter()
        .map(|c| c.status)
        .max()
        .unwrap_or(Status::Fail);
    let pending = findings.schema.as_ref().map(|s| s.pending + s.unknown > 0);
    let report = HealthReport {
        database: ctx.resolved.target.redacted(),
        backend: ctx.resolved.target.backend_name(),
        healthy: status != Status::Fail,
        status,
        schema: findings.schema,
        checks: findings.checks,
        elapsed_ms: (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0,
    };
    ctx.output.emit(&report)?;
    Ok(if !report.healthy {
        exit::FAILED
    } else if args.require_migrated && pending != Some(false) {
        exit::CHECK
    } else {
        exit::OK
    })
}

/// How much later than `--timeout` the pool and libpq give up on a connection.
const INNER_TIMER_MARGIN: Duration = Duration::from_secs(1);

fn run_checks(resolved: &Resolved, settings: &Settings, shared: &Shared) {
    let started = Instant::now();
    let db = match Database::open(resolved, settings, Access::ReadOnly) {
        Ok(db) => db,
        Err(e) => return record(shared, "connect", Status::Fail, format!("{e:#}"), None),
    };
    let mut conn = match db.connect() {
        Ok(c) => c,
        Err(e) => return record(shared, "connect", Status::Fail, format!("{e:#}"), None),
    };
    record(
        shared,
        "connect",
        Status::Ok,
        "connected",
        Some(started.elapsed()),
    );

    match db::server_version(&mut conn) {
        Ok(v) => record(shared, "server_version", Status::Ok, v, None),
        Err(e) => record(
            shared,
            "server_version",
            Status::Fail,
            format!("{e:#}"),
            None,
        ),
    }
    let t = Instant::now();
    match db::round_trip(&mut conn) {
        Ok(()) => record(
            shared,
            "round_trip",
            Status::Ok,
            db::ROUND_TRIP_SQL,
            Some(t.elapsed()),
        ),
        Err(e) => record(shared, "round_trip", Status::Fail, e.to_string(), None),
    }
    // Read once: the drift check compares against these same states (a second read was a
    // second round trip on every probe).
    let states = migrations::read_states(&mut conn);
    match &states {
        Ok(states) => {
            let states = states.as_slice();
            let s = migrations::summarize(states);
            let (status, detail) = if s.unknown > 0 {
                (
                    Status::Warn,
                    format!(
                        "{} applied, {} unknown to this agentdb (newer schema)",
                        s.applied, s.unknown
                    ),
                )
            } else if s.pending > 0 {
                (
                    Status::Warn,
                    format!(
                        "{} applied, {} pending: run `agentdb migrate`",
                        s.applied, s.pending
                    ),
                )
            } else {
                (Status::Ok, format!("{} applied, up to date", s.applied))
            };
            record(shared, "schema", status, detail, None);
            shared.lock().expect("findings lock").schema = Some(s);
        }
        Err(e) => record(shared, "schema", Status::Fail, format!("{e:#}"), None),
    }
    record_drift(shared, &mut conn, states.as_deref().ok());
    match db::probe(&mut conn, &db.target) {
        Ok(probe) => record_probe(shared, probe),
        Err(e) => record(shared, "backend", Status::Fail, format!("{e:#}"), None),
    }
}

/// `schema_drift`: the live schema of agentdb's tables against the applied migrations; a
/// difference (or a schema that cannot be verified) warns, it never makes the probe fail.
fn record_drift(
    shared: &Shared,
    conn: &mut db::AnyConnection,
    states: Option<&[migrations::MigrationState]>,
) {
    let drift = match states {
        Some(states) => crate::schema::drift::verify_with_states(conn, states),
        None => crate::schema::drift::verify(conn),
    };
    let (status, detail) = match drift {
        Ok(drift) if drift.differences.is_empty() => (
            Status::Ok,
            format!("{} tables match the migrations", drift.tables.len()),
        ),
        Ok(drift) => {
            let listed: Vec<String> = drift
                .differences
                .iter()
                .map(|d| format!("{} {} {}", d.table, d.object, d.name))
                .collect();
            (
                Status::Warn,
                format!(
                    "{} difference(s) from the migrations ({}): see `agentdb status --verify`",
                    drift.differences.len(),
                    listed.join("; ")
                ),
            )
        }
        Err(e) => (Status::Warn, format!("could not verify: {e:#}")),
    };
    record(shared, "schema_drift", status, detail, None);
}

fn record_probe(shared: &Shared, probe: BackendProbe) {
    match probe {
        BackendProbe::Sqlite {
            quick_check,
            journal_mode,
            writable,
        } => {
            let ok = quick_check == "ok";
            record(
                shared,
                "integrity",
                if ok { Status::Ok } else { Status::Fail },
                format!("quick_check: {quick_check}"),
                None,
            );
            let wal = journal_mode == "wal" || journal_mode == "memory";
            record(
                shared,
                "journal_mode",
                if wal { Status::Ok } else { Status::Warn },
                journal_mode,
                None,
            );
            // A file that only reads work on (a read-only mount, a backup) is a warning: what
            // reads it is fine, what writes it will fail.
            let (status, detail) = match writable {
                Ok(detail) => (Status::Ok, detail),
                Err(detail) => (Status::Warn, detail),
            };
            record(shared, "writable", status, detail, None);
        }
        BackendProbe::Postgres {
            in_recovery,
            connections,
            max_connections,
        } => {
            if in_recovery {
                record(
                    shared,
                    "role",
                    Status::Warn,
                    "read-only replica (in recovery): writes will fail",
                    None,
                );
            } else {
                record(shared, "role", Status::Ok, "primary", None);
            }
            let used = connections as f64 / max_connections.max(1) as f64;
            let status = if used >= 0.8 {
                Status::Warn
            } else {
                Status::Ok
            };
            record(
                shared,
                "connections",
                status,
                format!(
                    "{connections} of {max_connections} in use ({:.0}%)",
                    used * 100.0
                ),
                None,
            );
        }
    }
}
