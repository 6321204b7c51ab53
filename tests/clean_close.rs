//! The clean close (issue 18): every command closes its SQLite connection before the process
//! exits, so SQLite's last close checkpoints the WAL and removes the `-wal` and `-shm` files.
//! Before, r2d2's worker thread could still hold the pool when a short command ended, and the
//! connection was never closed (16 of 20 `status` runs left both files on a loaded machine).

mod common;

use common::read_only::side_file;
use common::{std_agentdb, stderr_of, write_file, TestDb};

#[test]
fn sqlite_commands_leave_no_wal_or_shm_behind() {
    let db = TestDb::sqlite();
    let configs = db.dir.path().join("configs");
    write_file(&configs, "gmail_token.json", r#"{"token": "t"}"#);
    let export = db.dir.path().join("export");
    let configs = configs.to_str().unwrap().to_string();
    let backup = |i: usize| {
        db.dir
            .path()
            .join(format!("backup-{i}.db"))
            .to_str()
            .unwrap()
            .to_string()
    };
    // Writers and readers, each several times: the race this guards against is one of timing.
    let mut runs = 0;
    for round in 0..4 {
        let export_dir = export.join(round.to_string());
        let commands: Vec<Vec<String>> = vec![
            vec!["migrate".into()],
            vec!["init-tenant".into()],
            vec!["import-configs".into(), configs.clone()],
            vec!["status".into()],
            vec!["stats".into()],
            vec!["health".into()],
            vec!["tenants".into(), "list".into()],
            vec!["configs".into(), "list".into()],
            vec![
                "configs".into(),
                "export".into(),
                export_dir.to_str().unwrap().into(),
            ],
            vec!["backup".into(), backup(round)],
            vec![
                "prune".into(),
                "--runs-older-than".into(),
                "30d".into(),
                "--yes".into(),
            ],
        ];
        for args in commands {
            let out = std_agentdb(db.dir.path())
                .arg("-d")
                .arg(&db.url)
                .args(&args)
                .output()
                .unwrap();
            assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
            for suffix in ["-wal", "-shm"] {
                assert!(
                    !side_file(&db.path(), suffix).exists(),
                    "round {round}: `{}` left {suffix} behind",
                    args.join(" ")
                );
            }
            runs += 1;
        }
    }
    eprintln!("clean close: {runs} SQLite runs, no -wal/-shm left");
}
