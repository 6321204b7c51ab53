#!/usr/bin/env bash
# Benchmarks agentdb against the SQL floor (sqlite3, a minimal libpq C program, each with its
# defaults) and the tools operators would otherwise use (dbmate's native binary from npm,
# diesel_cli and sqlx-cli from crates.io, Alembic from PyPI), on SQLite and PostgreSQL.
# Usage: bench/run.sh [--runs N] [--quick] [--only GROUP] [--baseline BIN]   (bench/bench.py --help)
# Tools and data sets are kept in bench/.cache (not committed); the tools are installed and the
# 1M- and 10M-message databases generated once, then reused. Results: bench/results.md, and the
# table in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=bench/.cache
mkdir -p "$cache"

echo "bench: building release" >&2
cargo build --release --locked -q

# libpq's headers: for the PostgreSQL floor and diesel_cli.
if [ ! -f "$(pg_config --includedir 2>/dev/null)/libpq-fe.h" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpq-dev >/dev/null
fi
if [ ! -x "$cache/npm/node_modules/@dbmate/linux-x64/bin/dbmate" ]; then
  echo "bench: installing dbmate (npm)" >&2
  npm install --silent --no-audit --no-fund --prefix "$cache/npm" dbmate >/dev/null
fi
# The Rust peers, built once (several minutes each): bundled SQLite and rustls, so they need no
# system SQLite or OpenSSL headers; diesel_cli's postgres feature links the system libpq.
if [ ! -x "$cache/cargo/bin/diesel" ]; then
  echo "bench: installing diesel_cli (crates.io, once)" >&2
  cargo install --locked -q --root "$cache/cargo" diesel_cli --no-default-features --features "sqlite-bundled postgres"
fi
if [ ! -x "$cache/cargo/bin/sqlx" ]; then
  echo "bench: installing sqlx-cli (crates.io, once)" >&2
  cargo install --locked -q --root "$cache/cargo" sqlx-cli --no-default-features --features "rustls sqlite postgres"
fi
if [ ! -x "$cache/venv/bin/alembic" ]; then
  echo "bench: installing alembic (PyPI)" >&2
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install -q alembic psycopg2-binary
fi
if [ ! -x "$cache/pgfloor" ] || [ bench/pgfloor.c -nt "$cache/pgfloor" ]; then
  gcc -O2 -o "$cache/pgfloor" bench/pgfloor.c -I"$(pg_config --includedir)" -lpq
fi
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3 >/dev/null; }
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
fi

exec python3 bench/bench.py "$@"
