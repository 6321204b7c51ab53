//! The platform the `erase` tests erase from: agentdb's tables (seeded by SQL), and LangGraph
//! threads, Store items and Google ADK sessions and memory written by the REAL libraries
//! (`tests/python/erase_fixture.py`), in one database. Every value of user u1 carries the
//! token `zqxu1marker`, u10's `zqxu10marker`.

use std::collections::BTreeMap;
use std::process::Output;

use serde_json::Value;

use super::python::run_script_ok;
use super::{json_of, stderr_of, Kind, TestDb};

pub const U1_MARK: &str = "zqxu1marker";

/// The FTS5 index (a view of `memory_events`) and the tables FTS5 rewrites when the index is
/// optimised: their rows change for everyone, so they
/// are checked for the subject's tokens, not compared row by row.
pub const REWRITTEN: [&str; 5] = [
    "memory_events_fts",
    "memory_events_fts_data",
    "memory_events_fts_idx",
    "memory_events_fts_docsize",
    "memory_events_fts_config",
];

const AGENTDB_ROWS: &str = r#"
INSERT INTO tenants (id, name) VALUES ('acme', 'Acme'), ('beta', 'Beta');
INSERT INTO tenant_configs (tenant_id, key, value, content_hash) VALUES
  ('acme', 'tok', '{"t": "acme-secret"}', 'h1'), ('beta', 'tok', '{"t": "beta-secret"}', 'h2');
INSERT INTO agents (tenant_id, id, name) VALUES ('acme', 'ag1', 'Agent'), ('beta', 'ag1', 'Agent');
INSERT INTO threads (tenant_id, id, metadata) VALUES
  ('acme', 'lg-u1', '{"user_id": "u1", "api_key": "sk-zqxu1marker"}'),
  ('acme', 'lg-none', '{}'),
  ('acme', 'dup', '{}'),
  ('beta', 'lg-u10', '{"user_id": "u10"}'),
  ('beta', 'u1-chat', '{"user_id": "u1", "topic": "zqxu1marker"}'),
  ('beta', 'dup', '{}'),
  ('beta', 'n42', '{"user_id": 42}');
INSERT INTO messages (tenant_id, id, thread_id, role, content) VALUES
  ('acme', 'm1', 'lg-u1', 'user', 'zqxu1marker hello'),
  ('acme', 'm2', 'lg-u1', 'assistant', 'hi zqxu1marker'),
  ('acme', 'm3', 'lg-none', 'user', 'plain'),
  ('acme', 'm4', 'dup', 'user', 'acme dup'),
  ('beta', 'm1', 'lg-u10', 'user', 'zqxu10marker hello'),
  ('beta', 'm2', 'u1-chat', 'user', 'zqxu1marker in beta'),
  ('beta', 'm3', 'dup', 'user', 'beta dup'),
  ('beta', 'm4', 'n42', 'user', 'forty-two');
INSERT INTO runs (tenant_id, id, thread_id, status) VALUES
  ('acme', 'r1', 'lg-u1', 'succeeded'), ('acme', 'r2', 'lg-none', 'running'),
  ('acme', 'r3', 'dup', 'pending'), ('beta', 'r1', 'lg-u10', 'succeeded'),
  ('beta', 'r2', 'u1-chat', 'failed'), ('beta', 'r3', 'dup', 'pending');
"#;

pub struct Platform {
    pub db: TestDb,
}

/// Every row of every table as text: `table -> (subject's rows, others' rows)`.
pub type Dump = BTreeMap<String, (Vec<String>, Vec<String>)>;

impl Platform {
    /// A migrated database with the whole fixture; `None` (loudly) without PostgreSQL or the
    /// Python environment.
    pub fn build(kind: Kind) -> Option<Platform> {
        let db = TestDb::new(kind)?;
        db.cmd().arg("migrate").assert().success();
        run_script_ok("erase_fixture.py", &["populate", &db.url], &[])?;
        db.exec(AGENTDB_ROWS);
        Some(Platform { db })
    }

    /// The saver's pending-writes table.
    pub fn writes(&self) -> &'static str {
        match self.db.kind {
            Kind::Sqlite => "writes",
            Kind::Postgres => "checkpoint_writes",
        }
    }

    /// The saver's tables (thread_id in each).
    pub fn saver_tables(&self) -> Vec<&'static str> {
        match self.db.kind {
            Kind::Sqlite => vec!["checkpoints", "writes"],
            Kind::Postgres => vec!["checkpoints", "checkpoint_blobs", "checkpoint_writes"],
        }
    }

    /// What the libraries read back, per subject (`lg:THREAD`, `store:NS/KEY`, `search:NS`,
    /// `adk:APP/USER/SESSION`, `memory:APP/USER`).
    pub fn read(&self) -> BTreeMap<String, Value> {
        let out = run_script_ok("erase_fixture.py", &["read", &self.db.url], &[])
            .expect("python was available for build");
        serde_json::from_str(&out).expect("read prints JSON")
    }

    /// Every row, split by `spec` (`table -> SQL condition` selecting the subject's rows).
    pub fn dump(&self, spec: &BTreeMap<&str, String>) -> Dump {
        let spec = serde_json::to_string(spec).unwrap();
        let out = run_script_ok("erase_fixture.py", &["dump", &self.db.url, &spec], &[])
            .expect("python was available for build");
        let v: BTreeMap<String, BTreeMap<String, Vec<String>>> =
            serde_json::from_str(&out).expect("dump prints JSON");
        v.into_iter()
            .map(|(t, mut p)| {
                (
                    t,
                    (
                        p.remove("subject").unwrap_or_default(),
                        p.remove("other").unwrap_or_default(),
                    ),
                )
            })
            .collect()
    }

    /// `agentdb -d URL erase ARGS --format json`, which must exit 0; its report.
    pub fn erase_at(&self, url: &str, args: &[&str]) -> Value {
        let out = self.erase_output(url, args);
        assert!(
            out.status.success(),
            "erase {args:?} failed: {}",
            stderr_of(&out)
        );
        json_of(&out)
    }

    pub fn erase_output(&self, url: &str, args: &[&str]) -> Output {
        super::agentdb(self.db.dir.path())
            .args(["-d", url, "--format", "json", "erase"])
            .args(args)
            .output()
            .expect("run agentdb")
    }
}

/// The rows a dump holds, per table, over both parts.
pub fn row_counts(dump: &Dump) -> BTreeMap<String, usize> {
    dump.iter()
        .map(|(t, (s, o))| (t.clone(), s.len() + o.len()))
        .collect()
}

/// `report.deleted` flattened to `table -> rows` over every store.
pub fn deleted_by_table(report: &Value) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for tables in report["deleted"].as_object().expect("deleted").values() {
        for (t, n) in tables.as_object().unwrap() {
            *out.entry(t.clone()).or_insert(0) += n.as_i64().unwrap();
        }
    }
    out
}
