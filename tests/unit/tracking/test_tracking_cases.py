"""The state machine, fed by events in any order, on a real SQLite store."""
from datetime import date, datetime, timezone

import pytest
from nameko.testing.services import worker_factory

from core import events
from core.errors import Conflict
from services.tracking import cases, views
from services.tracking.cases import NotYetApplicable
from services.tracking.models import Case
from services.tracking.service import TrackingService
from services.tracking.workflows import HANDLING
from tests.unit.tracking.conftest import (
    ACTORS,
    AREA,
    CASE_NUMBER,
    UNIT,
    directory,
    emitted,
    rated,
    received,
    routed,
    submitted,
    timeline_count,
)

STATES = set(HANDLING.states)
TODAY = date(2026, 11, 25)


def apply(store, fn, *args):
    with store.transaction() as tx:
        return fn(tx, *args)


def case_view(store):
    return apply(store, views.get_case, CASE_NUMBER, TODAY)


def staff(actor, action, body=None):
    """A staff step, as the service runs it."""
    def run(tx, clocks):
        return cases.act(tx, CASE_NUMBER, action, ACTORS[actor], body, clocks, directory)
    return run


def put_case(store, status, **fields):
    """A case in ``status``, assigned to UNIT (as after routing)."""
    with store.transaction() as tx:
        tx.session.add(Case(**{
            "case_number": CASE_NUMBER, "status": status, "area_code": AREA,
            "unit_code": UNIT, "unit_name": "历下区住建局", "track": "standard",
            "due_date": date(2099, 12, 31), "routing_seq": 1, "supervision_open": False,
            **fields}))


PLAN = {"plan": "市信访局牵头，住建、街道联合调查", "coordinating_units": ["370102-water"],
        "due_date": "2026-12-31"}
ACTIONS = {
    "route": lambda tx, c: cases.apply_routing(tx, routed(routing_seq=2), c),
    "reject": lambda tx, c: cases.apply_rejection(tx, received(
        events.PETITION_REJECTED, reason="属于诉讼事项", channel="向人民法院提起诉讼"), c),
    "accept": staff("handler", "accept"),
    "decline": staff("handler", "decline", {"reason": "已进入诉讼程序"}),
    "return": staff("handler", "return", {"reason": "不属本单位职责"}),
    "transfer": staff("district_bureau", "transfer", {"unit_code": "370102-water",
                                                      "note": "属水务职责"}),
    "assign": staff("district_bureau", "assign", {"instructions": "五个工作日内报告结果"}),
    "co_handle": staff("district_bureau", "co_handle", {"co_units": [
        {"unit_code": "370102-water", "due_date": "2026-12-02"}]}),
    "special_case": staff("city_bureau", "special_case", PLAN),
    "escalate": staff("city_bureau", "escalate", PLAN),
    "reply": staff("handler", "reply", {"reply": "已协调供热公司检修"}),
    "report_back": lambda tx, c: (_assigned(tx), staff("handler", "report_back", {
        "report": "已检修"})(tx, c)),
    "close": staff("district_bureau", "close"),
    "conclude": lambda tx, c: cases.apply_rating(tx, rated(), c),
}


def _assigned(tx):
    tx.session.get(Case, CASE_NUMBER).report_back_required = True


def test_every_step_of_the_handling_table_is_exercised():
    assert set(ACTIONS) == {step.action for step in HANDLING.steps}


@pytest.mark.parametrize("step,status", [
    (step, status) for step in HANDLING.steps
    for status in sorted(STATES - step.from_states)
    # a rating before the reply is not illegal, only early: it is retried (below)
    if not (step.action == "conclude" and status in {"submitted", "routed", "accepted",
                                                      "returned", "transferring"})
], ids=lambda v: getattr(v, "action", v))
def test_illegal_move_raises_conflict_naming_the_state_and_changes_nothing(
        store, clocks, step, status):
    put_case(store, status)
    with pytest.raises(Conflict, match=f"case {CASE_NUMBER} is {status}; "):
        apply(store, ACTIONS[step.action], clocks)
    assert case_view(store)["status"] == status
    assert emitted(store) == []


@pytest.mark.parametrize("step", HANDLING.steps, ids=lambda s: s.action)
def test_legal_move_leads_to_the_target_state_and_emits_the_step_event(store, clocks, step):
    start = sorted(step.from_states)[0]
    put_case(store, start)
    apply(store, ACTIONS[step.action], clocks)
    assert case_view(store)["status"] == (step.to_state or start)
    if step.who != "system":  # the system steps apply events other services emitted
        assert emitted(store)[-1]["event_type"] == step.event.event_type


def test_conflict_message_names_the_state_and_the_step(store, clocks):
    put_case(store, "replied")
    with pytest.raises(Conflict) as exc:
        apply(store, ACTIONS["accept"], clocks)
    assert str(exc.value) == f"case {CASE_NUMBER} is replied; accept (受理) cannot start from it"


def test_submitted_then_routed(store, clocks):
    apply(store, cases.record_submission, submitted())
    assert case_view(store)["status"] == "submitted"
    apply(store, cases.apply_routing, routed(), clocks)
    view = case_view(store)
    # tracking's own clock: 10 working days from the assignment (25 Nov 2026)
    assert (view["status"], view["unit_code"], view["track"], view["due_date"]) == (
        "routed", UNIT, "standard", "2026-12-09")
    assert [e["kind"] for e in view["timeline"]] == ["submitted", "route"]
    assert view["timeline"][1]["text"] == "已分派至历下区住建局办理（一般，办理期限2026-12-09）"


