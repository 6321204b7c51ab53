//! LangGraph's checkpoint tables, which its savers own and agentdb only reads (`stats`) or
//! prunes on request (`prune`). PostgresSaver (checkpoint-postgres 3.x) keeps `checkpoints`
//! (JSONB), `checkpoint_blobs` and `checkpoint_writes`; SqliteSaver (checkpoint-sqlite 3.x)
//! keeps `checkpoints` (a whole msgpack checkpoint per row) and `writes` (with or without the
//! `task_path` column of 3.1.2). The rules of a safe prune follow `PostgresSaver.prune`
//! (3.2.0) with its "head" widened to "newest N"; see `agent-data-facts.md` §A.4.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use serde::Serialize;

use crate::db::{self, AnyConnection, Backend};
use crate::retention::{execute_with_keys, json_keys, Tally, PARENTS_CLEARED};

/// LangGraph's checkpoint tables; `null` where the table is not present.
#[derive(Debug, Serialize)]
pub struct LangGraphCounts {
    pub checkpoints: Option<i64>,
    pub checkpoint_threads: Option<i64>,
    pub pending_writes: Option<i64>,
}

/// The saver's pending-writes table: `checkpoint_writes` (PostgresSaver) or `writes`
/// (SqliteSaver).
pub fn writes_table(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "checkpoint_writes",
        Backend::Sqlite => "writes",
    }
}

/// The write channel from which checkpoints of format v < 4 read their pending sends.
const TASKS_CHANNEL: &str = "__pregel_tasks";

pub fn counts(conn: &mut AnyConnection) -> Result<LangGraphCounts> {
    let writes = writes_table(conn.backend());
    Ok(LangGraphCounts {
        checkpoints: db::count_if_present(conn, "checkpoints", "count(*)")?,
        checkpoint_threads: db::count_if_present(conn, "checkpoints", "count(DISTINCT thread_id)")?,
        pending_writes: db::count_if_present(conn, writes, "count(*)")?,
    })
}

/// Whether the saver's tables are all there (a prune needs each of them).
pub fn present(conn: &mut AnyConnection) -> Result<bool> {
    let backend = conn.backend();
    if !conn.table_exists("checkpoints")? || !conn.table_exists(writes_table(backend))? {
        return Ok(false);
    }
    match backend {
        Backend::Postgres => conn.table_exists("checkpoint_blobs"),
        Backend::Sqlite => Ok(true),
    }
}

/// A thread the keep-N policy leaves alone, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub thread_id: String,
    pub reason: String,
}

/// The checkpoint id (a UUIDv6, as LangGraph makes them) of the instant `t` with the lowest
/// clock sequence and node: ids compare as text in time order, so "newest checkpoint older
/// than t" is `max(checkpoint_id) < uuid6_floor(t)` on both savers, without decoding rows.
pub fn uuid6_floor(t: SystemTime) -> String {
    let nanos = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    // 100-ns intervals since the UUID epoch, 1582-10-15.
    let ts = (nanos / 100) as u64 + 0x01B2_1DD2_1381_4000;
    format!(
        "{:08x}-{:04x}-6{:03x}-0000-000000000000",
        (ts >> 28) & 0xffff_ffff,
        (ts >> 12) & 0xffff,
        ts & 0xfff
    )
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    c0: String,
}

fn load_ids(conn: &mut AnyConnection, sql: &str) -> Result<Vec<String>> {
    let rows: Vec<IdRow> = diesel::sql_query(sql)
        .load(conn)
        .with_context(|| format!("cannot read LangGraph checkpoints: {sql}"))?;
    Ok(rows.into_iter().map(|r| r.c0).collect())
}

/// Threads whose newest checkpoint (any namespace) is older than `floor_id`.
pub fn idle_threads(conn: &mut AnyConnection, floor_id: &str) -> Result<Vec<String>> {
    load_ids(
        conn,
        &format!(
            "SELECT thread_id AS c0 FROM checkpoints GROUP BY thread_id \
             HAVING max(checkpoint_id) < '{floor_id}' ORDER BY thread_id"
        ),
    )
}

