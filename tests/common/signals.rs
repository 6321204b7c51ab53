//! Sending SIGINT/SIGTERM/SIGKILL to a running agentdb at points the test can observe (a file
//! appearing, a file open by the process, progress visible in the database), and a table of
//! where each round landed.

use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use std::os::unix::process::ExitStatusExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    Int,
    Term,
    Kill,
}

pub const ALL: [Sig; 3] = [Sig::Int, Sig::Term, Sig::Kill];

impl Sig {
    pub fn name(self) -> &'static str {
        match self {
            Sig::Int => "INT",
            Sig::Term => "TERM",
            Sig::Kill => "KILL",
        }
    }

    /// The exit code agentdb owes for it when it was running (files.rs): 128 + signal.
    pub fn expected_code(self) -> Option<i32> {
        match self {
            Sig::Int => Some(130),
            Sig::Term => Some(143),
            Sig::Kill => None,
        }
    }
}

pub fn soak() -> bool {
    std::env::var("AGENTDB_SOAK").is_ok_and(|v| v == "1")
}

/// Sends `sig` to the child (with the `kill` utility, as an operator or Kubernetes would).
pub fn send(child: &Child, sig: Sig) {
    let status = std::process::Command::new("kill")
        .args(["-s", sig.name(), &child.id().to_string()])
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run kill");
    // A child that already exited (a zombie still accepts the signal): fine either way.
    let _ = status;
}

/// Polls `condition` (a real observation, not a timer) until it holds, the child exits, or
/// 120 s pass; true when it held while the child was still running.
pub fn wait_until(child: &mut Child, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if condition() {
            return child.try_wait().unwrap().is_none();
        }
        if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Paths of the files the process has open (its /proc fd links).
pub fn open_files(child: &Child) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(format!("/proc/{}/fd", child.id())) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .collect()
}

/// Whether the process has a file open whose path contains `needle`.
pub fn has_open(child: &Child, needle: &str) -> bool {
    open_files(child)
        .iter()
        .any(|p| p.to_string_lossy().contains(needle))
}

/// agentdb's temporary names in `dir` (`.NAME.agentdb-tmp-PID`, and SQLite's side files).
pub fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.contains(".agentdb-tmp-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks the exit status against the signal: 130/143 when it landed while agentdb ran,
/// death by SIGKILL, or (the process had finished) 0.
pub fn check_status(status: ExitStatus, sig: Sig, landed_running: bool, case: &str) -> String {
    let described = match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => "?".into(),
    };
    match sig {
        Sig::Kill => assert!(
            status.signal() == Some(9) || status.success(),
            "{case}: {described}"
        ),
        _ => {
            let code = status.code();
            let by_default = status.signal().is_some();
            assert!(
                code == sig.expected_code()
                    || code == Some(0)
                    // Commands that write no file keep the default action: death by signal.
                    || by_default,
                "{case}: {described}"
            );
            if !landed_running {
                assert!(code == Some(0) || by_default, "{case}: {described}");
            }
        }
    }
    described
}

/// Sends SIGSTOP or SIGCONT (directly: spawning `kill` takes longer than some writes).
pub fn stop_or_continue(child: &Child, sig: &str) {
    let signal = if sig == "STOP" {
        libc::SIGSTOP
    } else {
        libc::SIGCONT
    };
    // SAFETY: kill(2) on our own child's pid; an exited child is a harmless ESRCH.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
}

/// The process state letter in /proc (`T` stopped, `Z` exited), `None` once it is reaped.
pub fn proc_state(child: &Child) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).ok()?;
    stat.rsplit_once(") ")?.1.chars().next()
}

/// A command too quick to be caught mid-way by polling is frozen (SIGSTOP) when `seen` holds,
/// and counts as caught only if `seen` still holds once it is stopped, so the signal lands
/// exactly there; otherwise it is let go. False once the process has exited.
pub fn freeze_when(child: &Child, mut seen: impl FnMut() -> bool, spin: bool) -> bool {
    loop {
        if seen() {
            stop_or_continue(child, "STOP");
            loop {
                match proc_state(child) {
                    Some('T') => break,
                    Some('Z') | None => return false,
                    _ => std::hint::spin_loop(),
                }
            }
            if seen() {
                return true;
            }
            stop_or_continue(child, "CONT");
        }
        if !spin || matches!(proc_state(child), Some('Z') | None) {
            return false;
        }
    }
}

/// `mid`: frozen while it has `needle` open.
pub fn freeze_when_open(child: &Child, needle: &str) -> bool {
    freeze_when(child, || has_open(child, needle), false)
}

/// `mid` for a file written in a blink: spins (no sleep) until agentdb's temporary is in
/// `folder`, frozen there.
pub fn freeze_when_temporary(child: &Child, folder: &Path) -> bool {
    freeze_when(child, || !temporaries(folder).is_empty(), true)
}

/// One round: which case, signal and point, what was observed when the signal went, the exit
/// and which end state it reached.
pub struct Round {
    pub case: String,
    pub sig: Sig,
    pub point: &'static str,
    pub landed: &'static str,
    pub exit: String,
    pub end: &'static str,
}

static ROUNDS: Mutex<Vec<Round>> = Mutex::new(Vec::new());

pub fn record(round: Round) {
    ROUNDS.lock().unwrap().push(round);
}

/// Prints the rounds of `case_prefix` as a table on stderr.
pub fn print_table(case_prefix: &str) {
    let rounds = ROUNDS.lock().unwrap();
    let mut out = format!(
        "\nsignals: {:<34} {:<5} {:<10} {:<16} {:<10} end state\n",
        "case", "sig", "point", "landed", "exit"
    );
    for r in rounds.iter().filter(|r| r.case.starts_with(case_prefix)) {
        out.push_str(&format!(
            "signals: {:<34} {:<5} {:<10} {:<16} {:<10} {}\n",
            r.case,
            r.sig.name(),
            r.point,
            r.landed,
            r.exit,
            r.end
        ));
    }
    eprint!("{out}");
}

/// Reads for tests that poll a database while agentdb writes it (or right after a kill, while
/// a connection recovers the WAL): SQLite connections wait for locks (busy_timeout) instead of
/// failing with "database is locked"; PostgreSQL as `TestDb` does it.
pub mod poll {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    use crate::common::{Kind, TestDb};

    fn sqlite(db: &TestDb) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(&db.url).unwrap();
        conn.batch_execute("PRAGMA busy_timeout = 30000").unwrap();
        conn
    }

    /// A single integer; the query names its column `v`.
    pub fn scalar(db: &TestDb, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = BigInt)]
            v: i64,
        }
        match db.kind {
            Kind::Postgres => db.scalar(sql),
            Kind::Sqlite => {
                let row: Row = diesel::sql_query(sql)
                    .get_result(&mut sqlite(db))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                row.v
            }
        }
    }

    /// A column of text; the query names its column `v`.
    pub fn strings(db: &TestDb, sql: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            v: String,
        }
        match db.kind {
            Kind::Postgres => db.strings(sql),
            Kind::Sqlite => {
                let rows: Vec<Row> = diesel::sql_query(sql)
                    .load(&mut sqlite(db))
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.into_iter().map(|r| r.v).collect()
            }
        }
    }

    pub fn exec(db: &TestDb, sql: &str) {
        match db.kind {
            Kind::Postgres => db.exec(sql),
            Kind::Sqlite => sqlite(db)
                .batch_execute(sql)
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
        }
    }
}
