#!/usr/bin/env bash
# Benchmarks agentdb against the SQL floor (sqlite3, a minimal libpq C program) and the tools
# operators would otherwise use (dbmate from npm, Alembic from PyPI), on SQLite and PostgreSQL.
# Usage: bench/run.sh [--runs N] [--quick]   (see bench/bench.py --help)
# Tools and data sets are kept in bench/.cache (not committed); the 10M-message databases are
# generated once and reused. Results: bench/results.md, and the README's table.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=bench/.cache
mkdir -p "$cache"

echo "bench: building release" >&2
cargo build --release --locked -q

if [ ! -x "$cache/npm/node_modules/.bin/dbmate" ]; then
  echo "bench: installing dbmate (npm)" >&2
  npm install --silent --no-audit --no-fund --prefix "$cache/npm" dbmate >/dev/null
fi
if [ ! -x "$cache/venv/bin/alembic" ]; then
  echo "bench: installing alembic (PyPI)" >&2
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install -q alembic psycopg2-binary
fi
if [ ! -x "$cache/pgfloor" ] || [ bench/pgfloor.c -nt "$cache/pgfloor" ]; then
  if [ ! -f "$(pg_config --includedir 2>/dev/null)/libpq-fe.h" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev >/dev/null
  fi
  gcc -O2 -o "$cache/pgfloor" bench/pgfloor.c -I"$(pg_config --includedir)" -lpq
fi
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi

exec python3 bench/bench.py "$@"
