//! `agentdb import-configs` end to end on both backends.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const SECRET: &str = "ya29.a0AfH6SMBx-NeverPrintThisAccessToken";

/// A realistic OAuth token as google-auth writes `gmail_token.json`.
fn gmail_token() -> String {
    format!(
        r#"{{
  "token": "{SECRET}",
  "refresh_token": "1//0gRefreshTokenNeverPrinted-abcdefghijklmnop",
  "token_uri": "https://oauth2.googleapis.com/token",
  "client_id": "123456789012-abc123def456.apps.googleusercontent.com",
  "client_secret": "GOCSPX-NeverPrintedClientSecret",
  "scopes": ["https://www.googleapis.com/auth/gmail.readonly", "https://www.googleapis.com/auth/gmail.send"],
  "universe_domain": "googleapis.com",
  "account": "",
  "expiry": "2026-11-25T17:00:00.000000Z"
}}
"#
    )
}

fn ready(db: &TestDb) {
    db.cmd().arg("migrate").assert().success();
    db.cmd().arg("init-tenant").assert().success();
}

/// A config directory: gmail_token.json, credentials.json, google/calendar_token.json and
/// a file that is not JSON.
fn config_dir(db: &TestDb) -> PathBuf {
    let dir = db.dir.path().join("config");
    write_file(&dir, "gmail_token.json", gmail_token());
    write_file(
        &dir,
        "credentials.json",
        r#"{"installed": {"client_id": "x", "redirect_uris": ["http://localhost"]}}"#,
    );
    write_file(
        &dir,
        "google/calendar_token.json",
        r#"{"token": "cal", "scopes": []}"#,
    );
    write_file(&dir, "README.txt", "not a config");
    dir
}

fn value_sql(db: &TestDb) -> &'static str {
    match db.kind {
        Kind::Postgres => "value::text",
        Kind::Sqlite => "value",
    }
}

fn stored(db: &TestDb, key: &str) -> serde_json::Value {
    let text = db.strings(&format!(
        "SELECT {} AS v FROM tenant_configs WHERE tenant_id = 'default' AND key = '{key}'",
        value_sql(db)
    ));
    assert_eq!(text.len(), 1, "config {key} not stored");
    serde_json::from_str(&text[0]).unwrap()
}

fn results(out: &std::process::Output) -> Vec<(String, String)> {
    json_of(out)["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn import(db: &TestDb, args: &[&str]) -> std::process::Output {
    db.cmd()
        .args(["--format", "json", "import-configs"])
        .args(args)
        .output()
        .unwrap()
}

fn dir_arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn config_count(db: &TestDb) -> i64 {
    db.scalar("SELECT count(*) AS v FROM tenant_configs")
}

both_backends!(imports_nested_directories_and_reruns_unchanged, |db| {
    ready(&db);
    let dir = config_dir(&db);
    let out = import(&db, &["--recursive", dir_arg(&dir)]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        results(&out),
        vec![
            ("credentials".to_string(), "inserted".to_string()),
            ("gmail_token".to_string(), "inserted".to_string()),
            ("google/calendar_token".to_string(), "inserted".to_string()),
        ]
    );
    let expected: serde_json::Value = serde_json::from_str(&gmail_token()).unwrap();
    assert_eq!(stored(&db, "gmail_token"), expected);
    assert_eq!(stored(&db, "google/calendar_token")["token"], "cal");
    assert_eq!(
        db.strings(
            "SELECT source_file AS v FROM tenant_configs WHERE key = 'google/calendar_token'"
        ),
        vec!["google/calendar_token.json"]
    );
    // Values never appear in any output.
    assert!(!stdout_of(&out).contains(SECRET) && !stderr_of(&out).contains(SECRET));
    // Not a terminal: no progress, no chatter on stderr.
    assert_eq!(stderr_of(&out), "");

    let stamps =
        db.strings("SELECT CAST(updated_at AS TEXT) AS v FROM tenant_configs ORDER BY key");
    let again = import(&db, &["--recursive", dir_arg(&dir)]);
    assert!(again.status.success());
    assert!(
        results(&again).iter().all(|(_, r)| r == "unchanged"),
        "{:?}",
        results(&again)
    );
    assert_eq!(json_of(&again)["summary"]["unchanged"], 3);
    assert_eq!(
        db.strings("SELECT CAST(updated_at AS TEXT) AS v FROM tenant_configs ORDER BY key"),
        stamps
    );

    let table = db
        .cmd()
        .args(["-v", "import-configs", "-r", dir_arg(&dir)])
        .output()
        .unwrap();
    assert!(stdout_of(&table).contains("3 unchanged"));
    assert!(!stdout_of(&table).contains(SECRET) && !stderr_of(&table).contains(SECRET));
});

both_backends!(
    directories_without_recursive_skip_subfolders_and_files_use_their_name,
    |db| {
        ready(&db);
        let dir = config_dir(&db);
        let out = import(&db, &[dir_arg(&dir)]);
        assert!(out.status.success(), "{}", stderr_of(&out));
        let keys: Vec<String> = results(&out).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["credentials", "gmail_token"]);
        let single = dir.join("google/calendar_token.json");
        let out = import(&db, &[dir_arg(&single)]);
        assert_eq!(
            results(&out),
            vec![("calendar_token".to_string(), "inserted".to_string())]
        );
        assert_eq!(config_count(&db), 3);
    }
);

