"""The citizens' page in a real browser against the running platform."""
from pathlib import Path

import pytest

from tests.e2e.browser import run_script

pytestmark = pytest.mark.e2e


def test_a_citizen_submits_and_follows_a_petition_in_the_browser(stack):
    seen = run_script("tests.e2e.citizen_page", stack.url + "/", stack.var_dir / "sms.log")
    assert "id_number" in seen["error"]
    assert "139****5678" in seen["code_status"]
    assert seen["errors"] == []
    assert seen["case_number"].startswith("JN")
    assert len(seen["query_code"]) == 19
    assert seen["status"] == "routed"
    assert "历下区" in seen["case_text"]
    assert "1101**********002X" in seen["case_text"]
    assert "11010519491231002X" not in seen["case_text"]
    assert all(Path(p).stat().st_size > 0 for p in seen["screenshots"])
