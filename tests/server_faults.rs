//! Server faults on a private PostgreSQL cluster: wrong password, missing database, too many
//! connections, the server stopped in the middle of an import, unreachable: clear errors, no
//! hang, nothing partial.
//!
//! Run the large rounds with `AGENTDB_SOAK=1 cargo test --locked --test NAME -- --nocapture`;
//! each test prints a `reliability:` line with its figures (README "Guarantees" quotes them).

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::reliability::*;
use common::*;

#[test]
fn server_faults_give_clear_errors_and_leave_nothing_partial() {
    let Some(cluster) = Cluster::start(Some(SECRETS[0]), 4) else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let cmd = |url: &str, args: &[&str]| {
        let mut c = std_agentdb(dir.path());
        c.args(["-d", url]).args(args);
        c
    };
    let good = cluster.url(Some(SECRETS[0]), "postgres");
    let out = run(cmd(&good, &["migrate"]));
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(run(cmd(&good, &["init-tenant"])).status.success());
    let mut cases = 0;

    // Wrong password.
    let out = run(cmd(&cluster.url(Some(SECRETS[3]), "postgres"), &["status"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("password authentication failed"),
        "{}",
        stderr_of(&out)
    );
    cases += 1;

    // Database missing.
    let out = run(cmd(
        &cluster.url(Some(SECRETS[0]), "no_such_db"),
        &["migrate"],
    ));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("createdb no_such_db"),
        "{}",
        stderr_of(&out)
    );
    cases += 1;

    // Too many connections: the cluster allows 4; hold them all.
    {
        use diesel::Connection;
        let held: Vec<_> = (0..4)
            .map(|_| diesel::PgConnection::establish(&good).unwrap())
            .collect();
        let out = run(cmd(&good, &["status"]));
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr_of(&out).contains("too many clients"),
            "{}",
            stderr_of(&out)
        );
        let out = run(cmd(
            &good,
            &["--format", "json", "health", "--timeout", "3"],
        ));
        assert_eq!(out.status.code(), Some(1));
        drop(held);
        cases += 2;
    }

    // Server stopped in the middle of an import: exit 1, no hang, nothing partial.
    let files = dir.path().join("files");
    for i in 0..3000 {
        write_file(&files, &format!("k{i:04}.json"), gmail_like());
    }
    let started = Instant::now();
    let child = cmd(&good, &["-q", "import-configs"])
        .arg(&files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(150));
    cluster.stop_immediately();
    let out = child.wait_with_output().unwrap();
    scan(&out);
    let elapsed = started.elapsed();
    cluster.pg_ctl("start -w -t 30");
    let count = {
        let db_check = |sql: &str| {
            use diesel::{Connection, RunQueryDsl};
            #[derive(diesel::QueryableByName)]
            struct Row {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                v: i64,
            }
            let mut c = diesel::PgConnection::establish(&good).unwrap();
            diesel::sql_query(sql).get_result::<Row>(&mut c).unwrap().v
        };
        db_check("SELECT count(*) AS v FROM tenant_configs")
    };
    if out.status.success() {
        assert_eq!(count, 3000, "finished before the stop");
    } else {
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(count, 0, "a partial import survived the server stop");
        assert!(elapsed < Duration::from_secs(30), "hung for {elapsed:?}");
    }
    cases += 1;
    let out = run(cmd(&good, &["import-configs"]).arg(&files));
    assert!(out.status.success(), "{}", stderr_of(&out));

    // Server down: unreachable, fails fast with the address.
    cluster.stop_immediately();
    let out = run(cmd(&good, &["status"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains(&cluster.port.to_string()));
    let out = run(cmd(
        &good,
        &["--format", "json", "health", "--timeout", "2"],
    ));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["healthy"], false);
    cases += 2;
    eprintln!("reliability: PostgreSQL server faults: {cases} cases (wrong password, missing database, too many connections x2, stopped mid-import, unreachable x2), 0 failures");
}
