"""A platform's data for the `agentdb erase` tests, written and read back by the REAL libraries.

  erase_fixture.py populate URL       LangGraph threads (SqliteSaver/PostgresSaver, subgraph and
                                      interrupts) for users u1, u10, 42 (int), "42" (str) and an
                                      untagged thread; Store items (SqliteStore/PostgresStore)
                                      under users.u1, users.u1.memories, users.u10, users.u1%,
                                      users.u_1, users.u1*, USERS.U1, with and without TTL; ADK
                                      sessions (DatabaseSessionService) of u1 in two apps with
                                      user: state and of u10; on SQLite, ADK memory rows
                                      (SqliteMemoryService) of u1 and u10.
  erase_fixture.py read URL           what the libraries read back, per subject; JSON on stdout
  erase_fixture.py dump URL SPEC      every row of every table, as text, split into the subject's
                                      (SPEC: {table: SQL condition}) and the others'; JSON
  erase_fixture.py late URL THREAD USER   a stale worker: one more turn on THREAD for USER
  erase_fixture.py adk-sqlite PATH    ADK's other SQLite layout (SqliteSessionService) for u1, u10

Every u1 value carries the token zqxu1marker; u10's carry zqxu10marker (not a superstring match).
URL: a SQLite file path, or postgres://...
"""

import asyncio
import json
import sqlite3
import sys

from langgraph.types import Command

from langgraph_scenario import build, saver

THREADS = {
    # thread id: configurable user_id (None: untagged)
    "lg-u1": "u1",
    "lg-u1b": "u1",
    "lg-u10": "u10",
    "lg-none": None,
    "lg-n42": 42,
    "lg-s42": "42",
    "lg-n420": 420,
}
MARK = {"u1": "zqxu1marker", "u10": "zqxu10marker"}
NAMESPACES = [
    (("users", "u1"), "profile", {"name": "zqxu1marker Ann"}, None),
    (("users", "u1", "memories"), "m1", {"text": "zqxu1marker likes tea"}, None),
    (("users", "u1", "memories"), "m2", {"text": "zqxu1marker short-lived"}, 60.0),
    (("users", "u10", "memories"), "m1", {"text": "zqxu10marker likes coffee"}, None),
    (("users", "u10", "memories"), "m2", {"text": "zqxu10marker with ttl"}, 60.0),
    (("users", "u1%", "memories"), "m1", {"text": "percent row"}, None),
    (("users", "u_1", "memories"), "m1", {"text": "underscore row"}, None),
    (("users", "uX1", "memories"), "m1", {"text": "uX1 row"}, None),
    (("users", "u1*", "memories"), "m1", {"text": "star row"}, None),
    (("USERS", "U1", "memories"), "m1", {"text": "upper row"}, None),
]
APPS = ["app1", "app2"]


def is_pg(url):
    return url.startswith("postgres")


def user_cfg(thread, user):
    configurable = {"thread_id": thread}
    if user is not None:
        configurable["user_id"] = user
    return {"configurable": configurable}


def marker_for(user):
    return MARK.get(user, f"plain-{user}") if isinstance(user, str) else f"num-{user}"


def turn(graph, thread, user):
    cfg = user_cfg(thread, user)
    graph.invoke({"log": [f"{marker_for(user)} says hi"]}, cfg)
    graph.invoke(Command(resume=f"{marker_for(user)} yes"), cfg)
    graph.invoke(Command(resume="ok"), cfg)


def populate_langgraph(url):
    with saver(url) as s:
        graph = build(s)
        for thread, user in THREADS.items():
            turn(graph, thread, user)
        # One more turn left at its first interrupt (a pending write).
        graph.invoke({"log": ["zqxu1marker again"]}, user_cfg("lg-u1", "u1"))


def store_of(url):
    if is_pg(url):
        from langgraph.store.postgres import PostgresStore

        return PostgresStore.from_conn_string(url)
    from contextlib import contextmanager

    from langgraph.store.sqlite import SqliteStore

    @contextmanager
    def opened():
        conn = sqlite3.connect(url, check_same_thread=False, isolation_level=None)
        try:
            yield SqliteStore(conn, ttl={"default_ttl": None, "refresh_on_read": False})
        finally:
            conn.close()

    return opened()


