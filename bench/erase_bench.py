#!/usr/bin/env python3
"""Benchmark of `agentdb erase --user` against the same DELETEs typed by hand, per backend.

Data: the REAL saver (SqliteSaver / PostgresSaver) writes one seed thread of CHECKPOINTS
checkpoints tagged user_id; SQL copies it into THREADS threads, thread i tagged `u<i mod
USERS>`, so one user owns THREADS/USERS threads (default: 1,000,000 checkpoints, one user with
10,000). The database is copied; on one copy the hand-typed erase runs (find the user's threads
by metadata, delete their writes/blobs/checkpoints in one transaction), on the other `agentdb
erase --user u0 --include langgraph --yes`. Reported: both times (agentdb's includes its process
start), their ratio, agentdb's longest transaction, and a check that both leave the same rows.

Run with the Python of the test venv (it has langgraph and the savers), after
`cargo build --release`:
  ~/.cache/agentdb/test-venv-*/bin/python bench/erase_bench.py [--threads 10000]
      [--checkpoints 100] [--users 100] [--backend sqlite|postgres|both]
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prune_bench import PG_ADMIN, seed  # noqa: E402  (the same seed graph as prune's bench)

ROOT = Path(__file__).resolve().parent.parent
AGENTDB = os.environ.get("AGENTDB", str(ROOT / "target" / "release" / "agentdb"))


def log(msg):
    print(f"erase-bench: {msg}", file=sys.stderr, flush=True)


def agentdb_erase(url):
    started = time.perf_counter()
    out = subprocess.run(
        [AGENTDB, "-d", url, "--format", "json", "erase", "--user", "u0", "--include", "langgraph", "--yes"],
        check=True, capture_output=True, text=True,
    )
    took = time.perf_counter() - started
    return took, json.loads(out.stdout)


# ------------------------------------------------------------------ SQLite

SQLITE_COPY = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {threads})
INSERT INTO {table} ({cols}) SELECT {select} FROM {table}, n WHERE thread_id = 'seed'
"""

SQLITE_HAND = """
BEGIN IMMEDIATE;
CREATE TEMP TABLE doomed AS SELECT DISTINCT thread_id FROM checkpoints
  WHERE json_extract(CAST(metadata AS TEXT), '$.user_id') = 'u0';
DELETE FROM writes WHERE thread_id IN (SELECT thread_id FROM doomed);
DELETE FROM checkpoints WHERE thread_id IN (SELECT thread_id FROM doomed);
COMMIT;
"""


