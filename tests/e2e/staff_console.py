"""Drives the staff console in headless Chromium as a unit and the bureau
would: the unit takes a case from its queue (待受理), accepts it and asks for
an extension; the bureau approves it; the unit replies; the bureau opens a
supervision order, the unit answers it, the bureau closes it. Along the way
the petitioner's data is shown (audited) and every page is screenshotted at
phone and desktop size. Prints what it saw as JSON.

Run by test_staff_console.py in a process of its own (Playwright's sync API
and the suite's eventlet do not mix): ``staff_console.py URL CASE_NUMBER OUT_DIR``."""
import json
import sys
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "petition-demo"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# every page of the console: hash -> the element that says it has loaded
PAGES = {"queue": "#queue-table tbody tr", "supervision": "#supervision-units table",
         "units": "#units-list table", "checks": "#draw-unit_code option",
         "rules": "#rules-list table", "accounts": "#accounts-error p, #accounts-list table",
         "reads": "#reads-list table, #reads-list p", "bulletins": "#bulletins-list table, #bulletins-list p",
         "dashboard": "#t-rates table"}


class Console:
    def __init__(self, browser, url, username, seen):
        self.context = browser.new_context(viewport=SIZES["desktop"])
        self.page = self.context.new_page()
        self.url, self.seen = url, seen
        # a script error; an error answer (shown on the page) is only noted
        self.page.on("pageerror", lambda e: seen["script_errors"].append(f"{username}: {e}"))
        self.page.on("response", lambda r: r.status >= 400 and seen["error_answers"].append(
            f"{username}: {r.status} {r.request.method} {r.url[len(url):]}"))
        self.page.on("request", lambda r: not r.url.startswith(url) and seen["foreign"].append(r.url))
        self.page.goto(f"{url}/staff")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("#sign-in-form button[type=submit]")
        self.page.wait_for_selector("#view-queue:not([hidden]) #queue-table tbody tr")

    def open_case(self, case_number):
        # the case afresh: by way of the queue (the same hash again would not reload it)
        self.page.goto(f"{self.url}/staff#queue")
        self.page.wait_for_selector("#view-queue:not([hidden])")
        self.page.goto(f"{self.url}/staff#case/{case_number}")
        self.page.wait_for_selector(f"#view-case[data-loaded='{case_number}']")

    def step(self, action, fields=None):
        """Open the step's form, fill it, confirm; the case page reloads."""
        page = self.page
        form = f"#step-{action}"
        page.eval_on_selector(f"details:has({form})", "d => { d.open = true; }")
        for name, value in (fields or {}).items():
            target = f"{form} [id='{action}-{name}']"
            if isinstance(value, bool):
                page.set_checked(target, value)
            elif page.eval_on_selector(target, "n => n.tagName") == "SELECT":
                page.select_option(target, value)
            else:
                page.fill(target, value)
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("#step-result:has-text('已完成')")
        text = page.text_content("#step-result")
        page.eval_on_selector("#step-result", "n => { n.textContent = ''; }")
        return text

    def fact(self, id_):
        return self.page.text_content(f"#{id_}")

    def screenshots(self, name, out_dir, selector=None):
        for size, viewport in SIZES.items():
            self.page.set_viewport_size(viewport)
            if selector:
                self.page.wait_for_selector(selector, state="attached")
            self.page.screenshot(path=str(out_dir / f"staff-{name}-{size}.png"), full_page=True)
        self.page.set_viewport_size(SIZES["desktop"])

    def axe(self, name, axe_source):
        """axe-core's serious and critical violations on the page as it is now."""
        if axe_source is None:
            return
        self.page.add_script_tag(content=axe_source)
        found = self.page.evaluate("""async () => (await axe.run()).violations
            .filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""")
        self.seen["axe"][name] = found


