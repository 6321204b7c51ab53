//! The reliability suite: concurrency, crashes (kill -9), server faults, hostile input, secrets
//! and tenant isolation, against the real binary on both backends. Default sizes fit CI;
//! `AGENTDB_SOAK=1` runs the large rounds (100+). Each test prints a `reliability:` line with
//! its figures; README "Guarantees" quotes them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::tmpfs::Tmpfs;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};

fn soak() -> bool {
    std::env::var("AGENTDB_SOAK").is_ok_and(|v| v == "1")
}

fn rounds(default: usize, soak_rounds: usize) -> usize {
    if soak() {
        soak_rounds
    } else {
        default
    }
}

/// Every password, API key, Fernet key and config secret the suite uses: no output may ever
/// contain one (config values reach stdout only through `configs get`, never scanned).
const SECRETS: [&str; 7] = [
    "Pw-Cluster-9f8e7d",
    "sk-reliability-key-0123456789abcdef",
    "p@ss:w/rd-Secret42",
    "rotated-key-abcdefghijklmnop0123",
    // Fernet keys (config encryption) and a config value.
    "KTt7sJPpXWr_oQym5yP93U3L1pF6NMdG_1v86jwf0e8=",
    "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
    "ya29.reliability-config-secret-value",
];

static SCANNED: Mutex<usize> = Mutex::new(0);

/// Asserts no secret (raw or percent-encoded) is in a command's output; counts the scans.
fn scan(output: &Output) {
    let all = format!("{}{}", stdout_of(output), stderr_of(output));
    for secret in SECRETS {
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        assert!(!all.contains(secret), "secret {secret:?} printed:\n{all}");
        assert!(
            !all.contains(&encoded),
            "encoded secret {encoded:?} printed:\n{all}"
        );
        assert!(
            !all.contains(&secret.replace('@', "%40")),
            "secret printed:\n{all}"
        );
    }
    *SCANNED.lock().unwrap() += 1;
}

/// Runs agentdb (std command) and scans its output.
fn run(mut cmd: impl std::borrow::BorrowMut<StdCommand>) -> Output {
    let out = cmd
        .borrow_mut()
        .stdin(Stdio::null())
        .output()
        .expect("run agentdb");
    scan(&out);
    out
}

fn run_all(outputs: Vec<Output>) -> Vec<Output> {
    outputs.iter().for_each(scan);
    outputs
}

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n.max(1)
}

/// The schema as plain SQL sees it, for comparing runs.
fn schema_of(db: &TestDb) -> Vec<String> {
    match db.kind {
        Kind::Sqlite => db.strings("SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS v FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"),
        Kind::Postgres => db.strings(
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS v \
             FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        ),
    }
}

fn migrate_cmd(db: &TestDb) -> StdCommand {
    let mut c = db.std_cmd();
    c.args(["migrate", "--lock-timeout", "60"]);
    c
}

fn versions() -> usize {
    agentdb::schema::migrations::embedded_ids(agentdb::db::Backend::Sqlite)
        .unwrap()
        .len()
}

// ---------------------------------------------------------------- 1. concurrency

both_backends!(sixteen_concurrent_migrates_per_round, |db| {
    let kind = db.kind;
    drop(db);
    let serial = {
        let reference = TestDb::new(kind).unwrap();
        assert!(run(migrate_cmd(&reference)).status.success());
        schema_of(&reference)
    };
    let n = rounds(20, 100);
    let mut processes = 0;
    for round in 0..n {
        let fresh = TestDb::new(kind).unwrap();
        let outputs = run_all(run_concurrently(16, |_| migrate_cmd(&fresh)));
        processes += outputs.len();
        for out in &outputs {
            assert!(out.status.success(), "round {round}: {}", stderr_of(out));
        }
        let applied: usize = outputs.iter().map(migrations_applied_by).sum();
        assert_eq!(
            applied,
            versions(),
            "round {round}: each migration applied exactly once"
        );
        assert_eq!(fresh.applied_versions().len(), versions());
        assert_eq!(
            schema_of(&fresh),
            serial,
            "round {round}: schema differs from a serial run"
        );
    }
    eprintln!("reliability: concurrent migrate {kind:?}: {n} rounds x 16 processes = {processes} processes, 0 failures");
});

/// The tenant, thread and config rows, for comparing final states.
fn state_of(db: &TestDb) -> Vec<String> {
    let mut all = db.strings("SELECT id || ':' || name || ':' || coalesce(api_key_hash, '-') AS v FROM tenants ORDER BY id");
    all.extend(
        db.strings("SELECT tenant_id || '/' || id AS v FROM threads ORDER BY tenant_id, id"),
    );
    all.extend(db.strings("SELECT tenant_id || '/' || key || ':' || content_hash AS v FROM tenant_configs ORDER BY tenant_id, key"));
    all
}

