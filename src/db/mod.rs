//! The database layer: one connection type over both backends, an r2d2 pool sized for a CLI,
//! per-backend connection setup, the migration lock, and the few SQL spellings that differ.
//! Commands talk to `Database` and `AnyConnection`; backend differences stay in this file.

mod json_key;
pub use json_key::MetadataKey;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use diesel::connection::{CacheSize, InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::sqlite::SqliteConnection;
use scheduled_thread_pool::ScheduledThreadPool;

use crate::config::{Resolved, Settings, SqliteLocation, Target};
use crate::output::stderr_line;

/// One connection type over both backends, as diesel_cli does it.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which backend a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Target {
    /// The backend a parsed target names, before anything is opened.
    pub fn backend(&self) -> Backend {
        match self {
            Target::Postgres(_) => Backend::Postgres,
            Target::Sqlite(_) => Backend::Sqlite,
        }
    }
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Whether a command may create the database file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `status`, `stats`, `health`, copy and backup sources: a missing SQLite file is an error,
    /// never created, and an existing one is opened without writing it (`read_only_open`).
    ReadOnly,
    /// Commands that write but need an existing, migrated database.
    ReadWrite,
    /// The `--dry-run` of a command that writes (`prune`, `import-configs`, `rollback`): it
    /// writes only in transactions it rolls back, so an existing SQLite file is opened
    /// read-write but keeps its journal mode (no switch to WAL): a dry run leaves the file as
    /// it found it.
    DryRun,
    /// `migrate`: creates the SQLite file (0600) and its parent folders.
    Create,
}

impl Access {
    /// How a command that writes opens its database: `DryRun` for a dry run, else `ReadWrite`.
    pub fn writing(dry_run: bool) -> Access {
        if dry_run {
            Access::DryRun
        } else {
            Access::ReadWrite
        }
    }
}

/// An open database: the resolved target and a small pool of set-up connections.
pub struct Database {
    /// The target as connected to (PostgreSQL: with `connect_timeout` added).
    pub target: Target,
    /// The target as the operator gave it, password redacted: for output and errors.
    pub display: String,
    pool: Pool<Manager>,
    last_error: Arc<Mutex<Option<String>>>,
    timeout: Duration,
    /// Set when the `Database` is dropped: its connections are then closed (see `Drop`).
    closing: Arc<AtomicBool>,
}

pub type Conn = PooledConnection<Manager>;

impl Database {
    /// Opens the database described by `resolved`. Nothing is connected yet: the first
    /// `connect()` does that, so a connection error surfaces there with its real message.
    pub fn open(resolved: &Resolved, settings: &Settings, access: Access) -> Result<Database> {
        let target = match &resolved.target {
            Target::Postgres(url) => {
                init_tls();
                Target::Postgres(with_connect_timeout(url, settings.pool_timeout))
            }
            Target::Sqlite(SqliteLocation::File(path)) => {
                // The file a symlink points to, resolved once here: it is what gets created
                // (0600), opened and checked, as SQLite itself keeps -wal/-shm beside it.
                let real = crate::files::resolve_links(path)?;
                prepare_sqlite_file(path, &real, access)?;
                Target::Sqlite(SqliteLocation::File(real))
            }
            t => t.clone(),
        };
        let last_error = Arc::new(Mutex::new(None));
        let closing = Arc::new(AtomicBool::new(false));
        let manager = Manager {
            target: target.clone(),
            settings: settings.clone(),
            last_error: last_error.clone(),
            access,
            closing: closing.clone(),
        };
        let pool = Pool::builder()
            // Every command works on one connection at a time, so the pool holds one; POOL_SIZE
            // + MAX_OVERFLOW (at least 1) can only be above that. A larger pool would just let
            // the polling in `connect` start a second connection that may still be opening
            // when the process exits. An in-memory SQLite database must be one connection.
            .max_size(1)
            // Open nothing up front and do not ping fresh connections: every round trip is
            // start-up time.
            .min_idle(Some(0))
            .test_on_check_out(false)
            .connection_timeout(settings.pool_timeout)
            .max_lifetime(settings.pool_recycle)
            .idle_timeout(None)
            // r2d2 opens connections on its own threads, three by default; one connection needs
            // one, and every thread started is start-up time.
            .thread_pool(Arc::new(
                ScheduledThreadPool::builder()
                    .num_threads(1)
                    .thread_name_pattern("r2d2-worker-{}")
                    .build(),
            ))
            .build_unchecked(manager);
        Ok(Database {
            display: resolved.target.redacted(),
            target,
            pool,
            last_error,
            timeout: settings.pool_timeout,
            closing,
        })
    }

    /// Checks a connection out of the pool. A failed connect is reported at once with the
    /// driver's message (r2d2 alone would retry silently until its timeout).
    pub fn connect(&self) -> Result<Conn> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match self.pool.get_timeout(Duration::from_millis(50)) {
                Ok(conn) => return Ok(conn),
                Err(_) => {
                    if let Some(message) = self.last_error.lock().expect("lock").take() {
                        return Err(anyhow!(message))
                            .context(format!("cannot connect to {}", self.display));
                    }
                    if Instant::now() >= deadline {
                        bail!(
                            "no connection to {} within {:?} (POOL_TIMEOUT)",
                            self.display,
                            self.timeout
                        );
                    }
                }
            }
        }
    }
}

