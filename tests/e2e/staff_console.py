"""Drives the staff console in headless Chromium as a unit and the bureau
would: the unit takes a case from its queue (待受理), accepts it, asks the
petitioner for material, downloads the petitioner's file, answers the
petitioner's message (留言) and asks for an extension; the bureau approves it; the unit replies; the bureau opens a
supervision order, the unit answers it, the bureau closes it. Along the way
the petitioner's data is shown (audited) and every page is screenshotted at
phone and desktop size. The bureau administrator creates, disables, moves an
account and resets its password on the accounts page; the unit's queue shows
its totals and its open supervision order first, and the console switches to
English. Prints what it saw as JSON.

Run by test_staff_console.py through tests.e2e.browser.run_script:
``python -m tests.e2e.staff_console URL CASE_NUMBER``; every page gets
browser.check_page (axe: no serious or critical violation; reflow at 320 px
and text at 200%) and its screenshots (``staff-NAME-phone.png``, ``-desktop``)."""
import json
import sys
from datetime import date, timedelta

from tests.e2e.browser import DESKTOP, browser, check_page, new_page, watch

PASSWORD = "petition-demo"
# the console's other pages: hash -> the element that says it has loaded
PAGES = {"supervision": "#supervision-units table",
         "units": "#units-list table", "checks": "#draw-unit_code option",
         "rules": "#rules-list table", "accounts": "#accounts-error p, #accounts-list table",
         "reads": "#reads-list table, #reads-list p", "bulletins": "#bulletins-list table, #bulletins-list p",
         "dashboard": "#t-rates table"}


class Console:
    def __init__(self, chromium, url, username, seen):
        self.page = new_page(chromium, DESKTOP)
        self.url, self.seen = url, seen
        # script errors and CSP refusals; an error answer (shown on the page) is only noted
        self.errors = watch(self.page)
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

    def check(self, name):
        """axe, reflow and large text, then the screenshots: browser.check_page."""
        check_page(self.page, name, f"staff-{name}")
        self.seen["checked"].append(name)


