//! A dry run changes nothing: `prune --dry-run`, `import-configs --dry-run` and
//! `rollback --dry-run` write only in transactions they roll back, and leave a SQLite file with
//! the bytes, journal mode and side files they found (a rollback-journal file is not switched to
//! WAL), while still counting what a real run would do.

mod common;

use common::read_only::{file_state, JournalState};
use common::{json_of, std_agentdb, stderr_of, write_file, TestDb};

/// A migrated database with one tenant, an old thread a prune would delete and a config.
fn template() -> TestDb {
    let db = TestDb::sqlite();
    let out = db
        .std_cmd()
        .args(["-q", "migrate"])
        .output()
        .expect("migrate");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = db
        .std_cmd()
        .args(["-q", "init-tenant", "--tenant-id", "t1"])
        .output()
        .expect("init-tenant");
    assert!(out.status.success(), "{}", stderr_of(&out));
    db.exec(
        "INSERT INTO threads (tenant_id, id, created_at, updated_at) \
         VALUES ('t1', 'old', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')",
    );
    db
}

/// A dry run: its name, its arguments, and what its report must show.
type DryRun = (&'static str, Vec<String>, fn(&serde_json::Value) -> bool);

#[test]
fn dry_runs_leave_a_sqlite_file_as_they_found_it() {
    let template = template();
    let dir = tempfile::TempDir::new().unwrap();
    let configs = tempfile::TempDir::new().unwrap();
    write_file(configs.path(), "gmail_token.json", r#"{"token": "t"}"#);
    let config_dir = configs.path().to_str().unwrap().to_string();
    // Each dry run, and what its report must say (so the run really planned its work).
    let cases: Vec<DryRun> = vec![
        (
            "prune --dry-run",
            ["prune", "--dry-run", "--threads-older-than", "1d"]
                .map(String::from)
                .to_vec(),
            |r| r["total_deleted"] == 1,
        ),
        (
            "import-configs --dry-run",
            vec![
                "import-configs".into(),
                "--tenant".into(),
                "t1".into(),
                "--dry-run".into(),
                config_dir.clone(),
            ],
            |r| r.to_string().contains("gmail_token"),
        ),
        (
            "rollback --dry-run",
            ["rollback", "--dry-run"].map(String::from).to_vec(),
            |r| !r.to_string().is_empty(),
        ),
    ];
    let mut runs = 0;
    for state in [JournalState::Delete, JournalState::WalClean] {
        for (name, args, planned) in &cases {
            let path = dir.path().join(format!("{}-{runs}.db", state.name()));
            state.prepare(&template.path(), &path);
            let before = file_state(&path);
            let out = std_agentdb(dir.path())
                .arg("-d")
                .arg(&path)
                .args(["--format", "json"])
                .args(args)
                .output()
                .expect("agentdb");
            assert!(
                out.status.success(),
                "{name} on {}: {}",
                state.name(),
                stderr_of(&out)
            );
            let report = json_of(&out);
            assert!(planned(&report), "{name} on {}: {report}", state.name());
            assert_eq!(
                file_state(&path),
                before,
                "{name} changed a {} file",
                state.name()
            );
            runs += 1;
        }
    }
    eprintln!("dry runs: {runs} runs on SQLite files, 0 changes");
}
