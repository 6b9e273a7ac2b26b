"""The gateway's routes over real HTTP, with the RPC side replaced by stand-in
services that behave (keep what they are given, answer and refuse as the real
ones do): no broker, so these run in the unit suite. The real services behind
the same routes are covered end to end in tests/e2e."""
import pytest
import requests

from core.actors import ActorVerifier
from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from core.sealed import Sealer
from core.validation import load
from deploy.keys import new_secrets
from services.tracking import schemas as tracking_schemas
from services.tracking.workflows import PETITIONER_ACTIONS, STAFF_ACTIONS, STEPS
from tests.kit import gateway_url

KEYS = new_secrets()
# What the real services do in their entrypoints (@sealed_rpc, @staff_rpc):
# open the sealed submission, verify the actor token.
OPEN = Sealer(KEYS["SUBMISSION_KEYS"], "SUBMISSION_KEYS").open
VERIFY = ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify
HANDLER = {"username": "lixia_housing", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
           "role": "handler", "area_code": "370102"}
CASE_NUMBER = "JN20261125-000001"
CODE = "K7M2-9QXD-4HTR-8WPA"
SUBMISSION = {"title": "小区供暖温度不达标", "content": "室内温度不足十六度"}


class Intake:
    """Keeps one petition per submission id; looks it up by query code."""

    def __init__(self):
        self.petitions, self.submission_ids, self.staff_reads = {}, [], []

    def submit(self, data, submission_id, client=None, idempotency_key=None):
        data = OPEN(data)
        if not data.get("title"):
            raise InvalidInput("输入有误", {"title": ["必填"]})
        self.submission_ids.append(submission_id)
        self.idempotency_keys = getattr(self, "idempotency_keys", []) + [idempotency_key]
        self.petitions[CODE] = {
            "case_number": CASE_NUMBER, "title": data["title"], "content": data["content"],
            "category": "housing", "area_code": "370102", "address": None,
            "submitted_at": "2026-11-25T08:00:00+08:00", "channel": "web",
            "petitioner": {"name": "张**", "id_number": "3701**********123X",
                           "phone": "138****5678"},
            "proxy": {"agent_id": "GA-370102001-01", "consent_record": "同意书 LC-0042",
                      "recorded_at": "2026-11-25T08:00:00+08:00"}}
        return {"case_number": CASE_NUMBER, "query_code": CODE, "status": "submitted",
                "submitted_at": "2026-11-25T08:00:00+08:00",
                "query_code_hash": "never-shown"}  # a field no response schema names

    def request_phone_code(self, data, client=None):
        data = OPEN(data)
        self.codes_asked = getattr(self, "codes_asked", []) + [(data["phone"], client)]
        if len(self.codes_asked) > 1:
            raise TooManyRequests("请求过于频繁", {"phone": ["too many"]}, retry_after=42)
        return {"phone": "138****5678", "expires_in": 600, "resend_after": 60,
                "code": "never-shown"}  # a field no response schema names

    def lookup(self, query_code):
        if query_code not in self.petitions:
            raise NotFound("no petition with this query code")
        return self.petitions[query_code]

    def case_number_for(self, query_code):
        return self.lookup(query_code)["case_number"]

    def petitioner(self, case_number, actor):
        self.staff_reads.append((case_number, VERIFY(actor)["username"]))
        return next(p for p in self.petitions.values() if p["case_number"] == case_number)


class Routing:
    def reference_data(self):
        return {"categories": [{"code": "housing", "name_zh": "住房保障", "name_en": "Housing",
                                "description_zh": "物业、拆迁等", "description_en": "property, resettlement",
                                "position": 0}],
                "areas": [{"code": "370102", "name_zh": "历下区", "name_en": "Lixia District",
                           "level": "district", "parent": "370100", "population": 1}]}

    def authenticate(self, username, password, client=None):
        if (username, password) == ("new_staff", "one-time"):
            return {**HANDLER, "username": "new_staff", "must_change_password": True}
        if (username, password) != (HANDLER["username"], "demo-password"):
            raise Unauthorized("wrong username or password")
        return HANDLER

    def change_password(self, username, old_password, new_password, client=None):
        if old_password != "one-time":
            raise Unauthorized("原密码错误")
        return {"username": username, "must_change_password": False}


