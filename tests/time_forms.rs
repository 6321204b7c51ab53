//! The class "time forms" (issue 17): every form a time can take where other programs write
//! it, against every age policy of `agentdb prune`, on both backends. A row seconds old is
//! never deleted, a row hours or years old always is, and a value that is not a time refuses
//! the whole run (exit 1, naming the row) before anything is deleted.
//!
//! SQLite holds times as text (or, in ADK's `SqliteSessionService`, epoch numbers), so the
//! table of forms is swept there; PostgreSQL holds typed times, so there the class is the
//! session's TimeZone against naive-UTC (`timestamp`) and `timestamptz` columns.

mod common;

use std::time::{Duration, SystemTime};

use common::python::run_script_ok;
use common::*;

/// The ages every form is written at, and whether `--…-older-than 1h` must delete it.
const AGES: [(&str, &str, bool); 3] = [
    ("secs", "'now', '-5 seconds'", false),
    ("hours", "'now', '-2 hours'", true),
    ("years", "'now', '-3 years'", true),
];

/// Every text form SQLite may hold for a time, as SQLite SQL over the modifiers `@` (the
/// instant). Offsets are written as the local time of that offset.
const TEXT_FORMS: [(&str, &str); 16] = [
    ("agentdb", "strftime('%Y-%m-%dT%H:%M:%fZ', @)"),
    ("datetime-now", "datetime(@)"),
    ("space-millis", "strftime('%Y-%m-%d %H:%M:%f', @)"),
    (
        "sqlalchemy-micros",
        "strftime('%Y-%m-%d %H:%M:%f', @) || '456'",
    ),
    ("t-no-zone", "strftime('%Y-%m-%dT%H:%M:%S', @)"),
    ("t-micros-z", "strftime('%Y-%m-%dT%H:%M:%f', @) || '456Z'"),
    ("nanos", "strftime('%Y-%m-%d %H:%M:%f', @) || '456789'"),
    ("lower-z", "strftime('%Y-%m-%dT%H:%M:%f', @) || 'z'"),
    ("lower-t", "strftime('%Y-%m-%dt%H:%M:%SZ', @)"),
    ("minutes", "strftime('%Y-%m-%d %H:%M', @)"),
    ("utc-offset", "strftime('%Y-%m-%dT%H:%M:%f', @) || '+00:00'"),
    (
        "plus-2",
        "strftime('%Y-%m-%dT%H:%M:%S', @, '+2 hours') || '+02:00'",
    ),
    (
        "minus-5",
        "strftime('%Y-%m-%d %H:%M:%f', @, '-5 hours') || '456-05:00'",
    ),
    (
        "plus-14-next-day",
        "strftime('%Y-%m-%dT%H:%M:%S', @, '+14 hours') || '+14:00'",
    ),
    (
        "minus-1130-day-before",
        "strftime('%Y-%m-%dT%H:%M:%S', @, '-11 hours', '-30 minutes') || '-11:30'",
    ),
    (
        "space-before-zone",
        "strftime('%Y-%m-%d %H:%M:%f', @, '+5 hours', '+30 minutes') || ' +05:30'",
    ),
];

/// ADK's `SqliteSessionService` writes epoch seconds into the same DATETIME columns.
const EPOCH_FORMS: [(&str, &str); 2] = [
    ("epoch-real", "(julianday(@) - 2440587.5) * 86400.0"),
    (
        "epoch-integer",
        "CAST((julianday(@) - 2440587.5) * 86400 AS INTEGER)",
    ),
];

/// Fixed instants years ago, in forms around calendar edges: all old.
const OLD_EDGES: [(&str, &str); 5] = [
    ("leap-day", "'2024-02-29 12:00:00'"),
    ("leap-day-into-march", "'2024-02-29T23:30:00-02:00'"),
    ("end-of-year", "'2023-12-31T23:59:59.999999Z'"),
    ("new-year-from-plus-1", "'2024-01-01T00:30:00+01:00'"),
    ("date-only", "date('now', '-3 years')"),
];

