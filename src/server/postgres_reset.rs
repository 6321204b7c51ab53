//! `database reset` on PostgreSQL: the new database is created under a temporary name
//! (`NAME_agentdb_tmp_PID`), migrated there, and only then put in the old one's place (`DROP
//! DATABASE NAME`, `ALTER DATABASE … RENAME TO NAME`, one step against SIGINT/SIGTERM). The
//! name holds the old database whole, the new one fully migrated, or (SIGKILL in the instant
//! between the two statements) nothing.
//!
//! The temporary is an `files::Undo`: an error or SIGINT/SIGTERM/SIGHUP drops it (the handler
//! runs on its own thread and talks to the server). After SIGKILL it stays; the next `database
//! create`, `drop` or `reset` of the same name drops every `NAME_agentdb_tmp_*` database that
//! no session is connected to (`remove_leftovers`): a reset in progress is connected to its
//! temporary all along, except in the instant of the swap.

use anyhow::{bail, Context, Result};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use sha2::Digest;

use super::{
    drop_postgres, maintenance_connection, quote_identifier, sessions_using, url_for_database,
    Dropped,
};
use crate::config::{Settings, Target};
use crate::files::Undo;

/// What marks a temporary database, between the name and the process id.
const TEMP_TAG: &str = "_agentdb_tmp_";

/// PostgreSQL's longest identifier in bytes (NAMEDATALEN - 1); longer ones are truncated.
const MAX_IDENTIFIER: usize = 63;

/// Room kept for the process id (a u32).
const PID_DIGITS: usize = 10;

/// The new database of a `database reset`, built under a temporary name. Dropped without
/// `commit`, the temporary database is dropped.
pub struct StagedDatabase {
    /// The operator's URL: the maintenance database is reached through it.
    url: String,
    name: String,
    temp: String,
    /// The temporary database, to migrate.
    target: Target,
    display: String,
    settings: Settings,
    undo: Undo,
}

/// Everything before the process id in the temporary names of database `name`:
/// `NAME_agentdb_tmp_`; a name too long for that and a process id within 63 bytes is cut (at a
/// character boundary) and followed by a hash of the whole name, so two long names that start
/// alike never share temporaries.
pub fn temporary_prefix(name: &str) -> String {
    let plain = format!("{name}{TEMP_TAG}");
    if plain.len() + PID_DIGITS <= MAX_IDENTIFIER {
        return plain;
    }
    let hash = hex::encode(&sha2::Sha256::digest(name.as_bytes())[..4]);
    let mut cut = MAX_IDENTIFIER - PID_DIGITS - TEMP_TAG.len() - hash.len() - 1;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash}{TEMP_TAG}", &name[..cut])
}

/// Creates the temporary database for resetting `name` (plain `CREATE DATABASE`, as `database
/// create` makes one: the server's default owner, encoding and template), after removing the
/// leftovers of killed resets.
pub(super) fn stage(
    url: &str,
    name: &str,
    display: &str,
    settings: &Settings,
) -> Result<StagedDatabase> {
    let mut conn = maintenance_connection(url, name, settings)?;
    remove_leftovers(&mut conn, name);
    let temp = format!("{}{}", temporary_prefix(name), std::process::id());
    let undo = {
        let (url, name, temp, settings) = (
            url.to_string(),
            name.to_string(),
            temp.clone(),
            settings.clone(),
        );
        // Best effort: what fails here (the server gone) is a leftover the next run removes.
        move || {
            let _ = drop_temporary(&url, &name, &temp, &settings);
        }
    };
    let create = || -> Result<()> {
        match conn.batch_execute(&format!("CREATE DATABASE {}", quote_identifier(&temp))) {
            Ok(()) => Ok(()),
            Err(e) if super::is_duplicate_database(&e.to_string()) => bail!(
                "cannot reset database \"{name}\": its temporary database \"{temp}\" already exists and is in use (another agentdb reset of it in progress, or a PgBouncer's server connections to a killed one's); the database was not changed"
            ),
            Err(e) => Err(e).with_context(|| {
                format!("cannot create the temporary database \"{temp}\" on {display}")
            }),
        }
    };
    let undo = Undo::make(create, undo)?;
    let target = Target::Postgres(url_for_database(url, &temp)?);
    Ok(StagedDatabase {
        url: url.to_string(),
        name: name.to_string(),
        temp,
        target,
        display: display.to_string(),
        settings: settings.clone(),
        undo,
    })
}

