"""Compares a LangGraph database with its copy through the REAL savers, for the
`agentdb copy --include langgraph` tests.

  langgraph_copy.py compare SOURCE_URL TARGET_URL [SKIP_THREAD,...]
      every checkpoint of every thread through list() and get_tuple() on both savers:
      checkpoint, metadata (without `writes`, which PostgresSaver drops), parent config and
      pending writes; JSON {"checkpoints": N, "equal": N, "different": [...]} on stdout

  langgraph_copy.py encrypted SQLITE_PATH
      thread t-secret written by SqliteSaver with LangGraph's EncryptedSerializer (AES-GCM
      from `cryptography`): checkpoints typed "msgpack+aes"

URL: a SQLite file path, or postgres://... (PostgresSaver).
"""

import json
import sqlite3
import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from langgraph_scenario import saver  # noqa: E402


def threads(url):
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url) as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT thread_id FROM checkpoints ORDER BY 1")]
    with sqlite3.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT DISTINCT thread_id FROM checkpoints ORDER BY 1")]


def normal(t):
    if t is None:
        return None
    meta = {k: v for k, v in t.metadata.items() if k != "writes"}
    return json.dumps(
        {
            "config": t.config,
            "checkpoint": t.checkpoint,
            "metadata": meta,
            "parent": t.parent_config,
            "writes": sorted(t.pending_writes or [], key=repr),
        },
        sort_keys=True,
        default=repr,
    )


def compare(source, target, skip=""):
    out = {"checkpoints": 0, "equal": 0, "different": []}
    with saver(source) as a, saver(target) as b:
        for thread in threads(source):
            if thread in skip.split(","):
                continue
            for ns in {t.config["configurable"]["checkpoint_ns"] for t in a.list(None) if t.config["configurable"]["thread_id"] == thread}:
                cfg = {"configurable": {"thread_id": thread, "checkpoint_ns": ns}}
                left = [normal(t) for t in a.list(cfg)]
                right = [normal(t) for t in b.list(cfg)]
                out["checkpoints"] += len(left)
                for i, item in enumerate(left):
                    if i < len(right) and right[i] == item:
                        out["equal"] += 1
                    else:
                        out["different"].append(f"{thread}/{ns}/{i}")
                if len(right) != len(left):
                    out["different"].append(f"{thread}/{ns}: {len(left)} vs {len(right)}")
                if normal(a.get_tuple(cfg)) != normal(b.get_tuple(cfg)):
                    out["different"].append(f"{thread}/{ns}: get_tuple")
    print(json.dumps(out, sort_keys=True))


class AesGcm:
    """LangGraph's CipherProtocol with AES-GCM from `cryptography`."""

    def __init__(self):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.aead = AESGCM(b"k" * 32)

    def encrypt(self, plaintext):
        import os

        nonce = os.urandom(12)
        return "aes", nonce + self.aead.encrypt(nonce, plaintext, None)

    def decrypt(self, ciphername, ciphertext):
        return self.aead.decrypt(ciphertext[:12], ciphertext[12:], None)


def encrypted(path):
    from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph_scenario import build, turn

    conn = sqlite3.connect(path, check_same_thread=False)
    s = SqliteSaver(conn, serde=EncryptedSerializer(AesGcm()))
    s.setup()
    turn(build(s), "t-secret", "in1", ["a1"])
    conn.close()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"compare": compare, "encrypted": encrypted}[command](*args)