/// Values in a time column that are not times; each must refuse the run (SQLite).
const NOT_TIMES: [&str; 11] = [
    "'yesterday'",
    "''",
    "'now'",
    "'2461000.5'",
    "'14:36:00'",
    "'2023-02-29 12:00:00'",
    "'2026-13-01 00:00:00'",
    "'2026-12-03T14:36:00 UTC'",
    "'2026-12-03T14:36:00+25:00'",
    "'03/12/2026 14:36'",
    "X'00ff'",
];

/// (name, SQL) pairs.
type Forms = Vec<(&'static str, &'static str)>;

/// Where a form goes: one column of one age policy (SQLite).
#[derive(Clone, Copy)]
enum Slot {
    /// threads.updated_at (no messages)
    ThreadUpdated,
    /// threads.last_message_at (updated_at years ago)
    ThreadLastMessage,
    /// runs.finished_at (created_at years ago)
    RunFinished,
    /// runs.created_at of a run without finished_at
    RunCreated,
    /// ADK sessions.update_time
    AdkSession,
}

const AGENTDB_SLOTS: [(Slot, &str); 4] = [
    (Slot::ThreadUpdated, "tu"),
    (Slot::ThreadLastMessage, "tl"),
    (Slot::RunFinished, "rf"),
    (Slot::RunCreated, "rc"),
];

const POLICIES: [&str; 6] = [
    "--threads-older-than",
    "1h",
    "--runs-older-than",
    "1h",
    "--adk-sessions-older-than",
    "1h",
];

/// (table, key column, the id) where a slot's row lives.
fn insert(db: &TestDb, slot: Slot, id: &str, value: &str) {
    let old = "'2020-01-01T00:00:00.000Z'";
    db.exec(&match slot {
        Slot::ThreadUpdated => format!(
            "INSERT INTO threads (tenant_id, id, updated_at) VALUES ('t', '{id}', {value})"
        ),
        Slot::ThreadLastMessage => format!(
            "INSERT INTO threads (tenant_id, id, updated_at, last_message_at) VALUES ('t', '{id}', {old}, {value})"
        ),
        Slot::RunFinished => format!(
            "INSERT INTO runs (tenant_id, id, thread_id, status, created_at, finished_at) VALUES ('t', '{id}', 'holder', 'succeeded', {old}, {value})"
        ),
        Slot::RunCreated => format!(
            "INSERT INTO runs (tenant_id, id, thread_id, status, created_at) VALUES ('t', '{id}', 'holder', 'cancelled', {value})"
        ),
        Slot::AdkSession => format!(
            "INSERT INTO sessions (app_name, user_id, id, state, create_time, update_time) VALUES ('app', 'u', '{id}', '{{}}', {value}, {value})"
        ),
    });
}

fn present(db: &TestDb, slot: Slot, id: &str) -> bool {
    let (table, key) = match slot {
        Slot::ThreadUpdated | Slot::ThreadLastMessage => ("threads", "id"),
        Slot::RunFinished | Slot::RunCreated => ("runs", "id"),
        Slot::AdkSession => ("sessions", "id"),
    };
    db.scalar(&format!(
        "SELECT count(*) AS v FROM {table} WHERE {key} = '{id}'"
    )) == 1
}

/// A migrated database with tenant "t", its fresh thread "holder" (the runs' thread) and
/// ADK's tables made by the real `DatabaseSessionService` (with one fresh session of its
/// own).
fn setup(db: &TestDb) -> Option<()> {
    db.cmd().arg("migrate").assert().success();
    db.exec("INSERT INTO tenants (id, name) VALUES ('t', 'T'); INSERT INTO threads (tenant_id, id) VALUES ('t', 'holder');");
    run_script_ok("adk_sessions.py", &["populate", &db.url, "1", "1"], &[])?;
    Some(())
}

fn prune(db: &TestDb, extra: &[&str]) -> std::process::Output {
    db.cmd()
        .args(["--format", "json", "prune"])
        .args(POLICIES)
        .args(extra)
        .output()
        .unwrap()
}