/// The clean close (README, "Clean close"). r2d2 opens the connection on its worker thread,
/// whose job keeps a reference to the pool until it returns; when that thread is descheduled
/// past the end of a short command (a loaded machine: 16 of 20 `status` runs), the pool, and
/// with it the connection, was never dropped before the process exited, so SQLite's last close,
/// which removes the `-wal`/`-shm` files, never ran. Once the `Database` is dropped, a connection
/// returned to the pool counts as broken, which r2d2 closes at once on the returning thread:
/// the idle one here, one still checked out when it comes back.
impl Drop for Database {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Relaxed);
        drop(self.pool.try_get());
    }
}

/// Initialises OpenSSL (libpq's TLS) without its at-exit cleanup, before any connection
/// thread starts: that cleanup frees state a connection thread may still be using when the
/// process exits (health's timeout path), which crashed 30 of 1,500 such runs. The same call
/// rust-openssl makes. SQLite never loads TLS, so its start-up does not pay for this.
pub fn init_tls() {
    openssl_sys::init();
}

/// libpq waits forever for an unresponsive server unless told otherwise.
pub fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    // libpq treats values below 2 seconds as 2.
    let secs = timeout.as_secs_f64().ceil().max(2.0) as u64;
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}connect_timeout={secs}")
}

/// `path`, and where a symlink leads when it is one: for messages.
pub fn describe_sqlite_path(path: &Path, real: &Path) -> String {
    if path == real {
        path.display().to_string()
    } else {
        format!("{} (a symlink to {})", path.display(), real.display())
    }
}

/// The same SQLite file under two spellings (`x.db`, `./x.db`, an absolute path, a symlink, a
/// hard link): both exist and are one file (same device and inode).
pub fn same_sqlite_file(a: &Target, b: &Target) -> bool {
    let (Target::Sqlite(SqliteLocation::File(a)), Target::Sqlite(SqliteLocation::File(b))) = (a, b)
    else {
        return false;
    };
    match (fs::metadata(a), fs::metadata(b)) {
        #[cfg(unix)]
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt;
            a.dev() == b.dev() && a.ino() == b.ino()
        }
        #[cfg(not(unix))]
        (Ok(_), Ok(_)) => fs::canonicalize(a).ok() == fs::canonicalize(b).ok(),
        _ => false,
    }
}

fn prepare_sqlite_file(path: &Path, real: &Path, access: Access) -> Result<()> {
    if real.exists() {
        if real.is_dir() {
            bail!(
                "SQLite path {} is a directory, not a database file",
                describe_sqlite_path(path, real)
            );
        }
        return Ok(());
    }
    if access != Access::Create {
        bail!(
            "SQLite database {} does not exist (run `agentdb migrate` to create it, or set DATABASE_URL)",
            describe_sqlite_path(path, real)
        );
    }
    if let Some(parent) = real.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).with_context(|| {
            format!(
                "cannot create directory {} for SQLite database {}",
                parent.display(),
                describe_sqlite_path(path, real)
            )
        })?;
    }
    match create_owner_only_file(real) {
        Ok(()) => Ok(()),
        // Another process created it between our check and now: fine.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| {
            format!(
                "cannot create SQLite file {}",
                describe_sqlite_path(path, real)
            )
        }),
    }
}

/// Creates a new, empty file readable by its owner only (mode 0600): databases and backups
/// hold API key hashes and OAuth tokens. Fails if the file exists.
pub fn create_owner_only_file(path: &Path) -> std::io::Result<()> {
    crate::files::create_owner_only(path).map(drop)
}

/// An r2d2 manager that picks the backend from the parsed target (never by trial, which
/// would turn a PostgreSQL connection string into a new SQLite file) and sets up every
/// connection for its backend.
pub struct Manager {
    target: Target,
    settings: Settings,
    last_error: Arc<Mutex<Option<String>>>,
    access: Access,
    closing: Arc<AtomicBool>,
}

#[derive(Debug)]
pub struct ConnectError(String);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConnectError {}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<AnyConnection, ConnectError> {
        establish_for(&self.target, &self.settings, self.access).map_err(|e| {
            let message = format!("{e:#}");
            *self.last_error.lock().expect("lock") = Some(message.clone());
            ConnectError(message)
        })
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))
    }

    /// Only once the `Database` is dropped: r2d2 then closes the connection at once.
    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        self.closing.load(Ordering::Relaxed)
    }
}

/// Establishes one connection to `target`, set up for its backend.
pub fn establish(target: &Target, settings: &Settings) -> Result<AnyConnection> {
    establish_for(target, settings, Access::ReadWrite)
}

/// `establish` for a command of the given access: `Access::ReadOnly` opens SQLite without
/// writing it (PostgreSQL sessions are the same either way).
pub fn establish_for(
    target: &Target,
    settings: &Settings,
    access: Access,
) -> Result<AnyConnection> {
    match target {
        Target::Postgres(url) => establish_postgres(url, settings).map(AnyConnection::Postgresql),
        Target::Sqlite(location) => {
            establish_sqlite_for(location, settings, access).map(AnyConnection::Sqlite)
        }
    }
}

/// A PostgreSQL connection safe behind a transaction-pooling proxy: diesel's named
/// prepared statements would collide between clients of one server connection in PgBouncer.
pub fn establish_postgres(url: &str, settings: &Settings) -> Result<PgConnection> {
    init_tls();
    let mut conn =
        PgConnection::establish(url).map_err(|e| explain_postgres_error(url, &e.to_string()))?;
    conn.set_prepared_statement_cache_size(CacheSize::Disabled);
    if settings.sql_echo {
        conn.set_instrumentation(echo_sql);
    }
    Ok(conn)
}

