//! `health --timeout` is one deadline with one message naming the flag the user gave, however
//! loaded the machine is (issue 17.14).

mod common;

use std::net::TcpListener;
use std::process::{Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::*;

/// A server that accepts connections and never says a word; each accept is announced on the
/// channel. The connections stay open as long as the test process lives.
fn silent_server() -> (u16, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream);
            let _ = tx.send(());
        }
    });
    (port, rx)
}

fn signal(pid: u32, sig: &str) {
    let status = StdCommand::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {sig} {pid}");
}

fn assert_one_timeout_message(out: &std::process::Output, round: &str) {
    assert_eq!(out.status.code(), Some(1), "{round}: {}", stderr_of(out));
    let report = json_of(out);
    let checks = report["checks"].as_array().unwrap();
    let text = stdout_of(out);
    assert!(!text.contains("POOL_TIMEOUT"), "{round}: {text}");
    assert_eq!(checks.len(), 1, "{round}: only the deadline speaks: {text}");
    assert_eq!(checks[0]["name"], "timeout", "{round}: {text}");
    assert_eq!(
        checks[0]["detail"], "no answer within 1s (--timeout); stopped waiting",
        "{round}"
    );
}

/// The process is frozen (SIGSTOP) while it waits on a silent server, until both its deadline
/// and the pool's would have passed, then resumed: whichever thread runs first, the report
/// is the deadline's, naming `--timeout`. This is what a loaded machine does to it, forced.
#[test]
fn health_timeout_names_the_flag_even_when_every_timer_expired_at_once() {
    let (port, accepted) = silent_server();
    let dir = tempfile::TempDir::new().unwrap();
    let url = format!("postgres://u:pw@127.0.0.1:{port}/db");
    // Unhindered, then three frozen rounds.
    let out = agentdb(dir.path())
        .args(["-d", &url, "--format", "json", "health", "--timeout", "1"])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_one_timeout_message(&out, "unhindered");
    while accepted.try_recv().is_ok() {}
    for round in 0..3 {
        let child = std_agentdb(dir.path())
            .args(["-d", &url, "--format", "json", "health", "--timeout", "1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The marker: the server accepted its connection; the checks are now waiting on it.
        accepted
            .recv_timeout(Duration::from_secs(20))
            .expect("agentdb never connected");
        signal(child.id(), "-STOP");
        // The stall itself (not a synchronisation): longer than --timeout plus the inner
        // timers' margin, so every timer has expired when the process runs again.
        std::thread::sleep(Duration::from_millis(2500));
        signal(child.id(), "-CONT");
        let out = child.wait_with_output().unwrap();
        assert_one_timeout_message(&out, &format!("frozen round {round}"));
        while accepted.try_recv().is_ok() {}
    }
}
