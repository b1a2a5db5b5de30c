#!/usr/bin/env python3
"""Checks of the operators' configs that promtool does not do (run by scripts/ops-check.sh).

- the Grafana dashboard: JSON, schemaVersion >= 38, the ${DS_PROMETHEUS} input, every
  panel with that datasource and targets with an expr, every onething_* name in an expr one
  of the fixed series of shared/API.md ("Operations"); writes the exprs to a rules file so
  that promtool can check their PromQL (`dashboard-rules OUT`);
- the OpenTelemetry collector config: YAML, OTLP on 4317 (gRPC) and 4318 (HTTP), a batch
  processor, traces to otlp/jaeger and debug, every pipeline naming only declared parts;
  and k8s/components/otel-collector/config.yaml the same file;
- the alert rules: k8s/components/monitoring/prometheus-rule.yaml carries exactly the groups
  of deploy/prometheus/alerts.yml.

Exits non-zero with one line per problem. `ops_check.py sync` writes the two k8s copies
(the PrometheusRule from alerts.yml, the collector config) after an edit of the originals.
"""
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "deploy/grafana/onething-dashboard.json"
COLLECTOR = ROOT / "deploy/otel/collector.yaml"
K8S_COLLECTOR = ROOT / "k8s/components/otel-collector/config.yaml"
ALERTS = ROOT / "deploy/prometheus/alerts.yml"
K8S_RULE = ROOT / "k8s/components/monitoring/prometheus-rule.yaml"

# shared/API.md, "Operations" (and issue 12): the only series names the system exports.
METRICS = {
    "onething_events_published_total",
    "onething_events_consumed_total",
    "onething_outbox_backlog",
    "onething_outbox_oldest_age_seconds",
    "onething_consumer_lag",
    "onething_dead_letters_total",
    "onething_items",
    "onething_items_overdue",
    "onething_http_requests_total",
    "onething_http_request_duration_seconds",
    "onething_grpc_requests_total",
    "onething_grpc_request_duration_seconds",
}
HISTOGRAMS = {"onething_http_request_duration_seconds", "onething_grpc_request_duration_seconds"}
KNOWN = METRICS | {h + s for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")}
DS_UID = "${DS_PROMETHEUS}"

problems = []


def problem(msg):
    problems.append(msg)


def panels_of(dash):
    for p in dash.get("panels", []):
        yield p
        for inner in p.get("panels", []) or []:
            yield inner


def check_dashboard():
    try:
        dash = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        problem(f"{DASHBOARD.relative_to(ROOT)}: not JSON: {e}")
        return []
    name = DASHBOARD.relative_to(ROOT)
    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 38:
        problem(f"{name}: schemaVersion must be >= 38, is {dash.get('schemaVersion')!r}")
    if not any(i.get("name") == "DS_PROMETHEUS" and i.get("type") == "datasource" for i in dash.get("__inputs", [])):
        problem(f"{name}: no DS_PROMETHEUS datasource in __inputs")
    exprs, ids = [], set()
    for p in panels_of(dash):
        title = p.get("title", f"panel {p.get('id')}")
        if p.get("id") in ids:
            problem(f"{name}: panel id {p.get('id')} used twice")
        ids.add(p.get("id"))
        if p.get("type") == "row":
            continue
        if (p.get("datasource") or {}).get("uid") != DS_UID:
            problem(f"{name}: {title!r} has no datasource {DS_UID}")
        targets = p.get("targets") or []
        if not targets:
            problem(f"{name}: {title!r} has no targets")
        for t in targets:
            expr = (t.get("expr") or "").strip()
            if not expr:
                problem(f"{name}: {title!r} target {t.get('refId')} has no expr")
                continue
            if "datasource" in t and (t["datasource"] or {}).get("uid") != DS_UID:
                problem(f"{name}: {title!r} target {t.get('refId')} has another datasource")
            names = set(re.findall(r"\bonething_[a-z0-9_]+", expr))
            if not names:
                problem(f"{name}: {title!r}: expr mentions no onething_ series: {expr}")
            for unknown in sorted(names - KNOWN):
                problem(f"{name}: {title!r}: {unknown} is not one of the fixed series names")
            exprs.append((title, expr))
    if not exprs:
        problem(f"{name}: no panels with queries")
    return exprs


def dashboard_rules(out):
    """The dashboard's queries as recording rules, for `promtool check rules` (PromQL syntax)."""
    exprs = check_dashboard()
    rules = [{"record": f"dashboard:query_{i}", "expr": re.sub(r"\$__(rate_interval|interval|range)", "5m", e)}
             for i, (_, e) in enumerate(exprs)]
    Path(out).write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, allow_unicode=True))


