//! agentdb's own tables as the copy engine moves them (`copy --include agentdb`, `backup`):
//! their specs, and the group that checks the source's schema and tenants and migrates the
//! target to the source's schema version before any row is written.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};

use crate::copy::{Filter, Group, Step};
use crate::db::{self, AnyConnection, Backend};
use crate::schema::migrations::{self, RunOptions};

/// agentdb's own tables, in foreign-key order (parents first).
pub mod agentdb_tables {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "agentdb",
        tenants (id) tenant Some("id") => {
            id: Text, name: Text, status: Text, api_key_hash: Text, api_key_prefix: Text,
            metadata: Json, created_at: Timestamp, updated_at: Timestamp,
        }
        tenant_configs (tenant_id, key) tenant Some("tenant_id") => {
            tenant_id: Text, key: Text, value: Json, source_file: Text, content_hash: Text,
            created_at: Timestamp, updated_at: Timestamp,
        }
        agents (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, name: Text, description: Text, agent_type: Text,
            persona: Text, config: Json, tools: Json, sub_agents: Json, planner: Json,
            version: Int, is_active: Bool, usage_count: Int, created_at: Timestamp,
            last_used_at: Timestamp, metadata: Json,
        }
        threads (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, agent_id: Text, title: Text, agent_type: Text,
            model: Text, provider: Text, session_id: Text, status: Text,
            created_at: Timestamp, updated_at: Timestamp, last_message_at: Timestamp,
            metadata: Json,
        }
        messages (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, thread_id: Text, role: Text, content: Text,
            message_type: Text, tool_name: Text, tool_arguments: Json, tool_call_id: Text,
            artifact_data: Json, is_complete: Bool, created_at: Timestamp, metadata: Json,
        }
        runs (tenant_id, id) tenant Some("tenant_id") => {
            tenant_id: Text, id: Text, thread_id: Text, status: Text, total_tasks: Int,
            completed_tasks: Int, failed_tasks: Int, state_snapshot: Json, error: Text,
            created_at: Timestamp, started_at: Timestamp, finished_at: Timestamp,
        }
    }
}

/// agentdb's tables as a copy group.
#[derive(Debug, Default)]
pub struct AgentdbGroup {
    /// `backup` copies a source whose schema is behind this agentdb (a backup taken before
    /// `migrate`): the target is migrated only as far as the source. `copy` refuses such a source.
    allow_older_source: bool,
    /// The newest agentdb migration of the source, once planned: the target is migrated that far.
    source_version: Option<String>,
}

impl AgentdbGroup {
    pub fn new(allow_older_source: bool) -> AgentdbGroup {
        AgentdbGroup {
            allow_older_source,
            source_version: None,
        }
    }

    /// The newest agentdb migration applied to the source; refuses a source this agentdb cannot
    /// read (no schema, migrated by a newer agentdb, or behind when that is not allowed).
    fn schema_version(&self, source: &mut AnyConnection, source_name: &str) -> Result<String> {
        let states = migrations::read_states(source)?;
        let summary = migrations::summarize(&states);
        if summary.unknown > 0 {
            bail!(
                "the source {source_name} was migrated by a newer agentdb: use that version to copy it"
            );
        }
        if summary.pending > 0 && !self.allow_older_source {
            bail!(
                "the schema of the source {source_name} is not up to date ({} migration(s) pending): run `agentdb migrate` on it first",
                summary.pending
            );
        }
        states
            .iter()
            .rev()
            .find(|s| s.state == "applied")
            .map(|s| s.id.version.clone())
            .ok_or_else(|| {
                anyhow!("the source {source_name} has no agentdb schema (no migration applied): nothing to copy")
            })
    }
}

impl Group for AgentdbGroup {
    fn name(&self) -> &'static str {
        "agentdb"
    }

    fn plan(
        &mut self,
        source: &mut AnyConnection,
        source_name: &str,
        _target: Backend,
        filter: &Filter,
    ) -> Result<Vec<Step<'static>>> {
        self.source_version = Some(self.schema_version(source, source_name)?);
        for tenant in &filter.tenants {
            if !db::tenant_exists(source, tenant)? {
                bail!("--tenant {tenant}: the source {source_name} has no such tenant");
            }
        }
        let backend = source.backend();
        let mut steps = Vec::new();
        for spec in agentdb_tables::TABLES {
            // A source behind this agentdb may lack the newer tables.
            if source.table_exists(spec.name)? {
                steps.push(Step::plain(spec, backend, filter));
            }
        }
        Ok(steps)
    }

    fn migrate_target(
        &self,
        target: &mut AnyConnection,
        target_name: &str,
        lock_timeout: Duration,
    ) -> Result<usize> {
        let Some(version) = &self.source_version else {
            return Ok(0);
        };
        let options = RunOptions {
            lock_timeout,
            dry_run: false,
        };
        Ok(migrations::migrate_up_to(target, options, version)
            .with_context(|| format!("cannot migrate the target {target_name}"))?
            .len())
    }
}