impl StagedDatabase {
    /// The temporary database, to migrate.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Drops the old database (refused when in use without `force`, as `database drop` is;
    /// then the temporary is dropped and the old one is untouched) and renames the temporary to
    /// its name; true when there was an old one. The caller has closed its connections to the
    /// temporary; sessions still there are ours (a PgBouncer keeps server connections it
    /// opened for us) and are ended first, since a database in use cannot be renamed.
    pub fn commit(self, force: bool) -> Result<bool> {
        let StagedDatabase {
            url,
            name,
            temp,
            display,
            settings,
            undo,
            ..
        } = self;
        let mut conn = maintenance_connection(&url, &name, &settings)?;
        end_sessions(&mut conn, &temp)?;
        undo.finish(|| {
            let dropped = drop_postgres(&mut conn, &name, force, &display)?;
            conn.batch_execute(&format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_identifier(&temp),
                quote_identifier(&name)
            ))
            .with_context(|| {
                format!("cannot rename the new database \"{temp}\" to \"{name}\" on {display}")
            })?;
            Ok(dropped == Dropped::Dropped)
        })
    }
}

/// Ends every session connected to `name` but this one.
fn end_sessions(conn: &mut PgConnection, name: &str) -> Result<()> {
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind::<Text, _>(name)
    .execute(conn)
    .with_context(|| format!("cannot end the sessions connected to database \"{name}\""))?;
    Ok(())
}

/// The undo step: ends the sessions on the temporary (our own connection to it included, which
/// a signal may find mid-migration) and drops it. `DROP DATABASE` waits a few seconds for
/// ended sessions to go.
fn drop_temporary(url: &str, name: &str, temp: &str, settings: &Settings) -> Result<()> {
    let mut conn = maintenance_connection(url, name, settings)?;
    end_sessions(&mut conn, temp)?;
    conn.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {}",
        quote_identifier(temp)
    ))?;
    Ok(())
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Drops the temporaries of `name` left by killed resets: every `NAME_agentdb_tmp_<digits>`
/// database no session is connected to. One still in use (a reset in progress, a PgBouncer's
/// idle server connections to a killed one's) is left for a later run. Best effort: a failure
/// here never stops the command that called it.
pub(super) fn remove_leftovers(conn: &mut PgConnection, name: &str) {
    let prefix = temporary_prefix(name);
    let found: Vec<NameRow> = match diesel::sql_query(
        "SELECT datname::text AS name FROM pg_database WHERE left(datname, length($1)) = $1",
    )
    .bind::<Text, _>(&prefix)
    .load(conn)
    {
        Ok(rows) => rows,
        Err(_) => return,
    };
    for row in found {
        let pid = &row.name[prefix.len().min(row.name.len())..];
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if sessions_using(conn, &row.name).unwrap_or(1) > 0 {
            continue;
        }
        let _ = conn.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {}",
            quote_identifier(&row.name)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_fit_postgresql_identifiers() {
        assert_eq!(temporary_prefix("app"), "app_agentdb_tmp_");
        for name in [
            "x".repeat(63),
            "é".repeat(31),
            format!("a{}", "ü".repeat(30)),
        ] {
            let prefix = temporary_prefix(&name);
            assert!(prefix.len() + PID_DIGITS <= MAX_IDENTIFIER, "{prefix}");
            assert!(prefix.ends_with(TEMP_TAG), "{prefix}");
        }
        // Long names that start alike get different temporaries.
        let a = format!("{}a", "n".repeat(60));
        let b = format!("{}b", "n".repeat(60));
        assert_ne!(temporary_prefix(&a), temporary_prefix(&b));
    }
}
