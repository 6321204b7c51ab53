"""Data for `bench/prune_bench.py`: building (and caching) the LangGraph checkpoint databases,
copying them, the set-based floor, one day's growth, and counting rows.

A database is built once per (backend, threads, checkpoints) and kept as a template in
`bench/.cache/prune/` (SQLite: a file) or as the PostgreSQL database
`prunebench_tpl_<threads>x<checkpoints>`; every run works on copies of it (file copy;
`CREATE DATABASE ... TEMPLATE`). A template is only reused once its build finished (SQLite: the
file is renamed into place at the end; PostgreSQL: the database's comment is set at the end).

Building: the REAL saver (SqliteSaver / PostgresSaver) writes one seed thread of CHECKPOINTS
checkpoints (a plain-Python loop graph, no LLM: a growing list channel, so every checkpoint has
writes and, on PostgreSQL, blobs); set-based SQL then copies the seed into THREADS threads
`bench-000001` ... (zero-padded so the ids sort like the numbers and the primary keys are filled
in order). Every thread keeps the seed's UUIDv6 checkpoint ids, parents and payloads, so ids stay
valid and ordered as LangGraph's. Rows go thread after thread (each thread's checkpoints
together on disk).
"""

import operator
import os
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Annotated, TypedDict

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache" / "prune"
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_PREFIX = "prunebench_"
PG_COMPLETE = "prunebench template, complete"


def log(msg):
    print(f"prune-bench: {msg}", file=sys.stderr, flush=True)


def thread_name(i):
    """The thread id of the i-th copy (1-based), as SQL writes it."""
    return f"bench-{i:06d}"


class State(TypedDict):
    log: Annotated[list, operator.add]
    counter: int


def seed(checkpointer, checkpoints):
    from langgraph.graph import END, START, StateGraph

    steps = checkpoints - 2  # the input checkpoint + one per superstep

    def step(s: State):
        return {"log": [f"step {s['counter']}"], "counter": s["counter"] + 1}

    g = StateGraph(State)
    g.add_node("step", step)
    g.add_edge(START, "step")
    g.add_conditional_edges("step", lambda s: "step" if s["counter"] < steps else END)
    g.compile(checkpointer=checkpointer).invoke(
        {"log": [], "counter": 0},
        {"configurable": {"thread_id": "seed"}, "recursion_limit": checkpoints + 10},
    )