fn explain_postgres_error(url: &str, message: &str) -> anyhow::Error {
    let message = message.trim();
    let target = Target::Postgres(url.to_string());
    if message.contains("does not exist") && message.contains("database \"") {
        let name = target.postgres_database().unwrap_or_default();
        return anyhow!(
            "{message}\nhint: the database \"{name}\" does not exist on that server; create it first: `agentdb database create` (or `agentdb migrate --create`) with the same URL, or `createdb {name}`"
        );
    }
    if message.contains("password authentication failed") {
        return anyhow!("{message}\nhint: check the user and password in the database URL");
    }
    anyhow!("{message}")
}

/// A SQLite connection with the pragmas README "Choosing the database" lists.
pub fn establish_sqlite(
    location: &SqliteLocation,
    settings: &Settings,
) -> Result<SqliteConnection> {
    establish_sqlite_for(location, settings, Access::ReadWrite)
}

/// `establish_sqlite` for a command of the given access. A command that only reads opens an
/// existing file as `read_only_open` says, with no journal-mode switch and no write.
pub fn establish_sqlite_for(
    location: &SqliteLocation,
    settings: &Settings,
    access: Access,
) -> Result<SqliteConnection> {
    let name = match location {
        SqliteLocation::Memory => ":memory:".to_string(),
        SqliteLocation::File(path) => path
            .to_str()
            .with_context(|| format!("SQLite path {} is not valid UTF-8", path.display()))?
            .to_string(),
    };
    let read_only = match location {
        SqliteLocation::File(path) if access == Access::ReadOnly => Some(read_only_open(path)?),
        _ => None,
    };
    let open_name = match &read_only {
        Some(open) => sqlite_uri(&name, open.uri_parameters()),
        None => name.clone(),
    };
    let mut conn = SqliteConnection::establish(&open_name)
        .with_context(|| format!("cannot open SQLite database {name}"))?;
    if read_only == Some(ReadOpen::QueryOnly) {
        conn.batch_execute("PRAGMA query_only = ON")
            .with_context(|| format!("cannot configure SQLite database {name}"))?;
    }
    if settings.sql_echo {
        conn.set_instrumentation(echo_sql);
    }
    let busy_ms = settings.busy_timeout.as_millis();
    conn.batch_execute(&format!("PRAGMA busy_timeout = {busy_ms}"))
        .with_context(|| format!("cannot configure SQLite database {name}"))?;
    // The first read of the file: says plainly when it is not a SQLite database at all.
    conn.batch_execute("PRAGMA schema_version")
        .map_err(|e| explain_sqlite_error(&name, &e.to_string()))?;
    if *location != SqliteLocation::Memory && read_only.is_none() && access != Access::DryRun {
        set_wal_mode(&mut conn, settings.busy_timeout)
            .with_context(|| format!("cannot switch SQLite database {name} to WAL mode"))?;
    }
    // cache_size and temp_store stay at SQLite's defaults: a process that exits after one
    // command only pays for a bigger cache (64 MB doubled the time and sextupled the memory of
    // `stats`); measured per command, none gained from more (README, Performance).
    conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        .with_context(|| format!("cannot configure SQLite database {name}"))?;
    Ok(conn)
}

/// How a command that only reads opens an existing SQLite file (README, Decisions: "Opening
/// what is only read"). None of them writes the file or switches its journal mode; they differ
/// in the `-wal`/`-shm` files SQLite needs beside a WAL file in order to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadOpen {
    /// `mode=ro`: SQLite's read-only open, with its usual locks, reading the committed frames
    /// of an existing `-wal` and never checkpointing them. For rollback-journal files, and WAL
    /// files whose `-wal`/`-shm` already exist (they stay as they were).
    ReadOnly,
    /// A WAL file with no `-wal` or `-shm` on writable storage: `mode=rw` with
    /// `PRAGMA query_only`. SQLite must create both files to read a WAL file, and only a
    /// read-write connection removes them again when it closes (a `mode=ro` one leaves them).
    QueryOnly,
    /// A WAL file on a read-only file system with no WAL frames to read: `immutable=1`.
    /// SQLite cannot create the `-shm` there, and nothing can write a read-only mount, which is
    /// what `immutable` requires (it takes no locks and ignores any `-wal`, so it is never used
    /// where another process might write, nor where the `-wal` holds frames).
    Immutable,
}

impl ReadOpen {
    fn uri_parameters(self) -> &'static str {
        match self {
            ReadOpen::ReadOnly => "mode=ro",
            ReadOpen::QueryOnly => "mode=rw",
            ReadOpen::Immutable => "mode=ro&immutable=1",
        }
    }
}

/// Chooses the `ReadOpen` for the SQLite file at `path` from its header and what is beside it.
pub fn read_only_open(path: &Path) -> Result<ReadOpen> {
    if !sqlite_header_says_wal(path) {
        return Ok(ReadOpen::ReadOnly);
    }
    let wal_bytes = fs::metadata(side_file(path, "-wal")).ok().map(|m| m.len());
    let shm = side_file(path, "-shm").exists();
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Ok(match (writable(path), wal_bytes, shm) {
        (Writable::ReadOnlyFileSystem, None | Some(0), _) => ReadOpen::Immutable,
        (Writable::ReadOnlyFileSystem, Some(_), false) => bail!(
            "cannot read SQLite database {}: its -wal file holds changes, but there is no -shm file beside it and the file system is read-only, so SQLite cannot read them\nhint: copy the database with its -wal file to writable storage and read it there",
            path.display()
        ),
        (Writable::Yes, None, false) if writable(folder) == Writable::Yes => ReadOpen::QueryOnly,
        _ => ReadOpen::ReadOnly,
    })
}

