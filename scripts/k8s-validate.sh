#!/usr/bin/env bash
# Renders every overlay with `kubectl kustomize` and validates the result offline
# (make k8s-validate; CI runs it too): Kubernetes' own kinds strictly against the schemas of
# Kubernetes $K8S_VERSION shipped by the kubernetes-validate package (PyPI, installed under
# .tools/kv on first use), the operators' kinds (Strimzi, CloudNativePG, Prometheus
# operator) against the small schemas of scripts/k8s_validate.py, then cross-checks (see
# there). Needs no cluster and no network once installed; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

KV_PACKAGE="kubernetes-validate==1.37.0"
KV_DIR=".tools/kv"
export K8S_VERSION="${K8S_VERSION:-1.32.0}"

command -v kubectl >/dev/null 2>&1 || { echo "kubectl not found (it renders the overlays: kubectl kustomize)" >&2; exit 1; }
if ! PYTHONPATH="$KV_DIR" python3 -c 'import kubernetes_validate, yaml' 2>/dev/null; then
  echo "==> fetching $KV_PACKAGE"
  python3 -m pip install -q --disable-pip-version-check --target "$KV_DIR" "$KV_PACKAGE"
fi
export PYTHONPATH="$PWD/$KV_DIR${PYTHONPATH:+:$PYTHONPATH}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
status=0
for o in k8s/overlays/*/; do
  name="$(basename "$o")"
  if ! kubectl kustomize "$o" >"$tmp/$name.yaml"; then
    echo "FAIL $name: kubectl kustomize $o" >&2; status=1; continue
  fi
  python3 scripts/k8s_validate.py "$name" "$tmp/$name.yaml" || status=1
done
[ "$status" -eq 0 ] && echo "==> k8s-validate passed" || echo "==> k8s-validate FAILED" >&2
exit "$status"
