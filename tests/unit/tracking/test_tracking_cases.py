"""The state machine, fed by events in any order, on a real SQLite store."""
from datetime import date, datetime, timezone

import pytest
from nameko.testing.services import worker_factory

from core import events
from core.errors import Conflict
from services.tracking import cases, views
from services.tracking.cases import TRANSITIONS, NotYetApplicable
from services.tracking.models import Case
from services.tracking.schemas import STATUSES
from services.tracking.service import TrackingService
from tests.unit.tracking.conftest import (
    ACTORS,
    AREA,
    CASE_NUMBER,
    UNIT,
    emitted,
    rated,
    received,
    routed,
    submitted,
    timeline_count,
    unsatisfied,
)

STATES = set(STATUSES)


def apply(store, fn, *args):
    with store.transaction() as tx:
        return fn(tx, *args)


def case_view(store):
    return apply(store, views.get_case, CASE_NUMBER)


def put_case(store, status, **fields):
    """A case in ``status``, assigned to UNIT (as after routing)."""
    with store.transaction() as tx:
        tx.session.add(Case(**{
            "case_number": CASE_NUMBER, "status": status, "area_code": AREA,
            "unit_code": UNIT, "unit_name": "历下区住建局", "track": "standard",
            "due_date": date(2099, 12, 31), "routing_seq": 1, "supervision_open": False,
            **fields}))


ACTIONS = {
    "route": lambda tx: cases.apply_routing(tx, routed(routing_seq=2)),
    "reject": lambda tx: cases.apply_rejection(tx, received(
        events.PETITION_REJECTED, reason="属于诉讼事项", channel="向人民法院提起诉讼")),
    "accept": lambda tx: cases.accept(tx, CASE_NUMBER, ACTORS["handler"]),
    "return": lambda tx: cases.return_case(tx, CASE_NUMBER, ACTORS["handler"], "不属本单位职责"),
    "reply": lambda tx: cases.reply(tx, CASE_NUMBER, ACTORS["handler"], "已协调供热公司检修"),
    "conclude": lambda tx: cases.apply_rating(tx, rated()),
}


def test_every_action_of_the_table_is_exercised():
    assert set(ACTIONS) == set(TRANSITIONS)


@pytest.mark.parametrize("action,status", [
    (action, status) for action, (allowed, _) in TRANSITIONS.items()
    for status in sorted(STATES - allowed)
    # a rating before the reply is not illegal, only early: it is retried (below)
    if not (action == "conclude" and status in {"submitted", "routed", "accepted", "returned"})
])
def test_illegal_transition_raises_conflict_and_changes_nothing(store, action, status):
    put_case(store, status)
    with pytest.raises(Conflict, match=f"case {CASE_NUMBER} is {status}; it cannot be"):
        apply(store, ACTIONS[action])
    assert case_view(store)["status"] == status
    assert emitted(store) == []


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_legal_transition_moves_to_the_target_state(store, action):
    allowed, target = TRANSITIONS[action]
    put_case(store, sorted(allowed)[0])
    apply(store, ACTIONS[action])
    assert case_view(store)["status"] == target


def test_conflict_message_names_the_state_and_the_action(store):
    put_case(store, "replied")
    with pytest.raises(Conflict) as exc:
        apply(store, ACTIONS["accept"])
    assert str(exc.value) == f"case {CASE_NUMBER} is replied; it cannot be accepted"


def test_submitted_then_routed(store):
    apply(store, cases.record_submission, submitted())
    assert case_view(store)["status"] == "submitted"
    apply(store, cases.apply_routing, routed())
    view = case_view(store)
    assert (view["status"], view["unit_code"], view["track"], view["due_date"]) == (
        "routed", UNIT, "standard", "2099-12-31")
    assert [e["kind"] for e in view["timeline"]] == ["submitted", "routed"]
    assert view["timeline"][1]["text"] == "已分派至历下区住建局办理（一般，办理期限2099-12-31）"


def test_routed_before_submitted_creates_the_case_and_keeps_the_routing(store):
    apply(store, cases.apply_routing, routed())
    assert case_view(store)["title"] is None
    apply(store, cases.record_submission, submitted())
    view = case_view(store)
    assert (view["status"], view["unit_code"], view["title"], view["category"]) == (
        "routed", UNIT, "小区供暖不热", "housing")
    # the timeline follows when things happened, not when the events arrived
    assert [e["kind"] for e in view["timeline"]] == ["submitted", "routed"]


