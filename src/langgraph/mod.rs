//! LangGraph's checkpoint tables, which its savers own and agentdb only reads (`stats`) or
//! prunes on request (`prune`). PostgresSaver (checkpoint-postgres 3.x) keeps `checkpoints`
//! (JSONB), `checkpoint_blobs` and `checkpoint_writes`; SqliteSaver (checkpoint-sqlite 3.x)
//! keeps `checkpoints` (a whole msgpack checkpoint per row) and `writes` (with or without the
//! `task_path` column of 3.1.2). The rules of a safe prune follow `PostgresSaver.prune`
//! (3.2.0) with its "head" widened to "newest N"; see `docs/data-facts.md#prune-keep-newest-n`.

pub mod erase;
pub mod store;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use serde::Serialize;

use crate::db::{self, AnyConnection, Backend};
use crate::msgpack;
use crate::retention::{execute_with_keys, json_keys, Lookup, NotATime, Tally, PARENTS_CLEARED};

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

#[derive(QueryableByName)]
struct NewestRow {
    #[diesel(sql_type = Text)]
    c0: String,
    #[diesel(sql_type = Text)]
    newest: String,
    #[diesel(sql_type = Bool)]
    bad: bool,
}

/// Threads whose newest checkpoint (any namespace) is older than `floor_id`. A thread's age is
/// read from the clock of its greatest checkpoint id, so a thread whose greatest id is not a
/// lowercase UUIDv6 refuses the whole run (its age cannot be told; it is never deleted).
pub fn idle_threads(conn: &mut AnyConnection, floor_id: &str) -> Result<Vec<String>> {
    let not_uuid6 = match conn.backend() {
        Backend::Postgres => {
            "newest !~ '^[0-9a-f]{8}-[0-9a-f]{4}-6[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$'"
                .to_string()
        }
        Backend::Sqlite => {
            let hex = |n: usize| "[0-9a-f]".repeat(n);
            format!(
                "NOT (newest GLOB '{}-{}-6{}-{}-{}')",
                hex(8),
                hex(4),
                hex(3),
                hex(4),
                hex(12)
            )
        }
    };
    let sql = format!(
        "SELECT c0, newest, {not_uuid6} AS bad FROM \
           (SELECT thread_id AS c0, max(checkpoint_id) AS newest FROM checkpoints GROUP BY thread_id) AS t \
         WHERE newest < '{floor_id}' OR {not_uuid6} ORDER BY c0"
    );
    let rows: Vec<NewestRow> = diesel::sql_query(&sql)
        .load(conn)
        .with_context(|| format!("cannot read LangGraph checkpoints: {sql}"))?;
    if let Some(r) = rows.iter().find(|r| r.bad) {
        return Err(NotATime::new(
            "checkpoints",
            &[("thread_id", &r.c0)],
            "checkpoint_id (the thread's greatest)",
            &r.newest,
            "a LangGraph checkpoint id: a lowercase UUIDv6, whose clock dates the checkpoint",
        )
        .into_error());
    }
    Ok(rows.into_iter().map(|r| r.c0).collect())
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
        "SELECT thread_id AS c0 FROM checkpoints WHERE {} \
         GROUP BY thread_id HAVING max(checkpoint_id) < '{floor_id}'",
        backend.keys_in(&["thread_id"], Lookup::Many)
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
            "DELETE FROM {table} WHERE {}",
            backend.keys_in(&["thread_id"], Lookup::Many)
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

/// One checkpoint row as read: `v` comes from SQL on PostgreSQL and from the msgpack `body`
/// on SQLite; `versions` (PostgreSQL) is `channel_versions` as JSON text.
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
    versions: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Binary>)]
    body: Option<Vec<u8>>,
}

/// The checkpoints of a batch of threads, with what each saver can tell in SQL.
fn checkpoint_rows_sql(backend: Backend) -> String {
    let threads = backend.keys_in(&["thread_id"], Lookup::Many);
    match backend {
        Backend::Postgres => format!(
            "SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, \
               (checkpoint ->> 'v')::bigint AS v, metadata -> 'parents' ->> '' AS root, \
               (metadata ? 'counters_since_delta_snapshot' OR metadata ? 'delta_writes_versioned') AS delta, \
               (checkpoint -> 'channel_versions')::text AS versions, \
               NULL::text AS kind, NULL::bytea AS body \
             FROM checkpoints WHERE {threads}"
        ),
        Backend::Sqlite => format!(
            "SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, NULL AS v, \
               json_extract(CAST(metadata AS TEXT), '$.parents.\"\"') AS root, \
               (json_type(CAST(metadata AS TEXT), '$.counters_since_delta_snapshot') IS NOT NULL \
                OR json_type(CAST(metadata AS TEXT), '$.delta_writes_versioned') IS NOT NULL) AS delta, \
               NULL AS versions, type AS kind, checkpoint AS body \
             FROM checkpoints WHERE {threads}"
        ),
    }
}

/// A checkpoint as the planner needs it, its body read once and dropped.
#[derive(Debug)]
struct Checkpoint {
    thread_id: String,
    ns: String,
    id: String,
    parent: Option<String>,
    v: Option<i64>,
    root: Option<String>,
    /// Uses a DeltaChannel (metadata counters, or a snapshot in the body).
    delta: bool,
    /// Why the body could not be checked for a DeltaChannel, if it could not.
    unreadable: Option<String>,
    /// PostgreSQL: `channel -> version`, the blobs this checkpoint reads.
    versions: Vec<(String, String)>,
}

