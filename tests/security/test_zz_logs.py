"""Runs last in the suite (file order): after everything above, and a round
of its own, no log line of the running system holds a query code, a phone
number, an ID number or an SMS code."""
import re

import pytest

from tests.security.conftest import new_person
from tests.stack import VALID, follow, phone_codes_sent, submit_petition

pytestmark = pytest.mark.e2e


def test_the_logs_hold_no_codes_or_numbers(stack, client):
    person = new_person()
    receipt = submit_petition(stack, {**VALID, **person}, client=client.call).json()
    code = receipt["query_code"]
    follow(stack, code)
    client.call("GET", f"/petitions/{code.lower().replace('-', '')}")  # typed loosely
    client.call("POST", f"/petitions/{code}/rating", json={})
    sms_code = phone_codes_sent(stack, person["phone"])[-1]

    logs = {path.name: path.read_text(errors="replace") for path in stack.var_dir.glob("*.log")
            if path.name != "sms.log"}  # sms.log is the phones' inbox, not a log
    assert {"gateway.log", "notify.log", "front-access.log"} <= set(logs)
    assert "/api/v1/petitions/****" in logs["front-access.log"]
    secrets = [code, code.replace("-", ""), code.lower().replace("-", ""), person["phone"],
               person["id_number"], VALID["phone"], VALID["id_number"]]
    for name, text in logs.items():
        for secret in secrets:
            assert secret not in text, f"{secret} in {name}"
        assert not re.search(rf"验证码为{sms_code}|code\W+{sms_code}", text), f"SMS code in {name}"
    assert re.search(r"SMS to 135\*\*\*\*\d{4}", logs["notify.log"]), "notify logged no SMS"
