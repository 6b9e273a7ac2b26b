"""The workflow tables and what each step does, on a real SQLite store with
the service's own clock profiles on a clock the test moves."""
from datetime import date

import pytest
from marshmallow import Schema
from sqlalchemy import select

from core import events
from core.config import load_config
from core.errors import ConfigurationError, Conflict, Forbidden, InvalidInput
from services.notify.service import NotifyService
from services.notify.templates import TEMPLATES
from services.tracking import cases, checks, schemas, sweep, views
from services.tracking.clocks import Limit, clocks_from_config, close_deadlines, set_deadline
from services.tracking.models import Alert, Case, Deadline
from services.tracking.workflows import STEPS, WORKFLOWS
from tests.unit.tracking.conftest import (
    ACTORS,
    CASE_NUMBER,
    UNIT,
    directory,
    emitted,
    rated,
    received,
    routed,
)

WATER = {"username": "shui", "unit_code": "370102-water", "unit_name": "历下区水务局",
         "role": "handler", "area_code": "370102"}
CITY_HOUSING = {"username": "shi", "unit_code": "370100-housing", "unit_name": "济南市住建局",
                "role": "handler", "area_code": "370100"}


def step(store, clocks, actor, action, body=None, case_number=CASE_NUMBER):
    with store.transaction() as tx:
        return cases.act(tx, case_number, action, actor, body, clocks, directory)


def petitioner(store, clocks, action, body):
    with store.transaction() as tx:
        return cases.petitioner_act(tx, CASE_NUMBER, action, body, clocks, directory)


def route(store, clocks, track="standard", routing_seq=1, case_number=CASE_NUMBER):
    with store.transaction() as tx:
        cases.apply_routing(tx, routed(routing_seq=routing_seq, track=track,
                                       case_number=case_number, occurred_at=clocks.now()),
                            clocks)


def staff_view(store, clocks, actor=None, case_number=CASE_NUMBER):
    with store.transaction() as tx:
        return views.staff_case(tx, case_number, actor or ACTORS["city_bureau"], clocks.today())


def public_view(store, clocks):
    with store.transaction() as tx:
        return views.get_case(tx, CASE_NUMBER, clocks.today())


def run_sweep(store, clocks, replica="test"):
    return sweep.sweep(store, clocks, replica)


def event_types(store):
    return [e["event_type"] for e in emitted(store)]


# --- the tables ----------------------------------------------------------------

def test_every_step_emits_a_declared_contract_has_an_effect_and_its_input_schema():
    for workflow in WORKFLOWS:
        for row in workflow.steps:
            assert row.event in events.ALL, row.action
            assert row.action in cases.EFFECTS
            assert row.body is None or issubclass(getattr(schemas, row.body), Schema)


def test_every_step_that_tells_the_petitioner_has_its_sms_template_and_notify_handler():
    handled = {name for name in dir(NotifyService) if name.startswith("on_")}
    for _, row in STEPS.values():
        if row.tells_petitioner:
            assert row.event.event_type in TEMPLATES
            assert f"on_{row.event.event_type}" in handled


# --- clocks --------------------------------------------------------------------

def test_a_standard_case_routed_before_the_spring_festival(store, clocks):
    clocks.clock.set("2026-02-12T10:00:00")   # a Thursday
    route(store, clocks)
    view = staff_view(store, clocks)
    # Feb 13, 14 (make-up Saturday), 24-28 (28: make-up Saturday), Mar 2, 3, 4
    assert view["due_date"] == "2026-03-04"
    assert view["accept_due"] == "2026-02-27"   # 15 days, a working day
    assert view["assigned_at"] == "2026-02-12T10:00:00+08:00"


def test_an_immediate_case_routed_in_the_national_day_week_is_due_when_offices_reopen(
        store, clocks):
    clocks.clock.set("2026-10-03T09:00:00")
    route(store, clocks, track="immediate")
    assert staff_view(store, clocks)["due_date"] == "2026-10-08"


