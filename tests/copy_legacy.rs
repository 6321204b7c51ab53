//! `agentdb copy --layout agentkit|adk-integration --tenant ID` end to end: each legacy layout
//! built with its guide's DDL on SQLite and PostgreSQL, hostile rows, every direction, every
//! mapped field compared with plain SQL; then `stats`, `prune` and `copy` on the imported
//! data; refusals with their exit codes and nothing written.

mod common;
#[path = "common/legacy.rs"]
mod legacy;

use common::*;
use legacy::*;
use serde_json::Value;

const TENANT: &str = "acme";
const KINDS: [Kind; 2] = [Kind::Sqlite, Kind::Postgres];

/// `agentdb --format json copy --from SRC --to DST --layout L --tenant acme EXTRA…`.
fn import(from: &TestDb, to: &TestDb, layout: &str, extra: &[&str]) -> std::process::Output {
    agentdb(to.dir.path())
        .args([
            "--format", "json", "copy", "--from", &from.url, "--to", &to.url,
        ])
        .args(["--layout", layout, "--tenant", TENANT])
        .args(extra)
        .output()
        .unwrap()
}

fn ok_report(out: &std::process::Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        stdout_of(out),
        stderr_of(out)
    );
    let report = json_of(out);
    assert_eq!(report["verified"], true, "{report}");
    for table in report["tables"].as_array().unwrap() {
        assert_eq!(table["source_rows"], table["target_rows"], "{table}");
        assert_eq!(table["source_digest"], table["target_digest"], "{table}");
    }
    report
}

fn refused(out: &std::process::Output, code: i32, needles: &[&str]) {
    let stderr = stderr_of(out);
    assert_eq!(out.status.code(), Some(code), "stderr:\n{stderr}");
    assert_eq!(stdout_of(out), "", "nothing on stdout when refused");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
}

