"""The gateway on the real broker: a service that does not answer gets the
client a clear 503, never a hung request."""
import eventlet
import requests
from nameko.rpc import rpc

from services.gateway.service import GatewayService
from tests.stack import free_port


class SlowIntake:
    """An intake that takes longer than the gateway will wait."""

    name = "intake"

    @rpc
    def submit(self, data, submission_id, client=None, idempotency_key=None):
        eventlet.sleep(5)


def _gateway(container_factory, amqp_uri, secrets_env):
    port = free_port()
    container_factory(GatewayService, {
        "AMQP_URI": amqp_uri, "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "RPC_TIMEOUT_SECONDS": 1, "ACTOR_SIGNING_KEY": secrets_env["ACTOR_SIGNING_KEY"],
        "SUBMISSION_KEYS": secrets_env["SUBMISSION_KEYS"]}).start()
    return f"http://127.0.0.1:{port}/api/v1"


def test_a_service_that_never_ran_answers_503(container_factory, amqp_uri, secrets_env):
    url = _gateway(container_factory, amqp_uri, secrets_env)
    response = requests.get(f"{url}/categories", timeout=10)
    assert response.status_code == 503
    assert response.json()["error"] == "service_unavailable"


def test_a_service_that_does_not_answer_in_time_answers_503(
        container_factory, amqp_uri, secrets_env):
    url = _gateway(container_factory, amqp_uri, secrets_env)
    container_factory(SlowIntake, {"AMQP_URI": amqp_uri}).start()
    response = requests.post(f"{url}/petitions", json={"title": "t"}, timeout=10)
    assert response.status_code == 503
    assert "intake" in response.json()["message"]


RECEIPT = {"case_number": "JN20261125-000001", "query_code": "X", "status": "submitted",
           "submitted_at": "2026-11-25T08:00:00+08:00"}


class CountingIntake:
    """Counts the submissions it carries out."""

    name = "intake"
    carried_out = []

    @rpc
    def submit(self, data, submission_id, client=None, idempotency_key=None):
        self.carried_out.append(submission_id)
        return RECEIPT


def test_a_request_the_client_was_told_failed_is_not_carried_out_later(
        container_factory, amqp_uri, secrets_env):
    url = _gateway(container_factory, amqp_uri, secrets_env)
    intake = container_factory(CountingIntake, {"AMQP_URI": amqp_uri})
    intake.start()
    intake.stop()  # intake is down: its queue exists, nobody consumes it
    assert requests.post(f"{url}/petitions", json={}, timeout=10).status_code == 503
    eventlet.sleep(1.5)  # past the request's expiry
    container_factory(CountingIntake, {"AMQP_URI": amqp_uri}).start()
    assert requests.post(f"{url}/petitions", json={}, timeout=10).status_code == 201
    assert len(CountingIntake.carried_out) == 1


class LosingIntake:
    """Its first answer comes too late (as when a cluster node died under the
    reply); the gateway calls submit once more, with the same submission id."""

    name = "intake"
    carried_out = []

    @rpc
    def submit(self, data, submission_id, client=None, idempotency_key=None):
        self.carried_out.append(submission_id)
        if len(self.carried_out) == 1:
            eventlet.sleep(2)
        return RECEIPT


def test_a_submission_whose_answer_was_lost_is_made_once_more_with_its_id(
        container_factory, amqp_uri, secrets_env):
    url = _gateway(container_factory, amqp_uri, secrets_env)
    container_factory(LosingIntake, {"AMQP_URI": amqp_uri}).start()
    assert requests.post(f"{url}/petitions", json={}, timeout=10).status_code == 201
    first, again = LosingIntake.carried_out
    assert first == again  # intake answers the second with the first receipt


def test_an_unknown_path_or_method_gets_a_json_error(container_factory, amqp_uri, secrets_env):
    url = _gateway(container_factory, amqp_uri, secrets_env)
    missing = requests.get(f"{url}/no-such-thing", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong_method = requests.delete(f"{url}/petitions", timeout=10)
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "http_error"
    assert wrong_method.headers["Allow"] == "POST"
