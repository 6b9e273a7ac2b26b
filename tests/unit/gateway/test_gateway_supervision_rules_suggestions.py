"""Routes that had no route-level test: supervision and spot checks, the
caseload, the routing rules, the people's suggestions, the liveness probe.
Over real HTTP (tests.kit.gateway_url), the RPC side replaced by stand-ins
that verify the actor token as the real services do and answer a field no
response schema names (which must not reach the client)."""
import pytest
import requests

from core.actors import ActorSigner, ActorVerifier
from core.errors import Conflict, Forbidden, NotFound
from core.once import check_request_id
from core.sealed import Sealer
from core.validation import load
from deploy.keys import new_secrets
from services.suggestions.schemas import SuggestionTopicInputSchema
from tests.kit import gateway_url
from tests.unit.gateway.test_gateway_routes import call as call_with_token

KEYS = new_secrets()
SIGNER = ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 600)
VERIFY = ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify
OPEN = Sealer(KEYS["SUBMISSION_KEYS"], "SUBMISSION_KEYS").open
BUREAU = {"username": "lixia_bureau", "unit_code": "370102-XFJ", "unit_name": "历下区信访局",
          "role": "bureau_supervisor", "area_code": "370102"}
AGENT = {"username": "jiefanglu_agent", "unit_code": "370102001-JDB",
         "unit_name": "解放路街道办事处", "role": "grid_agent", "area_code": "370102001"}
HIDDEN = {"internal": "never shown"}
ORDER = {"id": 7, "case_number": "JN20261125-000001", "unit_code": "370102-ZJJ", "kind": "overdue",
         "status": "open", "reason": "逾期未办结", "instructions": None, "answer": None,
         "answer_due": "2026-12-01", "counted_against_unit": False,
         "opened_at": "2026-11-25T16:00:00+08:00", "closed_at": None}
CHECK = {"id": 3, "unit_code": "370102-ZJJ", "period_start": "2026-11-01",
         "period_end": "2026-11-30", "size": 1, "seed": 42, "population": ["A", "B"],
         "drawn": ["B"], "redrawn": ["B"], "reproduced": True, "drawn_by": "lixia_bureau",
         "drawn_at": "2026-11-30T16:00:00+08:00"}
RULE = {"category": "housing", "area_code": "370102", "unit_code": "370102-ZJJ",
        "unit_name": "历下区住建局", "track": "standard"}
TOPIC = {"id": 1, "title": "老旧小区改造", "description": "征集意见", "area_code": "370102",
         "opens_on": "2026-11-01", "closes_on": "2026-12-31", "departments": ["370102-ZJJ"],
         "open": True}
PROPOSAL = {"number": "JY20261125-000001", "status": "received", "status_name": "已收到",
            "topic_id": 1, "topic_title": "老旧小区改造", "organisation": None,
            "proposer": {"name": "张**", "id_number": "3701**********123X", "phone": "138****5678"},
            "title": "加装电梯", "content": "建议加装电梯", "area_code": "370102",
            "department": None, "merged_into": None, "reason": None, "answer": None,
            "follow_up": None, "submitted_at": "2026-11-25T16:00:00+08:00", "timeline": []}


class Tracking:
    def __init__(self):
        self.asks = []

    def _ask(self, what, actor, *args):
        self.asks.append((what, VERIFY(actor)["username"], *args))

    def supervision_orders(self, actor, status=None, limit=500, offset=0):
        self._ask("orders", actor, status, limit, offset)
        return [{**ORDER, **HIDDEN}]

    def supervision_record(self, actor):
        self._ask("record", actor)
        return [{"unit_code": "370102-ZJJ", "open": 1, "answered": 0, "escalated": 0,
                 "closed": 2, "counted_against_unit": 1, **HIDDEN}]

    def draw_spot_check(self, actor, body, request_id):
        self._ask("draw", actor, body, check_request_id(request_id))
        return {**CHECK, **HIDDEN}

    def spot_check(self, actor, spot_check_id):
        self._ask("check", actor, spot_check_id)
        if spot_check_id != CHECK["id"]:
            raise NotFound(f"spot check {spot_check_id} not found")
        return {**CHECK, **HIDDEN}

    def caseload(self, actor):
        self._ask("caseload", actor)
        return {"by_status": {"routed": 2}, "by_track": {"standard": 2}, **HIDDEN}


