"""Kubernetes manifests for a deployment, rendered from the code:

    python -m deploy.k8s city [--counties 370114,...] [--out deploy/k8s-rendered/city]
    python -m deploy.k8s county --county 370114 [--out ...]

Which areas a deployment serves is in its settings ConfigMap, read by every
container: a county's ``COUNTY_CODE`` (its services' queue names and the
events it binds, core/areas.py), the city's ``COUNTIES`` (the counties that
run their own, whose events the city's routing and tracking leave to them and
whose cases the gateway asks them for). No default: a city that named a
county running no deployment would bind nothing for its area, and that
county's petitions, confirmed by the broker to no queue, would be received and
never routed; so the city serves every area unless ``--counties`` names one,
and a county's code is always given. Each county has a namespace of its own
(``petition-county-<code>``).

One image (Dockerfile) for every service, the service chosen by argument
(``python -m deploy.serve NAME``). For each service the overlay runs (a city:
every one of core.config.SERVICES; a county: routing and tracking only):

- a Job ``migrate-<service>-<release>`` (stored services: alembic to head on
  the service's own database) and one Job ``topology-<release>`` (every
  exchange and queue, as the broker's operator user); Jobs are immutable, so
  each release has its own;
- a Deployment whose init container (``deploy.preflight``) waits until its
  database is at the head and its queues are declared: the Jobs run before the
  service, never in its start command. Probes on its own port
  (deploy/probes.py): startup and liveness ``/livez``, readiness ``/readyz``
  (consumes its queues, reaches its database); ``/metrics`` scraped by
  Prometheus; terminationGracePeriodSeconds above deploy.serve's stop grace;
- a HorizontalPodAutoscaler (CPU) and a PodDisruptionBudget;
- a CronJob ``housekeeping-<service>``: outbox and inbox retention
  (deploy.housekeeping) on its database, nightly (intake's also sweeps the
  orphan blobs of case materials).

Every container of a service whose config reads a blob store (intake: case
materials, services/intake/blobs.py) gets the same one: ``ATTACHMENT_STORE=s3``
and the bucket, endpoint, region and key pair from the service's Secret
(blob_store_env). No local directory here: see BLOB_STORE.

Secrets (created by ops, never rendered): ``petition-<service>`` with
``AMQP_URI`` (the service's own broker user, deploy/broker_users.py), its
``<SERVICE>_DB_URL`` (one PostgreSQL database per service), the keys its
config.yaml reads (SECRET_KEYS) and, for intake, the S3 settings
(blobs.S3_SETTINGS; the bucket and ``ATTACHMENT_S3_DEPLOYMENT`` required: a
city and a county may name one bucket, each under a prefix of its own); ``petition-broker-operator`` with
``AMQP_URI`` for the topology Job. ``secret_keys(service)`` lists them.
"""
import argparse
import json
import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from core.areas import AREA_SCOPED, deployment_area, district_codes
from core.config import POD_GRACE_SECONDS, SERVICES, STORED_SERVICES, config_path
from services.intake import blobs

# The version the manifests are written for and validated against
# (kubernetes-validate --strict, tests/unit/test_k8s.py).
KUBERNETES_VERSION = "1.30.0"
IMAGE = "registry.example/petition-platform"
RELEASE = "1"
HEALTH_PORT = 9100
GATEWAY_PORT = 8000
# The variables of the config.yaml files that hold secrets (deploy/keys.py
# makes them for a developer); every other variable is a setting.
SECRET_KEYS = ("ID_ENCRYPTION_KEYS", "CONTACT_ENCRYPTION_KEYS", "HASH_KEY", "SUBMISSION_KEYS",
               "PRIVATE_EVENT_KEYS", "ACTOR_SIGNING_KEY", "ACTOR_VERIFY_KEY",
               "ATTACHMENT_ENCRYPTION_KEYS")
# Where a cluster keeps case materials. Always S3-compatible storage (a cloud
# bucket, or MinIO/Ceph run beside the cluster), never ATTACHMENT_DIR: a
# container's filesystem is lost on restart and private to its pod, so each
# of intake's replicas (the HPA runs 2 or more in a city) would hold its own
# files and the housekeeping CronJob's pod, which sweeps orphan blobs, would
# list an empty directory. A volume they all mount would need ReadWriteMany
# (NFS, CephFS), which many clusters lack; the common ReadWriteOnce PVC
# mounts on one node, and a single-replica mode built on it would be a second,
# weaker layout to keep working. The local directory stays for one host
# (make run, deploy/stack.py).
BLOB_STORE = "s3"
OPERATOR_SECRET = "petition-broker-operator"


@dataclass(frozen=True)
class Overlay:
    """What differs between a city's and a county's deployment."""

    namespace: str      # {county}: the county's code
    services: tuple     # the services it runs
    min_replicas: int
    max_replicas: int
    cpu: str            # request
    memory: str         # request
    cpu_limit: str
    memory_limit: str
    settings: dict = field(default_factory=dict)


