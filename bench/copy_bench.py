#!/usr/bin/env python3
"""Benchmark of `agentdb copy` SQLite -> PostgreSQL against its floor: `psql \\copy` of the same
rows from CSV files, in one transaction (`psql -1`), into the same migrated schema.

  cargo build --release && python3 bench/copy_bench.py [--sizes 100000,1000000] [--rounds 3]

For each size: a SQLite database made with the copy tests' generator (tests/sql/), its tables
exported to CSV once (not timed); then rounds alternate agentdb and the floor, each into a fresh
PostgreSQL database migrated beforehand (not timed). Reports median wall time, the ratio to the
floor, and agentdb's peak RSS (GNU time) per size, which shows whether memory stays flat.
Results go to stdout and bench/copy_results.md.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENTDB = str(ROOT / "target" / "release" / "agentdb")
WORK = ROOT / "bench" / ".cache" / "copy"
FIXTURE = ROOT / "tests" / "sql" / "copy_fixture_sqlite.sql"
PG = "postgres://postgres@127.0.0.1:5432"
SSL = "sslmode=disable"
# Table -> columns, in foreign-key order (agentdb's schema).
TABLES = {
    "tenants": "id, name, status, api_key_hash, api_key_prefix, metadata, created_at, updated_at",
    "tenant_configs": "tenant_id, key, value, source_file, content_hash, created_at, updated_at",
    "agents": "tenant_id, id, name, description, agent_type, persona, config, tools, sub_agents, planner, version, is_active, usage_count, created_at, last_used_at, metadata",
    "threads": "tenant_id, id, agent_id, title, agent_type, model, provider, session_id, status, created_at, updated_at, last_message_at, metadata",
    "messages": "tenant_id, id, thread_id, role, content, message_type, tool_name, tool_arguments, tool_call_id, artifact_data, is_complete, created_at, metadata",
    "runs": "tenant_id, id, thread_id, status, total_tasks, completed_tasks, failed_tasks, state_snapshot, error, created_at, started_at, finished_at",
}


def log(msg):
    print(f"copy_bench: {msg}", file=sys.stderr, flush=True)


def sh(argv, **kw):
    return subprocess.run(argv, check=True, **kw)


def url(db):
    return f"{PG}/{db}?{SSL}"


def psql(sql, db="postgres"):
    sh(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", url(db), "-c", sql], stdout=subprocess.DEVNULL)


def fresh_target(db):
    """An empty PostgreSQL database with agentdb's schema (so both sides load the same tables)."""
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}"')
    sh([AGENTDB, "-q", "-d", url(db), "migrate"], stdout=subprocess.DEVNULL)


def source(size):
    """The SQLite source and its CSV export, made once per size."""
    db = WORK / f"source-{size}.db"
    csv_dir = WORK / f"csv-{size}"
    if not db.exists():
        log(f"generating {size:,} messages in {db}")
        tmp = db.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        sh([AGENTDB, "-q", "-d", str(tmp), "migrate"], stdout=subprocess.DEVNULL)
        sql = FIXTURE.read_text().replace(":MESSAGES", str(size))
        sh(["sqlite3", str(tmp)], input=sql.encode())
        tmp.rename(db)
    if not csv_dir.exists():
        tmp_dir = csv_dir.with_suffix(".tmp")
        tmp_dir.mkdir(parents=True, exist_ok=True)
        for table, columns in TABLES.items():
            with open(tmp_dir / f"{table}.csv", "wb") as out:
                sh(["sqlite3", "-csv", str(db), f"SELECT {columns} FROM {table}"], stdout=out)
        tmp_dir.rename(csv_dir)
    load = csv_dir / "load.sql"
    load.write_text(
        "".join(f"\\copy {t} ({c}) FROM '{csv_dir / (t + '.csv')}' CSV\n" for t, c in TABLES.items())
    )
    return db, load


def timed(argv):
    """Wall seconds and peak RSS (MiB) of one process, measured by GNU time."""
    rss_file = WORK / "rss.txt"
    started = time.perf_counter()
    p = subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    elapsed = time.perf_counter() - started
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{p.stderr.decode(errors='replace')}")
    return elapsed, int(rss_file.read_text().split()[-1]) / 1024


def bench(size, rounds):
    db, load = source(size)
    target = f"copy_bench_{size}"
    agentdb = [AGENTDB, "-q", "copy", "--from", str(db), "--to", url(target)]
    floor = ["psql", "-q", "-X", "-1", "-v", "ON_ERROR_STOP=1", url(target), "-f", str(load)]
    times = {"agentdb": [], "floor": []}
    rss = []
    for r in range(rounds + 1):  # the first round warms the caches and is not counted
        for name, argv in (("agentdb", agentdb), ("floor", floor)):
            fresh_target(target)
            t, peak = timed(argv)
            if name == "agentdb":
                rss.append(peak)
            if r > 0:
                times[name].append(t)
            log(f"{size:,} messages, round {r}: {name} {t:.2f} s")
    psql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    a, f = statistics.median(times["agentdb"]), statistics.median(times["floor"])
    return {"size": size, "agentdb": a, "floor": f, "ratio": a / f, "rss": max(rss)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = [bench(int(s), args.rounds) for s in args.sizes.split(",")]
    lines = [
        "| messages (SQLite -> PostgreSQL) | agentdb copy | floor: psql -1 \\copy from CSV | ratio | agentdb peak RSS | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = "yes" if r["ratio"] <= 1.5 else "**no**"
        lines.append(
            f"| {r['size']:,} | {r['agentdb']:.2f} s | {r['floor']:.2f} s | {r['ratio']:.2f}x | {r['rss']:.1f} MB | <= 1.5x floor | {met} |"
        )
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "copy_results.md").write_text(
        f"Measured {time.strftime('%Y-%m-%d')}, medians of {args.rounds} alternating rounds after a warm-up.\n\n{text}\n"
    )


if __name__ == "__main__":
    main()
