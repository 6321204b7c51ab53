//! The signals class suite: SIGINT, SIGTERM and SIGKILL at observed points (right after start;
//! while writing — a temporary file present, the database open, progress visible in the
//! database; after the result appeared) of backup, copy, configs export, prune,
//! import-configs, configs rotate-keys, database reset, a first migrate (a new SQLite file) and
//! erase writing its receipt, on both backends. The end state is
//! the old one or the new one, never a third; where a command commits in steps (prune,
//! rotate-keys), re-running it completes the new one. Each test
//! prints a table of its rounds (`signals:` lines on stderr); the assertions are on the end
//! state, checked with plain SQL and file inspection.
//!
//! Sampling (CI time): every signal at the "mid" point of every case, plus SIGINT at "start"
//! and SIGTERM at "end"; `AGENTDB_SOAK=1` runs every signal at every point, three times.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Stdio};

use common::signals::*;
use common::*;
use diesel::prelude::*;
use diesel::sql_types::Text;

const FIXTURE: &str = include_str!("sql/copy_fixture_sqlite.sql");
const MESSAGES: i64 = 10_000;
const OLD_KEY: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const NEW_KEY: &str = "KTt7sJPpXWr_oQym5yP93U3L1pF6NMdG_1v86jwf0e8=";

/// Which (signal, point) rounds to run.
fn plan() -> Vec<(Sig, &'static str)> {
    if soak() {
        let mut all = Vec::new();
        for _ in 0..3 {
            for point in ["start", "mid", "end"] {
                for sig in ALL {
                    all.push((sig, point));
                }
            }
        }
        return all;
    }
    let mut rounds: Vec<_> = ALL.iter().map(|s| (*s, "mid")).collect();
    rounds.push((Sig::Int, "start"));
    rounds.push((Sig::Term, "end"));
    rounds
}

