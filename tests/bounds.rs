//! Sizes and bounds, by class: every numeric argument of every command (flags and the
//! environment's connection settings) at 0, 1, its maximum, past its maximum, negative,
//! non-numeric and, for seconds, NaN and infinity. Each gives a clear result (exit 0, 1 or 3)
//! or exit 2 with a message naming the argument — never a panic — and a refused run writes
//! nothing (the database's tenants and migrations and the copy's target are checked).

mod common;

use common::*;

/// What a value must lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Runs: exit 0, 1 or 3.
    Runs,
    /// Refused: exit 2 naming the argument, nothing written.
    Refused,
}
use Expect::*;

/// Seconds (`f64` flags and `POOL_RECYCLE`-like settings): the largest is what PostgreSQL's
/// `lock_timeout` and SQLite's `busy_timeout` hold (i32 milliseconds).
const SECONDS: &[(&str, Expect)] = &[
    ("0", Runs),
    ("1", Runs),
    ("2147483.647", Runs),
    ("2147484", Refused),
    ("-1", Refused),
    ("-0.001", Refused),
    ("abc", Refused),
    ("", Refused),
    ("NaN", Refused),
    ("inf", Refused),
    ("-inf", Refused),
    ("1e400", Refused),
];

/// Counts of at least 1 (`u32`).
const COUNTS: &[(&str, Expect)] = &[
    ("0", Refused),
    ("1", Runs),
    ("4294967295", Runs),
    ("4294967296", Refused),
    ("-1", Refused),
    ("1.5", Refused),
    ("x", Refused),
];

/// `prune --batch-size`: 1 to 100,000.
const BATCH: &[(&str, Expect)] = &[
    ("0", Refused),
    ("1", Runs),
    ("100000", Runs),
    ("100001", Refused),
    ("-1", Refused),
    ("x", Refused),
];

/// `import-configs --max-size` (bytes, `u64`): 0 refuses every file (exit 1), which is a result.
const BYTES: &[(&str, Expect)] = &[
    ("0", Runs),
    ("1", Runs),
    ("18446744073709551615", Runs),
    ("18446744073709551616", Refused),
    ("-1", Refused),
    ("1k", Refused),
];

/// `POOL_SIZE`-like settings: whole numbers of connections.
const CONNECTIONS: &[(&str, Expect)] = &[
    ("0", Runs),
    ("1", Runs),
    ("4294967295", Runs),
    ("4294967296", Refused),
    ("-1", Refused),
    ("2.5", Refused),
    ("many", Refused),
    ("NaN", Refused),
];

/// `MAX_OVERFLOW`: as connections, and SQLAlchemy's `-1` (no limit) is accepted.
const OVERFLOW: &[(&str, Expect)] = &[
    ("0", Runs),
    ("1", Runs),
    ("-1", Runs),
    ("4294967295", Runs),
    ("4294967296", Refused),
    ("-2", Refused),
    ("2.5", Refused),
    ("many", Refused),
];

/// `POOL_TIMEOUT` seconds (0 is taken as the shortest wait, 0.1 s).
const POOL_TIMEOUT: &[(&str, Expect)] = &[
    ("0", Runs),
    ("1", Runs),
    ("2147483.647", Runs),
    ("2147484", Refused),
    ("-1", Refused),
    ("NaN", Refused),
    ("inf", Refused),
    ("x", Refused),
];

/// `POOL_RECYCLE` seconds; SQLAlchemy's `-1` (never) and any negative mean "never".
const POOL_RECYCLE: &[(&str, Expect)] = &[
    ("0", Runs),
    ("1", Runs),
    ("-1", Runs),
    ("2147483.647", Runs),
    ("2147484", Refused),
    ("NaN", Refused),
    ("inf", Refused),
    ("x", Refused),
];

