//! Deploys without glue scripts (issue 13): `wait` and the global `--wait`, `database create |
//! drop | reset`, `migrate --create`, `migrate --dry-run --sql` and `status --verify` with
//! `health`'s `schema_drift` check, on both backends and through PgBouncer.

mod common;

use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use common::*;

const BOTH: [Kind; 2] = [Kind::Sqlite, Kind::Postgres];

fn known_versions() -> Vec<String> {
    agentdb::schema::migrations::embedded_ids(agentdb::db::Backend::Sqlite)
        .unwrap()
        .into_iter()
        .map(|m| m.version)
        .collect()
}

/// `agentdb -d URL ARGS…` in `db`'s working directory.
fn run_on(db: &TestDb, url: &str, args: &[&str]) -> std::process::Output {
    agentdb(db.dir.path())
        .args(["-d", url])
        .args(args)
        .output()
        .unwrap()
}

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn pg_database_exists(name: &str) -> bool {
    let mut conn =
        <diesel::PgConnection as diesel::Connection>::establish(&postgres_admin_url()).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl;
    let row: Row = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(&mut conn)
        .unwrap();
    row.n == 1
}

fn drop_pg_database(name: &str) {
    use diesel::connection::SimpleConnection;
    let mut conn =
        <diesel::PgConnection as diesel::Connection>::establish(&postgres_admin_url()).unwrap();
    conn.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        agentdb::server::quote_identifier(name)
    ))
    .unwrap();
}

/// A database name that does not exist yet, with quotes, spaces and unicode.
fn awkward_pg_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("agentdb \"q\" 'é' ü {}_{nanos}", std::process::id())
}

// ---------------------------------------------------------------------------------------
// wait

#[test]
fn wait_returns_at_once_when_the_database_is_ready() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
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
    }
}

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

#[test]
fn database_create_and_drop_through_pgbouncer() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let name = format!("{}_via_bouncer", db.pg_name().unwrap());
    let mut url = url::Url::parse(&bouncer.url_for(&db)).unwrap();
    url.set_path(&name);
    let url = url.to_string();
    for _ in 0..2 {
        let out = run_on(&db, &url, &["database", "create"]);
        assert_eq!(
            code(&out),
            Some(0),
            "{}\n{}",
            stderr_of(&out),
            bouncer.log()
        );
        assert!(pg_database_exists(&name));
    }
    let out = run_on(&db, &url, &["migrate"]);
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    // PgBouncer keeps a server connection to the database open: --force ends it.
    let out = run_on(&db, &url, &["database", "drop", "--yes", "--force"]);
    assert_eq!(
        code(&out),
        Some(0),
        "{}\n{}",
        stderr_of(&out),
        bouncer.log()
    );
    assert!(!pg_database_exists(&name));
}

// ---------------------------------------------------------------------------------------
// database create / drop / reset, migrate --create

#[test]
fn database_create_is_idempotent_and_handles_awkward_names() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
        let (url, name) = match kind {
            Kind::Sqlite => {
                let path = db.dir.path().join("new folder/\"q\" 'é' ü.db");
                (path.to_str().unwrap().to_string(), String::new())
            }
            Kind::Postgres => {
                let name = awkward_pg_name();
                (database_url(&db.url, &name), name)
            }
        };
        let out = run_on(&db, &url, &["--format", "json", "database", "create"]);
        assert_eq!(code(&out), Some(0), "{kind:?}: {}", stderr_of(&out));
        assert_eq!(json_of(&out)["created"], true);
        let out = run_on(&db, &url, &["--format", "json", "database", "create"]);
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        assert_eq!(
            json_of(&out)["created"],
            false,
            "second create: already there"
        );
        match kind {
            Kind::Sqlite => {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&url).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600);
            }
            Kind::Postgres => assert!(pg_database_exists(&name), "{name}"),
        }
        // The database works: migrate, then drop it by the same URL.
        let out = run_on(&db, &url, &["migrate"]);
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        let out = run_on(
            &db,
            &url,
            &["--format", "json", "database", "drop", "--yes"],
        );
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        assert_eq!(json_of(&out)["dropped"], true);
        match kind {
            Kind::Sqlite => {
                assert!(!std::path::Path::new(&url).exists());
                assert!(!std::path::Path::new(&format!("{url}-wal")).exists());
            }
            Kind::Postgres => assert!(!pg_database_exists(&name)),
        }
        // Dropping what is not there: says so, exit 0.
        let out = run_on(
            &db,
            &url,
            &["--format", "json", "database", "drop", "--yes"],
        );
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        assert_eq!(json_of(&out)["dropped"], false);
    }
}

