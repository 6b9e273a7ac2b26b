"""The grid agent's page in a real browser against the running platform:
a proxy submission with the citizen's consent, then the agent's list."""
import pytest

from tests.e2e.browser import run_script
from tests.stack import api, login

pytestmark = pytest.mark.e2e


def test_an_agent_submits_for_a_citizen_with_consent(stack):
    seen = run_script("tests.e2e.agent_page", stack.url, stack.var_dir / "sms.log", timeout=300)
    assert seen["errors"] == []
    assert seen["grid_areas"] == ["370102001"]  # only the agent's own street
    assert seen["case_number"].startswith("JN") and len(seen["query_code"]) == 19
    case_number, title, _, status, unit, _, consent = seen["row"]
    assert (case_number, title, consent) == (seen["case_number"], "老旧小区楼道照明损坏", "按手印")
    assert status == "待受理" and unit == "解放路街道办事处"

    # the case is a proxy submission with the consent on record, seen by its unit
    office = login(stack, "jiefanglu_office")
    case = api(stack, "GET", f"/cases/{case_number}", office).json()
    assert case["channel"] == "proxy" and case["petitioner"]["name"] == "赵*"
    # the agent is no staff: the work queue is refused
    agent = login(stack, "jiefanglu_agent")
    assert api(stack, "GET", "/cases", agent).status_code == 403
