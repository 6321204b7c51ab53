"""Checkpoints saved by the REAL savers (SqliteSaver / PostgresSaver) through their own API
(`put`, `put_writes`, `get_tuple`), for tests/prune_writers.rs: seed threads, keep saving into
them while `agentdb prune` runs, read every thread's latest state back.

Each save reads the thread's latest checkpoint, bumps channels `counter` (an int: inline on
PostgreSQL) and `log` (a list: a new blob on PostgreSQL per version), keeps channel `topic` (a
dict) as the first checkpoint wrote it (one blob, shared by every checkpoint of the thread) and
stores two writes for the new checkpoint.

  prune_writers.py seed URL PREFIX THREADS PER_THREAD  one line "thread<TAB>id" per save
  prune_writers.py writer URL READY GO STOP THREAD...  makes file READY once its saver is
      set up, waits for file GO, saves round-robin into its threads every few ms until file
      STOP exists; one line
      "thread<TAB>id<TAB>epoch seconds" per save (flushed); any error fails the process
  prune_writers.py latest URL PREFIX THREADS           JSON: thread -> {id, counter, log, topic, writes}
  prune_writers.py store-seed URL N                    N LangGraph Store items ("exp", kNNNNN)
      that expire at once (TTL 0.3 s); waits until they have
  prune_writers.py store-writer URL READY GO STOP N    like `writer`, through the real Store:
      re-puts the seeded keys (odd ones, from the last down) and puts new keys ("new", nN),
      each with a 60-minute TTL; one line "prefix<TAB>key<TAB>value<TAB>epoch seconds" per put

URL: a SQLite file path, or postgres://...
"""

import json
import os
import sqlite3
import sys
import time
import uuid
from contextlib import contextmanager

from langgraph.checkpoint.base import create_checkpoint, empty_checkpoint

# The one way the test scripts open a saver on either backend (this folder is on sys.path).
from langgraph_scenario import saver


def base(thread):
    return {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}


def save(s, thread):
    """One checkpoint on top of the thread's latest, with its writes; returns its id."""
    latest = s.get_tuple(base(thread))
    if latest is None:
        ck = empty_checkpoint()
        config = base(thread)
        counter = 1
        first = s.get_next_version(None, None)
        versions = {"counter": first, "log": first, "topic": first}
        ck["channel_values"] = {
            "counter": counter,
            "log": [f"save {counter}"],
            "topic": {"thread": thread},
        }
        new_versions = dict(versions)
    else:
        prev = latest.checkpoint
        counter = prev["channel_values"]["counter"] + 1
        ck = create_checkpoint(prev, None, counter)
        config = latest.config
        versions = dict(prev["channel_versions"])
        for channel in ("counter", "log"):
            versions[channel] = s.get_next_version(versions[channel], None)
        ck["channel_values"] = dict(
            prev["channel_values"], counter=counter, log=[f"save {counter}"]
        )
        new_versions = {"counter": versions["counter"], "log": versions["log"]}
    ck["channel_versions"] = versions
    metadata = {"source": "loop", "step": counter, "parents": {}}
    saved = s.put(config, ck, metadata, new_versions)
    s.put_writes(saved, [("counter", counter), ("note", f"save {counter}")], str(uuid.uuid4()))
    return saved["configurable"]["checkpoint_id"]


def names(prefix, threads):
    return [f"{prefix}{i:04d}" for i in range(int(threads))]


def seed(url, prefix, threads, per_thread):
    with saver(url) as s:
        for thread in names(prefix, threads):
            for _ in range(int(per_thread)):
                print(f"{thread}\t{save(s, thread)}")


def writer(url, ready, go, stop, *threads):
    with saver(url) as s:
        open(ready, "w").close()
        while not os.path.exists(go):
            if os.path.exists(stop):
                return
            time.sleep(0.001)
        i = 0
        while not os.path.exists(stop):
            thread = threads[i % len(threads)]
            cid = save(s, thread)
            print(f"{thread}\t{cid}\t{time.time():.6f}", flush=True)
            i += 1
            time.sleep(0.003)


def latest(url, prefix, threads):
    out = {}
    with saver(url) as s:
        for thread in names(prefix, threads):
            t = s.get_tuple(base(thread))
            out[thread] = {
                "id": t.checkpoint["id"],
                "counter": t.checkpoint["channel_values"].get("counter"),
                "log": t.checkpoint["channel_values"].get("log"),
                "topic": t.checkpoint["channel_values"].get("topic"),
                "writes": len(t.pending_writes or []),
            }
    print(json.dumps(out, sort_keys=True))


@contextmanager
def store_of(url):
    if url.startswith("postgres"):
        from langgraph.store.postgres import PostgresStore

        with PostgresStore.from_conn_string(url) as s:
            s.setup()
            yield s
    else:
        from langgraph.store.sqlite import SqliteStore

        conn = sqlite3.connect(url, check_same_thread=False, isolation_level=None)
        s = SqliteStore(conn, ttl={"default_ttl": None, "refresh_on_read": False})
        s.setup()
        try:
            yield s
        finally:
            conn.close()


def store_seed(url, n):
    from langgraph.store.base import PutOp

    with store_of(url) as s:
        s.batch([PutOp(("exp",), f"k{i:05d}", {"seed": i}, ttl=0.005) for i in range(int(n))])
    # SQLite's Store writes whole seconds.
    time.sleep(2.5)


def store_writer(url, ready, go, stop, n):
    n = int(n)
    with store_of(url) as s:
        open(ready, "w").close()
        while not os.path.exists(go):
            if os.path.exists(stop):
                return
            time.sleep(0.001)
        i = 0
        while not os.path.exists(stop):
            old = f"k{(n - 1 - 2 * i) % n:05d}"
            for ns, key in ((("exp",), old), (("new",), f"n{i}")):
                s.put(ns, key, {"w": i}, ttl=60.0)
                print(f"{ns[0]}\t{key}\t{i}\t{time.time():.6f}", flush=True)
            i += 1
            time.sleep(0.003)


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    {
        "seed": seed,
        "writer": writer,
        "latest": latest,
        "store-seed": store_seed,
        "store-writer": store_writer,
    }[mode](*rest)