OVERLAYS = {
    "city": Overlay("petition-city", SERVICES, 2, 8, "250m", "256Mi", "1", "512Mi",
                    {"LOG_LEVEL": "INFO"}),
    # A county runs only its own routing and tracking (core/areas.py); intake
    # (the city's takes every submission), rating, notify, reports,
    # suggestions and the gateway are the city's: a second notify or reports
    # would consume the same events again (two texts, figures counted twice).
    "county": Overlay("petition-county-{county}", AREA_SCOPED, 1, 3, "100m", "192Mi", "500m", "384Mi",
                      {"LOG_LEVEL": "INFO"}),
}


def area_settings(overlay_name, counties):
    """The settings that say which areas the deployment serves: a county's
    own code (exactly one), or the counties the city leaves to their own
    deployments; each a county of the directory."""
    unknown = sorted(set(counties) - (set(district_codes()) - {deployment_area()[0]}))
    if unknown:
        raise ValueError(f"not a county of the directory: {', '.join(unknown)}")
    if overlay_name == "county":
        if len(counties) != 1:
            raise ValueError("a county deployment serves exactly one county (--county)")
        return {"COUNTY_CODE": counties[0]}
    return {"COUNTIES": json.dumps(list(counties))}


def config_variables(service):
    """The ``${VAR}`` names a service's config.yaml reads."""
    return sorted(set(re.findall(r"\$\{([A-Z0-9_]+)", config_path(service).read_text())))


def secret_keys(service):
    """The keys of the Secret ``petition-<service>``."""
    keys = [k for k in config_variables(service) if k in SECRET_KEYS or k == "AMQP_URI"
            or k == f"{service.upper()}_DB_URL" or k in blobs.S3_SETTINGS]
    return sorted(keys)


def reads_blob_store(service):
    return service in SERVICES and "ATTACHMENT_STORE" in config_variables(service)


def labels(service, overlay_name):
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "petition",
            "app.kubernetes.io/instance": overlay_name}


def meta(name, service, overlay_name, overlay):
    return {"name": name, "namespace": overlay.namespace,
            "labels": labels(service, overlay_name)}


def secret_env(service, keys):
    """The variables ``keys`` from the Secret; the optional S3 settings may be
    absent from it (a pod does not start while a required key is missing)."""
    optional = set(blobs.S3_SETTINGS) - set(blobs.S3_REQUIRED)
    return [{"name": key, "valueFrom": {"secretKeyRef": {
        "name": f"petition-{service}", "key": key, **({"optional": True} if key in optional
                                                      else {})}}} for key in keys]


def blob_store_env(service):
    """The blob store, for every container of ``service`` (none if its config
    reads no blob store): each process of intake (serving, housekeeping's
    sweep, a migration, the init container beside the service in its pod)
    sees the same bucket, so none can fall back to a directory of its own."""
    if not reads_blob_store(service):
        return []
    return [{"name": "ATTACHMENT_STORE", "value": BLOB_STORE}] + secret_env(
        service, [k for k in secret_keys(service) if k in blobs.S3_SETTINGS])


def _without_blob_store(keys):
    return [k for k in keys if k not in blobs.S3_SETTINGS]


def container(name, service, args, overlay, env_keys, extra_env=()):
    return {
        "name": name, "image": f"{IMAGE}:{RELEASE}", "imagePullPolicy": "IfNotPresent",
        "args": args,
        "envFrom": [{"configMapRef": {"name": "petition-settings"}}],
        "env": secret_env(service, _without_blob_store(env_keys)) + blob_store_env(service)
        + list(extra_env),
        "resources": {"requests": {"cpu": overlay.cpu, "memory": overlay.memory},
                      "limits": {"cpu": overlay.cpu_limit, "memory": overlay.memory_limit}},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]}},
    }


def probe(path, period, failures, timeout=5):
    return {"httpGet": {"path": path, "port": "probes"}, "periodSeconds": period,
            "failureThreshold": failures, "timeoutSeconds": timeout}


def deployment(service, overlay_name, overlay):
    name = f"petition-{service}"
    main = container(service, service, ["python", "-m", "deploy.serve", service], overlay,
                     secret_keys(service), [{"name": "HEALTH_PORT", "value": str(HEALTH_PORT)}])
    main["ports"] = [{"name": "probes", "containerPort": HEALTH_PORT}]
    if service == "gateway":
        main["ports"].append({"name": "http", "containerPort": GATEWAY_PORT})
        main["env"].append({"name": "GATEWAY_ADDRESS", "value": f"0.0.0.0:{GATEWAY_PORT}"})
    main["startupProbe"] = probe("/livez", 5, 24)
    main["livenessProbe"] = probe("/livez", 20, 3)
    main["readinessProbe"] = probe("/readyz", 10, 3)
    preflight = container("preflight", service, ["python", "-m", "deploy.preflight", service],
                          overlay, [k for k in secret_keys(service) if k.endswith("_URI")
                                    or k.endswith("_DB_URL")])
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta(name, service, overlay_name, overlay),
        "spec": {
            "selector": {"matchLabels": labels(service, overlay_name)},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels(service, overlay_name), "annotations": {
                    "prometheus.io/scrape": "true", "prometheus.io/port": str(HEALTH_PORT),
                    "prometheus.io/path": "/metrics"}},
                "spec": {
                    "terminationGracePeriodSeconds": POD_GRACE_SECONDS,
                    "securityContext": {"runAsUser": 10001, "runAsGroup": 10001,
                                        "fsGroup": 10001},
                    "initContainers": [preflight],
                    "containers": [main],
                },
            },
        },
    }


