//! The Google ADK integration's layout (its own tables next to ADK's, on PostgreSQL or
//! SQLite): `new_agent`, `new_conversations` and `new_messages` become agentdb's `agents`,
//! `threads` and `messages`. See docs/legacy-layouts.md for the mapping table.

use anyhow::Result;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::Value;

use super::{
    inspect, orphans, refuse_unaccepted, refuse_unparsable_json, step, AgentRow, Backends,
    CountMismatch, Field, Findings, LegacyPlan, LegacyTable, MessageRow, Options, Positions,
    Record, Skipped, ThreadRow,
};
use crate::db::{AnyConnection, Backend};

pub const LAYOUT: &str = "adk-integration";

pub static AGENTS: LegacyTable = LegacyTable {
    name: "new_agent",
    key: "agent_id",
    columns: &[
        "agent_id",
        "name",
        "description",
        "agent_type",
        "config",
        "tools",
        "sub_agents",
        "planner",
        "version",
        "is_active",
        "usage_count",
        "created_at",
        "last_used",
        "metadata",
    ],
    times: &["created_at", "last_used"],
    prefix: Some(PERSONA_PREFIX),
};

pub static CONVERSATIONS: LegacyTable = LegacyTable {
    name: "new_conversations",
    key: "conversation_id",
    columns: &[
        "conversation_id",
        "agent_id",
        "session_id",
        "title",
        "status",
        "message_count",
        "created_at",
        "updated_at",
        "last_message_at",
        "metadata",
    ],
    times: &["created_at", "updated_at", "last_message_at"],
    prefix: None,
};

pub static MESSAGES: LegacyTable = LegacyTable {
    name: "new_messages",
    key: "message_id",
    columns: &[
        "message_id",
        "conversation_id",
        "role",
        "content",
        "message_type",
        "tool_name",
        "tool_args",
        "tool_call_id",
        "is_streaming",
        "is_complete",
        "created_at",
        "metadata",
    ],
    times: &["created_at"],
    prefix: None,
};

/// The persona fields: one document in agentdb's `persona`.
pub const PERSONA_PREFIX: &str = "persona_";

/// ADK's agent classes → agentdb's `agent_type`.
pub const AGENT_TYPES: &[(&str, &str)] = &[
    ("regular", "regular"),
    ("SequentialAgent", "sequential"),
    ("ParallelAgent", "parallel"),
];

pub const STATUSES: &[(&str, &str)] = &[
    ("active", "active"),
    ("archived", "archived"),
    ("deleted", "deleted"),
];

pub const ROLES: &[(&str, &str)] = &[
    ("user", "user"),
    ("assistant", "assistant"),
    ("system", "system"),
    ("tool", "tool"),
];

pub const MESSAGE_TYPES: &[(&str, &str)] = &[
    ("text", "text"),
    ("tool_call", "tool_call"),
    ("tool_response", "tool_response"),
    ("thinking", "thinking"),
    ("error", "error"),
];

/// Conversations (alias `t`) whose agent exists, or that have none.
const CONVERSATION_HAS_AGENT: &str = "(t.\"agent_id\" IS NULL OR EXISTS \
     (SELECT 1 FROM \"new_agent\" AS a WHERE a.\"agent_id\" = t.\"agent_id\"))";

/// Messages (alias `t`) whose conversation is copied.
const MESSAGE_HAS_CONVERSATION: &str = "EXISTS (SELECT 1 FROM \"new_conversations\" AS c \
     WHERE c.\"conversation_id\" = t.\"conversation_id\" AND (c.\"agent_id\" IS NULL OR EXISTS \
     (SELECT 1 FROM \"new_agent\" AS a WHERE a.\"agent_id\" = c.\"agent_id\")))";

/// A JSON column agentdb requires (NULL: `empty`).
fn json_or(field: &Field<'_>, empty: &str) -> Result<String> {
    Ok(field.json()?.unwrap_or_else(|| empty.to_string()))
}

