#!/usr/bin/env python3
"""Benchmark of `agentdb prune --checkpoints-keep N` against its floor, per backend.

Data: the REAL saver (SqliteSaver / PostgresSaver) writes one seed thread of ~CHECKPOINTS
checkpoints (a plain-Python loop graph, no LLM); SQL copies it into THREADS threads. The same
database is copied once more, and there the same deletes run as set-based SQL in one
transaction: the floor (what a DBA would run with the app stopped; not safe while it runs).
agentdb runs on the other copy, in its batches. Reported: both times, their ratio, agentdb's
longest transaction, and a check that both leave the same rows.

Run with the Python of the test venv (it has langgraph and the savers), after
`cargo build --release`:
  ~/.cache/agentdb/test-venv-*/bin/python bench/prune_bench.py [--threads 10000]
      [--checkpoints 100] [--keep 5] [--backend sqlite|postgres|both]
"""

import argparse
import json
import operator
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, TypedDict

ROOT = Path(__file__).resolve().parent.parent
AGENTDB = os.environ.get("AGENTDB", str(ROOT / "target" / "release" / "agentdb"))
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def log(msg):
    print(f"prune-bench: {msg}", file=sys.stderr, flush=True)


class State(TypedDict):
    log: Annotated[list, operator.add]
    counter: int


def seed_graph(checkpointer, steps):
    from langgraph.graph import END, START, StateGraph

    def step(s: State):
        return {"log": [f"step {s['counter']}"], "counter": s["counter"] + 1}

    g = StateGraph(State)
    g.add_node("step", step)
    g.add_edge(START, "step")
    g.add_conditional_edges("step", lambda s: "step" if s["counter"] < steps else END)
    return g.compile(checkpointer=checkpointer)


def seed(checkpointer, checkpoints):
    # input checkpoint + one per superstep
    graph = seed_graph(checkpointer, checkpoints - 2)
    graph.invoke(
        {"log": [], "counter": 0},
        {"configurable": {"thread_id": "seed"}, "recursion_limit": checkpoints + 10},
    )


# ------------------------------------------------------------------ SQLite

