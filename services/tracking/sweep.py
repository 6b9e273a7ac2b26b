"""The periodic sweep: due-soon warnings and overdue alerts, each exactly once
per case, deadline and due date, however many replicas sweep at once.

Each alert is raised in its own transaction that first inserts its row in
``alerts`` (unique on case, clock, subject, due date, alert): of two replicas
racing for the same alert, the second insert waits for the first transaction
and then fails (PostgreSQL's unique index, SQLite's single writer), so only the
first one's effects (timeline, events, supervision) are ever committed.

Overdue, the platform acts: the unit's acceptance or conclusion, or a review's
answer, opens supervision (督办, kind overdue); a supervision order left
unanswered is escalated and counted against the unit; a co-unit's part is
recorded as late (the lead may then reply without it); the petitioner's window
for a review (复查) or re-review (复核) passing closes the matter (终结); the
date of a unit's request for material (补充材料) passing is recorded. Every alert is an event
(``case_due_soon``, ``case_overdue``) naming the responsible unit, for the
unit's and the bureau's systems and queues.
"""
import logging

from sqlalchemy import case, exists, select
from sqlalchemy.exc import IntegrityError

from core import events
from core.metrics import CASES_OVERDUE
from services.tracking.cases import current_order, note, note_of, open_order, system_step
from services.tracking.models import Alert, Case, Deadline

log = logging.getLogger(__name__)

CLOCK_NAMES = {"accept": "受理", "conclude": "办理", "part": "协办", "supervision_answer": "督办答复",
               "review_answer": "复查（复核）"}
# overdue on these, the bureau supervises the case
SUPERVISED_CLOCKS = {"accept", "conclude", "review_answer"}


def _review_window_ended(tx, case, deadline, clocks):
    """No review (or re-review) asked in time: closed for good (终结)."""
    if case.review_state in ("none", "reviewed"):
        system_step(tx, case, "finalize", {"last_day": deadline.due}, clocks)


def _material_window_ended(tx, case, deadline, clocks):
    """The unit's request for material (补充材料) was not answered by its date."""
    if case.material_state == "requested":
        system_step(tx, case, "material_lapsed", {}, clocks)


# The petitioner's windows, not a unit's clocks: no warning, no overdue
# alert against a unit; when one ends, the case moves on.
PETITIONER_WINDOWS = {"review_request": _review_window_ended, "material": _material_window_ended}


def sweep(store, clocks, replica):
    """Raise what is due; returns how many alerts this replica raised."""
    today = clocks.today()
    horizon = clocks.due_soon.due(clocks.calendar, today)
    # what each open clock would raise today, unless it already has
    expected = case((Deadline.due < today, "overdue"), else_="due_soon")
    raised_before = exists().where(
        Alert.case_number == Deadline.case_number, Alert.kind == Deadline.kind,
        Alert.subject == Deadline.subject, Alert.due == Deadline.due, Alert.alert == expected)
    with store.transaction() as tx:
        due = tx.session.scalars(select(Deadline.id).where(
            Deadline.open, Deadline.due <= horizon, ~raised_before)
            .order_by(Deadline.due, Deadline.id)).all()
    raised = 0
    for deadline_id in due:
        try:
            with store.transaction() as tx:
                raised += raise_alert(tx, deadline_id, today, clocks, replica)
        except IntegrityError:
            log.info("deadline %s: another replica raised this alert first", deadline_id)
    return raised


def raise_alert(tx, deadline_id, today, clocks, replica):
    deadline = tx.session.get(Deadline, deadline_id)
    if deadline is None or not deadline.open:
        return 0
    alert = "overdue" if deadline.due < today else "due_soon"
    if deadline.kind in PETITIONER_WINDOWS and alert == "due_soon":
        return 0  # the petitioner's window, not a unit's clock: nobody to warn
    key = dict(case_number=deadline.case_number, kind=deadline.kind, subject=deadline.subject,
               due=deadline.due, alert=alert)
    if tx.session.scalar(select(Alert.id).filter_by(**key)) is not None:
        return 0
    tx.session.add(Alert(**key, raised_at=clocks.now(), raised_by=replica))
    tx.session.flush()  # the unique key decides here, before any effect
    case = tx.session.get(Case, deadline.case_number, with_for_update=True)
    if deadline.kind in PETITIONER_WINDOWS:
        deadline.open = False
        PETITIONER_WINDOWS[deadline.kind](tx, case, deadline, clocks)
        return 1
    name = CLOCK_NAMES[deadline.kind]
    contract = events.CASE_OVERDUE if alert == "overdue" else events.CASE_DUE_SOON
    tx.emit(contract, case_number=case.case_number, area_code=case.area_code,
            unit_code=case.unit_code, deadline=deadline.kind, due_date=deadline.due,
            responsible_unit=deadline.unit_code)
    who = deadline.unit_code or "承办单位"
    if alert == "due_soon":
        note(tx, case, "due_soon", f"{name}期限将至", at=clocks.now(), public=False,
             detail=f"{who}的{name}期限为{deadline.due}")
        return 1
    CASES_OVERDUE.inc()  # (counted even if this transaction then rolls back)
    note_of(tx, case, "overdue", {"clock_name": name}, at=clocks.now(),
            public=deadline.kind in SUPERVISED_CLOCKS,
            detail=f"{who}的{name}期限{deadline.due}已过（{replica}）")
    if deadline.kind in SUPERVISED_CLOCKS:
        open_order(tx, case, "overdue", f"{name}超期（期限{deadline.due}）", clocks)
    elif deadline.kind == "supervision_answer":
        order = current_order(tx, case)
        if order is not None and str(order.id) == deadline.subject and order.status == "open":
            system_step(tx, case, "supervision_overdue", {}, clocks)
    return 1