fn overlapping_files(dir: &Path) -> Vec<PathBuf> {
    (0..60)
        .map(|i| {
            write_file(
                dir,
                &format!("cfg_{i:02}.json"),
                format!(r#"{{"token": "t{i}", "scopes": ["a", "b"]}}"#),
            )
        })
        .collect()
}

both_backends!(
    concurrent_init_tenant_and_imports_end_like_a_serial_run,
    |db| {
        let files = overlapping_files(&db.dir.path().join("cfg"));
        // A process's share: 30 of the 60 files, overlapping its neighbours'.
        let share = |i: usize| -> Vec<&PathBuf> {
            files
                .iter()
                .enumerate()
                .filter(|(f, _)| (f + i * 7) % 60 < 30)
                .map(|(_, p)| p)
                .collect()
        };
        let init = |c: &mut StdCommand| {
            c.args([
                "init-tenant",
                "--tenant-id",
                "acme",
                "--name",
                "Acme",
                "--api-key",
                SECRETS[1],
            ]);
        };
        let serial = {
            let reference = TestDb::new(db.kind).unwrap();
            assert!(run(migrate_cmd(&reference)).status.success());
            let mut c = reference.std_cmd();
            init(&mut c);
            assert!(run(c).status.success());
            for i in 0..8 {
                let mut c = reference.std_cmd();
                c.args(["import-configs", "--tenant", "acme"])
                    .args(share(i));
                assert!(run(c).status.success());
            }
            state_of(&reference)
        };
        let n = rounds(5, 50);
        for round in 0..n {
            let fresh = TestDb::new(db.kind).unwrap();
            assert!(run(migrate_cmd(&fresh)).status.success());
            for out in run_all(run_concurrently(8, |_| {
                let mut c = fresh.std_cmd();
                init(&mut c);
                c
            })) {
                assert!(
                    out.status.success(),
                    "round {round}: init-tenant: {}",
                    stderr_of(&out)
                );
            }
            for out in run_all(run_concurrently(8, |i| {
                let mut c = fresh.std_cmd();
                c.args(["import-configs", "--tenant", "acme"])
                    .args(share(i));
                c
            })) {
                assert!(
                    out.status.success(),
                    "round {round}: import-configs: {}",
                    stderr_of(&out)
                );
            }
            assert_eq!(
                state_of(&fresh),
                serial,
                "round {round}: differs from the serial run"
            );
        }
        eprintln!("reliability: concurrent init-tenant + import-configs {:?}: {n} rounds x (8 + 8) processes, final state = serial run, 0 failures", db.kind);
    }
);

// ---------------------------------------------------------------- 2. crash atomicity

fn kill_after(mut cmd: StdCommand, delay: Duration) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let finished = child.try_wait().unwrap().is_some();
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    !finished
}

fn integrity_ok(db: &TestDb) {
    if db.kind == Kind::Sqlite {
        assert_eq!(
            db.strings("SELECT integrity_check AS v FROM pragma_integrity_check"),
            vec!["ok"]
        );
    }
}

both_backends!(
    kill_9_during_import_of_10000_files_leaves_all_or_nothing,
    |db| {
        assert!(run(migrate_cmd(&db)).status.success());
        let mut c = db.std_cmd();
        c.args(["init-tenant"]);
        assert!(run(c).status.success());
        let dir = db.dir.path().join("many");
        let token = gmail_like();
        for i in 0..10_000 {
            write_file(
                &dir,
                &format!("user_{i:05}_token.json"),
                token.replace("IDX", &i.to_string()),
            );
        }
        let import = || {
            let mut c = db.std_cmd();
            c.args(["-q", "import-configs"]).arg(&dir);
            c
        };
        // One whole run tells how long an import takes here.
        let started = Instant::now();
        assert!(run(import()).status.success());
        let full = started.elapsed();
        assert_eq!(
            db.scalar("SELECT count(*) AS v FROM tenant_configs"),
            10_000
        );
        let n = rounds(20, 100);
        let mut killed = 0;
        for round in 0..n {
            db.exec("DELETE FROM tenant_configs");
            let delay = Duration::from_micros(random_below(full.as_micros() as u64 * 11 / 10));
            killed += kill_after(import(), delay) as usize;
            let count = db.scalar("SELECT count(*) AS v FROM tenant_configs");
            assert!(
                count == 0 || count == 10_000,
                "round {round}: {count} rows after kill -9 at {delay:?}"
            );
            integrity_ok(&db);
            let out = run(import());
            assert!(
                out.status.success(),
                "round {round}: re-run failed: {}",
                stderr_of(&out)
            );
            assert_eq!(
                db.scalar("SELECT count(*) AS v FROM tenant_configs"),
                10_000
            );
        }
        eprintln!("reliability: kill -9 during import of 10,000 files {:?}: {n} rounds ({killed} killed mid-run, import takes {full:?}), all-or-nothing held, re-runs completed, 0 failures", db.kind);
    }
);

fn gmail_like() -> String {
    r#"{"token": "ya29.IDX-access", "refresh_token": "1//IDX-refresh", "token_uri": "https://oauth2.googleapis.com/token",
"client_id": "IDX.apps.googleusercontent.com", "client_secret": "GOCSPX-IDX", "scopes": ["https://www.googleapis.com/auth/gmail.readonly"],
"universe_domain": "googleapis.com", "account": "", "expiry": "2026-11-25T17:00:00Z", "padding": "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"}"#
        .to_string()
}

