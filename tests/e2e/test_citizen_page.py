"""The citizens' page in a real browser against the running platform, and
what the page relies on from the API: a retried submission with its
Idempotency-Key gets the first receipt (also two sent at once), scoped to the
person; errors with no field have no ``details`` (never the string "None") and
come in the language asked for."""
import re
import time
import uuid

import eventlet
import pytest
import requests

from tests.e2e.browser import run_script, unwritten_screenshots
from tests.stack import VALID, api, eventually, follow, login, request_code, submit_petition

pytestmark = pytest.mark.e2e


# the screenshots each command writes (every main page of the portal, at phone and desktop size)
SCREENSHOTS = {"submit": ["citizen-submit", "citizen-errors", "citizen-errors-en", "citizen-receipt"],
               "follow": ["citizen-follow", "citizen-rated", "citizen-follow-en"],
               "rejected": ["citizen-rejected"], "results": ["citizen-results"]}


def page(command, *args):
    started = time.time()
    seen = run_script("tests.e2e.citizen_page", command, *args)
    assert unwritten_screenshots(SCREENSHOTS.get(command, []), started) == []
    return seen


def replied(stack, code, case_number, username, reply):
    """The routed case accepted and replied by its unit (``username``), through the API."""
    assert eventually(lambda: follow(stack, code)["status"] == "routed")
    unit = login(stack, username)
    for step, body in (("accept", None), ("reply", {"reply": reply})):
        done = api(stack, "POST", f"/cases/{case_number}/{step}", unit, json=body or {})
        assert done.status_code == 200, done.text


def test_a_citizen_from_submission_to_rating_and_review_on_a_phone(stack):
    url = stack.url + "/"
    seen = page("submit", url, stack.var_dir / "sms.log")
    assert seen["errors"] == []
    assert seen["lang"] == "zh-CN" and seen["lang_en"] == "en"
    assert seen["preselected"] == {"category": "", "district": ""}
    assert seen["inputmode"] == {"id_number": "text", "phone": "tel", "sms_code": "numeric"}
    assert seen["autocomplete"] == {"name": "name", "phone": "tel-national",
                                    "sms_code": "one-time-code"}
    assert seen["tab_order"] == ["lang-switch", "name", "id_number", "phone", "sms_code",
                                 "send-code", "category", "district", "address", "title",
                                 "content", "files", "publish", "submit-button"]
    # An empty form: errors beside the fields, marked, the first field focused.
    assert seen["empty"]["name"] == {"error": "请填写姓名", "error_shown": True, "invalid": "true"}
    assert seen["empty"]["category"]["error"] == "请选择事项类别"
    assert seen["empty"]["area_code"]["error"] == "请选择事项所在地"
    assert seen["empty"]["area_code"]["invalid"] == "true"
    assert seen["empty_focus"] == "name"
    # Checked as typed.
    assert seen["typed_id"] == {"error": "身份证号校验位错误，请核对", "error_shown": True,
                                "invalid": "true"}
    assert seen["mended_id"] == {"error": "", "error_shown": False, "invalid": None}
    assert seen["short_phone"]["error"] == "请填写11位中国大陆手机号码"
    assert seen["towns_before"] is True
    assert "物业" in seen["category_description"]
    assert seen["counter_over"] == "超出 1 字，请删减"
    assert seen["counter"] == "16 / 5000 字"
    assert seen["english_sms_error"]["error"] == "enter the 6-digit SMS code"
    assert "139****5678" in seen["code_status"]
    # The double tap sent one request; its answer was lost; nothing typed was.
    assert seen["sent_on_double_tap"] == 1
    assert "网络连接中断" in seen["offline"]
    assert seen["kept"] == {"name": "李四", "title": "楼道灯损坏", "town": "370102001"}
    # The retry, with the same Idempotency-Key, got the stored petition's receipt.
    assert seen["same_key"] is True
    assert seen["case_number"] == seen["lost_receipt"]["case_number"]
    assert seen["query_code"] == seen["lost_receipt"]["query_code"]
    assert seen["receipt_in_view"] and seen["receipt_focused"] == "receipt"
    # The files chosen went up with the receipt's query code, each with its outcome.
    assert seen["files_status"].startswith("已上传 1 个材料，共 2 个。")
    assert seen["files"][0] == "楼道.png：已上传"
    assert seen["files"][1].startswith("notes.txt：") and "不支持的文件类型" in seen["files"][1]
    assert seen["errors_after_success"] is False and seen["id_number_cleared"] == ""
    code, case_number = seen["query_code"], seen["case_number"]

    # The town's office (解放路街道) takes it and replies, through the API.
    replied(stack, code, case_number, "jiefanglu_office", "已更换楼道灯，请您监督。")

    seen = page("follow", url, code)
    assert seen["errors"] == []
    assert seen["unknown"]["error"] == "未找到该查询码对应的信访事项，请核对查询码"
    assert seen["unknown"]["invalid"] == "true" and seen["unknown_focus"] == "query_code"
    assert seen["unknown_cleared"]
    assert seen["status"] == "replied" and seen["status_text"] == "已答复，请您评价"
    assert "解放路街道办事处" in seen["case_text"] and "已更换楼道灯" in seen["case_text"]
    assert "1101**********002X" in seen["case_text"]
    assert "11010519491231002X" not in seen["case_text"]
    assert seen["missing_dimension"]["error"] == "请选择“责任单位办理质量”的评价"
    assert seen["after_last_dimension"] == "rating-button"
    assert seen["rating"] == "信访部门服务态度：满意信访部门工作效率：基本满意责任单位办理质量：满意"
    assert seen["rating_form_gone"] and seen["review_offered"]
    assert seen["review_state"] == "已申请复查，等待复查意见" and seen["review_form_gone"]
    # switched to English, the timeline says in English what happened (by each entry's
    # kind), with the record as written in Chinese under it
    assert seen["english_unit"] == "Jiefanglu Subdistrict Office"
    timeline = seen["english_timeline"]
    texts = [entry["text"] for entry in timeline]
    for said in ("The petition was submitted", "The case was assigned to the responsible unit, with its deadline",
                 "The responsible unit accepted the case", "The responsible unit replied",
                 "The petitioner asked for a review; the reviewing office and its deadline are set"):
        assert said in texts, texts
    assert all(text.isascii() for text in texts), texts
    assert all(entry["record"] and entry["record_lang"] == "zh-CN" for entry in timeline)
    assert "解放路街道办事处已受理" in [entry["record"] for entry in timeline]
    rating = api(stack, "GET", f"/petitions/{code}").json()["rating"]
    assert rating["work_efficiency"] == "basically_satisfied"


