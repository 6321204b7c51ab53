//! SQLite files: creating one (0600), opening a connection with the pragmas README
//! "Choosing the database" lists, opening what is only read without writing it (`ReadOpen`),
//! whether a file may be written, its `-wal`/`-shm` side files, and the explanations of
//! SQLite's failures.

use std::fs;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

use super::{echo_sql, Access};
use crate::config::{Settings, SqliteLocation, Target};

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

pub(super) fn prepare_sqlite_file(path: &Path, real: &Path, access: Access) -> Result<()> {
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
    // `stats`); measured per command, none gained from more (docs/performance.md).
    conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
        .with_context(|| format!("cannot configure SQLite database {name}"))?;
    Ok(conn)
}

/// How a command that only reads opens an existing SQLite file (docs/decisions.md: "Opening
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

pub(super) fn is_busy(message: &str) -> bool {
    message.contains("database is locked") || message.contains("database is busy")
}
