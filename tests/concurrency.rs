//! Concurrency: many `migrate`, `init-tenant` and `import-configs` at once on one database, on
//! both backends: one wins each step, the others wait on the lock or see it done, and the
//! result is what one run gives.
//!
//! Run the large rounds with `AGENTDB_SOAK=1 cargo test --locked --test NAME -- --nocapture`;
//! each test prints a `reliability:` line with its figures (README "Guarantees" quotes them).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use common::reliability::*;
use common::*;

both_backends!(sixteen_concurrent_migrates_per_round, |db| {
    let kind = db.kind;
    drop(db);
    let serial = {
        let reference = TestDb::new(kind).unwrap();
        assert!(run(migrate_cmd(&reference)).status.success());
        schema_of(&reference)
    };
    let n = rounds(20, 100);
    let mut processes = 0;
    for round in 0..n {
        let fresh = TestDb::new(kind).unwrap();
        let outputs = run_all(run_concurrently(16, |_| migrate_cmd(&fresh)));
        processes += outputs.len();
        for out in &outputs {
            assert!(out.status.success(), "round {round}: {}", stderr_of(out));
        }
        let applied: usize = outputs.iter().map(migrations_applied_by).sum();
        assert_eq!(
            applied,
            versions(),
            "round {round}: each migration applied exactly once"
        );
        assert_eq!(fresh.applied_versions().len(), versions());
        assert_eq!(
            schema_of(&fresh),
            serial,
            "round {round}: schema differs from a serial run"
        );
    }
    eprintln!("reliability: concurrent migrate {kind:?}: {n} rounds x 16 processes = {processes} processes, 0 failures");
});

fn overlapping_files(dir: &Path) -> Vec<PathBuf> {
    (0..60)
        .map(|i| {
            write_file(
                dir,
                &format!("cfg_{i:02}.json"),
                format!(r#"{{"token": "t{i}", "scopes": ["a", "b"]}}"#),
            )
        })
        .collect()
}

both_backends!(
    concurrent_init_tenant_and_imports_end_like_a_serial_run,
    |db| {
        let files = overlapping_files(&db.dir.path().join("cfg"));
        // A process's share: 30 of the 60 files, overlapping its neighbours'.
        let share = |i: usize| -> Vec<&PathBuf> {
            files
                .iter()
                .enumerate()
                .filter(|(f, _)| (f + i * 7) % 60 < 30)
                .map(|(_, p)| p)
                .collect()
        };
        let init = |c: &mut StdCommand| {
            c.args([
                "init-tenant",
                "--tenant-id",
                "acme",
                "--name",
                "Acme",
                "--api-key",
                SECRETS[1],
            ]);
        };
        let serial = {
            let reference = TestDb::new(db.kind).unwrap();
            assert!(run(migrate_cmd(&reference)).status.success());
            let mut c = reference.std_cmd();
            init(&mut c);
            assert!(run(c).status.success());
            for i in 0..8 {
                let mut c = reference.std_cmd();
                c.args(["import-configs", "--tenant", "acme"])
                    .args(share(i));
                assert!(run(c).status.success());
            }
            state_of(&reference)
        };
        let n = rounds(5, 50);
        for round in 0..n {
            let fresh = TestDb::new(db.kind).unwrap();
            assert!(run(migrate_cmd(&fresh)).status.success());
            for out in run_all(run_concurrently(8, |_| {
                let mut c = fresh.std_cmd();
                init(&mut c);
                c
            })) {
                assert!(
                    out.status.success(),
                    "round {round}: init-tenant: {}",
                    stderr_of(&out)
                );
            }
            for out in run_all(run_concurrently(8, |i| {
                let mut c = fresh.std_cmd();
                c.args(["import-configs", "--tenant", "acme"])
                    .args(share(i));
                c
            })) {
                assert!(
                    out.status.success(),
                    "round {round}: import-configs: {}",
                    stderr_of(&out)
                );
            }
            assert_eq!(
                state_of(&fresh),
                serial,
                "round {round}: differs from the serial run"
            );
        }
        eprintln!("reliability: concurrent init-tenant + import-configs {:?}: {n} rounds x (8 + 8) processes, final state = serial run, 0 failures", db.kind);
    }
);