both_backends!(conflicts_replace_skip_or_fail, |db| {
    ready(&db);
    let dir = config_dir(&db);
    import(&db, &["-r", dir_arg(&dir)]);
    write_file(
        &dir,
        "credentials.json",
        r#"{"installed": {"client_id": "changed"}}"#,
    );
    write_file(&dir, "new_one.json", r#"{"n": 1}"#);

    // fail: the whole import is refused, the new file included.
    let out = import(&db, &["-r", "--on-conflict", "fail", dir_arg(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("credentials"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(config_count(&db), 3);
    assert_eq!(stored(&db, "credentials")["installed"]["client_id"], "x");

    // skip: keeps the stored value, inserts the new one.
    let out = import(&db, &["-r", "--on-conflict", "skip", dir_arg(&dir)]);
    assert!(out.status.success());
    let r = results(&out);
    assert!(
        r.contains(&("credentials".into(), "skipped".into())),
        "{r:?}"
    );
    assert!(r.contains(&("new_one".into(), "inserted".into())), "{r:?}");
    assert_eq!(stored(&db, "credentials")["installed"]["client_id"], "x");

    // replace (the default): updates.
    let out = import(&db, &["-r", dir_arg(&dir)]);
    let r = results(&out);
    assert!(
        r.contains(&("credentials".into(), "updated".into())),
        "{r:?}"
    );
    assert!(r.contains(&("new_one".into(), "unchanged".into())), "{r:?}");
    assert_eq!(
        stored(&db, "credentials")["installed"]["client_id"],
        "changed"
    );
    assert_eq!(json_of(&out)["summary"]["updated"], 1);
});

both_backends!(dry_run_reports_and_writes_nothing, |db| {
    ready(&db);
    let dir = config_dir(&db);
    let out = import(&db, &["-r", "--dry-run", dir_arg(&dir)]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(json_of(&out)["dry_run"], true);
    assert_eq!(json_of(&out)["summary"]["inserted"], 3);
    assert_eq!(config_count(&db), 0);
});

both_backends!(
    one_bad_file_among_a_hundred_leaves_the_table_untouched,
    |db| {
        ready(&db);
        let dir = db.dir.path().join("many");
        for i in 0..100 {
            write_file(
                &dir,
                &format!("token_{i:03}.json"),
                format!(r#"{{"token": "t{i}", "n": {i}}}"#),
            );
        }
        write_file(
            &dir,
            "token_050_bad.json",
            "{\n  \"token\": \"x\",\n  \"n\": 1,\n}\n",
        );
        let out = import(&db, &[dir_arg(&dir)]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr_of(&out);
        assert!(
            err.contains("token_050_bad.json: invalid JSON at line 4 column 1"),
            "{err}"
        );
        assert!(err.contains("nothing was imported"), "{err}");
        assert_eq!(
            stdout_of(&out),
            "",
            "no report on stdout for a refused import"
        );
        assert_eq!(config_count(&db), 0);
        std::fs::remove_file(dir.join("token_050_bad.json")).unwrap();
        let out = import(&db, &[dir_arg(&dir)]);
        assert!(out.status.success());
        assert_eq!(config_count(&db), 100);
    }
);

both_backends!(every_bad_file_is_named_and_nothing_written, |db| {
    ready(&db);
    let dir = db.dir.path().join("bad");
    write_file(&dir, "good.json", "{}");
    write_file(&dir, "latin1.json", b"{\"name\": \"caf\xe9\"}".as_slice());
    write_file(&dir, "empty.json", "");
    write_file(&dir, "bom.json", b"\xEF\xBB\xBF{}".as_slice());
    write_file(&dir, "truncated.json", r#"{"token": "abc"#);
    write_file(
        &dir,
        "big.json",
        format!(r#"{{"blob": "{}"}}"#, "x".repeat(2048)),
    );
    std::os::unix::fs::symlink("/nonexistent/target.json", dir.join("dangling.json")).unwrap();
    let empty_dir = db.dir.path().join("empty_dir");
    std::fs::create_dir_all(&empty_dir).unwrap();
    let out = import(
        &db,
        &[
            "--max-size",
            "1024",
            dir_arg(&dir),
            dir_arg(&empty_dir),
            "missing.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    for expected in [
        "latin1.json: is not UTF-8",
        "empty.json: invalid JSON at line 1 column 0",
        "bom.json: starts with a UTF-8 byte-order mark",
        "truncated.json: invalid JSON at line 1 column",
        "big.json: is 2060 bytes, over the limit of 1024",
        "dangling.json: cannot read",
        "empty_dir: no *.json files",
        "missing.json: cannot read",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert_eq!(config_count(&db), 0);
});

both_backends!(duplicate_keys_and_a_missing_tenant_are_refused, |db| {
    ready(&db);
    let a = db.dir.path().join("a");
    let b = db.dir.path().join("b");
    write_file(&a, "token.json", "{}");
    write_file(&b, "token.json", "{}");
    let out = import(&db, &[dir_arg(&a), dir_arg(&b)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("key \"token\" also comes from"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(config_count(&db), 0);

    let out = import(&db, &["--tenant", "ghost", dir_arg(&a)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("agentdb init-tenant --tenant-id ghost"),
        "{}",
        stderr_of(&out)
    );
    let out = import(&db, &["--tenant", "Not Valid", dir_arg(&a)]);
    assert_eq!(out.status.code(), Some(2));
    db.cmd()
        .args(["init-tenant", "--tenant-id", "ghost"])
        .assert()
        .success();
    let out = import(&db, &["--tenant", "ghost", dir_arg(&a)]);
    assert!(out.status.success());
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM tenant_configs WHERE tenant_id = 'ghost'"),
        1
    );
});

both_backends!(symlink_loops_do_not_hang, |db| {
    ready(&db);
    let dir = db.dir.path().join("loop");
    write_file(&dir, "sub/a.json", "{}");
    std::os::unix::fs::symlink(&dir, dir.join("sub/back")).unwrap();
    let out = import(&db, &["-r", dir_arg(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("directory loop"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(config_count(&db), 0);
});

#[test]
fn postgres_refuses_nul_characters_before_writing() {
    let Some(db) = TestDb::postgres() else { return };
    ready(&db);
    let dir = db.dir.path().join("nul");
    write_file(&dir, "a.json", "{}");
    write_file(&dir, "nul.json", r#"{"x": "a\u0000b"}"#);
    let out = import(&db, &[dir_arg(&dir)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("nul.json: contains \\u0000"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(config_count(&db), 0);
}

both_backends!(concurrent_overlapping_imports_end_like_a_serial_one, |db| {
    ready(&db);
    let dir = db.dir.path().join("overlap");
    for i in 0..40 {
        write_file(&dir, &format!("k{i:02}.json"), format!(r#"{{"v": {i}}}"#));
    }
    let outputs = run_concurrently(8, |i| {
        let mut c = db.std_cmd();
        c.args(["--format", "json", "import-configs"]);
        // Each process imports an overlapping half of the files.
        for f in (0..40).filter(|f| (f + i * 5) % 40 < 20) {
            c.arg(dir.join(format!("k{f:02}.json")));
        }
        c
    });
    let mut inserted = 0;
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr_of(out));
        inserted += json_of(out)["summary"]["inserted"].as_i64().unwrap();
    }
    assert_eq!(inserted, 40, "each key inserted by exactly one process");
    assert_eq!(config_count(&db), 40);
});

/// Progress is drawn on a terminal only: run under `script`, which gives the command a pty.
#[test]
fn progress_on_a_terminal_and_none_with_quiet() {
    if !terminal_available() {
        return;
    }
    let db = TestDb::sqlite();
    ready(&db);
    let dir = db.dir.path().join("many");
    for i in 0..400 {
        write_file(&dir, &format!("k{i:03}.json"), format!(r#"{{"n": {i}}}"#));
    }
    let typescript = |quiet: bool| {
        let q = if quiet { "-q " } else { "" };
        let line = format!(
            "{} {q}-d {} import-configs --on-conflict replace {} > /dev/null",
            agentdb_word(),
            shell_quote(&db.url),
            shell_quote(dir.to_str().unwrap())
        );
        let out = common::on_terminal(db.dir.path(), &line, "", &[]);
        assert!(out.status.success(), "{}", stdout_of(&out));
        stdout_of(&out)
    };
    let shown = typescript(false);
    assert!(
        shown.contains("validating") || shown.contains("importing"),
        "{shown}"
    );
    let quiet = typescript(true);
    assert!(
        !quiet.contains("validating") && !quiet.contains("importing"),
        "{quiet}"
    );
    assert_eq!(config_count(&db), 400);
}

both_backends!(sql_echo_shows_statements_but_never_values, |db| {
    ready(&db);
    let dir = config_dir(&db);
    let out = db
        .cmd()
        .env("SQL_ECHO", "true")
        .args(["import-configs", "-r"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("SQL: INSERT INTO tenant_configs"), "{err}");
    assert!(err.contains("bind values not shown"), "{err}");
    assert!(
        !err.contains(SECRET) && !stdout_of(&out).contains(SECRET),
        "{err}"
    );
});
