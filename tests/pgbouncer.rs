//! agentdb behind a real PgBouncer in transaction pooling, where session-level locks leak and
//! named prepared statements collide between clients.

mod common;

use common::*;

fn expected_count() -> usize {
    agentdb::schema::migrations::embedded_ids(agentdb::db::Backend::Postgres)
        .unwrap()
        .len()
}

/// Advisory locks still held on the server for this database.
fn advisory_locks_held(db: &TestDb) -> i64 {
    db.scalar(&format!(
        "SELECT count(*) AS v FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
         WHERE l.locktype = 'advisory' AND d.datname = '{}'",
        db.pg_name().unwrap()
    ))
}

#[test]
fn migrate_status_rollback_through_pgbouncer() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let url = bouncer.url_for(&db);
    let run = |args: &[&str]| {
        agentdb(db.dir.path())
            .args(["-d", &url])
            .args(args)
            .output()
            .unwrap()
    };

    let out = run(&["status", "--check"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    let out = run(&["migrate"]);
    assert!(
        out.status.success(),
        "{}\n{}",
        stderr_of(&out),
        bouncer.log()
    );
    assert_eq!(db.applied_versions().len(), expected_count());
    // Run several commands one after another: with diesel's statement cache these collide
    // ("prepared statement __diesel_stmt_0 already exists") on reused server connections.
    for _ in 0..5 {
        let out = run(&["--format", "json", "status", "--check"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        assert_eq!(json_of(&out)["summary"]["applied"], expected_count());
    }
    let out = run(&["rollback", "--steps", "2"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(db.applied_versions().len(), expected_count() - 2);
    let out = run(&["migrate"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(db.applied_versions().len(), expected_count());
    assert_eq!(advisory_locks_held(&db), 0);
}

#[test]
fn eight_concurrent_migrates_through_pgbouncer_leave_no_lock_behind() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let url = bouncer.url_for(&db);
    // Three rounds on a fresh schema each time: every process exits 0, each migration once.
    for round in 0..3 {
        let outputs = run_concurrently(8, |_| {
            let mut c = std_agentdb(db.dir.path());
            c.args(["-d", &url, "migrate", "--lock-timeout", "30"]);
            c
        });
        for out in &outputs {
            assert!(
                out.status.success(),
                "round {round}: {}\n{}",
                stderr_of(out),
                bouncer.log()
            );
        }
        let applied: usize = outputs.iter().map(migrations_applied_by).sum();
        assert_eq!(
            applied,
            expected_count(),
            "round {round}: each migration exactly once"
        );
        assert_eq!(db.applied_versions().len(), expected_count());
        assert_eq!(
            advisory_locks_held(&db),
            0,
            "round {round}: an advisory lock leaked"
        );
        // A further migrate finishes at once: nobody holds the lock.
        let out = agentdb(db.dir.path())
            .args(["-d", &url, "migrate", "--lock-timeout", "2"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert!(stdout_of(&out).contains("up to date"));
        agentdb(db.dir.path())
            .args([
                "-d",
                &url,
                "rollback",
                "--steps",
                &expected_count().to_string(),
            ])
            .assert()
            .success();
        assert!(db.applied_versions().is_empty());
    }
}