def check_collector():
    name = COLLECTOR.relative_to(ROOT)
    try:
        cfg = yaml.safe_load(COLLECTOR.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problem(f"{name}: not YAML: {e}")
        return
    if not isinstance(cfg, dict):
        problem(f"{name}: not a mapping")
        return
    protocols = (((cfg.get("receivers") or {}).get("otlp") or {}).get("protocols") or {})
    for proto, port in (("grpc", "4317"), ("http", "4318")):
        endpoint = str((protocols.get(proto) or {}).get("endpoint", ""))
        if not endpoint.endswith(":" + port):
            problem(f"{name}: receivers.otlp.protocols.{proto}.endpoint must listen on {port}, is {endpoint!r}")
    if "batch" not in (cfg.get("processors") or {}):
        problem(f"{name}: no batch processor")
    service = cfg.get("service") or {}
    for ext in service.get("extensions", []) or []:
        if ext not in (cfg.get("extensions") or {}):
            problem(f"{name}: service.extensions names {ext!r}, which is not declared")
    pipelines = service.get("pipelines") or {}
    if "traces" not in pipelines:
        problem(f"{name}: no traces pipeline")
    for pname, pipe in pipelines.items():
        for part in ("receivers", "processors", "exporters"):
            for ref in (pipe or {}).get(part, []) or []:
                if ref not in (cfg.get(part) or {}):
                    problem(f"{name}: pipeline {pname} names {part[:-1]} {ref!r}, which is not declared")
        if not (pipe or {}).get("receivers") or not (pipe or {}).get("exporters"):
            problem(f"{name}: pipeline {pname} needs receivers and exporters")
    traces = pipelines.get("traces") or {}
    if "batch" not in (traces.get("processors") or []):
        problem(f"{name}: the traces pipeline does not batch")
    for exp in ("otlp/jaeger", "debug"):
        if exp not in (traces.get("exporters") or []):
            problem(f"{name}: the traces pipeline does not export to {exp}")
    if not K8S_COLLECTOR.exists() or K8S_COLLECTOR.read_bytes() != COLLECTOR.read_bytes():
        problem(f"{K8S_COLLECTOR.relative_to(ROOT)} is not a copy of {name}: cp {name} {K8S_COLLECTOR.relative_to(ROOT)}")


def rule_groups_differ(alert_groups, k8s_groups):
    """None when the two rule sets are the same, else what differs (by alert)."""
    if alert_groups == k8s_groups:
        return None

    def by_alert(groups):
        return {(g.get("name"), r.get("alert") or r.get("record")): r for g in groups or [] for r in g.get("rules", [])}

    a, k = by_alert(alert_groups), by_alert(k8s_groups)
    diffs = [f"only in alerts.yml: {n}" for n in sorted(a.keys() - k.keys(), key=str)]
    diffs += [f"only in the PrometheusRule: {n}" for n in sorted(k.keys() - a.keys(), key=str)]
    diffs += [f"{n} differs" for n in sorted(a.keys() & k.keys(), key=str) if a[n] != k[n]]
    return "; ".join(diffs) or "the groups differ in order or in their own fields"


def check_rules_in_sync():
    try:
        alerts = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
        rule = yaml.safe_load(K8S_RULE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        problem(f"alert rules: {e}")
        return
    diff = rule_groups_differ(alerts.get("groups"), ((rule or {}).get("spec") or {}).get("groups"))
    if diff:
        problem(f"{K8S_RULE.relative_to(ROOT)} and {ALERTS.relative_to(ROOT)} differ: {diff}")


RULE_HEADER = """# The alert rules of deploy/prometheus/alerts.yml, for the Prometheus operator. Keep the two
# identical: edit alerts.yml (and its tests), then `python3 scripts/ops_check.py sync`;
# `make ops-check` and `make k8s-validate` fail when they differ.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: onething
  labels: {app.kubernetes.io/part-of: onething}
spec:
"""


def sync():
    """Rewrites the k8s copies from deploy/: the PrometheusRule's groups, the collector config."""
    alerts = ALERTS.read_text(encoding="utf-8")
    groups = alerts[alerts.index("groups:"):]
    K8S_RULE.write_text(RULE_HEADER + "".join(("  " + l if l.strip() else l) for l in groups.splitlines(True)),
                        encoding="utf-8")
    K8S_COLLECTOR.write_bytes(COLLECTOR.read_bytes())
    print(f"wrote {K8S_RULE.relative_to(ROOT)} and {K8S_COLLECTOR.relative_to(ROOT)}")


def main():
    if sys.argv[1:] == ["sync"]:
        sync()
    elif len(sys.argv) == 3 and sys.argv[1] == "dashboard-rules":
        dashboard_rules(sys.argv[2])
    else:
        exprs = check_dashboard()
        check_collector()
        check_rules_in_sync()
        if not problems:
            print(f"ok   dashboard: {len(exprs)} queries, each on a fixed series name")
            print("ok   collector: OTLP 4317/4318, batch, traces to otlp/jaeger and debug; k8s copy identical")
            print("ok   PrometheusRule: the same rule groups as alerts.yml")
    for p in problems:
        print(f"FAIL {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