class Routing:
    def __init__(self):
        self.changes = []

    def rules(self):
        return [{**RULE, **HIDDEN}]

    def change_rule(self, actor, body):
        actor = VERIFY(actor)
        if body.get("area_code") != actor["area_code"]:
            raise Forbidden("outside the jurisdiction", {"area_code": ["不在本部门辖区内"]})
        self.changes.append((actor["username"], body))
        return {**RULE, **body, **HIDDEN}

    def rule_changes(self, actor):
        self.changes.append((VERIFY(actor)["username"], "read"))
        return [{"at": "2026-11-25T16:00:00+08:00", "changed_by": "lixia_bureau",
                 "category": "housing", "area_code": "370102", "before": None,
                 "after": {"unit_code": "370102-ZJJ", "track": "standard"}, **HIDDEN}]


class Suggestions:
    def __init__(self):
        self.calls = []

    def submit(self, sealed, submission_id):
        self.calls.append(("submit", OPEN(sealed)["title"], submission_id))
        return {"number": PROPOSAL["number"], "query_code": "K7M2-9QXD-4HTR-8WPA",
                "status": "received", **HIDDEN}

    def follow(self, query_code):
        if query_code != "K7M2-9QXD-4HTR-8WPA":
            raise NotFound("no proposal with this query code")
        return {**PROPOSAL, **HIDDEN}

    def topics(self):
        return [{**TOPIC, **HIDDEN}]

    def open_topic(self, body, actor):
        self.calls.append(("open_topic", VERIFY(actor)["username"]))
        load(SuggestionTopicInputSchema(), body)  # the errors are the service's
        return {**TOPIC, **body, **HIDDEN}

    def published(self, limit, offset):
        self.calls.append(("published", limit, offset))
        return [{"number": PROPOSAL["number"], "topic_title": None, "proposer": "张**",
                 "title": "加装电梯", "content": "建议加装电梯", "department": "370102-ZJJ",
                 "answer": "已采纳", "follow_up": "", "published_at": "2026-11-30T16:00:00+08:00",
                 **HIDDEN}]

    def list_proposals(self, filters, actor):
        self.calls.append(("list", filters, VERIFY(actor)["username"]))
        return [{**PROPOSAL, **HIDDEN}]

    def act(self, number, action, body, actor):
        self.calls.append(("act", number, action, body, VERIFY(actor)["username"]))
        if action == "publish":
            raise Conflict("not adopted yet")
        return {**PROPOSAL, "status": "accepted", **HIDDEN}


@pytest.fixture(scope="module")
def services():
    return {"tracking": Tracking(), "routing": Routing(), "suggestions": Suggestions()}


@pytest.fixture(scope="module")
def url(services):
    with gateway_url(services, KEYS) as address:
        yield address


def call(method, url, actor=None, **kwargs):
    return call_with_token(method, url, SIGNER.issue(actor)[0] if actor else None, **kwargs)


STAFF_ROUTES = [("GET", "/supervision"), ("GET", "/supervision/units"),
                ("POST", "/spot-checks"), ("GET", "/spot-checks/3"),
                ("GET", "/reports/caseload"), ("GET", "/routing/rules"),
                ("PUT", "/routing/rules"), ("GET", "/routing/rules/changes"),
                ("POST", "/suggestion-topics"), ("GET", "/proposals"),
                ("POST", f"/proposals/{PROPOSAL['number']}/accept")]


