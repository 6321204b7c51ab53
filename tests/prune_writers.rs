//! `agentdb prune --checkpoints-keep N` beside live writers, on both backends (PostgreSQL
//! through a real PgBouncer, as the platform's pods reach it): four writer processes keep
//! saving checkpoints, with their writes, through the REAL savers (`put`, `put_writes`;
//! tests/python/prune_writers.py) into the very threads the prune works on. Afterwards, with
//! plain SQL and with the savers: no writer failed, every checkpoint a writer saved is there
//! with its writes, the prune deleted exactly the surplus that existed when it started, and
//! every thread's latest state reads back whole. The JSON report's `transaction_times` is
//! checked for its shape and its agreement with the report's other fields. The same for
//! `prune --store-expired` beside a live LangGraph Store writer. Not timed.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::python::{python, run_script_ok, scripts_dir};
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// Threads the prune works through, one per transaction (`--batch-size 1`): enough
/// transactions for the writers to save while it runs.
const THREADS: usize = 150;
const PER_THREAD: usize = 6;
const KEEP: usize = 2;
const WRITERS: usize = 4;

fn thread(i: usize) -> String {
    format!("p-{i:04}")
}

/// The threads writer `w` saves into, disjoint from the others': near the end of the prune's
/// order (it reaches them last, after many saves), in the middle, and at the start.
fn writer_threads(w: usize) -> Vec<String> {
    [
        THREADS - 1 - w,
        THREADS - 1 - WRITERS - w,
        THREADS / 2 + w,
        w,
    ]
    .into_iter()
    .map(thread)
    .collect()
}

fn writes_table(kind: Kind) -> &'static str {
    match kind {
        Kind::Postgres => "checkpoint_writes",
        Kind::Sqlite => "writes",
    }
}

/// `count(*)` of checkpoints, or `None` when the database cannot answer right now (polled
/// while the prune runs; never panics on a busy moment).
fn try_count(db: &TestDb) -> Option<i64> {
    try_scalar(db, "SELECT count(*) AS v FROM checkpoints")
}

/// `db.scalar`, or `None` when the database cannot answer right now (a rollback-journal
/// SQLite file is locked while a transaction commits).
fn try_scalar(db: &TestDb, sql: &str) -> Option<i64> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }
    let row: QueryResult<Row> = match db.kind {
        Kind::Sqlite => {
            let mut c = SqliteConnection::establish(&db.url).ok()?;
            c.batch_execute("PRAGMA busy_timeout = 1000").ok()?;
            diesel::sql_query(sql).get_result(&mut c)
        }
        Kind::Postgres => {
            diesel::sql_query(sql).get_result(&mut PgConnection::establish(&db.url).ok()?)
        }
    };
    row.ok().map(|r| r.v)
}

/// `thread<TAB>id[<TAB>…]` lines as (thread, id, rest).
fn saves(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, '\t');
            let t = parts.next().unwrap().to_string();
            let id = parts.next().expect("thread<TAB>id").to_string();
            (t, id, parts.next().unwrap_or_default().to_string())
        })
        .collect()
}

fn ready_file(db: &TestDb, w: usize) -> std::path::PathBuf {
    db.dir.path().join(format!("ready-{w}"))
}

