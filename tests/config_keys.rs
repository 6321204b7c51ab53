//! The Fernet keys for config values: never echoed back, a keys file others can read is
//! warned about, and an import never leaves a tenant under mixed keys unasked (issue 17.13,
//! 17.15).

mod common;

use std::os::unix::fs::PermissionsExt;

use common::*;

const OLD_KEY: &str = "ssHM1P5Vyb3WmLT_iV-bpChH5uCi_zGM9AosOF6ZPZ8=";
const NEW_KEY: &str = "xt0AUpaaR7kRR68S7zoyFV_DexB3R33TmS6zUwmR9bs=";

fn migrated_with_tenant(db: &TestDb) {
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.cmd().args(["-q", "init-tenant"]).assert().success();
}

/// `--config-keys-file` given a key (or a list of keys, in either base64 alphabet) instead of
/// a path: exit 2, and no output anywhere holds the key.
#[test]
fn a_key_given_as_the_keys_file_is_never_printed() {
    let db = TestDb::sqlite();
    migrated_with_tenant(&db);
    let input = write_file(db.dir.path(), "in/token.json", r#"{"t": 1}"#);
    let standard = OLD_KEY.replace('-', "+").replace('_', "/");
    for value in [
        OLD_KEY.to_string(),
        format!("{NEW_KEY},{OLD_KEY}"),
        standard.clone(),
    ] {
        for args in [
            vec!["import-configs", input.to_str().unwrap()],
            vec!["configs", "get", "token", "--reveal"],
            vec!["configs", "export", "out"],
            vec!["configs", "rotate-keys"],
        ] {
            let out = db
                .cmd()
                .args(["--config-keys-file", &value])
                .args(&args)
                .output()
                .unwrap();
            let all = format!("{}{}", stdout_of(&out), stderr_of(&out));
            assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
            for secret in [OLD_KEY, NEW_KEY, standard.as_str(), &OLD_KEY[..20]] {
                assert!(!all.contains(secret), "{args:?} printed a key: {all}");
            }
            assert!(all.contains("looks like a Fernet key"), "{args:?}: {all}");
        }
    }
    // A real path that does not exist is still named.
    let out = db
        .cmd()
        .args([
            "--config-keys-file",
            "missing-keys.txt",
            "configs",
            "rotate-keys",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("missing-keys.txt"));
}

/// A keys file that group or others may read or write is warned about on stderr, once per
/// run; an owner-only one is not. The command still works.
#[test]
fn a_keys_file_others_can_access_is_warned_about_once() {
    let db = TestDb::sqlite();
    migrated_with_tenant(&db);
    let input = write_file(db.dir.path(), "in/token.json", r#"{"t": 1}"#);
    let keys = write_file(db.dir.path(), "keys.txt", format!("{NEW_KEY}\n{OLD_KEY}\n"));
    for (mode, warned) in [
        (0o600, false),
        (0o400, false),
        (0o644, true),
        (0o640, true),
        (0o604, true),
        (0o620, true),
        (0o602, true),
    ] {
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(mode)).unwrap();
        let out = db
            .cmd()
            .args(["--config-keys-file", keys.to_str().unwrap()])
            .args(["import-configs", input.to_str().unwrap()])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(0), "{mode:o}: {err}");
        let warnings = err.matches("is accessible to other users").count();
        assert_eq!(warnings, usize::from(warned), "{mode:o}: {err}");
        if warned {
            assert!(err.contains(&format!("{mode:o}")), "{mode:o}: {err}");
            assert!(err.contains("chmod 600"), "{err}");
        }
        assert!(!err.contains(NEW_KEY) && !err.contains(OLD_KEY));
    }
}

fn stored(db: &TestDb) -> Vec<String> {
    db.strings(match db.kind {
        Kind::Sqlite => "SELECT key || '=' || value AS v FROM tenant_configs ORDER BY key",
        Kind::Postgres => "SELECT key || '=' || value::text AS v FROM tenant_configs ORDER BY key",
    })
}

// An import whose keys cannot decrypt the tenant's existing values is refused before writing
// (exit 1, rows unchanged), with the way out; the new key listed before the old one works;
// --force imports anyway; an import that writes nothing (every file unchanged) is not refused.
both_backends!(
    import_with_keys_that_cannot_decrypt_the_tenant_is_refused,
    |db| {
        migrated_with_tenant(&db);
        let first = write_file(db.dir.path(), "a/gmail_token.json", r#"{"t": 1}"#);
        let second = write_file(db.dir.path(), "b/calendar.json", r#"{"c": 2}"#);
        db.cmd()
            .env("AGENTDB_CONFIG_KEYS", OLD_KEY)
            .args(["-q", "import-configs", first.to_str().unwrap()])
            .assert()
            .success();
        let before = stored(&db);
        // A new key (inserted) and a changed one (updated), for real and as a dry run.
        let changed = write_file(db.dir.path(), "a2/gmail_token.json", r#"{"t": 2}"#);
        for input in [&second, &changed] {
            for dry_run in [false, true] {
                let mut cmd = db.cmd();
                cmd.env("AGENTDB_CONFIG_KEYS", NEW_KEY);
                cmd.args(["import-configs", input.to_str().unwrap()]);
                if dry_run {
                    cmd.arg("--dry-run");
                }
                let out = cmd.output().unwrap();
                let err = stderr_of(&out);
                assert_eq!(out.status.code(), Some(1), "{input:?} {dry_run}: {err}");
                assert!(
                    err.contains("tenant default") && err.contains("gmail_token"),
                    "{err}"
                );
                assert!(
                    err.contains("rotate-keys") && err.contains("--force"),
                    "{err}"
                );
                assert!(!err.contains(NEW_KEY) && !err.contains(OLD_KEY), "{err}");
                assert_eq!(stored(&db), before, "{input:?}: rows changed");
            }
        }
        // Nothing to write (the same file again): nothing to refuse.
        db.cmd()
            .env("AGENTDB_CONFIG_KEYS", NEW_KEY)
            .args(["-q", "import-configs", first.to_str().unwrap()])
            .assert()
            .success();
        assert_eq!(stored(&db), before);
        // NEW,OLD decrypts everything: accepted.
        db.cmd()
            .env("AGENTDB_CONFIG_KEYS", format!("{NEW_KEY},{OLD_KEY}"))
            .args(["-q", "import-configs", second.to_str().unwrap()])
            .assert()
            .success();
        assert_eq!(stored(&db).len(), 2);
        // --force: the operator asked for it.
        let third = write_file(db.dir.path(), "c/other.json", r#"{"o": 3}"#);
        db.cmd()
            .env("AGENTDB_CONFIG_KEYS", NEW_KEY)
            .args(["-q", "import-configs", "--force", third.to_str().unwrap()])
            .assert()
            .success();
        assert_eq!(stored(&db).len(), 3);
    }
);
