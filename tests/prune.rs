//! `agentdb prune` end to end on both backends. agentdb's own rows are made with plain SQL;
//! LangGraph's and ADK's with the real tools (tests/python/*.py through the pinned venv), and
//! read back with them after the prune.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::python::run_script_ok;
use common::*;

fn prune(db: &TestDb, args: &[&str]) -> serde_json::Value {
    prune_at(db, &db.url, args)
}

/// `agentdb --format json prune ARGS` against `url` (e.g. through PgBouncer); must exit 0.
fn prune_at(db: &TestDb, url: &str, args: &[&str]) -> serde_json::Value {
    let out = agentdb(db.dir.path())
        .args(["-d", url, "--format", "json", "prune"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "prune {args:?}: {}\n{}",
        stderr_of(&out),
        stdout_of(&out)
    );
    json_of(&out)
}

fn total(report: &serde_json::Value, table: &str) -> i64 {
    report["totals"][table].as_i64().unwrap_or(0)
}

fn lg(args: &[&str]) -> Option<String> {
    run_script_ok("langgraph_scenario.py", args, &[])
}

fn adk(args: &[&str]) -> Option<String> {
    run_script_ok("adk_sessions.py", args, &[])
}

fn writes_table(db: &TestDb) -> &'static str {
    match db.kind {
        Kind::Postgres => "checkpoint_writes",
        Kind::Sqlite => "writes",
    }
}

/// Everything about the checkpoints that must not change, for a "left untouched" check.
fn checkpoint_rows(db: &TestDb, thread: &str) -> Vec<String> {
    db.strings(&format!(
        "SELECT checkpoint_ns || '/' || checkpoint_id || '/' || coalesce(parent_checkpoint_id, '-') AS v \
         FROM checkpoints WHERE thread_id = '{thread}' ORDER BY 1"
    ))
}

// ---------------------------------------------------------------- agentdb's own data

/// Tenants alpha and beta; threads old/new, active/deleted, with messages and runs.
fn seed_agentdb(db: &TestDb) {
    db.cmd().arg("migrate").assert().success();
    let old = ago(db, 40);
    let recent = ago(db, 1);
    db.exec(&format!(
        "INSERT INTO tenants (id, name) VALUES ('alpha', 'Alpha'), ('beta', 'Beta');
         INSERT INTO threads (tenant_id, id, status, updated_at, last_message_at) VALUES
           ('alpha', 'old', 'active', {old}, {old}),
           ('alpha', 'old-but-talked', 'active', {old}, {recent}),
           ('alpha', 'gone', 'deleted', {recent}, NULL),
           ('alpha', 'new', 'active', {recent}, {recent}),
           ('beta', 'old', 'active', {old}, NULL);
         INSERT INTO messages (tenant_id, id, thread_id, role, content) VALUES
           ('alpha', 'm1', 'old', 'user', 'a'), ('alpha', 'm2', 'old', 'assistant', 'b'),
           ('alpha', 'm3', 'gone', 'user', 'c'), ('alpha', 'm4', 'new', 'user', 'd'),
           ('beta', 'm1', 'old', 'user', 'e');
         INSERT INTO runs (tenant_id, id, thread_id, status, created_at, finished_at) VALUES
           ('alpha', 'r1', 'old', 'succeeded', {old}, {old}),
           ('alpha', 'r2', 'new', 'succeeded', {old}, {old}),
           ('alpha', 'r3', 'new', 'running', {old}, NULL),
           ('alpha', 'r4', 'new', 'failed', {recent}, {recent}),
           ('alpha', 'r5', 'gone', 'cancelled', {recent}, {recent}),
           ('beta', 'r1', 'old', 'failed', {old}, NULL);"
    ));
}

fn ids(db: &TestDb, table: &str) -> Vec<String> {
    db.strings(&format!(
        "SELECT tenant_id || '/' || id AS v FROM {table} ORDER BY 1"
    ))
}