/// `SQLITE_BUSY_TIMEOUT` milliseconds.
const BUSY_MS: &[(&str, Expect)] = &[
    ("0", Runs),
    ("1", Runs),
    ("2147483647", Runs),
    ("2147483648", Refused),
    ("-1", Refused),
    ("NaN", Refused),
    ("x", Refused),
];

/// One numeric argument: how to run a command with value `V`, and its values.
struct Case {
    /// The name a refusal must mention.
    name: &'static str,
    /// Arguments after `-d URL`; `V` is replaced by the value, `DIR` by a folder of configs,
    /// `TARGET` by a fresh copy target.
    args: &'static [&'static str],
    /// Environment variable set to the value instead (args then run as they are).
    env: Option<&'static str>,
    values: &'static [(&'static str, Expect)],
}

const CASES: &[Case] = &[
    Case {
        name: "--wait",
        args: &["--wait=V", "status"],
        env: None,
        values: SECONDS,
    },
    Case {
        name: "--lock-timeout",
        args: &["migrate", "--lock-timeout=V"],
        env: None,
        values: SECONDS,
    },
    Case {
        name: "--lock-timeout",
        args: &["rollback", "--dry-run", "--lock-timeout=V"],
        env: None,
        values: SECONDS,
    },
    Case {
        name: "--steps",
        args: &["rollback", "--dry-run", "--steps=V"],
        env: None,
        values: COUNTS,
    },
    Case {
        name: "--lock-timeout",
        args: &["database", "reset", "--yes", "--lock-timeout=V"],
        env: None,
        values: SECONDS,
    },
    Case {
        name: "--timeout",
        args: &["wait", "--timeout=V"],
        env: None,
        values: SECONDS,
    },
    Case {
        name: "--timeout",
        args: &["health", "--timeout=V"],
        env: None,
        values: SECONDS,
    },
    Case {
        name: "--max-size",
        args: &["import-configs", "--max-size=V", "DIR"],
        env: None,
        values: BYTES,
    },
    Case {
        name: "--lock-timeout",
        args: &[
            "copy",
            "--from",
            "URL",
            "--to",
            "TARGET",
            "--lock-timeout=V",
        ],
        env: None,
        values: SECONDS,
    },
    Case {
        name: "--checkpoints-keep",
        args: &["prune", "--dry-run", "--checkpoints-keep=V"],
        env: None,
        values: COUNTS,
    },
    Case {
        name: "--adk-events-keep",
        args: &["prune", "--dry-run", "--adk-events-keep=V"],
        env: None,
        values: COUNTS,
    },
    Case {
        name: "--batch-size",
        args: &[
            "prune",
            "--dry-run",
            "--checkpoints-keep=1",
            "--batch-size=V",
        ],
        env: None,
        values: BATCH,
    },
    Case {
        name: "POOL_SIZE",
        args: &["-v", "status"],
        env: Some("POOL_SIZE"),
        values: CONNECTIONS,
    },
    Case {
        name: "POSTGRES_POOL_SIZE",
        args: &["-v", "status"],
        env: Some("POSTGRES_POOL_SIZE"),
        values: CONNECTIONS,
    },
    Case {
        name: "MAX_OVERFLOW",
        args: &["-v", "status"],
        env: Some("MAX_OVERFLOW"),
        values: OVERFLOW,
    },
    Case {
        name: "POSTGRES_MAX_OVERFLOW",
        args: &["-v", "status"],
        env: Some("POSTGRES_MAX_OVERFLOW"),
        values: OVERFLOW,
    },
    Case {
        name: "POOL_TIMEOUT",
        args: &["status"],
        env: Some("POOL_TIMEOUT"),
        values: POOL_TIMEOUT,
    },
    Case {
        name: "POOL_RECYCLE",
        args: &["status"],
        env: Some("POOL_RECYCLE"),
        values: POOL_RECYCLE,
    },
    Case {
        name: "SQLITE_BUSY_TIMEOUT",
        args: &["status"],
        env: Some("SQLITE_BUSY_TIMEOUT"),
        values: BUSY_MS,
    },
];

