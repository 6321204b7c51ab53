#!/usr/bin/env python3
"""agentdb benchmarks: each comparison runs its commands alternately (A B A B ...) after a
warm-up, and reports medians, ratios to the floor and peak RSS. Called by bench/run.sh, which
installs the tools first. Floors are plain clients with their defaults (sqlite3, a minimal libpq
program): never with agentdb's own PRAGMAs."""

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
AGENTDB = str(ROOT / "target" / "release" / "agentdb")
# dbmate's own Go binary, not node_modules/.bin/dbmate (the npm wrapper starts Node first).
DBMATE = str(CACHE / "npm" / "node_modules" / "@dbmate" / "linux-x64" / "bin" / "dbmate")
DIESEL = str(CACHE / "cargo" / "bin" / "diesel")
SQLX = str(CACHE / "cargo" / "bin" / "sqlx")
ALEMBIC = str(CACHE / "venv" / "bin" / "alembic")
PGFLOOR = str(CACHE / "pgfloor")
DIESEL_TOML = CACHE / "diesel-empty.toml"  # so diesel_cli reads no project's diesel.toml
BASELINE = None  # --baseline BIN: an earlier agentdb build, run as one more peer
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SSL = "sslmode=disable"  # the same for agentdb and every floor and peer

BIG = (1_000_000, 10_000_000)  # messages in the `stats` databases (--quick: the first only)
THREADS = 10_000
TENANTS = 10


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def pg_url(db, extra=""):
    base = PG_ADMIN.rsplit("/", 1)[0]
    q = SSL + (("&" + extra) if extra else "")
    return f"{base}/{db}?{q}"