/// The persona document: every `persona_*` field under its name without the prefix (NULL as
/// null); NULL when the layout has no persona field or every one is NULL.
fn persona(at: &Positions, record: &Record) -> Option<String> {
    if at.prefixed(record).all(|(_, value)| value.is_none()) {
        return None;
    }
    let document: serde_json::Map<String, Value> = at
        .prefixed(record)
        .map(|(key, value)| {
            let value = value
                .map(|v| Value::String(v.to_string()))
                .unwrap_or(Value::Null);
            (key.to_string(), value)
        })
        .collect();
    Some(Value::Object(document).to_string())
}

/// `new_agent` → `agents`.
pub fn agent(at: &Positions, record: &Record) -> Result<AgentRow> {
    let f = |name| at.field(record, name);
    let mut to_metadata = Vec::new();
    // agentdb's version is an integer; another spelling ("1.2.0") goes to metadata.
    let version = f("version");
    let version = match version.value {
        None => 1,
        Some(text) => match text.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                to_metadata.push(("version".to_string(), Value::String(text.to_string())));
                1
            }
        },
    };
    let metadata = at.metadata(record, "metadata", to_metadata)?;
    Ok(AgentRow {
        id: f("agent_id").required()?.to_string(),
        name: f("name").required()?.to_string(),
        description: f("description").text(),
        agent_type: f("agent_type").one_of(AGENT_TYPES)?.unwrap_or("regular"),
        persona: persona(at, record),
        config: json_or(&f("config"), "{}")?,
        tools: json_or(&f("tools"), "[]")?,
        sub_agents: json_or(&f("sub_agents"), "[]")?,
        planner: planner(&f("planner")),
        version,
        is_active: f("is_active").boolean()?.unwrap_or(true),
        usage_count: f("usage_count").integer()?.unwrap_or(0),
        created_at: f("created_at").required_time()?,
        last_used_at: f("last_used").time()?,
        metadata,
    })
}

/// agentdb's `planner` is JSON: a planner that parses as JSON is kept as it is, any other text
/// (a planner's name) becomes a JSON string.
fn planner(field: &Field<'_>) -> Option<String> {
    field.value.map(|text| {
        if super::check_json(text).is_ok() {
            text.to_string()
        } else {
            Value::String(text.to_string()).to_string()
        }
    })
}

/// `new_conversations` → `threads`; `message_count` is compared, not stored.
pub fn conversation(at: &Positions, record: &Record) -> Result<ThreadRow> {
    let f = |name| at.field(record, name);
    let metadata = at.metadata(record, "metadata", Vec::new())?;
    let created_at = f("created_at").required_time()?;
    Ok(ThreadRow {
        id: f("conversation_id").required()?.to_string(),
        agent_id: f("agent_id").text(),
        title: f("title").text(),
        agent_type: None,
        model: None,
        provider: None,
        session_id: f("session_id").text(),
        status: f("status").one_of(STATUSES)?.unwrap_or("active"),
        updated_at: f("updated_at")
            .time()?
            .unwrap_or_else(|| created_at.clone()),
        created_at,
        last_message_at: f("last_message_at").time()?,
        metadata,
    })
}

/// `new_messages` → `messages`; `is_streaming` goes to metadata.
pub fn message(at: &Positions, record: &Record) -> Result<MessageRow> {
    let f = |name| at.field(record, name);
    let streaming = f("is_streaming")
        .boolean()?
        .map(Value::Bool)
        .unwrap_or(Value::Null);
    let to_metadata = vec![("is_streaming".to_string(), streaming)];
    let metadata = at.metadata(record, "metadata", to_metadata)?;
    Ok(MessageRow {
        id: f("message_id").required()?.to_string(),
        thread_id: f("conversation_id").required()?.to_string(),
        role: f("role").required_one_of(ROLES)?,
        content: f("content").text().unwrap_or_default(),
        message_type: f("message_type").one_of(MESSAGE_TYPES)?.unwrap_or("text"),
        tool_name: f("tool_name").text(),
        tool_arguments: f("tool_args").json()?,
        tool_call_id: f("tool_call_id").text(),
        artifact_data: None,
        is_complete: f("is_complete").boolean()?.unwrap_or(true),
        created_at: f("created_at").required_time()?,
        metadata,
    })
}