/// Spawns `cmd`, waits for `point` (`mid`: `mid()` holds; `end`: `end()` holds or the
/// process finished), sends `sig`, and returns the child's status and what was observed.
fn strike(
    mut cmd: std::process::Command,
    sig: Sig,
    point: &str,
    mut mid: impl FnMut(&Child) -> bool,
    mut end: impl FnMut() -> bool,
    case: &str,
    writes_files: bool,
) -> (String, &'static str) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (running, landed) = match point {
        "start" => (true, "at start"),
        "mid" => {
            let mut seen = false;
            let running = {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
                loop {
                    if mid(&child) {
                        seen = true;
                        break child.try_wait().unwrap().is_none();
                    }
                    if child.try_wait().unwrap().is_some() || std::time::Instant::now() > deadline {
                        break false;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            };
            match (seen, running) {
                (true, true) => (true, "mid (observed)"),
                (true, false) => (false, "mid, then exited"),
                _ => (false, "after exit"),
            }
        }
        _ => {
            let running = wait_until(&mut child, &mut end);
            (
                running,
                if running {
                    "after result"
                } else {
                    "after exit"
                },
            )
        }
    };
    send(&child, sig);
    // A process frozen at its observed point (`freeze`) takes the signal as it resumes.
    stop_or_continue(&child, "CONT");
    let output = child.wait_with_output().unwrap();
    let exit = check_status(output.status, sig, running, case);
    if writes_files && landed == "mid (observed)" && sig != Sig::Kill {
        // A temporary file was there: the handler ran and exited with 128 + signal.
        assert_eq!(output.status.code(), sig.expected_code(), "{case}: {exit}");
    }
    if output.status.code().is_some_and(|c| c != 0 && c < 128) {
        panic!(
            "{case}: failed on its own: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    (exit, landed)
}

fn sqlite_source() -> TestDb {
    let db = TestDb::sqlite();
    db.cmd().args(["-q", "migrate"]).assert().success();
    poll::exec(&db, &FIXTURE.replace(":MESSAGES", &MESSAGES.to_string()));
    db
}

/// A SQLite file's message count after `PRAGMA integrity_check` passed.
fn checked_messages(path: &Path) -> i64 {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    let rows: Vec<V> = diesel::sql_query("SELECT integrity_check AS v FROM pragma_integrity_check")
        .load(&mut conn)
        .unwrap_or_else(|e| panic!("{} is not a whole SQLite file: {e}", path.display()));
    assert_eq!(rows[0].v, "ok", "{}", path.display());
    let n: Vec<V> = diesel::sql_query("SELECT CAST(count(*) AS TEXT) AS v FROM messages")
        .load(&mut conn)
        .unwrap_or_else(|e| panic!("{}: no messages table: {e}", path.display()));
    n[0].v.parse().unwrap()
}

/// After a round that wrote (or not) a SQLite file at `dest`: nothing there, or the whole
/// file; agentdb's temporaries gone unless the process was SIGKILLed.
fn file_end_state(dest: &Path, sig: Sig, case: &str) -> &'static str {
    let folder = dest.parent().unwrap();
    if sig != Sig::Kill {
        assert_eq!(temporaries(folder), Vec::<String>::new(), "{case}");
    }
    if dest.exists() {
        assert_eq!(
            checked_messages(dest),
            MESSAGES,
            "{case}: an incomplete file"
        );
        "new (whole)"
    } else {
        "old (no file)"
    }
}

fn backup_rounds(source: &TestDb, label: &str) {
    for (sig, point) in plan() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("bk.db");
        let case = format!("backup from {label}");
        let mut cmd = source.std_cmd();
        cmd.args(["-q", "backup", dest.to_str().unwrap()]);
        let (exit, landed) = strike(
            cmd,
            sig,
            point,
            |_| !temporaries(dir.path()).is_empty(),
            || dest.exists(),
            &case,
            true,
        );
        let end = file_end_state(&dest, sig, &case);
        record(Round {
            case,
            sig,
            point,
            landed,
            exit,
            end,
        });
    }
}

#[test]
fn backup_from_sqlite() {
    let source = sqlite_source();
    backup_rounds(&source, "sqlite");
    print_table("backup from sqlite");
}

#[test]
fn backup_from_postgres() {
    let Some(source) = TestDb::postgres() else {
        return;
    };
    let sqlite = sqlite_source();
    sqlite
        .cmd()
        .args(["-q", "copy", "--from", &sqlite.url, "--to", &source.url])
        .assert()
        .success();
    backup_rounds(&source, "postgres");
    print_table("backup from postgres");
}

#[test]
fn copy_to_a_new_sqlite_file() {
    let source = sqlite_source();
    for (sig, point) in plan() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("restored.db");
        let case = "copy to new sqlite".to_string();
        let mut cmd = std_agentdb(source.dir.path());
        cmd.args(["-q", "copy", "--from", &source.url, "--to"])
            .arg(&dest);
        let (exit, landed) = strike(
            cmd,
            sig,
            point,
            |_| !temporaries(dir.path()).is_empty(),
            || dest.exists(),
            &case,
            true,
        );
        let end = file_end_state(&dest, sig, &case);
        record(Round {
            case,
            sig,
            point,
            landed,
            exit,
            end,
        });
    }
    print_table("copy to new sqlite");
}

/// A PostgreSQL session of agentdb inside a transaction on database `name`.
fn pg_in_transaction(admin: &TestDb, name: &str) -> bool {
    admin.scalar(&format!(
        "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = '{name}' \
         AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE 'COPY%'"
    )) > 0
}

fn messages_or_zero(db: &TestDb) -> i64 {
    if db.tables().iter().any(|t| t == "messages") {
        poll::scalar(db, "SELECT count(*) AS v FROM messages")
    } else {
        0
    }
}

#[test]
fn copy_into_postgres() {
    let source = sqlite_source();
    let Some(admin) = TestDb::postgres() else {
        return;
    };
    for (sig, point) in plan() {
        let target = TestDb::postgres().unwrap();
        let name = target.pg_name().unwrap().to_string();
        let case = "copy into postgres".to_string();
        let mut cmd = std_agentdb(source.dir.path());
        cmd.args(["-q", "copy", "--from", &source.url, "--to", &target.url]);
        let (exit, landed) = strike(
            cmd,
            sig,
            point,
            |_| pg_in_transaction(&admin, &name),
            || messages_or_zero(&target) > 0,
            &case,
            false,
        );
        let end = match messages_or_zero(&target) {
            0 => {
                // Old: nothing copied; a new copy into it completes.
                source
                    .cmd()
                    .args(["-q", "copy", "--from", &source.url, "--to", &target.url])
                    .assert()
                    .success();
                assert_eq!(messages_or_zero(&target), MESSAGES, "{case}");
                "old (empty), re-run ok"
            }
            MESSAGES => "new (all rows)",
            n => panic!("{case}: {n} of {MESSAGES} messages"),
        };
        record(Round {
            case,
            sig,
            point,
            landed,
            exit,
            end,
        });
    }
    print_table("copy into postgres");
}

