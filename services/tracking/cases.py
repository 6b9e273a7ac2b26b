"""The case state machine (办理流程): every state change, from an event or a
staff action, goes through ``_move`` so TRANSITIONS is the only place that
says what may follow what.

    submitted -> routed -> accepted -> replied -> concluded
                 routed or accepted -> returned (退回) -> routed, to another unit
    submitted -> rejected (terminal: with the reason and the right channel)

Supervision (督办) is a flag beside the state, with a timeline entry.
Events may arrive in any order (each queue is consumed on its own): whichever
arrives first creates the case, the others fill in what they know, and none
moves a case back to an earlier state.
"""
from datetime import datetime, timezone

from core import events
from core.config import LOCAL_TIME
from core.errors import Conflict, Forbidden
from core.validation import load
from services.tracking.access import case_in_scope, find_case, load_actor
from services.tracking.models import Case, TimelineEntry
from services.tracking.schemas import ReplySchema, ReturnSchema

# action: (the states it may start from, the state it leads to)
TRANSITIONS = {
    "route": ({"submitted", "routed", "returned"}, "routed"),
    "reject": ({"submitted"}, "rejected"),
    "accept": ({"routed"}, "accepted"),
    "return": ({"routed", "accepted"}, "returned"),
    "reply": ({"accepted"}, "replied"),
    "conclude": ({"replied"}, "concluded"),
}
# the states above that come before "replied": a rating for a case still in
# one of them is early (this service is behind), not wrong
_BEFORE_REPLY = {"submitted", "routed", "accepted", "returned"}
# how an action reads in "case JN... is replied; it cannot be accepted"
_PAST = {"route": "routed", "reject": "rejected", "accept": "accepted",
         "return": "returned", "reply": "replied", "conclude": "concluded"}

TRACK_NAMES = {"immediate": "马上办", "standard": "一般", "special_case": "专案专办",
               "escalated": "提级办理"}
DIMENSION_NAMES = {"service_attitude": "服务态度", "work_efficiency": "工作效率",
                   "handling_quality": "办理质量"}


class NotYetApplicable(Exception):
    """The event depends on one not yet applied here; raising makes the
    reliable handler redeliver it later."""


def _move(case, action):
    allowed_from, to = TRANSITIONS[action]
    if case.status not in allowed_from:
        raise Conflict(f"case {case.case_number} is {case.status}; "
                       f"it cannot be {_PAST[action]}")
    case.status = to


def _note(tx, case, kind, text, at=None):
    tx.session.add(TimelineEntry(case_number=case.case_number, kind=kind, text=text,
                                 at=_utc(at or datetime.now(timezone.utc))))


def _utc(moment):
    return moment.astimezone(timezone.utc)


def _emit(tx, contract, case, **fields):
    tx.emit(contract, case_number=case.case_number, area_code=case.area_code,
            unit_code=case.unit_code, **fields)


def _case_for_event(tx, event):
    """The case an event is about, created if this is the first event seen."""
    case = tx.session.get(Case, event["case_number"], with_for_update=True)
    if case is None:
        case = Case(case_number=event["case_number"], status="submitted",
                    area_code=event["area_code"], routing_seq=0, supervision_open=False)
        tx.session.add(case)
    return case


# --- events -------------------------------------------------------------------

def record_submission(tx, event):
    """petition_submitted: what the public may know of the petition (no
    content, no petitioner); the state is left alone (routing may be first)."""
    case = _case_for_event(tx, event)
    case.category = case.category or event["category"]
    case.title = event["title"]
    case.submitted_at = _utc(event["submitted_at"])
    _note(tx, case, "submitted", "信访事项已提交", at=event["submitted_at"])


def apply_routing(tx, event):
    """petition_routed: assign the unit, track and due date; a routing older
    than the one applied (lower routing_seq) arrived late and is ignored."""
    case = _case_for_event(tx, event)
    if event["routing_seq"] <= case.routing_seq:
        return
    rerouted = case.routing_seq > 0
    _move(case, "route")
    case.routing_seq = event["routing_seq"]
    case.category = event["category"]
    case.unit_code, case.unit_name = event["unit_code"], event["unit_name"]
    case.track, case.due_date = event["track"], event["due_date"]
    case.routing_reason = event["reason"]
    text = (f"{'已重新分派' if rerouted else '已分派'}至{case.unit_name}办理"
            f"（{TRACK_NAMES[case.track]}，办理期限{case.due_date.isoformat()}）")
    _note(tx, case, "rerouted" if rerouted else "routed", text, at=event["occurred_at"])


