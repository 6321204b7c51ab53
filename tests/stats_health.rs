//! `agentdb stats` and `agentdb health` end to end on both backends.

mod common;

use std::time::{Duration, Instant};

use common::*;

fn ready(db: &TestDb) {
    db.cmd().arg("migrate").assert().success();
}

/// Two tenants with agents, threads, messages and runs in known numbers.
fn seed(db: &TestDb) {
    let t = if db.kind == Kind::Postgres {
        "TRUE"
    } else {
        "1"
    };
    let f = if db.kind == Kind::Postgres {
        "FALSE"
    } else {
        "0"
    };
    db.exec(&format!(
        "INSERT INTO tenants (id, name) VALUES ('alpha', 'Alpha'), ('beta', 'Beta');
         INSERT INTO tenant_configs (tenant_id, key, value, content_hash) VALUES
           ('alpha', 'gmail_token', '{{}}', 'h1'), ('alpha', 'credentials', '{{}}', 'h2'), ('beta', 'x', '{{}}', 'h3');
         INSERT INTO agents (tenant_id, id, name, is_active) VALUES
           ('alpha', 'a1', 'one', {t}), ('alpha', 'a2', 'two', {f}), ('beta', 'b1', 'one', {t});
         INSERT INTO threads (tenant_id, id, agent_id, status) VALUES
           ('alpha', 't1', 'a1', 'active'), ('alpha', 't2', 'a1', 'archived'), ('alpha', 't3', NULL, 'deleted'),
           ('beta', 't1', 'b1', 'active');
         INSERT INTO messages (tenant_id, id, thread_id, role, content) VALUES
           ('alpha', 'm1', 't1', 'user', 'hi'), ('alpha', 'm2', 't1', 'assistant', 'hello'),
           ('alpha', 'm3', 't2', 'user', 'x'), ('beta', 'm1', 't1', 'user', 'y');
         INSERT INTO runs (tenant_id, id, thread_id, status) VALUES
           ('alpha', 'r1', 't1', 'succeeded'), ('alpha', 'r2', 't1', 'failed'), ('beta', 'r1', 't1', 'running');"
    ));
}

