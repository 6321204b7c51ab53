//! Counts over agentdb's tables for `stats`: whole-table or indexed counts, all run in the
//! database (nothing is counted in Rust), for every tenant or one.

use std::collections::BTreeMap;

use anyhow::Result;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::Serialize;

use super::TenantId;
use crate::db::{AnyConnection, CountRow, MultiBackend};

const THREAD_STATUSES: [&str; 3] = ["active", "archived", "deleted"];
const RUN_STATUSES: [&str; 5] = ["pending", "running", "succeeded", "failed", "cancelled"];

#[derive(Debug, Serialize)]
pub struct AgentCounts {
    pub active: i64,
    pub total: i64,
}

#[derive(Debug, Serialize)]
pub struct StatusCounts {
    pub total: i64,
    /// Every known status, zero included, so the JSON keys are stable.
    #[serde(flatten)]
    pub by_status: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize)]
pub struct TenantCounts {
    pub tenant_id: String,
    pub configs: i64,
    pub agents_active: i64,
    pub agents_total: i64,
    pub threads: i64,
    pub messages: i64,
    pub runs: i64,
}

/// agentdb's own counts, for the whole database or one tenant (in `stats`'s JSON order).
#[derive(Debug, Serialize)]
pub struct Counts {
    pub tenants: i64,
    pub configs: i64,
    pub agents: AgentCounts,
    pub threads: StatusCounts,
    pub messages: i64,
    pub runs: StatusCounts,
}

#[derive(QueryableByName)]
struct KeyCount {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct AgentRow {
    #[diesel(sql_type = BigInt)]
    active: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
struct LatestRow {
    #[diesel(sql_type = Nullable<Text>)]
    latest: Option<String>,
}

/// One tenant's rows, or all: a `WHERE` clause on bind parameter 1 and the value to bind.
#[derive(Clone, Copy)]
struct Scope<'a> {
    tenant: Option<&'a TenantId>,
}

impl Scope<'_> {
    fn filter(self, conn: &AnyConnection, column: &str) -> String {
        match self.tenant {
            Some(_) => format!(" WHERE {column} = {}", conn.backend().param(1)),
            None => String::new(),
        }
    }

    /// `sql` with the tenant bound (where the filter asks for it).
    fn query(
        self,
        sql: String,
    ) -> diesel::query_builder::BoxedSqlQuery<'static, MultiBackend, diesel::query_builder::SqlQuery>
    {
        let query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
        match self.tenant {
            Some(t) => query.bind::<Text, _>(t.to_string()),
            None => query,
        }
    }

    fn count(self, conn: &mut AnyConnection, table: &str, column: &str) -> Result<i64> {
        let sql = format!(
            "SELECT count(*) AS n FROM {table}{}",
            self.filter(conn, column)
        );
        let row: CountRow = self.query(sql).get_result(conn)?;
        Ok(row.n)
    }

    fn status_counts(
        self,
        conn: &mut AnyConnection,
        table: &str,
        known: &[&str],
    ) -> Result<StatusCounts> {
        let sql = format!(
            "SELECT status AS key, count(*) AS n FROM {table}{} GROUP BY status",
            self.filter(conn, "tenant_id")
        );
        let rows: Vec<KeyCount> = self.query(sql).load(conn)?;
        let mut by_status: BTreeMap<String, i64> =
            known.iter().map(|s| (s.to_string(), 0)).collect();
        for r in &rows {
            by_status.insert(r.key.clone(), r.n);
        }
        Ok(StatusCounts {
            total: rows.iter().map(|r| r.n).sum(),
            by_status,
        })
    }
}

/// agentdb's counts, of one tenant or (`None`) of all.
pub fn counts(conn: &mut AnyConnection, tenant: Option<&TenantId>) -> Result<Counts> {
    let scope = Scope { tenant };
    let tenants = scope.count(conn, "tenants", "id")?;
    let configs = scope.count(conn, "tenant_configs", "tenant_id")?;
    let sql = format!(
        "SELECT count(*) FILTER (WHERE is_active) AS active, count(*) AS total FROM agents{}",
        scope.filter(conn, "tenant_id")
    );
    let agents: AgentRow = scope.query(sql).get_result(conn)?;
    let threads = scope.status_counts(conn, "threads", &THREAD_STATUSES)?;
    let messages = scope.count(conn, "messages", "tenant_id")?;
    let runs = scope.status_counts(conn, "runs", &RUN_STATUSES)?;
    Ok(Counts {
        tenants,
        configs,
        agents: AgentCounts {
            active: agents.active,
            total: agents.total,
        },
        threads,
        messages,
        runs,
    })
}

/// The latest of thread updates, messages, runs and config changes (UTC ISO-8601), of one
/// tenant or all; `None` when there is none.
pub fn last_activity(
    conn: &mut AnyConnection,
    tenant: Option<&TenantId>,
) -> Result<Option<String>> {
    let scope = Scope { tenant };
    let f = scope.filter(conn, "tenant_id");
    let inner = format!(
        "SELECT max(updated_at) AS t FROM threads{f} \
         UNION ALL SELECT max(last_message_at) FROM threads{f} \
         UNION ALL SELECT max(created_at) FROM runs{f} \
         UNION ALL SELECT max(updated_at) FROM tenant_configs{f}"
    );
    let sql = format!(
        "SELECT {} AS latest FROM ({inner}) AS activity",
        conn.backend().timestamp_text("max(t)")
    );
    let row: LatestRow = scope.query(sql).get_result(conn)?;
    Ok(row.latest)
}

fn per_tenant(
    conn: &mut AnyConnection,
    table: &str,
    filter: &str,
) -> Result<BTreeMap<String, i64>> {
    let sql =
        format!("SELECT tenant_id AS key, count(*) AS n FROM {table}{filter} GROUP BY tenant_id");
    let rows: Vec<KeyCount> = diesel::sql_query(&sql).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
}

/// One row of counts per tenant, by id.
pub fn by_tenant(conn: &mut AnyConnection) -> Result<Vec<TenantCounts>> {
    let tenants: Vec<KeyCount> =
        diesel::sql_query("SELECT id AS key, CAST(0 AS BIGINT) AS n FROM tenants ORDER BY id")
            .load(conn)?;
    let configs = per_tenant(conn, "tenant_configs", "")?;
    let agents = per_tenant(conn, "agents", "")?;
    let active = per_tenant(conn, "agents", " WHERE is_active")?;
    let threads = per_tenant(conn, "threads", "")?;
    let messages = per_tenant(conn, "messages", "")?;
    let runs = per_tenant(conn, "runs", "")?;
    let get = |m: &BTreeMap<String, i64>, t: &str| m.get(t).copied().unwrap_or(0);
    Ok(tenants
        .into_iter()
        .map(|t| TenantCounts {
            configs: get(&configs, &t.key),
            agents_active: get(&active, &t.key),
            agents_total: get(&agents, &t.key),
            threads: get(&threads, &t.key),
            messages: get(&messages, &t.key),
            runs: get(&runs, &t.key),
            tenant_id: t.key,
        })
        .collect())
}
