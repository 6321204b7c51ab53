//! `migrate --dry-run --sql` (issue 13): the script printed is exactly what `migrate` runs, and
//! applied by hand with `psql`/`sqlite3` it leaves the schema up to date, on both backends and
//! through PgBouncer.

mod common;

use std::process::Command as StdCommand;

use common::drift::reference_tables_left;
use common::*;

// migrate --dry-run --sql

/// The script without its header comment block.
fn script_body(script: &str) -> &str {
    script.split_once("\n\n").map(|(_, body)| body).unwrap()
}

/// Applies a script by hand: psql or sqlite3, stopping at the first error.
fn apply_by_hand(db: &TestDb, script: &str) {
    let file = db.dir.path().join("migrate.sql");
    std::fs::write(&file, script).unwrap();
    let out = match db.kind {
        Kind::Postgres => StdCommand::new("psql")
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &db.url, "-f"])
            .arg(&file)
            .output(),
        Kind::Sqlite => StdCommand::new("sqlite3")
            .args(["-bail", &db.url])
            .stdin(std::fs::File::open(&file).unwrap())
            .output(),
    }
    .expect("psql / sqlite3");
    assert!(
        out.status.success(),
        "applying the script failed:\n{}\n{script}",
        stderr_of(&out)
    );
}

both_backends!(
    dry_run_sql_applied_by_hand_leaves_the_schema_up_to_date,
    |db| {
        let kind = db.kind;
        if kind == Kind::Sqlite {
            std::fs::write(db.path(), b"").unwrap();
        }
        let out = db
            .cmd()
            .args(["migrate", "--dry-run", "--sql"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        let script = stdout_of(&out);
        assert!(
            db.tables().is_empty(),
            "the dry run wrote: {:?}",
            db.tables()
        );
        for v in known_versions() {
            assert!(
                script.contains(&format!("VALUES ('{v}')")),
                "{v} not in\n{script}"
            );
        }
        apply_by_hand(&db, &script);
        let check = db
            .cmd()
            .args(["status", "--check", "--verify"])
            .output()
            .unwrap();
        assert_eq!(code(&check), Some(0), "{kind:?}: {}", stdout_of(&check));
        // Part of the way: only what is pending is in the script.
        db.cmd()
            .args(["rollback", "--steps", "2"])
            .assert()
            .success();
        let out = db
            .cmd()
            .args(["--format", "json", "migrate", "--dry-run", "--sql"])
            .output()
            .unwrap();
        let report = json_of(&out);
        assert_eq!(report["applied"].as_array().unwrap().len(), 2);
        let script = report["sql"].as_str().unwrap().to_string();
        let versions = known_versions();
        assert!(!script.contains(&format!("VALUES ('{}')", versions[0])));
        assert!(script.contains(&format!("VALUES ('{}')", versions[3])));
        apply_by_hand(&db, &script);
        let check = db.cmd().args(["status", "--check"]).output().unwrap();
        assert_eq!(code(&check), Some(0), "{}", stdout_of(&check));
        // Up to date: the script takes the lock and changes nothing; it still applies.
        let out = db
            .cmd()
            .args(["migrate", "--dry-run", "--sql"])
            .output()
            .unwrap();
        let script = stdout_of(&out);
        assert!(!script.contains("SAVEPOINT"), "{script}");
        apply_by_hand(&db, &script);
        assert_eq!(db.applied_versions(), known_versions());
    }
);

/// The statements a real `migrate` runs (from `SQL_ECHO`), from its lock to its commit,
/// without its reads, formatted as the script formats them.
fn echoed_writes(stderr: &str, kind: Kind) -> String {
    let mut statements: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if let Some(sql) = line.strip_prefix("SQL: ") {
            statements.push(sql.to_string());
        } else if let Some(last) = statements.last_mut() {
            last.push('\n');
            last.push_str(line);
        }
    }
    let start = match kind {
        Kind::Sqlite => "PRAGMA busy_timeout = 60000",
        Kind::Postgres => "BEGIN",
    };
    let from = statements.iter().position(|s| s == start).expect(start);
    let mut text = String::new();
    for s in &statements[from..] {
        let s = s.trim_end().trim_end_matches(" -- bind values not shown");
        if s.starts_with("SELECT") && !s.contains("pg_advisory_xact_lock") {
            continue;
        }
        text.push_str(s);
        if !s.ends_with(';') {
            text.push_str(if s.contains('\n') { "\n;" } else { ";" });
        }
        text.push_str("\n\n");
    }
    text
}

both_backends!(dry_run_sql_is_exactly_what_migrate_runs, |printed| {
    let kind = printed.kind;
    let Some(migrated) = TestDb::new(kind) else {
        return;
    };
    if kind == Kind::Sqlite {
        std::fs::write(printed.path(), b"").unwrap();
    }
    let out = printed
        .cmd()
        .args(["migrate", "--dry-run", "--sql"])
        .output()
        .unwrap();
    let mut script = script_body(&stdout_of(&out)).to_string();
    let placeholder = if kind == Kind::Postgres { "$1" } else { "?" };
    for v in known_versions() {
        script = script.replace(
            &format!("VALUES ('{v}')"),
            &format!("VALUES ({placeholder})"),
        );
    }
    // The lock key is written into the SQL both in the script and in what migrate runs.
    let out = migrated
        .cmd()
        .env("SQL_ECHO", "true")
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        script.trim_end(),
        echoed_writes(&stderr_of(&out), kind).trim_end(),
        "{kind:?}"
    );
});

#[test]
fn dry_run_sql_and_verify_through_pgbouncer() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let url = bouncer.url_for(&db);
    let out = run_on(&db, &url, &["migrate", "--dry-run", "--sql"]);
    assert_eq!(
        code(&out),
        Some(0),
        "{}\n{}",
        stderr_of(&out),
        bouncer.log()
    );
    assert!(db.tables().is_empty());
    apply_by_hand(&db, &stdout_of(&out));
    for _ in 0..3 {
        let out = run_on(
            &db,
            &url,
            &["--format", "json", "status", "--check", "--verify"],
        );
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        assert_eq!(
            json_of(&out)["schema_drift"]["differences"],
            serde_json::json!([])
        );
    }
    db.exec("ALTER TABLE threads ADD COLUMN priority integer");
    let out = run_on(&db, &url, &["--format", "json", "status", "--verify"]);
    assert_eq!(code(&out), Some(3), "{}", stderr_of(&out));
    let differences = json_of(&out)["schema_drift"]["differences"].clone();
    assert_eq!(
        differences,
        serde_json::json!([{"table": "threads", "object": "column", "name": "priority",
                             "expected": null, "actual": "integer NULL"}])
    );
    assert_eq!(reference_tables_left(&db), 0);
}

#[test]
fn dry_run_sql_needs_dry_run() {
    let db = TestDb::sqlite();
    let out = db.cmd().args(["migrate", "--sql"]).output().unwrap();
    assert_eq!(code(&out), Some(2), "{}", stderr_of(&out));
}

// ---------------------------------------------------------------------------------------