fn stats(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let out = db
        .cmd()
        .args(["--format", "json", "stats"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    json_of(&out)
}

both_backends!(stats_counts_everything_and_filters_by_tenant, |db| {
    ready(&db);
    seed(&db);
    let s = stats(&db, &[]);
    assert_eq!(s["tenants"], 2);
    assert_eq!(s["configs"], 3);
    assert_eq!(s["agents"]["active"], 2);
    assert_eq!(s["agents"]["total"], 3);
    assert_eq!(s["threads"]["total"], 4);
    assert_eq!(s["threads"]["active"], 2);
    assert_eq!(s["threads"]["archived"], 1);
    assert_eq!(s["threads"]["deleted"], 1);
    assert_eq!(s["messages"], 4);
    assert_eq!(s["runs"]["total"], 3);
    assert_eq!(s["runs"]["succeeded"], 1);
    assert_eq!(s["runs"]["pending"], 0);
    assert!(s["database_size_bytes"].as_i64().unwrap() > 0);
    assert!(
        s["last_activity"].as_str().unwrap().ends_with('Z'),
        "{}",
        s["last_activity"]
    );
    assert!(s.get("by_tenant").is_none());
    // Foreign tables missing: "not present" (null), not an error.
    assert!(s["langgraph"]["checkpoints"].is_null());
    assert!(s["adk"]["sessions"].is_null());

    let a = stats(&db, &["--tenant", "alpha"]);
    assert_eq!(a["tenant"], "alpha");
    assert_eq!(a["tenants"], 1);
    assert_eq!(a["configs"], 2);
    assert_eq!(
        (
            a["agents"]["active"].as_i64(),
            a["agents"]["total"].as_i64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(a["threads"]["total"], 3);
    assert_eq!(a["messages"], 3);
    assert_eq!(a["runs"]["failed"], 1);
    assert_eq!(a["runs"]["running"], 0);

    let by = stats(&db, &["--by-tenant"]);
    let rows = by["by_tenant"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["tenant_id"], "alpha");
    assert_eq!(rows[0]["messages"], 3);
    assert_eq!(rows[0]["agents_active"], 1);
    assert_eq!(rows[1]["tenant_id"], "beta");
    assert_eq!(rows[1]["runs"], 1);

    let table = db.cmd().args(["stats", "--by-tenant"]).output().unwrap();
    assert!(stdout_of(&table).contains("not present"));
    assert!(stdout_of(&table).contains("alpha"));
});

both_backends!(stats_bad_input, |db| {
    if db.kind == Kind::Sqlite {
        let out = db.cmd().arg("stats").output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(!db.path().exists(), "stats must not create the file");
    }
    if db.kind == Kind::Postgres {
        let out = db.cmd().arg("stats").output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr_of(&out).contains("agentdb migrate"),
            "{}",
            stderr_of(&out)
        );
    }
    ready(&db);
    let out = db
        .cmd()
        .args(["stats", "--tenant", "nobody"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("nobody does not exist"));
    db.cmd()
        .args(["stats", "--tenant", "x' OR '1'='1"])
        .assert()
        .code(2);
    db.cmd()
        .args(["stats", "--tenant", "a", "--by-tenant"])
        .assert()
        .code(2);
});

/// LangGraph's and Google ADK's tables, with the DDL their savers run.
fn create_foreign_tables(db: &TestDb) {
    match db.kind {
        Kind::Postgres => db.exec(
            "CREATE TABLE IF NOT EXISTS checkpoint_migrations (v INTEGER PRIMARY KEY);
             CREATE TABLE IF NOT EXISTS checkpoints (
                 thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
                 parent_checkpoint_id TEXT, type TEXT, checkpoint JSONB NOT NULL,
                 metadata JSONB NOT NULL DEFAULT '{}', PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id));
             CREATE TABLE IF NOT EXISTS checkpoint_blobs (
                 thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL,
                 version TEXT NOT NULL, type TEXT NOT NULL, blob BYTEA,
                 PRIMARY KEY (thread_id, checkpoint_ns, channel, version));
             CREATE TABLE IF NOT EXISTS checkpoint_writes (
                 thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
                 task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT,
                 blob BYTEA NOT NULL, task_path TEXT NOT NULL DEFAULT '',
                 PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx));
             INSERT INTO checkpoints (thread_id, checkpoint_id, checkpoint) VALUES
                 ('t1', 'c1', '{}'), ('t1', 'c2', '{}'), ('t2', 'c1', '{}');
             INSERT INTO checkpoint_writes (thread_id, checkpoint_id, task_id, idx, channel, blob) VALUES
                 ('t1', 'c2', 'task', 0, 'messages', '\\x00');",
        ),
        Kind::Sqlite => db.exec(
            "CREATE TABLE IF NOT EXISTS checkpoints (
                 thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
                 parent_checkpoint_id TEXT, type TEXT, checkpoint BLOB, metadata BLOB,
                 PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id));
             CREATE TABLE IF NOT EXISTS writes (
                 thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL,
                 task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT, value BLOB,
                 PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx));
             INSERT INTO checkpoints (thread_id, checkpoint_id) VALUES ('t1', 'c1'), ('t1', 'c2'), ('t2', 'c1');
             INSERT INTO writes (thread_id, checkpoint_id, task_id, idx, channel) VALUES ('t1', 'c2', 'task', 0, 'messages');",
        ),
    }
    // Google ADK's DatabaseSessionService (SQLAlchemy models), the same on both.
    db.exec(
        "CREATE TABLE sessions (
             app_name VARCHAR(128) NOT NULL, user_id VARCHAR(128) NOT NULL, id VARCHAR(128) NOT NULL,
             state TEXT NOT NULL, create_time TIMESTAMP NOT NULL, update_time TIMESTAMP NOT NULL,
             PRIMARY KEY (app_name, user_id, id));
         CREATE TABLE events (
             id VARCHAR(128) NOT NULL, app_name VARCHAR(128) NOT NULL, user_id VARCHAR(128) NOT NULL,
             session_id VARCHAR(128) NOT NULL, invocation_id VARCHAR(256) NOT NULL, author VARCHAR(256) NOT NULL,
             branch VARCHAR(256), timestamp TIMESTAMP NOT NULL, content TEXT,
             PRIMARY KEY (id, app_name, user_id, session_id),
             FOREIGN KEY (app_name, user_id, session_id) REFERENCES sessions (app_name, user_id, id) ON DELETE CASCADE);
         CREATE TABLE app_states (app_name VARCHAR(128) PRIMARY KEY, state TEXT NOT NULL, update_time TIMESTAMP NOT NULL);
         CREATE TABLE user_states (app_name VARCHAR(128) NOT NULL, user_id VARCHAR(128) NOT NULL, state TEXT NOT NULL,
             update_time TIMESTAMP NOT NULL, PRIMARY KEY (app_name, user_id));
         INSERT INTO sessions VALUES ('app', 'u1', 's1', '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);
         INSERT INTO events (id, app_name, user_id, session_id, invocation_id, author, timestamp) VALUES
             ('e1', 'app', 'u1', 's1', 'i1', 'user', CURRENT_TIMESTAMP),
             ('e2', 'app', 'u1', 's1', 'i1', 'agent', CURRENT_TIMESTAMP);",
    );
}

