//! The SQLite connection set-up of contract §2 as amended by issue 10: every connection gets
//! WAL, foreign keys, synchronous=NORMAL and the busy timeout; the page cache and temp store
//! stay at SQLite's own defaults (a one-shot command only pays for a big cache). Checked on a
//! real file against a plain connection to the same file.

mod common;

use std::time::Duration;

use agentdb::config::{Settings, SqliteLocation};
use agentdb::db;
use common::TestDb;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::sqlite::SqliteConnection;

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    value: i64,
}

#[derive(QueryableByName)]
struct Word {
    #[diesel(sql_type = Text)]
    value: String,
}

fn number(conn: &mut SqliteConnection, pragma: &str) -> i64 {
    diesel::sql_query(format!("SELECT (SELECT * FROM pragma_{pragma}) AS value"))
        .get_result::<Number>(conn)
        .unwrap_or_else(|e| panic!("PRAGMA {pragma}: {e}"))
        .value
}

fn word(conn: &mut SqliteConnection, pragma: &str) -> String {
    diesel::sql_query(format!("SELECT (SELECT * FROM pragma_{pragma}) AS value"))
        .get_result::<Word>(conn)
        .unwrap_or_else(|e| panic!("PRAGMA {pragma}: {e}"))
        .value
}

fn settings(busy: Duration) -> Settings {
    Settings {
        busy_timeout: busy,
        ..Settings::default()
    }
}

#[test]
fn a_fresh_sqlite_connection_has_the_contract_pragmas_and_sqlite_default_cache() {
    let db = TestDb::sqlite();
    let location = SqliteLocation::File(db.path());
    let mut conn = db::establish_sqlite(&location, &settings(Duration::from_millis(4321)))
        .expect("agentdb's SQLite connection");
    // A plain connection to the same file, with none of agentdb's PRAGMAs: SQLite's defaults as
    // this build of SQLite has them.
    let mut plain = SqliteConnection::establish(db.path().to_str().unwrap()).unwrap();

    assert_eq!(word(&mut conn, "journal_mode"), "wal");
    assert_eq!(number(&mut conn, "foreign_keys"), 1);
    assert_eq!(
        number(&mut conn, "synchronous"),
        1,
        "synchronous=NORMAL is 1"
    );
    assert_eq!(number(&mut conn, "busy_timeout"), 4321);
    let default_cache = number(&mut plain, "cache_size");
    assert_eq!(number(&mut conn, "cache_size"), default_cache);
    assert_ne!(
        default_cache, -65536,
        "the plain connection shows the 64 MB cache"
    );
    assert_eq!(
        number(&mut conn, "temp_store"),
        number(&mut plain, "temp_store")
    );
}