VECTORS_DDL = {
    # The library's own DDL for vectors (store/sqlite/base.py, store/postgres/base.py). The
    # pinned venv's Python cannot load sqlite-vec and the server has no pgvector, so the table
    # and rows are written here with that DDL (embedding as a blob / real[]).
    "sqlite": """CREATE TABLE IF NOT EXISTS store_vectors (prefix text NOT NULL, key text NOT NULL,
        field_name text NOT NULL, embedding BLOB, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (prefix, key, field_name),
        FOREIGN KEY (prefix, key) REFERENCES store(prefix, key) ON DELETE CASCADE)""",
    "postgres": """CREATE TABLE IF NOT EXISTS store_vectors (prefix text NOT NULL, key text NOT NULL,
        field_name text NOT NULL, embedding real[], created_at timestamptz DEFAULT CURRENT_TIMESTAMP,
        updated_at timestamptz DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (prefix, key, field_name),
        FOREIGN KEY (prefix, key) REFERENCES store(prefix, key) ON DELETE CASCADE)""",
}


def populate_store(url):
    with store_of(url) as store:
        store.setup()
        for ns, key, value, ttl in NAMESPACES:
            if ttl is None:
                store.put(ns, key, value, ttl=None)
            else:
                store.put(ns, key, value, ttl=ttl)
    populate_vectors(url, [(".".join(ns), key) for ns, key, _, _ in NAMESPACES])


def populate_vectors(url, rows):
    if is_pg(url):
        import psycopg

        with psycopg.connect(url, autocommit=True) as c:
            c.execute(VECTORS_DDL["postgres"])
            for prefix, key in rows:
                c.execute(
                    "INSERT INTO store_vectors (prefix, key, field_name, embedding) VALUES (%s, %s, '$', %s)",
                    (prefix, key, [0.5, 0.25]),
                )
    else:
        c = sqlite3.connect(url)
        c.execute(VECTORS_DDL["sqlite"])
        for prefix, key in rows:
            c.execute(
                "INSERT INTO store_vectors (prefix, key, field_name, embedding) VALUES (?, ?, '$', ?)",
                (prefix, key, b"\x00\x00\x00?\x00\x00\x80>"),
            )
        c.commit()
        c.close()


def adk_service(url):
    from google.adk.sessions import DatabaseSessionService

    if is_pg(url):
        return DatabaseSessionService(db_url="postgresql+asyncpg://" + url.split("://", 1)[1])
    return DatabaseSessionService(db_url=f"sqlite+aiosqlite:///{url}")


def adk_event(user, n, session_id):
    from google.adk.events import Event, EventActions
    from google.genai import types

    return Event(
        invocation_id=f"inv-{session_id}-{n}",
        author="user",
        content=types.Content(role="user", parts=[types.Part(text=f"{marker_for(user)} turn {n}")]),
        actions=EventActions(
            state_delta={"count": n, "user:pref": f"{marker_for(user)} dark", "app:last": n}
        ),
    )


async def populate_adk_with(svc, url, memory):
    for user in ["u1", "u10"]:
        for app in APPS:
            for i in range(2):
                sid = f"s{i}"  # the same session ids for both users: keys are (app, user, id)
                s = await svc.create_session(
                    app_name=app, user_id=user, session_id=sid, state={"start": i}
                )
                for n in range(3):
                    await svc.append_event(s, adk_event(user, n, sid))
                if memory is not None:
                    loaded = await svc.get_session(app_name=app, user_id=user, session_id=sid)
                    await memory.add_session_to_memory(loaded)


def memory_of(url):
    if is_pg(url):
        return None
    from google.adk.memory._sqlite_memory_service import SqliteMemoryService

    return SqliteMemoryService(url)


async def populate_adk(url):
    svc = adk_service(url)
    memory = memory_of(url)
    await populate_adk_with(svc, url, memory)
    if memory is not None:
        await memory.close()


async def adk_sqlite(path):
    from google.adk.sessions.sqlite_session_service import SqliteSessionService

    await populate_adk_with(SqliteSessionService(path), path, None)


def populate(url):
    populate_langgraph(url)
    populate_store(url)
    asyncio.run(populate_adk(url))


async def read_adk(url, svc, memory):
    out = {}
    for user in ["u1", "u10"]:
        for app in APPS:
            listed = await svc.list_sessions(app_name=app, user_id=user)
            for s in sorted(listed.sessions, key=lambda s: s.id):
                got = await svc.get_session(app_name=app, user_id=user, session_id=s.id)
                out[f"adk:{app}/{user}/{s.id}"] = {
                    "state": json.loads(json.dumps(got.state, sort_keys=True, default=str)),
                    "events": [e.invocation_id for e in got.events],
                }
            if memory is not None:
                found = await memory.search_memory(app_name=app, user_id=user, query=marker_for(user))
                if found.memories:
                    out[f"memory:{app}/{user}"] = len(found.memories)
    if memory is not None:
        await memory.close()
    return out