#[test]
fn migrate_create_creates_then_migrates() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
        let url = match kind {
            Kind::Sqlite => db
                .dir
                .path()
                .join("data/app.db")
                .to_str()
                .unwrap()
                .to_string(),
            Kind::Postgres => database_url(&db.url, &format!("{}_new", db.pg_name().unwrap())),
        };
        let out = run_on(&db, &url, &["--format", "json", "migrate", "--create"]);
        assert_eq!(code(&out), Some(0), "{kind:?}: {}", stderr_of(&out));
        let report = json_of(&out);
        assert_eq!(report["created"], true);
        assert_eq!(
            report["applied"].as_array().unwrap().len(),
            known_versions().len()
        );
        let out = run_on(&db, &url, &["--format", "json", "migrate", "--create"]);
        assert_eq!(json_of(&out)["created"], false);
        assert_eq!(json_of(&out)["up_to_date"], true);
        if kind == Kind::Postgres {
            drop_pg_database(url.rsplit('/').next().unwrap());
        }
    }
}

#[test]
fn concurrent_creates_all_succeed() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
        let url = match kind {
            Kind::Sqlite => db
                .dir
                .path()
                .join("new/app.db")
                .to_str()
                .unwrap()
                .to_string(),
            Kind::Postgres => database_url(&db.url, &format!("{}_race", db.pg_name().unwrap())),
        };
        let outputs = run_concurrently(6, |_| {
            let mut c = std_agentdb(db.dir.path());
            c.args(["-d", &url, "--format", "json", "database", "create"]);
            c
        });
        for out in &outputs {
            assert_eq!(code(out), Some(0), "{kind:?}: {}", stderr_of(out));
        }
        let created = outputs
            .iter()
            .filter(|o| json_of(o)["created"] == true)
            .count();
        assert!(created >= 1, "{kind:?}: none says it created the database");
        if kind == Kind::Postgres {
            assert_eq!(created, 1, "only one CREATE DATABASE can succeed");
            drop_pg_database(url.rsplit('/').next().unwrap());
        }
    }
}

/// Whether the database behind `db` is still there with its schema.
fn still_there(db: &TestDb) -> bool {
    match db.kind {
        Kind::Sqlite => db.path().exists() && db.tables().contains(&"tenants".to_string()),
        Kind::Postgres => pg_database_exists(db.pg_name().unwrap()),
    }
}

