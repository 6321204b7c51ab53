#!/usr/bin/env python3
"""What config encryption costs: `import-configs` of 10,000 OAuth-token files with
AGENTDB_CONFIG_KEYS set against the same import without keys (target: <= 1.5x), on SQLite and
PostgreSQL. Runs alternate (plain, encrypted, plain, ...) after one warm-up round each, into an
emptied table every time; medians of wall time (the target) and of agentdb's CPU time are
reported.

Usage: cargo build --release --locked && python3 bench/fernet_bench.py [--runs N]
Needs the release binary, a PostgreSQL server (BENCH_POSTGRES_URL, else
postgres://postgres@127.0.0.1:5432/postgres) and psql. Data: bench/.cache/fernet (not committed).
"""

import argparse
import base64
import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache" / "fernet"
AGENTDB = str(ROOT / "target" / "release" / "agentdb")
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "agentdb_bench_fernet"
FILES = 10_000
TARGET = 1.5


def log(msg):
    print(f"fernet-bench: {msg}", file=sys.stderr, flush=True)


def pg_url(db):
    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{db}?sslmode=disable"


def psql(sql, db="postgres"):
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", pg_url(db), "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def token_file(i):
    """An OAuth token as google-auth writes gmail_token.json (about 1 KB)."""
    doc = {
        "token": f"ya29.a0AfH6SMB-{i:08d}-" + hashlib.sha256(str(i).encode()).hexdigest(),
        "refresh_token": f"1//0g{i:08d}-" + hashlib.sha256(str(-i).encode()).hexdigest()[:40],
        "token_uri": "https://oauth2.googleapis.com/token",
        "client_id": f"{100000000000 + i}-abc123def456.apps.googleusercontent.com",
        "client_secret": "GOCSPX-" + hashlib.md5(str(i).encode()).hexdigest(),
        "scopes": ["https://www.googleapis.com/auth/gmail.readonly",
                   "https://www.googleapis.com/auth/gmail.send"],
        "expiry": "2026-11-25T17:00:00.000000Z",
    }
    return json.dumps(doc, indent=2) + "\n"


def config_files():
    out = CACHE / f"configs-{FILES}"
    if not (out / ".complete").exists():
        log(f"generating {FILES} token files")
        for i in range(FILES):
            sub = out / f"team{i % 100:02d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"user{i:06d}_gmail_token.json").write_text(token_file(i))
        (out / ".complete").write_text("")
    return out


def timed(argv, env):
    """Wall time and CPU time (user + system, from the child's rusage: steadier than wall
    time on a shared machine) of one run, in seconds."""
    started = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{stderr.decode(errors='replace')}")
    return elapsed, usage.ru_utime + usage.ru_stime


def bench(backend, target, clear, files, runs):
    base_env = {"PATH": os.environ.get("PATH", "")}
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    variants = {"plain": base_env, "encrypted": {**base_env, "AGENTDB_CONFIG_KEYS": key}}
    argv = [AGENTDB, "-q", "-d", target, "import-configs", "-r", str(files)]
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    for round_no in range(runs + 1):
        for name, env in variants.items():
            clear()
            w, c = timed(argv, env)
            if round_no > 0:  # round 0 warms the caches up
                wall[name].append(w)
                cpu[name].append(c)
    med = lambda xs: statistics.median(xs) * 1000
    row = (backend, med(wall["plain"]), med(wall["encrypted"]), med(cpu["plain"]), med(cpu["encrypted"]))
    log(f"{backend}: wall {row[1]:.1f} / {row[2]:.1f} ms, CPU {row[3]:.1f} / {row[4]:.1f} ms (plain / encrypted)")
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    if not Path(AGENTDB).exists():
        raise SystemExit(f"{AGENTDB} is missing: cargo build --release --locked")
    files = config_files()
    work = CACHE / "work"
    work.mkdir(parents=True, exist_ok=True)

    db = work / "fernet.db"
    for p in work.glob("fernet.db*"):
        p.unlink()
    for cmd in ("migrate", "init-tenant"):
        subprocess.run([AGENTDB, "-q", "-d", str(db), cmd], check=True, stdout=subprocess.DEVNULL)

    def clear_sqlite():
        with sqlite3.connect(db) as c:
            c.execute("DELETE FROM tenant_configs")
        c.close()
        sqlite3.connect(db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()

    psql(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{PG_DB}"')
    url = pg_url(PG_DB)
    for cmd in ("migrate", "init-tenant"):
        subprocess.run([AGENTDB, "-q", "-d", url, cmd], check=True, stdout=subprocess.DEVNULL)

    rows = [
        bench("SQLite", str(db), clear_sqlite, files, args.runs),
        bench("PostgreSQL", url, lambda: psql("DELETE FROM tenant_configs", PG_DB), files, args.runs),
    ]
    psql(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')

    print(f"| import-configs of {FILES:,} files ({args.runs} runs) | without keys | with AGENTDB_CONFIG_KEYS | ratio | CPU time without / with | CPU ratio | target | met |")
    print("|---|---|---|---|---|---|---|---|")
    for backend, plain, encrypted, cpu_plain, cpu_encrypted in rows:
        ratio, cpu_ratio = encrypted / plain, cpu_encrypted / cpu_plain
        met = "yes" if ratio <= TARGET else "**no**"
        print(f"| {backend} | {plain:.1f} ms | {encrypted:.1f} ms | {ratio:.2f}× | {cpu_plain:.1f} / {cpu_encrypted:.1f} ms "
              f"| {cpu_ratio:.2f}× | ≤ {TARGET}× | {met} |")


if __name__ == "__main__":
    main()
