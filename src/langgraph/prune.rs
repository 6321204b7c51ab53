//! Pruning LangGraph's checkpoints safely: whole idle threads (`delete_thread` semantics) and
//! keep-newest-N per namespace, following `PostgresSaver.prune` (3.2.0) with its "head"
//! widened to "newest N" (`docs/data-facts.md#prune-keep-newest-n`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use serde::Serialize;

use super::{writes_table, EXT_DELTA_SNAPSHOT};
use crate::db::{AnyConnection, Backend};
use crate::msgpack;
use crate::retention::{
    execute_with_keys, json_keys, KeyRow3, Lookup, NotATime, Tally, PARENTS_CLEARED,
};

/// The write channel from which checkpoints of format v < 4 read their pending sends.
const TASKS_CHANNEL: &str = "__pregel_tasks";

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
    let confirmed: Vec<IdRow> = tally.step("re-check threads", || {
        diesel::sql_query(format!(
            "SELECT thread_id AS c0 FROM checkpoints WHERE {} \
             GROUP BY thread_id HAVING max(checkpoint_id) < '{floor_id}'",
            backend.keys_in(&["thread_id"], Lookup::Many)
        ))
        .bind::<Text, _>(json_keys(&keys))
        .load(conn)
        .context("cannot re-check idle LangGraph threads")
    })?;
    let confirmed: Vec<[String; 1]> = confirmed.into_iter().map(|r| [r.c0]).collect();
    if confirmed.is_empty() {
        return Ok(Vec::new());
    }
    let list = json_keys(&confirmed);
    let mut tables = vec![(writes_table(backend), "delete writes")];
    if backend == Backend::Postgres {
        tables.push(("checkpoint_blobs", "delete blobs"));
    }
    tables.push(("checkpoints", "delete checkpoints"));
    for (table, step) in tables {
        let sql = format!(
            "DELETE FROM {table} WHERE {}",
            backend.keys_in(&["thread_id"], Lookup::Many)
        );
        let n = tally.step(step, || execute_with_keys(conn, &sql, &list))?;
        tally.add(policy, table, n);
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

/// (thread, ns, parent) keys of kept v < 4 checkpoints whose parent holds `__pregel_tasks` writes.
fn sends_parents(
    conn: &mut AnyConnection,
    tally: &mut Tally,
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
    let found: Vec<KeyRow3> = tally.step("read sends parents", || {
        diesel::sql_query(format!(
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
        .context("cannot read LangGraph pending sends")
    })?;
    Ok(found.into_iter().map(KeyRow3::into_key).collect())
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
    let rows: Vec<CheckpointRow> = tally.step("read checkpoints", || {
        diesel::sql_query(checkpoint_rows_sql(backend))
            .bind::<Text, _>(&keys)
            .load(conn)
            .context("cannot read LangGraph checkpoints")
    })?;
    let rows: Vec<Checkpoint> = tally.step("decode checkpoints", || {
        rows.into_iter().map(Checkpoint::from_row).collect()
    })?;
    let snapshot_threads: HashSet<String> = match backend {
        Backend::Postgres => {
            let rows: Vec<IdRow> = tally.step("check delta snapshots", || {
                diesel::sql_query(delta_snapshot_threads_sql())
                    .bind::<Text, _>(&keys)
                    .load(conn)
                    .context("cannot check LangGraph threads for DeltaChannel snapshots")
            })?;
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
    let sends = sends_parents(conn, tally, &rows, &refused)?;
    let plan = tally.step("plan", || {
        let mut plan = Plan::default();
        for (thread, list) in &by_thread {
            if !refused.contains(*thread) {
                plan_thread(list, keep as usize, horizon, &sends, &mut plan);
            }
        }
        Ok(plan)
    })?;
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
    let n = tally.step("delete writes", || {
        execute_with_keys(conn, &by_key(writes), &deleted)
    })?;
    tally.add(policy, writes, n);
    let n = tally.step("delete checkpoints", || {
        execute_with_keys(conn, &by_key("checkpoints"), &deleted)
    })?;
    tally.add(policy, "checkpoints", n);
    if !plan.garbage_blobs.is_empty() {
        let sql = format!(
            "DELETE FROM checkpoint_blobs WHERE {}",
            backend.keys_in(
                &["thread_id", "checkpoint_ns", "channel", "version"],
                Lookup::Unique
            )
        );
        let n = tally.step("delete blobs", || {
            execute_with_keys(conn, &sql, &json_keys(&plan.garbage_blobs))
        })?;
        tally.add(policy, "checkpoint_blobs", n);
    }
    if !plan.orphaned.is_empty() {
        let sql = format!(
            "UPDATE checkpoints SET parent_checkpoint_id = NULL WHERE {}",
            backend.keys_in(
                &["thread_id", "checkpoint_ns", "checkpoint_id"],
                Lookup::Unique
            )
        );
        let n = tally.step("clear parents", || {
            execute_with_keys(conn, &sql, &json_keys(&plan.orphaned))
        })?;
        tally.add(policy, PARENTS_CLEARED, n);
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
