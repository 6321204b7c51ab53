#!/usr/bin/env python3
"""Benchmark of `agentdb copy --layout agentkit` SQLite -> PostgreSQL against the plain `copy` of
the same rows (issue 21: within 1.6x).

  cargo build --release && python3 bench/legacy_bench.py [--sizes 1000000] [--rounds 3]

For each size: an agentkit SQLite database (its 001_initial_schema.sql, naive SQLAlchemy times,
JSON artifact and metadata text on every row) generated once, and from it, once and untimed, an
agentdb SQLite database holding the same rows as agentdb's (`copy --layout agentkit` to a new
file). Then rounds alternate the two copies into a fresh PostgreSQL database migrated
beforehand (not timed): the legacy import (read, map, verify the mapped rows) and the plain
copy of the mapped rows. Reports median wall times, their ratio and peak RSS (GNU time).
Results go to stdout and bench/legacy_results.md.
"""

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENTDB = str(ROOT / "target" / "release" / "agentdb")
WORK = ROOT / "bench" / ".cache" / "legacy"
PG = "postgres://postgres@127.0.0.1:5432"
SSL = "sslmode=disable"
TENANT = "bench"
MESSAGES_PER_THREAD = 100

AGENTKIT_DDL = """
CREATE TABLE threads (
    id VARCHAR(36) PRIMARY KEY,
    title VARCHAR(255),
    agent_type VARCHAR(50) NOT NULL,
    model VARCHAR(100) NOT NULL,
    provider VARCHAR(50) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE messages (
    id VARCHAR(36) PRIMARY KEY,
    thread_id VARCHAR(36) NOT NULL,
    role VARCHAR(20) NOT NULL,
    content TEXT,
    artifact_data TEXT,
    message_metadata TEXT,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    FOREIGN KEY (thread_id) REFERENCES threads(id) ON DELETE CASCADE
);
CREATE INDEX idx_messages_thread_id ON messages(thread_id);
CREATE INDEX idx_messages_created_at ON messages(created_at);
CREATE INDEX idx_threads_created_at ON threads(created_at);
CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
INSERT INTO schema_migrations (version) VALUES (1);
"""

# Rows like agentkit's: UUID-shaped ids, SQLAlchemy's `YYYY-MM-DD HH:MM:SS.ffffff`, a chat
# content of a few hundred bytes, JSON metadata on every message and an artifact on every tenth.
GENERATE = """
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :THREADS)
INSERT INTO threads (id, title, agent_type, model, provider, created_at, updated_at)
SELECT printf('%08x-0000-4000-8000-%012x', i, i), 'Thread ' || i || ' — salaire ✓',
       CASE i % 3 WHEN 0 THEN 'chat' WHEN 1 THEN 'canvas' ELSE 'salary_viewer' END,
       'gpt-5-mini', 'azure-openai',
       strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || i || ' minutes') || '123',
       strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || (i + 5) || ' minutes') || '456'
FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < :MESSAGES)
INSERT INTO messages (id, thread_id, role, content, artifact_data, message_metadata, created_at)
SELECT printf('%08x-1111-4000-8000-%012x', i / :PER, i),
       printf('%08x-0000-4000-8000-%012x', i / :PER, i / :PER),
       CASE i % 2 WHEN 0 THEN 'user' ELSE 'assistant' END,
       'Message ' || i || ': ' || substr(replace(hex(zeroblob(120)), '00', 'lorem ipsum '), 1, 300),
       CASE WHEN i % 10 = 0 THEN '{"type": "table", "rows": [{"n": 12345678901234567890123, "v": 1.50}]}' END,
       '{"tokens": {"in": ' || (i % 500) || ', "out": ' || (i % 900) || '}, "model": "gpt-5-mini"}',
       strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || i || ' seconds') || '789'
FROM n;
COMMIT;
"""


def log(msg):
    print(f"legacy_bench: {msg}", file=sys.stderr, flush=True)


def sh(argv, **kw):
    return subprocess.run(argv, check=True, **kw)


def url(db):
    return f"{PG}/{db}?{SSL}"


def psql(sql, db="postgres"):
    sh(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", url(db), "-c", sql], stdout=subprocess.DEVNULL)


def fresh_target(db):
    """An empty PostgreSQL database with agentdb's schema (so neither side migrates it)."""
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}"')
    sh([AGENTDB, "-q", "-d", url(db), "migrate"], stdout=subprocess.DEVNULL)


def sources(size):
    """The agentkit database and the agentdb database of the same rows, made once per size."""
    legacy = WORK / f"agentkit-{size}.db"
    plain = WORK / f"agentdb-{size}.db"
    if not legacy.exists():
        log(f"generating {size:,} agentkit messages in {legacy}")
        tmp = legacy.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        sql = (
            GENERATE.replace(":THREADS", str(max(1, size // MESSAGES_PER_THREAD)))
            .replace(":MESSAGES", str(size))
            .replace(":PER", str(MESSAGES_PER_THREAD))
        )
        sh(["sqlite3", str(tmp)], input=(AGENTKIT_DDL + sql).encode())
        tmp.rename(legacy)
    if not plain.exists():
        log(f"mapping them once into {plain}")
        sh([AGENTDB, "-q", "copy", "--from", str(legacy), "--to", str(plain),
            "--layout", "agentkit", "--tenant", TENANT], stdout=subprocess.DEVNULL)
    return legacy, plain


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
    legacy, plain = sources(size)
    target = f"legacy_bench_{size}"
    runs = {
        "legacy": [AGENTDB, "-q", "copy", "--from", str(legacy), "--to", url(target),
                   "--layout", "agentkit", "--tenant", TENANT],
        "plain": [AGENTDB, "-q", "copy", "--from", str(plain), "--to", url(target)],
    }
    times = {name: [] for name in runs}
    rss = {name: [] for name in runs}
    for r in range(rounds + 1):  # the first round warms the caches and is not counted
        for name, argv in runs.items():
            fresh_target(target)
            t, peak = timed(argv)
            rss[name].append(peak)
            if r > 0:
                times[name].append(t)
            log(f"{size:,} messages, round {r}: {name} {t:.2f} s, {peak:.0f} MB")
    psql(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
    l, p = statistics.median(times["legacy"]), statistics.median(times["plain"])
    return {"size": size, "legacy": l, "plain": p, "ratio": l / p,
            "rss_legacy": max(rss["legacy"]), "rss_plain": max(rss["plain"])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows = [bench(int(s), args.rounds) for s in args.sizes.split(",")]
    lines = [
        "| agentkit messages (SQLite -> PostgreSQL) | copy --layout agentkit | plain copy of the mapped rows | ratio | peak RSS (layout / plain) | target | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = "yes" if r["ratio"] <= 1.6 else "**no**"
        lines.append(
            f"| {r['size']:,} | {r['legacy']:.2f} s | {r['plain']:.2f} s | {r['ratio']:.2f}x | "
            f"{r['rss_legacy']:.0f} / {r['rss_plain']:.0f} MB | <= 1.6x | {met} |"
        )
    text = "\n".join(lines)
    print(text)
    (ROOT / "bench" / "legacy_results.md").write_text(
        f"Measured {time.strftime('%Y-%m-%d')}, medians of {args.rounds} alternating rounds after a warm-up.\n\n{text}\n"
    )


if __name__ == "__main__":
    main()
