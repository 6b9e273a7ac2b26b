"""The citizens' portal in headless Chromium at phone size (390x844), as a
citizen meets it. Each step is a command run by test_citizen_page.py in a
process of its own (tests/e2e/browser.py) and prints what it saw as JSON:

- ``submit URL SMS_LOG``: mistakes first (an empty form, an ID number with a
  wrong check digit, in Chinese and in English), then the SMS code, a double
  tap on 提交 whose answer is lost on the way back, the retry with two files
  chosen (a photo, and a text file the platform refuses), the receipt and
  what became of each file;
- ``follow URL CODE``: the case by its query code; replied: the rating (first
  one dimension missing), then the review request; the timeline in English;
- ``rejected URL CODE``: a matter for the courts, by its query code;
- ``material URL CODE``: a case whose unit asked for material: the request
  with its date, an empty message refused, a message sent, a PDF added;
- ``results URL CASE``: the public results and the units' scoreboard (a chart, the
  numbers in the table beside it).

Every page is checked with axe (serious and critical violations fail), for
reflow at 320 pixels and text at 200%, and saved as screenshots at phone and
desktop size; the submit form is also walked with the keyboard alone."""
import re
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.browser import check_page, screenshots, watched_page

PHONE_NUMBER = "13912345678"
ID_NUMBER = "11010519491231002X"
WRONG_CHECK_DIGIT = "110105194912310021"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
       b"\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def files(folder, **named):
    """Files to choose in the page, written under ``folder``: their paths."""
    paths = []
    for name, data in named.items():
        path = Path(folder) / name.replace("_", ".")
        path.write_bytes(data)
        paths.append(str(path))
    return paths


def code_received(sms_log, phone):
    """The newest code texted to ``phone``, once one has come."""
    for _ in range(150):
        lines = Path(sms_log).read_text().splitlines() if Path(sms_log).exists() else []
        codes = [m[1] for line in lines if f"\t{phone}\t" in line
                 for m in [re.search(r"验证码为(\d{6})", line)] if m]
        if codes:
            return codes[-1]
        time.sleep(0.2)
    raise RuntimeError("no SMS code arrived")


def field_state(page, field):
    """What the person sees of a field: its error text, whether it is marked."""
    return {"error": page.text_content(f"#{field}-error").strip(),
            "error_shown": page.is_visible(f"#{field}-error"),
            "invalid": page.get_attribute(f"[data-field={field}], #{field}", "aria-invalid")}


def focused(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def tab_order(page, last):
    """The ids the Tab key reaches from the top of the page, up to ``last``
    (elements without an id, the header's links, left out)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        order.append(focused(page))
        if order[-1] == last:
            break
    return [control for control in order if control]


def sent_empty(page, form, fields):
    """The keyboard alone reaches every control of ``form`` in order (up to
    its button) and sends it empty: what each of ``fields`` shows then, and
    which field has the focus (the first with an error)."""
    seen = {"tab_order": tab_order(page, f"{form}-button")}
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{form}-errors:not([hidden])")
    return {**seen, "empty": {f: field_state(page, f) for f in fields},
            "empty_focus": focused(page)}


# Each entry of a timeline list: its text in the page's language, and the
# Chinese record under it (with its lang) once the page is in English.
TIMELINE_ENTRY = """l => ({
    text: l.childNodes[1].textContent,
    record: l.querySelector('.record') && l.querySelector('.record').textContent,
    record_lang: l.querySelector('.record') && l.querySelector('.record').lang})"""


def timeline(page, entries):
    """TIMELINE_ENTRY of each of the ``entries`` (a selector of li)."""
    return page.eval_on_selector_all(entries, f"ls => ls.map({TIMELINE_ENTRY})")


def in_view(page, selector):
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        return r.top > -2 && r.top < window.innerHeight; }""", selector)