def main(url, case_number):
    seen = {"error_answers": [], "foreign": [], "checked": []}
    with browser() as chromium:
        signing_in = new_page(chromium, DESKTOP)
        signing_in.goto(f"{url}/staff")
        signing_in.wait_for_selector("#view-sign-in:not([hidden])")
        check_page(signing_in, "sign-in", "staff-sign-in")
        unit = Console(chromium, url, "lixia_housing", seen)
        page = unit.page
        # the queue's 待受理 tab, searched by the case number
        # (the search typed first: the tab's own load searches too, so no load
        # without it can answer last)
        page.fill("#q-search", case_number)  # the whole number: a beginning that is only this case
        page.click("[data-queue=new]")
        page.click("#queue-form button[type=submit]")
        # the searched answer, not the first load's (on a shared store the case is
        # already among the unit's rows before the search): only this case listed
        page.wait_for_function("""number => {
            const rows = document.querySelectorAll('#queue-table tbody tr[data-case]');
            return rows.length === 1 && rows[0].dataset.case === number;
        }""", arg=case_number)
        seen["queue_rows"] = page.eval_on_selector_all(
            "#queue-table tbody tr[data-case]", "rows => rows.map(r => r.dataset.case)")
        page.wait_for_selector("#queue-totals:has-text('共')")
        seen["queue_totals"] = {"text": page.text_content("#queue-totals"),
                                "page": page.text_content("#page-info"),
                                "tabs": page.eval_on_selector_all("[data-count]", """spans =>
                                    Object.fromEntries(spans.map(s => [s.dataset.count, s.textContent]))""")}
        unit.check("queue")
        page.click(f"#queue-table a[href='#case/{case_number}']")
        page.wait_for_selector(f"#view-case[data-loaded='{case_number}']")
        seen["masked"] = unit.fact("p-id")
        page.click("#reveal")
        page.wait_for_selector("#reveal-result .ok")
        seen["revealed"] = unit.fact("p-id")
        seen["steps_routed"] = page.eval_on_selector_all(
            "#steps form", "forms => forms.map(f => f.dataset.action)")

        seen["accept"] = unit.step("accept")
        seen["status_after_accept"] = unit.fact("case-status")
        # the step re-rendered the case masked: the reveal's note went with it
        seen["after_step"] = {"id": unit.fact("p-id"), "note": page.text_content("#reveal-result")}
        seen["category"] = page.text_content("dt:has-text('类别') + dd")
        seen["deadlines"] = page.eval_on_selector_all(
            "#deadlines tbody tr", "rows => rows.map(r => r.cells[0].textContent)")
        # the unit asks for material; its request shows beside the case's files
        seen["material_asked"] = unit.step("request_material", {"what": "暖气片测温照片", "working_days": "3"})
        seen["material_request"] = unit.fact("case-material")
        files_and_messages(unit, seen)
        unit.check("case")
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

        bureau = Console(chromium, url, "lixia_bureau", seen)
        bureau.open_case(case_number)
        # the bureau reads the thread; only the handling unit answers it
        seen["bureau_thread"] = thread(bureau.page)
        seen["bureau_answer_form"] = bureau.page.is_visible("#message-form")
        bureau.check("case-bureau")
        seen["approve"] = bureau.step("approve_extension")
        seen["due_after_approval"] = bureau.page.text_content("dt:has-text('办理期限') + dd")

        unit.open_case(case_number)
        seen["reply"] = unit.step("reply", {"reply": "已协调供热公司检修，室温已达标。"})
        seen["status_after_reply"] = unit.fact("case-status")

        bureau.open_case(case_number)
        seen["supervise"] = bureau.step("supervise", {
            "kind": "work", "instructions": "请报告检修后的回访情况",
            "answer_due": (date.today() + timedelta(days=10)).isoformat()})
        # the unit's open supervision order comes first in its queue
        page.goto(f"{url}/staff#queue")
        page.wait_for_selector(f"#open-orders:not([hidden]) a[href='#case/{case_number}']")
        seen["open_orders"] = page.text_content("#open-orders-list")
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
            bureau.check(name)
            if name == "reads":
                seen["reads"] = bureau.page.text_content("#reads-list")
            if name == "dashboard":
                seen["dashboard"] = bureau.page.eval_on_selector_all(
                    "#t-rates tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
                seen["dashboard_status"] = bureau.page.eval_on_selector_all(
                    "#t-status tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))")

        # the bureau administrator's accounts: create, disable, move, reset; the record
        admin = Console(chromium, url, "lixia_admin", seen)
        accounts(admin, seen)

        # the console in English: the page's words, the statuses, the totals
        page.goto(f"{url}/staff#queue")
        page.click("[data-queue='']")  # every view (the case is replied by now)
        page.wait_for_selector("#queue-table tbody tr[data-case]")
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=en] #queue-totals:has-text('in all')")
        seen["english"] = {
            "nav": page.eval_on_selector_all("#nav a", "links => links.map(a => a.textContent)"),
            "title": page.title(), "totals": page.text_content("#queue-totals"),
            "statuses": page.eval_on_selector_all("#queue-table td[data-status]", "cells => cells.map(c => c.textContent)"),
            "switch": page.text_content("#lang-switch")}
        unit.check("queue-en")
        # the case's timeline in English: what happened, the Chinese record under it
        page.goto(f"{url}/staff#case/{case_number}")
        page.wait_for_selector("html[lang=en] #timeline li .record")
        seen["english"]["timeline"] = page.eval_on_selector_all("#timeline li", """ls => ls.map(l => ({
            text: l.childNodes[2].textContent,
            record: l.querySelector('.record') && l.querySelector('.record').textContent,
            record_lang: l.querySelector('.record') && l.querySelector('.record').lang}))""")
        page.goto(f"{url}/staff#queue")
        page.wait_for_selector("html[lang=en] #queue-totals:has-text('in all')")
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=zh-CN] #queue-totals:has-text('共')")
        seen["script_errors"] = unit.errors + bureau.errors + admin.errors
    print(json.dumps(seen, ensure_ascii=False))