def test_the_national_profile_counts_the_conclusion_from_acceptance(store, clocks):
    national = {**clocks.tracks}
    other = clocks_from_config({**load_config("tracking"), "CLOCK_PROFILE": "national_2022"})
    other.clock = clocks.clock
    assert national != other.tracks
    clocks.clock.set("2026-09-05T10:00:00")
    route(store, other)
    view = staff_view(store, other)
    assert (view["accept_due"], view["due_date"]) == ("2026-09-20", None)  # a make-up Sunday
    # no conclusion clock until accepted: the timeline names the acceptance's
    assert view["timeline"][-1]["text"] == "已分派至历下区住建局办理（一般，受理期限2026-09-20）"
    clocks.clock.set("2026-09-10T10:00:00")
    step(store, other, ACTORS["handler"], "accept")
    # 60 days from 10 Sep is 9 Nov, a Monday
    assert staff_view(store, other)["due_date"] == "2026-11-09"


def test_a_reroute_restarts_the_units_clock(store, clocks):
    clocks.clock.set("2026-09-28T10:00:00")
    route(store, clocks)
    assert staff_view(store, clocks)["due_date"] == "2026-10-16"
    step(store, clocks, ACTORS["handler"], "return", {"reason": "不属本单位职责"})
    clocks.clock.set("2026-10-09T10:00:00")
    route(store, clocks, routing_seq=2)
    view = staff_view(store, clocks)
    # Oct 10 (make-up Saturday), 12-16, 19-22
    assert view["due_date"] == "2026-10-22"
    # acceptance: 15 days end on Saturday 24 Oct, so on Monday 26 Oct
    assert [d["due"] for d in view["deadlines"] if d["open"]] == ["2026-10-26", "2026-10-22"]


def test_clocks_opened_or_loaded_in_the_transaction_are_closed_in_step(store, clocks):
    """close_deadlines closes the stored clocks with one UPDATE, a clock opened
    earlier in the same transaction too (moving a clock twice leaves one open),
    and a loaded one reads closed in step."""
    clocks.clock.set("2026-09-28T10:00:00")
    route(store, clocks)
    with store.transaction() as tx:
        case = tx.session.get(Case, CASE_NUMBER)
        accept = tx.session.scalars(select(Deadline).where(Deadline.kind == "accept")).one()
        set_deadline(tx, case, "conclude", date(2026, 12, 30))
        set_deadline(tx, case, "conclude", date(2026, 12, 31))
        close_deadlines(tx, case, kinds=("accept",))
        assert not accept.open
    assert [(d["kind"], d["due"], d["open"]) for d in staff_view(store, clocks)["deadlines"]] == [
        ("accept", "2026-10-13", False), ("conclude", "2026-10-16", False),
        ("conclude", "2026-12-30", False), ("conclude", "2026-12-31", True)]


# --- handling ------------------------------------------------------------------

def test_decline_tells_the_reason_and_stops_the_clock(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "decline", {"reason": "该事项已进入诉讼程序"})
    view = public_view(store, clocks)
    assert (view["status"], view["decline_reason"]) == ("declined", "该事项已进入诉讼程序")
    assert view["timeline"][-1]["text"] == "历下区住建局决定不予受理：该事项已进入诉讼程序"
    declined = emitted(store)[-1]
    assert (declined["event_type"], declined["reason"]) == ("case_declined", "该事项已进入诉讼程序")
    assert not [d for d in staff_view(store, clocks)["deadlines"] if d["open"]]


def test_transfer_names_a_known_unit_and_leaves_the_unit_queue(store, clocks):
    route(store, clocks)
    with pytest.raises(InvalidInput) as bad:
        step(store, clocks, ACTORS["district_bureau"], "transfer",
             {"unit_code": "nowhere", "note": "x"})
    assert "unit_code" in bad.value.details
    with pytest.raises(Forbidden):
        step(store, clocks, ACTORS["handler"], "transfer", {"unit_code": "370102-water",
                                                            "note": "x"})
    step(store, clocks, ACTORS["district_bureau"], "transfer",
         {"unit_code": "370102-water", "note": "供水管网问题，属水务职责"})
    transferred = emitted(store)[-1]
    assert (transferred["event_type"], transferred["to_unit_code"], transferred["unit_code"],
            transferred["routing_seq"]) == ("case_transferred", "370102-water", UNIT, 1)
    view = staff_view(store, clocks)
    assert (view["status"], view["unit_code"]) == ("transferring", None)
    assert view["timeline"][-1]["detail"] == "zhao转办至历下区水务局（370102-water）：供水管网问题，属水务职责"
    assert public_view(store, clocks)["timeline"][-1]["text"] == "信访部门已将事项转办至历下区水务局"
    # routing answers with the new assignment
    with store.transaction() as tx:
        cases.apply_routing(tx, routed(routing_seq=2, unit_code="370102-water",
                                       unit_name="历下区水务局", occurred_at=clocks.now()), clocks)
    assert staff_view(store, clocks)["status"] == "routed"


