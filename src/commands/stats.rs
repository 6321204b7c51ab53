//! `agentdb stats`: counts of agentdb's tables and, where present, LangGraph's and Google
//! ADK's. Only whole-table or indexed counts run in the database; nothing is counted in Rust.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::adk::{self, AdkCounts};
use crate::cli::StatsArgs;
use crate::db::{self, Access, Backend};
use crate::error::exit;
use crate::langgraph::store::StoreCounts;
use crate::langgraph::{self, LangGraphCounts};
use crate::output::{Report, Text as Out};
use crate::store::tenants::{self, MissingHint};
use crate::store::{stats, TenantId};

pub use crate::store::stats::{AgentCounts, Counts, StatusCounts, TenantCounts};

#[derive(Debug, Serialize)]
pub struct StatsReport {
    pub database: String,
    pub backend: Backend,
    /// The tenant counted, or `null` for the whole database.
    pub tenant: Option<String>,
    /// agentdb's own tables: `tenants`, `configs`, `agents`, `threads`, `messages`, `runs`.
    #[serde(flatten)]
    pub own: Counts,
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
            ["tenants".into(), self.own.tenants.to_string()],
            ["configs".into(), self.own.configs.to_string()],
            [
                "agents (active/total)".into(),
                format!("{}/{}", self.own.agents.active, self.own.agents.total),
            ],
            ["threads".into(), statuses(&self.own.threads)],
            ["messages".into(), self.own.messages.to_string()],
            ["runs".into(), statuses(&self.own.runs)],
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

pub fn run(ctx: &Context, args: &StatsArgs) -> Result<u8> {
    let tenant = match &args.tenant {
        Some(t) => Some(ctx.tenant(Some(t))?),
        None => None,
    };
    let (db, mut conn) = ctx.open_migrated(Access::ReadOnly)?;
    let backend = conn.backend();
    if let Some(t) = &tenant {
        tenants::require(&mut conn, t, MissingHint::Plain)?;
    }
    let own = stats::counts(&mut conn, tenant.as_ref())?;
    let langgraph = langgraph::counts(&mut conn)?;
    let langgraph_store = langgraph::store::counts(&mut conn)?;
    let adk = adk::counts(&mut conn)?;
    let report = StatsReport {
        database: db.display.clone(),
        backend,
        tenant: tenant.as_ref().map(TenantId::to_string),
        own,
        langgraph,
        langgraph_store,
        adk,
        database_size_bytes: db::database_size(&mut conn)?,
        last_activity: stats::last_activity(&mut conn, tenant.as_ref())?,
        by_tenant: if args.by_tenant {
            Some(stats::by_tenant(&mut conn)?)
        } else {
            None
        },
    };
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}