class Tracking:
    """One case, assigned to HANDLER's unit once ``route`` is called."""

    def __init__(self):
        self.case, self.queue_asks, self.steps = None, [], []

    def route(self):
        self.case = {"case_number": CASE_NUMBER, "status": "routed", "category": "housing",
                     "area_code": "370102", "title": "小区供暖温度不达标",
                     "unit_code": HANDLER["unit_code"], "unit_name": HANDLER["unit_name"],
                     "track": "standard", "due_date": "2026-12-09", "overdue": False,
                     "supervision_open": False, "reply": None, "rejection_reason": None,
                     "rejection_channel": None, "routing_reason": "规则：住房保障/历下区",
                     "routing_seq": 1, "timeline": [
                         {"at": "2026-11-25T00:00:00+00:00", "kind": "routed", "text": "已分派"}]}

    def get_case(self, case_number):
        if self.case is None or case_number != CASE_NUMBER:
            raise NotFound(f"case {case_number} not found")
        return self.case

    def staff_case(self, case_number, actor):
        actor = VERIFY(actor) if isinstance(actor, str) else actor
        case = self.get_case(case_number)
        if case["unit_code"] != actor["unit_code"]:
            raise NotFound(f"case {case_number} not found")
        return case

    def list_cases(self, actor, status=None, limit=100, offset=0):
        actor = VERIFY(actor)
        self.queue_asks.append((actor["username"], status, limit, offset))
        in_queue = self.case and self.case["unit_code"] == actor["unit_code"]
        return [self.case] if in_queue and status in (None, self.case["status"]) else []

    def act(self, case_number, action, actor, body=None):
        """A workflow step: the input checked by the step's own schema, the
        handling moves of the table, any other step recorded and answered."""
        actor = VERIFY(actor)
        self.steps.append((case_number, action, actor["username"], body))
        case = self.staff_case(case_number, actor)
        workflow, step = STEPS[action]
        data = load(getattr(tracking_schemas, step.body)(), body) if step.body else {}
        if action == "return":
            raise Forbidden("stand-in: returns are not allowed here")
        if workflow.name == "handling" and step.to_state is not None:
            if case["status"] not in step.from_states:
                raise Conflict(f"case {case_number} is {case['status']}; "
                               f"{action} ({step.name_zh}) cannot start from it")
            case.update(status=step.to_state, **data)
        return {"case_number": case_number, "status": case["status"],
                **({workflow.name: "open"} if workflow.name != "handling" else {})}

    def petitioner_act(self, case_number, action, body=None):
        self.steps.append((case_number, action, None, body))
        return {"case_number": case_number, "status": "replied", "review": "review_requested"}


class Rating:
    def __init__(self, tracking):
        self.tracking, self.ratings = tracking, {}

    def get(self, case_number):
        return self.ratings.get(case_number)

    def submit(self, case_number, data):
        if (self.tracking.case or {}).get("status") != "replied":
            raise Conflict("the case has no reply yet")
        if case_number in self.ratings:
            raise Conflict("already rated")
        self.ratings[case_number] = {**data, "case_number": case_number, "unit_code": "x",
                                     "submitted_at": "2026-12-01T08:00:00+08:00"}
        return self.ratings[case_number]


@pytest.fixture
def services():
    tracking = Tracking()
    return {"intake": Intake(), "routing": Routing(), "tracking": tracking,
            "rating": Rating(tracking)}


@pytest.fixture
def url(services):
    with gateway_url(services, KEYS) as address:
        yield address


