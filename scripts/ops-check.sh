#!/usr/bin/env bash
# Checks the operators' configs under deploy/ (make ops-check; CI runs it too):
# - promtool (Debian's prometheus package, installed when missing): the scrape config, the
#   alert rules and their unit tests (deploy/prometheus/tests.yml), and the PromQL of every
#   dashboard query;
# - scripts/ops_check.py: the Grafana dashboard (datasource, targets, only the fixed series
#   names), the OpenTelemetry collector config (parsed and its pipelines checked; no
#   otelcol binary needed) and its k8s copy, and the PrometheusRule carrying the same rules
#   as alerts.yml.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v promtool >/dev/null 2>&1; then
  echo "==> installing Debian package: prometheus (for promtool)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

# PyYAML for the python checks: the interpreter's own, or a copy under .tools/.
PYYAML_DIR=".tools/pyyaml"
if ! python3 -c 'import yaml' 2>/dev/null && ! PYTHONPATH="$PYYAML_DIR" python3 -c 'import yaml' 2>/dev/null; then
  echo "==> fetching PyYAML"
  python3 -m pip install -q --disable-pip-version-check --target "$PYYAML_DIR" pyyaml
fi
export PYTHONPATH="$PWD/$PYYAML_DIR${PYTHONPATH:+:$PYTHONPATH}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "==> promtool check config"
promtool check config deploy/prometheus/prometheus.yml
echo "==> promtool check rules"
promtool check rules deploy/prometheus/alerts.yml
echo "==> promtool test rules"
promtool test rules deploy/prometheus/tests.yml
echo "==> dashboard queries (PromQL syntax)"
python3 scripts/ops_check.py dashboard-rules "$tmp/dashboard-rules.yml"
promtool check rules "$tmp/dashboard-rules.yml"
echo "==> dashboard, collector, PrometheusRule"
python3 scripts/ops_check.py
echo "==> ops-check passed"