impl Checkpoint {
    fn from_row(row: CheckpointRow) -> Result<Checkpoint> {
        let mut c = Checkpoint {
            thread_id: row.thread_id,
            ns: row.checkpoint_ns,
            id: row.checkpoint_id,
            parent: row.parent_checkpoint_id,
            v: row.v,
            root: row.root,
            delta: row.delta,
            unreadable: None,
            versions: match row.versions {
                Some(text) => channel_versions(&text)?,
                None => Vec::new(),
            },
        };
        if let Some(body) = row.body {
            match row.kind.as_deref() {
                Some("msgpack") => match msgpack::checkpoint_facts(&body, EXT_DELTA_SNAPSHOT) {
                    Ok(facts) => {
                        c.v = facts.v;
                        c.delta |= facts.has_ext;
                    }
                    Err(e) => c.unreadable = Some(format!("unreadable ({e:#})")),
                },
                other => {
                    c.unreadable = Some(format!(
                        "stored as {:?} (encrypted or not msgpack)",
                        other.unwrap_or("NULL")
                    ))
                }
            }
        }
        Ok(c)
    }
}

/// `channel_versions` as (channel, version) text pairs, as `jsonb_each_text` spells them.
fn channel_versions(text: &str) -> Result<Vec<(String, String)>> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).context("channel_versions is not a JSON object")?;
    Ok(map
        .into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => (k, s),
            other => (k, other.to_string()),
        })
        .collect())
}

/// PostgresSaver: threads with a DeltaChannel snapshot, i.e. an inline `true` with a blob
/// behind it (a plain `True` value never has one). As in `PostgresSaver.prune`: the blob is
/// looked up by primary key per candidate, never joined as a set.
fn delta_snapshot_threads_sql() -> String {
    format!(
        "SELECT DISTINCT c.thread_id AS c0 FROM checkpoints c \
         CROSS JOIN LATERAL jsonb_each(c.checkpoint -> 'channel_values') AS v \
         CROSS JOIN LATERAL (SELECT 1 FROM checkpoint_blobs b WHERE b.thread_id = c.thread_id \
           AND b.checkpoint_ns = c.checkpoint_ns AND b.channel = v.key \
           AND b.version = c.checkpoint -> 'channel_versions' ->> v.key LIMIT 1) AS snapshot \
         WHERE {} AND v.value = 'true'::jsonb",
        Backend::Postgres.keys_in(&["c.thread_id"], Lookup::Many)
    )
}

/// msgpack extension type of `_DeltaSnapshot` in LangGraph's serializer.
const EXT_DELTA_SNAPSHOT: i8 = 7;

/// The rows one keep-N transaction deletes and changes, as (thread, ns, id) keys.
#[derive(Debug, Default)]
struct Plan {
    deleted: Vec<[String; 3]>,
    /// Kept checkpoints whose parent is deleted: their `parent_checkpoint_id` is cleared.
    orphaned: Vec<[String; 3]>,
    /// PostgreSQL: (thread, ns, channel, version) blobs that only deleted checkpoints read.
    garbage_blobs: Vec<[String; 4]>,
}

/// Why a thread cannot be pruned by keep-N, if it cannot.
fn refusal(rows: &[&Checkpoint], snapshot_threads: &HashSet<String>) -> Option<String> {
    if snapshot_threads.contains(&rows[0].thread_id) || rows.iter().any(|r| r.delta) {
        return Some(
            "uses a DeltaChannel: keeping only the newest checkpoints would silently empty its state"
                .to_string(),
        );
    }
    rows.iter().find_map(|r| {
        r.unreadable.as_ref().map(|why| {
            format!(
                "checkpoint {} is {why}: cannot rule out a DeltaChannel",
                r.id
            )
        })
    })
}

