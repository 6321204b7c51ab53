//! What every retention policy of `agentdb prune` shares: age cut-offs, short transactions
//! that are retried when a concurrent writer wins, key lists bound as one JSON parameter, and
//! the tally of what was deleted. The tables themselves are known to `commands::prune`
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

/// A point in time before which rows count as old, taken once per run from the local clock.
#[derive(Debug, Clone, Copy)]
pub struct Cutoff(pub SystemTime);

impl Cutoff {
    pub fn before_now(age: Duration) -> Cutoff {
        Cutoff(SystemTime::now() - age)
    }

    /// UTC as `YYYY-MM-DDTHH:MM:SS.fffZ`, the text agentdb's SQLite schema stores.
    pub fn rfc3339(&self) -> String {
        humantime::format_rfc3339_millis(self.0).to_string()
    }

    /// Seconds since the Unix epoch (ADK's `SqliteSessionService` stores REAL epochs).
    pub fn epoch_secs(&self) -> f64 {
        self.0
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }

    /// `column < cutoff` for one of agentdb's own timestamp columns (PostgreSQL `timestamptz`,
    /// SQLite ISO-8601 text). The cutoff is our own formatted text, so it is inlined.
    pub fn agentdb_before(&self, backend: Backend, column: &str) -> String {
        match backend {
            Backend::Postgres => format!("{column} < '{}'::timestamptz", self.rfc3339()),
            Backend::Sqlite => format!("{column} < '{}'", self.rfc3339()),
        }
    }
}

impl Backend {
    /// The later of two timestamps, where the second may be NULL.
    pub fn latest_of(self, a: &str, b_nullable: &str) -> String {
        match self {
            // GREATEST ignores NULLs.
            Backend::Postgres => format!("GREATEST({a}, {b_nullable})"),
            // SQLite's scalar max() is NULL when any argument is.
            Backend::Sqlite => format!("max({a}, coalesce({b_nullable}, {a}))"),
        }
    }

    /// A subquery yielding the rows of a JSON array of string arrays bound as parameter `n`,
    /// as columns `c0 … c{width-1}`: how a batch of composite keys reaches one statement on
    /// both backends (`(a, b) IN (<this>)`).
    pub fn json_rows(self, n: usize, width: usize) -> String {
        let columns: Vec<String> = (0..width)
            .map(|i| match self {
                Backend::Postgres => format!("x->>{i} AS c{i}"),
                Backend::Sqlite => format!("json_extract(value, '$[{i}]') AS c{i}"),
            })
            .collect();
        match self {
            Backend::Postgres => format!(
                "SELECT {} FROM jsonb_array_elements(${n}::jsonb) AS x",
                columns.join(", ")
            ),
            Backend::Sqlite => format!("SELECT {} FROM json_each(?{n})", columns.join(", ")),
        }
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

/// Runs each batch in its own short transaction: PostgreSQL `REPEATABLE READ` (one snapshot;
/// what a running graph saves meanwhile is neither seen nor deleted), SQLite `BEGIN IMMEDIATE`
/// (the write lock first, so the transaction never has to upgrade a read lock). A batch that
/// loses to a concurrent writer (serialization failure, deadlock, busy) is rolled back and run
/// again. In a dry run every batch is rolled back: the counts are exactly what would go.
pub struct Batches {
    pub dry_run: bool,
    pub transactions: u64,
    pub retries: u64,
    pub longest: Duration,
}

impl Batches {
    pub fn new(dry_run: bool) -> Batches {
        Batches {
            dry_run,
            transactions: 0,
            retries: 0,
            longest: Duration::ZERO,
        }
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
        let mut attempt = 1;
        loop {
            let outcome = conn
                .batch_execute(begin)
                .context("cannot begin a transaction")
                .and_then(|()| {
                    let started = Instant::now();
                    let value = batch(conn);
                    let value = match value {
                        Ok(v) => conn
                            .batch_execute(end)
                            .with_context(|| format!("{end} failed"))
                            .map(|()| v),
                        Err(e) => {
                            let _ = conn.batch_execute("ROLLBACK");
                            Err(e)
                        }
                    };
                    self.longest = self.longest.max(started.elapsed());
                    value
                });
            match outcome {
                Ok(v) => {
                    self.transactions += 1;
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
        let c = Cutoff(SystemTime::UNIX_EPOCH + Duration::from_millis(1_700_000_000_123));
        assert_eq!(c.rfc3339(), "2023-11-14T22:13:20.123Z");
        assert!((c.epoch_secs() - 1_700_000_000.123).abs() < 1e-6);
    }

    #[test]
    fn json_keys_are_arrays_of_arrays() {
        let keys = vec![vec!["a".to_string(), "it's".to_string()]];
        assert_eq!(json_keys(&keys), r#"[["a","it's"]]"#);
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
