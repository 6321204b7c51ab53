//! agentkit's layout (its `migrate.py` running `001_initial_schema.sql`, on SQLite or
//! PostgreSQL): `threads` and `messages` become agentdb's `threads` and `messages`.
//! agentkit has no agents; its own `schema_migrations` is bookkeeping and is not copied.
//! See docs/legacy-layouts.md for the mapping table.

use super::{
    inspect, merge_metadata, orphans, refuse_unaccepted, refuse_unparsable_json, step, Backends,
    Findings, LegacyPlan, LegacyTable, MessageRow, Options, Positions, Record, Skipped, ThreadRow,
};
use crate::db::{AnyConnection, Backend};
use anyhow::Result;

pub const LAYOUT: &str = "agentkit";

pub static THREADS: LegacyTable = LegacyTable {
    name: "threads",
    key: "id",
    columns: &[
        "id",
        "title",
        "agent_type",
        "model",
        "provider",
        "created_at",
        "updated_at",
    ],
    times: &["created_at", "updated_at"],
    prefix: None,
};

pub static MESSAGES: LegacyTable = LegacyTable {
    name: "messages",
    key: "id",
    columns: &[
        "id",
        "thread_id",
        "role",
        "content",
        "artifact_data",
        "message_metadata",
        "created_at",
    ],
    times: &["created_at"],
    prefix: None,
};

/// agentkit writes "user" and "assistant"; agentdb also accepts "system" and "tool".
pub const ROLES: &[(&str, &str)] = &[
    ("user", "user"),
    ("assistant", "assistant"),
    ("system", "system"),
    ("tool", "tool"),
];

/// The rows of `messages` (alias `t`) whose thread exists.
const MESSAGE_HAS_THREAD: &str =
    "EXISTS (SELECT 1 FROM \"threads\" AS p WHERE p.\"id\" = t.\"thread_id\")";

/// agentkit `threads` → agentdb `threads`.
pub fn thread(at: &Positions, record: &Record) -> Result<ThreadRow> {
    let f = |name| at.field(record, name);
    let created_at = f("created_at").required_time()?;
    // Never updated: the creation time.
    let updated_at = f("updated_at")
        .time()?
        .unwrap_or_else(|| created_at.clone());
    let metadata = merge_metadata(None, &at.extras(record))
        .map_err(|e| f("id").refuse(format!("metadata {e}")))?;
    Ok(ThreadRow {
        id: f("id").required()?.to_string(),
        agent_id: None,
        title: f("title").text(),
        agent_type: f("agent_type").text(),
        model: f("model").text(),
        provider: f("provider").text(),
        session_id: None,
        status: "active",
        created_at,
        updated_at,
        last_message_at: None,
        metadata,
    })
}

/// agentkit `messages` → agentdb `messages`.
pub fn message(at: &Positions, record: &Record) -> Result<MessageRow> {
    let f = |name| at.field(record, name);
    let role = f("role").required_one_of(ROLES)?;
    let metadata = at.metadata(record, "message_metadata", Vec::new())?;
    Ok(MessageRow {
        id: f("id").required()?.to_string(),
        thread_id: f("thread_id").required()?.to_string(),
        role,
        // agentdb's content is NOT NULL: a NULL becomes the empty text.
        content: f("content").text().unwrap_or_default(),
        message_type: "text",
        tool_name: None,
        tool_arguments: None,
        tool_call_id: None,
        artifact_data: f("artifact_data").json()?,
        is_complete: true,
        created_at: f("created_at").required_time()?,
        metadata,
    })
}

