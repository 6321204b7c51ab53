//! `agentdb status`: every migration's state, read without writing anything.

use anyhow::Result;
use serde::Serialize;

use super::Context;
use crate::cli::StatusArgs;
use crate::db::{Access, Backend};
use crate::error::exit;
use crate::migrations::{self, MigrationState, StateSummary};
use crate::output::{Report, Text};

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub database: String,
    pub backend: Backend,
    pub migrations: Vec<MigrationState>,
    pub summary: StateSummary,
    /// True when nothing is pending or unknown.
    pub up_to_date: bool,
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
    }
}

pub fn run(ctx: &Context, args: &StatusArgs) -> Result<u8> {
    let db = ctx.open(Access::ReadOnly)?;
    let mut conn = db.connect()?;
    let backend = conn.backend();
    let states = migrations::read_states(&mut conn)?;
    let summary = migrations::summarize(&states);
    let up_to_date = summary.pending == 0 && summary.unknown == 0;
    ctx.output.emit(&StatusReport {
        database: db.display.clone(),
        backend,
        migrations: states,
        summary,
        up_to_date,
    })?;
    Ok(if args.check && !up_to_date {
        exit::CHECK
    } else {
        exit::OK
    })
}
