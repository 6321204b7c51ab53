//! Test harness: real SQLite files, throwaway PostgreSQL databases, a real PgBouncer, and the
//! built `agentdb` binary run as an operator would run it. No mocks.
#![allow(dead_code)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub mod drift;
pub mod erasure;
pub mod golden;
pub mod pty;
pub mod python;
pub mod read_only;
pub mod reliability;
pub mod signals;
pub mod tmpfs;

use assert_cmd::Command;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use tempfile::TempDir;

pub const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The server tests use: `AGENTDB_TEST_POSTGRES_URL`, else the local one.
pub fn postgres_admin_url() -> String {
    std::env::var("AGENTDB_TEST_POSTGRES_URL").unwrap_or_else(|_| LOCAL_POSTGRES.to_string())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Says loudly that a service is missing; in CI that is a failure, never a skip.
pub fn unavailable(what: &str, why: &str) {
    let message = format!("{what} is not available: {why}");
    if in_ci() {
        panic!("{message} (CI=true: PostgreSQL and PgBouncer tests are mandatory)");
    }
    eprintln!("\n!!!!!!!! SKIPPED: {message} !!!!!!!!\n");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// One throwaway database and a working directory to run agentdb in.
pub struct TestDb {
    pub kind: Kind,
    /// The URL handed to agentdb with `-d`.
    pub url: String,
    /// Working directory of every agentdb run (holds the SQLite file).
    pub dir: TempDir,
    pg_name: Option<String>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        nanos
    )
}

impl TestDb {
    /// A SQLite database file (not yet created) in a fresh temp dir.
    pub fn sqlite() -> TestDb {
        let dir = TempDir::new().unwrap();
        let url = dir.path().join("agentdb.db").to_str().unwrap().to_string();
        TestDb {
            kind: Kind::Sqlite,
            url,
            dir,
            pg_name: None,
        }
    }

    /// A fresh, empty PostgreSQL database, dropped afterwards; `None` (loudly) without a server.
    pub fn postgres() -> Option<TestDb> {
        let admin = postgres_admin_url();
        let mut conn = match PgConnection::establish(&admin) {
            Ok(c) => c,
            Err(e) => {
                unavailable("PostgreSQL", &format!("{}: {e}", redact(&admin)));
                return None;
            }
        };
        let name = unique_name("agentdb_test");
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap();
        Some(TestDb {
            kind: Kind::Postgres,
            url: database_url(&admin, &name),
            dir: TempDir::new().unwrap(),
            pg_name: Some(name),
        })
    }

    /// An existing SQLite file somewhere else (e.g. on a test's own mount).
    pub fn sqlite_at(path: &str) -> TestDb {
        TestDb {
            kind: Kind::Sqlite,
            url: path.to_string(),
            dir: TempDir::new().unwrap(),
            pg_name: None,
        }
    }

    pub fn new(kind: Kind) -> Option<TestDb> {
        match kind {
            Kind::Sqlite => Some(TestDb::sqlite()),
            Kind::Postgres => TestDb::postgres(),
        }
    }

    pub fn path(&self) -> PathBuf {
        PathBuf::from(&self.url)
    }

    pub fn pg_name(&self) -> Option<&str> {
        self.pg_name.as_deref()
    }

    /// `agentdb -d URL …` in the working directory, with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = agentdb(self.dir.path());
        cmd.arg("-d").arg(&self.url);
        cmd
    }

    /// The same as `cmd`, as a std command (for processes run concurrently).
    pub fn std_cmd(&self) -> StdCommand {
        let mut cmd = std_agentdb(self.dir.path());
        cmd.arg("-d").arg(&self.url);
        cmd
    }

    /// Runs plain SQL against the database.
    pub fn exec(&self, sql: &str) {
        self.try_exec(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub fn try_exec(&self, sql: &str) -> Result<(), String> {
        match self.kind {
            Kind::Sqlite => {
                let mut c = SqliteConnection::establish(&self.url).map_err(|e| e.to_string())?;
                c.batch_execute("PRAGMA foreign_keys = ON").unwrap();
                c.batch_execute(sql).map_err(|e| e.to_string())
            }
            Kind::Postgres => {
                let mut c = PgConnection::establish(&self.url).map_err(|e| e.to_string())?;
                c.batch_execute(sql).map_err(|e| e.to_string())
            }
        }
    }

    /// A single integer; the query must name its column `v`.
    pub fn scalar(&self, sql: &str) -> i64 {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = BigInt)]
            v: i64,
        }
        let row: Row = match self.kind {
            Kind::Sqlite => diesel::sql_query(sql)
                .get_result(&mut SqliteConnection::establish(&self.url).unwrap()),
            Kind::Postgres => {
                diesel::sql_query(sql).get_result(&mut PgConnection::establish(&self.url).unwrap())
            }
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.v
    }

    /// A column of text; the query must name its column `v`.
    pub fn strings(&self, sql: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            v: String,
        }
        let rows: Vec<Row> = match self.kind {
            Kind::Sqlite => {
                diesel::sql_query(sql).load(&mut SqliteConnection::establish(&self.url).unwrap())
            }
            Kind::Postgres => {
                diesel::sql_query(sql).load(&mut PgConnection::establish(&self.url).unwrap())
            }
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        rows.into_iter().map(|r| r.v).collect()
    }

    /// The user tables, sorted.
    pub fn tables(&self) -> Vec<String> {
        let sql = match self.kind {
            Kind::Sqlite => {
                "SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            }
            Kind::Postgres => {
                "SELECT tablename::text AS v FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            }
        };
        self.strings(sql)
    }

    /// Applied migration versions, sorted.
    pub fn applied_versions(&self) -> Vec<String> {
        if !self
            .tables()
            .iter()
            .any(|t| t == "__diesel_schema_migrations")
        {
            return Vec::new();
        }
        self.strings("SELECT version AS v FROM __diesel_schema_migrations ORDER BY version")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut c) = PgConnection::establish(&postgres_admin_url()) {
                let _ =
                    c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                // And what a killed `database reset` left (`NAME_agentdb_tmp_PID`).
                #[derive(QueryableByName)]
                struct Row {
                    #[diesel(sql_type = Text)]
                    v: String,
                }
                let left: Vec<Row> = diesel::sql_query(
                    "SELECT datname::text AS v FROM pg_database WHERE starts_with(datname, $1)",
                )
                .bind::<Text, _>(format!("{name}_agentdb_tmp_"))
                .load(&mut c)
                .unwrap_or_default();
                for row in left {
                    let _ = c.batch_execute(&format!(
                        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                        row.v.replace('"', "\"\"")
                    ));
                }
            }
        }
    }
}

