"""The citizens' page in a real browser against the running platform."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def test_a_citizen_submits_and_follows_a_petition_in_the_browser(stack):
    screenshot = stack.var_dir / "citizen-page.png"
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("citizen_page.py")), stack.url + "/",
         str(screenshot), str(stack.var_dir / "sms.log")],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert "id_number" in seen["error"]
    assert "139****5678" in seen["code_status"]
    assert seen["csp_violations"] == []
    assert seen["case_number"].startswith("JN")
    assert len(seen["query_code"]) == 19
    assert seen["status"] == "routed"
    assert "历下区" in seen["case_text"]
    assert "1101**********002X" in seen["case_text"]
    assert "11010519491231002X" not in seen["case_text"]
    assert screenshot.stat().st_size > 0
