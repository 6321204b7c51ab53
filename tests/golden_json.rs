//! Golden `--format json` output of every command that has it, on both backends: each test runs
//! the built binary through a fixed scenario on a fresh database and compares arguments, exit
//! code and normalised stdout, step by step, with `tests/golden/<command>.<backend>.json`
//! (normaliser: tests/common/golden.rs). These files are the proof that a refactor changed no
//! JSON field and no exit code. After an intended change:
//!
//!     AGENTDB_BLESS=1 cargo test --locked --test golden_json
//!
//! and review the diff of tests/golden/ like code.

mod common;

use assert_cmd::Command;
use common::golden::Golden;
use common::*;

/// Two Fernet keys (32 bytes each, url-safe base64): `KEY_NEW` encrypts after a rotation.
const KEY_OLD: &str = "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=";
const KEY_NEW: &str = "ampqampqampqampqampqampqampqampqampqampqamo=";

fn backend(db: &TestDb) -> &'static str {
    match db.kind {
        Kind::Sqlite => "sqlite",
        Kind::Postgres => "postgres",
    }
}

/// A recorder for `tests/golden/<command>.<backend>.json` that hides where `db` lives.
fn golden(command: &str, db: &TestDb) -> Golden {
    let mut g = Golden::new(&format!("{command}.{}", backend(db)));
    hide(&mut g, db, "<dir>", "<db>");
    g
}

/// Registers `db`'s temp dir and (PostgreSQL) server and database name as labels.
fn hide(g: &mut Golden, db: &TestDb, dir_label: &str, db_label: &str) {
    g.replace(db.dir.path().to_str().unwrap(), dir_label);
    if let Some(name) = db.pg_name() {
        g.replace(name, db_label);
        let server = url::Url::parse(&postgres_admin_url()).unwrap();
        let authority = format!(
            "{}@{}:{}",
            server.username(),
            server.host_str().unwrap_or_default(),
            server.port().unwrap_or(5432)
        );
        g.replace(authority, "<server>");
        let with_password = format!(
            "{}:***@{}:{}",
            server.username(),
            server.host_str().unwrap_or_default(),
            server.port().unwrap_or(5432)
        );
        g.replace(with_password, "<server>");
        if let Some(password) = server.password() {
            g.replace(password, "<password>");
        }
    }
}

/// `agentdb -d URL --format json ARGS…` in the database's directory.
fn json(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = db.cmd();
    cmd.args(["--format", "json"]).args(args);
    cmd
}

fn migrated(db: &TestDb) {
    db.cmd().args(["-q", "migrate"]).assert().success();
}

/// Tenants alpha and beta with an agent, threads old/new/deleted, messages and runs.
fn seeded(db: &TestDb) {
    migrated(db);
    let old = ago(db, 40);
    let recent = ago(db, 1);
    db.exec(&format!(
        "INSERT INTO tenants (id, name, api_key_prefix) VALUES
           ('alpha', 'Alpha', 'sk-a'), ('beta', 'Béta ✓', NULL);
         INSERT INTO agents (tenant_id, id, name) VALUES ('alpha', 'helper', 'Helper');
         INSERT INTO threads (tenant_id, id, status, updated_at, last_message_at) VALUES
           ('alpha', 'old', 'active', {old}, {old}),
           ('alpha', 'gone', 'deleted', {old}, NULL),
           ('alpha', 'archived', 'archived', {old}, NULL),
           ('alpha', 'new', 'active', {recent}, {recent}),
           ('beta', 'old', 'active', {old}, NULL);
         INSERT INTO messages (tenant_id, id, thread_id, role, content) VALUES
           ('alpha', 'm1', 'old', 'user', 'a'), ('alpha', 'm2', 'old', 'assistant', 'b'),
           ('alpha', 'm3', 'gone', 'user', 'c'), ('alpha', 'm4', 'new', 'user', 'd'),
           ('beta', 'm1', 'old', 'user', 'e');
         INSERT INTO runs (tenant_id, id, thread_id, status, created_at, finished_at) VALUES
           ('alpha', 'r1', 'old', 'succeeded', {old}, {old}),
           ('alpha', 'r2', 'new', 'failed', {old}, {old}),
           ('alpha', 'r3', 'new', 'running', {old}, NULL),
           ('alpha', 'r4', 'new', 'cancelled', {recent}, {recent}),
           ('beta', 'r1', 'old', 'pending', {recent}, NULL);"
    ));
}