// ------------------------------------------------------------------ configs

const CONFIGS: usize = 800;

fn config_files(root: &Path) -> std::path::PathBuf {
    let dir = root.join("config");
    for i in 0..CONFIGS {
        write_file(
            &dir,
            &format!("group{}/token_{i}.json", i % 7),
            format!(
                "{{\"token\": \"value-{i}\", \"pad\": \"{}\"}}",
                "x".repeat(200)
            ),
        );
    }
    dir
}

fn migrated(db: &TestDb) {
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.cmd().args(["-q", "init-tenant"]).assert().success();
}

#[test]
fn configs_export() {
    let db = TestDb::sqlite();
    migrated(&db);
    let files = config_files(db.dir.path());
    db.cmd()
        .args(["-q", "import-configs", "-r"])
        .arg(&files)
        .assert()
        .success();
    for (sig, point) in plan() {
        for existing in [false, true] {
            let parent = tempfile::tempdir().unwrap();
            let out = parent.path().join("export");
            if existing {
                // An earlier export with other content: --force replaces all or none.
                for i in 0..CONFIGS {
                    write_file(&out, &format!("group{}/token_{i}.json", i % 7), "old");
                }
            }
            let case = format!(
                "configs export{}",
                if existing { " --force" } else { " (new)" }
            );
            let mut cmd = db.std_cmd();
            cmd.args(["-q", "configs", "export"]).arg(&out);
            if existing {
                cmd.arg("--force");
            }
            let watch = if existing {
                out.join("group0")
            } else {
                parent.path().to_path_buf()
            };
            let (exit, landed) = strike(
                cmd,
                sig,
                point,
                |_| !temporaries(&watch).is_empty(),
                || {
                    std::fs::read(out.join(format!(
                        "group{}/token_{}.json",
                        (CONFIGS - 1) % 7,
                        CONFIGS - 1
                    )))
                    .is_ok_and(|b| b != b"old")
                },
                &case,
                true,
            );
            if sig != Sig::Kill {
                assert_eq!(temporaries(parent.path()), Vec::<String>::new(), "{case}");
                for g in 0..7 {
                    assert_eq!(
                        temporaries(&out.join(format!("group{g}"))),
                        Vec::<String>::new(),
                        "{case}"
                    );
                }
            }
            let mut contents = BTreeMap::new();
            for i in 0..CONFIGS {
                let path = out.join(format!("group{}/token_{i}.json", i % 7));
                let state = match std::fs::read_to_string(&path) {
                    Err(_) => "missing",
                    Ok(text) if text == "old" => "old",
                    Ok(text) => {
                        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                        assert_eq!(v["token"], format!("value-{i}"), "{case}");
                        "new"
                    }
                };
                *contents.entry(state).or_insert(0) += 1;
            }
            let end = match contents.keys().copied().collect::<Vec<_>>()[..] {
                ["missing"] if !existing => "old (no folder)",
                ["old"] if existing => "old (all files)",
                ["new"] => "new (all files)",
                // SIGKILL during the renames into an existing folder (a few milliseconds):
                // every file whole (checked above), some old and some new; documented.
                ["new", "old"] if existing && sig == Sig::Kill => "mixed, each file whole",
                _ => panic!("{case} {}: a third state: {contents:?}", sig.name()),
            };
            if !existing && end.starts_with("old") {
                assert!(!out.exists(), "{case}: an empty folder was left");
            }
            record(Round {
                case,
                sig,
                point,
                landed,
                exit,
                end,
            });
        }
    }
    print_table("configs export");
}

