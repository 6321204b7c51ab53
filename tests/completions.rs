//! The checked-in completion scripts must be what the binary prints. Regenerate with
//! `AGENTDB_UPDATE_COMPLETIONS=1 cargo test --test completions`.

mod common;

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "agentdb.bash"),
    ("zsh", "_agentdb"),
    ("fish", "agentdb.fish"),
    ("elvish", "agentdb.elv"),
    ("powershell", "_agentdb.ps1"),
];

#[test]
fn checked_in_completions_match_the_binary() {
    let dir = tempfile::TempDir::new().unwrap();
    let update = std::env::var("AGENTDB_UPDATE_COMPLETIONS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let out = common::agentdb(dir.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        assert!(out.stdout.len() > 500, "{shell}: suspiciously short script");
        let script = String::from_utf8(out.stdout).unwrap();
        for command in [
            "migrate",
            "status",
            "init-tenant",
            "import-configs",
            "stats",
            "health",
        ] {
            assert!(script.contains(command), "{shell} script lacks {command}");
        }
        let path = format!("completions/{file}");
        if update {
            std::fs::write(&path, &script).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(script.as_str()) {
            stale.push(path);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run `AGENTDB_UPDATE_COMPLETIONS=1 cargo test --test completions` and commit them"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let dir = tempfile::TempDir::new().unwrap();
    common::agentdb(dir.path())
        .args(["completions", "tcsh"])
        .assert()
        .code(2);
}