/// Every text form (and ADK's epochs) at every age, in every SQLite age-policy column: one
/// dry run and one real run; the recent rows stay, the others go, the dry run counted exactly
/// what went.
#[test]
fn sqlite_every_form_every_policy() {
    let db = TestDb::sqlite();
    if setup(&db).is_none() {
        return;
    }
    let mut expected: Vec<(Slot, String, bool)> = Vec::new();
    let mut slots: Vec<(Slot, &str, Forms)> = AGENTDB_SLOTS
        .iter()
        .map(|(s, p)| (*s, *p, TEXT_FORMS.to_vec()))
        .collect();
    let mut adk_forms = TEXT_FORMS.to_vec();
    adk_forms.extend(EPOCH_FORMS);
    slots.push((Slot::AdkSession, "as", adk_forms));
    for (slot, prefix, forms) in &slots {
        for (form, template) in forms {
            for (age, modifiers, old) in AGES {
                let id = format!("{prefix}:{form}:{age}");
                insert(&db, *slot, &id, &template.replace('@', modifiers));
                expected.push((*slot, id, old));
            }
        }
        for (form, value) in OLD_EDGES {
            let id = format!("{prefix}:{form}");
            insert(&db, *slot, &id, value);
            expected.push((*slot, id, true));
        }
    }
    let dry = prune(&db, &["--dry-run"]);
    assert!(dry.status.success(), "{}", stderr_of(&dry));
    let real = prune(&db, &["--yes"]);
    assert!(real.status.success(), "{}", stderr_of(&real));
    let mut wrong = Vec::new();
    for (slot, id, old) in &expected {
        if present(&db, *slot, id) == *old {
            wrong.push(format!(
                "{id}: {}",
                if *old { "old, kept" } else { "recent, DELETED" }
            ));
        }
    }
    assert!(wrong.is_empty(), "wrong decisions:\n{}", wrong.join("\n"));
    assert!(present(&db, Slot::ThreadUpdated, "holder"));
    let (dry, real) = (json_of(&dry), json_of(&real));
    assert_eq!(
        dry["totals"], real["totals"],
        "the dry run counts what goes"
    );
    let old_threads = expected
        .iter()
        .filter(|(s, _, old)| *old && matches!(s, Slot::ThreadUpdated | Slot::ThreadLastMessage))
        .count() as i64;
    assert_eq!(real["totals"]["threads"].as_i64(), Some(old_threads));
}