/// `path` followed by a suffix (`-wal`, `-shm`).
fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether the SQLite file's header says WAL (read and write versions 2). Anything else,
/// including a file too short or not SQLite at all, is left to SQLite to judge.
pub fn sqlite_header_says_wal(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 20];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok_and(|()| header.starts_with(b"SQLite format 3\0") && header[18..20] == [2, 2])
}

/// Whether this process may write a file or folder, asked without writing anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writable {
    Yes,
    /// Mounted read-only: nobody can write it.
    ReadOnlyFileSystem,
    /// Permissions (or anything else) deny this process; others may still write it.
    No,
}

pub fn writable(path: &Path) -> Writable {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let Ok(name) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
            return Writable::No;
        };
        // SAFETY: access(2) reads the NUL-terminated path and nothing else.
        if unsafe { libc::access(name.as_ptr(), libc::W_OK) } == 0 {
            return Writable::Yes;
        }
        if std::io::Error::last_os_error().raw_os_error() == Some(libc::EROFS) {
            return Writable::ReadOnlyFileSystem;
        }
        Writable::No
    }
    #[cfg(not(unix))]
    {
        match fs::metadata(path) {
            Ok(m) if !m.permissions().readonly() => Writable::Yes,
            _ => Writable::No,
        }
    }
}

/// A SQLite URI for the file `name` with the given query parameters: `?`, `#`, `%` and `:`
/// (diesel rewrites `sqlite://`) are escaped, and an absolute path gets an empty authority.
fn sqlite_uri(name: &str, parameters: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
    const ESCAPED: &AsciiSet = &CONTROLS.add(b'%').add(b'?').add(b'#').add(b':').add(b' ');
    let prefix = if name.starts_with('/') {
        "file://"
    } else {
        "file:"
    };
    format!(
        "{prefix}{}?{parameters}",
        utf8_percent_encode(name, ESCAPED)
    )
}

fn explain_sqlite_error(name: &str, message: &str) -> anyhow::Error {
    if message.contains("not a database") {
        anyhow!("{name} is not a SQLite database ({message})")
    } else {
        anyhow!("cannot open SQLite database {name}: {message}")
    }
}

/// What SQLite says when it cannot write the file, its `-wal`/`-shm` files or its folder.
pub fn is_read_only_failure(message: &str) -> bool {
    message.contains("readonly database")
        || message.contains("unable to open database file")
        || message.contains("attempt to write a readonly")
}

/// Gives a command's error the same explanation wherever a write met a read-only SQLite file
/// or folder. Whether SQLite notices at open or only at the first write depends on the `-wal`
/// and `-shm` files a previous run left beside the file, so this runs on every error, not only
/// on those of opening.
pub fn explain_failure(err: anyhow::Error, target: &Target) -> anyhow::Error {
    let Target::Sqlite(SqliteLocation::File(path)) = target else {
        return err;
    };
    if err
        .chain()
        .any(|e| e.to_string().contains("database or disk is full"))
    {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        return err.context(format!(
            "the file system holding SQLite database {} is full (SQLite: database or disk is full)\nhint: free space there (`df -h {}`) or move the database to a larger volume, then run the command again; SQLite needs room for the -wal file beside the database too",
            path.display(),
            folder.display()
        ));
    }
    if !err.chain().any(|e| is_read_only_failure(&e.to_string())) {
        return err;
    }
    err.context(format!(
        "cannot write to SQLite database {}: it, its -wal/-shm files or its directory is read-only\nhint: SQLite in WAL mode needs write access to the file and to its directory (for the -wal and -shm files); check the mount and the permissions",
        path.display()
    ))
}

/// `journal_mode=WAL` ignores busy_timeout: on a fresh file several processes switching at
/// once get SQLITE_BUSY immediately, so retry briefly.
fn set_wal_mode(conn: &mut SqliteConnection, budget: Duration) -> Result<()> {
    let deadline = Instant::now() + budget;
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL") {
            Ok(()) => return Ok(()),
            Err(e) if is_busy(&e.to_string()) && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}

/// `SQL_ECHO`: every statement on stderr, without its bind values, which can be config
/// documents (OAuth tokens) or key hashes. Statements that must be readable in full (the
/// table checks) inline their constant names instead of binding them.
fn echo_sql(event: InstrumentationEvent<'_>) {
    if let InstrumentationEvent::StartQuery { query, .. } = event {
        let text = query.to_string();
        match text.split_once(" -- binds: ") {
            Some((sql, "[]")) => stderr_line(format_args!("SQL: {sql}")),
            Some((sql, _)) => stderr_line(format_args!("SQL: {sql} -- bind values not shown")),
            None => stderr_line(format_args!("SQL: {text}")),
        }
    }
}

/// Errors that mean "someone else holds the lock".
pub fn is_lock_timeout(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        let m = e.to_string();
        m.contains("canceling statement due to lock timeout") || is_busy(&m)
    })
}

/// A row of `__diesel_schema_migrations`, time as UTC ISO-8601 text.
#[derive(QueryableByName, Debug, Clone)]
pub struct AppliedRow {
    #[diesel(sql_type = Text)]
    pub version: String,
    #[diesel(sql_type = Text)]
    pub run_on: String,
}

#[derive(QueryableByName)]
struct PresentRow {
    #[diesel(sql_type = Bool)]
    present: bool,
}