def files_and_messages(unit, seen, answer="已收到，明天上午派人上门测温。"):
    """On the case page: the petitioner's file downloaded (the audited route),
    the petitioner's message answered by the unit and seen in the thread."""
    page = unit.page
    seen["files"] = page.eval_on_selector_all("#materials button[data-attachment]",
                                              "buttons => buttons.map(b => b.textContent)")
    with page.expect_download() as downloaded:
        page.click("#materials button[data-attachment]")
    seen["downloaded"] = downloaded.value.suggested_filename
    seen["answer_form"] = page.is_visible("#message-form")
    seen["thread_before"] = thread(page)
    page.fill("#message-text", answer)
    page.click("#message-form button[type=submit]")
    page.wait_for_selector("#message-result .ok")
    seen["message_sent"] = page.text_content("#message-result")
    seen["thread"] = thread(page)


def thread(page):
    """The messages shown: [side, who, text] each, oldest first."""
    return page.eval_on_selector_all("#messages li[data-side]", """items => items.map(i =>
        [i.dataset.side, i.querySelector('strong').textContent, i.querySelector('p').textContent])""")


def accounts(admin, seen, username="lixia_new_handler"):
    page = admin.page
    page.goto(f"{admin.url}/staff#accounts")
    page.wait_for_selector("#accounts-list table")
    row = f"#accounts-list tr:has(button[data-account='{username}'])"
    # no unit chosen: the service's reason beside the field
    page.fill("#account-username", username)
    page.click("#account-form button[type=submit]")
    page.wait_for_selector("#account-unit_code-error")
    seen["account_error"] = page.text_content("#account-unit_code-error")
    page.select_option("#account-unit_code", "370102-ZJJ")
    page.select_option("#account-role", "handler")
    page.click("#account-form button[type=submit]")
    page.wait_for_selector("#one-time-password")
    seen["one_time_password"] = page.text_content("#one-time-password")
    seen["created_row"] = page.text_content(row)
    page.click(f"{row} button[data-do=disable]")
    page.wait_for_selector("#account-result:has-text('已停用')")
    seen["disabled_row"] = page.text_content(row)
    page.select_option("#move-username", username)
    page.select_option("#move-role", "unit_leader")
    page.click("#move-form button[type=submit]")
    page.wait_for_selector("#account-result:has-text('已调整')")
    seen["reset_tries"] = reset_with_a_lost_answer(page, row, username)
    page.wait_for_selector("#account-result:has-text('已重置') #one-time-password")
    seen["reset_password"] = page.text_content("#one-time-password")
    seen["moved_row"] = page.text_content(row)
    seen["account_changes"] = page.eval_on_selector_all(
        "#account-changes tbody tr", "rows => rows.map(r => [...r.cells].slice(1, 4).map(c => c.textContent))")
    admin.check("accounts-admin")


def reset_with_a_lost_answer(page, row, username):
    """The reset clicked three times: routing acts on the first but its answer
    is lost (a 503 in its place); the second click is the same action again
    (the same Idempotency-Key: acts no second time, and the password shown
    once is not shown again: 409); the third is a new action. Each try's
    status and key."""
    path = f"/api/v1/staff/{username}/password"

    def lose_the_answer(route):
        route.fetch()  # routing resets the password
        route.fulfill(status=503, content_type="application/json",
                      body=json.dumps({"error": "service_unavailable", "message": "稍后再试"}))

    page.route(f"**{path}", lose_the_answer, times=1)
    tries = []
    for _ in range(3):
        with page.expect_response(lambda r: r.url.endswith(path)) as answer:
            page.click(f"{row} button[data-do=reset]")
        tries.append([answer.value.status, answer.value.request.headers.get("idempotency-key")])
    return tries


if __name__ == "__main__":
    main(*sys.argv[1:])