both_backends!(threads_and_runs_by_age_status_and_tenant, |db| {
    seed_agentdb(&db);
    let before = (ids(&db, "threads"), ids(&db, "messages"), ids(&db, "runs"));

    // Dry run: exact counts per policy and table, nothing changed.
    let dry = prune(
        &db,
        &[
            "--dry-run",
            "--threads-older-than",
            "30d",
            "--runs-older-than",
            "30d",
        ],
    );
    assert_eq!(dry["dry_run"], true);
    // alpha/old and beta/old are idle; alpha/old-but-talked had a recent message.
    assert_eq!(dry["deleted"]["threads"]["threads"], 2, "{dry}");
    assert_eq!(dry["deleted"]["threads"]["messages"], 3, "{dry}");
    assert_eq!(dry["deleted"]["threads"]["runs"], 2, "{dry}");
    // Finished and old, on threads that stay: alpha/r2 only (r3 is running, r4 recent).
    assert_eq!(dry["deleted"]["runs"]["runs"], 1, "{dry}");
    assert_eq!(
        (ids(&db, "threads"), ids(&db, "messages"), ids(&db, "runs")),
        before
    );

    // Scoped to one tenant, by status.
    let r = prune(
        &db,
        &["--yes", "--tenant", "alpha", "--threads-status", "deleted"],
    );
    assert_eq!(total(&r, "threads"), 1);
    assert_eq!(
        ids(&db, "threads"),
        ["alpha/new", "alpha/old", "alpha/old-but-talked", "beta/old"]
    );
    assert!(!ids(&db, "messages").contains(&"alpha/m3".to_string()));
    assert!(!ids(&db, "runs").contains(&"alpha/r5".to_string()));

    let r = prune(
        &db,
        &[
            "--yes",
            "--threads-older-than",
            "30d",
            "--runs-older-than",
            "30d",
        ],
    );
    assert_eq!(total(&r, "threads"), 2);
    assert_eq!(ids(&db, "threads"), ["alpha/new", "alpha/old-but-talked"]);
    assert_eq!(ids(&db, "messages"), ["alpha/m4"]);
    assert_eq!(ids(&db, "runs"), ["alpha/r3", "alpha/r4"]);
    // Nothing left to do: a second run deletes nothing.
    let again = prune(&db, &["--yes", "--threads-older-than", "30d"]);
    assert_eq!(again["total_deleted"], 0);
});

// `-v` adds the transaction times to the text report (per phase, then the slowest
// transaction's steps, ending in COMMIT; a dry run's in ROLLBACK); without it, one line.
both_backends!(verbose_text_shows_transaction_times, |db| {
    seed_agentdb(&db);
    let text = |args: &[&str]| {
        let out = db.cmd().args(args).output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stdout_of(&out)
    };
    let policy = ["--threads-older-than", "30d", "--runs-older-than", "30d"];
    let plain = text(&[&["prune", "--dry-run"][..], &policy].concat());
    assert!(
        plain.contains("transaction(s) (0 retried), longest"),
        "{plain}"
    );
    assert!(!plain.contains("Slowest transaction"), "{plain}");
    let dry = text(&[&["-v", "prune", "--dry-run"][..], &policy].concat());
    for part in [
        "Transactions: p50",
        "│ threads",
        "│ runs",
        "Slowest transaction:",
        "│ rollback",
    ] {
        assert!(dry.contains(part), "{part}: {dry}");
    }
    // Only the threads policy: whichever transaction is the slowest, it is one of its.
    let real = text(&[
        "-v",
        "prune",
        "--yes",
        "--batch-size",
        "1",
        "--threads-older-than",
        "30d",
    ]);
    for part in ["│ re-check threads", "│ delete messages", "│ commit"] {
        assert!(real.contains(part), "{part}: {real}");
    }
    assert!(!real.contains("rollback"), "{real}");
});