/// `base` with its database replaced by `name`.
pub fn database_url(base: &str, name: &str) -> String {
    let mut url = url::Url::parse(base).expect("test PostgreSQL URL parses");
    url.set_path(name);
    url.to_string()
}

pub fn redact(url: &str) -> String {
    agentdb::config::redact_url(url)
}

/// The agentdb binary with a clean environment, run in `dir`.
pub fn agentdb(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("agentdb").unwrap();
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

pub fn std_agentdb(dir: &Path) -> StdCommand {
    let mut cmd = StdCommand::new(assert_cmd::cargo::cargo_bin("agentdb"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

pub fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn json_of(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            stdout_of(output),
            stderr_of(output)
        )
    })
}

/// The exit code (`None` when killed by a signal).
pub fn code(out: &Output) -> Option<i32> {
    out.status.code()
}

/// The permission bits of a file (`0o600`…).
pub fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Whether the tests run as root (tmpfs mounts; root reads files of mode 000).
pub fn is_root() -> bool {
    StdCommand::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n")
}

/// The migration versions this binary embeds, in order.
pub fn known_versions() -> Vec<String> {
    agentdb::schema::migrations::embedded_ids(agentdb::db::Backend::Sqlite)
        .unwrap()
        .into_iter()
        .map(|m| m.version)
        .collect()
}

/// `agentdb -d URL ARGS…` in `db`'s working directory (a URL other than `db.url`: another
/// database name, through PgBouncer, a spelling of the path).
pub fn run_on(db: &TestDb, url: &str, args: &[&str]) -> Output {
    agentdb(db.dir.path())
        .args(["-d", url])
        .args(args)
        .output()
        .unwrap()
}

/// Whether the test server has a database of this name.
pub fn pg_database_exists(name: &str) -> bool {
    let mut conn = PgConnection::establish(&postgres_admin_url()).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let row: Row = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<Text, _>(name)
        .get_result(&mut conn)
        .unwrap();
    row.n == 1
}

/// Drops a database a test created under a name of its own (not a `TestDb`).
pub fn drop_pg_database(name: &str) {
    let mut conn = PgConnection::establish(&postgres_admin_url()).unwrap();
    conn.batch_execute(&format!(
        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
        name.replace('"', "\"\"")
    ))
    .unwrap();
}

/// SQL for "`days` days ago" in the backend's own timestamp form (agentdb's columns).
pub fn ago(db: &TestDb, days: u32) -> String {
    match db.kind {
        Kind::Postgres => format!("now() - interval '{days} days'"),
        Kind::Sqlite => format!("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-{days} days')"),
    }
}

/// Starts `n` copies of a command at once and waits for all of them.
pub fn run_concurrently(n: usize, make: impl Fn(usize) -> StdCommand) -> Vec<Output> {
    let children: Vec<_> = (0..n)
        .map(|i| {
            make(i)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn agentdb")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait for agentdb"))
        .collect()
}

/// A free TCP port on the loopback interface.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real PgBouncer in transaction pooling in front of the test server, stopped on drop.
pub struct PgBouncer {
    pub port: u16,
    dir: TempDir,
}

impl PgBouncer {
    /// Starts one; `None` (loudly, failing in CI) where pgbouncer is not installed.
    pub fn start() -> Option<PgBouncer> {
        let binary = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .into_iter()
            .find(|p| Path::new(p).exists());
        let Some(binary) = binary else {
            unavailable("pgbouncer", "not installed (apt-get install pgbouncer)");
            return None;
        };
        let server = url::Url::parse(&postgres_admin_url()).unwrap();
        let host = server.host_str().unwrap_or("127.0.0.1").to_string();
        let server_port = server.port().unwrap_or(5432);
        let user = if server.username().is_empty() {
            "postgres".to_string()
        } else {
            server.username().to_string()
        };
        let dir = tempfile::Builder::new()
            .prefix("agentdb-pgbouncer")
            .tempdir()
            .unwrap();
        let port = free_port();
        let d = dir.path().display();
        let config = format!(
            "[databases]\n* = host={host} port={server_port}\n\n[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\nauth_type = trust\nauth_file = {d}/users.txt\npool_mode = transaction\ndefault_pool_size = 4\nmax_client_conn = 200\npidfile = {d}/pgbouncer.pid\nlogfile = {d}/pgbouncer.log\nignore_startup_parameters = extra_float_digits\n"
        );
        std::fs::write(dir.path().join("pgbouncer.ini"), config).unwrap();
        std::fs::write(dir.path().join("users.txt"), format!("\"{user}\" \"\"\n")).unwrap();
        let ini = dir.path().join("pgbouncer.ini");
        let is_root = StdCommand::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
        let status = if is_root {
            // pgbouncer refuses to run as root: hand the folder to postgres and run it as them.
            StdCommand::new("chown")
                .arg("-R")
                .arg("postgres")
                .arg(dir.path())
                .status()
                .unwrap();
            StdCommand::new("su")
                .args(["postgres", "-s", "/bin/sh", "-c"])
                .arg(format!("{binary} -d {}", ini.display()))
                .status()
        } else {
            StdCommand::new(binary).arg("-d").arg(&ini).status()
        }
        .expect("run pgbouncer");
        assert!(
            status.success(),
            "pgbouncer did not start: {}",
            log_of(dir.path())
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "pgbouncer did not listen: {}",
                log_of(dir.path())
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(PgBouncer { port, dir })
    }

    /// `db`'s URL, through this PgBouncer.
    pub fn url_for(&self, db: &TestDb) -> String {
        let mut url = url::Url::parse(&db.url).unwrap();
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(self.port)).unwrap();
        url.to_string()
    }

    pub fn log(&self) -> String {
        log_of(self.dir.path())
    }
}

fn log_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default()
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.path().join("pgbouncer.pid")) {
            let pid = pid.trim().to_string();
            let _ = StdCommand::new("kill").arg(&pid).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Writes `contents` to `dir/name`, creating parent folders.
pub fn write_file(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(contents.as_ref()).unwrap();
    path
}

/// Declares one test per backend: `both_backends!(name, |db| body)`; `db` is a fresh
/// `TestDb`. The PostgreSQL one says loudly when there is no server (and fails in CI).
#[macro_export]
macro_rules! both_backends {
    // `|kind: Kind|`: the body makes its own databases of that kind (several, or none it
    // can share), and says loudly itself when PostgreSQL is missing (`TestDb::new` does).
    ($name:ident, |$kind:ident : Kind| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $kind = $crate::common::Kind::Sqlite;
                $body
            }

            #[test]
            fn postgres() {
                let $kind = $crate::common::Kind::Postgres;
                $body
            }
        }
    };
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $db = $crate::common::TestDb::sqlite();
                $body
            }

            #[test]
            fn postgres() {
                let Some($db) = $crate::common::TestDb::postgres() else {
                    return;
                };
                $body
            }
        }
    };
}

