//! Retention of agentdb's own threads and runs (`prune`'s agentdb policies): candidates read
//! once (a time that is not one refuses the run), then deleted batch by batch, each candidate
//! re-checked inside the batch's transaction (`retention::Batches`).

use std::collections::HashSet;

use anyhow::{Context as _, Result};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::TenantId;
use crate::db::{AnyConnection, MultiBackend};
use crate::retention::{self, json_keys, Batches, Cutoff, Lookup, NotATime, Tally};

/// Runs that are over: only these are pruned by age.
const FINISHED_RUNS: &str = "('succeeded', 'failed', 'cancelled')";

/// Which of agentdb's rows the policies look at: one tenant's or all, threads of one status
/// or any. The tenant is bound, never written into the SQL.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub tenant: Option<&'a TenantId>,
    /// `status = '<this>'` for the threads policy (a constant of the CLI's status list).
    pub thread_status: Option<&'static str>,
}

impl Scope<'_> {
    /// `AND tenant_id = <parameter n>` when scoped to a tenant.
    fn tenant_clause(self, conn: &AnyConnection, n: usize) -> String {
        match self.tenant {
            Some(_) => format!(" AND tenant_id = {}", conn.backend().param(n)),
            None => String::new(),
        }
    }

    /// The condition of the threads policy without its age; the tenant is parameter `n`.
    fn thread_filter(self, conn: &AnyConnection, n: usize) -> String {
        let mut condition = vec!["TRUE".to_string()];
        if let Some(status) = self.thread_status {
            condition.push(format!("status = '{status}'"));
        }
        format!("{}{}", condition.join(" AND "), self.tenant_clause(conn, n))
    }

    /// The runs policy's condition without its age; the tenant is parameter `n`.
    fn run_filter(self, conn: &AnyConnection, n: usize) -> String {
        format!("status IN {FINISHED_RUNS}{}", self.tenant_clause(conn, n))
    }

    /// `sql` as a query with `first` (if any) bound, then the tenant (if scoped).
    fn query(
        self,
        sql: String,
        first: Option<String>,
    ) -> diesel::query_builder::BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery>
    {
        let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
        if let Some(first) = first {
            query = query.bind::<Text, _>(first);
        }
        if let Some(t) = self.tenant {
            query = query.bind::<Text, _>(t.to_string());
        }
        query
    }

    /// Runs `sql`, whose parameter 1 is the JSON key list and 2 the tenant; the affected rows.
    fn execute_with_keys(self, conn: &mut AnyConnection, sql: &str, keys: &str) -> Result<i64> {
        let n = self
            .query(sql.to_string(), Some(keys.to_string()))
            .execute(conn)
            .with_context(|| format!("statement failed: {sql}"))?;
        Ok(n as i64)
    }
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

