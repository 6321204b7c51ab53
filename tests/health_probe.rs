//! `health` and `status --verify` read the schema without writing: no transaction id, no
//! temporary objects, no dead catalog rows, so they work on a read-only session (a hot
//! standby, `default_transaction_read_only`), through PgBouncer, and still find every kind of
//! drift on both backends.

mod common;

use common::drift::DRIFT_CASES;
use common::*;

/// `status --verify` on `url` (run in `db`'s folder): exit code and differences.
fn verify(db: &TestDb, url: &str) -> (Option<i32>, serde_json::Value) {
    let out = agentdb(db.dir.path())
        .args(["-d", url, "--format", "json", "status", "--verify"])
        .output()
        .unwrap();
    assert!(
        !out.stdout.is_empty(),
        "status --verify printed nothing: {}",
        stderr_of(&out)
    );
    (
        code(&out),
        json_of(&out)["schema_drift"]["differences"].clone(),
    )
}

/// `health` on `url`: exit code and its `schema_drift` check.
fn health_drift(db: &TestDb, url: &str) -> (Option<i32>, serde_json::Value) {
    let out = agentdb(db.dir.path())
        .args(["-d", url, "--format", "json", "health"])
        .output()
        .unwrap();
    let report = json_of(&out);
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "schema_drift")
        .cloned()
        .unwrap_or_else(|| panic!("no schema_drift check: {report}"));
    (code(&out), check)
}

/// Makes every later session on `db` read-only, as a standby or an operator's
/// `ALTER DATABASE … SET default_transaction_read_only = on` does.
fn make_read_only(db: &TestDb) {
    let name = db.pg_name().unwrap();
    db.exec(&format!(
        "ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"
    ));
    assert_eq!(
        db.strings("SELECT current_setting('default_transaction_read_only') AS v"),
        ["on"]
    );
}

/// Every kind of drift, one fresh database each, found by `status --verify` (exit 3, exactly
/// that difference) and by `health` (a warning naming it, exit 0); on PostgreSQL with every
/// session read-only.
fn drift_cases_are_found(kind: Kind) {
    for case in DRIFT_CASES {
        let Some(db) = TestDb::new(kind) else {
            return;
        };
        db.cmd().arg("migrate").assert().success();
        case.apply(&db);
        if kind == Kind::Postgres {
            make_read_only(&db);
        }
        let (c, differences) = verify(&db, &db.url);
        assert_eq!(c, Some(3), "{}: {differences}", case.what);
        case.assert_reported(&differences, "status --verify");
        let (c, check) = health_drift(&db, &db.url);
        assert_eq!(c, Some(0), "{}: {check}", case.what);
        assert_eq!(check["status"], "warn", "{}: {check}", case.what);
        let detail = check["detail"].as_str().unwrap();
        assert!(
            detail.contains(&case.health_words()) && detail.starts_with("1 difference"),
            "{}: {check}",
            case.what
        );
    }
}

#[test]
fn every_kind_of_drift_is_found_sqlite() {
    drift_cases_are_found(Kind::Sqlite);
}

#[test]
fn every_kind_of_drift_is_found_on_a_read_only_postgres_session() {
    drift_cases_are_found(Kind::Postgres);
}