/// diesel's migration history table.
pub const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// What the migration runner needs from a concrete connection, per backend.
pub trait SchemaConnection: Connection + Sized {
    /// Runs `f` in one transaction that first takes the schema lock: PostgreSQL a
    /// transaction-scoped advisory lock (safe behind PgBouncer; released by commit, rollback or
    /// a crash), SQLite the write lock of an immediate transaction. Waits at most `lock_timeout`.
    fn locked_transaction<T>(
        &mut self,
        lock_timeout: Duration,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T>;

    /// The backend this connection talks to.
    const BACKEND: Backend;

    /// Whether a table (or any relation) of that name exists (PostgreSQL: in the search
    /// path). Names are ours (constants, or those our migrations create), quoted as a literal
    /// into the SQL, which `SQL_ECHO` then shows whole.
    fn table_exists(&mut self, table: &str) -> Result<bool>;

    /// The applied migrations, read without creating the history table (diesel's own
    /// `applied_migrations` creates it, which a read-only command must not do).
    fn applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        if !self.table_exists(MIGRATIONS_TABLE)? {
            return Ok(Vec::new());
        }
        self.load_applied_rows()
    }

    fn load_applied_rows(&mut self) -> Result<Vec<AppliedRow>>;
}

/// The advisory lock key: the bytes of "agentdb" (per database, as advisory locks are).
pub const ADVISORY_LOCK_KEY: i64 = 0x0061_6765_6e74_6462;

/// How `locked_transaction` bounds the lock wait; shared with `migration_lock_sql`, which
/// prints the same statements for `migrate --dry-run --sql`.
fn pg_lock_timeout_sql(lock_timeout: Duration) -> String {
    format!(
        "SET LOCAL lock_timeout = '{}ms'",
        lock_timeout.as_millis().max(1)
    )
}

const PG_LOCK_TIMEOUT_OFF: &str = "SET LOCAL lock_timeout = 0";

fn sqlite_lock_timeout_sql(lock_timeout: Duration) -> String {
    format!("PRAGMA busy_timeout = {}", lock_timeout.as_millis())
}

impl Backend {
    /// The statements `locked_transaction` runs before its body, in order, with the advisory
    /// lock key written in, as when run: for `migrate --dry-run --sql`.
    pub fn migration_lock_sql(self, lock_timeout: Duration) -> Vec<String> {
        match self {
            Backend::Postgres => vec![
                "BEGIN".to_string(),
                pg_lock_timeout_sql(lock_timeout),
                format!("SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})"),
                PG_LOCK_TIMEOUT_OFF.to_string(),
            ],
            Backend::Sqlite => vec![
                sqlite_lock_timeout_sql(lock_timeout),
                "BEGIN IMMEDIATE".to_string(),
            ],
        }
    }
}

/// PostgreSQL's schema lock, inside the caller's transaction: the transaction-scoped advisory
/// lock, waiting at most `lock_timeout`. The key is our constant, written into the SQL, so the
/// statements are exactly those `migration_lock_sql` prints.
fn take_postgres_schema_lock(
    conn: &mut impl SimpleConnection,
    lock_timeout: Duration,
) -> Result<()> {
    conn.batch_execute(&pg_lock_timeout_sql(lock_timeout))?;
    conn.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock({ADVISORY_LOCK_KEY})"
    ))
    .map_err(|e| lock_error(e.into(), lock_timeout))?;
    // What runs under the lock is not bounded by the lock wait.
    conn.batch_execute(PG_LOCK_TIMEOUT_OFF)?;
    Ok(())
}

impl SchemaConnection for PgConnection {
    fn locked_transaction<T>(
        &mut self,
        lock_timeout: Duration,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        self.transaction(|conn| {
            take_postgres_schema_lock(conn, lock_timeout)?;
            f(conn)
        })
    }

    const BACKEND: Backend = Backend::Postgres;

    fn table_exists(&mut self, table: &str) -> Result<bool> {
        let row: PresentRow = diesel::sql_query(format!(
            "SELECT to_regclass({}) IS NOT NULL AS present",
            sql_literal(table)
        ))
        .get_result(self)
        .with_context(|| format!("cannot check whether table {table} exists"))?;
        Ok(row.present)
    }

    fn load_applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        diesel::sql_query(
            "SELECT version, to_char(run_on, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS run_on \
             FROM __diesel_schema_migrations ORDER BY version",
        )
        .load(self)
        .context("cannot read __diesel_schema_migrations")
    }
}

impl SchemaConnection for SqliteConnection {
    fn locked_transaction<T>(
        &mut self,
        lock_timeout: Duration,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        self.batch_execute(&sqlite_lock_timeout_sql(lock_timeout))?;
        self.immediate_transaction(f)
            .map_err(|e| lock_error(e, lock_timeout))
    }

    const BACKEND: Backend = Backend::Sqlite;

    fn table_exists(&mut self, table: &str) -> Result<bool> {
        let row: PresentRow = diesel::sql_query(format!(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = {}) AS present",
            sql_literal(table)
        ))
        .get_result(self)
        .with_context(|| format!("cannot check whether table {table} exists"))?;
        Ok(row.present)
    }

    fn load_applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        diesel::sql_query(
            "SELECT version, strftime('%Y-%m-%dT%H:%M:%SZ', run_on) AS run_on \
             FROM __diesel_schema_migrations ORDER BY version",
        )
        .load(self)
        .context("cannot read __diesel_schema_migrations")
    }
}