/// What a refused run must leave as it was.
fn fingerprint(db: &TestDb) -> (i64, Vec<String>) {
    (
        db.scalar("SELECT count(*) AS v FROM tenants"),
        db.applied_versions(),
    )
}

fn sweep(db: &TestDb) {
    db.cmd().args(["-q", "migrate"]).assert().success();
    let configs = db.dir.path().join("configs");
    write_file(&configs, "token.json", r#"{"t": 1}"#);
    db.cmd().args(["-q", "init-tenant"]).assert().success();
    let fresh = fingerprint(db);
    let mut failures = Vec::new();
    let mut runs = 0;
    for (c, case) in CASES.iter().enumerate() {
        for (v, (value, expect)) in case.values.iter().enumerate() {
            // Only a run that changed the database (a reset, an import) needs a new set-up.
            if fingerprint(db) != fresh {
                db.cmd().args(["-q", "migrate"]).assert().success();
                db.cmd().args(["-q", "init-tenant"]).assert().success();
            }
            let before = fingerprint(db);
            let target = db.dir.path().join(format!("copy-{c}-{v}.db"));
            let args: Vec<String> = case
                .args
                .iter()
                .map(|a| {
                    if case.env.is_some() {
                        return a.to_string();
                    }
                    a.replace('V', value)
                        .replace("DIR", configs.to_str().unwrap())
                        .replace("TARGET", target.to_str().unwrap())
                        .replace("URL", &db.url)
                })
                .collect();
            let mut cmd = db.cmd();
            cmd.args(&args).timeout(std::time::Duration::from_secs(120));
            if let Some(var) = case.env {
                cmd.env(var, value);
            }
            let out = cmd.output().unwrap();
            runs += 1;
            let err = stderr_of(&out);
            let code = out.status.code();
            let what = format!(
                "{} {:?} = {value:?}: exit {code:?}: {err}",
                case.name, case.args
            );
            if err.contains("panicked") || !matches!(code, Some(0..=3)) {
                failures.push(format!("CRASH {what}"));
                continue;
            }
            match expect {
                Runs if code == Some(2) => failures.push(format!("refused a valid value: {what}")),
                Refused if code != Some(2) => failures.push(format!("accepted: {what}")),
                Refused if !err.contains(case.name) => {
                    failures.push(format!("refusal does not name {}: {what}", case.name))
                }
                Refused if fingerprint(db) != before || target.exists() => {
                    failures.push(format!("refused but wrote: {what}"))
                }
                _ => {}
            }
        }
    }
    eprintln!("bounds: {runs} runs on {:?}", db.kind);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

both_backends!(every_numeric_argument_at_its_bounds, |db| { sweep(&db) });

/// `DATABASE_PORT` (the PostgreSQL parts form): 0, past 65535, negative and text are refused
/// naming it; 1 and 65535 are ports (nothing listens there: exit 1, not a crash).
#[test]
fn database_port_at_its_bounds() {
    let dir = tempfile::TempDir::new().unwrap();
    for (value, expect) in [
        ("0", Refused),
        ("1", Runs),
        ("65535", Runs),
        ("65536", Refused),
        ("-1", Refused),
        ("x", Refused),
    ] {
        let out = agentdb(dir.path())
            .env("DATABASE_PASSWORD", "unused")
            .env("DATABASE_HOST", "127.0.0.1")
            .env("DATABASE_NAME", "agentdb_bounds")
            .env("DATABASE_PORT", value)
            .env("POOL_TIMEOUT", "1")
            .arg("status")
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let err = stderr_of(&out);
        match expect {
            Runs => assert_eq!(out.status.code(), Some(1), "{value}: {err}"),
            Refused => {
                assert_eq!(out.status.code(), Some(2), "{value}: {err}");
                assert!(err.contains("DATABASE_PORT"), "{value}: {err}");
            }
        }
    }
}
