#!/usr/bin/env python3
"""agentdb benchmarks: each comparison runs its commands alternately (A B A B ...) after a
warm-up, and reports medians, ratios to the floor and peak RSS. Called by bench/run.sh, which
installs the tools first."""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
AGENTDB = str(ROOT / "target" / "release" / "agentdb")
DBMATE = str(CACHE / "npm" / "node_modules" / ".bin" / "dbmate")
ALEMBIC = str(CACHE / "venv" / "bin" / "alembic")
PGFLOOR = str(CACHE / "pgfloor")
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SSL = "sslmode=disable"  # the same for agentdb and every floor and peer

MESSAGES = 10_000_000
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
    """Wall time (s) of one process and, with `measure_rss`, its peak RSS (KiB) as GNU time
    reports it (a child forked from this Python process would count Python's pages too)."""
    fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
    rss_file = CACHE / "work" / "rss.txt"
    if measure_rss:
        argv = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *argv]
    started = time.perf_counter()
    p = subprocess.run(argv, cwd=cwd, env=env, stdin=fin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - started
    if stdin:
        fin.close()
    if p.returncode != 0:
        raise SystemExit(f"benchmark command failed ({p.returncode}): {' '.join(argv)}\n{p.stderr.decode(errors='replace')}")
    return elapsed, int(rss_file.read_text().split()[-1]) if measure_rss else 0


class Cmd:
    def __init__(self, label, argv, setup=None, cwd=None, stdin=None, env=None):
        self.label, self.argv, self.setup, self.cwd, self.stdin, self.env = label, argv, setup, cwd, stdin, env
        self.times, self.rss = [], []

    def run(self, record=True):
        """A measured run records the time; the warm-up run records the peak RSS."""
        if self.setup:
            self.setup()
        t, rss = run_once(self.argv, cwd=self.cwd, env=self.env, stdin=self.stdin, measure_rss=not record)
        if record:
            self.times.append(t)
        else:
            self.rss.append(rss)

    def median_ms(self):
        return statistics.median(self.times) * 1000

    def peak_mb(self):
        return max(self.rss) / 1024


RESULTS = []


def compare(name, agentdb, floor, peers=(), runs=10, target="-", met=None):
    """Runs agentdb, the floor and the peers alternately: one warm-up round, then `runs` rounds.
    `met(row)` says whether the target holds; `row` has agentdb_ms, ratio, peer (label -> ms), rss_mb."""
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
        "rss_mb": agentdb.peak_mb(),
        "target": target,
        "runs": runs,
    }
    row["peer"] = dict(row["peers"])
    row["met"] = met(row) if met else None
    RESULTS.append(row)
    log(f"  agentdb {row['agentdb_ms']:.2f} ms, {floor.label} {row['floor_ms']:.2f} ms, ratio {row['ratio']:.2f}, "
        + ", ".join(f"{l} {m:.2f} ms" for l, m in row["peers"]) + f", peak RSS {row['rss_mb']:.1f} MB")
    return row


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


def big_sqlite():
    path = CACHE / "big.db"
    if path.exists() and (CACHE / "big.db.complete").exists():
        return path
    log(f"generating the SQLite database: {TENANTS} tenants, {THREADS} threads, {MESSAGES:,} messages (once)")
    for p in CACHE.glob("big.db*"):
        p.unlink()
    sh([AGENTDB, "-q", "-d", str(path), "migrate"], stdout=subprocess.DEVNULL)
    per_thread = MESSAGES // THREADS
    sql = f"""
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {TENANTS - 1})
INSERT INTO tenants (id, name) SELECT 't' || i, 'Tenant ' || i FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {THREADS - 1})
INSERT INTO threads (tenant_id, id, status, last_message_at)
SELECT 't' || (i % {TENANTS}), 'th' || i, CASE WHEN i % 7 = 0 THEN 'archived' ELSE 'active' END,
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {MESSAGES - 1})
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
    (CACHE / "big.db.complete").write_text("")
    return path


BIG_PG = "agentdb_bench_big"


def big_postgres():
    if psql_value("SELECT count(*) FROM messages", BIG_PG) == str(MESSAGES):
        return pg_url(BIG_PG)
    log(f"generating the PostgreSQL database: {MESSAGES:,} messages (once)")
    recreate_pg(BIG_PG)
    sh([AGENTDB, "-q", "-d", pg_url(BIG_PG), "migrate"], stdout=subprocess.DEVNULL)
    per_thread = MESSAGES // THREADS
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
FROM generate_series(0, {MESSAGES - 1}) i;
INSERT INTO runs (tenant_id, id, thread_id, status)
SELECT 't' || ((i / 3) % {TENANTS}), 'r' || i, 'th' || (i / 3),
       (ARRAY['pending','running','succeeded','failed','cancelled'])[i % 5 + 1]
FROM generate_series(0, {THREADS * 3 - 1}) i;
""", BIG_PG)
    psql("VACUUM ANALYZE", BIG_PG)
    return pg_url(BIG_PG)


