//! A legacy layout as a copy group (`copy --layout`): the engine plans, writes and verifies it
//! like any other group; the target is migrated to this agentdb's schema first and the tenant
//! created inside the copy's transaction when it does not exist.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result};
use serde::Serialize;

use super::{adk_integration, agentkit, dry_run, ensure_tenant, Findings, LegacyPlan, Options};
use crate::copy::{Filter, Group, Step};
use crate::db::{AnyConnection, Backend};
use crate::schema::migrations::{self, RunOptions};

/// The legacy layouts agentdb reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// agentkit's `threads` and `messages`.
    Agentkit,
    /// The Google ADK integration's `new_agent`, `new_conversations`, `new_messages`.
    AdkIntegration,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::Agentkit => agentkit::LAYOUT,
            Layout::AdkIntegration => adk_integration::LAYOUT,
        }
    }

    /// Checks the source (every refusal that depends on it) and plans the steps.
    pub fn plan(
        self,
        source: &mut AnyConnection,
        source_name: &str,
        options: &Options,
        target: Backend,
    ) -> Result<LegacyPlan> {
        match self {
            Layout::Agentkit => agentkit::plan(source, source_name, options, target),
            Layout::AdkIntegration => adk_integration::plan(source, source_name, options, target),
        }
    }
}

/// What an import found and did beyond its tables, for the report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Import {
    /// The tenant did not exist in the target and was created.
    pub tenant_created: bool,
    #[serde(flatten)]
    pub findings: Findings,
}

/// A legacy layout imported under one tenant. The group goes to the engine; what it finds and
/// does is shared through `Import`.
pub struct LegacyGroup {
    layout: Layout,
    options: Options,
    import: Rc<RefCell<Import>>,
}

impl LegacyGroup {
    pub fn new(layout: Layout, options: Options) -> (LegacyGroup, Rc<RefCell<Import>>) {
        let import = Rc::new(RefCell::new(Import::default()));
        let group = LegacyGroup {
            layout,
            options,
            import: Rc::clone(&import),
        };
        (group, import)
    }
}

impl Group for LegacyGroup {
    fn name(&self) -> &'static str {
        self.layout.name()
    }

    fn plan(
        &mut self,
        source: &mut AnyConnection,
        source_name: &str,
        target: Backend,
        _filter: &Filter,
    ) -> Result<Vec<Step<'static>>> {
        let plan = self
            .layout
            .plan(source, source_name, &self.options, target)?;
        self.import.borrow_mut().findings = plan.findings;
        Ok(plan.steps)
    }

    /// The target gets this agentdb's whole schema (a legacy source has none of its own).
    fn migrate_target(
        &self,
        target: &mut AnyConnection,
        target_name: &str,
        lock_timeout: Duration,
    ) -> Result<usize> {
        let options = RunOptions {
            lock_timeout,
            dry_run: false,
        };
        Ok(migrations::migrate(target, options)
            .with_context(|| format!("cannot migrate the target {target_name}"))?
            .len())
    }

    fn prepare_target(&self, target: &mut AnyConnection, _target_name: &str) -> Result<()> {
        let created = ensure_tenant(target, &self.options.tenant)?;
        self.import.borrow_mut().tenant_created = created;
        Ok(())
    }
}

/// A dry run's report: what the copy would write, and what it found.
#[derive(Debug, Clone, Serialize)]
pub struct DryRun {
    pub tables: Vec<super::Preview>,
    #[serde(flatten)]
    pub findings: Findings,
}

/// `copy --layout … --dry-run`: the source checked, every row read and mapped; nothing is
/// written and the target is not opened.
pub fn preview(
    layout: Layout,
    source: &mut AnyConnection,
    source_name: &str,
    options: &Options,
    target: Backend,
) -> Result<DryRun> {
    let mut plan = layout.plan(source, source_name, options, target)?;
    let tables = dry_run(source, &mut plan.steps)?;
    Ok(DryRun {
        tables,
        findings: plan.findings,
    })
}