/// Rows written by the platforms' own Python code: SQLAlchemy `DateTime` (sync and
/// aiosqlite, naive and aware) and aiosqlite's default adapter; seconds old they stay, two
/// hours old they go.
#[test]
fn sqlite_rows_written_by_sqlalchemy_and_aiosqlite() {
    let db = TestDb::sqlite();
    if setup(&db).is_none() {
        return;
    }
    let Some(old) = run_script_ok("time_rows.py", &[&db.url, "old-", "7200"], &[]) else {
        return;
    };
    let recent = run_script_ok("time_rows.py", &[&db.url, "new-", "5"], &[]).unwrap();
    // The forms they wrote: space-separated, microseconds, some with +00:00.
    assert!(
        recent.lines().all(|l| l.len() >= 26 && &l[10..11] == " "),
        "{recent}"
    );
    assert!(old.contains("+00:00"), "{old}");
    let out = prune(&db, &["--yes"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let threads = db.strings("SELECT id AS v FROM threads WHERE id <> 'holder' ORDER BY id");
    let runs = db.strings("SELECT id AS v FROM runs ORDER BY id");
    let new: Vec<String> = ["aio", "aio-aware", "sqla", "sqla-async", "sqla-aware"]
        .iter()
        .map(|n| format!("new-{n}"))
        .collect();
    assert_eq!(threads, new);
    assert_eq!(runs, new);
}

/// Each value that is not a time, in each SQLite age-policy column: exit 1 naming the table,
/// the row's key and the column, and nothing deleted by any policy (old rows of every policy
/// are there to be deleted).
#[test]
fn sqlite_values_that_are_not_times_refuse_the_run() {
    let db = TestDb::sqlite();
    if setup(&db).is_none() {
        return;
    }
    let old = "'2020-01-01 00:00:00'";
    for (slot, prefix) in AGENTDB_SLOTS
        .iter()
        .copied()
        .chain([(Slot::AdkSession, "as")])
    {
        insert(&db, slot, &format!("{prefix}:old"), old);
    }
    let counts = || {
        db.strings(
            "SELECT (SELECT count(*) FROM threads) || '/' || (SELECT count(*) FROM runs) || '/' || (SELECT count(*) FROM sessions) || '/' || (SELECT count(*) FROM events) AS v",
        )
    };
    let before = counts();
    let cases: Vec<(Slot, &str, &str, &str)> = vec![
        (
            Slot::ThreadUpdated,
            "threads",
            "updated_at",
            "tenant_id=t, id=bad",
        ),
        (
            Slot::ThreadLastMessage,
            "threads",
            "last_message_at",
            "tenant_id=t, id=bad",
        ),
        (
            Slot::RunFinished,
            "runs",
            "finished_at",
            "tenant_id=t, id=bad",
        ),
        (
            Slot::RunCreated,
            "runs",
            "created_at",
            "tenant_id=t, id=bad",
        ),
        (
            Slot::AdkSession,
            "sessions",
            "update_time",
            "app_name=app, user_id=u, id=bad",
        ),
    ];
    for (slot, table, column, key) in cases {
        for value in NOT_TIMES {
            // Text that looks like a number becomes a number (an epoch) in ADK's DATETIME
            // column, which is a time there.
            if matches!(slot, Slot::AdkSession) && value == "'2461000.5'" {
                continue;
            }
            insert(&db, slot, "bad", value);
            let out = prune(&db, &["--yes"]);
            let err = stderr_of(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{table}.{column} = {value}: {err}"
            );
            assert!(
                err.contains(&format!("{table} row ({key}) has {column}"))
                    && err.contains("not a time")
                    && err.contains("nothing deleted")
                    && err.to_lowercase().contains(&value.to_lowercase()),
                "{table}.{column} = {value}: {err}"
            );
            assert_eq!(
                counts(),
                before_with_bad(&before, slot),
                "{table}.{column} = {value}"
            );
            let (t, k) = match slot {
                Slot::ThreadUpdated | Slot::ThreadLastMessage => ("threads", "id"),
                Slot::RunFinished | Slot::RunCreated => ("runs", "id"),
                Slot::AdkSession => ("sessions", "id"),
            };
            db.exec(&format!("DELETE FROM {t} WHERE {k} = 'bad'"));
        }
    }
    // Without the bad rows, the same run deletes the old ones.
    let out = prune(&db, &["--yes"]);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(json_of(&out)["total_deleted"].as_i64(), Some(5));
}

/// The counts with one extra row in the slot's table.
fn before_with_bad(before: &[String], slot: Slot) -> Vec<String> {
    let mut parts: Vec<i64> = before[0].split('/').map(|n| n.parse().unwrap()).collect();
    match slot {
        Slot::ThreadUpdated | Slot::ThreadLastMessage => parts[0] += 1,
        Slot::RunFinished | Slot::RunCreated => parts[1] += 1,
        Slot::AdkSession => parts[2] += 1,
    }
    vec![parts
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("/")]
}

/// PostgreSQL: agentdb's `timestamptz` columns and ADK's naive-UTC `timestamp` (and the
/// `timestamptz` some ADK 1.x installs altered it to), under database TimeZones east and
/// west of UTC: seconds old stays, two hours or years old goes, whatever the TimeZone.
#[test]
fn postgres_naive_utc_and_timestamptz_under_any_timezone() {
    for zone in ["Asia/Tokyo", "America/New_York"] {
        for adk_type in ["timestamp", "timestamptz"] {
            let Some(db) = TestDb::postgres() else {
                return;
            };
            if setup(&db).is_none() {
                return;
            }
            let name = db.pg_name().unwrap().to_string();
            db.exec(&format!(
                "ALTER DATABASE \"{name}\" SET timezone TO '{zone}'"
            ));
            if adk_type == "timestamptz" {
                db.exec(
                    "ALTER TABLE sessions ALTER COLUMN update_time TYPE timestamptz USING update_time AT TIME ZONE 'UTC';
                     ALTER TABLE sessions ALTER COLUMN create_time TYPE timestamptz USING create_time AT TIME ZONE 'UTC'",
                );
            }
            let mut expected = Vec::new();
            for (age, interval, old) in [
                ("secs", "5 seconds", false),
                ("hours", "2 hours", true),
                ("years", "3 years", true),
            ] {
                let instant = format!("(now() - interval '{interval}')");
                // What ADK writes into `timestamp`: the UTC wall clock.
                let adk_value = if adk_type == "timestamp" {
                    format!("({instant} AT TIME ZONE 'UTC')")
                } else {
                    instant.clone()
                };
                for (slot, prefix) in AGENTDB_SLOTS {
                    let id = format!("{prefix}:{age}");
                    insert(&db, slot, &id, &instant);
                    expected.push((slot, id, old));
                }
                let id = format!("as:{age}");
                insert(&db, Slot::AdkSession, &id, &adk_value);
                expected.push((Slot::AdkSession, id, old));
            }
            let out = prune(&db, &["--yes"]);
            assert!(
                out.status.success(),
                "{zone} {adk_type}: {}",
                stderr_of(&out)
            );
            for (slot, id, old) in &expected {
                assert_eq!(
                    present(&db, *slot, id),
                    !old,
                    "{zone}, ADK {adk_type}: {id} ({})",
                    if *old { "old, kept" } else { "recent, deleted" }
                );
            }
            // ADK's own session (written by the real service seconds ago) stays.
            assert!(present(&db, Slot::AdkSession, "s0"), "{zone} {adk_type}");
        }
    }
}

/// The UUIDv6 LangGraph gives a checkpoint saved at `t` (clock sequence and node fixed).
fn uuid6(t: SystemTime) -> String {
    let ticks = (t.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() / 100) as u64
        + 0x01B2_1DD2_1381_4000;
    format!(
        "{:08x}-{:04x}-6{:03x}-8123-0123456789ab",
        (ticks >> 28) & 0xffff_ffff,
        (ticks >> 12) & 0xffff,
        ticks & 0xfff
    )
}

/// LangGraph dates a checkpoint by its id (a UUIDv6): a thread whose newest id is seconds old
/// stays, hours or years old goes; a thread whose greatest id is no lowercase UUIDv6 (a
/// UUIDv4, upper case, free text) refuses the run and nothing is deleted.
fn checkpoint_ids(db: TestDb) {
    let kind = if db.kind == Kind::Postgres {
        "postgres"
    } else {
        "sqlite"
    };
    if run_script_ok("langgraph_checkpoint.py", &[kind, &db.url], &[]).is_none() {
        return;
    }
    // Copies of the real saver's row, under other threads and ids.
    let copy = |thread: &str, id: &str| {
        db.exec(&format!(
            "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata) \
             SELECT '{thread}', checkpoint_ns, '{id}', NULL, type, checkpoint, metadata FROM checkpoints WHERE thread_id = 'drift-test'"
        ))
    };
    let now = SystemTime::now();
    copy("secs", &uuid6(now - Duration::from_secs(5)));
    copy("hours", &uuid6(now - Duration::from_secs(7200)));
    copy("years", &uuid6(now - Duration::from_secs(3 * 365 * 86400)));
    let threads = || db.strings("SELECT DISTINCT thread_id AS v FROM checkpoints ORDER BY 1");
    let run = || {
        db.cmd()
            .args(["prune", "--yes", "--checkpoint-threads-older-than", "1h"])
            .output()
            .unwrap()
    };
    for bad in [
        "f47ac10b-58cc-4372-a567-0e02b2c3d479".to_string(),
        uuid6(now).to_uppercase(),
        "checkpoint-1".to_string(),
    ] {
        copy("bad", &bad);
        let before = threads();
        let out = run();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{bad}: {err}");
        assert!(
            err.contains("checkpoints row (thread_id=bad) has checkpoint_id") && err.contains(&bad),
            "{bad}: {err}"
        );
        assert_eq!(threads(), before, "{bad}: nothing deleted");
        db.exec("DELETE FROM checkpoints WHERE thread_id = 'bad'");
    }
    let out = run();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(threads(), vec!["drift-test", "secs"]);
}

#[test]
fn checkpoint_ids_sqlite() {
    checkpoint_ids(TestDb::sqlite());
}

#[test]
fn checkpoint_ids_postgres() {
    if let Some(db) = TestDb::postgres() {
        checkpoint_ids(db);
    }
}

/// `prune --adk-events-keep N` keeps the newest N events of a session by the instant each
/// holds, whatever form it is in: one session holds the real `DatabaseSessionService`'s events
/// and copies of one of them whose `timestamp` is SQLAlchemy text, `T…Z`, offsets east and west
/// and `SqliteSessionService`'s REAL and INTEGER epochs (SQLite) or typed times (PostgreSQL),
/// in an order where text or type order is not time order. Equal instants are broken by id.
fn keep_newest_by_instant(db: TestDb) {
    db.cmd().arg("migrate").assert().success();
    if run_script_ok("adk_sessions.py", &["populate", &db.url, "2", "2"], &[]).is_none() {
        return;
    }
    let sqlite = db.kind == Kind::Sqlite;
    // (id, the value: SQLite as written, PostgreSQL the same instant as ADK's naive UTC),
    // newest first; ev-b and ev-b2 hold the same instant.
    let events: [(&str, &str, &str); 7] = [
        (
            "ev-f",
            "'2025-06-01 13:00:00.5-05:00'",
            "2025-06-01 18:00:00.5",
        ),
        ("ev-c", "1748786400.25", "2025-06-01 14:00:00.25"),
        (
            "ev-b2",
            "'2025-06-01 12:00:00.000000'",
            "2025-06-01 12:00:00",
        ),
        (
            "ev-b",
            "'2025-06-01 12:00:00.000000'",
            "2025-06-01 12:00:00",
        ),
        ("ev-d", "'2025-06-01T16:00:00+05:00'", "2025-06-01 11:00:00"),
        ("ev-a", "'2025-06-01T10:00:00Z'", "2025-06-01 10:00:00"),
        ("ev-e", "1748768400", "2025-06-01 09:00:00"),
    ];
    for (id, lite, pg) in events {
        let value = if sqlite {
            lite.to_string()
        } else {
            format!("TIMESTAMP '{pg}'")
        };
        db.exec(&format!(
            "INSERT INTO events (id, app_name, user_id, session_id, invocation_id, timestamp, event_data) \
             SELECT '{id}', app_name, user_id, session_id, invocation_id, {value}, event_data \
             FROM events WHERE session_id = 's0' ORDER BY id LIMIT 1"
        ));
    }
    if sqlite {
        let kinds = db.strings(
            "SELECT DISTINCT typeof(timestamp) AS v FROM events WHERE session_id = 's0' ORDER BY 1",
        );
        assert_eq!(kinds, ["integer", "real", "text"], "the forms are mixed");
    }
    let real = db.strings("SELECT id AS v FROM events WHERE id NOT LIKE 'ev-%' ORDER BY id");
    assert_eq!(real.len(), 4, "ADK wrote two events in each session");
    let out = db
        .cmd()
        .args([
            "--format",
            "json",
            "prune",
            "--yes",
            "--adk-events-keep",
            "5",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(json_of(&out)["total_deleted"].as_i64(), Some(4));
    let kept = db.strings(
        "SELECT id AS v FROM events WHERE session_id = 's0' AND id LIKE 'ev-%' ORDER BY id",
    );
    assert_eq!(
        kept,
        ["ev-b2", "ev-c", "ev-f"],
        "the newest by instant stay"
    );
    // ADK's own events (seconds old, the newest) and the session under the limit stay.
    assert_eq!(
        db.strings("SELECT id AS v FROM events WHERE id NOT LIKE 'ev-%' ORDER BY id"),
        real
    );
}

both_backends!(adk_events_keep_orders_by_instant, |db| {
    keep_newest_by_instant(db)
});