@pytest.mark.parametrize("method, path", STAFF_ROUTES)
def test_the_staff_routes_refuse_no_token_and_a_grid_agent(url, services, method, path):
    before = (list(services["tracking"].asks), list(services["routing"].changes),
              list(services["suggestions"].calls))
    assert call(method, f"{url}{path}").status_code == 401
    refused = call(method, f"{url}{path}", AGENT, json={})
    assert (refused.status_code, refused.json()["details"]) == (
        403, {"role": ["仅限承办单位和信访部门工作人员"]})
    assert (services["tracking"].asks, services["routing"].changes,
            services["suggestions"].calls) == before  # no service was asked


def test_supervision_orders_and_record_are_the_callers(url, services):
    orders = call("GET", f"{url}/supervision?status=open", BUREAU)
    assert (orders.status_code, orders.json()) == (200, [ORDER])
    call("GET", f"{url}/supervision?limit=5&offset=10", BUREAU)
    record = call("GET", f"{url}/supervision/units", BUREAU)
    assert record.json() == [{"unit_code": "370102-ZJJ", "open": 1, "answered": 0,
                              "escalated": 0, "closed": 2, "counted_against_unit": 1}]
    assert services["tracking"].asks[-3:] == [("orders", "lixia_bureau", "open", 500, 0),
                                              ("orders", "lixia_bureau", None, "5", "10"),
                                              ("record", "lixia_bureau")]


