"""The bureau's case work over HTTP, every service its own process, two
tracking replicas sweeping at once, and one clock file that moves the whole
stack through the calendar. The tests run in order: time only moves forward.

Demo staff (routing's seed): lixia_housing (历下区住建局, handler) gets the
housing petitions of 历下区; lixia_bureau (历下区信访局) and city_bureau (济南市
信访局) are bureau supervisors; jiefanglu_office and zhangqiu_hrss are units
that a case can be transferred to or co-handled with; city_housing (济南市住建局)
is one level up from lixia_housing in the directory.
"""
import json
import time
from datetime import datetime

import pytest

from core.config import LOCAL_TIME
from tests.stack import (
    VALID,
    api,
    eventually,
    follow,
    login,
    running_stack,
    sms_lines,
    submit_petition,
)

pytestmark = pytest.mark.e2e

UNIT = "370102-ZJJ"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, secrets_env):
    var_dir = tmp_path_factory.mktemp("var")
    clock = var_dir / "now"
    with running_stack(var_dir, secrets_env, env={
            "CLOCK_FILE": str(clock), "SWEEP_INTERVAL_SECONDS": "0.5"}) as stack:
        stack.clock = clock
        # a second tracking process: both sweep the same store at the same time
        stack.start("tracking", replica="tracking-2")
        stack.wait_for_consumers({"rpc-tracking": 2})
        yield stack


@pytest.fixture(scope="module")
def staff(stack):
    names = ("lixia_housing", "lixia_bureau", "city_bureau", "jiefanglu_office",
             "zhangqiu_hrss", "city_housing")
    return {name: login(stack, name) for name in names}


def set_clock(stack, local):
    stack.clock.write_text(datetime.fromisoformat(local).replace(tzinfo=LOCAL_TIME).isoformat())


def submit(stack, **fields):
    response = submit_petition(stack, {**VALID, **fields})
    assert response.status_code == 201, response.text
    receipt = response.json()
    case = eventually(lambda: (c := follow(stack, receipt["query_code"]))["status"] == "routed"
                      and c)
    assert case, "the petition was never routed"
    return receipt["case_number"], receipt["query_code"]


def do(stack, token, case_number, action, body=None, expect=200):
    response = api(stack, "POST", f"/cases/{case_number}/{action}", token, json=body)
    assert response.status_code == expect, response.text
    return response.json()