def test_assign_needs_the_report_back_before_the_bureau_closes(store, clocks):
    route(store, clocks)
    bureau, handler = ACTORS["district_bureau"], ACTORS["handler"]
    step(store, clocks, bureau, "assign", {"instructions": "请于五个工作日内报告处理结果"})
    step(store, clocks, handler, "accept")
    step(store, clocks, handler, "reply", {"reply": "已修复"})
    with pytest.raises(Conflict, match="has not reported back"):
        step(store, clocks, bureau, "close")
    step(store, clocks, handler, "report_back", {"report": "已督促物业修复并回访"})
    assert step(store, clocks, bureau, "close")["status"] == "concluded"
    assert event_types(store)[-3:] == ["case_replied", "case_reported_back", "case_concluded"]


def test_co_handling_waits_for_the_parts_or_their_deadlines(store, clocks):
    route(store, clocks)
    handler = ACTORS["handler"]
    step(store, clocks, handler, "accept")
    step(store, clocks, ACTORS["district_bureau"], "co_handle", {"co_units": [
        {"unit_code": "370102-water", "due_date": "2026-11-27"},
        {"unit_code": "370103-housing", "due_date": "2026-11-30"}]})
    other = {**WATER, "unit_code": "370103-housing", "username": "szh", "area_code": "370103"}
    # the co-units see the case and submit their own part only
    step(store, clocks, WATER, "submit_part", {"content": "管网已检修"})
    with pytest.raises(Conflict, match="waits for co-units' parts: 370103-housing"):
        step(store, clocks, handler, "reply", {"reply": "已办理"})
    with pytest.raises(Conflict, match="co-handling part is submitted"):
        step(store, clocks, WATER, "submit_part", {"content": "again"})
    clocks.clock.set("2026-12-01T09:00:00")   # the second co-unit's deadline has passed
    step(store, clocks, handler, "reply", {"reply": "已办理"})
    view = staff_view(store, clocks)
    parts = {p["unit_code"]: (p["status"], p["late"]) for p in view["parts"]}
    assert parts == {"370102-water": ("submitted", False), "370103-housing": ("pending", True)}
    assert "市中区住建局逾期未提交协办意见（期限2026-11-30）" in view["timeline"][-1]["detail"]
    with pytest.raises(Conflict):
        step(store, clocks, other, "submit_part", {"content": "late"})  # the case is replied


def test_special_case_is_the_city_bureaus_with_its_own_deadline(store, clocks):
    route(store, clocks)
    plan = {"plan": "成立专班", "coordinating_units": ["370102-water"], "due_date": "2027-01-29"}
    with pytest.raises(Forbidden):
        step(store, clocks, ACTORS["district_bureau"], "special_case", plan)
    step(store, clocks, ACTORS["city_bureau"], "special_case", plan)
    view = staff_view(store, clocks)
    assert (view["track"], view["due_date"], view["plan"]) == ("special_case", "2027-01-29", "成立专班")
    assert emitted(store)[-1]["unit_codes"] == ["370102-water"]


# --- extension ------------------------------------------------------------------

def test_extension_approved_moves_the_due_date_and_tells_the_reason(store, clocks):
    route(store, clocks)
    handler, bureau = ACTORS["handler"], ACTORS["district_bureau"]
    step(store, clocks, handler, "accept")
    with pytest.raises(InvalidInput, match="延期") as too_far:
        step(store, clocks, handler, "request_extension",
             {"until": "2027-02-01", "reason": "需现场勘验"})
    assert "until" in too_far.value.details
    step(store, clocks, handler, "request_extension", {"until": "2026-12-31", "reason": "需现场勘验"})
    assert step(store, clocks, bureau, "approve_extension")["extension"] == "approved"
    view = public_view(store, clocks)
    assert (view["due_date"], view["extended_until"]) == ("2026-12-31", "2026-12-31")
    assert view["timeline"][-1]["text"] == "经批准延期至2026-12-31，理由：需现场勘验"
    approved = emitted(store)[-1]
    assert (approved["event_type"], approved["until"], approved["reason"]) == (
        "extension_approved", "2026-12-31", "需现场勘验")
    with pytest.raises(Conflict, match="extension is approved"):
        step(store, clocks, handler, "request_extension", {"until": "2026-12-31", "reason": "再延"})