def psql(sql, db="postgres"):
    sh(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", pg_url(db), "-c", sql], stdout=subprocess.DEVNULL)


def psql_value(sql, db="postgres"):
    out = subprocess.run(["psql", "-X", "-At", pg_url(db), "-c", sql], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else None


def recreate_pg(db):
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{db}"')


# ------------------------------------------------------------------ measurement

def run_once(argv, cwd=None, env=None, stdin=None, measure_rss=False):
    """Wall time (s) of one process and, with `measure_rss`, its peak RSS (KiB) and CPU time
    (user + system, s) as GNU time
    reports it (a child forked from this Python process would count Python's pages too)."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    rss_file = CACHE / "work" / "rss.txt"
    if measure_rss:
        argv = ["/usr/bin/time", "-f", "%M %U %S", "-o", str(rss_file), *argv]
    started = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, env=env, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if stdin:
        fin.close()
    if p.returncode != 0:
        raise SystemExit(f"benchmark command failed ({p.returncode}): {' '.join(argv)}\n{p.stderr.decode(errors='replace')}")
    if not measure_rss:
        return elapsed, 0, 0.0
    peak, user, system = rss_file.read_text().split()[-3:]
    return elapsed, int(peak), float(user) + float(system)


class Cmd:
    def __init__(self, label, argv, setup=None, cwd=None, stdin=None, env=None):
        self.label, self.argv, self.setup, self.cwd, self.stdin, self.env = label, argv, setup, cwd, stdin, env
        self.times, self.rss, self.cpu = [], [], []

    def run(self, record=True, rss=None):
        """A measured run records the time; the warm-up run records the peak RSS (`rss=True`: both)."""
        if self.setup:
            self.setup()
        measure_rss = (not record) if rss is None else rss
        t, peak, cpu = run_once(self.argv, cwd=self.cwd, env=self.env, stdin=self.stdin, measure_rss=measure_rss)
        if record:
            self.times.append(t)
        if measure_rss:
            self.rss.append(peak)
            self.cpu.append(cpu)

    def median_ms(self):
        return statistics.median(self.times) * 1000

    def peak_mb(self):
        return max(self.rss) / 1024


RESULTS = []


def compare(name, agentdb, floor, peers=(), runs=10, target="-", met=None):
    """Runs agentdb, the floor and the peers alternately: one warm-up round (which measures the
    peak RSS under GNU time), then `runs` rounds. `met(row)` says whether the target holds; `row`
    has agentdb_ms, ratio, peer (label -> ms), rss_mb."""
    peers = [*peers, *baseline_peer(agentdb)]
    cmds = [agentdb, floor, *peers]
    log(f"{name}: {runs} rounds of {', '.join(c.label for c in cmds)}")
    for c in cmds:
        c.run(record=False)
    for _ in range(runs):
        for c in cmds:
            c.run()
    row = {
        "name": name,
        "agentdb_ms": agentdb.median_ms(),
        "floor": floor.label,
        "floor_ms": floor.median_ms(),
        "ratio": agentdb.median_ms() / floor.median_ms(),
        "peers": [(p.label, p.median_ms()) for p in peers],
        "peer_rss": [p.peak_mb() for p in peers],
        "rss_mb": agentdb.peak_mb(),
        "floor_rss_mb": floor.peak_mb(),
        "target": target,
        "runs": runs,
    }
    row["peer"] = dict(row["peers"])
    row["met"] = met(row) if met else None
    RESULTS.append(row)
    log(f"  agentdb {row['agentdb_ms']:.2f} ms, {floor.label} {row['floor_ms']:.2f} ms, ratio {row['ratio']:.2f}, "
        + ", ".join(f"{l} {m:.2f} ms" for l, m in row["peers"])
        + f", peak RSS {row['rss_mb']:.1f} MB (floor {row['floor_rss_mb']:.1f} MB)")
    return row


def baseline_peer(agentdb):
    """With --baseline, the same agentdb command run by the earlier build."""
    if not BASELINE or agentdb.argv[0] != AGENTDB:
        return []
    return [Cmd("agentdb before", [BASELINE, *agentdb.argv[1:]], setup=agentdb.setup, cwd=agentdb.cwd,
                stdin=agentdb.stdin, env=agentdb.env)]


# ------------------------------------------------------------------ data

def migration_dirs():
    sqlite = sorted((ROOT / "migrations" / "sqlite").iterdir())
    pg = sorted((ROOT / "migrations" / "postgres").iterdir())
    return {"sqlite": sqlite, "postgres": pg}


def schema_sql(backend):
    parts = [(d / "up.sql").read_text() for d in migration_dirs()[backend]]
    return "BEGIN;\n" + "\n".join(parts) + "\nCOMMIT;\n"


def dbmate_dir(backend):
    out = CACHE / f"dbmate-{backend}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for d in migration_dirs()[backend]:
        version, name = d.name.replace("-", "").split("_", 1)
        (out / f"{version}_{name}.sql").write_text(
            "-- migrate:up\n" + (d / "up.sql").read_text() + "\n-- migrate:down\n" + (d / "down.sql").read_text())
    return out


def sqlx_dir(backend):
    """agentdb's migrations as sqlx-cli's reversible ones: VERSION_NAME.up.sql / .down.sql."""
    out = CACHE / f"sqlx-{backend}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for d in migration_dirs()[backend]:
        version, name = d.name.replace("-", "").split("_", 1)
        for step in ("up", "down"):
            (out / f"{version}_{name}.{step}.sql").write_text((d / f"{step}.sql").read_text())
    return out


def diesel(*args, url, backend):
    """diesel_cli on agentdb's own migration folders (they are diesel migrations), reading no
    diesel.toml, so it prints no schema file."""
    DIESEL_TOML.write_text("")
    return [DIESEL, *args, "--config-file", str(DIESEL_TOML),
            "--migration-dir", str(ROOT / "migrations" / backend), "--database-url", url]


def sqlx(*args, url, backend):
    return [SQLX, "migrate", *args, "--source", str(sqlx_dir(backend)), "--database-url", url]


def alembic_dir(backend):
    out = CACHE / f"alembic-{backend}"
    shutil.rmtree(out, ignore_errors=True)
    (out / "versions").mkdir(parents=True)
    (out / "alembic.ini").write_text(f"[alembic]\nscript_location = {out}\n")
    (out / "env.py").write_text(
        "import os\nfrom alembic import context\nfrom sqlalchemy import create_engine\n"
        "engine = create_engine(os.environ['BENCH_ALEMBIC_URL'])\n"
        "with engine.connect() as conn:\n"
        "    context.configure(connection=conn, target_metadata=None)\n"
        "    with context.begin_transaction():\n"
        "        context.run_migrations()\n")
    (out / "script.py.mako").write_text("")
    prev = None
    for i, d in enumerate(migration_dirs()[backend]):
        rev = f"r{i + 1}"
        up = [s.strip() for s in (d / "up.sql").read_text().split(";") if strip_comments(s)]
        down = [s.strip() for s in (d / "down.sql").read_text().split(";") if strip_comments(s)]
        (out / "versions" / f"{rev}.py").write_text(
            f"from alembic import op\nrevision = {rev!r}\ndown_revision = {prev!r}\n"
            f"UP = {up!r}\nDOWN = {down!r}\n"
            "def upgrade():\n    for s in UP:\n        op.execute(s)\n"
            "def downgrade():\n    for s in DOWN:\n        op.execute(s)\n")
        prev = rev
    return out


def strip_comments(sql):
    return "\n".join(l for l in sql.splitlines() if not l.strip().startswith("--")).strip()


def token(i):
    doc = {
        "token": f"ya29.a0AfH6SMB-{i:08d}-" + hashlib.sha256(str(i).encode()).hexdigest(),
        "refresh_token": f"1//0g{i:08d}-" + hashlib.sha256(str(-i).encode()).hexdigest()[:40],
        "token_uri": "https://oauth2.googleapis.com/token",
        "client_id": f"{100000000000 + i}-abc123def456.apps.googleusercontent.com",
        "client_secret": "GOCSPX-" + hashlib.md5(str(i).encode()).hexdigest(),
        "scopes": ["https://www.googleapis.com/auth/gmail.readonly",
                   "https://www.googleapis.com/auth/gmail.send",
                   "https://www.googleapis.com/auth/calendar.events"],
        "universe_domain": "googleapis.com",
        "account": "",
        "expiry": "2026-11-25T17:00:00.000000Z",
    }
    return json.dumps(doc, indent=2) + "\n"


def config_files(n):
    out = CACHE / f"configs-{n}"
    marker = out / ".complete"
    if not marker.exists():
        log(f"generating {n} OAuth-token JSON files")
        shutil.rmtree(out, ignore_errors=True)
        for i in range(n):
            sub = out / f"team{i % 100:02d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"user{i:06d}_gmail_token.json").write_text(token(i))
        marker.write_text("")
    return out


def import_floor_sql(files_dir, backend):
    """The rows agentdb writes for the import, as one transaction of plain INSERTs."""
    out = CACHE / f"import-floor-{files_dir.name}-{backend}.sql"
    if out.exists():
        return out
    lines = ["BEGIN;"]
    for path in sorted(files_dir.rglob("*.json")):
        raw = path.read_bytes()
        rel = path.relative_to(files_dir).as_posix()
        key = rel[: -len(".json")]
        val = raw.decode().replace("'", "''")
        cast = "::jsonb" if backend == "postgres" else ""
        lines.append(
            "INSERT INTO tenant_configs (tenant_id, key, value, source_file, content_hash) VALUES "
            f"('default', '{key}', '{val}'{cast}, '{rel}', '{hashlib.sha256(raw).hexdigest()}');")
    lines.append("COMMIT;")
    out.write_text("\n".join(lines) + "\n")
    return out


def millions(messages):
    return f"{messages // 1_000_000}M"


def big_sqlite(messages):
    name = f"big-{millions(messages)}.db"
    path = CACHE / name
    if path.exists() and (CACHE / f"{name}.complete").exists():
        return path
    log(f"generating the SQLite database: {TENANTS} tenants, {THREADS} threads, {messages:,} messages (once)")
    for p in CACHE.glob(f"{name}*"):
        p.unlink()
    sh([AGENTDB, "-q", "-d", str(path), "migrate"], stdout=subprocess.DEVNULL)
    per_thread = messages // THREADS
    sql = f"""
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {TENANTS - 1})
INSERT INTO tenants (id, name) SELECT 't' || i, 'Tenant ' || i FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {THREADS - 1})
INSERT INTO threads (tenant_id, id, status, last_message_at)
SELECT 't' || (i % {TENANTS}), 'th' || i, CASE WHEN i % 7 = 0 THEN 'archived' ELSE 'active' END,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {messages - 1})
INSERT INTO messages (tenant_id, id, thread_id, role, content, created_at)
SELECT 't' || ((i / {per_thread}) % {TENANTS}), 'm' || i, 'th' || (i / {per_thread}),
       CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END,
       'message number ' || i || ' of a realistic but short conversation',
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (i % 100000) || ' seconds') FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {THREADS * 3 - 1})
INSERT INTO runs (tenant_id, id, thread_id, status)
SELECT 't' || ((i / 3) % {TENANTS}), 'r' || i, 'th' || (i / 3),
       CASE i % 5 WHEN 0 THEN 'pending' WHEN 1 THEN 'running' WHEN 2 THEN 'succeeded' WHEN 3 THEN 'failed' ELSE 'cancelled' END FROM n;
