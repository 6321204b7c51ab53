//! End-to-end tests of migrate / status / rollback on both backends: the built binary, real
//! databases, checked afterwards with plain SQL.

mod common;

use std::time::Duration;

use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

const SCHEMA_TABLES: [&str; 6] = [
    "agents",
    "messages",
    "runs",
    "tenant_configs",
    "tenants",
    "threads",
];

fn expected_versions() -> Vec<String> {
    agentdb::schema::migrations::embedded_ids(agentdb::db::Backend::Sqlite)
        .unwrap()
        .into_iter()
        .map(|m| m.version)
        .collect()
}

fn assert_fully_migrated(db: &TestDb) {
    let tables = db.tables();
    for t in SCHEMA_TABLES {
        assert!(
            tables.contains(&t.to_string()),
            "table {t} missing: {tables:?}"
        );
    }
    assert_eq!(db.applied_versions(), expected_versions());
}

both_backends!(fresh_migrate_then_rerun_is_a_no_op, |db| {
    let out = db
        .cmd()
        .args(["--format", "json", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let report = json_of(&out);
    assert_eq!(report["up_to_date"], false);
    let applied: Vec<_> = report["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["version"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(applied, expected_versions());
    assert!(report["applied"][0]["duration_ms"].as_f64().is_some());
    assert_fully_migrated(&db);

    let again = db
        .cmd()
        .args(["--format", "json", "migrate"])
        .output()
        .unwrap();
    assert!(again.status.success());
    let report = json_of(&again);
    assert_eq!(report["up_to_date"], true);
    assert_eq!(report["applied"].as_array().unwrap().len(), 0);
    assert_eq!(db.applied_versions(), expected_versions());

    let text = db.cmd().arg("migrate").output().unwrap();
    assert!(stdout_of(&text).contains("up to date"));
});

both_backends!(status_json_and_check_exit_codes, |db| {
    if db.kind == Kind::Sqlite {
        // An empty existing file: nothing applied yet.
        std::fs::write(db.path(), b"").unwrap();
    }
    let before = db
        .cmd()
        .args(["status", "--check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(before.status.code(), Some(3), "{}", stderr_of(&before));
    let report = json_of(&before);
    assert_eq!(report["summary"]["pending"], expected_versions().len());
    assert_eq!(report["up_to_date"], false);
    // status must not have created the history table.
    assert!(!db
        .tables()
        .contains(&"__diesel_schema_migrations".to_string()));

    db.cmd().arg("migrate").assert().success();
    let after = db
        .cmd()
        .args(["status", "--check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(after.status.code(), Some(0));
    let report = json_of(&after);
    assert_eq!(report["summary"]["applied"], expected_versions().len());
    assert_eq!(report["summary"]["pending"], 0);
    let first = &report["migrations"][0];
    assert_eq!(first["state"], "applied");
    assert_eq!(first["name"], "create_tenants");
    assert!(first["applied_at"].as_str().unwrap().ends_with('Z'));
    // Without --check, pending migrations are not a failure.
    db.cmd().args(["rollback"]).assert().success();
    db.cmd().arg("status").assert().code(0);
    db.cmd().args(["status", "--check"]).assert().code(3);
});

both_backends!(rollback_and_reapply, |db| {
    db.cmd().arg("migrate").assert().success();
    let versions = expected_versions();
    // Everything but the first migration, newest first.
    let steps = (versions.len() - 1).to_string();
    let out = db
        .cmd()
        .args(["--format", "json", "rollback", "--steps", &steps])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let reverted: Vec<String> = json_of(&out)["reverted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_str().unwrap().to_string())
        .collect();
    let mut expected: Vec<String> = versions[1..].to_vec();
    expected.reverse();
    assert_eq!(reverted, expected);
    let tables = db.tables();
    for gone in ["runs", "messages", "threads", "agents"] {
        assert!(!tables.contains(&gone.to_string()), "{gone} still there");
    }
    assert!(tables.contains(&"tenants".to_string()));
    assert_eq!(db.applied_versions(), versions[..1].to_vec());

    db.cmd().arg("migrate").assert().success();
    assert_fully_migrated(&db);

    // Rolling back more than is applied reverts everything there is.
    db.cmd()
        .args(["rollback", "--steps", "10"])
        .assert()
        .success();
    assert!(db.applied_versions().is_empty());
    db.cmd()
        .arg("rollback")
        .assert()
        .success()
        .stdout(predicates::str::contains("Nothing to roll back"));
});

both_backends!(rollback_is_guarded_in_production, |db| {
    db.cmd().arg("migrate").assert().success();
    let out = db
        .cmd()
        .env("ENV", "production")
        .arg("rollback")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--yes"));
    assert_eq!(db.applied_versions(), expected_versions());
    db.cmd()
        .env("APP_ENV", "production")
        .args(["rollback", "--yes"])
        .assert()
        .success();
    assert_eq!(db.applied_versions().len(), expected_versions().len() - 1);
});

both_backends!(dry_runs_change_nothing, |db| {
    if db.kind == Kind::Sqlite {
        let out = db.cmd().args(["migrate", "--dry-run"]).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "dry run must not create the file"
        );
        assert!(!db.path().exists());
        std::fs::write(db.path(), b"").unwrap();
    }
    let out = db
        .cmd()
        .args(["--format", "json", "migrate", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        json_of(&out)["applied"].as_array().unwrap().len(),
        expected_versions().len()
    );
    assert!(db.tables().is_empty(), "{:?}", db.tables());

    db.cmd().arg("migrate").assert().success();
    let out = db
        .cmd()
        .args(["--format", "json", "rollback", "--dry-run", "--steps", "3"])
        .output()
        .unwrap();
    assert_eq!(json_of(&out)["reverted"].as_array().unwrap().len(), 3);
    assert_fully_migrated(&db);
});

both_backends!(database_from_a_newer_agentdb_is_refused, |db| {
    db.cmd().arg("migrate").assert().success();
    db.exec("INSERT INTO __diesel_schema_migrations (version) VALUES ('99990101000000')");
    let out = db.cmd().arg("migrate").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("newer agentdb"),
        "{}",
        stderr_of(&out)
    );
    let out = db
        .cmd()
        .args(["--format", "json", "status", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report = json_of(&out);
    assert_eq!(report["summary"]["unknown"], 1);
    let out = db.cmd().arg("rollback").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("newer agentdb"));
    assert_eq!(db.applied_versions().len(), expected_versions().len() + 1);
});

both_backends!(cross_tenant_references_are_rejected, |db| {
    db.cmd().arg("migrate").assert().success();
    db.exec(
        "INSERT INTO tenants (id, name) VALUES ('alpha', 'Alpha');
         INSERT INTO tenants (id, name) VALUES ('beta', 'Beta');
         INSERT INTO threads (tenant_id, id) VALUES ('beta', 't1');
         INSERT INTO messages (tenant_id, id, thread_id, role, content) VALUES ('beta', 'm1', 't1', 'user', 'hi');",
    );
    // alpha's message pointing at beta's thread: the composite foreign key refuses it.
    let err = db
        .try_exec("INSERT INTO messages (tenant_id, id, thread_id, role, content) VALUES ('alpha', 'm2', 't1', 'user', 'x')")
        .unwrap_err();
    assert!(err.to_lowercase().contains("foreign key"), "{err}");
    let err = db
        .try_exec("INSERT INTO runs (tenant_id, id, thread_id) VALUES ('alpha', 'r1', 't1')")
        .unwrap_err();
    assert!(err.to_lowercase().contains("foreign key"), "{err}");
    assert!(db
        .try_exec("INSERT INTO tenants (id, name) VALUES ('Bad Id', 'x')")
        .is_err());
    // Deleting a thread deletes its messages.
    db.exec("DELETE FROM threads WHERE tenant_id = 'beta' AND id = 't1'");
    assert_eq!(db.scalar("SELECT count(*) AS v FROM messages"), 0);
});

both_backends!(eight_concurrent_migrates_apply_each_migration_once, |db| {
    if db.kind == Kind::Sqlite {
        assert!(!db.path().exists());
    }
    let outputs = run_concurrently(8, |_| {
        let mut c = db.std_cmd();
        c.arg("migrate");
        c
    });
    for out in &outputs {
        assert!(out.status.success(), "a migrate failed: {}", stderr_of(out));
    }
    let applied_total: usize = outputs.iter().map(migrations_applied_by).sum();
    assert_eq!(
        applied_total,
        expected_versions().len(),
        "each migration applied exactly once"
    );
    assert_fully_migrated(&db);
});

both_backends!(lock_timeout_expires_while_another_holds_the_lock, |db| {
    db.cmd().arg("migrate").assert().success();
    db.cmd().arg("rollback").assert().success();
    let holder = std::thread::scope(|s| {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let url = db.url.clone();
        let kind = db.kind;
        let handle = s.spawn(move || hold_schema_lock(kind, &url, ready_tx, done_rx));
        ready_rx.recv().unwrap();
        let out = db
            .cmd()
            .args(["migrate", "--lock-timeout", "1"])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        done_tx.send(()).unwrap();
        handle.join().unwrap();
        out
    });
    assert_eq!(holder.status.code(), Some(1), "{}", stderr_of(&holder));
    assert!(
        stderr_of(&holder).contains("another agentdb migrate"),
        "{}",
        stderr_of(&holder)
    );
    assert_eq!(db.applied_versions().len(), expected_versions().len() - 1);
    // Once released, the next migrate proceeds.
    db.cmd()
        .args(["migrate", "--lock-timeout", "5"])
        .assert()
        .success();
    assert_fully_migrated(&db);
});

/// Holds the schema lock the way a running migrate does until told to stop.
fn hold_schema_lock(
    kind: Kind,
    url: &str,
    ready: std::sync::mpsc::Sender<()>,
    done: std::sync::mpsc::Receiver<()>,
) {
    match kind {
        Kind::Postgres => {
            let mut c = PgConnection::establish(url).unwrap();
            c.batch_execute(&format!(
                "BEGIN; SELECT pg_advisory_xact_lock({});",
                agentdb::db::ADVISORY_LOCK_KEY
            ))
            .unwrap();
            ready.send(()).unwrap();
            done.recv().unwrap();
            c.batch_execute("ROLLBACK").unwrap();
        }
        Kind::Sqlite => {
            let mut c = SqliteConnection::establish(url).unwrap();
            c.batch_execute("BEGIN IMMEDIATE").unwrap();
            ready.send(()).unwrap();
            done.recv().unwrap();
            c.batch_execute("ROLLBACK").unwrap();
        }
    }
}

both_backends!(sql_echo_goes_to_stderr_only, |db| {
    let out = db
        .cmd()
        .env("SQL_ECHO", "true")
        .args(["--format", "json", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr_of(&out).contains("CREATE TABLE tenants"),
        "{}",
        stderr_of(&out)
    );
    json_of(&out);
});

/// A migration set of the test's own whose second migration fails.
fn broken_migration_set() -> tempfile::TempDir {
    let dir = tempfile::TempDir::new().unwrap();
    let m = dir.path();
    write_file(
        m,
        "2020-01-01-000001_first/up.sql",
        "CREATE TABLE first_table (id INTEGER PRIMARY KEY);",
    );
    write_file(
        m,
        "2020-01-01-000001_first/down.sql",
        "DROP TABLE first_table;",
    );
    write_file(
        m,
        "2020-01-01-000002_broken/up.sql",
        "CREATE TABLE second_table (id INTEGER PRIMARY KEY); INSERT INTO no_such_table VALUES (1);",
    );
    write_file(
        m,
        "2020-01-01-000002_broken/down.sql",
        "DROP TABLE second_table;",
    );
    write_file(
        m,
        "2020-01-01-000003_third/up.sql",
        "CREATE TABLE third_table (id INTEGER PRIMARY KEY);",
    );
    write_file(
        m,
        "2020-01-01-000003_third/down.sql",
        "DROP TABLE third_table;",
    );
    dir
}

both_backends!(a_failing_migration_leaves_none_of_the_run_applied, |db| {
    let set = broken_migration_set();
    let source = diesel_migrations::FileBasedMigrations::from_path(set.path()).unwrap();
    let options = agentdb::schema::migrations::RunOptions {
        lock_timeout: Duration::from_secs(5),
        dry_run: false,
    };
    let settings = agentdb::config::Settings::default();
    let err = match db.kind {
        Kind::Postgres => {
            let mut c = agentdb::db::establish_postgres(&db.url, &settings).unwrap();
            agentdb::schema::migrations::apply_pending(&mut c, &source, options).unwrap_err()
        }
        Kind::Sqlite => {
            let loc = agentdb::config::SqliteLocation::File(db.path());
            let mut c = agentdb::db::establish_sqlite(&loc, &settings).unwrap();
            agentdb::schema::migrations::apply_pending(&mut c, &source, options).unwrap_err()
        }
    };
    let message = format!("{err:#}");
    assert!(message.contains("20200101000002"), "{message}");
    assert!(
        message.contains("nothing of this run was applied"),
        "{message}"
    );
    // Not the first migration, not even the history table: the whole run rolled back.
    assert!(db.tables().is_empty(), "{:?}", db.tables());
});

#[test]
fn both_migration_folders_list_the_same_versions_and_names() {
    let list = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let pg = list("migrations/postgres");
    let sqlite = list("migrations/sqlite");
    assert!(!pg.is_empty());
    assert_eq!(pg, sqlite);
    for name in &pg {
        for backend in ["postgres", "sqlite"] {
            for file in ["up.sql", "down.sql"] {
                let path = format!("migrations/{backend}/{name}/{file}");
                assert!(std::path::Path::new(&path).exists(), "{path} missing");
            }
        }
    }
}

#[test]
fn schema_uses_no_name_reserved_for_other_tools() {
    let reserved = [
        "checkpoints",
        "checkpoint_blobs",
        "checkpoint_writes",
        "checkpoint_migrations",
        "writes",
        "store",
        "store_migrations",
        "store_vectors",
        "vector_migrations",
        "sessions",
        "events",
        "app_states",
        "user_states",
        "adk_internal_metadata",
        "schema_migrations",
        "_sqlx_migrations",
        "alembic_version",
    ];
    let db = TestDb::sqlite();
    db.cmd().arg("migrate").assert().success();
    for table in db.tables() {
        assert!(!reserved.contains(&table.as_str()), "{table} is reserved");
    }
    assert_eq!(db.tables().len(), SCHEMA_TABLES.len() + 1);
}

// agentkit-style databases: the platform's own `threads`, `messages` and `schema_migrations`
// already there. agentdb refuses, naming the tables it did not create, and writes nothing.
both_backends!(tables_of_another_application_are_refused_by_name, |db| {
    db.exec(
        "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);
         CREATE TABLE threads (id TEXT PRIMARY KEY, title TEXT);
         CREATE TABLE messages (id TEXT PRIMARY KEY, thread_id TEXT, content TEXT);
         INSERT INTO threads VALUES ('t1', 'theirs');",
    );
    let before = db.tables();
    for args in [&["migrate"][..], &["migrate", "--dry-run"]] {
        let out = db.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(err.contains("threads, messages"), "{args:?}: {err}");
        assert!(!err.contains("schema_migrations"), "{args:?}: {err}");
        assert!(err.contains("agentdb did not create them"), "{err}");
        assert!(err.contains("database of its own"), "{err}");
        // Nothing written: not even diesel's history table.
        assert_eq!(db.tables(), before, "{args:?}");
    }
    assert_eq!(db.scalar("SELECT count(*) AS v FROM threads"), 1);
});

// The tables agentdb's migrations create, as `migrate` finds them in the SQL, are exactly the
// tables a migrated database has: the check for other applications' tables misses none.
both_backends!(created_tables_are_read_from_the_migrations, |db| {
    db.cmd().arg("migrate").assert().success();
    let backend = match db.kind {
        Kind::Sqlite => agentdb::db::Backend::Sqlite,
        Kind::Postgres => agentdb::db::Backend::Postgres,
    };
    let mut created: Vec<String> = agentdb::schema::script::embedded_sql(backend)
        .iter()
        .flat_map(|m| agentdb::schema::migrations::created_tables(m.up))
        .collect();
    created.push("__diesel_schema_migrations".to_string());
    // Every table is found; a migration may also create a table it renames (a rebuild).
    let tables = db.tables();
    for table in &tables {
        assert!(created.contains(table), "{table} not in {created:?}");
    }
    for table in ["tenants", "tenant_configs", "threads", "messages", "runs"] {
        assert!(tables.iter().any(|t| t == table), "{table}");
    }
});