def test_extension_refused_leaves_the_clock(store, clocks):
    route(store, clocks)
    handler, bureau = ACTORS["handler"], ACTORS["district_bureau"]
    step(store, clocks, handler, "accept")
    step(store, clocks, handler, "request_extension", {"until": "2026-12-20", "reason": "人手不足"})
    # the request is the staff's business until it is decided
    assert public_view(store, clocks)["timeline"][-1]["kind"] == "accept"
    step(store, clocks, bureau, "refuse_extension", {"reason": "理由不充分"})
    view = staff_view(store, clocks)
    assert (view["due_date"], view["extension_state"]) == ("2026-12-09", "refused")
    assert "办理期限仍为2026-12-09" in view["timeline"][-1]["detail"]


# --- material (补充材料) ------------------------------------------------------------

def material_added(store, clocks, added_by="petitioner"):
    with store.transaction() as tx:
        cases.record_material(tx, received(events.MATERIAL_ADDED, unit_code=UNIT, added_by=added_by,
                                           content_type="application/pdf", size=1024,
                                           occurred_at=clocks.now()), clocks)


def test_material_asked_in_working_days_is_answered_by_the_petitioners_file(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "accept")
    asked = step(store, clocks, ACTORS["handler"], "request_material",
                 {"what": "房屋产权证明复印件", "working_days": 5})
    assert asked["material"] == "requested"
    view = public_view(store, clocks)
    # 25 Nov (Wednesday) + 5 working days; the case's own clock is as it was
    assert (view["material_state"], view["material_request"], view["material_due"],
            view["due_date"]) == ("requested", "房屋产权证明复印件", "2026-12-02", "2026-12-09")
    assert view["timeline"][-1]["text"] == (
        "历下区住建局请信访人于2026-12-02前补充材料；补充期间办理期限2026-12-09不变")
    assert "房屋产权证明复印件" in staff_view(store, clocks)["timeline"][-1]["detail"]
    requested = emitted(store)[-1]
    assert (requested["event_type"], requested["due_date"], requested["to_state"]) == (
        "material_requested", "2026-12-02", "requested")
    assert "房屋" not in str(requested)   # what was asked stays in tracking
    material_added(store, clocks, added_by="staff")   # a unit's own file answers nothing
    assert public_view(store, clocks)["material_state"] == "requested"
    material_added(store, clocks)
    view = staff_view(store, clocks)
    assert view["material_state"] == "answered"
    assert [e["text"] for e in view["timeline"]][-2:] == ["信访人补充了材料", "信访人已按要求补充材料"]
    assert [e["text_en"] for e in public_view(store, clocks)["timeline"]][-2:] == [
        "The petitioner added material", "The petitioner sent the material asked for"]
    assert not [d for d in view["deadlines"] if d["kind"] == "material" and d["open"]]
    assert event_types(store)[-1] == "material_request_answered"
    clocks.clock.set("2026-12-03T09:00:00")
    assert run_sweep(store, clocks) == 0   # answered: nothing lapses


def test_material_not_added_by_its_date_lapses_once_and_no_clock_moves(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "accept")
    step(store, clocks, ACTORS["handler"], "request_material",
         {"what": "现场照片", "due_date": "2026-11-27"})
    clocks.clock.set("2026-11-27T09:00:00")
    assert run_sweep(store, clocks) == 0   # the petitioner's window: no warning
    clocks.clock.set("2026-11-30T09:00:00")
    assert run_sweep(store, clocks) == 1
    assert run_sweep(store, clocks, replica="other") == 0
    view = public_view(store, clocks)
    assert (view["material_state"], view["due_date"]) == ("lapsed", "2026-12-09")
    assert view["timeline"][-1]["text"] == "补充材料期限（2026-11-27）已过，信访人未补充；办理期限2026-12-09不变"
    assert event_types(store).count("material_request_lapsed") == 1
    assert "case_overdue" not in event_types(store)   # nobody's overdue
    material_added(store, clocks)   # a late file is on the timeline, the request stays lapsed
    assert public_view(store, clocks)["material_state"] == "lapsed"
    # the unit may ask again; the new date has its own clock
    step(store, clocks, ACTORS["handler"], "request_material",
         {"what": "现场照片（请标注日期）", "working_days": 2})
    assert public_view(store, clocks)["material_due"] == "2026-12-02"


