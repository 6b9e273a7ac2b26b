"""The smart-petition routes over real HTTP, fast: the gateway with its
reports RPC replaced by the reports service's own entrypoints on a SQLite
store holding the labelled set (tests/similar_set.py), intake and tracking by
small stand-ins that answer as they do (no broker)."""
import pytest
import requests
from nameko.testing.services import worker_factory

from core.actors import ActorSigner
from core.errors import Forbidden, NotFound
from deploy.keys import new_secrets
from services.reports.models import Base
from services.reports.service import ReportsService
from services.reports.settings import Settings
from tests.kit import AsStaffRpc, gateway_url, sqlite_store
from tests.reports_month import RULES
from tests.similar_set import seed_set

KEYS = new_secrets()
CODE = "ABCD-EFGH-JKMN-PQRS"
CASE = "JN20261125-000001"
PETITION = {"case_number": CASE, "title": "电梯坏了一个月没人修",
            "content": "单元电梯停运一个多月，物业一直拖着不维修，老人下不了楼。",
            "category": "housing", "area_code": "370102"}
HANDLER = {"username": "lixia_housing", "unit_code": "370102-HOUSING", "unit_name": "历下区住建局",
           "role": "handler", "area_code": "370102"}
OTHER = {**HANDLER, "username": "zhangqiu_hrss", "unit_code": "370181-LABOR"}


class Intake:
    def __init__(self):
        self.reads = []

    def lookup(self, query_code):
        if query_code != CODE:
            raise NotFound("no petition with this query code")
        self.reads.append("citizen")
        return PETITION

    def petitioner(self, case_number, actor):
        self.reads.append("staff")
        return PETITION


class Tracking:
    def __init__(self, verify):
        self.verify = verify

    def staff_case(self, case_number, actor):
        if self.verify(actor)["unit_code"] != HANDLER["unit_code"]:
            raise Forbidden("not your unit's case")
        return {"case_number": case_number, "unit_code": "370102-HOUSING",
                "unit_name": "历下区住建局"}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    settings = Settings.from_config({"ASSESSMENT": RULES})
    with sqlite_store(f"sqlite:///{tmp_path_factory.mktemp('similar')}/r.db", Base) as store:
        seed_set(store)
        reports = AsStaffRpc(worker_factory(ReportsService, store=store, settings=settings),
                             KEYS["ACTOR_VERIFY_KEY"])
        intake = Intake()
        tracking = Tracking(reports.verify)
        with gateway_url({"reports": reports, "intake": intake, "tracking": tracking},
                         KEYS) as address:
            yield address, intake


def bearer(actor):
    return {"Authorization": f"Bearer {ActorSigner(KEYS['ACTOR_SIGNING_KEY'], 600).issue(actor)[0]}"}


def test_while_typing_a_citizen_sees_similar_cases_and_regulations(setup):
    url, _ = setup
    response = requests.post(f"{url}/public/similar", json={
        "title": "电梯经常坏", "content": "物业不修电梯", "category": "housing"}, timeout=10)
    assert response.status_code == 200
    answer = response.json()
    assert len(answer["cases"]) == 5 and "电梯" in answer["cases"][0]["title"]
    assert set(answer["cases"][0]) >= {"title", "category", "area_code", "unit_name", "handling",
                                       "result", "rating", "timeline", "handling_days"}
    assert answer["regulations"][0]["source"].startswith("物业管理条例")


def test_bad_input_is_a_400_naming_the_field(setup):
    url, _ = setup
    for body, field in (({"title": "", "content": " "}, "title"),
                        ({"title": "电梯", "limit": 99}, "limit"),
                        ({"title": "电梯", "area_code": "3701"}, "area_code")):
        response = requests.post(f"{url}/public/similar", json=body, timeout=10)
        assert response.status_code == 400
        assert set(response.json()["details"]) == {field}


def test_after_submitting_by_the_query_code(setup):
    url, intake = setup
    answer = requests.get(f"{url}/petitions/{CODE}/similar", timeout=10).json()
    assert "电梯" in answer["cases"][0]["title"]
    assert all(c["case_number"] != CASE for c in answer["cases"])
    assert intake.reads[-1] == "citizen"  # the petition was read as intake reads it (audited)
    assert requests.get(f"{url}/petitions/XXXX-XXXX-XXXX-XXXX/similar",
                        timeout=10).status_code == 404


def test_staff_see_the_suggested_unit_beside_routings_decision(setup):
    url, intake = setup
    assert requests.get(f"{url}/cases/{CASE}/similar", timeout=10).status_code == 401
    reads = len(intake.reads)
    refused = requests.get(f"{url}/cases/{CASE}/similar", headers=bearer(OTHER), timeout=10)
    assert refused.status_code == 403 and len(intake.reads) == reads  # nothing read
    answer = requests.get(f"{url}/cases/{CASE}/similar", headers=bearer(HANDLER),
                          timeout=10).json()
    assert answer["routed_unit"] == {"unit_code": "370102-HOUSING", "unit_name": "历下区住建局"}
    suggestion = answer["suggested_unit"]
    assert suggestion["unit_code"] == "370102-HOUSING" and suggestion["similar_cases"] >= 4
    assert answer["cases"] and answer["regulations"]
