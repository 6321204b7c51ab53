//! `agentdb erase` against a platform written by the real libraries (LangGraph savers and
//! Store, Google ADK sessions and memory; `tests/common/erasure.rs`), on SQLite, PostgreSQL and
//! PostgreSQL through PgBouncer. Each case proves, by plain SQL over every table: the subject's
//! rows are gone, every other row is byte-identical, the counts are exact and the dry run
//! counted the same; and, through the libraries, every other subject still reads the same.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;

use common::erasure::{deleted_by_table, Platform, REWRITTEN, U1_MARK};
use common::{agentdb, json_of, stderr_of, Kind, PgBouncer, TestDb};
use serde_json::Value;

fn spec(pairs: Vec<(&'static str, String)>) -> BTreeMap<&'static str, String> {
    pairs.into_iter().collect()
}

/// The rows of user u1 (with `--store-namespace users.u1`), per table.
fn u1_spec(p: &Platform) -> BTreeMap<&'static str, String> {
    let mut s = vec![
        ("store", "prefix IN ('users.u1', 'users.u1.memories')".to_string()),
        ("store_vectors", "prefix IN ('users.u1', 'users.u1.memories')".into()),
        ("sessions", "user_id = 'u1'".into()),
        ("events", "user_id = 'u1'".into()),
        ("user_states", "user_id = 'u1'".into()),
        (
            "threads",
            "(tenant_id = 'acme' AND id = 'lg-u1') OR (tenant_id = 'beta' AND id = 'u1-chat')".into(),
        ),
        (
            "messages",
            "(tenant_id = 'acme' AND thread_id = 'lg-u1') OR (tenant_id = 'beta' AND thread_id = 'u1-chat')".into(),
        ),
        (
            "runs",
            "(tenant_id = 'acme' AND thread_id = 'lg-u1') OR (tenant_id = 'beta' AND thread_id = 'u1-chat')".into(),
        ),
    ];
    if p.db.kind == Kind::Sqlite {
        s.push(("memory_events", "user_id = 'u1'".into()));
    }
    for t in p.saver_tables() {
        s.push((t, "thread_id IN ('lg-u1', 'lg-u1b')".into()));
    }
    spec(s)
}

fn u1_gone(key: &str) -> bool {
    key == "lg:lg-u1"
        || key == "lg:lg-u1b"
        || key.starts_with("store:users.u1/")
        || key.starts_with("store:users.u1.memories/")
        || key.contains("/u1/")
        || key.ends_with("/u1")
}

/// Runs one erase (dry, then real with a receipt) and checks everything the proof asks.
fn check_erase(
    p: &Platform,
    url: &str,
    args: &[&str],
    spec: &BTreeMap<&'static str, String>,
    gone: impl Fn(&str) -> bool,
    marker: Option<&str>,
) -> Value {
    let before = p.dump(spec);
    let read_before = p.read();
    for t in spec.keys() {
        assert!(
            !before[*t].0.is_empty(),
            "the fixture has no subject rows in {t}: the case proves nothing there"
        );
    }
    let mut dry_args = args.to_vec();
    dry_args.push("--dry-run");
    let dry = p.erase_at(url, &dry_args);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(p.dump(spec), before, "a dry run changed rows");

    let receipt = p.db.dir.path().join("receipt.json");
    let receipt_arg = receipt.to_str().unwrap();
    let mut real_args = args.to_vec();
    real_args.extend(["--yes", "--receipt", receipt_arg]);
    let real = p.erase_at(url, &real_args);
    assert_eq!(
        dry["deleted"], real["deleted"],
        "the dry run counted differently"
    );
    assert_eq!(dry["erased"], real["erased"]);

    let after = p.dump(spec);
    let deleted = deleted_by_table(&real);
    for (table, (subject, others)) in &before {
        let (subject_after, others_after) = &after[table];
        if REWRITTEN.contains(&table.as_str()) {
            continue;
        }
        assert!(
            subject_after.is_empty(),
            "{table}: the subject's rows are still there: {subject_after:?}"
        );
        assert_eq!(
            others_after, others,
            "{table}: another subject's rows changed"
        );
        assert_eq!(
            deleted.get(table).copied().unwrap_or(0),
            subject.len() as i64,
            "{table}: reported count differs from the rows that went"
        );
    }
    for table in deleted.keys() {
        assert!(
            before.contains_key(table),
            "reported an unknown table {table}"
        );
    }
    if let Some(m) = marker {
        for (table, (s, o)) in &after {
            let hits: Vec<&String> = s.iter().chain(o).filter(|r| r.contains(m)).collect();
            assert!(hits.is_empty(), "{table} still holds {m}: {hits:?}");
        }
    }
    let read_after = p.read();
    let expected: BTreeMap<String, Value> = read_before
        .iter()
        .filter(|(k, _)| !gone(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert!(
        expected.len() < read_before.len(),
        "the case erases nothing the libraries read"
    );
    assert_eq!(
        read_after, expected,
        "the libraries read other subjects differently"
    );

    let meta = std::fs::metadata(&receipt).expect("the receipt was written");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(&receipt).unwrap();
    let written: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written, real, "the receipt differs from the report");
    for secret in [U1_MARK, "sk-", "acme-secret", "says hi", "dark"] {
        assert!(
            !text.contains(secret),
            "the receipt holds a value: {secret}"
        );
    }
    real
}

fn user_u1(kind: Kind, bouncer: bool) {
    let Some(p) = Platform::build(kind) else {
        return;
    };
    let pgb = if bouncer {
        let Some(b) = PgBouncer::start() else {
            return;
        };
        Some(b)
    } else {
        None
    };
    let url = pgb
        .as_ref()
        .map(|b| b.url_for(&p.db))
        .unwrap_or_else(|| p.db.url.clone());
    if kind == Kind::Sqlite {
        // Another program's row whose metadata is not JSON: no match, not an error.
        p.db.exec(
            "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, type, checkpoint, metadata) \
             VALUES ('raw', '', 'x', 'msgpack', X'80', CAST('not json' AS BLOB))",
        );
    }
    let report = check_erase(
        &p,
        &url,
        &["--user", "u1", "--store-namespace", "users.u1"],
        &u1_spec(&p),
        u1_gone,
        Some(U1_MARK),
    );
    assert_eq!(
        report["erased"]["langgraph_threads"],
        serde_json::json!(["lg-u1", "lg-u1b"])
    );
    assert_eq!(
        report["erased"]["store_namespaces"],
        serde_json::json!(["users.u1", "users.u1.memories"])
    );
    assert_eq!(
        report["erased"]["adk_sessions"].as_array().unwrap().len(),
        4
    );

    // The numeric form: user 42 is both `42` and `"42"` in checkpoint metadata (never 420).
    let r = p.erase_at(
        &url,
        &["--user", "42", "--include", "langgraph,agentdb", "--yes"],
    );
    assert_eq!(
        r["erased"]["langgraph_threads"],
        serde_json::json!(["lg-n42", "lg-s42"])
    );
    assert_eq!(
        r["erased"]["agentdb_threads"],
        serde_json::json!([["beta", "n42"]])
    );
    let left =
        p.db.strings("SELECT DISTINCT thread_id AS v FROM checkpoints ORDER BY 1");
    let mut expected = vec!["lg-n420", "lg-none", "lg-u10"];
    if kind == Kind::Sqlite {
        expected.push("raw");
    }
    assert_eq!(left, expected);
}

#[test]
fn erase_user_sqlite() {
    user_u1(Kind::Sqlite, false);
}

#[test]
fn erase_user_postgres() {
    user_u1(Kind::Postgres, false);
}

#[test]
fn erase_user_postgres_through_pgbouncer() {
    user_u1(Kind::Postgres, true);
}

fn thread_and_tenant(kind: Kind, bouncer: bool) {
    let Some(p) = Platform::build(kind) else {
        return;
    };
    let pgb = if bouncer { PgBouncer::start() } else { None };
    let url = pgb
        .as_ref()
        .map(|b| b.url_for(&p.db))
        .unwrap_or_else(|| p.db.url.clone());
    // A thread id two tenants hold is refused without --tenant, before anything is deleted.
    let out = p.erase_output(&url, &["--thread", "dup", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("--tenant"), "{}", stderr_of(&out));

    let mut s = vec![
        (
            "threads",
            "tenant_id = 'beta' AND id = 'lg-u10'".to_string(),
        ),
        (
            "messages",
            "tenant_id = 'beta' AND thread_id = 'lg-u10'".into(),
        ),
        ("runs", "tenant_id = 'beta' AND thread_id = 'lg-u10'".into()),
    ];
    for t in p.saver_tables() {
        s.push((t, "thread_id = 'lg-u10'".into()));
    }
    check_erase(
        &p,
        &url,
        &["--thread", "lg-u10", "--tenant", "beta"],
        &spec(s),
        |k| k == "lg:lg-u10",
        None,
    );

    std::fs::remove_file(p.db.dir.path().join("receipt.json")).unwrap();
    let mut s = vec![
        ("tenants", "id = 'acme'".to_string()),
        ("tenant_configs", "tenant_id = 'acme'".into()),
        ("agents", "tenant_id = 'acme'".into()),
        ("threads", "tenant_id = 'acme'".into()),
        ("messages", "tenant_id = 'acme'".into()),
        ("runs", "tenant_id = 'acme'".into()),
    ];
    for t in p.saver_tables() {
        s.push((t, "thread_id IN ('lg-u1', 'lg-none', 'dup')".into()));
    }
    let r = check_erase(
        &p,
        &url,
        &["--tenant", "acme"],
        &spec(s),
        |k| k == "lg:lg-u1" || k == "lg:lg-none",
        None,
    );
    assert_eq!(r["erased"]["tenant"], "acme");
    // A re-run (after a completed or killed erase) ends in the same state: nothing left.
    std::fs::remove_file(p.db.dir.path().join("receipt.json")).unwrap();
    let again = p.erase_at(&url, &["--tenant", "acme", "--yes"]);
    assert_eq!(again["total_deleted"], 0);
}

#[test]
fn erase_thread_and_tenant_sqlite() {
    thread_and_tenant(Kind::Sqlite, false);
}

#[test]
fn erase_thread_and_tenant_postgres() {
    thread_and_tenant(Kind::Postgres, false);
}

#[test]
fn erase_thread_and_tenant_postgres_through_pgbouncer() {
    thread_and_tenant(Kind::Postgres, true);
}

/// A stale worker saves to an erased thread after the erase committed: `--recheck` finds it
/// and erases it again (langgraph#7206).
fn late_writer(kind: Kind) {
    let Some(p) = Platform::build(kind) else {
        return;
    };
    let python = common::python::python().unwrap();
    let mut late = std::process::Command::new(python)
        .arg(common::python::scripts_dir().join("erase_fixture.py"))
        .args(["late", &p.db.url, "lg-u1", "u1"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(late.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "waiting");
    let report = p.erase_at(&p.db.url, &["--user", "u1", "--recheck", "10", "--yes"]);
    assert_eq!(lines.next().unwrap().unwrap(), "written");
    assert!(late.wait().unwrap().success());
    let recheck = &report["recheck"];
    assert_eq!(
        recheck["erased"]["langgraph_threads"],
        serde_json::json!(["lg-u1"])
    );
    assert!(recheck["total_deleted"].as_i64().unwrap() > 0, "{recheck}");
    assert_eq!(
        p.db.scalar("SELECT count(*) AS v FROM checkpoints WHERE thread_id = 'lg-u1'"),
        0
    );
    assert_eq!(
        p.db.scalar(&format!(
            "SELECT count(*) AS v FROM {} WHERE thread_id = 'lg-u1'",
            p.writes()
        )),
        0
    );
}

#[test]
fn recheck_catches_a_late_writer_sqlite() {
    late_writer(Kind::Sqlite);
}

#[test]
fn recheck_catches_a_late_writer_postgres() {
    late_writer(Kind::Postgres);
}

fn bytes_hold(path: &std::path::Path, needle: &str) -> bool {
    std::fs::read(path)
        .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .unwrap_or(false)
}

#[test]
fn purge_leaves_no_marker_in_the_sqlite_file_or_its_wal() {
    let Some(p) = Platform::build(Kind::Sqlite) else {
        return;
    };
    let file = p.db.path();
    let wal = std::path::PathBuf::from(format!("{}-wal", p.db.url));
    assert!(
        bytes_hold(&file, U1_MARK) || bytes_hold(&wal, U1_MARK),
        "the fixture's bytes hold no marker: the check proves nothing"
    );
    let r = p.erase_at(
        &p.db.url,
        &[
            "--user",
            "u1",
            "--store-namespace",
            "users.u1",
            "--purge",
            "--yes",
        ],
    );
    let done = r["purge"]["done"].to_string();
    assert!(done.contains("VACUUM"), "{done}");
    assert!(r["purge"]["outside_reach"]
        .as_str()
        .unwrap()
        .contains("backups"));
    assert!(
        !bytes_hold(&file, U1_MARK),
        "the file still holds {U1_MARK}"
    );
    assert!(!bytes_hold(&wal, U1_MARK), "the WAL still holds {U1_MARK}");
    assert!(bytes_hold(&file, "zqxu10marker") || bytes_hold(&wal, "zqxu10marker"));
}

#[test]
fn purge_vacuums_the_touched_postgres_tables() {
    let Some(p) = Platform::build(Kind::Postgres) else {
        return;
    };
    let r = p.erase_at(&p.db.url, &["--thread", "lg-u10", "--purge", "--yes"]);
    let done = r["purge"]["done"].to_string();
    for t in [
        "VACUUM checkpoints",
        "VACUUM checkpoint_blobs",
        "VACUUM messages",
        "VACUUM threads",
    ] {
        assert!(done.contains(t), "{t} missing: {done}");
    }
}

/// Store namespaces alone: an exact, separator-anchored, escaped prefix match.
fn namespaces(kind: Kind) {
    let Some(p) = Platform::build(kind) else {
        return;
    };
    let prefixes = |p: &Platform| {
        p.db.strings("SELECT DISTINCT prefix AS v FROM store ORDER BY 1")
    };
    let all = prefixes(&p);
    for (ns, goes) in [
        ("users.u1%", vec!["users.u1%.memories"]),
        ("users.u_1", vec!["users.u_1.memories"]),
        ("users.u1*", vec!["users.u1*.memories"]),
        ("USERS.U1", vec!["USERS.U1.memories"]),
        ("users.u1", vec!["users.u1", "users.u1.memories"]),
        ("users.u1.memories.none", vec![]),
    ] {
        let before = prefixes(&p);
        let r = p.erase_at(&p.db.url, &["--store-namespace", ns, "--yes"]);
        assert_eq!(
            r["erased"]["store_namespaces"],
            serde_json::json!(goes),
            "{ns}"
        );
        let after = prefixes(&p);
        let expected: Vec<String> = before
            .iter()
            .filter(|x| !goes.contains(&x.as_str()))
            .cloned()
            .collect();
        assert_eq!(after, expected, "{ns}");
        let vectors =
            p.db.strings("SELECT DISTINCT prefix AS v FROM store_vectors ORDER BY 1");
        assert_eq!(vectors, after, "{ns}: vectors and items differ");
    }
    assert!(all.contains(&"users.u10.memories".to_string()));
    assert!(prefixes(&p).contains(&"users.u10.memories".to_string()));
    assert!(prefixes(&p).contains(&"users.uX1.memories".to_string()));
}

#[test]
fn store_namespaces_match_exactly_sqlite() {
    namespaces(Kind::Sqlite);
}

#[test]
fn store_namespaces_match_exactly_postgres() {
    namespaces(Kind::Postgres);
}

#[test]
fn refusals_exit_2_before_anything_is_deleted() {
    let db = TestDb::sqlite();
    db.cmd().arg("migrate").assert().success();
    db.exec("INSERT INTO tenants (id, name) VALUES ('acme', 'Acme'); INSERT INTO threads (tenant_id, id) VALUES ('acme', 't1');");
    for args in [
        vec!["erase"],
        vec!["erase", "--user", "u1", "--thread", "t1"],
        vec!["erase", "--user", "u1", "--tenant", "acme"],
        vec!["erase", "--store-namespace", ""],
        vec!["erase", "--store-namespace", "users..u1"],
        vec!["erase", "--user", ""],
        vec!["erase", "--thread", "t1", "--metadata-key", "owner"],
        vec!["erase", "--user", "u1", "--metadata-key", "a.b"],
        vec!["erase", "--store-namespace", "a", "--include", "agentdb"],
        vec!["erase", "--tenant", "Not A Tenant"],
    ] {
        let out = db.cmd().args(&args).arg("--yes").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr_of(&out));
    }
    // Production without a terminal and without --yes: refused with the counts, nothing gone.
    let out = agentdb(db.dir.path())
        .args(["-d", &db.url, "erase", "--tenant", "acme"])
        .env("ENV", "production")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("agentdb.threads 1"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(db.scalar("SELECT count(*) AS v FROM threads"), 1);
    // A receipt is never overwritten, and that is known before anything is deleted.
    let existing = db.dir.path().join("old.json");
    std::fs::write(&existing, "{}").unwrap();
    let out = db
        .cmd()
        .args(["erase", "--tenant", "acme", "--yes", "--receipt"])
        .arg(&existing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert_eq!(db.scalar("SELECT count(*) AS v FROM threads"), 1);
    let ok = db
        .cmd()
        .args(["--format", "json", "erase", "--tenant", "acme", "--yes"])
        .output()
        .unwrap();
    assert_eq!(json_of(&ok)["deleted"]["agentdb"]["threads"], 1);
}

/// ADK's other SQLite layout (`SqliteSessionService`: REAL epoch times, no
/// `adk_internal_metadata`): the user's sessions, events and user state go in every app.
#[test]
fn erase_user_from_adk_sqlite_session_service() {
    let db = TestDb::sqlite();
    if common::python::run_script_ok("erase_fixture.py", &["adk-sqlite", &db.url], &[]).is_none() {
        return;
    }
    let read = || -> BTreeMap<String, Value> {
        let out =
            common::python::run_script_ok("erase_fixture.py", &["read-adk-sqlite", &db.url], &[])
                .unwrap();
        serde_json::from_str(&out).unwrap()
    };
    let before = read();
    let others = |t: &str| {
        db.strings(&format!(
            "SELECT quote(app_name) || quote(user_id) || quote(state) AS v FROM {t} WHERE user_id <> 'u1' ORDER BY 1"
        ))
    };
    let (sessions, states) = (others("sessions"), others("user_states"));
    let events = db.strings(
        "SELECT quote(id) || quote(event_data) AS v FROM events WHERE user_id <> 'u1' ORDER BY 1",
    );
    let out = db
        .cmd()
        .args(["--format", "json", "erase", "--user", "u1", "--yes"])
        .output()
        .unwrap();
    let r = json_of(&out);
    assert_eq!(r["deleted"]["adk"]["sessions"], 4, "{r}");
    assert_eq!(r["deleted"]["adk"]["events"], 12, "{r}");
    assert_eq!(r["deleted"]["adk"]["user_states"], 2, "{r}");
    for t in ["sessions", "events", "user_states"] {
        assert_eq!(
            db.scalar(&format!(
                "SELECT count(*) AS v FROM {t} WHERE user_id = 'u1'"
            )),
            0
        );
    }
    assert_eq!(others("sessions"), sessions);
    assert_eq!(others("user_states"), states);
    assert_eq!(
        db.strings("SELECT quote(id) || quote(event_data) AS v FROM events WHERE user_id <> 'u1' ORDER BY 1"),
        events
    );
    let expected: BTreeMap<String, Value> = before
        .into_iter()
        .filter(|(k, _)| !k.contains("/u1/"))
        .collect();
    assert_eq!(read(), expected);
}

/// On a terminal the counts are shown and asked about; "n" deletes nothing (exit 1).
#[test]
fn asks_on_a_terminal_with_the_counts() {
    if !common::terminal_available() {
        return;
    }
    let db = TestDb::sqlite();
    db.cmd().arg("migrate").assert().success();
    db.exec("INSERT INTO tenants (id, name) VALUES ('acme', 'Acme'); INSERT INTO threads (tenant_id, id) VALUES ('acme', 't1'); INSERT INTO messages (tenant_id, id, thread_id, role) VALUES ('acme', 'm1', 't1', 'user');");
    let line = format!(
        "{} -d {} erase --thread t1",
        common::agentdb_word(),
        common::shell_quote(&db.url)
    );
    let no = common::on_terminal(db.dir.path(), &line, "n\n", &[]);
    let shown = common::stdout_of(&no);
    assert_eq!(no.status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("This erases 2 row(s)") && shown.contains("agentdb.messages 1"),
        "{shown}"
    );
    assert_eq!(db.scalar("SELECT count(*) AS v FROM messages"), 1);
    let yes = common::on_terminal(db.dir.path(), &line, "y\n", &[]);
    assert!(yes.status.success(), "{}", common::stdout_of(&yes));
    assert_eq!(db.scalar("SELECT count(*) AS v FROM threads"), 0);
}

/// Killed (SIGKILL) in the middle of its transaction, blocked on the last table it deletes
/// from: nothing is deleted, and running it again erases everything.
#[test]
fn killed_mid_transaction_deletes_nothing_and_a_rerun_completes_postgres() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    let Some(p) = Platform::build(Kind::Postgres) else {
        return;
    };
    let spec = u1_spec(&p);
    let before = p.dump(&spec);
    let mut locker = diesel::PgConnection::establish(&p.db.url).unwrap();
    locker
        .batch_execute("BEGIN; LOCK TABLE user_states IN ACCESS EXCLUSIVE MODE;")
        .unwrap();
    let mut child = common::std_agentdb(p.db.dir.path())
        .args(["-d", &p.db.url, "erase", "--user", "u1", "--yes"])
        .args(["--store-namespace", "users.u1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let waiting = || {
        p.db.scalar(
            "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM user_states%'",
        )
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while waiting() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "erase never reached user_states"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    locker.batch_execute("ROLLBACK").unwrap();
    // The server ends the dead client's transaction (rolled back) once it runs on.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while p.db.scalar(
        "SELECT count(*) AS v FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'DELETE FROM%'",
    ) > 0
    {
        assert!(std::time::Instant::now() < deadline, "the killed erase's session stayed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(p.dump(&spec), before, "a killed erase deleted something");
    let r = p.erase_at(
        &p.db.url,
        &["--user", "u1", "--store-namespace", "users.u1", "--yes"],
    );
    assert!(r["total_deleted"].as_i64().unwrap() > 0);
    for (table, (subject, _)) in p.dump(&spec) {
        assert!(subject.is_empty(), "{table} still holds u1 rows");
    }
}
/// `prune --store-expired` deletes what the library's sweep deletes (both SQLite text forms of
/// `expires_at` compared as times, a `T` form too), with the vectors, and the vectors whose
/// item is gone; `stats` counts the Store. Nothing is read through the library first.
fn store_expired(kind: Kind) {
    let Some(db) = TestDb::new(kind) else {
        return;
    };
    db.cmd().arg("migrate").assert().success();
    if common::python::run_script_ok("erase_fixture.py", &["ttl", &db.url], &[]).is_none() {
        return;
    }
    // `T` forms another program wrote: one that text comparison with SQLite's
    // CURRENT_TIMESTAMP (`2026-12-03 19:00:00`) would call live until midnight.
    let (old, today, future) = match kind {
        Kind::Sqlite => (
            "'2020-01-01T00:00:00'",
            "strftime('%Y-%m-%dT%H:%M:%S', 'now', '-1 minute')",
            "'2999-01-01T00:00:00'",
        ),
        Kind::Postgres => (
            "'2020-01-01T00:00:00Z'",
            "now() - interval '1 minute'",
            "'2999-01-01T00:00:00Z'",
        ),
    };
    db.exec(&format!(
        "INSERT INTO store (prefix, key, value, expires_at, ttl_minutes) VALUES \
         ('ttl.tform', 'old', '{{}}', {old}, 1), ('ttl.tform', 'today', '{{}}', {today}, 1), \
         ('ttl.tform', 'future', '{{}}', {future}, 1)"
    ));
    let prefixes = || db.strings("SELECT prefix || '/' || key AS v FROM store ORDER BY 1");
    let vectors = || db.strings("SELECT prefix || '/' || key AS v FROM store_vectors ORDER BY 1");
    let (expired, orphans): (Vec<&str>, i64) = match kind {
        Kind::Sqlite => (
            vec![
                "ttl.put/k",
                "ttl.refreshed/k",
                "ttl.tform/old",
                "ttl.tform/today",
            ],
            1,
        ),
        Kind::Postgres => (vec!["ttl.put/k", "ttl.tform/old", "ttl.tform/today"], 0),
    };
    let items_before = prefixes();
    let stats = json_of(
        &db.cmd()
            .args(["--format", "json", "stats"])
            .output()
            .unwrap(),
    );
    let store = &stats["langgraph_store"];
    assert_eq!(store["items"], items_before.len() as i64, "{store}");
    assert_eq!(store["expired_items"], expired.len() as i64, "{store}");
    assert_eq!(store["top_namespaces"], 1, "{store}");
    assert_eq!(
        store["items_with_ttl"],
        items_before.len() as i64 - 1,
        "{store}"
    );
    let vectors_before = vectors();
    let gone_vectors = vectors_before
        .iter()
        .filter(|v| expired.contains(&v.as_str()))
        .count() as i64
        + orphans;
    let run = |extra: &[&str]| {
        let out = db
            .cmd()
            .args(["--format", "json", "prune", "--store-expired"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        json_of(&out)
    };
    let dry = run(&["--dry-run"]);
    assert_eq!(prefixes(), items_before);
    let real = run(&["--yes"]);
    assert_eq!(dry["deleted"], real["deleted"]);
    assert_eq!(real["totals"]["store"], expired.len() as i64, "{real}");
    assert_eq!(real["totals"]["store_vectors"], gone_vectors, "{real}");
    let left: Vec<String> = items_before
        .iter()
        .filter(|p| !expired.contains(&p.as_str()))
        .cloned()
        .collect();
    assert_eq!(prefixes(), left);
    let vectors_left: Vec<String> = vectors_before
        .iter()
        .filter(|v| left.contains(v))
        .cloned()
        .collect();
    assert_eq!(vectors(), vectors_left);
}

#[test]
fn prune_store_expired_and_stats_sqlite() {
    store_expired(Kind::Sqlite);
}

#[test]
fn prune_store_expired_and_stats_postgres() {
    store_expired(Kind::Postgres);
}

/// erase on agentdb's schema behind (a migration rolled back) or ahead (a version only a newer
/// agentdb knows): exit 1 saying what to do, nothing deleted, the dry run too; `--include`
/// without agentdb erases the other stores; on the current schema it erases; a database
/// without agentdb's tables is erased as found.
fn schema_not_current(kind: Kind) {
    let Some(db) = TestDb::new(kind) else {
        return;
    };
    let erase = |extra: &[&str]| {
        db.cmd()
            .args(["erase", "--tenant", "acme"])
            .args(extra)
            .output()
            .unwrap()
    };
    // Other tools' tables only: erased as found, agentdb skipped.
    db.exec("CREATE TABLE other_tool (id TEXT)");
    let out = erase(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert!(
        common::stdout_of(&out).contains("agentdb skipped"),
        "{}",
        common::stdout_of(&out)
    );

    db.cmd().args(["-q", "migrate"]).assert().success();
    db.cmd()
        .args(["-q", "init-tenant", "--tenant-id", "acme"])
        .assert()
        .success();
    db.exec("INSERT INTO threads (tenant_id, id) VALUES ('acme', 't1')");
    let rows = || {
        db.scalar(
            "SELECT (SELECT count(*) FROM tenants WHERE id = 'acme') \
             + (SELECT count(*) FROM threads WHERE tenant_id = 'acme') AS v",
        )
    };
    assert_eq!(rows(), 3);
    let refused = |extra: &[&str], needles: &[&str]| {
        let out = erase(extra);
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{extra:?}: {err}");
        for needle in needles {
            assert!(err.contains(needle), "{extra:?}: {needle:?} not in {err}");
        }
        assert_eq!(rows(), 3, "{extra:?}: something was erased");
    };
    db.cmd()
        .args(["-q", "rollback", "--steps", "1"])
        .assert()
        .success();
    for extra in [
        &["--yes"][..],
        &["--dry-run"],
        &["--yes", "--include", "agentdb"],
    ] {
        refused(
            extra,
            &[
                "nothing erased",
                "not up to date",
                "run `agentdb migrate` first",
            ],
        );
    }
    let out = erase(&["--yes", "--include", "langgraph,store,adk"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(rows(), 3, "agentdb's tables were left out");

    db.cmd().args(["-q", "migrate"]).assert().success();
    db.exec("INSERT INTO __diesel_schema_migrations (version) VALUES ('20991231000000')");
    refused(
        &["--yes"],
        &["nothing erased", "20991231000000", "newer agentdb"],
    );

    db.exec("DELETE FROM __diesel_schema_migrations WHERE version = '20991231000000'");
    let out = erase(&["--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(rows(), 0, "the current schema is erased");
}

#[test]
fn a_schema_behind_or_ahead_refuses_sqlite() {
    schema_not_current(Kind::Sqlite);
}

#[test]
fn a_schema_behind_or_ahead_refuses_postgres() {
    schema_not_current(Kind::Postgres);
}