def test_submission_arriving_late_does_not_regress_a_replied_case(store):
    put_case(store, "replied")
    apply(store, cases.record_submission, submitted())
    assert case_view(store)["status"] == "replied"


def test_stale_routing_is_ignored(store):
    apply(store, cases.apply_routing, routed(routing_seq=2, unit_code="370102-water",
                                             unit_name="历下区水务局"))
    apply(store, cases.apply_routing, routed(routing_seq=1))
    view = case_view(store)
    assert (view["unit_code"], view["unit_name"]) == ("370102-water", "历下区水务局")
    assert len(view["timeline"]) == 1


def test_return_then_reroute_to_another_unit(store):
    put_case(store, "accepted")
    apply(store, cases.return_case, CASE_NUMBER, ACTORS["handler"], "不属本单位职责")
    [returned] = emitted(store)
    assert returned["event_type"] == "case_returned"
    assert (returned["unit_code"], returned["routing_seq"], returned["reason"]) == (
        UNIT, 1, "不属本单位职责")
    view = case_view(store)
    assert (view["status"], view["unit_code"]) == ("returned", None)

    apply(store, cases.apply_routing, routed(routing_seq=2, unit_code="370102-water",
                                             unit_name="历下区水务局"))
    view = case_view(store)
    assert (view["status"], view["unit_code"]) == ("routed", "370102-water")
    assert view["timeline"][-1]["text"].startswith("已重新分派至历下区水务局")


def test_rejection_is_terminal_with_reason_and_channel(store):
    apply(store, ACTIONS["reject"])
    apply(store, cases.record_submission, submitted())
    view = case_view(store)
    assert (view["status"], view["rejection_reason"], view["rejection_channel"]) == (
        "rejected", "属于诉讼事项", "向人民法院提起诉讼")
    assert "向人民法院提起诉讼" in view["timeline"][-1]["text"]


def test_redelivered_event_adds_no_timeline_entry(store, sessions):
    event = routed()
    service = worker_factory(TrackingService, store=type(store)(
        sessions, "tracking.on_petition_routed"))
    service.on_petition_routed(event)
    service.on_petition_routed(event)
    assert timeline_count(store) == 1


@pytest.mark.parametrize("handle,event", [(cases.apply_rating, rated),
                                          (cases.open_supervision, unsatisfied)])
@pytest.mark.parametrize("status", ["submitted", "routed", "accepted", "returned"])
def test_rating_before_the_reply_is_retried_later(store, status, handle, event):
    put_case(store, status)
    with pytest.raises(NotYetApplicable):
        apply(store, handle, event())


def test_rating_for_an_unknown_case_is_retried_later(store):
    with pytest.raises(NotYetApplicable):
        apply(store, cases.apply_rating, rated())


def test_satisfied_rating_concludes_on_time(store):
    put_case(store, "replied", due_date=date(2026, 12, 1))
    # 07:30 on the due day in China
    apply(store, cases.apply_rating, rated(
        "basically_satisfied", occurred_at=datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)))
    assert case_view(store)["status"] == "concluded"
    [concluded] = emitted(store)
    assert (concluded["event_type"], concluded["on_time"]) == ("case_concluded", True)


def test_rating_after_the_due_date_in_china_concludes_late(store):
    put_case(store, "replied", due_date=date(2026, 12, 1))
    # still 1 December in UTC, already 2 December in China
    apply(store, cases.apply_rating, rated(
        occurred_at=datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)))
    [concluded] = emitted(store)
    assert concluded["on_time"] is False
    assert apply(store, views.staff_case, CASE_NUMBER, ACTORS["handler"])["on_time"] is False


def test_unsatisfied_rating_opens_supervision_and_keeps_the_case_replied(store):
    put_case(store, "replied")
    apply(store, cases.apply_rating, rated("unsatisfied"))
    apply(store, cases.open_supervision, unsatisfied())
    view = case_view(store)
    assert (view["status"], view["supervision_open"]) == ("replied", True)
    last = view["timeline"][-1]
    assert (last["kind"], last["text"]) == ("supervision_opened", "群众对办理质量不满意，已启动督办")
    [opened] = emitted(store)
    assert (opened["event_type"], opened["reason"], opened["unit_code"], opened["area_code"]) == (
        "supervision_opened", "群众对办理质量不满意", UNIT, AREA)
