//! `agentdb copy` and `backup` end to end: real SQLite files and PostgreSQL databases, every
//! direction, checked afterwards with plain SQL.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

const FIXTURE: &str = include_str!("sql/copy_fixture_sqlite.sql");
const TABLES: [&str; 6] = [
    "tenants",
    "tenant_configs",
    "agents",
    "threads",
    "messages",
    "runs",
];

/// A migrated SQLite database filled with the generated fixture.
fn sqlite_source(messages: usize) -> TestDb {
    let db = TestDb::sqlite();
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.exec(&FIXTURE.replace(":MESSAGES", &messages.to_string()));
    db
}

fn copy(dir: &TestDb, from: &str, to: &str, extra: &[&str]) -> std::process::Output {
    agentdb(dir.dir.path())
        .args(["--format", "json", "copy", "--from", from, "--to", to])
        .args(extra)
        .output()
        .unwrap()
}

fn copied_ok(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout_of(out),
        stderr_of(out)
    );
    // Not a terminal: no progress, nothing on stderr.
    assert_eq!(stderr_of(out), "");
    let report = json_of(out);
    assert_eq!(report["verified"], true);
    for table in report["tables"].as_array().unwrap() {
        assert_eq!(table["source_digest"], table["target_digest"], "{table}");
        assert_eq!(table["source_rows"], table["target_rows"], "{table}");
    }
    report
}

/// table -> (rows, digest) from a copy report.
fn digests(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["table"].as_str().unwrap().to_string(),
                t["source_rows"].as_u64().unwrap(),
                t["source_digest"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// How many migrations this agentdb has.
fn all_migrations() -> usize {
    agentdb::schema::migrations::embedded_ids(agentdb::db::Backend::Sqlite)
        .unwrap()
        .len()
}

fn row_count(db: &TestDb, table: &str) -> i64 {
    db.scalar(&format!("SELECT count(*) AS v FROM {table}"))
}

#[test]
fn round_trip_sqlite_postgres_sqlite_keeps_every_digest() {
    let source = sqlite_source(100_000);
    let Some(pg) = TestDb::postgres() else { return };
    let back = TestDb::sqlite();

    let there = copied_ok(&copy(&source, &source.url, &pg.url, &[]));
    assert_eq!(there["migrations_applied"], all_migrations());
    let back_again = copied_ok(&copy(&source, &pg.url, &back.url, &[]));
    assert_eq!(digests(&there), digests(&back_again));
    let messages = digests(&there)
        .into_iter()
        .find(|(t, ..)| t == "messages")
        .unwrap();
    assert_eq!(messages.1, 100_000);

    // PostgreSQL holds real types: jsonb, timestamptz with microseconds, booleans, NULLs.
    assert_eq!(row_count(&pg, "messages"), 100_000);
    assert_eq!(
        pg.strings("SELECT name || '|' || (metadata->'plan'->>'tier') || '|' || to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS v FROM tenants WHERE id = 't0'"),
        ["Ünïcødé 租户 🚀|gold|2026-01-01 00:00:00.000001"]
    );
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM messages WHERE jsonb_typeof(tool_arguments->'args'->2) = 'object'"),
        80_000
    );
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM messages WHERE tool_arguments IS NULL"),
        source.scalar("SELECT count(*) AS v FROM messages WHERE tool_arguments IS NULL")
    );
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM messages WHERE is_complete"),
        50_000
    );
    assert_eq!(
        pg.scalar("SELECT usage_count AS v FROM agents WHERE tenant_id = 't0'"),
        9_007_199_254_740_993
    );
    assert_eq!(
        pg.strings("SELECT to_char(created_at AT TIME ZONE 'UTC', 'SS.US') AS v FROM messages WHERE tenant_id = 't1' AND id = 'm1'"),
        ["01.001002"]
    );

    // Back on SQLite: the same text, the same timestamps, the same JSON content.
    let attach = format!("ATTACH DATABASE '{}' AS src", source.url);
    let compare = |columns: &str, table: &str| {
        let sql = format!(
            "{attach}; CREATE TABLE diff AS SELECT count(*) AS n FROM (SELECT {columns} FROM {table} EXCEPT SELECT {columns} FROM src.{table});"
        );
        back.exec(&sql);
        let n = back.scalar("SELECT n AS v FROM diff");
        back.exec("DROP TABLE diff");
        assert_eq!(n, 0, "{table}: rows differ in {columns}");
    };
    compare(
        "tenant_id, id, thread_id, role, content, message_type, tool_name, tool_call_id, is_complete, created_at, json_extract(tool_arguments, '$.args[2].deep'), json_extract(artifact_data, '$.chart.label')",
        "messages",
    );
    compare(
        "id, name, status, api_key_hash, metadata ->> '$.plan.seats[1]'",
        "tenants",
    );
    compare(
        "tenant_id, id, usage_count, is_active, persona, planner ->> '$.steps[1].k', last_used_at",
        "agents",
    );
    compare(
        "tenant_id, id, state_snapshot ->> '$.state.done', error, finished_at",
        "runs",
    );
    // Other ISO-8601 spellings come back in agentdb's own form (milliseconds, or microseconds
    // where the value has them).
    assert_eq!(
        back.strings("SELECT created_at || ' ' || updated_at AS v FROM tenants WHERE id = 't1'"),
        ["2026-01-01T00:00:00.000Z 2026-01-01T00:00:00.500Z"]
    );
    assert_eq!(
        back.strings("SELECT started_at AS v FROM runs WHERE tenant_id = 't0'"),
        ["2026-05-01T00:00:00.500Z"]
    );
}