/// Every number as a double (PostgreSQL's jsonb writes `1e2` as `100`, SQLite keeps `1e2`):
/// structure and values compared here, digits beyond a double checked on the raw text.
fn numbers_as_doubles(value: Value) -> Value {
    match value {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_doubles).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_doubles(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The target's rows of `table` under the tenant equal `expected`, field by field.
fn assert_rows(target: &TestDb, table: &str, mut expected: Vec<Value>) {
    let (mut rows, raw) = agentdb_rows(target, table, TENANT);
    let by_id = |a: &Value, b: &Value| a["id"].as_str().cmp(&b["id"].as_str());
    rows.sort_by(by_id);
    expected.sort_by(by_id);
    assert_eq!(rows.len(), expected.len(), "{table}: {raw}");
    for (row, want) in rows.into_iter().zip(expected) {
        let (row, want) = (numbers_as_doubles(row), numbers_as_doubles(want));
        for (column, value) in want.as_object().unwrap() {
            assert_eq!(
                &row[column], value,
                "{table} {} column {column}",
                want["id"]
            );
        }
        assert_eq!(
            row.as_object().unwrap().len(),
            want.as_object().unwrap().len(),
            "{table}: every column compared"
        );
    }
}

/// What a source holds, to prove it was only read: a SQLite file's bytes and its -wal/-shm,
/// or PostgreSQL's rows of every table.
fn fingerprint(db: &TestDb, tables: &[&str]) -> Vec<String> {
    match db.kind {
        Kind::Sqlite => {
            let mut print = vec![format!("{:?}", std::fs::read(db.path()).unwrap())];
            for suffix in ["-wal", "-shm", "-journal"] {
                let side = format!("{}{suffix}", db.url);
                print.push(format!("{suffix}: {}", std::path::Path::new(&side).exists()));
            }
            print
        }
        Kind::Postgres => tables
            .iter()
            .flat_map(|t| {
                db.strings(&format!(
                    "SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS v FROM {t} AS x"
                ))
            })
            .collect(),
    }
}

const AGENTKIT_TABLES: [&str; 3] = ["threads", "messages", "schema_migrations"];
const ADK_INTEGRATION_TABLES: [&str; 3] = ["new_agent", "new_conversations", "new_messages"];

#[test]
fn agentkit_every_direction_every_field() {
    for from in KINDS {
        for to in KINDS {
            let Some(source) = legacy_source(from, "agentkit") else {
                return;
            };
            let Some(target) = TestDb::new(to) else {
                return;
            };
            let before = fingerprint(&source, &AGENTKIT_TABLES);
            let report = ok_report(&import(&source, &target, "agentkit", &[]));
            assert_eq!(
                fingerprint(&source, &AGENTKIT_TABLES),
                before,
                "source only read"
            );
            assert_eq!(report["layout"]["name"], "agentkit");
            assert_eq!(report["layout"]["tenant_created"], true);
            assert_eq!(report["rows"], 7, "{report}");
            assert!(report["migrations_applied"].as_u64().unwrap() > 0);
            assert_rows(&target, "threads", agentkit_threads());
            assert_rows(&target, "messages", agentkit_messages());
            let (_, raw) = agentdb_rows(&target, "messages", TENANT);
            assert!(raw.contains(BIG), "every digit kept: {raw}");
            assert_eq!(
                target.strings("SELECT name || '/' || status AS v FROM tenants"),
                vec!["acme/active"]
            );
            assert_eq!(target.scalar("SELECT count(*) AS v FROM agents"), 0);
            works_after_import(&target, 3, 4);
        }
    }
}

#[test]
fn adk_integration_every_direction_every_field() {
    for from in KINDS {
        for to in KINDS {
            let Some(source) = legacy_source(from, "adk-integration") else {
                return;
            };
            let Some(target) = TestDb::new(to) else {
                return;
            };
            let before = fingerprint(&source, &ADK_INTEGRATION_TABLES);
            let report = ok_report(&import(&source, &target, "adk-integration", &[]));
            assert_eq!(
                fingerprint(&source, &ADK_INTEGRATION_TABLES),
                before,
                "source only read"
            );
            assert_eq!(report["rows"], 10, "{report}");
            // message_count is compared, reported, never stored.
            assert_eq!(report["layout"]["message_count_mismatch_total"], 1);
            assert_eq!(
                report["layout"]["message_count_mismatches"],
                serde_json::json!([{"conversation_id": "c-2", "message_count": 5, "messages": 1}])
            );
            assert_rows(&target, "agents", adk_integration_agents());
            assert_rows(&target, "threads", adk_integration_threads());
            assert_rows(&target, "messages", adk_integration_messages());
            for table in ["agents", "messages"] {
                let (_, raw) = agentdb_rows(&target, table, TENANT);
                assert!(raw.contains(BIG), "{table}: every digit kept: {raw}");
            }
            works_after_import(&target, 3, 4);
        }
    }
}

/// `stats`, `prune` and `copy` on imported data.
fn works_after_import(target: &TestDb, threads: i64, messages: i64) {
    let stats = target
        .cmd()
        .args(["--format", "json", "stats", "--tenant", TENANT])
        .output()
        .unwrap();
    assert_eq!(stats.status.code(), Some(0), "{}", stderr_of(&stats));
    let stats = json_of(&stats);
    assert_eq!(stats["threads"]["total"], threads, "{stats}");
    assert_eq!(stats["messages"], messages, "{stats}");
    // A copy of the imported tenant, verified, to a new SQLite file.
    let copy_dir = tempfile::TempDir::new().unwrap();
    let copy_to = copy_dir.path().join("copy.db");
    let out = agentdb(target.dir.path())
        .args(["--format", "json", "copy", "--from", &target.url, "--to"])
        .arg(&copy_to)
        .args(["--tenant", TENANT])
        .output()
        .unwrap();
    ok_report(&out);
    // Every imported thread is older than a day: prune removes them and their messages.
    let out = target
        .cmd()
        .args(["--format", "json", "prune", "--threads-older-than", "1d"])
        .args(["--tenant", TENANT, "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let left = |table: &str| {
        target.scalar(&format!(
            "SELECT count(*) AS v FROM {table} WHERE tenant_id = '{TENANT}'"
        ))
    };
    assert_eq!((left("threads"), left("messages")), (0, 0));
}

#[test]
fn the_dry_run_maps_every_row_and_writes_nothing() {
    for from in KINDS {
        let Some(source) = legacy_source(from, "adk-integration") else {
            return;
        };
        let target = TestDb::sqlite();
        let out = import(&source, &target, "adk-integration", &["--dry-run"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let dry = json_of(&out);
        assert_eq!(dry["dry_run"], true);
        assert!(!target.path().exists(), "the target is not even created");
        // The digests the dry run announces are the ones the copy verifies.
        let report = ok_report(&import(&source, &target, "adk-integration", &[]));
        let announced: Vec<(Value, Value)> = dry["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["rows"].clone(), t["digest"].clone()))
            .collect();
        let verified: Vec<(Value, Value)> = report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["target_rows"].clone(), t["target_digest"].clone()))
            .collect();
        assert_eq!(announced, verified);
    }
}

#[test]
fn the_same_rows_digest_the_same_from_either_backend() {
    for layout in ["agentkit", "adk-integration"] {
        let digests: Vec<Value> = KINDS
            .iter()
            .filter_map(|kind| {
                let source = legacy_source(*kind, layout)?;
                let out = import(&source, &TestDb::sqlite(), layout, &["--dry-run"]);
                assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
                Some(json_of(&out)["tables"].clone())
            })
            .collect();
        if digests.len() == 2 {
            assert_eq!(digests[0], digests[1], "{layout}");
        }
    }
}

#[test]
fn importing_twice_is_refused_and_changes_nothing() {
    for to in KINDS {
        let source = legacy_source(Kind::Sqlite, "agentkit").unwrap();
        let Some(target) = TestDb::new(to) else {
            return;
        };
        ok_report(&import(&source, &target, "agentkit", &[]));
        let before = fingerprint(&target, &["tenants", "threads", "messages"]);
        let before_rows = agentdb_rows(&target, "messages", TENANT).1;
        let out = import(&source, &target, "agentkit", &[]);
        refused(
            &out,
            1,
            &["not empty for tenant(s) acme", "messages (4 rows)"],
        );
        assert_eq!(agentdb_rows(&target, "messages", TENANT).1, before_rows);
        if to == Kind::Postgres {
            assert_eq!(
                fingerprint(&target, &["tenants", "threads", "messages"]),
                before
            );
        }
    }
}

#[test]
fn an_existing_tenant_without_data_is_used_and_init_tenant_works_after() {
    let source = legacy_source(Kind::Sqlite, "agentkit").unwrap();
    let target = TestDb::sqlite();
    target.cmd().args(["-q", "migrate"]).assert().success();
    target.exec("INSERT INTO tenants (id, name, status) VALUES ('acme', 'Acme Corp', 'suspended')");
    let report = ok_report(&import(&source, &target, "agentkit", &[]));
    assert_eq!(report["layout"]["tenant_created"], false);
    assert_eq!(
        target.strings("SELECT name || '/' || status AS v FROM tenants"),
        vec!["Acme Corp/suspended"]
    );
    // An API key and the default thread afterwards; the imported rows stay.
    target
        .cmd()
        .args([
            "-q",
            "init-tenant",
            "--tenant-id",
            TENANT,
            "--generate-api-key",
        ])
        .assert()
        .success();
    assert_eq!(
        target.scalar("SELECT count(*) AS v FROM tenants WHERE api_key_hash IS NOT NULL"),
        1
    );
    assert_eq!(target.scalar("SELECT count(*) AS v FROM threads"), 4);
    assert_eq!(target.scalar("SELECT count(*) AS v FROM messages"), 4);
}

#[test]
fn a_missing_table_or_column_is_named_with_exit_2_before_anything_is_written() {
    for from in KINDS {
        for (layout, sql, needle) in [
            ("agentkit", "DROP TABLE messages", "no table messages"),
            (
                "agentkit",
                "ALTER TABLE threads DROP COLUMN provider",
                "no column threads.provider",
            ),
            (
                "adk-integration",
                "ALTER TABLE new_messages DROP COLUMN tool_args",
                "no column new_messages.tool_args",
            ),
            (
                "adk-integration",
                "DROP TABLE new_messages",
                "no table new_messages",
            ),
        ] {
            let Some(source) = legacy_source(from, layout) else {
                return;
            };
            source.exec(sql);
            let target = TestDb::sqlite();
            let out = import(&source, &target, layout, &[]);
            refused(&out, 2, &[needle, &format!("--layout {layout}")]);
            assert!(!target.path().exists(), "{layout}: {sql}");
        }
    }
}

#[test]
fn unaccepted_values_are_refused_naming_table_row_and_column() {
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "agentkit",
            "UPDATE messages SET role = 'function' WHERE id = 'm-3'",
            &["table messages, row id=m-3, column role: \"function\" is not accepted"],
        ),
        (
            "adk-integration",
            "UPDATE new_conversations SET status = 'closed' WHERE conversation_id = 'c-2'",
            &["table new_conversations, row conversation_id=c-2, column status"],
        ),
        (
            "adk-integration",
            "UPDATE new_agent SET agent_type = 'LoopAgent' WHERE agent_id = 'a-sub'",
            &["table new_agent, row agent_id=a-sub, column agent_type: \"LoopAgent\""],
        ),
        (
            "adk-integration",
            "UPDATE new_messages SET message_type = 'image' WHERE message_id = 'nm-1'",
            &["table new_messages, row message_id=nm-1, column message_type"],
        ),
        (
            "adk-integration",
            "UPDATE new_agent SET name = 'Searcher' WHERE agent_id = 'a-reg'",
            &[
                "table new_agent",
                "column name: \"Searcher\"",
                "unique per tenant",
            ],
        ),
    ];
    for from in KINDS {
        for (layout, sql, needles) in cases {
            let Some(source) = legacy_source(from, layout) else {
                return;
            };
            source.exec(sql);
            let target = TestDb::sqlite();
            refused(&import(&source, &target, layout, &[]), 1, needles);
            assert!(!target.path().exists(), "{sql}");
        }
    }
}

#[test]
fn json_that_does_not_parse_is_refused_and_nothing_is_written() {
    for from in KINDS {
        let Some(source) = legacy_source(from, "agentkit") else {
            return;
        };
        source.exec("UPDATE messages SET artifact_data = '{\"rows\": [1, 2' WHERE id = 'm-4'");
        for to in KINDS {
            let Some(target) = TestDb::new(to) else {
                return;
            };
            let out = import(&source, &target, "agentkit", &[]);
            refused(
                &out,
                1,
                &["table messages, row id=m-4, column artifact_data: not JSON"],
            );
            match (from, to) {
                (_, Kind::Sqlite) => assert!(!target.path().exists()),
                // SQLite's JSON text is checked before anything is written.
                (Kind::Sqlite, Kind::Postgres) => assert_eq!(target.tables(), Vec::<String>::new()),
                // A PostgreSQL text column is checked as rows are mapped: the target was
                // migrated, the transaction rolled back.
                (Kind::Postgres, Kind::Postgres) => {
                    for table in ["tenants", "threads", "messages"] {
                        let sql = format!("SELECT count(*) AS v FROM {table}");
                        assert_eq!(target.scalar(&sql), 0, "{table}: rolled back");
                    }
                }
            }
        }
    }
    // The ADK integration's metadata on SQLite, where JSON is text.
    let source = legacy_source(Kind::Sqlite, "adk-integration").unwrap();
    source.exec(
        "UPDATE new_conversations SET metadata = 'channel=web' WHERE conversation_id = 'c-3'",
    );
    refused(
        &import(&source, &TestDb::sqlite(), "adk-integration", &[]),
        1,
        &["table new_conversations, row conversation_id=c-3, column metadata: not JSON"],
    );
}

#[test]
fn orphans_are_refused_or_skipped_and_counted() {
    for from in KINDS {
        let Some(source) = legacy_source(from, "agentkit") else {
            return;
        };
        exec_without_foreign_keys(
            &source,
            "INSERT INTO messages (id, thread_id, role, content, created_at) VALUES ('m-orphan', 't-gone', 'user', 'lost', '2026-01-04 10:00:00');",
        );
        let target = TestDb::sqlite();
        refused(
            &import(&source, &target, "agentkit", &[]),
            1,
            &[
                "table messages, row id=m-orphan, column thread_id: names thread \"t-gone\", which does not exist",
                "--skip-orphans",
            ],
        );
        assert!(!target.path().exists());
        let report = ok_report(&import(&source, &target, "agentkit", &["--skip-orphans"]));
        assert_eq!(
            report["layout"]["orphans_skipped"],
            serde_json::json!([{"table": "messages", "rows": 1}])
        );
        assert_rows(&target, "messages", agentkit_messages());

        let Some(source) = legacy_source(from, "adk-integration") else {
            return;
        };
        exec_without_foreign_keys(
            &source,
            "INSERT INTO new_conversations (conversation_id, agent_id, status, created_at) VALUES ('c-lost', 'a-gone', 'active', '2026-01-04 10:00:00');
             INSERT INTO new_messages (message_id, conversation_id, role, created_at) VALUES ('nm-lost', 'c-lost', 'user', '2026-01-04 10:00:00');
             INSERT INTO new_messages (message_id, conversation_id, role, created_at) VALUES ('nm-gone', 'c-gone', 'user', '2026-01-04 10:00:00');",
        );
        let target = TestDb::sqlite();
        refused(
            &import(&source, &target, "adk-integration", &[]),
            1,
            &["table new_conversations, row conversation_id=c-lost, column agent_id: names agent \"a-gone\""],
        );
        let report = ok_report(&import(
            &source,
            &target,
            "adk-integration",
            &["--skip-orphans"],
        ));
        // The orphan conversation, its message, and the message of no conversation.
        assert_eq!(
            report["layout"]["orphans_skipped"],
            serde_json::json!([{"table": "new_conversations", "rows": 1}, {"table": "new_messages", "rows": 2}])
        );
        assert_rows(&target, "threads", adk_integration_threads());
        assert_rows(&target, "messages", adk_integration_messages());
    }
}

#[test]
fn extra_columns_go_to_metadata_under_their_own_names() {
    for from in KINDS {
        let Some(source) = legacy_source(from, "agentkit") else {
            return;
        };
        source.exec(
            "ALTER TABLE messages ADD COLUMN feedback VARCHAR(20);
             UPDATE messages SET feedback = 'thumbs_up' WHERE id = 'm-2';
             ALTER TABLE threads ADD COLUMN user_id VARCHAR(36);
             UPDATE threads SET user_id = 'u-7' WHERE id = 't-2';",
        );
        let target = TestDb::new(from).unwrap();
        let out = agentdb(target.dir.path())
            .args([
                "-v",
                "--format",
                "json",
                "copy",
                "--from",
                &source.url,
                "--to",
                &target.url,
            ])
            .args(["--layout", "agentkit", "--tenant", TENANT])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        let report = json_of(&out);
        assert_eq!(
            report["layout"]["extra_columns"],
            serde_json::json!(["threads.user_id", "messages.feedback"])
        );
        assert!(stderr_of(&out).contains("threads.user_id, messages.feedback"));
        let mut threads = agentkit_threads();
        for thread in &mut threads {
            let user = if thread["id"] == "t-2" {
                "u-7".into()
            } else {
                Value::Null
            };
            thread["metadata"] = serde_json::json!({"user_id": user});
        }
        assert_rows(&target, "threads", threads);
        let mut messages = agentkit_messages();
        for message in &mut messages {
            let feedback = if message["id"] == "m-2" {
                "thumbs_up".into()
            } else {
                Value::Null
            };
            message["metadata"]["feedback"] = feedback;
        }
        assert_rows(&target, "messages", messages);
    }
}

#[test]
fn nul_characters_bound_for_postgresql_are_refused_by_row() {
    let source = legacy_source(Kind::Sqlite, "agentkit").unwrap();
    source.exec("UPDATE messages SET content = 'a' || char(0) || 'b' WHERE id = 'm-1'");
    let Some(target) = TestDb::postgres() else {
        return;
    };
    refused(
        &import(&source, &target, "agentkit", &[]),
        1,
        &["table messages, row id=m-1, column content", "NUL"],
    );
    assert_eq!(target.scalar("SELECT count(*) AS v FROM messages"), 0);
}

#[test]
fn through_pgbouncer() {
    let Some(bouncer) = PgBouncer::start() else {
        return;
    };
    let source = legacy_source(Kind::Sqlite, "adk-integration").unwrap();
    let Some(mut target) = TestDb::postgres() else {
        return;
    };
    let direct = target.url.clone();
    target.url = bouncer.url_for(&target);
    ok_report(&import(&source, &target, "adk-integration", &[]));
    target.url = direct;
    assert_rows(&target, "messages", adk_integration_messages());
}

/// SIGKILL in the middle of the copy's one transaction: the target is as it was (no tenant, no
/// row on PostgreSQL; no file on SQLite), and the import then runs to the end.
#[test]
fn kill_9_mid_copy_leaves_the_target_as_it_was() {
    use common::signals::{send, temporaries, wait_until, Sig};
    const BULK: usize = 50_000;
    let source = legacy_source(Kind::Sqlite, "agentkit").unwrap();
    source.exec(&agentkit_bulk_sqlite(BULK));
    let Some(admin) = TestDb::postgres() else {
        return;
    };
    for to in KINDS {
        let target = TestDb::new(to).unwrap();
        let mut child = std_agentdb(target.dir.path())
            .args(["-q", "copy", "--from", &source.url, "--to", &target.url])
            .args(["--layout", "agentkit", "--tenant", TENANT])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let copying = match to {
            Kind::Postgres => {
                let name = target.pg_name().unwrap().to_string();
                wait_until(&mut child, || {
                    admin.scalar(&format!(
                        "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = '{name}' \
                         AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND query ILIKE 'COPY%'"
                    )) > 0
                })
            }
            // Rows are being written into the staged file (`.NAME.agentdb-tmp-PID` and its WAL).
            Kind::Sqlite => {
                let dir = target.dir.path().to_path_buf();
                wait_until(&mut child, || {
                    let written: u64 = temporaries(&dir)
                        .iter()
                        .filter_map(|n| std::fs::metadata(dir.join(n)).ok())
                        .map(|m| m.len())
                        .sum();
                    written > 2 << 20
                })
            }
        };
        assert!(copying, "{to:?}: the copy was observed running");
        send(&child, Sig::Kill);
        child.wait().unwrap();
        match to {
            Kind::Postgres => {
                for table in ["tenants", "threads", "messages"] {
                    let sql = format!("SELECT count(*) AS v FROM {table}");
                    assert_eq!(target.scalar(&sql), 0, "{table}");
                }
            }
            Kind::Sqlite => assert!(!target.path().exists()),
        }
        let report = ok_report(&import(&source, &target, "agentkit", &[]));
        assert_eq!(report["rows"], serde_json::json!(7 + BULK + BULK / 100));
    }
}

/// The copy engine's one reader (`TableReader` on `TextReader`, which the legacy layouts read
/// through too) takes its column list at run time: a table of 40 columns of every kind, wider
/// than the 16 the engine once read, comes back whole in canonical form on both backends, and
/// `db::table_columns` lists its columns in their order.
mod wide_tables {
    use super::*;
    use agentdb::copy::{self, Column, Filter, TableReader, TableSpec};
    use agentdb::db::{self, AnyConnection};
    use diesel::prelude::*;

    const WIDTH: usize = 40;
    const KINDS: [copy::Kind; 6] = [
        copy::Kind::Text,
        copy::Kind::Int,
        copy::Kind::Bool,
        copy::Kind::Json,
        copy::Kind::Timestamp,
        copy::Kind::Bytes,
    ];

    fn kind(j: usize) -> copy::Kind {
        KINDS[j % KINDS.len()]
    }

    fn spec() -> &'static TableSpec {
        let columns: Vec<Column> = (0..WIDTH)
            .map(|j| Column {
                name: Box::leak(format!("c{j}").into_boxed_str()),
                kind: kind(j),
            })
            .collect();
        Box::leak(Box::new(TableSpec {
            group: "test",
            name: "wide",
            key: &["c0"],
            tenant_column: None,
            columns: Box::leak(columns.into_boxed_slice()),
            copy_in: copy::never_loaded,
        }))
    }

    /// The SQL literal and the canonical text of row `i`, column `j`.
    fn value(pg: bool, i: usize, j: usize) -> (String, String) {
        match kind(j) {
            copy::Kind::Text => (format!("'é{i}-{j}'"), format!("é{i}-{j}")),
            copy::Kind::Int => {
                let n = 9_007_199_254_740_993_i64 + (i * 100 + j) as i64;
                (n.to_string(), n.to_string())
            }
            copy::Kind::Bool => {
                let b = (i + j) % 2 == 0;
                let literal = match (pg, b) {
                    (true, b) => b.to_string(),
                    (false, b) => (b as i32).to_string(),
                };
                (literal, b.to_string())
            }
            copy::Kind::Json => (format!("'{{\"k\": {j}}}'"), format!("{{\"k\": {j}}}")),
            copy::Kind::Timestamp => {
                let literal = if pg {
                    format!("'2026-01-0{} 10:00:00.{j:06}+00'", i + 1)
                } else {
                    format!("'2026-01-0{}T10:00:00.{j:06}Z'", i + 1)
                };
                (literal, format!("2026-01-0{}T10:00:00.{j:06}Z", i + 1))
            }
            copy::Kind::Bytes => {
                let hex = format!("00ff{j:02x}");
                let literal = if pg {
                    format!("'\\x{hex}'::bytea")
                } else {
                    format!("x'{hex}'")
                };
                (literal, hex)
            }
            other => unreachable!("{other:?}"),
        }
    }

    both_backends!(read_whole_on_both_backends, |db| {
        let pg = db.kind == Kind::Postgres;
        let types: Vec<String> = (0..WIDTH)
            .map(|j| {
                let t = match (kind(j), pg) {
                    (copy::Kind::Text, _) => "TEXT",
                    (copy::Kind::Int, true) => "BIGINT",
                    (copy::Kind::Int, false) => "INTEGER",
                    (copy::Kind::Bool, true) => "BOOLEAN",
                    (copy::Kind::Bool, false) => "INTEGER",
                    (copy::Kind::Json, true) => "JSONB",
                    (copy::Kind::Json, false) => "TEXT",
                    (copy::Kind::Timestamp, true) => "TIMESTAMPTZ",
                    (copy::Kind::Timestamp, false) => "TEXT",
                    (copy::Kind::Bytes, true) => "BYTEA",
                    (copy::Kind::Bytes, false) => "BLOB",
                    (other, _) => unreachable!("{other:?}"),
                };
                format!("c{j} {t}")
            })
            .collect();
        db.exec(&format!("CREATE TABLE wide ({})", types.join(", ")));
        let mut expected = Vec::new();
        for i in 0..2 {
            let (literals, canonical): (Vec<String>, Vec<String>) =
                (0..WIDTH).map(|j| value(pg, i, j)).unzip();
            db.exec(&format!(
                "INSERT INTO wide VALUES ({})",
                literals.join(", ")
            ));
            expected.push(canonical.into_iter().map(Some).collect::<Vec<_>>());
        }
        // A row of NULLs but its key: every column of a wide row, NULL or not, in its place.
        db.exec("INSERT INTO wide (c0) VALUES ('é9')");
        let mut nulls = vec![None; WIDTH];
        nulls[0] = Some("é9".to_string());
        expected.push(nulls);

        let mut conn = if pg {
            AnyConnection::Postgresql(diesel::PgConnection::establish(&db.url).unwrap())
        } else {
            AnyConnection::Sqlite(diesel::SqliteConnection::establish(&db.url).unwrap())
        };
        let spec = spec();
        let backend = conn.backend();
        let mut rows = Vec::new();
        copy::in_source_snapshot(&mut conn, |conn| {
            TableReader::ordered(spec, backend, &Filter::default()).pages(conn, &mut |page| {
                rows.extend(page);
                Ok(())
            })
        })
        .unwrap();
        assert_eq!(rows, expected);

        let columns = db::table_columns(&mut conn, "wide").unwrap();
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        let wanted: Vec<String> = (0..WIDTH).map(|j| format!("c{j}")).collect();
        assert_eq!(names, wanted);
        let first_type = columns[0].data_type.as_str();
        assert_eq!(first_type, if pg { "text" } else { "" });
        assert!(db::table_columns(&mut conn, "no_such_table")
            .unwrap()
            .is_empty());
    });
}
