"""Google ADK sessions for the `agentdb copy --include adk` tests, through the REAL services.

  adk_copy.py populate SERVICE URL SESSIONS EVENTS   sessions of app "app", user "u" with state
                                                     deltas (unicode, nesting), EVENTS events each
  adk_copy.py check SERVICE URL                      every session loaded, one event appended,
                                                     loaded again; JSON on stdout

SERVICE: `database` (DatabaseSessionService; URL a SQLite path or postgres://...) or `sqlite`
(SqliteSessionService, the `adk` CLI's sqlite:// service with REAL epoch times; URL a path).
"""

import asyncio
import json
import sys

from google.adk.events import Event, EventActions
from google.adk.sessions.sqlite_session_service import SqliteSessionService

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from adk_sessions import APP, USER  # noqa: E402
from adk_sessions import service as database_service  # noqa: E402


def service(kind, url):
    return SqliteSessionService(url) if kind == "sqlite" else database_service(url)


def event(n, session_id):
    return Event(
        invocation_id=f"inv-{session_id}-{n}",
        author="agent",
        actions=EventActions(
            state_delta={
                "count": n,
                "note": f"héllo ✓ 日本語 {n}",
                "nested": {"list": [n, 1.5, None, {"deep": True}]},
                "user:seen": n,
                "app:last": n,
            }
        ),
    )


async def populate(kind, url, sessions, events):
    svc = service(kind, url)
    for i in range(int(sessions)):
        s = await svc.create_session(
            app_name=APP, user_id=USER, session_id=f"s{i}", state={"start": i, "name": "Zoë"}
        )
        for n in range(int(events)):
            await svc.append_event(s, event(n, s.id))


async def check(kind, url):
    svc = service(kind, url)
    listed = await svc.list_sessions(app_name=APP, user_id=USER)
    out = {}
    for s in sorted(listed.sessions, key=lambda s: s.id):
        loaded = await svc.get_session(app_name=APP, user_id=USER, session_id=s.id)
        before = {
            "state": loaded.state,
            "events": [(e.invocation_id, e.timestamp, e.actions.state_delta) for e in loaded.events],
        }
        await svc.append_event(loaded, event(1000, loaded.id))
        again = await svc.get_session(app_name=APP, user_id=USER, session_id=s.id)
        out[s.id] = {
            "before": before,
            "after": {"state": again.state, "events": len(again.events)},
        }
    print(json.dumps(out, sort_keys=True, default=str))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    asyncio.run({"populate": populate, "check": check}[command](*args))