/// Plans one thread: keep the newest `keep` per namespace (plus, for format v < 4, the parent
/// holding the `__pregel_tasks` writes its pending sends come from); a per-call subgraph
/// namespace (with a `:`) goes whole with the saved root checkpoint it started from.
fn plan_thread(
    rows: &[&Checkpoint],
    keep: usize,
    horizon: &str,
    sends_parents: &HashSet<[String; 3]>,
    plan: &mut Plan,
) {
    let mut by_ns: BTreeMap<&str, Vec<&Checkpoint>> = BTreeMap::new();
    for row in rows {
        by_ns.entry(&row.ns).or_default().push(row);
    }
    let mut kept: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (ns, list) in by_ns.iter_mut() {
        list.sort_by(|a, b| b.id.cmp(&a.id));
        // Checkpoints saved after the run began (ids at or past `horizon`) are kept and not
        // counted: the run deletes what the preview counted, never one more.
        let kept_rows: Vec<&&Checkpoint> = list
            .iter()
            .filter(|r| r.id.as_str() >= horizon)
            .chain(list.iter().filter(|r| r.id.as_str() < horizon).take(keep))
            .collect();
        let mut ids: HashSet<&str> = kept_rows.iter().map(|r| r.id.as_str()).collect();
        for row in kept_rows {
            if let Some(parent) = &row.parent {
                let key = [row.thread_id.clone(), row.ns.clone(), parent.clone()];
                if row.v.is_some_and(|v| v < 4) && sends_parents.contains(&key) {
                    ids.insert(parent.as_str());
                }
            }
        }
        kept.insert(ns, ids);
    }
    let saved_roots: HashSet<&str> = by_ns
        .get("")
        .map(|l| l.iter().map(|r| r.id.as_str()).collect())
        .unwrap_or_default();
    let kept_roots = kept.get("").cloned().unwrap_or_default();
    let thread = &rows[0].thread_id;
    for (ns, list) in &by_ns {
        let head_root = list[0].root.as_deref();
        let gone_call = ns.contains(':')
            && head_root.is_some_and(|r| saved_roots.contains(r) && !kept_roots.contains(r));
        let deleted: HashSet<&str> = list
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| gone_call || !kept[ns].contains(id))
            .collect();
        if deleted.is_empty() {
            continue;
        }
        // Blobs a deleted checkpoint read and no surviving one of this namespace does.
        let mut read_by_survivors: HashSet<(&str, &str)> = HashSet::new();
        let mut read_by_deleted: HashSet<(&str, &str)> = HashSet::new();
        for row in list {
            let set = if deleted.contains(row.id.as_str()) {
                &mut read_by_deleted
            } else {
                &mut read_by_survivors
            };
            set.extend(row.versions.iter().map(|(c, v)| (c.as_str(), v.as_str())));
        }
        for (channel, version) in read_by_deleted.difference(&read_by_survivors) {
            plan.garbage_blobs.push([
                thread.clone(),
                ns.to_string(),
                channel.to_string(),
                version.to_string(),
            ]);
        }
        for row in list {
            let key = [thread.clone(), ns.to_string(), row.id.clone()];
            if deleted.contains(row.id.as_str()) {
                plan.deleted.push(key);
            } else if row.parent.as_deref().is_some_and(|p| deleted.contains(p)) {
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

/// (thread, ns, parent) keys of kept v < 4 checkpoints whose parent holds `__pregel_tasks` writes.
fn sends_parents(
    conn: &mut AnyConnection,
    rows: &[Checkpoint],
    refused: &HashSet<String>,
) -> Result<HashSet<[String; 3]>> {
    let candidates: Vec<[String; 3]> = rows
        .iter()
        .filter(|r| !refused.contains(&r.thread_id) && r.v.is_some_and(|v| v < 4))
        .filter_map(|r| {
            r.parent
                .as_ref()
                .map(|p| [r.thread_id.clone(), r.ns.clone(), p.clone()])
        })
        .collect();
    if candidates.is_empty() {
        return Ok(HashSet::new());
    }
    let backend = conn.backend();
    let found: Vec<KeyRow3> = diesel::sql_query(format!(
        "SELECT DISTINCT thread_id AS c0, checkpoint_ns AS c1, checkpoint_id AS c2 FROM {} \
         WHERE channel = '{TASKS_CHANNEL}' \
         AND {}",
        writes_table(backend),
        backend.keys_in(
            &["thread_id", "checkpoint_ns", "checkpoint_id"],
            Lookup::Unique
        )
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
    horizon: &str,
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
    let rows: Vec<Checkpoint> = rows
        .into_iter()
        .map(Checkpoint::from_row)
        .collect::<Result<_>>()?;
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
    let mut by_thread: BTreeMap<&str, Vec<&Checkpoint>> = BTreeMap::new();
    for row in &rows {
        by_thread.entry(&row.thread_id).or_default().push(row);
    }
    let refusals: Vec<Refusal> = by_thread
        .iter()
        .filter_map(|(thread, list)| {
            refusal(list, &snapshot_threads).map(|reason| Refusal {
                thread_id: thread.to_string(),
                reason,
            })
        })
        .collect();
    let refused: HashSet<String> = refusals.iter().map(|r| r.thread_id.clone()).collect();
    let sends = sends_parents(conn, &rows, &refused)?;
    let mut plan = Plan::default();
    for (thread, list) in &by_thread {
        if !refused.contains(*thread) {
            plan_thread(list, keep as usize, horizon, &sends, &mut plan);
        }
    }
    apply(conn, &plan, policy, tally)?;
    Ok(refusals)
}

/// Deletes the planned checkpoints, their writes and the blobs only they read, and clears the
/// parent of kept checkpoints whose parent went.
fn apply(conn: &mut AnyConnection, plan: &Plan, policy: &str, tally: &mut Tally) -> Result<()> {
    if plan.deleted.is_empty() {
        return Ok(());
    }
    let backend = conn.backend();
    let deleted = json_keys(&plan.deleted);
    let by_key = |table: &str| {
        format!(
            "DELETE FROM {table} WHERE {}",
            backend.keys_in(
                &["thread_id", "checkpoint_ns", "checkpoint_id"],
                Lookup::Unique
            )
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
    tally.add(
        policy,
        "checkpoints",
        execute_with_keys(conn, &by_key("checkpoints"), &deleted)?,
    );
    if !plan.garbage_blobs.is_empty() {
        let sql = format!(
            "DELETE FROM checkpoint_blobs WHERE {}",
            backend.keys_in(
                &["thread_id", "checkpoint_ns", "channel", "version"],
                Lookup::Unique
            )
        );
        tally.add(
            policy,
            "checkpoint_blobs",
            execute_with_keys(conn, &sql, &json_keys(&plan.garbage_blobs))?,
        );
    }
    if !plan.orphaned.is_empty() {
        let sql = format!(
            "UPDATE checkpoints SET parent_checkpoint_id = NULL WHERE {}",
            backend.keys_in(
                &["thread_id", "checkpoint_ns", "checkpoint_id"],
                Lookup::Unique
            )
        );
        tally.add(
            policy,
            PARENTS_CLEARED,
            execute_with_keys(conn, &sql, &json_keys(&plan.orphaned))?,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn checkpoint(
        ns: &str,
        id: &str,
        parent: Option<&str>,
        v: i64,
        root: Option<&str>,
    ) -> Checkpoint {
        Checkpoint {
            thread_id: "t".into(),
            ns: ns.into(),
            id: id.into(),
            parent: parent.map(Into::into),
            v: Some(v),
            root: root.map(Into::into),
            delta: false,
            unreadable: None,
            versions: vec![
                ("x".into(), format!("x-{id}")),
                ("keep".into(), "k1".into()),
            ],
        }
    }

    fn ids(keys: &[[String; 3]]) -> Vec<String> {
        let mut ids: Vec<String> = keys.iter().map(|k| format!("{}/{}", k[1], k[2])).collect();
        ids.sort();
        ids
    }

    /// Checkpoints saved after the run began (ids at or past the horizon) are neither counted
    /// nor deleted: the run deletes what its preview counted.
    #[test]
    fn keep_newest_counts_only_what_existed_when_the_run_began() {
        let rows = [
            checkpoint("", "1", None, 4, None),
            checkpoint("", "2", Some("1"), 4, None),
            checkpoint("", "3", Some("2"), 4, None),
            checkpoint("", "4", Some("3"), 4, None),
        ];
        let refs: Vec<&Checkpoint> = rows.iter().collect();
        for (horizon, deleted) in [("~", vec!["/1", "/2"]), ("4", vec!["/1"]), ("3", vec![])] {
            let mut plan = Plan::default();
            plan_thread(&refs, 2, horizon, &HashSet::new(), &mut plan);
            assert_eq!(ids(&plan.deleted), deleted, "horizon {horizon}");
        }
    }

    #[test]
    fn plans_keep_newest_per_namespace() {
        let rows = [
            checkpoint("", "1", None, 4, None),
            checkpoint("", "2", Some("1"), 4, None),
            checkpoint("", "3", Some("2"), 4, None),
            checkpoint("", "4", Some("3"), 4, None),
            // A call that started from root 2 (deleted): goes whole.
            checkpoint("sub:a", "s1", None, 4, Some("2")),
            checkpoint("sub:a", "s2", Some("s1"), 4, Some("2")),
            // A call from root 4 (kept): keeps its newest 2.
            checkpoint("sub:b", "b1", None, 4, Some("4")),
            checkpoint("sub:b", "b2", Some("b1"), 4, Some("4")),
            checkpoint("sub:b", "b3", Some("b2"), 4, Some("4")),
            // A call whose root is not saved yet (a run saves in the background): kept as N.
            checkpoint("sub:c", "c1", None, 4, Some("9")),
            // A checkpointer=True subgraph (no ':'): its own newest 2.
            checkpoint("memo", "m1", None, 4, Some("1")),
            checkpoint("memo", "m2", Some("m1"), 4, Some("1")),
            checkpoint("memo", "m3", Some("m2"), 4, Some("1")),
        ];
        let refs: Vec<&Checkpoint> = rows.iter().collect();
        let mut plan = Plan::default();
        plan_thread(&refs, 2, "~", &HashSet::new(), &mut plan);
        assert_eq!(
            ids(&plan.deleted),
            ["/1", "/2", "memo/m1", "sub:a/s1", "sub:a/s2", "sub:b/b1"]
        );
        assert_eq!(ids(&plan.orphaned), ["/3", "memo/m2", "sub:b/b2"]);
        // Versions only deleted checkpoints read; `keep/k1` is read by survivors too.
        let mut garbage: Vec<String> = plan
            .garbage_blobs
            .iter()
            .map(|b| format!("{}/{}", b[1], b[3]))
            .collect();
        garbage.sort();
        assert_eq!(
            garbage,
            [
                "/x-1",
                "/x-2",
                "memo/x-m1",
                "sub:a/k1",
                "sub:a/x-s1",
                "sub:a/x-s2",
                "sub:b/x-b1"
            ]
        );
    }

    #[test]
    fn keeps_the_parent_with_pending_sends_before_format_4() {
        let rows = [
            checkpoint("", "1", None, 3, None),
            checkpoint("", "2", Some("1"), 3, None),
            checkpoint("", "3", Some("2"), 3, None),
        ];
        let refs: Vec<&Checkpoint> = rows.iter().collect();
        let sends: HashSet<[String; 3]> = [["t".to_string(), String::new(), "2".to_string()]]
            .into_iter()
            .collect();
        let mut plan = Plan::default();
        plan_thread(&refs, 1, "~", &sends, &mut plan);
        assert_eq!(ids(&plan.deleted), ["/1"]);
        assert_eq!(ids(&plan.orphaned), ["/2"]);
    }

    #[test]
    fn uuid6_floor_orders_like_langgraph_ids() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_720_180_800);
        let floor = uuid6_floor(t);
        // langgraph.checkpoint.base.id.uuid6(clock_seq=0, node=0) at that instant.
        let langgraph_id = "1ef3ac61-ad6e-6000-8000-000000000000";
        assert_eq!(floor, "1ef3ac61-ad6e-6000-0000-000000000000");
        assert!(floor.as_str() < langgraph_id);
        let later = uuid6_floor(t + Duration::from_micros(1));
        assert!(floor < later);
        let much_later = uuid6_floor(t + Duration::from_secs(86_400 * 400));
        assert!(later < much_later);
    }
}

// ---- copy (`agentdb copy --include langgraph`, `docs/data-facts.md#copy-langgraph-sqlite-to-postgresql`) ----

/// SqliteSaver's tables (checkpoint-sqlite 3.x): whole msgpack checkpoints and `writes`, with
/// or without the `task_path` column that 3.1.2 added.
pub mod sqlite_saver_tables {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "langgraph",
        checkpoints (thread_id, checkpoint_ns, checkpoint_id) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text,
            parent_checkpoint_id: Text, type_ ["type"]: Text, checkpoint: Bytes, metadata: Bytes,
        }
        writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text, task_id: Text,
            task_path: Text, idx: Int, channel: Text, type_ ["type"]: Text, value: Bytes,
        }
    }
}

/// `writes` as checkpoint-sqlite ≤ 3.1.1 made it (no `task_path`).
pub mod sqlite_saver_legacy_writes {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "langgraph",
        writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text, task_id: Text,
            idx: Int, channel: Text, type_ ["type"]: Text, value: Bytes,
        }
    }
}

/// PostgresSaver's tables (checkpoint-postgres 3.x). `checkpoint_migrations` is not copied:
/// agentdb writes its rows when it creates the tables.
pub mod postgres_saver_tables {
    use crate::copy::declare_copy_tables;

    declare_copy_tables! { TABLES, "langgraph",
        checkpoints (thread_id, checkpoint_ns, checkpoint_id) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text,
            parent_checkpoint_id: Text, type_ ["type"]: Text, checkpoint: Json, metadata: Json,
        }
        checkpoint_blobs (thread_id, checkpoint_ns, channel, version) tenant None => {
            thread_id: Text, checkpoint_ns: Text, channel: Text, version: Text, type_ ["type"]: Text,
            blob: Bytes,
        }
        checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) tenant None => {
            thread_id: Text, checkpoint_ns: Text, checkpoint_id: Text, task_id: Text, idx: Int,
            channel: Text, type_ ["type"]: Text, blob: Bytes, task_path: Text,
        }
    }
}