COMMIT;
ANALYZE;
PRAGMA wal_checkpoint(TRUNCATE);
"""
    sh(["sqlite3", str(path)], input=sql.encode(), stdout=subprocess.DEVNULL)
    (CACHE / f"{name}.complete").write_text("")
    return path


def big_pg_name(messages):
    # The 10M database keeps its earlier name, so a cached one is reused.
    return "agentdb_bench_big" + ("" if messages == 10_000_000 else f"_{millions(messages).lower()}")


def big_postgres(messages):
    db = big_pg_name(messages)
    if psql_value("SELECT count(*) FROM messages", db) == str(messages):
        return pg_url(db)
    log(f"generating the PostgreSQL database: {messages:,} messages (once)")
    recreate_pg(db)
    sh([AGENTDB, "-q", "-d", pg_url(db), "migrate"], stdout=subprocess.DEVNULL)
    per_thread = messages // THREADS
    psql(f"""
SET synchronous_commit = off; SET maintenance_work_mem = '512MB';
INSERT INTO tenants (id, name) SELECT 't' || i, 'Tenant ' || i FROM generate_series(0, {TENANTS - 1}) i;
INSERT INTO threads (tenant_id, id, status, last_message_at)
SELECT 't' || (i % {TENANTS}), 'th' || i, CASE WHEN i % 7 = 0 THEN 'archived' ELSE 'active' END, now()
FROM generate_series(0, {THREADS - 1}) i;
INSERT INTO messages (tenant_id, id, thread_id, role, content, created_at)
SELECT 't' || ((i / {per_thread}) % {TENANTS}), 'm' || i, 'th' || (i / {per_thread}),
       CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END,
       'message number ' || i || ' of a realistic but short conversation',
       now() - (i % 100000) * interval '1 second'
