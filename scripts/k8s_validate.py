#!/usr/bin/env python3
"""Validates one rendered overlay (`kubectl kustomize k8s/overlays/NAME`) offline.

usage: k8s_validate.py OVERLAY_NAME RENDERED.yaml   (run by scripts/k8s-validate.sh)

- Kubernetes' own kinds (Deployment, Service, HorizontalPodAutoscaler, ...): strictly
  against the JSON schemas of Kubernetes $K8S_VERSION that the kubernetes-validate package
  ships (unknown fields are errors).
- The operators' kinds (Strimzi Kafka/KafkaNodePool/KafkaTopic, CloudNativePG Cluster,
  Prometheus operator ServiceMonitor/PrometheusRule) have no schema there, and their CRDs
  are not on this machine: they are checked by the small schemas below, which list only the
  fields these manifests use (apiVersion, kind, metadata.name, the required spec fields and
  their types; any other field is an error, so a typo is caught). Adding a field to a
  manifest means adding it here.
- A kind that is in neither set is an error.
- Then the cross-checks: every service has its metrics port, every ServiceMonitor selects
  a Service with the port it names, every autoscaler and disruption budget its Deployment;
  in prod, a KafkaTopic for exactly the topics of crates/platform/src/events/mod.rs and
  their .dlq twins, a database Cluster per service, the PrometheusRule the same rules as
  deploy/prometheus/alerts.yml, and kafka_create_topics "false".
"""
import os
import re
import sys
from pathlib import Path

import yaml
import kubernetes_validate
from kubernetes_validate.utils import InvalidSchemaError, SchemaNotFoundError, ValidationError, VersionNotSupportedError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from ops_check import ALERTS, rule_groups_differ  # noqa: E402

K8S_VERSION = os.environ.get("K8S_VERSION", "1.32.0")
SERVICES = ["service-center", "science-tech", "hrss", "public-security", "ops"]
APPS = ["gateway"] + SERVICES
METRICS_PORT = 9464

# ---- a small schema language for the operators' kinds ----------------------------------
# {"field": spec} is an object with exactly those fields ("field!" = required); [spec] a
# list of spec; ("map", spec) an object with any keys; a type or a regex string a scalar.
NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"  # RFC 1123 label: no dots, no capitals
DURATION = r"^([0-9]+(ms|s|m|h|d|w|y))+$"
QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$"
SCALAR = (str, int, float, bool)

METADATA = {"name!": NAME, "namespace": NAME, "labels": ("map", str), "annotations": ("map", str)}
LABEL_SELECTOR = {"matchLabels": ("map", str)}
RULE = {"alert": str, "record": str, "expr!": str, "for": DURATION,
        "labels": ("map", str), "annotations": ("map", str)}

CRD_SCHEMAS = {
    ("kafka.strimzi.io/v1beta2", "Kafka"): {
        "kafka!": {
            "version!": str,
            "listeners!": [{"name!": r"^[a-z0-9]{1,11}$", "port!": int, "type!": r"^(internal|route|loadbalancer|nodeport|ingress|cluster-ip)$", "tls!": bool,
                            "authentication": {"type!": r"^(scram-sha-512|tls)$"}}],
            "authorization": {"type!": r"^simple$"},
            "config": ("map", SCALAR),
        },
        "entityOperator": {"topicOperator": {}, "userOperator": {}},
    },
    ("kafka.strimzi.io/v1beta2", "KafkaNodePool"): {
        "replicas!": int,
        "roles!": [r"^(controller|broker)$"],
        "storage!": {"type!": r"^(ephemeral|persistent-claim|jbod)$", "size": QUANTITY},
    },
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): {
        "topicName": r"^[a-zA-Z0-9._-]{1,249}$",
        "partitions!": int,
        "replicas!": int,
        "config": ("map", SCALAR),
    },
    ("kafka.strimzi.io/v1beta2", "KafkaUser"): {
        "authentication!": {"type!": r"^scram-sha-512$"},
        "authorization!": {"type!": r"^simple$", "acls!": [{
            "resource!": {"type!": r"^(topic|group|cluster)$", "name": str, "patternType": r"^(literal|prefix)$"},
            "operations!": [r"^(Read|Write|Describe|Create|Delete|Alter|DescribeConfigs|IdempotentWrite|All)$"],
        }]},
    },
    ("postgresql.cnpg.io/v1", "Cluster"): {
        "instances!": int,
        "primaryUpdateStrategy": r"^(supervised|unsupervised)$",
        "storage!": {"size!": QUANTITY, "storageClass": str},
        "bootstrap": {"initdb!": {"database!": r"^[a-z_][a-z0-9_]*$", "owner!": r"^[a-z_][a-z0-9_]*$"}},
        "affinity": {"enablePodAntiAffinity": bool, "topologyKey": str},
        "resources": {"requests": ("map", QUANTITY), "limits": ("map", QUANTITY)},
    },
    ("monitoring.coreos.com/v1", "ServiceMonitor"): {
        "selector!": LABEL_SELECTOR,
        "endpoints!": [{"port!": NAME, "path": r"^/", "interval": DURATION, "honorLabels": bool}],
    },
    ("monitoring.coreos.com/v1", "PrometheusRule"): {
        "groups!": [{"name!": str, "interval": DURATION, "rules!": [RULE]}],
    },
}
# Labels the operators require on a resource.
CRD_LABELS = {"KafkaNodePool": ["strimzi.io/cluster"], "KafkaTopic": ["strimzi.io/cluster"], "KafkaUser": ["strimzi.io/cluster"]}

