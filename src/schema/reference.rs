//! The reference shape of agentdb's tables, per backend, embedded in the binary: for every
//! migration, the tables it creates or changes in the shape they have after it (and those it
//! removes), so the shape after any prefix of the migrations is a fold of the first steps.
//!
//! The files (`reference_postgres.json`, `reference_sqlite.json`) are generated from the
//! migrations by [`build`] — on PostgreSQL in the session's temporary schema inside a
//! transaction that is rolled back, on SQLite in an in-memory database — and
//! `tests/drift_reference.rs` fails, printing [`REGENERATE`], when a committed file differs
//! from what the migrations give. At run time they are only read.

use anyhow::{bail, Context, Result};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use serde::{Deserialize, Serialize};

use super::drift::{postgres_shape, sqlite_shape, Shape};
use crate::db::{Backend, TextRow};
use crate::schema::script::embedded_sql;

/// The command that rewrites the committed files from the migrations.
pub const REGENERATE: &str = "AGENTDB_BLESS=1 cargo test --locked --test drift_reference";

const POSTGRES_JSON: &str = include_str!("reference_postgres.json");
const SQLITE_JSON: &str = include_str!("reference_sqlite.json");

/// One backend's reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// `postgres` or `sqlite`.
    pub backend: String,
    /// How the file was made and how to make it again.
    pub generated_by: String,
    pub migrations: Vec<Step>,
}

/// What one migration does to agentdb's tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub version: String,
    pub name: String,
    /// The tables this migration creates or changes, in their shape after it.
    #[serde(default, skip_serializing_if = "Shape::is_empty")]
    pub tables: Shape,
    /// The tables this migration drops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

/// The reference embedded in this binary.
pub fn embedded(backend: Backend) -> Result<Reference> {
    let json = match backend {
        Backend::Postgres => POSTGRES_JSON,
        Backend::Sqlite => SQLITE_JSON,
    };
    serde_json::from_str(json).context("the embedded schema reference does not parse")
}

/// The shape agentdb's tables have after the `applied` migrations (versions, in order).
pub fn expected(backend: Backend, applied: &[&str]) -> Result<Shape> {
    let reference = embedded(backend)?;
    let known: Vec<&str> = reference
        .migrations
        .iter()
        .map(|s| s.version.as_str())
        .collect();
    if applied.len() > known.len() || applied != &known[..applied.len()] {
        let missing: Vec<&str> = known
            .iter()
            .filter(|v| !applied.contains(v))
            .take_while(|v| applied.iter().any(|a| a > *v))
            .copied()
            .collect();
        bail!(
            "cannot verify the schema: its applied migrations are not the first {} of this agentdb's (not applied before a later one: {}); run `agentdb migrate`",
            applied.len(),
            if missing.is_empty() { "none".to_string() } else { missing.join(", ") }
        );
    }
    Ok(fold(&reference.migrations[..applied.len()]))
}

/// The shape after `steps`.
fn fold(steps: &[Step]) -> Shape {
    let mut shape = Shape::new();
    for step in steps {
        for table in &step.removed {
            shape.remove(table);
        }
        for (table, t) in &step.tables {
            shape.insert(table.clone(), t.clone());
        }
    }
    shape
}

/// The step from `before` to `after`.
fn step(version: String, name: String, before: &Shape, after: &Shape) -> Step {
    Step {
        version,
        name,
        tables: after
            .iter()
            .filter(|(table, t)| before.get(*table) != Some(*t))
            .map(|(table, t)| (table.clone(), t.clone()))
            .collect(),
        removed: before
            .keys()
            .filter(|table| !after.contains_key(*table))
            .cloned()
            .collect(),
    }
}

/// Builds the reference from the migrations themselves, the slow way: on PostgreSQL (`conn`
/// any database of the server) each migration runs in the session's temporary schema inside
/// a transaction that is rolled back, and the catalog is read after each; on SQLite in an
/// in-memory database. Used by the test that keeps the embedded files fresh; never at run time.
pub fn build(backend: Backend, postgres: Option<&mut PgConnection>) -> Result<Reference> {
    let shapes = match backend {
        Backend::Sqlite => sqlite_shapes()?,
        Backend::Postgres => {
            let conn = postgres.context("building the PostgreSQL reference needs a server")?;
            postgres_shapes(conn)?
        }
    };
    let mut before = Shape::new();
    let mut migrations = Vec::new();
    for (m, after) in embedded_sql(backend).iter().zip(shapes) {
        let name = m.name.split_once('_').map(|(_, n)| n).unwrap_or(m.name);
        migrations.push(step(m.version(), name.to_string(), &before, &after));
        before = after;
    }
    Ok(Reference {
        backend: match backend {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
        .to_string(),
        generated_by: format!("the migrations, by {REGENERATE} (do not edit by hand)"),
        migrations,
    })
}

/// The file's text: pretty JSON ending in a newline.
pub fn to_json(reference: &Reference) -> String {
    let mut text = serde_json::to_string_pretty(reference).expect("a reference serializes");
    text.push('\n');
    text
}

fn sqlite_shapes() -> Result<Vec<Shape>> {
    let mut conn = SqliteConnection::establish(":memory:")
        .context("cannot open an in-memory SQLite database for the reference schema")?;
    let mut shapes = Vec::new();
    for m in embedded_sql(Backend::Sqlite) {
        conn.batch_execute(m.up)
            .with_context(|| format!("cannot apply {}", m.name))?;
        shapes.push(sqlite_shape(&mut conn, None)?);
    }
    Ok(shapes)
}

fn postgres_shapes(conn: &mut PgConnection) -> Result<Vec<Shape>> {
    let mut result = None;
    let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        result = Some(postgres_shapes_in_transaction(conn));
        Err(diesel::result::Error::RollbackTransaction)
    });
    match (result, outcome) {
        (Some(shapes), _) => shapes,
        (None, Err(e)) => Err(e).context("cannot start the reference transaction"),
        (None, Ok(())) => unreachable!("the transaction always rolls back"),
    }
}

fn postgres_shapes_in_transaction(conn: &mut PgConnection) -> Result<Vec<Shape>> {
    let path: TextRow = diesel::sql_query("SELECT current_setting('search_path') AS value")
        .get_result(conn)
        .context("cannot read the search path")?;
    // The session's temporary schema first, so the migrations create their tables there; the
    // rest of the search path stays, for anything the migrations use from it.
    conn.batch_execute(&format!("SET LOCAL search_path = pg_temp, {}", path.value))
        .context("cannot set the search path for the reference schema")?;
    let mut shapes = Vec::new();
    for m in embedded_sql(Backend::Postgres) {
        conn.batch_execute(m.up)
            .with_context(|| format!("cannot apply {} in temporary tables", m.name))?;
        let schema: Option<TextRow> = diesel::sql_query(
            "SELECT nspname::text AS value FROM pg_namespace WHERE oid = pg_my_temp_schema()",
        )
        .get_result(conn)
        .optional()
        .context("cannot find the temporary schema of the reference")?;
        shapes.push(match schema {
            // No temporary table yet: nothing created so far.
            None => Shape::new(),
            Some(s) => postgres_shape(conn, Some(&s.value), None)?,
        });
    }
    Ok(shapes)
}