#[test]
fn same_backend_copies_on_both_backends() {
    let source = sqlite_source(2_000);
    let sqlite_copy = TestDb::sqlite();
    let report = copied_ok(&copy(&source, &source.url, &sqlite_copy.url, &[]));
    for table in TABLES {
        assert_eq!(
            row_count(&sqlite_copy, table),
            row_count(&source, table),
            "{table}"
        );
    }
    let Some(pg) = TestDb::postgres() else { return };
    let Some(pg_copy) = TestDb::postgres() else {
        return;
    };
    copied_ok(&copy(&source, &source.url, &pg.url, &[]));
    let pg_report = copied_ok(&copy(&source, &pg.url, &pg_copy.url, &[]));
    assert_eq!(digests(&report), digests(&pg_report));
    for table in TABLES {
        assert_eq!(
            row_count(&pg_copy, table),
            row_count(&source, table),
            "{table}"
        );
    }
}

both_backends!(
    non_empty_target_is_refused_naming_the_tables_unless_tenants_are_new,
    |kind: Kind| {
        let source = sqlite_source(100);
        let Some(target) = TestDb::new(kind) else {
            return;
        };
        target.cmd().args(["-q", "migrate"]).assert().success();
        target
            .cmd()
            .args(["-q", "init-tenant", "--tenant-id", "t1"])
            .assert()
            .success();

        let out = copy(&source, &source.url, &target.url, &[]);
        assert_eq!(out.status.code(), Some(1), "{kind:?}");
        let err = stderr_of(&out);
        assert!(err.contains("is not empty"), "{err}");
        assert!(
            err.contains("tenants (1 rows)") && err.contains("threads (1 rows)"),
            "{err}"
        );
        assert_eq!(row_count(&target, "tenants"), 1);

        // A tenant the target has is refused too; tenants it lacks are copied beside it.
        let out = copy(&source, &source.url, &target.url, &["--tenant", "t1"]);
        assert_eq!(out.status.code(), Some(1), "{kind:?}");
        assert!(
            stderr_of(&out).contains("for tenant(s) t1"),
            "{}",
            stderr_of(&out)
        );
        let report = copied_ok(&copy(
            &source,
            &source.url,
            &target.url,
            &["--tenant", "t0", "--tenant", "t2"],
        ));
        assert_eq!(report["tenants"], serde_json::json!(["t0", "t2"]));
        let out = copy(&source, &source.url, &target.url, &["--tenant", "nobody"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr_of(&out).contains("has no such tenant"),
            "{}",
            stderr_of(&out)
        );
        assert_eq!(
            target.strings("SELECT id AS v FROM tenants ORDER BY id"),
            ["t0", "t1", "t2"]
        );
        assert_eq!(
            row_count(&target, "messages"),
            source.scalar("SELECT count(*) AS v FROM messages WHERE tenant_id IN ('t0', 't2')")
        );
        // t1 in the target is still the one init-tenant made, untouched.
        assert_eq!(
            target.strings("SELECT name AS v FROM tenants WHERE id = 't1'"),
            ["t1"]
        );
    }
);

#[test]
fn nul_characters_are_refused_up_front_for_postgres_naming_the_row() {
    let source = sqlite_source(10);
    source.exec(
        r#"UPDATE messages SET metadata = '{"bad": "a\u0000b"}' WHERE tenant_id = 't1' AND id = 'm4';
           UPDATE threads SET title = 'x' || char(0) || 'y' WHERE tenant_id = 't0' AND id = 'th2';"#,
    );
    let Some(pg) = TestDb::postgres() else { return };
    let out = copy(&source, &source.url, &pg.url, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("messages row (tenant_id=t1, id=m4)")
            && err.contains("threads row (tenant_id=t0, id=th2)"),
        "{err}"
    );
    // Refused before the target was even migrated.
    assert_eq!(pg.tables(), Vec::<String>::new());
    // SQLite stores them: the same source copies to SQLite, verified.
    let sqlite = TestDb::sqlite();
    copied_ok(&copy(&source, &source.url, &sqlite.url, &[]));
    assert_eq!(
        sqlite.strings("SELECT metadata AS v FROM messages WHERE tenant_id = 't1' AND id = 'm4'"),
        [r#"{"bad": "a\u0000b"}"#]
    );
}

// A trigger on the target changes what is written: verification must catch it and roll back.
both_backends!(
    a_verification_mismatch_exits_1_and_rolls_the_target_back,
    |kind: Kind| {
        let source = sqlite_source(50);
        let Some(target) = TestDb::new(kind) else {
            return;
        };
        target.cmd().args(["-q", "migrate"]).assert().success();
        target.exec(match kind {
        Kind::Sqlite => {
            "CREATE TRIGGER tamper AFTER INSERT ON messages WHEN NEW.id = 'm7' BEGIN \
             UPDATE messages SET content = 'tampered' WHERE tenant_id = NEW.tenant_id AND id = NEW.id; END;"
        }
        Kind::Postgres => {
            "CREATE FUNCTION tamper() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN IF NEW.id = 'm7' THEN NEW.content := 'tampered'; END IF; RETURN NEW; END $$; \
             CREATE TRIGGER tamper BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION tamper();"
        }
    });
        let out = copy(&source, &source.url, &target.url, &[]);
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", stderr_of(&out));
        assert!(stderr_of(&out).contains("verification failed for messages"));
        let report = json_of(&out);
        assert_eq!(report["verified"], false);
        let messages = report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["table"] == "messages")
            .unwrap();
        assert_eq!(messages["verified"], false);
        assert_eq!(messages["target_rows"], 50);
        assert_ne!(messages["source_digest"], messages["target_digest"]);
        for table in TABLES {
            assert_eq!(row_count(&target, table), 0, "{kind:?} {table}");
        }
    }
);

/// The number of applied migrations another process can see, 0 while the database is busy
/// (the copy switches a new SQLite file to WAL under an exclusive lock).
fn migrations_visible(db: &TestDb) -> usize {
    std::panic::catch_unwind(|| db.applied_versions().len()).unwrap_or(0)
}

// kill -9 while rows are being written: the target's rows stay as they were (empty; the
// migration of the empty target may have committed).
both_backends!(
    kill_9_mid_copy_leaves_the_target_rows_as_they_were,
    |target| {
        let kind = target.kind;
        let source = sqlite_source(100_000);
        let mut child = std_agentdb(source.dir.path())
            .args(["copy", "--from", &source.url, "--to", &target.url])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until the migration committed, then give the row transaction time to start.
        let deadline = Instant::now() + Duration::from_secs(60);
        while migrations_visible(&target) < 4 {
            assert!(
                Instant::now() < deadline,
                "the copy never migrated the target"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            child.try_wait().unwrap().is_none(),
            "{kind:?}: the copy ended before it could be killed; make the source larger"
        );
        child.kill().unwrap();
        child.wait().unwrap();
        for table in TABLES {
            assert_eq!(row_count(&target, table), 0, "{kind:?} {table}");
        }
        // And a new copy into it works.
        if kind == Kind::Sqlite {
            copied_ok(&copy(&source, &source.url, &target.url, &[]));
            assert_eq!(row_count(&target, "messages"), 100_000);
        }
    }
);

#[test]
fn copy_through_pgbouncer_both_ways() {
    let source = sqlite_source(3_000);
    let Some(pg) = TestDb::postgres() else { return };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let url = bouncer.url_for(&pg);
    let there = copied_ok(&copy(&source, &source.url, &url, &[]));
    assert_eq!(row_count(&pg, "messages"), 3_000);
    let back = TestDb::sqlite();
    let again = copied_ok(&copy(&source, &url, &back.url, &[]));
    assert_eq!(digests(&there), digests(&again));
    // backup and migrate --backup of a PostgreSQL source, through the pooler.
    let path = pg.dir.path().join("pooled.db");
    let out = agentdb(pg.dir.path())
        .args(["-d", &url, "backup"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(
        row_count(&TestDb::sqlite_at(path.to_str().unwrap()), "messages"),
        3_000
    );
    agentdb(pg.dir.path())
        .args(["-q", "-d", &url, "rollback", "--steps", "1"])
        .assert()
        .success();
    let out = agentdb(pg.dir.path())
        .args(["-d", &url, "migrate", "--backup=pooled-before-migrate.db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(pg.dir.path().join("pooled-before-migrate.db").exists());
}

#[test]
fn usage_errors_exit_2() {
    let source = sqlite_source(1);
    for args in [
        vec!["--to", "./x.db", "--tenant", "Bad Id"],
        vec!["--to", &source.url],
        vec!["--to", "./x.db", "--include", "nothing"],
    ] {
        let out = agentdb(source.dir.path())
            .args(["copy", "--from", &source.url])
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
    }
}

#[test]
fn backup_from_both_backends_and_restore_with_copy() {
    let source = sqlite_source(1_000);
    let Some(pg) = TestDb::postgres() else { return };
    copied_ok(&copy(&source, &source.url, &pg.url, &[]));

    for db in [&source, &pg] {
        let path = db.dir.path().join("backups/nightly.db");
        let out = db
            .cmd()
            .args(["--format", "json", "backup"])
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let report = json_of(&out);
        assert_eq!(report["integrity"], "ok");
        assert_eq!(mode_of(&path), 0o600);
        let backup = TestDb::sqlite_at(path.to_str().unwrap());
        for table in TABLES {
            assert_eq!(
                row_count(&backup, table),
                row_count(&source, table),
                "{table}"
            );
        }
        // The same path again is refused and the file is kept.
        let out = db.cmd().arg("backup").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr_of(&out).contains("already exists"));

        // Restore: copy from the backup into a new PostgreSQL database.
        let Some(restored) = TestDb::postgres() else {
            return;
        };
        let report = copied_ok(&copy(db, path.to_str().unwrap(), &restored.url, &[]));
        let original = copied_ok(&copy(&source, &source.url, &TestDb::sqlite().url, &[]));
        assert_eq!(digests(&report), digests(&original));
    }
    // A PostgreSQL backup is one file, no -wal beside it.
    assert!(!pg.dir.path().join("backups/nightly.db-wal").exists());
}

both_backends!(
    migrate_backup_takes_a_backup_before_applying_and_a_failed_one_stops_it,
    |db| {
        let kind = db.kind;
        db.cmd().args(["-q", "migrate"]).assert().success();
        db.cmd()
            .args(["-q", "init-tenant", "--tenant-id", "acme"])
            .assert()
            .success();
        db.cmd()
            .args(["-q", "rollback", "--steps", "2"])
            .assert()
            .success();
        let kept = all_migrations() - 2;

        // A backup that cannot be written: nothing is migrated.
        let blocker = db.dir.path().join("not-a-dir");
        std::fs::write(&blocker, "x").unwrap();
        let out = db
            .cmd()
            .arg("migrate")
            .arg(format!("--backup={}/b.db", blocker.display()))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{kind:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("no migration was applied"),
            "{}",
            stderr_of(&out)
        );
        assert_eq!(db.applied_versions().len(), kept);

        // The default path: printed, and holds the data at the old schema version.
        let out = db
            .cmd()
            .args(["--format", "json", "migrate", "--backup"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{kind:?}: {}", stderr_of(&out));
        let report = json_of(&out);
        let path = report["backup"].as_str().unwrap().to_string();
        assert!(stderr_of(&out).contains(&format!("Backup written to {path}")));
        assert_eq!(report["applied"].as_array().unwrap().len(), 2);
        let path = db.dir.path().join(path);
        assert_eq!(mode_of(&path), 0o600);
        let backup = TestDb::sqlite_at(path.to_str().unwrap());
        assert_eq!(backup.applied_versions().len(), kept, "{kind:?}");
        assert_eq!(backup.strings("SELECT id AS v FROM tenants"), ["acme"]);
        assert_eq!(db.applied_versions().len(), all_migrations());

        // Nothing pending: no backup.
        let out = db
            .cmd()
            .args(["--format", "json", "migrate", "--backup"])
            .output()
            .unwrap();
        assert_eq!(json_of(&out)["backup"], serde_json::Value::Null);
    }
);

// ---- Google ADK (--include adk), read back with the real google-adk ----

fn adk(args: &[&str]) -> Option<String> {
    common::python::run_script_ok("adk_copy.py", args, &[])
}

#[test]
fn adk_sessions_copy_both_ways_and_adk_reads_them() {
    let source = TestDb::sqlite();
    if adk(&["populate", "database", &source.url, "3", "4"]).is_none() {
        return;
    }
    let Some(pg) = TestDb::postgres() else { return };
    let back = TestDb::sqlite();

    let there = copied_ok(&copy(&source, &source.url, &pg.url, &["--include", "adk"]));
    // ADK's own DDL: jsonb and naive timestamps, ADK's index and schema_version row.
    assert_eq!(
        pg.strings("SELECT data_type AS v FROM information_schema.columns WHERE table_name = 'events' AND column_name IN ('event_data', 'timestamp') ORDER BY column_name"),
        ["jsonb", "timestamp without time zone"]
    );
    assert_eq!(
        pg.strings("SELECT value AS v FROM adk_internal_metadata WHERE key = 'schema_version'"),
        ["1"]
    );
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM pg_indexes WHERE indexname = 'idx_events_app_user_session_ts_id'"),
        1
    );
    // No agentdb schema was asked for, so none was created.
    assert!(!pg.tables().contains(&"tenants".to_string()));
    let again = copied_ok(&copy(&source, &pg.url, &back.url, &["--include", "adk"]));
    assert_eq!(digests(&there), digests(&again));
    assert_eq!(row_count(&pg, "events"), 12);

    // The same sessions, state, events and revision markers through ADK; appending works.
    let on_source = adk(&["check", "database", &source.url]).unwrap();
    assert!(on_source.contains("\"s2\""), "{on_source}");
    assert_eq!(adk(&["check", "database", &pg.url]).unwrap(), on_source);
    assert_eq!(adk(&["check", "database", &back.url]).unwrap(), on_source);
}

#[test]
fn adk_cli_sqlite_service_with_epoch_times_copies_to_postgres() {
    let source = TestDb::sqlite();
    if adk(&["populate", "sqlite", &source.url, "2", "3"]).is_none() {
        return;
    }
    assert_eq!(
        source.strings("SELECT typeof(update_time) AS v FROM sessions LIMIT 1"),
        ["real"]
    );
    let Some(pg) = TestDb::postgres() else { return };
    copied_ok(&copy(&source, &source.url, &pg.url, &["--include", "adk"]));
    // Epoch seconds became naive-UTC timestamps, to the microsecond.
    let epoch =
        source.strings("SELECT printf('%.6f', update_time) AS v FROM sessions WHERE id = 's0'");
    let copied = pg.strings(
        "SELECT to_char(extract(epoch FROM update_time AT TIME ZONE 'UTC'), 'FM9999999999.000000') AS v FROM sessions WHERE id = 's0'",
    );
    assert_eq!(copied, epoch);
    let on_source = adk(&["check", "sqlite", &source.url]).unwrap();
    assert_eq!(adk(&["check", "database", &pg.url]).unwrap(), on_source);
}

#[test]
fn adk_copy_refusals() {
    let source = TestDb::sqlite();
    if adk(&["populate", "database", &source.url, "1", "1"]).is_none() {
        return;
    }
    // A target that already has ADK sessions.
    let target = TestDb::sqlite();
    adk(&["populate", "database", &target.url, "1", "1"]).unwrap();
    let out = copy(&source, &source.url, &target.url, &["--include", "adk"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("sessions (1 rows)") && err.contains("events (1 rows)"),
        "{err}"
    );
    // --tenant means agentdb's tables.
    let out = copy(
        &source,
        &source.url,
        &TestDb::sqlite().url,
        &["--include", "adk", "--tenant", "t0"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    // A source without ADK's tables.
    let empty = sqlite_source(1);
    let out = copy(
        &empty,
        &empty.url,
        &TestDb::sqlite().url,
        &["--include", "adk"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("has no ADK table"),
        "{}",
        stderr_of(&out)
    );
}

// ---- LangGraph (--include langgraph), checked with the real savers ----

fn langgraph(script: &str, args: &[&str]) -> Option<String> {
    common::python::run_script_ok(script, args, &[])
}

/// A LangGraph SQLite database made by the real SqliteSaver: the prune tests' scenario
/// (subgraph namespaces, interrupts, one pending) and a DeltaChannel thread; `None` without
/// the Python environment.
fn langgraph_sqlite_source() -> Option<TestDb> {
    let db = TestDb::sqlite();
    langgraph("langgraph_scenario.py", &["populate", &db.url])?;
    langgraph("langgraph_scenario.py", &["delta", &db.url])?;
    Some(db)
}

fn assert_savers_agree(source: &str, target: &str, skip: &str) {
    let report: serde_json::Value = serde_json::from_str(
        &langgraph("langgraph_copy.py", &["compare", source, target, skip]).unwrap(),
    )
    .unwrap();
    assert!(report["checkpoints"].as_u64().unwrap() > 20, "{report}");
    assert_eq!(report["equal"], report["checkpoints"], "{report}");
    assert_eq!(report["different"], serde_json::json!([]), "{report}");
}

#[test]
fn langgraph_sqlite_to_postgres_conversion_reads_and_resumes_like_the_original() {
    let Some(source) = langgraph_sqlite_source() else {
        return;
    };
    let twin = source.dir.path().join("twin.db");
    source.exec(&format!("VACUUM INTO '{}'", twin.display()));
    let Some(pg) = TestDb::postgres() else { return };

    let report = copied_ok(&copy(
        &source,
        &source.url,
        &pg.url,
        &["--include", "langgraph"],
    ));
    let tables: Vec<&str> = report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert_eq!(
        tables,
        [
            "checkpoints",
            "checkpoint_blobs",
            "checkpoint_writes",
            "checkpoints: head and count per thread"
        ]
    );
    assert_eq!(
        row_count(&pg, "checkpoints"),
        row_count(&source, "checkpoints")
    );
    assert_eq!(
        row_count(&pg, "checkpoint_writes"),
        row_count(&source, "writes")
    );
    // PostgresSaver's layout: migrations 0..9, type NULL, only primitives inline, blobs shared.
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM checkpoint_migrations WHERE v BETWEEN 0 AND 9"),
        10
    );
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM checkpoints WHERE type IS NOT NULL"),
        0
    );
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM checkpoints, jsonb_each(checkpoint->'channel_values') e WHERE jsonb_typeof(e.value) IN ('object', 'array')"),
        0
    );
    assert!(
        pg.scalar("SELECT count(*) AS v FROM checkpoint_blobs")
            < pg.scalar(
                "SELECT count(*) AS v FROM checkpoints, jsonb_each(checkpoint->'channel_versions')"
            )
    );

    // The savers agree on every checkpoint (list and get_tuple); a DeltaChannel thread's
    // list() legitimately differs (agent-data-facts), its state does not.
    assert_savers_agree(&source.url, &pg.url, "d1");
    assert_eq!(
        langgraph("langgraph_scenario.py", &["delta-state", &pg.url]).unwrap(),
        langgraph("langgraph_scenario.py", &["delta-state", &source.url]).unwrap()
    );
    // Pending interrupts resume on PostgreSQL exactly as on an untouched SQLite twin.
    let on_twin = langgraph("langgraph_scenario.py", &["resume", twin.to_str().unwrap()]).unwrap();
    assert!(on_twin.contains("t-pending"), "{on_twin}");
    assert_eq!(
        langgraph("langgraph_scenario.py", &["resume", &pg.url]).unwrap(),
        on_twin
    );
}

/// SqliteSaver before 3.1.2 had no `writes.task_path`: such files copy to both backends, the
/// writes getting `''` (what the saver itself records for them), and the saver reads the copy.
#[test]
fn langgraph_writes_without_task_path_copy_to_both_backends() {
    let Some(source) = langgraph_sqlite_source() else {
        return;
    };
    source.exec("ALTER TABLE writes DROP COLUMN task_path");
    let writes = row_count(&source, "writes");
    assert!(writes > 0);
    let Some(pg) = TestDb::postgres() else { return };
    copied_ok(&copy(
        &source,
        &source.url,
        &pg.url,
        &["--include", "langgraph"],
    ));
    assert_eq!(row_count(&pg, "checkpoint_writes"), writes);
    assert_eq!(
        pg.scalar("SELECT count(*) AS v FROM checkpoint_writes WHERE task_path <> ''"),
        0
    );
    let sqlite = TestDb::sqlite();
    copied_ok(&copy(
        &source,
        &source.url,
        &sqlite.url,
        &["--include", "langgraph"],
    ));
    assert_eq!(row_count(&sqlite, "writes"), writes);
    assert_eq!(
        sqlite.scalar("SELECT count(*) AS v FROM writes WHERE task_path <> ''"),
        0
    );
    assert_savers_agree(&source.url, &pg.url, "d1");
}

#[test]
fn langgraph_same_backend_row_copies() {
    let Some(source) = langgraph_sqlite_source() else {
        return;
    };
    let sqlite_copy = TestDb::sqlite();
    copied_ok(&copy(
        &source,
        &source.url,
        &sqlite_copy.url,
        &["--include", "langgraph"],
    ));
    assert_savers_agree(&source.url, &sqlite_copy.url, "");

    let Some(pg) = TestDb::postgres() else { return };
    let Some(pg_copy) = TestDb::postgres() else {
        return;
    };
    copied_ok(&copy(
        &source,
        &source.url,
        &pg.url,
        &["--include", "langgraph"],
    ));
    copied_ok(&copy(
        &source,
        &pg.url,
        &pg_copy.url,
        &["--include", "langgraph"],
    ));
    assert_savers_agree(&pg.url, &pg_copy.url, "");
    assert_eq!(
        langgraph("langgraph_scenario.py", &["resume", &pg_copy.url]).unwrap(),
        langgraph("langgraph_scenario.py", &["resume", &pg.url]).unwrap()
    );
}

#[test]
fn langgraph_what_cannot_be_converted_is_refused() {
    let Some(source) = langgraph_sqlite_source() else {
        return;
    };
    langgraph("langgraph_copy.py", &["encrypted", &source.url]).unwrap();
    let Some(pg) = TestDb::postgres() else { return };
    let out = copy(&source, &source.url, &pg.url, &["--include", "langgraph"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("thread t-secret") && err.contains("msgpack+aes"),
        "{err}"
    );
    assert!(!err.contains("thread t-done"), "{err}");
    // Nothing was left behind, not even the tables.
    assert!(!pg.tables().contains(&"checkpoints".to_string()));

    // PostgreSQL → SQLite is refused up front.
    let Some(pg_source) = TestDb::postgres() else {
        return;
    };
    let out = copy(
        &source,
        &pg_source.url,
        &TestDb::sqlite().url,
        &["--include", "langgraph"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("PostgreSQL → SQLite is not supported"));
}

/// Progress is drawn on a terminal only: run under `script`, which gives the command a pty.
#[test]
fn progress_on_a_terminal_and_none_with_quiet() {
    if !terminal_available() {
        return;
    }
    let source = sqlite_source(20_000);
    let typescript = |quiet: bool| {
        let name = if quiet { "quiet" } else { "tty" };
        let target = source.dir.path().join(format!("{name}.db"));
        let q = if quiet { "-q " } else { "" };
        let line = format!(
            "{} {q}copy --from {} --to {} > /dev/null",
            agentdb_word(),
            shell_quote(&source.url),
            shell_quote(target.to_str().unwrap())
        );
        let out = common::on_terminal(source.dir.path(), &line, "", &[]);
        assert!(out.status.success(), "{}", stdout_of(&out));
        stdout_of(&out)
    };
    let shown = typescript(false);
    // 3 tenants, 2 configs, 2 agents, 30 threads, 20,000 messages, 2 runs.
    assert!(
        shown.contains("messages [") && shown.contains("/20039 rows"),
        "{shown}"
    );
    let quiet = typescript(true);
    assert!(!quiet.contains("rows"), "{quiet}");
}

/// A platform database holds all three: agentdb's tables, ADK's sessions and LangGraph's
/// checkpoints. One copy moves them together, in one transaction, and each tool reads its part.
#[test]
fn everything_together_into_postgres_with_timestamptz_adk_columns() {
    let source = sqlite_source(1_000);
    if adk(&["populate", "database", &source.url, "2", "2"]).is_none() {
        return;
    }
    langgraph("langgraph_scenario.py", &["populate", &source.url]).unwrap();
    let Some(pg) = TestDb::postgres() else { return };
    // The target's ADK tables exist, empty, with the TIMESTAMPTZ columns some ADK 1.x installs
    // altered them to: made by ADK itself, then emptied and altered.
    adk(&["populate", "database", &pg.url, "1", "1"]).unwrap();
    pg.exec(
        "DELETE FROM events; DELETE FROM sessions; DELETE FROM app_states; DELETE FROM user_states; \
         ALTER TABLE sessions ALTER COLUMN create_time TYPE timestamptz, ALTER COLUMN update_time TYPE timestamptz; \
         ALTER TABLE events ALTER COLUMN timestamp TYPE timestamptz; \
         ALTER TABLE app_states ALTER COLUMN update_time TYPE timestamptz; \
         ALTER TABLE user_states ALTER COLUMN update_time TYPE timestamptz;",
    );
    let report = copied_ok(&copy(
        &source,
        &source.url,
        &pg.url,
        &["--include", "langgraph,adk,agentdb"],
    ));
    assert_eq!(
        report["include"],
        serde_json::json!(["agentdb", "adk", "langgraph"])
    );
    assert_eq!(row_count(&pg, "messages"), 1_000);
    // The naive-UTC times landed as the same instants in the timestamptz columns.
    assert_eq!(
        pg.strings("SELECT to_char(update_time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS v FROM sessions ORDER BY id"),
        source.strings("SELECT update_time AS v FROM sessions ORDER BY id")
    );
    assert_eq!(
        adk(&["check", "database", &pg.url]).unwrap(),
        adk(&["check", "database", &source.url]).unwrap()
    );
    assert_savers_agree(&source.url, &pg.url, "");
}

/// A password in a URL is never printed by copy, backup or prune, in any format, with `-v` and
/// `SQL_ECHO` (the test server trusts, so any password is accepted).
#[test]
fn passwords_in_urls_are_never_printed_by_copy_backup_or_prune() {
    const PASSWORD: &str = "Sup3rSecretPw";
    let source = sqlite_source(50);
    let Some(pg) = TestDb::postgres() else { return };
    let mut with_password = url::Url::parse(&pg.url).unwrap();
    with_password.set_password(Some(PASSWORD)).unwrap();
    let pg_url = with_password.to_string();
    let runs: Vec<Vec<String>> = vec![
        vec![
            "copy".into(),
            "--from".into(),
            source.url.clone(),
            "--to".into(),
            pg_url.clone(),
        ],
        vec![
            "-d".into(),
            pg_url.clone(),
            "backup".into(),
            "pg-backup.db".into(),
        ],
        vec![
            "-d".into(),
            pg_url.clone(),
            "prune".into(),
            "--dry-run".into(),
            "--threads-older-than".into(),
            "1d".into(),
        ],
        // A failing copy (the target is no longer empty) prints its error with the URL.
        vec![
            "copy".into(),
            "--from".into(),
            source.url.clone(),
            "--to".into(),
            pg_url.clone(),
        ],
    ];
    let mut redacted_seen = 0;
    for args in &runs {
        for format in ["table", "json"] {
            let out = agentdb(source.dir.path())
                .env("SQL_ECHO", "true")
                .args(["-v", "--format", format])
                .args(args)
                .output()
                .unwrap();
            let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
            assert!(!all.contains(PASSWORD), "{args:?} {format}:\n{all}");
            redacted_seen += usize::from(all.contains(":***@"));
            let _ = std::fs::remove_file(source.dir.path().join("pg-backup.db"));
        }
    }
    // The URL was shown (redacted), and the first copy did write: the outputs are of real runs.
    assert!(redacted_seen >= 4, "{redacted_seen}");
    assert!(row_count(&pg, "messages") > 0);
}