/// A run the runs policy selects: its key and its thread.
#[derive(Clone)]
pub struct RunRow {
    pub key: [String; 2],
    pub thread_id: String,
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

/// The threads the policy selects, in key order; refuses the run when a thread's last
/// activity is not a time.
pub fn thread_candidates(
    conn: &mut AnyConnection,
    scope: Scope,
    cutoff: Option<Cutoff>,
) -> Result<Vec<[String; 2]>> {
    let backend = conn.backend();
    let filter = scope.thread_filter(conn, 1);
    let sql = match cutoff {
        None => format!(
            "SELECT tenant_id AS c0, id AS c1, id AS thread_id, NULL AS bad, NULL AS value \
             FROM threads WHERE {filter} ORDER BY tenant_id, id"
        ),
        Some(cutoff) => format!(
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
        ),
    };
    let rows: Vec<AgedRow> = scope
        .query(sql, None)
        .load(conn)
        .context("cannot read agentdb threads")?;
    refuse_non_times("threads", ["tenant_id", "id"], &rows)?;
    Ok(rows.into_iter().map(|r| [r.c0, r.c1]).collect())
}

/// Deletes the candidate threads still selected inside each batch's transaction, with their
/// messages and runs; returns the deleted (tenant, thread) keys.
pub fn prune_threads(
    conn: &mut AnyConnection,
    scope: Scope,
    cutoff: Option<Cutoff>,
    keys: &[[String; 2]],
    batches: &mut Batches,
    tally: &mut Tally,
) -> Result<HashSet<[String; 2]>> {
    let backend = conn.backend();
    let mut condition = scope.thread_filter(conn, 2);
    if let Some(cutoff) = cutoff {
        let last_activity = backend.latest_of("updated_at", "last_message_at");
        condition.push_str(&format!(" AND {last_activity} < {}", cutoff.sql(backend)));
    }
    let batches = batches.in_phase("threads");
    let per_batch = batches.each_batch(conn, keys, tally, |c, batch, tally| {
        let confirmed: Vec<PairRow> = tally.step("re-check threads", || {
            scope
                .query(
                    format!(
                        "SELECT tenant_id AS c0, id AS c1 FROM threads \
                         WHERE {} AND {condition}",
                        backend.keys_in(&["tenant_id", "id"], Lookup::Unique)
                    ),
                    Some(json_keys(batch)),
                )
                .load(c)
                .context("cannot re-check agentdb threads")
        })?;
        let confirmed: Vec<[String; 2]> = confirmed.into_iter().map(|r| [r.c0, r.c1]).collect();
        if confirmed.is_empty() {
            return Ok(confirmed);
        }
        let list = json_keys(&confirmed);
        // Children first: counted per table, and nothing relies on the cascade. The keys
        // were confirmed above, so these statements need no tenant of their own.
        let unscoped = Scope {
            tenant: None,
            thread_status: None,
        };
        for (table, column, lookup, step) in [
            ("messages", "thread_id", Lookup::Many, "delete messages"),
            ("runs", "thread_id", Lookup::Many, "delete runs"),
            ("threads", "id", Lookup::Unique, "delete threads"),
        ] {
            let sql = format!(
                "DELETE FROM {table} WHERE {}",
                backend.keys_in(&["tenant_id", column], lookup)
            );
            let n = tally.step(step, || unscoped.execute_with_keys(c, &sql, &list))?;
            tally.add("threads", table, n);
        }
        Ok(confirmed)
    })?;
    Ok(per_batch.into_iter().flatten().collect())
}

/// Finished agentdb runs older than the cutoff (by finish, else creation time), in key order;
/// refuses the run when that time is not one.
pub fn run_candidates(
    conn: &mut AnyConnection,
    scope: Scope,
    cutoff: Cutoff,
) -> Result<Vec<RunRow>> {
    let backend = conn.backend();
    let sql = format!(
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
        filter = scope.run_filter(conn, 1),
        unflattened = backend.unflattened(),
        cut = cutoff.sql(backend),
    );
    let rows: Vec<AgedRow> = scope
        .query(sql, None)
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
pub fn prune_runs(
    conn: &mut AnyConnection,
    scope: Scope,
    cutoff: Cutoff,
    candidates: &[RunRow],
    deleted_threads: &HashSet<[String; 2]>,
    batches: &mut Batches,
    tally: &mut Tally,
) -> Result<()> {
    let backend = conn.backend();
    let condition = format!(
        "{} AND {} < {}",
        scope.run_filter(conn, 2),
        backend.instant("coalesce(finished_at, created_at)"),
        cutoff.sql(backend)
    );
    let keys: Vec<[String; 2]> = candidates
        .iter()
        .filter(|r| !deleted_threads.contains(&[r.key[0].clone(), r.thread_id.clone()]))
        .map(|r| r.key.clone())
        .collect();
    let batches = batches.in_phase("runs");
    batches.each_batch(conn, &keys, tally, |c, batch, tally| {
        let sql = format!(
            "DELETE FROM runs WHERE {} AND {condition}",
            backend.keys_in(&["tenant_id", "id"], Lookup::Unique)
        );
        let n = tally.step("delete runs", || {
            scope.execute_with_keys(c, &sql, &json_keys(batch))
        })?;
        tally.add("runs", "runs", n);
        Ok(())
    })?;
    Ok(())
}
