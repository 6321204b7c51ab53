//! `agentdb init-tenant` end to end on both backends.

mod common;

use common::*;
use sha2::{Digest, Sha256};

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn migrated(db: &TestDb) {
    db.cmd().arg("migrate").assert().success();
}

/// Everything the database holds, as text: `sqlite3 .dump` of the file, `pg_dump` of the
/// database.
fn dump(db: &TestDb) -> String {
    let out = match db.kind {
        Kind::Sqlite => std::process::Command::new("sqlite3")
            .arg(&db.url)
            .arg(".dump")
            .output(),
        Kind::Postgres => std::process::Command::new("pg_dump").arg(&db.url).output(),
    }
    .expect("dump tool runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("tenants"), "the dump holds the schema");
    text
}

fn tenant_row(db: &TestDb, id: &str) -> Vec<String> {
    db.strings(&format!(
        "SELECT name || '|' || coalesce(api_key_hash, '-') || '|' || coalesce(api_key_prefix, '-') AS v FROM tenants WHERE id = '{id}'"
    ))
}

both_backends!(requires_a_migrated_schema, |db| {
    if db.kind == Kind::Sqlite {
        let out = db.cmd().arg("init-tenant").output().unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr_of(&out).contains("agentdb migrate"),
            "{}",
            stderr_of(&out)
        );
        assert!(!db.path().exists());
        std::fs::write(db.path(), b"").unwrap();
    }
    let out = db.cmd().arg("init-tenant").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("run `agentdb migrate`"),
        "{}",
        stderr_of(&out)
    );
    assert!(db.tables().is_empty(), "{:?}", db.tables());
});