def test_a_request_for_material_is_the_units_with_a_date_on_an_open_case(store, clocks):
    route(store, clocks)
    handler = ACTORS["handler"]
    for body, field in (({"what": "照片"}, "due_date"),
                        ({"what": "照片", "due_date": "2026-12-01", "working_days": 3}, "due_date"),
                        ({"what": "照片", "due_date": "2026-11-24"}, "due_date"),
                        ({"what": "照片", "working_days": 0}, "working_days"),
                        ({"what": " \u200b", "working_days": 3}, "what"),
                        ({"what": "照" * 1001, "working_days": 3}, "what")):
        with pytest.raises(InvalidInput) as bad:
            step(store, clocks, handler, "request_material", body)
        assert field in bad.value.details, body
    with pytest.raises(Forbidden):
        step(store, clocks, ACTORS["district_bureau"], "request_material",
             {"what": "照片", "working_days": 3})
    step(store, clocks, handler, "accept")
    step(store, clocks, handler, "reply", {"reply": "已处理"})
    with pytest.raises(Conflict, match="replied"):
        step(store, clocks, handler, "request_material", {"what": "照片", "working_days": 3})


# --- the sweep and supervision ----------------------------------------------------

def test_sweep_warns_then_raises_overdue_once_and_opens_supervision(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "accept")
    clocks.clock.set("2026-12-08T09:00:00")   # one working day before 12-09
    assert run_sweep(store, clocks) == 1
    assert run_sweep(store, clocks) == 0
    clocks.clock.set("2026-12-10T09:00:00")
    assert run_sweep(store, clocks) == 1
    assert run_sweep(store, clocks) == 0
    assert event_types(store).count("case_due_soon") == 1
    assert event_types(store).count("case_overdue") == 1
    view = staff_view(store, clocks)
    [order] = view["orders"]
    assert (order["kind"], order["status"], order["answer_due"]) == ("overdue", "open", "2026-12-17")
    assert view["supervision_open"] is True
    assert [e["text"] for e in public_view(store, clocks)["timeline"]][-2:] == [
        "办理已超期", "办理超期（期限2026-12-09），已启动督办"]


def test_the_unit_alerts_carry_what_a_notification_needs_and_nothing_personal(store, clocks):
    """What notify (email, webhooks) and department systems build a unit's
    message from: the unit, the case number, the date; no petitioner."""
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "accept")
    clocks.clock.set("2026-12-08T09:00:00")
    run_sweep(store, clocks)
    clocks.clock.set("2026-12-10T09:00:00")
    run_sweep(store, clocks)
    alerts = {e["event_type"]: e for e in emitted(store)
              if e["event_type"] in ("case_due_soon", "case_overdue", "supervision_opened")}
    assert set(alerts) == {"case_due_soon", "case_overdue", "supervision_opened"}
    for alert in alerts.values():
        assert (alert["case_number"], alert["unit_code"]) == (CASE_NUMBER, UNIT)
        assert not {"name", "id_number", "phone", "query_code", "content", "address"} & set(alert)
    assert alerts["case_due_soon"]["due_date"] == alerts["case_overdue"]["due_date"] == "2026-12-09"
    assert alerts["case_overdue"]["responsible_unit"] == UNIT
    assert alerts["supervision_opened"]["answer_due"] == "2026-12-17"


def test_supervision_answered_sent_back_and_closed(store, clocks):
    route(store, clocks)
    handler, bureau = ACTORS["handler"], ACTORS["district_bureau"]
    step(store, clocks, bureau, "supervise", {"kind": "special", "instructions": "三日内说明进展",
                                              "answer_due": "2026-11-30"})
    with pytest.raises(Conflict, match="supervision order is open"):
        step(store, clocks, bureau, "supervise", {"kind": "work", "instructions": "x",
                                                  "answer_due": "2026-11-30"})
    step(store, clocks, handler, "answer_supervision", {"answer": "已约谈物业"})
    step(store, clocks, bureau, "send_back_supervision", {"note": "未见整改结果"})
    step(store, clocks, handler, "answer_supervision", {"answer": "电梯已修复"})
    step(store, clocks, bureau, "close_supervision", {"note": "整改到位"})
    view = staff_view(store, clocks)
    [order] = view["orders"]
    assert (order["status"], order["answer"], view["supervision_open"]) == (
        "closed", "电梯已修复", False)
    assert event_types(store) == ["supervision_opened", "supervision_answered",
                                  "supervision_sent_back", "supervision_answered",
                                  "supervision_closed"]