#[derive(QueryableByName)]
struct MismatchRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = BigInt)]
    stored: i64,
    #[diesel(sql_type = BigInt)]
    counted: i64,
}

/// How many shown in the report.
const MISMATCHES_LISTED: i64 = 20;

/// Conversations whose `message_count` disagrees with the messages they have: the first few,
/// and how many.
fn message_count_mismatches(
    source: &mut AnyConnection,
    keep: Option<&str>,
) -> Result<(Vec<CountMismatch>, u64)> {
    let keep = keep.map(|k| format!(" AND {k}")).unwrap_or_default();
    let from = format!(
        "FROM \"new_conversations\" AS t LEFT JOIN (SELECT \"conversation_id\" AS id, count(*) AS n \
         FROM \"new_messages\" GROUP BY \"conversation_id\") AS m ON m.id = t.\"conversation_id\" \
         WHERE t.\"message_count\" IS NOT NULL AND t.\"message_count\" <> coalesce(m.n, 0){keep}"
    );
    let total = crate::db::count(source, &format!("SELECT count(*) AS n {from}"))?;
    let rows: Vec<MismatchRow> = diesel::sql_query(format!(
        "SELECT CAST(t.\"conversation_id\" AS TEXT) AS id, CAST(t.\"message_count\" AS BIGINT) AS stored, \
         CAST(coalesce(m.n, 0) AS BIGINT) AS counted {from} ORDER BY 1 LIMIT {MISMATCHES_LISTED}"
    ))
    .load(source)
    .map_err(anyhow::Error::from)?;
    Ok((
        rows.into_iter()
            .map(|r| CountMismatch {
                conversation_id: r.id,
                message_count: r.stored,
                messages: r.counted,
            })
            .collect(),
        total as u64,
    ))
}

/// Checks an ADK-integration source and plans its copy: layout detection (exit 2 when a table
/// or column is missing), refusals of unaccepted agent types, statuses, roles and message
/// types, duplicate agent names, and orphans (or their count with `--skip-orphans`), all before
/// anything is written; `message_count` disagreements are reported.
pub fn plan(
    source: &mut AnyConnection,
    source_name: &str,
    options: &Options,
    target: Backend,
) -> Result<LegacyPlan> {
    let shapes = inspect(
        source,
        source_name,
        LAYOUT,
        &[&AGENTS, &CONVERSATIONS, &MESSAGES],
    )?;
    let mut findings = Findings::default();
    for shape in &shapes {
        findings.extra_columns.extend(shape.extra_names());
    }
    let skip = options.skip_orphans;
    let conversations_skipped = orphans(
        source,
        &CONVERSATIONS,
        "agent_id",
        "agent",
        CONVERSATION_HAS_AGENT,
        skip,
    )?;
    let messages_skipped = orphans(
        source,
        &MESSAGES,
        "conversation_id",
        "conversation",
        MESSAGE_HAS_CONVERSATION,
        skip,
    )?;
    if skip {
        findings.orphans_skipped = vec![
            Skipped {
                table: CONVERSATIONS.name,
                rows: conversations_skipped,
            },
            Skipped {
                table: MESSAGES.name,
                rows: messages_skipped,
            },
        ];
    }
    let keep_conversation = skip.then_some(CONVERSATION_HAS_AGENT);
    let keep_message = skip.then_some(MESSAGE_HAS_CONVERSATION);
    refuse_unaccepted(source, &AGENTS, "agent_type", AGENT_TYPES, true, None)?;
    refuse_unaccepted(
        source,
        &CONVERSATIONS,
        "status",
        STATUSES,
        true,
        keep_conversation,
    )?;
    refuse_unaccepted(source, &MESSAGES, "role", ROLES, false, keep_message)?;
    refuse_unaccepted(
        source,
        &MESSAGES,
        "message_type",
        MESSAGE_TYPES,
        true,
        keep_message,
    )?;
    refuse_duplicate_names(source)?;
    let json = ["config", "tools", "sub_agents", "metadata"];
    refuse_unparsable_json(source, &AGENTS, &json, None)?;
    refuse_unparsable_json(source, &CONVERSATIONS, &["metadata"], keep_conversation)?;
    refuse_unparsable_json(source, &MESSAGES, &["tool_args", "metadata"], keep_message)?;
    let (listed, total) = message_count_mismatches(source, keep_conversation)?;
    findings.message_count_mismatches = listed;
    findings.message_count_mismatch_total = total;
    let backends = Backends {
        source: source.backend(),
        target,
    };
    let (agents, conversations, messages) = (&shapes[0], &shapes[1], &shapes[2]);
    let steps = vec![
        step(agents, agent, None, backends, options),
        step(
            conversations,
            conversation,
            keep_conversation,
            backends,
            options,
        ),
        step(messages, message, keep_message, backends, options),
    ];
    Ok(LegacyPlan { steps, findings })
}

