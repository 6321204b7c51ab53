//! Fernet interop with the real Python `cryptography` (the pinned venv), on both backends:
//! Python decrypts what agentdb wrote, agentdb decrypts what Python wrote, rotated tokens keep
//! their timestamps, and the edge cases where the Rust crate and Python disagree go Python's way.

mod common;

use std::collections::BTreeMap;

use common::*;

/// Test keys (made with `Fernet.generate_key()`).
const KEY: &str = "KTt7sJPpXWr_oQym5yP93U3L1pF6NMdG_1v86jwf0e8=";
const OLD_KEY: &str = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

const GMAIL_TOKEN: &str = r#"{
  "token": "ya29.interop-access-token",
  "refresh_token": "1//interop-refresh-token",
  "client_secret": "GOCSPX-interop",
  "scopes": ["https://www.googleapis.com/auth/gmail.readonly"]
}
"#;

/// `KEY` in standard base64 (`+`, `/`): Python accepts it, so agentdb does too.
fn standard_form(key: &str) -> String {
    key.replace('-', "+").replace('_', "/")
}

fn python_read(db: &TestDb, keys: &str) -> Option<serde_json::Value> {
    let out = python::run_script_ok(
        "fernet_interop.py",
        &["read", &db.url, "default"],
        &[("AGENTDB_CONFIG_KEYS", keys)],
    )?;
    Some(serde_json::from_str(&out).unwrap())
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

both_backends!(python_and_agentdb_read_each_others_tokens, |db| {
    if python::python().is_none() {
        return;
    }
    db.cmd().arg("migrate").assert().success();
    db.cmd().arg("init-tenant").assert().success();
    let dir = db.dir.path().join("config");
    write_file(&dir, "gmail_token.json", GMAIL_TOKEN);
    write_file(&dir, "google/calendar.json", r#"{"token":"cal","n":[1,2]}"#);

    // agentdb encrypts, given the key in standard base64.
    db.cmd()
        .env("AGENTDB_CONFIG_KEYS", standard_form(KEY))
        .args(["import-configs", "-r"])
        .arg(&dir)
        .assert()
        .success();
    let read = python_read(&db, KEY).unwrap();
    let expected: serde_json::Value = serde_json::from_str(GMAIL_TOKEN).unwrap();
    assert_eq!(read["gmail_token"]["value"], expected);
    assert_eq!(read["google/calendar"]["value"]["n"][1], 2);
    for key in ["gmail_token", "google/calendar"] {
        assert_eq!(read[key]["encrypted"], true, "{key}: {read}");
        assert_eq!(read[key]["padded"], true, "agentdb writes padded tokens");
        let at = read[key]["timestamp"].as_i64().unwrap();
        assert!((at - now_secs()).abs() < 600, "token time {at}");
    }

    // Python encrypts (one row per edge case); agentdb decrypts each to the exact text.
    let out = python::run_script_ok(
        "fernet_interop.py",
        &["write", &db.url, "default"],
        &[("PY_KEY", KEY), ("PY_OLD_KEY", OLD_KEY)],
    )
    .unwrap();
    let written: BTreeMap<String, String> = serde_json::from_str(&out).unwrap();
    assert_eq!(written.len(), 6);
    let get = |key: &str, keys: &str| {
        db.cmd()
            .env("AGENTDB_CONFIG_KEYS", keys)
            .args(["configs", "get", key])
            .output()
            .unwrap()
    };
    let both_keys = format!("{KEY},{OLD_KEY}");
    for (key, plaintext) in &written {
        let out = get(key, &both_keys);
        assert!(out.status.success(), "{key}: {}", stderr_of(&out));
        assert_eq!(&stdout_of(&out), plaintext, "{key}");
    }
    // Only the old key's token needs the old key.
    let out = get("py_old_key", KEY);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("py_old_key") && stderr_of(&out).contains("default"));

    // Rotation: the old key's token and the one stored with whitespace are rewritten, every
    // other token is already current; timestamps are kept, as MultiFernet.rotate keeps them.
    let before = python_read(&db, &both_keys).unwrap();
    let out = db
        .cmd()
        .env("AGENTDB_CONFIG_KEYS", &both_keys)
        .args(["--format", "json", "configs", "rotate-keys"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let summary = &json_of(&out)["summary"];
    assert_eq!(summary["rotated"], 2, "{summary}");
    assert_eq!(summary["current"], 6, "{summary}");
    let after = python_read(&db, KEY).expect("every token decrypts with the new key alone");
    for key in before.as_object().unwrap().keys() {
        assert_eq!(after[key]["value"], before[key]["value"], "{key}");
        assert_eq!(after[key]["timestamp"], before[key]["timestamp"], "{key}");
        assert_eq!(after[key]["padded"], true, "{key}");
    }
    assert_eq!(after["py_old_key"]["timestamp"], 1_600_000_000);
    assert_eq!(after["py_rotated"]["timestamp"], 1_500_000_000);
    let out = get("py_old_key", KEY);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), written["py_old_key"]);
});

/// Unpadded keys: Python refuses them, so agentdb does (the crate alone would accept them).
/// Standard base64: Python accepts it, so agentdb does.
#[test]
fn key_forms_match_python() {
    if python::python().is_none() {
        return;
    }
    let db = TestDb::sqlite();
    db.cmd().arg("migrate").assert().success();
    db.cmd().arg("init-tenant").assert().success();
    let unpadded = KEY.trim_end_matches('=');
    for (key, python_accepts) in [
        (KEY.to_string(), true),
        (standard_form(KEY), true),
        (unpadded.to_string(), false),
        (format!(" {KEY}\n"), true),
    ] {
        let py = python::run_script("fernet_interop.py", &["check-key", &key], &[]).unwrap();
        assert_eq!(py.status.success(), python_accepts, "Python and {key:?}");
        let out = db
            .cmd()
            .env("AGENTDB_CONFIG_KEYS", &key)
            .args(["configs", "rotate-keys", "--dry-run"])
            .output()
            .unwrap();
        let code = if python_accepts { 0 } else { 2 };
        assert_eq!(
            out.status.code(),
            Some(code),
            "{key:?}: {}",
            stderr_of(&out)
        );
        assert!(
            !stderr_of(&out).contains(unpadded),
            "a key is never printed"
        );
    }
}