#[test]
fn drop_and_reset_are_guarded() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
        db.cmd().arg("migrate").assert().success();
        // stdin not a terminal (assert_cmd gives an empty pipe): refused without --yes.
        for action in ["drop", "reset"] {
            let out = db.cmd().args(["database", action]).output().unwrap();
            let err = stderr_of(&out);
            assert_eq!(code(&out), Some(2), "{kind:?} {action}: {err}");
            assert!(err.contains("stdin is not a terminal"), "{err}");
            assert!(still_there(&db));
        }
        // Production: refused without --yes, even on a terminal.
        let out = db
            .cmd()
            .env("APP_ENV", "production")
            .args(["database", "drop"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{}", stderr_of(&out));
        assert!(stderr_of(&out).contains("production"));
        let out = on_terminal(
            &db,
            &["database", "drop"],
            "yes\n",
            &[("ENV", "production")],
        );
        assert_eq!(code(&out), Some(2), "{}", stdout_of(&out));
        assert!(still_there(&db));
        // On a terminal the operator is asked, with the database named; "no" keeps it.
        let out = on_terminal(&db, &["database", "drop"], "no\n", &[]);
        let text = stdout_of(&out);
        assert_eq!(code(&out), Some(1), "{text}");
        let named = db
            .pg_name()
            .map(str::to_string)
            .unwrap_or_else(|| db.url.clone());
        assert!(
            text.contains("This will drop database") && text.contains(&named),
            "{text}"
        );
        assert!(text.contains("aborted"), "{text}");
        assert!(still_there(&db));
        // A tenant, then reset on a terminal answered "yes": empty, migrated database.
        db.cmd()
            .args(["init-tenant", "--tenant-id", "acme"])
            .assert()
            .success();
        let out = on_terminal(&db, &["database", "reset"], "yes\n", &[]);
        assert_eq!(code(&out), Some(0), "{}", stdout_of(&out));
        assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 0);
        assert_eq!(db.applied_versions(), known_versions());
        // Production with --yes: done.
        let out = db
            .cmd()
            .env("ENV", "production")
            .args(["--format", "json", "database", "reset", "--yes"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        let report = json_of(&out);
        assert_eq!(report["dropped"], true);
        assert_eq!(report["created"], true);
        assert_eq!(
            report["applied"].as_array().unwrap().len(),
            known_versions().len()
        );
        let out = db
            .cmd()
            .args(["database", "drop", "--yes"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        assert!(!still_there(&db));
    }
}

/// Runs agentdb with a terminal as stdin (util-linux `script`), typing `input`; stdout and
/// stderr arrive together in the output's stdout.
fn on_terminal(
    db: &TestDb,
    args: &[&str],
    input: &str,
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut line = format!("{} -d {}", agentdb_word(), shell_quote(&db.url));
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    common::on_terminal(db.dir.path(), &line, input, env)
}

#[test]
fn postgres_drop_of_a_database_in_use_needs_force() {
    let Some(db) = TestDb::postgres() else { return };
    db.cmd().arg("migrate").assert().success();
    let holder = <diesel::PgConnection as diesel::Connection>::establish(&db.url).unwrap();
    let out = db
        .cmd()
        .args(["database", "drop", "--yes"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("is in use by 1 other session(s)"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert!(pg_database_exists(db.pg_name().unwrap()));
    let out = db
        .cmd()
        .args(["database", "drop", "--yes", "--force"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert!(!pg_database_exists(db.pg_name().unwrap()));
    drop(holder);
}

#[test]
fn sqlite_drop_refuses_a_file_that_is_not_a_database() {
    let db = TestDb::sqlite();
    std::fs::write(db.path(), "precious notes\n").unwrap();
    let out = db
        .cmd()
        .args(["database", "drop", "--yes"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(
        err.contains("is not a SQLite database; refusing to delete it"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(db.path()).unwrap(),
        "precious notes\n"
    );
}

// ---------------------------------------------------------------------------------------
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

#[test]
fn dry_run_sql_applied_by_hand_leaves_the_schema_up_to_date() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
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
}

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

#[test]
fn dry_run_sql_is_exactly_what_migrate_runs() {
    for kind in BOTH {
        let Some(printed) = TestDb::new(kind) else {
            continue;
        };
        let Some(migrated) = TestDb::new(kind) else {
            continue;
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
    }
}

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
// status --verify and health's schema_drift

/// Tables of the reference left behind: it is built as temporary tables in a transaction that
/// is rolled back, so there must be none, in any schema.
fn reference_tables_left(db: &TestDb) -> i64 {
    db.scalar(
        "SELECT count(*) AS v FROM pg_class WHERE relname = 'tenants' \
         AND (relpersistence = 't' OR relnamespace <> 'public'::regnamespace)",
    )
}

fn differences(db: &TestDb) -> (Option<i32>, serde_json::Value) {
    let out = db
        .cmd()
        .args(["--format", "json", "status", "--verify"])
        .output()
        .unwrap();
    let report = json_of(&out);
    (code(&out), report["schema_drift"]["differences"].clone())
}

/// The changes an operator or an app's `create_all` might make, one at a time, each checked
/// and undone.
#[test]
fn verify_lists_every_kind_of_drift_and_ignores_other_tools() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
        db.cmd().arg("migrate").assert().success();
        let (c, d) = differences(&db);
        assert_eq!((c, d.clone()), (Some(0), serde_json::json!([])), "{kind:?}");
        let before = db.tables();

        // An added column.
        db.exec("ALTER TABLE agents ADD COLUMN owner TEXT");
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        let actual = if kind == Kind::Postgres {
            "text NULL"
        } else {
            "TEXT NULL"
        };
        assert_eq!(
            d,
            serde_json::json!([{"table": "agents", "object": "column", "name": "owner",
                                 "expected": null, "actual": actual}])
        );
        db.exec("ALTER TABLE agents DROP COLUMN owner");

        // A dropped index.
        db.exec("DROP INDEX messages_thread_created_idx");
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d[0]["object"], "index");
        assert_eq!(d[0]["name"], "messages_thread_created_idx");
        assert!(d[0]["actual"].is_null());
        assert!(d[0]["expected"]
            .as_str()
            .unwrap()
            .contains("(tenant_id, thread_id, created_at, id)"));
        db.exec("CREATE INDEX messages_thread_created_idx ON messages (tenant_id, thread_id, created_at, id)");
        assert_eq!(differences(&db).0, Some(0));

        // A changed default (SQLite can only rebuild the table, as operators do).
        match kind {
            Kind::Postgres => db.exec("ALTER TABLE runs ALTER COLUMN status SET DEFAULT 'running'"),
            Kind::Sqlite => {
                let create = db.strings("SELECT sql AS v FROM sqlite_master WHERE name = 'runs'")
                    [0]
                .replace("CREATE TABLE runs", "CREATE TABLE runs_new")
                .replace("DEFAULT 'pending'", "DEFAULT 'running'");
                db.exec(&format!(
                    "PRAGMA foreign_keys = OFF; {create}; INSERT INTO runs_new SELECT * FROM runs; \
                     DROP TABLE runs; ALTER TABLE runs_new RENAME TO runs; \
                     CREATE INDEX runs_thread_created_idx ON runs (tenant_id, thread_id, created_at); \
                     CREATE INDEX runs_tenant_status_idx ON runs (tenant_id, status);"
                ));
            }
        }
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d[0]["name"], "status");
        assert!(
            d[0]["expected"].as_str().unwrap().contains("'pending'"),
            "{d}"
        );
        assert!(
            d[0]["actual"].as_str().unwrap().contains("'running'"),
            "{d}"
        );
        // health warns, and stays healthy.
        let out = db
            .cmd()
            .args(["--format", "json", "health"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        let health = json_of(&out);
        let check = health["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "schema_drift")
            .cloned()
            .expect("a schema_drift check");
        assert_eq!(check["status"], "warn", "{check}");
        assert!(
            check["detail"]
                .as_str()
                .unwrap()
                .contains("runs column status"),
            "{check}"
        );
        assert_eq!(health["status"], "warn");

        // Another tool's tables (LangGraph's real saver) are never reported.
        let fresh = TestDb::new(kind).unwrap();
        fresh.cmd().arg("migrate").assert().success();
        let target = fresh.url.clone();
        let kind_name = if kind == Kind::Postgres {
            "postgres"
        } else {
            "sqlite"
        };
        let Some(_) = python::run_script_ok("langgraph_checkpoint.py", &[kind_name, &target], &[])
        else {
            return;
        };
        assert!(
            fresh.tables().contains(&"checkpoints".to_string()),
            "{:?}",
            fresh.tables()
        );
        let (c, d) = differences(&fresh);
        assert_eq!((c, d), (Some(0), serde_json::json!([])), "{kind:?}");
        let out = fresh
            .cmd()
            .args(["--format", "json", "health"])
            .output()
            .unwrap();
        let health = json_of(&out);
        let check = health["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "schema_drift")
            .cloned()
            .unwrap();
        assert_eq!(check["status"], "ok", "{check}");

        // Verification writes nothing.
        if kind == Kind::Postgres {
            assert_eq!(reference_tables_left(&db), 0);
        }
        assert_eq!(db.tables(), before);
    }
}

#[test]
fn verify_reports_a_missing_table_and_unknown_migrations() {
    for kind in BOTH {
        let Some(db) = TestDb::new(kind) else {
            continue;
        };
        db.cmd().arg("migrate").assert().success();
        if kind == Kind::Postgres {
            // Constraints: one dropped, one added.
            db.exec("ALTER TABLE tenants DROP CONSTRAINT tenants_status_check");
            db.exec("ALTER TABLE tenants ADD CONSTRAINT tenants_name_key UNIQUE (name)");
            let (c, d) = differences(&db);
            assert_eq!(c, Some(3));
            assert_eq!(
                d,
                serde_json::json!([
                    {"table": "tenants", "object": "constraint", "name": "check",
                     "expected": "CHECK (status = ANY (ARRAY['active'::text, 'suspended'::text, 'disabled'::text]))",
                     "actual": null},
                    {"table": "tenants", "object": "constraint", "name": "unique",
                     "expected": null, "actual": "UNIQUE (name)"}
                ])
            );
            db.exec("ALTER TABLE tenants DROP CONSTRAINT tenants_name_key");
            db.exec(
                "ALTER TABLE tenants ADD CHECK (status IN ('active', 'suspended', 'disabled'))",
            );
            assert_eq!(differences(&db), (Some(0), serde_json::json!([])));
        }
        db.exec("DROP TABLE runs");
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        assert_eq!(
            d,
            serde_json::json!([{"table": "runs", "object": "table", "name": "runs",
                                 "expected": "defined by the migrations", "actual": null}])
        );
        db.exec("INSERT INTO __diesel_schema_migrations (version) VALUES ('99990101000000')");
        let out = db.cmd().args(["status", "--verify"]).output().unwrap();
        assert_eq!(code(&out), Some(1), "{}", stderr_of(&out));
        assert!(stderr_of(&out).contains("does not know (99990101000000)"));
    }
}