use crate::copy::{Filter, Row, RowSource, Step, TableCopy, TableReader, TableSpec};

/// PostgresSaver's MIGRATIONS (checkpoint-postgres 3.2.0), in order; the three indexes without
/// CONCURRENTLY, which cannot run inside the copy's transaction (same indexes, same names).
const POSTGRES_SAVER_MIGRATIONS: [&str; 10] = [
    "CREATE TABLE IF NOT EXISTS checkpoint_migrations (v INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS checkpoints (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL, parent_checkpoint_id TEXT, type TEXT, checkpoint JSONB NOT NULL, metadata JSONB NOT NULL DEFAULT '{}', PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id))",
    "CREATE TABLE IF NOT EXISTS checkpoint_blobs (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', channel TEXT NOT NULL, version TEXT NOT NULL, type TEXT NOT NULL, blob BYTEA, PRIMARY KEY (thread_id, checkpoint_ns, channel, version))",
    "CREATE TABLE IF NOT EXISTS checkpoint_writes (thread_id TEXT NOT NULL, checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL, task_id TEXT NOT NULL, idx INTEGER NOT NULL, channel TEXT NOT NULL, type TEXT, blob BYTEA NOT NULL, PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx))",
    "ALTER TABLE checkpoint_blobs ALTER COLUMN blob DROP not null",
    "SELECT 1",
    "CREATE INDEX IF NOT EXISTS checkpoints_thread_id_idx ON checkpoints(thread_id)",
    "CREATE INDEX IF NOT EXISTS checkpoint_blobs_thread_id_idx ON checkpoint_blobs(thread_id)",
    "CREATE INDEX IF NOT EXISTS checkpoint_writes_thread_id_idx ON checkpoint_writes(thread_id)",
    "ALTER TABLE checkpoint_writes ADD COLUMN IF NOT EXISTS task_path TEXT NOT NULL DEFAULT ''",
];