impl AnyConnection {
    /// Writes a consistent copy of the whole database into the empty owner-only file at `path`
    /// (created by the caller, see `files::Staged`), where the backend can do that by itself: SQLite with `VACUUM INTO` (every table,
    /// other tools' included). `None` for PostgreSQL, whose rows go through the copy engine.
    pub fn snapshot_to_sqlite_file(&mut self, path: &Path) -> Option<Result<()>> {
        let AnyConnection::Sqlite(conn) = self else {
            return None;
        };
        Some((|| {
            let name = path
                .to_str()
                .with_context(|| format!("backup path {} is not valid UTF-8", path.display()))?;
            // A source opened `query_only` (see `ReadOpen`) refuses VACUUM INTO, which writes
            // only the new file: allowed for this statement alone.
            let query_only: CountRow =
                diesel::sql_query("SELECT query_only AS n FROM pragma_query_only")
                    .get_result(conn)
                    .context("cannot read PRAGMA query_only")?;
            conn.batch_execute("PRAGMA query_only = OFF")?;
            let done = conn
                .batch_execute(&format!("VACUUM INTO {}", sql_literal(name)))
                .with_context(|| format!("VACUUM INTO {} failed", path.display()));
            conn.batch_execute(&format!("PRAGMA query_only = {}", query_only.n))?;
            done
        })())
    }

    /// What makes this database itself, whatever spelling reached it (host name or address,
    /// through a proxy or not, parameter order). PostgreSQL: the cluster's system identifier
    /// (where the role may read it), the postmaster's start time, and the database's oid and
    /// name; SQLite: the file SQLite opened (symlinks resolved).
    pub fn database_identity(&mut self) -> Result<String> {
        let sql = match self {
            AnyConnection::Postgresql(_) => {
                "SELECT pg_postmaster_start_time()::text || ' ' || d.oid::text || ' ' || d.datname \
                 AS value FROM pg_database d WHERE d.datname = current_database()"
            }
            AnyConnection::Sqlite(_) => {
                "SELECT coalesce(file, '') AS value FROM pragma_database_list WHERE name = 'main'"
            }
        };
        let row: TextRow = diesel::sql_query(sql)
            .get_result(self)
            .context("cannot tell which database this is")?;
        if self.backend() == Backend::Sqlite {
            return Ok(row.value);
        }
        // Readable by any role on PostgreSQL 15; a managed server may refuse it (then the start
        // time, oid and name decide alone). A statement of its own, outside any transaction.
        let system: Option<TextRow> =
            diesel::sql_query("SELECT system_identifier::text AS value FROM pg_control_system()")
                .get_result(self)
                .ok();
        Ok(format!(
            "{} {}",
            system.map(|r| r.value).unwrap_or_default(),
            row.value
        ))
    }

    pub fn table_exists(&mut self, table: &str) -> Result<bool> {
        match self {
            AnyConnection::Postgresql(c) => c.table_exists(table),
            AnyConnection::Sqlite(c) => c.table_exists(table),
        }
    }

    pub fn applied_rows(&mut self) -> Result<Vec<AppliedRow>> {
        match self {
            AnyConnection::Postgresql(c) => c.applied_rows(),
            AnyConnection::Sqlite(c) => c.applied_rows(),
        }
    }

    /// `SchemaConnection::locked_transaction` for code written against `AnyConnection` (the
    /// copy engine): the same lock `migrate` takes, then `f` in that one transaction.
    pub fn schema_locked_transaction<T>(
        &mut self,
        lock_timeout: Duration,
        f: impl FnOnce(&mut AnyConnection) -> Result<T>,
    ) -> Result<T> {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        match self {
            AnyConnection::Postgresql(_) => self.transaction(|conn| {
                take_postgres_schema_lock(conn, lock_timeout)?;
                f(conn)
            }),
            AnyConnection::Sqlite(sqlite) => {
                sqlite.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}",
                    lock_timeout.as_millis()
                ))?;
                // BEGIN IMMEDIATE through diesel's manager, so the transaction depth it keeps
                // (and commits or rolls back below) stays right.
                AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE")
                    .map_err(|e| lock_error(e.into(), lock_timeout))?;
                match f(self) {
                    Ok(value) => {
                        <AnyConnection as Connection>::TransactionManager::commit_transaction(
                            self,
                        )?;
                        Ok(value)
                    }
                    Err(e) => {
                        let _ =
                            <AnyConnection as Connection>::TransactionManager::rollback_transaction(
                                self,
                            );
                        Err(e)
                    }
                }
            }
        }
    }
}

/// A string as a SQL literal (quotes doubled).
fn sql_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn lock_error(err: anyhow::Error, lock_timeout: Duration) -> anyhow::Error {
    if is_lock_timeout(&err) {
        err.context(format!(
            "could not take the schema lock within {}s: another agentdb migrate or rollback is running on this database; retry, or raise --lock-timeout",
            lock_timeout.as_secs_f64()
        ))
    } else {
        err
    }
}

