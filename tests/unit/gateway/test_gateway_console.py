"""The console's routes over real HTTP (tests.kit.gateway_url), the RPC side
replaced by stand-ins that check the actor token as the real services do."""
import pytest
import requests

from core.actors import ActorSigner, ActorVerifier
from core.errors import Forbidden, InvalidInput, NotFound
from deploy.keys import new_secrets
from tests.kit import gateway_url

KEYS = new_secrets()
SIGNER = ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 600)
VERIFY = ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify
HANDLER = {"username": "lixia_housing", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
           "role": "handler", "area_code": "370102"}
BUREAU = {"username": "lixia_bureau", "unit_code": "370102-XFJ", "unit_name": "历下区信访局",
          "role": "bureau_supervisor", "area_code": "370102"}
AGENT = {"username": "jiefanglu_agent", "unit_code": "370102001-JDB",
         "unit_name": "解放路街道办事处", "role": "grid_agent", "area_code": "370102001"}
CASE = "JN20261125-000001"


def token(actor):
    return SIGNER.issue(actor)[0]


class Tracking:
    def __init__(self):
        self.queue_asks = []

    def staff_case(self, case_number, actor):
        if case_number != CASE or VERIFY(actor)["unit_code"] not in ("370102-ZJJ", "370102-XFJ"):
            raise NotFound(f"case {case_number} not found")
        return {"case_number": CASE}

    def list_cases(self, actor, status=None, limit=100, offset=0, **filters):
        self.queue_asks.append((VERIFY(actor)["username"], status, limit, offset, filters))
        return [{"case_number": CASE, "status": "routed", "title": "供暖", "overdue": False,
                 "secret": "never shown"}]

    def queue_totals(self, actor, **filters):
        self.queue_asks.append((VERIFY(actor)["username"], filters))
        if filters.get("queue") == "later":
            raise InvalidInput("输入有误", {"queue": ["不是有效的选项"]})
        return {"matching": 3, "by_status": {"routed": 2, "accepted": 1},
                "by_queue": {"new": 2, "due_soon": 0, "overdue": 1, "supervised": 0},
                "secret": "never shown"}


class Intake:
    def __init__(self):
        self.reveals = []

    def reveal_petitioner(self, case_number, actor):
        actor = VERIFY(actor)
        if case_number != CASE:  # intake asks tracking's case_scope
            raise NotFound(f"case {case_number} not found")
        if actor["role"] == "bureau_admin":
            raise Forbidden("this role may not", {"role": ["无权查看信访人个人信息"]})
        self.reveals.append((case_number, actor["username"]))
        return {"case_number": case_number, "name": "张三丰", "id_number": "370102199003071238",
                "phone": "13812345678", "internal": "never shown"}

    def personal_data_reads(self, actor, filters=None):
        if VERIFY(actor)["role"] != "bureau_supervisor":
            raise Forbidden("the bureau's", {"role": ["仅信访部门可查看个人信息查阅记录"]})
        self.filters = filters
        return [{"at": "2026-11-25T09:00:00+08:00", "reader": "lixia_housing",
                 "action": "revealed_to_staff", "case_number": CASE, "petitioner": "张**"}]


class Routing:
    def units(self):
        return [{"code": "370102-ZJJ", "name_zh": "历下区住建局", "name_en": "Lixia Housing",
                 "kind": "department", "area_code": "370102", "parent": "370100-ZJJ"}]


@pytest.fixture
def services():
    return {"tracking": Tracking(), "intake": Intake(), "routing": Routing()}


@pytest.fixture
def url(services):
    with gateway_url(services, KEYS) as address:
        yield address


