"""The Kubernetes manifests (deploy/k8s.py): every rendered object is valid
for the stated Kubernetes version, strictly (no unknown field), offline; every
service in the code has its Deployment with meaningful probes, its HPA, its
PDB, and waits for its migration and topology Jobs; every workload that runs
intake sees the same S3-compatible blob store of case materials."""
import kubernetes_validate
import pytest

from core.areas import counties
from core.config import POD_GRACE_SECONDS, SERVICES, STORED_SERVICES, load_config
from core.errors import ConfigurationError
from deploy import k8s, services
from services.intake import blobs

# What each overlay runs, stated here rather than read from deploy/k8s.py: a
# county runs its own routing and tracking only (README, County deployments).
RUNS = {"city": set(SERVICES), "county": {"routing", "tracking"}}


@pytest.fixture(params=sorted(k8s.OVERLAYS), scope="module")
def overlay(request):
    return request.param


# 章丘区, the county of the README's county deployment: the county overlay's
# code, and the county the city leaves to it where a test says so.
COUNTY = "370114"


def docs_of(overlay_name, counties=None):
    counties = counties if counties is not None else [COUNTY] if overlay_name == "county" else []
    return [doc for docs in k8s.render(overlay_name, counties).values() for doc in docs]


@pytest.fixture(scope="module")
def rendered(overlay):
    return docs_of(overlay)


@pytest.fixture(scope="module")
def city():
    """The overlay that runs intake (its blob store)."""
    return docs_of("city")


def by_kind(docs, kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_every_manifest_validates_strictly(rendered):
    for doc in rendered:
        kubernetes_validate.validate(doc, k8s.KUBERNETES_VERSION, strict=True)


def test_a_field_kubernetes_does_not_know_is_refused(rendered):
    # The check above can fail: a misspelt field is caught.
    deployment = dict(by_kind(rendered, "Deployment")["petition-tracking"])
    deployment["spec"] = {**deployment["spec"], "replicaz": 2}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, k8s.KUBERNETES_VERSION, strict=True)


def test_each_overlay_runs_its_services_and_no_other(overlay, rendered):
    runs = RUNS[overlay]
    deployments, hpas, pdbs, jobs, cronjobs, services = (by_kind(rendered, kind) for kind in (
        "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job", "CronJob",
        "Service"))
    assert set(deployments) == set(hpas) == set(pdbs) == {f"petition-{s}" for s in runs}
    assert set(jobs) == {f"topology-{k8s.RELEASE}"} | {
        f"migrate-{s}-{k8s.RELEASE}" for s in runs & set(STORED_SERVICES)}
    assert set(cronjobs) == {f"housekeeping-{s}" for s in runs & set(STORED_SERVICES)}
    assert set(services) == ({"petition-gateway"} if "gateway" in runs else set())
    # no container anywhere (init containers, Jobs, CronJobs) runs another service
    for service in set(SERVICES) - runs:
        assert not list(containers_running(rendered, service)), (overlay, service)


def test_every_service_has_its_deployment_probes_hpa_pdb_and_jobs(overlay, rendered):
    deployments = by_kind(rendered, "Deployment")
    hpas, pdbs, jobs, cronjobs = (by_kind(rendered, kind) for kind in (
        "HorizontalPodAutoscaler", "PodDisruptionBudget", "Job", "CronJob"))
    assert f"topology-{k8s.RELEASE}" in jobs
    for service in RUNS[overlay]:
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


def test_secrets_give_each_service_what_its_config_reads(overlay, rendered):
    deployments = by_kind(rendered, "Deployment")
    for service in RUNS[overlay]:
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


def blob_store_services():
    """The services whose config has a blob store (intake's case materials),
    read from their config.yaml, not from deploy/k8s.py."""
    return {s for s in SERVICES if "ATTACHMENT_STORE" in load_config(s)}


def containers_running(rendered, service):
    """(workload, container) of every container, init containers too, of every
    Deployment, Job and CronJob that runs ``service`` (the service chosen by
    argument)."""
    for doc in rendered:
        if doc["kind"] not in ("Deployment", "Job", "CronJob"):
            continue
        spec = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
        pod = spec["template"]["spec"]
        for container in pod.get("initContainers", []) + pod["containers"]:
            if service in container["args"]:
                yield f"{doc['kind']}/{doc['metadata']['name']}", container


def environment(rendered, container):
    """What the container's process sees: the ConfigMap, then its own env, a
    Secret's key standing for its value as ``secret:<name>:<key>``."""
    (settings,) = by_kind(rendered, "ConfigMap").values()
    env = dict(settings["data"])
    for entry in container["env"]:
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        env[entry["name"]] = f"secret:{ref['name']}:{ref['key']}" if ref else entry["value"]
    return env


