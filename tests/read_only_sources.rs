//! The read-only class: every command that reads a database it does not write leaves it as it
//! was. SQLite: in each journal state a platform leaves a file in (rollback journal; WAL closed
//! cleanly; WAL with committed frames in its `-wal`; WAL with an empty `-wal`), in a writable
//! folder and on a read-only mount, the file's bytes, its journal mode and its side files are
//! unchanged, and what the `-wal` holds is read. PostgreSQL: every such command works on a
//! session with `default_transaction_read_only=on` and changes no row. The legacy layouts
//! `copy --layout` reads (agentkit, adk-integration) are swept the same way.

mod common;
#[path = "common/legacy.rs"]
mod legacy;

use std::ffi::OsString;
use std::path::Path;
use std::process::Output;

use common::read_only::{
    file_state, postgres_fingerprint, side_file, JournalState, JOURNAL_STATES,
};
use common::tmpfs::Tmpfs;
use common::{json_of, std_agentdb, stderr_of, stdout_of, write_file, TestDb};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

const CONFIG: &str = r#"{"token": "ya29.read-only-class", "refresh_token": "1//rt"}"#;

/// A database seeded by agentdb itself (tenant `default` with its thread, one config), closed
/// cleanly so that it is a WAL file with no side files.
fn seeded(db: &TestDb) {
    let configs = db.dir.path().join("seed");
    write_file(&configs, "gmail_token.json", CONFIG);
    for args in [
        vec![OsString::from("migrate")],
        vec!["init-tenant".into()],
        vec!["import-configs".into(), configs.into_os_string()],
    ] {
        let out = db.std_cmd().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    }
    if db.kind == common::Kind::Sqlite {
        // The last connection to close folds the -wal in and removes it and the -shm.
        drop(SqliteConnection::establish(&db.url).unwrap());
        assert!(!side_file(&db.path(), "-wal").exists());
    }
}

/// What a case checks beyond the exit code, given what the source holds.
type Check = fn(&Output, &Expected);

struct Expected<'a> {
    tenants: i64,
    /// Where the case wrote its output (copy/backup target, export folder).
    out: &'a Path,
    /// SQLite only: the source is on a read-only mount.
    read_only_mount: bool,
    journal_mode: &'static str,
}

/// One command that only reads its database: its arguments after `-d URL` (`out` is a fresh
/// path in a writable folder) and its own check.
struct Case {
    name: &'static str,
    args: fn(url: &str, out: &Path) -> Vec<OsString>,
    check: Check,
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn sqlite_tenants(path: &Path) -> i64 {
    TestDb::sqlite_at(path.to_str().unwrap()).scalar("SELECT count(*) AS v FROM tenants")
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "status",
            args: |_, _| os(&["status"]),
            check: |_, _| {},
        },
        Case {
            name: "status --check",
            args: |_, _| os(&["--format", "json", "status", "--check"]),
            check: |out, _| assert_eq!(json_of(out)["up_to_date"], true),
        },
        Case {
            name: "status --verify",
            args: |_, _| os(&["--format", "json", "status", "--verify"]),
            check: |out, _| {
                assert_eq!(
                    json_of(out)["schema_drift"]["differences"],
                    serde_json::json!([])
                )
            },
        },
        Case {
            name: "stats",
            args: |_, _| os(&["--format", "json", "stats"]),
            check: |out, e| {
                let stats = json_of(out);
                assert_eq!(stats["tenants"], e.tenants);
                assert_eq!(stats["configs"], 1);
            },
        },
        Case {
            name: "health",
            args: |_, _| os(&["--format", "json", "health"]),
            check: |out, e| {
                let health = json_of(out);
                assert_eq!(health["healthy"], true, "{health}");
                let check = |name: &str| {
                    health["checks"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|c| c["name"] == name)
                        .unwrap_or_else(|| panic!("no {name} check: {health}"))
                        .clone()
                };
                if let Some(mode) = e.journal_mode.strip_prefix("sqlite:") {
                    assert_eq!(check("journal_mode")["detail"], mode, "{health}");
                    let writable = check("writable");
                    let expected = if e.read_only_mount { "warn" } else { "ok" };
                    assert_eq!(writable["status"], expected, "{health}");
                }
            },
        },
        Case {
            name: "tenants list",
            args: |_, _| os(&["--format", "json", "tenants", "list"]),
            check: |out, e| {
                let text = stdout_of(out);
                assert_eq!(text.contains("\"walonly\""), e.tenants == 2, "{text}");
                assert!(text.contains("\"default\""), "{text}");
            },
        },
        Case {
            name: "tenants show",
            args: |_, _| os(&["tenants", "show", "default"]),
            check: |_, _| {},
        },
        Case {
            name: "configs list",
            args: |_, _| os(&["configs", "list"]),
            check: |out, _| assert!(stdout_of(out).contains("gmail_token")),
        },
        Case {
            name: "configs get",
            args: |_, _| os(&["configs", "get", "gmail_token"]),
            check: |out, _| {
                let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(
                    got,
                    serde_json::from_str::<serde_json::Value>(CONFIG).unwrap()
                );
            },
        },
        Case {
            name: "configs export",
            args: |_, out| {
                let mut args = os(&["configs", "export"]);
                args.push(out.into());
                args
            },
            check: |_, e| assert!(e.out.join("gmail_token.json").is_file()),
        },
        Case {
            name: "wait",
            args: |_, _| os(&["wait", "--timeout", "10"]),
            check: |_, _| {},
        },
        Case {
            name: "--wait stats",
            args: |_, _| os(&["--wait", "10", "stats"]),
            check: |_, _| {},
        },
        Case {
            name: "migrate --dry-run",
            args: |_, _| os(&["migrate", "--dry-run"]),
            check: |_, _| {},
        },
        Case {
            name: "copy --from",
            args: |url, out| {
                let mut args = os(&["copy", "--from", url, "--to"]);
                args.push(out.into());
                args
            },
            check: |_, e| assert_eq!(sqlite_tenants(e.out), e.tenants),
        },
        Case {
            name: "backup",
            args: |_, out| {
                let mut args = os(&["backup"]);
                args.push(out.into());
                args
            },
            check: |_, e| assert_eq!(sqlite_tenants(e.out), e.tenants),
        },
    ]
}

