//! The reliability suites' shared parts (concurrency, crash_atomicity, server_faults,
//! hostile_input, secrets, tenant_isolation): round counts (`AGENTDB_SOAK=1` for the large
//! ones), every secret the suites use and the scan that no output ever contains one, and the
//! commands they repeat.
#![allow(dead_code)]

use std::process::{Command as StdCommand, Output, Stdio};
use std::sync::Mutex;

use super::{stderr_of, stdout_of, Kind, TestDb};

pub fn soak() -> bool {
    std::env::var("AGENTDB_SOAK").is_ok_and(|v| v == "1")
}

pub fn rounds(default: usize, soak_rounds: usize) -> usize {
    if soak() {
        soak_rounds
    } else {
        default
    }
}

/// Every password, API key, Fernet key and config secret the suite uses: no output may ever
/// contain one (config values reach stdout only through `configs get`, never scanned).
pub const SECRETS: [&str; 7] = [
    "Pw-Cluster-9f8e7d",
    "sk-reliability-key-0123456789abcdef",
    "p@ss:w/rd-Secret42",
    "rotated-key-abcdefghijklmnop0123",
    // Fernet keys (config encryption) and a config value.
    "KTt7sJPpXWr_oQym5yP93U3L1pF6NMdG_1v86jwf0e8=",
    "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
    "ya29.reliability-config-secret-value",
];

static SCANNED: Mutex<usize> = Mutex::new(0);

/// Asserts no secret (raw or percent-encoded) is in a command's output; counts the scans.
pub fn scan(output: &Output) {
    let all = format!("{}{}", stdout_of(output), stderr_of(output));
    for secret in SECRETS {
        let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        assert!(!all.contains(secret), "secret {secret:?} printed:\n{all}");
        assert!(
            !all.contains(&encoded),
            "encoded secret {encoded:?} printed:\n{all}"
        );
        assert!(
            !all.contains(&secret.replace('@', "%40")),
            "secret printed:\n{all}"
        );
    }
    *SCANNED.lock().unwrap() += 1;
}

/// Runs agentdb (std command) and scans its output.
pub fn run(mut cmd: impl std::borrow::BorrowMut<StdCommand>) -> Output {
    let out = cmd
        .borrow_mut()
        .stdin(Stdio::null())
        .output()
        .expect("run agentdb");
    scan(&out);
    out
}

pub fn run_all(outputs: Vec<Output>) -> Vec<Output> {
    outputs.iter().for_each(scan);
    outputs
}

pub fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n.max(1)
}

/// The schema as plain SQL sees it, for comparing runs.
pub fn schema_of(db: &TestDb) -> Vec<String> {
    match db.kind {
        Kind::Sqlite => db.strings("SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS v FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"),
        Kind::Postgres => db.strings(
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS v \
             FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
        ),
    }
}

pub fn migrate_cmd(db: &TestDb) -> StdCommand {
    let mut c = db.std_cmd();
    c.args(["migrate", "--lock-timeout", "60"]);
    c
}

/// How many migrations this binary embeds.
pub fn versions() -> usize {
    super::known_versions().len()
}

/// How many outputs this test process has scanned for secrets so far.
pub fn scanned() -> usize {
    *SCANNED.lock().unwrap()
}

/// A config file the size and shape of a Google OAuth token (with padding).
pub fn gmail_like() -> String {
    r#"{"token": "ya29.IDX-access", "refresh_token": "1//IDX-refresh", "token_uri": "https://oauth2.googleapis.com/token",
"client_id": "IDX.apps.googleusercontent.com", "client_secret": "GOCSPX-IDX", "scopes": ["https://www.googleapis.com/auth/gmail.readonly"],
"universe_domain": "googleapis.com", "account": "", "expiry": "2026-11-25T17:00:00Z", "padding": "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"}"#
        .to_string()
}

/// The tenant, thread and config rows, for comparing final states.
pub fn state_of(db: &TestDb) -> Vec<String> {
    let mut all = db.strings("SELECT id || ':' || name || ':' || coalesce(api_key_hash, '-') AS v FROM tenants ORDER BY id");
    all.extend(
        db.strings("SELECT tenant_id || '/' || id AS v FROM threads ORDER BY tenant_id, id"),
    );
    all.extend(db.strings("SELECT tenant_id || '/' || key || ':' || content_hash AS v FROM tenant_configs ORDER BY tenant_id, key"));
    all
}

/// SQLite's own integrity check passes (PostgreSQL keeps its own).
pub fn integrity_ok(db: &TestDb) {
    if db.kind == Kind::Sqlite {
        assert_eq!(
            db.strings("SELECT integrity_check AS v FROM pragma_integrity_check"),
            vec!["ok"]
        );
    }
}
