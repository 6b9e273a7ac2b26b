"""The staff console in a real browser against the running platform: a unit
and the bureau work a case through its steps, and every console page is
checked and screenshotted (tests/e2e/staff_console.py drives the browser)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.stack import VALID, api, eventually, follow, login, submit_petition

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def browse(script, *args):
    result = subprocess.run([sys.executable, str(Path(__file__).with_name(script)), *map(str, args)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


def test_a_unit_and_the_bureau_work_a_case_in_the_console(stack):
    response = submit_petition(stack, {**VALID, "title": "小区供暖温度不达标"})
    assert response.status_code == 201, response.text
    receipt = response.json()
    case_number = receipt["case_number"]
    assert eventually(lambda: follow(stack, receipt["query_code"])["status"] == "routed")

    seen = browse("staff_console.py", stack.url, case_number, SCREENSHOTS)

    assert seen["foreign"] == [] and seen["script_errors"] == []
    # the refused extension date; staff accounts are not in the API yet
    assert seen["error_answers"] == [
        f"lixia_housing: 400 POST /api/v1/cases/{case_number}/request_extension",
        "lixia_bureau: 404 GET /api/v1/staff-accounts"], seen["error_answers"]
    assert case_number in seen["queue_rows"]
    assert seen["masked"] == "1101**********002X" and seen["revealed"] == VALID["id_number"]
    assert {"accept", "decline", "return"} <= set(seen["steps_routed"])
    assert "reply" not in seen["steps_routed"]  # not before acceptance
    assert seen["status_after_accept"] == "办理中"
    assert "应晚于现办理期限" in seen["extension_error"]
    assert seen["extension_state"].startswith("requested")
    assert seen["approve"] == "已完成：批准延期"
    assert seen["status_after_reply"] == "已答复"
    assert seen["close"] == "已完成：督办办结" and "已办结" in seen["orders"]
    for text in ("已受理", "申请延期", "批准", "已答复", "督办"):
        assert text in seen["timeline"]

    # what the pages did is what the services recorded
    bureau = login(stack, "lixia_bureau")
    case = api(stack, "GET", f"/cases/{case_number}", bureau).json()
    assert (case["status"], case["extension_state"]) == ("replied", "approved")
    assert case["due_date"] == seen["due_after_approval"]
    assert [o["status"] for o in case["orders"]] == ["closed"]
    reads = api(stack, "GET", f"/audit/personal-data-reads?case_number={case_number}"
                              "&reader=lixia_housing", bureau).json()
    assert "revealed_to_staff" in {r["action"] for r in reads}
    assert "lixia_housing" in seen["reads"]
    for page in ("queue", "case", "supervision", "rules", "reads", "dashboard"):
        for size in ("phone", "desktop"):
            assert (SCREENSHOTS / f"staff-{page}-{size}.png").stat().st_size > 0