#[test]
fn production_needs_yes_when_stdin_is_not_a_terminal() {
    let db = TestDb::sqlite();
    seed_agentdb(&db);
    let out = db
        .cmd()
        .env("ENV", "production")
        .args(["prune", "--threads-status", "deleted"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("--yes"), "{}", stderr_of(&out));
    assert!(ids(&db, "threads").contains(&"alpha/gone".to_string()));
    // Nothing to delete: nothing to confirm.
    db.cmd()
        .env("APP_ENV", "production")
        .args(["prune", "--threads-older-than", "3650d"])
        .assert()
        .success();
    db.cmd()
        .env("ENV", "production")
        .args(["prune", "--yes", "--threads-status", "deleted"])
        .assert()
        .success();
    assert!(!ids(&db, "threads").contains(&"alpha/gone".to_string()));
    // Outside production a script (no terminal) prunes without --yes.
    db.cmd()
        .args(["prune", "--threads-status", "archived"])
        .assert()
        .success();
}

/// On a terminal (a pseudo-terminal from util-linux `script`) an unconfirmed prune shows the
/// counts and asks: "n" deletes nothing (exit 1), "y" prunes.
#[test]
fn asks_on_a_terminal() {
    if !terminal_available() {
        return;
    }
    let db = TestDb::sqlite();
    seed_agentdb(&db);
    let on_terminal = |answer: &str| {
        let line = format!(
            "{} -d {} prune --threads-status deleted",
            agentdb_word(),
            shell_quote(&db.url)
        );
        common::on_terminal(db.dir.path(), &line, answer, &[])
    };
    let no = on_terminal("n\n");
    assert_eq!(no.status.code(), Some(1), "{}", stdout_of(&no));
    assert!(
        stdout_of(&no).contains("Continue? [y/N]"),
        "{}",
        stdout_of(&no)
    );
    assert!(ids(&db, "threads").contains(&"alpha/gone".to_string()));
    let yes = on_terminal("y\n");
    assert!(yes.status.success(), "{}", stdout_of(&yes));
    assert!(!ids(&db, "threads").contains(&"alpha/gone".to_string()));
}

#[test]
fn usage_errors_exit_2() {
    let db = TestDb::sqlite();
    seed_agentdb(&db);
    for args in [
        vec!["prune"],
        vec!["prune", "--threads-older-than", "soon"],
        vec!["prune", "--checkpoints-keep", "0"],
        vec!["prune", "--tenant", "alpha", "--checkpoints-keep", "3"],
        vec![
            "prune",
            "--tenant",
            "Not Valid",
            "--threads-status",
            "deleted",
        ],
    ] {
        let out = db.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
    }
}

// ---------------------------------------------------------------- LangGraph

/// Writes "old" data, waits, writes "new" data; returns an AGE that the old data is past and
/// the new data (however long writing it took) is not.
fn old_then_new(
    old: impl FnOnce() -> Option<String>,
    new: impl FnOnce() -> Option<String>,
) -> Option<String> {
    old()?;
    std::thread::sleep(Duration::from_millis(1500));
    let started = Instant::now();
    new()?;
    Some(format!(
        "{}ms",
        (started.elapsed() + Duration::from_millis(700)).as_millis()
    ))
}

/// A twin database with the same scenario, never pruned, to compare resumes against.
fn scenario_pair(kind: Kind) -> Option<(TestDb, TestDb)> {
    let db = TestDb::new(kind)?;
    let twin = TestDb::new(kind)?;
    for d in [&db, &twin] {
        d.cmd().arg("migrate").assert().success();
        lg(&["populate", &d.url])?;
        lg(&["delta", &d.url])?;
    }
    Some((db, twin))
}

fn keep_one_resumes_like_an_unpruned_twin(kind: Kind) {
    let Some((db, twin)) = scenario_pair(kind) else {
        return;
    };
    let writes = writes_table(&db);
    let delta_before = checkpoint_rows(&db, "d1");
    let delta_writes = db.scalar(&format!(
        "SELECT count(*) AS v FROM {writes} WHERE thread_id = 'd1'"
    ));
    let checkpoints_before = db.scalar("SELECT count(*) AS v FROM checkpoints");

    // PostgreSQL: through PgBouncer in transaction pooling.
    let bouncer = match kind {
        Kind::Postgres => PgBouncer::start(),
        Kind::Sqlite => None,
    };
    let url = bouncer
        .as_ref()
        .map(|b| b.url_for(&db))
        .unwrap_or(db.url.clone());
    let dry = prune_at(&db, &url, &["--checkpoints-keep", "1", "--dry-run"]);
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM checkpoints"),
        checkpoints_before
    );
    let r = prune_at(&db, &url, &["--checkpoints-keep", "1", "--yes"]);
    assert_eq!(
        dry["totals"], r["totals"],
        "a dry run counts what a run deletes"
    );
    assert_eq!(
        total(&r, "checkpoints"),
        checkpoints_before - db.scalar("SELECT count(*) AS v FROM checkpoints")
    );
    assert!(total(&r, writes) > 0, "{r}");
    if kind == Kind::Postgres {
        assert!(total(&r, "checkpoint_blobs") > 0, "{r}");
    }

    // The DeltaChannel thread is refused, and untouched.
    let refused: Vec<&str> = r["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["thread_id"].as_str().unwrap())
        .collect();
    assert_eq!(refused, ["d1"], "{r}");
    assert_eq!(checkpoint_rows(&db, "d1"), delta_before);
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) AS v FROM {writes} WHERE thread_id = 'd1'"
        )),
        delta_writes
    );

    // Each namespace keeps its newest checkpoint; the per-call subgraph namespaces went with
    // the root checkpoints they started from; no kept checkpoint points at a deleted parent.
    for thread in ["t-done", "t-pending", "t-fresh"] {
        assert_eq!(
            db.strings(&format!(
                "SELECT checkpoint_ns AS v FROM checkpoints WHERE thread_id = '{thread}'"
            )),
            [""],
            "{thread}"
        );
    }
    assert_eq!(
        db.scalar(
            "SELECT count(*) AS v FROM checkpoints c WHERE parent_checkpoint_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM checkpoints p WHERE p.thread_id = c.thread_id \
             AND p.checkpoint_ns = c.checkpoint_ns AND p.checkpoint_id = c.parent_checkpoint_id)"
        ),
        0
    );
    // Writes only of surviving checkpoints remain (none of the deleted ones).
    assert_eq!(
        db.scalar(&format!(
            "SELECT count(*) AS v FROM {writes} w WHERE NOT EXISTS (SELECT 1 FROM checkpoints c \
             WHERE c.thread_id = w.thread_id AND c.checkpoint_ns = w.checkpoint_ns \
             AND c.checkpoint_id = w.checkpoint_id)"
        )),
        0
    );

    // Every kept thread resumes like its twin: pending interrupts included, and the code
    // after each interrupt runs as often.
    let pruned = lg(&["resume", &db.url]).unwrap();
    let unpruned = lg(&["resume", &twin.url]).unwrap();
    assert_eq!(pruned, unpruned);
    let resumed: serde_json::Value = serde_json::from_str(&pruned).unwrap();
    assert_eq!(
        resumed["t-pending"]["before"]["interrupts"][0]["question"],
        "second?"
    );
    assert_eq!(
        resumed["t-fresh"]["before"]["interrupts"][0]["question"],
        "first?"
    );
    // The refused thread still holds its whole state.
    assert_eq!(
        lg(&["delta-state", &db.url]).unwrap().trim(),
        r#"{"items": [0, 1, 2, 3, 4]}"#
    );
}