def call(method, url, actor=None, **kwargs):
    headers = {"Authorization": f"Bearer {token(actor)}"} if actor else {}
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def test_the_pages_and_their_assets_are_local_with_a_strict_policy(url):
    root = url.rsplit("/api/v1", 1)[0]
    page = requests.get(f"{root}/staff", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "http" not in policy
    for src in ("/static/console/console.js", "/static/console/staff.js",
                "/static/vendor/chartjs/chart.umd.js", "/static/console/console.css"):
        assert src in page.text
        asset = requests.get(root + src, timeout=10)
        assert asset.status_code == 200 and len(asset.content) > 100
    assert "http://" not in page.text and "https://" not in page.text


def test_the_queue_passes_its_filters_on(url, services):
    response = call("GET", f"{url}/cases?queue=overdue&sort=newest&search=JN2026&unit_code=X"
                           "&limit=20&offset=40", BUREAU)
    assert response.status_code == 200
    assert response.json() == [{"case_number": CASE, "status": "routed", "title": "供暖",
                                "overdue": False}]
    assert services["tracking"].queue_asks == [("lixia_bureau", None, "20", "40", {
        "queue": "overdue", "sort": "newest", "search": "JN2026", "unit_code": "X"})]


def test_the_queue_totals_pass_the_same_filters_on(url, services):
    response = call("GET", f"{url}/cases/totals?status=routed&queue=overdue&search=JN2026"
                           "&unit_code=X&limit=20", BUREAU)
    assert response.status_code == 200
    assert response.json() == {"matching": 3, "by_status": {"routed": 2, "accepted": 1},
                               "by_queue": {"new": 2, "due_soon": 0, "overdue": 1, "supervised": 0}}
    assert services["tracking"].queue_asks == [("lixia_bureau", {
        "status": "routed", "queue": "overdue", "search": "JN2026", "unit_code": "X"})]
    bad = call("GET", f"{url}/cases/totals?queue=later", BUREAU)
    assert bad.status_code == 400 and "queue" in bad.json()["details"]
    assert call("GET", f"{url}/cases/totals").status_code == 401
    assert call("GET", f"{url}/cases/totals", AGENT).status_code == 403


def test_show_checks_scope_then_reveals_through_the_schema(url, services):
    shown = call("POST", f"{url}/cases/{CASE}/petitioner/reveal", HANDLER)
    assert shown.status_code == 200
    assert shown.json() == {"case_number": CASE, "name": "张三丰",
                            "id_number": "370102199003071238", "phone": "13812345678"}
    assert services["intake"].reveals == [(CASE, "lixia_housing")]
    other = call("POST", f"{url}/cases/JN20261125-000009/petitioner/reveal", HANDLER)
    assert other.status_code == 404
    admin = call("POST", f"{url}/cases/{CASE}/petitioner/reveal", {**BUREAU, "role": "bureau_admin"})
    assert admin.status_code == 403 and admin.json()["details"] == {"role": ["无权查看信访人个人信息"]}
    assert services["intake"].reveals == [(CASE, "lixia_housing")]


def test_the_audit_log_of_reads_is_the_bureaus(url, services):
    log = call("GET", f"{url}/audit/personal-data-reads?case_number={CASE}", BUREAU)
    assert log.status_code == 200 and log.json()[0]["reader"] == "lixia_housing"
    assert services["intake"].filters == {"case_number": CASE}
    assert call("GET", f"{url}/audit/personal-data-reads", HANDLER).status_code == 403
    assert call("GET", f"{url}/audit/personal-data-reads").status_code == 401


def test_units_for_anyone_and_staff_routes_refuse_a_grid_agent(url):
    # the directory's units name government bodies: public, as areas and categories are
    assert call("GET", f"{url}/units", HANDLER).json()[0]["code"] == "370102-ZJJ"
    assert call("GET", f"{url}/units").json()[0]["code"] == "370102-ZJJ"
    refused = call("GET", f"{url}/cases", AGENT)
    assert refused.status_code == 403 and "role" in refused.json()["details"]


class AgentIntake(Intake):
    """intake's agent RPCs as the real one takes them: the body sealed, the token verified."""

    def submit_by_agent(self, agent, data, consent, submission_id=None, client=None,
                        idempotency_key=None):
        from core.sealed import Sealer
        data = Sealer(KEYS["SUBMISSION_KEYS"], "SUBMISSION_KEYS").open(data)
        if VERIFY(agent)["role"] != "grid_agent":
            raise Forbidden("grid agents only", {"role": ["仅限信访代理员"]})
        self.agent_submission = (data, consent)
        self.agent_keys = (submission_id, idempotency_key)
        return {"case_number": CASE, "query_code": "K7M2-9QXD-4HTR-8WPA", "status": "submitted",
                "submitted_at": "2026-11-25T09:00:00+08:00", "query_code_hash": "never shown"}

    def agent_petitions(self, actor):
        VERIFY(actor)
        return [{"case_number": CASE, "title": "供暖", "category": "housing",
                 "area_code": "370102001", "submitted_at": "2026-11-25T09:00:00+08:00",
                 "consent_method": "signed_form", "consent_given_at": "2026-11-25T08:30:00+08:00"}]


class PublicTracking(Tracking):
    def get_case(self, case_number):
        return {"case_number": case_number, "status": "accepted", "unit_name": "解放路街道办事处",
                "due_date": "2026-12-09"}


@pytest.fixture
def agent_intake():
    return AgentIntake()


@pytest.fixture
def agent_url(agent_intake):
    with gateway_url({"intake": agent_intake, "tracking": PublicTracking(),
                      "routing": Routing()}, KEYS) as address:
        yield address


def test_the_agent_submits_with_consent_and_sees_status(agent_url):
    root = agent_url.rsplit("/api/v1", 1)[0]
    page = requests.get(f"{root}/agent", timeout=10)
    assert page.status_code == 200 and "/static/console/agent.js" in page.text
    body = {"name": "王五", "title": "供暖", "consent": {"method": "signed_form"}}
    made = call("POST", f"{agent_url}/agent/petitions", AGENT, json=body)
    assert made.status_code == 201 and "query_code_hash" not in made.json()
    listed = call("GET", f"{agent_url}/agent/petitions", AGENT).json()
    assert listed == [{"case_number": CASE, "title": "供暖", "category": "housing",
                       "area_code": "370102001", "submitted_at": "2026-11-25T09:00:00+08:00",
                       "consent_method": "signed_form",
                       "consent_given_at": "2026-11-25T08:30:00+08:00", "status": "accepted",
                       "unit_name": "解放路街道办事处", "due_date": "2026-12-09"}]
    for method, path in (("POST", "/agent/petitions"), ("GET", "/agent/petitions")):
        refused = call(method, f"{agent_url}{path}", HANDLER, json=body)
        assert refused.status_code == 403 and "role" in refused.json()["details"]


def test_the_agents_idempotency_key_reaches_intake_and_a_malformed_one_is_named(agent_url,
                                                                              agent_intake):
    body = {"name": "王五", "title": "供暖", "consent": {"method": "signed_form"}}
    key = "5d0c1b7e9f2a4c6e8b1d3f5a7c9e0b2d"
    for _ in range(2):
        made = requests.post(f"{agent_url}/agent/petitions", json=body, timeout=10, headers={
            "Authorization": f"Bearer {token(AGENT)}", "Idempotency-Key": key})
        assert made.status_code == 201
        submission_id, sent_key = agent_intake.agent_keys
        assert sent_key == key and submission_id != key
    bad = requests.post(f"{agent_url}/agent/petitions", json=body, timeout=10, headers={
        "Authorization": f"Bearer {token(AGENT)}", "Idempotency-Key": "short"})
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["details"]
