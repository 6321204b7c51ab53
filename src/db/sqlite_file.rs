//! What agentdb asks of a SQLite file as a whole (a backup it wrote): its integrity check, and
//! a rollback journal so that the file is self-contained. Kept here, with the connections,
//! so that commands run no PRAGMA of their own.

use anyhow::{bail, Context, Result};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{AnyConnection, TextRow};

impl AnyConnection {
    /// `PRAGMA integrity_check` of a SQLite database: `ok`, or an error with what it found.
    pub fn integrity_check(&mut self, name: &str) -> Result<String> {
        let rows: Vec<TextRow> =
            diesel::sql_query("SELECT integrity_check AS value FROM pragma_integrity_check")
                .load(self)
                .with_context(|| format!("PRAGMA integrity_check failed on {name}"))?;
        let result = rows
            .into_iter()
            .map(|r| r.value)
            .collect::<Vec<_>>()
            .join("; ");
        if result != "ok" {
            bail!("integrity check of {name} failed: {result}");
        }
        Ok(result)
    }

    /// Switches a SQLite database agentdb wrote to a rollback journal (`journal_mode =
    /// DELETE`): one self-contained file, no `-wal` beside it once it is closed.
    pub fn use_rollback_journal(&mut self) -> Result<()> {
        Ok(self.batch_execute("PRAGMA journal_mode = DELETE")?)
    }
}
