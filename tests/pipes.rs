//! Closed pipes: a reader that goes away (`agentdb … | head -3`) never changes what a command
//! does nor its exit code, and never crashes it.

mod common;

use std::io::Read;
use std::process::{Command as StdCommand, Output, Stdio};

use common::*;

/// How the reader of agentdb's output behaves.
#[derive(Clone, Copy, Debug)]
enum Reader {
    /// Both pipes closed before agentdb writes anything.
    ClosedAtOnce,
    /// Reads a few bytes of each pipe (like `head -c`), then closes them.
    ReadsALittle,
}

/// Runs `cmd` with stdout and stderr on pipes that the reader closes early; returns the
/// exit status.
fn run_with_closing_reader(mut cmd: StdCommand, reader: Reader) -> std::process::ExitStatus {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn agentdb");
    // Each pipe is read (or not) and closed in turn: reading one while agentdb fills the other
    // would leave both waiting.
    for pipe in [
        Box::new(child.stderr.take().unwrap()) as Box<dyn Read>,
        Box::new(child.stdout.take().unwrap()),
    ] {
        let mut pipe = pipe;
        if let Reader::ReadsALittle = reader {
            let mut buf = [0u8; 64];
            let _ = pipe.read(&mut buf);
        }
    }
    child.wait().expect("wait for agentdb")
}

fn assert_exit(status: std::process::ExitStatus, code: i32, what: &str) {
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        None,
        "{what}: killed by signal {:?}",
        status.signal()
    );
    assert_eq!(status.code(), Some(code), "{what}");
}

fn sql_echo_migrate(db: &TestDb) -> StdCommand {
    let mut cmd = db.std_cmd();
    cmd.env("SQL_ECHO", "true").args(["-v", "migrate"]);
    cmd
}

both_backends!(
    migrate_with_sql_echo_completes_when_the_reader_leaves,
    |db| {
        for reader in [Reader::ClosedAtOnce, Reader::ReadsALittle] {
            let status = run_with_closing_reader(sql_echo_migrate(&db), reader);
            assert_exit(status, 0, &format!("migrate, {reader:?}"));
            // Every migration was applied: the run was not cut short.
            let out: Output = db.cmd().args(["status", "--check"]).output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
            // Roll back so the next reader sees a full migrate again.
            let steps = db.applied_versions().len().to_string();
            let out = db
                .cmd()
                .args(["rollback", "--steps", &steps])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", stderr_of(&out));
            assert!(db.applied_versions().is_empty());
        }
    }
);

both_backends!(status_exits_with_its_code_when_the_reader_leaves, |db| {
    db.cmd().arg("migrate").assert().success();
    for reader in [Reader::ClosedAtOnce, Reader::ReadsALittle] {
        for (args, code) in [
            (vec!["status"], 0),
            (vec!["status", "--check"], 0),
            (vec!["--format", "json", "status"], 0),
        ] {
            let mut cmd = db.std_cmd();
            cmd.env("SQL_ECHO", "1").args(&args);
            assert_exit(
                run_with_closing_reader(cmd, reader),
                code,
                &format!("{args:?}, {reader:?}"),
            );
        }
    }
    // Pending migrations: --check still says 3 with nobody reading.
    db.cmd().args(["rollback"]).assert().success();
    let mut cmd = db.std_cmd();
    cmd.args(["status", "--check"]);
    assert_exit(
        run_with_closing_reader(cmd, Reader::ClosedAtOnce),
        3,
        "status --check, pending",
    );
});

both_backends!(
    import_of_many_files_completes_when_the_reader_leaves,
    |db| {
        db.cmd().arg("migrate").assert().success();
        db.cmd().arg("init-tenant").assert().success();
        let dir = db.dir.path().join("config");
        for i in 0..3000 {
            write_file(
                &dir,
                &format!("token_{i:04}.json"),
                format!("{{\"refresh_token\": \"r{i}\"}}"),
            );
        }
        for (round, reader) in [Reader::ClosedAtOnce, Reader::ReadsALittle]
            .into_iter()
            .enumerate()
        {
            if round == 1 {
                // New content, so the second run writes again.
                for i in 0..3000 {
                    write_file(
                        &dir,
                        &format!("token_{i:04}.json"),
                        format!("{{\"refresh_token\": \"s{i}\"}}"),
                    );
                }
            }
            let mut cmd = db.std_cmd();
            cmd.env("SQL_ECHO", "true")
                .args(["--format", "json", "-v", "import-configs"])
                .arg(&dir);
            assert_exit(
                run_with_closing_reader(cmd, reader),
                0,
                &format!("import-configs, {reader:?}"),
            );
            let want = if round == 0 { "r" } else { "s" };
            let sql = match db.kind {
            Kind::Sqlite => format!(
                "SELECT count(*) AS v FROM tenant_configs WHERE json_extract(value, '$.refresh_token') LIKE '{want}%'"
            ),
            Kind::Postgres => format!(
                "SELECT count(*) AS v FROM tenant_configs WHERE value->>'refresh_token' LIKE '{want}%'"
            ),
        };
            assert_eq!(db.scalar(&sql), 3000, "{reader:?}");
        }
    }
);

#[test]
fn completions_and_errors_survive_a_closed_pipe() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut cmd = std_agentdb(dir.path());
    cmd.args(["completions", "bash"]);
    assert_exit(
        run_with_closing_reader(cmd, Reader::ClosedAtOnce),
        0,
        "completions",
    );
    // An error on a closed stderr keeps its exit code (2: unaccepted URL).
    let mut cmd = std_agentdb(dir.path());
    cmd.args(["-d", "mysql://x/y", "status"]);
    assert_exit(
        run_with_closing_reader(cmd, Reader::ClosedAtOnce),
        2,
        "error with a closed stderr",
    );
}
