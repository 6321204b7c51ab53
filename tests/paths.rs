//! The "Paths" class: every command that takes a path, with the spellings real deployments
//! use — relative, `./`, `..`, absolute, `sqlite:///` URLs, unicode and spaces, live and
//! dangling symlinks (Kubernetes volumes are often symlinked), chains of links, a link inside a
//! linked folder — and the wrong things: a link loop, a link to a folder, a folder where a file
//! is expected, a file where a folder is expected.
//!
//! The rule: a path is resolved through its symlinks once, and agentdb acts on the file the
//! link points to, never on the link itself (as sqlite3 does; SQLite keeps `-wal`/`-shm`
//! beside the resolved file).

mod common;
#[path = "common/legacy.rs"]
mod legacy;

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use common::*;

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Every entry below `dir`, sorted, links not followed: "nothing was created" is this list
/// unchanged.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            out.push(path.strip_prefix(base).unwrap().display().to_string());
            if entry.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    // A source's -wal/-shm are SQLite's own (whether a read leaves them is the read-only
    // sources' rule, tested there).
    out.retain(|p| !p.ends_with("-wal") && !p.ends_with("-shm"));
    out.sort();
    out
}

/// One way to name a database file: what is passed to `-d`, the file agentdb must act on,
/// and the symlink that must stay a symlink (if any).
struct Spelling {
    name: &'static str,
    arg: String,
    real: PathBuf,
    link: Option<PathBuf>,
}

/// The spellings, set up in `dir` (which is also the working directory of every run).
fn spellings(dir: &Path) -> Vec<Spelling> {
    let d = |p: &str| dir.join(p);
    std::fs::create_dir_all(d("sub")).unwrap();
    // Dangling links: the file (and its folder) do not exist yet.
    symlink("data/real.db", d("rel-link.db")).unwrap();
    symlink(d("abs-target/real.db"), d("abs-link.db")).unwrap();
    symlink("chain-2.db", d("chain-1.db")).unwrap();
    symlink("chain/real.db", d("chain-2.db")).unwrap();
    // A linked volume folder: the link is a folder component, not the file.
    std::fs::create_dir_all(d("volume-real")).unwrap();
    symlink("volume-real", d("vol")).unwrap();
    // A link into a folder whose name has spaces and unicode.
    symlink("dåta bäse/ñ real.db", d("uni-link.db")).unwrap();
    let plain = |name: &'static str, arg: &str, real: &str| Spelling {
        name,
        arg: arg.to_string(),
        real: d(real),
        link: None,
    };
    let linked = |name: &'static str, arg: &str, real: PathBuf| Spelling {
        name,
        arg: arg.to_string(),
        real,
        link: Some(d(arg)),
    };
    vec![
        plain("relative", "x.db", "x.db"),
        plain("dot", "./dot.db", "dot.db"),
        plain("dotdot", "sub/../dotdot.db", "dotdot.db"),
        plain("absolute", d("abs.db").to_str().unwrap(), "abs.db"),
        plain("sqlite:///", "sqlite:///url.db", "url.db"),
        plain("unicode and spaces", "dåta bäse/ñ x.db", "dåta bäse/ñ x.db"),
        plain("linked folder", "vol/x.db", "volume-real/x.db"),
        linked("dangling relative link", "rel-link.db", d("data/real.db")),
        linked(
            "dangling absolute link",
            "abs-link.db",
            d("abs-target/real.db"),
        ),
        linked("chain of links", "chain-1.db", d("chain/real.db")),
        linked(
            "link to unicode and spaces",
            "uni-link.db",
            d("dåta bäse/ñ real.db"),
        ),
    ]
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    agentdb(dir).args(args).output().unwrap()
}

fn ok(out: &std::process::Output, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}\nstdout:\n{}\nstderr:\n{}",
        stdout_of(out),
        stderr_of(out)
    );
}

fn tenants_in(path: &Path) -> i64 {
    TestDb::sqlite_at(path.to_str().unwrap()).scalar("SELECT count(*) AS v FROM tenants")
}

