//! `database create | drop | reset` and `migrate --create` (issue 13): idempotent, any database
//! name, concurrent creates, the destructive ones guarded (`--yes`, a terminal prompt, `--force`
//! for a database in use), on both backends and through PgBouncer.

mod common;

use common::*;

/// A database name that does not exist yet, with quotes, spaces and unicode.
fn awkward_pg_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("agentdb \"q\" 'é' ü {}_{nanos}", std::process::id())
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

both_backends!(
    database_create_is_idempotent_and_handles_awkward_names,
    |db| {
        let kind = db.kind;
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
);

both_backends!(migrate_create_creates_then_migrates, |db| {
    let kind = db.kind;
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
});

both_backends!(concurrent_creates_all_succeed, |db| {
    let kind = db.kind;
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
});

/// Whether the database behind `db` is still there with its schema.
fn still_there(db: &TestDb) -> bool {
    match db.kind {
        Kind::Sqlite => db.path().exists() && db.tables().contains(&"tenants".to_string()),
        Kind::Postgres => pg_database_exists(db.pg_name().unwrap()),
    }
}

both_backends!(drop_and_reset_are_guarded, |db| {
    let kind = db.kind;
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
});

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
