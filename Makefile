# The single entry point. `make run` starts the whole system; `make test` runs every test.
.PHONY: run demo test contract tools build lint fmt bench proto-check k8s-validate ops-check audit-verify clean-data

run: ## start the broker, the four services on SQLite and the gateway (web page on :8080); SEED=1 adds demo data
	scripts/run.sh

demo: ## seed demo employers and cases in every state into a running system (make run in another terminal)
	cargo run -q -p e2e --bin demo-seed -- --url http://127.0.0.1:8080

test: ## unit + end-to-end tests against a real broker, PostgreSQL and SQLite
	scripts/test.sh

contract: ## schemathesis against a running stack: every answer documented and matching its schema, no 5xx
	scripts/contract.sh

tools: ## install the Debian packages and the Tansu broker the build and tests need
	scripts/tools.sh

build:
	scripts/tools.sh && cargo build --workspace --bins

lint: ## formatting and clippy, warnings are errors
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

fmt:
	cargo fmt --all

bench: ## approve → downstream latency over 100+ cases, beside the raw broker latency
	scripts/tools.sh && cargo run --release -p e2e --bin fanout-bench

proto-check: ## buf lint + breaking check against main (needs `pip install buf-bin`)
	cd proto && buf lint && buf breaking --against '../.git#branch=main,subdir=proto'

k8s-validate: ## render every overlay (kubectl kustomize) and validate it offline: Kubernetes schemas, CRD checks, cross-checks
	scripts/k8s-validate.sh

ops-check: ## promtool on the Prometheus config, alert rules and their tests; the dashboard, collector and PrometheusRule checks
	scripts/ops-check.sh

audit-verify: ## walk every service's access-log chain in the make-run data (.data/); exit 1 on a broken link
	scripts/audit-verify.sh

clean-data:
	rm -rf .data
