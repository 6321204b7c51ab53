//! What every retention policy of `agentdb prune` shares: age cut-offs, short transactions
//! that are retried when a concurrent writer wins, key lists bound as one JSON parameter, and
//! the tally of what was deleted. The tables themselves are known to `store::prune`
//! (agentdb's own), `langgraph` and `adk`.

use std::collections::BTreeMap;
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Serialize;

use crate::db::{AnyConnection, Backend};
// The spellings retention's statements use live with the other backend spellings in
// `db::dialect`; these names stay reachable here.
pub use crate::db::dialect::{sqlite_julian, Lookup};

/// A row of three text key columns `c0, c1, c2`: an ADK session's or a LangGraph
/// checkpoint's key, as the prunes read them.
#[derive(QueryableByName)]
pub struct KeyRow3 {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
    #[diesel(sql_type = Text)]
    c2: String,
}

impl KeyRow3 {
    pub fn into_key(self) -> [String; 3] {
        [self.c0, self.c1, self.c2]
    }
}

/// A point in time before which rows count as old: whole milliseconds since 1970-01-01 UTC,
/// taken once per run (`Cutoff::before`) so that the preview, the prompt and the run agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoff {
    ms: u64,
}

impl Cutoff {
    /// `now - age`, truncated to the millisecond; an error naming the limit when that is before
    /// 1970-01-01 (no row agentdb, LangGraph or ADK writes is older).
    pub fn before(now: SystemTime, age: Duration) -> Result<Cutoff, String> {
        let since_epoch = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_err(|_| "the system clock is before 1970-01-01".to_string())?;
        let at = since_epoch.checked_sub(age).ok_or_else(|| {
            format!(
                "reaches before 1970-01-01, older than any row can be; the longest age now is {}d",
                since_epoch.as_secs() / 86_400
            )
        })?;
        Ok(Cutoff {
            ms: at.as_millis() as u64,
        })
    }

    pub fn system_time(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(self.ms)
    }

    /// UTC as `YYYY-MM-DDTHH:MM:SS.fffZ`, the text agentdb's SQLite schema stores.
    pub fn rfc3339(&self) -> String {
        humantime::format_rfc3339_millis(self.system_time()).to_string()
    }

    /// Seconds since the Unix epoch (ADK's `SqliteSessionService` stores REAL epochs).
    pub fn epoch_secs(&self) -> f64 {
        self.ms as f64 / 1000.0
    }

    /// The cut-off as an SQL value comparable with `Backend::instant`: PostgreSQL
    /// `timestamptz`, SQLite the julian day (computed by SQLite itself, once per statement, so
    /// equal instants compare equal).
    pub fn sql(&self, backend: Backend) -> String {
        match backend {
            Backend::Postgres => format!("'{}'::timestamptz", self.rfc3339()),
            Backend::Sqlite => format!("julianday('{}')", self.rfc3339()),
        }
    }
}

/// A row whose time column holds something that is not a time: prune refuses the whole run
/// (before anything is deleted) rather than guess its age.
#[derive(Debug, Clone)]
pub struct NotATime {
    pub table: String,
    /// The row's key, as `column=value` pairs.
    pub key: String,
    pub column: String,
    pub value: String,
    /// What a time looks like there.
    pub expected: &'static str,
}

/// What agentdb reads as a time in a text column.
pub const TIME_TEXT: &str = "ISO-8601 text such as 2026-12-03T14:36:00.123Z, 2026-12-03 14:36:00.123456 or 2026-12-03 14:36:00+02:00";

impl NotATime {
    pub fn new(
        table: &str,
        key: &[(&str, &str)],
        column: &str,
        value: &str,
        expected: &'static str,
    ) -> NotATime {
        let value: String = if value.chars().count() > 60 {
            format!("{}…", value.chars().take(60).collect::<String>())
        } else {
            value.to_string()
        };
        NotATime {
            table: table.to_string(),
            key: key
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            column: column.to_string(),
            value,
            expected,
        }
    }

    /// The refusal, with what to do.
    pub fn into_error(self) -> anyhow::Error {
        anyhow::anyhow!(
            "refusing to prune, nothing deleted: {} row ({}) has {} = {}, which is not a time \
             (expected {}); correct or delete that row, then run prune again",
            self.table,
            self.key,
            self.column,
            self.value,
            self.expected
        )
    }
}

