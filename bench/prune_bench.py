#!/usr/bin/env python3
"""Benchmark of `agentdb prune --checkpoints-keep N` at scale, per backend, in one run:

1. Full prune: the set-based floor (the same deletes as SQL in one transaction, what a DBA would
   run with the platform stopped) on one copy, `agentdb prune --checkpoints-keep KEEP --yes` on
   another; both times, their ratio, same rows left, agentdb's peak RSS, and its per-transaction
   report (`transaction_times`: p50/p99/max, the slowest transaction's steps, COMMIT's share).
2. Nightly steady state: on the pruned copy, 1 % of the original checkpoints are added as newer
   checkpoints (with writes) spread over the threads; the same prune runs again: its time and
   its ratio to the full prune's.
3. Writers beside prune: on a fresh copy, WRITERS processes save checkpoints through the real
   saver every few ms into random threads: alone for BASELINE seconds (phase A), then while
   `agentdb prune` runs (phase B, until it ends). Save latency p50/p99/max per phase, errors,
   p99(B)/p99(A), and a check that every checkpoint keep-N must leave is still there.

Data (see bench/prune_build.py): the real saver writes one seed thread, set-based SQL copies it
into THREADS threads; built once and cached as a template (bench/.cache/prune/*.db; PostgreSQL
database prunebench_tpl_<threads>x<checkpoints>), copied for every step. Machine load
(os.getloadavg) is recorded at start and end. Results: a table per backend and size appended to
bench/prune_results.md, a summary on stdout, progress and the raw JSON on stderr.

Run with the Python of the test venv (it has langgraph and the savers), after
`cargo build --release --locked`; peak RSS is read with GNU time (/usr/bin/time):

  PY=$(ls -d ~/.cache/agentdb/test-venv-*/bin/python | head -1)
  $PY bench/prune_bench.py --backend sqlite --threads 200            # a quick check (~1 min)
  $PY bench/prune_bench.py --backend both --threads 10000            # 1 M: every figure
  $PY bench/prune_bench.py --backend sqlite --compare-scale --consume-template --skip-writers
  $PY bench/prune_bench.py --backend postgres --compare-scale --consume-template --skip-writers
                                                       # 1 M then 10 M: time and RSS ratios

Options: --checkpoints 100 --keep 5 --writers 4 --writer-interval-ms 5 --baseline-seconds 20
--growth-percent 1 --batch-size N (agentdb's) --skip-floor --skip-writers --skip-nightly
--drop-template (free its disk after the run) --no-results (do not write bench/prune_results.md).

Disk: a copy takes ~2.1 GiB per million checkpoints on SQLite, ~2.4 GiB on PostgreSQL; a run
needs the template and one copy at a time. 10 M is 20.7 GiB (SQLite, built in 5 min) or 24 GB
(PostgreSQL, ~6 min) per copy, more than this machine can hold twice: --consume-template works
on the template itself (no floor; without --skip-writers the writers run beside the full prune;
the next run builds it again).
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import prune_build as b  # noqa: E402
from prune_writers import Writers, must_survive, phase_stats  # noqa: E402

ROOT = b.ROOT
AGENTDB = os.environ.get("AGENTDB", str(ROOT / "target" / "release" / "agentdb"))
RESULTS = ROOT / "bench" / "prune_results.md"
log = b.log


def build_info():
    """Which agentdb was measured: the commit checked out and the binary's build time."""
    try:
        git = ["git", "-C", str(ROOT)]
        rev = subprocess.run(git + ["rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        if subprocess.run(git + ["status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"],
                          capture_output=True, text=True).stdout.strip():
            rev += " with src/ changes"
    except OSError:
        rev = "?"
    built = datetime.datetime.fromtimestamp(os.path.getmtime(AGENTDB), datetime.timezone.utc)
    return f"{AGENTDB} built {built:%Y-%m-%d %H:%M UTC}, worktree at {rev}"


def load():
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


GNU_TIME = "/usr/bin/time"


def run_agentdb(url, keep, batch_size, workdir):
    """Runs the prune; returns (wall s, peak RSS KiB, JSON report).

    Peak RSS comes from GNU time, which forks agentdb from its own small process: `wait4` on a
    child forked from this Python process reports at least this process's RSS (Linux carries
    the pre-exec high-water mark into ru_maxrss), hundreds of MiB that are not agentdb's."""
    cmd = [AGENTDB, "-d", str(url), "--format", "json", "prune", "--yes", "--checkpoints-keep", str(keep)]
    if batch_size:
        cmd += ["--batch-size", str(batch_size)]
    out_path, err_path = Path(workdir) / "prune.out", Path(workdir) / "prune.err"
    rss_path = Path(workdir) / "prune.rss"
    rss_path.unlink(missing_ok=True)
    argv = [GNU_TIME, "-f", "%M", "-o", str(rss_path)] + cmd if os.path.exists(GNU_TIME) else cmd
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {err_path.read_text()[-2000:]}")
    # Without GNU time: wait4's figure, an upper bound (see above).
    rss = int(rss_path.read_text().split()[-1]) if rss_path.exists() else rusage.ru_maxrss
    return wall, rss, json.loads(out_path.read_text())


class Prune:
    """A prune started in the background (for the writers' phase B)."""

    def __init__(self, url, keep, batch_size, workdir):
        self.args = (url, keep, batch_size, workdir)
        self.result = None
        self.error = None

    def run(self):
        import threading

        def target():
            try:
                self.result = run_agentdb(*self.args)
            except Exception as e:  # reported, not swallowed
                self.error = e

        self.thread = threading.Thread(target=target)
        self.started = time.time()
        self.thread.start()
        return self

    def join(self):
        self.thread.join()
        if self.error:
            raise self.error
        return self.result


def fmt(v, unit="", digits=1):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:,.{digits}f}{unit}"
    if isinstance(v, int):
        return f"{v:,}{unit}"
    return f"{v}{unit}"