SQLITE_COPY = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {threads})
INSERT INTO {table} ({cols}) SELECT {select} FROM {table}, n WHERE thread_id = 'seed'
"""

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


def sqlite_build(path, threads, checkpoints):
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    saver.setup()
    seed(saver, checkpoints)
    for table in ("checkpoints", "writes"):
        cols = sqlite_columns(conn, table)
        select = ", ".join("'bench-' || i" if c == "thread_id" else c for c in cols)
        conn.execute(
            SQLITE_COPY.format(threads=threads, table=table, cols=", ".join(cols), select=select)
        )
        conn.commit()
    conn.execute("DELETE FROM checkpoints WHERE thread_id = 'seed'")
    conn.execute("DELETE FROM writes WHERE thread_id = 'seed'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def sqlite_counts(path):
    conn = sqlite3.connect(path)
    out = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("checkpoints", "writes")}
    conn.close()
    return out


def sqlite_floor(path, keep):
    conn = sqlite3.connect(path, isolation_level=None)
    started = time.perf_counter()
    conn.executescript(SQLITE_FLOOR.format(keep=keep))
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


# ------------------------------------------------------------------ PostgreSQL

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


def pg_admin(sql):
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def pg_build(name, threads, checkpoints):
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    pg_admin(f'DROP DATABASE IF EXISTS "{name}"')
    pg_admin(f'CREATE DATABASE "{name}"')
    with PostgresSaver.from_conn_string(pg_url(name)) as saver:
        saver.setup()
        seed(saver, checkpoints)
    with psycopg.connect(pg_url(name), autocommit=True) as conn:
        for table in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"):
            cols = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                    "ORDER BY ordinal_position",
                    (table,),
                )
            ]
            select = ", ".join("'bench-' || g" if c == "thread_id" else c for c in cols)
            conn.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {select} FROM {table}, "
                f"generate_series(1, {threads}) AS g WHERE thread_id = 'seed'"
            )
            conn.execute(f"DELETE FROM {table} WHERE thread_id = 'seed'")
        conn.execute("VACUUM ANALYZE")


def pg_counts(name):
    import psycopg

    with psycopg.connect(pg_url(name)) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
        }


def pg_floor(name, keep):
    import psycopg

    with psycopg.connect(pg_url(name)) as conn:
        started = time.perf_counter()
        with conn.transaction():
            conn.execute(PG_FLOOR.format(keep=keep))
        return time.perf_counter() - started


# ------------------------------------------------------------------ both


def run_agentdb(url, keep, batch_size):
    started = time.perf_counter()
    out = subprocess.run(
        [AGENTDB, "-d", url, "--format", "json", "prune", "--yes", "--checkpoints-keep", str(keep)]
        + (["--batch-size", str(batch_size)] if batch_size else []),
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    return wall, json.loads(out.stdout)


def bench(backend, args):
    log(f"{backend}: building {args.threads} threads x {args.checkpoints} checkpoints")
    if backend == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="prune-bench-"))
        ours, floor = tmp / "ours.db", tmp / "floor.db"
        sqlite_build(str(ours), args.threads, args.checkpoints)
        shutil.copy(ours, floor)
        before = sqlite_counts(str(ours))
        url_ours, counts = str(ours), lambda: (sqlite_counts(str(ours)), sqlite_counts(str(floor)))
    else:
        pg_build("prune_bench_ours", args.threads, args.checkpoints)
        pg_admin('DROP DATABASE IF EXISTS "prune_bench_floor"')
        pg_admin('CREATE DATABASE "prune_bench_floor" TEMPLATE "prune_bench_ours"')
        before = pg_counts("prune_bench_ours")
        url_ours = pg_url("prune_bench_ours")
        counts = lambda: (pg_counts("prune_bench_ours"), pg_counts("prune_bench_floor"))  # noqa: E731
    log(f"{backend}: rows before {before}")
    log(f"{backend}: floor (set-based SQL, one transaction)")
    floor_s = sqlite_floor(str(floor), args.keep) if backend == "sqlite" else pg_floor("prune_bench_floor", args.keep)
    log(f"{backend}: agentdb prune")
    wall, report = run_agentdb(url_ours, args.keep, args.batch_size)
    after_ours, after_floor = counts()
    same = after_ours == after_floor
    result = {
        "backend": backend,
        "threads": args.threads,
        "checkpoints_per_thread": before["checkpoints"] // args.threads,
        "rows_before": before,
        "rows_after": after_ours,
        "same_rows_as_floor": same,
        "floor_s": round(floor_s, 2),
        "agentdb_s": round(wall, 2),
        "ratio": round(wall / floor_s, 2),
        "longest_transaction_ms": report["longest_transaction_ms"],
        "transactions": report["transactions"],
        "retries": report["retries"],
    }
    if not same:
        log(f"{backend}: MISMATCH ours {after_ours} floor {after_floor}")
    if backend == "sqlite":
        shutil.rmtree(tmp)
    else:
        pg_admin('DROP DATABASE IF EXISTS "prune_bench_floor"')
        pg_admin('DROP DATABASE IF EXISTS "prune_bench_ours"')
    return result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=10_000)
    p.add_argument("--checkpoints", type=int, default=100)
    p.add_argument("--keep", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=0, help="agentdb's --batch-size (default: its own)")
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = p.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = [bench(b, args) for b in backends]
    print("| backend | rows (checkpoints) | floor: set-based SQL | agentdb prune | ratio | longest transaction | same rows left |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['backend']} | {r['rows_before']['checkpoints']:,} | {r['floor_s']} s | {r['agentdb_s']} s "
            f"| {r['ratio']}x | {r['longest_transaction_ms']} ms ({r['transactions']} transactions) "
            f"| {'yes' if r['same_rows_as_floor'] else 'NO'} |"
        )
    print(json.dumps(results, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
