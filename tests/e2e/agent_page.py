"""Drives the grid agent's page in headless Chromium: the agent signs in,
sends the code to the citizen's phone, types in what the citizen reads out,
records how and when the citizen consented, submits, and finds the case in
their list with its status; then switches to English and reads the list and
the form again. Every view gets browser.check_page (axe, reflow, large text,
screenshots ``agent-*``). Prints what it saw as JSON.

``python -m tests.e2e.agent_page URL SMS_LOG`` (run by test_agent_page.py)."""
import sys

from tests.e2e.browser import check_page, watched_page
from tests.e2e.citizen_page import code_received

CITIZEN_PHONE = "13687654321"


def main(url, sms_log):
    with watched_page() as (page, seen):
        page.goto(f"{url}/agent")
        page.wait_for_selector("#view-sign-in:not([hidden])")
        check_page(page, "agent sign-in", "agent-sign-in")
        page.fill("#username", "jiefanglu_agent")
        page.fill("#password", "petition-demo")
        page.click("#sign-in-form button[type=submit]")
        page.wait_for_selector("#a-area_code option", state="attached")
        seen["grid_areas"] = page.eval_on_selector_all("#a-area_code option", "os => os.map(o => o.value)")
        page.fill("#a-name", "赵六")
        page.fill("#a-id_number", "11010519491231002X")
        page.fill("#a-phone", CITIZEN_PHONE)
        page.click("#send-code")
        page.wait_for_selector("#code-status .ok")
        page.fill("#a-sms_code", code_received(sms_log, CITIZEN_PHONE))
        page.select_option("#a-category", "housing")
        page.fill("#a-title", "老旧小区楼道照明损坏")
        page.fill("#a-content", "解放路某小区楼道照明损坏三个月，老人夜间出行不便。")
        page.select_option("#a-consent-method", "fingerprint")
        page.fill("#a-consent-record", "按手印同意书 JFL-0042")
        check_page(page, "agent submit form", "agent-submit")
        page.click("#submit-button")
        page.wait_for_selector("#receipt:not([hidden])")
        seen["case_number"] = page.text_content("#r-case")
        seen["query_code"] = page.text_content("#r-code")
        for _ in range(60):  # routing takes a moment
            page.goto(f"{url}/agent#submit")
            page.goto(f"{url}/agent#mine")
            row = page.wait_for_selector(f"#mine-list tr[data-case='{seen['case_number']}']")
            seen["row"] = [c.text_content() for c in row.query_selector_all("td")]
            if seen["row"][3] != "已提交":
                break
            page.wait_for_timeout(300)
        check_page(page, "agent's list", "agent-mine")

        # English: the page's own texts at once, the list drawn again
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=en]")
        # the list is read again: the new table, not the one it replaces
        page.wait_for_function("() => (document.querySelector('#mine-list th') || {}).textContent"
                               " === 'Case number'")
        row = page.wait_for_selector(f"#mine-list tr[data-case='{seen['case_number']}']")
        seen["english"] = {
            "lang": page.get_attribute("html", "lang"), "h1": page.text_content("h1"),
            "title": page.title(), "switch": page.text_content("#lang-switch"),
            "nav": page.eval_on_selector_all("#nav a, #nav button", "ns => ns.map(n => n.textContent)"),
            "headers": page.eval_on_selector_all("#mine-list th", "hs => hs.map(h => h.textContent)"),
            "row": [c.text_content() for c in row.query_selector_all("td")]}
        check_page(page, "agent's list in English")
        page.click("#nav a[href='#submit']")
        page.wait_for_selector("#view-submit:not([hidden])")
        seen["english"]["form"] = {
            "labels": page.eval_on_selector_all("#submit-form label", "ls => ls.map(l => l.textContent)"),
            "legends": page.eval_on_selector_all("#submit-form legend", "ls => ls.map(l => l.textContent)"),
            "category": page.eval_on_selector_all("#a-category option", "os => os.map(o => o.text)")[:2],
            "consent": page.eval_on_selector_all("#a-consent-method option", "os => os.map(o => o.text)"),
            "button": page.text_content("#submit-button")}
        check_page(page, "agent submit form in English")


if __name__ == "__main__":
    main(*sys.argv[1:])