def test_an_unanswered_order_is_escalated_and_counted_against_the_unit(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["district_bureau"], "supervise", {
        "kind": "work", "instructions": "说明进展", "answer_due": "2026-11-26"})
    clocks.clock.set("2026-11-27T09:00:00")
    run_sweep(store, clocks)
    [order] = staff_view(store, clocks)["orders"]
    assert (order["status"], order["counted_against_unit"]) == ("escalated", True)
    escalated = [e for e in emitted(store) if e["event_type"] == "supervision_escalated"]
    assert len(escalated) == 1 and escalated[0]["counted_against_unit"] is True
    with store.transaction() as tx:
        queue = views.list_orders(tx, ACTORS["district_bureau"], "escalated")
        record = views.supervision_record(tx, ACTORS["district_bureau"])
        own = views.supervision_record(tx, ACTORS["other_handler"])
    assert [o["id"] for o in queue] == [order["id"]]
    assert record == [{"unit_code": UNIT, "open": 0, "answered": 0, "escalated": 1, "closed": 0,
                       "counted_against_unit": 1}]
    assert own == []


def test_the_unit_sees_supervised_cases_first(store, clocks):
    route(store, clocks, case_number="JN20261125-000002")
    clocks.clock.set("2026-11-26T10:00:00")
    route(store, clocks)
    step(store, clocks, ACTORS["district_bureau"], "supervise", {
        "kind": "work", "instructions": "说明进展", "answer_due": "2026-11-30"})
    with store.transaction() as tx:
        queue = views.list_cases(tx, ACTORS["handler"], clocks.today())
    assert [c["case_number"] for c in queue] == [CASE_NUMBER, "JN20261125-000002"]


def test_a_rating_and_a_return_visit_reopen_supervision(store, clocks):
    route(store, clocks)
    handler, bureau = ACTORS["handler"], ACTORS["district_bureau"]
    step(store, clocks, handler, "accept")
    step(store, clocks, handler, "reply", {"reply": "已修复"})
    with store.transaction() as tx:
        cases.apply_rating(tx, rated("unsatisfied", occurred_at=clocks.now()), clocks)
    step(store, clocks, handler, "answer_supervision", {"answer": "已再次检修"})
    step(store, clocks, bureau, "close_supervision", {"note": "已整改"})
    step(store, clocks, bureau, "return_visit", {"reached": True, "view": "仍有异响",
                                                 "satisfied": False})
    view = staff_view(store, clocks)
    assert [(o["kind"], o["status"]) for o in view["orders"]] == [
        ("rating", "closed"), ("return_visit", "open")]
    assert view["timeline"][-2]["detail"] == "zhao回访：已联系到信访人；群众意见：仍有异响；不满意"


# --- checks, review --------------------------------------------------------------

def test_a_spot_check_draws_again_identically(store, clocks):
    for n in range(1, 9):
        number = f"JN20261125-00001{n}"
        route(store, clocks, case_number=number)
        step(store, clocks, ACTORS["handler"], "accept", case_number=number)
        step(store, clocks, ACTORS["handler"], "reply", {"reply": "已办"}, case_number=number)
        with store.transaction() as tx:
            cases.apply_rating(tx, rated(case_number=number, occurred_at=clocks.now()), clocks)
    body = {"unit_code": UNIT, "period_start": "2026-11-01", "period_end": "2026-11-30", "size": 3,
            "seed": 20261125}
    with store.transaction() as tx:
        first = checks.draw_spot_check(tx, ACTORS["district_bureau"], body, clocks)
    assert len(first["population"]) == 8 and len(first["drawn"]) == 3
    with store.transaction() as tx:
        again = checks.spot_check(tx, ACTORS["district_bureau"], first["id"])
        unseeded = checks.draw_spot_check(tx, ACTORS["district_bureau"],
                                          {**body, "seed": None}, clocks)
    assert again["drawn"] == again["redrawn"] == first["drawn"] and again["reproduced"]
    assert isinstance(unseeded["seed"], int)  # recorded, so this one re-draws too
    checked = first["drawn"][0]
    step(store, clocks, ACTORS["district_bureau"], "record_check", {
        "kind": "spot", "finding": "答复规范", "spot_check_id": first["id"]}, case_number=checked)
    outside = (set(first["population"]) - set(first["drawn"])).pop()
    with pytest.raises(InvalidInput):
        step(store, clocks, ACTORS["district_bureau"], "record_check", {
            "kind": "spot", "finding": "x", "spot_check_id": first["id"]}, case_number=outside)


