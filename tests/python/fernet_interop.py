"""Fernet interop between agentdb and Python's real `cryptography`, through the database.

    fernet_interop.py read URL TENANT
        Reads every config of TENANT with plain SQL and decrypts it as a Python app would (the
        README's snippet). Prints {key: {"value": <document>, "encrypted": bool,
        "timestamp": <token time or null>, "padded": bool}} as JSON.
    fernet_interop.py write URL TENANT
        Inserts configs whose tokens Python made, one per edge case, and prints
        {key: <plaintext text>} as JSON. Keys come from the environment:
        PY_KEY (encrypts), PY_OLD_KEY (an older key, for MultiFernet and rotate).
    fernet_interop.py check-key KEY
        Exits 0 when Python's Fernet accepts KEY, 1 when it refuses it.

URL is a PostgreSQL URL or a SQLite file path. AGENTDB_CONFIG_KEYS holds the reading keys.
"""

import base64
import hashlib
import json
import os
import sqlite3
import sys
import time

import psycopg
from cryptography.fernet import Fernet, MultiFernet


def connect(url):
    if url.startswith("postgres"):
        return psycopg.connect(url, autocommit=True), "%s"
    return sqlite3.connect(url, isolation_level=None), "?"


# ---- What a Python app writes to read a config (the README's five lines) --------------------
fernet = None


def config_value(value):  # tenant_configs.value: a dict from jsonb (psycopg), text on SQLite
    doc = json.loads(value) if isinstance(value, str) else value
    return json.loads(fernet.decrypt(doc["fernet"])) if isinstance(doc, dict) and list(doc) == ["fernet"] else doc
# ----------------------------------------------------------------------------------------------


def read(url, tenant):
    global fernet
    keys = [Fernet(k.strip()) for k in os.environ["AGENTDB_CONFIG_KEYS"].split(",")]
    fernet = MultiFernet(keys)
    conn, p = connect(url)
    rows = conn.execute(
        f"SELECT key, value FROM tenant_configs WHERE tenant_id = {p} ORDER BY key", (tenant,)
    ).fetchall()
    out = {}
    for key, value in rows:
        doc = json.loads(value) if isinstance(value, str) else value
        encrypted = isinstance(doc, dict) and list(doc) == ["fernet"]
        token = doc["fernet"] if encrypted else None
        out[key] = {
            "value": config_value(value),
            "encrypted": encrypted,
            # Any key decrypts it, so the first that does tells the time.
            "timestamp": next(
                (f.extract_timestamp(token.encode()) for f in keys if _decrypts(f, token)), None
            ) if encrypted else None,
            # Unpadded tokens are refused by Python; a padded one's length is a multiple of 4.
            "padded": token is not None and len(token.strip()) % 4 == 0,
        }
    print(json.dumps(out))


def _decrypts(f, token):
    try:
        f.decrypt(token)
        return True
    except Exception:
        return False


def write(url, tenant):
    key = os.environ["PY_KEY"]
    old_key = os.environ["PY_OLD_KEY"]
    new, old = Fernet(key), Fernet(old_key)
    standard_key = base64.b64encode(base64.urlsafe_b64decode(key)).decode()
    plaintexts = {
        "py_plain": '{"token": "py-made", "n": 1}',
        "py_whitespace": '{"case": "token with whitespace around it"}',
        "py_standard_key": '{"case": "made with the key in standard base64"}',
        "py_future": '{"case": "dated one day ahead"}',
        "py_old_key": '{"case": "made with the older key"}',
        "py_rotated": '{"case": "MultiFernet.rotate made it"}',
    }
    tokens = {
        "py_plain": new.encrypt(plaintexts["py_plain"].encode()).decode(),
        "py_whitespace": "  " + new.encrypt(plaintexts["py_whitespace"].encode()).decode() + "\n",
        "py_standard_key": Fernet(standard_key).encrypt(plaintexts["py_standard_key"].encode()).decode(),
        "py_future": new.encrypt_at_time(plaintexts["py_future"].encode(), int(time.time()) + 86400).decode(),
        "py_old_key": old.encrypt_at_time(plaintexts["py_old_key"].encode(), 1_600_000_000).decode(),
        "py_rotated": MultiFernet([new, old]).rotate(
            old.encrypt_at_time(plaintexts["py_rotated"].encode(), 1_500_000_000)
        ).decode(),
    }
    conn, p = connect(url)
    cast = "::jsonb" if p == "%s" else ""
    for k, token in tokens.items():
        conn.execute(
            f"INSERT INTO tenant_configs (tenant_id, key, value, source_file, content_hash) "
            f"VALUES ({p}, {p}, {p}{cast}, {p}, {p})",
            (
                tenant,
                k,
                json.dumps({"fernet": token}),
                k + ".json",
                hashlib.sha256(plaintexts[k].encode()).hexdigest(),
            ),
        )
    print(json.dumps(plaintexts))


def check_key(key):
    try:
        Fernet(key)
    except ValueError:
        sys.exit(1)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "read":
        read(sys.argv[2], sys.argv[3])
    elif mode == "write":
        write(sys.argv[2], sys.argv[3])
    elif mode == "check-key":
        check_key(sys.argv[2])
    else:
        sys.exit(f"unknown mode {mode}")