def echoed_sql(argv):
    """The statements agentdb runs (SQL_ECHO): the floor runs exactly these."""
    env = dict(os.environ, SQL_ECHO="true")
    out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    stmts = []
    for line in out.stderr.splitlines():
        if not line.startswith("SQL: "):
            continue
        sql = line[5:]
        if sql.endswith(" -- bind values not shown"):
            raise SystemExit(f"cannot replay a statement whose bind values SQL_ECHO hides: {sql}")
        stmts.append(sql.rstrip(";") + ";")
    return "\n".join(stmts) + "\n"


# ------------------------------------------------------------------ the comparisons

def bench_status(runs):
    work = CACHE / "work"
    work.mkdir(exist_ok=True)
    db = work / "status.db"
    if not db.exists():
        sh([AGENTDB, "-q", "-d", str(db), "migrate"], stdout=subprocess.DEVNULL)
    dbm = work / "status-dbmate.db"
    if dbm.exists():
        dbm.unlink()
    mig = dbmate_dir("sqlite")
    sh([DBMATE, "--no-dump-schema", "--migrations-dir", str(mig), "--url", f"sqlite:{dbm}", "up"], stdout=subprocess.DEVNULL)
    compare(
        "status, SQLite",
        Cmd("agentdb", [AGENTDB, "-d", str(db), "status"]),
        Cmd("sqlite3", ["sqlite3", str(db), "select count(*) from __diesel_schema_migrations"]),
        [Cmd("dbmate", [DBMATE, "--migrations-dir", str(mig), "--url", f"sqlite:{dbm}", "status"])],
        runs=runs, target="≤ 1.5× floor, ≤ 0.5× dbmate, RSS ≤ 10 MB",
        met=lambda r: r["ratio"] <= 1.5 and r["agentdb_ms"] <= 0.5 * r["peer"]["dbmate"] and r["rss_mb"] <= 10)

    recreate_pg("agentdb_bench_status")
    url = pg_url("agentdb_bench_status")
    sh([AGENTDB, "-q", "-d", url, "migrate"], stdout=subprocess.DEVNULL)
    recreate_pg("agentdb_bench_status_dbmate")
    pmig = dbmate_dir("postgres")
    durl = pg_url("agentdb_bench_status_dbmate")
    sh([DBMATE, "--no-dump-schema", "--migrations-dir", str(pmig), "--url", durl, "up"], stdout=subprocess.DEVNULL)
    compare(
        "status, PostgreSQL",
        Cmd("agentdb", [AGENTDB, "-d", url, "status"]),
        Cmd("libpq select 1", [PGFLOOR, url]),
        [Cmd("psql select 1", ["psql", "-X", url, "-c", "select 1"]),
         Cmd("dbmate", [DBMATE, "--migrations-dir", str(pmig), "--url", durl, "status"])],
        runs=runs, target="≤ 1.3× floor, ≤ 0.5× dbmate, RSS ≤ 10 MB",
        met=lambda r: r["ratio"] <= 1.3 and r["agentdb_ms"] <= 0.5 * r["peer"]["dbmate"] and r["rss_mb"] <= 10)

    rss10 = lambda r: r["rss_mb"] <= 10
    compare("health, SQLite", Cmd("agentdb", [AGENTDB, "-d", str(db), "health"]),
            Cmd("sqlite3", ["sqlite3", str(db), "pragma quick_check"]), runs=runs, target="RSS ≤ 10 MB", met=rss10)
    compare("health, PostgreSQL", Cmd("agentdb", [AGENTDB, "-d", url, "health"]),
            Cmd("libpq select 1", [PGFLOOR, url]), runs=runs, target="RSS ≤ 10 MB", met=rss10)


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
         Cmd("alembic", [ALEMBIC, "-c", str(alembic / "alembic.ini"), "upgrade", "head"], setup=reset_sqlite, env=env)],
        runs=runs, target="≤ dbmate", met=lambda r: r["agentdb_ms"] <= r["peer"]["dbmate"])

    db = "agentdb_bench_fresh"
    url = pg_url(db)
    pfloor = CACHE / "schema-postgres.sql"
    pfloor.write_text(schema_sql("postgres"))
    pmig = dbmate_dir("postgres")
    palembic = alembic_dir("postgres")
    aurl = url.replace("postgres://", "postgresql+psycopg2://", 1)
    penv = dict(os.environ, BENCH_ALEMBIC_URL=aurl)
    compare(
        "fresh migrate, PostgreSQL",
        Cmd("agentdb", [AGENTDB, "-d", url, "migrate"], setup=lambda: recreate_pg(db)),
        Cmd("libpq one transaction", [PGFLOOR, url, str(pfloor)], setup=lambda: recreate_pg(db)),
        [Cmd("dbmate", [DBMATE, "--no-dump-schema", "--migrations-dir", str(pmig), "--url", url, "up"], setup=lambda: recreate_pg(db)),
         Cmd("alembic", [ALEMBIC, "-c", str(palembic / "alembic.ini"), "upgrade", "head"], setup=lambda: recreate_pg(db), env=penv)],
        runs=runs, target="≤ dbmate", met=lambda r: r["agentdb_ms"] <= r["peer"]["dbmate"])


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
        many = config_files(100_000)
        for backend, target, clear in (("SQLite", str(db), clear_sqlite), ("PostgreSQL", url, clear_pg)):
            clear()
            log(f"import-configs 100,000 files, {backend}: one run for peak RSS")
            t, rss = run_once([AGENTDB, "-d", target, "import-configs", "-r", str(many)], measure_rss=True)
            RESULTS.append({"name": f"import-configs 100,000 files, {backend}", "agentdb_ms": t * 1000,
                            "floor": "-", "floor_ms": None, "ratio": None, "peers": [], "rss_mb": rss / 1024,
                            "target": "RSS ≤ 64 MB", "runs": 1, "met": rss / 1024 <= 64})
            log(f"  {t:.2f} s, peak RSS {rss / 1024:.1f} MB")
            clear()