/// `import-configs` of many files in one transaction: none or all.
fn import_configs_rounds(db: &TestDb) {
    migrated(db);
    let files = config_files(db.dir.path());
    let label = format!("import-configs {:?}", db.kind);
    for (sig, point) in plan() {
        poll::exec(db, "DELETE FROM tenant_configs");
        let mut cmd = db.std_cmd();
        cmd.args(["-q", "import-configs", "-r"]).arg(&files);
        let name = db.pg_name().map(str::to_string);
        let (exit, landed) = strike(
            cmd,
            sig,
            point,
            |child| match &name {
                // Writing: the transaction is open.
                Some(name) => {
                    poll::scalar(
                        db,
                        &format!(
                            "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = '{name}' \
                         AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
                        ),
                    ) > 0
                }
                None => has_open(child, "agentdb.db"),
            },
            || poll::scalar(db, "SELECT count(*) AS v FROM tenant_configs") > 0,
            &label,
            false,
        );
        let end = match poll::scalar(db, "SELECT count(*) AS v FROM tenant_configs") {
            0 => "old (none)",
            n if n == CONFIGS as i64 => "new (all)",
            n => panic!("{label}: {n} of {CONFIGS} configs"),
        };
        record(Round {
            case: label.clone(),
            sig,
            point,
            landed,
            exit,
            end,
        });
    }
    print_table(&label);
}

both_backends!(import_configs, |db| { import_configs_rounds(&db) });

/// `configs rotate-keys`: one transaction per tenant; every tenant all-old or all-new, and
/// a second run finishes the rotation.
fn rotate_keys_rounds(db: &TestDb) {
    migrated(db);
    let tenants = 12;
    let dir = db.dir.path().join("rot");
    for i in 0..60 {
        write_file(&dir, &format!("k{i}.json"), format!("{{\"v\": {i}}}"));
    }
    for t in 0..tenants {
        let id = format!("t{t}");
        db.cmd()
            .args(["-q", "init-tenant", "--tenant-id", &id])
            .assert()
            .success();
        db.cmd()
            .env("AGENTDB_CONFIG_KEYS", OLD_KEY)
            .args(["-q", "import-configs", "--tenant", &id])
            .arg(&dir)
            .assert()
            .success();
    }
    let values = || {
        poll::strings(db, "SELECT tenant_id || ' ' || key || ' ' || CAST(value AS TEXT) AS v FROM tenant_configs WHERE tenant_id <> 'default' ORDER BY 1")
    };
    let label = format!("rotate-keys {:?}", db.kind);
    for (round, (sig, point)) in plan().into_iter().enumerate() {
        // Each round rotates to the key the previous one did not use as its first.
        let (primary, other) = if round % 2 == 0 {
            (NEW_KEY, OLD_KEY)
        } else {
            (OLD_KEY, NEW_KEY)
        };
        let keys = format!("{primary},{other}");
        let before = values();
        let per_tenant_changed = |now: &[String]| {
            let mut changed: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for (b, a) in before.iter().zip(now) {
                let tenant = b.split(' ').next().unwrap().to_string();
                let e = changed.entry(tenant).or_default();
                e.1 += 1;
                if a != b {
                    e.0 += 1;
                }
            }
            changed
        };
        let mut cmd = db.std_cmd();
        cmd.env("AGENTDB_CONFIG_KEYS", &keys)
            .args(["-q", "configs", "rotate-keys"]);
        let (exit, landed) = strike(
            cmd,
            sig,
            point,
            |_| values() != before,
            || per_tenant_changed(&values()).values().all(|(c, n)| c == n),
            &label,
            false,
        );
        let changed = per_tenant_changed(&values());
        for (tenant, (c, n)) in &changed {
            assert!(
                *c == 0 || c == n,
                "{label}: tenant {tenant} half-rotated: {c} of {n}"
            );
        }
        let done = changed.values().filter(|(c, _)| *c > 0).count();
        // Re-running completes it: afterwards the other key alone decrypts nothing.
        db.cmd()
            .env("AGENTDB_CONFIG_KEYS", &keys)
            .args(["-q", "configs", "rotate-keys"])
            .assert()
            .success();
        let out = db
            .cmd()
            .env("AGENTDB_CONFIG_KEYS", other)
            .args(["configs", "export", "--tenant", "t0"])
            .arg(db.dir.path().join("never"))
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{label}: still under the other key"
        );
        assert!(
            per_tenant_changed(&values()).values().all(|(c, n)| c == n),
            "{label}"
        );
        let end = match done {
            0 => "old, re-run ok",
            d if d == tenants => "new",
            _ => "some tenants, re-run ok",
        };
        record(Round {
            case: label.clone(),
            sig,
            point,
            landed,
            exit,
            end,
        });
    }
    print_table(&label);
}