def times(report):
    """The figures of prune's `transaction_times` (n/a while prune does not report them)."""
    tt = report.get("transaction_times") or {}
    slowest = tt.get("slowest") or {}
    commit, total = tt.get("commit_ms_total"), tt.get("total_ms")
    return {
        "count": tt.get("count"),
        "p50_ms": tt.get("p50_ms"),
        "p99_ms": tt.get("p99_ms"),
        "max_ms": tt.get("max_ms", report.get("longest_transaction_ms")),
        "commit_share": (commit / total) if commit is not None and total else None,
        "slowest": slowest or None,
        "by_phase": tt.get("by_phase"),
        "by_step": tt.get("by_step"),
    }


def slowest_text(t):
    s = t["slowest"]
    if not s:
        return "n/a"
    steps = s.get("steps")
    if isinstance(steps, dict):
        steps = ", ".join(f"{k} {fmt(v)} ms" for k, v in steps.items())
    elif isinstance(steps, list):
        steps = ", ".join(
            f"{x.get('step', x.get('name', '?'))} {fmt(x.get('ms'))} ms" if isinstance(x, dict) else str(x)
            for x in steps
        )
    return f"{s.get('phase', '?')} {fmt(s.get('ms'))} ms, {fmt(s.get('keys'))} keys; steps: {steps or 'n/a'}"


def spreads_text(spreads, top=None):
    """`{name: {count, p50_ms, p99_ms, max_ms}}` as text, the slowest (by max) first."""
    if not spreads:
        return "n/a"
    items = sorted(spreads.items(), key=lambda kv: -(kv[1].get("max_ms") or 0))[:top]
    return "; ".join(
        f"{k}: {fmt(v.get('count'))}×, p50 {fmt(v.get('p50_ms'))} / p99 {fmt(v.get('p99_ms'))} / max {fmt(v.get('max_ms'))} ms"
        for k, v in items
    )


# ------------------------------------------------------------------ one backend, one size