problems = []


def check(value, spec, path):
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return problems.append(f"{path}: must be an object")
        fields = {k.rstrip("!"): k.endswith("!") for k in spec}
        for key, required in fields.items():
            if required and key not in value:
                problems.append(f"{path}.{key}: required")
        for key, v in value.items():
            if key not in fields:
                problems.append(f"{path}.{key}: unknown field (not in scripts/k8s_validate.py's schema)")
            else:
                check(v, spec[key + "!"] if fields[key] else spec[key], f"{path}.{key}")
    elif isinstance(spec, list):
        if not isinstance(value, list) or not value:
            return problems.append(f"{path}: must be a non-empty list")
        for i, v in enumerate(value):
            check(v, spec[0], f"{path}[{i}]")
    elif isinstance(spec, tuple) and spec and spec[0] == "map":
        if not isinstance(value, dict):
            return problems.append(f"{path}: must be an object")
        for k, v in value.items():
            check(v, spec[1], f"{path}.{k}")
    elif isinstance(spec, str):
        if not isinstance(value, str) or not re.match(spec, value):
            problems.append(f"{path}: {value!r} does not match {spec}")
    elif isinstance(spec, tuple):
        if not isinstance(value, spec):
            problems.append(f"{path}: {value!r} must be one of {[t.__name__ for t in spec]}")
    elif spec is int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"{path}: {value!r} must be a non-negative integer")
    elif not isinstance(value, spec):
        problems.append(f"{path}: {value!r} must be a {spec.__name__}")


def check_crd(doc, where):
    schema = CRD_SCHEMAS[(doc["apiVersion"], doc["kind"])]
    extra = set(doc) - {"apiVersion", "kind", "metadata", "spec"}
    if extra:
        problems.append(f"{where}: unknown top-level fields {sorted(extra)}")
    check(doc.get("metadata"), METADATA, f"{where} metadata")
    for label in CRD_LABELS.get(doc["kind"], []):
        if label not in ((doc.get("metadata") or {}).get("labels") or {}):
            problems.append(f"{where}: label {label} required")
    check(doc.get("spec"), schema, f"{where} spec")
    if doc["kind"] == "PrometheusRule":
        for g in (doc.get("spec") or {}).get("groups", []) or []:
            for r in g.get("rules", []) or []:
                if ("alert" in r) == ("record" in r):
                    problems.append(f"{where}: a rule of group {g.get('name')} needs exactly one of alert, record")


def validate_doc(doc, where):
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in CRD_SCHEMAS:
        check_crd(doc, where)
        return "crd"
    try:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        return "core"
    except ValidationError as e:
        path = ".".join(str(p) for p in e.path) or "(top)"
        problems.append(f"{where}: {path}: {e.message}")
    except SchemaNotFoundError:
        problems.append(f"{where}: no Kubernetes {K8S_VERSION} schema and no CRD check for {key[0]} {key[1]}")
    except (InvalidSchemaError, VersionNotSupportedError) as e:
        problems.append(f"{where}: {e}")
    return None


# ---- cross-checks -----------------------------------------------------------------------
def of_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d.get("kind") == kind and isinstance(d.get("metadata"), dict)}


def selects(selector, labels):
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())


def event_topics():
    """ALL_TOPICS of crates/platform/src/events/mod.rs: the `Type => "topic"` lines of events!."""
    src = (ROOT / "crates/platform/src/events/mod.rs").read_text(encoding="utf-8")
    block = src[src.index("events! {"):]
    block = block[: block.index("}")]
    return re.findall(r'=>\s*"([a-z0-9.-]+)"', block)