/// The SQL spellings that differ between the backends, for the commands' queries.
///
/// Bind parameters are written `$1`, `$2`, … on both backends and must appear in the SQL in
/// that order: SQLite numbers `$N` parameters by first appearance, not by N, while diesel binds
/// by position.
impl Backend {
    /// The current time as the schema stores it (UTC).
    pub fn now(self) -> &'static str {
        match self {
            Backend::Postgres => "now()",
            Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        }
    }

    /// Bind parameter `n`. SQLite gets `?NNN`, which it binds by number: it treats `$N` as a
    /// named parameter and looks each one up by name, quadratic in a statement with thousands.
    pub fn param(self, n: usize) -> String {
        match self {
            Backend::Postgres => format!("${n}"),
            Backend::Sqlite => format!("?{n}"),
        }
    }

    /// A bind parameter for a JSON column (`jsonb` on PostgreSQL, checked text on SQLite).
    pub fn json_param(self, n: usize) -> String {
        match self {
            Backend::Postgres => format!("${n}::jsonb"),
            Backend::Sqlite => self.param(n),
        }
    }

    /// A timestamp expression read as UTC ISO-8601 text.
    pub fn timestamp_text(self, expr: &str) -> String {
        match self {
            Backend::Postgres => {
                format!("to_char(({expr}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
            }
            Backend::Sqlite => format!("({expr})"),
        }
    }

    /// A tenant's config keys and content hashes. On SQLite the covering index must be named:
    /// the planner prefers the table's own key, which reads every (large) JSON value and fills
    /// the page cache.
    pub fn config_hashes_sql(self) -> &'static str {
        match self {
            Backend::Postgres => {
                "SELECT key, content_hash FROM tenant_configs WHERE tenant_id = $1"
            }
            Backend::Sqlite => {
                "SELECT key, content_hash FROM tenant_configs INDEXED BY tenant_configs_hash_idx \
                 WHERE tenant_id = $1"
            }
        }
    }

    /// The size of the database on disk, in bytes.
    pub fn database_size_sql(self) -> &'static str {
        match self {
            Backend::Postgres => "SELECT pg_database_size(current_database()) AS n",
            Backend::Sqlite => {
                "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()"
            }
        }
    }

    /// Checks a valid JSON document against what the backend can store: PostgreSQL's `jsonb`
    /// refuses the NUL character (`\u0000`) that JSON itself allows.
    pub fn json_storable(self, text: &str) -> std::result::Result<(), String> {
        if self == Backend::Postgres && text.contains("\\u0000") {
            return Err("contains \\u0000, which PostgreSQL's jsonb cannot store".to_string());
        }
        Ok(())
    }
}

/// Locks a tenant's row for the rest of the transaction and says whether it exists. On
/// PostgreSQL the row lock serializes writers of one tenant; on SQLite this first write takes
/// the database's write lock (waiting up to busy_timeout) before anything is read, so the
/// transaction never has to upgrade a read lock, which SQLite cannot wait for.
pub fn lock_tenant(conn: &mut AnyConnection, tenant_id: &str) -> Result<bool> {
    let rows = diesel::sql_query("UPDATE tenants SET status = status WHERE id = $1")
        .bind::<Text, _>(tenant_id)
        .execute(conn)
        .with_context(|| format!("cannot lock tenant {tenant_id}"))?;
    Ok(rows == 1)
}

/// Whether the tenant exists (no lock).
pub fn tenant_exists(conn: &mut AnyConnection, tenant_id: &str) -> Result<bool> {
    let row: CountRow = diesel::sql_query("SELECT count(*) AS n FROM tenants WHERE id = $1")
        .bind::<Text, _>(tenant_id)
        .get_result(conn)
        .with_context(|| format!("cannot look up tenant {tenant_id}"))?;
    Ok(row.n == 1)
}

/// Whether another tenant than `tenant_id` holds this API key hash.
pub fn api_key_hash_taken(conn: &mut AnyConnection, hash: &str, tenant_id: &str) -> Result<bool> {
    let row: CountRow =
        diesel::sql_query("SELECT count(*) AS n FROM tenants WHERE api_key_hash = $1 AND id <> $2")
            .bind::<Text, _>(hash)
            .bind::<Text, _>(tenant_id)
            .get_result(conn)
            .context("cannot check API key uniqueness")?;
    Ok(row.n > 0)
}

