"""Writes agentdb threads and runs as a platform's own Python code does, with the real tools:
SQLAlchemy `DateTime` columns (sync `sqlite://` and async `sqlite+aiosqlite://`, naive and
aware values) and aiosqlite with the sqlite3 module's default datetime adapter.

Usage: time_rows.py PATH PREFIX AGE_SECONDS
  threads PREFIX{sqla,sqla-aware,sqla-async,aio,aio-aware} (tenant "t") last updated
  AGE_SECONDS ago, and failed runs of the same ids in thread "holder" finished then.
Prints the stored updated_at texts, one per line.
"""
import asyncio
import sqlite3
import sys
from datetime import datetime, timedelta, timezone

import aiosqlite
from sqlalchemy import Column, DateTime, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.ext.asyncio import create_async_engine

path, prefix, age = sys.argv[1], sys.argv[2], float(sys.argv[3])
aware = datetime.now(timezone.utc) - timedelta(seconds=age)
naive = aware.replace(tzinfo=None)

md = MetaData()
threads = Table(
    "threads", md,
    Column("tenant_id", String, primary_key=True), Column("id", String, primary_key=True),
    Column("updated_at", DateTime), Column("last_message_at", DateTime),
)
runs = Table(
    "runs", md,
    Column("tenant_id", String, primary_key=True), Column("id", String, primary_key=True),
    Column("thread_id", String), Column("status", String),
    Column("created_at", DateTime), Column("finished_at", DateTime(timezone=True)),
)


def rows(name, value):
    thread = {"tenant_id": "t", "id": prefix + name, "updated_at": value, "last_message_at": None}
    run = {"tenant_id": "t", "id": prefix + name, "thread_id": "holder", "status": "failed",
           "created_at": value, "finished_at": value}
    return thread, run


engine = create_engine(f"sqlite:///{path}")
with engine.begin() as c:
    for name, value in [("sqla", naive), ("sqla-aware", aware)]:
        thread, run = rows(name, value)
        c.execute(insert(threads), [thread])
        c.execute(insert(runs), [run])


async def main():
    e = create_async_engine(f"sqlite+aiosqlite:///{path}")
    async with e.begin() as c:
        thread, run = rows("sqla-async", naive)
        await c.execute(insert(threads), [thread])
        await c.execute(insert(runs), [run])
    await e.dispose()
    async with aiosqlite.connect(path, detect_types=0) as db:
        for name, value in [("aio", naive), ("aio-aware", aware)]:
            await db.execute(
                "INSERT INTO threads (tenant_id, id, updated_at) VALUES ('t', ?, ?)",
                (prefix + name, value),
            )
            await db.execute(
                "INSERT INTO runs (tenant_id, id, thread_id, status, created_at, finished_at) "
                "VALUES ('t', ?, 'holder', 'failed', ?, ?)",
                (prefix + name, value, value),
            )
        await db.commit()


asyncio.run(main())
con = sqlite3.connect(path)
for (v,) in con.execute("SELECT updated_at FROM threads WHERE id LIKE ? ORDER BY id", (prefix + "%",)):
    print(v)