def call(method, url, token=None, **kwargs):
    headers = {**({"Authorization": f"Bearer {token}"} if token else {}),
               **kwargs.pop("headers", {})}
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def token_for(url):
    response = call("POST", f"{url}/auth/token",
                    json={"username": HANDLER["username"], "password": "demo-password"})
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def test_a_submission_answers_201_with_the_receipt_fields_only(url, services):
    first = call("POST", f"{url}/petitions", json=SUBMISSION)
    call("POST", f"{url}/petitions", json=SUBMISSION)
    assert first.status_code == 201
    assert first.json() == {"case_number": CASE_NUMBER, "query_code": CODE,
                            "status": "submitted", "submitted_at": "2026-11-25T08:00:00+08:00"}
    # one submission id per request, so a retried request is told apart from a new one
    ids = services["intake"].submission_ids
    assert len(ids) == 2 and ids[0] != ids[1] and len(ids[0]) >= 16


def test_the_idempotency_key_reaches_intake_and_a_malformed_one_is_400(url, services):
    key = "3f1c9a7e-5b2d-4c8e-9a61-0d2f7b8e4c10"
    assert call("POST", f"{url}/petitions", json=SUBMISSION,
                headers={"Idempotency-Key": key}).status_code == 201
    call("POST", f"{url}/petitions", json=SUBMISSION)
    assert services["intake"].idempotency_keys == [key, None]
    for bad in ("short", "x" * 65, "has space in it 12345", "键" * 20):
        response = call("POST", f"{url}/petitions", json=SUBMISSION,
                        headers={"Idempotency-Key": bad.encode().decode("latin-1")})
        assert response.status_code == 400, bad
        assert list(response.json()["details"]) == ["Idempotency-Key"]
    assert len(services["intake"].idempotency_keys) == 2  # nothing more reached intake


