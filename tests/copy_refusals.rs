//! `copy` refuses before it writes: a refused copy creates nothing (no file, no folder, no
//! migrated target), the same database under another spelling is a usage error (exit 2), and
//! copy uses only its own `--from`/`--to` (never `-d`/`DATABASE_URL`), `--wait` included.

mod common;

use std::path::Path;

use common::*;

/// A migrated SQLite database with one tenant, at `dir/name`.
fn migrated_sqlite(dir: &Path, name: &str) -> String {
    let path = dir.join(name).to_str().unwrap().to_string();
    agentdb(dir)
        .args(["-q", "-d", &path, "migrate"])
        .assert()
        .success();
    agentdb(dir)
        .args(["-q", "-d", &path, "init-tenant", "--tenant-id", "t1"])
        .assert()
        .success();
    path
}

fn sha256_of(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

/// Every way a source can be refused, each a source URL built in `dir` and the extra flags
/// of the copy; `to_postgres_only`: the reason exists only for a PostgreSQL target.
struct Refusal {
    reason: &'static str,
    source: String,
    extra: Vec<&'static str>,
    to_postgres_only: bool,
}

fn refusals(dir: &Path) -> Vec<Refusal> {
    let sqlite = |name: &str, sql: &str| {
        let path = migrated_sqlite(dir, name);
        if !sql.is_empty() {
            TestDb::sqlite_at(&path).exec(sql);
        }
        path
    };
    let empty = dir.join("empty.db");
    std::fs::File::create(&empty).unwrap();
    let garbage = write_file(dir, "garbage.db", "this is not a SQLite database at all\n");
    std::fs::create_dir_all(dir.join("folder.db")).unwrap();
    let adk_legacy = sqlite(
        "adk0.db",
        "CREATE TABLE app_states (app_name TEXT PRIMARY KEY);
         CREATE TABLE user_states (app_name TEXT, user_id TEXT);
         CREATE TABLE sessions (app_name TEXT, user_id TEXT, id TEXT);
         CREATE TABLE events (id TEXT, actions BLOB);",
    );
    let p = |path: &Path| path.to_str().unwrap().to_string();
    vec![
        Refusal {
            reason: "no agentdb schema (an empty database)",
            source: p(&empty),
            extra: vec![],
            to_postgres_only: false,
        },
        Refusal {
            reason: "schema not up to date (a migration pending)",
            source: sqlite(
                "behind.db",
                "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
            ),
            extra: vec![],
            to_postgres_only: false,
        },
        Refusal {
            reason: "a migration this agentdb does not know",
            source: sqlite(
                "newer.db",
                "INSERT INTO __diesel_schema_migrations (version) VALUES ('99991231000001')",
            ),
            extra: vec![],
            to_postgres_only: false,
        },
        Refusal {
            reason: "sqlite::memory:",
            source: "sqlite::memory:".into(),
            extra: vec![],
            to_postgres_only: false,
        },
        Refusal {
            reason: "unreadable: not a SQLite database",
            source: p(&garbage),
            extra: vec![],
            to_postgres_only: false,
        },
        Refusal {
            reason: "unreadable: a folder",
            source: p(&dir.join("folder.db")),
            extra: vec![],
            to_postgres_only: false,
        },
        Refusal {
            reason: "missing source file",
            source: p(&dir.join("missing.db")),
            extra: vec![],
            to_postgres_only: false,
        },
        Refusal {
            reason: "a tenant the source does not have",
            source: sqlite("tenant.db", ""),
            extra: vec!["--tenant", "nobody"],
            to_postgres_only: false,
        },
        Refusal {
            reason: "--include adk without ADK's tables",
            source: sqlite("noadk.db", ""),
            extra: vec!["--include", "agentdb,adk"],
            to_postgres_only: false,
        },
        Refusal {
            reason: "--include adk with ADK's legacy schema 0",
            source: adk_legacy,
            extra: vec!["--include", "agentdb,adk"],
            to_postgres_only: false,
        },
        Refusal {
            reason: "--include langgraph without the saver's tables",
            source: sqlite("nolg.db", ""),
            extra: vec!["--include", "agentdb,langgraph"],
            to_postgres_only: false,
        },
        Refusal {
            reason: "NUL in text, which PostgreSQL cannot store",
            source: sqlite(
                "nul.db",
                "UPDATE tenants SET name = 'a' || char(0) || 'b' WHERE id = 't1'",
            ),
            extra: vec![],
            to_postgres_only: true,
        },
    ]
}

both_backends!(
    a_refused_copy_creates_nothing_on_either_target_backend,
    |kind: Kind| {
        let sources = tempfile::TempDir::new().unwrap();
        let cases = refusals(sources.path());
        for case in &cases {
            if case.to_postgres_only && kind == Kind::Sqlite {
                continue;
            }
            let Some(target) = TestDb::new(kind) else {
                return;
            };
            // A SQLite target in a folder that does not exist yet: neither may appear.
            let to = match kind {
                Kind::Sqlite => target
                    .dir
                    .path()
                    .join("new-folder/copy.db")
                    .to_str()
                    .unwrap()
                    .to_string(),
                Kind::Postgres => target.url.clone(),
            };
            let out = agentdb(sources.path())
                .args(["copy", "--from", &case.source, "--to", &to])
                .args(&case.extra)
                .output()
                .unwrap();
            let code = out.status.code();
            assert!(
                code == Some(1) || code == Some(2),
                "{kind:?} / {}: exit {code:?}\n{}",
                case.reason,
                stderr_of(&out)
            );
            match kind {
                Kind::Sqlite => assert!(
                    !target.dir.path().join("new-folder").exists(),
                    "{}: the refused copy left {:?}",
                    case.reason,
                    std::fs::read_dir(target.dir.path())
                        .unwrap()
                        .map(|e| e.unwrap().file_name())
                        .collect::<Vec<_>>()
                ),
                Kind::Postgres => assert_eq!(
                    target.tables(),
                    Vec::<String>::new(),
                    "{}: the refused copy migrated the target\n{}",
                    case.reason,
                    stderr_of(&out)
                ),
            }
        }
    }
);

/// The spellings of one SQLite file, relative to the folder agentdb runs in, which holds
/// `x.db` (and `sub/`).
fn spellings_of_x(dir: &Path) -> Vec<String> {
    let abs = dir.join("x.db").to_str().unwrap().to_string();
    std::os::unix::fs::symlink("x.db", dir.join("link.db")).unwrap();
    std::os::unix::fs::symlink(&abs, dir.join("abs-link.db")).unwrap();
    std::fs::hard_link(dir.join("x.db"), dir.join("hard.db")).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    vec![
        "./x.db".into(),
        abs.clone(),
        "sub/../x.db".into(),
        "sqlite:///x.db".into(),
        "sqlite:x.db".into(),
        "sqlite+aiosqlite:///./x.db".into(),
        format!("sqlite:///{abs}"),
        "link.db".into(),
        "abs-link.db".into(),
        "hard.db".into(),
    ]
}

#[test]
fn the_same_sqlite_file_under_another_spelling_is_refused_with_exit_2() {
    let dir = tempfile::TempDir::new().unwrap();
    let x = migrated_sqlite(dir.path(), "x.db");
    let before = sha256_of(Path::new(&x));
    for spelling in spellings_of_x(dir.path()) {
        for (from, to) in [("x.db", spelling.as_str()), (spelling.as_str(), "x.db")] {
            let out = agentdb(dir.path())
                .args(["copy", "--from", from, "--to", to])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(2),
                "--from {from} --to {to}: {}",
                stderr_of(&out)
            );
            assert!(
                stderr_of(&out).contains("the same database"),
                "{from} {to}: {}",
                stderr_of(&out)
            );
        }
        // backup onto the live file under that spelling (a path, not a URL): refused, saying why.
        if !spelling.starts_with("sqlite") {
            let out = agentdb(dir.path())
                .args(["-d", "x.db", "backup", &spelling])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(2),
                "{spelling}: {}",
                stderr_of(&out)
            );
            assert!(
                stderr_of(&out).contains("is the database itself"),
                "backup {spelling}: {}",
                stderr_of(&out)
            );
        }
    }
    assert_eq!(sha256_of(Path::new(&x)), before, "x.db was changed");
}

