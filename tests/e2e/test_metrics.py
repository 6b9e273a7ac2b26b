"""Every service's own port (deploy/probes.py) during an end-to-end run: it is
live and ready, and its Prometheus counters move as a petition goes through
the platform (each service's workers by entrypoint, notify's SMS, the
outboxes drained)."""
import requests
from prometheus_client.parser import text_string_to_metric_families

from core.config import SERVICES
from tests.stack import VALID, api, eventually, follow, submit_petition


def scrape(stack, name):
    """{(metric sample name, sorted labels): value} of one service."""
    text = requests.get(stack.metrics_url(name), timeout=10).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def workers(samples, service):
    """Workers run so far by the service, all entrypoints and outcomes."""
    return sum(value for (name, labels), value in samples.items()
               if name == "petition_worker_total" and ("service", service) in labels)


def test_probes_answer_and_counters_move_with_a_petition(stack):
    for name in SERVICES:
        base = stack.metrics_url(name).rsplit("/", 1)[0]
        for path in ("/livez", "/readyz"):
            response = requests.get(base + path, timeout=10)
            assert response.status_code == 200, (name, path, response.text)
            assert response.json() == {"service": name, "status": "ok"}
    before = {name: scrape(stack, name) for name in SERVICES}

    receipt = submit_petition(stack, VALID)
    assert receipt.status_code == 201, receipt.text
    code = receipt.json()["query_code"]
    assert eventually(lambda: follow(stack, code)["status"] == "routed")  # rating is asked too
    # suggestions is not on a petition's path: a citizen reading the open topics moves it
    assert api(stack, "GET", "/suggestion-topics").status_code == 200

    def moved():
        after = {name: scrape(stack, name) for name in SERVICES}
        return all(workers(after[n], n) > workers(before[n], n) for n in SERVICES) and after
    after = eventually(moved, timeout=60)
    assert after, {n: (workers(before[n], n), workers(scrape(stack, n), n)) for n in SERVICES}
    for name in SERVICES:
        print(f"{name}: workers {workers(before[name], name):g} -> {workers(after[name], name):g}")

    submitted = ("petition_worker_total", (("entrypoint", "submit"), ("outcome", "ok"),
                                           ("service", "intake")))
    assert after["intake"][submitted] > before["intake"].get(submitted, 0)
    latency = ("petition_worker_seconds_count", (("entrypoint", "submit"), ("service", "intake")))
    assert after["intake"][latency] >= after["intake"][submitted]
    sent = ("petition_sms_total", (("outcome", "sent"),))
    # the code and the query code (counted once the sender records its batch)
    assert eventually(lambda: scrape(stack, "notify").get(sent, 0) > before["notify"].get(sent, 0))
    for name in ("intake", "routing", "tracking", "notify", "reports", "rating"):
        pending = ("petition_outbox_pending", (("service", name),))
        assert eventually(lambda: scrape(stack, name)[pending] == 0), f"{name}'s outbox"
