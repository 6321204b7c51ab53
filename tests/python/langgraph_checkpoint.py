"""Creates LangGraph's checkpoint tables with the real saver and writes one checkpoint.

Usage: langgraph_checkpoint.py postgres URL | sqlite PATH
"""
import sys

from langgraph.checkpoint.base import empty_checkpoint

kind, target = sys.argv[1], sys.argv[2]
config = {"configurable": {"thread_id": "drift-test", "checkpoint_ns": ""}}
if kind == "postgres":
    from langgraph.checkpoint.postgres import PostgresSaver

    with PostgresSaver.from_conn_string(target) as saver:
        saver.setup()
        saver.put(config, empty_checkpoint(), {}, {})
else:
    from langgraph.checkpoint.sqlite import SqliteSaver

    with SqliteSaver.from_conn_string(target) as saver:
        saver.setup()
        saver.put(config, empty_checkpoint(), {}, {})
print("ok")