both_backends!(kill_9_during_migrate_leaves_old_or_new_schema, |db| {
    let kind = db.kind;
    drop(db);
    // How long a fresh migrate takes here (the fastest of three, so most kills land mid-run).
    let full = (0..3)
        .map(|_| {
            let probe = TestDb::new(kind).unwrap();
            let started = Instant::now();
            assert!(run(migrate_cmd(&probe)).status.success());
            started.elapsed()
        })
        .min()
        .unwrap();
    let n = rounds(20, 100);
    let mut killed = 0;
    for round in 0..n {
        let fresh = TestDb::new(kind).unwrap();
        let delay = Duration::from_micros(random_below(full.as_micros() as u64 * 12 / 10));
        killed += kill_after(migrate_cmd(&fresh), delay) as usize;
        let applied = fresh.applied_versions().len();
        let ours = fresh
            .tables()
            .iter()
            .filter(|t| !t.starts_with("__"))
            .count();
        assert!(
            (applied == 0 && ours == 0) || (applied == versions() && ours == 6),
            "round {round}: {applied} versions and {ours} tables after kill -9 at {delay:?}"
        );
        if fresh.kind == Kind::Sqlite && fresh.path().exists() {
            integrity_ok(&fresh);
        }
        let out = run(migrate_cmd(&fresh));
        assert!(out.status.success(), "round {round}: {}", stderr_of(&out));
        assert_eq!(fresh.applied_versions().len(), versions());
    }
    eprintln!("reliability: kill -9 during migrate {kind:?}: {n} rounds ({killed} killed mid-run, migrate takes {full:?}), old-or-new schema held, 0 failures");
});

// ---------------------------------------------------------------- 3. server faults

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

// ---------------------------------------------------------------- 4. hostile input

/// One hostile input: the arguments (after `-d URL`), extra environment, the exit code and a
/// piece of the message expected.
struct Case {
    name: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    code: i32,
    message: &'static str,
    with_url: bool,
}

fn case(name: &'static str, args: &[&str], code: i32, message: &'static str) -> Case {
    Case {
        name,
        args: args.iter().map(|s| s.to_string()).collect(),
        env: vec![],
        code,
        message,
        with_url: true,
    }
}

