//! A command on a pseudo-terminal (util-linux `script`) that is answered only once it asked:
//! the test acts between the question and the answer (e.g. a writer adds rows).

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command as StdCommand, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `line` on a terminal in `dir` (environment as `super::on_terminal`); when what the
/// terminal shows contains `marker`, runs `meanwhile`, then types `answer`. Panics when the
/// marker does not appear within a minute (the command's output so far is in the message).
pub fn answer_after(
    dir: &Path,
    line: &str,
    marker: &str,
    meanwhile: impl FnOnce(),
    answer: &str,
) -> Output {
    let mut child = StdCommand::new("script")
        .args(["-qec", line, "/dev/null"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script`");
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match stdout.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains(marker) {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "{marker:?} never appeared; the terminal showed:\n{}",
                    String::from_utf8_lossy(&seen)
                );
            }
        }
    }
    meanwhile();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(answer.as_bytes()).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    seen.extend(rx.try_iter().flatten());
    let mut stderr = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_end(&mut stderr);
    }
    Output {
        status,
        stdout: seen,
        stderr,
    }
}