both_backends!(rotate_keys, |db| { rotate_keys_rounds(&db) });

/// `prune` in batches: a thread goes with all its messages or stays with all of them, and a
/// second run finishes.
fn prune_rounds(db: &TestDb) {
    migrated(db);
    let old = match db.kind {
        Kind::Postgres => "now() - interval '40 days'".to_string(),
        Kind::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-40 days')".to_string(),
    };
    let label = format!("prune {:?}", db.kind);
    let threads = 1_500;
    for (sig, point) in plan() {
        poll::exec(db, "DELETE FROM messages; DELETE FROM threads;");
        poll::exec(
            db,
            &format!(
                "INSERT INTO threads (tenant_id, id, status, updated_at, last_message_at) \
             SELECT 'default', 'old' || i, 'active', {old}, {old} FROM ({}) s;
             INSERT INTO messages (tenant_id, id, thread_id, role, content) \
             SELECT 'default', 'm' || i || '-' || j, 'old' || i, 'user', 'x' FROM ({}) s, ({}) t;
             INSERT INTO threads (tenant_id, id, status) VALUES ('default', 'recent', 'active');",
                series(db, "i", threads),
                series(db, "i", threads),
                series(db, "j", 2)
            ),
        );
        let mut cmd = db.std_cmd();
        cmd.args([
            "-q",
            "prune",
            "--yes",
            "--threads-older-than",
            "30d",
            "--batch-size",
            "20",
        ]);
        let (exit, landed) = strike(
            cmd,
            sig,
            point,
            |_| poll::scalar(db, "SELECT count(*) AS v FROM threads") < threads + 1,
            || poll::scalar(db, "SELECT count(*) AS v FROM threads") == 1,
            &label,
            false,
        );
        let left = poll::scalar(db, "SELECT count(*) AS v FROM threads WHERE id <> 'recent'");
        assert_eq!(
            poll::scalar(db, "SELECT count(*) AS v FROM messages"),
            left * 2,
            "{label}: a thread lost part of its messages"
        );
        assert_eq!(
            poll::scalar(db, "SELECT count(*) AS v FROM threads t WHERE (SELECT count(*) FROM messages m WHERE m.thread_id = t.id) NOT IN (0, 2)"),
            0
        );
        db.cmd()
            .args(["-q", "prune", "--yes", "--threads-older-than", "30d"])
            .assert()
            .success();
        assert_eq!(
            poll::strings(db, "SELECT id AS v FROM threads"),
            vec!["recent"]
        );
        let end = match left {
            0 => "new",
            l if l == threads => "old, re-run ok",
            _ => "whole batches, re-run ok",
        };
        record(Round {
            case: label.clone(),
            sig,
            point,
            landed,
            exit,
            end,
        });
    }
    print_table(&label);
}

fn series(db: &TestDb, column: &str, n: i64) -> String {
    match db.kind {
        Kind::Postgres => format!("SELECT generate_series(0, {}) AS {column}", n - 1),
        Kind::Sqlite => format!(
            "WITH RECURSIVE s({column}) AS (SELECT 0 UNION ALL SELECT {column} + 1 FROM s WHERE {column} < {}) SELECT {column} FROM s",
            n - 1
        ),
    }
}

both_backends!(prune, |db| { prune_rounds(&db) });