class Backend:
    def __init__(self, name, workdir):
        self.name, self.workdir = name, Path(workdir)

    def template(self, threads, checkpoints):
        if self.name == "sqlite":
            path, secs = b.sqlite_template(threads, checkpoints)
            return path, secs, f"{path} ({b.human_bytes(b.sqlite_size(path))})", b.sqlite_size(path)
        name, secs = b.pg_template(threads, checkpoints)
        size = b.pg_size(name)
        return name, secs, f"PostgreSQL database {name} (pg_database_size {b.human_bytes(size)})", size

    def copy(self, template, label):
        if self.name == "sqlite":
            dest = self.workdir / f"{label}.db"
            b.sqlite_copy(template, dest)
        else:
            dest = f"{b.PG_PREFIX}{label}_{os.getpid()}"
            b.pg_copy(template, dest)
        # The copy's gigabytes are written back to disk before anything is timed: otherwise
        # the write-back runs into the next step (seen: writers alone, timed right after a
        # SQLite copy, had a higher p99 than the same writers beside the prune later).
        os.sync()
        return dest

    def take(self, template, label):
        """The template itself becomes the working database (no copy; the cache is gone)."""
        if self.name == "sqlite":
            dest = self.workdir / f"{label}.db"
            shutil.move(str(template), dest)
            return dest
        dest = f"{b.PG_PREFIX}{label}_{os.getpid()}"
        b.pg_drop(dest)
        b.pg_admin(f'ALTER DATABASE "{template}" RENAME TO "{dest}"')
        b.pg_admin(f'COMMENT ON DATABASE "{dest}" IS NULL')
        return dest

    def url(self, db):
        return str(db) if self.name == "sqlite" else b.pg_url(db)

    def drop(self, db):
        b.sqlite_drop(db) if self.name == "sqlite" else b.pg_drop(db)

    def counts(self, db):
        return b.sqlite_counts(db) if self.name == "sqlite" else b.pg_counts(db)

    def floor(self, db, keep):
        return b.sqlite_floor(db, keep) if self.name == "sqlite" else b.pg_floor(db, keep)

    def existing(self, db, keys):
        return b.sqlite_existing(db, keys) if self.name == "sqlite" else b.pg_existing(db, keys)


def writers_beside_prune(be, db, threads, args, work, r):
    """Phase A: the writers alone for BASELINE s; phase B: the same writers while agentdb
    prunes `db`. Fills the writers' figures into `r`; returns the prune's (wall, rss, report)."""
    writers = Writers(args.writers, be.name, db, threads, args.writer_interval_ms, work)
    log(f"{be.name}: {args.writers} writers alone for {args.baseline_seconds} s")
    t0 = writers.start()
    time.sleep(args.baseline_seconds)
    prune = Prune(be.url(db), args.keep, args.batch_size, work).run()
    log(f"{be.name}: writers + agentdb prune")
    try:
        wall, rss, report = prune.join()
    finally:
        t1 = time.time()
        saves, dead = writers.finish()
    # The first second is warm-up (connections, caches); a save straddling a boundary
    # counts in the phase it began in, and one that had not ended with the prune in none.
    a = [s for s in saves if t0 + 1 <= s["start"] < prune.started]
    bb = [s for s in saves if prune.started <= s["start"] and s["end"] <= t1]
    r["writers_a"], r["writers_b"] = phase_stats(a), phase_stats(bb)
    r["writers_dead"] = dead
    r["writers_prune_s"], r["writers_prune_report"] = wall, report
    pa, pb = r["writers_a"]["p99_ms"], r["writers_b"]["p99_ms"]
    r["writers_p99_ratio"] = pb / pa if pa and pb else None
    keys = must_survive(saves, prune.started, args.keep)
    found = be.existing(db, keys)
    r["writers_checked"], r["writers_lost"] = len(keys), sorted(set(keys) - found)
    r["writers_errors_total"] = sum(1 for s in saves if "error" in s)
    log(
        f"{be.name}: writers p99 A {fmt(pa)} ms, B {fmt(pb)} ms; "
        f"lost {len(r['writers_lost'])} of {len(keys)} checked"
    )
    return wall, rss, report