def submit(url, sms_log):
    with watched_page() as (page, seen):
        page.goto(url)
        page.wait_for_selector("#district option:nth-child(2)", state="attached")
        seen["lang"] = page.get_attribute("html", "lang")
        seen["preselected"] = {s: page.input_value(f"#{s}") for s in ("category", "district")}
        seen["inputmode"] = {f: page.get_attribute(f"#{f}", "inputmode")
                             for f in ("id_number", "phone", "sms_code")}
        seen["autocomplete"] = {f: page.get_attribute(f"#{f}", "autocomplete")
                                for f in ("name", "phone", "sms_code")}
        check_page(page, "the empty form", "citizen-submit")

        # The keyboard alone reaches every control in order, and sends the
        # form: empty, each error beside its field, the first field focused.
        seen.update(sent_empty(page, "submit", ("name", "category", "area_code")))
        check_page(page, "the form with errors", "citizen-errors")

        # The ID number's check digit, as it is typed.
        page.fill("#name", "李四")
        page.type("#id_number", WRONG_CHECK_DIGIT)
        seen["typed_id"] = field_state(page, "id_number")
        page.fill("#id_number", ID_NUMBER)
        page.dispatch_event("#id_number", "input")
        seen["mended_id"] = field_state(page, "id_number")
        page.type("#phone", "1391234567")  # one digit short, then left
        page.press("#phone", "Tab")
        seen["short_phone"] = field_state(page, "phone")
        page.fill("#phone", PHONE_NUMBER)
        page.dispatch_event("#phone", "input")

        # The area down the tree: a district, then one of its towns.
        page.select_option("#category", "housing")
        seen["category_description"] = page.text_content("#category-description")
        seen["towns_before"] = page.is_disabled("#town")
        page.select_option("#district", "370102")
        page.select_option("#town", "370102001")
        page.fill("#title", "楼道灯损坏")
        page.fill("#content", "三" * 5001)
        seen["counter_over"] = page.text_content("#content-count")
        page.fill("#content", "三号楼楼道灯损坏一个月无人维修。")
        seen["counter"] = page.text_content("#content-count")

        # Switched to English, the errors are English.
        page.click("#lang-switch")
        seen["lang_en"] = page.get_attribute("html", "lang")
        page.click("#submit-button")
        page.wait_for_selector("#sms_code-error:not([hidden])")
        seen["english_sms_error"] = field_state(page, "sms_code")
        screenshots(page, "citizen-errors-en")
        page.click("#lang-switch")

        page.click("#send-code")
        page.wait_for_selector("#code-status:not(:empty)")
        seen["code_status"] = page.text_content("#code-status")
        page.fill("#sms_code", code_received(sms_log, PHONE_NUMBER))

        # A double tap over a connection that loses the answer: one request
        # reaches the platform (which stores the petition), the page hears nothing.
        sent, lost = [], {}

        def lose_answer(route):
            sent.append(route.request.headers.get("idempotency-key"))
            lost["receipt"] = route.fetch().json()
            route.abort("internetdisconnected")
        page.route("**/api/v1/petitions", lose_answer)
        page.dblclick("#submit-button")
        page.wait_for_selector("#submit-errors:not([hidden])")
        seen["offline"] = page.text_content("#submit-errors")
        seen["kept"] = {f: page.input_value(f"#{f}") for f in ("name", "title", "town")}
        seen["sent_on_double_tap"] = len(sent)
        page.unroute("**/api/v1/petitions")

        # The retry gets the receipt of the petition the lost answer was for;
        # the files chosen go up once it is there, with its query code.
        page.on("request", lambda r: r.url.endswith("/api/v1/petitions")
                and sent.append(r.headers.get("idempotency-key")))
        with tempfile.TemporaryDirectory() as folder:
            page.set_input_files("#files", files(folder, 楼道_png=PNG, notes_txt=b"just text\n"))
            page.click("#submit-button")
            page.wait_for_selector("#receipt:not([hidden])")
            page.wait_for_selector("#receipt-files-status:has-text('已上传')")
        seen["files_status"] = page.text_content("#receipt-files-status")
        seen["files"] = page.locator("#receipt-files-list li").all_text_contents()
        seen["same_key"] = len(set(sent)) == 1 and len(sent) == 2
        seen["lost_receipt"] = lost["receipt"]
        seen["case_number"] = page.text_content("#case-number")
        seen["query_code"] = page.text_content("#receipt-code")
        seen["receipt_in_view"] = in_view(page, "#receipt")
        seen["receipt_focused"] = focused(page)
        seen["errors_after_success"] = page.is_visible("#submit-errors")
        seen["id_number_cleared"] = page.input_value("#id_number")
        check_page(page, "the receipt", "citizen-receipt")


def open_case(page, url, code):
    page.goto(url + "follow")
    page.fill("#query_code", code)
    page.click("#follow-button")
    page.wait_for_selector("#case:not([hidden])")


