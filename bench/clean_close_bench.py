#!/usr/bin/env python3
"""Issue 18, "clean close": what closing SQLite's connection before exit costs.

Runs two agentdb binaries alternately (A B A B ...), each on its own copy of a migrated SQLite
database (so each stays in its own steady state: the old binary usually leaves -wal/-shm behind,
the new one removes them), and prints the median wall time per command, the ratio, and how many
runs left -wal/-shm behind.

    python3 bench/clean_close_bench.py OLD_BINARY NEW_BINARY [ROUNDS]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    old, new = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    work = tempfile.mkdtemp(prefix="clean-close-")
    seed = os.path.join(work, "seed.db")
    for args in (["migrate"], ["init-tenant"]):
        subprocess.run([new, "-d", seed, *args], check=True, capture_output=True)
    subprocess.run(["sqlite3", seed, "PRAGMA wal_checkpoint(TRUNCATE)"], check=True, capture_output=True)
    for suffix in ("-wal", "-shm"):
        assert not os.path.exists(seed + suffix)
    env = {"PATH": os.environ.get("PATH", "")}
    print(f"{rounds} rounds per binary and command, alternating; medians in ms")
    print("| command | before (no close) | after (clean close) | ratio | runs leaving -wal/-shm before / after |")
    print("|---|---|---|---|---|")
    for command in (["status"], ["stats"], ["tenants", "list"]):
        dbs = {}
        for label, binary in (("old", old), ("new", new)):
            path = os.path.join(work, f"{label}-{'-'.join(command)}.db")
            shutil.copy(seed, path)
            dbs[label] = (binary, path)
        times = {"old": [], "new": []}
        left = {"old": 0, "new": 0}
        for i in range(rounds + 5):
            for label in ("old", "new") if i % 2 == 0 else ("new", "old"):
                binary, path = dbs[label]
                started = time.perf_counter()
                subprocess.run([binary, "-d", path, *command], check=True, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                elapsed = (time.perf_counter() - started) * 1000
                if i >= 5:  # warm-up
                    times[label].append(elapsed)
                    left[label] += os.path.exists(path + "-wal")
        before, after = statistics.median(times["old"]), statistics.median(times["new"])
        print(f"| `{' '.join(command)}` | {before:.2f} | {after:.2f} | {after / before:.3f} | "
              f"{left['old']} / {left['new']} of {rounds} |")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
