"""LangGraph data for the `agentdb prune` tests, written and read back by the REAL savers.

A root graph with a per-call subgraph (checkpoint_ns "sub:<task id>"), a node with two
sequential interrupt() calls, plain Python nodes (no LLM). Deterministic: an unpruned twin
database gives the same results, whatever the checkpoint ids.

  langgraph_scenario.py populate URL [PREFIX]  threads t-done, t-pending, t-fresh
  langgraph_scenario.py delta URL              thread d1 with a DeltaChannel (beta)
  langgraph_scenario.py resume URL             resume every scenario thread; JSON on stdout
  langgraph_scenario.py delta-state URL        d1's state; JSON on stdout
  langgraph_scenario.py writer URL SECONDS ID  keep adding turns to thread w-ID (concurrency)

URL: a SQLite file path, or postgres://... (PostgresSaver).
"""

import json
import operator
import sqlite3
import sys
import time
from contextlib import contextmanager
from typing import Annotated, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

# How often the code after each interrupt ran in this process, per thread.
AFTER_FIRST: dict = {}
AFTER_SECOND: dict = {}


class SubState(TypedDict):
    log: Annotated[list, operator.add]
    counter: int


class State(TypedDict):
    log: Annotated[list, operator.add]
    counter: int
    notes: dict


def sub_a(s: SubState):
    return {"log": ["sub_a"], "counter": s["counter"] + 1}


def sub_b(s: SubState):
    return {"log": ["sub_b"], "counter": s["counter"] + 10}


def build_sub():
    g = StateGraph(SubState)
    g.add_node("sub_a", sub_a)
    g.add_node("sub_b", sub_b)
    g.add_edge(START, "sub_a")
    g.add_edge("sub_a", "sub_b")
    g.add_edge("sub_b", END)
    return g.compile()


def prepare(s: State):
    return {"log": ["prepare"], "counter": s.get("counter", 0) + 1, "notes": {"turn": len(s["log"])}}


def approve(s: State, config):
    thread = config["configurable"]["thread_id"]
    first = interrupt({"question": "first?", "counter": s["counter"]})
    AFTER_FIRST[thread] = AFTER_FIRST.get(thread, 0) + 1
    second = interrupt({"question": "second?", "first": first})
    AFTER_SECOND[thread] = AFTER_SECOND.get(thread, 0) + 1
    return {"log": [f"approved:{first}:{second}"], "counter": s["counter"] * 2}


def finish(s: State):
    return {"log": ["finish"]}


def build(checkpointer):
    g = StateGraph(State)
    g.add_node("prepare", prepare)
    g.add_node("sub", build_sub())
    g.add_node("approve", approve)
    g.add_node("finish", finish)
    g.add_edge(START, "prepare")
    g.add_edge("prepare", "sub")
    g.add_edge("sub", "approve")
    g.add_edge("approve", "finish")
    g.add_edge("finish", END)
    return g.compile(checkpointer=checkpointer)


@contextmanager
def saver(url):
    if url.startswith("postgres"):
        from langgraph.checkpoint.postgres import PostgresSaver

        with PostgresSaver.from_conn_string(url) as s:
            s.setup()
            yield s
    else:
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = sqlite3.connect(url, check_same_thread=False)
        s = SqliteSaver(conn)
        s.setup()
        try:
            yield s
        finally:
            conn.close()


def cfg(thread):
    return {"configurable": {"thread_id": thread}}


def turn(graph, thread, text, answers):
    """One user turn, resumed with each of `answers` in order."""
    graph.invoke({"log": [text]}, cfg(thread))
    for a in answers:
        graph.invoke(Command(resume=a), cfg(thread))


def populate(url, prefix=""):
    with saver(url) as s:
        g = build(s)
        turn(g, f"{prefix}t-done", "in1", ["a1", "b1"])
        turn(g, f"{prefix}t-done", "in2", ["a2", "b2"])
        turn(g, f"{prefix}t-pending", "in1", ["a1", "b1"])
        turn(g, f"{prefix}t-pending", "in2", ["a2"])  # waits at the second interrupt
        turn(g, f"{prefix}t-fresh", "in1", [])  # waits at the first interrupt


def snapshot(g, thread):
    st = g.get_state(cfg(thread))
    return {
        "values": st.values,
        "next": list(st.next),
        "interrupts": [i.value for t in st.tasks for i in t.interrupts],
    }


def resume(url):
    out = {}
    with saver(url) as s:
        g = build(s)
        for thread in ["t-done", "t-pending", "t-fresh"]:
            before = snapshot(g, thread)
            steps = 0
            while g.get_state(cfg(thread)).next and steps < 5:
                g.invoke(Command(resume=f"r{steps}"), cfg(thread))
                steps += 1
            resumed = snapshot(g, thread)
            turn(g, thread, "again", ["x", "y"])
            out[thread] = {
                "before": before,
                "resumed": resumed,
                "after_new_turn": snapshot(g, thread),
                "after_first_ran": AFTER_FIRST.get(thread, 0),
                "after_second_ran": AFTER_SECOND.get(thread, 0),
            }
    print(json.dumps(out, sort_keys=True, default=str))


def build_delta(checkpointer):
    from langgraph.channels.delta import DeltaChannel

    def add(state, writes):
        out = list(state)
        for w in writes:
            out.extend(w)
        return out

    class DState(TypedDict):
        items: Annotated[list, DeltaChannel(add, snapshot_frequency=3)]

    def step(s):
        return {"items": [len(s.get("items") or [])]}

    g = StateGraph(DState)
    g.add_node("step", step)
    g.add_edge(START, "step")
    g.add_edge("step", END)
    return g.compile(checkpointer=checkpointer)


def delta(url):
    with saver(url) as s:
        g = build_delta(s)
        for _ in range(5):
            g.invoke({"items": []}, cfg("d1"))


def delta_state(url):
    with saver(url) as s:
        g = build_delta(s)
        print(json.dumps(g.get_state(cfg("d1")).values, sort_keys=True))


def writer(url, seconds, ident):
    """Adds turns to its own thread until time is up; any error fails the process."""
    thread = f"w-{ident}"
    deadline = time.time() + float(seconds)
    turns = 0
    with saver(url) as s:
        g = build(s)
        while time.time() < deadline:
            turn(g, thread, f"w{turns}", ["a", "b"])
            turns += 1
            # The turn ran whole from the head it started on.
            log = g.get_state(cfg(thread)).values["log"]
            assert log[-2:] == ["approved:a:b", "finish"], log[-6:]
        st = g.get_state(cfg(thread))
        assert not st.next, st
        assert st.values["log"][-1] == "finish", st.values
    print(json.dumps({"thread": thread, "turns": turns}))


if __name__ == "__main__":
    mode, url, *rest = sys.argv[1:]
    {
        "populate": populate,
        "delta": delta,
        "resume": resume,
        "delta-state": delta_state,
        "writer": writer,
    }[mode](url, *rest)