/// The whole life of a database through every spelling: created (0600, at the file a link
/// points to), written, read, copied from and into (SQLite and PostgreSQL), backed up from,
/// dropped (the file and its side files go, a link stays), created and reset again.
#[test]
fn database_paths_in_every_spelling_act_on_the_real_file() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    for (i, s) in spellings(d).into_iter().enumerate() {
        let what = format!("{} ({})", s.name, s.arg);
        let a = s.arg.as_str();
        ok(&run(d, &["-q", "-d", a, "migrate"]), &what);
        assert!(s.real.is_file(), "{what}: {} not created", s.real.display());
        assert_eq!(
            mode_of(&s.real),
            0o600,
            "{what}: mode of {}",
            s.real.display()
        );
        if let Some(link) = &s.link {
            assert!(is_symlink(link), "{what}: the link was replaced");
        }
        ok(
            &run(d, &["-q", "-d", a, "init-tenant", "--tenant-id", "t1"]),
            &what,
        );
        ok(&run(d, &["-q", "-d", a, "status", "--check"]), &what);
        assert_eq!(tenants_in(&s.real), 1, "{what}");

        // copy from the spelling, to SQLite and to PostgreSQL, and backup from it.
        let copy_to = d.join(format!("copy-{i}.db"));
        let copy_to = copy_to.to_str().unwrap();
        ok(
            &run(d, &["-q", "copy", "--from", a, "--to", copy_to]),
            &what,
        );
        assert_eq!(tenants_in(Path::new(copy_to)), 1, "{what}");
        if let Some(pg) = TestDb::postgres() {
            ok(
                &run(d, &["-q", "copy", "--from", a, "--to", &pg.url]),
                &what,
            );
            assert_eq!(pg.scalar("SELECT count(*) AS v FROM tenants"), 1, "{what}");
        }
        let backup = d.join(format!("backup-{i}.db"));
        ok(
            &run(d, &["-q", "-d", a, "backup", backup.to_str().unwrap()]),
            &what,
        );
        assert_eq!(tenants_in(&backup), 1, "{what}");

        // drop: the real file and the side files beside it go; a link stays.
        let side = |suffix: &str| {
            let mut p = s.real.clone().into_os_string();
            p.push(suffix);
            PathBuf::from(p)
        };
        std::fs::write(side("-wal"), b"").unwrap();
        std::fs::write(side("-shm"), b"").unwrap();
        let out = run(d, &["-d", a, "database", "drop", "--yes"]);
        ok(&out, &what);
        assert!(
            !s.real.exists(),
            "{what}: {} survived drop",
            s.real.display()
        );
        for suffix in ["-wal", "-shm", "-journal"] {
            assert!(!side(suffix).exists(), "{what}: {suffix} survived drop");
        }
        if let Some(link) = &s.link {
            assert!(is_symlink(link), "{what}: drop removed the link");
            assert!(
                stdout_of(&out).contains("the symlink was kept"),
                "{what}: {}",
                stdout_of(&out)
            );
        }

        // create again through the spelling, then reset: same file, 0600, data gone.
        let out = run(d, &["-d", a, "database", "create"]);
        ok(&out, &what);
        if s.link.is_some() {
            assert!(
                stdout_of(&out).contains("it links to"),
                "{what}: {}",
                stdout_of(&out)
            );
        }
        assert_eq!(mode_of(&s.real), 0o600, "{what}");
        ok(&run(d, &["-q", "-d", a, "migrate"]), &what);
        ok(
            &run(d, &["-q", "-d", a, "init-tenant", "--tenant-id", "t2"]),
            &what,
        );
        ok(
            &run(d, &["-q", "-d", a, "database", "reset", "--yes"]),
            &what,
        );
        assert_eq!(tenants_in(&s.real), 0, "{what}: reset kept the data");
        assert_eq!(mode_of(&s.real), 0o600, "{what}");
        if let Some(link) = &s.link {
            assert!(is_symlink(link), "{what}: reset replaced the link");
        }
        // copy into the (migrated, empty) database through the spelling.
        ok(
            &run(d, &["-q", "copy", "--from", copy_to, "--to", a]),
            &what,
        );
        assert_eq!(tenants_in(&s.real), 1, "{what}");
    }
}

/// A legacy source (`copy --layout agentkit|adk-integration`) named in every spelling: the file
/// the spelling resolves to is read (every thread arrives), keeps its bytes, and a link stays
/// a link.
#[test]
fn legacy_sources_in_every_spelling_are_read_where_they_resolve() {
    for (layout, table) in [
        ("agentkit", "threads"),
        ("adk-integration", "new_conversations"),
    ] {
        let template = legacy::legacy_source(Kind::Sqlite, layout).unwrap();
        let threads = template.scalar(&format!("SELECT count(*) AS v FROM {table}"));
        let dir = tempfile::TempDir::new().unwrap();
        let d = dir.path();
        for (i, s) in spellings(d).into_iter().enumerate() {
            let what = format!("{layout}: {} ({})", s.name, s.arg);
            std::fs::create_dir_all(s.real.parent().unwrap()).unwrap();
            std::fs::copy(template.path(), &s.real).unwrap();
            let bytes = std::fs::read(&s.real).unwrap();
            let to = d.join(format!("imported-{i}.db"));
            let to = to.to_str().unwrap();
            ok(
                &run(
                    d,
                    &[
                        "-q", "copy", "--from", &s.arg, "--to", to, "--layout", layout, "--tenant",
                        "acme",
                    ],
                ),
                &what,
            );
            assert_eq!(
                TestDb::sqlite_at(to)
                    .scalar("SELECT count(*) AS v FROM threads WHERE tenant_id = 'acme'"),
                threads,
                "{what}"
            );
            assert_eq!(
                std::fs::read(&s.real).unwrap(),
                bytes,
                "{what}: the source changed"
            );
            if let Some(link) = &s.link {
                assert!(is_symlink(link), "{what}: the link was replaced");
            }
        }
    }
}