/// One PostgreSQL database reached by several URLs: host name vs address, parameters in
/// another order, the SQLAlchemy driver form, and through PgBouncer vs direct.
#[test]
fn the_same_postgres_database_under_another_url_is_refused_with_exit_2() {
    let Some(db) = TestDb::postgres() else { return };
    db.cmd().args(["-q", "migrate"]).assert().success();
    db.cmd()
        .args(["-q", "init-tenant", "--tenant-id", "t1"])
        .assert()
        .success();
    let name = db.pg_name().unwrap().to_string();
    let url = url::Url::parse(&db.url).unwrap();
    let port = url.port().unwrap_or(5432);
    let user = url.username().to_string();
    let mut urls = vec![
        format!("postgres://{user}@127.0.0.1:{port}/{name}?application_name=a&sslmode=disable"),
        format!("postgresql://{user}@localhost:{port}/{name}?sslmode=disable&application_name=a"),
        format!(
            "postgresql+asyncpg://{user}@localhost:{port}/{name}?prepared_statement_cache_size=0"
        ),
    ];
    let bouncer = PgBouncer::start();
    if let Some(bouncer) = &bouncer {
        urls.push(bouncer.url_for(&db));
    }
    let before = db.applied_versions();
    for (i, from) in urls.iter().enumerate() {
        let to = &urls[(i + 1) % urls.len()];
        let out = agentdb(db.dir.path())
            .args(["copy", "--from", from, "--to", to])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "--from {from} --to {to}: {}",
            stderr_of(&out)
        );
        assert!(
            stderr_of(&out).contains("the same database"),
            "{}",
            stderr_of(&out)
        );
    }
    assert_eq!(db.applied_versions(), before);
    assert_eq!(db.scalar("SELECT count(*) AS v FROM tenants"), 1);
    // Another database on the same server is not the same database.
    let Some(other) = TestDb::postgres() else {
        return;
    };
    let out = agentdb(db.dir.path())
        .args(["copy", "--from", &urls[0], "--to", &other.url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(other.scalar("SELECT count(*) AS v FROM tenants"), 1);
}

/// `-d` and `DATABASE_URL` play no part in a copy: an unaccepted one does not fail it, and
/// the global `--wait` waits for `--from` and `--to`, not for the configured database.
#[test]
fn copy_uses_only_its_own_urls_and_waits_for_them() {
    let dir = tempfile::TempDir::new().unwrap();
    let from = migrated_sqlite(dir.path(), "from.db");
    // An unrelated, unaccepted configured database: flag, environment and .env file.
    write_file(dir.path(), ".env", "DATABASE_URL=mysql://u:p@h/unrelated\n");
    for (i, (flag, env)) in [
        (Some("mysql://u:p@h/db"), None),
        (None, Some("mysql://u:p@h/db")),
        (None, None),
    ]
    .into_iter()
    .enumerate()
    {
        let to = format!("to-{i}.db");
        let mut cmd = agentdb(dir.path());
        if let Some(url) = flag {
            cmd.args(["-d", url]);
        }
        if let Some(url) = env {
            cmd.env("DATABASE_URL", url);
        }
        let out = cmd
            .args(["copy", "--from", &from, "--to", &to])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{i}: {}", stderr_of(&out));
        let copied = TestDb::sqlite_at(dir.path().join(&to).to_str().unwrap());
        assert_eq!(copied.scalar("SELECT count(*) AS v FROM tenants"), 1);
    }
    // --wait: the configured database's folder never appears; the copy does not wait for it.
    let out = agentdb(dir.path())
        .env("DATABASE_URL", "sqlite:///never/there.db")
        .args(["--wait", "30", "copy", "--from", &from, "--to", "waited.db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    // ... and it does wait for --from: a source whose folder is missing is named when the wait
    // runs out.
    let out = agentdb(dir.path())
        .args([
            "--wait",
            "0.3",
            "copy",
            "--from",
            "missing-folder/src.db",
            "--to",
            "never.db",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("missing-folder/src.db was not ready within")
            && err.contains("does not exist yet"),
        "{err}"
    );
    assert!(!dir.path().join("never.db").exists());
}

/// --wait applies to a PostgreSQL --to as well: a missing database is waited for, then named.
#[test]
fn copy_waits_for_a_postgres_target() {
    let Some(db) = TestDb::postgres() else { return };
    let dir = tempfile::TempDir::new().unwrap();
    let from = migrated_sqlite(dir.path(), "from.db");
    let missing = database_url(&db.url, &format!("{}_missing", db.pg_name().unwrap()));
    let out = agentdb(dir.path())
        .args(["--wait", "0.5", "copy", "--from", &from, "--to", &missing])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("_missing was not ready within") && err.contains("does not exist"),
        "{err}"
    );
}

/// A source the user may not read (mode 000): refused, and `--to` not created. As root, which
/// reads everything, agentdb runs as `nobody` (util-linux `setpriv`).
#[test]
fn a_source_without_read_permission_creates_no_target() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    let source = migrated_sqlite(d, "secret.db");
    std::fs::set_permissions(&source, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let out_dir = d.join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let to = out_dir.join("copy.db");
    let mut cmd = if is_root() {
        // nobody may enter the folders and write the target's, but not read the source.
        for folder in [d, out_dir.as_path()] {
            std::fs::set_permissions(folder, std::os::unix::fs::PermissionsExt::from_mode(0o777))
                .unwrap();
        }
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(assert_cmd::cargo::cargo_bin("agentdb"));
        c
    } else {
        std::process::Command::new(assert_cmd::cargo::cargo_bin("agentdb"))
    };
    let out = cmd
        .current_dir(d)
        .env_clear()
        .args(["copy", "--from", &source, "--to", to.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("secret.db"), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        0,
        "the refused copy left a file in {}",
        out_dir.display()
    );
}