/// A batch of composite keys as the JSON text `json_rows` reads.
pub fn json_keys<K: AsRef<[String]>>(keys: &[K]) -> String {
    let rows: Vec<&[String]> = keys.iter().map(|k| k.as_ref()).collect();
    serde_json::to_string(&rows).expect("strings serialize")
}

/// Runs `sql` (with one JSON key-list parameter, `$1`) and returns the affected row count.
pub fn execute_with_keys(conn: &mut AnyConnection, sql: &str, keys: &str) -> Result<i64> {
    let n = diesel::sql_query(sql)
        .bind::<Text, _>(keys)
        .execute(conn)
        .with_context(|| format!("statement failed: {sql}"))?;
    Ok(n as i64)
}

/// The label of rows a policy updates rather than deletes (kept checkpoints whose parent
/// went): reported beside the deletions, never counted as deleted.
pub const PARENTS_CLEARED: &str = "checkpoints (parent cleared)";

/// Rows deleted, per policy and table. A batch's own tally (fresh per attempt) also times
/// the statements of its transaction, which `Batches` records once the transaction ended.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Tally {
    /// `policy -> table -> rows`.
    pub by_policy: BTreeMap<String, BTreeMap<String, i64>>,
    /// The steps of this tally's transaction, in order, with how long each took.
    #[serde(skip)]
    steps: Vec<(&'static str, Duration)>,
}

impl Tally {
    /// Runs one step of the transaction (a statement, or the planning between statements),
    /// timing it as `step` for prune's per-transaction report.
    pub fn step<T>(&mut self, step: &'static str, run: impl FnOnce() -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let value = run();
        self.steps.push((step, started.elapsed()));
        value
    }

    pub fn add(&mut self, policy: &str, table: &str, rows: i64) {
        *self
            .by_policy
            .entry(policy.to_string())
            .or_default()
            .entry(table.to_string())
            .or_insert(0) += rows;
    }

    /// `table -> rows` over every policy.
    pub fn by_table(&self) -> BTreeMap<String, i64> {
        let mut totals = BTreeMap::new();
        for tables in self.by_policy.values() {
            for (table, rows) in tables {
                *totals.entry(table.clone()).or_insert(0) += rows;
            }
        }
        totals
    }

    pub fn merge(&mut self, other: Tally) {
        for (policy, tables) in other.by_policy {
            for (table, rows) in tables {
                self.add(&policy, &table, rows);
            }
        }
    }

    /// Rows deleted over every policy and table.
    pub fn total(&self) -> i64 {
        self.by_table()
            .iter()
            .filter(|(table, _)| table.as_str() != PARENTS_CLEARED)
            .map(|(_, n)| n)
            .sum()
    }
}

/// How many times a transaction that lost to a concurrent writer is run again.
const MAX_ATTEMPTS: u32 = 8;

/// What one transaction should take: a quarter of the 200 ms a running platform's writers should ever
/// wait for, leaving room for the slower batch.
const TARGET: Duration = Duration::from_millis(50);

/// How long prune keeps to its polite pace after it last saw another connection commit: one
/// quiet batch is no sign the platform stopped, and flapping between paces would hand the
/// writers a full-length batch every other time.
const WRITERS_GONE_AFTER: Duration = Duration::from_secs(1);

/// Quiet pace, SQLite: after each batch the write lock stays free for this share of the batch's
/// time. A platform writer that found the lock taken waits in SQLite's busy handler, which
/// sleeps and tries again (after 1, 2, 5, 10, 15, 20, 25 ms … up to 100 ms); a prune that begins
/// its next batch within a millisecond of COMMIT leaves it almost no moment to get in (writers
/// waited seconds beside a prune), nor a moment in which prune could notice it
/// (docs/performance.md, "Prune at scale", "Writers beside prune"). PostgreSQL needs no pause
/// to notice writers: its counter (`Backend::commit_counter_sql`) moves while prune's own
/// transaction runs.
const SQLITE_QUIET_PAUSE_DIVISOR: u32 = 4;

