//! `database reset` never leaves a half-made database, and a new SQLite database never meets
//! another's side files.
//!
//! - SQLite reset killed (SIGKILL, SIGTERM) while it builds the new database — frozen (SIGSTOP)
//!   at the instant it has a database's `-wal` open, then signalled — leaves the old database
//!   whole (its rows readable, integrity ok); a rerun completes the reset.
//! - A completed reset leaves only the new migrated file: no temporaries, none of the old
//!   file's side files (a `-wal` still holding committed pages included).
//! - An orphaned `-wal` (made by a real SQLite, its database file then deleted) does not reach
//!   the database a first `migrate`, `migrate --create`, `database create` or `database reset`
//!   makes at that name.
//! - PostgreSQL reset killed (SIGKILL, SIGTERM) while it builds the new database under its
//!   temporary name — frozen there, then signalled — leaves the old database whole (same
//!   database, rows readable, fully migrated); SIGTERM drops the temporary (exit 143), and after
//!   SIGKILL the next reset removes the leftover once nothing is connected to it.
//! - A completed PostgreSQL reset (directly and through PgBouncer) leaves a new migrated
//!   database at the name and no temporary; one refused (in use, no `--force`) leaves the old
//!   database untouched and no temporary.
//! - Reset on both backends: report, schema, data gone; refusals write nothing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::signals::*;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// The tables a fresh migrate makes: agentdb's, nothing else.
fn agentdb_tables() -> Vec<String> {
    let fresh = TestDb::sqlite();
    fresh.cmd().args(["-q", "migrate"]).assert().success();
    fresh.tables()
}

/// A migrated database with one tenant, `keepme`.
fn old_database(db: &TestDb) {
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.exec("INSERT INTO tenants (id, name) VALUES ('keepme', 'x')");
}

fn integrity(path: &Path) -> String {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA busy_timeout = 30000").unwrap();
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let rows: Vec<V> = diesel::sql_query("SELECT integrity_check AS v FROM pragma_integrity_check")
        .load(&mut conn)
        .unwrap_or_else(|e| panic!("{}: not a whole SQLite file: {e}", path.display()));
    rows.into_iter().map(|r| r.v).collect::<Vec<_>>().join("; ")
}

/// The names in `dir`.
fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// Whether the process has a SQLite `-wal` open whose path contains `needle`: it is writing
/// that database.
fn has_wal_open(child: &std::process::Child, needle: &str) -> bool {
    open_files(child).iter().any(|p| {
        let p = p.to_string_lossy();
        p.contains(needle) && p.ends_with("-wal")
    })
}

/// Signals a reset frozen at its observed point (`frozen`) and lets it go on; `None` when it
/// finished before it could be frozen (it must have succeeded: nothing was struck).
fn strike(
    child: std::process::Child,
    frozen: bool,
    sig: Sig,
    case: &str,
) -> Option<std::process::Output> {
    if frozen {
        send(&child, sig);
    }
    stop_or_continue(&child, "CONT");
    let output = child.wait_with_output().unwrap();
    if !frozen {
        assert!(output.status.success(), "{case}: {}", stderr_of(&output));
        return None;
    }
    Some(output)
}

/// A reset's JSON report over an existing database: dropped, created, every migration applied.
fn assert_reset_report(report: &serde_json::Value, case: &str) {
    assert_eq!(report["dropped"], true, "{case}");
    assert_eq!(report["created"], true, "{case}");
    assert_eq!(
        report["applied"].as_array().unwrap().len(),
        known_versions().len(),
        "{case}"
    );
}

