//! Crash atomicity: `kill -9` at random moments of `import-configs` and `migrate` leaves the old
//! state or the new one, never a third, and a database that passes its integrity check.
//!
//! Run the large rounds with `AGENTDB_SOAK=1 cargo test --locked --test NAME -- --nocapture`;
//! each test prints a `reliability:` line with its figures (README "Guarantees" quotes them).

mod common;

use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use common::reliability::*;
use common::*;

fn kill_after(mut cmd: StdCommand, delay: Duration) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    let finished = child.try_wait().unwrap().is_some();
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    !finished
}

both_backends!(
    kill_9_during_import_of_10000_files_leaves_all_or_nothing,
    |db| {
        assert!(run(migrate_cmd(&db)).status.success());
        let mut c = db.std_cmd();
        c.args(["init-tenant"]);
        assert!(run(c).status.success());
        let dir = db.dir.path().join("many");
        let token = gmail_like();
        for i in 0..10_000 {
            write_file(
                &dir,
                &format!("user_{i:05}_token.json"),
                token.replace("IDX", &i.to_string()),
            );
        }
        let import = || {
            let mut c = db.std_cmd();
            c.args(["-q", "import-configs"]).arg(&dir);
            c
        };
        // One whole run tells how long an import takes here.
        let started = Instant::now();
        assert!(run(import()).status.success());
        let full = started.elapsed();
        assert_eq!(
            db.scalar("SELECT count(*) AS v FROM tenant_configs"),
            10_000
        );
        let n = rounds(20, 100);
        let mut killed = 0;
        for round in 0..n {
            db.exec("DELETE FROM tenant_configs");
            let delay = Duration::from_micros(random_below(full.as_micros() as u64 * 11 / 10));
            killed += kill_after(import(), delay) as usize;
            let count = db.scalar("SELECT count(*) AS v FROM tenant_configs");
            assert!(
                count == 0 || count == 10_000,
                "round {round}: {count} rows after kill -9 at {delay:?}"
            );
            integrity_ok(&db);
            let out = run(import());
            assert!(
                out.status.success(),
                "round {round}: re-run failed: {}",
                stderr_of(&out)
            );
            assert_eq!(
                db.scalar("SELECT count(*) AS v FROM tenant_configs"),
                10_000
            );
        }
        eprintln!("reliability: kill -9 during import of 10,000 files {:?}: {n} rounds ({killed} killed mid-run, import takes {full:?}), all-or-nothing held, re-runs completed, 0 failures", db.kind);
    }
);

both_backends!(kill_9_during_migrate_leaves_old_or_new_schema, |db| {
    let kind = db.kind;
    drop(db);
    // How long a fresh migrate takes here (the fastest of three, so most kills land mid-run).
    let full = (0..3)
        .map(|_| {
            let probe = TestDb::new(kind).unwrap();
            let started = Instant::now();
            assert!(run(migrate_cmd(&probe)).status.success());
            started.elapsed()
        })
        .min()
        .unwrap();
    let n = rounds(20, 100);
    let mut killed = 0;
    for round in 0..n {
        let fresh = TestDb::new(kind).unwrap();
        let delay = Duration::from_micros(random_below(full.as_micros() as u64 * 12 / 10));
        killed += kill_after(migrate_cmd(&fresh), delay) as usize;
        let applied = fresh.applied_versions().len();
        let ours = fresh
            .tables()
            .iter()
            .filter(|t| !t.starts_with("__"))
            .count();
        assert!(
            (applied == 0 && ours == 0) || (applied == versions() && ours == 6),
            "round {round}: {applied} versions and {ours} tables after kill -9 at {delay:?}"
        );
        if fresh.kind == Kind::Sqlite && fresh.path().exists() {
            integrity_ok(&fresh);
        }
        let out = run(migrate_cmd(&fresh));
        assert!(out.status.success(), "round {round}: {}", stderr_of(&out));
        assert_eq!(fresh.applied_versions().len(), versions());
    }
    eprintln!("reliability: kill -9 during migrate {kind:?}: {n} rounds ({killed} killed mid-run, migrate takes {full:?}), old-or-new schema held, 0 failures");
});
