//! The bounds of every `agentdb prune` argument (issue 17, point 2, and the "sizes and
//! bounds" class): each numeric argument at 0, 1, its maximum, past its maximum and negative,
//! and ages reaching before 1970 or overflowing. Each is either a clear result (exit 0) or a
//! usage error (exit 2) naming the flag — never a panic — and a refused run deletes nothing,
//! even when earlier policies would have deleted rows. Both backends.

mod common;

use common::python::run_script_ok;
use common::*;

/// Rows every policy could delete: an old agentdb thread with a run, ADK session s0 with 3
/// events (real `DatabaseSessionService`), LangGraph's real tables with one checkpoint.
fn seed(db: &TestDb) -> Option<()> {
    db.cmd().arg("migrate").assert().success();
    let old = match db.kind {
        Kind::Sqlite => "'2020-01-01T00:00:00.000Z'",
        Kind::Postgres => "'2020-01-01T00:00:00Z'",
    };
    db.exec(&format!(
        "INSERT INTO tenants (id, name) VALUES ('t', 'T');
         INSERT INTO threads (tenant_id, id, updated_at) VALUES ('t', 'old', {old});
         INSERT INTO runs (tenant_id, id, thread_id, status, created_at, finished_at) VALUES ('t', 'r', 'old', 'failed', {old}, {old});"
    ));
    run_script_ok("adk_sessions.py", &["populate", &db.url, "1", "3"], &[])?;
    let kind = if db.kind == Kind::Postgres {
        "postgres"
    } else {
        "sqlite"
    };
    run_script_ok("langgraph_checkpoint.py", &[kind, &db.url], &[])?;
    Some(())
}

fn rows(db: &TestDb) -> String {
    db.strings(
        "SELECT (SELECT count(*) FROM threads) || '/' || (SELECT count(*) FROM runs) || '/' || \
         (SELECT count(*) FROM sessions) || '/' || (SELECT count(*) FROM events) || '/' || \
         (SELECT count(*) FROM checkpoints) AS v",
    )
    .remove(0)
}

both_backends!(every_argument_at_its_bounds, |db| {
    if seed(&db).is_none() {
        return;
    }
    let days_since_1970 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    let longest = format!("{}d", days_since_1970 - 1);
    let past_1970 = format!("{}d", days_since_1970 + 1);
    // (flag, value, expected exit)
    let mut cases: Vec<(&str, String, i32)> = Vec::new();
    for flag in ["--batch-size"] {
        for (v, code) in [("0", 2), ("1", 0), ("100000", 0), ("100001", 2), ("-1", 2)] {
            cases.push((flag, v.into(), code));
        }
    }
    for flag in ["--checkpoints-keep", "--adk-events-keep"] {
        for (v, code) in [
            ("0", 2),
            ("1", 0),
            ("4294967295", 0),
            ("4294967296", 2),
            ("-1", 2),
        ] {
            cases.push((flag, v.into(), code));
        }
    }
    for flag in [
        "--threads-older-than",
        "--runs-older-than",
        "--checkpoint-threads-older-than",
        "--adk-sessions-older-than",
    ] {
        for (v, code) in [
            ("0s".to_string(), 0),
            ("1s".to_string(), 0),
            (longest.clone(), 0),
            (past_1970.clone(), 2),
            ("100y".to_string(), 2),
            ("99999y".to_string(), 2),
            ("18446744073709551615s".to_string(), 2),
            ("99999999999999999999999s".to_string(), 2),
            ("-1h".to_string(), 2),
            ("".to_string(), 2),
        ] {
            cases.push((flag, v, code));
        }
    }
    let before = rows(&db);
    for (flag, value, code) in cases {
        // Real runs (--yes) where a usage error is expected, beside a threads policy that
        // would delete the old thread: a refused run deletes nothing. Dry runs otherwise.
        let mode = if code == 2 { "--yes" } else { "--dry-run" };
        let arg = format!("{flag}={value}");
        let other = if flag == "--threads-older-than" {
            "--runs-older-than"
        } else {
            "--threads-older-than"
        };
        let out = db
            .cmd()
            .args(["prune", mode, other, "30d", &arg])
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(code), "{arg}: {err}");
        assert_eq!(rows(&db), before, "{arg}: nothing deleted");
        if code == 2 {
            assert!(err.contains(flag), "{arg}: the error names the flag: {err}");
            assert!(!err.contains("panicked"), "{arg}: {err}");
        }
        if value.ends_with('y') && code == 2 {
            assert!(
                err.contains("1970-01-01"),
                "{arg}: the error names the limit: {err}"
            );
        }
    }
    // The longest age is a real run: it deletes nothing (no row is that old), exit 0.
    let out = db
        .cmd()
        .args(["prune", "--yes", "--runs-older-than", &longest])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(rows(&db), before);
});
