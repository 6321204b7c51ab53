//! `wait` and the global `--wait` (issue 13): ready at once, retries until a server, a database
//! or a SQLite folder appears, fails at once on permanent conditions, never prints a password,
//! and works through PgBouncer.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;

// wait

both_backends!(wait_returns_at_once_when_the_database_is_ready, |db| {
    let kind = db.kind;
    let out = db
        .cmd()
        .args(["--format", "json", "wait", "--timeout", "5"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{kind:?}: {}", stderr_of(&out));
    let report = json_of(&out);
    assert_eq!(report["ready"], true);
    assert_eq!(report["attempts"], 1, "{report}");
    // SQLite: waiting never creates the file.
    if kind == Kind::Sqlite {
        assert!(!db.path().exists());
    }
});

#[test]
fn wait_times_out_on_a_closed_port_with_the_last_error_and_no_password() {
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!("postgres://postgres:s3cret-pw@127.0.0.1:{}/x", free_port());
    let started = Instant::now();
    let out = agentdb(dir.path())
        .args(["-v", "-d", &url, "wait", "--timeout", "1"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert!(err.contains("was not ready within 1s"), "{err}");
    assert!(err.contains("refused"), "{err}");
    // -v: one line per retry; the backoff keeps it to a few lines a second.
    let retries = err
        .lines()
        .filter(|l| l.starts_with("wait: attempt"))
        .count();
    assert!((3..=60).contains(&retries), "{retries} retries:\n{err}");
    assert!(!err.contains("s3cret-pw"), "{err}");
    assert!(stdout_of(&out).is_empty());
}

#[test]
fn wait_retries_a_host_that_is_not_found() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = agentdb(dir.path())
        .args(["-v", "-d", "postgres://app:pw@no-such-host.invalid/x"])
        .args(["wait", "--timeout", "0.5"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("could not translate host name"), "{err}");
    assert!(
        err.lines()
            .filter(|l| l.starts_with("wait: attempt"))
            .count()
            >= 2,
        "{err}"
    );
}

#[test]
fn wait_and_global_wait_see_a_server_that_starts_later() {
    let Some(cluster) = Cluster::start(None, 20) else {
        return;
    };
    cluster.pg_ctl("stop -m fast -w");
    let dir = tempfile::TempDir::new().unwrap();
    let url = cluster.url(None, "postgres");
    let spawn = |args: &[&str]| {
        let mut cmd = std_agentdb(dir.path());
        cmd.args(["-v", "-d", &url])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().unwrap()
    };
    let waiting = spawn(&["--format", "json", "wait", "--timeout", "60"]);
    let migrating = spawn(&["--wait", "60", "migrate"]);
    std::thread::sleep(Duration::from_millis(800));
    cluster.pg_ctl("start -w -t 30");
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert!(json_of(&out)["attempts"].as_u64().unwrap() > 1);
    assert!(stderr_of(&out).contains("wait: attempt 1 not ready"));
    let out = migrating.wait_with_output().unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    let status = agentdb(dir.path())
        .args(["-d", &url, "status", "--check"])
        .output()
        .unwrap();
    assert_eq!(code(&status), Some(0), "{}", stderr_of(&status));
}

#[test]
fn wait_fails_at_once_on_a_wrong_password() {
    let Some(cluster) = Cluster::start(Some("right-pw"), 20) else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let started = Instant::now();
    let out = agentdb(dir.path())
        .args(["-d", &cluster.url(Some("wrong-pw"), "postgres")])
        .args(["--wait", "30", "status"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "retried: {err}"
    );
    assert!(err.contains("password authentication failed"), "{err}");
    assert!(err.contains("not retrying"), "{err}");
    assert!(!err.contains("wrong-pw"), "{err}");
    // The right password: ready.
    let out = agentdb(dir.path())
        .args(["-d", &cluster.url(Some("right-pw"), "postgres"), "wait"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
}

#[test]
fn a_missing_postgres_database_is_waited_for_but_not_by_commands_that_create_it() {
    let Some(db) = TestDb::postgres() else { return };
    let name = format!("{}_later", db.pg_name().unwrap());
    let url = database_url(&db.url, &name);
    let out = run_on(&db, &url, &["-v", "wait", "--timeout", "1"]);
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains(&format!("database \"{name}\" does not exist")),
        "{err}"
    );
    assert!(
        err.lines()
            .filter(|l| l.starts_with("wait: attempt"))
            .count()
            >= 2,
        "{err}"
    );
    // A database created while `wait` retries is seen.
    let waiting = {
        let mut cmd = std_agentdb(db.dir.path());
        cmd.args(["-d", &url, "wait", "--timeout", "30"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().unwrap()
    };
    std::thread::sleep(Duration::from_millis(500));
    db.exec(&format!("CREATE DATABASE \"{name}\""));
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    drop_pg_database(&name);
    // `--wait` before `migrate --create` waits for the server only, then creates the database.
    let started = Instant::now();
    let out = run_on(&db, &url, &["--wait", "30", "migrate", "--create"]);
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(pg_database_exists(&name));
    let check = run_on(&db, &url, &["status", "--check"]);
    assert_eq!(code(&check), Some(0));
    drop_pg_database(&name);
}

#[test]
fn sqlite_wait_waits_for_the_folder() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("volume/agentdb.db");
    let url = file.to_str().unwrap().to_string();
    let out = agentdb(dir.path())
        .args(["-d", &url, "wait", "--timeout", "0.3"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("volume does not exist yet"), "{err}");
    let waiting = {
        let mut cmd = std_agentdb(dir.path());
        cmd.args(["-d", &url, "--wait", "30", "migrate"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().unwrap()
    };
    std::thread::sleep(Duration::from_millis(500));
    assert!(!file.exists(), "migrate ran before the folder existed");
    std::fs::create_dir(dir.path().join("volume")).unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert!(file.exists());
}

#[test]
fn wait_through_pgbouncer() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let url = bouncer.url_for(&db);
    let out = run_on(&db, &url, &["--format", "json", "wait", "--timeout", "10"]);
    assert_eq!(
        code(&out),
        Some(0),
        "{}\n{}",
        stderr_of(&out),
        bouncer.log()
    );
    assert_eq!(json_of(&out)["ready"], true);
    let out = run_on(&db, &url, &["--wait", "10", "migrate"]);
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert_eq!(db.applied_versions(), known_versions());
}