def test_the_unit_asks_for_material_and_the_petitioner_adds_it_and_writes(stack):
    """补充材料 and 留言 across the services: the unit's request on the follow
    page with its date, the petitioner's file answers it, the message reaches
    the unit (audited) and its answer the petitioner; the case's clock stays."""
    person = {**VALID, "id_number": "370102199003071238", "phone": "13900003333"}
    receipt = submit_petition(stack, person).json()
    code, case_number = receipt["query_code"], receipt["case_number"]
    assert eventually(lambda: follow(stack, code)["status"] == "routed")
    due_before = follow(stack, code)["due_date"]
    unit = login(stack, "lixia_housing")
    asked = api(stack, "POST", f"/cases/{case_number}/request_material", unit,
                json={"what": "房产证复印件和漏水处照片", "working_days": 3})
    assert asked.status_code == 200 and asked.json()["material"] == "requested", asked.text

    seen = page("material", stack.url + "/", code)
    assert seen["errors"] == []
    assert "房产证复印件和漏水处照片" in seen["request"] and "办理期限不变" in seen["request"]
    assert seen["empty_message"]["error"] == "请填写留言内容"
    assert seen["messages"][-1].endswith("照片已拍好，房产证复印件明天补交。")
    assert seen["material_status"] == "已上传：房产证.pdf" and seen["mine"] == ["房产证.pdf"]

    assert eventually(lambda: follow(stack, code)["material_state"] == "answered")
    case = follow(stack, code)
    assert case["due_date"] == due_before
    assert "信访人已按要求补充材料" in [e["text"] for e in case["timeline"]]
    thread = api(stack, "GET", f"/cases/{case_number}/messages", unit).json()
    assert [m["text"] for m in thread] == ["照片已拍好，房产证复印件明天补交。"]
    answered = api(stack, "POST", f"/cases/{case_number}/messages", unit, json={"text": "收到，谢谢。"})
    assert answered.status_code == 201, answered.text
    mine = api(stack, "GET", f"/petitions/{code}/messages").json()
    assert [(m["written_by"], m["author"]) for m in mine] == [("petitioner", None), ("staff", None)]
    reads = api(stack, "GET", "/audit/personal-data-reads", login(stack, "lixia_admin"),
                params={"case_number": case_number}).json()
    assert "read_messages" in [r["action"] for r in reads]


