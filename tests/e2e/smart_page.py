"""The smart petition panel (相似案例与相关政策) in headless Chromium at phone
size, run by test_smart_portal.py in a process of its own
(tests/e2e/browser.py); each command prints what it saw as JSON:

- ``typing URL``: a title too short asks nothing; typing a matter on the
  submit page asks once the typing pauses (only title, content, category and
  area sent) and lists the similar cases and regulations, in Chinese and in
  English; when the API fails the panel simply empties;
- ``follow URL CODE``: the same panel under a submitted petition.

Every state with the panel is checked with axe, for reflow and large text."""
import sys
import time

from tests.e2e.browser import check_page, watched_page
from tests.e2e.citizen_page import open_case

SIMILAR = "**/api/v1/public/similar"
TITLE = "电梯停了没人修"
CONTENT = "我们楼的电梯停运很久，物业一直不维修。"


def panel(page):
    """What the panel shows: its heading, the cases' titles, the regulations."""
    return {"heading": page.text_content("#similar h2"),
            "cases": page.locator("#similar li.case h4").all_text_contents(),
            "case_text": page.text_content("#similar ol.similar-cases"),
            "regulations": page.locator("#similar li.regulation").all_text_contents(),
            "live": page.get_attribute("#similar", "aria-live")}


def typing(url):
    with watched_page() as (page, seen):
        asked = []
        page.on("request", lambda r: "/api/v1/public/similar" in r.url
                and asked.append(r.post_data_json))
        page.goto(url)
        page.wait_for_selector("#district option:nth-child(2)", state="attached")

        page.fill("#title", "电梯")  # too short to say anything
        time.sleep(1.5)
        seen["asked_for_short_title"] = len(asked)
        seen["panel_for_short_title"] = page.inner_html("#similar")

        page.select_option("#category", "housing")
        page.select_option("#district", "370102")
        page.fill("#title", TITLE)
        keys = 0
        for char in CONTENT:  # one key at a time, quicker than the pause
            page.type("#content", char)
            keys += 1
        page.wait_for_selector("#similar li.case", timeout=20000)
        time.sleep(1)  # any request still to come after the last key
        seen["keys"], seen["asked"] = keys, len(asked)
        seen["sent"] = asked[-1]
        seen["zh"] = panel(page)
        check_page(page, "the similar cases while typing", "citizen-similar")

        page.click("#lang-switch")
        seen["en"] = panel(page)
        check_page(page, "the similar cases in English")
        page.click("#lang-switch")

        # The API fails: the panel empties, nothing else changes.
        failed = []
        page.route(SIMILAR, lambda route: (failed.append(1), route.abort("failed")))
        page.fill("#title", TITLE + "，请尽快")
        for _ in range(100):
            if failed:
                break
            time.sleep(0.1)
        page.wait_for_selector("#similar li.case", state="detached", timeout=10000)
        seen["failed_requests"] = len(failed)
        seen["panel_after_failure"] = page.inner_html("#similar")
        seen["title_kept"] = page.input_value("#title")
        seen["submit_enabled"] = page.is_enabled("#submit-button")


def follow(url, code):
    with watched_page() as (page, seen):
        open_case(page, url, code)
        page.wait_for_selector("#similar li.case", timeout=20000)
        seen.update(panel(page))
        check_page(page, "a petition with its similar cases", "citizen-follow-similar")


if __name__ == "__main__":
    {"typing": typing, "follow": follow}[sys.argv[1]](*sys.argv[2:])