def bench_stats(runs):
    for backend, target, floor_cmd in (
        ("SQLite", str(big_sqlite()), lambda f: ["sqlite3", str(CACHE / "big.db")]),
        ("PostgreSQL", big_postgres(), lambda f: [PGFLOOR, pg_url(BIG_PG), str(f)]),
    ):
        # Cached databases may predate the latest migration; stats needs an up-to-date schema.
        sh([AGENTDB, "-q", "-d", target, "migrate"], stdout=subprocess.DEVNULL)
        for flag in ([], ["--by-tenant"]):
            argv = [AGENTDB, "-d", target, "stats", *flag]
            sql = CACHE / f"stats-floor-{backend}{'-by-tenant' if flag else ''}.sql"
            sql.write_text(echoed_sql(argv))
            floor = Cmd("same SQL, " + ("sqlite3" if backend == "SQLite" else "libpq"), floor_cmd(sql),
                        stdin=sql if backend == "SQLite" else None)
            compare(f"stats{' --by-tenant' if flag else ''}, {MESSAGES // 1_000_000}M messages, {backend}",
                    Cmd("agentdb", argv), floor, runs=runs, target="≤ 1.2× floor", met=lambda r: r["ratio"] <= 1.2)


# ------------------------------------------------------------------ report

def met_text(met):
    return "-" if met is None else ("yes" if met else "**no**")


def report(path):
    machine = f"{os.cpu_count()} cores, {subprocess.run(['uname', '-sr'], capture_output=True, text=True).stdout.strip()}"
    size = os.path.getsize(AGENTDB) / 1e6
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on this project's machine ({machine}); release binary "
        f"{size:.1f} MB. Medians of alternating runs after a warm-up; PostgreSQL 127.0.0.1 with `{SSL}` for every client.",
        "",
        "| comparison | agentdb | floor | ratio | peers | agentdb peak RSS | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in RESULTS:
        floor = f"{r['floor']} {r['floor_ms']:.1f} ms" if r["floor_ms"] is not None else "-"
        ratio = f"{r['ratio']:.2f}×" if r["ratio"] is not None else "-"
        peers = "; ".join(f"{l} {m:.1f} ms ({r['agentdb_ms'] / m:.2f}×)" for l, m in r["peers"]) or "-"
        lines.append(f"| {r['name']} ({r['runs']} runs) | {r['agentdb_ms']:.1f} ms | {floor} | {ratio} | {peers} | "
                     f"{r['rss_mb']:.1f} MB | {r['target']} | {met_text(r['met'])} |")
    text = "\n".join(lines) + "\n"
    path.write_text(text)
    readme = ROOT / "README.md"
    body = readme.read_text()
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    if start in body and end in body:
        head, rest = body.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(head + start + "\n" + text + end + tail)
    print(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10, help="measured rounds per comparison (default 10)")
    ap.add_argument("--quick", action="store_true", help="skip the 10M-message and 100,000-file data sets")
    ap.add_argument("--only", choices=["status", "migrate", "import", "stats"], help="run one group")
    args = ap.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "work").mkdir(exist_ok=True)
    groups = {
        "status": lambda: bench_status(args.runs),
        "migrate": lambda: bench_migrate(args.runs),
        "import": lambda: bench_import(args.runs, not args.quick),
        "stats": lambda: None if args.quick else bench_stats(args.runs),
    }
    for name, fn in groups.items():
        if args.only in (None, name):
            fn()
    report(ROOT / "bench" / "results.md")


if __name__ == "__main__":
    main()