/// A throwaway PostgreSQL cluster of the test's own, on a free port, so a test can stop, break
/// or starve a server without touching the shared one. Stopped and removed on drop.
pub struct Cluster {
    pub port: u16,
    dir: TempDir,
    bin: PathBuf,
    as_postgres: bool,
}

impl Cluster {
    /// `initdb` + `pg_ctl start`. With `password`, TCP logins need it (scram-sha-256).
    /// `None` (loudly, failing in CI) where the PostgreSQL server binaries are not installed.
    pub fn start(password: Option<&str>, max_connections: u32) -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path().join("bin"))
                    .find(|p| p.join("initdb").exists())
            });
        let Some(bin) = bin else {
            unavailable(
                "PostgreSQL server binaries (initdb)",
                "not found under /usr/lib/postgresql",
            );
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("agentdb-cluster")
            .tempdir()
            .unwrap();
        let as_postgres = StdCommand::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
        let data = dir.path().join("data");
        let mut initdb = format!(
            "{}/initdb -D {} -U postgres --no-sync -E UTF8 --auth-local=trust",
            bin.display(),
            data.display()
        );
        if let Some(pw) = password {
            std::fs::write(dir.path().join("pw"), pw).unwrap();
            initdb.push_str(&format!(
                " --auth-host=scram-sha-256 --pwfile={}/pw",
                dir.path().display()
            ));
        } else {
            initdb.push_str(" --auth-host=trust");
        }
        let port = free_port();
        let cluster = Cluster {
            port,
            dir,
            bin,
            as_postgres,
        };
        if as_postgres {
            StdCommand::new("chown")
                .arg("-R")
                .arg("postgres")
                .arg(cluster.dir.path())
                .status()
                .unwrap();
        }
        cluster.shell(&format!(
            "{initdb} >{}/initdb.log 2>&1",
            cluster.dir.path().display()
        ));
        let conf = format!(
            "port = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\nmax_connections = {max_connections}\nsuperuser_reserved_connections = 0\nfsync = off\nshared_buffers = 16MB\n",
            cluster.dir.path().display()
        );
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .unwrap();
        f.write_all(conf.as_bytes()).unwrap();
        cluster.pg_ctl("start -w -t 30");
        Some(cluster)
    }

    /// A streaming standby of this cluster (pg_basebackup -R), started on its own port.
    pub fn standby(&self) -> Cluster {
        let dir = tempfile::Builder::new()
            .prefix("agentdb-standby")
            .tempdir()
            .unwrap();
        let port = free_port();
        let standby = Cluster {
            port,
            dir,
            bin: self.bin.clone(),
            as_postgres: self.as_postgres,
        };
        if standby.as_postgres {
            StdCommand::new("chown")
                .arg("-R")
                .arg("postgres")
                .arg(standby.dir.path())
                .status()
                .unwrap();
        }
        let d = standby.dir.path().display();
        standby.shell(&format!(
            "{}/pg_basebackup -h 127.0.0.1 -p {} -U postgres -D {d}/data -R -X stream >{d}/basebackup.log 2>&1",
            self.bin.display(),
            self.port
        ));
        // Later lines win: the copied configuration still names the primary's port and socket.
        let conf = format!("port = {port}\nunix_socket_directories = '{d}'\n");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(standby.dir.path().join("data/postgresql.conf"))
            .unwrap();
        f.write_all(conf.as_bytes()).unwrap();
        standby.pg_ctl("start -w -t 30");
        standby
    }

    fn shell(&self, command: &str) {
        let status = if self.as_postgres {
            StdCommand::new("su")
                .args(["postgres", "-s", "/bin/sh", "-c", command])
                .status()
        } else {
            StdCommand::new("sh").args(["-c", command]).status()
        }
        .unwrap();
        assert!(
            status.success(),
            "`{command}` failed; see {}",
            self.dir.path().display()
        );
    }

    pub fn pg_ctl(&self, action: &str) {
        let d = self.dir.path().display();
        self.shell(&format!(
            "{}/pg_ctl -D {d}/data -l {d}/server.log {action} >/dev/null",
            self.bin.display()
        ));
    }

    /// Kills the server the hard way, as a crash or an operator's `-m immediate` would.
    pub fn stop_immediately(&self) {
        self.pg_ctl("stop -m immediate -w");
    }

    pub fn url(&self, password: Option<&str>, database: &str) -> String {
        match password {
            Some(pw) => format!(
                "postgres://postgres:{pw}@127.0.0.1:{}/{database}",
                self.port
            ),
            None => format!("postgres://postgres@127.0.0.1:{}/{database}", self.port),
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let d = self.dir.path().display();
        let command = format!(
            "{}/pg_ctl -D {d}/data stop -m immediate -w >/dev/null 2>&1",
            self.bin.display()
        );
        let _ = if self.as_postgres {
            StdCommand::new("su")
                .args(["postgres", "-s", "/bin/sh", "-c", &command])
                .status()
        } else {
            StdCommand::new("sh").args(["-c", &command]).status()
        };
    }
}