fn file_case(
    name: &'static str,
    dir: &Path,
    file: &str,
    contents: &[u8],
    extra: &[&str],
    message: &'static str,
) -> Case {
    let path = write_file(dir, &format!("{name}/{file}"), contents);
    let mut args = vec!["import-configs".to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(path.to_str().unwrap().to_string());
    Case {
        name,
        args,
        env: vec![],
        code: 1,
        message,
        with_url: true,
    }
}

fn hostile_cases(root: &Path) -> Vec<Case> {
    let d = root;
    let p = |s: &Path| s.to_str().unwrap().to_string();
    let mut cases = vec![
        file_case(
            "malformed",
            d,
            "a.json",
            br#"{"a": }"#,
            &[],
            "invalid JSON at line 1 column 7",
        ),
        file_case(
            "truncated",
            d,
            "a.json",
            br#"{"token": "abc"#,
            &[],
            "invalid JSON at line 1",
        ),
        file_case(
            "empty",
            d,
            "a.json",
            b"",
            &[],
            "invalid JSON at line 1 column 0",
        ),
        file_case(
            "whitespace",
            d,
            "a.json",
            b"  \n\t\n",
            &[],
            "invalid JSON at line 3",
        ),
        file_case(
            "bom",
            d,
            "a.json",
            b"\xEF\xBB\xBF{}",
            &[],
            "byte-order mark",
        ),
        file_case(
            "utf16",
            d,
            "a.json",
            b"\xFF\xFE{\x00}\x00",
            &[],
            "is not UTF-8",
        ),
        file_case(
            "latin1",
            d,
            "a.json",
            b"{\"name\": \"caf\xe9\"}",
            &[],
            "is not UTF-8 (invalid byte at offset 13)",
        ),
        file_case(
            "trailing-garbage",
            d,
            "a.json",
            b"{} {}",
            &[],
            "trailing characters",
        ),
        file_case(
            "single-quotes",
            d,
            "a.json",
            b"{'a': 1}",
            &[],
            "key must be a string",
        ),
        file_case(
            "trailing-comma",
            d,
            "a.json",
            b"{\"a\": 1,}",
            &[],
            "trailing comma",
        ),
        file_case("nan", d, "a.json", b"{\"a\": NaN}", &[], "expected value"),
        file_case(
            "comment",
            d,
            "a.json",
            b"// token\n{}",
            &[],
            "expected value",
        ),
        file_case(
            "lone-surrogate",
            d,
            "a.json",
            br#"{"a": "\ud800"}"#,
            &[],
            "hex escape",
        ),
        file_case(
            "nested-200",
            d,
            "a.json",
            format!("{}{}", "[".repeat(200), "]".repeat(200)).as_bytes(),
            &[],
            "recursion limit exceeded",
        ),
        file_case(
            "nested-100000",
            d,
            "a.json",
            format!(
                "{}{}",
                "{\"a\":".repeat(100_000),
                "1".to_string() + &"}".repeat(100_000)
            )
            .as_bytes(),
            &[],
            "recursion limit exceeded",
        ),
        file_case(
            "over-max-size",
            d,
            "a.json",
            br#"{"a": "0123456789"}"#,
            &["--max-size", "10"],
            "over the limit of 10",
        ),
        file_case(
            "max-size-zero",
            d,
            "a.json",
            b"{}",
            &["--max-size", "0"],
            "over the limit of 0",
        ),
        file_case(
            "ghost-tenant",
            d,
            "a.json",
            b"{}",
            &["--tenant", "ghost"],
            "init-tenant --tenant-id ghost",
        ),
    ];
    // A 100 MB file (sparse: no 100 MB written to disk).
    let big = write_file(d, "big/huge.json", b"");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    cases.push(case(
        "100MB",
        &["import-configs", &p(&big)],
        1,
        "is 104857600 bytes, over the limit of 1048576",
    ));
    // A non-UTF-8 file name in a directory.
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = d.join("badname");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(std::ffi::OsStr::from_bytes(b"tok\xffen.json")),
            "{}",
        )
        .unwrap();
        cases.push(case(
            "non-utf8-name",
            &["import-configs", &p(&dir)],
            1,
            "file name is not UTF-8",
        ));
    }
    // A symlink loop.
    let looped = d.join("loop");
    write_file(&looped, "sub/a.json", "{}");
    std::os::unix::fs::symlink(&looped, looped.join("sub/back")).unwrap();
    cases.push(case(
        "symlink-loop",
        &["import-configs", "-r", &p(&looped)],
        1,
        "directory loop",
    ));
    // A directory where a file is expected, a dangling link, a missing path, an empty folder.
    let as_dir = d.join("dir.json");
    std::fs::create_dir_all(&as_dir).unwrap();
    cases.push(case(
        "directory-as-file",
        &["import-configs", &p(&as_dir)],
        1,
        "no *.json files",
    ));
    let dangling = d.join("dangling");
    std::fs::create_dir_all(&dangling).unwrap();
    std::os::unix::fs::symlink("/nonexistent/x.json", dangling.join("x.json")).unwrap();
    cases.push(case(
        "dangling-symlink",
        &["import-configs", &p(&dangling)],
        1,
        "cannot read",
    ));
    cases.push(case(
        "missing-path",
        &["import-configs", &p(&d.join("nope.json"))],
        1,
        "cannot read: No such file",
    ));
    let txt_only = d.join("txt");
    write_file(&txt_only, "notes.txt", "x");
    cases.push(case(
        "no-json-in-dir",
        &["import-configs", &p(&txt_only)],
        1,
        "no *.json files",
    ));
    // Duplicate keys from two paths, and one path given twice.
    let (a, b) = (d.join("dup-a"), d.join("dup-b"));
    write_file(&a, "token.json", "{}");
    write_file(&b, "token.json", "{}");
    cases.push(case(
        "duplicate-keys",
        &["import-configs", &p(&a), &p(&b)],
        1,
        "also comes from",
    ));
    cases.push(case(
        "same-file-twice",
        &[
            "import-configs",
            &p(&a.join("token.json")),
            &p(&a.join("token.json")),
        ],
        1,
        "also comes from",
    ));
    // One good file with one bad: nothing of the good one is written either.
    let mixed = d.join("mixed");
    write_file(&mixed, "good.json", r#"{"fine": true}"#);
    write_file(&mixed, "bad.json", "{");
    cases.push(case(
        "good-with-bad",
        &["import-configs", &p(&mixed)],
        1,
        "bad.json: invalid JSON",
    ));
    // Unreadable (permissions): meaningful only when not root, which reads everything.
    if !is_root() {
        let locked = write_file(d, "locked/a.json", "{}");
        std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000))
            .unwrap();
        cases.push(case(
            "unreadable",
            &["import-configs", &p(&locked)],
            1,
            "Permission denied",
        ));
    }
    // Tenant ids with SQL and shell metacharacters.
    for (name, id) in [
        ("tenant-sql", "x'; DROP TABLE tenant_configs; --"),
        ("tenant-shell", "$(touch pwned)"),
        ("tenant-backtick", "`id`"),
        ("tenant-space", "a b"),
        ("tenant-upper", "ACME"),
        ("tenant-empty", ""),
        (
            "tenant-long",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl",
        ),
        ("tenant-unicode", "tenänt"),
        ("tenant-newline", "a\nb"),
    ] {
        let mut c = case(name, &["init-tenant"], 2, "invalid tenant id");
        c.args.push(format!("--tenant-id={id}"));
        cases.push(c);
    }
    cases.push(case(
        "import-tenant-sql",
        &["import-configs", "--tenant=a' OR '1'='1", &p(&a)],
        2,
        "invalid tenant id",
    ));
    cases.push(case(
        "stats-tenant-sql",
        &["stats", "--tenant=a' OR '1'='1"],
        2,
        "invalid tenant id",
    ));
    cases.push(case(
        "short-api-key",
        &["init-tenant", "--api-key", "short"],
        2,
        "too short",
    ));
    let mut env_tenant = case("env-tenant-sql", &["init-tenant"], 2, "invalid tenant id");
    env_tenant
        .env
        .push(("DEFAULT_TENANT_ID", "x;rm -rf /".into()));
    cases.push(env_tenant);
    // URLs: unaccepted schemes, typos, odd characters, percent-encoded passwords.
    for (name, url, code, message) in [
        (
            "url-mysql",
            "mysql://root:p@ss:w/rd-Secret42@db/app".to_string(),
            2,
            "unaccepted database URL",
        ),
        (
            "url-typo",
            "postgress://u:x@h/db".to_string(),
            2,
            "accepted forms",
        ),
        (
            "url-http",
            "http://example.invalid/db".to_string(),
            2,
            "accepted forms",
        ),
        (
            "url-empty-driver",
            "sqlite+:x.db".to_string(),
            2,
            "accepted forms",
        ),
        (
            "url-no-slashes",
            "postgres:db".to_string(),
            2,
            "accepted forms",
        ),
        ("url-empty", "".to_string(), 2, "empty"),
        (
            "url-sqlite-nofile",
            "sqlite:///".to_string(),
            2,
            "names no file",
        ),
        (
            "url-encoded-password",
            format!(
                "postgres://u:{}@127.0.0.1:{}/db",
                "p%40ss%3Aw%2Frd-Secret42",
                free_port()
            ),
            1,
            "u:***@127.0.0.1",
        ),
        (
            "url-odd-dbname",
            format!(
                "postgres://u:{}@127.0.0.1:{}/d%20b%3Bx",
                "p%40ss%3Aw%2Frd-Secret42",
                free_port()
            ),
            1,
            "cannot connect",
        ),
    ] {
        cases.push(Case {
            name,
            args: vec!["-d".into(), url, "status".into()],
            env: vec![],
            code,
            message,
            with_url: false,
        });
    }
    // Configuration from the environment.
    for (name, key, value, code, message) in [
        ("env-format", "AGENTDB_FORMAT", "xml", 2, "AGENTDB_FORMAT"),
        ("env-pool-size", "POOL_SIZE", "lots", 2, "POOL_SIZE"),
        (
            "env-postgres-uri-sqlite",
            "POSTGRES_URI",
            "sqlite:x.db",
            2,
            "POSTGRES_URI",
        ),
    ] {
        let mut c = case(name, &["status"], code, message);
        c.with_url = false;
        c.env.push((key, value.into()));
        cases.push(c);
    }
    cases.push(case(
        "negative-lock-timeout",
        &["migrate", "--lock-timeout", "-1"],
        2,
        "",
    ));
    cases.push(case("zero-steps", &["rollback", "--steps", "0"], 2, ""));
    cases.push(case(
        "huge-lock-timeout",
        &["migrate", "--lock-timeout", "1e20"],
        2,
        "about 24 days",
    ));
    cases.push(case(
        "nan-health-timeout",
        &["health", "--timeout", "NaN"],
        2,
        "about 24 days",
    ));
    let mut pool_timeout = case("env-pool-timeout-huge", &["status"], 2, "POOL_TIMEOUT");
    pool_timeout.env.push(("POOL_TIMEOUT", "1e300".into()));
    cases.push(pool_timeout);
    cases.push(case(
        "missing-env-file",
        &["--env-file", "/nonexistent/.env", "status"],
        1,
        "/nonexistent/.env",
    ));
    cases.push(case("production-rollback", &["rollback"], 2, "--yes"));
    cases
        .last_mut()
        .unwrap()
        .env
        .push(("ENV", "production".into()));
    cases
}