/// Deletes whole threads (`delete_thread` semantics) among `threads` whose newest checkpoint
/// is still older than `floor_id` inside the transaction; returns the threads deleted.
pub fn delete_idle_threads(
    conn: &mut AnyConnection,
    threads: &[String],
    floor_id: &str,
    policy: &str,
    tally: &mut Tally,
) -> Result<Vec<String>> {
    let backend = conn.backend();
    let keys: Vec<[String; 1]> = threads.iter().map(|t| [t.clone()]).collect();
    let confirmed: Vec<IdRow> = diesel::sql_query(format!(
        "SELECT thread_id AS c0 FROM checkpoints WHERE thread_id IN (SELECT c0 FROM ({}) k) \
         GROUP BY thread_id HAVING max(checkpoint_id) < '{floor_id}'",
        backend.json_rows(1, 1)
    ))
    .bind::<Text, _>(json_keys(&keys))
    .load(conn)
    .context("cannot re-check idle LangGraph threads")?;
    let confirmed: Vec<[String; 1]> = confirmed.into_iter().map(|r| [r.c0]).collect();
    if confirmed.is_empty() {
        return Ok(Vec::new());
    }
    let list = json_keys(&confirmed);
    let mut tables = vec![writes_table(backend)];
    if backend == Backend::Postgres {
        tables.push("checkpoint_blobs");
    }
    tables.push("checkpoints");
    for table in tables {
        let sql = format!(
            "DELETE FROM {table} WHERE thread_id IN (SELECT c0 FROM ({}) k)",
            backend.json_rows(1, 1)
        );
        tally.add(policy, table, execute_with_keys(conn, &sql, &list)?);
    }
    Ok(confirmed.into_iter().map(|[t]| t).collect())
}

/// Threads where some namespace holds more than `keep` checkpoints.
pub fn threads_over(conn: &mut AnyConnection, keep: u32) -> Result<Vec<String>> {
    load_ids(
        conn,
        &format!(
            "SELECT DISTINCT thread_id AS c0 FROM (SELECT thread_id FROM checkpoints \
             GROUP BY thread_id, checkpoint_ns HAVING count(*) > {keep}) AS t ORDER BY thread_id"
        ),
    )
}

/// One checkpoint as the planner needs it. `v` comes from SQL on PostgreSQL and from the
/// msgpack `body` on SQLite.
#[derive(QueryableByName, Debug)]
struct CheckpointRow {
    #[diesel(sql_type = Text)]
    thread_id: String,
    #[diesel(sql_type = Text)]
    checkpoint_ns: String,
    #[diesel(sql_type = Text)]
    checkpoint_id: String,
    #[diesel(sql_type = Nullable<Text>)]
    parent_checkpoint_id: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    v: Option<i64>,
    /// `metadata.parents[""]`: the root checkpoint a subgraph call started from.
    #[diesel(sql_type = Nullable<Text>)]
    root: Option<String>,
    /// The metadata carries a DeltaChannel's counters.
    #[diesel(sql_type = Bool)]
    delta: bool,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Binary>)]
    body: Option<Vec<u8>>,
}

/// The checkpoints of a batch of threads, with what each saver can tell in SQL.
fn checkpoint_rows_sql(backend: Backend) -> String {
    let threads = backend.json_rows(1, 1);
    match backend {
        Backend::Postgres => format!(
            "SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, \
               (checkpoint ->> 'v')::bigint AS v, metadata -> 'parents' ->> '' AS root, \
               (metadata ? 'counters_since_delta_snapshot' OR metadata ? 'delta_writes_versioned') AS delta, \
               NULL::text AS kind, NULL::bytea AS body \
             FROM checkpoints WHERE thread_id IN (SELECT c0 FROM ({threads}) k)"
        ),
        Backend::Sqlite => format!(
            "SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, NULL AS v, \
               json_extract(CAST(metadata AS TEXT), '$.parents.\"\"') AS root, \
               (json_type(CAST(metadata AS TEXT), '$.counters_since_delta_snapshot') IS NOT NULL \
                OR json_type(CAST(metadata AS TEXT), '$.delta_writes_versioned') IS NOT NULL) AS delta, \
               type AS kind, checkpoint AS body \
             FROM checkpoints WHERE thread_id IN (SELECT c0 FROM ({threads}) k)"
        ),
    }
}

