//! `tenants list|show` and `configs list|get|export|delete|rotate-keys`, and encryption at rest
//! in `import-configs`, end to end on both backends (and through PgBouncer), checked with plain
//! SQL. Config values are secrets: every output but `configs get`'s is checked not to hold one.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::*;

const KEY: &str = "KTt7sJPpXWr_oQym5yP93U3L1pF6NMdG_1v86jwf0e8=";
const OLD_KEY: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
const SECRET: &str = "ya29.configs-NeverPrintThisToken";

fn gmail_token() -> String {
    format!("{{\n  \"token\": \"{SECRET}\",\n  \"scopes\": [\"gmail.readonly\"],\n  \"expiry\": \"2026-11-25T17:00:00Z\"\n}}\n")
}

/// A migrated database with the default tenant and a folder of three configs.
fn setup(db: &TestDb) -> PathBuf {
    db.cmd().arg("migrate").assert().success();
    db.cmd().arg("init-tenant").assert().success();
    let dir = db.dir.path().join("config");
    write_file(&dir, "gmail_token.json", gmail_token());
    write_file(
        &dir,
        "credentials.json",
        r#"{"installed":{"client_secret":"GOCSPX-configs-secret","b":1, "a":2}}"#,
    );
    write_file(
        &dir,
        "google/calendar_token.json",
        "{\"z\": 1,   \"a\": [true, null]}",
    );
    dir
}

fn keyed(db: &TestDb, keys: &str) -> assert_cmd::Command {
    let mut cmd = db.cmd();
    cmd.env("AGENTDB_CONFIG_KEYS", keys);
    cmd
}

fn run(mut cmd: assert_cmd::Command, args: &[&str]) -> Output {
    cmd.args(args).output().unwrap()
}

/// No secret value in a command's output (stdout and stderr).
fn assert_no_secret(out: &Output) {
    let all = format!("{}{}", stdout_of(out), stderr_of(out));
    for s in [SECRET, "GOCSPX-configs-secret", KEY, OLD_KEY] {
        assert!(!all.contains(s), "{s} printed:\n{all}");
    }
}

/// Asserts success and no secret in the output.
fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_no_secret(&out);
    out
}

fn ok_json(out: Output) -> serde_json::Value {
    json_of(&ok(out))
}

fn stored_values(db: &TestDb) -> Vec<String> {
    let v = match db.kind {
        Kind::Postgres => "value::text",
        Kind::Sqlite => "value",
    };
    db.strings(&format!("SELECT {v} AS v FROM tenant_configs ORDER BY key"))
}