@pytest.mark.parametrize("body, field", [("not json", "body"), ("[1, 2]", "body")])
def test_a_body_that_is_not_a_json_object_is_400_naming_the_body(url, body, field):
    response = call("POST", f"{url}/petitions", data=body,
                    headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_input" and field in response.json()["details"]


def test_intakes_refusal_reaches_the_citizen_with_the_field_and_reason(url):
    response = call("POST", f"{url}/petitions", json={"content": "没有标题"})
    assert response.status_code == 400
    assert response.json()["details"] == {"title": ["必填"]}


def test_following_a_petition_before_and_after_tracking_knows_it(url, services):
    assert call("GET", f"{url}/petitions/{CODE}").status_code == 404
    call("POST", f"{url}/petitions", json=SUBMISSION)
    early = call("GET", f"{url}/petitions/{CODE}").json()
    assert (early["status"], early["timeline"], early["rating"]) == ("submitted", [], None)
    services["tracking"].route()
    view = call("GET", f"{url}/petitions/{CODE}").json()
    assert (view["status"], view["unit_name"], view["due_date"]) == (
        "routed", HANDLER["unit_name"], "2026-12-09")
    assert view["petitioner"] == {"name": "张**", "id_number": "3701**********123X",
                                  "phone": "138****5678"}
    # what staff see (how it was routed) and the proxy's consent stay inside
    assert "routing_reason" not in view and "proxy" not in view


def test_rating_is_201_once_then_409(url, services):
    call("POST", f"{url}/petitions", json=SUBMISSION)
    services["tracking"].route()
    levels = {"service_attitude": "satisfied", "work_efficiency": "satisfied",
              "handling_quality": "unsatisfied", "comment": "还行"}
    assert call("POST", f"{url}/petitions/{CODE}/rating", json=levels).status_code == 409
    services["tracking"].case["status"] = "replied"
    rated = call("POST", f"{url}/petitions/{CODE}/rating", json=levels)
    assert rated.status_code == 201
    assert rated.json() == {**levels, "submitted_at": "2026-12-01T08:00:00+08:00"}
    again = call("POST", f"{url}/petitions/{CODE}/rating", json=levels)
    assert (again.status_code, again.json()["error"]) == (409, "conflict")


def test_reference_data_is_dumped_through_the_api_shapes(url):
    assert call("GET", f"{url}/categories").json() == [
        {"code": "housing", "name_zh": "住房保障", "name_en": "Housing",
         "description_zh": "物业、拆迁等", "description_en": "property, resettlement"}]
    assert call("GET", f"{url}/areas").json() == [
        {"code": "370102", "name_zh": "历下区", "name_en": "Lixia District",
         "level": "district", "parent": "370100"}]


def test_signing_in(url):
    bad = call("POST", f"{url}/auth/token", json={"username": "lixia_housing", "password": "x"})
    assert (bad.status_code, bad.json()["error"]) == (401, "unauthorized")
    missing = call("POST", f"{url}/auth/token", json={"username": "lixia_housing"})
    assert missing.status_code == 400 and "password" in missing.json()["details"]
    token = call("POST", f"{url}/auth/token",
                 json={"username": "lixia_housing", "password": "demo-password"}).json()
    assert (token["token_type"], token["actor"]) == ("Bearer", HANDLER)


def test_staff_routes_need_a_valid_bearer_token(url):
    for method, path in [("GET", "/cases"), ("GET", f"/cases/{CASE_NUMBER}"),
                         ("POST", f"/cases/{CASE_NUMBER}/accept")]:
        assert call(method, f"{url}{path}").status_code == 401
        assert call(method, f"{url}{path}", token="not-a-token").status_code == 401


def test_the_work_queue_is_asked_for_the_tokens_actor(url, services):
    services["tracking"].route()
    token = token_for(url)
    queue = call("GET", f"{url}/cases?status=routed&limit=5&offset=0&username=city_bureau",
                 token=token)
    assert [c["case_number"] for c in queue.json()] == [CASE_NUMBER]
    assert "routing_reason" not in queue.json()[0]  # the summary shape only
    assert services["tracking"].queue_asks == [("lixia_housing", "routed", "5", "0")]


def test_staff_read_a_case_act_on_it_and_the_read_is_asked_of_intake(url, services):
    call("POST", f"{url}/petitions", json=SUBMISSION)
    services["tracking"].route()
    token = token_for(url)
    case = call("GET", f"{url}/cases/{CASE_NUMBER}", token=token)
    assert case.status_code == 200
    assert (case.json()["routing_reason"], case.json()["petitioner"]["phone"]) == (
        "规则：住房保障/历下区", "138****5678")
    assert services["intake"].staff_reads == [(CASE_NUMBER, "lixia_housing")]
    accepted = call("POST", f"{url}/cases/{CASE_NUMBER}/accept", token=token)
    assert accepted.json() == {"case_number": CASE_NUMBER, "status": "accepted"}
    assert call("POST", f"{url}/cases/{CASE_NUMBER}/accept", token=token).status_code == 409
    no_reply = call("POST", f"{url}/cases/{CASE_NUMBER}/reply", token=token, json={})
    assert no_reply.status_code == 400 and "reply" in no_reply.json()["details"]
    replied = call("POST", f"{url}/cases/{CASE_NUMBER}/reply", token=token,
                   json={"reply": "已协调供热公司检修"})
    assert replied.json()["status"] == "replied"
    refused = call("POST", f"{url}/cases/{CASE_NUMBER}/return", token=token,
                   json={"reason": "不属本单位职责"})
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    assert call("GET", f"{url}/cases/JN20261125-000099", token=token).status_code == 404


def test_a_phone_code_is_asked_for_with_the_client_address_and_limited(url, services):
    sent = call("POST", f"{url}/phone-codes",
                json={"phone": "13812345678", "id_number": "11010519491231002X"})
    assert sent.status_code == 202
    assert sent.json() == {"phone": "138****5678", "expires_in": 600, "resend_after": 60}
    assert services["intake"].codes_asked == [("13812345678", "127.0.0.1")]
    again = call("POST", f"{url}/phone-codes",
                 json={"phone": "13812345678", "id_number": "11010519491231002X"})
    assert (again.status_code, again.headers["Retry-After"]) == (429, "42")
    assert again.json()["details"] == {"phone": ["too many"]}


def test_a_one_time_password_allows_only_changing_it(url):
    token = call("POST", f"{url}/auth/token",
                 json={"username": "new_staff", "password": "one-time"}).json()
    assert token["actor"]["must_change_password"] is True
    refused = call("GET", f"{url}/cases", token=token["access_token"])
    assert (refused.status_code, refused.json()["error"]) == (403, "forbidden")
    wrong = call("POST", f"{url}/auth/password", token=token["access_token"],
                 json={"old_password": "guess", "new_password": "Kq7#mP2x!rT9"})
    assert wrong.status_code == 401
    changed = call("POST", f"{url}/auth/password", token=token["access_token"],
                   json={"old_password": "one-time", "new_password": "Kq7#mP2x!rT9"})
    assert changed.json() == {"username": "new_staff", "must_change_password": False}


def test_every_answer_has_the_security_headers_and_no_store(url):
    for response in (call("GET", f"{url}/categories"), call("POST", f"{url}/petitions"),
                     call("DELETE", f"{url}/petitions")):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert call("DELETE", f"{url}/petitions").headers["Allow"] == "POST"
def test_every_staff_step_is_a_route_to_tracking_with_the_tokens_actor(url, services):
    services["tracking"].route()
    token = token_for(url)
    for action in STAFF_ACTIONS:
        call("POST", f"{url}/cases/{CASE_NUMBER}/{action}", token=token, json={"note": "x"})
    assert [step[1] for step in services["tracking"].steps] == list(STAFF_ACTIONS)
    assert {step[2] for step in services["tracking"].steps} == {HANDLER["username"]}
    # accept moved the case as the table says; the rest refused {"note"} or did not apply
    assert services["tracking"].case["status"] == "accepted"
    supervised = call("POST", f"{url}/cases/{CASE_NUMBER}/close_supervision", token=token,
                      json={"note": "整改到位"})
    assert supervised.json() == {"case_number": CASE_NUMBER, "status": "accepted",
                                 "supervision": "open"}


def test_a_step_without_a_body_sends_none_and_the_steps_schema_refuses_it(url, services):
    services["tracking"].route()
    token = token_for(url)
    response = call("POST", f"{url}/cases/{CASE_NUMBER}/send_back_supervision", token=token)
    assert response.status_code == 400 and "note" in response.json()["details"]


def test_an_unknown_system_or_petitioner_step_is_no_staff_route(url, services):
    services["tracking"].route()
    token = token_for(url)
    for action in ("delete", "route", "conclude", "supervision_overdue", "finalize",
                   "request_review"):
        assert call("POST", f"{url}/cases/{CASE_NUMBER}/{action}", token=token).status_code == 404
    assert services["tracking"].steps == []


def test_the_petitioners_steps_go_by_the_query_code(url, services):
    call("POST", f"{url}/petitions", json=SUBMISSION)
    for action in PETITIONER_ACTIONS:
        response = call("POST", f"{url}/petitions/{CODE}/{action}", json={"reason": "不服"})
        assert response.status_code == 200, response.text
    assert services["tracking"].steps == [(CASE_NUMBER, action, None, {"reason": "不服"})
                                          for action in PETITIONER_ACTIONS]


def test_an_error_without_fields_has_no_details_and_speaks_the_asked_language(url):
    plain = call("GET", f"{url}/petitions/{CODE}")
    assert plain.status_code == 404
    assert plain.json() == {"error": "not_found", "message": "no petition with this query code"}
    chinese = call("GET", f"{url}/petitions/{CODE}", headers={"Accept-Language": "zh-CN"})
    assert chinese.json()["message"] == "未找到该查询码对应的信访事项，请核对查询码"
    refused = call("POST", f"{url}/petitions", json={"content": "没有标题"},
                   headers={"Accept-Language": "en-US,en;q=0.9"})
    assert refused.status_code == 400
    assert refused.json()["details"] == {"title": ["required"]}
    assert call("POST", f"{url}/petitions", json={"content": "没有标题"}, headers={
        "Accept-Language": "zh-CN"}).json()["details"] == {"title": ["必填"]}