#[test]
fn keep_one_resumes_like_an_unpruned_twin_sqlite() {
    keep_one_resumes_like_an_unpruned_twin(Kind::Sqlite);
}

#[test]
fn keep_one_resumes_like_an_unpruned_twin_postgres_through_pgbouncer() {
    keep_one_resumes_like_an_unpruned_twin(Kind::Postgres);
}

// A DeltaChannel thread whose remaining checkpoints are all snapshots carries no counters in
// its metadata; it is still refused: by the msgpack ext type 7 in the SQLite checkpoint, by
// the inline `true` with a blob behind it on PostgreSQL.
both_backends!(delta_snapshots_alone_are_still_refused, |db| {
    if lg(&["delta", &db.url]).is_none() {
        return;
    }
    let counters = match db.kind {
        Kind::Postgres => "metadata ? 'counters_since_delta_snapshot'",
        Kind::Sqlite => {
            "json_type(CAST(metadata AS TEXT), '$.counters_since_delta_snapshot') IS NOT NULL"
        }
    };
    db.exec(&format!("DELETE FROM checkpoints WHERE {counters}"));
    let left = checkpoint_rows(&db, "d1");
    assert!(left.len() >= 2, "{left:?}");
    let r = prune(&db, &["--yes", "--checkpoints-keep", "1"]);
    assert_eq!(r["refused"][0]["thread_id"], "d1", "{r}");
    assert_eq!(r["total_deleted"], 0, "{r}");
    assert_eq!(checkpoint_rows(&db, "d1"), left);
});