def follow(url, code):
    with watched_page() as (page, seen):
        page.goto(url + "follow")
        page.fill("#query_code", "0000-0000-0000-0000")
        page.click("#follow-button")
        page.wait_for_selector("#query_code-error:not([hidden])")
        seen["unknown"] = field_state(page, "query_code")
        seen["unknown_focus"] = focused(page)

        open_case(page, url, code)
        seen["status"] = page.get_attribute("#case-status", "data-status")
        seen["status_text"] = page.text_content("#case-status")
        seen["case_text"] = page.text_content("#case")
        seen["unknown_cleared"] = not page.is_visible("#query_code-error")
        check_page(page, "a replied case with the rating form", "citizen-follow")

        page.check("#service_attitude-satisfied")
        page.check("#work_efficiency-basically_satisfied")
        page.click("#rating-button")
        page.wait_for_selector("#handling_quality-error:not([hidden])")
        seen["missing_dimension"] = field_state(page, "handling_quality")
        # The last answer by keyboard: Space picks it, Tab leaves the group, Enter sends.
        page.focus("#handling_quality-satisfied")
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        seen["after_last_dimension"] = focused(page)
        page.keyboard.press("Enter")
        page.wait_for_selector("#rating-done:not([hidden])")
        seen["rating"] = page.text_content("#rating-levels")
        seen["rating_form_gone"] = not page.is_visible("#rating-form")
        seen["review_offered"] = page.is_visible("#review-form")

        page.fill("#reason", "答复未解决楼道灯问题，申请复查。")
        page.click("#review-button")
        page.wait_for_selector("#case-review-box:not([hidden])")
        seen["review_state"] = page.text_content("#case-review-state")
        seen["review_form_gone"] = not page.is_visible("#review-form")
        check_page(page, "a rated case under review", "citizen-rated")

        # in English: each timeline entry by its kind, the Chinese record under it
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=en]")
        seen["english_unit"] = page.text_content("#case-unit")
        seen["english_timeline"] = timeline(page, "#case-timeline li")
        check_page(page, "a case's timeline in English", "citizen-follow-en")


def rejected(url, code):
    with watched_page() as (page, seen):
        open_case(page, url, code)
        seen.update(status=page.get_attribute("#case-status", "data-status"),
                    status_text=page.text_content("#case-status"),
                    unit=page.text_content("#case-unit"),
                    reason=page.text_content("#case-declined"),
                    rating_form=page.is_visible("#rating-form"))
        check_page(page, "a case for the courts", "citizen-rejected")


def material(url, code):
    with watched_page() as (page, seen):
        open_case(page, url, code)
        seen["request"] = page.text_content("#material-request") if page.is_visible("#material-request") else None
        page.click("#message-button")
        page.wait_for_selector("#text-error:not([hidden])")
        seen["empty_message"] = field_state(page, "text")
        page.fill("#text", "照片已拍好，房产证复印件明天补交。")
        page.click("#message-button")
        page.wait_for_selector("#messages li.mine")
        seen["messages"] = page.locator("#messages li").all_text_contents()
        with tempfile.TemporaryDirectory() as folder:
            page.set_input_files("#material", files(folder, 房产证_pdf=PDF))
            page.click("#material-button")
            page.wait_for_selector("#material-status:not(:empty)")
        seen["material_status"] = page.text_content("#material-status")
        seen["mine"] = page.locator("#material-mine li").all_text_contents()
        check_page(page, "a case asking for material, with a message")


def results(url, case_number):
    with watched_page() as (page, seen):
        page.goto(url + "results")
        page.wait_for_selector("#scoreboard tbody tr, #board-empty:not([hidden])")
        seen.update(units=page.locator("#scoreboard tbody tr").count(),
                    board=page.text_content("#scoreboard"),
                    # what the chart draws (Chart.js's own record of it)
                    chart=page.evaluate("""() => { const c = Chart.getChart('board-chart');
                    return c && {labels: c.data.labels, sets: c.data.datasets.map(d => [d.label, d.data])}; }"""))
        check_page(page, "the public results", "citizen-results")

        # in English: the listed case's timeline, each step with the Chinese under it
        page.click("#lang-switch")
        page.wait_for_selector("html[lang=en] #public-cases .record")
        seen["english_timeline"] = page.eval_on_selector_all("#public-cases > li", """(cases, number) => {
            const mine = cases.find(c => c.querySelector('dd').textContent === number);
            return mine && [...mine.querySelectorAll('.timeline li')].map(%s); }""" % TIMELINE_ENTRY,
            case_number)


if __name__ == "__main__":
    {"submit": submit, "follow": follow, "rejected": rejected, "material": material,
     "results": results}[sys.argv[1]](*sys.argv[2:])
