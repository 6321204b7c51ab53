"""Google ADK sessions for the `agentdb prune` tests, through the REAL DatabaseSessionService.

  adk_sessions.py populate URL SESSIONS EVENTS [PREFIX]
                                                 sessions s0..s{N-1} of app "app", user "u",
                                                 EVENTS events each, with state deltas
  adk_sessions.py check URL                      load every session, append one event to each,
                                                 load again; JSON on stdout
  adk_sessions.py writer URL SECONDS ID          keep appending events to session w-ID

URL: a SQLite file path, or postgres://... (asyncpg).
"""

import asyncio
import json
import sys
import time

from google.adk.events import Event, EventActions
from google.adk.sessions import DatabaseSessionService

APP = "app"
USER = "u"


def service(url):
    if url.startswith("postgres"):
        return DatabaseSessionService(db_url="postgresql+asyncpg://" + url.split("://", 1)[1])
    return DatabaseSessionService(db_url=f"sqlite+aiosqlite:///{url}")


def event(n, session_id):
    return Event(
        invocation_id=f"inv-{session_id}-{n}",
        author="agent",
        actions=EventActions(
            state_delta={"count": n, f"k{n % 3}": n, "user:seen": n, "app:last": n}
        ),
    )


async def populate(url, sessions, events, prefix=""):
    svc = service(url)
    for i in range(int(sessions)):
        s = await svc.create_session(
            app_name=APP, user_id=USER, session_id=f"{prefix}s{i}", state={"start": i}
        )
        for n in range(int(events)):
            await svc.append_event(s, event(n, s.id))


async def check(url):
    svc = service(url)
    listed = await svc.list_sessions(app_name=APP, user_id=USER)
    out = {}
    for s in sorted(listed.sessions, key=lambda s: s.id):
        loaded = await svc.get_session(app_name=APP, user_id=USER, session_id=s.id)
        before = {"state": json.loads(json.dumps(loaded.state)), "events": len(loaded.events)}
        await svc.append_event(loaded, event(1000, loaded.id))
        again = await svc.get_session(app_name=APP, user_id=USER, session_id=s.id)
        out[s.id] = {
            "before": before,
            "after": {"state": again.state, "events": len(again.events)},
            "last_invocation": again.events[-1].invocation_id,
        }
    print(json.dumps(out, sort_keys=True, default=str))


async def writer(url, seconds, ident):
    svc = service(url)
    sid = f"w-{ident}"
    s = await svc.create_session(app_name=APP, user_id=USER, session_id=sid, state={})
    deadline = time.time() + float(seconds)
    n = 0
    while time.time() < deadline:
        await svc.append_event(s, event(n, sid))
        n += 1
    loaded = await svc.get_session(app_name=APP, user_id=USER, session_id=sid)
    assert loaded.state["count"] == n - 1, loaded.state
    print(json.dumps({"session": sid, "events": n}))


if __name__ == "__main__":
    mode, url, *rest = sys.argv[1:]
    asyncio.run({"populate": populate, "check": check, "writer": writer}[mode](url, *rest))
