"""Drives the citizens' page in headless Chromium, as a citizen would: a
submission with a wrong ID number, a good one (asking for the SMS code and
reading it off the phone: the record provider's SMS log), then following it by
the query code until it is routed. Prints what it saw as JSON.

Run by test_citizen_page.py in a process of its own (tests/e2e/browser.py)."""
import json
import re
import sys
import time
from pathlib import Path

from tests.e2e.browser import DESKTOP, browser, check_accessibility, new_page, screenshots, watch

PHONE = "13912345678"


def code_received(sms_log):
    """The newest code texted to PHONE, once one has come."""
    for _ in range(100):
        lines = Path(sms_log).read_text().splitlines() if Path(sms_log).exists() else []
        codes = [m[1] for line in lines if f"\t{PHONE}\t" in line
                 for m in [re.search(r"验证码为(\d{6})", line)] if m]
        if codes:
            return codes[-1]
        time.sleep(0.2)
    raise RuntimeError("no SMS code arrived")


def fill_petition(page, id_number):
    page.fill("#name", "李四")
    page.fill("#id_number", id_number)
    page.fill("#phone", PHONE)
    page.select_option("#category", "housing")
    page.select_option("#area_code", "370102")
    page.fill("#title", "楼道灯损坏")
    page.fill("#content", "三号楼楼道灯损坏一个月无人维修。")
    page.click("#submit-form button[type=submit]")


def main(url, sms_log):
    seen = {}
    with browser() as chromium:
        page = new_page(chromium, DESKTOP)
        # The page's Content-Security-Policy must let its own script and style run.
        errors = watch(page)
        page.goto(url)
        page.wait_for_selector("#category option[value=housing]", state="attached")
        check_accessibility(page, "the empty form")

        fill_petition(page, "11010519491231002")  # one digit short
        page.wait_for_selector("#submit-errors:not(:empty)")  # no eval: the page's CSP forbids it
        seen["error"] = page.text_content("#submit-errors")

        page.fill("#id_number", "11010519491231002X")
        page.click("#send-code")
        page.wait_for_selector("#code-status:not(:empty)")
        seen["code_status"] = page.text_content("#code-status")
        page.fill("#sms_code", code_received(sms_log))
        page.click("#submit-form button[type=submit]")
        page.wait_for_selector("#receipt:not([hidden])")
        seen["case_number"] = page.text_content("#case-number")
        seen["query_code"] = page.text_content("#receipt-code")

        for _ in range(50):  # routing takes a moment
            page.click("#follow-form button")
            page.wait_for_selector("#case-status")
            if page.get_attribute("#case-status", "data-status") == "routed":
                break
            page.wait_for_timeout(200)
        seen["status"] = page.get_attribute("#case-status", "data-status")
        seen["case_text"] = page.text_content("#case")
        check_accessibility(page, "a routed case")
        seen["errors"] = errors
        seen["screenshots"] = [str(p) for p in screenshots(page, "citizen-follow")]
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