def human_bytes(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024


def chunks(threads, size=2000):
    """Thread ranges copied one statement each: each statement sorts only its own rows (the
    primary keys fill in order) and the build reports progress."""
    return [(lo, min(lo + size - 1, threads)) for lo in range(1, threads + 1, size)]


def progress(table, done, threads, started):
    if done == threads or done % 20000 == 0:
        log(f"  {table}: {done:,} of {threads:,} threads ({time.perf_counter() - started:.0f} s)")


# ------------------------------------------------------------------ SQLite

SQLITE_TABLES = ("checkpoints", "writes")

SQLITE_FLOOR = """
BEGIN IMMEDIATE;
CREATE TEMP TABLE doomed AS SELECT thread_id, checkpoint_ns, checkpoint_id FROM (
  SELECT thread_id, checkpoint_ns, checkpoint_id, row_number() OVER (
    PARTITION BY thread_id, checkpoint_ns ORDER BY checkpoint_id DESC) AS rn FROM checkpoints
) WHERE rn > {keep};
DELETE FROM writes WHERE (thread_id, checkpoint_ns, checkpoint_id) IN (SELECT * FROM doomed);
DELETE FROM checkpoints WHERE (thread_id, checkpoint_ns, checkpoint_id) IN (SELECT * FROM doomed);
UPDATE checkpoints SET parent_checkpoint_id = NULL
  WHERE (thread_id, checkpoint_ns, parent_checkpoint_id) IN (SELECT * FROM doomed);
COMMIT;
"""


def sqlite_columns(conn, table):
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def sqlite_template(threads, checkpoints):
    """The cached template file, built first if missing; returns (path, build seconds or None)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"sqlite-{threads}x{checkpoints}.db"
    if path.exists():
        return path, None
    building = path.with_name(path.name + f".building-{os.getpid()}")
    for p in (building, Path(str(building) + "-wal"), Path(str(building) + "-shm")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(str(building), check_same_thread=False)
    saver = SqliteSaver(conn)
    saver.setup()
    seed(saver, checkpoints)
    conn.commit()
    # Bulk copy without a journal (a crash leaves a ".building" file, never a template), then
    # back to WAL, the mode SqliteSaver sets.
    conn.isolation_level = None
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("BEGIN")
    for table in SQLITE_TABLES:
        cols = sqlite_columns(conn, table)
        conn.execute(f"CREATE TEMP TABLE seed_{table} AS SELECT * FROM {table} WHERE thread_id = 'seed'")
        select = ", ".join("'bench-' || printf('%06d', n.i)" if c == "thread_id" else f"s.{c}" for c in cols)
        for lo, hi in chunks(threads):
            conn.execute(
                f"WITH RECURSIVE n(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM n WHERE i < {hi}) "
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM n CROSS JOIN seed_{table} AS s "
                f"ORDER BY n.i, s.checkpoint_ns, s.checkpoint_id"
            )
            progress(table, hi, threads, started)
        conn.execute(f"DELETE FROM {table} WHERE thread_id = 'seed'")
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for p in (Path(str(building) + "-wal"), Path(str(building) + "-shm")):
        p.unlink(missing_ok=True)
    os.replace(building, path)
    return path, time.perf_counter() - started


def sqlite_copy(template, dest):
    shutil.copyfile(template, dest)


def sqlite_drop(path):
    for p in (Path(path), Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        p.unlink(missing_ok=True)


def sqlite_size(path):
    return sum(os.path.getsize(p) for p in (path, f"{path}-wal") if os.path.exists(p))


def sqlite_counts(path):
    conn = sqlite3.connect(str(path))
    out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in SQLITE_TABLES}
    conn.close()
    return out


def sqlite_floor(path, keep):
    conn = sqlite3.connect(str(path), isolation_level=None)
    started = time.perf_counter()
    conn.executescript(SQLITE_FLOOR.format(keep=keep))
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def sqlite_existing(path, keys):
    """The (thread, id) keys of `keys` that are still in `checkpoints` (namespace '')."""
    conn = sqlite3.connect(str(path))
    found = set()
    for thread, cid in keys:
        if conn.execute(
            "SELECT 1 FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' AND checkpoint_id = ?",
            (thread, cid),
        ).fetchone():
            found.add((thread, cid))
    conn.close()
    return found


# ------------------------------------------------------------------ PostgreSQL

PG_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")

PG_FLOOR = """
CREATE TEMP TABLE doomed ON COMMIT DROP AS SELECT thread_id, checkpoint_ns, checkpoint_id FROM (
  SELECT thread_id, checkpoint_ns, checkpoint_id, row_number() OVER (
    PARTITION BY thread_id, checkpoint_ns ORDER BY checkpoint_id DESC) AS rn FROM checkpoints
) AS r WHERE rn > {keep};
CREATE TEMP TABLE freed ON COMMIT DROP AS SELECT DISTINCT c.thread_id, c.checkpoint_ns, v.key AS channel, v.value AS version
  FROM checkpoints c JOIN doomed d USING (thread_id, checkpoint_ns, checkpoint_id)
  CROSS JOIN LATERAL jsonb_each_text(c.checkpoint -> 'channel_versions') AS v;
DELETE FROM checkpoint_writes w USING doomed d WHERE w.thread_id = d.thread_id
  AND w.checkpoint_ns = d.checkpoint_ns AND w.checkpoint_id = d.checkpoint_id;
DELETE FROM checkpoints c USING doomed d WHERE c.thread_id = d.thread_id
  AND c.checkpoint_ns = d.checkpoint_ns AND c.checkpoint_id = d.checkpoint_id;
DELETE FROM checkpoint_blobs b USING freed f WHERE b.thread_id = f.thread_id
  AND b.checkpoint_ns = f.checkpoint_ns AND b.channel = f.channel AND b.version = f.version
  AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = b.thread_id
    AND c.checkpoint_ns = b.checkpoint_ns AND c.checkpoint -> 'channel_versions' ->> b.channel = b.version);
