#!/usr/bin/env python3
"""Deploy benchmarks (issue 13), separate from bench.py:

1. `wait`: from the moment a PostgreSQL server accepts connections to `agentdb wait`'s exit,
   with the default backoff cap. A throwaway cluster (initdb, own port) is stopped, `agentdb
   wait` is started, then the server; the server's own log line "database system is ready to
   accept connections" (millisecond timestamp) marks the moment. Target: <= 0.5 s.
2. `status --verify` against `status` and a fresh `migrate`, on SQLite and PostgreSQL (runs
   alternate, one warm-up): target `verify - status <= fresh migrate`.
3. `health` (which now includes the schema_drift check), for the record.

Usage: bench/deploy_bench.py [--rounds N] [--runs N]   (needs target/release/agentdb, PostgreSQL
on 127.0.0.1:5432, and the PostgreSQL server binaries for initdb; run as root or postgres).
Prints a Markdown table on stdout.
"""

import argparse
import datetime
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AGENTDB = str(ROOT / "target" / "release" / "agentdb")
PG_BASE = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
SSL = "sslmode=disable"


def log(msg):
    print(f"deploy-bench: {msg}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin():
    for version in sorted(os.listdir("/usr/lib/postgresql"), reverse=True):
        path = Path("/usr/lib/postgresql") / version / "bin"
        if (path / "initdb").exists():
            return path
    sys.exit("PostgreSQL server binaries (initdb) not found under /usr/lib/postgresql")


def as_postgres(command):
    """Runs a shell command as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return subprocess.run(["su", "postgres", "-s", "/bin/sh", "-c", command], check=True)
    return subprocess.run(["sh", "-c", command], check=True)


class Cluster:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="agentdb-deploy-bench"))
        self.port = free_port()
        self.bin = pg_bin()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        as_postgres(f"{self.bin}/initdb -D {self.dir}/data -U postgres --no-sync -E UTF8 "
                    f"--auth-local=trust --auth-host=trust >{self.dir}/initdb.log 2>&1")
        with open(self.dir / "data" / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                       "log_line_prefix = '%m '\nlog_timezone = 'UTC'\n")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres?{SSL}"

    def log_path(self):
        return self.dir / "server.log"

    def start(self, wait=True):
        flag = "-w" if wait else "-W"
        as_postgres(f"{self.bin}/pg_ctl -D {self.dir}/data -l {self.log_path()} start {flag} >/dev/null")

    def stop(self):
        as_postgres(f"{self.bin}/pg_ctl -D {self.dir}/data stop -m fast -w >/dev/null")

    def ready_times(self):
        """UTC timestamps of every 'ready to accept connections' line in the log."""
        times = []
        for line in self.log_path().read_text().splitlines():
            if "database system is ready to accept connections" in line:
                stamp = " ".join(line.split(" ")[:2])  # 2026-11-26 07:50:01.123
                times.append(datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f")
                             .replace(tzinfo=datetime.timezone.utc).timestamp())
        return times

    def remove(self):
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def bench_wait(rounds):
    cluster = Cluster()
    latencies, attempts = [], []
    try:
        cluster.start()
        cluster.stop()
        for i in range(rounds):
            seen = len(cluster.ready_times())
            proc = subprocess.Popen([AGENTDB, "-d", cluster.url, "--format", "json", "wait", "--timeout", "60"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            exited = {}

            def reap():
                out, err = proc.communicate()
                exited["at"] = time.time()
                exited["out"], exited["err"] = out, err

            reaper = threading.Thread(target=reap)
            reaper.start()
            time.sleep(0.5)  # agentdb is retrying against a stopped server
            cluster.start(wait=False)
            reaper.join(60)
            if proc.returncode != 0:
                sys.exit(f"wait failed: {exited.get('err')}")
            ready = cluster.ready_times()[seen]
            latencies.append(exited["at"] - ready)
            attempts.append(int(__import__("json").loads(exited["out"])["attempts"]))
            cluster.stop()
            log(f"wait round {i + 1}: {latencies[-1] * 1000:.0f} ms after ready, {attempts[-1]} attempts")
    finally:
        cluster.remove()
    return latencies, attempts


def timed(cmd, env=None):
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return (time.perf_counter() - started) * 1000


def psql(sql):
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", f"{PG_BASE}/postgres?{SSL}", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def bench_verify(runs):
    """Medians (ms) of status, status --verify, health and a fresh migrate, per backend."""
    results = {}
    work = Path(tempfile.mkdtemp(prefix="agentdb-deploy-bench-verify"))
    try:
        for backend in ["sqlite", "postgres"]:
            if backend == "sqlite":
                url = str(work / "verify.db")
                fresh_url = str(work / "fresh.db")

                def reset_fresh():
                    for suffix in ["", "-wal", "-shm"]:
                        Path(fresh_url + suffix).unlink(missing_ok=True)
            else:
                psql('DROP DATABASE IF EXISTS "agentdb_deploy_bench" WITH (FORCE)')
                psql('CREATE DATABASE "agentdb_deploy_bench"')
                url = f"{PG_BASE}/agentdb_deploy_bench?{SSL}"
                fresh_url = f"{PG_BASE}/agentdb_deploy_bench_fresh?{SSL}"

                def reset_fresh():
                    psql('DROP DATABASE IF EXISTS "agentdb_deploy_bench_fresh" WITH (FORCE)')
                    psql('CREATE DATABASE "agentdb_deploy_bench_fresh"')
            subprocess.run([AGENTDB, "-d", url, "migrate"], check=True, stdout=subprocess.DEVNULL)
            samples = {"status": [], "status --verify": [], "health": [], "fresh migrate": []}
            for i in range(runs + 1):
                round_ = {
                    "status": timed([AGENTDB, "-d", url, "status"]),
                    "status --verify": timed([AGENTDB, "-d", url, "status", "--verify"]),
                    "health": timed([AGENTDB, "-d", url, "health"]),
                }
                reset_fresh()
                round_["fresh migrate"] = timed([AGENTDB, "-d", fresh_url, "migrate"])
                if i > 0:  # the first round warms up
                    for k, v in round_.items():
                        samples[k].append(v)
            results[backend] = {k: statistics.median(v) for k, v in samples.items()}
            log(f"{backend}: " + ", ".join(f"{k} {v:.1f} ms" for k, v in results[backend].items()))
        psql('DROP DATABASE IF EXISTS "agentdb_deploy_bench" WITH (FORCE)')
        psql('DROP DATABASE IF EXISTS "agentdb_deploy_bench_fresh" WITH (FORCE)')
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10, help="wait rounds (each starts a server)")
    parser.add_argument("--runs", type=int, default=10, help="measured runs per verify comparison")
    args = parser.parse_args()
    if not os.access(AGENTDB, os.X_OK):
        sys.exit(f"{AGENTDB} is missing: cargo build --release --locked")
    latencies, attempts = bench_wait(args.rounds)
    verify = bench_verify(args.runs)
    ms = [x * 1000 for x in latencies]
    print(f"Measured {datetime.date.today()} on this machine ({os.cpu_count()} cores); release binary; "
          f"PostgreSQL 127.0.0.1 with `{SSL}`; medians.\n")
    print("| measurement | result | target | met |")
    print("|---|---|---|---|")
    print(f"| `wait`: server ready → agentdb exited ({args.rounds} server starts) | median {statistics.median(ms):.0f} ms, "
          f"max {max(ms):.0f} ms ({statistics.median(attempts):.0f} attempts) | ≤ 500 ms | "
          f"{'yes' if max(ms) <= 500 else '**no**'} |")
    for backend, r in verify.items():
        extra = r["status --verify"] - r["status"]
        print(f"| `status --verify`, {backend} ({args.runs} runs) | {r['status --verify']:.1f} ms "
              f"(status {r['status']:.1f} ms: +{extra:.1f} ms; fresh migrate {r['fresh migrate']:.1f} ms) | "
              f"extra ≤ fresh migrate | {'yes' if extra <= r['fresh migrate'] else '**no**'} |")
    for backend, r in verify.items():
        print(f"| `health` with `schema_drift`, {backend} ({args.runs} runs) | {r['health']:.1f} ms | - | - |")


if __name__ == "__main__":
    main()