/// Without drift, a read-only session verifies cleanly: exit 0 and `ok`.
#[test]
fn read_only_session_without_drift_is_ok() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    db.cmd().arg("migrate").assert().success();
    make_read_only(&db);
    assert_eq!(verify(&db, &db.url), (Some(0), serde_json::json!([])));
    let (c, check) = health_drift(&db, &db.url);
    assert_eq!(
        (c, check["status"].as_str()),
        (Some(0), Some("ok")),
        "{check}"
    );
    // The same with read-only asked for by the client (PGOPTIONS, libpq's `options`).
    let out = db
        .cmd()
        .env("PGOPTIONS", "-c default_transaction_read_only=on")
        .args(["--format", "json", "status", "--check", "--verify"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
}

/// Through PgBouncer (transaction pooling) on a read-only database: drift found, and none
/// reported where there is none.
#[test]
fn drift_through_pgbouncer_on_a_read_only_database() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let url = bouncer.url_for(&db);
    db.cmd().arg("migrate").assert().success();
    make_read_only(&db);
    assert_eq!(
        PgRun(url.clone()).text("SELECT current_setting('default_transaction_read_only') AS v"),
        "on",
        "sessions through PgBouncer are read-only"
    );
    assert_eq!(verify(&db, &url), (Some(0), serde_json::json!([])));
    let (c, check) = health_drift(&db, &url);
    assert_eq!(
        (c, check["status"].as_str()),
        (Some(0), Some("ok")),
        "{check}"
    );

    let Some(other) = TestDb::postgres() else {
        return;
    };
    other.cmd().arg("migrate").assert().success();
    let case = &DRIFT_CASES[0];
    case.apply(&other);
    make_read_only(&other);
    let url = bouncer.url_for(&other);
    let (c, differences) = verify(&other, &url);
    assert_eq!(c, Some(3), "{differences}");
    case.assert_reported(&differences, "through PgBouncer");
    let (_, check) = health_drift(&other, &url);
    assert_eq!(check["status"], "warn", "{check}");
}

/// On a real hot standby (streaming replication: every session read-only, no temporary
/// tables possible) drift made on the primary is reported by both commands.
#[test]
fn drift_on_a_hot_standby() {
    let Some(primary) = Cluster::start(None, 20) else {
        return;
    };
    let standby = primary.standby();
    let db = TestDb::sqlite(); // only its working folder is used
    let primary_url = primary.url(None, "postgres");
    let standby_url = standby.url(None, "postgres");
    agentdb(db.dir.path())
        .args(["-d", &primary_url, "migrate"])
        .assert()
        .success();
    let primary_db = PgRun(primary_url.clone());
    primary_db.exec("ALTER TABLE agents ADD COLUMN owner TEXT; DROP INDEX runs_tenant_status_idx");
    // Wait until the standby has replayed everything the primary wrote (a real signal: LSNs).
    let target = primary_db.text("SELECT pg_current_wal_lsn()::text AS v");
    let standby_db = PgRun(standby_url.clone());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while standby_db.text(&format!(
        "SELECT (pg_last_wal_replay_lsn() >= '{target}'::pg_lsn)::text AS v"
    )) != "true"
    {
        assert!(
            std::time::Instant::now() < deadline,
            "standby did not replay"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(
        standby_db.text("SELECT pg_is_in_recovery()::text AS v"),
        "true"
    );

    let (c, differences) = verify(&db, &standby_url);
    assert_eq!(c, Some(3), "{differences}");
    let found: Vec<(String, String)> = differences
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["object"].as_str().unwrap().to_string(),
                d["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("column".to_string(), "owner".to_string()),
            ("index".to_string(), "runs_tenant_status_idx".to_string())
        ]
    );
    let (c, check) = health_drift(&db, &standby_url);
    assert_eq!(c, Some(0));
    assert_eq!(check["status"], "warn", "{check}");
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .starts_with("2 difference"),
        "{check}"
    );
}

/// Plain SQL on a server the harness's `TestDb` does not manage.
struct PgRun(String);

