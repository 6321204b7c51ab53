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
//! - Reset on both backends: report, schema, data gone; refusals write nothing.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::signals::*;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

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
            if frozen {
                send(&child, sig);
            }
            stop_or_continue(&child, "CONT");
            let output = child.wait_with_output().unwrap();
            if !frozen {
                assert!(output.status.success(), "{case}: {}", stderr_of(&output));
                // Finished before the freeze: start again from an old database.
                old_database(&db);
                continue;
            }
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
    let report = json_of(&out);
    assert_eq!(report["dropped"], true);
    assert_eq!(report["created"], true);
    assert_eq!(
        report["applied"].as_array().unwrap().len(),
        known_versions().len()
    );
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
        let report = json_of(&out);
        assert_eq!(report["dropped"], true, "{kind:?} {round}");
        assert_eq!(report["created"], true, "{kind:?} {round}");
        assert_eq!(
            report["applied"].as_array().unwrap().len(),
            known_versions().len(),
            "{kind:?} {round}"
        );
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
    let db = TestDb::sqlite();
    std::fs::write(db.path(), "precious notes\n").unwrap();
    let out = db
        .cmd()
        .args(["database", "reset", "--yes"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("is not a SQLite database; refusing"), "{err}");
    assert_eq!(
        std::fs::read_to_string(db.path()).unwrap(),
        "precious notes\n"
    );
    assert_eq!(listing(db.dir.path()), set(&["agentdb.db"]));

    let db = TestDb::sqlite();
    std::fs::create_dir(db.path()).unwrap();
    let out = db
        .cmd()
        .args(["database", "reset", "--yes"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(code(&out), Some(1), "{err}");
    assert!(err.contains("is a directory"), "{err}");
    assert_eq!(listing(db.dir.path()), set(&["agentdb.db"]));
    assert_eq!(listing(&db.path()), BTreeSet::new());
}