both_backends!(
    creates_the_default_tenant_and_thread_then_changes_nothing,
    |db| {
        migrated(&db);
        let out = db
            .cmd()
            .args(["--format", "json", "init-tenant"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let r = json_of(&out);
        assert_eq!(r["tenant_id"], "default");
        assert_eq!(r["tenant"], "created");
        assert_eq!(r["thread"], "created");
        assert_eq!(r["api_key"], "none");
        assert_eq!(tenant_row(&db, "default"), vec!["default|-|-"]);
        assert_eq!(
            db.scalar(
                "SELECT count(*) AS v FROM threads WHERE tenant_id = 'default' AND id = 'default'"
            ),
            1
        );
        let stamp = db.strings("SELECT CAST(updated_at AS TEXT) AS v FROM tenants");

        let again = db
            .cmd()
            .args(["--format", "json", "init-tenant"])
            .output()
            .unwrap();
        assert!(again.status.success());
        let r = json_of(&again);
        assert_eq!(
            (r["tenant"].as_str(), r["thread"].as_str()),
            (Some("unchanged"), Some("unchanged"))
        );
        assert_eq!(
            db.strings("SELECT CAST(updated_at AS TEXT) AS v FROM tenants"),
            stamp
        );
        assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 1);
        assert_eq!(db.scalar("SELECT count(*) AS v FROM threads"), 1);
        assert!(stdout_of(&db.cmd().arg("init-tenant").output().unwrap()).contains("unchanged"));
    }
);

both_backends!(only_a_hash_of_the_api_key_is_stored, |db| {
    migrated(&db);
    let key = "sk-live-Zq8Xw3Lm9Pv2Rt6Yu1Io4Pa7Sd0Fg5Hj";
    let out = db
        .cmd()
        .args([
            "--format",
            "json",
            "init-tenant",
            "--tenant-id",
            "acme",
            "--name",
            "Acme Inc",
            "--api-key",
            key,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(!stdout_of(&out).contains(key) && !stderr_of(&out).contains(key));
    assert_eq!(json_of(&out)["api_key"], "set");
    assert_eq!(
        tenant_row(&db, "acme"),
        vec![format!("Acme Inc|{}|{}", sha256_hex(key), &key[..12])]
    );
    let dump = dump(&db);
    assert!(!dump.contains(key), "the key is in the database dump");
    assert!(
        !dump.contains(&key[12..]),
        "a part of the key beyond the prefix is in the dump"
    );
    assert!(dump.contains(&sha256_hex(key)));

    // The same key again: unchanged. Another key: refused without --rotate-api-key.
    let out = db
        .cmd()
        .args([
            "--format",
            "json",
            "init-tenant",
            "--tenant-id",
            "acme",
            "--api-key",
            key,
        ])
        .output()
        .unwrap();
    assert_eq!(json_of(&out)["api_key"], "unchanged");
    let other = "sk-live-another-key-0123456789abcdef";
    let out = db
        .cmd()
        .args(["init-tenant", "--tenant-id", "acme", "--api-key", other])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("--rotate-api-key"),
        "{}",
        stderr_of(&out)
    );
    assert!(!stderr_of(&out).contains(other));
    assert_eq!(
        tenant_row(&db, "acme")[0],
        format!("Acme Inc|{}|{}", sha256_hex(key), &key[..12])
    );

    let out = db
        .cmd()
        .args([
            "--format",
            "json",
            "init-tenant",
            "--tenant-id",
            "acme",
            "--api-key",
            other,
            "--rotate-api-key",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let r = json_of(&out);
    assert_eq!(
        (r["tenant"].as_str(), r["api_key"].as_str()),
        (Some("updated"), Some("rotated"))
    );
    assert_eq!(
        tenant_row(&db, "acme")[0],
        format!("Acme Inc|{}|{}", sha256_hex(other), &other[..12])
    );
});

both_backends!(
    a_generated_key_is_printed_once_and_only_its_hash_kept,
    |db| {
        migrated(&db);
        let out = db
            .cmd()
            .args(["--format", "json", "init-tenant", "--generate-api-key"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let r = json_of(&out);
        let key = r["generated_api_key"].as_str().unwrap().to_string();
        assert!(key.starts_with("agdb_") && key.len() == 69, "{key}");
        assert_eq!(r["api_key_prefix"], &key[..12]);
        assert_eq!(
            db.strings("SELECT api_key_hash AS v FROM tenants"),
            vec![sha256_hex(&key)]
        );
        assert!(!dump(&db).contains(&key[12..]));
        // Re-run without a key keeps it and prints none.
        let out = db
            .cmd()
            .args(["--format", "json", "init-tenant"])
            .output()
            .unwrap();
        let r = json_of(&out);
        assert_eq!(r["api_key"], "unchanged");
        assert!(r.get("generated_api_key").is_none());
        assert!(!stdout_of(&out).contains(&key[12..]));
        // Generating again for a tenant with a key is a rotation: refused without the flag.
        db.cmd()
            .args(["init-tenant", "--generate-api-key"])
            .assert()
            .code(1);
        assert_eq!(
            db.strings("SELECT api_key_hash AS v FROM tenants"),
            vec![sha256_hex(&key)]
        );
        let table = db
            .cmd()
            .args(["init-tenant", "--generate-api-key", "--rotate-api-key"])
            .output()
            .unwrap();
        assert!(stdout_of(&table).contains("shown once"));
        assert_ne!(
            db.strings("SELECT api_key_hash AS v FROM tenants"),
            vec![sha256_hex(&key)]
        );
    }
);

both_backends!(tenant_and_key_from_the_environment, |db| {
    migrated(&db);
    let key = "env-supplied-key-0123456789";
    let out = db
        .cmd()
        .env("DEFAULT_TENANT_ID", "from-env")
        .env("DEFAULT_TENANT_API_KEY", key)
        .args(["--format", "json", "init-tenant", "--thread-id", "main"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        tenant_row(&db, "from-env"),
        vec![format!("from-env|{}|{}", sha256_hex(key), &key[..4])]
    );
    assert_eq!(
        db.strings("SELECT id AS v FROM threads WHERE tenant_id = 'from-env'"),
        vec!["main"]
    );
    // The flag wins over the environment.
    db.cmd()
        .env("DEFAULT_TENANT_ID", "from-env")
        .args(["init-tenant", "--tenant-id", "flag"])
        .assert()
        .success();
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM tenants WHERE id = 'flag'"),
        1
    );
});

both_backends!(bad_input_is_refused_with_exit_2_and_nothing_written, |db| {
    migrated(&db);
    for id in [
        "Acme",
        "a b",
        "x'; DROP TABLE tenants; --",
        "$(touch pwned)",
        "-lead",
        &"a".repeat(64),
        "",
    ] {
        let out = db
            .cmd()
            .args(["init-tenant", &format!("--tenant-id={id}")])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{id:?}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("invalid tenant id"),
            "{}",
            stderr_of(&out)
        );
    }
    let out = db
        .cmd()
        .env("DEFAULT_TENANT_ID", "Bad!")
        .arg("init-tenant")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = db
        .cmd()
        .args(["init-tenant", "--api-key", "short"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr_of(&out).contains("short\n"));
    db.cmd()
        .args([
            "init-tenant",
            "--api-key",
            "k-0123456789abcdef",
            "--generate-api-key",
        ])
        .assert()
        .code(2);
    assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 0);
    assert!(!db.dir.path().join("pwned").exists());
});

both_backends!(concurrent_init_tenant_of_one_tenant_all_succeed, |db| {
    migrated(&db);
    let key = "concurrent-key-0123456789abcdef";
    let outputs = run_concurrently(8, |_| {
        let mut c = db.std_cmd();
        c.args([
            "--format",
            "json",
            "init-tenant",
            "--tenant-id",
            "shared",
            "--api-key",
            key,
        ]);
        c
    });
    let mut created = 0;
    for out in &outputs {
        assert!(out.status.success(), "{}", stderr_of(out));
        if json_of(out)["tenant"] == "created" {
            created += 1;
        }
    }
    assert_eq!(created, 1, "exactly one process creates the tenant");
    assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 1);
    assert_eq!(db.scalar("SELECT count(*) AS v FROM threads"), 1);
    assert_eq!(
        db.strings("SELECT api_key_hash AS v FROM tenants"),
        vec![sha256_hex(key)]
    );
});

both_backends!(an_api_key_of_another_tenant_is_refused, |db| {
    migrated(&db);
    let key = "shared-key-0123456789abcdefghij";
    db.cmd()
        .args(["init-tenant", "--tenant-id", "first", "--api-key", key])
        .assert()
        .success();
    db.cmd()
        .args(["init-tenant", "--tenant-id", "other"])
        .assert()
        .success();
    // A new tenant with that key, and an existing one setting or rotating to it: refused.
    for args in [
        &["init-tenant", "--tenant-id", "second", "--api-key", key][..],
        &["init-tenant", "--tenant-id", "other", "--api-key", key],
        &[
            "init-tenant",
            "--tenant-id",
            "other",
            "--api-key",
            key,
            "--rotate-api-key",
        ],
    ] {
        let out = db.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr_of(&out).contains("already used by another tenant"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 2);
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM tenants WHERE api_key_hash IS NOT NULL"),
        1
    );
});