/// SqliteSaver's `setup()` (checkpoint-sqlite 3.1.2), without its `PRAGMA journal_mode=WAL`
/// (agentdb's connections already use WAL).
const SQLITE_SAVER_SETUP: &str = "
CREATE TABLE IF NOT EXISTS checkpoints (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    parent_checkpoint_id TEXT,
    type TEXT,
    checkpoint BLOB,
    metadata BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE TABLE IF NOT EXISTS writes (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    task_path TEXT NOT NULL DEFAULT '',
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    type TEXT,
    value BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);";

fn sqlite_writes_has_task_path(conn: &mut AnyConnection) -> Result<bool> {
    Ok(db::count(
        conn,
        "SELECT count(*) AS n FROM pragma_table_info('writes') WHERE name = 'task_path'",
    )? > 0)
}

/// The steps that copy LangGraph's checkpoints from `source` to a `target` backend: row copies
/// between savers of the same kind, SqliteSaver → PostgresSaver conversion, and a refusal of
/// PostgresSaver → SqliteSaver (see the README: not shown to be sound).
pub fn copy_plan(
    source: &mut AnyConnection,
    source_name: &str,
    target: Backend,
) -> Result<Vec<Step<'static>>> {
    let backend = source.backend();
    if !present(source)? {
        anyhow::bail!(
            "--include langgraph: the source {source_name} has no LangGraph checkpoint tables (checkpoints and {})",
            writes_table(backend)
        );
    }
    let filter = Filter::default();
    let pg = postgres_saver_tables::TABLES;
    let sqlite = sqlite_saver_tables::TABLES;
    let writes: &'static TableSpec =
        if backend == Backend::Sqlite && !sqlite_writes_has_task_path(source)? {
            &sqlite_saver_legacy_writes::TABLES[0]
        } else {
            &sqlite[1]
        };
    Ok(match (backend, target) {
        (Backend::Sqlite, Backend::Sqlite) => vec![
            Step::plain(&sqlite[0], backend, &filter),
            Step::plain(writes, backend, &filter),
        ],
        (Backend::Postgres, Backend::Postgres) => {
            pg.iter().map(|spec| Step::plain(spec, backend, &filter)).collect()
        }
        (Backend::Sqlite, Backend::Postgres) => vec![
            Step {
                target: &pg[0],
                rows: Box::new(Converter::new(Output::Checkpoints)),
                plain_source: None,
            },
            Step {
                target: &pg[1],
                rows: Box::new(Converter::new(Output::Blobs)),
                plain_source: None,
            },
            Step {
                target: &pg[2],
                rows: Box::new(WritesToPostgres::new(writes)),
                plain_source: None,
            },
        ],
        (Backend::Postgres, Backend::Sqlite) => anyhow::bail!(
            "--include langgraph: copying PostgresSaver checkpoints into SQLite is not supported: SqliteSaver keeps each checkpoint as one msgpack document, which would have to be re-encoded from PostgreSQL's JSON (whose numbers and strings have lost msgpack's types) and its blobs; agentdb does not guess. Copy LangGraph data PostgreSQL → PostgreSQL, or SQLite → PostgreSQL"
        ),
    })
}