/// PostgresSaver: threads with a DeltaChannel snapshot, i.e. an inline `true` with a blob
/// behind it (a plain `True` value never has one). As in `PostgresSaver.prune`.
fn delta_snapshot_threads_sql() -> String {
    format!(
        "SELECT DISTINCT c.thread_id AS c0 FROM checkpoints c \
         CROSS JOIN LATERAL jsonb_each(c.checkpoint -> 'channel_values') AS v \
         WHERE c.thread_id IN (SELECT c0 FROM ({}) k) AND v.value = 'true'::jsonb \
         AND EXISTS (SELECT 1 FROM checkpoint_blobs b WHERE b.thread_id = c.thread_id \
           AND b.checkpoint_ns = c.checkpoint_ns AND b.channel = v.key \
           AND b.version = c.checkpoint -> 'channel_versions' ->> v.key)",
        Backend::Postgres.json_rows(1, 1)
    )
}

/// What a SqliteSaver checkpoint body says: its format version and whether a channel value
/// is a DeltaChannel snapshot (msgpack ext type 7).
#[derive(Debug, PartialEq, Eq)]
pub struct BodyFacts {
    pub v: Option<i64>,
    pub delta_snapshot: bool,
}

/// msgpack extension type of `_DeltaSnapshot` in LangGraph's serializer.
const EXT_DELTA_SNAPSHOT: i8 = 7;

/// Reads a msgpack checkpoint generically (no Python types are decoded).
pub fn inspect_msgpack_checkpoint(body: &[u8]) -> Result<BodyFacts> {
    let value = rmpv::decode::read_value(&mut &body[..]).context("not msgpack")?;
    let map = value.as_map().context("not a msgpack map")?;
    let field = |name: &str| {
        map.iter()
            .find(|(k, _)| k.as_str() == Some(name))
            .map(|(_, v)| v)
    };
    let v = field("v").and_then(|v| v.as_i64());
    let delta_snapshot = match field("channel_values") {
        Some(rmpv::Value::Map(values)) => values
            .iter()
            .any(|(_, v)| matches!(v, rmpv::Value::Ext(EXT_DELTA_SNAPSHOT, _))),
        _ => false,
    };
    Ok(BodyFacts { v, delta_snapshot })
}

/// The rows one keep-N transaction deletes and changes, as (thread, ns, id) keys.
#[derive(Debug, Default)]
struct Plan {
    deleted: Vec<[String; 3]>,
    /// Kept checkpoints whose parent is deleted: their `parent_checkpoint_id` is cleared.
    orphaned: Vec<[String; 3]>,
}

/// Why a thread cannot be pruned by keep-N, if it cannot.
fn refusal(rows: &[&CheckpointRow], snapshot_threads: &HashSet<String>) -> Option<String> {
    let thread = &rows[0].thread_id;
    if snapshot_threads.contains(thread) || rows.iter().any(|r| r.delta) {
        return Some(delta_reason());
    }
    for row in rows {
        let Some(body) = &row.body else { continue };
        match row.kind.as_deref() {
            Some("msgpack") => match inspect_msgpack_checkpoint(body) {
                Ok(facts) if facts.delta_snapshot => return Some(delta_reason()),
                Ok(_) => {}
                Err(e) => {
                    return Some(format!(
                        "checkpoint {} is unreadable ({e:#}); cannot rule out a DeltaChannel",
                        row.checkpoint_id
                    ))
                }
            },
            other => {
                return Some(format!(
                    "checkpoint {} is stored as {:?} (encrypted or not msgpack); cannot rule out a DeltaChannel",
                    row.checkpoint_id,
                    other.unwrap_or("NULL")
                ))
            }
        }
    }
    None
}