/// Runs every case against `path` (in `state`) and checks that the file and its side files are
/// as they were after each run. Returns the number of runs.
fn sweep_sqlite(path: &Path, state: JournalState, read_only_mount: bool) -> usize {
    let scratch = tempfile::TempDir::new().unwrap();
    let url = path.to_str().unwrap();
    let before = file_state(path);
    let mut runs = 0;
    for (i, case) in cases().iter().enumerate() {
        let out_path = scratch.path().join(format!("out-{i}.db"));
        let mut cmd = std_agentdb(scratch.path());
        cmd.arg("-d").arg(url).args((case.args)(url, &out_path));
        let out = cmd.output().unwrap();
        let what = format!(
            "{} on {} ({}{})",
            case.name,
            path.display(),
            state.name(),
            if read_only_mount {
                ", read-only mount"
            } else {
                ""
            }
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{what}: {}{}",
            stdout_of(&out),
            stderr_of(&out)
        );
        assert_eq!(file_state(path), before, "{what} changed the database");
        (case.check)(
            &out,
            &Expected {
                tenants: state.tenants(),
                out: &out_path,
                read_only_mount,
                journal_mode: if before.journal_mode == "wal" {
                    "sqlite:wal"
                } else {
                    "sqlite:delete"
                },
            },
        );
        runs += 1;
    }
    runs
}

fn template() -> TestDb {
    let db = TestDb::sqlite();
    seeded(&db);
    db
}

#[test]
fn sqlite_sources_in_a_writable_folder_keep_bytes_journal_mode_and_side_files() {
    let template = template();
    let dir = tempfile::TempDir::new().unwrap();
    let mut runs = 0;
    for state in JOURNAL_STATES {
        let path = dir.path().join(format!("{}.db", state.name()));
        state.prepare(&template.path(), &path);
        runs += sweep_sqlite(&path, state, false);
    }
    eprintln!("read-only sources: SQLite, writable folder: {runs} runs, 0 changes");
}

#[test]
fn sqlite_sources_on_a_read_only_mount_are_read_and_left_as_they_were() {
    let Some(fs) = Tmpfs::mount("16m", "read-only sources on a read-only mount") else {
        return;
    };
    let template = template();
    for state in JOURNAL_STATES {
        state.prepare(
            &template.path(),
            &fs.path().join(format!("{}.db", state.name())),
        );
    }
    fs.remount_read_only();
    let mut runs = 0;
    for state in JOURNAL_STATES {
        runs += sweep_sqlite(&fs.path().join(format!("{}.db", state.name())), state, true);
    }
    eprintln!("read-only sources: SQLite, read-only mount: {runs} runs, 0 changes");
}

