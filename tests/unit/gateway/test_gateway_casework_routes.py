"""The case-work routes with tracking and intake replaced by small fakes: the
gateway sends each workflow step to ``tracking.act`` with the verified actor,
maps the answers and errors, and never lets an unknown step through."""
import pytest
import requests
from nameko.testing.services import replace_dependencies

from core.errors import Conflict, InvalidInput
from services.gateway.auth import Tokens
from services.gateway.service import GatewayService
from services.tracking.workflows import PETITIONER_ACTIONS, STAFF_ACTIONS
from tests.stack import free_port

SECRET = "a-test-secret-of-thirty-two-chars"
ACTOR = {"username": "lixia_bureau", "unit_code": "370102-XFJ", "unit_name": "历下区信访局",
         "role": "bureau_supervisor", "area_code": "370102"}


class FakeTracking:
    """Answers as tracking does: the step's outcome, or its error."""

    def __init__(self):
        self.calls = []

    def act(self, case_number, action, actor, body=None):
        self.calls.append((case_number, action, actor, body))
        if action == "close":
            raise Conflict(f"case {case_number} is routed; close (办结) cannot start from it")
        if body == {}:
            raise InvalidInput("输入有误", {"note": ["Missing data for required field."]})
        return {"case_number": case_number, "status": "routed", "supervision": "open"}

    def petitioner_act(self, case_number, action, body=None):
        self.calls.append((case_number, action, None, body))
        return {"case_number": case_number, "status": "replied", "review": "review_requested"}


class FakeIntake:
    def case_number_for(self, query_code):
        return "JN20261125-000001"


@pytest.fixture
def gateway(container_factory):
    port = free_port()
    container = container_factory(GatewayService, {
        "AMQP_URI": "amqp://guest:guest@127.0.0.1:5672/", "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "TOKEN_SECRET": SECRET})
    tracking = FakeTracking()
    replace_dependencies(container, tracking=tracking, intake=FakeIntake())
    container.start()
    token, _ = Tokens(SECRET, 60).issue(ACTOR)
    return f"http://127.0.0.1:{port}/api/v1", {"Authorization": f"Bearer {token}"}, tracking


def test_every_staff_step_goes_to_tracking_with_the_verified_actor(gateway):
    url, auth, tracking = gateway
    body = {"note": "x"}
    for action in STAFF_ACTIONS:
        response = requests.post(f"{url}/cases/JN20261125-000001/{action}", json=body,
                                 headers=auth, timeout=5)
        if action == "close":
            assert response.status_code == 409 and "routed" in response.json()["message"]
        else:
            assert response.status_code == 200, response.text
            assert response.json() == {"case_number": "JN20261125-000001", "status": "routed",
                                       "supervision": "open"}
    assert tracking.calls == [("JN20261125-000001", action, ACTOR, body)
                              for action in STAFF_ACTIONS]


def test_a_step_without_a_body_sends_an_empty_one_and_bad_input_is_400(gateway):
    url, auth, tracking = gateway
    response = requests.post(f"{url}/cases/JN20261125-000001/send_back_supervision",
                             headers=auth, timeout=5)
    assert response.status_code == 400 and response.json()["details"] == {
        "note": ["Missing data for required field."]}


def test_an_unknown_step_or_no_token_never_reaches_tracking(gateway):
    url, auth, tracking = gateway
    unknown = requests.post(f"{url}/cases/JN20261125-000001/delete", headers=auth, timeout=5)
    assert unknown.status_code == 404
    for action in ("route", "conclude", "supervision_overdue", "request_review"):
        assert requests.post(f"{url}/cases/JN20261125-000001/{action}", headers=auth,
                             timeout=5).status_code == 404
    assert requests.post(f"{url}/cases/JN20261125-000001/accept", timeout=5).status_code == 401
    assert tracking.calls == []


def test_the_petitioners_steps_go_by_the_query_code(gateway):
    url, _, tracking = gateway
    for action in PETITIONER_ACTIONS:
        response = requests.post(f"{url}/petitions/K7M2-9QXD-4HTR-8WPA/{action}",
                                 json={"reason": "不服"}, timeout=5)
        assert response.status_code == 200, response.text
    assert tracking.calls == [("JN20261125-000001", action, None, {"reason": "不服"})
                              for action in PETITIONER_ACTIONS]
