#!/usr/bin/env python3
"""Where `health`'s time goes on PostgreSQL, server side (issue 18): the CPU a fresh backend spends
(parse analysis + planning + execution, user + system, from `log_parser_stats`,
`log_planner_stats` and `log_executor_stats`, received as LOG messages) on the statements of
`status`, on `SELECT 1`, and on the drift query, read from src/schema/drift.rs with agentdb's
tables bound. Every probe is a new connection, hence a new backend with empty catalog caches: the
first run is what a probe pays, the second run in the same session what the same query costs once
the caches are warm (as behind PgBouncer, whose server connections outlive the client's).
Alternating rounds, medians. Needs psql, a superuser URL (BENCH_POSTGRES_URL) and
target/release/agentdb (to migrate the database). Prints a Markdown table.

    python3 bench/probe_cpu.py --runs 21
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
from bench import AGENTDB, HISTORY, pg_url, recreate_pg, sh  # noqa: E402

# Set at connection start, so the session runs nothing but the statements measured.
STATS_ON = ("-c client_min_messages=log -c log_parser_stats=on -c log_planner_stats=on "
            "-c log_executor_stats=on")
STAGES = ("PARSE ANALYSIS STATISTICS", "PLANNER STATISTICS", "EXECUTOR STATISTICS")


def drift_sql():
    """The drift query as agentdb sends it, with its two parameters written in."""
    text = (bench.ROOT / "src" / "schema" / "drift.rs").read_text()
    sql = text.split('const POSTGRES_SHAPE_SQL: &str = r#"', 1)[1].split('"#;', 1)[0]
    tables = "ARRAY['tenants','tenant_configs','agents','threads','messages','runs']"
    return sql.replace("$1::text", "NULL::text").replace("$2::text[]", f"{tables}::text[]").strip() + ";\n"


def server_cpu_ms(url, sql):
    """Server CPU (ms) per statement of `sql`, run first thing in a new session."""
    env = dict(os.environ, PGOPTIONS=STATS_ON)
    out = subprocess.run(["psql", "-X", "-q", "-o", "/dev/null", url], input=sql, env=env,
                         capture_output=True, text=True, check=True).stderr
    per_statement, current = [], 0.0
    for block in out.split("LOG:  ")[1:]:
        m = re.search(r"([0-9.]+) s user, ([0-9.]+) s system", block)
        if not m:
            continue
        if block.startswith("PARSER STATISTICS"):  # raw parsing: the start of a statement
            per_statement.append(current)
            current = 0.0
        elif block.startswith(STAGES):
            current += (float(m.group(1)) + float(m.group(2))) * 1000
    per_statement.append(current)
    return per_statement[1:]  # the head before the first statement is empty


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=21, help="rounds (default 21)")
    ap.add_argument("--extra", action="append", default=[], metavar="FILE",
                    help="another query shape (a .sql file of statements) measured the same way, "
                         "e.g. bench/probe_flat_shape.sql")
    args = ap.parse_args()
    recreate_pg("agentdb_bench_probe_cpu")
    url = pg_url("agentdb_bench_probe_cpu")
    sh([AGENTDB, "-q", "-d", url, "migrate"], stdout=subprocess.DEVNULL)
    status = (f"SELECT to_regclass('{HISTORY}') IS NOT NULL AS present;\n"
              f"SELECT version, to_char(run_on, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS run_on FROM {HISTORY} ORDER BY version;\n")
    drift = drift_sql()
    cases = {
        "SELECT 1": ("SELECT 1;\n", 1),
        "status's two statements": (status, 2),
        "drift query, first run (a probe)": (drift + drift, 1),
    }
    for path in args.extra:
        sql = Path(path).read_text()
        code = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
        statements = sum(1 for part in code.split(";") if part.strip())
        cases[f"{Path(path).name}, first run"] = (sql, statements)
    samples = {name: [] for name in cases}
    warm = []
    for _ in range(args.runs):
        for name, (sql, n) in cases.items():
            ms = server_cpu_ms(url, sql)
            samples[name].append(sum(ms[:n]))
            if name.startswith("drift"):
                warm.append(ms[1])
    samples["drift query, second run (warm caches)"] = warm
    floor = statistics.median(samples["status's two statements"])
    print(f"| server CPU per statement set ({args.runs} fresh sessions, alternating) | median | q1–q3 | / status |")
    print("|---|---|---|---|")
    for name, v in samples.items():
        q = statistics.quantiles(v, n=4)
        print(f"| {name} | {statistics.median(v):.2f} ms | {q[0]:.2f}–{q[2]:.2f} ms | {statistics.median(v) / floor:.1f}× |")


if __name__ == "__main__":
    main()
