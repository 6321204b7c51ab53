//! Hostile input: a corpus of bad arguments, files, URLs and environments, each refused with
//! its exit code and a message that says what to do, writing nothing; SQLite files that are
//! not databases, from a newer agentdb, on a full or read-only disk.
//!
//! Run the large rounds with `AGENTDB_SOAK=1 cargo test --locked --test NAME -- --nocapture`;
//! each test prints a `reliability:` line with its figures (README "Guarantees" quotes them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::reliability::*;
use common::tmpfs::Tmpfs;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};

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
