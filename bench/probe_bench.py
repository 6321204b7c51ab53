#!/usr/bin/env python3
"""Issue 18, same run, alternating (bench.py's `compare`): `health` on PostgreSQL against
`status` on the same database and the libpq floor (target: health <= 1.3x status), and `status`
on SQLite (a PIE again) against the `sqlite3` floor (target: <= 1.35x). `--baseline BIN` runs an
earlier build as one more program in the same rounds. Needs target/release/agentdb, sqlite3, the
local server and libpq's headers (for bench/pgfloor.c). Writes bench/probe_results.md.

    python3 bench/probe_bench.py --runs 100 --baseline /path/to/agentdb-before
"""

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
from bench import AGENTDB, CACHE, HISTORY, PGFLOOR, Cmd, compare, pg_url, recreate_pg, sh  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=50, help="measured rounds per comparison (default 50)")
    ap.add_argument("--baseline", metavar="BIN", help="an earlier agentdb build, run alternately as one more program")
    args = ap.parse_args()
    bench.BASELINE = args.baseline
    work = CACHE / "work"
    work.mkdir(parents=True, exist_ok=True)
    if not Path(PGFLOOR).exists() or Path(PGFLOOR).stat().st_mtime < (bench.ROOT / "bench" / "pgfloor.c").stat().st_mtime:
        include = subprocess.run(["pg_config", "--includedir"], capture_output=True, text=True).stdout.strip()
        sh(["gcc", "-O2", "-o", PGFLOOR, str(bench.ROOT / "bench" / "pgfloor.c"), f"-I{include}", "-lpq"])

    db = work / "probe.db"
    for p in work.glob("probe.db*"):
        p.unlink()
    sh([AGENTDB, "-q", "-d", str(db), "migrate"], stdout=subprocess.DEVNULL)
    rows = [compare(
        "status, SQLite",
        Cmd("agentdb", [AGENTDB, "-d", str(db), "status"]),
        Cmd("sqlite3 history", ["sqlite3", str(db), f"SELECT version, run_on FROM {HISTORY} ORDER BY version"]),
        runs=args.runs, target="≤ 1.35× floor", met=lambda r: r["ratio"] <= 1.35)]

    recreate_pg("agentdb_bench_probe")
    url = pg_url("agentdb_bench_probe")
    sh([AGENTDB, "-q", "-d", url, "migrate"], stdout=subprocess.DEVNULL)
    rows.append(compare(
        "health, PostgreSQL",
        Cmd("agentdb", [AGENTDB, "-d", url, "health"]),
        Cmd("libpq select 1", [PGFLOOR, url]),
        [Cmd("agentdb status", [AGENTDB, "-d", url, "status"])],
        runs=args.runs, target="≤ 1.3× status",
        met=lambda r: r["agentdb_ms"] <= 1.3 * r["peer"]["agentdb status"]))

    lines = ["| comparison | agentdb | floor | ratio to floor | others in the same rounds (agentdb / other) | target | met |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        others = "; ".join(f"{label} {ms:.2f} ms ({r['agentdb_ms'] / ms:.2f}×)" for label, ms in r["peers"])
        lines.append(f"| {r['name']} ({r['runs']} runs) | {r['agentdb_ms']:.2f} ms | {r['floor']} {r['floor_ms']:.2f} ms "
                     f"| {r['ratio']:.2f}× | {others or '-'} | {r['target']} | {'yes' if r['met'] else 'no'} |")
    text = "\n".join(lines) + "\n"
    (bench.ROOT / "bench" / "probe_results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
