//! Every file agentdb writes appears whole or not at all, owner-only from its creation, and a
//! symlinked destination is followed (the file it names is written, the link kept). Sweeps the
//! writers: backup (both source backends), `migrate --backup`, `copy` to a new SQLite file,
//! `configs export`. Signals: tests/signals.rs.

mod common;

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::Stdio;

use common::signals::{temporaries, wait_until};
use common::*;

fn source(kind: Kind) -> Option<TestDb> {
    let db = TestDb::new(kind)?;
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.cmd().args(["-q", "init-tenant"]).assert().success();
    let dir = db.dir.path().join("cfg");
    write_file(&dir, "gmail_token.json", r#"{"token": "t"}"#);
    write_file(&dir, "google/calendar.json", r#"{"x": 1}"#);
    db.cmd()
        .args(["-q", "import-configs", "-r"])
        .arg(&dir)
        .assert()
        .success();
    Some(db)
}

/// Each writer, as (name, arguments) with `DEST` standing for the destination.
fn writers(db: &TestDb) -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("backup", vec!["backup".into(), "DEST".into()]),
        (
            "copy --to",
            vec![
                "copy".into(),
                "--from".into(),
                db.url.clone(),
                "--to".into(),
                "DEST".into(),
            ],
        ),
        (
            "configs export",
            vec!["configs".into(), "export".into(), "DEST".into()],
        ),
    ]
}

fn run_writer(db: &TestDb, args: &[String], dest: &Path) -> std::process::Output {
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a == "DEST" {
                dest.to_str().unwrap().to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    db.cmd().arg("-q").args(&args).output().unwrap()
}

/// A dangling symlink as destination: the file (or folder) it names is created, owner-only,
/// and the link stays a link to it.
fn dangling_symlinks_are_followed(kind: Kind) {
    let Some(db) = source(kind) else {
        return;
    };
    for (name, args) in writers(&db) {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        let real = dir.path().join("elsewhere/real");
        symlink(&real, &link).unwrap();
        let out = run_writer(&db, &args, &link);
        assert!(out.status.success(), "{name}: {}", stderr_of(&out));
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "{name}: the link was replaced"
        );
        assert_eq!(std::fs::read_link(&link).unwrap(), real, "{name}");
        assert!(real.exists(), "{name}: nothing at the link's target");
        let expected = if name == "configs export" {
            0o700
        } else {
            0o600
        };
        assert_eq!(mode_of(&real), expected, "{name}");
        assert_eq!(
            temporaries(real.parent().unwrap()),
            Vec::<String>::new(),
            "{name}"
        );
        if name == "configs export" {
            assert_eq!(mode_of(&real.join("gmail_token.json")), 0o600);
            assert!(real.join("google/calendar.json").exists());
        } else {
            // A whole database: agentdb reads it.
            let out = agentdb(dir.path())
                .args(["-q", "-d", real.to_str().unwrap(), "status", "--check"])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr_of(&out));
        }
        // Again: the destination exists now, so backup and export refuse and change nothing;
        // copy copies into the existing database, which is not empty: refused.
        let before = std::fs::read_link(&link).unwrap();
        let out = run_writer(&db, &args, &link);
        assert!(
            !out.status.success(),
            "{name}: overwrote an existing destination"
        );
        assert_eq!(std::fs::read_link(&link).unwrap(), before);
        assert_eq!(
            temporaries(real.parent().unwrap()),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

#[test]
fn dangling_symlinks_are_followed_sqlite() {
    dangling_symlinks_are_followed(Kind::Sqlite);
}

#[test]
fn dangling_symlinks_are_followed_postgres() {
    dangling_symlinks_are_followed(Kind::Postgres);
}

/// A failure after the temporary was created leaves nothing at PATH and no temporary: the
/// destination is on a 1 MB tmpfs that the backup of a larger database fills.
#[test]
fn a_failed_backup_leaves_nothing_at_path() {
    let db = TestDb::sqlite();
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.exec(&include_str!("sql/copy_fixture_sqlite.sql").replace(":MESSAGES", "20000"));
    let mount = tempfile::tempdir().unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(mount.path())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("a_failed_backup_leaves_nothing_at_path: mount refused (not root?): skipped");
        return;
    }
    let dest = mount.path().join("bk.db");
    let out = db
        .cmd()
        .args(["backup", dest.to_str().unwrap()])
        .output()
        .unwrap();
    let listing = temporaries(mount.path());
    let exists = dest.exists();
    let _ = std::process::Command::new("umount")
        .arg(mount.path())
        .status();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("nothing was kept there"),
        "{}",
        stderr_of(&out)
    );
    assert!(!exists, "a file was left at PATH");
    assert_eq!(listing, Vec::<String>::new());
}

/// The temporary file is owner-only from the moment it exists (seen while a backup of a
/// PostgreSQL database is being written into it).
#[test]
fn the_temporary_is_owner_only_from_creation() {
    let Some(db) = TestDb::postgres() else {
        return;
    };
    let sqlite = TestDb::sqlite();
    sqlite.cmd().args(["-q", "migrate"]).assert().success();
    sqlite.exec(&include_str!("sql/copy_fixture_sqlite.sql").replace(":MESSAGES", "20000"));
    sqlite
        .cmd()
        .args(["-q", "copy", "--from", &sqlite.url, "--to", &db.url])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("bk.db");
    let mut child = db
        .std_cmd()
        .args(["-q", "backup", dest.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut modes = Vec::new();
    let seen = wait_until(&mut child, || {
        for name in temporaries(dir.path()) {
            if let Ok(meta) = std::fs::metadata(dir.path().join(&name)) {
                modes.push((name, meta.permissions().mode() & 0o777));
            }
        }
        !modes.is_empty()
    });
    assert!(child.wait().unwrap().success());
    assert!(seen, "the temporary file was never seen");
    for (name, mode) in &modes {
        assert!(name.starts_with(".bk.db.agentdb-tmp-"), "{name}");
        assert_eq!(*mode & 0o077, 0, "{name} mode {mode:o}");
    }
    assert_eq!(mode_of(&dest), 0o600);
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
}

/// `migrate --backup` goes through the same writer: to a dangling symlink it writes the
/// link's target, whole and owner-only, and keeps the link.
#[test]
fn migrate_backup_uses_the_same_writer() {
    let db = TestDb::sqlite();
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.cmd().args(["-q", "init-tenant"]).assert().success();
    db.cmd()
        .args(["-q", "rollback", "--steps", "1"])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("pre.db");
    symlink("sub/pre-real.db", &link).unwrap();
    let out = db
        .cmd()
        .args(["-q", "migrate", &format!("--backup={}", link.display())])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let real = dir.path().join("sub/pre-real.db");
    assert_eq!(mode_of(&real), 0o600);
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(temporaries(&dir.path().join("sub")), Vec::<String>::new());
    let backup = TestDb::sqlite_at(real.to_str().unwrap());
    assert_eq!(backup.scalar("SELECT count(*) AS v FROM tenants"), 1);
}