def event_types():
    """Event type → topic, from events! of crates/platform/src/events/mod.rs."""
    src = (ROOT / "crates/platform/src/events/mod.rs").read_text(encoding="utf-8")
    block = src[src.index("events! {"):]
    block = block[: block.index("}")]
    return dict(re.findall(r'(\w+)\s*=>\s*"([a-z0-9.-]+)"', block))


def consumed_topics(service):
    """The topics a service's consumer group reads: the `.on::<Event, _>` of its startup.rs."""
    src = (ROOT / f"services/{service}/src/startup.rs").read_text(encoding="utf-8")
    types = event_types()
    return sorted({types[t] for t in re.findall(r"\.on::<(?:[\w:]+::)?(\w+),\s*_>", src)})


def kafka_acls():
    """What each service may do on the broker, from the code: write the topics
    crates/platform/data/topic_publishers.json lets it publish and the dead-letter twins of
    what it consumes, read what it consumes with its own group; ops reads every topic and
    dead-letter topic (its dashboards), writes every event topic (the replay of a dead letter
    keeps the original publisher's signature, so it cannot forge one) and describes every
    group (the lag panels). Returns service → {(type, name, patternType, operation)}."""
    import json
    publishers = json.loads((ROOT / "crates/platform/data/topic_publishers.json").read_text(encoding="utf-8"))["topics"]
    topics = event_topics()
    acls = {}
    for svc in SERVICES:
        a = set()
        for t, who in publishers.items():
            if svc in who:
                a |= {("topic", t, "literal", "Write"), ("topic", t, "literal", "Describe")}
        if svc == "ops":
            for t in topics:
                for name in (t, t + ".dlq"):
                    a |= {("topic", name, "literal", "Read"), ("topic", name, "literal", "Describe")}
                a.add(("topic", t, "literal", "Write"))
            a |= {("group", "ops", "literal", "Read"), ("group", "onething-ops-replay", "literal", "Read"),
                  ("group", "onething-lag-reader", "literal", "Read"), ("group", "*", "literal", "Describe")}
        else:
            for t in consumed_topics(svc):
                a |= {("topic", t, "literal", "Read"), ("topic", t, "literal", "Describe"),
                      ("topic", t + ".dlq", "literal", "Write"), ("topic", t + ".dlq", "literal", "Describe")}
            a.add(("group", svc, "literal", "Read"))
        acls[svc] = a
    return acls


def kafka_user(svc, acls):
    """The KafkaUser of `svc` with `acls`, grouped one rule per resource (as committed)."""
    by_resource = {}
    for (typ, name, pattern, op) in sorted(acls):
        by_resource.setdefault((typ, name, pattern), []).append(op)
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaUser",
        "metadata": {"name": svc, "labels": {"strimzi.io/cluster": "onething"}},
        "spec": {"authentication": {"type": "scram-sha-512"}, "authorization": {"type": "simple", "acls": [
            {"resource": {"type": t, "name": n, "patternType": p}, "operations": ops}
            for (t, n, p), ops in sorted(by_resource.items())]}},
    }