def test_a_matter_for_the_courts_says_it_was_not_accepted_and_where_to_turn(stack):
    receipt = submit_petition(stack, {**VALID, "category": "litigation"}).json()
    assert eventually(lambda: follow(stack, receipt["query_code"])["status"] == "rejected")
    seen = page("rejected", stack.url + "/", receipt["query_code"])
    assert seen["errors"] == []
    assert seen["status_text"] == "不予受理（不属于信访受理范围）"
    assert "分派中" not in seen["unit"] and "分派" not in seen["status_text"]
    assert "诉讼" in seen["reason"] and "法院" in seen["reason"]
    assert seen["rating_form"] is False


def test_the_public_results_show_the_units_figures(stack):
    # a case of its own, handled, rated and so concluded: listed (公开)
    person = {**VALID, "id_number": "370102198511230018", "phone": "13900004444"}
    receipt = submit_petition(stack, person).json()
    code, case_number = receipt["query_code"], receipt["case_number"]
    replied(stack, code, case_number, "lixia_housing", "已督促物业修复电梯。")
    # rating learns of the reply by an event of its own: until then a 409 (not replied yet)
    rated = eventually(lambda: (r := api(stack, "POST", f"/petitions/{code}/rating", json={
        "service_attitude": "satisfied", "work_efficiency": "satisfied",
        "handling_quality": "satisfied"})).status_code != 409 and r)
    assert rated and rated.status_code == 201, rated and rated.text
    assert eventually(lambda: case_number in [
        c["case_number"] for c in api(stack, "GET", "/public/cases?limit=100").json()["cases"]])
    board = eventually(lambda: api(stack, "GET", "/public/scoreboard").json()["units"])
    assert board, "no unit on the scoreboard"
    seen = page("results", stack.url + "/", case_number)
    assert seen["errors"] == []
    assert seen["units"] == len(board)
    assert board[0]["name"] in seen["board"]
    # the chart draws the table's rates, per unit, in percent
    percent = lambda rate: None if rate is None else int(rate * 1000 + 0.5) / 10  # noqa: E731
    assert seen["chart"] == {"labels": [u["name"] or u["key"] for u in board], "sets": [
        ["按期办理率", [percent(u["on_time_rate"]) for u in board]],
        ["群众满意率", [percent(u["satisfaction_rate"]) for u in board]]]}
    # in English: each step of the case's timeline in English, the Chinese under it
    assert [entry["text"] for entry in seen["english_timeline"]] == [
        "Submitted", "Assigned to the unit", "Accepted", "Replied", "Rated", "Concluded"]
    assert [(entry["record"], entry["record_lang"]) for entry in seen["english_timeline"]] == [
        (step, "zh-CN") for step in ("提交", "分派", "受理", "答复", "评价", "办结")]


def test_every_page_file_is_local_and_the_policy_allows_no_inline_script(stack):
    for path in ("/", "/follow", "/results", "/suggest"):
        response = requests.get(stack.url + path, timeout=10)
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        for asset in re.findall(r'(?:src|href)="(/[^"]*)"', response.text):
            assert requests.get(stack.url + asset, timeout=10).status_code == 200, asset
        assert "http://" not in response.text and "https://" not in response.text
    assert requests.get(stack.url + "/static/../pages.py", timeout=10).status_code == 404
    assert requests.get(stack.url + "/static/vendor/README.md", timeout=10).status_code == 404


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