fn delta_reason() -> String {
    "uses a DeltaChannel: keeping only the newest checkpoints would silently empty its state"
        .to_string()
}

/// The format version of a row: from SQL (PostgreSQL) or its msgpack body (SQLite).
fn format_version(row: &CheckpointRow) -> Option<i64> {
    row.v.or_else(|| {
        row.body
            .as_deref()
            .and_then(|b| inspect_msgpack_checkpoint(b).ok())
            .and_then(|f| f.v)
    })
}

/// Plans one thread: keep the newest `keep` per namespace (plus, for format v < 4, the parent
/// holding the `__pregel_tasks` writes its pending sends come from); a per-call subgraph
/// namespace (with a `:`) goes whole with the saved root checkpoint it started from.
fn plan_thread(
    rows: &[&CheckpointRow],
    keep: usize,
    sends_parents: &HashSet<[String; 3]>,
    plan: &mut Plan,
) {
    let mut by_ns: BTreeMap<&str, Vec<&CheckpointRow>> = BTreeMap::new();
    for row in rows {
        by_ns.entry(&row.checkpoint_ns).or_default().push(row);
    }
    let mut kept: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (ns, list) in by_ns.iter_mut() {
        list.sort_by(|a, b| b.checkpoint_id.cmp(&a.checkpoint_id));
        let mut ids: HashSet<&str> = list
            .iter()
            .take(keep)
            .map(|r| r.checkpoint_id.as_str())
            .collect();
        for row in list.iter().take(keep) {
            if let Some(parent) = &row.parent_checkpoint_id {
                let key = [
                    row.thread_id.clone(),
                    row.checkpoint_ns.clone(),
                    parent.clone(),
                ];
                if format_version(row).is_some_and(|v| v < 4) && sends_parents.contains(&key) {
                    ids.insert(parent.as_str());
                }
            }
        }
        kept.insert(ns, ids);
    }
    let saved_roots: HashSet<&str> = by_ns
        .get("")
        .map(|l| l.iter().map(|r| r.checkpoint_id.as_str()).collect())
        .unwrap_or_default();
    let kept_roots = kept.get("").cloned().unwrap_or_default();
    let thread = &rows[0].thread_id;
    for (ns, list) in &by_ns {
        let head_root = list[0].root.as_deref();
        let gone_call = ns.contains(':')
            && head_root.is_some_and(|r| saved_roots.contains(r) && !kept_roots.contains(r));
        let deleted: HashSet<&str> = list
            .iter()
            .map(|r| r.checkpoint_id.as_str())
            .filter(|id| gone_call || !kept[ns].contains(id))
            .collect();
        for row in list {
            let key = [thread.clone(), ns.to_string(), row.checkpoint_id.clone()];
            if deleted.contains(row.checkpoint_id.as_str()) {
                plan.deleted.push(key);
            } else if row
                .parent_checkpoint_id
                .as_deref()
                .is_some_and(|p| deleted.contains(p))
            {
                plan.orphaned.push(key);
            }
        }
    }
}

#[derive(QueryableByName)]
struct KeyRow3 {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
    #[diesel(sql_type = Text)]
    c2: String,
}

#[derive(QueryableByName)]
struct BlobKey {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    c1: String,
    #[diesel(sql_type = Text)]
    c2: String,
    #[diesel(sql_type = Text)]
    c3: String,
}

