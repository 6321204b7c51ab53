//! Legacy layouts for `copy --layout` tests: each platform's own DDL as its database guide
//! gives it, hostile rows (unicode, NULLs, nested JSON with numbers beyond double precision,
//! SQLAlchemy-style naive times, orphans), and the agentdb rows they must become.
//!
//! Included by `tests/copy_legacy.rs` with `#[path]` (not through `common/mod.rs`).
#![allow(dead_code)]

use serde_json::{json, Value};

use super::common::{Kind, TestDb};

/// agentkit's `001_initial_schema.sql` (its `migrate.py` runs it on SQLite and PostgreSQL):
/// the guide's columns and types, `TIMESTAMP` stored by SQLAlchemy as naive UTC.
pub const AGENTKIT_DDL: &str = "
CREATE TABLE IF NOT EXISTS threads (
    id VARCHAR(36) PRIMARY KEY,
    title VARCHAR(255),
    agent_type VARCHAR(50) NOT NULL,
    model VARCHAR(100) NOT NULL,
    provider VARCHAR(50) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS messages (
    id VARCHAR(36) PRIMARY KEY,
    thread_id VARCHAR(36) NOT NULL,
    role VARCHAR(20) NOT NULL,
    content TEXT,
    artifact_data TEXT,
    message_metadata TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (thread_id) REFERENCES threads(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS idx_messages_thread_id ON messages(thread_id);
CREATE INDEX IF NOT EXISTS idx_messages_created_at ON messages(created_at);
CREATE INDEX IF NOT EXISTS idx_threads_created_at ON threads(created_at);
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO schema_migrations (version) VALUES (1);
";

/// The ADK integration's tables (PostgreSQL, its guide's columns; `persona_*` are four fields).
pub const ADK_INTEGRATION_POSTGRES_DDL: &str = "
CREATE TABLE new_agent (
    agent_id VARCHAR(255) PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    agent_type VARCHAR(50) DEFAULT 'regular',
    persona_role TEXT,
    persona_goal TEXT,
    persona_backstory TEXT,
    persona_tone VARCHAR(100),
    config JSONB DEFAULT '{}',
    tools JSONB DEFAULT '[]',
    sub_agents JSONB DEFAULT '[]',
    planner VARCHAR(100),
    version INTEGER DEFAULT 1,
    is_active BOOLEAN DEFAULT TRUE,
    usage_count INTEGER DEFAULT 0,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_used TIMESTAMP,
    metadata JSONB DEFAULT '{}'
);
CREATE TABLE new_conversations (
    conversation_id VARCHAR(255) PRIMARY KEY,
    agent_id VARCHAR(255) REFERENCES new_agent(agent_id),
    session_id VARCHAR(255),
    title TEXT,
    status VARCHAR(20) DEFAULT 'active',
    message_count INTEGER DEFAULT 0,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_message_at TIMESTAMP,
    metadata JSONB DEFAULT '{}'
);
CREATE TABLE new_messages (
    message_id VARCHAR(255) PRIMARY KEY,
    conversation_id VARCHAR(255) REFERENCES new_conversations(conversation_id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL,
    content TEXT,
    message_type VARCHAR(20) DEFAULT 'text',
    tool_name VARCHAR(255),
    tool_args JSONB,
    tool_call_id VARCHAR(255),
    is_streaming BOOLEAN DEFAULT FALSE,
    is_complete BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    metadata JSONB DEFAULT '{}'
);
CREATE INDEX idx_new_conversations_agent ON new_conversations(agent_id);
CREATE INDEX idx_new_messages_conversation ON new_messages(conversation_id);
";

/// The same tables as SQLAlchemy creates them on SQLite (JSON as text, booleans 0/1).
pub const ADK_INTEGRATION_SQLITE_DDL: &str = "
CREATE TABLE new_agent (
    agent_id VARCHAR(255) PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    agent_type VARCHAR(50) DEFAULT 'regular',
    persona_role TEXT,
    persona_goal TEXT,
    persona_backstory TEXT,
    persona_tone VARCHAR(100),
    config JSON DEFAULT '{}',
    tools JSON DEFAULT '[]',
    sub_agents JSON DEFAULT '[]',
    planner VARCHAR(100),
    version INTEGER DEFAULT 1,
    is_active BOOLEAN DEFAULT 1,
    usage_count INTEGER DEFAULT 0,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    last_used DATETIME,
    metadata JSON DEFAULT '{}'
);
CREATE TABLE new_conversations (
    conversation_id VARCHAR(255) PRIMARY KEY,
    agent_id VARCHAR(255) REFERENCES new_agent(agent_id),
    session_id VARCHAR(255),
    title TEXT,
    status VARCHAR(20) DEFAULT 'active',
    message_count INTEGER DEFAULT 0,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    updated_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    last_message_at DATETIME,
    metadata JSON DEFAULT '{}'
);
CREATE TABLE new_messages (
    message_id VARCHAR(255) PRIMARY KEY,
    conversation_id VARCHAR(255) REFERENCES new_conversations(conversation_id) ON DELETE CASCADE,
    role VARCHAR(20) NOT NULL,
    content TEXT,
    message_type VARCHAR(20) DEFAULT 'text',
    tool_name VARCHAR(255),
    tool_args JSON,
    tool_call_id VARCHAR(255),
    is_streaming BOOLEAN DEFAULT 0,
    is_complete BOOLEAN DEFAULT 1,
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP,
    metadata JSON DEFAULT '{}'
);
CREATE INDEX idx_new_conversations_agent ON new_conversations(agent_id);
CREATE INDEX idx_new_messages_conversation ON new_messages(conversation_id);
";

/// A number no double holds: must arrive with every digit.
pub const BIG: &str = "12345678901234567890123";

/// Hostile agentkit rows (SQL valid on both backends).
pub fn agentkit_rows() -> String {
    format!(
        "
INSERT INTO threads (id, title, agent_type, model, provider, created_at, updated_at) VALUES
 ('7d0c6a52-2b1f-4c39-9d4e-0a1b2c3d4e5f', 'Salaire 2026 ✓ — \u{201c}quotes\u{201d} ''single''', 'salary_viewer', 'gpt-5-mini', 'azure-openai', '2026-01-04 10:00:00.123456', '2026-01-04 10:05:00'),
 ('t-2', NULL, 'chat', 'gemini-2.5-flash', 'gemini', '2026-01-04 10:00:00', '2026-01-05 00:00:00.5'),
 ('t-3', '🚀 tab	and
newline \\ backslash', 'canvas', 'llama3', 'ollama', '2025-12-31 23:59:59.999999', '2026-01-01 00:00:00');
INSERT INTO messages (id, thread_id, role, content, artifact_data, message_metadata, created_at) VALUES
 ('m-1', '7d0c6a52-2b1f-4c39-9d4e-0a1b2c3d4e5f', 'user', 'Bonjour 👋 ñ', NULL, NULL, '2026-01-04 10:00:00.123456'),
 ('m-2', '7d0c6a52-2b1f-4c39-9d4e-0a1b2c3d4e5f', 'assistant', '', '{{\"type\": \"table\", \"rows\": [{{\"n\": {BIG}, \"f\": 1.50, \"deep\": {{\"a\": [[[{{\"b\": null}}]]]}}}}]}}', '{{\"tokens\": {{\"in\": 12, \"out\": 3400}}, \"model\": \"gpt-5-mini\"}}', '2026-01-04 10:00:01.5'),
 ('m-3', 't-2', 'user', NULL, NULL, '{{}}', '2026-01-04 10:00:01'),
 ('m-4', 't-3', 'assistant', 'say \"hi\" \\ ok', '[]', '{{\"ünï\": \"ç\", \"e\": 1e2}}', '2026-01-01 00:00:00.000001');
"
    )
}

/// The agentdb `threads` rows agentkit's rows become (tenant omitted).
pub fn agentkit_threads() -> Vec<Value> {
    vec![
        json!({"id": "7d0c6a52-2b1f-4c39-9d4e-0a1b2c3d4e5f", "agent_id": null,
               "title": "Salaire 2026 ✓ — \u{201c}quotes\u{201d} 'single'", "agent_type": "salary_viewer",
               "model": "gpt-5-mini", "provider": "azure-openai", "session_id": null, "status": "active",
               "created_at": "2026-01-04T10:00:00.123456Z", "updated_at": "2026-01-04T10:05:00.000000Z",
               "last_message_at": null, "metadata": {}}),
        json!({"id": "t-2", "agent_id": null, "title": null, "agent_type": "chat",
               "model": "gemini-2.5-flash", "provider": "gemini", "session_id": null, "status": "active",
               "created_at": "2026-01-04T10:00:00.000000Z", "updated_at": "2026-01-05T00:00:00.500000Z",
               "last_message_at": null, "metadata": {}}),
        json!({"id": "t-3", "agent_id": null, "title": "🚀 tab\tand\nnewline \\ backslash", "agent_type": "canvas",
               "model": "llama3", "provider": "ollama", "session_id": null, "status": "active",
               "created_at": "2025-12-31T23:59:59.999999Z", "updated_at": "2026-01-01T00:00:00.000000Z",
               "last_message_at": null, "metadata": {}}),
    ]
}

pub fn agentkit_messages() -> Vec<Value> {
    let artifact: Value = serde_json::from_str(&format!(
        r#"{{"type": "table", "rows": [{{"n": {BIG}, "f": 1.50, "deep": {{"a": [[[{{"b": null}}]]]}}}}]}}"#
    ))
    .unwrap();
    let message = |id: &str,
                   thread: &str,
                   role: &str,
                   content: &str,
                   artifact: Value,
                   created: &str,
                   metadata: Value| {
        json!({"id": id, "thread_id": thread, "role": role, "content": content, "message_type": "text",
               "tool_name": null, "tool_arguments": null, "tool_call_id": null, "artifact_data": artifact,
               "is_complete": true, "created_at": created, "metadata": metadata})
    };
    let t1 = "7d0c6a52-2b1f-4c39-9d4e-0a1b2c3d4e5f";
    vec![
        message(
            "m-1",
            t1,
            "user",
            "Bonjour 👋 ñ",
            Value::Null,
            "2026-01-04T10:00:00.123456Z",
            json!({}),
        ),
        message(
            "m-2",
            t1,
            "assistant",
            "",
            artifact,
            "2026-01-04T10:00:01.500000Z",
            json!({"tokens": {"in": 12, "out": 3400}, "model": "gpt-5-mini"}),
        ),
        message(
            "m-3",
            "t-2",
            "user",
            "",
            Value::Null,
            "2026-01-04T10:00:01.000000Z",
            json!({}),
        ),
        message(
            "m-4",
            "t-3",
            "assistant",
            "say \"hi\" \\ ok",
            json!([]),
            "2026-01-01T00:00:00.000001Z",
            json!({"ünï": "ç", "e": 100.0}),
        ),
    ]
}

/// Hostile ADK-integration rows (SQL valid on both backends; booleans as TRUE/FALSE).
pub fn adk_integration_rows() -> String {
    format!(
        "
INSERT INTO new_agent (agent_id, name, description, agent_type, persona_role, persona_goal, persona_backstory, persona_tone,
                       config, tools, sub_agents, planner, version, is_active, usage_count, created_at, last_used, metadata) VALUES
 ('a-root', 'Travel planner ✈', 'Plans trips — \u{201c}fast\u{201d}', 'SequentialAgent', 'planner', 'Trip to 日本', NULL, 'calm',
  '{{\"model\": \"gemini-2.5-flash\", \"temperature\": 0.7, \"budget\": {BIG}}}', '[\"search\", \"calc\"]', '[\"a-sub\"]',
  'BuiltInPlanner', 3, TRUE, 42, '2026-01-04 10:00:00.123456', '2026-01-05 08:00:00', '{{\"team\": {{\"name\": \"ops\", \"ids\": [1, 2, 3]}}}}'),
 ('a-sub', 'Searcher', NULL, 'ParallelAgent', NULL, NULL, NULL, NULL,
  '{{}}', '[]', '[]', NULL, 1, FALSE, 0, '2026-01-04 10:00:00', NULL, NULL),
 ('a-reg', 'Plain ''agent''', '', 'regular', NULL, 'answer', NULL, NULL,
  NULL, NULL, NULL, '{{\"type\": \"plan_react\"}}', 2, TRUE, 7, '2025-12-31 23:59:59.999999', '2026-01-01 00:00:00.000001', '{{}}');
INSERT INTO new_conversations (conversation_id, agent_id, session_id, title, status, message_count, created_at, updated_at, last_message_at, metadata) VALUES
 ('c-1', 'a-root', 's-1', 'Tokyo 🗼', 'active', 3, '2026-01-04 10:00:00.5', '2026-01-04 10:10:00', '2026-01-04 10:09:59.999999', '{{\"channel\": \"web\"}}'),
 ('c-2', 'a-sub', NULL, NULL, 'archived', 5, '2026-01-04 11:00:00', '2026-01-04 11:00:00', NULL, NULL),
 ('c-3', NULL, 's-3', 'no agent', 'deleted', NULL, '2026-01-04 12:00:00', '2026-01-04 12:00:00', NULL, '{{}}');
INSERT INTO new_messages (message_id, conversation_id, role, content, message_type, tool_name, tool_args, tool_call_id, is_streaming, is_complete, created_at, metadata) VALUES
 ('nm-1', 'c-1', 'user', 'Plan a trip to 東京', 'text', NULL, NULL, NULL, FALSE, TRUE, '2026-01-04 10:00:01.123456', NULL),
 ('nm-2', 'c-1', 'assistant', '', 'tool_call', 'search', '{{\"q\": \"Tokyo\", \"limit\": {BIG}, \"filters\": {{\"price\": [1.5, 2.25]}}}}', 'call-1', TRUE, FALSE, '2026-01-04 10:00:02', '{{\"latency_ms\": 12}}'),
 ('nm-3', 'c-1', 'tool', '{{\"results\": []}}', 'tool_response', 'search', NULL, 'call-1', FALSE, TRUE, '2026-01-04 10:00:03', NULL),
 ('nm-4', 'c-2', 'system', 'You are… \\ \"careful\"', 'thinking', NULL, NULL, NULL, NULL, NULL, '2026-01-04 11:00:00.000001', '{{}}');
"
    )
}

pub fn adk_integration_agents() -> Vec<Value> {
    let config: Value = serde_json::from_str(&format!(
        r#"{{"model": "gemini-2.5-flash", "temperature": 0.7, "budget": {BIG}}}"#
    ))
    .unwrap();
    vec![
        json!({"id": "a-root", "name": "Travel planner ✈", "description": "Plans trips — \u{201c}fast\u{201d}",
               "agent_type": "sequential",
               "persona": {"role": "planner", "goal": "Trip to 日本", "backstory": null, "tone": "calm"},
               "config": config, "tools": ["search", "calc"], "sub_agents": ["a-sub"],
               "planner": "BuiltInPlanner", "version": 3, "is_active": true, "usage_count": 42,
               "created_at": "2026-01-04T10:00:00.123456Z", "last_used_at": "2026-01-05T08:00:00.000000Z",
               "metadata": {"team": {"name": "ops", "ids": [1, 2, 3]}}}),
        json!({"id": "a-sub", "name": "Searcher", "description": null, "agent_type": "parallel",
               "persona": null, "config": {}, "tools": [], "sub_agents": [], "planner": null,
               "version": 1, "is_active": false, "usage_count": 0,
               "created_at": "2026-01-04T10:00:00.000000Z", "last_used_at": null, "metadata": {}}),
        json!({"id": "a-reg", "name": "Plain 'agent'", "description": "", "agent_type": "regular",
               "persona": {"role": null, "goal": "answer", "backstory": null, "tone": null},
               "config": {}, "tools": [], "sub_agents": [], "planner": {"type": "plan_react"},
               "version": 2, "is_active": true, "usage_count": 7,
               "created_at": "2025-12-31T23:59:59.999999Z", "last_used_at": "2026-01-01T00:00:00.000001Z",
               "metadata": {}}),
    ]
}

pub fn adk_integration_threads() -> Vec<Value> {
    vec![
        json!({"id": "c-1", "agent_id": "a-root", "title": "Tokyo 🗼", "agent_type": null, "model": null,
               "provider": null, "session_id": "s-1", "status": "active",
               "created_at": "2026-01-04T10:00:00.500000Z", "updated_at": "2026-01-04T10:10:00.000000Z",
               "last_message_at": "2026-01-04T10:09:59.999999Z", "metadata": {"channel": "web"}}),
        json!({"id": "c-2", "agent_id": "a-sub", "title": null, "agent_type": null, "model": null,
               "provider": null, "session_id": null, "status": "archived",
               "created_at": "2026-01-04T11:00:00.000000Z", "updated_at": "2026-01-04T11:00:00.000000Z",
               "last_message_at": null, "metadata": {}}),
        json!({"id": "c-3", "agent_id": null, "title": "no agent", "agent_type": null, "model": null,
               "provider": null, "session_id": "s-3", "status": "deleted",
               "created_at": "2026-01-04T12:00:00.000000Z", "updated_at": "2026-01-04T12:00:00.000000Z",
               "last_message_at": null, "metadata": {}}),
    ]
}

pub fn adk_integration_messages() -> Vec<Value> {
    let args: Value = serde_json::from_str(&format!(
        r#"{{"q": "Tokyo", "limit": {BIG}, "filters": {{"price": [1.5, 2.25]}}}}"#
    ))
    .unwrap();
    vec![
        json!({"id": "nm-1", "thread_id": "c-1", "role": "user", "content": "Plan a trip to 東京",
               "message_type": "text", "tool_name": null, "tool_arguments": null, "tool_call_id": null,
               "artifact_data": null, "is_complete": true, "created_at": "2026-01-04T10:00:01.123456Z",
               "metadata": {"is_streaming": false}}),
        json!({"id": "nm-2", "thread_id": "c-1", "role": "assistant", "content": "",
               "message_type": "tool_call", "tool_name": "search", "tool_arguments": args,
               "tool_call_id": "call-1", "artifact_data": null, "is_complete": false,
               "created_at": "2026-01-04T10:00:02.000000Z",
               "metadata": {"latency_ms": 12, "is_streaming": true}}),
        json!({"id": "nm-3", "thread_id": "c-1", "role": "tool", "content": "{\"results\": []}",
               "message_type": "tool_response", "tool_name": "search", "tool_arguments": null,
               "tool_call_id": "call-1", "artifact_data": null, "is_complete": true,
               "created_at": "2026-01-04T10:00:03.000000Z", "metadata": {"is_streaming": false}}),
        json!({"id": "nm-4", "thread_id": "c-2", "role": "system", "content": "You are… \\ \"careful\"",
               "message_type": "thinking", "tool_name": null, "tool_arguments": null, "tool_call_id": null,
               "artifact_data": null, "is_complete": true, "created_at": "2026-01-04T11:00:00.000001Z",
               "metadata": {"is_streaming": null}}),
    ]
}

/// A legacy database of `layout` on `kind`, filled with the hostile rows; `None` without a
/// PostgreSQL server.
pub fn legacy_source(kind: Kind, layout: &str) -> Option<TestDb> {
    let db = TestDb::new(kind)?;
    let ddl = match (layout, kind) {
        ("agentkit", _) => AGENTKIT_DDL,
        ("adk-integration", Kind::Postgres) => ADK_INTEGRATION_POSTGRES_DDL,
        ("adk-integration", Kind::Sqlite) => ADK_INTEGRATION_SQLITE_DDL,
        _ => panic!("no layout {layout}"),
    };
    let rows = match layout {
        "agentkit" => agentkit_rows(),
        _ => adk_integration_rows(),
    };
    db.exec(&format!("{ddl}{rows}"));
    Some(db)
}

/// Runs SQL with the foreign keys off (to plant orphans as a database without enforced keys
/// holds them): SQLite's pragma, PostgreSQL's replica role (the tests connect as superuser).
pub fn exec_without_foreign_keys(db: &TestDb, sql: &str) {
    match db.kind {
        Kind::Sqlite => db.exec(&format!("PRAGMA foreign_keys = OFF; {sql}")),
        Kind::Postgres => db.exec(&format!(
            "SET session_replication_role = replica; {sql} SET session_replication_role = DEFAULT;"
        )),
    }
}

/// The columns of agentdb's three tables as the tests compare them, with how each is kept.
#[derive(Clone, Copy, PartialEq)]
pub enum Col {
    Text,
    Int,
    Bool,
    Json,
    Time,
}

pub fn columns(table: &str) -> Vec<(&'static str, Col)> {
    use Col::*;
    match table {
        "agents" => vec![
            ("id", Text),
            ("name", Text),
            ("description", Text),
            ("agent_type", Text),
            ("persona", Json),
            ("config", Json),
            ("tools", Json),
            ("sub_agents", Json),
            ("planner", Json),
            ("version", Int),
            ("is_active", Bool),
            ("usage_count", Int),
            ("created_at", Time),
            ("last_used_at", Time),
            ("metadata", Json),
        ],
        "threads" => vec![
            ("id", Text),
            ("agent_id", Text),
            ("title", Text),
            ("agent_type", Text),
            ("model", Text),
            ("provider", Text),
            ("session_id", Text),
            ("status", Text),
            ("created_at", Time),
            ("updated_at", Time),
            ("last_message_at", Time),
            ("metadata", Json),
        ],
        "messages" => vec![
            ("id", Text),
            ("thread_id", Text),
            ("role", Text),
            ("content", Text),
            ("message_type", Text),
            ("tool_name", Text),
            ("tool_arguments", Json),
            ("tool_call_id", Text),
            ("artifact_data", Json),
            ("is_complete", Bool),
            ("created_at", Time),
            ("metadata", Json),
        ],
        other => panic!("no table {other}"),
    }
}

/// A tenant's rows of an agentdb table read with plain SQL, ordered by id, as JSON objects
/// (times as `YYYY-MM-DDTHH:MM:SS.ffffffZ`), plus each row's raw JSON text (to check that big
/// numbers kept their digits).
pub fn agentdb_rows(db: &TestDb, table: &str, tenant: &str) -> (Vec<Value>, String) {
    let cols = columns(table);
    let members: Vec<String> = cols
        .iter()
        .map(|(name, col)| {
            let expr = match (db.kind, col) {
                (Kind::Postgres, Col::Time) => format!(
                    "to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                ),
                (Kind::Postgres, Col::Json) => format!("{name}::jsonb"),
                (Kind::Sqlite, Col::Json) => format!("json({name})"),
                (Kind::Sqlite, Col::Bool) => {
                    format!("CASE {name} WHEN 1 THEN json('true') WHEN 0 THEN json('false') END")
                }
                // A SQLite time as stored; normalized below.
                _ => name.to_string(),
            };
            format!("'{name}', {expr}")
        })
        .collect();
    let object = match db.kind {
        Kind::Postgres => format!("json_build_object({})::text", members.join(", ")),
        Kind::Sqlite => format!("json_object({})", members.join(", ")),
    };
    let texts = db.strings(&format!(
        "SELECT {object} AS v FROM {table} WHERE tenant_id = '{tenant}' ORDER BY id"
    ));
    let rows = texts
        .iter()
        .map(|text| {
            let mut row: Value = serde_json::from_str(text).unwrap();
            for (name, col) in &cols {
                if *col == Col::Time {
                    if let Some(t) = row[*name].as_str() {
                        let parsed = chrono::DateTime::parse_from_rfc3339(t)
                            .unwrap_or_else(|e| panic!("{table}.{name} {t:?}: {e}"));
                        row[*name] = Value::String(
                            parsed
                                .with_timezone(&chrono::Utc)
                                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                                .to_string(),
                        );
                    }
                }
            }
            row
        })
        .collect();
    (rows, texts.join("\n"))
}

/// `n` more agentkit messages (100 per thread) on SQLite, for copies long enough to interrupt.
pub fn agentkit_bulk_sqlite(n: usize) -> String {
    format!(
        "BEGIN;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < {threads})
INSERT INTO threads (id, title, agent_type, model, provider, created_at, updated_at)
SELECT 'bulk-' || i, 'Thread ' || i, 'chat', 'gpt-5-mini', 'azure-openai',
       '2026-01-04 10:00:00.123456', '2026-01-04 10:00:00.123456' FROM k;
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < {n})
INSERT INTO messages (id, thread_id, role, content, artifact_data, message_metadata, created_at)
SELECT 'bulk-m-' || i, 'bulk-' || (i / 100), CASE i % 2 WHEN 0 THEN 'user' ELSE 'assistant' END,
       'message ' || i || ' ' || hex(randomblob(100)), NULL, '{{\"n\": ' || i || '}}',
       '2026-01-04 10:00:01.000001' FROM k;
COMMIT;",
        threads = n.div_ceil(100)
    )
}