/// A dangling link as `--to` of a copy: the linked file is created 0600 (and its folder).
#[test]
fn copy_to_a_dangling_link_creates_the_linked_file_owner_only() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    ok(&run(d, &["-q", "-d", "src.db", "migrate"]), "source");
    symlink("restored/real.db", d.join("to.db")).unwrap();
    ok(
        &run(d, &["-q", "copy", "--from", "src.db", "--to", "to.db"]),
        "copy",
    );
    assert!(is_symlink(&d.join("to.db")));
    assert_eq!(mode_of(&d.join("restored/real.db")), 0o600);
}

/// `wait` (and `--wait`) through a dangling link waits for the folder of the file the link
/// points to (a volume still being mounted), and a loop fails at once.
#[test]
fn wait_follows_the_link_to_the_real_folder() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    symlink("volume/x.db", d.join("x.db")).unwrap();
    let out = run(d, &["-d", "x.db", "wait", "--timeout", "0.3"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("folder volume does not exist yet"),
        "{}",
        stderr_of(&out)
    );
    std::fs::create_dir_all(d.join("volume")).unwrap();
    ok(
        &run(d, &["-q", "-d", "x.db", "--wait", "5", "migrate"]),
        "wait",
    );
    assert_eq!(mode_of(&d.join("volume/x.db")), 0o600);
    symlink("loop-b.db", d.join("loop-a.db")).unwrap();
    symlink("loop-a.db", d.join("loop-b.db")).unwrap();
    let out = run(d, &["-d", "loop-a.db", "wait", "--timeout", "600"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("loop of symlinks"),
        "{}",
        stderr_of(&out)
    );
}

/// What cannot be a database file, for every command that takes a database path: exit 1, a
/// message naming the path, and nothing created, removed or followed into.
#[test]
fn database_paths_that_cannot_be_a_file_are_refused_and_nothing_is_created() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    symlink("loop-b.db", d.join("loop-a.db")).unwrap();
    symlink("loop-a.db", d.join("loop-b.db")).unwrap();
    std::fs::create_dir_all(d.join("a folder/inner")).unwrap();
    std::fs::write(d.join("a folder/keep.txt"), "keep").unwrap();
    symlink("a folder", d.join("folder-link.db")).unwrap();
    std::fs::write(d.join("a-file"), "not a folder").unwrap();
    symlink("a-file/x.db", d.join("under-file-link.db")).unwrap();
    ok(&run(d, &["-q", "-d", "good.db", "migrate"]), "good source");
    let cases: [(&str, &str); 5] = [
        ("loop-a.db", "loop of symlinks"),
        ("folder-link.db", "is a directory"),
        ("a folder", "is a directory"),
        ("a-file/x.db", "a-file"),
        ("under-file-link.db", "a-file"),
    ];
    let before = listing(d);
    for (path, message) in cases {
        let commands: Vec<Vec<&str>> = vec![
            vec!["-d", path, "migrate"],
            vec!["-d", path, "status"],
            vec!["-d", path, "database", "create"],
            vec!["-d", path, "database", "drop", "--yes"],
            vec!["-d", path, "database", "reset", "--yes"],
            vec!["-d", path, "backup", "bk.db"],
            vec!["copy", "--from", path, "--to", "copied.db"],
            vec!["copy", "--from", "good.db", "--to", path],
        ];
        for args in commands {
            let out = run(d, &args);
            // Below a file nothing can exist: dropping it is "nothing to drop", as for any
            // missing database.
            if path.contains("file") && args.contains(&"drop") {
                ok(&out, path);
                assert!(stdout_of(&out).contains("nothing to drop"));
                continue;
            }
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr_of(&out));
            let err = stderr_of(&out);
            assert!(
                err.contains(path) && err.contains(message),
                "{args:?}: wanted `{path}` and `{message}` in:\n{err}"
            );
            assert_eq!(listing(d), before, "{args:?} changed the folder");
        }
    }
}

