//! `agentdb status`: every migration's state, read without writing anything.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::cli::StatusArgs;
use crate::db::{Access, Backend};
use crate::error::exit;
use crate::output::{Report, Text};
use crate::schema::drift::{self, Drift};
use crate::schema::migrations::{self, MigrationState, StateSummary};

/// The differences as a table, or one line saying there are none.
fn render_drift(out: &mut Text, drift: &Drift) {
    if drift.differences.is_empty() {
        out.line(format!(
            "Schema matches the migrations ({} tables compared).",
            drift.tables.len()
        ));
        return;
    }
    out.line(format!(
        "Schema drift: {} difference(s) from what the migrations define:",
        drift.differences.len()
    ));
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
    out.table(
        &["table", "object", "name", "expected", "actual"],
        drift.differences.iter().map(|d| {
            vec![
                d.table.clone(),
                d.object.to_string(),
                d.name.clone(),
                shown(&d.expected),
                shown(&d.actual),
            ]
        }),
    );
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub database: String,
    pub backend: Backend,
    pub migrations: Vec<MigrationState>,
    pub summary: StateSummary,
    /// True when nothing is pending or unknown.
    pub up_to_date: bool,
    /// With `--verify`: the live schema against what the applied migrations define.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_drift: Option<Drift>,
}

impl Report for StatusReport {
    fn render(&self, out: &mut Text) {
        out.table(
            &["version", "name", "state", "applied at (UTC)"],
            self.migrations.iter().map(|m| {
                vec![
                    m.id.version.clone(),
                    m.id.name.clone(),
                    m.state.to_string(),
                    m.applied_at.clone().unwrap_or_else(|| "-".to_string()),
                ]
            }),
        );
        let s = &self.summary;
        out.line(format!(
            "{}: {} applied, {} pending, {} unknown",
            self.database, s.applied, s.pending, s.unknown
        ));
        if let Some(drift) = &self.schema_drift {
            render_drift(out, drift);
        }
    }
}

pub fn run(ctx: &Context, args: &StatusArgs) -> Result<u8> {
    let db = ctx.open(Access::ReadOnly)?;
    let mut conn = db.connect()?;
    let backend = conn.backend();
    let states = migrations::read_states(&mut conn)?;
    let summary = migrations::summarize(&states);
    let up_to_date = summary.pending == 0 && summary.unknown == 0;
    let schema_drift = if args.verify {
        Some(drift::verify_with_states(&mut conn, &states)?)
    } else {
        None
    };
    let drifted = schema_drift
        .as_ref()
        .is_some_and(|d| !d.differences.is_empty());
    ctx.output.emit(&StatusReport {
        database: db.display.clone(),
        backend,
        migrations: states,
        summary,
        up_to_date,
        schema_drift,
    })?;
    Ok(if (args.check && !up_to_date) || drifted {
        exit::CHECK
    } else {
        exit::OK
    })
}