#[test]
fn sqlite_reset_killed_while_building_keeps_the_old_database() {
    let tables = agentdb_tables();
    for sig in [Sig::Kill, Sig::Term] {
        let case = format!("reset, SIG{}", sig.name());
        let db = TestDb::sqlite();
        old_database(&db);
        let folder = db.dir.path().to_path_buf();
        // The freeze must land while the new database is being written; a run that finished
        // first is retried.
        let mut caught = false;
        for _ in 0..50 {
            let mut cmd = db.std_cmd();
            cmd.args(["-q", "database", "reset", "--yes"]);
            let child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // Any database agentdb writes at that instant: the old code's, made in place, as
            // well as the one built aside.
            let frozen = freeze_when(&child, || has_wal_open(&child, "agentdb.db"), true);
            let Some(output) = strike(child, frozen, sig, &case) else {
                // Finished before the freeze: start again from an old database.
                old_database(&db);
                continue;
            };
            caught = true;
            // The old database, whole.
            assert!(db.path().exists(), "{case}: the database file is gone");
            assert_eq!(integrity(&db.path()), "ok", "{case}");
            assert!(
                db.tables().iter().any(|t| t == "tenants"),
                "{case}: the file at the path is an empty or half-made database"
            );
            assert_eq!(
                poll::scalar(&db, "SELECT count(*) AS v FROM tenants WHERE id = 'keepme'"),
                1,
                "{case}: the old database's rows are not there"
            );
            assert_eq!(db.applied_versions(), known_versions(), "{case}");
            let code = output.status.code();
            match sig {
                Sig::Kill => assert_eq!(
                    std::os::unix::process::ExitStatusExt::signal(&output.status),
                    Some(9),
                    "{case}"
                ),
                _ => {
                    assert_eq!(code, sig.expected_code(), "{case}");
                    assert_eq!(temporaries(&folder), Vec::<String>::new(), "{case}");
                }
            }
            break;
        }
        assert!(caught, "{case}: never caught writing the new database");
        // SIGKILL may leave the clearly named temporary (and its side files); nothing else.
        let left: BTreeSet<String> = temporaries(&folder).into_iter().collect();
        let out = db
            .cmd()
            .args(["-q", "database", "reset", "--yes"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{case}: {}", stderr_of(&out));
        let mut expected = set(&["agentdb.db"]);
        expected.extend(left);
        assert_eq!(listing(&folder), expected, "{case}: after the rerun");
        assert_eq!(integrity(&db.path()), "ok", "{case}");
        assert_eq!(db.tables(), tables, "{case}");
        assert_eq!(db.applied_versions(), known_versions(), "{case}");
        assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 0, "{case}");
    }
}

/// Leaves `path`'s `-wal` (and `-shm`) holding committed pages that its file does not have,
/// as a crash does: a connection with checkpoints off writes, the side files are copied while
/// it holds them, and put back once it has closed (closing folds them in and deletes them).
fn leave_a_live_wal(path: &Path, table: &str) {
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    let shm = PathBuf::from(format!("{}-shm", path.display()));
    let aside = path.with_extension("aside");
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE {table} (x TEXT NOT NULL);
         INSERT INTO {table} (x) SELECT 'orphan row' FROM (WITH RECURSIVE s(i) AS
           (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 500) SELECT i FROM s);"
    ))
    .unwrap();
    std::fs::create_dir_all(&aside).unwrap();
    std::fs::copy(&wal, aside.join("wal")).unwrap();
    std::fs::copy(&shm, aside.join("shm")).unwrap();
    drop(conn);
    std::fs::rename(aside.join("wal"), &wal).unwrap();
    std::fs::rename(aside.join("shm"), &shm).unwrap();
    std::fs::remove_dir(&aside).unwrap();
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
}

