//! The drift reference embedded in the binary (`src/schema/reference_*.json`) is what the
//! migrations give: built here the slow way — on the real PostgreSQL server in temporary tables
//! inside a rolled-back transaction, on SQLite in memory — and compared with the committed
//! file. `AGENTDB_BLESS=1` rewrites the files instead. A second test proves every prefix of
//! the reference against databases migrated (and rolled back) by agentdb itself.

mod common;

use std::path::PathBuf;

use agentdb::db::Backend;
use agentdb::schema::reference::{self, REGENERATE};
use common::*;
use diesel::pg::PgConnection;
use diesel::Connection;

fn committed_file(backend: Backend) -> PathBuf {
    let name = match backend {
        Backend::Postgres => "reference_postgres.json",
        Backend::Sqlite => "reference_sqlite.json",
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/schema")
        .join(name)
}

fn check_fresh(backend: Backend, postgres: Option<&mut PgConnection>) {
    let built = reference::build(backend, postgres).expect("build the reference");
    let text = reference::to_json(&built);
    let path = committed_file(backend);
    if std::env::var("AGENTDB_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &text).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{} differs from what the migrations give; regenerate it with\n\n    {REGENERATE}\n\n\
         and commit it. First differing line: {:?}",
        path.display(),
        committed
            .lines()
            .zip(text.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("line {}: committed {a:?}, built {b:?}", i + 1))
            .unwrap_or_else(|| "one file is a prefix of the other".to_string())
    );
    // What the binary embeds is the committed file.
    assert_eq!(reference::embedded(backend).unwrap(), built);
}

#[test]
fn embedded_reference_is_fresh_sqlite() {
    check_fresh(Backend::Sqlite, None);
}

#[test]
fn embedded_reference_is_fresh_postgres() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let mut conn = PgConnection::establish(&db.url).unwrap();
    check_fresh(Backend::Postgres, Some(&mut conn));
    // The reference was built in temporary tables that were rolled back: nothing is left.
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM pg_class WHERE relname = 'tenants'"),
        0
    );
}

// Every prefix of the reference matches a database agentdb really migrated: migrate all,
// then roll back one migration at a time; at every step `status --verify` finds no drift and
// compares the tables the applied migrations create.
both_backends!(every_prefix_matches_a_migrated_database, |db| {
    db.cmd().arg("migrate").assert().success();
    let backend = match db.kind {
        Kind::Sqlite => Backend::Sqlite,
        Kind::Postgres => Backend::Postgres,
    };
    let steps = reference::embedded(backend).unwrap().migrations;
    assert_eq!(
        steps.iter().map(|s| s.version.clone()).collect::<Vec<_>>(),
        agentdb::schema::migrations::embedded_ids(backend)
            .unwrap()
            .into_iter()
            .map(|m| m.version)
            .collect::<Vec<_>>(),
        "the reference covers every migration"
    );
    for applied in (0..=steps.len()).rev() {
        assert_eq!(db.applied_versions().len(), applied);
        let out = db
            .cmd()
            .args(["--format", "json", "status", "--verify"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let report = json_of(&out);
        assert_eq!(
            report["schema_drift"]["differences"],
            serde_json::json!([]),
            "after {applied} migrations"
        );
        // The compared tables are exactly the tables the migrations made.
        let mut compared: Vec<String> =
            serde_json::from_value(report["schema_drift"]["tables"].clone()).unwrap();
        compared.sort();
        let mut tables = db.tables();
        tables.retain(|t| t != "__diesel_schema_migrations");
        assert_eq!(compared, tables, "after {applied} migrations");
        if applied > 0 {
            db.cmd().args(["rollback", "--yes"]).assert().success();
        }
    }
});