def hpa(service, overlay_name, overlay):
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": meta(f"petition-{service}", service, overlay_name, overlay),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                               "name": f"petition-{service}"},
            "minReplicas": overlay.min_replicas, "maxReplicas": overlay.max_replicas,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
        },
    }


def pdb(service, overlay_name, overlay):
    return {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": meta(f"petition-{service}", service, overlay_name, overlay),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(service, overlay_name)}},
    }


def job(name, service, args, overlay_name, overlay, env):
    spec = container(name.rsplit("-", 1)[0], service, args, overlay, [], env)
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": meta(name, service, overlay_name, overlay),
        "spec": {"backoffLimit": 6, "ttlSecondsAfterFinished": 86400,
                 "template": {"metadata": {"labels": labels(service, overlay_name)},
                              "spec": {"restartPolicy": "OnFailure",
                                       "securityContext": {"runAsUser": 10001,
                                                           "runAsGroup": 10001},
                                       "containers": [spec]}}},
    }


def migrate_job(service, overlay_name, overlay):
    return job(f"migrate-{service}-{RELEASE}", service,
               ["python", "-m", "deploy.migrate", service], overlay_name, overlay,
               secret_env(service, [f"{service.upper()}_DB_URL"]))


def housekeeping_cronjob(service, overlay_name, overlay):
    """Outbox and inbox retention (deploy.housekeeping), nightly."""
    template = job(f"housekeeping-{service}", service,
                   ["python", "-m", "deploy.housekeeping", service], overlay_name, overlay,
                   secret_env(service, [f"{service.upper()}_DB_URL"]))
    return {
        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": template["metadata"],
        "spec": {"schedule": "30 3 * * *", "concurrencyPolicy": "Forbid",
                 "jobTemplate": {"spec": template["spec"]}},
    }


def topology_job(overlay_name, overlay):
    env = [{"name": "AMQP_URI", "valueFrom": {"secretKeyRef": {"name": OPERATOR_SECRET,
                                                               "key": "AMQP_URI"}}}]
    return job(f"topology-{RELEASE}", "topology", ["python", "-m", "deploy.topology"],
               overlay_name, overlay, env)


def gateway_service(overlay_name, overlay):
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta("petition-gateway", "gateway", overlay_name, overlay),
        "spec": {"selector": labels("gateway", overlay_name),
                 "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    }


def settings(overlay_name, overlay, area):
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": meta("petition-settings", "settings", overlay_name, overlay),
        "data": {"STOP_GRACE_SECONDS": str(POD_GRACE_SECONDS - 10), **overlay.settings, **area},
    }


def render(overlay_name, counties=()):
    """{file name: [manifest, ...]} for one overlay: a county's for
    ``counties``' one code, the city's leaving ``counties`` to their own."""
    area = area_settings(overlay_name, tuple(counties))
    overlay = OVERLAYS[overlay_name]
    overlay = replace(overlay, namespace=overlay.namespace.format(county=area.get("COUNTY_CODE")))
    files = {"namespace.yaml": [{"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": overlay.namespace}}],
             "settings.yaml": [settings(overlay_name, overlay, area)],
             "topology-job.yaml": [topology_job(overlay_name, overlay)]}
    for service in overlay.services:
        docs = []
        if service in STORED_SERVICES:
            docs += [migrate_job(service, overlay_name, overlay),
                     housekeeping_cronjob(service, overlay_name, overlay)]
        docs += [deployment(service, overlay_name, overlay), hpa(service, overlay_name, overlay),
                 pdb(service, overlay_name, overlay)]
        if service == "gateway":
            docs.append(gateway_service(overlay_name, overlay))
        files[f"{service}.yaml"] = docs
    return files


def dump(docs):
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m deploy.k8s")
    parser.add_argument("overlay", choices=sorted(OVERLAYS))
    parser.add_argument("--county", help="the county overlay's county (required for it)")
    parser.add_argument("--counties", default="",
                        help="the city overlay: the counties running their own deployment, "
                             "comma-separated (default: none, the city serves every area)")
    parser.add_argument("--out", type=Path, help="a directory (default: all to stdout)")
    args = parser.parse_args(argv)
    counties = ([args.county] if args.county else []) if args.overlay == "county" else \
        [c for c in args.counties.split(",") if c.strip()]
    try:
        files = render(args.overlay, [c.strip() for c in counties])
    except ValueError as exc:
        parser.error(str(exc))
    if args.out is None:
        sys.stdout.write(dump([doc for docs in files.values() for doc in docs]))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    for name, docs in files.items():
        (args.out / name).write_text(dump(docs))
    print(f"{len(files)} files in {args.out}")


if __name__ == "__main__":
    main()