/// Polite pace, once another connection committed lately (a platform writer is active):
/// batches of this length, each followed by a pause this many times as long, so that the
/// database is the writers' most of the time. Measured with 4 real-saver writers beside a
/// prune (docs/performance.md, "Prune at scale", "Writers beside prune"):
/// - SQLite has one write lock; a writer that finds it taken retries after 1, then 3, 8, 18 ms.
///   Batches of 2 ms let those first retries in: writers' p99 1.8× their p99 alone, against
///   2.0× at 3 ms (pause 4×) and 7.4× at 10 ms (pause 1×).
/// - PostgreSQL's writers wait on no lock of prune's, but share its CPU and WAL: 5 ms with a
///   pause 3× as long gave 1.3×, against 2.2× at 10 ms (pause 1×).
fn polite_pace(backend: Backend) -> (Duration, u32) {
    match backend {
        Backend::Sqlite => (Duration::from_millis(2), 8),
        Backend::Postgres => (Duration::from_millis(5), 3),
    }
}

/// The first batch's size, before any transaction was timed.
const FIRST_BATCH: usize = 10;

/// Runs each batch in its own short transaction: PostgreSQL `REPEATABLE READ` (one snapshot;
/// what a running graph saves meanwhile is neither seen nor deleted), SQLite `BEGIN IMMEDIATE`
/// (the write lock first, so the transaction never has to upgrade a read lock). A batch that
/// loses to a concurrent writer (serialization failure, deadlock, busy) is rolled back and run
/// again. In a dry run every batch is rolled back: the counts are exactly what would go.
/// Batches are sized by time: each holds as many keys as fit in `TARGET` judging by the last
/// one, at most `max_batch`. Every transaction that ended is timed, step by step (`times`).
pub struct Batches {
    pub dry_run: bool,
    pub transactions: u64,
    pub retries: u64,
    /// The longest transaction that ended (a retried attempt is not one).
    pub longest: Duration,
    /// Every transaction that ended, by phase and step.
    pub times: TransactionTimes,
    /// The policy step the next transactions belong to (`in_phase`).
    phase: &'static str,
    max_batch: usize,
    size: usize,
    last: Duration,
    /// The backend's commit counter right after the last batch ended.
    counter_after_last: Option<i64>,
    /// When another connection was last seen to have committed.
    writers_seen: Option<Instant>,
}

impl Batches {
    pub fn new(dry_run: bool, max_batch: usize) -> Batches {
        let max_batch = max_batch.max(1);
        Batches {
            dry_run,
            transactions: 0,
            retries: 0,
            longest: Duration::ZERO,
            times: TransactionTimes::default(),
            phase: "transaction",
            max_batch,
            size: FIRST_BATCH.min(max_batch),
            last: Duration::ZERO,
            counter_after_last: None,
            writers_seen: None,
        }
    }

    /// Names the phase (the policy step) the following transactions are reported under.
    pub fn in_phase(&mut self, phase: &'static str) -> &mut Batches {
        self.phase = phase;
        self
    }

    /// Works through `keys` one batch per transaction. `batch` gets a fresh tally per attempt,
    /// merged into `tally` only once its transaction ended, so a retried batch counts once.
    pub fn each_batch<K, R>(
        &mut self,
        conn: &mut AnyConnection,
        keys: &[K],
        tally: &mut Tally,
        mut batch: impl FnMut(&mut AnyConnection, &[K], &mut Tally) -> Result<R>,
    ) -> Result<Vec<R>> {
        let mut results = Vec::new();
        let mut done = 0;
        while done < keys.len() {
            let chunk = &keys[done..(done + self.size).min(keys.len())];
            results
                .push(self.transaction(conn, chunk.len(), tally, |c, part| batch(c, chunk, part))?);
            done += chunk.len();
            let target = self.target(conn.backend());
            self.size = next_size(chunk.len(), self.last, target, self.max_batch);
        }
        Ok(results)
    }

    /// Whether another connection committed within `WRITERS_GONE_AFTER`.
    fn writers_active(&self) -> bool {
        self.writers_seen
            .is_some_and(|t| t.elapsed() < WRITERS_GONE_AFTER)
    }

    /// What a batch should take: `TARGET`, or the polite pace's while writers are active.
    fn target(&self, backend: Backend) -> Duration {
        if self.writers_active() {
            polite_pace(backend).0
        } else {
            TARGET
        }
    }

    /// Reads the backend's commit counter; when it moved since the last batch ended by more
    /// than prune's own commit, another connection committed: writers are active.
    fn notice_writers(&mut self, conn: &mut AnyConnection) -> Result<()> {
        let backend = conn.backend();
        let now = crate::db::count(conn, backend.commit_counter_sql())
            .context("cannot read the database's commit counter")?;
        if let Some(before) = self.counter_after_last {
            if now - before > backend.own_commits_counted() {
                self.writers_seen = Some(Instant::now());
            }
        }
        self.counter_after_last = Some(now);
        Ok(())
    }