/// A folder `configs/` in the database's directory with two config files.
fn config_files(db: &TestDb) {
    write_file(
        db.dir.path(),
        "configs/openai.json",
        r#"{"api_key": "sk-golden", "models": ["gpt-4o", "o3"], "limit": 12345678901234567890}"#,
    );
    write_file(
        db.dir.path(),
        "configs/google.json",
        r#"{"client_id": "x.apps.googleusercontent.com", "note": "ünïcödé ✓", "refresh": null}"#,
    );
}

/// A keys file (mode 0600, so no warning) in the database's directory.
fn keys_file(db: &TestDb, name: &str, keys: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    let path = write_file(db.dir.path(), name, keys.join(","));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

both_backends!(migrate, |db| {
    let mut g = golden("migrate", &db);
    g.step(json(&db, &["migrate", "--dry-run"]));
    g.step(json(&db, &["migrate"]));
    g.step(json(&db, &["migrate"]));
    g.step(json(&db, &["migrate", "--dry-run"]));
    db.cmd()
        .args(["-q", "rollback", "--steps", "2", "--yes"])
        .assert()
        .success();
    g.step(json(&db, &["migrate", "--dry-run"]));
    g.step(json(&db, &["migrate", "--dry-run", "--sql"]));
    if db.kind == Kind::Sqlite {
        // --backup copies the SQLite file first; PostgreSQL refuses it.
        g.step(json(&db, &["migrate", "--backup"]));
    } else {
        g.step(json(&db, &["migrate", "--backup"]));
        g.step(json(&db, &["migrate"]));
    }
    g.step(json(&db, &["migrate", "--sql"]));
    g.step(json(&db, &["migrate", "--lock-timeout", "-1"]));
    g.check();
});

both_backends!(rollback, |db| {
    let mut g = golden("rollback", &db);
    migrated(&db);
    g.step(json(&db, &["rollback", "--dry-run"]));
    g.step(json(&db, &["rollback", "--steps", "2", "--dry-run"]));
    g.step(json(&db, &["rollback", "--yes"]));
    g.step(json(&db, &["rollback", "--steps", "2", "--yes"]));
    g.step(json(&db, &["rollback", "--steps", "9", "--yes"]));
    g.step(json(&db, &["rollback", "--steps", "0", "--yes"]));
    g.step(json(&db, &["rollback", "--yes"]));
    g.check();
});

both_backends!(status, |db| {
    let mut g = golden("status", &db);
    g.step(json(&db, &["status"]));
    g.step(json(&db, &["status", "--check"]));
    migrated(&db);
    g.step(json(&db, &["status"]));
    g.step(json(&db, &["status", "--check"]));
    g.step(json(&db, &["status", "--verify"]));
    db.exec("ALTER TABLE agents ADD COLUMN extra TEXT; CREATE TABLE operator_notes (id INTEGER)");
    g.step(json(&db, &["status", "--verify"]));
    db.cmd()
        .args(["-q", "rollback", "--yes"])
        .assert()
        .success();
    g.step(json(&db, &["status", "--check"]));
    g.check();
});

both_backends!(init_tenant, |db| {
    let mut g = golden("init_tenant", &db);
    g.step(json(&db, &["init-tenant"]));
    migrated(&db);
    g.step(json(&db, &["init-tenant"]));
    g.step(json(&db, &["init-tenant"]));
    g.step(json(
        &db,
        &[
            "init-tenant",
            "--tenant-id",
            "acme",
            "--name",
            "Acmé ✓",
            "--api-key",
            "sk-golden-1234567890",
        ],
    ));
    g.step(json(
        &db,
        &[
            "init-tenant",
            "--tenant-id",
            "acme",
            "--api-key",
            "sk-other-0987654321",
        ],
    ));
    g.step(json(
        &db,
        &[
            "init-tenant",
            "--tenant-id",
            "acme",
            "--api-key",
            "sk-other-0987654321",
            "--rotate-api-key",
        ],
    ));
    g.step(json(
        &db,
        &[
            "init-tenant",
            "--tenant-id",
            "acme",
            "--generate-api-key",
            "--rotate-api-key",
        ],
    ));
    g.step(json(
        &db,
        &[
            "init-tenant",
            "--tenant-id",
            "beta",
            "--generate-api-key",
            "--thread-id",
            "main",
        ],
    ));
    g.step(json(
        &db,
        &[
            "init-tenant",
            "--tenant-id",
            "beta",
            "--api-key",
            "sk-golden-1234567890",
        ],
    ));
    g.step(json(&db, &["init-tenant", "--tenant-id", "bad id!"]));
    g.step(json(
        &db,
        &["init-tenant", "--api-key", "x", "--generate-api-key"],
    ));
    g.check();
});

both_backends!(import_configs, |db| {
    let mut g = golden("import_configs", &db);
    config_files(&db);
    migrated(&db);
    g.step(json(&db, &["import-configs", "configs"]));
    db.cmd().args(["-q", "init-tenant"]).assert().success();
    g.step(json(&db, &["import-configs", "--dry-run", "configs"]));
    g.step(json(&db, &["import-configs", "configs"]));
    g.step(json(
        &db,
        &[
            "import-configs",
            "configs/openai.json",
            "configs/google.json",
        ],
    ));
    write_file(
        db.dir.path(),
        "configs/openai.json",
        r#"{"api_key": "sk-changed"}"#,
    );
    g.step(json(
        &db,
        &["import-configs", "--on-conflict", "skip", "configs"],
    ));
    g.step(json(
        &db,
        &["import-configs", "--on-conflict", "fail", "configs"],
    ));
    g.step(json(
        &db,
        &[
            "import-configs",
            "--dry-run",
            "--on-conflict",
            "replace",
            "configs",
        ],
    ));
    g.step(json(&db, &["import-configs", "configs"]));
    g.step(json(
        &db,
        &["import-configs", "--tenant", "nope", "configs"],
    ));
    write_file(db.dir.path(), "nested/a/b/deep.json", r#"{"deep": true}"#);
    write_file(db.dir.path(), "nested/top.json", "[1, 2, 3]");
    g.step(json(&db, &["import-configs", "--recursive", "nested"]));
    g.step(json(&db, &["import-configs", "nested"]));
    write_file(db.dir.path(), "broken/bad.json", "{not json");
    g.step(json(&db, &["import-configs", "broken"]));
    g.step(json(&db, &["import-configs", "--max-size", "4", "configs"]));
    g.step(json(&db, &["import-configs", "missing-folder"]));
    keys_file(&db, "keys", &[KEY_OLD]);
    g.step(json(
        &db,
        &["--config-keys-file", "keys", "import-configs", "configs"],
    ));
    g.check();
});

both_backends!(stats, |db| {
    let mut g = golden("stats", &db);
    g.step(json(&db, &["stats"]));
    seeded(&db);
    config_files(&db);
    db.cmd()
        .args(["-q", "import-configs", "--tenant", "alpha", "configs"])
        .assert()
        .success();
    g.step(json(&db, &["stats"]));
    g.step(json(&db, &["stats", "--by-tenant"]));
    g.step(json(&db, &["stats", "--tenant", "alpha"]));
    g.step(json(&db, &["stats", "--tenant", "nope"]));
    g.step(json(&db, &["stats", "--tenant", "alpha", "--by-tenant"]));
    g.check();
});

both_backends!(health, |db| {
    let mut g = golden("health", &db);
    g.step(json(&db, &["health"]));
    g.step(json(&db, &["health", "--require-migrated"]));
    migrated(&db);
    g.step(json(&db, &["health"]));
    g.step(json(
        &db,
        &["health", "--require-migrated", "--timeout", "10"],
    ));
    db.cmd()
        .args(["-q", "rollback", "--yes"])
        .assert()
        .success();
    g.step(json(&db, &["health"]));
    g.step(json(&db, &["health", "--require-migrated"]));
    // Not `--timeout 0`: whether a quick SQLite probe beats a zero deadline is a race.
    g.step(json(&db, &["health", "--timeout", "-1"]));
    g.check();
});

both_backends!(wait, |db| {
    let mut g = golden("wait", &db);
    if db.kind == Kind::Sqlite {
        // A SQLite file that does not exist yet answers once created.
        g.step(json(&db, &["wait", "--timeout", "0.2"]));
        migrated(&db);
    }
    g.step(json(&db, &["wait"]));
    g.step(json(&db, &["wait", "--timeout", "5"]));
    g.step(json(&db, &["wait", "--timeout", "-1"]));
    g.step(json(&db, &["--wait", "5", "status", "--check"]));
    g.check();
});

both_backends!(database, |db| {
    let mut g = golden("database", &db);
    if db.kind == Kind::Sqlite {
        g.step(json(&db, &["database", "drop", "--yes"]));
    }
    g.step(json(&db, &["database", "create"]));
    g.step(json(&db, &["database", "create"]));
    migrated(&db);
    db.cmd().args(["-q", "init-tenant"]).assert().success();
    g.step(json(&db, &["database", "drop"]));
    g.step(json(&db, &["database", "drop", "--yes"]));
    g.step(json(&db, &["database", "drop", "--yes", "--force"]));
    g.step(json(&db, &["database", "drop", "--yes", "--force"]));
    g.step(json(&db, &["database", "reset", "--yes"]));
    g.step(json(&db, &["database", "reset", "--yes", "--force"]));
    g.step(json(&db, &["database", "reset"]));
    g.check();
});

both_backends!(tenants, |db| {
    let mut g = golden("tenants", &db);
    migrated(&db);
    g.step(json(&db, &["tenants", "list"]));
    seeded(&db);
    config_files(&db);
    db.cmd()
        .args(["-q", "import-configs", "--tenant", "alpha", "configs"])
        .assert()
        .success();
    g.step(json(&db, &["tenants", "list"]));
    g.step(json(&db, &["tenants", "show", "alpha"]));
    g.step(json(&db, &["tenants", "show", "beta"]));
    g.step(json(&db, &["tenants", "show", "nope"]));
    g.step(json(&db, &["tenants", "show", "bad id!"]));
    g.check();
});

both_backends!(configs, |db| {
    let mut g = golden("configs", &db);
    migrated(&db);
    g.step(json(&db, &["configs", "list"]));
    db.cmd().args(["-q", "init-tenant"]).assert().success();
    config_files(&db);
    db.cmd()
        .args(["-q", "import-configs", "configs"])
        .assert()
        .success();
    g.step(json(&db, &["configs", "list"]));
    g.step(json(&db, &["configs", "list", "--tenant", "nope"]));
    g.step(json(&db, &["configs", "get", "openai"]));
    g.step(json(&db, &["configs", "get", "google", "--reveal"]));
    g.step(json(&db, &["configs", "get", "missing"]));
    g.step(json(&db, &["configs", "export", "exported"]));
    g.step(json(&db, &["configs", "export", "exported"]));
    g.step(json(&db, &["configs", "export", "exported", "--force"]));
    g.step(json(&db, &["configs", "delete", "google"]));
    g.step(json(&db, &["configs", "delete", "google", "--yes"]));
    g.step(json(&db, &["configs", "delete", "google", "--yes"]));
    db.cmd()
        .args(["-q", "import-configs", "configs"])
        .assert()
        .success();
    g.step(json(&db, &["configs", "rotate-keys"]));
    keys_file(&db, "keys-old", &[KEY_OLD]);
    keys_file(&db, "keys-new", &[KEY_NEW, KEY_OLD]);
    g.step(json(
        &db,
        &[
            "--config-keys-file",
            "keys-old",
            "configs",
            "rotate-keys",
            "--dry-run",
        ],
    ));
    g.step(json(
        &db,
        &[
            "--config-keys-file",
            "keys-old",
            "configs",
            "rotate-keys",
            "--encrypt-plaintext",
            "--dry-run",
        ],
    ));
    g.step(json(
        &db,
        &[
            "--config-keys-file",
            "keys-old",
            "configs",
            "rotate-keys",
            "--encrypt-plaintext",
        ],
    ));
    g.step(json(&db, &["configs", "list"]));
    g.step(json(&db, &["configs", "get", "openai"]));
    g.step(json(
        &db,
        &[
            "--config-keys-file",
            "keys-new",
            "configs",
            "rotate-keys",
            "--dry-run",
        ],
    ));
    g.step(json(
        &db,
        &["--config-keys-file", "keys-new", "configs", "rotate-keys"],
    ));
    g.step(json(
        &db,
        &["--config-keys-file", "keys-new", "configs", "rotate-keys"],
    ));
    g.step(json(
        &db,
        &["--config-keys-file", "keys-new", "configs", "get", "openai"],
    ));
    g.step(json(
        &db,
        &[
            "--config-keys-file",
            "keys-new",
            "configs",
            "export",
            "decrypted",
        ],
    ));
    g.step(json(
        &db,
        &["--config-keys-file", "keys-old", "configs", "get", "openai"],
    ));
    g.check();
});

both_backends!(prune, |db| {
    let mut g = golden("prune", &db);
    migrated(&db);
    g.step(json(&db, &["prune", "--dry-run"]));
    g.step(json(
        &db,
        &["prune", "--dry-run", "--runs-older-than", "30d"],
    ));
    seeded(&db);
    g.step(json(
        &db,
        &[
            "prune",
            "--dry-run",
            "--runs-older-than",
            "30d",
            "--threads-older-than",
            "30d",
        ],
    ));
    g.step(json(
        &db,
        &[
            "prune",
            "--dry-run",
            "--threads-older-than",
            "1d",
            "--threads-status",
            "deleted",
            "--tenant",
            "alpha",
        ],
    ));
    g.step(json(&db, &["prune", "--runs-older-than", "30d"]));
    g.step(json(
        &db,
        &[
            "prune",
            "--yes",
            "--runs-older-than",
            "30d",
            "--tenant",
            "beta",
        ],
    ));
    g.step(json(
        &db,
        &[
            "prune",
            "--yes",
            "--threads-older-than",
            "30d",
            "--threads-status",
            "archived",
        ],
    ));
    g.step(json(
        &db,
        &[
            "prune",
            "--yes",
            "--runs-older-than",
            "30d",
            "--threads-older-than",
            "30d",
            "--batch-size",
            "1",
        ],
    ));
    g.step(json(
        &db,
        &[
            "prune",
            "--yes",
            "--checkpoints-keep",
            "1",
            "--adk-events-keep",
            "1",
        ],
    ));
    g.step(json(
        &db,
        &[
            "prune",
            "--yes",
            "--checkpoint-threads-older-than",
            "7d",
            "--adk-sessions-older-than",
            "7d",
        ],
    ));
    g.step(json(
        &db,
        &["prune", "--yes", "--vacuum", "--runs-older-than", "1h"],
    ));
    g.step(json(&db, &["prune", "--yes", "--runs-older-than", "soon"]));
    g.step(json(
        &db,
        &[
            "prune",
            "--yes",
            "--runs-older-than",
            "30d",
            "--tenant",
            "nope",
        ],
    ));
    g.check();
});

both_backends!(copy, |db| {
    let mut g = golden("copy", &db);
    seeded(&db);
    config_files(&db);
    db.cmd()
        .args(["-q", "import-configs", "--tenant", "alpha", "configs"])
        .assert()
        .success();
    let Some(target) = TestDb::new(db.kind) else {
        return;
    };
    hide(&mut g, &target, "<target-dir>", "<target-db>");
    let copy = |args: &[&str]| {
        let mut cmd = agentdb(db.dir.path());
        cmd.args(["--format", "json", "copy"]).args(args);
        cmd
    };
    let (from, to) = (db.url.as_str(), target.url.as_str());
    g.step(copy(&["--from", from, "--to", to]));
    g.step(copy(&["--from", from, "--to", to]));
    g.step(copy(&["--from", from, "--to", from]));
    g.step(copy(&[
        "--from",
        from,
        "--to",
        "copy-alpha.db",
        "--tenant",
        "alpha",
    ]));
    g.step(copy(&[
        "--from",
        from,
        "--to",
        "copy-alpha.db",
        "--tenant",
        "alpha",
    ]));
    g.step(copy(&[
        "--from",
        from,
        "--to",
        "copy-beta.db",
        "--tenant",
        "beta",
        "--tenant",
        "nope",
    ]));
    g.step(copy(&[
        "--from",
        from,
        "--to",
        "copy-all.db",
        "--include",
        "agentdb,adk,langgraph",
    ]));
    g.step(copy(&["--from", "missing.db", "--to", "copy-none.db"]));
    g.step(copy(&[
        "--from",
        from,
        "--to",
        "copy-x.db",
        "--include",
        "nothing",
    ]));
    g.check();
});

both_backends!(backup, |db| {
    let mut g = golden("backup", &db);
    g.step(json(&db, &["backup", "first.db"]));
    seeded(&db);
    config_files(&db);
    db.cmd()
        .args(["-q", "import-configs", "--tenant", "alpha", "configs"])
        .assert()
        .success();
    g.step(json(&db, &["backup", "backup.db"]));
    g.step(json(&db, &["backup", "backup.db"]));
    g.step(json(
        &db,
        &["backup", "all.db", "--include", "agentdb,adk,langgraph"],
    ));
    g.step(json(&db, &["backup", "missing-dir/backup.db"]));
    g.check();
});