/// agentdb's keep-1 leaves exactly what the reference, `PostgresSaver.prune(keep_latest)`
/// (checkpoint-postgres 3.2.0), leaves: the same checkpoints per namespace, writes and blobs.
#[test]
fn keep_one_leaves_what_postgres_saver_prune_leaves() {
    let (Some(ours), Some(reference)) = (TestDb::postgres(), TestDb::postgres()) else {
        return;
    };
    for d in [&ours, &reference] {
        lg(&["populate", &d.url]).unwrap();
    }
    prune(&ours, &["--checkpoints-keep", "1", "--yes"]);
    run_script_ok(
        "postgres_reference_prune.py",
        &[&reference.url, "t-done", "t-pending", "t-fresh"],
        &[],
    )
    .unwrap();
    let shape = |d: &TestDb| {
        (
            d.strings("SELECT thread_id || '/' || checkpoint_ns AS v FROM checkpoints ORDER BY 1"),
            d.strings(
                "SELECT thread_id || '/' || checkpoint_ns || '/' || idx || '/' || channel AS v \
                 FROM checkpoint_writes ORDER BY 1",
            ),
            d.strings(
                "SELECT thread_id || '/' || checkpoint_ns || '/' || channel AS v \
                 FROM checkpoint_blobs ORDER BY 1",
            ),
        )
    };
    let (ours_shape, reference_shape) = (shape(&ours), shape(&reference));
    assert!(!ours_shape.1.is_empty() && !ours_shape.2.is_empty());
    assert_eq!(ours_shape, reference_shape);
}

both_backends!(idle_checkpoint_threads_go_whole, |db| {
    let Some(age) = old_then_new(
        || lg(&["populate", &db.url, "old-"]),
        || lg(&["populate", &db.url, "new-"]),
    ) else {
        return;
    };
    let writes = writes_table(&db);
    let new_rows: Vec<Vec<String>> = ["new-t-done", "new-t-pending", "new-t-fresh"]
        .iter()
        .map(|t| checkpoint_rows(&db, t))
        .collect();
    let r = prune(&db, &["--yes", "--checkpoint-threads-older-than", &age]);
    assert!(total(&r, "checkpoints") > 0, "{r}");
    for table in ["checkpoints", writes] {
        assert_eq!(
            db.scalar(&format!(
                "SELECT count(*) AS v FROM {table} WHERE thread_id LIKE 'old-%'"
            )),
            0,
            "{table}"
        );
    }
    if db.kind == Kind::Postgres {
        assert_eq!(
            db.scalar("SELECT count(*) AS v FROM checkpoint_blobs WHERE thread_id LIKE 'old-%'"),
            0
        );
    }
    let after: Vec<Vec<String>> = ["new-t-done", "new-t-pending", "new-t-fresh"]
        .iter()
        .map(|t| checkpoint_rows(&db, t))
        .collect();
    assert_eq!(after, new_rows);
});