fn is_root() -> bool {
    StdCommand::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false)
}

both_backends!(hostile_input_corpus, |db| {
    assert!(run(migrate_cmd(&db)).status.success());
    let mut c = db.std_cmd();
    c.args(["init-tenant", "--api-key", SECRETS[1]]);
    assert!(run(c).status.success());
    let mut c = db.std_cmd();
    let seed = write_file(
        &db.dir.path().join("seed"),
        "existing.json",
        r#"{"kept": true}"#,
    );
    c.args(["import-configs"]).arg(&seed);
    assert!(run(c).status.success());
    let before = state_of(&db);
    let corpus = tempfile::TempDir::new().unwrap();
    let cases = hostile_cases(corpus.path());
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    for case in &cases {
        let mut cmd = std_agentdb(db.dir.path());
        if case.with_url {
            cmd.args(["-d", &db.url]);
        }
        cmd.args(&case.args);
        for (k, v) in &case.env {
            cmd.env(k, v);
        }
        let out = run(cmd);
        assert_eq!(
            out.status.code(),
            Some(case.code),
            "{}: {}",
            case.name,
            stderr_of(&out)
        );
        assert!(
            stderr_of(&out).contains(case.message),
            "{}: expected {:?} in:\n{}",
            case.name,
            case.message,
            stderr_of(&out)
        );
        assert_eq!(
            state_of(&db),
            before,
            "{}: something was written",
            case.name
        );
        assert!(
            !db.dir.path().join("pwned").exists(),
            "{}: a shell ran",
            case.name
        );
    }
    // No SQLite file was created from any refused URL in the working directory.
    let stray: Vec<_> = std::fs::read_dir(db.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| {
            n != "seed" && n != "agentdb.db" && !n.to_string_lossy().starts_with("agentdb.db-")
        })
        .collect();
    assert!(stray.is_empty(), "stray files: {stray:?}");
    eprintln!("reliability: hostile input {:?}: {} cases, exit code + message + nothing written asserted, 0 failures", db.kind, cases.len());
});

