//! Schema drift as operators make it: one change to one of agentdb's tables per case, written
//! for each backend (SQLite can only change a default, a check or a foreign key by rebuilding
//! the table, as its documentation tells operators to), and the one difference
//! `status --verify` must report for it.

use super::{Kind, TestDb};

/// One kind of drift.
pub struct DriftCase {
    pub what: &'static str,
    pub postgres: &'static str,
    /// SQL to run, or a rebuild of `table` with (from, to) replacements in its statement.
    pub sqlite: SqliteChange,
    pub table: &'static str,
    pub object: &'static str,
    pub name: &'static str,
    /// Lower-case text the expected / actual side must contain; `None`: that side is `null`.
    pub expected: Option<&'static str>,
    pub actual: Option<&'static str>,
}

pub enum SqliteChange {
    Sql(&'static str),
    Rebuild(&'static str, &'static [(&'static str, &'static str)]),
}

pub const DRIFT_CASES: &[DriftCase] = &[
    DriftCase {
        what: "added column",
        postgres: "ALTER TABLE agents ADD COLUMN owner TEXT",
        sqlite: SqliteChange::Sql("ALTER TABLE agents ADD COLUMN owner TEXT"),
        table: "agents",
        object: "column",
        name: "owner",
        expected: None,
        actual: Some("text null"),
    },
    DriftCase {
        what: "dropped column",
        postgres: "ALTER TABLE agents DROP COLUMN persona",
        sqlite: SqliteChange::Sql("ALTER TABLE agents DROP COLUMN persona"),
        table: "agents",
        object: "column",
        name: "persona",
        expected: Some("text null"),
        actual: None,
    },
    DriftCase {
        what: "changed nullability",
        postgres: "ALTER TABLE threads ALTER COLUMN title SET NOT NULL",
        sqlite: SqliteChange::Rebuild(
            "threads",
            &[("title           TEXT,", "title           TEXT NOT NULL,")],
        ),
        table: "threads",
        object: "column",
        name: "title",
        expected: Some("text null"),
        actual: Some("text not null"),
    },
    DriftCase {
        what: "added index",
        postgres: "CREATE INDEX agents_name_idx ON agents (name)",
        sqlite: SqliteChange::Sql("CREATE INDEX agents_name_idx ON agents (name)"),
        table: "agents",
        object: "index",
        name: "agents_name_idx",
        expected: None,
        actual: Some("(name)"),
    },
    DriftCase {
        what: "dropped index",
        postgres: "DROP INDEX runs_tenant_status_idx",
        sqlite: SqliteChange::Sql("DROP INDEX runs_tenant_status_idx"),
        table: "runs",
        object: "index",
        name: "runs_tenant_status_idx",
        expected: Some("(tenant_id, status)"),
        actual: None,
    },
    DriftCase {
        what: "changed index",
        postgres: "DROP INDEX runs_tenant_status_idx; CREATE INDEX runs_tenant_status_idx ON runs (tenant_id, status DESC)",
        sqlite: SqliteChange::Sql("DROP INDEX runs_tenant_status_idx; CREATE INDEX runs_tenant_status_idx ON runs (tenant_id, status DESC)"),
        table: "runs",
        object: "index",
        name: "runs_tenant_status_idx",
        expected: Some("(tenant_id, status)"),
        actual: Some("(tenant_id, status desc)"),
    },
    DriftCase {
        what: "changed default",
        postgres: "ALTER TABLE runs ALTER COLUMN status SET DEFAULT 'running'",
        sqlite: SqliteChange::Rebuild("runs", &[("DEFAULT 'pending'", "DEFAULT 'running'")]),
        table: "runs",
        object: "column",
        name: "status",
        expected: Some("default 'pending'"),
        actual: Some("default 'running'"),
    },
    DriftCase {
        what: "dropped default",
        postgres: "ALTER TABLE agents ALTER COLUMN version DROP DEFAULT",
        sqlite: SqliteChange::Rebuild(
            "agents",
            &[("INTEGER NOT NULL DEFAULT 1,", "INTEGER NOT NULL,")],
        ),
        table: "agents",
        object: "column",
        name: "version",
        expected: Some("not null default 1"),
        actual: Some("integer not null"),
    },
    DriftCase {
        what: "added check",
        postgres: "ALTER TABLE runs ADD CHECK (completed_tasks <= total_tasks)",
        sqlite: SqliteChange::Rebuild(
            "runs",
            &[(
                "PRIMARY KEY (tenant_id, id)",
                "CHECK (completed_tasks <= total_tasks), PRIMARY KEY (tenant_id, id)",
            )],
        ),
        table: "runs",
        object: "constraint",
        name: "check",
        expected: None,
        actual: Some("check (completed_tasks <= total_tasks)"),
    },
    DriftCase {
        what: "dropped check",
        postgres: "ALTER TABLE messages DROP CONSTRAINT messages_role_check",
        sqlite: SqliteChange::Rebuild(
            "messages",
            &[(
                " CHECK (role IN ('user', 'assistant', 'system', 'tool'))",
                "",
            )],
        ),
        table: "messages",
        object: "constraint",
        name: "check",
        expected: Some("check (role"),
        actual: None,
    },
    DriftCase {
        what: "dropped foreign key",
        postgres: "ALTER TABLE threads DROP CONSTRAINT threads_tenant_id_agent_id_fkey",
        sqlite: SqliteChange::Rebuild(
            "threads",
            &[(
                ",\n    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id)",
                "",
            )],
        ),
        table: "threads",
        object: "constraint",
        name: "foreign key",
        expected: Some("foreign key (tenant_id, agent_id) references agents (tenant_id, id)"),
        actual: None,
    },
];

impl DriftCase {
    /// Makes the change on `db` (migrated).
    pub fn apply(&self, db: &TestDb) {
        match (db.kind, &self.sqlite) {
            (Kind::Postgres, _) => db.exec(self.postgres),
            (Kind::Sqlite, SqliteChange::Sql(sql)) => db.exec(sql),
            (Kind::Sqlite, SqliteChange::Rebuild(table, replacements)) => {
                rebuild_sqlite_table(db, table, replacements)
            }
        }
    }

