"""Smart petition end to end, every service its own process over HTTP: two
petitions on the same matter are handled, rated and so concluded and listed;
a citizen typing a third sees them (and the regulations), and after submitting
sees them by the query code; the staff of the new case see the unit that
handled them beside routing's own decision, which stays as it was; a case the
petitioner kept private is never shown."""
import pytest

from tests.e2e.test_reports import PERSONAL, SATISFIED, handle, rate, submit
from tests.stack import VALID, api, eventually, login

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(own_stack):
    """A stack of its own: the similar-case search reads every listed case in the store."""
    return own_stack

UNIT = "370102-ZJJ"


def test_similar_cases_while_typing_after_submitting_and_for_staff(stack):
    handler = login(stack, "lixia_housing")
    first = submit(stack, {**VALID, "title": "小区电梯停运物业不修"})
    second = submit(stack, {**VALID, "title": "电梯坏了一个月无人维修"})
    private = submit(stack, {**VALID, "title": "电梯故障频繁困人", "publish": False})
    for petition in (first, second, private):
        handle(stack, handler, petition["case_number"], "已责成物业公司修复电梯。")
        rate(stack, petition["query_code"], SATISFIED)

    typing = {"title": "电梯停了没人修", "content": "我们楼的电梯停运很久，物业一直不维修。",
              "category": "housing", "area_code": "370102"}

    def shown():
        response = api(stack, "POST", "/public/similar", json=typing)
        assert response.status_code == 200, response.text
        return response.json()
    answer = eventually(lambda: (a := shown()) and len(a["cases"]) == 2 and a)
    assert {c["case_number"] for c in answer["cases"]} == {first["case_number"],
                                                         second["case_number"]}
    assert all(c["unit_code"] == UNIT and c["result"].startswith("按期办结")
               and c["rating"]["handling_quality"] == "satisfied" for c in answer["cases"])
    assert answer["regulations"][0]["source"].startswith("物业管理条例")
    assert not PERSONAL.search(str(answer))

    third = submit(stack, {**VALID, **typing})
    mine = api(stack, "GET", f"/petitions/{third['query_code']}/similar").json()
    assert {c["case_number"] for c in mine["cases"]} == {first["case_number"],
                                                       second["case_number"]}

    case = eventually(lambda: (r := api(stack, "GET", f"/cases/{third['case_number']}",
                                        handler)).status_code == 200 and r.json())
    staff = api(stack, "GET", f"/cases/{third['case_number']}/similar", handler).json()
    assert staff["suggested_unit"]["unit_code"] == UNIT
    assert staff["suggested_unit"]["similar_cases"] == 2
    assert staff["routed_unit"]["unit_code"] == case["unit_code"] == UNIT
    assert api(stack, "GET", f"/cases/{third['case_number']}/similar").status_code == 401
