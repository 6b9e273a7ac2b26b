"""The people's suggestions page (/suggest) in headless Chromium at phone size,
as a citizen meets it: the open topics, the empty form sent by keyboard
(errors beside their fields), the SMS code, a proposal under a topic, the
receipt, following it by the query code, the same in English; the topics'
and the published proposals' departments by name in either language. Every state is
checked with browser.check_page (axe, reflow at 320 px, text at 200 %) and
screenshotted. Run by test_suggestions.py:
``python -m tests.e2e.suggest_page URL SMS_LOG TOPIC_TITLE``; prints what it saw as JSON."""
import sys

from tests.e2e.browser import check_page, watched_page
from tests.e2e.citizen_page import code_received, focused, sent_empty, timeline

PROPOSER = {"name": "孙建国", "id_number": "370102198505061238", "phone": "13700001234"}


def main(url, sms_log, topic_title):
    with watched_page() as (page, seen):
        page.goto(url + "/suggest")
        page.wait_for_selector("body[data-ready]")
        seen["topics"] = page.eval_on_selector_all("#topic_id option", "os => os.map(o => o.text)")
        seen["published"] = page.text_content("#published")
        seen["topic_cards"] = page.text_content("#topics")
        check_page(page, "the suggestions page", "citizen-suggest")

        # the keyboard alone reaches every control in order and sends the form
        seen.update(sent_empty(page, "suggest", ("name", "area_code", "sms_code")))
        check_page(page, "the form with errors", "citizen-suggest-errors")

        for name, value in PROPOSER.items():
            page.fill(f"#{name}", value)
        page.click("#send-code")
        page.fill("#sms_code", code_received(sms_log, PROPOSER["phone"]))
        page.select_option("#topic_id", label=topic_title)
        page.select_option("#area_code", "370102")
        page.fill("#title", "建议在社区设置老年助餐点")
        page.fill("#content", "社区老人多，建议利用社区用房设置助餐点，由街道统一招标运营。")
        page.click("#suggest-button")
        page.wait_for_selector("#receipt:not([hidden])")
        seen["receipt"] = {"number": page.text_content("#proposal-number"),
                           "query_code": page.text_content("#receipt-code"),
                           "focus": focused(page), "form_cleared": page.input_value("#id_number") == ""}

        page.fill("#query_code", seen["receipt"]["query_code"])
        page.press("#query_code", "Enter")
        page.wait_for_selector("#proposal:not([hidden])")
        seen["followed"] = {"status": page.text_content("#proposal-status"),
                            "facts": page.text_content("#proposal-facts"),
                            "timeline": page.text_content("#proposal-timeline")}
        check_page(page, "a proposal followed", "citizen-suggest-followed")

        page.click("#lang-switch")
        seen["english"] = {"lang": page.get_attribute("html", "lang"), "h1": page.text_content("h1"),
                           "status": page.text_content("#proposal-status"),
                           "topic_none": page.text_content("#topic_id option"),
                           # the timeline: the English, the Chinese record under it
                           "timeline": timeline(page, "#proposal-timeline li")}
        seen["english_departments"] = {"topics": page.text_content("#topics"),
                                       "published": page.text_content("#published")}
        check_page(page, "the suggestions page in English")


if __name__ == "__main__":
    main(*sys.argv[1:])