def record_timelines(stack, name, code, case_number, token):
    """Keep a case's public and staff timelines beside the stack's logs (the
    issue's closing note shows them); every moment in them is +08:00."""
    record = {"public": follow(stack, code)["timeline"],
              "staff": staff_case(stack, token, case_number)["timeline"]}
    (stack.var_dir / f"timelines-{name}.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1))
    every_moment = [e["at"] for e in record["public"] + record["staff"]]
    assert all(at.endswith("+08:00") for at in every_moment), every_moment


def staff_case(stack, token, case_number):
    response = api(stack, "GET", f"/cases/{case_number}", token)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_case_across_the_spring_festival_then_overdue_once_with_two_sweeping_replicas(
        stack, staff):
    set_clock(stack, "2026-02-12T10:00:00")   # the Thursday before the Spring Festival
    case_number, code = submit(stack)
    case = follow(stack, code)
    # 10 working days: Feb 13, 14 (make-up), 24-28 (28: make-up), Mar 2-4
    assert case["due_date"] == "2026-03-04"
    assert staff_case(stack, staff["lixia_bureau"], case_number)["accept_due"] == "2026-02-27"

    set_clock(stack, "2026-03-05T09:00:00")
    bureau = staff["lixia_bureau"]
    view = eventually(lambda: (v := staff_case(stack, bureau, case_number))["orders"] and v)
    assert view, "the sweep did not open supervision on the overdue case"
    time.sleep(3)  # both replicas sweep the same overdue clocks a few more times
    view = staff_case(stack, bureau, case_number)
    overdue = [e for e in view["timeline"] if e["kind"] == "overdue"]
    # acceptance (27 Feb) and conclusion (4 Mar): each raised once, by one replica
    assert sorted(e["text"] for e in overdue) == ["办理已超期", "受理已超期"]
    assert [(o["kind"], o["status"]) for o in view["orders"]] == [("overdue", "open")]
    assert follow(stack, code)["overdue"] is True

    # supervision opened by overdue, answered and closed
    do(stack, staff["lixia_housing"], case_number, "answer_supervision",
       {"answer": "已安排专人办理，三日内答复"})
    do(stack, bureau, case_number, "close_supervision", {"note": "已落实"})
    assert staff_case(stack, bureau, case_number)["orders"][0]["status"] == "closed"
    record_timelines(stack, "overdue", code, case_number, bureau)


def test_transfer_goes_through_routing_and_restarts_the_clock(stack, staff):
    set_clock(stack, "2026-09-28T10:00:00")
    case_number, code = submit(stack)
    bureau = staff["lixia_bureau"]
    do(stack, staff["jiefanglu_office"], case_number, "accept", expect=404)  # not its case
    do(stack, bureau, case_number, "transfer", {"unit_code": "nowhere", "note": "x"}, expect=400)
    set_clock(stack, "2026-10-09T10:00:00")
    result = do(stack, bureau, case_number, "transfer",
                {"unit_code": "370102001-JDB", "note": "属街道物业管理职责"})
    assert result["status"] == "transferring"
    case = eventually(lambda: (c := follow(stack, code))["unit_code"] == "370102001-JDB" and c)
    assert case and case["status"] == "routed"
    # the new unit's clock from the transfer: Oct 10 (make-up), 12-16, 19-22
    assert case["due_date"] == "2026-10-22"
    assert do(stack, staff["jiefanglu_office"], case_number, "accept")["status"] == "accepted"
    texts = [e["text"] for e in case["timeline"]]
    assert "信访部门已将事项转办至解放路街道办事处" in texts
    assert any(t.startswith("已重新分派至解放路街道办事处") for t in texts)


def test_assign_with_report_back_then_a_spot_check_re_drawn_identically(stack, staff):
    set_clock(stack, "2026-12-01T09:00:00")
    case_number, code = submit(stack)
    bureau, handler = staff["lixia_bureau"], staff["lixia_housing"]
    do(stack, bureau, case_number, "assign", {"instructions": "五个工作日内报告处理结果"})
    do(stack, handler, case_number, "accept")
    do(stack, handler, case_number, "reply", {"reply": "已督促物业修复电梯。"})
    refused = api(stack, "POST", f"/cases/{case_number}/close", bureau)
    assert refused.status_code == 409 and "reported back" in refused.json()["message"]
    do(stack, handler, case_number, "report_back", {"report": "电梯已于12月1日恢复运行"})
    assert do(stack, bureau, case_number, "close")["status"] == "concluded"

    drawn = api(stack, "POST", "/spot-checks", bureau, json={
        "unit_code": UNIT, "period_start": "2026-12-01", "period_end": "2026-12-31", "size": 1})
    assert drawn.status_code == 201, drawn.text
    drawn = drawn.json()
    assert drawn["drawn"] == [case_number] and isinstance(drawn["seed"], int)
    again = api(stack, "GET", f"/spot-checks/{drawn['id']}", bureau).json()
    assert again["redrawn"] == drawn["drawn"] and again["reproduced"] is True
    do(stack, bureau, case_number, "record_check",
       {"kind": "spot", "finding": "答复及时、报告完整", "spot_check_id": drawn["id"]})
    do(stack, bureau, case_number, "record_check", {"kind": "unannounced", "finding": "现场已修复"})
    details = [e["detail"] for e in staff_case(stack, bureau, case_number)["timeline"]]
    assert "lixia_bureau抽查结论：答复及时、报告完整" in details
    assert "lixia_bureau暗访结论：现场已修复" in details


def test_co_handling_with_a_late_co_unit(stack, staff):
    set_clock(stack, "2026-12-02T09:00:00")
    case_number, _ = submit(stack)
    bureau, handler = staff["lixia_bureau"], staff["lixia_housing"]
    do(stack, handler, case_number, "accept")
    do(stack, bureau, case_number, "co_handle", {"co_units": [
        {"unit_code": "370102001-JDB", "due_date": "2026-12-03"},
        {"unit_code": "370114-RSJ", "due_date": "2026-12-04"}]})
    do(stack, staff["jiefanglu_office"], case_number, "submit_part", {"content": "街道已约谈物业"})
    waiting = api(stack, "POST", f"/cases/{case_number}/reply", handler, json={"reply": "x"})
    assert waiting.status_code == 409 and "370114-RSJ" in waiting.json()["message"]
    set_clock(stack, "2026-12-07T09:00:00")   # 章丘区人社局 let its deadline pass
    do(stack, handler, case_number, "reply", {"reply": "经主办、协办单位共同办理，电梯已修复。"})
    view = staff_case(stack, bureau, case_number)
    assert {p["unit_code"]: p["late"] for p in view["parts"]} == {
        "370102001-JDB": False, "370114-RSJ": True}
    # the reply's own entry: the sweep's note of the part's passed deadline may
    # be written at the same (fixed) moment, after it
    (reply,) = [e for e in view["timeline"] if e["kind"] == "reply"]
    assert "逾期未提交协办意见（期限2026-12-04）" in reply["detail"]


def test_decline_tells_the_petitioner_why(stack, staff):
    case_number, code = submit(stack)
    do(stack, staff["lixia_housing"], case_number, "decline", {"reason": "该事项已由人民法院受理"})
    case = follow(stack, code)
    assert (case["status"], case["decline_reason"]) == ("declined", "该事项已由人民法院受理")
    sms = eventually(lambda: [line for line in sms_lines(stack)
                              if case_number in line and "不予受理" in line])
    assert sms and "该事项已由人民法院受理" in sms[0]


def test_extension_refused_then_approved(stack, staff):
    set_clock(stack, "2026-12-08T09:00:00")
    case_number, code = submit(stack)
    bureau, handler = staff["lixia_bureau"], staff["lixia_housing"]
    do(stack, handler, case_number, "accept")
    due = follow(stack, code)["due_date"]
    assert due == "2026-12-22"
    too_far = api(stack, "POST", f"/cases/{case_number}/request_extension", handler,
                  json={"until": "2027-03-01", "reason": "需鉴定"})
    assert too_far.status_code == 400 and "until" in too_far.json()["details"]
    do(stack, handler, case_number, "request_extension", {"until": "2027-01-15", "reason": "人手不足"})
    do(stack, bureau, case_number, "refuse_extension", {"reason": "理由不充分"})
    assert follow(stack, code)["due_date"] == due
    do(stack, handler, case_number, "request_extension",
       {"until": "2027-01-15", "reason": "需委托第三方检测电梯"})
    assert do(stack, bureau, case_number, "approve_extension")["extension"] == "approved"
    case = follow(stack, code)
    assert (case["due_date"], case["extended_until"]) == ("2027-01-15", "2027-01-15")
    assert case["timeline"][-1]["text"] == "经批准延期至2027-01-15，理由：需委托第三方检测电梯"
    sms = eventually(lambda: [line for line in sms_lines(stack)
                              if case_number in line and "延期" in line])
    assert sms and "2027年1月15日" in sms[0] and "需委托第三方检测电梯" in sms[0]
    again = api(stack, "POST", f"/cases/{case_number}/request_extension", handler,
                json={"until": "2027-01-20", "reason": "再延"})
    assert again.status_code == 409 and "extension is approved" in again.json()["message"]


def test_supervision_by_rating_and_by_return_visit_then_review_and_re_review(stack, staff):
    set_clock(stack, "2026-12-09T09:00:00")
    case_number, code = submit(stack)
    bureau, handler = staff["lixia_bureau"], staff["lixia_housing"]
    do(stack, handler, case_number, "accept")
    do(stack, handler, case_number, "reply", {"reply": "已责成物业公司一周内修复电梯。"})
    rated = eventually(lambda: (r := api(stack, "POST", f"/petitions/{code}/rating", json={
        "service_attitude": "satisfied", "work_efficiency": "satisfied",
        "handling_quality": "unsatisfied"})).status_code == 201 and r)
    assert rated
    view = eventually(lambda: (v := staff_case(stack, bureau, case_number))["orders"] and v)
    assert [(o["kind"], o["status"]) for o in view["orders"]] == [("rating", "open")]
    queue = api(stack, "GET", "/cases", handler).json()
    assert queue[0]["case_number"] == case_number  # supervised cases first
    orders = api(stack, "GET", "/supervision?status=open", bureau).json()
    assert case_number in [o["case_number"] for o in orders]
    do(stack, handler, case_number, "answer_supervision", {"answer": "已更换电梯主板"})
    do(stack, bureau, case_number, "close_supervision", {"note": "整改到位"})

    do(stack, bureau, case_number, "return_visit",
       {"reached": True, "view": "电梯仍时常停运", "satisfied": False})
    view = staff_case(stack, bureau, case_number)
    assert [(o["kind"], o["status"]) for o in view["orders"]] == [
        ("rating", "closed"), ("return_visit", "open")]

    # the petitioner asks for a review: one level up (济南市住建局), then 复核 (济南市信访局)
    asked = api(stack, "POST", f"/petitions/{code}/request_review", json={"reason": "问题未解决"})
    assert asked.status_code == 200, asked.text
    do(stack, staff["lixia_housing"], case_number, "answer_review", {"opinion": "x"}, expect=403)
    do(stack, staff["city_housing"], case_number, "answer_review",
       {"opinion": "责成历下区住建局督促物业彻底修复"})
    asked = api(stack, "POST", f"/petitions/{code}/request_rereview", json={"reason": "仍不满意"})
    assert asked.status_code == 200, asked.text
    do(stack, staff["city_bureau"], case_number, "answer_rereview", {"opinion": "维持复查意见"})
    case = follow(stack, code)
    assert case["final"] is True
    assert case["timeline"][-1]["text"] == "济南市信访局已作出复核意见：维持复查意见。该信访事项终结"
    again = api(stack, "POST", f"/petitions/{code}/request_rereview", json={"reason": "再次"})
    assert again.status_code == 409

    record_timelines(stack, "review", code, case_number, bureau)


def test_an_unanswered_order_is_escalated_and_counted_against_the_unit(stack, staff):
    set_clock(stack, "2026-12-10T09:00:00")
    case_number, _ = submit(stack)
    bureau = staff["lixia_bureau"]
    do(stack, bureau, case_number, "supervise",
       {"kind": "work", "instructions": "说明未受理原因", "answer_due": "2026-12-11"})
    set_clock(stack, "2026-12-14T09:00:00")
    view = eventually(lambda: (v := staff_case(stack, bureau, case_number))["orders"][0][
        "status"] == "escalated" and v)
    assert view, "the unanswered order was not escalated"
    assert view["orders"][0]["counted_against_unit"] is True
    escalated = api(stack, "GET", "/supervision?status=escalated", bureau).json()
    assert case_number in [o["case_number"] for o in escalated]
    record = {r["unit_code"]: r for r in api(stack, "GET", "/supervision/units", bureau).json()}
    assert record[UNIT]["counted_against_unit"] == 1


def test_workflow_tables_are_published(stack):
    tables = api(stack, "GET", "/workflows").json()
    assert [t["name"] for t in tables] == ["handling", "extension", "co_handling", "supervision",
                                          "checks", "review", "material"]
    transfer = next(s for s in tables[0]["steps"] if s["action"] == "transfer")
    assert (transfer["event"], transfer["to_state"], transfer["roles"]) == (
        "case_transferred", "transferring", ["bureau_admin", "bureau_supervisor"])
