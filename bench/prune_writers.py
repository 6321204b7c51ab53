"""Writers beside `agentdb prune` for `bench/prune_bench.py`: processes that save checkpoints
through the REAL saver (SqliteSaver / PostgresSaver), as a running graph would, into random
existing threads, and record every save.

One save: read the thread's newest checkpoint (`get_tuple`, as a graph does when it resumes), then
`put` a new checkpoint whose parent it is (new versions of its two channels, a small payload) and
`put_writes` one task's writes against it. Its latency is `put` + `put_writes` (the read is not
counted: prune never blocks a reader on either backend). Any exception is an error, recorded with
its message. Each writer appends one JSON line per save to its own file:
{"start": unix s, "end": unix s, "thread", "id", "ms"} or {..., "error": "..."}.
"""

import json
import multiprocessing as mp
import random
import time
from datetime import datetime, timezone
from pathlib import Path
from uuid import uuid4

from prune_build import pg_url, thread_name


def _writer(wid, backend, db, threads, interval_s, out_path, ready, stop):
    from langgraph.checkpoint.base.id import uuid6

    rng = random.Random(1000 + wid)
    if backend == "sqlite":
        import sqlite3

        from langgraph.checkpoint.sqlite import SqliteSaver

        # As LangGraph's docs open it (Python's default 5 s busy timeout).
        saver = SqliteSaver(sqlite3.connect(str(db), check_same_thread=False))
        closer = saver.conn.close
    else:
        from langgraph.checkpoint.postgres import PostgresSaver

        manager = PostgresSaver.from_conn_string(pg_url(db))
        saver = manager.__enter__()
        closer = lambda: manager.__exit__(None, None, None)  # noqa: E731
    step = 0
    with open(out_path, "w") as out:
        ready.set()
        while not stop.is_set():
            thread = thread_name(rng.randint(1, threads))
            rec = {"writer": wid, "thread": thread, "start": time.time()}
            try:
                tup = saver.get_tuple({"configurable": {"thread_id": thread, "checkpoint_ns": ""}})
                if tup is None:
                    raise LookupError(f"thread {thread} has no checkpoint")
                prev = tup.checkpoint
                versions = dict(prev["channel_versions"])
                new_versions = {}
                for channel in ("counter", "log"):
                    versions[channel] = new_versions[channel] = saver.get_next_version(
                        versions.get(channel), None
                    )
                cid = str(uuid6(clock_seq=step))
                checkpoint = {
                    **prev,
                    "id": cid,
                    "ts": datetime.now(timezone.utc).isoformat(),
                    "channel_values": {"counter": step, "log": [f"writer {wid} save {step}"]},
                    "channel_versions": versions,
                    "updated_channels": ["counter", "log"],
                }
                metadata = {"source": "loop", "step": step, "parents": {}, "writer": wid}
                started = time.perf_counter()
                config = saver.put(tup.config, checkpoint, metadata, new_versions)
                saver.put_writes(
                    config,
                    [("log", [f"writer {wid} write {step}"]), ("counter", step + 1)],
                    task_id=str(uuid4()),
                )
                rec["ms"] = (time.perf_counter() - started) * 1000
                rec["id"] = cid
            except Exception as e:  # every failure is a finding: counted and printed
                rec["error"] = f"{type(e).__name__}: {e}"[:300]
            rec["end"] = time.time()
            out.write(json.dumps(rec) + "\n")
            out.flush()
            step += 1
            time.sleep(interval_s)
    closer()


class Writers:
    """`n` writer processes on `db`; `start()` returns once every one is connected."""

    def __init__(self, n, backend, db, threads, interval_ms, workdir):
        self.ctx = mp.get_context("spawn")
        self.stop = self.ctx.Event()
        self.files = [Path(workdir) / f"writer-{i}.jsonl" for i in range(n)]
        self.ready = [self.ctx.Event() for _ in range(n)]
        self.procs = [
            self.ctx.Process(
                target=_writer,
                args=(i, backend, db, threads, interval_ms / 1000, str(f), r, self.stop),
                daemon=True,
            )
            for i, (f, r) in enumerate(zip(self.files, self.ready))
        ]

    def start(self, timeout=120):
        for p in self.procs:
            p.start()
        deadline = time.time() + timeout
        for r in self.ready:
            if not r.wait(max(0.0, deadline - time.time())):
                self.finish()
                raise RuntimeError("a writer did not start")
        return time.time()

    def finish(self):
        self.stop.set()
        for p in self.procs:
            p.join(30)
            if p.is_alive():
                p.kill()
        saves = []
        for f in self.files:
            if f.exists():
                saves.extend(json.loads(line) for line in f.read_text().splitlines() if line.strip())
        dead = [p.exitcode for p in self.procs if p.exitcode not in (0, None)]
        return saves, dead


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def phase_stats(saves):
    ms = [s["ms"] for s in saves if "ms" in s]
    errors = [s["error"] for s in saves if "error" in s]
    return {
        "saves": len(ms),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else None,
    }


def must_survive(saves, prune_started, keep):
    """The saved checkpoints keep-N must leave: every one saved after the prune began (newer
    than its horizon) and, per thread, the `keep` newest of all (a save older than the horizon
    is kept when it is among the `keep` newest older ones, and fewer are newer than it among
    all). A save that began after the process started but still fell before its horizon is
    taken as after: wrong only if `keep` more saves hit its thread in those few ms."""
    by_thread = {}
    for s in saves:
        if "id" in s:
            by_thread.setdefault(s["thread"], []).append(s)
    keys = set()
    for thread, lst in by_thread.items():
        newest = sorted(lst, key=lambda s: s["id"], reverse=True)[:keep]
        keys.update((thread, s["id"]) for s in newest)
        keys.update((thread, s["id"]) for s in lst if s["start"] >= prune_started)
    return sorted(keys)