/// How many migrations a `migrate` run's table output says it applied.
pub fn migrations_applied_by(output: &Output) -> usize {
    let known = agentdb::schema::migrations::embedded_ids(agentdb::db::Backend::Sqlite).unwrap();
    stdout_of(output)
        .lines()
        .filter(|l| known.iter().any(|m| l.contains(&m.version)))
        .count()
}

/// Whether util-linux `script` is there to give agentdb a terminal; says so loudly when not
/// (a failure in CI).
pub fn terminal_available() -> bool {
    let found = StdCommand::new("script").arg("--version").output().is_ok();
    if !found {
        unavailable("script (util-linux)", "needed to give agentdb a terminal");
    }
    found
}

/// A string as one shell word.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs a shell command line on a pseudo-terminal (util-linux `script`) in `dir`, with a clean
/// environment (and `TERM=xterm`, as a terminal has) plus `env`, typing `input` into it. What the terminal showed (the command's
/// stdout and stderr together) is the output's stdout; its status is the command's.
pub fn on_terminal(dir: &Path, line: &str, input: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = StdCommand::new("script");
    cmd.args(["-qec", line, "/dev/null"])
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("util-linux `script`");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The built agentdb binary as a shell word, for command lines run on a terminal.
pub fn agentdb_word() -> String {
    shell_quote(
        assert_cmd::cargo::cargo_bin("agentdb")
            .to_str()
            .expect("UTF-8 path"),
    )
}