def bench(backend_name, threads, args):
    r = {"backend": backend_name, "threads": threads, "checkpoints": args.checkpoints, "keep": args.keep}
    r["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    r["load_start"] = load()
    r["consumed"] = args.consume_template
    work = Path(tempfile.mkdtemp(prefix="prune-bench-"))
    be = Backend(backend_name, work)
    made = []
    try:
        log(f"{backend_name}: template {threads} threads x {args.checkpoints} checkpoints (load {r['load_start']})")
        template, build_s, where, size = be.template(threads, args.checkpoints)
        r["build_s"], r["where"], r["size_bytes"] = build_s, where, size
        log(f"{backend_name}: {'built in %.1f s' % build_s if build_s is not None else 'cached'}: {where}")
        # Every step works on one copy at a time (the floor's is dropped before agentdb's is
        # made): the disk must hold the template and one copy, and the copy grows a little.
        free = shutil.disk_usage(work).free
        if not args.consume_template and free < size * 1.2:
            raise RuntimeError(
                f"{b.human_bytes(free)} free, a copy of {b.human_bytes(size)} needs about "
                f"{b.human_bytes(size * 1.2)}: free disk space (cached templates: {b.CACHE}, "
                f"PostgreSQL databases {b.PG_PREFIX}tpl_*) or use --consume-template"
            )

        # 1. floor and full prune
        if not args.skip_floor and not args.consume_template:
            floor_db = be.copy(template, "floor")
            made.append(floor_db)
            log(f"{backend_name}: floor (set-based SQL, one transaction)")
            r["floor_s"] = be.floor(floor_db, args.keep)
            r["rows_after_floor"] = be.counts(floor_db)
            be.drop(floor_db)
            made.remove(floor_db)
        ours = be.take(template, "ours") if args.consume_template else be.copy(template, "ours")
        made.append(ours)
        r["rows_before"] = be.counts(ours)
        if args.consume_template and not args.skip_writers:
            # One database: the full prune is the one the writers run beside.
            wall, rss, report = writers_beside_prune(be, ours, threads, args, work, r)
        else:
            log(f"{backend_name}: rows {r['rows_before']}; agentdb prune")
            wall, rss, report = run_agentdb(be.url(ours), args.keep, args.batch_size, work)
        r["agentdb_s"], r["rss_kib"], r["report"] = wall, rss, report
        r["rows_after"] = be.counts(ours)
        r["same_rows"] = r["rows_after"] == r["rows_after_floor"] if "floor_s" in r else None
        r["ratio"] = wall / r["floor_s"] if "floor_s" in r else None
        log(f"{backend_name}: full prune {wall:.1f} s, peak RSS {rss} KiB")

        # 2. nightly: one day's growth, same prune
        if not args.skip_nightly:
            grown = max(1, round(r["rows_before"]["checkpoints"] * args.growth_percent / 100))
            log(f"{backend_name}: nightly: adding {grown} checkpoints")
            r["growth"] = grown
            r["growth_s"] = b.grow(backend_name, ours, threads, grown)
            r["rows_grown"] = be.counts(ours)
            wall, rss, report = run_agentdb(be.url(ours), args.keep, args.batch_size, work)
            r["nightly_s"], r["nightly_rss_kib"], r["nightly_report"] = wall, rss, report
            r["rows_after_nightly"] = be.counts(ours)
            r["nightly_ratio"] = wall / r["agentdb_s"]
            log(f"{backend_name}: nightly prune {wall:.2f} s")
        be.drop(ours)
        made.remove(ours)

        # 3. writers beside prune, on a fresh copy
        if not args.skip_writers and not args.consume_template:
            wdb = be.copy(template, "writers")
            made.append(wdb)
            writers_beside_prune(be, wdb, threads, args, work, r)
            be.drop(wdb)
            made.remove(wdb)
    finally:
        for db in made:
            be.drop(db)
        shutil.rmtree(work, ignore_errors=True)
        if args.drop_template and not args.consume_template and "where" in r:
            log(f"{backend_name}: dropping the template ({r['where']})")
            be.drop(template)
    r["load_end"] = load()
    return r


# ------------------------------------------------------------------ output


def table(r):
    t, n = times(r["report"]), times(r["nightly_report"]) if "nightly_report" in r else None
    rows = [
        ("date; load 1/5/15 min start → end", f"{r['date']}; {r['load_start']} → {r['load_end']}"),
        ("data", f"{r['threads']:,} threads × {r['checkpoints']} checkpoints, keep {r['keep']}; rows {r['rows_before']}"),
        ("template", f"{'built in %.1f s' % r['build_s'] if r['build_s'] is not None else 'cached'}; {r['where']}"),
        ("floor: set-based SQL, one transaction", fmt(r.get("floor_s"), " s", 2)),
        ("agentdb prune (full)" + (", beside the writers (--consume-template)" if r["consumed"] and "writers_a" in r else ""),
         f"{fmt(r['agentdb_s'], ' s', 2)}; ratio to floor {fmt(r.get('ratio'), '×', 2)}; "
         f"same rows left: {({True: 'yes', False: 'NO', None: 'n/a'})[r.get('same_rows')]}"),
        ("peak RSS (full prune)", fmt(r["rss_kib"] / 1024, " MiB")),
        ("transactions (full)", f"{fmt(r['report'].get('transactions'))}, {fmt(r['report'].get('retries'))} retried"),
        ("transaction p50 / p99 / max", f"{fmt(t['p50_ms'])} / {fmt(t['p99_ms'])} / {fmt(t['max_ms'])} ms"),
        ("COMMIT share of transaction time", fmt(t["commit_share"] * 100 if t["commit_share"] is not None else None, " %")),
        ("slowest transaction", slowest_text(t)),
        ("by phase (transactions)", spreads_text(t["by_phase"])),
        ("by step (the 6 slowest by max)", spreads_text(t["by_step"], 6)),
    ]
    if n:
        rows += [
            ("nightly: growth", f"{r['growth']:,} checkpoints added in {fmt(r['growth_s'], ' s', 1)}"),
            ("nightly prune", f"{fmt(r['nightly_s'], ' s', 2)}; {fmt(r['nightly_ratio'] * 100, ' %', 1)} of the full prune; "
             f"checkpoints back to {fmt(r['rows_after_nightly']['checkpoints'])} (full prune left {fmt(r['rows_after']['checkpoints'])})"),
            ("nightly transactions p50 / p99 / max", f"{fmt(n['count'] or r['nightly_report'].get('transactions'))} tx; "
             f"{fmt(n['p50_ms'])} / {fmt(n['p99_ms'])} / {fmt(n['max_ms'])} ms; slowest: {slowest_text(n)}"),
        ]
    if "writers_a" in r:
        a, bb = r["writers_a"], r["writers_b"]
        w = times(r["writers_prune_report"])
        rows += [
            ("writers A: alone (saves; p50 / p99 / max; errors)",
             f"{fmt(a['saves'])}; {fmt(a['p50_ms'])} / {fmt(a['p99_ms'])} / {fmt(a['max_ms'])} ms; {a['errors']} errors"),
            ("writers B: beside prune", f"{fmt(bb['saves'])}; {fmt(bb['p50_ms'])} / {fmt(bb['p99_ms'])} / {fmt(bb['max_ms'])} ms; {bb['errors']} errors"),
            ("p99(B) / p99(A)", fmt(r["writers_p99_ratio"], "×", 2)),
            ("prune beside writers", f"{fmt(r['writers_prune_s'], ' s', 2)}; tx max {fmt(w['max_ms'])} ms; "
             f"{fmt(r['writers_prune_report'].get('retries'))} retried"),
            ("writers' checkpoints keep-N must leave", f"{fmt(r['writers_checked'])} checked, {len(r['writers_lost'])} lost"),
        ]
        errs = r["writers_a"]["error_samples"] + r["writers_b"]["error_samples"]
        if errs or r["writers_dead"]:
            rows.append(("writer errors", "; ".join(errs) + (f"; dead writers {r['writers_dead']}" if r["writers_dead"] else "")))
    head = f"### {r['backend']}: {r['threads'] * r['checkpoints']:,} checkpoints"
    return "\n".join([head, "", "| figure | value |", "|---|---|"] + [f"| {k} | {str(v).replace('|', '/')} |" for k, v in rows])


def compare(small, large):
    return "\n".join([
        f"### {small['backend']}: scale, {small['threads'] * small['checkpoints']:,} vs {large['threads'] * large['checkpoints']:,} checkpoints",
        "",
        "| figure | value |",
        "|---|---|",
        f"| full prune time ratio (target ≈ {large['threads'] / small['threads']:.0f}) | {fmt(large['agentdb_s'] / small['agentdb_s'], '×', 2)} |",
        f"| peak RSS ratio (target ≈ 1) | {fmt(large['rss_kib'] / small['rss_kib'], '×', 2)} |",
        f"| nightly time ratio | {fmt(large['nightly_s'] / small['nightly_s'], '×', 2) if 'nightly_s' in large and 'nightly_s' in small else 'n/a'} |",
    ])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=10_000)
    p.add_argument("--checkpoints", type=int, default=100)
    p.add_argument("--keep", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=0, help="agentdb's --batch-size (default: its own)")
    p.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--compare-scale", action="store_true", help="run 10,000 then 100,000 threads and compare")
    p.add_argument("--skip-floor", action="store_true")
    p.add_argument("--skip-writers", action="store_true")
    p.add_argument("--skip-nightly", action="store_true")
    p.add_argument("--writers", type=int, default=4)
    p.add_argument("--writer-interval-ms", type=float, default=5)
    p.add_argument("--baseline-seconds", type=float, default=20)
    p.add_argument("--growth-percent", type=float, default=1)
    p.add_argument(
        "--drop-template",
        action="store_true",
        help="drop the cached template after the run (10 M: ~20 GiB per backend; "
        "the disk must hold a template and one copy)",
    )
    p.add_argument(
        "--consume-template",
        action="store_true",
        help="work on the template itself (one copy of the data on disk; the next run builds "
        "it again): no floor, and the writers run beside the full prune",
    )
    p.add_argument("--no-results", action="store_true", help="do not append to bench/prune_results.md")
    args = p.parse_args()
    if not Path(AGENTDB).exists():
        sys.exit(f"{AGENTDB} is missing: cargo build --release --locked")
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    sizes = [10_000, 100_000] if args.compare_scale else [args.threads]
    sections = []
    for backend in backends:
        results = []
        for threads in sizes:
            r = bench(backend, threads, args)
            results.append(r)
            sections.append(table(r))
            print(sections[-1] + "\n", flush=True)
            print(json.dumps(r, indent=1, default=str), file=sys.stderr)
        if len(results) == 2:
            sections.append(compare(*results))
            print(sections[-1] + "\n", flush=True)
    if not args.no_results:
        new = not RESULTS.exists()
        with open(RESULTS, "a") as f:
            if new:
                f.write(
                    "# prune at scale (`bench/prune_bench.py`)\n\nOne section per run, appended by the "
                    "script; see its docstring for what each figure is and how to reproduce it.\n"
                )
            cmd = "bench/prune_bench.py " + " ".join(sys.argv[1:])
            f.write(f"\n## {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}: `{cmd.strip()}`\n\n")
            f.write(f"agentdb: {build_info()}\n\n")
            f.write("\n\n".join(sections) + "\n")
        log(f"appended to {RESULTS}")


if __name__ == "__main__":
    main()