def sqlite_columns(conn, table):
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def build_sqlite(path, threads, checkpoints, users):
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(path, check_same_thread=False)
    s = SqliteSaver(conn)
    s.setup()
    seed(s, checkpoints)
    for table in ["checkpoints", "writes"]:
        cols = sqlite_columns(conn, table)
        select = []
        for c in cols:
            if c == "thread_id":
                select.append("'t' || i")
            elif c == "metadata":
                select.append(
                    f"CAST(json_set(CAST(metadata AS TEXT), '$.user_id', 'u' || (i % {users})) AS BLOB)"
                )
            else:
                select.append(c)
        conn.execute(SQLITE_COPY.format(threads=threads, table=table, cols=", ".join(cols), select=", ".join(select)))
        conn.execute(f"DELETE FROM {table} WHERE thread_id = 'seed'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def sqlite_rows(path):
    c = sqlite3.connect(path)
    out = [c.execute(f"SELECT count(*), count(DISTINCT thread_id) FROM {t}").fetchone() for t in ["checkpoints", "writes"]]
    c.close()
    return out


def bench_sqlite(args, work):
    base = work / "base.db"
    log(f"sqlite: building {args.threads} threads x {args.checkpoints} checkpoints")
    build_sqlite(str(base), args.threads, args.checkpoints, args.users)
    hand, tool = work / "hand.db", work / "tool.db"
    shutil.copy(base, hand)
    shutil.copy(base, tool)
    c = sqlite3.connect(str(hand), isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    started = time.perf_counter()
    c.executescript(SQLITE_HAND)
    hand_s = time.perf_counter() - started
    c.close()
    tool_s, report = agentdb_erase(str(tool))
    return hand_s, tool_s, report, sqlite_rows(str(hand)) == sqlite_rows(str(tool))


# ------------------------------------------------------------------ PostgreSQL

PG_HAND = """
BEGIN;
CREATE TEMP TABLE doomed ON COMMIT DROP AS SELECT DISTINCT thread_id FROM checkpoints
  WHERE metadata->>'user_id' = 'u0';
DELETE FROM checkpoint_writes WHERE thread_id IN (SELECT thread_id FROM doomed);
DELETE FROM checkpoint_blobs WHERE thread_id IN (SELECT thread_id FROM doomed);
DELETE FROM checkpoints WHERE thread_id IN (SELECT thread_id FROM doomed);
COMMIT;
"""


def pg_url(name):
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def build_postgres(name, threads, checkpoints, users):
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

    with psycopg.connect(PG_ADMIN, autocommit=True) as a:
        a.execute(f'DROP DATABASE IF EXISTS "{name}"')
        a.execute(f'CREATE DATABASE "{name}"')
    url = pg_url(name)
    with PostgresSaver.from_conn_string(url) as s:
        s.setup()
        seed(s, checkpoints)
    with psycopg.connect(url, autocommit=True) as c:
        for table in ["checkpoints", "checkpoint_blobs", "checkpoint_writes"]:
            cols = [r[0] for r in c.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
                (table,))]
            select = []
            for col in cols:
                if col == "thread_id":
                    select.append("'t' || i")
                elif col == "metadata":
                    select.append(f"jsonb_set(metadata, '{{user_id}}', to_jsonb('u' || (i % {users})))")
                else:
                    select.append(col)
            c.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(select)} "
                f"FROM {table}, generate_series(1, {threads}) AS i WHERE thread_id = 'seed'"
            )
            c.execute(f"DELETE FROM {table} WHERE thread_id = 'seed'")
        c.execute("VACUUM ANALYZE")
    return url


def pg_rows(url):
    import psycopg

    with psycopg.connect(url) as c:
        return [c.execute(f"SELECT count(*), count(DISTINCT thread_id) FROM {t}").fetchone()
                for t in ["checkpoints", "checkpoint_blobs", "checkpoint_writes"]]


def bench_postgres(args, work):
    import psycopg

    log(f"postgres: building {args.threads} threads x {args.checkpoints} checkpoints")
    base = build_postgres("erase_bench_base", args.threads, args.checkpoints, args.users)
    with psycopg.connect(PG_ADMIN, autocommit=True) as a:
        for copy in ["erase_bench_hand", "erase_bench_tool"]:
            a.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            a.execute(f'CREATE DATABASE "{copy}" TEMPLATE erase_bench_base')
    del base
    hand, tool = pg_url("erase_bench_hand"), pg_url("erase_bench_tool")
    with psycopg.connect(hand, autocommit=True) as c:
        started = time.perf_counter()
        c.execute(PG_HAND)
        hand_s = time.perf_counter() - started
    tool_s, report = agentdb_erase(tool)
    same = pg_rows(hand) == pg_rows(tool)
    with psycopg.connect(PG_ADMIN, autocommit=True) as a:
        for db in ["erase_bench_hand", "erase_bench_tool", "erase_bench_base"]:
            a.execute(f'DROP DATABASE IF EXISTS "{db}"')
    return hand_s, tool_s, report, same


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=10000)
    p.add_argument("--checkpoints", type=int, default=100)
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--backend", default="both", choices=["sqlite", "postgres", "both"])
    args = p.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    print("| backend | checkpoints | user's checkpoints | by hand (s) | agentdb (s) | ratio | longest transaction (ms) | same rows |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        for b in backends:
            hand_s, tool_s, report, same = (bench_sqlite if b == "sqlite" else bench_postgres)(args, Path(d))
            deleted = report["deleted"].get("langgraph", {}).get("checkpoints", 0)
            print(f"| {b} | {args.threads * args.checkpoints} | {deleted} | {hand_s:.2f} | {tool_s:.2f} | "
                  f"{tool_s / hand_s:.2f}x | {report['longest_transaction_ms']} | {same} |", flush=True)


if __name__ == "__main__":
    main()