/// (thread, ns, parent) keys of kept v < 4 checkpoints whose parent holds `__pregel_tasks` writes.
fn sends_parents(
    conn: &mut AnyConnection,
    rows: &[CheckpointRow],
    refused: &HashSet<String>,
) -> Result<HashSet<[String; 3]>> {
    let candidates: Vec<[String; 3]> = rows
        .iter()
        .filter(|r| !refused.contains(&r.thread_id))
        .filter(|r| format_version(r).is_some_and(|v| v < 4))
        .filter_map(|r| {
            r.parent_checkpoint_id
                .as_ref()
                .map(|p| [r.thread_id.clone(), r.checkpoint_ns.clone(), p.clone()])
        })
        .collect();
    if candidates.is_empty() {
        return Ok(HashSet::new());
    }
    let backend = conn.backend();
    let found: Vec<KeyRow3> = diesel::sql_query(format!(
        "SELECT DISTINCT thread_id AS c0, checkpoint_ns AS c1, checkpoint_id AS c2 FROM {} \
         WHERE channel = '{TASKS_CHANNEL}' \
         AND (thread_id, checkpoint_ns, checkpoint_id) IN (SELECT c0, c1, c2 FROM ({}) k)",
        writes_table(backend),
        backend.json_rows(1, 3)
    ))
    .bind::<Text, _>(json_keys(&candidates))
    .load(conn)
    .context("cannot read LangGraph pending sends")?;
    Ok(found.into_iter().map(|r| [r.c0, r.c1, r.c2]).collect())
}

/// One keep-N transaction over a batch of threads; returns the threads refused.
pub fn keep_newest(
    conn: &mut AnyConnection,
    threads: &[String],
    keep: u32,
    policy: &str,
    tally: &mut Tally,
) -> Result<Vec<Refusal>> {
    let backend = conn.backend();
    let keys: Vec<[String; 1]> = threads.iter().map(|t| [t.clone()]).collect();
    let keys = json_keys(&keys);
    let rows: Vec<CheckpointRow> = diesel::sql_query(checkpoint_rows_sql(backend))
        .bind::<Text, _>(&keys)
        .load(conn)
        .context("cannot read LangGraph checkpoints")?;
    let snapshot_threads: HashSet<String> = match backend {
        Backend::Postgres => {
            let rows: Vec<IdRow> = diesel::sql_query(delta_snapshot_threads_sql())
                .bind::<Text, _>(&keys)
                .load(conn)
                .context("cannot check LangGraph threads for DeltaChannel snapshots")?;
            rows.into_iter().map(|r| r.c0).collect()
        }
        Backend::Sqlite => HashSet::new(),
    };
    let mut by_thread: BTreeMap<&str, Vec<&CheckpointRow>> = BTreeMap::new();
    for row in &rows {
        by_thread.entry(&row.thread_id).or_default().push(row);
    }
    let mut refusals = Vec::new();
    for (thread, list) in &by_thread {
        if let Some(reason) = refusal(list, &snapshot_threads) {
            refusals.push(Refusal {
                thread_id: thread.to_string(),
                reason,
            });
        }
    }
    let refused: HashSet<String> = refusals.iter().map(|r| r.thread_id.clone()).collect();
    let sends = sends_parents(conn, &rows, &refused)?;
    let mut plan = Plan::default();
    for (thread, list) in &by_thread {
        if !refused.contains(*thread) {
            plan_thread(list, keep as usize, &sends, &mut plan);
        }
    }
    apply(conn, &plan, policy, tally)?;
    Ok(refusals)
}

