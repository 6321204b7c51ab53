//! `agentdb copy --layout agentkit|adk-integration --tenant ID`: the parts of `copy` that only a
//! legacy layout has: its options, its dry run, and the report section of what the import found.
//! The copy itself runs through `copy.rs` with the layout's group (`crate::legacy`).

use std::time::Instant;

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::cli::{self, CopyArgs};
use crate::db::{AnyConnection, Backend};
use crate::error::{exit, UsageError};
use crate::legacy::{self, Findings, Import, Layout, Preview};
use crate::output::{Report, Text};

/// The layout and the import's options from the flags (clap already required `--tenant` and
/// kept `--include` out): one tenant, tenant ids already validated.
pub fn options(args: &CopyArgs) -> Result<Option<(Layout, legacy::Options)>> {
    let Some(layout) = args.layout else {
        return Ok(None);
    };
    let [tenant] = args.tenant.as_slice() else {
        return Err(UsageError::new(
            "--layout imports into exactly one tenant: give --tenant once",
        )
        .into());
    };
    let layout = match layout {
        cli::Layout::Agentkit => Layout::Agentkit,
        cli::Layout::AdkIntegration => Layout::AdkIntegration,
    };
    let options = legacy::Options {
        tenant: tenant.clone(),
        skip_orphans: args.skip_orphans,
    };
    Ok(Some((layout, options)))
}

/// The section a `--layout` copy adds to copy's report.
#[derive(Debug, Serialize)]
pub struct LayoutSection {
    pub name: Layout,
    #[serde(flatten)]
    pub import: Import,
}

impl LayoutSection {
    pub fn render(&self, out: &mut Text, tenant: &str) {
        if self.import.tenant_created {
            out.line(format!("Tenant {tenant} created in the target."));
        }
        render_findings(out, &self.import.findings);
    }
}

/// Orphans left out and `message_count` disagreements (extra columns go to `-v`).
fn render_findings(out: &mut Text, findings: &Findings) {
    for skipped in findings.orphans_skipped.iter().filter(|s| s.rows > 0) {
        out.line(format!(
            "Left out {} orphan row(s) of {} (--skip-orphans).",
            skipped.rows, skipped.table
        ));
    }
    if findings.message_count_mismatch_total > 0 {
        let listed: Vec<String> = findings
            .message_count_mismatches
            .iter()
            .map(|m| {
                format!(
                    "{} ({} stored, {} counted)",
                    m.conversation_id, m.message_count, m.messages
                )
            })
            .collect();
        out.line(format!(
            "message_count disagrees with the messages of {} conversation(s) (not stored): {}",
            findings.message_count_mismatch_total,
            listed.join(", ")
        ));
    }
}

/// Tells `-v` which columns went into `metadata`.
pub fn debug_extra_columns(ctx: &Context, findings: &Findings) {
    if !findings.extra_columns.is_empty() {
        ctx.output.debug(format!(
            "columns the layout's guide does not list, carried into metadata under their own names: {}",
            findings.extra_columns.join(", ")
        ));
    }
}

#[derive(Debug, Serialize)]
pub struct DryRunReport {
    pub from: String,
    pub from_backend: Backend,
    pub to: String,
    pub layout: Layout,
    pub tenant: String,
    pub dry_run: bool,
    /// The agentdb rows the copy would write, per table, with the digest it would verify.
    pub tables: Vec<Preview>,
    pub rows: u64,
    #[serde(flatten)]
    pub findings: Findings,
    pub duration_ms: u128,
}

impl Report for DryRunReport {
    fn render(&self, out: &mut Text) {
        out.line(format!(
            "Dry run: would copy {} rows from {} ({}) to {} under tenant {}; nothing was written.",
            self.rows,
            self.from,
            self.layout.name(),
            self.to,
            self.tenant
        ));
        out.table(
            &["table", "rows", "digest"],
            self.tables.iter().map(|t| {
                vec![
                    t.table.to_string(),
                    t.rows.to_string(),
                    t.digest[..12].to_string(),
                ]
            }),
        );
        render_findings(out, &self.findings);
    }
}

/// `--dry-run`: the source checked and every row mapped; the target is not opened.
pub struct DryRunEnds<'a> {
    pub source: &'a mut AnyConnection,
    pub source_name: &'a str,
    pub target_name: String,
    pub target_backend: Backend,
    pub started: Instant,
}

pub fn dry_run(
    ctx: &Context,
    layout: Layout,
    options: &legacy::Options,
    ends: DryRunEnds<'_>,
) -> Result<u8> {
    let from_backend = ends.source.backend();
    let preview = legacy::preview(
        layout,
        ends.source,
        ends.source_name,
        options,
        ends.target_backend,
    )?;
    debug_extra_columns(ctx, &preview.findings);
    let report = DryRunReport {
        from: ends.source_name.to_string(),
        from_backend,
        to: ends.target_name,
        layout,
        tenant: options.tenant.clone(),
        dry_run: true,
        rows: preview.tables.iter().map(|t| t.rows).sum(),
        tables: preview.tables,
        findings: preview.findings,
        duration_ms: ends.started.elapsed().as_millis(),
    };
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}