UPDATE checkpoints c SET parent_checkpoint_id = NULL FROM doomed d WHERE c.thread_id = d.thread_id
  AND c.checkpoint_ns = d.checkpoint_ns AND c.parent_checkpoint_id = d.checkpoint_id;
"""


def pg_url(name):
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def pg_admin(sql, params=None):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall() if sql.lstrip().upper().startswith("SELECT") else conn.execute(sql, params)


def pg_size(name):
    return pg_admin("SELECT pg_database_size(%s)", (name,))[0][0]


def pg_drop(name):
    assert name.startswith(PG_PREFIX), name
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_template(threads, checkpoints):
    """The cached template database, built first if missing; returns (name, build seconds or None)."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    name = f"{PG_PREFIX}tpl_{threads}x{checkpoints}"
    done = pg_admin(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
    )
    if done and done[0][0] == PG_COMPLETE:
        return name, None
    started = time.perf_counter()
    pg_drop(name)
    pg_admin(f'CREATE DATABASE "{name}"')
    with PostgresSaver.from_conn_string(pg_url(name)) as saver:
        saver.setup()
        seed(saver, checkpoints)
    with psycopg.connect(pg_url(name), autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        for table in PG_TABLES:
            # The saver's indexes and keys are dropped for the bulk copy and made again after
            # (same definitions, read from the catalog): building an index once is far
            # cheaper than 10 M ordered inserts into it.
            cons = conn.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('p', 'u')",
                (table,),
            ).fetchall()
            idx = conn.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                (table,),
            ).fetchall()
            cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "ORDER BY ordinal_position",
                    (table,),
                )
            ]
            conn.execute(f"CREATE TEMP TABLE seed_{table} AS SELECT * FROM {table} WHERE thread_id = 'seed'")
            conn.execute(f"TRUNCATE {table}")
            for c, _ in cons:
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{c}"')
            for i, _ in idx:
                conn.execute(f"DROP INDEX {i}")
            select = ", ".join(
                "'bench-' || lpad(g::text, 6, '0')" if c == "thread_id" else f"s.{c}" for c in cols
            )
            key = "checkpoint_id" if table != "checkpoint_blobs" else "channel, version"
            for lo, hi in chunks(threads):
                conn.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM generate_series({lo}, {hi}) AS g "
                    f"CROSS JOIN seed_{table} AS s ORDER BY g, s.checkpoint_ns, {', '.join('s.' + k.strip() for k in key.split(','))}"
                )
                progress(table, hi, threads, started)
            for c, definition in cons:
                conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{c}" {definition}')
            for _, definition in idx:
                conn.execute(definition)
        conn.execute("VACUUM ANALYZE")
    pg_admin(f"COMMENT ON DATABASE \"{name}\" IS '{PG_COMPLETE}'")
    return name, time.perf_counter() - started


def pg_copy(template, dest):
    pg_drop(dest)
    pg_admin(f'CREATE DATABASE "{dest}" TEMPLATE "{template}"')


def pg_counts(name):
    import psycopg

    with psycopg.connect(pg_url(name)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in PG_TABLES}


def pg_floor(name, keep):
    import psycopg

    with psycopg.connect(pg_url(name)) as conn:
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(PG_FLOOR.format(keep=keep))
        return time.perf_counter() - started


def pg_existing(name, keys):
    import psycopg

    with psycopg.connect(pg_url(name)) as conn:
        rows = conn.execute(
            "SELECT thread_id, checkpoint_id FROM checkpoints WHERE checkpoint_ns = '' AND "
            "(thread_id, checkpoint_id) IN (SELECT * FROM unnest(%s::text[], %s::text[]))",
            ([k[0] for k in keys], [k[1] for k in keys]),
        ).fetchall()
    return {(t, c) for t, c in rows}


# ------------------------------------------------------------------ one day's growth

def growth_plan(threads, count, rng):
    """`count` new checkpoints spread over the threads: (thread, new id, n-th in its thread).
    Ids are fresh UUIDv6 (newer than every existing one, in creation order)."""
    from langgraph.checkpoint.base.id import uuid6

    order = []
    while len(order) < count:
        order.extend(rng.sample(range(1, threads + 1), min(threads, count - len(order))))
    seen = {}
    plan = []
    for k, i in enumerate(order):
        n = seen.get(i, 0)
        seen[i] = n + 1
        plan.append((thread_name(i), str(uuid6(clock_seq=k)), n))
    return plan