/// SqliteSaver before 3.1.2 had no `writes.task_path`; such files prune the same.
#[test]
fn sqlite_writes_without_task_path() {
    let db = TestDb::sqlite();
    let twin = TestDb::sqlite();
    for d in [&db, &twin] {
        if lg(&["populate", &d.url]).is_none() {
            return;
        }
    }
    db.exec("ALTER TABLE writes DROP COLUMN task_path");
    let without = prune(&db, &["--yes", "--checkpoints-keep", "1"]);
    let with = prune(&twin, &["--yes", "--checkpoints-keep", "1"]);
    assert!(total(&without, "writes") > 0);
    assert_eq!(without["totals"], with["totals"]);
}

#[test]
fn sqlite_vacuum_returns_the_space() {
    let db = TestDb::sqlite();
    for i in 0..4 {
        if lg(&["populate", &db.url, &format!("p{i}-")]).is_none() {
            return;
        }
    }
    let r = prune(&db, &["--yes", "--checkpoints-keep", "1", "--vacuum"]);
    let v = &r["vacuum"];
    assert!(v["freed_bytes"].as_i64().unwrap() > 0, "{r}");
    assert_eq!(
        v["size_before_bytes"].as_i64().unwrap() - v["size_after_bytes"].as_i64().unwrap(),
        v["freed_bytes"].as_i64().unwrap()
    );
    assert_eq!(
        std::fs::metadata(db.path()).unwrap().len() as i64,
        v["size_after_bytes"].as_i64().unwrap()
    );
}

// ---------------------------------------------------------------- ADK

fn newest_event_ids(db: &TestDb, keep: usize) -> BTreeSet<String> {
    let mut kept = BTreeSet::new();
    for s in db.strings("SELECT id AS v FROM sessions") {
        let ids = db.strings(&format!(
            "SELECT id AS v FROM events WHERE session_id = '{s}' ORDER BY \"timestamp\" DESC, id DESC"
        ));
        kept.extend(ids.into_iter().take(keep));
    }
    kept
}

fn state_rows(db: &TestDb) -> Vec<String> {
    let mut rows = db.strings("SELECT app_name || '/' || CAST(state AS TEXT) AS v FROM app_states");
    rows.extend(db.strings(
        "SELECT app_name || '/' || user_id || '/' || CAST(state AS TEXT) AS v FROM user_states",
    ));
    rows
}

both_backends!(adk_events_keep_and_idle_sessions, |db| {
    let Some(age) = old_then_new(
        || adk(&["populate", &db.url, "3", "12", "old-"]),
        || adk(&["populate", &db.url, "2", "9", "new-"]),
    ) else {
        return;
    };
    let states = state_rows(&db);

    let r = prune(&db, &["--yes", "--adk-sessions-older-than", &age]);
    assert_eq!(r["deleted"]["adk-sessions"]["sessions"], 3, "{r}");
    assert_eq!(r["deleted"]["adk-sessions"]["events"], 36, "{r}");
    assert_eq!(
        db.strings("SELECT id AS v FROM sessions ORDER BY id"),
        ["new-s0", "new-s1"]
    );
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM events WHERE session_id LIKE 'old-%'"),
        0
    );

    let expected = newest_event_ids(&db, 4);
    let r = prune(&db, &["--yes", "--adk-events-keep", "4"]);
    assert_eq!(r["deleted"]["adk-events-keep"]["events"], 10, "{r}");
    let left: BTreeSet<String> = db
        .strings("SELECT id AS v FROM events")
        .into_iter()
        .collect();
    assert_eq!(left, expected);
    // Never touched: app and user state.
    assert_eq!(state_rows(&db), states);

    // Trimmed sessions load with their state and accept a new event.
    let checked: serde_json::Value =
        serde_json::from_str(&adk(&["check", &db.url]).unwrap()).unwrap();
    for s in ["new-s0", "new-s1"] {
        assert_eq!(checked[s]["before"]["events"], 4, "{checked}");
        assert_eq!(checked[s]["after"]["events"], 5, "{checked}");
        assert_eq!(checked[s]["before"]["state"]["count"], 8, "{checked}");
        assert_eq!(checked[s]["last_invocation"], format!("inv-{s}-1000"));
    }
});

