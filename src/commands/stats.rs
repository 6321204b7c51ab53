//! `agentdb stats`: counts of agentdb's tables and, where present, LangGraph's and Google
//! ADK's. Only whole-table or indexed counts run in the database; nothing is counted in Rust.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::Serialize;

use super::{tenant_id, validate_tenant_id, Context};
use crate::adk::{self, AdkCounts};
use crate::cli::StatsArgs;
use crate::db::{self, Access, AnyConnection, Backend};
use crate::error::exit;
use crate::langgraph::store::StoreCounts;
use crate::langgraph::{self, LangGraphCounts};
use crate::output::{Report, Text as Out};
use crate::schema::migrations;

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

#[derive(Debug, Serialize)]
pub struct StatsReport {
    pub database: String,
    pub backend: Backend,
    /// The tenant counted, or `null` for the whole database.
    pub tenant: Option<String>,
    pub tenants: i64,
    pub configs: i64,
    pub agents: AgentCounts,
    pub threads: StatusCounts,
    pub messages: i64,
    pub runs: StatusCounts,
    /// Database-wide: these tables have no tenant column.
    pub langgraph: LangGraphCounts,
    /// LangGraph's Store (database-wide), or `null` where its table is not present.
    pub langgraph_store: Option<StoreCounts>,
    /// Database-wide: these tables have no tenant column.
    pub adk: AdkCounts,
    pub database_size_bytes: i64,
    /// Latest of thread updates, messages, runs and config changes (UTC), or `null`.
    pub last_activity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_tenant: Option<Vec<TenantCounts>>,
}

fn shown(n: Option<i64>) -> String {
    n.map(|n| n.to_string())
        .unwrap_or_else(|| "not present".to_string())
}

fn statuses(c: &StatusCounts) -> String {
    let parts: Vec<String> = c
        .by_status
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    if parts.is_empty() {
        c.total.to_string()
    } else {
        format!("{} ({})", c.total, parts.join(", "))
    }
}