/// `database reset`: the old database whole, or (re-run) a new empty migrated one; never the
/// old data coming back, never a database between the two: both backends build the new one
/// aside (tests/database_reset.rs).
fn reset_rounds(db: &TestDb) {
    let label = format!("database reset {:?}", db.kind);
    let name = db.pg_name().map(str::to_string);
    let admin = name.as_ref().and_then(|_| TestDb::postgres());
    // Probed without creating anything (a SQLite connection would create the file).
    let exists = || match (&name, &admin) {
        (Some(name), Some(admin)) => {
            admin.scalar(&format!(
                "SELECT count(*) AS v FROM pg_database WHERE datname = '{name}'"
            )) == 1
        }
        _ => db.path().exists(),
    };
    // PostgreSQL: the temporary database the new one is built in.
    let building = || {
        match (&name, &admin) {
        (Some(name), Some(admin)) => {
            admin.scalar(&format!(
                "SELECT count(*) AS v FROM pg_database WHERE starts_with(datname, '{name}_agentdb_tmp_')"
            )) > 0
        }
        _ => false,
    }
    };
    let keepme = || -> Option<i64> {
        if !exists() {
            return None;
        }
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            db.tables()
                .iter()
                .any(|t| t == "tenants")
                .then(|| poll::scalar(db, "SELECT count(*) AS v FROM tenants WHERE id = 'keepme'"))
        }))
        .ok()
        .flatten()
    };
    for (sig, point) in plan() {
        if keepme().is_none() {
            migrated(db);
        }
        db.cmd().args(["-q", "init-tenant"]).assert().success();
        poll::exec(db, "INSERT INTO tenants (id, name) VALUES ('keepme', 'x')");
        let mut cmd = db.std_cmd();
        cmd.args(["-q", "database", "reset", "--yes", "--force"]);
        let (exit, landed) = strike(
            cmd,
            sig,
            point,
            // PostgreSQL: the new database is being built; SQLite: the file is open.
            |child| match name {
                Some(_) => building(),
                None => has_open(child, "agentdb.db"),
            },
            || keepme() == Some(0),
            &label,
            false,
        );
        let end = match keepme() {
            Some(1) => "old",
            Some(0) => "new",
            _ if exists() => "half-made",
            _ => "nothing",
        };
        // Only SIGKILL in the instant between taking the old database down and putting the
        // new one at its name may leave nothing; never a database not whole and migrated.
        assert!(
            end == "old" || end == "new" || sig == Sig::Kill && end == "nothing",
            "{label}: {sig:?} at {point} left {end}"
        );
        if sig != Sig::Kill && name.is_some() {
            assert!(
                !building(),
                "{label}: {sig:?} at {point} left its temporary"
            );
        }
        db.cmd()
            .args(["-q", "database", "reset", "--yes", "--force"])
            .assert()
            .success();
        assert_eq!(
            poll::scalar(db, "SELECT count(*) AS v FROM tenants"),
            0,
            "{label}: old rows came back after reset"
        );
        record(Round {
            case: label.clone(),
            sig,
            point,
            landed,
            exit,
            end,
        });
    }
    print_table(&label);
}

both_backends!(database_reset, |db| { reset_rounds(&db) });

/// A first `migrate` (plain and `--create`) builds a new SQLite file: killed at any point, the
/// file is not there or is there whole and fully migrated (integrity check, every migration
/// recorded, agentdb's tables present), never an empty or half-migrated database; only SIGKILL
/// may leave agentdb's clearly named temporary, and the next migrate completes regardless.
#[test]
fn migrate_a_new_sqlite_file() {
    for create in [false, true] {
        let case = if create {
            "migrate --create new sqlite"
        } else {
            "migrate new sqlite"
        };
        for (sig, point) in plan() {
            let db = TestDb::sqlite();
            let dest = db.path();
            let mut cmd = db.std_cmd();
            cmd.args(["-q", "migrate"]);
            if create {
                cmd.arg("--create");
            }
            let (exit, landed) = strike(
                cmd,
                sig,
                point,
                |child| freeze_when_open(child, "agentdb.db"),
                || dest.exists(),
                case,
                true,
            );
            let folder = dest.parent().unwrap();
            if sig != Sig::Kill {
                assert_eq!(temporaries(folder), Vec::<String>::new(), "{case}");
            }
            let end = if dest.exists() {
                assert_whole_and_migrated(&db, case);
                "new (whole)"
            } else {
                "old (no file)"
            };
            // Whatever was left, the next migrate ends with the whole database.
            db.cmd().args(["-q", "migrate"]).assert().success();
            assert_whole_and_migrated(&db, case);
            record(Round {
                case: case.to_string(),
                sig,
                point,
                landed,
                exit,
                end,
            });
        }
        print_table(case);
    }
}