fn import_results(out: &Output) -> Vec<String> {
    json_of(out)["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap().to_string())
        .collect()
}

/// `--format json import-configs ARGS…` (asserted to succeed): each row's result.
fn imported(cmd: assert_cmd::Command, args: &[&str]) -> Vec<String> {
    let mut cmd = cmd;
    cmd.args(["--format", "json", "import-configs"]);
    import_results(&ok(run(cmd, args)))
}

both_backends!(
    encrypted_import_list_get_export_and_reimport_unchanged,
    |db| {
        let dir = setup(&db);
        assert_eq!(
            imported(keyed(&db, KEY), &["-r", dir.to_str().unwrap()]),
            ["inserted"; 3]
        );

        // At rest: envelopes only, no plaintext; the hash is the file's.
        for value in stored_values(&db) {
            let doc: serde_json::Value = serde_json::from_str(&value).unwrap();
            assert!(
                doc["fernet"].as_str().unwrap().starts_with("gAAAAA"),
                "{value}"
            );
            assert!(!value.contains(SECRET) && !value.contains("GOCSPX"));
        }
        let file_hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(gmail_token()));
        assert_eq!(
            db.strings("SELECT content_hash AS v FROM tenant_configs WHERE key = 'gmail_token'"),
            std::slice::from_ref(&file_hash)
        );

        let list = ok_json(run(db.cmd(), &["--format", "json", "configs", "list"]));
        assert_eq!(list["total"], 3);
        assert_eq!(list["encrypted"], 3);
        let gmail = &list["configs"][1];
        assert_eq!(gmail["key"], "gmail_token");
        assert_eq!(gmail["source_file"], "gmail_token.json");
        assert_eq!(gmail["hash_prefix"], file_hash[..12]);
        assert_eq!(gmail["encrypted"], true);
        assert!(gmail["stored_bytes"].as_i64().unwrap() > 100);
        assert!(gmail["updated_at"].as_str().unwrap().ends_with('Z'));
        let table = run(db.cmd(), &["configs", "list"]);
        assert_no_secret(&table);
        assert!(stdout_of(&table).contains("google/calendar_token"));

        // get: the exact bytes of the file.
        let out = run(keyed(&db, KEY), &["configs", "get", "gmail_token"]);
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert_eq!(stdout_of(&out), gmail_token());

        // export: 0700 folder, 0600 files, the exact documents; then re-import: all unchanged.
        let export = db.dir.path().join("exported");
        let out = run(
            keyed(&db, KEY),
            &[
                "--format",
                "json",
                "configs",
                "export",
                export.to_str().unwrap(),
            ],
        );
        let report = ok_json(out);
        assert_eq!(report["files"], 3);
        assert_eq!(mode_of(&export), 0o700);
        assert_eq!(mode_of(&export.join("google")), 0o700);
        for name in [
            "gmail_token.json",
            "credentials.json",
            "google/calendar_token.json",
        ] {
            assert_eq!(mode_of(&export.join(name)), 0o600, "{name}");
            assert_eq!(
                std::fs::read(export.join(name)).unwrap(),
                std::fs::read(dir.join(name)).unwrap(),
                "{name}"
            );
        }
        assert_eq!(
            imported(keyed(&db, KEY), &["-r", export.to_str().unwrap()]),
            ["unchanged"; 3]
        );

        // No overwrite without --force: exit 2, nothing touched; with --force: replaced, still 0600.
        std::fs::write(export.join("gmail_token.json"), "{}").unwrap();
        let out = run(
            keyed(&db, KEY),
            &["configs", "export", export.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
        assert!(stderr_of(&out).contains("--force"));
        assert_eq!(
            std::fs::read_to_string(export.join("gmail_token.json")).unwrap(),
            "{}"
        );
        let out = run(
            keyed(&db, KEY),
            &[
                "--format",
                "json",
                "configs",
                "export",
                "--force",
                export.to_str().unwrap(),
            ],
        );
        let report = ok_json(out);
        assert!(report["configs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["result"] == "replaced"));
        assert_eq!(
            std::fs::read_to_string(export.join("gmail_token.json")).unwrap(),
            gmail_token()
        );
        assert_eq!(mode_of(&export.join("gmail_token.json")), 0o600);
        let leftovers: Vec<_> = std::fs::read_dir(&export)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
);

both_backends!(plaintext_export_reimports_unchanged, |db| {
    // Without keys nothing is encrypted; PostgreSQL's jsonb reformats the documents, and
    // the re-import still finds them unchanged.
    let dir = setup(&db);
    ok(run(
        db.cmd(),
        &["import-configs", "-r", dir.to_str().unwrap()],
    ));
    let values = stored_values(&db);
    assert!(values.iter().any(|v| v.contains(SECRET)), "stored as it is");
    let list = ok_json(run(db.cmd(), &["--format", "json", "configs", "list"]));
    assert_eq!(list["encrypted"], 0);
    let export = db.dir.path().join("plain-export");
    ok(run(
        db.cmd(),
        &["configs", "export", export.to_str().unwrap()],
    ));
    assert_eq!(
        imported(db.cmd(), &["-r", export.to_str().unwrap()]),
        ["unchanged"; 3]
    );
    // A real change is still an update.
    write_file(&export, "credentials.json", r#"{"installed": {"b": 2}}"#);
    assert_eq!(
        imported(db.cmd(), &["-r", export.to_str().unwrap()]),
        ["updated", "unchanged", "unchanged"]
    );
});

// `configs get` refuses a terminal without `--reveal` (run under `script`, which gives it a
// pty); redirected, it prints the value.
both_backends!(get_refuses_a_terminal_without_reveal, |db| {
    if !terminal_available() {
        return;
    }
    let dir = setup(&db);
    keyed(&db, KEY)
        .args(["import-configs", "-r"])
        .arg(&dir)
        .assert()
        .success();
    let on_terminal = |extra: &str| {
        let line = format!(
            "{} -d {} configs get gmail_token {extra}; echo \"exit=$?\"",
            agentdb_word(),
            shell_quote(&db.url)
        );
        let out = common::on_terminal(db.dir.path(), &line, "", &[("AGENTDB_CONFIG_KEYS", KEY)]);
        assert!(out.status.success());
        stdout_of(&out)
    };
    let refused = on_terminal("");
    assert!(refused.contains("exit=2"), "{refused}");
    assert!(refused.contains("--reveal"), "{refused}");
    assert!(!refused.contains(SECRET), "{refused}");
    let revealed = on_terminal("--reveal");
    assert!(revealed.contains("exit=0"), "{revealed}");
    assert!(revealed.contains(SECRET), "{revealed}");
});

both_backends!(errors_name_tenant_and_key_never_the_value, |db| {
    let dir = setup(&db);
    keyed(&db, OLD_KEY)
        .args(["import-configs", "-r"])
        .arg(&dir)
        .assert()
        .success();
    // Wrong key: exit 1, naming tenant and key.
    let out = run(keyed(&db, KEY), &["configs", "get", "gmail_token"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("\"gmail_token\"") && err.contains("tenant default"),
        "{err}"
    );
    assert_no_secret(&out);
    assert!(stdout_of(&out).is_empty());
    // No keys for an encrypted value: a configuration error.
    let out = run(db.cmd(), &["configs", "get", "gmail_token"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("AGENTDB_CONFIG_KEYS"));
    // Export with the wrong key writes nothing.
    let export = db.dir.path().join("never");
    let out = run(
        keyed(&db, KEY),
        &["configs", "export", export.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&out);
    assert!(!export.exists());
    // Rotation with the wrong key fails the tenant and changes nothing.
    let before = stored_values(&db);
    let out = run(keyed(&db, KEY), &["configs", "rotate-keys"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("nothing of tenant default was changed"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(stored_values(&db), before);
    // Keys that are set but empty, or unpadded: exit 2, the key never echoed.
    for bad in ["", " , ", KEY.trim_end_matches('=')] {
        let out = run(keyed(&db, bad), &["configs", "get", "gmail_token"]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert_no_secret(&out);
    }
    // Without keys, an import may not replace an encrypted value with plaintext.
    write_file(&dir, "gmail_token.json", "{\"token\": \"changed\"}");
    for dry_run in [true, false] {
        let mut args = vec!["import-configs", "-r", dir.to_str().unwrap()];
        if dry_run {
            args.push("--dry-run");
        }
        let out = run(db.cmd(), &args);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr_of(&out).contains("encrypted"), "{}", stderr_of(&out));
        assert_eq!(stored_values(&db), before);
    }
    // Without keys, a file shaped like an encrypted value is refused.
    let lookalike = db.dir.path().join("lookalike");
    write_file(&lookalike, "x.json", r#"{"fernet": "gAAAAA-not-really"}"#);
    let out = run(db.cmd(), &["import-configs", lookalike.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("encrypted value"),
        "{}",
        stderr_of(&out)
    );
    // Unknown key or tenant: exit 1; invalid tenant id: exit 2.
    let out = run(keyed(&db, OLD_KEY), &["configs", "get", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(db.cmd(), &["configs", "list", "--tenant", "ghost"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("tenants list"));
    let out = run(db.cmd(), &["configs", "list", "--tenant", "Bad Id"]);
    assert_eq!(out.status.code(), Some(2));
});

both_backends!(
    rotate_keys_reencrypts_resumes_and_encrypts_plaintext,
    |db| {
        let dir = setup(&db);
        db.cmd()
            .args(["init-tenant", "--tenant-id", "beta"])
            .assert()
            .success();
        keyed(&db, OLD_KEY)
            .args(["import-configs", "-r"])
            .arg(&dir)
            .assert()
            .success();
        let plain = db.dir.path().join("plain");
        write_file(&plain, "settings.json", r#"{"plain": true}"#);
        db.cmd()
            .args(["import-configs", "--tenant", "beta"])
            .arg(&plain)
            .assert()
            .success();
        let old_values = stored_values(&db);
        let both = format!("{KEY},{OLD_KEY}");

        // Without keys: a usage error.
        let out = run(db.cmd(), &["configs", "rotate-keys"]);
        assert_eq!(out.status.code(), Some(2));

        // Dry run: counts, nothing written.
        let json = ok_json(run(
            keyed(&db, &both),
            &["--format", "json", "configs", "rotate-keys", "--dry-run"],
        ));
        assert_eq!(json["summary"]["rotated"], 3);
        assert_eq!(stored_values(&db), old_values);

        let json = ok_json(run(
            keyed(&db, &both),
            &["--format", "json", "configs", "rotate-keys"],
        ));
        assert_eq!(
            json["summary"],
            serde_json::json!({"rotated": 3, "current": 0, "encrypted": 0, "plaintext": 1})
        );
        assert_eq!(json["tenants"][0]["tenant"], "beta");
        assert_eq!(json["tenants"][1]["rotated"], 3);
        let new_values = stored_values(&db);
        assert_ne!(new_values, old_values);
        // The new key alone reads every value now.
        let out = run(keyed(&db, KEY), &["configs", "get", "gmail_token"]);
        assert_eq!(stdout_of(&out), gmail_token());

        // Re-running resumes: everything is current, nothing rewritten.
        let json = ok_json(run(
            keyed(&db, &both),
            &[
                "--format",
                "json",
                "configs",
                "rotate-keys",
                "--tenant",
                "default",
            ],
        ));
        assert_eq!(json["summary"]["current"], 3);
        assert_eq!(stored_values(&db), new_values);

        // --encrypt-plaintext encrypts the rest; the tenant's value reads back the same.
        let json = ok_json(run(
            keyed(&db, KEY),
            &[
                "--format",
                "json",
                "configs",
                "rotate-keys",
                "--encrypt-plaintext",
            ],
        ));
        assert_eq!(json["summary"]["encrypted"], 1);
        assert_eq!(
            db.scalar("SELECT count(*) AS v FROM tenant_configs WHERE tenant_id = 'beta'"),
            1
        );
        let list = ok_json(run(
            db.cmd(),
            &["--format", "json", "configs", "list", "--tenant", "beta"],
        ));
        assert_eq!(list["encrypted"], 1);
        let out = run(
            keyed(&db, KEY),
            &["configs", "get", "settings", "--tenant", "beta"],
        );
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(doc, serde_json::json!({"plain": true}));
        // Re-importing the export of the encrypted tenant: unchanged.
        let export = db.dir.path().join("beta-export");
        ok(run(
            keyed(&db, KEY),
            &[
                "configs",
                "export",
                "--tenant",
                "beta",
                export.to_str().unwrap(),
            ],
        ));
        assert_eq!(
            imported(
                keyed(&db, KEY),
                &["--tenant", "beta", "-r", export.to_str().unwrap()]
            ),
            ["unchanged"]
        );
    }
);

both_backends!(delete_is_guarded_in_production, |db| {
    let dir = setup(&db);
    db.cmd()
        .args(["import-configs", "-r"])
        .arg(&dir)
        .assert()
        .success();
    let count = || db.scalar("SELECT count(*) AS v FROM tenant_configs");
    let production = |var: &str| {
        let mut cmd = db.cmd();
        cmd.env(var, "production");
        cmd
    };
    let out = run(production("ENV"), &["configs", "delete", "credentials"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--yes"));
    assert_eq!(count(), 3);
    let out = run(
        production("APP_ENV"),
        &[
            "--format",
            "json",
            "configs",
            "delete",
            "credentials",
            "--yes",
        ],
    );
    let json = ok_json(out);
    assert_eq!(json["deleted"], true);
    assert_eq!(count(), 2);
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM tenant_configs WHERE key = 'credentials'"),
        0
    );
    let out = run(db.cmd(), &["configs", "delete", "credentials"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("no config"));
    ok(run(
        db.cmd(),
        &["configs", "delete", "google/calendar_token"],
    ));
    assert_eq!(count(), 1);
});

both_backends!(tenants_list_and_show, |db| {
    let dir = setup(&db);
    db.cmd()
        .args(["init-tenant", "--tenant-id", "acme", "--name", "Acme Inc"])
        .env(
            "DEFAULT_TENANT_API_KEY",
            "sk-tenants-test-key-0123456789abcdef",
        )
        .assert()
        .success();
    keyed(&db, KEY)
        .args(["import-configs", "--tenant", "acme", "-r"])
        .arg(&dir)
        .assert()
        .success();
    let out = run(db.cmd(), &["--format", "json", "tenants", "list"]);
    assert!(!stdout_of(&out).contains("sk-tenants-test-key"));
    let json = ok_json(out);
    let tenants = json["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 2);
    assert_eq!(tenants[0]["id"], "acme");
    assert_eq!(tenants[0]["name"], "Acme Inc");
    assert_eq!(tenants[0]["status"], "active");
    assert_eq!(tenants[0]["api_key_prefix"], "sk-tenants-t");
    assert_eq!(tenants[0]["configs"], 3);
    assert_eq!(tenants[1]["id"], "default");
    assert_eq!(tenants[1]["api_key_prefix"], serde_json::Value::Null);
    assert_eq!(tenants[1]["configs"], 0);
    let table = run(db.cmd(), &["tenants", "list"]);
    assert!(stdout_of(&table).contains("Acme Inc"));

    let show = ok_json(run(
        db.cmd(),
        &["--format", "json", "tenants", "show", "acme"],
    ));
    assert_eq!(show["id"], "acme");
    assert_eq!(show["configs"], 3);
    assert_eq!(show["encrypted_configs"], 3);
    assert_eq!(show["threads"], 1);
    assert_eq!(show["agents"], 0);
    assert!(show["updated_at"].as_str().unwrap().ends_with('Z'));
    let out = run(db.cmd(), &["tenants", "show", "ghost"]);
    assert_eq!(out.status.code(), Some(1));
    let out = run(db.cmd(), &["tenants", "show", "Bad Id"]);
    assert_eq!(out.status.code(), Some(2));
});

/// Every new command through a real PgBouncer in transaction pooling.
#[test]
fn every_configs_and_tenants_command_through_pgbouncer() {
    let Some(db) = TestDb::postgres() else { return };
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let url = bouncer.url_for(&db);
    let via = |keys: Option<&str>| {
        let mut cmd = agentdb(db.dir.path());
        cmd.arg("-d").arg(&url);
        if let Some(k) = keys {
            cmd.env("AGENTDB_CONFIG_KEYS", k);
        }
        cmd
    };
    via(None).arg("migrate").assert().success();
    via(None).arg("init-tenant").assert().success();
    let dir = db.dir.path().join("config");
    write_file(&dir, "gmail_token.json", gmail_token());
    write_file(&dir, "credentials.json", r#"{"installed": {}}"#);
    ok(run(
        via(Some(OLD_KEY)),
        &["import-configs", dir.to_str().unwrap()],
    ));
    let both = format!("{KEY},{OLD_KEY}");
    let json = ok_json(run(
        via(Some(&both)),
        &["--format", "json", "configs", "rotate-keys"],
    ));
    assert_eq!(json["summary"]["rotated"], 2);
    assert_eq!(
        ok_json(run(via(None), &["--format", "json", "tenants", "list"]))["tenants"][0]["configs"],
        2
    );
    assert_eq!(
        ok_json(run(
            via(None),
            &["--format", "json", "tenants", "show", "default"]
        ))["encrypted_configs"],
        2
    );
    assert_eq!(
        ok_json(run(via(None), &["--format", "json", "configs", "list"]))["encrypted"],
        2
    );
    let out = run(via(Some(KEY)), &["configs", "get", "gmail_token"]);
    assert_eq!(stdout_of(&out), gmail_token());
    let export = db.dir.path().join("exported");
    ok(run(
        via(Some(KEY)),
        &["configs", "export", export.to_str().unwrap()],
    ));
    assert_eq!(
        imported(via(Some(KEY)), &[export.to_str().unwrap()]),
        ["unchanged"; 2]
    );
    ok(run(via(None), &["configs", "delete", "credentials"]));
    assert_eq!(db.scalar("SELECT count(*) AS v FROM tenant_configs"), 1);
    assert!(
        !bouncer.log().contains("prepared statement"),
        "{}",
        bouncer.log()
    );
}

both_backends!(tenant_configs_rebuild_migration_keeps_every_row, |db| {
    // 2026-11-26-000005 rebuilds SQLite's tenant_configs as a rowid table (rows of ~1 KB, such
    // as encrypted tokens, spilled into overflow pages); reverting and reapplying it keeps rows.
    let dir = setup(&db);
    keyed(&db, KEY)
        .args(["import-configs", "-r"])
        .arg(&dir)
        .assert()
        .success();
    let before = stored_values(&db);
    let without_rowid = || {
        db.scalar(
            "SELECT count(*) AS v FROM sqlite_master WHERE name = 'tenant_configs' AND sql LIKE '%WITHOUT ROWID%'",
        )
    };
    if db.kind == Kind::Sqlite {
        assert_eq!(without_rowid(), 0);
    }
    db.cmd().arg("rollback").assert().success();
    assert_eq!(stored_values(&db), before);
    if db.kind == Kind::Sqlite {
        assert_eq!(without_rowid(), 1);
    }
    db.cmd().arg("migrate").assert().success();
    assert_eq!(stored_values(&db), before);
    let out = run(keyed(&db, KEY), &["configs", "get", "gmail_token"]);
    assert_eq!(stdout_of(&out), gmail_token());
    assert_eq!(
        imported(keyed(&db, KEY), &["-r", dir.to_str().unwrap()]),
        ["unchanged"; 3]
    );
});

both_backends!(config_keys_file_wins_over_the_variable, |db| {
    let dir = setup(&db);
    keyed(&db, OLD_KEY)
        .args(["import-configs", "-r"])
        .arg(&dir)
        .assert()
        .success();
    // One key a line (commas work too); the file wins over a wrong AGENTDB_CONFIG_KEYS.
    let keys_file = write_file(db.dir.path(), "keys", format!("{KEY}\n{OLD_KEY}\n"));
    let mut cmd = keyed(&db, KEY);
    cmd.arg("--config-keys-file").arg(&keys_file);
    let out = run(cmd, &["configs", "get", "gmail_token"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), gmail_token());
    let mut cmd = db.cmd();
    cmd.arg("--config-keys-file").arg(&keys_file);
    let json = ok_json(run(cmd, &["--format", "json", "configs", "rotate-keys"]));
    assert_eq!(json["keys"], 2);
    assert_eq!(json["summary"]["rotated"], 3);
    // A missing file is a configuration error naming it.
    let mut cmd = db.cmd();
    cmd.args(["--config-keys-file", "/nonexistent/keys"]);
    let out = run(cmd, &["configs", "get", "gmail_token"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("/nonexistent/keys"));
});