impl Report for StatsReport {
    fn render(&self, out: &mut Out) {
        let scope = self
            .tenant
            .as_ref()
            .map(|t| format!("tenant {t}"))
            .unwrap_or_else(|| "all tenants".to_string());
        let store_row = |label: &str, count: fn(&StoreCounts) -> i64| -> [String; 2] {
            [
                label.into(),
                shown(self.langgraph_store.as_ref().map(count)),
            ]
        };
        let rows: Vec<[String; 2]> = vec![
            ["scope".into(), scope],
            ["tenants".into(), self.tenants.to_string()],
            ["configs".into(), self.configs.to_string()],
            [
                "agents (active/total)".into(),
                format!("{}/{}", self.agents.active, self.agents.total),
            ],
            ["threads".into(), statuses(&self.threads)],
            ["messages".into(), self.messages.to_string()],
            ["runs".into(), statuses(&self.runs)],
            [
                "langgraph checkpoints".into(),
                shown(self.langgraph.checkpoints),
            ],
            [
                "langgraph checkpoint threads".into(),
                shown(self.langgraph.checkpoint_threads),
            ],
            [
                "langgraph pending writes".into(),
                shown(self.langgraph.pending_writes),
            ],
            store_row("langgraph store items", |c| c.items),
            store_row("langgraph store namespaces (first level)", |c| {
                c.top_namespaces
            }),
            store_row("langgraph store items with a TTL", |c| c.items_with_ttl),
            store_row("langgraph store items expired", |c| c.expired_items),
            ["adk sessions".into(), shown(self.adk.sessions)],
            ["adk events".into(), shown(self.adk.events)],
            [
                "database size (bytes)".into(),
                self.database_size_bytes.to_string(),
            ],
            [
                "last activity (UTC)".into(),
                self.last_activity.clone().unwrap_or_else(|| "-".into()),
            ],
        ];
        out.table(&["metric", "value"], rows);
        if let Some(by_tenant) = &self.by_tenant {
            out.table(
                &["tenant", "configs", "agents", "threads", "messages", "runs"],
                by_tenant.iter().map(|t| {
                    vec![
                        t.tenant_id.clone(),
                        t.configs.to_string(),
                        format!("{}/{}", t.agents_active, t.agents_total),
                        t.threads.to_string(),
                        t.messages.to_string(),
                        t.runs.to_string(),
                    ]
                }),
            );
        }
    }
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

/// A `WHERE` clause for one tenant. The id is inlined as a literal so the planner sees it
/// (SQLite plans once per statement); it matches `[a-z0-9][a-z0-9_-]*`, so it cannot break
/// out of the quotes.
fn tenant_filter(column: &str, tenant: Option<&str>) -> String {
    match tenant {
        Some(t) => {
            validate_tenant_id(t).expect("tenant ids are validated before queries are built");
            format!(" WHERE {column} = '{t}'")
        }
        None => String::new(),
    }
}

fn status_counts(
    conn: &mut AnyConnection,
    table: &str,
    known: &[&str],
    tenant: Option<&str>,
) -> Result<StatusCounts> {
    let sql = format!(
        "SELECT status AS key, count(*) AS n FROM {table}{} GROUP BY status",
        tenant_filter("tenant_id", tenant)
    );
    let rows: Vec<KeyCount> = diesel::sql_query(&sql).load(conn)?;
    let mut by_status: BTreeMap<String, i64> = known.iter().map(|s| (s.to_string(), 0)).collect();
    for r in &rows {
        by_status.insert(r.key.clone(), r.n);
    }
    Ok(StatusCounts {
        total: rows.iter().map(|r| r.n).sum(),
        by_status,
    })
}

fn per_table(conn: &mut AnyConnection, table: &str, filter: &str) -> Result<BTreeMap<String, i64>> {
    let sql =
        format!("SELECT tenant_id AS key, count(*) AS n FROM {table}{filter} GROUP BY tenant_id");
    let rows: Vec<KeyCount> = diesel::sql_query(&sql).load(conn)?;
    Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
}

fn by_tenant(conn: &mut AnyConnection) -> Result<Vec<TenantCounts>> {
    let tenants: Vec<KeyCount> =
        diesel::sql_query("SELECT id AS key, CAST(0 AS BIGINT) AS n FROM tenants ORDER BY id")
            .load(conn)?;
    let configs = per_table(conn, "tenant_configs", "")?;
    let agents = per_table(conn, "agents", "")?;
    let active = per_table(conn, "agents", " WHERE is_active")?;
    let threads = per_table(conn, "threads", "")?;
    let messages = per_table(conn, "messages", "")?;
    let runs = per_table(conn, "runs", "")?;
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

fn last_activity(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant: Option<&str>,
) -> Result<Option<String>> {
    let f = tenant_filter("tenant_id", tenant);
    let inner = format!(
        "SELECT max(updated_at) AS t FROM threads{f} \
         UNION ALL SELECT max(last_message_at) FROM threads{f} \
         UNION ALL SELECT max(created_at) FROM runs{f} \
         UNION ALL SELECT max(updated_at) FROM tenant_configs{f}"
    );
    let sql = format!(
        "SELECT {} AS latest FROM ({inner}) AS activity",
        backend.timestamp_text("max(t)")
    );
    let row: LatestRow = diesel::sql_query(&sql).get_result(conn)?;
    Ok(row.latest)
}

pub fn run(ctx: &Context, args: &StatsArgs) -> Result<u8> {
    let tenant = match &args.tenant {
        Some(t) => Some(tenant_id(ctx, Some(t))?),
        None => None,
    };
    let db = ctx.open(Access::ReadOnly)?;
    let mut conn = db.connect()?;
    migrations::require_migrated(&mut conn, &db.display)?;
    let backend = conn.backend();
    let t = tenant.as_deref();
    if let Some(t) = t {
        if !db::tenant_exists(&mut conn, t)? {
            bail!("tenant {t} does not exist");
        }
    }
    let scoped = |column: &str| tenant_filter(column, t);
    let tenants = db::count(
        &mut conn,
        &format!("SELECT count(*) AS n FROM tenants{}", scoped("id")),
    )?;
    let configs = db::count(
        &mut conn,
        &format!(
            "SELECT count(*) AS n FROM tenant_configs{}",
            scoped("tenant_id")
        ),
    )?;
    let agents: AgentRow = diesel::sql_query(format!(
        "SELECT count(*) FILTER (WHERE is_active) AS active, count(*) AS total FROM agents{}",
        scoped("tenant_id")
    ))
    .get_result(&mut conn)?;
    let threads = status_counts(&mut conn, "threads", &THREAD_STATUSES, t)?;
    let messages = db::count(
        &mut conn,
        &format!("SELECT count(*) AS n FROM messages{}", scoped("tenant_id")),
    )?;
    let runs = status_counts(&mut conn, "runs", &RUN_STATUSES, t)?;
    let langgraph = langgraph::counts(&mut conn)?;
    let langgraph_store = langgraph::store::counts(&mut conn)?;
    let adk = adk::counts(&mut conn)?;
    let report = StatsReport {
        database: db.display.clone(),
        backend,
        tenant: tenant.clone(),
        tenants,
        configs,
        agents: AgentCounts {
            active: agents.active,
            total: agents.total,
        },
        threads,
        messages,
        runs,
        langgraph,
        langgraph_store,
        adk,
        database_size_bytes: db::count(&mut conn, backend.database_size_sql())?,
        last_activity: last_activity(&mut conn, backend, t)?,
        by_tenant: if args.by_tenant {
            Some(by_tenant(&mut conn)?)
        } else {
            None
        },
    };
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}