/// Inside the copy transaction: the saver's tables with the saver's own DDL where they are
/// missing (PostgresSaver: its ten migrations and their `checkpoint_migrations` rows).
pub fn prepare_copy_target(conn: &mut AnyConnection, name: &str) -> Result<()> {
    use diesel::connection::SimpleConnection;
    match conn.backend() {
        Backend::Sqlite => {
            if conn.table_exists("writes")? && !sqlite_writes_has_task_path(conn)? {
                conn.batch_execute("ALTER TABLE writes ADD COLUMN task_path TEXT NOT NULL DEFAULT ''")?;
            }
            conn.batch_execute(SQLITE_SAVER_SETUP)
        }
        Backend::Postgres => {
            let mut result = Ok(());
            for sql in POSTGRES_SAVER_MIGRATIONS {
                result = result.and_then(|_| conn.batch_execute(sql));
            }
            result.and_then(|_| {
                conn.batch_execute(
                    "INSERT INTO checkpoint_migrations (v) SELECT generate_series(0, 9) ON CONFLICT DO NOTHING",
                )
            })
        }
    }
    .with_context(|| format!("cannot create LangGraph's checkpoint tables in {name}"))
}

/// The name of the verification-only entry `verify_thread_heads` reports (no rows of its own).
pub const HEADS_CHECK: &str = "checkpoints: head and count per thread";

/// Per thread, the newest checkpoint id and the number of checkpoints, on both sides.
pub fn verify_thread_heads(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
) -> Result<TableCopy> {
    const HEADS: TableSpec = TableSpec {
        group: "langgraph",
        name: HEADS_CHECK,
        key: &["thread_id"],
        tenant_column: None,
        columns: &[
            crate::copy::Column {
                name: "thread_id",
                kind: crate::copy::Kind::Text,
            },
            crate::copy::Column {
                name: "head",
                kind: crate::copy::Kind::Text,
            },
            crate::copy::Column {
                name: "n",
                kind: crate::copy::Kind::Int,
            },
        ],
    };
    #[derive(QueryableByName)]
    struct HeadRow {
        #[diesel(sql_type = Text)]
        thread_id: String,
        #[diesel(sql_type = Text)]
        head: String,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let tally = |conn: &mut AnyConnection| -> Result<crate::copy::Tally> {
        let rows: Vec<HeadRow> = diesel::sql_query(
            "SELECT thread_id, max(checkpoint_id) AS head, count(*) AS n FROM checkpoints GROUP BY thread_id",
        )
        .load(conn)
        .context("cannot read the LangGraph thread heads")?;
        let mut tally = crate::copy::Tally::default();
        for r in rows {
            tally.add(
                &HEADS,
                &vec![Some(r.thread_id), Some(r.head), Some(r.n.to_string())],
            );
        }
        Ok(tally)
    };
    let (from, to) = (tally(source)?, tally(target)?);
    Ok(TableCopy {
        group: "langgraph",
        table: HEADS.name,
        source_rows: from.rows,
        target_rows: to.rows,
        source_digest: from.digest(),
        target_digest: to.digest(),
        verified: from == to,
    })
}

/// SQLite `writes` rows as PostgresSaver's `checkpoint_writes` rows (`value` → `blob`; a
/// missing `task_path` is `''`, as PostgresSaver's default).
struct WritesToPostgres {
    reader: TableReader<'static>,
    spec: &'static TableSpec,
}

impl WritesToPostgres {
    fn new(spec: &'static TableSpec) -> WritesToPostgres {
        WritesToPostgres {
            reader: TableReader::new(spec, Backend::Sqlite, &Filter::default()),
            spec,
        }
    }
}

impl RowSource for WritesToPostgres {
    fn pages(
        &mut self,
        source: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let spec = self.spec;
        let column = |row: &Row, name: &str| -> Option<String> {
            spec.columns
                .iter()
                .position(|c| c.name == name)
                .and_then(|i| row[i].clone())
        };
        self.reader.pages(source, &mut |rows| {
            page(
                rows.iter()
                    .map(|row| {
                        vec![
                            column(row, "thread_id"),
                            column(row, "checkpoint_ns"),
                            column(row, "checkpoint_id"),
                            column(row, "task_id"),
                            column(row, "idx"),
                            column(row, "channel"),
                            column(row, "type"),
                            Some(column(row, "value").unwrap_or_default()),
                            Some(column(row, "task_path").unwrap_or_default()),
                        ]
                    })
                    .collect(),
            )
        })
    }
}

/// Which PostgresSaver table a pass over the SQLite checkpoints produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Checkpoints,
    Blobs,
}

