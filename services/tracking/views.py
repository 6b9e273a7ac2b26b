"""The read side: the public case view, staff work queues, counts."""
from datetime import datetime

from sqlalchemy import func, select

from core.config import LOCAL_TIME
from core.validation import load
from services.tracking.access import case_in_scope, find_case, load_actor, scope_filter
from services.tracking.models import Case, TimelineEntry
from services.tracking.schemas import (
    CaseSummarySchema,
    PublicCaseSchema,
    QueueFilterSchema,
    StaffCaseSchema,
)

# past these the unit's clock has stopped
_CLOCK_STOPPED = {"replied", "concluded", "rejected"}


def get_case(tx, case_number):
    return PublicCaseSchema().dump(_with_timeline(tx, find_case(tx, case_number)))


def staff_case(tx, case_number, actor):
    actor = load_actor(actor)
    return StaffCaseSchema().dump(_with_timeline(tx, case_in_scope(tx, case_number, actor)))


def list_cases(tx, actor, status=None, limit=100, offset=0):
    """The actor's work queue, the most urgent first, a page at a time."""
    actor = load_actor(actor)
    page = load(QueueFilterSchema(), {"status": status, "limit": limit, "offset": offset})
    query = select(Case).where(scope_filter(actor))
    if page["status"] is not None:
        query = query.where(Case.status == page["status"])
    query = (query.order_by(Case.due_date.asc().nulls_last(), Case.case_number)
             .limit(page["limit"]).offset(page["offset"]))
    today = _today()
    return [CaseSummarySchema().dump(_fields(case, today))
            for case in tx.session.scalars(query)]


def status_counts(tx):
    rows = tx.session.execute(select(Case.status, func.count()).group_by(Case.status))
    return {status: count for status, count in rows}


def _with_timeline(tx, case):
    entries = tx.session.scalars(select(TimelineEntry)
                                 .where(TimelineEntry.case_number == case.case_number)
                                 .order_by(TimelineEntry.at, TimelineEntry.id))
    return {**_fields(case, _today()), "timeline": list(entries)}


def _fields(case, today):
    """The case's columns, and whether it is overdue today."""
    overdue = (case.due_date is not None and case.due_date < today
               and case.status not in _CLOCK_STOPPED)
    return {**{c.key: getattr(case, c.key) for c in Case.__table__.columns}, "overdue": overdue}


def _today():
    return datetime.now(LOCAL_TIME).date()
