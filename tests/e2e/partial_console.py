"""The staff console while a county's tracking is down: every page that shows
a list merged from the deployments (the work queue, supervision, return
visits, the dashboard's caseload) says in its banner (#partial) which
deployment's cases it left out, in Chinese and in English; the units page
(no merged list) shows none, in between. Prints what each banner said, as JSON.

Run by test_county.py through tests.e2e.browser.run_script:
``python -m tests.e2e.partial_console URL``."""
import json
import sys

from tests.e2e.browser import browser, check_accessibility
from tests.e2e.staff_console import Console

MERGED = ("queue", "supervision", "checks", "dashboard")


def banners(page, url, lang):
    """What the banner says on each page of a merged list, in ``lang``."""
    said = {}
    for name in MERGED:
        # by way of the units page, whose banner stays hidden: what follows is this page's
        page.goto(f"{url}/staff#units")
        page.wait_for_selector(f"html[lang={lang}] #units-list table")
        page.wait_for_selector("#partial", state="hidden")
        page.goto(f"{url}/staff#{name}")
        page.wait_for_selector(f"#view-{name}:not([hidden])")
        page.wait_for_selector("#partial:not([hidden])")
        said[name] = page.text_content("#partial")
    return said


def main(url):
    seen = {"error_answers": [], "foreign": []}
    with browser() as chromium:
        bureau = Console(chromium, url, "city_bureau", seen)
        page = bureau.page
        seen["zh"] = banners(page, url, "zh-CN")
        page.goto(f"{url}/staff#queue")
        page.wait_for_selector("#partial:not([hidden])")
        check_accessibility(page, "partial work queue")
        page.click("#lang-switch")
        seen["en"] = banners(page, url, "en")
        seen["script_errors"] = bureau.errors
    print(json.dumps(seen, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