def test_a_spot_check_is_drawn_201_and_read_back(url, services):
    body = {"unit_code": "370102-ZJJ", "period_start": "2026-11-01",
            "period_end": "2026-11-30", "size": 1}
    drawn = call("POST", f"{url}/spot-checks", BUREAU, json=body,
                 headers={"Idempotency-Key": "draw-2026-11-0001"})
    assert (drawn.status_code, drawn.json()) == (201, CHECK)
    assert services["tracking"].asks[-1] == ("draw", "lixia_bureau", body, "draw-2026-11-0001")
    # Without the header each request is its own: an id made for it, never the same twice.
    made = []
    for _ in range(2):
        assert call("POST", f"{url}/spot-checks", BUREAU, json=body).status_code == 201
        made.append(services["tracking"].asks[-1][-1])
    assert len(set(made) | {"draw-2026-11-0001"}) == 3
    short = call("POST", f"{url}/spot-checks", BUREAU, json=body, headers={"Idempotency-Key": "x1"})
    assert short.status_code == 400 and "Idempotency-Key" in short.json()["details"]
    assert services["tracking"].asks[-1][-1] == made[-1]  # refused before tracking was asked
    assert call("GET", f"{url}/spot-checks/3", BUREAU).json() == CHECK
    assert call("GET", f"{url}/spot-checks/4", BUREAU).status_code == 404
    assert call("GET", f"{url}/spot-checks/0", BUREAU).status_code == 404  # min=1
    not_json = call("POST", f"{url}/spot-checks", BUREAU, data="size=1",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 415


def test_the_caseload(url, services):
    caseload = call("GET", f"{url}/reports/caseload", BUREAU)
    assert caseload.json() == {"by_status": {"routed": 2}, "by_track": {"standard": 2}}
    assert services["tracking"].asks[-1] == ("caseload", "lixia_bureau")


def test_routing_rules_read_changed_and_their_record(url, services):
    assert call("GET", f"{url}/routing/rules", BUREAU).json() == [RULE]
    change = {"category": "housing", "area_code": "370102", "unit_code": "370102-ZJJ",
              "track": "fast"}
    changed = call("PUT", f"{url}/routing/rules", BUREAU, json=change)
    assert (changed.status_code, changed.json()) == (200, {**RULE, "track": "fast"})
    outside = call("PUT", f"{url}/routing/rules", BUREAU, json={**change, "area_code": "370103"})
    assert (outside.status_code, outside.json()["details"]) == (
        403, {"area_code": ["不在本部门辖区内"]})
    assert call("PUT", f"{url}/routing/rules", BUREAU).status_code == 415  # no body
    changes = call("GET", f"{url}/routing/rules/changes", BUREAU).json()
    assert changes == [{"at": "2026-11-25T16:00:00+08:00", "changed_by": "lixia_bureau",
                        "category": "housing", "area_code": "370102", "before": None,
                        "after": {"unit_code": "370102-ZJJ", "track": "standard"}}]
    assert services["routing"].changes[-2:] == [("lixia_bureau", change), ("lixia_bureau", "read")]


def test_a_proposal_is_submitted_sealed_and_followed_by_its_code(url, services):
    sent = call("POST", f"{url}/suggestions", json={"title": "加装电梯", "content": "建议加装电梯"})
    assert (sent.status_code, sent.json()) == (201, {
        "number": PROPOSAL["number"], "query_code": "K7M2-9QXD-4HTR-8WPA", "status": "received"})
    what, title, submission_id = services["suggestions"].calls[-1]
    assert (what, title, len(submission_id) >= 16) == ("submit", "加装电梯", True)
    followed = call("GET", f"{url}/suggestions/K7M2-9QXD-4HTR-8WPA")
    assert (followed.status_code, followed.json()) == (200, PROPOSAL)
    assert call("GET", f"{url}/suggestions/0000-0000-0000-0000").status_code == 404


def test_the_topics_and_published_proposals_are_public_and_cacheable(url, services):
    topics = call("GET", f"{url}/suggestion-topics")
    assert (topics.status_code, topics.json()) == (200, [TOPIC])
    assert topics.headers["Cache-Control"] == "public, max-age=300"
    published = call("GET", f"{url}/public/suggestions?limit=5&offset=10")
    assert published.headers["Cache-Control"] == "public, max-age=300"
    assert "internal" not in published.json()[0] and published.json()[0]["answer"] == "已采纳"
    assert services["suggestions"].calls[-1] == ("published", "5", "10")


def test_a_bureau_opens_a_topic_and_the_services_refusal_names_the_field(url, services):
    body = {"title": "老旧小区改造", "description": "征集意见", "area_code": "370102",
            "opens_on": "2026-11-01", "closes_on": "2026-12-31", "departments": ["370102-ZJJ"]}
    opened = call("POST", f"{url}/suggestion-topics", BUREAU, json=body)
    assert (opened.status_code, opened.json()) == (201, TOPIC)
    refused = call("POST", f"{url}/suggestion-topics", BUREAU, json={**body, "departments": []})
    assert refused.status_code == 400 and list(refused.json()["details"]) == ["departments"]


def test_proposals_and_their_steps_go_with_the_callers_token(url, services):
    listed = call("GET", f"{url}/proposals?status=received&topic_id=1", BUREAU)
    assert listed.json() == [PROPOSAL]
    assert services["suggestions"].calls[-1] == (
        "list", {"status": "received", "topic_id": "1"}, "lixia_bureau")
    number = PROPOSAL["number"]
    accepted = call("POST", f"{url}/proposals/{number}/accept", BUREAU)
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    assert services["suggestions"].calls[-1] == ("act", number, "accept", {}, "lixia_bureau")
    forwarded = call("POST", f"{url}/proposals/{number}/forward", BUREAU,
                     json={"department": "370102-ZJJ"})
    assert services["suggestions"].calls[-1][3] == {"department": "370102-ZJJ"}
    assert forwarded.status_code == 200
    assert call("POST", f"{url}/proposals/{number}/publish", BUREAU).status_code == 409
    assert call("POST", f"{url}/proposals/{number}/delete", BUREAU).status_code == 404


def test_the_liveness_probe(url):
    root = url.rsplit("/api/v1", 1)[0]
    probe = requests.get(f"{root}/healthz", timeout=10)
    assert (probe.status_code, probe.json()) == (200, {"status": "ok"})