def grow(backend, db, threads, count, seed_value=22):
    """Adds `count` checkpoints (with their writes) to existing threads with set-based SQL:
    each new one copies its thread's newest checkpoint (payload and writes) under a new id,
    its parent being the thread's previous newest. Returns seconds taken."""
    plan = growth_plan(threads, count, random.Random(seed_value))
    # parent: the previous new one of the thread, or (n == 0) the thread's newest, found in SQL.
    prev = {}
    rows = []
    for thread, cid, n in plan:
        rows.append((thread, cid, prev.get(thread)))
        prev[thread] = cid
    started = time.perf_counter()
    if backend == "sqlite":
        conn = sqlite3.connect(str(db), isolation_level=None, timeout=60)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TEMP TABLE growth (thread_id TEXT, new_id TEXT, parent TEXT)")
        conn.executemany("INSERT INTO growth VALUES (?, ?, ?)", rows)
        conn.execute(
            "CREATE TEMP TABLE src AS SELECT g.thread_id, g.new_id, g.parent, "
            "(SELECT max(checkpoint_id) FROM checkpoints m WHERE m.thread_id = g.thread_id "
            " AND m.checkpoint_ns = '') AS src_id FROM growth g"
        )
        conn.execute(
            "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, "
            "type, checkpoint, metadata) SELECT s.thread_id, '', s.new_id, coalesce(s.parent, s.src_id), "
            "c.type, c.checkpoint, c.metadata FROM src s JOIN checkpoints c ON c.thread_id = s.thread_id "
            "AND c.checkpoint_ns = '' AND c.checkpoint_id = s.src_id"
        )
        cols = sqlite_columns(conn, "writes")
        select = ", ".join("s.new_id" if c == "checkpoint_id" else f"w.{c}" for c in cols)
        conn.execute(
            f"INSERT INTO writes ({', '.join(cols)}) SELECT {select} FROM src s JOIN writes w "
            "ON w.thread_id = s.thread_id AND w.checkpoint_ns = '' AND w.checkpoint_id = s.src_id"
        )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
    else:
        import psycopg

        with psycopg.connect(pg_url(db)) as conn:
            with conn.transaction():
                conn.execute("CREATE TEMP TABLE growth (thread_id text, new_id text, parent text) ON COMMIT DROP")
                with conn.cursor().copy("COPY growth FROM STDIN") as cp:
                    for r in rows:
                        cp.write_row(r)
                conn.execute(
                    "CREATE TEMP TABLE src ON COMMIT DROP AS SELECT g.thread_id, g.new_id, g.parent, "
                    "(SELECT max(checkpoint_id) FROM checkpoints m WHERE m.thread_id = g.thread_id "
                    " AND m.checkpoint_ns = '') AS src_id FROM growth g"
                )
                conn.execute(
                    "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, "
                    "checkpoint, metadata) SELECT s.thread_id, '', s.new_id, coalesce(s.parent, s.src_id), "
                    "c.checkpoint, c.metadata FROM src s JOIN checkpoints c ON c.thread_id = s.thread_id "
                    "AND c.checkpoint_ns = '' AND c.checkpoint_id = s.src_id"
                )
                cols = [
                    r[0]
                    for r in conn.execute(
                        "SELECT column_name FROM information_schema.columns WHERE table_name = "
                        "'checkpoint_writes' ORDER BY ordinal_position"
                    )
                ]
                select = ", ".join("s.new_id" if c == "checkpoint_id" else f"w.{c}" for c in cols)
                conn.execute(
                    f"INSERT INTO checkpoint_writes ({', '.join(cols)}) SELECT {select} FROM src s "
                    "JOIN checkpoint_writes w ON w.thread_id = s.thread_id AND w.checkpoint_ns = '' "
                    "AND w.checkpoint_id = s.src_id"
                )
            conn.execute("ANALYZE")
    return time.perf_counter() - started