/// Waits until every writer has written its `ready` file; a writer that ends first fails the test.
fn wait_until_ready(writers: &mut [Child], ready: &[std::path::PathBuf]) {
    let waiting = Instant::now();
    while !ready.iter().all(|f| f.exists()) {
        for (w, child) in writers.iter_mut().enumerate() {
            assert!(
                child.try_wait().unwrap().is_none(),
                "writer {w} ended early"
            );
        }
        assert!(
            waiting.elapsed() < Duration::from_secs(120),
            "writers never ready"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The URL prune runs on: PostgreSQL through a PgBouncer of the test's own (kept alive by the
/// returned handle), SQLite the file.
fn prune_url(kind: Kind, db: &TestDb) -> (Option<PgBouncer>, String) {
    let bouncer = match kind {
        Kind::Postgres => PgBouncer::start(),
        Kind::Sqlite => None,
    };
    let url = bouncer
        .as_ref()
        .map(|b| b.url_for(db))
        .unwrap_or(db.url.clone());
    (bouncer, url)
}

fn spawn_writer(db: &TestDb, w: usize) -> Child {
    let go = db.dir.path().join("go");
    let stop = db.dir.path().join("stop");
    std::process::Command::new(python().expect("checked by the seed"))
        .arg(scripts_dir().join("prune_writers.py"))
        .arg("writer")
        .arg(&db.url)
        .arg(ready_file(db, w))
        .arg(&go)
        .arg(&stop)
        .args(writer_threads(w))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn epoch_secs(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

both_backends!(
    keep_n_beside_four_writers_loses_no_writers_checkpoint,
    |kind: Kind| {
        let Some(db) = TestDb::new(kind) else { return };
        let (threads, per) = (THREADS.to_string(), PER_THREAD.to_string());
        let Some(seed_log) = run_script_ok(
            "prune_writers.py",
            &["seed", &db.url, "p-", &threads, &per],
            &[],
        ) else {
            return;
        };
        let mut seeded: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (t, id, _) in saves(&seed_log) {
            seeded.entry(t).or_default().push(id);
        }
        let before = (THREADS * PER_THREAD) as i64;
        assert_eq!(try_count(&db), Some(before));
        // Each writer waits for the file `go`: the test makes it once the prune committed its
        // first deletion, so the prune's start (its horizon) is behind every save they make.
        let mut writers: Vec<Child> = (0..WRITERS).map(|w| spawn_writer(&db, w)).collect();
        let ready: Vec<_> = (0..WRITERS).map(|w| ready_file(&db, w)).collect();
        wait_until_ready(&mut writers, &ready);

        let (_bouncer, url) = prune_url(kind, &db);
        let keep = KEEP.to_string();
        let mut prune = std_agentdb(db.dir.path())
            .args(["-d", &url, "--format", "json", "prune", "--yes"])
            .args(["--checkpoints-keep", &keep, "--batch-size", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let waiting = Instant::now();
        while try_count(&db).is_none_or(|n| n >= before) {
            assert!(
                prune.try_wait().unwrap().is_none(),
                "prune ended before its first deletion could be seen"
            );
            assert!(
                waiting.elapsed() < Duration::from_secs(120),
                "prune never deleted"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
        std::fs::write(db.dir.path().join("go"), "").unwrap();
        let out = prune.wait_with_output().unwrap();
        let prune_ended = epoch_secs(SystemTime::now());
        assert!(
            out.status.success(),
            "prune: {}\n{}",
            stderr_of(&out),
            stdout_of(&out)
        );
        let report = json_of(&out);
        // The writers go on a little after the prune, then stop.
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(db.dir.path().join("stop"), "").unwrap();

        // No writer error; every save logged.
        let mut written: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut during_prune = 0;
        for (w, child) in writers.into_iter().enumerate() {
            let done = child.wait_with_output().unwrap();
            assert!(
                done.status.success(),
                "writer {w} failed: {}\n{}",
                stdout_of(&done),
                stderr_of(&done)
            );
            let log = saves(&stdout_of(&done));
            assert!(!log.is_empty(), "writer {w} saved nothing");
            for (t, id, at) in log {
                assert!(writer_threads(w).contains(&t), "{t}");
                if at.parse::<f64>().unwrap() < prune_ended {
                    during_prune += 1;
                }
                written.entry(t).or_default().push(id);
            }
        }
        eprintln!(
            "{kind:?}: {during_prune} writer saves while the prune ran ({} transactions), {} in all",
            report["transactions"],
            written.values().map(Vec::len).sum::<usize>()
        );
        assert!(
            during_prune > 0,
            "no writer saved while the prune ran: the test proved nothing"
        );

        // The database, with plain SQL: exactly the newest KEEP seeded checkpoints of each thread
        // and every checkpoint a writer saved, each with its two writes; no parent dangles.
        let writes = writes_table(kind);
        let mut expected: BTreeSet<String> = BTreeSet::new();
        for (t, ids) in &seeded {
            let mut ids = ids.clone();
            ids.sort();
            expected.extend(ids[ids.len() - KEEP..].iter().map(|id| format!("{t}/{id}")));
        }
        for (t, ids) in &written {
            expected.extend(ids.iter().map(|id| format!("{t}/{id}")));
        }
        let present: BTreeSet<String> = db
            .strings("SELECT thread_id || '/' || checkpoint_id AS v FROM checkpoints")
            .into_iter()
            .collect();
        let lost: Vec<&String> = expected.difference(&present).collect();
        let extra: Vec<&String> = present.difference(&expected).collect();
        assert!(
        lost.is_empty() && extra.is_empty(),
        "lost (deleted but kept or saved by a writer): {lost:?}\nleft (surplus not deleted): {extra:?}"
    );
        let writes_per_checkpoint: BTreeSet<i64> = db
            .strings(&format!(
                "SELECT CAST(count(w.checkpoint_id) AS TEXT) AS v FROM checkpoints c \
             LEFT JOIN {writes} w ON w.thread_id = c.thread_id \
               AND w.checkpoint_ns = c.checkpoint_ns AND w.checkpoint_id = c.checkpoint_id \
             GROUP BY c.thread_id, c.checkpoint_ns, c.checkpoint_id"
            ))
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(writes_per_checkpoint, BTreeSet::from([2]));
        assert_eq!(
            db.scalar(&format!("SELECT count(*) AS v FROM {writes}")),
            2 * present.len() as i64,
            "writes of deleted checkpoints are gone with them"
        );
        assert_eq!(
            db.scalar(
                "SELECT count(*) AS v FROM checkpoints c WHERE parent_checkpoint_id IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM checkpoints p WHERE p.thread_id = c.thread_id \
               AND p.checkpoint_ns = c.checkpoint_ns AND p.checkpoint_id = c.parent_checkpoint_id)"
            ),
            0,
            "no kept checkpoint points at a deleted parent"
        );
        if kind == Kind::Postgres {
            // One `log` blob per checkpoint and one shared `topic` blob per thread.
            assert_eq!(
                db.scalar("SELECT count(*) AS v FROM checkpoint_blobs"),
                (present.len() + THREADS) as i64
            );
        }

        // The report: deletions are the surplus that existed when the prune began.
        let surplus = (THREADS * (PER_THREAD - KEEP)) as i64;
        assert_eq!(report["totals"]["checkpoints"], surplus, "{report}");
        assert_eq!(report["totals"][writes], 2 * surplus, "{report}");
        if kind == Kind::Postgres {
            assert_eq!(report["totals"]["checkpoint_blobs"], surplus, "{report}");
        }
        assert_eq!(report["refused"], serde_json::json!([]));

        // The per-transaction report.
        let tt = &report["transaction_times"];
        let transactions = report["transactions"].as_u64().unwrap();
        assert!(transactions > 1, "{report}");
        assert_eq!(tt["count"].as_u64(), Some(transactions), "{tt}");
        let f = |v: &serde_json::Value| v.as_f64().unwrap_or_else(|| panic!("a number: {v}"));
        assert!(f(&tt["p50_ms"]) <= f(&tt["p99_ms"]), "{tt}");
        assert!(f(&tt["p99_ms"]) <= f(&tt["max_ms"]), "{tt}");
        assert_eq!(
            f(&tt["max_ms"]),
            f(&report["longest_transaction_ms"]),
            "{tt}"
        );
        assert!(f(&tt["commit_ms_total"]) <= f(&tt["total_ms"]), "{tt}");
        let keep_phase = &tt["by_phase"]["checkpoints-keep"];
        assert_eq!(keep_phase["count"].as_u64(), Some(transactions), "{tt}");
        for step in [
            "read checkpoints",
            "delete writes",
            "delete checkpoints",
            "commit",
        ] {
            assert!(
                tt["by_step"][step]["count"].as_u64() > Some(0),
                "{step}: {tt}"
            );
        }
        assert_eq!(
            tt["by_step"]["commit"]["count"].as_u64(),
            Some(transactions)
        );
        // The writers were noticed (the backend's commit counter moved between batches) and
        // prune made way for them at the polite pace.
        let beside = &tt["beside_writers"];
        assert!(beside["transactions"].as_u64() > Some(0), "{tt}");
        assert!(
            beside["transactions"].as_u64() <= Some(transactions),
            "{tt}"
        );
        assert!(f(&beside["pause_ms_total"]) > 0.0, "{tt}");
        let slowest = &tt["slowest"];
        assert_eq!(slowest["phase"], "checkpoints-keep", "{tt}");
        assert_eq!(f(&slowest["ms"]), f(&tt["max_ms"]), "{tt}");
        let steps: Vec<&str> = slowest["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].as_str().unwrap())
            .collect();
        assert_eq!(steps.first(), Some(&"read checkpoints"), "{tt}");
        assert_eq!(steps.last(), Some(&"commit"), "{tt}");

        // The savers read every thread's latest state whole: the newest checkpoint, its writes,
        // its channel values (the shared `topic` blob survived on PostgreSQL).
        let latest: serde_json::Value = serde_json::from_str(
            &run_script_ok(
                "prune_writers.py",
                &["latest", &db.url, "p-", &threads],
                &[],
            )
            .unwrap(),
        )
        .unwrap();
        for (t, ids) in &seeded {
            let mine = written.get(t).cloned().unwrap_or_default();
            let newest = ids.iter().chain(&mine).max().unwrap();
            let state = &latest[t];
            let counter = (PER_THREAD + mine.len()) as i64;
            assert_eq!(state["id"], newest.as_str(), "{t}: {state}");
            assert_eq!(state["counter"], counter, "{t}: {state}");
            assert_eq!(state["log"], serde_json::json!([format!("save {counter}")]));
            assert_eq!(state["topic"], serde_json::json!({"thread": t}), "{t}");
            assert_eq!(state["writes"], 2, "{t}: {state}");
        }
    }
);

const STORE_ITEMS: usize = 1500;

// `prune --store-expired` beside a live Store writer (the real `SqliteStore`/`PostgresStore`)
// that re-puts expired keys (a refresh: the item lives again) and puts new ones while the prune
// works through the expired list: every item the writer put is there with its value, every
// seeded item it did not touch is gone.
both_backends!(store_expired_beside_a_store_writer, |kind: Kind| {
    let Some(db) = TestDb::new(kind) else { return };
    let n = STORE_ITEMS.to_string();
    if run_script_ok("prune_writers.py", &["store-seed", &db.url, &n], &[]).is_none() {
        return;
    }
    let before = STORE_ITEMS as i64;
    let expired_left = || try_scalar(&db, "SELECT count(*) AS v FROM store WHERE prefix = 'exp'");
    assert_eq!(expired_left(), Some(before));
    let (ready, go, stop) = (
        db.dir.path().join("ready"),
        db.dir.path().join("go"),
        db.dir.path().join("stop"),
    );
    let mut writer = std::process::Command::new(python().expect("checked by the seed"))
        .arg(scripts_dir().join("prune_writers.py"))
        .arg("store-writer")
        .arg(&db.url)
        .args([&ready, &go, &stop])
        .arg(&n)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_until_ready(
        std::slice::from_mut(&mut writer),
        std::slice::from_ref(&ready),
    );
    let (_bouncer, url) = prune_url(kind, &db);
    let mut prune = std_agentdb(db.dir.path())
        .args([
            "-d",
            &url,
            "--format",
            "json",
            "prune",
            "--yes",
            "--store-expired",
        ])
        .args(["--batch-size", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Go once the prune has listed the expired items and deleted some.
    let waiting = Instant::now();
    while expired_left().is_none_or(|n| n >= before) {
        assert!(
            prune.try_wait().unwrap().is_none(),
            "prune ended before its first deletion could be seen"
        );
        assert!(
            waiting.elapsed() < Duration::from_secs(120),
            "prune never deleted"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    std::fs::write(&go, "").unwrap();
    let out = prune.wait_with_output().unwrap();
    let prune_ended = epoch_secs(SystemTime::now());
    assert!(out.status.success(), "prune: {}", stderr_of(&out));
    let report = json_of(&out);
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&stop, "").unwrap();
    let done = writer.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "writer failed: {}\n{}",
        stdout_of(&done),
        stderr_of(&done)
    );
    // (prefix/key) -> the last value the writer put.
    let mut put: BTreeMap<String, i64> = BTreeMap::new();
    let mut during_prune = 0;
    for line in stdout_of(&done).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        put.insert(format!("{}/{}", f[0], f[1]), f[2].parse().unwrap());
        if f[3].parse::<f64>().unwrap() < prune_ended {
            during_prune += 1;
        }
    }
    eprintln!(
        "{kind:?}: {during_prune} Store puts while the prune ran ({} transactions)",
        report["transactions"]
    );
    assert!(
        during_prune > 0,
        "the writer put nothing while the prune ran: the test proved nothing"
    );
    let present: BTreeMap<String, i64> = db
        .strings("SELECT prefix || '/' || key || '\t' || CAST(value AS TEXT) AS v FROM store")
        .into_iter()
        .map(|row| {
            let (k, v) = row.split_once('\t').unwrap();
            let v: serde_json::Value = serde_json::from_str(v).unwrap();
            (k.to_string(), v["w"].as_i64().unwrap_or(-1))
        })
        .collect();
    assert_eq!(
        present, put,
        "the Store holds exactly what the writer put, with its values"
    );
    let reput = put.keys().filter(|k| k.starts_with("exp/")).count() as i64;
    let deleted = report["totals"]["store"].as_i64().unwrap();
    assert!(
        (before - reput..=before).contains(&deleted),
        "deleted {deleted}, seeded {before}, re-put {reput}"
    );
    let tt = &report["transaction_times"];
    assert_eq!(tt["count"], report["transactions"], "{tt}");
    assert!(tt["count"].as_u64().unwrap() > 1, "{tt}");
    assert!(
        tt["by_phase"]["store-expired"]["count"].as_u64() > Some(1),
        "{tt}"
    );
    assert_eq!(
        tt["slowest"]["steps"].as_array().unwrap().last().unwrap()["step"],
        "commit"
    );
});