impl PgRun {
    fn exec(&self, sql: &str) {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::pg::PgConnection::establish(&self.0).unwrap();
        c.batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn text(&self, sql: &str) -> String {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let mut c = PgConnection::establish(&self.0).unwrap();
        let row: Row = diesel::sql_query(sql)
            .get_result(&mut c)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.v
    }

    fn number(&self, sql: &str) -> i64 {
        self.text(sql).parse().unwrap()
    }
}

/// 20 probes on a server of the test's own (nothing else runs there; autovacuum off, so no
/// ANALYZE takes a transaction id): no transaction id is assigned, no temporary schema ever
/// appears, and no catalog row is inserted, updated or deleted. The old reference built temp
/// tables on every probe: one transaction id and ~320 catalog rows each.
#[test]
fn twenty_probes_use_no_transaction_id_and_no_temporary_objects() {
    let Some(cluster) = Cluster::start(None, 20) else {
        return;
    };
    let url = cluster.url(None, "postgres");
    let server = PgRun(url.clone());
    server.exec("ALTER SYSTEM SET autovacuum = off");
    server.exec("SELECT pg_reload_conf()");
    // The postmaster applies a reload on its own time: new sessions show when it has.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.text("SELECT current_setting('autovacuum') AS v") != "off" {
        assert!(std::time::Instant::now() < deadline, "autovacuum still on");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The probes run on a database of their own, so that its transaction counter counts
    // their statements and none of this test's observing ones (which run on `postgres`).
    server.exec("CREATE DATABASE probed");
    let url = cluster.url(None, "probed");
    let db = TestDb::sqlite(); // only its working folder is used
    agentdb(db.dir.path())
        .args(["-d", &url, "migrate"])
        .assert()
        .success();

    // Another backend's statistics reach the shared counters when it exits, before it leaves
    // pg_stat_activity: wait until only this query's own session is there.
    let others_gone = || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while server.number(
            "SELECT count(*)::text AS v FROM pg_stat_activity \
             WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        ) > 0
        {
            assert!(std::time::Instant::now() < deadline, "sessions left open");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    let catalog_writes = "SELECT sum(n_tup_ins + n_tup_upd + n_tup_del)::text AS v \
        FROM pg_stat_sys_tables WHERE relname IN ('pg_class', 'pg_attribute', 'pg_depend', \
        'pg_type', 'pg_constraint', 'pg_index', 'pg_attrdef', 'pg_namespace')";
    let temp_schemas =
        "SELECT count(*)::text AS v FROM pg_namespace WHERE nspname LIKE 'pg_temp_%'";
    others_gone();
    let writes_before = server.number(catalog_writes);
    assert_eq!(server.number(temp_schemas), 0);
    let xid_before = server.number("SELECT pg_current_xact_id()::text AS v");
    // Every statement a probe sends outside a transaction block is a transaction of its own,
    // counted at the backend's exit: this counts the probe's round trips.
    let statements = "SELECT xact_commit::text AS v FROM pg_stat_database WHERE datname = 'probed'";
    let statements_before = server.number(statements);

    for i in 0..20 {
        let (c, check) = health_drift(&db, &url);
        assert_eq!(c, Some(0), "probe {i}: {check}");
        assert_eq!(check["status"], "ok", "probe {i}: {check}");
        assert!(
            check["detail"].as_str().unwrap().contains("6 tables match"),
            "{check}"
        );
    }
    others_gone();
    // diesel's session setup (time zone, client encoding), the server version, the round
    // trip, the migration states (is the table there, its rows), the drift query (counted
    // twice: with bind parameters it is prepared, then executed) and the backend probe: 9.
    // The migration states were read twice before (once more for the drift check): 11.
    assert_eq!(
        server.number(statements) - statements_before,
        20 * 9,
        "statements sent by 20 probes"
    );
    let (c, differences) = verify(&db, &url);
    assert_eq!((c, differences), (Some(0), serde_json::json!([])));

    let xid_after = server.number("SELECT pg_current_xact_id()::text AS v");
    assert_eq!(
        xid_after,
        xid_before + 1,
        "the probes took {} transaction id(s)",
        xid_after - xid_before - 1
    );
    others_gone();
    assert_eq!(
        server.number(temp_schemas),
        0,
        "a temporary schema appeared"
    );
    assert_eq!(
        server.number(catalog_writes),
        writes_before,
        "the probes wrote catalog rows"
    );
}