def cross_check(overlay, docs):
    deployments, services = of_kind(docs, "Deployment"), of_kind(docs, "Service")
    for app in SERVICES:
        dep, svc = deployments.get(app), services.get(app)
        if not dep or not svc:
            problems.append(f"{overlay}: no Deployment and Service {app}")
            continue
        ports = [p for c in dep["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])]
        if {"name": "metrics", "containerPort": METRICS_PORT} not in ports:
            problems.append(f"{overlay}: Deployment {app} has no container port {METRICS_PORT} named metrics")
        if not any(p.get("name") == "metrics" and p.get("port") == METRICS_PORT for p in svc["spec"]["ports"]):
            problems.append(f"{overlay}: Service {app} has no port {METRICS_PORT} named metrics")
    # The gateway and ops call the four department services: each must be told where.
    for caller in ("gateway", "ops"):
        dep = deployments.get(caller)
        env = {e["name"] for c in (dep or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers", []) for e in c.get("env", [])}
        for svc in ("SERVICE_CENTER", "SCIENCE_TECH", "HRSS", "PUBLIC_SECURITY"):
            if dep and f"ONETHING__SERVICES__{svc}" not in env:
                problems.append(f"{overlay}: Deployment {caller} does not set ONETHING__SERVICES__{svc}")
    for name, sm in of_kind(docs, "ServiceMonitor").items():
        selector = (sm.get("spec") or {}).get("selector", {}).get("matchLabels")
        matched = [s for s in services.values() if selects(selector, s["metadata"].get("labels"))]
        if not matched:
            problems.append(f"{overlay}: ServiceMonitor {name} selects no Service (Services need the label)")
        for ep in (sm.get("spec") or {}).get("endpoints", []) or []:
            for s in matched:
                if not any(p.get("name") == ep.get("port") for p in s["spec"]["ports"]):
                    problems.append(f"{overlay}: ServiceMonitor {name}: Service {s['metadata']['name']} has no port {ep.get('port')}")
    for name, hpa in of_kind(docs, "HorizontalPodAutoscaler").items():
        ref = hpa["spec"]["scaleTargetRef"]
        if ref.get("kind") != "Deployment" or ref.get("name") not in deployments:
            problems.append(f"{overlay}: HorizontalPodAutoscaler {name} scales a missing {ref.get('kind')} {ref.get('name')}")
        elif "replicas" in deployments[ref["name"]]["spec"]:
            problems.append(f"{overlay}: Deployment {ref['name']} sets replicas, which its autoscaler owns")
    for name, pdb in of_kind(docs, "PodDisruptionBudget").items():
        selector = pdb["spec"].get("selector", {}).get("matchLabels")
        if not any(selects(selector, d["spec"]["template"]["metadata"].get("labels")) for d in deployments.values()):
            problems.append(f"{overlay}: PodDisruptionBudget {name} selects no Deployment's pods")

    if overlay != "prod":
        return
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(docs, "HorizontalPodAutoscaler").values()}
    pdbs = {(p["spec"].get("selector", {}).get("matchLabels") or {}).get("app"): p for p in of_kind(docs, "PodDisruptionBudget").values()}
    monitors = {((m.get("spec") or {}).get("selector", {}).get("matchLabels") or {}).get("app") for m in of_kind(docs, "ServiceMonitor").values()}
    for app in APPS:
        h = hpas.get(app)
        if not h:
            problems.append(f"prod: no HorizontalPodAutoscaler for {app}")
        elif (h["spec"].get("minReplicas"), h["spec"].get("maxReplicas")) != (2, 6) or h["spec"].get("metrics") != [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]:
            problems.append(f"prod: HorizontalPodAutoscaler {app} is not CPU 70%, 2 to 6")
        if (pdbs.get(app) or {}).get("spec", {}).get("minAvailable") != 1:
            problems.append(f"prod: no PodDisruptionBudget minAvailable 1 for {app}")
        if app not in monitors:
            problems.append(f"prod: no ServiceMonitor for {app}")

    want = {}
    for t in event_topics():
        want[t] = t
        want[t.replace(".", "-") + "-dlq"] = t + ".dlq"
    topics = of_kind(docs, "KafkaTopic")
    for name in sorted(want.keys() - topics.keys()):
        problems.append(f"prod: no KafkaTopic {name} (topic {want[name]})")
    for name in sorted(topics.keys() - want.keys()):
        problems.append(f"prod: KafkaTopic {name} is not an event topic of crates/platform/src/events/mod.rs")
    for name in sorted(want.keys() & topics.keys()):
        spec = topics[name].get("spec") or {}
        if spec.get("topicName", name) != want[name]:
            problems.append(f"prod: KafkaTopic {name} names topic {spec.get('topicName')}, not {want[name]}")
        if (spec.get("partitions"), spec.get("replicas")) != (6, 3) or str((spec.get("config") or {}).get("min.insync.replicas")) != "2":
            problems.append(f"prod: KafkaTopic {name} is not 6 partitions, 3 replicas, min.insync.replicas 2")

    clusters = of_kind(docs, "Cluster")
    for app in SERVICES:
        c = clusters.get(f"{app}-db")
        if not c or (c.get("spec") or {}).get("instances") != 3:
            problems.append(f"prod: no CloudNativePG Cluster {app}-db with 3 instances")
        env = {e["name"]: e for e in deployments[app]["spec"]["template"]["spec"]["containers"][0].get("env", [])}
        ref = ((env.get("DATABASE_URL") or {}).get("valueFrom") or {}).get("secretKeyRef") or {}
        if ref != {"name": f"{app}-db-app", "key": "uri"}:
            problems.append(f"prod: {app}'s DATABASE_URL is not the secret {app}-db-app of its Cluster")

    rules = list(of_kind(docs, "PrometheusRule").values())
    alerts = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    if len(rules) != 1:
        problems.append(f"prod: {len(rules)} PrometheusRules, want 1")
    else:
        diff = rule_groups_differ(alerts.get("groups"), (rules[0].get("spec") or {}).get("groups"))
        if diff:
            problems.append(f"prod: the PrometheusRule and deploy/prometheus/alerts.yml differ: {diff}")

    # The broker asks who each service is (SCRAM over TLS) and lets it do only what
    # kafka_acls() derives from the code.
    kafka = next(iter(of_kind(docs, "Kafka").values()), {}).get("spec", {}).get("kafka", {})
    secured = [l for l in kafka.get("listeners", []) if l.get("tls") and (l.get("authentication") or {}).get("type") == "scram-sha-512"]
    if not secured or (kafka.get("authorization") or {}).get("type") != "simple" or len(secured) != len(kafka.get("listeners", [])):
        problems.append("prod: the Kafka must listen only with TLS and scram-sha-512, with simple authorization")
    cm = of_kind(docs, "ConfigMap").get("onething") or {}
    if secured and not (cm.get("data") or {}).get("kafka_brokers", "").endswith(f":{secured[0]['port']}"):
        problems.append(f"prod: kafka_brokers does not name the authenticated listener's port {secured[0]['port']}")
    users = of_kind(docs, "KafkaUser")
    for svc, want in kafka_acls().items():
        u = users.get(svc)
        have = set()
        for rule in ((u or {}).get("spec") or {}).get("authorization", {}).get("acls", []) or []:
            r = rule.get("resource") or {}
            have |= {(r.get("type"), r.get("name"), r.get("patternType", "literal"), op) for op in rule.get("operations", [])}
        if not u:
            problems.append(f"prod: no KafkaUser {svc}")
        elif have != want:
            problems.append(f"prod: KafkaUser {svc}'s ACLs differ from the code's: missing {sorted(want - have)}, extra {sorted(have - want)} "
                            f"(scripts/k8s_validate.py --kafka-users prints them)")
        c = deployments[svc]["spec"]["template"]["spec"]
        env = {e["name"]: e for e in c["containers"][0].get("env", [])}
        mounts = {m["mountPath"]: m["name"] for m in c["containers"][0].get("volumeMounts", [])}
        vols = {v["name"]: (v.get("secret") or {}) for v in c.get("volumes", [])}
        def secret_of(var):
            path = (env.get(var) or {}).get("value", "")
            d, _, f = path.rpartition("/")
            v = vols.get(mounts.get(d), {})
            return (v.get("secretName"), next((i["key"] for i in v.get("items", []) if i.get("path") == f), None))
        expected = {"ONETHING__PLATFORM__KAFKA__AUTH__PROTOCOL": "sasl_ssl", "ONETHING__PLATFORM__KAFKA__AUTH__USERNAME": svc}
        for var, value in expected.items():
            if (env.get(var) or {}).get("value") != value:
                problems.append(f"prod: Deployment {svc} must set {var}={value}")
        if secret_of("ONETHING__PLATFORM__KAFKA__AUTH__PASSWORD_FILE") != (svc, "password"):
            problems.append(f"prod: Deployment {svc}'s broker password is not the key password of its KafkaUser's Secret {svc}")
        if secret_of("ONETHING__PLATFORM__KAFKA__AUTH__CA_FILE") != ("onething-cluster-ca-cert", "ca.crt"):
            problems.append(f"prod: Deployment {svc}'s broker CA is not ca.crt of the Secret onething-cluster-ca-cert")

    if (cm.get("data") or {}).get("kafka_create_topics") != "false":
        problems.append('prod: ConfigMap onething must say kafka_create_topics: "false" (topics are KafkaTopics)')


def main():
    if sys.argv[1:] == ["--kafka-users"]:
        # The KafkaUsers the code asks for, as k8s/overlays/prod/kafka-users.yaml holds them.
        print("# One KafkaUser per service (SCRAM-SHA-512; Strimzi writes its password to the Secret of\n"
              "# the same name) with the ACLs derived from the code: `python3 scripts/k8s_validate.py\n"
              "# --kafka-users` prints this file, and `make k8s-validate` fails when the two differ.")
        print(yaml.safe_dump_all([kafka_user(s, a) for s, a in kafka_acls().items()], sort_keys=False, width=120, default_flow_style=None), end="")
        return 0
    overlay, rendered = sys.argv[1], sys.argv[2]
    docs = [d for d in yaml.safe_load_all(Path(rendered).read_text(encoding="utf-8")) if d]
    counts = {"core": 0, "crd": 0}
    for i, doc in enumerate(docs):
        where = f"{overlay}: {doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
        kind = validate_doc(doc, where)
        if kind:
            counts[kind] += 1
    if not problems:
        cross_check(overlay, docs)
    for p in problems:
        print(f"FAIL {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"ok   {overlay}: {len(docs)} resources, {counts['core']} against the Kubernetes {K8S_VERSION} schemas (strict), "
          f"{counts['crd']} against the CRD checks; cross-checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