#[test]
fn a_completed_sqlite_reset_leaves_only_the_new_database() {
    let tables = agentdb_tables();
    let db = TestDb::sqlite();
    old_database(&db);
    // The old file's -wal still holds committed pages (a table of its own).
    leave_a_live_wal(&db.path(), "old_rows");
    let out = db
        .cmd()
        .args(["--format", "json", "database", "reset", "--yes"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert_reset_report(&json_of(&out), "reset over a live -wal");
    assert_eq!(listing(db.dir.path()), set(&["agentdb.db"]));
    assert_eq!(mode_of(&db.path()) & 0o777, 0o600);
    assert_eq!(integrity(&db.path()), "ok");
    assert_eq!(db.tables(), tables, "the old -wal reached the new database");
    assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 0);
}

/// A database file gone, its `-wal` and `-shm` left (an operator deleted only the `.db`, or a
/// drop was cut short): the next database made at that name must not meet them.
#[test]
fn a_new_sqlite_database_never_meets_an_orphaned_wal() {
    let tables = agentdb_tables();
    let commands: [&[&str]; 4] = [
        &["migrate"],
        &["migrate", "--create"],
        &["database", "create"],
        &["database", "reset", "--yes"],
    ];
    for args in commands {
        let case = args.join(" ");
        let db = TestDb::sqlite();
        let path = db.path();
        leave_a_live_wal(&path, "orphan_rows");
        std::fs::remove_file(&path).unwrap();
        let out = db.cmd().arg("-q").args(args).output().unwrap();
        assert_eq!(code(&out), Some(0), "{case}: {}", stderr_of(&out));
        // What is at the name before anything of ours opens it (an open would replay an
        // orphan into the file, or fold it in and hide it).
        let left = listing(db.dir.path());
        let expected = if args[0] == "database" && args[1] == "create" {
            Vec::new()
        } else {
            tables.clone()
        };
        assert_eq!(
            db.tables(),
            expected,
            "{case}: the orphaned -wal was replayed into the new database"
        );
        assert_eq!(integrity(&path), "ok", "{case}");
        if !expected.is_empty() {
            assert_eq!(db.applied_versions(), known_versions(), "{case}");
        }
        assert_eq!(
            left,
            set(&["agentdb.db"]),
            "{case}: side files left at the name"
        );
    }
}

both_backends!(reset_replaces_the_database_with_a_new_migrated_one, |db| {
    let kind = db.kind;
    db.cmd().args(["-q", "migrate"]).assert().success();
    let tables = db.tables();
    db.exec("INSERT INTO tenants (id, name) VALUES ('keepme', 'x')");
    for round in ["existing", "again"] {
        let out = db
            .cmd()
            .args(["--format", "json", "database", "reset", "--yes", "--force"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{kind:?} {round}: {}", stderr_of(&out));
        assert_reset_report(&json_of(&out), &format!("{kind:?} {round}"));
        assert_eq!(db.tables(), tables, "{kind:?} {round}");
        assert_eq!(db.applied_versions(), known_versions(), "{kind:?} {round}");
        assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 0);
    }
    // Nothing there: created and migrated, nothing dropped.
    db.cmd()
        .args(["-q", "database", "drop", "--yes", "--force"])
        .assert()
        .success();
    let out = db
        .cmd()
        .args(["--format", "json", "database", "reset", "--yes", "--force"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{kind:?}: {}", stderr_of(&out));
    assert_eq!(json_of(&out)["dropped"], false, "{kind:?}");
    assert_eq!(json_of(&out)["created"], true, "{kind:?}");
    assert_eq!(db.tables(), tables, "{kind:?}");
    if kind == Kind::Sqlite {
        assert_eq!(listing(db.dir.path()), set(&["agentdb.db"]));
    }
});

/// A folder or a file that is not a SQLite database at the path: refused before anything is
/// written (no temporary, the file byte-identical).
#[test]
fn sqlite_reset_refuses_before_writing_anything() {
    let refused = |db: &TestDb, message: &str| {
        let out = db
            .cmd()
            .args(["database", "reset", "--yes"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(code(&out), Some(1), "{err}");
        assert!(err.contains(message), "{err}");
        assert_eq!(listing(db.dir.path()), set(&["agentdb.db"]));
    };
    let db = TestDb::sqlite();
    std::fs::write(db.path(), "precious notes\n").unwrap();
    refused(&db, "is not a SQLite database; refusing");
    assert_eq!(
        std::fs::read_to_string(db.path()).unwrap(),
        "precious notes\n"
    );

    let db = TestDb::sqlite();
    std::fs::create_dir(db.path()).unwrap();
    refused(&db, "is a directory");
    assert_eq!(listing(&db.path()), BTreeSet::new());
}

/// A connection to the test server's maintenance database, to watch databases come and go.
fn admin() -> PgConnection {
    PgConnection::establish(&postgres_admin_url()).unwrap()
}

/// The oid of database `name` (None: not there): a reset that kept the old database keeps it.
fn pg_oid(conn: &mut PgConnection, name: &str) -> Option<i64> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }
    diesel::sql_query("SELECT oid::bigint AS v FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .get_result::<V>(conn)
        .optional()
        .unwrap()
        .map(|r| r.v)
}

/// The temporary databases a reset of `name` makes (`NAME_agentdb_tmp_PID`).
fn pg_temporaries(conn: &mut PgConnection, name: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    diesel::sql_query(
        "SELECT datname::text AS v FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1",
    )
    .bind::<Text, _>(agentdb::server::temporary_prefix(name))
    .load::<V>(conn)
    .unwrap()
    .into_iter()
    .map(|r| r.v)
    .collect()
}

/// Sessions connected to database `name`.
fn pg_sessions(conn: &mut PgConnection, name: &str) -> i64 {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }
    diesel::sql_query("SELECT count(*) AS v FROM pg_stat_activity WHERE datname = $1")
        .bind::<Text, _>(name)
        .get_result::<V>(conn)
        .unwrap()
        .v
}

/// The old database, whole: the same database (oid), its row, every migration.
fn assert_old_whole(db: &TestDb, conn: &mut PgConnection, oid: Option<i64>, case: &str) {
    let name = db.pg_name().unwrap();
    assert_eq!(
        pg_oid(conn, name),
        oid,
        "{case}: the database at the name is not the old one (dropped, or a new one)"
    );
    assert!(
        db.tables().iter().any(|t| t == "tenants"),
        "{case}: the database at the name is empty or half-made"
    );
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM tenants WHERE id = 'keepme'"),
        1,
        "{case}: the old database's rows are not there"
    );
    assert_eq!(db.applied_versions(), known_versions(), "{case}");
}

#[test]
fn postgres_reset_killed_while_building_keeps_the_old_database() {
    for sig in [Sig::Kill, Sig::Term] {
        let case = format!("reset, SIG{}", sig.name());
        let Some(db) = TestDb::postgres() else { return };
        let name = db.pg_name().unwrap().to_string();
        let mut watch = admin();
        old_database(&db);
        let mut oid = pg_oid(&mut watch, &name);
        let mut caught = false;
        for _ in 0..50 {
            let mut cmd = db.std_cmd();
            cmd.args(["-q", "database", "reset", "--yes", "--force"]);
            let child = cmd
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            // The instant a new database is being made: a temporary exists, or (made in
            // place) the old database is no longer at the name.
            let frozen = freeze_when(
                &child,
                || {
                    !pg_temporaries(&mut watch, &name).is_empty()
                        || pg_oid(&mut watch, &name) != oid
                },
                true,
            );
            let Some(output) = strike(child, frozen, sig, &case) else {
                // Finished before the freeze: start again from an old database.
                old_database(&db);
                oid = pg_oid(&mut watch, &name);
                continue;
            };
            caught = true;
            assert_old_whole(&db, &mut watch, oid, &case);
            match sig {
                Sig::Kill => assert_eq!(
                    std::os::unix::process::ExitStatusExt::signal(&output.status),
                    Some(9),
                    "{case}"
                ),
                _ => {
                    assert_eq!(
                        output.status.code(),
                        sig.expected_code(),
                        "{case}: {}",
                        stderr_of(&output)
                    );
                    assert_eq!(
                        pg_temporaries(&mut watch, &name),
                        Vec::<String>::new(),
                        "{case}: the temporary database was left"
                    );
                }
            }
            break;
        }
        assert!(caught, "{case}: never caught building the new database");
        // SIGKILL leaves the temporary; once its sessions are gone the next reset removes it.
        let left = pg_temporaries(&mut watch, &name);
        assert_eq!(left.is_empty(), sig != Sig::Kill, "{case}: {left:?}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while left.iter().any(|t| pg_sessions(&mut watch, t) > 0) {
            assert!(
                std::time::Instant::now() < deadline,
                "{case}: {left:?} in use"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = db
            .cmd()
            .args(["--format", "json", "database", "reset", "--yes", "--force"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{case}: {}", stderr_of(&out));
        assert_eq!(json_of(&out)["dropped"], true, "{case}");
        assert_eq!(
            pg_temporaries(&mut watch, &name),
            Vec::<String>::new(),
            "{case}: after the rerun (left before it: {left:?})"
        );
        assert_ne!(pg_oid(&mut watch, &name), oid, "{case}: not reset");
        assert_eq!(db.tables(), agentdb_tables_postgres(), "{case}");
        assert_eq!(db.applied_versions(), known_versions(), "{case}");
        assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 0, "{case}");
    }
}

/// The tables a fresh migrate makes on PostgreSQL.
fn agentdb_tables_postgres() -> Vec<String> {
    let fresh = TestDb::postgres().unwrap();
    fresh.cmd().args(["-q", "migrate"]).assert().success();
    fresh.tables()
}

#[test]
fn a_completed_postgres_reset_leaves_only_the_new_database() {
    let Some(db) = TestDb::postgres() else { return };
    let tables = agentdb_tables_postgres();
    let name = db.pg_name().unwrap().to_string();
    let mut watch = admin();
    old_database(&db);
    let bouncer = PgBouncer::start();
    let mut urls = vec![("direct", db.url.clone())];
    if let Some(bouncer) = &bouncer {
        urls.push(("through PgBouncer", bouncer.url_for(&db)));
    }
    for (how, url) in urls {
        for round in 0..2 {
            let case = format!("{how}, round {round}");
            db.exec("INSERT INTO tenants (id, name) VALUES ('keepme', 'x') ON CONFLICT DO NOTHING");
            let oid = pg_oid(&mut watch, &name);
            // Through PgBouncer its idle server connections hold the database: --force.
            let out = run_on(
                &db,
                &url,
                &["--format", "json", "database", "reset", "--yes", "--force"],
            );
            let log = bouncer.as_ref().map(|b| b.log()).unwrap_or_default();
            assert_eq!(code(&out), Some(0), "{case}: {}\n{log}", stderr_of(&out));
            assert_reset_report(&json_of(&out), &case);
            assert_ne!(pg_oid(&mut watch, &name), oid, "{case}: not a new database");
            assert_eq!(db.tables(), tables, "{case}");
            assert_eq!(db.applied_versions(), known_versions(), "{case}");
            assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 0, "{case}");
            assert_eq!(
                pg_temporaries(&mut watch, &name),
                Vec::<String>::new(),
                "{case}"
            );
            // The database answers by the same URL afterwards.
            let out = run_on(&db, &url, &["status", "--check"]);
            assert_eq!(code(&out), Some(0), "{case}: {}", stderr_of(&out));
        }
    }
}

#[test]
fn postgres_reset_of_a_database_in_use_is_refused_and_changes_nothing() {
    let Some(db) = TestDb::postgres() else { return };
    let name = db.pg_name().unwrap().to_string();
    let mut watch = admin();
    old_database(&db);
    let oid = pg_oid(&mut watch, &name);
    let holder = PgConnection::establish(&db.url).unwrap();
    let out = db
        .cmd()
        .args(["database", "reset", "--yes"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("is in use by 1 other session(s)"), "{err}");
    assert!(err.contains("--force"), "{err}");
    drop(holder);
    assert_old_whole(&db, &mut watch, oid, "refused reset");
    assert_eq!(pg_temporaries(&mut watch, &name), Vec::<String>::new());
}

/// A name with quotes, spaces and unicode, too long for `NAME_agentdb_tmp_PID` (cut, with a
/// hash): reset reaches its temporary by URL and renames it back.
#[test]
fn postgres_reset_of_an_awkward_long_name() {
    let Some(db) = TestDb::postgres() else { return };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let mut name = format!("agentdb \"q\" 'é' ü {}_{nanos} ", std::process::id());
    while name.len() < 60 {
        name.push('x');
    }
    assert!(agentdb::server::temporary_prefix(&name).len() < name.len());
    let url = database_url(&db.url, &name);
    let _cleanup = DropOnExit(name.clone());
    let mut watch = admin();
    for args in [&["database", "create"][..], &["migrate"]] {
        let out = run_on(&db, &url, args);
        assert_eq!(code(&out), Some(0), "{args:?}: {}", stderr_of(&out));
    }
    let oid = pg_oid(&mut watch, &name);
    let out = run_on(
        &db,
        &url,
        &["--format", "json", "database", "reset", "--yes"],
    );
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
    assert_eq!(json_of(&out)["dropped"], true);
    assert_ne!(pg_oid(&mut watch, &name), oid, "not a new database");
    assert_eq!(pg_temporaries(&mut watch, &name), Vec::<String>::new());
    let out = run_on(&db, &url, &["status", "--check"]);
    assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
}

/// Drops a database the test made by name, when the test ends however it ends.
struct DropOnExit(String);

impl Drop for DropOnExit {
    fn drop(&mut self) {
        drop_pg_database(&self.0);
    }
}