def main(url, case_number, out_dir, axe_path=""):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    axe_source = Path(axe_path).read_text() if axe_path else None
    seen = {"script_errors": [], "error_answers": [], "foreign": [], "axe": {}}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        # bypass_csp: only so the test can inject axe-core into the page
        unit = Console(browser, url, "lixia_housing", seen)
        page = unit.page
        unit.axe("sign-in+queue", axe_source)
        # the queue's 待受理 tab, searched by the case number
        page.click("[data-queue=new]")
        page.fill("#q-search", case_number[:12])
        page.click("#queue-form button[type=submit]")
        page.wait_for_selector(f"#queue-table tr[data-case='{case_number}']")
        seen["queue_rows"] = page.eval_on_selector_all(
            "#queue-table tbody tr[data-case]", "rows => rows.map(r => r.dataset.case)")
        unit.screenshots("queue", out_dir)
        page.click(f"#queue-table a[href='#case/{case_number}']")
        page.wait_for_selector(f"#view-case[data-loaded='{case_number}']")
        seen["masked"] = unit.fact("p-id")
        page.click("#reveal")
        page.wait_for_selector("#reveal-result .ok")
        seen["revealed"] = unit.fact("p-id")
        seen["steps_routed"] = page.eval_on_selector_all(
            "#steps form", "forms => forms.map(f => f.dataset.action)")
        unit.axe("case", axe_source)
        unit.screenshots("case", out_dir)

        seen["accept"] = unit.step("accept")
        seen["status_after_accept"] = unit.fact("case-status")
        due = date.fromisoformat(page.text_content("dt:has-text('办理期限') + dd"))
        # a bad date first: the error sits next to the field
        page.click("details:has(#step-request_extension) > summary")
        page.fill("#request_extension-until", due.isoformat())
        page.fill("#request_extension-reason", "需协调供热公司检修管网")
        page.click("#step-request_extension button[type=submit]")
        page.wait_for_selector("#request_extension-until-error")
        seen["extension_error"] = page.text_content("#request_extension-until-error")
        seen["extension"] = unit.step("request_extension", {
            "until": (due + timedelta(days=7)).isoformat()})
        seen["extension_state"] = unit.fact("case-extension")

        bureau = Console(browser, url, "lixia_bureau", seen)
        bureau.open_case(case_number)
        bureau.axe("case-bureau", axe_source)
        seen["approve"] = bureau.step("approve_extension")
        seen["due_after_approval"] = bureau.page.text_content("dt:has-text('办理期限') + dd")

        unit.open_case(case_number)
        seen["reply"] = unit.step("reply", {"reply": "已协调供热公司检修，室温已达标。"})
        seen["status_after_reply"] = unit.fact("case-status")

        bureau.open_case(case_number)
        seen["supervise"] = bureau.step("supervise", {
            "kind": "work", "instructions": "请报告检修后的回访情况",
            "answer_due": (date.today() + timedelta(days=10)).isoformat()})
        unit.open_case(case_number)
        seen["answer"] = unit.step("answer_supervision", {"answer": "已回访，群众表示满意。"})
        bureau.open_case(case_number)
        seen["close"] = bureau.step("close_supervision", {"note": "答复属实，督办办结"})
        seen["orders"] = bureau.page.text_content("#orders")
        seen["timeline"] = bureau.page.text_content("#timeline")

        # the bureau's pages, each checked and screenshotted
        for name, ready in PAGES.items():
            bureau.page.goto(f"{url}/staff#{name}")
            bureau.page.wait_for_selector(f"#view-{name}:not([hidden])")
            bureau.page.wait_for_selector(f"#view-{name} :is({ready})", state="attached")
            bureau.axe(name, axe_source)
            bureau.screenshots(name, out_dir)
        seen["reads"] = bureau.page.goto(f"{url}/staff#reads") and None
        bureau.page.wait_for_selector("#reads-list table")
        seen["reads"] = bureau.page.text_content("#reads-list")
        browser.close()
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