def blob_store_seen(monkeypatch, service, env):
    """(backend, arguments) blobs.settings finds in ``service``'s config read
    under ``env`` and nothing else."""
    for name in k8s.config_variables(service):
        monkeypatch.delenv(name, raising=False)
    with monkeypatch.context() as patched:
        for name, value in env.items():
            patched.setenv(name, value)
        return blobs.settings(load_config(service))


def test_every_workload_running_intake_has_the_same_s3_blob_store(city, monkeypatch):
    rendered = city
    assert blob_store_services() == {"intake"}  # the derivation finds the one there is
    for service in blob_store_services():
        found = dict(containers_running(rendered, service))
        # the serving pod and the nightly orphan sweep at least (not a vacuous loop)
        assert {f"Deployment/petition-{service}", f"CronJob/housekeeping-{service}"} <= set(found)
        for workload, container in containers_running(rendered, service):
            backend, arguments = blob_store_seen(monkeypatch, service,
                                                 environment(rendered, container))
            assert backend == "s3", (workload, container["name"])
            secret = f"secret:petition-{service}:ATTACHMENT_S3_"
            assert arguments["bucket"] == f"{secret}BUCKET", workload
            assert arguments["deployment"] == f"{secret}DEPLOYMENT", workload
            assert (arguments["endpoint"], arguments["access_key"], arguments["secret_key"]) \
                == (f"{secret}ENDPOINT", f"{secret}ACCESS_KEY", f"{secret}SECRET_KEY"), workload
            # the pod does not start without the bucket; the rest may be absent
            refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]
                    if "valueFrom" in e}
            for name in blobs.S3_SETTINGS:
                assert refs[name].get("optional", False) == (name not in blobs.S3_REQUIRED)


def test_a_workload_without_the_blob_store_is_caught(city, monkeypatch):
    rendered = city
    # The check above can fail: without the render's settings intake would
    # keep the files in the container's own directory.
    _, container = next(containers_running(rendered, "intake"))
    env = {name: value for name, value in environment(rendered, container).items()
           if not name.startswith("ATTACHMENT_")}
    assert blob_store_seen(monkeypatch, "intake", env)[0] == "local"
    # and S3 settings without ATTACHMENT_STORE=s3 make intake refuse to start
    env["ATTACHMENT_S3_BUCKET"] = "materials"
    with pytest.raises(ConfigurationError, match="ATTACHMENT_STORE is local"):
        blob_store_seen(monkeypatch, "intake", env)


def test_each_overlay_says_which_areas_its_services_serve(monkeypatch):
    """The county's containers run as 章丘区's (its queue names and bindings),
    in a namespace of its own; the city's leave 章丘区 to it when told so, and
    serve every area when not: read as the services read them."""
    county, city = docs_of("county"), docs_of("city", [COUNTY])
    assert {d["metadata"]["namespace"] for d in county if "namespace" in d["metadata"]} == {
        f"petition-county-{COUNTY}"}
    for workload, container in containers_running(county, "tracking"):
        with monkeypatch.context() as patched:
            for name, value in environment(county, container).items():
                patched.setenv(name, value)
            assert services.this_county() == COUNTY, workload
    for rendered, left in ((city, [COUNTY]), (docs_of("city"), [])):
        for service in ("gateway", "intake", "routing", "tracking"):
            for workload, container in containers_running(rendered, service):
                with monkeypatch.context() as patched:
                    patched.delenv("COUNTY_CODE", raising=False)
                    for name, value in environment(rendered, container).items():
                        patched.setenv(name, value)
                    assert services.this_county() is None, workload
                    assert counties(load_config(service)) == left, workload


def test_another_county_renders_in_its_own_namespace():
    (settings,) = by_kind(docs_of("county", ["370124"]), "ConfigMap").values()
    assert settings["data"]["COUNTY_CODE"] == "370124"
    assert settings["metadata"]["namespace"] == "petition-county-370124"


@pytest.mark.parametrize(("overlay_name", "counties", "reason"), [
    ("county", ["999999"], "not a county of the directory: 999999"),
    ("county", ["370100"], "not a county of the directory: 370100"),  # the city itself
    ("county", ["370114", "370124"], "exactly one county"),
    ("county", [], "exactly one county"),  # a county's code is always given
    ("city", ["370114", "12345"], "not a county of the directory: 12345"),
])
def test_an_area_that_is_no_county_is_refused(overlay_name, counties, reason):
    with pytest.raises(ValueError, match=reason):
        k8s.render(overlay_name, counties)