def apply_rejection(tx, event):
    """petition_rejected: not accepted (e.g. only a court can settle it)."""
    case = _case_for_event(tx, event)
    _move(case, "reject")
    case.rejection_reason, case.rejection_channel = event["reason"], event["channel"]
    _note(tx, case, "rejected", f"不予受理：{event['reason']}。请通过以下途径解决：{event['channel']}",
          at=event["occurred_at"])


def apply_rating(tx, event):
    """rating_submitted: a rating with no unsatisfied dimension concludes the
    case (办结); an unsatisfied one leaves it replied for supervision."""
    case = _replied_case(tx, event)
    if "unsatisfied" in (event[d] for d in DIMENSION_NAMES):
        return  # rating_unsatisfied opens supervision
    _move(case, "conclude")
    concluded_at = _utc(event["occurred_at"])
    case.concluded_at = concluded_at
    # on time: concluded (in China's calendar) no later than the due date
    case.on_time = concluded_at.astimezone(LOCAL_TIME).date() <= case.due_date
    _note(tx, case, "concluded", "群众已评价，信访事项已办结", at=concluded_at)
    _emit(tx, events.CASE_CONCLUDED, case, on_time=case.on_time)


def open_supervision(tx, event):
    """rating_unsatisfied: the bureau supervises (督办) the unit's handling."""
    case = _replied_case(tx, event)
    names = "、".join(DIMENSION_NAMES[d] for d in event["dimensions"])
    reason = f"群众对{names}不满意"
    case.supervision_open, case.supervision_reason = True, reason
    _note(tx, case, "supervision_opened", f"{reason}，已启动督办", at=event["occurred_at"])
    _emit(tx, events.SUPERVISION_OPENED, case, reason=reason)


def _replied_case(tx, event):
    """The case a rating is about: ratings open once it is replied, so an
    earlier state means this service is behind (retry later)."""
    case = tx.session.get(Case, event["case_number"], with_for_update=True)
    if case is None or case.status in _BEFORE_REPLY:
        raise NotYetApplicable(f"case {event['case_number']} is not replied yet")
    if case.status != "replied":
        raise Conflict(f"case {case.case_number} is {case.status}; it cannot be rated")
    return case


# --- staff actions ------------------------------------------------------------

# A staff action repeated by the same person with the same content answers
# as the first did: it is the same request again (a double click, or a reply
# lost with the broker and the request redelivered), not a conflict.

def accept(tx, case_number, actor):
    actor = load_actor(actor)
    case = _assigned_case(tx, case_number, actor)
    if case.status == "accepted" and case.accepted_by == actor["username"]:
        return {"case_number": case.case_number, "status": case.status}
    _move(case, "accept")
    case.accepted_by = actor["username"]
    _note(tx, case, "accepted", f"{case.unit_name}已受理")
    _emit(tx, events.CASE_ACCEPTED, case, accepted_by=actor["username"])
    return {"case_number": case.case_number, "status": case.status}


def reply(tx, case_number, actor, reply):
    actor = load_actor(actor)
    reply = load(ReplySchema(), {"reply": reply})["reply"]
    case = _assigned_case(tx, case_number, actor)
    if (case.status == "replied" and case.replied_by == actor["username"]
            and case.reply == reply):
        return {"case_number": case.case_number, "status": case.status}
    _move(case, "reply")
    case.reply, case.replied_by = reply, actor["username"]
    case.replied_at = datetime.now(timezone.utc)
    _note(tx, case, "replied", f"{case.unit_name}已答复", at=case.replied_at)
    _emit(tx, events.CASE_REPLIED, case, replied_by=actor["username"])
    return {"case_number": case.case_number, "status": case.status}


def return_case(tx, case_number, actor, reason):
    """退回: the unit is not the one to handle it; routing picks another."""
    actor = load_actor(actor)
    reason = load(ReturnSchema(), {"reason": reason})["reason"]
    # Looked up before the scope check: a returned case has left the unit.
    case = find_case(tx, case_number, for_update=True)
    if (case.status == "returned" and case.returned_by == actor["username"]
            and case.return_reason == reason):
        return {"case_number": case.case_number, "status": case.status}
    case = _assigned_case(tx, case_number, actor)
    _move(case, "return")
    case.return_reason, case.returned_by = reason, actor["username"]
    _note(tx, case, "returned", f"{case.unit_name}退回，等待重新分派")
    _emit(tx, events.CASE_RETURNED, case, reason=reason, returned_by=actor["username"],
          routing_seq=case.routing_seq)
    # no longer assigned: out of the unit's work queue until routing re-routes
    case.unit_code = case.unit_name = None
    return {"case_number": case.case_number, "status": case.status}


def _assigned_case(tx, case_number, actor):
    case = case_in_scope(tx, case_number, actor, for_update=True)
    if case.unit_code != actor["unit_code"]:
        raise Forbidden(f"case {case_number} is not assigned to {actor['unit_code']}")
    return case