FROM generate_series(0, {messages - 1}) i;
INSERT INTO runs (tenant_id, id, thread_id, status)
SELECT 't' || ((i / 3) % {TENANTS}), 'r' || i, 'th' || (i / 3),
       (ARRAY['pending','running','succeeded','failed','cancelled'])[i % 5 + 1]
FROM generate_series(0, {THREADS * 3 - 1}) i;
""", db)
    psql("VACUUM ANALYZE", db)
    return pg_url(db)


def echoed_sql(argv):
    """The statements agentdb runs (SQL_ECHO), PRAGMAs left out: the floor runs these queries
    with its client's defaults, so a cost agentdb's connection set-up adds shows in the ratio."""
    env = dict(os.environ, SQL_ECHO="true")
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    stmts = []
    for line in out.stderr.splitlines():
        if not line.startswith("SQL: "):
            continue
        sql = line[5:]
        if sql.upper().startswith("PRAGMA"):
            continue
        if sql.endswith(" -- bind values not shown"):
            raise SystemExit(f"cannot replay a statement whose bind values SQL_ECHO hides: {sql}")
        stmts.append(sql.rstrip(";") + ";")
    return "\n".join(stmts) + "\n"


# ------------------------------------------------------------------ the comparisons

def status_peers_sqlite(work):
    """dbmate, diesel_cli and sqlx-cli, each on its own database migrated by itself."""
    peers = []
    for label, up, status in (
        ("dbmate", lambda u: [DBMATE, "--no-dump-schema", "--migrations-dir", str(dbmate_dir("sqlite")), "--url", u, "up"],
         lambda u: [DBMATE, "--migrations-dir", str(CACHE / "dbmate-sqlite"), "--url", u, "status"]),
        ("diesel_cli", lambda u: diesel("migration", "run", url=u, backend="sqlite"),
         lambda u: diesel("migration", "list", url=u, backend="sqlite")),
        ("sqlx-cli", lambda u: sqlx("run", url=u, backend="sqlite"),
         lambda u: sqlx("info", url=u, backend="sqlite")),
    ):
        path = work / f"status-{label}.db"
        for f in work.glob(f"status-{label}.db*"):
            f.unlink()
        url = sqlite_url(label, path)
        sh(up(url + create_param(label)), stdout=subprocess.DEVNULL, cwd=work)
        peers.append(Cmd(label, status(url), cwd=work))
    return peers


def sqlite_url(tool, path):
    return f"sqlite:{path}" if tool in ("dbmate", "sqlx-cli") else str(path)


def create_param(tool):
    """sqlx-cli opens a missing SQLite file only when the URL asks it to create it."""
    return "?mode=rwc" if tool == "sqlx-cli" else ""


def status_peers_pg(work):
    peers = []
    for label, up, status in (
        ("dbmate", lambda u: [DBMATE, "--no-dump-schema", "--migrations-dir", str(dbmate_dir("postgres")), "--url", u, "up"],
         lambda u: [DBMATE, "--migrations-dir", str(CACHE / "dbmate-postgres"), "--url", u, "status"]),
        ("diesel_cli", lambda u: diesel("migration", "run", url=u, backend="postgres"),
         lambda u: diesel("migration", "list", url=u, backend="postgres")),
        ("sqlx-cli", lambda u: sqlx("run", url=u, backend="postgres"),
         lambda u: sqlx("info", url=u, backend="postgres")),
    ):
        db = "agentdb_bench_status_" + label.replace("-", "_")
        recreate_pg(db)
        sh(up(pg_url(db)), stdout=subprocess.DEVNULL, cwd=work)
        peers.append(Cmd(label, status(pg_url(db)), cwd=work))
    return peers


def faster_than(peer, ratio=1.0):
    return lambda r: r["agentdb_ms"] <= ratio * r["peer"][peer]


def bench_status(runs):
    # Runs of a few milliseconds: more rounds, so that bursts of load on a shared machine
    # move the medians less.
    runs *= FAST_ROUNDS
    work = CACHE / "work"
    work.mkdir(exist_ok=True)
    db = work / "status.db"
    if not db.exists():
        sh([AGENTDB, "-q", "-d", str(db), "migrate"], stdout=subprocess.DEVNULL)
    compare(
        "status, SQLite",
        Cmd("agentdb", [AGENTDB, "-d", str(db), "status"]),
        Cmd("sqlite3 history", ["sqlite3", str(db), f"SELECT version, run_on FROM {HISTORY} ORDER BY version"]),
        status_peers_sqlite(work),
        runs=runs, target="≤ 1.2× floor, ≤ 0.5× dbmate, RSS ≤ 10 MB",
        met=lambda r: r["ratio"] <= 1.2 and faster_than("dbmate", 0.5)(r) and r["rss_mb"] <= 10)

    recreate_pg("agentdb_bench_status")
    url = pg_url("agentdb_bench_status")
    sh([AGENTDB, "-q", "-d", url, "migrate"], stdout=subprocess.DEVNULL)
    compare(
        "status, PostgreSQL",
        Cmd("agentdb", [AGENTDB, "-d", url, "status"]),
        Cmd("libpq select 1", [PGFLOOR, url]),
        [Cmd("psql select 1", ["psql", "-X", url, "-c", "select 1"]), *status_peers_pg(work)],
        runs=runs, target="≤ 1.3× floor, ≤ 0.5× dbmate, RSS ≤ 10 MB",
        met=lambda r: r["ratio"] <= 1.3 and faster_than("dbmate", 0.5)(r) and r["rss_mb"] <= 10)

    rss10 = lambda r: r["rss_mb"] <= 10
    compare("health, SQLite", Cmd("agentdb", [AGENTDB, "-d", str(db), "health"]),
            Cmd("sqlite3 quick_check", ["sqlite3", str(db), "pragma quick_check"]), runs=runs, target="RSS ≤ 10 MB", met=rss10)
    # health against status on the same database, same rounds (issue 18: ≤ 1.3× status).
    compare("health, PostgreSQL", Cmd("agentdb", [AGENTDB, "-d", url, "health"]),
            Cmd("libpq select 1", [PGFLOOR, url]), [Cmd("agentdb status", [AGENTDB, "-d", url, "status"])],
            runs=runs, target="≤ 1.3× status, RSS ≤ 10 MB",
            met=lambda r: r["agentdb_ms"] <= 1.3 * r["peer"]["agentdb status"] and rss10(r))


HISTORY = "__diesel_schema_migrations"
FAST_ROUNDS = 5  # status and health: rounds per --runs


def bench_migrate(runs):
    work = CACHE / "work"
    fresh = work / "fresh.db"

    def reset_sqlite():
        for p in work.glob("fresh.db*"):
            p.unlink()

    floor_sql = CACHE / "schema-sqlite.sql"
    floor_sql.write_text(schema_sql("sqlite"))
    mig = dbmate_dir("sqlite")
    alembic = alembic_dir("sqlite")
    env = dict(os.environ, BENCH_ALEMBIC_URL=f"sqlite:///{fresh}")
    compare(
        "fresh migrate, SQLite",
        Cmd("agentdb", [AGENTDB, "-d", str(fresh), "migrate"], setup=reset_sqlite),
        Cmd("sqlite3 one transaction", ["sqlite3", str(fresh)], setup=reset_sqlite, stdin=floor_sql),
        [Cmd("dbmate", [DBMATE, "--no-dump-schema", "--migrations-dir", str(mig), "--url", f"sqlite:{fresh}", "up"], setup=reset_sqlite),
         Cmd("diesel_cli", diesel("migration", "run", url=str(fresh), backend="sqlite"), setup=reset_sqlite, cwd=work),
         Cmd("sqlx-cli", sqlx("run", url=f"sqlite:{fresh}?mode=rwc", backend="sqlite"), setup=reset_sqlite, cwd=work),
         Cmd("alembic", [ALEMBIC, "-c", str(alembic / "alembic.ini"), "upgrade", "head"], setup=reset_sqlite, env=env)],
        runs=runs, target="≤ dbmate", met=faster_than("dbmate"))

    db = "agentdb_bench_fresh"
    url = pg_url(db)
    pfloor = CACHE / "schema-postgres.sql"
    pfloor.write_text(schema_sql("postgres"))
    pmig = dbmate_dir("postgres")
    palembic = alembic_dir("postgres")
    aurl = url.replace("postgres://", "postgresql+psycopg2://", 1)
    penv = dict(os.environ, BENCH_ALEMBIC_URL=aurl)
    fresh_pg = lambda: recreate_pg(db)
    compare(
        "fresh migrate, PostgreSQL",
        Cmd("agentdb", [AGENTDB, "-d", url, "migrate"], setup=fresh_pg),
        Cmd("libpq one transaction", [PGFLOOR, url, str(pfloor)], setup=fresh_pg),
        [Cmd("dbmate", [DBMATE, "--no-dump-schema", "--migrations-dir", str(pmig), "--url", url, "up"], setup=fresh_pg),
         Cmd("diesel_cli", diesel("migration", "run", url=url, backend="postgres"), setup=fresh_pg, cwd=work),
         Cmd("sqlx-cli", sqlx("run", url=url, backend="postgres"), setup=fresh_pg, cwd=work),
         Cmd("alembic", [ALEMBIC, "-c", str(palembic / "alembic.ini"), "upgrade", "head"], setup=fresh_pg, env=penv)],
        runs=runs, target="≤ dbmate", met=faster_than("dbmate"))


def bench_import(runs, big_files):
    files = config_files(10_000)
    work = CACHE / "work"
    db = work / "import.db"
    for p in work.glob("import.db*"):
        p.unlink()
    sh([AGENTDB, "-q", "-d", str(db), "migrate"], stdout=subprocess.DEVNULL)
    sh([AGENTDB, "-q", "-d", str(db), "init-tenant"], stdout=subprocess.DEVNULL)

    def clear_sqlite():
        sh(["sqlite3", str(db), "DELETE FROM tenant_configs; PRAGMA wal_checkpoint(TRUNCATE);"], stdout=subprocess.DEVNULL)

    compare(
        "import-configs 10,000 files, SQLite",
        Cmd("agentdb", [AGENTDB, "-d", str(db), "import-configs", "-r", str(files)], setup=clear_sqlite),
        Cmd("sqlite3 one transaction", ["sqlite3", str(db)], setup=clear_sqlite, stdin=import_floor_sql(files, "sqlite")),
        runs=runs, target="≤ 2× floor", met=lambda r: r["ratio"] <= 2.0)

    pdb = "agentdb_bench_import"
    recreate_pg(pdb)
    url = pg_url(pdb)
    sh([AGENTDB, "-q", "-d", url, "migrate"], stdout=subprocess.DEVNULL)
    sh([AGENTDB, "-q", "-d", url, "init-tenant"], stdout=subprocess.DEVNULL)

    def clear_pg():
        psql("DELETE FROM tenant_configs", pdb)

    compare(
        "import-configs 10,000 files, PostgreSQL",
        Cmd("agentdb", [AGENTDB, "-d", url, "import-configs", "-r", str(files)], setup=clear_pg),
        Cmd("libpq one transaction", [PGFLOOR, url, str(import_floor_sql(files, "postgres"))], setup=clear_pg),
        runs=runs, target="≤ 2× floor", met=lambda r: r["ratio"] <= 2.0)

    if big_files:
        bench_big_import(runs, db, url, clear_sqlite, clear_pg)


def bench_big_import(runs, db, url, clear_sqlite, clear_pg):
    """100,000 files: seconds per run, so a few rounds, each timed under GNU time for the peak
    RSS (its overhead is nothing next to seconds); with --baseline alternating with the earlier build."""
    many = config_files(100_000)
    rounds = max(1, min(runs, 3))
    for backend, target, clear in (("SQLite", str(db), clear_sqlite), ("PostgreSQL", url, clear_pg)):
        agentdb = Cmd("agentdb", [AGENTDB, "-d", target, "import-configs", "-r", str(many)], setup=clear)
        cmds = [agentdb, *baseline_peer(agentdb)]
        name = f"import-configs 100,000 files, {backend}"
        log(f"{name}: {rounds} rounds of {', '.join(c.label for c in cmds)}")
        for _ in range(rounds):
            for c in cmds:
                c.run(record=True, rss=True)
        clear()
        # Issue 10: on SQLite the smaller page cache must not cost time against the earlier build.
        against_before = backend == "SQLite" and len(cmds) > 1
        row = {"name": name, "agentdb_ms": agentdb.median_ms(), "floor": "-", "floor_ms": None, "ratio": None,
               "peers": [(c.label, c.median_ms()) for c in cmds[1:]], "peer_rss": [c.peak_mb() for c in cmds[1:]],
               "rss_mb": agentdb.peak_mb(),
               "floor_rss_mb": None, "target": "RSS ≤ 64 MB" + (", time ≤ agentdb before" if against_before else ""),
               "runs": rounds}
        row["met"] = row["rss_mb"] <= 64 and (not against_before or row["agentdb_ms"] <= row["peers"][0][1])
        RESULTS.append(row)
        row["cpu"] = "; ".join(f"{c.label} {statistics.median(c.cpu):.2f} s" for c in cmds)
        log(f"  agentdb {row['agentdb_ms'] / 1000:.2f} s, peak RSS {row['rss_mb']:.1f} MB; "
            + ", ".join(f"{c.label} {c.median_ms() / 1000:.2f} s, peak RSS {c.peak_mb():.1f} MB" for c in cmds[1:])
            + f"; CPU time (user + system, median): {row['cpu']}")


def bench_stats(runs, sizes):
    for messages in sizes:
        for backend, target, floor_cmd in (
            ("SQLite", str(big_sqlite(messages)), lambda f, t: ["sqlite3", t]),
            ("PostgreSQL", big_postgres(messages), lambda f, t: [PGFLOOR, t, str(f)]),
        ):
            # Cached databases may predate the latest migration; stats needs an up-to-date schema.
            sh([AGENTDB, "-q", "-d", target, "migrate"], stdout=subprocess.DEVNULL)
            for flag in ([], ["--by-tenant"]):
                argv = [AGENTDB, "-d", target, "stats", *flag]
                sql = CACHE / f"stats-floor-{millions(messages)}-{backend}{'-by-tenant' if flag else ''}.sql"
                sql.write_text(echoed_sql(argv))
                floor = Cmd("same queries, " + ("sqlite3" if backend == "SQLite" else "libpq"), floor_cmd(sql, target),
                            stdin=sql if backend == "SQLite" else None)
                rss = 16 if backend == "SQLite" else 10
                compare(f"stats{' --by-tenant' if flag else ''}, {millions(messages)} messages, {backend}",
                        Cmd("agentdb", argv), floor, runs=runs, target=f"≤ 1.2× floor, RSS ≤ {rss} MB",
                        met=lambda r, rss=rss: r["ratio"] <= 1.2 and r["rss_mb"] <= rss)


# ------------------------------------------------------------------ report

def met_text(met):
    return "-" if met is None else ("yes" if met else "**no**")


def version_of(argv):
    out = subprocess.run(argv, capture_output=True, text=True)
    found = re.search(r"\d+\.\d+(\.\d+)?", out.stdout + out.stderr)
    return found.group(0) if found else "?"


def peer_binaries():
    """Which program each peer row ran, with its version."""
    rows = [
        ("agentdb", AGENTDB, [AGENTDB, "--version"], "this repository, `cargo build --release --locked`"),
        ("dbmate", DBMATE, [DBMATE, "--version"], "npm package `dbmate`: its native Go binary, not the Node wrapper in node_modules/.bin"),
        ("diesel_cli", DIESEL, [DIESEL, "--version"], "`cargo install --locked diesel_cli`, features sqlite-bundled and postgres"),
        ("sqlx-cli", SQLX, [SQLX, "--version"], "`cargo install --locked sqlx-cli`, features rustls, sqlite and postgres"),
        ("alembic", ALEMBIC, [ALEMBIC, "--version"], "PyPI, with SQLAlchemy and psycopg2-binary, a CPython venv"),
        ("sqlite3", shutil.which("sqlite3"), ["sqlite3", "--version"], "the distribution's sqlite3 shell, its defaults"),
        ("psql", shutil.which("psql"), ["psql", "--version"], "the distribution's psql, with `-X`: no psqlrc"),
        ("libpq", PGFLOOR, ["pg_config", "--version"], "bench/pgfloor.c against the system libpq: connect, run the SQL, exit"),
    ]
    if BASELINE:
        rows.append(("agentdb before", BASELINE, [BASELINE, "--version"], "the earlier build given with --baseline"))
    root = str(ROOT) + "/"
    return [f"- {label} {version_of(argv)}: `{path.replace(root, '')}` ({how})" for label, path, argv, how in rows]


def report(path, update_readme=True):
    machine = f"{os.cpu_count()} cores, {subprocess.run(['uname', '-sr'], capture_output=True, text=True).stdout.strip()}"
    size = os.path.getsize(AGENTDB) / 1e6
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on this project's machine ({machine}); release binary "
        f"{size:.1f} MB. Medians of alternating runs after a warm-up; peak RSS (GNU time; MB = MiB) from the warm-up run; "
        f"PostgreSQL 127.0.0.1 with `{SSL}` for every client. Ratio = agentdb / floor; a peer's figure in "
        "brackets is agentdb / peer, followed by the peer's peak RSS.",
        "",
        "| comparison | agentdb | agentdb peak RSS | floor | floor peak RSS | ratio | peers | target | met |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        floor = f"{r['floor']} {r['floor_ms']:.1f} ms" if r["floor_ms"] is not None else "-"
        floor_rss = f"{r['floor_rss_mb']:.1f} MB" if r.get("floor_rss_mb") is not None else "-"
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "-"
        peers = "; ".join(f"{l} {m:.1f} ms ({r['agentdb_ms'] / m:.2f}×), {rss:.1f} MB"
                          for (l, m), rss in zip(r["peers"], r["peer_rss"])) or "-"
        lines.append(f"| {r['name']} ({r['runs']} runs) | {r['agentdb_ms']:.1f} ms | {r['rss_mb']:.1f} MB | {floor} | "
                     f"{floor_rss} | {ratio} | {peers} | {r['target']} | {met_text(r['met'])} |")
    cpu = [f"- {r['name']}: {r['cpu']}" for r in RESULTS if r.get("cpu")]
    if cpu:
        lines += ["", "CPU time (user + system, median), less sensitive to other load than wall time:", *cpu]
    lines += ["", "Programs:", *peer_binaries()]
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    readme = ROOT / "docs" / "performance.md"
    body = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if update_readme and start in body and end in body:
        head, rest = body.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(head + start + "\n" + text + end + tail)
    print(text)


def main():
    global BASELINE
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10, help="measured rounds per comparison (default 10)")
    ap.add_argument("--quick", action="store_true", help="skip the 10M-message and 100,000-file data sets")
    ap.add_argument("--only", choices=["status", "migrate", "import", "stats"], help="run one group")
    ap.add_argument("--baseline", metavar="BIN", help="an earlier agentdb binary, run alternately as one more peer")
    args = ap.parse_args()
    BASELINE = str(Path(args.baseline).resolve()) if args.baseline else None
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "work").mkdir(exist_ok=True)
    sizes = BIG[:1] if args.quick else BIG
    groups = {
        "status": lambda: bench_status(args.runs),
        "migrate": lambda: bench_migrate(args.runs),
        "import": lambda: bench_import(args.runs, not args.quick),
        "stats": lambda: bench_stats(args.runs, sizes),
    }
    for name, fn in groups.items():
        if args.only in (None, name):
            fn()
    # A partial run (--only) leaves the full table in results.md and docs/performance.md as it was.
    if args.only:
        report(CACHE / f"results-{args.only}.md", update_readme=False)
    else:
        report(ROOT / "bench" / "results.md")


if __name__ == "__main__":
    main()