def test_review_then_re_review_one_level_up_each_then_final(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "accept")
    step(store, clocks, ACTORS["handler"], "reply", {"reply": "已答复"})
    petitioner(store, clocks, "request_review", {"reason": "答复未解决问题"})
    view = staff_view(store, clocks)
    assert (view["review_state"], view["reviewing_unit_code"]) == ("review_requested",
                                                                   "370100-housing")
    with pytest.raises(Forbidden):
        step(store, clocks, ACTORS["handler"], "answer_review", {"opinion": "x"})
    step(store, clocks, CITY_HOUSING, "answer_review", {"opinion": "维持原处理意见"})
    petitioner(store, clocks, "request_rereview", {"reason": "仍不服"})
    assert staff_view(store, clocks)["reviewing_unit_code"] == "370100-bureau"
    step(store, clocks, ACTORS["city_bureau"], "answer_rereview", {"opinion": "维持复查意见"})
    view = public_view(store, clocks)
    assert view["final"] is True and view["review_state"] == "final"
    assert view["timeline"][-1]["text"] == "济南市信访局已作出复核意见：维持复查意见。该信访事项终结"
    with pytest.raises(Conflict, match="review is final"):
        petitioner(store, clocks, "request_rereview", {"reason": "again"})


def test_a_review_asked_after_30_days_is_refused(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "accept")
    step(store, clocks, ACTORS["handler"], "reply", {"reply": "已答复"})
    clocks.clock.set("2026-12-28T10:00:00")
    with pytest.raises(Conflict, match="ended on 2026-12-25"):
        petitioner(store, clocks, "request_review", {"reason": "不服"})


def test_alerts_are_unique_per_case_clock_and_due_date(store, clocks):
    route(store, clocks)
    with store.transaction() as tx:
        assert tx.session.get(Case, CASE_NUMBER).due_date == date(2026, 12, 9)
    clocks.clock.set("2026-12-10T09:00:00")
    run_sweep(store, clocks)
    with store.transaction() as tx:
        kinds = sorted((a.kind, a.alert) for a in tx.session.query(Alert))
    assert kinds == [("accept", "due_soon"), ("conclude", "overdue")]


@pytest.mark.parametrize("text", ["10", "10 weeks", "ten days", "-1 days"])
def test_a_limit_that_does_not_read_n_days_is_refused(text):
    with pytest.raises(ConfigurationError, match="working_days"):
        Limit.parse(text)


def test_an_unknown_clock_profile_is_refused_at_start():
    with pytest.raises(ConfigurationError, match="CLOCK_PROFILE 'provincial'"):
        clocks_from_config({**load_config("tracking"), "CLOCK_PROFILE": "provincial"})


def test_no_review_asked_in_time_the_sweep_closes_the_matter_for_good(store, clocks):
    route(store, clocks)
    step(store, clocks, ACTORS["handler"], "accept")
    step(store, clocks, ACTORS["handler"], "reply", {"reply": "已答复"})
    clocks.clock.set("2026-12-25T10:00:00")   # the last day to ask
    run_sweep(store, clocks)
    assert public_view(store, clocks)["final"] is False
    clocks.clock.set("2026-12-28T10:00:00")
    run_sweep(store, clocks)
    run_sweep(store, clocks)
    view = public_view(store, clocks)
    assert view["final"] is True
    assert view["timeline"][-1]["text"] == "复查申请期限（2026-12-25）已过，该信访事项终结"
    assert event_types(store).count("case_final") == 1
