"""The Kubernetes manifests (deploy/k8s.py): every rendered object is valid
for the stated Kubernetes version, strictly (no unknown field), offline; every
service in the code has its Deployment with meaningful probes, its HPA, its
PDB, and waits for its migration and topology Jobs."""
import kubernetes_validate
import pytest

from core.config import POD_GRACE_SECONDS, SERVICES, STORED_SERVICES, load_config
from deploy import k8s


@pytest.fixture(params=sorted(k8s.OVERLAYS), scope="module")
def rendered(request):
    files = k8s.render(request.param)
    return [doc for docs in files.values() for doc in docs]


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_every_manifest_validates_strictly(rendered):
    for doc in rendered:
        kubernetes_validate.validate(doc, k8s.KUBERNETES_VERSION, strict=True)


def test_a_field_kubernetes_does_not_know_is_refused(rendered):
    # The check above can fail: a misspelt field is caught.
    deployment = dict(by_kind(rendered, "Deployment")["petition-intake"])
    deployment["spec"] = {**deployment["spec"], "replicaz": 2}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, k8s.KUBERNETES_VERSION, strict=True)


def test_every_service_has_its_deployment_probes_hpa_pdb_and_jobs(rendered):
    deployments = by_kind(rendered, "Deployment")
    hpas, pdbs, jobs, cronjobs = (by_kind(rendered, kind) for kind in (
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job", "CronJob"))
    assert f"topology-{k8s.RELEASE}" in jobs
    for service in SERVICES:
        name = f"petition-{service}"
        pod = deployments[name]["spec"]["template"]["spec"]
        (main,) = pod["containers"]
        assert main["args"] == ["python", "-m", "deploy.serve", service]
        assert main["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert main["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert {p["name"]: p["containerPort"] for p in main["ports"]}["probes"] == \
            k8s.HEALTH_PORT
        assert {"name": "HEALTH_PORT", "value": str(k8s.HEALTH_PORT)} in main["env"]
        assert main["resources"]["requests"] and main["resources"]["limits"]
        assert pod["terminationGracePeriodSeconds"] == POD_GRACE_SECONDS
        # Migrations and topology run as Jobs; the pod only waits for them.
        (preflight,) = pod["initContainers"]
        assert preflight["args"] == ["python", "-m", "deploy.preflight", service]
        assert hpas[name]["spec"]["scaleTargetRef"]["name"] == name
        assert pdbs[name]["spec"]["selector"]["matchLabels"] == \
            deployments[name]["spec"]["selector"]["matchLabels"]
        if service in STORED_SERVICES:
            migrate = jobs[f"migrate-{service}-{k8s.RELEASE}"]
            (job_container,) = migrate["spec"]["template"]["spec"]["containers"]
            assert job_container["args"] == ["python", "-m", "deploy.migrate", service]
            housekeeping = cronjobs[f"housekeeping-{service}"]["spec"]["jobTemplate"]
            (job_container,) = housekeeping["spec"]["template"]["spec"]["containers"]
            assert job_container["args"] == ["python", "-m", "deploy.housekeeping", service]


def test_secrets_give_each_service_what_its_config_reads(rendered):
    deployments = by_kind(rendered, "Deployment")
    for service in SERVICES:
        (main,) = deployments[f"petition-{service}"]["spec"]["template"]["spec"]["containers"]
        refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in main["env"]
                if "valueFrom" in e}
        assert set(refs) == set(k8s.secret_keys(service))
        assert {r["name"] for r in refs.values()} == {f"petition-{service}"}
        assert "AMQP_URI" in refs  # the service's own broker user
        if service in STORED_SERVICES:
            assert f"{service.upper()}_DB_URL" in refs  # its own database
        # Every secret its config.yaml reads without a default is given.
        for key in k8s.SECRET_KEYS:
            if key in k8s.config_variables(service):
                assert key in refs, (service, key)
        assert load_config(service)  # the config the keys were read from parses
