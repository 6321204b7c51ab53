"""The reference: LangGraph's own PostgresSaver.prune(keep_latest) (checkpoint-postgres 3.2.0).

  postgres_reference_prune.py URL THREAD...
"""

import sys

from langgraph.checkpoint.postgres import PostgresSaver

if __name__ == "__main__":
    url, *threads = sys.argv[1:]
    with PostgresSaver.from_conn_string(url) as saver:
        saver.prune(threads, strategy="keep_latest")