def read(url, adk_layout="database"):
    out = {}
    if adk_layout == "database":
        with saver(url) as s:
            for thread in THREADS:
                cfg = {"configurable": {"thread_id": thread}}
                listed = list(s.list(cfg))
                if listed:
                    tup = s.get_tuple(cfg)
                    out[f"lg:{thread}"] = {
                        "checkpoints": len(listed),
                        "namespaces": sorted({c.config["configurable"].get("checkpoint_ns", "") for c in listed}),
                        "head_log": tup.checkpoint["channel_values"].get("log"),
                    }
        with store_of(url) as store:
            for ns, key, _, _ in NAMESPACES:
                item = store.get(ns, key, refresh_ttl=False)
                if item is not None:
                    out[f"store:{'.'.join(ns)}/{key}"] = item.value
            for ns in [("users", "u10"), ("users", "u1%"), ("USERS",), ("users", "u_1")]:
                out[f"search:{'.'.join(ns)}"] = sorted(
                    f"{'.'.join(i.namespace)}/{i.key}" for i in store.search(ns, limit=100, refresh_ttl=False)
                )
        svc, memory = adk_service(url), memory_of(url)
    else:
        from google.adk.sessions.sqlite_session_service import SqliteSessionService

        svc, memory = SqliteSessionService(url), None
    out.update(asyncio.run(read_adk(url, svc, memory)))
    print(json.dumps(out, sort_keys=True, default=str))


def text_of(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "x'" + bytes(v).hex() + "' " + bytes(v).decode("utf-8", "replace")
    return repr(v)


def dump(url, spec):
    """Every row of every table as text, split by `spec` ({table: SQL condition}: the rows of the
    subject; a table not named has none) into "subject" and "other"."""
    out = {}
    if is_pg(url):
        import psycopg

        c = psycopg.connect(url)
        tables = [r[0] for r in c.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")]
    else:
        c = sqlite3.connect(url)
        tables = [r[0] for r in c.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
    for t in tables:
        cond = spec.get(t, "1 = 0")
        part = {}
        for name, where in [("subject", cond), ("other", f"NOT ({cond})")]:
            rows = c.execute(f'SELECT * FROM "{t}" WHERE {where}').fetchall()
            part[name] = sorted("|".join(text_of(v) for v in r) for r in rows)
        out[t] = part
    c.close()
    print(json.dumps(out, sort_keys=True))


def late(url, thread, user):
    """Waits (imports done, saver open) until THREAD is erased, then saves one more turn, as a
    stale worker would; says "waiting" and "written" on stdout."""
    import time

    with saver(url) as s:
        graph = build(s)
        print("waiting", flush=True)
        cfg = {"configurable": {"thread_id": thread}}
        deadline = time.time() + 120
        while s.get_tuple(cfg) is not None:
            if time.time() > deadline:
                sys.exit("the thread was never erased")
            time.sleep(0.05)
        graph.invoke({"log": [f"{marker_for(user)} late"]}, user_cfg(thread, user))
        print("written", flush=True)


def ttl(url):
    """Store items for the TTL sweep: expired in the put form and (SQLite) in the refresh form,
    live with a TTL, and without one; a vector each. Prints nothing; waits until the short TTLs
    have passed."""
    import time

    with store_of(url) as store:
        store.setup()
        store.put(("ttl", "put"), "k", {"v": "expired-put"}, ttl=0.005)
        store.put(("ttl", "live"), "k", {"v": "live"}, ttl=60.0)
        store.put(("ttl", "none"), "k", {"v": "no ttl"}, ttl=None)
    if not is_pg(url):
        from langgraph.store.sqlite import SqliteStore

        conn = sqlite3.connect(url, check_same_thread=False, isolation_level=None)
        refreshing = SqliteStore(conn, ttl={"refresh_on_read": True})
        refreshing.put(("ttl", "refreshed"), "k", {"v": "expired-refresh"}, ttl=0.005)
        time.sleep(0.5)
        refreshing.get(("ttl", "refreshed"), "k")  # refresh: DATETIME(CURRENT_TIMESTAMP, '+N minutes')
        conn.close()
    populate_vectors(url, [("ttl.put", "k"), ("ttl.live", "k"), ("ttl.none", "k")]
                     + ([] if is_pg(url) else [("ttl.refreshed", "k"), ("ttl.gone", "orphan")]))
    time.sleep(2.5)


if __name__ == "__main__":
    cmd, url = sys.argv[1], sys.argv[2]
    if cmd == "populate":
        populate(url)
    elif cmd == "read":
        read(url)
    elif cmd == "read-adk-sqlite":
        read(url, adk_layout="sqlite")
    elif cmd == "dump":
        dump(url, json.loads(sys.argv[3]))
    elif cmd == "late":
        late(url, sys.argv[3], sys.argv[4])
    elif cmd == "ttl":
        ttl(url)
    elif cmd == "adk-sqlite":
        asyncio.run(adk_sqlite(url))
    else:
        sys.exit(f"unknown command {cmd}")
