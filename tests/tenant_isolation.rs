//! Tenant isolation: every write path and `stats --tenant` stay inside their tenant, and the
//! database itself refuses references across tenants.
//!
//! Run the large rounds with `AGENTDB_SOAK=1 cargo test --locked --test NAME -- --nocapture`;
//! each test prints a `reliability:` line with its figures (README "Guarantees" quotes them).

mod common;

use common::reliability::*;
use common::*;

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
