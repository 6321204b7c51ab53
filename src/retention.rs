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

/// Rows deleted, per policy and table.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Tally {
    /// `policy -> table -> rows`.
    pub by_policy: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Tally {
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

/// The first batch's size, before any transaction was timed.
const FIRST_BATCH: usize = 10;

/// Runs each batch in its own short transaction: PostgreSQL `REPEATABLE READ` (one snapshot;
/// what a running graph saves meanwhile is neither seen nor deleted), SQLite `BEGIN IMMEDIATE`
/// (the write lock first, so the transaction never has to upgrade a read lock). A batch that
/// loses to a concurrent writer (serialization failure, deadlock, busy) is rolled back and run
/// again. In a dry run every batch is rolled back: the counts are exactly what would go.
/// Batches are sized by time: each holds as many keys as fit in `TARGET` judging by the last
/// one, at most `max_batch`.
pub struct Batches {
    pub dry_run: bool,
    pub transactions: u64,
    pub retries: u64,
    pub longest: Duration,
    max_batch: usize,
    size: usize,
    last: Duration,
}

impl Batches {
    pub fn new(dry_run: bool, max_batch: usize) -> Batches {
        let max_batch = max_batch.max(1);
        Batches {
            dry_run,
            transactions: 0,
            retries: 0,
            longest: Duration::ZERO,
            max_batch,
            size: FIRST_BATCH.min(max_batch),
            last: Duration::ZERO,
        }
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
            let (part, result) = self.run(conn, |conn| {
                let mut part = Tally::default();
                let result = batch(conn, chunk, &mut part)?;
                Ok((part, result))
            })?;
            tally.merge(part);
            results.push(result);
            done += chunk.len();
            self.size = next_size(chunk.len(), self.last, self.max_batch);
        }
        Ok(results)
    }

    pub fn run<T>(
        &mut self,
        conn: &mut AnyConnection,
        mut batch: impl FnMut(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        let begin = match conn.backend() {
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ",
            Backend::Sqlite => "BEGIN IMMEDIATE",
        };
        let end = if self.dry_run { "ROLLBACK" } else { "COMMIT" };
        if conn.backend() == Backend::Sqlite && self.transactions == 0 {
            // Committing would otherwise checkpoint the WAL inside our timing, and the WAL
            // grows with large deletes; `checkpoint_wal` does it after each batch instead.
            conn.batch_execute("PRAGMA wal_autocheckpoint = 0")
                .context("cannot configure SQLite WAL checkpoints")?;
        }
        let mut attempt = 1;
        loop {
            let outcome = conn
                .batch_execute(begin)
                .context("cannot begin a transaction")
                .and_then(|()| {
                    let started = Instant::now();
                    let value = batch(conn);
                    let value = match value {
                        Ok(v) => match conn.batch_execute(end) {
                            Ok(()) => Ok(v),
                            Err(e) => {
                                // A SQLite COMMIT that failed (busy) leaves the transaction
                                // open; end it so a retry can begin anew.
                                let _ = conn.batch_execute("ROLLBACK");
                                Err(anyhow::Error::from(e).context(format!("{end} failed")))
                            }
                        },
                        Err(e) => {
                            let _ = conn.batch_execute("ROLLBACK");
                            Err(e)
                        }
                    };
                    self.last = started.elapsed();
                    self.longest = self.longest.max(self.last);
                    value
                });
            match outcome {
                Ok(v) => {
                    self.transactions += 1;
                    checkpoint_wal(conn)?;
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
fn next_size(size: usize, took: Duration, max_batch: usize) -> usize {
    let pace = TARGET.as_secs_f64() / took.as_secs_f64().max(1e-6);
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
        assert_eq!(next_size(10, TARGET * 2, 500), 5);
        assert_eq!(next_size(10, Duration::from_millis(10), 500), 20);
        assert_eq!(next_size(400, Duration::from_millis(1), 500), 500);
        assert_eq!(next_size(1, Duration::from_secs(5), 500), 1);
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
