//! `status --verify` and `health`'s `schema_drift` check (issue 13): every kind of drift from
//! what the migrations give is listed, other tools' tables are ignored, a missing table and
//! unknown migrations are reported.

mod common;

use common::drift::reference_tables_left;
use common::*;

// status --verify and health's schema_drift

fn differences(db: &TestDb) -> (Option<i32>, serde_json::Value) {
    let out = db
        .cmd()
        .args(["--format", "json", "status", "--verify"])
        .output()
        .unwrap();
    let report = json_of(&out);
    (code(&out), report["schema_drift"]["differences"].clone())
}

// The changes an operator or an app's `create_all` might make, one at a time, each checked
// and undone.
both_backends!(
    verify_lists_every_kind_of_drift_and_ignores_other_tools,
    |db| {
        let kind = db.kind;
        db.cmd().arg("migrate").assert().success();
        let (c, d) = differences(&db);
        assert_eq!((c, d.clone()), (Some(0), serde_json::json!([])), "{kind:?}");
        let before = db.tables();

        // An added column.
        db.exec("ALTER TABLE agents ADD COLUMN owner TEXT");
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        let actual = if kind == Kind::Postgres {
            "text NULL"
        } else {
            "TEXT NULL"
        };
        assert_eq!(
            d,
            serde_json::json!([{"table": "agents", "object": "column", "name": "owner",
                             "expected": null, "actual": actual}])
        );
        db.exec("ALTER TABLE agents DROP COLUMN owner");

        // A dropped index.
        db.exec("DROP INDEX messages_thread_created_idx");
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d[0]["object"], "index");
        assert_eq!(d[0]["name"], "messages_thread_created_idx");
        assert!(d[0]["actual"].is_null());
        assert!(d[0]["expected"]
            .as_str()
            .unwrap()
            .contains("(tenant_id, thread_id, created_at, id)"));
        db.exec("CREATE INDEX messages_thread_created_idx ON messages (tenant_id, thread_id, created_at, id)");
        assert_eq!(differences(&db).0, Some(0));

        // A changed default (SQLite can only rebuild the table, as operators do).
        match kind {
            Kind::Postgres => db.exec("ALTER TABLE runs ALTER COLUMN status SET DEFAULT 'running'"),
            Kind::Sqlite => {
                let create = db.strings("SELECT sql AS v FROM sqlite_master WHERE name = 'runs'")
                    [0]
                .replace("CREATE TABLE runs", "CREATE TABLE runs_new")
                .replace("DEFAULT 'pending'", "DEFAULT 'running'");
                db.exec(&format!(
                "PRAGMA foreign_keys = OFF; {create}; INSERT INTO runs_new SELECT * FROM runs; \
                 DROP TABLE runs; ALTER TABLE runs_new RENAME TO runs; \
                 CREATE INDEX runs_thread_created_idx ON runs (tenant_id, thread_id, created_at); \
                 CREATE INDEX runs_tenant_status_idx ON runs (tenant_id, status);"
            ));
            }
        }
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
        assert_eq!(d[0]["name"], "status");
        assert!(
            d[0]["expected"].as_str().unwrap().contains("'pending'"),
            "{d}"
        );
        assert!(
            d[0]["actual"].as_str().unwrap().contains("'running'"),
            "{d}"
        );
        // health warns, and stays healthy.
        let out = db
            .cmd()
            .args(["--format", "json", "health"])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(0), "{}", stderr_of(&out));
        let health = json_of(&out);
        let check = health["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "schema_drift")
            .cloned()
            .expect("a schema_drift check");
        assert_eq!(check["status"], "warn", "{check}");
        assert!(
            check["detail"]
                .as_str()
                .unwrap()
                .contains("runs column status"),
            "{check}"
        );
        assert_eq!(health["status"], "warn");

        // Another tool's tables (LangGraph's real saver) are never reported.
        let fresh = TestDb::new(kind).unwrap();
        fresh.cmd().arg("migrate").assert().success();
        let target = fresh.url.clone();
        let kind_name = if kind == Kind::Postgres {
            "postgres"
        } else {
            "sqlite"
        };
        let Some(_) = python::run_script_ok("langgraph_checkpoint.py", &[kind_name, &target], &[])
        else {
            return;
        };
        assert!(
            fresh.tables().contains(&"checkpoints".to_string()),
            "{:?}",
            fresh.tables()
        );
        let (c, d) = differences(&fresh);
        assert_eq!((c, d), (Some(0), serde_json::json!([])), "{kind:?}");
        let out = fresh
            .cmd()
            .args(["--format", "json", "health"])
            .output()
            .unwrap();
        let health = json_of(&out);
        let check = health["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "schema_drift")
            .cloned()
            .unwrap();
        assert_eq!(check["status"], "ok", "{check}");

        // Verification writes nothing.
        if kind == Kind::Postgres {
            assert_eq!(reference_tables_left(&db), 0);
        }
        assert_eq!(db.tables(), before);
    }
);

both_backends!(
    verify_reports_a_missing_table_and_unknown_migrations,
    |db| {
        let kind = db.kind;
        db.cmd().arg("migrate").assert().success();
        if kind == Kind::Postgres {
            // Constraints: one dropped, one added.
            db.exec("ALTER TABLE tenants DROP CONSTRAINT tenants_status_check");
            db.exec("ALTER TABLE tenants ADD CONSTRAINT tenants_name_key UNIQUE (name)");
            let (c, d) = differences(&db);
            assert_eq!(c, Some(3));
            assert_eq!(
                d,
                serde_json::json!([
                    {"table": "tenants", "object": "constraint", "name": "check",
                     "expected": "CHECK (status = ANY (ARRAY['active'::text, 'suspended'::text, 'disabled'::text]))",
                     "actual": null},
                    {"table": "tenants", "object": "constraint", "name": "unique",
                     "expected": null, "actual": "UNIQUE (name)"}
                ])
            );
            db.exec("ALTER TABLE tenants DROP CONSTRAINT tenants_name_key");
            db.exec(
                "ALTER TABLE tenants ADD CHECK (status IN ('active', 'suspended', 'disabled'))",
            );
            assert_eq!(differences(&db), (Some(0), serde_json::json!([])));
        }
        db.exec("DROP TABLE runs");
        let (c, d) = differences(&db);
        assert_eq!(c, Some(3));
        assert_eq!(
            d,
            serde_json::json!([{"table": "runs", "object": "table", "name": "runs",
                             "expected": "defined by the migrations", "actual": null}])
        );
        db.exec("INSERT INTO __diesel_schema_migrations (version) VALUES ('99990101000000')");
        let out = db.cmd().args(["status", "--verify"]).output().unwrap();
        assert_eq!(code(&out), Some(1), "{}", stderr_of(&out));
        assert!(stderr_of(&out).contains("does not know (99990101000000)"));
    }
);
