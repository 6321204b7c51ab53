//! The real Python tools (LangGraph savers, Google ADK, `cryptography`) in one virtual
//! environment with the pinned versions of `tests/python/requirements.txt`. It is built once
//! per version of that file, outside the repository (`AGENTDB_TEST_VENV`, else
//! `~/.cache/agentdb/test-venv-<hash>`), and reused by every later run. No imitation of their
//! tables: tests prove agentdb's work with the tools themselves.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

/// The folder of the Python test scripts.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python")
}

fn requirements() -> PathBuf {
    scripts_dir().join("requirements.txt")
}

fn venv_dir() -> PathBuf {
    let text = std::fs::read(requirements()).expect("tests/python/requirements.txt");
    let hash = hex::encode(Sha256::digest(&text));
    let base = std::env::var_os("AGENTDB_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into());
            PathBuf::from(home).join(".cache/agentdb")
        });
    base.join(format!("test-venv-{}", &hash[..12]))
}

/// The venv's python, creating the venv on first use; `None` (loudly; a failure in CI) when
/// it cannot be built.
pub fn python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(build_venv) {
        Ok(p) => Some(p.clone()),
        Err(why) => {
            super::unavailable("the Python test environment", why);
            None
        }
    }
}

fn build_venv() -> Result<PathBuf, String> {
    let dir = venv_dir();
    let python = dir.join("bin/python");
    if python.exists() {
        return Ok(python);
    }
    let parent = dir.parent().expect("venv has a parent");
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    // Built beside its final place and renamed at the end: an interrupted build is never
    // mistaken for a finished one.
    let staging = parent.join(format!(
        "{}.building-{}",
        dir.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&staging);
    eprintln!(
        "building the Python test environment in {} (once; a few minutes)",
        dir.display()
    );
    run_checked(
        StdCommand::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&staging),
    )?;
    run_checked(
        StdCommand::new(staging.join("bin/pip"))
            .args(["install", "--disable-pip-version-check", "-q", "-r"])
            .arg(requirements()),
    )?;
    match std::fs::rename(&staging, &dir) {
        Ok(()) => {}
        // Another process finished first: use its environment.
        Err(_) if python.exists() => {
            let _ = std::fs::remove_dir_all(&staging);
        }
        Err(e) => return Err(format!("cannot move the venv into {}: {e}", dir.display())),
    }
    // A venv's scripts name their folder; the interpreter itself does not care where it is.
    Ok(python)
}

fn run_checked(cmd: &mut StdCommand) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Runs `tests/python/<script>` with the venv's python; `None` when the venv is unavailable.
/// The caller asserts on the output.
pub fn run_script(script: &str, args: &[&str], env: &[(&str, &str)]) -> Option<Output> {
    let python = python()?;
    let mut cmd = StdCommand::new(python);
    cmd.arg(scripts_dir().join(script)).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Some(cmd.output().expect("run python"))
}

/// Like `run_script`, but panics with the script's stderr unless it exits 0; returns stdout.
pub fn run_script_ok(script: &str, args: &[&str], env: &[(&str, &str)]) -> Option<String> {
    let out = run_script(script, args, env)?;
    assert!(
        out.status.success(),
        "{script} {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).expect("utf-8 stdout"))
}