/// Deletes the planned checkpoints, their writes and the blobs only they used, and clears the
/// parent of kept checkpoints whose parent went.
fn apply(conn: &mut AnyConnection, plan: &Plan, policy: &str, tally: &mut Tally) -> Result<()> {
    if plan.deleted.is_empty() {
        return Ok(());
    }
    let backend = conn.backend();
    let deleted = json_keys(&plan.deleted);
    let by_key = |table: &str| {
        format!(
            "DELETE FROM {table} WHERE (thread_id, checkpoint_ns, checkpoint_id) IN \
             (SELECT c0, c1, c2 FROM ({}) k)",
            backend.json_rows(1, 3)
        )
    };
    // Writes go by the ids of deleted checkpoints only, never as "orphans": a running graph
    // commits a superstep's writes before its checkpoint.
    let writes = writes_table(backend);
    tally.add(
        policy,
        writes,
        execute_with_keys(conn, &by_key(writes), &deleted)?,
    );
    let freed = match backend {
        Backend::Postgres => blob_candidates(conn, &deleted)?,
        Backend::Sqlite => Vec::new(),
    };
    tally.add(
        policy,
        "checkpoints",
        execute_with_keys(conn, &by_key("checkpoints"), &deleted)?,
    );
    if !freed.is_empty() {
        let sql = format!(
            "DELETE FROM checkpoint_blobs b WHERE (b.thread_id, b.checkpoint_ns, b.channel, b.version) \
             IN (SELECT c0, c1, c2, c3 FROM ({}) k) \
             AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id \
               AND c.checkpoint_ns = b.checkpoint_ns \
               AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version)",
            backend.json_rows(1, 4)
        );
        tally.add(
            policy,
            "checkpoint_blobs",
            execute_with_keys(conn, &sql, &json_keys(&freed))?,
        );
    }
    if !plan.orphaned.is_empty() {
        let sql = format!(
            "UPDATE checkpoints SET parent_checkpoint_id = NULL \
             WHERE (thread_id, checkpoint_ns, checkpoint_id) IN (SELECT c0, c1, c2 FROM ({}) k)",
            backend.json_rows(1, 3)
        );
        tally.add(
            policy,
            PARENTS_CLEARED,
            execute_with_keys(conn, &sql, &json_keys(&plan.orphaned))?,
        );
    }
    Ok(())
}

/// PostgresSaver: the (thread, ns, channel, version) blobs the deleted checkpoints referenced.
fn blob_candidates(conn: &mut AnyConnection, deleted: &str) -> Result<Vec<[String; 4]>> {
    let rows: Vec<BlobKey> = diesel::sql_query(format!(
        "SELECT DISTINCT c.thread_id AS c0, c.checkpoint_ns AS c1, v.key AS c2, v.value AS c3 \
         FROM checkpoints c CROSS JOIN LATERAL jsonb_each_text(c.checkpoint -> 'channel_versions') AS v \
         WHERE (c.thread_id, c.checkpoint_ns, c.checkpoint_id) IN (SELECT c0, c1, c2 FROM ({}) k)",
        Backend::Postgres.json_rows(1, 3)
    ))
    .bind::<Text, _>(deleted)
    .load(conn)
    .context("cannot read the blob versions of LangGraph checkpoints")?;
    Ok(rows.into_iter().map(|r| [r.c0, r.c1, r.c2, r.c3]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn uuid6_floor_orders_like_langgraph_ids() {
        // 2024-07-05T12:00:00Z as LangGraph's uuid6() lays it out.
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_720_180_800);
        let floor = uuid6_floor(t);
        assert_eq!(floor.len(), 36);
        assert_eq!(&floor[14..15], "6");
        let later = uuid6_floor(t + Duration::from_micros(1));
        assert!(floor < later);
        let much_later = uuid6_floor(t + Duration::from_secs(86_400 * 400));
        assert!(later < much_later);
    }

    fn msgpack(value: rmpv::Value) -> Vec<u8> {
        let mut buf = Vec::new();
        rmpv::encode::write_value(&mut buf, &value).unwrap();
        buf
    }

    #[test]
    fn finds_version_and_delta_snapshot() {
        use rmpv::Value;
        let plain = Value::Map(vec![
            ("v".into(), 4.into()),
            (
                "channel_values".into(),
                Value::Map(vec![("x".into(), Value::Ext(5, vec![1, 2]))]),
            ),
        ]);
        assert_eq!(
            inspect_msgpack_checkpoint(&msgpack(plain)).unwrap(),
            BodyFacts {
                v: Some(4),
                delta_snapshot: false
            }
        );
        let delta = Value::Map(vec![
            ("v".into(), 3.into()),
            (
                "channel_values".into(),
                Value::Map(vec![("items".into(), Value::Ext(7, vec![0x90]))]),
            ),
        ]);
        assert_eq!(
            inspect_msgpack_checkpoint(&msgpack(delta)).unwrap(),
            BodyFacts {
                v: Some(3),
                delta_snapshot: true
            }
        );
        assert!(inspect_msgpack_checkpoint(b"\xc1").is_err());
    }
}