#[test]
fn postgres_specific_hostile_input() {
    let Some(db) = TestDb::postgres() else { return };
    assert!(run(migrate_cmd(&db)).status.success());
    assert!(run({
        let mut c = db.std_cmd();
        c.arg("init-tenant");
        c
    })
    .status
    .success());
    let before = state_of(&db);
    let f = write_file(db.dir.path(), "nul/a.json", r#"{"a": "x\u0000y"}"#);
    let out = run({
        let mut c = db.std_cmd();
        c.arg("import-configs").arg(&f);
        c
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("jsonb cannot store"));
    assert_eq!(state_of(&db), before);
}

#[test]
fn sqlite_that_is_not_a_database_or_from_a_newer_agentdb() {
    let db = TestDb::sqlite();
    std::fs::write(
        db.path(),
        b"this is not a database, it is a text file of some length........",
    )
    .unwrap();
    for args in [&["status"][..], &["migrate"], &["stats"], &["init-tenant"]] {
        let out = run({
            let mut c = db.std_cmd();
            c.args(args);
            c
        });
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr_of(&out).contains("is not a SQLite database"),
            "{}",
            stderr_of(&out)
        );
    }
    let newer = TestDb::sqlite();
    assert!(run(migrate_cmd(&newer)).status.success());
    newer.exec("INSERT INTO __diesel_schema_migrations (version) VALUES ('99991231000000')");
    let out = run(migrate_cmd(&newer));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("newer agentdb"));
}

#[test]
fn full_sqlite_disk_leaves_nothing_written() {
    let Some(fs) = Tmpfs::mount("320k", "the full-disk case") else {
        return;
    };
    let url = fs.path().join("agentdb.db").to_str().unwrap().to_string();
    let dir = tempfile::TempDir::new().unwrap();
    let cmd = |args: &[&str]| {
        let mut c = std_agentdb(dir.path());
        c.args(["-d", &url]).args(args);
        c
    };
    assert!(run(cmd(&["migrate"])).status.success());
    assert!(run(cmd(&["init-tenant"])).status.success());
    let files = dir.path().join("files");
    for i in 0..400 {
        write_file(
            &files,
            &format!("k{i:03}.json"),
            format!(r#"{{"v": "{}"}}"#, "x".repeat(900)),
        );
    }
    let out = run(cmd(&["import-configs", files.to_str().unwrap()]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("full"), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("nothing was written"),
        "{}",
        stderr_of(&out)
    );
    let check = TestDb::sqlite_at(&url);
    assert_eq!(check.scalar("SELECT count(*) AS v FROM tenant_configs"), 0);
    integrity_ok(&check);
    // Re-run with fewer files fits and completes.
    let few = dir.path().join("few");
    for i in 0..5 {
        write_file(&few, &format!("k{i}.json"), "{}");
    }
    assert!(run(cmd(&["import-configs", few.to_str().unwrap()]))
        .status
        .success());
    eprintln!("reliability: SQLite full disk (tmpfs): nothing written, re-run completes");
}

/// A read-only SQLite file answers every write with the same clear message, whether SQLite
/// notices at open or only at the first write: that depends on the `-wal`/`-shm` files a
/// previous run left beside the file, so both states are set up here, not left to timing.
#[test]
fn read_only_sqlite_gives_one_clear_message_on_every_path() {
    let Some(fs) = Tmpfs::mount("16m", "the read-only mount cases") else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let few = dir.path().join("few");
    write_file(&few, "k.json", "{}");
    let cmd = |db: &str, args: &[&str]| {
        let mut c = std_agentdb(dir.path());
        c.arg("-d").arg(fs.path().join(db)).args(args);
        c
    };
    for db in ["clean.db", "stale.db"] {
        assert!(run(cmd(db, &["migrate"])).status.success());
        assert!(run(cmd(db, &["init-tenant"])).status.success());
    }
    let applied: Vec<usize> = ["clean.db", "stale.db"]
        .iter()
        .map(|db| {
            TestDb::sqlite_at(fs.path().join(db).to_str().unwrap())
                .applied_versions()
                .len()
        })
        .collect();
    // clean.db: closed cleanly (the last connection to close removes -wal and -shm).
    {
        let mut c =
            SqliteConnection::establish(fs.path().join("clean.db").to_str().unwrap()).unwrap();
        c.batch_execute("SELECT count(*) FROM tenants").unwrap();
    }
    // stale.db: -wal and -shm left by a process that exits without closing its connection
    // (crashed, killed, or simply exiting): SQLite then opens the read-only file and fails only
    // at the first write. A plain Python sqlite3 client makes that state deterministically.
    let stale = fs.path().join("stale.db");
    let sidecar = |ext: &str| PathBuf::from(format!("{}{ext}", stale.display()));
    let status = StdCommand::new("python3")
        .args([
            "-c",
            "import os, sqlite3, sys\n\
             c = sqlite3.connect(sys.argv[1])\n\
             c.execute('UPDATE tenants SET name = name')\n\
             c.commit()\n\
             os._exit(0)",
        ])
        .arg(&stale)
        .status()
        .expect("python3");
    assert!(status.success());
    assert!(!fs.path().join("clean.db-wal").exists() && !fs.path().join("clean.db-shm").exists());
    assert!(sidecar("-wal").exists() && sidecar("-shm").exists());

    fs.remount_read_only();
    let mut cases = 0;
    for (db, applied) in ["clean.db", "stale.db"].into_iter().zip(applied) {
        for args in [
            &["init-tenant", "--tenant-id", "other"][..],
            &["import-configs", few.to_str().unwrap()],
            &["rollback", "--yes"],
        ] {
            let out = run(cmd(db, args));
            assert_eq!(out.status.code(), Some(1), "{db} {args:?}");
            let err = stderr_of(&out);
            assert!(err.contains("write access"), "{db} {args:?}: {err}");
            assert!(err.contains(db), "{db} {args:?}: {err}");
            cases += 1;
        }
        // Read without -shm (the mount is read-only): as an immutable file.
        let check = TestDb::sqlite_at(&format!(
            "file:{}?immutable=1",
            fs.path().join(db).display()
        ));
        assert_eq!(check.scalar("SELECT count(*) AS v FROM tenants"), 1, "{db}");
        assert_eq!(
            check.scalar("SELECT count(*) AS v FROM tenant_configs"),
            0,
            "{db}"
        );
        assert_eq!(check.applied_versions().len(), applied, "{db}");
    }
    // `copy` explains a read-only --to by that path, not by the configured database.
    let source = dir.path().join("source.db");
    assert!(run({
        let mut c = std_agentdb(dir.path());
        c.arg("-d").arg(&source).arg("migrate");
        c
    })
    .status
    .success());
    let out = run({
        let mut c = std_agentdb(dir.path());
        c.args(["copy", "--from"])
            .arg(&source)
            .arg("--to")
            .arg(fs.path().join("clean.db"));
        c
    });
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("write access") && err.contains("clean.db"),
        "{err}"
    );
    assert!(!err.contains("agentdb.db"), "{err}");
    cases += 1;
    let out = run({
        let mut c = std_agentdb(dir.path());
        c.args(["-d"])
            .arg(fs.path().join("sub/new.db"))
            .arg("migrate");
        c
    });
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("Read-only file system"),
        "{}",
        stderr_of(&out)
    );
    eprintln!("reliability: SQLite read-only file with and without -wal/-shm, and read-only folder: {} cases, nothing written, 0 failures", cases + 1);
}