    /// After a batch: notices writers, then leaves the database to them for a while — while
    /// they are active the polite pace's multiple of the batch's time (`polite_pace`),
    /// otherwise (SQLite only) a quarter of it (`SQLITE_QUIET_PAUSE_DIVISOR`).
    fn yield_to_writers(&mut self, conn: &mut AnyConnection) -> Result<()> {
        self.notice_writers(conn)?;
        let backend = conn.backend();
        let polite = self.writers_active();
        let pause = if polite {
            self.last * polite_pace(backend).1
        } else if backend == Backend::Sqlite {
            self.last / SQLITE_QUIET_PAUSE_DIVISOR
        } else {
            Duration::ZERO
        };
        self.times.paused(polite, pause);
        thread::sleep(pause);
        Ok(())
    }

    /// One transaction whose statements are not timed one by one (only its end is).
    pub fn run<T>(
        &mut self,
        conn: &mut AnyConnection,
        mut batch: impl FnMut(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        self.transaction(conn, 0, &mut Tally::default(), |c, _| batch(c))
    }

    /// One transaction over `keys` keys: `batch` gets a fresh tally per attempt (timing its
    /// steps), merged into `tally` once the transaction ended.
    pub fn transaction<T>(
        &mut self,
        conn: &mut AnyConnection,
        keys: usize,
        tally: &mut Tally,
        mut batch: impl FnMut(&mut AnyConnection, &mut Tally) -> Result<T>,
    ) -> Result<T> {
        let begin = match conn.backend() {
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ",
            Backend::Sqlite => "BEGIN IMMEDIATE",
        };
        let (end, end_step) = if self.dry_run {
            ("ROLLBACK", "rollback")
        } else {
            ("COMMIT", "commit")
        };
        if conn.backend() == Backend::Sqlite && self.transactions == 0 {
            // Committing would otherwise checkpoint the WAL inside our timing, and the WAL
            // grows with large deletes; `checkpoint_wal` does it after each batch instead.
            conn.batch_execute("PRAGMA wal_autocheckpoint = 0")
                .context("cannot configure SQLite WAL checkpoints")?;
        }
        let mut attempt = 1;
        loop {
            let mut part = Tally::default();
            let outcome = conn
                .batch_execute(begin)
                .context("cannot begin a transaction")
                .and_then(|()| {
                    let started = Instant::now();
                    let value = match batch(conn, &mut part) {
                        Ok(v) => match part.step(end_step, || Ok(conn.batch_execute(end)?)) {
                            Ok(()) => Ok(v),
                            Err(e) => {
                                // A SQLite COMMIT that failed (busy) leaves the transaction
                                // open; end it so a retry can begin anew.
                                let _ = conn.batch_execute("ROLLBACK");
                                Err(e.context(format!("{end} failed")))
                            }
                        },
                        Err(e) => {
                            let _ = conn.batch_execute("ROLLBACK");
                            Err(e)
                        }
                    };
                    self.last = started.elapsed();
                    value
                });
            match outcome {
                Ok(v) => {
                    self.transactions += 1;
                    let steps = std::mem::take(&mut part.steps);
                    self.times.record(self.phase, keys, self.last, steps);
                    // As `times` keeps it, so that the report's longest is its max.
                    self.longest = self.longest.max(whole_micros(self.last));
                    tally.merge(part);
                    checkpoint_wal(conn)?;
                    self.yield_to_writers(conn)?;
                    return Ok(v);
                }
                Err(e) if attempt < MAX_ATTEMPTS && lost_to_concurrent_writer(&e) => {
                    self.retries += 1;
                    thread::sleep(Duration::from_millis(10 << attempt.min(6)));
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Durations kept as whole microseconds: 4 bytes each, so 10 M checkpoints' ~100,000
/// transactions cost a few MB however many phases and steps they have.
fn micros(d: Duration) -> u32 {
    d.as_micros().min(u32::MAX as u128) as u32
}

fn whole_micros(d: Duration) -> Duration {
    Duration::from_micros(micros(d) as u64)
}

/// Milliseconds rounded to 0.1, as prune's and erase's reports show them.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// The slowest transaction so far, with its steps (the only per-transaction list kept).
#[derive(Debug, Clone)]
struct Slowest {
    phase: &'static str,
    took: Duration,
    keys: usize,
    steps: Vec<(&'static str, Duration)>,
}

/// How long the transactions of a run took: every transaction's duration overall, per phase
/// and per step, and the slowest one's steps.
#[derive(Debug, Default, Clone)]
pub struct TransactionTimes {
    all: Vec<u32>,
    by_phase: BTreeMap<&'static str, Vec<u32>>,
    by_step: BTreeMap<&'static str, Vec<u32>>,
    /// COMMIT (ROLLBACK in a dry run) over every transaction.
    end_total: Duration,
    total: Duration,
    slowest: Option<Slowest>,
    /// Transactions after which prune paused at the polite pace (writers were active).
    polite: u64,
    /// Time left to other connections between transactions, in all.
    paused: Duration,
}

impl TransactionTimes {
    pub fn record(
        &mut self,
        phase: &'static str,
        keys: usize,
        took: Duration,
        steps: Vec<(&'static str, Duration)>,
    ) {
        self.all.push(micros(took));
        self.total += took;
        self.by_phase.entry(phase).or_default().push(micros(took));
        for (step, d) in &steps {
            self.by_step.entry(step).or_default().push(micros(*d));
            if matches!(*step, "commit" | "rollback") {
                self.end_total += *d;
            }
        }
        let took = whole_micros(took);
        if self.slowest.as_ref().is_none_or(|s| took > s.took) {
            self.slowest = Some(Slowest {
                phase,
                took,
                keys,
                steps,
            });
        }
    }

    /// A pause after a transaction; `polite`: at the pace for active writers.
    pub fn paused(&mut self, polite: bool, pause: Duration) {
        self.polite += u64::from(polite);
        self.paused += pause;
    }

    /// The report: nearest-rank percentiles, milliseconds rounded to 0.1.
    pub fn summary(&self) -> TransactionSummary {
        let spread = |list: &BTreeMap<&'static str, Vec<u32>>| {
            list.iter()
                .map(|(k, v)| (k.to_string(), Spread::of(v)))
                .collect()
        };
        let all = Spread::of(&self.all);
        TransactionSummary {
            count: all.count,
            p50_ms: all.p50_ms,
            p99_ms: all.p99_ms,
            max_ms: all.max_ms,
            commit_ms_total: ms(self.end_total),
            total_ms: ms(self.total),
            by_phase: spread(&self.by_phase),
            by_step: spread(&self.by_step),
            beside_writers: BesideWriters {
                transactions: self.polite,
                pause_ms_total: ms(self.paused),
            },
            slowest: self.slowest.as_ref().map(|s| SlowestReport {
                phase: s.phase.to_string(),
                ms: ms(s.took),
                keys: s.keys,
                steps: s
                    .steps
                    .iter()
                    .map(|(step, d)| StepReport {
                        step: step.to_string(),
                        ms: ms(*d),
                    })
                    .collect(),
            }),
        }
    }
}

/// Count and nearest-rank p50/p99/max of a list of durations.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Spread {
    fn of(micros: &[u32]) -> Spread {
        let mut sorted = micros.to_vec();
        sorted.sort_unstable();
        let at = |p: f64| -> f64 {
            if sorted.is_empty() {
                return 0.0;
            }
            // Nearest rank: the smallest value with at least p% of the list at or below it.
            let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
            ms(Duration::from_micros(sorted[rank - 1] as u64))
        };
        Spread {
            count: sorted.len(),
            p50_ms: at(50.0),
            p99_ms: at(99.0),
            max_ms: at(100.0),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step: String,
    pub ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlowestReport {
    pub phase: String,
    pub ms: f64,
    pub keys: usize,
    pub steps: Vec<StepReport>,
}

/// `transaction_times` of prune's report.
#[derive(Debug, Clone, Serialize)]
pub struct TransactionSummary {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// COMMIT's share of the transactions' time is `commit_ms_total / total_ms` (a dry run
    /// counts its ROLLBACK).
    pub commit_ms_total: f64,
    pub total_ms: f64,
    pub by_phase: BTreeMap<String, Spread>,
    pub by_step: BTreeMap<String, Spread>,
    /// How prune made way for other connections' writes.
    pub beside_writers: BesideWriters,
    /// `null` when no transaction ran.
    pub slowest: Option<SlowestReport>,
}

/// How prune shared the database: `transactions` ended while another connection had
/// committed within the last second, each followed by a pause at the polite pace;
/// `pause_ms_total` is all the time left between transactions (polite pauses, and on SQLite
/// the quarter-batch pause that lets a waiting writer in).
#[derive(Debug, Clone, Serialize)]
pub struct BesideWriters {
    pub transactions: u64,
    pub pause_ms_total: f64,
}

/// SQLite: rewrites the file without its free pages (`VACUUM`), then truncates the WAL;
/// returns the database's size in bytes before and after.
pub fn vacuum_sqlite(conn: &mut AnyConnection) -> Result<(i64, i64)> {
    let size_sql = Backend::Sqlite.database_size_sql();
    let before = crate::db::count(conn, size_sql)?;
    conn.batch_execute("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
        .context(
            "VACUUM failed (another connection may be writing; retry when the platform is quiet)",
        )?;
    Ok((before, crate::db::count(conn, size_sql)?))
}

/// The size of the next batch: what fits in `TARGET` at the last batch's pace, growing at
/// most twofold at a time.
fn next_size(size: usize, took: Duration, target: Duration, max_batch: usize) -> usize {
    let pace = target.as_secs_f64() / took.as_secs_f64().max(1e-6);
    let next = (size as f64 * pace.min(2.0)).floor() as usize;
    next.clamp(1, max_batch)
}

/// SQLite: copies committed pages from the WAL into the database without waiting for or
/// blocking anyone (PASSIVE), as the automatic checkpoint would have, but outside the batch's
/// transaction.
fn checkpoint_wal(conn: &mut AnyConnection) -> Result<()> {
    if conn.backend() == Backend::Sqlite {
        conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)")
            .context("SQLite WAL checkpoint failed")?;
    }
    Ok(())
}

/// Errors after which running the same transaction again is right.
fn lost_to_concurrent_writer(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        let m = e.to_string();
        m.contains("could not serialize access")
            || m.contains("deadlock detected")
            || m.contains("database is locked")
            || m.contains("database is busy")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoff_formats() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_micros(1_700_000_060_123_456);
        let c = Cutoff::before(now, Duration::from_secs(60)).unwrap();
        assert_eq!(c.rfc3339(), "2023-11-14T22:13:20.123Z");
        assert!((c.epoch_secs() - 1_700_000_000.123).abs() < 1e-6);
    }

    #[test]
    fn cutoffs_before_1970_are_refused_not_panicked() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        for age in [
            Duration::from_secs(1_800_000_001),
            Duration::from_secs(100 * 365 * 86_400),
            Duration::MAX,
        ] {
            let err = Cutoff::before(now, age).unwrap_err();
            assert!(
                err.contains("1970-01-01") && err.contains("20833d"),
                "{err}"
            );
        }
        let epoch = Cutoff::before(now, Duration::from_secs(1_800_000_000)).unwrap();
        assert_eq!(epoch.rfc3339(), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn json_keys_are_arrays_of_arrays() {
        let keys = vec![vec!["a".to_string(), "it's".to_string()]];
        assert_eq!(json_keys(&keys), r#"[["a","it's"]]"#);
    }

    #[test]
    fn batches_follow_the_time_target() {
        assert_eq!(next_size(10, TARGET * 2, TARGET, 500), 5);
        assert_eq!(next_size(10, Duration::from_millis(10), TARGET, 500), 20);
        assert_eq!(next_size(400, Duration::from_millis(1), TARGET, 500), 500);
        assert_eq!(next_size(1, Duration::from_secs(5), TARGET, 500), 1);
    }

    #[test]
    fn the_pace_turns_polite_while_writers_were_seen_within_a_second() {
        let mut b = Batches::new(false, 500);
        assert_eq!(b.target(Backend::Sqlite), TARGET);
        b.writers_seen = Some(Instant::now());
        assert_eq!(b.target(Backend::Sqlite), polite_pace(Backend::Sqlite).0);
        assert_eq!(
            b.target(Backend::Postgres),
            polite_pace(Backend::Postgres).0
        );
        assert!(
            polite_pace(Backend::Sqlite).0 < TARGET && polite_pace(Backend::Postgres).0 < TARGET
        );
        if let Some(long_ago) = Instant::now().checked_sub(WRITERS_GONE_AFTER * 2) {
            b.writers_seen = Some(long_ago);
            assert_eq!(b.target(Backend::Postgres), TARGET);
        }
        let mut times = TransactionTimes::default();
        times.paused(true, Duration::from_millis(15));
        times.paused(false, Duration::from_millis(5));
        let summary = times.summary();
        assert_eq!(summary.beside_writers.transactions, 1);
        assert_eq!(summary.beside_writers.pause_ms_total, 20.0);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        // 1..=100 ms, shuffled: nearest rank p50 is the 50th value, p99 the 99th.
        let list: Vec<u32> = (1..=100u32).rev().map(|n| n * 1000).collect();
        let s = Spread::of(&list);
        assert_eq!(
            (s.count, s.p50_ms, s.p99_ms, s.max_ms),
            (100, 50.0, 99.0, 100.0)
        );
        // Ten values: p99 is the largest (rank ceil(9.9) = 10), p50 the 5th.
        let ten: Vec<u32> = (1..=10u32).map(|n| n * 100).collect();
        let s = Spread::of(&ten);
        assert_eq!((s.p50_ms, s.p99_ms, s.max_ms), (0.5, 1.0, 1.0));
        let one = Spread::of(&[1_234]);
        assert_eq!(
            (one.count, one.p50_ms, one.p99_ms, one.max_ms),
            (1, 1.2, 1.2, 1.2)
        );
        let none = Spread::of(&[]);
        assert_eq!((none.count, none.max_ms), (0, 0.0));
    }

    #[test]
    fn transaction_times_aggregate_by_phase_and_step_and_keep_the_slowest() {
        let ms = |n: u64| Duration::from_micros(n * 1000);
        let mut t = TransactionTimes::default();
        assert!(t.summary().slowest.is_none());
        t.record(
            "runs",
            10,
            ms(4),
            vec![("delete runs", ms(3)), ("commit", ms(1))],
        );
        t.record(
            "checkpoints-keep",
            20,
            ms(30),
            vec![
                ("read checkpoints", ms(10)),
                ("delete writes", ms(15)),
                ("commit", ms(5)),
            ],
        );
        t.record("checkpoints-keep", 40, ms(6), vec![("commit", ms(6))]);
        let s = t.summary();
        assert_eq!(
            (s.count, s.p50_ms, s.p99_ms, s.max_ms),
            (3, 6.0, 30.0, 30.0)
        );
        assert_eq!((s.commit_ms_total, s.total_ms), (12.0, 40.0));
        assert_eq!(s.by_phase["checkpoints-keep"].count, 2);
        assert_eq!(s.by_phase["checkpoints-keep"].p50_ms, 6.0);
        assert_eq!(s.by_phase["runs"].max_ms, 4.0);
        assert_eq!(s.by_step["commit"].count, 3);
        assert_eq!(s.by_step["commit"].max_ms, 6.0);
        assert_eq!(s.by_step["delete writes"].count, 1);
        let slowest = s.slowest.expect("three transactions ran");
        assert_eq!(
            (slowest.phase.as_str(), slowest.ms, slowest.keys),
            ("checkpoints-keep", 30.0, 20)
        );
        let steps: Vec<(&str, f64)> = slowest
            .steps
            .iter()
            .map(|s| (s.step.as_str(), s.ms))
            .collect();
        assert_eq!(
            steps,
            [
                ("read checkpoints", 10.0),
                ("delete writes", 15.0),
                ("commit", 5.0)
            ]
        );
        // A dry run's ROLLBACK stands for COMMIT in the share.
        let mut dry = TransactionTimes::default();
        dry.record("runs", 1, ms(2), vec![("rollback", ms(2))]);
        assert_eq!(dry.summary().commit_ms_total, 2.0);
        // Rounded to 0.1 ms like the report's other times.
        assert_eq!(super::ms(Duration::from_micros(1_249)), 1.2);
        assert_eq!(super::ms(Duration::from_micros(1_251)), 1.3);
    }

    #[test]
    fn tally_totals() {
        let mut t = Tally::default();
        t.add("p1", "events", 2);
        t.add("p2", "events", 3);
        t.add("p2", "sessions", 1);
        t.add("p2", PARENTS_CLEARED, 4);
        assert_eq!(t.by_table()["events"], 5);
        assert_eq!(t.total(), 6);
    }
}