    /// Panics unless `differences` (of `status --verify --format json`) is exactly this case's.
    pub fn assert_reported(&self, differences: &serde_json::Value, context: &str) {
        let list = differences.as_array().expect("differences");
        assert_eq!(list.len(), 1, "{} ({context}): {differences}", self.what);
        let d = &list[0];
        assert_eq!(
            (
                d["table"].as_str(),
                d["object"].as_str(),
                d["name"].as_str()
            ),
            (Some(self.table), Some(self.object), Some(self.name)),
            "{} ({context}): {d}",
            self.what
        );
        for (side, want) in [("expected", self.expected), ("actual", self.actual)] {
            match want {
                None => assert!(d[side].is_null(), "{} ({context}): {d}", self.what),
                Some(text) => {
                    let have = d[side].as_str().unwrap_or_default().to_lowercase();
                    assert!(have.contains(text), "{} ({context}): {side} {d}", self.what);
                }
            }
        }
    }

    /// The words `health`'s `schema_drift` detail names the difference with.
    pub fn health_words(&self) -> String {
        format!("{} {} {}", self.table, self.object, self.name)
    }
}

/// Rebuilds a SQLite table with a changed statement (SQLite's documented way to change a
/// default, a check or a foreign key): new table, rows copied, old dropped, new renamed, the
/// table's indexes created again. Every replacement must match.
pub fn rebuild_sqlite_table(db: &TestDb, table: &str, replacements: &[(&str, &str)]) {
    let sql = db.strings(&format!(
        "SELECT sql AS v FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
    ));
    let mut create = sql[0].clone();
    for (from, to) in replacements {
        assert!(create.contains(from), "{from:?} not in {create}");
        create = create.replacen(from, to, 1);
    }
    let rebuilt = format!("{table}_rebuilt");
    let create = create.replacen(table, &rebuilt, 1);
    let indexes = db.strings(&format!(
        "SELECT sql AS v FROM sqlite_master WHERE type = 'index' AND tbl_name = '{table}' AND sql IS NOT NULL"
    ));
    db.exec(&format!(
        "PRAGMA foreign_keys = OFF; BEGIN; {create}; INSERT INTO {rebuilt} SELECT * FROM {table}; \
         DROP TABLE {table}; ALTER TABLE {rebuilt} RENAME TO {table}; {}; COMMIT;",
        indexes.join("; ")
    ));
}

/// Tables of the reference left behind: it is built as temporary tables in a transaction that
/// is rolled back, so there must be none, in any schema.
pub fn reference_tables_left(db: &TestDb) -> i64 {
    db.scalar(
        "SELECT count(*) AS v FROM pg_class WHERE relname = 'tenants' \
         AND (relpersistence = 't' OR relnamespace <> 'public'::regnamespace)",
    )
}