def test_routed_before_submitted_creates_the_case_and_keeps_the_routing(store, clocks):
    apply(store, cases.apply_routing, routed(), clocks)
    assert case_view(store)["title"] is None
    apply(store, cases.record_submission, submitted())
    view = case_view(store)
    assert (view["status"], view["unit_code"], view["title"], view["category"]) == (
        "routed", UNIT, "小区供暖不热", "housing")
    # the timeline follows when things happened, not when the events arrived
    assert [e["kind"] for e in view["timeline"]] == ["submitted", "route"]


def test_submission_arriving_late_does_not_regress_a_replied_case(store):
    put_case(store, "replied")
    apply(store, cases.record_submission, submitted())
    assert case_view(store)["status"] == "replied"


def test_stale_routing_is_ignored(store, clocks):
    apply(store, cases.apply_routing, routed(routing_seq=2, unit_code="370102-water",
                                             unit_name="历下区水务局"), clocks)
    apply(store, cases.apply_routing, routed(routing_seq=1), clocks)
    view = case_view(store)
    assert (view["unit_code"], view["unit_name"]) == ("370102-water", "历下区水务局")
    assert len(view["timeline"]) == 1


def test_return_then_reroute_to_another_unit(store, clocks):
    put_case(store, "accepted")
    apply(store, ACTIONS["return"], clocks)
    [returned] = emitted(store)
    assert returned["event_type"] == "case_returned"
    assert (returned["unit_code"], returned["routing_seq"], returned["reason"]) == (
        UNIT, 1, "不属本单位职责")
    view = case_view(store)
    assert (view["status"], view["unit_code"]) == ("returned", None)

    apply(store, cases.apply_routing, routed(routing_seq=2, unit_code="370102-water",
                                             unit_name="历下区水务局"), clocks)
    view = case_view(store)
    assert (view["status"], view["unit_code"]) == ("routed", "370102-water")
    assert view["timeline"][-1]["text"].startswith("已重新分派至历下区水务局")


def test_rejection_is_terminal_with_reason_and_channel(store, clocks):
    apply(store, ACTIONS["reject"], clocks)
    apply(store, cases.record_submission, submitted())
    view = case_view(store)
    assert (view["status"], view["rejection_reason"], view["rejection_channel"]) == (
        "rejected", "属于诉讼事项", "向人民法院提起诉讼")
    assert "向人民法院提起诉讼" in view["timeline"][-1]["text"]


def test_redelivered_event_adds_no_timeline_entry(store, sessions, clocks):
    event = routed()
    service = worker_factory(TrackingService, clocks=clocks, store=type(store)(
        sessions, "tracking.on_petition_routed"))
    service.on_petition_routed(event)
    service.on_petition_routed(event)
    assert timeline_count(store) == 1


@pytest.mark.parametrize("level", ["satisfied", "unsatisfied"])
@pytest.mark.parametrize("status", ["submitted", "routed", "accepted", "returned"])
def test_rating_before_the_reply_is_retried_later(store, clocks, status, level):
    put_case(store, status)
    with pytest.raises(NotYetApplicable):
        apply(store, cases.apply_rating, rated(level), clocks)


def test_rating_for_an_unknown_case_is_retried_later(store, clocks):
    with pytest.raises(NotYetApplicable):
        apply(store, cases.apply_rating, rated(), clocks)


def test_satisfied_rating_concludes_on_time(store, clocks):
    put_case(store, "replied", due_date=date(2026, 12, 1))
    # 07:30 on the due day in China
    apply(store, cases.apply_rating, rated(
        "basically_satisfied", occurred_at=datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)),
        clocks)
    assert case_view(store)["status"] == "concluded"
    [concluded] = emitted(store)
    assert (concluded["event_type"], concluded["on_time"]) == ("case_concluded", True)


def test_rating_after_the_due_date_in_china_concludes_late(store, clocks):
    put_case(store, "replied", due_date=date(2026, 12, 1))
    # still 1 December in UTC, already 2 December in China
    apply(store, cases.apply_rating, rated(
        occurred_at=datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)), clocks)
    [concluded] = emitted(store)
    assert concluded["on_time"] is False
    assert apply(store, views.staff_case, CASE_NUMBER, ACTORS["handler"], TODAY)["on_time"] \
        is False


def test_unsatisfied_rating_opens_supervision_and_keeps_the_case_replied(store, clocks):
    put_case(store, "replied")
    apply(store, cases.apply_rating, rated("unsatisfied"), clocks)
    view = case_view(store)
    assert (view["status"], view["supervision_open"]) == ("replied", True)
    last = view["timeline"][-1]
    assert (last["kind"], last["text"]) == ("open_supervision", "群众对办理质量不满意，已启动督办")
    [opened] = emitted(store)
    assert (opened["event_type"], opened["reason"], opened["unit_code"], opened["area_code"]) == (
        "supervision_opened", "群众对办理质量不满意", UNIT, AREA)
    # an order with an answer deadline: 5 working days (city profile)
    assert (opened["kind"], opened["answer_due"]) == ("rating", "2026-12-02")