/// `import-configs PATH`: folders and files through links, unicode and spaces, `..` and
/// absolute spellings are read; a dangling link or a file where a folder is expected is named
/// and nothing is imported.
#[test]
fn import_configs_paths() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    ok(&run(d, &["-q", "-d", "x.db", "migrate"]), "migrate");
    ok(
        &run(d, &["-q", "-d", "x.db", "init-tenant", "--tenant-id", "t1"]),
        "tenant",
    );
    write_file(d, "cfg dir/ñ/tök en.json", r#"{"a": 1}"#);
    write_file(d, "cfg dir/plain.json", r#"{"b": 2}"#);
    symlink("cfg dir", d.join("cfg-link")).unwrap();
    symlink("cfg dir/plain.json", d.join("file-link.json")).unwrap();
    symlink("nowhere", d.join("dangling.json")).unwrap();
    std::fs::create_dir_all(d.join("sub")).unwrap();
    let abs = d.join("cfg dir");
    let keys = |tenant: &str| {
        TestDb::sqlite_at(d.join("x.db").to_str().unwrap()).strings(&format!(
            "SELECT key AS v FROM tenant_configs WHERE tenant_id = '{tenant}' ORDER BY key"
        ))
    };
    for (path, want) in [
        ("cfg dir", vec!["plain", "ñ/tök en"]),
        ("cfg-link", vec!["plain", "ñ/tök en"]),
        ("sub/../cfg dir", vec!["plain", "ñ/tök en"]),
        (abs.to_str().unwrap(), vec!["plain", "ñ/tök en"]),
        ("file-link.json", vec!["file-link"]),
    ] {
        ok(&run(d, &["-q", "-d", "x.db", "tenants", "list"]), path);
        let out = run(
            d,
            &[
                "-q",
                "-d",
                "x.db",
                "import-configs",
                "--tenant",
                "t1",
                "-r",
                path,
            ],
        );
        ok(&out, path);
        let got = keys("t1");
        for key in want {
            assert!(got.iter().any(|k| k == key), "{path}: {got:?}");
        }
        TestDb::sqlite_at(d.join("x.db").to_str().unwrap()).exec("DELETE FROM tenant_configs");
    }
    for (path, named) in [
        ("dangling.json", "dangling.json"),
        ("cfg dir/plain.json/x.json", "plain.json"),
    ] {
        let out = run(
            d,
            &[
                "-d",
                "x.db",
                "import-configs",
                "--tenant",
                "t1",
                "cfg dir",
                path,
            ],
        );
        assert_eq!(out.status.code(), Some(1), "{path}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(named),
            "{path}: {}",
            stderr_of(&out)
        );
        assert_eq!(
            keys("t1"),
            Vec::<String>::new(),
            "{path}: something was imported"
        );
    }
}

/// `--env-file` and `--config-keys-file`: read through links and odd names; a dangling link or
/// a folder is named (and a key never printed).
#[test]
fn env_file_and_config_keys_file_paths() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    write_file(d, "my env ñ/prod.env", "DATABASE_PATH=from-env.db\n");
    symlink("my env ñ/prod.env", d.join("env-link")).unwrap();
    symlink("nowhere.env", d.join("dangling.env")).unwrap();
    std::fs::create_dir_all(d.join("sub")).unwrap();
    let abs = d.join("my env ñ/prod.env");
    for path in [
        "my env ñ/prod.env",
        "env-link",
        "sub/../my env ñ/prod.env",
        abs.to_str().unwrap(),
    ] {
        ok(&run(d, &["-q", "--env-file", path, "migrate"]), path);
        assert!(d.join("from-env.db").is_file(), "{path}");
    }
    for (path, message) in [("dangling.env", "dangling.env"), ("sub", "is a directory")] {
        let out = run(d, &["--env-file", path, "status"]);
        assert_eq!(out.status.code(), Some(1), "{path}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains(message),
            "{path}: {}",
            stderr_of(&out)
        );
    }

    // A Fernet key (32 url-safe base64 bytes) in a file named with spaces and unicode.
    let key = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
    write_file(d, "kéys dir/fernet keys", key);
    symlink("kéys dir/fernet keys", d.join("keys-link")).unwrap();
    symlink("nowhere.keys", d.join("dangling.keys")).unwrap();
    ok(
        &run(d, &["-q", "-d", "x.db", "migrate"]),
        "migrate for the keys",
    );
    ok(
        &run(d, &["-q", "-d", "x.db", "init-tenant", "--tenant-id", "t1"]),
        "tenant",
    );
    write_file(d, "cfg/token.json", r#"{"secret": "s"}"#);
    for (i, path) in ["kéys dir/fernet keys", "keys-link"].iter().enumerate() {
        let out = run(
            d,
            &[
                "-q",
                "-d",
                "x.db",
                "--config-keys-file",
                path,
                "import-configs",
                "--tenant",
                "t1",
                "--on-conflict",
                "replace",
                "cfg",
            ],
        );
        ok(&out, path);
        let db = TestDb::sqlite_at(d.join("x.db").to_str().unwrap());
        assert_eq!(
            db.scalar("SELECT count(*) AS v FROM tenant_configs WHERE json_type(value, '$.fernet') = 'text'"),
            1,
            "{i} {path}: not encrypted"
        );
    }
    for path in ["dangling.keys", "sub"] {
        let out = run(
            d,
            &[
                "-d",
                "x.db",
                "--config-keys-file",
                path,
                "import-configs",
                "--tenant",
                "t1",
                "cfg",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{path}: {}", stderr_of(&out));
        let err = stderr_of(&out);
        assert!(err.contains(path), "{path}: {err}");
        assert!(!err.contains(key) && !stdout_of(&out).contains(key));
    }
}

// ---- Files agentdb writes as outputs (backup PATH, configs export DIR) ----
// The same rule: a link is followed and the file or folder it points to is written, owner-only;
// the link itself is never replaced or removed. These outputs are written by the code that
// branch h-signals changes (temporary name + rename); until it is merged these may fail.

/// `backup PATH` through a dangling link: the backup is written where the link points
/// (folders created), 0600, and the link stays; a failure never removes the user's link.
#[test]
fn backup_output_follows_a_dangling_link() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    ok(&run(d, &["-q", "-d", "x.db", "migrate"]), "migrate");
    ok(
        &run(d, &["-q", "-d", "x.db", "init-tenant", "--tenant-id", "t1"]),
        "tenant",
    );
    symlink("backups/nightly ñ.db", d.join("bk-link.db")).unwrap();
    ok(
        &run(d, &["-q", "-d", "x.db", "backup", "bk-link.db"]),
        "backup",
    );
    assert!(is_symlink(&d.join("bk-link.db")), "the link was replaced");
    let real = d.join("backups/nightly ñ.db");
    assert_eq!(mode_of(&real), 0o600);
    assert_eq!(tenants_in(&real), 1);
    // Now the link is live: a second backup is refused and the link (and its file) stay.
    let out = run(d, &["-d", "x.db", "backup", "bk-link.db"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(is_symlink(&d.join("bk-link.db")));
    assert_eq!(tenants_in(&real), 1);
}

/// `configs export DIR` through a link to a folder (live or dangling): files land in the
/// folder the link points to; a file where a folder is expected is refused, nothing written.
#[test]
fn configs_export_output_follows_a_folder_link() {
    let dir = tempfile::TempDir::new().unwrap();
    let d = dir.path();
    ok(&run(d, &["-q", "-d", "x.db", "migrate"]), "migrate");
    ok(
        &run(d, &["-q", "-d", "x.db", "init-tenant", "--tenant-id", "t1"]),
        "tenant",
    );
    write_file(d, "cfg/token.json", r#"{"a": 1}"#);
    ok(
        &run(
            d,
            &[
                "-q",
                "-d",
                "x.db",
                "import-configs",
                "--tenant",
                "t1",
                "cfg",
            ],
        ),
        "import",
    );
    std::fs::create_dir_all(d.join("live out")).unwrap();
    symlink("live out", d.join("live-link")).unwrap();
    symlink("new out ñ", d.join("dangling-link")).unwrap();
    for (arg, real) in [("live-link", "live out"), ("dangling-link", "new out ñ")] {
        let out = run(
            d,
            &[
                "-q", "-d", "x.db", "configs", "export", "--tenant", "t1", arg,
            ],
        );
        ok(&out, arg);
        assert!(is_symlink(&d.join(arg)), "{arg}: the link was replaced");
        let file = d.join(real).join("token.json");
        assert_eq!(mode_of(&file), 0o600, "{arg}");
    }
    std::fs::write(d.join("a-file"), "x").unwrap();
    let out = run(
        d,
        &[
            "-d",
            "x.db",
            "configs",
            "export",
            "--tenant",
            "t1",
            "a-file/out",
        ],
    );
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(d.join("a-file")).unwrap(), "x");
}
