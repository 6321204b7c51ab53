//! Errors that say what happened and what to do; one test per message (issue 17.13).

mod common;

use std::time::Duration;

use common::tmpfs::Tmpfs;
use common::*;

/// A full disk names the database's path and says what to do, not only SQLite's "database or
/// disk is full"; nothing is written.
#[test]
fn a_full_disk_names_the_path_and_a_hint() {
    let Some(fs) = Tmpfs::mount("320k", "the full-disk message") else {
        return;
    };
    let url = fs.path().join("agentdb.db");
    let dir = tempfile::TempDir::new().unwrap();
    let cmd = |args: &[&str]| {
        let mut c = agentdb(dir.path());
        c.arg("-d").arg(&url).args(args);
        c
    };
    cmd(&["-q", "migrate"]).assert().success();
    cmd(&["-q", "init-tenant"]).assert().success();
    let files = dir.path().join("files");
    for i in 0..400 {
        write_file(
            &files,
            &format!("k{i:03}.json"),
            format!(r#"{{"v": "{}"}}"#, "x".repeat(900)),
        );
    }
    let out = cmd(&["import-configs", files.to_str().unwrap()])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(url.to_str().unwrap()), "{err}");
    assert!(
        err.contains("is full") && err.contains("hint: free space"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    let check = TestDb::sqlite_at(url.to_str().unwrap());
    assert_eq!(check.scalar("SELECT count(*) AS v FROM tenant_configs"), 0);
}

/// `wait` fails at once (exit 1, "not retrying") on what no waiting can change: a directory
/// where the file should be, a file where its folder should be, a read-only mount. Given a
/// 600 s timeout, a retry would be killed by the harness's 60 s limit.
#[test]
fn wait_fails_at_once_on_permanent_conditions() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join("a-directory.db")).unwrap();
    write_file(dir.path(), "plain-file", "not a folder");
    let cases: Vec<(String, String)> = vec![
        (
            dir.path().join("a-directory.db").display().to_string(),
            "is a directory".to_string(),
        ),
        (
            dir.path().join("plain-file/x.db").display().to_string(),
            "is a file, not a folder".to_string(),
        ),
    ];
    let fs = Tmpfs::mount("8m", "wait on a read-only mount");
    if let Some(fs) = &fs {
        let db = fs.path().join("agentdb.db");
        agentdb(dir.path())
            .arg("-d")
            .arg(&db)
            .args(["-q", "migrate"])
            .assert()
            .success();
        fs.remount_read_only();
        // A database on a read-only mount answers queries: `wait` reads it without writing
        // (the read-only sources rule), so it is ready, not a permanent failure.
        let out = agentdb(dir.path())
            .arg("-d")
            .arg(&db)
            .args(["wait", "--timeout", "600"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    }
    for (url, expected) in &cases {
        let out = agentdb(dir.path())
            .args(["-d", url, "wait", "--timeout", "600"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{url}: {err}");
        assert!(err.contains("not retrying"), "{url}: {err}");
        assert!(err.contains(expected.as_str()), "{url}: {err}");
    }
}

/// `migrate --backup PATH` (a space, not `=`) is refused with exit 2 and the spelling that
/// works; nothing is migrated or written.
#[test]
fn migrate_backup_with_a_space_says_to_write_the_equals_sign() {
    let db = TestDb::sqlite();
    let out = db
        .cmd()
        .args(["migrate", "--backup", "before.db"])
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--backup=before.db"), "{err}");
    assert!(!db.path().exists(), "the database was created");
    assert!(!db.dir.path().join("before.db").exists());
    // `--backup=PATH` is the form that works.
    db.cmd()
        .args(["-q", "migrate", "--backup=before.db"])
        .assert()
        .success();
}

/// A terminal that reports 0 columns (or 1) gets tables of a usual width, not one character
/// wide.
#[test]
fn tables_stay_readable_on_a_terminal_that_reports_no_width() {
    if !terminal_available() {
        return;
    }
    let db = TestDb::sqlite();
    db.cmd().args(["-q", "migrate"]).assert().success();
    for cols in [0, 1] {
        let line = format!(
            "stty cols {cols} rows 0; {} -d {} status",
            agentdb_word(),
            shell_quote(&db.url)
        );
        let out = on_terminal(db.dir.path(), &line, "", &[]);
        let text = stdout_of(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            text.lines()
                .any(|l| l.contains("create_tenants") && l.contains("applied")),
            "cols {cols}: a row is split over lines:\n{text}"
        );
    }
}

/// A SQLite database holding SqliteSaver's tables (its own DDL) with `checkpoints` rows.
fn langgraph_source(checkpoints: usize) -> TestDb {
    let db = TestDb::sqlite();
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.exec(
        "CREATE TABLE checkpoints (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', \
           checkpoint_id TEXT NOT NULL, parent_checkpoint_id TEXT, type TEXT, checkpoint BLOB, \
           metadata BLOB, PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)); \
         CREATE TABLE writes (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', \
           checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, task_path TEXT NOT NULL DEFAULT '', \
           idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT, value BLOB, \
           PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx));",
    );
    for i in 0..checkpoints {
        db.exec(&format!(
            "INSERT INTO checkpoints VALUES ('t{}', '', '{i:04}', NULL, 'msgpack', x'80', x'80')",
            i % 2
        ));
    }
    db
}

/// "Copied N rows" counts rows, not the LangGraph head check (one entry per thread that
/// verification adds, with no rows of its own).
#[test]
fn copied_rows_do_not_count_the_langgraph_head_check() {
    let source = langgraph_source(3);
    let target = TestDb::sqlite();
    let out = agentdb(source.dir.path())
        .args([
            "--format",
            "json",
            "copy",
            "--from",
            &source.url,
            "--to",
            &target.url,
        ])
        .args(["--include", "agentdb,langgraph"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let report = json_of(&out);
    let tables = report["tables"].as_array().unwrap();
    assert!(
        tables
            .iter()
            .any(|t| t["table"].as_str().unwrap().contains("head")),
        "{report}"
    );
    assert_eq!(report["rows"], 3, "{report}");
    let out = agentdb(source.dir.path())
        .args(["copy", "--from", &source.url, "--to"])
        .arg(source.dir.path().join("second.db"))
        .args(["--include", "agentdb,langgraph"])
        .output()
        .unwrap();
    assert!(
        stdout_of(&out).contains("Copied 3 rows"),
        "{}",
        stdout_of(&out)
    );
}

// A target holding another program's (empty) `checkpoints` table: exit 1, the table named
// with what it lacks, as migrate names another application's tables; its table untouched.
both_backends!(
    copy_into_another_programs_checkpoints_table_names_it,
    |db| {
        let source = langgraph_source(2);
        db.exec("CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, note TEXT)");
        let out = agentdb(source.dir.path())
            .args(["copy", "--from", &source.url, "--to", &db.url])
            .args(["--include", "agentdb,langgraph"])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("checkpoints (no column thread_id") && err.contains("another application"),
            "{err}"
        );
        assert!(!err.contains("caused by"), "a raw SQL error: {err}");
        assert_eq!(db.scalar("SELECT count(*) AS v FROM checkpoints"), 0);
        assert!(!db.tables().contains(&"writes".to_string()));
        assert!(!db.tables().contains(&"checkpoint_blobs".to_string()));
    }
);

/// `backup` to an existing file and `copy` into a non-empty target are the same refusal and
/// exit with the same code (1); the rows there stay.
#[test]
fn backup_and_copy_refuse_an_occupied_destination_with_one_exit_code() {
    let source = TestDb::sqlite();
    source.cmd().args(["-q", "migrate"]).assert().success();
    source.cmd().args(["-q", "init-tenant"]).assert().success();
    let occupied = source.dir.path().join("occupied.db");
    source
        .cmd()
        .arg("-q")
        .arg("backup")
        .arg(&occupied)
        .assert()
        .success();
    let backup = source.cmd().arg("backup").arg(&occupied).output().unwrap();
    let copy = agentdb(source.dir.path())
        .args(["copy", "--from", &source.url, "--to"])
        .arg(&occupied)
        .output()
        .unwrap();
    assert_eq!(backup.status.code(), Some(1), "{}", stderr_of(&backup));
    assert_eq!(
        copy.status.code(),
        backup.status.code(),
        "{}",
        stderr_of(&copy)
    );
    let kept = TestDb::sqlite_at(occupied.to_str().unwrap());
    assert_eq!(kept.scalar("SELECT count(*) AS v FROM tenants"), 1);
}