fn assert_whole_and_migrated(db: &TestDb, case: &str) {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let mut conn = SqliteConnection::establish(&db.url).unwrap();
    let rows: Vec<V> = diesel::sql_query("SELECT integrity_check AS v FROM pragma_integrity_check")
        .load(&mut conn)
        .unwrap_or_else(|e| panic!("{case}: not a whole SQLite file: {e}"));
    assert_eq!(rows[0].v, "ok", "{case}");
    drop(conn);
    assert_eq!(
        db.applied_versions(),
        known_versions(),
        "{case}: an empty or half-migrated database was left"
    );
    for table in ["tenants", "threads", "messages", "runs", "tenant_configs"] {
        assert!(db.tables().iter().any(|t| t == table), "{case}: no {table}");
    }
}

/// `erase --tenant --receipt` killed while it writes the receipt (its temporary present, the
/// erase committed), at start and after the receipt appeared: the tenant's rows are all there
/// or all gone; the receipt is absent or whole (the report's JSON, 0600); only SIGKILL may
/// leave the temporary; re-running the erase completes it.
fn erase_receipt_rounds(db: &TestDb) {
    let label = format!("erase --receipt {:?}", db.kind);
    migrated(db);
    let mut observed = 0;
    for (sig, point) in plan() {
        // A mid round is retried until the signal lands while the receipt is being written.
        for attempt in 0..20 {
            db.cmd()
                .args(["-q", "init-tenant", "--tenant-id", "acme"])
                .assert()
                .success();
            poll::exec(
                db,
                &format!(
                    "INSERT INTO threads (tenant_id, id) VALUES ('acme', 't1'); {}",
                    (0..20)
                        .map(|i| format!(
                            "INSERT INTO messages (tenant_id, thread_id, id, role, content) \
                             VALUES ('acme', 't1', 'm{i}', 'user', 'x');"
                        ))
                        .collect::<String>()
                ),
            );
            let receipts = tempfile::tempdir().unwrap();
            let receipt = receipts.path().join("receipt.json");
            let mut cmd = db.std_cmd();
            cmd.args(["-q", "erase", "--tenant", "acme", "--yes", "--receipt"])
                .arg(&receipt);
            let (exit, landed) = strike(
                cmd,
                sig,
                point,
                |child| freeze_when_temporary(child, receipts.path()),
                || receipt.exists(),
                &label,
                true,
            );
            if sig != Sig::Kill {
                assert_eq!(
                    temporaries(receipts.path()),
                    Vec::<String>::new(),
                    "{label}"
                );
            }
            let tenant = poll::scalar(db, "SELECT count(*) AS v FROM tenants WHERE id = 'acme'");
            let messages = poll::scalar(
                db,
                "SELECT count(*) AS v FROM messages WHERE tenant_id = 'acme'",
            );
            assert!(
                (tenant, messages) == (1, 20) || (tenant, messages) == (0, 0),
                "{label}: a third state: tenant {tenant}, messages {messages}"
            );
            let end = if receipt.exists() {
                assert_eq!(mode_of(&receipt), 0o600, "{label}");
                let report: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(&receipt).unwrap())
                        .unwrap_or_else(|e| panic!("{label}: a receipt that is not whole: {e}"));
                assert_eq!(
                    report["total_deleted"].as_i64(),
                    Some(23),
                    "{label}: {report}"
                );
                assert_eq!(
                    tenant, 0,
                    "{label}: a receipt for an erase that did not commit"
                );
                "erased, receipt whole"
            } else if tenant == 0 {
                "erased, no receipt"
            } else {
                "old"
            };
            if landed == "mid (observed)" {
                assert_eq!(
                    tenant, 0,
                    "{label}: the receipt is written after the commit"
                );
                observed += 1;
            }
            // Re-running completes it (a new receipt name: one is never overwritten).
            let again = receipts.path().join("again.json");
            db.cmd()
                .args(["-q", "erase", "--tenant", "acme", "--yes", "--receipt"])
                .arg(&again)
                .assert()
                .success();
            assert!(again.exists(), "{label}");
            assert_eq!(
                poll::scalar(db, "SELECT count(*) AS v FROM tenants WHERE id = 'acme'"),
                0
            );
            record(Round {
                case: label.clone(),
                sig,
                point,
                landed,
                exit,
                end,
            });
            if point != "mid" || landed == "mid (observed)" || attempt == 19 {
                break;
            }
        }
    }
    assert!(observed > 0, "{label}: never caught writing its receipt");
    print_table(&label);
}

both_backends!(erase_receipt, |db| { erase_receipt_rounds(&db) });