// ---------------------------------------------------------------- 5. secrets, 6. isolation

both_backends!(secrets_never_printed_and_file_is_owner_only, |db| {
    let with_password = match db.kind {
        Kind::Postgres => {
            let mut u = url::Url::parse(&db.url).unwrap();
            u.set_password(Some(SECRETS[2])).unwrap();
            u.to_string()
        }
        Kind::Sqlite => db.url.clone(),
    };
    let cmd = |args: &[&str]| {
        let mut c = std_agentdb(db.dir.path());
        c.args(["-v", "-d", &with_password]).args(args);
        c
    };
    for args in [
        &["migrate"][..],
        &["--format", "json", "status"],
        &["init-tenant", "--api-key", SECRETS[1]],
        &["--format", "json", "init-tenant", "--api-key", SECRETS[1]],
        &["init-tenant", "--api-key", SECRETS[3]],
        &["init-tenant", "--api-key", SECRETS[3], "--rotate-api-key"],
        &["stats"],
        &["--format", "json", "health"],
        &["rollback", "--dry-run"],
    ] {
        run(cmd(args));
    }
    let mut env_key = cmd(&["init-tenant", "--tenant-id", "envkey"]);
    env_key
        .env("DEFAULT_TENANT_API_KEY", SECRETS[1])
        .env("SQL_ECHO", "true");
    let out = run(env_key);
    assert!(out.status.success(), "{}", stderr_of(&out));
    scan_config_commands(&db, &with_password);
    if db.kind == Kind::Sqlite {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(db.path()).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    eprintln!(
        "reliability: secrets {:?}: {} command outputs scanned in this binary so far, 0 hits",
        db.kind,
        *SCANNED.lock().unwrap()
    );
});

/// Every output of the config and tenant commands, with keys, wrong keys and no keys, verbose
/// with `SQL_ECHO`, except the values `configs get` prints and `configs export` writes.
fn scan_config_commands(db: &TestDb, url: &str) {
    let (new_key, old_key, value) = (SECRETS[4], SECRETS[5], SECRETS[6]);
    let dir = db.dir.path().join("secret-configs");
    write_file(
        &dir,
        "gmail_token.json",
        format!(r#"{{"token": "{value}"}}"#),
    );
    write_file(
        &dir,
        "google/calendar.json",
        format!(r#"{{"refresh": "{value}"}}"#),
    );
    let bad_key_file = write_file(&dir.with_extension("keys"), "bad", &new_key[..43]);
    let both = format!("{new_key},{old_key}");
    let dir_arg = dir.to_str().unwrap();
    let export = db.dir.path().join("secret-export");
    let export_arg = export.to_str().unwrap();
    let cases: Vec<(Option<&str>, Vec<&str>, bool)> = vec![
        (Some(old_key), vec!["import-configs", "-r", dir_arg], true),
        (
            Some(old_key),
            vec!["--format", "json", "import-configs", "-r", dir_arg],
            true,
        ),
        (None, vec!["import-configs", "-r", dir_arg], true),
        (None, vec!["configs", "list"], true),
        (None, vec!["--format", "json", "configs", "list"], true),
        (None, vec!["tenants", "list"], true),
        (
            None,
            vec!["--format", "json", "tenants", "show", "default"],
            true,
        ),
        (Some(new_key), vec!["configs", "get", "gmail_token"], false),
        (None, vec!["configs", "get", "gmail_token"], false),
        (
            Some(&new_key[..43]),
            vec!["configs", "get", "gmail_token"],
            false,
        ),
        (Some(new_key), vec!["configs", "export", export_arg], false),
        (Some(new_key), vec!["configs", "rotate-keys"], false),
        (
            Some(&both),
            vec!["configs", "rotate-keys", "--dry-run"],
            true,
        ),
        (
            Some(&both),
            vec!["--format", "json", "configs", "rotate-keys"],
            true,
        ),
        (Some(new_key), vec!["configs", "export", export_arg], true),
        (Some(new_key), vec!["configs", "export", export_arg], false),
        (
            Some(new_key),
            vec![
                "--format", "json", "configs", "export", "--force", export_arg,
            ],
            true,
        ),
        (
            Some(old_key),
            vec!["import-configs", "-r", export_arg],
            true,
        ),
        (
            Some(new_key),
            vec!["configs", "delete", "google/calendar"],
            true,
        ),
    ];
    for (keys, args, succeeds) in cases {
        // SQL_ECHO and -v: the most an operator can make agentdb say.
        let mut c = std_agentdb(db.dir.path());
        c.args(["-v", "-d", url])
            .args(&args)
            .env("SQL_ECHO", "true");
        if let Some(k) = keys {
            c.env("AGENTDB_CONFIG_KEYS", k);
        }
        let out = run(c);
        assert_eq!(
            out.status.success(),
            succeeds,
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
    let mut c = std_agentdb(db.dir.path());
    c.args(["-d", url, "--config-keys-file"])
        .arg(&bad_key_file)
        .args(["configs", "get", "gmail_token"]);
    assert_eq!(run(c).status.code(), Some(2));
}

both_backends!(tenants_are_isolated, |db| {
    assert!(run(migrate_cmd(&db)).status.success());
    for t in ["alpha", "beta"] {
        assert!(run({
            let mut c = db.std_cmd();
            c.args(["init-tenant", "--tenant-id", t]);
            c
        })
        .status
        .success());
    }
    let cfg = db.dir.path().join("cfg");
    write_file(&cfg, "gmail_token.json", r#"{"token": "beta-only"}"#);
    assert!(run({
        let mut c = db.std_cmd();
        c.args(["import-configs", "--tenant", "beta"]).arg(&cfg);
        c
    })
    .status
    .success());
    let beta_before = db.strings("SELECT key || ':' || content_hash || ':' || CAST(updated_at AS TEXT) AS v FROM tenant_configs WHERE tenant_id = 'beta'");
    // Every write path for alpha leaves beta's rows as they were.
    write_file(&cfg, "gmail_token.json", r#"{"token": "alpha"}"#);
    for args in [
        vec![
            "import-configs".to_string(),
            "--tenant".into(),
            "alpha".into(),
            cfg.to_str().unwrap().into(),
        ],
        vec![
            "init-tenant".into(),
            "--tenant-id".into(),
            "alpha".into(),
            "--name".into(),
            "Renamed".into(),
            "--api-key".into(),
            SECRETS[1].into(),
        ],
        vec![
            "import-configs".into(),
            "--tenant".into(),
            "alpha".into(),
            "--on-conflict".into(),
            "replace".into(),
            cfg.to_str().unwrap().into(),
        ],
    ] {
        assert!(run({
            let mut c = db.std_cmd();
            c.args(&args);
            c
        })
        .status
        .success());
    }
    assert_eq!(
        db.strings("SELECT key || ':' || content_hash || ':' || CAST(updated_at AS TEXT) AS v FROM tenant_configs WHERE tenant_id = 'beta'"),
        beta_before
    );
    assert_eq!(
        db.strings("SELECT name AS v FROM tenants WHERE id = 'beta'"),
        vec!["beta"]
    );
    let out = run({
        let mut c = db.std_cmd();
        c.args(["--format", "json", "stats", "--tenant", "alpha"]);
        c
    });
    let s = json_of(&out);
    assert_eq!(
        (
            s["tenants"].as_i64(),
            s["configs"].as_i64(),
            s["threads"]["total"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    // The database refuses references across tenants.
    db.exec("INSERT INTO threads (tenant_id, id) VALUES ('beta', 'private')");
    for sql in [
        "INSERT INTO messages (tenant_id, id, thread_id, role) VALUES ('alpha', 'm', 'private', 'user')",
        "INSERT INTO runs (tenant_id, id, thread_id) VALUES ('alpha', 'r', 'private')",
        "INSERT INTO tenant_configs (tenant_id, key, value, content_hash) VALUES ('nobody', 'k', '{}', 'h')",
    ] {
        let err = db.try_exec(sql).unwrap_err();
        assert!(err.to_lowercase().contains("foreign key"), "{sql}: {err}");
    }
    eprintln!("reliability: tenant isolation {:?}: 3 write paths + stats --tenant + 3 cross-tenant references refused, 0 failures", db.kind);
});
