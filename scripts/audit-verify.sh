#!/usr/bin/env bash
# Walks every service's access-log chain in the `make run` data (SQLite files under .data/,
# or ONETHING_DATA_DIR) and prints each chain's state; exits 1 when any link is broken
# (make audit-verify). Against PostgreSQL, run `<service> audit verify` with the service's
# own settings instead (docs/security.md, "Verifying the chains").
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${ONETHING_DATA_DIR:-.data}"
cargo build --workspace --bins -q
status=0
for s in service-center science-tech hrss public-security ops; do
  if [ ! -f "$DATA/$s.db" ]; then echo "$s: no database at $DATA/$s.db (never started)"; continue; fi
  ONETHING__PLATFORM__DATABASE__DATA_DIR="$DATA" "${CARGO_TARGET_DIR:-target}/debug/$s" audit verify || status=1
done
exit "$status"