// ---------------------------------------------------------------- beside a running platform

/// Four writer processes (two LangGraph graphs, two ADK sessions) keep writing while two
/// prunes at a time run over and over: no writer sees an error, and no kept thread loses its
/// head (each writer checks its own thread's final state through the real tool).
fn prune_beside_writers(kind: Kind) {
    let Some(db) = TestDb::new(kind) else { return };
    if lg(&["populate", &db.url]).is_none() || adk(&["populate", &db.url, "2", "5"]).is_none() {
        return;
    }
    let python = common::python::python().unwrap();
    let seconds = "8";
    let writers: Vec<_> = (0..4)
        .map(|i| {
            let (script, ident) = if i < 2 {
                ("langgraph_scenario.py", i.to_string())
            } else {
                ("adk_sessions.py", i.to_string())
            };
            std::process::Command::new(&python)
                .arg(common::python::scripts_dir().join(script))
                .args(["writer", &db.url, seconds, &ident])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(7);
    let mut rounds = 0;
    let mut longest = 0.0f64;
    while Instant::now() < deadline {
        let outs = run_concurrently(2, |_| {
            let mut c = db.std_cmd();
            c.args([
                "--format",
                "json",
                "prune",
                "--yes",
                "--checkpoints-keep",
                "1",
                "--adk-events-keep",
                "2",
                "--batch-size",
                "2",
            ]);
            c
        });
        for out in &outs {
            assert!(out.status.success(), "prune: {}", stderr_of(out));
            longest = longest.max(json_of(out)["longest_transaction_ms"].as_f64().unwrap());
        }
        rounds += 1;
    }
    for w in writers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer failed: {}\n{}",
            stdout_of(&out),
            stderr_of(&out)
        );
        let done: serde_json::Value = serde_json::from_str(&stdout_of(&out)).unwrap();
        let made = done["turns"].as_i64().or(done["events"].as_i64()).unwrap();
        assert!(made > 2, "the writer made progress: {done}");
    }
    assert!(
        rounds >= 2,
        "prune ran while the writers did ({rounds} rounds)"
    );
    assert!(longest < 1000.0, "longest transaction {longest} ms");
    // After one more prune, every LangGraph thread still has its head and no dangling parent.
    prune(&db, &["--yes", "--checkpoints-keep", "1"]);
    for thread in ["w-0", "w-1", "t-done", "t-pending", "t-fresh"] {
        assert_eq!(
            db.scalar(&format!(
                "SELECT count(*) AS v FROM checkpoints WHERE thread_id = '{thread}' AND checkpoint_ns = ''"
            )),
            1,
            "{thread}"
        );
    }
    let resumed: serde_json::Value =
        serde_json::from_str(&lg(&["resume", &db.url]).unwrap()).unwrap();
    assert_eq!(
        resumed["t-pending"]["before"]["interrupts"][0]["question"],
        "second?"
    );
}

#[test]
fn prune_beside_four_writers_sqlite() {
    prune_beside_writers(Kind::Sqlite);
}

#[test]
fn prune_beside_four_writers_postgres() {
    prune_beside_writers(Kind::Postgres);
}