/// SqliteSaver checkpoints as PostgresSaver rows, as `PostgresSaver.put` would have written
/// them: primitives inline in the JSONB, every other channel value as an opaque msgpack blob
/// under (channel, version), shared by the checkpoints that keep that version.
struct Converter {
    reader: TableReader<'static>,
    output: Output,
    /// Blobs already produced for the current (thread, namespace): pages come in key order.
    group: (String, String),
    seen: HashSet<(String, String)>,
    /// Threads that cannot be converted, and why (first reason each).
    refused: BTreeMap<String, String>,
}

impl Converter {
    fn new(output: Output) -> Converter {
        Converter {
            // Key order: blobs are deduplicated per (thread, namespace) as they stream by.
            reader: TableReader::ordered(
                &sqlite_saver_tables::TABLES[0],
                Backend::Sqlite,
                &Filter::default(),
            ),
            output,
            group: Default::default(),
            seen: HashSet::new(),
            refused: BTreeMap::new(),
        }
    }

    fn rows_of(&mut self, row: &Row) -> Result<Vec<Row>> {
        let text = |i: usize| row[i].clone();
        let thread = text(0).unwrap_or_default();
        let ns = text(1).unwrap_or_default();
        let converted = convert_checkpoint(
            text(4).as_deref(),
            &hex::decode(text(5).unwrap_or_default()).context("checkpoint bytes")?,
            &hex::decode(text(6).unwrap_or_default()).context("metadata bytes")?,
        )
        .map_err(|e| anyhow::anyhow!("checkpoint {}: {e:#}", text(2).unwrap_or_default()))?;
        Ok(match self.output {
            Output::Checkpoints => vec![vec![
                Some(thread),
                Some(ns),
                text(2),
                text(3),
                None,
                Some(converted.checkpoint),
                Some(converted.metadata),
            ]],
            Output::Blobs => {
                if self.group != (thread.clone(), ns.clone()) {
                    self.group = (thread.clone(), ns.clone());
                    self.seen.clear();
                }
                let mut rows = Vec::new();
                for blob in converted.blobs {
                    if self
                        .seen
                        .insert((blob.channel.clone(), blob.version.clone()))
                    {
                        rows.push(vec![
                            Some(thread.clone()),
                            Some(ns.clone()),
                            Some(blob.channel),
                            Some(blob.version),
                            Some("msgpack".to_string()),
                            Some(hex::encode(blob.bytes)),
                        ]);
                    }
                }
                rows
            }
        })
    }
}

impl RowSource for Converter {
    fn pages(
        &mut self,
        source: &mut AnyConnection,
        page: &mut dyn FnMut(Vec<Row>) -> Result<()>,
    ) -> Result<()> {
        let mut reader = std::mem::replace(
            &mut self.reader,
            TableReader::new(
                &sqlite_saver_tables::TABLES[0],
                Backend::Sqlite,
                &Filter::default(),
            ),
        );
        reader.pages(source, &mut |rows| {
            let mut out = Vec::new();
            for row in &rows {
                match self.rows_of(row) {
                    Ok(converted) => out.extend(converted),
                    Err(e) => {
                        let thread = row[0].clone().unwrap_or_default();
                        self.refused
                            .entry(thread)
                            .or_insert_with(|| format!("{e:#}"));
                    }
                }
            }
            page(out)
        })?;
        if !self.refused.is_empty() {
            let list: Vec<String> = self
                .refused
                .iter()
                .map(|(thread, why)| format!("thread {thread}: {why}"))
                .collect();
            anyhow::bail!(
                "LangGraph checkpoints that cannot be converted to PostgresSaver's layout (nothing was copied): {}",
                list.join("; ")
            );
        }
        Ok(())
    }
}

/// One blob PostgresSaver would store for a checkpoint.
struct Blob {
    channel: String,
    version: String,
    bytes: Vec<u8>,
}

/// A SqliteSaver checkpoint as PostgresSaver stores it.
struct Converted {
    /// The `checkpoint` JSONB, as JSON text.
    checkpoint: String,
    /// The `metadata` JSONB (without `writes`, which PostgresSaver drops).
    metadata: String,
    blobs: Vec<Blob>,
}