both_backends!(stats_reads_langgraph_and_adk_tables_where_present, |db| {
    ready(&db);
    create_foreign_tables(&db);
    let before = db.tables();
    let s = stats(&db, &[]);
    assert_eq!(s["langgraph"]["checkpoints"], 3);
    assert_eq!(s["langgraph"]["checkpoint_threads"], 2);
    assert_eq!(s["langgraph"]["pending_writes"], 1);
    assert_eq!(s["adk"]["sessions"], 1);
    assert_eq!(s["adk"]["events"], 2);
    // Read-only: their tables are untouched, and migrate leaves them alone too.
    db.cmd().arg("migrate").assert().success();
    db.cmd()
        .args(["rollback", "--steps", "3"])
        .assert()
        .success();
    db.cmd().arg("migrate").assert().success();
    assert_eq!(db.tables(), before);
    assert_eq!(db.scalar("SELECT count(*) AS v FROM checkpoints"), 3);
});

both_backends!(health_reports_every_check, |db| {
    ready(&db);
    let out = db
        .cmd()
        .args(["--format", "json", "health"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let h = json_of(&out);
    assert_eq!(h["status"], "ok");
    assert_eq!(h["healthy"], true);
    assert_eq!(h["schema"]["pending"], 0);
    let names: Vec<&str> = h["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let expected: &[&str] = match db.kind {
        Kind::Sqlite => &[
            "connect",
            "server_version",
            "round_trip",
            "schema",
            "schema_drift",
            "integrity",
            "journal_mode",
            "writable",
        ],
        Kind::Postgres => &[
            "connect",
            "server_version",
            "round_trip",
            "schema",
            "schema_drift",
            "role",
            "connections",
        ],
    };
    assert_eq!(names, expected);
    assert!(h["checks"][0]["latency_ms"].as_f64().is_some());
    let version = h["checks"][1]["detail"].as_str().unwrap();
    assert!(
        version.starts_with(if db.kind == Kind::Sqlite {
            "SQLite 3."
        } else {
            "PostgreSQL "
        }),
        "{version}"
    );

    db.cmd()
        .args(["health", "--require-migrated"])
        .assert()
        .code(0);
    db.cmd().arg("rollback").assert().success();
    let out = db
        .cmd()
        .args(["--format", "json", "health", "--require-migrated"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(json_of(&out)["status"], "warn");
    db.cmd().arg("health").assert().code(0);
});

#[test]
fn health_on_a_missing_or_broken_sqlite_file_is_unhealthy() {
    let db = TestDb::sqlite();
    let out = db
        .cmd()
        .args(["--format", "json", "health"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let h = json_of(&out);
    assert_eq!(h["status"], "fail");
    assert!(h["checks"][0]["detail"]
        .as_str()
        .unwrap()
        .contains("does not exist"));
    assert!(!db.path().exists(), "health must not create the file");

    std::fs::write(db.path(), vec![b'x'; 4096]).unwrap();
    let out = db
        .cmd()
        .args(["--format", "json", "health"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["healthy"], false);
}

#[test]
fn health_never_hangs_past_its_timeout() {
    let dir = tempfile::TempDir::new().unwrap();
    // Nothing listens on this port.
    let refused = format!("postgres://u:pw@127.0.0.1:{}/db", free_port());
    let out = agentdb(dir.path())
        .args([
            "-d",
            &refused,
            "--format",
            "json",
            "health",
            "--timeout",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["checks"][0]["status"], "fail");

    // A listener that accepts and never speaks.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(1).collect();
        std::thread::sleep(Duration::from_secs(6));
        drop(held);
    });
    let silent = format!("postgres://u:pw@127.0.0.1:{port}/db");
    let started = Instant::now();
    let out = agentdb(dir.path())
        .args([
            "-d",
            &silent,
            "--format",
            "json",
            "health",
            "--timeout",
            "1",
        ])
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let h = json_of(&out);
    assert_eq!(h["status"], "fail");
    assert!(
        stdout_of(&out).contains("no answer within 1s"),
        "{}",
        stdout_of(&out)
    );
    // The bound is the feature under test: 1 s asked, well under the 6 s the server stalls.
    assert!(elapsed < Duration::from_secs(4), "health took {elapsed:?}");
    hold.join().unwrap();
}

#[test]
fn health_reports_a_read_only_replica_and_writes_fail_clearly() {
    let Some(primary) = Cluster::start(None, 20) else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    agentdb(dir.path())
        .args(["-d", &primary.url(None, "postgres"), "migrate"])
        .assert()
        .success();
    let standby = primary.standby();
    let url = standby.url(None, "postgres");
    let out = agentdb(dir.path())
        .args([
            "-d",
            &url,
            "--format",
            "json",
            "health",
            "--require-migrated",
        ])
        .output()
        .unwrap();
    // A replica is healthy (warn), and its schema is the primary's.
    assert_eq!(out.status.code(), Some(0), "{}", stdout_of(&out));
    let h = json_of(&out);
    assert_eq!(h["status"], "warn");
    let role = h["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "role")
        .unwrap()
        .clone();
    assert_eq!(role["status"], "warn");
    assert!(
        role["detail"]
            .as_str()
            .unwrap()
            .contains("read-only replica"),
        "{role}"
    );
    let on_primary = agentdb(dir.path())
        .args([
            "-d",
            &primary.url(None, "postgres"),
            "--format",
            "json",
            "health",
        ])
        .output()
        .unwrap();
    assert_eq!(json_of(&on_primary)["status"], "ok");
    // Writing to the replica fails with the server's reason and exit 1.
    let out = agentdb(dir.path())
        .args(["-d", &url, "init-tenant"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("read-only transaction"),
        "{}",
        stderr_of(&out)
    );
}

/// Exiting while a connection thread is in the middle of a TLS handshake (health's timeout
/// path) used to crash the process in OpenSSL's at-exit cleanup (SIGSEGV in 2% of runs).
#[test]
fn health_timing_out_mid_handshake_never_crashes() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    if db.strings("SELECT current_setting('ssl') AS v") != vec!["on"] {
        eprintln!("\n!!!!!!!! SKIPPED: the test server has ssl=off; no TLS handshake to interrupt !!!!!!!!\n");
        return;
    }
    let url = format!("{}?sslmode=require", db.url);
    let timeouts = ["0.002", "0.004", "0.006", "0.008", "0.012", "0.02"];
    let outputs = (0..25)
        .flat_map(|round| {
            run_concurrently(8, |i| {
                let mut c = std_agentdb(db.dir.path());
                c.args(["-d", &url, "--format", "json", "health", "--timeout"]);
                c.arg(timeouts[(round + i) % timeouts.len()]);
                c
            })
        })
        .collect::<Vec<_>>();
    for out in &outputs {
        let code = out.status.code();
        assert!(
            code == Some(0) || code == Some(1),
            "health ended with {:?}: {}",
            out.status,
            stderr_of(out)
        );
        json_of(out);
    }
}
