//! Read-only sources: SQLite files in each journal state a platform leaves them in, a tmpfs of
//! the test's own that is remounted read-only, and a fingerprint of a file and its side files
//! that proves a command left them as they were. PostgreSQL: a fingerprint of every table.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use sha2::{Digest, Sha256};

/// `path` followed by a suffix (`-wal`, `-shm`, `-journal`).
pub fn side_file(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sha256_of(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|bytes| hex::encode(Sha256::digest(bytes)))
}

/// What a command that only reads must leave as it was: the file's bytes, the journal mode its
/// header records, the `-wal`'s bytes (or its absence), and whether `-shm` and `-journal` exist.
/// (The `-shm` is shared memory in which every reader records its read marks: its existence is
/// compared, not its bytes.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileState {
    pub sha256: String,
    pub journal_mode: &'static str,
    pub wal_sha256: Option<String>,
    pub shm: bool,
    pub journal: bool,
}

pub fn file_state(path: &Path) -> FileState {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let journal_mode = match bytes.get(18..20) {
        Some([2, 2]) => "wal",
        Some([1, 1]) => "rollback (delete)",
        _ => "unknown",
    };
    FileState {
        sha256: hex::encode(Sha256::digest(&bytes)),
        journal_mode,
        wal_sha256: sha256_of(&side_file(path, "-wal")),
        shm: side_file(path, "-shm").exists(),
        journal: side_file(path, "-journal").exists(),
    }
}

/// The journal states a SQLite database is found in, each made from a migrated template (a WAL
/// file closed cleanly) by the tools that leave it so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalState {
    /// Rollback journal (`delete`): what `agentdb backup` and many tools write.
    Delete,
    /// WAL, closed cleanly: no `-wal`, no `-shm`.
    WalClean,
    /// WAL whose `-wal` holds committed frames (tenant `walonly`) and a `-shm`: a writer that
    /// exited without closing (killed, crashed, `os._exit`), or one still running.
    WalFrames,
    /// WAL after `wal_checkpoint(TRUNCATE)` by a writer that then exited without closing: an
    /// empty `-wal` and a `-shm` (tenant `walonly` is in the file itself).
    WalEmptySideFiles,
}

pub const JOURNAL_STATES: [JournalState; 4] = [
    JournalState::Delete,
    JournalState::WalClean,
    JournalState::WalFrames,
    JournalState::WalEmptySideFiles,
];

/// A Python sqlite3 writer that adds tenant `walonly` and exits without closing.
const PYTHON_WRITER: &str = r#"
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('PRAGMA wal_autocheckpoint = 0')
c.execute("INSERT INTO tenants (id, name) VALUES ('walonly', 'Only in the WAL')")
c.commit()
if sys.argv[2] == 'truncate':
    c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
os._exit(0)
"#;

impl JournalState {
    pub fn name(self) -> &'static str {
        match self {
            JournalState::Delete => "delete",
            JournalState::WalClean => "wal-clean",
            JournalState::WalFrames => "wal-frames",
            JournalState::WalEmptySideFiles => "wal-empty-side-files",
        }
    }

    /// Tenants a reader must see: the template's one, plus `walonly` where it was written.
    pub fn tenants(self) -> i64 {
        match self {
            JournalState::Delete | JournalState::WalClean => 1,
            JournalState::WalFrames | JournalState::WalEmptySideFiles => 2,
        }
    }

    /// Copies the cleanly closed WAL `template` to `path` and puts it in this state.
    pub fn prepare(self, template: &Path, path: &Path) {
        assert!(!side_file(template, "-wal").exists(), "template not closed");
        std::fs::copy(template, path).unwrap();
        match self {
            JournalState::Delete => {
                let mut c = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
                c.batch_execute("PRAGMA journal_mode = DELETE").unwrap();
            }
            JournalState::WalClean => {}
            JournalState::WalFrames | JournalState::WalEmptySideFiles => {
                let mode = if self == JournalState::WalFrames {
                    "frames"
                } else {
                    "truncate"
                };
                let status = StdCommand::new("python3")
                    .args(["-c", PYTHON_WRITER])
                    .arg(path)
                    .arg(mode)
                    .status()
                    .expect("python3");
                assert!(status.success());
            }
        }
        let state = file_state(path);
        let (journal_mode, wal, shm) = match self {
            JournalState::Delete => ("rollback (delete)", None, false),
            JournalState::WalClean => ("wal", None, false),
            JournalState::WalFrames => ("wal", Some(true), true),
            JournalState::WalEmptySideFiles => ("wal", Some(false), true),
        };
        assert_eq!(state.journal_mode, journal_mode, "{}", self.name());
        let wal_len = std::fs::metadata(side_file(path, "-wal"))
            .ok()
            .map(|m| m.len() > 0);
        assert_eq!(wal_len, wal, "{}: -wal", self.name());
        assert_eq!(state.shm, shm, "{}: -shm", self.name());
    }
}

/// A fingerprint of every table in the PostgreSQL database's `public` schema (name, row count,
/// digest of the rows) and of its relations: equal before and after means nothing was written.
pub fn postgres_fingerprint(url: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let mut conn = PgConnection::establish(url).unwrap();
    let tables: Vec<Row> = diesel::sql_query(
        "SELECT c.relname || ':' || c.relkind::text AS v FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' ORDER BY 1",
    )
    .load(&mut conn)
    .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let (name, kind) = t.v.split_once(':').unwrap();
        out.push(t.v.clone());
        if kind == "r" {
            let row: Row = diesel::sql_query(format!(
                "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS v FROM \"{name}\" t"
            ))
            .get_result(&mut conn)
            .unwrap();
            out.push(format!("{name}: {}", row.v));
        }
    }
    out
}