/// Converts one checkpoint row (`docs/data-facts.md#copy-langgraph-sqlite-to-postgresql`): msgpack read generically, channel
/// values kept as the exact byte slices `dumps_typed` produced.
fn convert_checkpoint(kind: Option<&str>, body: &[u8], metadata: &[u8]) -> Result<Converted> {
    match kind {
        Some("msgpack") => {}
        other => anyhow::bail!(
            "stored as {:?}: only msgpack checkpoints can be converted (pickle, JSON and encrypted checkpoints cannot be split into channels)",
            other.unwrap_or("NULL")
        ),
    }
    let mut rest = body;
    let entries = read_map_len(&mut rest).context("the checkpoint is not a msgpack map")?;
    let mut fields = serde_json::Map::new();
    let mut channel_values: Vec<(String, &[u8])> = Vec::new();
    for _ in 0..entries {
        let key = read_string(&mut rest)?;
        if key == "channel_values" {
            let n = read_map_len(&mut rest).context("channel_values is not a map")?;
            for _ in 0..n {
                let channel = read_string(&mut rest)?;
                let before = rest;
                rmpv::decode::read_value(&mut rest).context("unreadable channel value")?;
                let used = before.len() - rest.len();
                channel_values.push((channel, &before[..used]));
            }
        } else {
            let value = rmpv::decode::read_value(&mut rest).context("unreadable msgpack")?;
            let json = msgpack_to_json(&value).with_context(|| format!("field {key}"))?;
            fields.insert(key, json);
        }
    }
    let v = fields.get("v").and_then(|v| v.as_i64()).unwrap_or(0);
    if v < 4 {
        anyhow::bail!("checkpoint format v{v} (langgraph < 0.5) keeps pending sends inline; PostgresSaver reads them from writes: not convertible");
    }
    let versions = fields
        .get("channel_versions")
        .and_then(|v| v.as_object())
        .cloned()
        .unwrap_or_default();
    let mut inline = serde_json::Map::new();
    let mut blobs = Vec::new();
    for (channel, bytes) in channel_values {
        let value = rmpv::decode::read_value(&mut &bytes[..])?;
        if let Some(json) = inline_primitive(&value) {
            inline.insert(channel, json);
            continue;
        }
        let Some(version) = versions.get(&channel) else {
            anyhow::bail!("channel {channel} has a value but no version");
        };
        let version = match version {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if matches!(value, rmpv::Value::Ext(EXT_DELTA_SNAPSHOT, _)) {
            inline.insert(channel.clone(), serde_json::Value::Bool(true));
        }
        blobs.push(Blob {
            channel,
            version,
            bytes: bytes.to_vec(),
        });
    }
    fields.insert("channel_values".into(), serde_json::Value::Object(inline));
    let checkpoint = serde_json::Value::Object(fields).to_string();
    let mut metadata: serde_json::Value =
        serde_json::from_slice(metadata).context("metadata is not JSON")?;
    if let Some(map) = metadata.as_object_mut() {
        map.remove("writes");
    }
    let metadata = metadata.to_string();
    for (what, text) in [("checkpoint", &checkpoint), ("metadata", &metadata)] {
        if text.contains("\\u0000") {
            anyhow::bail!("its {what} holds \\u0000, which PostgreSQL's jsonb cannot store");
        }
    }
    Ok(Converted {
        checkpoint,
        metadata,
        blobs,
    })
}

/// A channel value PostgresSaver keeps inline: None, str, int, float, bool, when `jsonb` can
/// hold it (no NUL, no NaN/Infinity; those go to a blob, which PostgresSaver also reads).
fn inline_primitive(value: &rmpv::Value) -> Option<serde_json::Value> {
    use rmpv::Value;
    match value {
        Value::Nil => Some(serde_json::Value::Null),
        Value::Boolean(b) => Some((*b).into()),
        Value::Integer(i) => i
            .as_i64()
            .map(Into::into)
            .or_else(|| i.as_u64().map(Into::into)),
        Value::F32(f) => serde_json::Number::from_f64(f64::from(*f)).map(serde_json::Value::Number),
        Value::F64(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number),
        Value::String(s) => s
            .as_str()
            .filter(|s| !s.contains('\0'))
            .map(|s| serde_json::Value::String(s.to_string())),
        _ => None,
    }
}

/// A msgpack value outside `channel_values` as JSON; anything JSON cannot hold is refused.
fn msgpack_to_json(value: &rmpv::Value) -> Result<serde_json::Value> {
    use rmpv::Value;
    Ok(match value {
        Value::Nil => serde_json::Value::Null,
        Value::Boolean(b) => (*b).into(),
        Value::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(n), _) => n.into(),
            (_, Some(n)) => n.into(),
            _ => anyhow::bail!("integer out of range"),
        },
        Value::F32(_) | Value::F64(_) => {
            let f = value.as_f64().unwrap_or(f64::NAN);
            serde_json::Number::from_f64(f)
                .map(serde_json::Value::Number)
                .context("NaN or infinite number")?
        }
        Value::String(s) => s.as_str().context("string is not UTF-8")?.into(),
        Value::Array(items) => items
            .iter()
            .map(msgpack_to_json)
            .collect::<Result<Vec<_>>>()?
            .into(),
        Value::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (k, v) in entries {
                let key = k.as_str().context("a map key is not a string")?;
                map.insert(key.to_string(), msgpack_to_json(v)?);
            }
            serde_json::Value::Object(map)
        }
        Value::Binary(_) | Value::Ext(..) => {
            anyhow::bail!("a serialized Python object outside channel_values")
        }
    })
}

/// A msgpack map header (fixmap, map16, map32).
fn read_map_len(rest: &mut &[u8]) -> Result<usize> {
    let (&marker, tail) = rest.split_first().context("truncated")?;
    let (len, size) = match marker {
        0x80..=0x8f => ((marker & 0x0f) as usize, 0),
        0xde => (
            u16::from_be_bytes(tail.get(..2).context("truncated")?.try_into()?) as usize,
            2,
        ),
        0xdf => (
            u32::from_be_bytes(tail.get(..4).context("truncated")?.try_into()?) as usize,
            4,
        ),
        _ => anyhow::bail!("expected a map"),
    };
    *rest = &tail[size..];
    Ok(len)
}

fn read_string(rest: &mut &[u8]) -> Result<String> {
    match rmpv::decode::read_value(rest).context("truncated map key")? {
        rmpv::Value::String(s) => s.into_str().context("a map key is not UTF-8"),
        other => anyhow::bail!("a map key is not a string: {other}"),
    }
}
