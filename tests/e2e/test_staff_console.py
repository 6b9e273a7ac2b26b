"""The staff console in a real browser against the running platform: a unit
and the bureau work a case through its steps, and every console page is
checked and screenshotted (tests/e2e/staff_console.py drives the browser)."""
import json
import re
import time

import pytest

from tests.e2e.browser import run_script, unwritten_screenshots
from tests.e2e.citizen_page import PNG
from tests.stack import VALID, api, eventually, follow, login, sms_lines, submit_petition

pytestmark = pytest.mark.e2e
MESSAGE = "暖气片摸着是凉的，家里只有15度。"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# the console's name of every status (the dashboard counts the bureau's cases by status)
STATUS_ZH = {"submitted": "已提交", "routed": "待受理", "accepted": "办理中", "returned": "已退回",
             "transferring": "转办中", "replied": "已答复", "concluded": "已办结",
             "rejected": "不予受理（分派时）", "declined": "不予受理"}


def percent(rate):
    return "—" if rate is None else f"{rate * 100:.1f}%"


def test_a_unit_and_the_bureau_work_a_case_in_the_console(stack):
    response = submit_petition(stack, {**VALID, "title": "小区供暖温度不达标"})
    assert response.status_code == 201, response.text
    receipt = response.json()
    case_number = receipt["case_number"]
    assert eventually(lambda: follow(stack, receipt["query_code"])["status"] == "routed")
    # the petitioner's file and message, by query code, for the unit to read and answer
    code = receipt["query_code"]
    assert api(stack, "POST", f"/petitions/{code}/attachments?filename=暖气片.png", data=PNG,
               headers={"Content-Type": "image/png"}).status_code == 201
    assert api(stack, "POST", f"/petitions/{code}/messages",
               json={"text": MESSAGE}).status_code == 201

    started = time.time()
    seen = run_script("tests.e2e.staff_console", stack.url, case_number, timeout=420)

    assert seen["foreign"] == [] and seen["script_errors"] == []
    # the refused extension date; the accounts are the bureau administrator's, not a supervisor's
    assert seen["error_answers"][0] == (
        f"lixia_housing: 400 POST /api/v1/cases/{case_number}/request_extension")
    # the accounts are the bureau administrator's (a supervisor is refused); the
    # administrator's account without a unit is refused, naming the field; the reset
    # whose answer was lost (503) and its retry, which acted no second time (409)
    reset = "POST /api/v1/staff/lixia_new_handler/password"
    assert set(seen["error_answers"][1:]) == {"lixia_bureau: 403 GET /api/v1/staff",
                                             "lixia_admin: 400 POST /api/v1/staff",
                                             f"lixia_admin: 503 {reset}",
                                             f"lixia_admin: 409 {reset}"}, seen["error_answers"]
    assert case_number in seen["queue_rows"]
    # the queue's totals: what the search matched, and each tab's count
    assert seen["queue_totals"]["text"] == "共 1 件：待受理 1 件"
    assert seen["queue_totals"]["page"] == "第 1–1 件，共 1 件"
    assert seen["queue_totals"]["tabs"] == {"": "（1）", "new": "（1）", "due_soon": "（0）",
                                            "overdue": "（0）", "supervised": "（0）"}
    assert case_number in seen["open_orders"] and "请报告检修后的回访情况" in seen["open_orders"]
    assert seen["masked"] == "1101**********002X" and seen["revealed"] == VALID["id_number"]
    assert {"accept", "decline", "return"} <= set(seen["steps_routed"])
    assert "reply" not in seen["steps_routed"]  # not before acceptance
    assert seen["status_after_accept"] == "办理中"
    assert seen["after_step"] == {"id": "1101**********002X", "note": ""}
    # named, not coded: the category, each clock (the unit's acceptance ended, conclusion running)
    assert seen["category"] == "住房城乡建设"
    assert seen["deadlines"] == ["受理", "办结"], seen["deadlines"]
    assert "应晚于现办理期限" in seen["extension_error"]
    assert seen["extension_state"].startswith("已申请（申请至")
    assert seen["approve"] == "已完成：批准延期"
    assert seen["status_after_reply"] == "已答复"
    assert seen["close"] == "已完成：督办办结" and "已办结" in seen["orders"]
    # the case's files and messages: the petitioner never by name, the unit's answer in the thread
    assert seen["material_asked"] == "已完成：要求补充材料"
    assert seen["material_request"].startswith("已要求补充：暖气片测温照片")
    assert seen["files"] == ["暖气片.png"] and seen["downloaded"] == "暖气片.png"
    assert seen["answer_form"] and not seen["bureau_answer_form"]
    assert seen["thread_before"] == [["petitioner", "信访人", MESSAGE]]
    answer = ["staff", "历下区住房和城乡建设局 · lixia_housing", "已收到，明天上午派人上门测温。"]
    assert seen["thread"] == seen["bureau_thread"] == [["petitioner", "信访人", MESSAGE], answer]
    assert seen["message_sent"] == "答复已发送；信访人会收到短信提醒，在查询页查看。"
    assert VALID["name"] not in json.dumps(seen["thread"], ensure_ascii=False)
    thread = api(stack, "GET", f"/petitions/{code}/messages").json()
    assert [(m["written_by"], m["text"]) for m in thread] == [
        ("petitioner", MESSAGE), ("staff", answer[2])]
    # one SMS for the unit's answer (none for the petitioner's message), without its text
    told = eventually(lambda: [line for line in sms_lines(stack)
                               if case_number in line and "答复您的留言" in line])
    assert len(told) == 1 and f"\t{VALID['phone']}\t" in told[0] and answer[2] not in told[0]
    for text in ("已受理", "申请延期", "批准", "已答复", "督办"):
        assert text in seen["timeline"]

    # what the pages did is what the services recorded
    bureau = login(stack, "lixia_bureau")
    case = api(stack, "GET", f"/cases/{case_number}", bureau).json()
    assert (case["status"], case["extension_state"]) == ("replied", "approved")
    assert case["due_date"] == seen["due_after_approval"]
    assert [o["status"] for o in case["orders"]] == ["closed"]
    reads = api(stack, "GET", f"/audit/personal-data-reads?case_number={case_number}"
                              "&reader=lixia_housing", bureau).json()
    assert {"revealed_to_staff", "read_messages", "list_attachments"} <= {r["action"] for r in reads}
    assert any(r["action"].startswith("download_attachment:") for r in reads)
    assert "lixia_housing" in seen["reads"]
    # every page passed axe, reflow and large text, and was screenshotted
    assert seen["checked"] == ["queue", "case", "case-bureau", "supervision", "units", "checks",
                               "rules", "accounts", "reads", "bulletins", "dashboard",
                               "accounts-admin", "queue-en"]
    assert unwritten_screenshots([f"staff-{page}" for page in ["sign-in"] + seen["checked"]], started) == []

    # the administrator's changes, on the page and in the service's record
    assert seen["account_error"]
    assert "住房和城乡建设局" in seen["created_row"] and "须修改密码" in seen["created_row"]
    assert "已停用" in seen["disabled_row"]
    assert "单位负责人" in seen["moved_row"] and "已停用" in seen["moved_row"]
    # secrets.token_urlsafe(12) in services/routing/auth.py: 16 characters, always
    assert len(seen["one_time_password"]) == 16 and seen["reset_password"] != seen["one_time_password"]
    admin = login(stack, "lixia_admin")
    [account] = [a for a in api(stack, "GET", "/staff", admin).json()
                 if a["username"] == "lixia_new_handler"]
    assert (account["unit_code"], account["role"], account["active"]) == (
        "370102-ZJJ", "unit_leader", False)
    changes = api(stack, "GET", "/staff/changes?username=lixia_new_handler", admin).json()
    assert {c["change"] for c in changes} == {"created", "disabled", "role_changed", "password_reset"}
    # the reset retried after a lost answer sent the same Idempotency-Key and acted
    # once: two resets for three tries (the console's third click is a new action)
    (lost, lost_key), (again, again_key), (new, new_key) = seen["reset_tries"]
    assert (lost, again, new) == (503, 409, 200)
    assert re.fullmatch(r"[0-9a-f]{32}", lost_key) and lost_key == again_key != new_key
    assert [c["change"] for c in changes].count("password_reset") == 2
    assert [row[:2] for row in seen["account_changes"] if row[1] == "lixia_new_handler"] == [
        ["lixia_admin", "lixia_new_handler"]] * 5
    # in English: the page's words and the statuses; the case's own text stays as written
    english = seen["english"]
    assert english["nav"][0] == "Work queue" and english["title"].startswith("Work queue")
    assert " in all: " in english["totals"] and "Replied" in english["totals"]
    assert "Replied" in english["statuses"] and not CHINESE.search("".join(english["statuses"]))
    assert english["switch"] == "中文"
    # the case's timeline: each public entry in English by its kind, the record in Chinese under it
    timeline = english["timeline"]
    texts = [entry["text"] for entry in timeline]
    for said in ("The responsible unit accepted the case", "The responsible unit replied"):
        assert said in texts, texts
    assert any(entry["record"] and "已受理" in entry["record"] and entry["record_lang"] == "zh-CN"
               for entry in timeline), timeline
    # a staff-only step (no public English) by its step's English name, the record under it
    assert {"text": "Ask for an extension", "record": "申请延期", "record_lang": "zh-CN"} in timeline

    # the dashboard shows the figures the API returns
    figures = api(stack, "GET", "/reports/figures?by=unit&period=month", bureau).json()
    shown = {row[0]: row[1:] for row in seen["dashboard"]}
    for row in figures:
        assert shown[row["name"] or row["key"]] == [
            str(row["received"]), str(row["concluded"]), percent(row["on_time_rate"]),
            percent(row["satisfaction_rate"])]
    assert any(row["received"] for row in figures)
    caseload = api(stack, "GET", "/reports/caseload", bureau).json()
    assert sorted(seen["dashboard_status"]) == sorted(
        [STATUS_ZH[s], str(n)] for s, n in caseload["by_status"].items())