/// A name SQLite would read as part of a URI (`?`, `#`, `%`, `:`), spaces and unicode: the
/// read-only open escapes them, so the file opened is the one named.
#[test]
fn sqlite_source_paths_with_uri_characters_are_opened_as_named() {
    let template = template();
    let dir = tempfile::TempDir::new().unwrap();
    for name in ["a?mode=rwc.db", "b#c.db", "100% ü:x.db", "sqlite:x.db"] {
        let path = dir.path().join(name);
        JournalState::Delete.prepare(&template.path(), &path);
        let before = file_state(&path);
        let out = std_agentdb(dir.path())
            .arg("-d")
            .arg(&path)
            .args(["--format", "json", "stats"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", stderr_of(&out));
        assert_eq!(json_of(&out)["tenants"], 1, "{name}");
        assert_eq!(file_state(&path), before, "{name}");
    }
    // Nothing else appeared in the folder (a URI read wrongly would name another file).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["100% ü:x.db", "a?mode=rwc.db", "b#c.db", "sqlite:x.db"]
    );
}

/// A WAL file whose `-wal` holds frames but whose `-shm` is missing cannot be read on a
/// read-only mount (SQLite needs the `-shm`); reading it without the frames would be wrong:
/// the command says so and exits 1.
#[test]
fn sqlite_wal_frames_without_shm_on_a_read_only_mount_are_refused_not_misread() {
    let Some(fs) = Tmpfs::mount("16m", "-wal without -shm on a read-only mount") else {
        return;
    };
    let template = template();
    let path = fs.path().join("frames.db");
    JournalState::WalFrames.prepare(&template.path(), &path);
    std::fs::remove_file(side_file(&path, "-shm")).unwrap();
    fs.remount_read_only();
    let out = std_agentdb(fs.path())
        .arg("-d")
        .arg(&path)
        .args(["tenants", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("-shm") && err.contains("frames.db"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn postgres_sources_work_on_a_read_only_session_and_change_nothing() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    seeded(&db);
    let name = db.pg_name().unwrap().to_string();
    let admin = common::postgres_admin_url();
    let mut admin_conn = PgConnection::establish(&admin).unwrap();
    admin_conn
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"
        ))
        .unwrap();
    let before = postgres_fingerprint(&db.url);
    // The setting is in force: a command that writes is refused.
    let out = db
        .std_cmd()
        .args(["init-tenant", "--tenant-id", "other"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("read-only transaction"),
        "{}",
        stderr_of(&out)
    );
    let scratch = tempfile::TempDir::new().unwrap();
    let mut runs = 0;
    for (i, case) in cases().iter().enumerate() {
        let out_path = scratch.path().join(format!("out-{i}.db"));
        let out = db
            .std_cmd()
            .args((case.args)(&db.url, &out_path))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{} on a read-only session: {}{}",
            case.name,
            stdout_of(&out),
            stderr_of(&out)
        );
        (case.check)(
            &out,
            &Expected {
                tenants: 1,
                out: &out_path,
                read_only_mount: false,
                journal_mode: "postgres",
            },
        );
        runs += 1;
    }
    assert_eq!(postgres_fingerprint(&db.url), before);
    admin_conn
        .batch_execute(&format!(
            "ALTER DATABASE \"{name}\" RESET default_transaction_read_only"
        ))
        .unwrap();
    eprintln!("read-only sources: PostgreSQL, read-only session: {runs} runs, 0 changes");
}

/// A Python writer that keeps committing tenants to a WAL database until told to stop.
const PYTHON_LIVE_WRITER: &str = r#"
import os, sqlite3, sys
path, ready, stop = sys.argv[1:4]
c = sqlite3.connect(path, timeout=30)
i = 0
while True:
    c.execute("INSERT INTO tenants (id, name) VALUES (?, 'live')", (f"live{i}",))
    c.commit()
    i += 1
    if i == 1:
        open(ready, "w").close()
    if os.path.exists(stop):
        break
c.close()
print(i)
"#;

/// The read-only open is safe beside a process that writes (which is why `immutable` is used
/// only on read-only mounts): while a writer commits in a loop, every read-only command works,
/// `copy` and `backup` take a consistent, verified snapshot, and the writer never fails.
#[test]
fn sqlite_sources_are_read_beside_a_live_writer() {
    let template = template();
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("live.db");
    JournalState::WalClean.prepare(&template.path(), &path);
    let ready = dir.path().join("ready");
    let stop = dir.path().join("stop");
    let writer = std::process::Command::new("python3")
        .args(["-c", PYTHON_LIVE_WRITER])
        .arg(&path)
        .arg(&ready)
        .arg(&stop)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !ready.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the writer never committed"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let scratch = tempfile::TempDir::new().unwrap();
    let mut runs = 0;
    for round in 0..2 {
        for (i, case) in cases().iter().enumerate() {
            if case.name == "status --verify" || case.name == "migrate --dry-run" {
                continue;
            }
            let out_path = scratch.path().join(format!("out-{round}-{i}.db"));
            let out = std_agentdb(scratch.path())
                .arg("-d")
                .arg(&path)
                .args((case.args)(path.to_str().unwrap(), &out_path))
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{} beside a writer: {}",
                case.name,
                stderr_of(&out)
            );
            if matches!(case.name, "copy --from" | "backup") {
                assert!(sqlite_tenants(&out_path) >= 2, "{}", case.name);
            }
            runs += 1;
        }
    }
    std::fs::write(&stop, "").unwrap();
    let written = writer.wait_with_output().unwrap();
    assert!(written.status.success(), "{}", stderr_of(&written));
    let commits: i64 = stdout_of(&written).trim().parse().unwrap();
    let check = TestDb::sqlite_at(path.to_str().unwrap());
    assert_eq!(
        check.scalar("SELECT count(*) AS v FROM tenants"),
        commits + 1
    );
    assert_eq!(
        check.strings("SELECT integrity_check AS v FROM pragma_integrity_check"),
        ["ok"]
    );
    eprintln!("read-only sources: {runs} runs beside a writer that committed {commits} times");
}

/// The legacy layouts `copy --layout` reads: the table their threads are in, and a row of it
/// a writer leaves only in the `-wal` (the WAL-frames state).
const LEGACY: [(&str, &str, &str); 2] = [
    (
        "agentkit",
        "threads",
        "INSERT INTO threads (id, agent_type, model, provider) VALUES ('walonly', 'chat', 'm', 'p')",
    ),
    (
        "adk-integration",
        "new_conversations",
        "INSERT INTO new_conversations (conversation_id, title) VALUES ('walonly', 'wal')",
    ),
];

/// A Python sqlite3 writer that commits one statement to a WAL file and exits without closing.
const PYTHON_LEGACY_WRITER: &str = r#"
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('PRAGMA wal_autocheckpoint = 0')
c.execute(sys.argv[2])
c.commit()
os._exit(0)
"#;

const LEGACY_STATES: [&str; 3] = ["delete", "wal-clean", "wal-frames"];

/// A legacy SQLite source at `path` in `state`; its number of threads.
fn legacy_file(layout: &str, table: &str, insert: &str, state: &str, path: &Path) -> i64 {
    let template = legacy::legacy_source(common::Kind::Sqlite, layout).unwrap();
    let threads = template.scalar(&format!("SELECT count(*) AS v FROM {table}"));
    std::fs::copy(template.path(), path).unwrap();
    if state == "delete" {
        return threads;
    }
    // The last connection to close folds the -wal in and removes it.
    let mut c = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    c.batch_execute("PRAGMA journal_mode = WAL").unwrap();
    drop(c);
    if state == "wal-clean" {
        return threads;
    }
    let status = std::process::Command::new("python3")
        .args(["-c", PYTHON_LEGACY_WRITER])
        .arg(path)
        .arg(insert)
        .status()
        .expect("python3");
    assert!(status.success());
    assert!(side_file(path, "-wal").metadata().unwrap().len() > 0);
    threads + 1
}

/// `copy --layout` (a run into a new SQLite file, and a dry run) from every legacy layout in
/// every state: the source keeps its bytes, journal mode and side files, and every thread,
/// the one only in the `-wal` included, arrives. Returns the number of runs.
fn sweep_legacy(folder: &Path, read_only_mount: bool, prepare: bool) -> usize {
    let scratch = tempfile::TempDir::new().unwrap();
    let mut runs = 0;
    for (layout, table, insert) in LEGACY {
        for state in LEGACY_STATES {
            let path = folder.join(format!("{layout}-{state}.db"));
            let count = folder.join(format!("{layout}-{state}.count"));
            if prepare {
                let threads = legacy_file(layout, table, insert, state, &path);
                std::fs::write(&count, threads.to_string()).unwrap();
                continue;
            }
            let threads: i64 = std::fs::read_to_string(&count).unwrap().parse().unwrap();
            let before = file_state(&path);
            for dry_run in [true, false] {
                let what = format!(
                    "copy --layout {layout}{} from {state}{}",
                    if dry_run { " --dry-run" } else { "" },
                    if read_only_mount {
                        ", read-only mount"
                    } else {
                        ""
                    }
                );
                let out_path = scratch
                    .path()
                    .join(format!("{layout}-{state}-{dry_run}.db"));
                let mut cmd = std_agentdb(scratch.path());
                cmd.args(["--format", "json", "copy", "--from"])
                    .arg(&path)
                    .arg("--to")
                    .arg(&out_path)
                    .args(["--layout", layout, "--tenant", "acme"]);
                if dry_run {
                    cmd.arg("--dry-run");
                }
                let out = cmd.output().unwrap();
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{what}: {}{}",
                    stdout_of(&out),
                    stderr_of(&out)
                );
                assert_eq!(file_state(&path), before, "{what} changed the source");
                if dry_run {
                    assert!(!out_path.exists(), "{what} created its target");
                } else {
                    let target = TestDb::sqlite_at(out_path.to_str().unwrap());
                    assert_eq!(
                        target.scalar("SELECT count(*) AS v FROM threads WHERE tenant_id = 'acme'"),
                        threads,
                        "{what}: every thread, the -wal's too"
                    );
                }
                runs += 1;
            }
        }
    }
    runs
}

