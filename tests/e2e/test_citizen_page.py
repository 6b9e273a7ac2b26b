"""The citizens' page in a real browser against the running platform, and
what the page relies on from the API: a retried submission with its
Idempotency-Key gets the first receipt (also two sent at once), scoped to the
person; errors with no field have no ``details`` (never the string "None") and
come in the language asked for."""
import uuid
from pathlib import Path

import eventlet
import pytest

from tests.e2e.browser import run_script
from tests.stack import VALID, api, request_code

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


def test_one_idempotency_key_one_petition_even_sent_twice_at_once(stack):
    key = str(uuid.uuid4())
    body = {**VALID, "sms_code": request_code(stack, VALID["phone"], VALID["id_number"])}
    send = lambda: api(stack, "POST", "/petitions", json=body,  # noqa: E731
                       headers={"Idempotency-Key": key})
    first, second = [t.wait() for t in [eventlet.spawn(send), eventlet.spawn(send)]]
    retry = send()
    assert [r.status_code for r in (first, second, retry)] == [201, 201, 201], second.text
    assert first.json() == second.json() == retry.json()

    # Another person sending the same key gets a petition of their own.
    other = {**VALID, "id_number": "370102199003071238", "phone": "13900001111"}
    other["sms_code"] = request_code(stack, other["phone"], other["id_number"])
    theirs = api(stack, "POST", "/petitions", json=other, headers={"Idempotency-Key": key})
    assert theirs.status_code == 201
    assert theirs.json()["case_number"] != first.json()["case_number"]


def test_errors_without_fields_have_no_details_and_speak_chinese_or_english(stack):
    missing = api(stack, "GET", "/petitions/0000-0000-0000-0000",
                  headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found",
                              "message": "未找到该查询码对应的信访事项，请核对查询码"}
    english = api(stack, "GET", "/petitions/0000-0000-0000-0000",
                  headers={"Accept-Language": "en"})
    assert english.json()["message"] == "no petition with this query code"
    bad = api(stack, "POST", "/petitions", json={**VALID, "phone": "12", "sms_code": "1"},
              headers={"Accept-Language": "en"})
    assert bad.status_code == 400
    assert isinstance(bad.json()["details"], dict)
    assert bad.json()["details"]["sms_code"] == ["the SMS code has 6 digits"]