/// agentdb's agent names are unique per tenant: refuses the first name two agents share.
fn refuse_duplicate_names(source: &mut AnyConnection) -> Result<()> {
    let condition =
        "t.\"name\" IN (SELECT \"name\" FROM \"new_agent\" GROUP BY \"name\" HAVING count(*) > 1)";
    if let Some((id, name)) = super::first_where(source, &AGENTS, "name", condition)? {
        return Err(super::refusal(
            AGENTS.name,
            AGENTS.key,
            &id,
            "name",
            &format!(
                "{:?} is the name of another agent too, and agentdb's agent names are unique per tenant",
                name.unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::legacy::fixtures::{record, shape};
    use crate::legacy::{ColumnRole, Mapper};

    #[test]
    fn agents_map_persona_types_and_unplaced_columns() {
        let mapper = Mapper::new(
            &shape(
                &AGENTS,
                &[
                    ("persona_role", ColumnRole::Prefixed),
                    ("persona_tone", ColumnRole::Prefixed),
                    ("owner", ColumnRole::Extra),
                ],
            ),
            agent,
        );
        let row = mapper
            .map(&record(&[
                Some("a-1"),
                Some("Planner ✈"),
                None,
                Some("SequentialAgent"),
                Some(r#"{"model": "gemini-2.5-flash", "limit": 12345678901234567890}"#),
                Some(r#"["search", "calc"]"#),
                Some(r#"["a-2"]"#),
                Some("BuiltInPlanner"),
                Some("1.2.0"),
                Some("0"),
                Some("7"),
                Some("2026-01-04 10:00:00.123456"),
                Some("2026-01-05 08:00:00"),
                None,
                Some("Travel planner"),
                None,
                Some("ops"),
            ]))
            .unwrap();
        assert_eq!(
            row,
            AgentRow {
                id: "a-1".into(),
                name: "Planner ✈".into(),
                description: None,
                agent_type: "sequential",
                persona: Some(r#"{"role":"Travel planner","tone":null}"#.into()),
                config: r#"{"model": "gemini-2.5-flash", "limit": 12345678901234567890}"#.into(),
                tools: r#"["search", "calc"]"#.into(),
                sub_agents: r#"["a-2"]"#.into(),
                planner: Some(r#""BuiltInPlanner""#.into()),
                version: 1,
                is_active: false,
                usage_count: 7,
                created_at: "2026-01-04T10:00:00.123456Z".into(),
                last_used_at: Some("2026-01-05T08:00:00.000000Z".into()),
                metadata: r#"{"version":"1.2.0","owner":"ops"}"#.into(),
            }
        );
        // Defaults for NULLs, and the other agent classes.
        let mut values = vec![None; 17];
        values[0] = Some("a-2");
        values[1] = Some("p");
        values[3] = Some("ParallelAgent");
        values[7] = Some(r#"{"type": "plan_react"}"#);
        values[8] = Some("3");
        values[11] = Some("2026-01-04 10:00:00");
        let row = mapper.map(&record(&values)).unwrap();
        assert_eq!(
            (
                row.agent_type,
                row.persona,
                row.config.as_str(),
                row.tools.as_str(),
                row.planner.as_deref(),
                row.version,
                row.is_active,
                row.usage_count,
                row.metadata.as_str()
            ),
            (
                "parallel",
                None,
                "{}",
                "[]",
                Some(r#"{"type": "plan_react"}"#),
                3,
                true,
                0,
                r#"{"owner":null}"#
            )
        );
        values[3] = Some("LoopAgent");
        let err = mapper.map(&record(&values)).unwrap_err().to_string();
        assert!(
            err.starts_with("table new_agent, row agent_id=a-2, column agent_type: \"LoopAgent\""),
            "{err}"
        );
    }

    #[test]
    fn conversations_map_and_keep_message_count_out() {
        let mapper = Mapper::new(&shape(&CONVERSATIONS, &[]), conversation);
        let row = mapper
            .map(&record(&[
                Some("c-1"),
                Some("a-1"),
                Some("s-1"),
                Some("日本語のタイトル"),
                Some("archived"),
                Some("99"),
                Some("2026-01-04 10:00:00.5"),
                None,
                Some("2026-01-04 11:00:00"),
                Some(r#"{"channel": "web"}"#),
            ]))
            .unwrap();
        assert_eq!(
            row,
            ThreadRow {
                id: "c-1".into(),
                agent_id: Some("a-1".into()),
                title: Some("日本語のタイトル".into()),
                agent_type: None,
                model: None,
                provider: None,
                session_id: Some("s-1".into()),
                status: "archived",
                created_at: "2026-01-04T10:00:00.500000Z".into(),
                updated_at: "2026-01-04T10:00:00.500000Z".into(),
                last_message_at: Some("2026-01-04T11:00:00.000000Z".into()),
                metadata: r#"{"channel": "web"}"#.into(),
            }
        );
        let mut values = record(&[Some("c-2"), None, None, None, Some("closed")]);
        values.resize(10, None);
        values[6] = Some("2026-01-04 10:00:00".into());
        let err = mapper.map(&values).unwrap_err().to_string();
        assert!(
            err.contains("column status: \"closed\" is not accepted"),
            "{err}"
        );
    }

    #[test]
    fn messages_map_tool_calls_and_streaming() {
        let mapper = Mapper::new(&shape(&MESSAGES, &[]), message);
        let args = r#"{"query": "café", "limit": 1e400, "nested": {"x": [1, 2]}}"#;
        let row = mapper
            .map(&record(&[
                Some("m-1"),
                Some("c-1"),
                Some("assistant"),
                None,
                Some("tool_call"),
                Some("search"),
                Some(args),
                Some("call-1"),
                Some("true"),
                Some("false"),
                Some("2026-01-04 10:00:00.123456"),
                Some(r#"{"latency_ms": 12}"#),
            ]))
            .unwrap();
        assert_eq!(
            row,
            MessageRow {
                id: "m-1".into(),
                thread_id: "c-1".into(),
                role: "assistant",
                content: String::new(),
                message_type: "tool_call",
                tool_name: Some("search".into()),
                tool_arguments: Some(args.into()),
                tool_call_id: Some("call-1".into()),
                artifact_data: None,
                is_complete: false,
                created_at: "2026-01-04T10:00:00.123456Z".into(),
                metadata: r#"{"latency_ms": 12,"is_streaming":true}"#.into(),
            }
        );
        let mut values = record(&[Some("m-2"), Some("c-1"), Some("tool")]);
        values.resize(12, None);
        values[10] = Some("2026-01-04 10:00:00".into());
        let row = mapper.map(&values).unwrap();
        assert_eq!(
            (row.message_type, row.is_complete, row.metadata.as_str()),
            ("text", true, r#"{"is_streaming":null}"#)
        );
        values[6] = Some("{\"a\":".into());
        let err = mapper.map(&values).unwrap_err().to_string();
        assert!(
            err.starts_with("table new_messages, row message_id=m-2, column tool_args: not JSON"),
            "{err}"
        );
    }
}