#[test]
fn legacy_sqlite_sources_in_a_writable_folder_keep_bytes_journal_mode_and_side_files() {
    let dir = tempfile::TempDir::new().unwrap();
    sweep_legacy(dir.path(), false, true);
    let runs = sweep_legacy(dir.path(), false, false);
    eprintln!("read-only sources: legacy SQLite, writable folder: {runs} runs, 0 changes");
}

#[test]
fn legacy_sqlite_sources_on_a_read_only_mount_are_read_and_left_as_they_were() {
    let Some(fs) = Tmpfs::mount("16m", "legacy sources on a read-only mount") else {
        return;
    };
    sweep_legacy(fs.path(), true, true);
    fs.remount_read_only();
    let runs = sweep_legacy(fs.path(), true, false);
    eprintln!("read-only sources: legacy SQLite, read-only mount: {runs} runs, 0 changes");
}

/// A legacy PostgreSQL source on a session with `default_transaction_read_only=on`: imported
/// whole (run and dry run), and not a row of it changed.
#[test]
fn legacy_postgres_sources_on_a_read_only_session_change_nothing() {
    for (layout, table, _) in LEGACY {
        let Some(db) = legacy::legacy_source(common::Kind::Postgres, layout) else {
            return;
        };
        let threads = db.scalar(&format!("SELECT count(*) AS v FROM {table}"));
        let name = db.pg_name().unwrap().to_string();
        let mut admin = PgConnection::establish(&common::postgres_admin_url()).unwrap();
        admin
            .batch_execute(&format!(
                "ALTER DATABASE \"{name}\" SET default_transaction_read_only = on"
            ))
            .unwrap();
        let before = postgres_fingerprint(&db.url);
        let scratch = tempfile::TempDir::new().unwrap();
        for dry_run in [true, false] {
            let out_path = scratch.path().join(format!("out-{dry_run}.db"));
            let mut cmd = std_agentdb(scratch.path());
            cmd.args(["copy", "--from", &db.url, "--to"])
                .arg(&out_path)
                .args(["--layout", layout, "--tenant", "acme"]);
            if dry_run {
                cmd.arg("--dry-run");
            }
            let out = cmd.output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{layout}: {}", stderr_of(&out));
            if !dry_run {
                let target = TestDb::sqlite_at(out_path.to_str().unwrap());
                assert_eq!(
                    target.scalar("SELECT count(*) AS v FROM threads WHERE tenant_id = 'acme'"),
                    threads,
                    "{layout}"
                );
            }
        }
        assert_eq!(postgres_fingerprint(&db.url), before, "{layout}");
        admin
            .batch_execute(&format!(
                "ALTER DATABASE \"{name}\" RESET default_transaction_read_only"
            ))
            .unwrap();
    }
}
