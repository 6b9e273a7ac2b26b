"""The citizens' portal shows the smart petition panel (issue 12): two
petitions on the same matter are handled, rated and so concluded and listed
(a third kept private); a citizen typing a like petition on the submit page
sees the two with how they were handled, their result and rating, and the
regulations; after submitting, the follow page shows them too. The pages are
driven in Chromium (tests/e2e/smart_page.py)."""
import pytest

from tests.e2e.browser import run_script
from tests.e2e.test_reports import PERSONAL, SATISFIED, handle, rate, submit
from tests.stack import VALID, api, eventually, login

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(own_stack):
    """A stack of its own: the similar-case search reads every listed case in the store."""
    return own_stack

LIKE = ("小区电梯停运物业不修", "电梯坏了一个月无人维修")
TYPED = {"title": "电梯停了没人修", "content": "我们楼的电梯停运很久，物业一直不维修。",
         "category": "housing", "area_code": "370102"}


def page(command, *args):
    return run_script("tests.e2e.smart_page", command, *args)


def test_the_submit_and_follow_pages_show_similar_cases_and_regulations(stack):
    handler = login(stack, "lixia_housing")
    petitions = [submit(stack, {**VALID, "title": title}) for title in LIKE]
    private = submit(stack, {**VALID, "title": "电梯故障频繁困人", "publish": False})
    for petition in petitions + [private]:
        handle(stack, handler, petition["case_number"], "已责成物业公司修复电梯。")
        rate(stack, petition["query_code"], SATISFIED)
    eventually(lambda: len(api(stack, "POST", "/public/similar", json=TYPED)
                          .json()["cases"]) == 2)

    seen = page("typing", stack.url + "/")
    assert seen["errors"] == []
    assert seen["asked_for_short_title"] == 0 and seen["panel_for_short_title"] == ""
    # asked once the typing paused, not at every key; only what the search reads
    assert 1 <= seen["asked"] < seen["keys"]
    assert seen["sent"] == TYPED
    shown = seen["zh"]
    assert shown["live"] == "polite"
    assert shown["heading"] == "相似案例与相关政策"
    assert sorted(shown["cases"]) == sorted(LIKE)
    assert "按期办结" in shown["case_text"] and "责任单位办理质量：满意" in shown["case_text"]
    assert "住房城乡建设" in shown["case_text"] and "历下区" in shown["case_text"]
    assert shown["regulations"][0].startswith("物业管理条例")
    assert all("摘要" in rule for rule in shown["regulations"])  # every seed entry is a summary
    assert not PERSONAL.search(shown["case_text"])
    assert seen["en"]["heading"] == "Similar cases and regulations"
    assert "Housing and construction" in seen["en"]["case_text"]
    assert "The unit's handling: Satisfied" in seen["en"]["case_text"]
    assert all("summary" in rule for rule in seen["en"]["regulations"])
    # the API failing leaves the panel empty and the form as it was
    assert seen["failed_requests"] >= 1 and seen["panel_after_failure"] == ""
    assert seen["title_kept"] == "电梯停了没人修，请尽快" and seen["submit_enabled"]

    third = submit(stack, {**VALID, **TYPED})
    seen = page("follow", stack.url + "/", third["query_code"])
    assert seen["errors"] == []
    assert sorted(seen["cases"]) == sorted(LIKE)
    assert seen["regulations"][0].startswith("物业管理条例")
