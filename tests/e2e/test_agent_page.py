"""The grid agent's page in a real browser against the running platform:
a proxy submission with the citizen's consent, then the agent's list, and
the page switched to English."""
import time

import pytest

from tests.e2e.browser import run_script, unwritten_screenshots
from tests.stack import api, login

pytestmark = pytest.mark.e2e


def test_an_agent_submits_for_a_citizen_with_consent(stack):
    started = time.time()
    seen = run_script("tests.e2e.agent_page", stack.url, stack.var_dir / "sms.log", timeout=300)
    assert seen["errors"] == []
    assert unwritten_screenshots(["agent-sign-in", "agent-submit", "agent-mine"], started) == []
    assert seen["grid_areas"] == ["370102001"]  # only the agent's own street
    assert seen["case_number"].startswith("JN") and len(seen["query_code"]) == 19
    case_number, title, _, status, unit, _, consent = seen["row"]
    assert (case_number, title, consent) == (seen["case_number"], "老旧小区楼道照明损坏", "按手印")
    assert status == "待受理" and unit == "解放路街道办事处"

    # switched to English: lang, the page's texts, the list and the form's words
    english = seen["english"]
    assert english["lang"] == "en" and english["switch"] == "中文"
    assert english["h1"] == "Online petitions · Grid agent"
    assert english["title"] == "What I submitted · Online petitions · Grid agent"
    assert english["nav"] == ["Submit for a citizen", "What I submitted", "Sign out"]
    assert english["headers"] == ["Case number", "Title", "Submitted", "Status", "Responsible unit",
                                  "Due date", "How consent was given"]
    assert english["row"][0] == case_number and english["row"][3] == "Awaiting acceptance"
    assert english["row"][6] == "Fingerprint"
    form = english["form"]
    assert form["labels"][:3] == ["Name (required)", "ID number (required)", "Phone (required)"]
    assert form["legends"] == ["Petitioner", "The matter", "The citizen's consent to submit for them"]
    assert form["category"][0] == "Choose a category" and form["category"][1].isascii()
    assert form["consent"] == ["Signed form", "Fingerprint", "Spoken (recorded)"]
    assert form["button"] == "Submit"
    # no Chinese left in what the English page wrote itself
    assert not any("\u4e00" <= ch <= "\u9fff" for text in [english["h1"], *english["nav"],
               *english["headers"], *form["labels"], *form["legends"], *form["consent"]] for ch in text)

    # the case is a proxy submission with the consent on record, seen by its unit
    office = login(stack, "jiefanglu_office")
    case = api(stack, "GET", f"/cases/{case_number}", office).json()
    assert case["channel"] == "proxy" and case["petitioner"]["name"] == "赵*"
    # the agent is no staff: the work queue is refused
    agent = login(stack, "jiefanglu_agent")
    assert api(stack, "GET", "/cases", agent).status_code == 403