/// A row of one integer column named `n`.
#[derive(QueryableByName, Debug)]
pub struct CountRow {
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Runs a query returning one integer column `n`.
pub fn count(conn: &mut AnyConnection, sql: &str) -> Result<i64> {
    let row: CountRow = diesel::sql_query(sql)
        .get_result(conn)
        .with_context(|| format!("query failed: {sql}"))?;
    Ok(row.n)
}

/// The server's version: PostgreSQL's `server_version`, or the SQLite library's.
pub fn server_version(conn: &mut AnyConnection) -> Result<String> {
    let sql = match conn.backend() {
        Backend::Postgres => "SELECT 'PostgreSQL ' || current_setting('server_version') AS value",
        Backend::Sqlite => "SELECT 'SQLite ' || sqlite_version() AS value",
    };
    let row: TextRow = diesel::sql_query(sql)
        .get_result(conn)
        .context("cannot read the server version")?;
    Ok(row.value)
}

/// What `health` inspects beyond the common checks, per backend.
#[derive(Debug)]
pub enum BackendProbe {
    Sqlite {
        /// `PRAGMA quick_check`: `ok`, or the problems found.
        quick_check: String,
        journal_mode: String,
        /// Whether the file can be opened for writing: the detail either way.
        writable: std::result::Result<String, String>,
    },
    Postgres {
        in_recovery: bool,
        connections: i64,
        max_connections: i64,
    },
}

/// Whether the SQLite file may be written, asked without opening it for writing.
fn sqlite_writable(target: &Target) -> std::result::Result<String, String> {
    match target {
        Target::Sqlite(SqliteLocation::File(path)) => match writable(path) {
            Writable::Yes => Ok(format!("{} is writable", path.display())),
            Writable::ReadOnlyFileSystem => Err(format!(
                "no: {} is on a read-only file system (reads work; writes will fail)",
                path.display()
            )),
            Writable::No => Err(format!(
                "no: {} is not writable by this user (reads work; writes will fail)",
                path.display()
            )),
        },
        _ => Ok("in-memory database".to_string()),
    }
}

#[derive(QueryableByName)]
struct PgProbeRow {
    #[diesel(sql_type = Bool)]
    in_recovery: bool,
    #[diesel(sql_type = BigInt)]
    connections: i64,
    #[diesel(sql_type = BigInt)]
    max_connections: i64,
}

pub fn probe(conn: &mut AnyConnection, target: &Target) -> Result<BackendProbe> {
    match conn.backend() {
        Backend::Sqlite => {
            let rows: Vec<TextRow> =
                diesel::sql_query("SELECT quick_check AS value FROM pragma_quick_check")
                    .load(conn)
                    .context("PRAGMA quick_check failed")?;
            let journal: TextRow =
                diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
                    .get_result(conn)
                    .context("cannot read the journal mode")?;
            Ok(BackendProbe::Sqlite {
                quick_check: rows
                    .into_iter()
                    .map(|r| r.value)
                    .collect::<Vec<_>>()
                    .join("; "),
                // An `immutable` open (a WAL file on a read-only mount) reports `delete`; the
                // file's header says what the file is.
                journal_mode: match target {
                    Target::Sqlite(SqliteLocation::File(path)) if sqlite_header_says_wal(path) => {
                        "wal".to_string()
                    }
                    _ => journal.value,
                },
                writable: sqlite_writable(target),
            })
        }
        Backend::Postgres => {
            let row: PgProbeRow = diesel::sql_query(
                "SELECT pg_is_in_recovery() AS in_recovery, \
                 (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections, \
                 current_setting('max_connections')::bigint AS max_connections",
            )
            .get_result(conn)
            .context("cannot read the server state")?;
            Ok(BackendProbe::Postgres {
                in_recovery: row.in_recovery,
                connections: row.connections,
                max_connections: row.max_connections,
            })
        }
    }
}

/// A row of one text column named `value`.
#[derive(QueryableByName, Debug)]
pub struct TextRow {
    #[diesel(sql_type = Text)]
    pub value: String,
}

/// The spellings for reading `tenant_configs` as the `configs` and `tenants` commands do:
/// values as JSON text, whether a value is an encrypted envelope (`{"fernet": "<token>"}`, see
/// `fernet.rs`), its stored size, and JSON equality.
impl Backend {
    /// A JSON column as text (PostgreSQL renders `jsonb`; SQLite keeps the text as written).
    pub fn json_text(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("({column})::text"),
            Backend::Sqlite => column.to_string(),
        }
    }

    /// A boolean: the JSON column is an object with exactly one member, `fernet`, a string.
    /// `CASE` keeps the object-only operators away from other documents.
    pub fn is_envelope(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!(
                "(CASE WHEN jsonb_typeof({column}) = 'object' THEN \
                 coalesce(jsonb_typeof({column} -> 'fernet') = 'string' \
                 AND ({column} - 'fernet') = '{{}}'::jsonb, false) ELSE false END)"
            ),
            Backend::Sqlite => format!(
                "(CASE WHEN json_type({column}) = 'object' THEN \
                 coalesce(json_type({column}, '$.fernet') = 'text' \
                 AND json_remove({column}, '$.fernet') = '{{}}', 0) ELSE 0 END)"
            ),
        }
    }

    /// Bytes of the stored JSON text (for an encrypted value: of its envelope).
    pub fn stored_bytes(self, column: &str) -> String {
        match self {
            Backend::Postgres => format!("octet_length(({column})::text)::bigint"),
            Backend::Sqlite => format!("length(CAST({column} AS BLOB))"),
        }
    }

    /// A boolean: the JSON column holds the same document as bind parameter `n`. PostgreSQL
    /// compares `jsonb` values, which keep neither formatting nor key order; SQLite keeps the
    /// text, so there the text must be the same.
    pub fn same_json(self, column: &str, n: usize) -> String {
        match self {
            Backend::Postgres => format!("coalesce({column} = ${n}::jsonb, false)"),
            Backend::Sqlite => format!("coalesce({column} = ?{n}, 0)"),
        }
    }
}

/// Which of `columns` the existing `table` lacks (a table of that name another application
/// made): PostgreSQL from the catalog of the current schema, SQLite from `table_info`.
pub fn missing_columns(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
) -> Result<Vec<String>> {
    let sql = match conn.backend() {
        Backend::Postgres => {
            "SELECT column_name::text AS value FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
        Backend::Sqlite => "SELECT name AS value FROM pragma_table_info(?1)",
    };
    let present: Vec<TextRow> = diesel::sql_query(sql)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(table.to_string())
        .load(conn)
        .with_context(|| format!("cannot read the columns of table {table}"))?;
    Ok(columns
        .iter()
        .filter(|c| !present.iter().any(|p| p.value == **c))
        .map(|c| c.to_string())
        .collect())
}

/// A count over another tool's table (LangGraph's, ADK's), or `None` where it is missing.
pub fn count_if_present(
    conn: &mut AnyConnection,
    table: &'static str,
    expr: &str,
) -> Result<Option<i64>> {
    if !conn.table_exists(table)? {
        return Ok(None);
    }
    count(conn, &format!("SELECT {expr} AS n FROM {table}")).map(Some)
}
