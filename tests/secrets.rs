//! Secrets: no password, API key, Fernet key or config value the suite uses ever appears in
//! any output (raw or percent-encoded), and files holding secrets are owner-only.
//!
//! Run the large rounds with `AGENTDB_SOAK=1 cargo test --locked --test NAME -- --nocapture`;
//! each test prints a `reliability:` line with its figures (README "Guarantees" quotes them).

mod common;
#[path = "common/legacy.rs"]
mod legacy;

use std::os::unix::process::ExitStatusExt;

use common::reliability::*;
use common::*;

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
        scanned()
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

/// `url` with SECRETS[2] as its password (PostgreSQL; a SQLite path has none).
fn with_password(db: &TestDb) -> String {
    match db.kind {
        Kind::Postgres => {
            let mut u = url::Url::parse(&db.url).unwrap();
            u.set_password(Some(SECRETS[2])).unwrap();
            u.to_string()
        }
        Kind::Sqlite => db.url.clone(),
    }
}

/// A file agentdb wrote, scanned like an output; it must be owner-only.
fn scan_file(path: &std::path::Path) {
    let text = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    scan(&std::process::Output {
        status: std::process::ExitStatus::from_raw(0),
        stdout: text,
        stderr: Vec::new(),
    });
    assert_eq!(mode_of(path), 0o600, "{}", path.display());
}

// `erase` (dry run and real, table and JSON, with `--receipt`) on a database holding an API
// key and encrypted configs, and `copy --layout agentkit|adk-integration` (dry run and real,
// into a new SQLite file and into this backend) from legacy sources whose rows hold a secret:
// verbose, with `SQL_ECHO`, no secret in stdout, stderr, the JSON or the receipt.
both_backends!(erase_and_legacy_copy_never_print_secrets, |db| {
    let url = with_password(&db);
    let cmd = |url: &str, args: &[&str]| {
        let mut c = std_agentdb(db.dir.path());
        c.args(["-v", "-d", url])
            .args(args)
            .env("SQL_ECHO", "true")
            .env("AGENTDB_CONFIG_KEYS", SECRETS[4]);
        c
    };
    let configs = db.dir.path().join("erase-configs");
    write_file(
        &configs,
        "gmail_token.json",
        format!(r#"{{"token": "{}"}}"#, SECRETS[6]),
    );
    for args in [
        &["migrate"][..],
        &[
            "init-tenant",
            "--tenant-id",
            "acme",
            "--api-key",
            SECRETS[1],
        ],
        &[
            "import-configs",
            "--tenant",
            "acme",
            configs.to_str().unwrap(),
        ],
    ] {
        let out = run(cmd(&url, args));
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    }
    let receipt = |n: u32| db.dir.path().join(format!("receipt-{n}.json"));
    let (r1, r2, r3) = (receipt(1), receipt(2), receipt(3));
    let cases: Vec<Vec<&str>> = vec![
        vec!["erase", "--tenant", "acme", "--dry-run"],
        vec![
            "--format",
            "json",
            "erase",
            "--tenant",
            "acme",
            "--dry-run",
            "--receipt",
            r1.to_str().unwrap(),
        ],
        vec![
            "erase",
            "--tenant",
            "acme",
            "--yes",
            "--receipt",
            r2.to_str().unwrap(),
        ],
        vec![
            "--format",
            "json",
            "erase",
            "--tenant",
            "acme",
            "--yes",
            "--purge",
            "--receipt",
            r3.to_str().unwrap(),
        ],
    ];
    for args in &cases {
        let out = run(cmd(&url, args));
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    }
    assert!(!r1.exists(), "a dry run writes no receipt");
    for r in [&r2, &r3] {
        scan_file(r);
    }
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM tenants WHERE id = 'acme'"),
        0,
        "the erase ran"
    );

    for (layout, secret_row) in [
        (
            "agentkit",
            "UPDATE messages SET content = '@' WHERE id = 'm-1'",
        ),
        (
            "adk-integration",
            "UPDATE new_messages SET content = '@' WHERE message_id = 'nm-1'",
        ),
    ] {
        let Some(source) = legacy::legacy_source(db.kind, layout) else {
            return;
        };
        source.exec(&secret_row.replace('@', SECRETS[6]));
        let from = with_password(&source);
        let Some(target) = TestDb::new(db.kind) else {
            return;
        };
        let to_server = with_password(&target);
        let to_file = db.dir.path().join(format!("{layout}-imported.db"));
        let to_file = to_file.to_str().unwrap();
        let messages = source.scalar(&format!(
            "SELECT count(*) AS v FROM {}",
            if layout == "agentkit" {
                "messages"
            } else {
                "new_messages"
            }
        ));
        // (--to, before the command, after it)
        let runs: [(&str, &[&str], &[&str]); 3] = [
            (to_file, &[], &["--dry-run"]),
            (to_file, &[], &[]),
            (&to_server, &["--format", "json"], &[]),
        ];
        for (to, before, after) in runs {
            let mut c = std_agentdb(db.dir.path());
            c.arg("-v")
                .args(before)
                .args(["copy", "--from", &from, "--to", to])
                .args(["--layout", layout, "--tenant", "acme"])
                .args(after)
                .env("SQL_ECHO", "true");
            let out = run(c);
            assert!(
                out.status.success(),
                "{layout} to {to}: {}",
                stderr_of(&out)
            );
        }
        assert_eq!(
            TestDb::sqlite_at(to_file).scalar("SELECT count(*) AS v FROM messages"),
            messages,
            "{layout}: the copy ran"
        );
    }
    eprintln!(
        "reliability: secrets {:?} (erase, copy --layout): {} outputs scanned, 0 hits",
        db.kind,
        scanned()
    );
});