/// Checks an agentkit source and plans its copy: layout detection (exit 2 when a table or
/// column is missing), refusals of unaccepted roles and orphan messages (or their count with
/// `--skip-orphans`), all before anything is written.
pub fn plan(
    source: &mut AnyConnection,
    source_name: &str,
    options: &Options,
    target: Backend,
) -> Result<LegacyPlan> {
    let shapes = inspect(source, source_name, LAYOUT, &[&THREADS, &MESSAGES])?;
    let (threads, messages) = (&shapes[0], &shapes[1]);
    let mut findings = Findings::default();
    for shape in &shapes {
        findings.extra_columns.extend(shape.extra_names());
    }
    let skipped = orphans(
        source,
        &MESSAGES,
        "thread_id",
        "thread",
        MESSAGE_HAS_THREAD,
        options.skip_orphans,
    )?;
    let keep = options.skip_orphans.then_some(MESSAGE_HAS_THREAD);
    if options.skip_orphans {
        findings.orphans_skipped.push(Skipped {
            table: MESSAGES.name,
            rows: skipped,
        });
    }
    refuse_unaccepted(source, &MESSAGES, "role", ROLES, false, keep)?;
    let json = ["artifact_data", "message_metadata"];
    refuse_unparsable_json(source, &MESSAGES, &json, keep)?;
    let backends = Backends {
        source: source.backend(),
        target,
    };
    let steps = vec![
        step(threads, thread, None, backends, options),
        step(messages, message, keep, backends, options),
    ];
    Ok(LegacyPlan { steps, findings })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::legacy::fixtures::{record, shape};
    use crate::legacy::{ColumnRole, Mapper, TargetRow};

    #[test]
    fn threads_map_every_column() {
        let mapper = Mapper::new(&shape(&THREADS, &[("user_id", ColumnRole::Extra)]), thread);
        let row = mapper
            .map(&record(&[
                Some("8f1c-é"),
                Some("Salaire 2026 ✓"),
                Some("salary_viewer"),
                Some("gpt-5-mini"),
                Some("azure-openai"),
                Some("2026-01-04 10:00:00.123456"),
                None,
                Some("u-42"),
            ]))
            .unwrap();
        assert_eq!(
            row,
            ThreadRow {
                id: "8f1c-é".into(),
                agent_id: None,
                title: Some("Salaire 2026 ✓".into()),
                agent_type: Some("salary_viewer".into()),
                model: Some("gpt-5-mini".into()),
                provider: Some("azure-openai".into()),
                session_id: None,
                status: "active",
                created_at: "2026-01-04T10:00:00.123456Z".into(),
                updated_at: "2026-01-04T10:00:00.123456Z".into(),
                last_message_at: None,
                metadata: r#"{"user_id":"u-42"}"#.into(),
            }
        );
        let err = mapper
            .map(&record(&[
                Some("t1"),
                None,
                Some("chat"),
                Some("m"),
                Some("p"),
                Some("not a time"),
                None,
                None,
            ]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("table threads, row id=t1, column created_at:"),
            "{err}"
        );
    }

    #[test]
    fn messages_map_every_column() {
        let mapper = Mapper::new(&shape(&MESSAGES, &[]), message);
        let artifact = r#"{"type": "canvas", "rows": [{"n": 12345678901234567890123}]}"#;
        let row = mapper
            .map(&record(&[
                Some("m1"),
                Some("t1"),
                Some("assistant"),
                None,
                Some(artifact),
                Some(r#"{"tokens": 12}"#),
                Some("2026-01-04 10:00:01"),
            ]))
            .unwrap();
        assert_eq!(
            row,
            MessageRow {
                id: "m1".into(),
                thread_id: "t1".into(),
                role: "assistant",
                content: String::new(),
                message_type: "text",
                tool_name: None,
                tool_arguments: None,
                tool_call_id: None,
                artifact_data: Some(artifact.into()),
                is_complete: true,
                created_at: "2026-01-04T10:00:01.000000Z".into(),
                metadata: r#"{"tokens": 12}"#.into(),
            }
        );
        assert_eq!(row.clone().into_row("acme").len(), 13);
        // NULL metadata is an empty object.
        let row = mapper
            .map(&record(&[
                Some("m2"),
                Some("t1"),
                Some("user"),
                Some("hi"),
                None,
                None,
                Some("2026-01-04 10:00:01"),
            ]))
            .unwrap();
        assert_eq!((row.metadata.as_str(), row.artifact_data), ("{}", None));
    }

    #[test]
    fn messages_refuse_bad_json_and_roles_by_row_and_column() {
        let mapper = Mapper::new(&shape(&MESSAGES, &[]), message);
        let base = [
            Some("m9"),
            Some("t1"),
            Some("user"),
            Some("x"),
            None,
            None,
            Some("2026-01-04 10:00:01"),
        ];
        for (n, value, expected) in [
            (4, "{broken", "column artifact_data: not JSON"),
            (5, "nope", "column message_metadata: not JSON"),
            (2, "function", "column role: \"function\" is not accepted"),
        ] {
            let mut values = base;
            values[n] = Some(value);
            let err = mapper.map(&record(&values)).unwrap_err().to_string();
            assert!(
                err.starts_with("table messages, row id=m9, ") && err.contains(expected),
                "{err}"
            );
        }
    }
}
