//! `agentdb prune`'s confirmation binds the run (issue 17, point 3): the cut-offs are taken
//! once, before counting, so the run deletes at most what the prompt showed. A thread that
//! becomes old while the prompt waits, and an ADK event written meanwhile (which would push
//! one more out of a keep-N window), wait for the next run. On a pseudo-terminal, on both
//! backends.

mod common;

use std::time::{Duration, Instant};

use common::python::run_script_ok;
use common::*;

fn events(db: &TestDb) -> i64 {
    db.scalar("SELECT count(*) AS v FROM events WHERE session_id = 's0'")
}

fn has_thread(db: &TestDb, id: &str) -> bool {
    db.scalar(&format!(
        "SELECT count(*) AS v FROM threads WHERE id = '{id}'"
    )) == 1
}

both_backends!(the_run_deletes_at_most_what_the_prompt_showed, |db| {
    if !terminal_available() {
        return;
    }
    db.cmd().arg("migrate").assert().success();
    // ADK's tables and session s0 with 3 events, by the real DatabaseSessionService.
    if run_script_ok("adk_sessions.py", &["populate", &db.url, "1", "3"], &[]).is_none() {
        return;
    }
    let (years_ago, edge, now_utc, old_enough) = match db.kind {
        Kind::Sqlite => (
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 years')",
            // One hour ago, less one second: not old yet when the prompt is shown.
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour', '+1 seconds')",
            "strftime('%Y-%m-%d %H:%M:%f', 'now')",
            "julianday(updated_at) < julianday('now', '-1 hour', '-0.2 seconds')",
        ),
        Kind::Postgres => (
            "now() - interval '3 years'",
            "clock_timestamp() - interval '1 hour' + interval '1 second'",
            "clock_timestamp() AT TIME ZONE 'UTC'",
            "updated_at < clock_timestamp() - interval '1 hour 200 milliseconds'",
        ),
    };
    db.exec(&format!(
        "INSERT INTO tenants (id, name) VALUES ('t', 'T');
         INSERT INTO threads (tenant_id, id, updated_at) VALUES ('t', 'old', {years_ago})"
    ));
    assert_eq!(events(&db), 3);
    let line = format!(
        "{} -d {} prune --threads-older-than 1h --adk-events-keep 2",
        agentdb_word(),
        shell_quote(&db.url)
    );
    let out = pty::answer_after(
        db.dir.path(),
        &line,
        "Continue? [y/N]",
        || {
            // While the prompt waits: a thread that turns one hour old, and a new event.
            db.exec(&format!(
                "INSERT INTO threads (tenant_id, id, updated_at) VALUES ('t', 'edge', {edge});
                 INSERT INTO events (id, app_name, user_id, session_id, invocation_id, \"timestamp\", event_data)
                   VALUES ('late', 'app', 'u', 's0', 'inv-late', {now_utc}, '{{}}')"
            ));
            // Wait (on the database's clock) until 'edge' is past the age, so a cut-off
            // taken after the answer would select it.
            let deadline = Instant::now() + Duration::from_secs(30);
            while db.scalar(&format!(
                "SELECT count(*) AS v FROM threads WHERE id = 'edge' AND {old_enough}"
            )) == 0
            {
                assert!(Instant::now() < deadline, "the clock did not move");
                std::thread::sleep(Duration::from_millis(50));
            }
        },
        "y\n",
    );
    let shown = stdout_of(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("This deletes 2 row(s)") && shown.contains("events 1, threads 1"),
        "{shown}"
    );
    assert!(!has_thread(&db, "old"), "the old thread went");
    assert!(
        has_thread(&db, "edge"),
        "a thread that became old after the prompt waits"
    );
    assert_eq!(
        events(&db),
        3,
        "one event deleted of the 3 counted; the late one kept"
    );
    assert_eq!(
        db.scalar("SELECT count(*) AS v FROM events WHERE id = 'late'"),
        1
    );
});

// A policy without an age binds too: a thread marked deleted while the prompt waits is not
// among what the prompt showed, so it waits for the next run.
both_backends!(a_thread_marked_deleted_after_the_prompt_waits, |db| {
    if !terminal_available() {
        return;
    }
    db.cmd().arg("migrate").assert().success();
    db.exec(
        "INSERT INTO tenants (id, name) VALUES ('t', 'T');
         INSERT INTO threads (tenant_id, id, status) VALUES ('t', 'gone', 'deleted'), ('t', 'later', 'active');",
    );
    let line = format!(
        "{} -d {} prune --threads-status deleted",
        agentdb_word(),
        shell_quote(&db.url)
    );
    let out = pty::answer_after(
        db.dir.path(),
        &line,
        "Continue? [y/N]",
        || db.exec("UPDATE threads SET status = 'deleted' WHERE id = 'later'"),
        "y\n",
    );
    let shown = stdout_of(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("This deletes 1 row(s)"), "{shown}");
    assert!(!has_thread(&db, "gone"));
    assert!(
        has_thread(&db, "later"),
        "not shown, so not deleted: {shown}"
    );
    // The next run deletes it.
    db.cmd()
        .args(["prune", "--yes", "--threads-status", "deleted"])
        .assert()
        .success();
    assert!(!has_thread(&db, "later"));
});
