"""The read side: the public case view, staff work queues and supervision
queue, counts. The public sees the plain timeline; the case's staff see every
entry with its detail, the clocks, the supervision orders and co-units' parts."""
from sqlalchemy import and_, bindparam, case, func, select

from core.roles import BUREAU_ROLES, jurisdiction_prefix
from core.validation import load
from services.tracking.access import (
    case_in_scope,
    case_row,
    load_actor,
    scope_filter,
)
from services.tracking.models import Case, CoPart, Deadline, SupervisionOrder, TimelineEntry
from services.tracking.schemas import (
    DESC,
    ORDER_STATUSES,
    PUBLIC_REQUEST_ORDER,
    QUEUE_ORDERS,
    QUEUE_PAGE_MAX,
    QUEUES,
    SET_LAST,
    SUPERVISION_QUEUE_ORDER,
    UNIT_RECORD_ORDER,
    CaseloadSchema,
    CaseSummarySchema,
    OrderFilterSchema,
    OrderSchema,
    PublicCaseSchema,
    PublicRequestQuerySchema,
    PublicRequestSchema,
    QueueFilterSchema,
    QueueTotalsSchema,
    StaffCaseSchema,
)

# past these the unit's clock has stopped
_CLOCK_STOPPED = {"replied", "concluded", "rejected", "declined"}


def get_case(tx, case_number, today):
    case = case_row(tx, case_number)
    return _PUBLIC_CASE.dump({**_fields(case, today), "final": case.review_state == "final",
                              "timeline": _timeline(tx, case.case_number, public_only=True)})


# Built once: the public view is asked on every look-up by query code.
_PUBLIC_CASE = PublicCaseSchema()


def case_scope(tx, case_number, actor):
    case = case_in_scope(tx, case_number, load_actor(actor))
    return {"case_number": case.case_number, "unit_code": case.unit_code}


def public_requests(tx, query):
    """Cases for the public lists (Open311), newest first, with their public
    timelines; ``query`` as PublicRequestQuerySchema. Not those whose
    petitioner chose not to be listed (``publish``), nor any before its
    submission is known."""
    query = load(PublicRequestQuerySchema(), query)
    select_cases = select(Case).where(Case.submitted_at.is_not(None), Case.publish.is_(True))
    for value, condition in (
            (query["case_numbers"], lambda v: Case.case_number.in_(v)),
            (query["category"], lambda v: Case.category == v),
            (query["area_code"], lambda v: Case.area_code.startswith(jurisdiction_prefix(v))),
            (query["start"], lambda v: Case.submitted_at >= v),
            (query["end"], lambda v: Case.submitted_at <= v),
            (query["statuses"], lambda v: Case.status.in_(v))):
        if value is not None:
            select_cases = select_cases.where(condition(value))
    cases = tx.session.scalars(select_cases.order_by(*_sql_order(Case, PUBLIC_REQUEST_ORDER))
                               .limit(query["limit"]).offset(query["offset"])).all()
    rows = []
    for row in cases:
        timeline = _timeline(tx, row.case_number, public_only=True)
        rows.append({**{c.key: getattr(row, c.key) for c in Case.__table__.columns},
                     "timeline": timeline,
                     "updated_at": timeline[-1]["at"] if timeline else row.submitted_at})
    return PublicRequestSchema(many=True).dump(rows)


def staff_case(tx, case_number, actor, today):
    actor = load_actor(actor)
    case = case_in_scope(tx, case_number, actor)
    def of_case(model):
        return (tx.session.scalars(select(model).where(
            model.case_number == case.case_number).order_by(model.id)).all())
    return StaffCaseSchema().dump({
        **_fields(case, today), "final": case.review_state == "final",
        "timeline": _timeline(tx, case.case_number, public_only=False),
        "deadlines": of_case(Deadline), "orders": of_case(SupervisionOrder),
        "parts": of_case(CoPart)})


def list_cases(tx, actor, today, due_soon_until=None, filters=None):
    """The actor's work queue, a page at a time: by default the cases under
    supervision first, then the most urgent. ``filters`` (QueueFilterSchema):
    a status, a queue view (QUEUES), a case number's beginning, a unit of the
    bureau's, the order and the page. ``due_soon_until``: the last day that
    counts as due soon (the profile's warning)."""
    page = load(QueueFilterSchema(), filters or {})
    query = (select(Case).where(*_queue_filter(load_actor(actor), page, today, due_soon_until))
             .order_by(*_sql_order(Case, QUEUE_ORDERS[page["sort"] or "urgent"]))
             .limit(page["limit"]).offset(page["offset"]))
    return [CaseSummarySchema().dump(_fields(case, today))
            for case in tx.session.scalars(query)]


def queue_totals(tx, actor, today, due_soon_until=None, filters=None):
    """The work queue's totals: how many cases ``filters`` (as list_cases)
    match, and, over the same unit and search but any status and view, how
    many are in each status and in each view (QUEUES)."""
    actor = load_actor(actor)
    page = load(QueueFilterSchema(), filters or {})
    matching = tx.session.scalar(select(func.count()).select_from(Case).where(
        *_queue_filter(actor, page, today, due_soon_until)))
    around = _queue_filter(actor, {**page, "status": None, "queue": None}, today, due_soon_until)
    by_status = dict(tx.session.execute(
        select(Case.status, func.count()).where(*around).group_by(Case.status)).all())
    views = [func.coalesce(func.sum(case((and_(*_queue_conditions(queue, today,
                                                                   due_soon_until or today)), 1),
                                         else_=0)), 0) for queue in QUEUES]
    by_queue = dict(zip(QUEUES, tx.session.execute(select(*views).where(*around)).one()))
    return QueueTotalsSchema().dump({"matching": matching, "by_status": by_status,
                                     "by_queue": by_queue})


def _queue_filter(actor, page, today, due_soon_until):
    """The conditions of a page of the queue (QueueFilterSchema): the actor's
    scope, a status, a view, a case number's beginning, a unit."""
    conditions = [scope_filter(actor)]
    if page["status"] is not None:
        conditions.append(Case.status == page["status"])
    if page["queue"] is not None:
        conditions.extend(_queue_conditions(page["queue"], today, due_soon_until or today))
    if page["search"]:
        conditions.append(Case.case_number.startswith(page["search"].upper(), autoescape=True))
    if page["unit_code"]:
        conditions.append(Case.unit_code == page["unit_code"])
    return conditions


_CLOCK_RUNNING = Case.status.not_in(_CLOCK_STOPPED)


def _sql_order(model, order):
    """An order of schemas.py (QUEUE_ORDERS', SUPERVISION_QUEUE_ORDER) as SQL
    on ``model``'s table; NULLS LAST where the column may be null."""
    for name, how in order:
        column = model.__table__.c[name]
        if how == SET_LAST:
            yield column.is_not(None)
            continue
        term = column.desc() if how == DESC else column.asc()
        yield term.nulls_last() if column.nullable else term


def _queue_conditions(queue, today, due_soon_until):
    return {
        "new": (Case.status == "routed",),
        "due_soon": (_CLOCK_RUNNING, Case.due_date >= today, Case.due_date <= due_soon_until),
        "overdue": (_CLOCK_RUNNING, Case.due_date < today),
        "supervised": (Case.supervision_open,),
    }[queue]


def list_orders(tx, actor, status=None, limit=QUEUE_PAGE_MAX, offset=0):
    """A page of the bureau's supervision queue (a unit sees its own orders):
    the unanswered, the earliest answer due first (schemas.SUPERVISION_QUEUE_ORDER)."""
    actor = load_actor(actor)
    page = load(OrderFilterSchema(), {"status": status, "limit": limit, "offset": offset})
    query = select(SupervisionOrder).where(_orders_in_scope(actor))
    if page["status"] is not None:
        query = query.where(SupervisionOrder.status == page["status"])
    query = query.order_by(*_sql_order(SupervisionOrder, SUPERVISION_QUEUE_ORDER)) \
        .limit(page["limit"]).offset(page["offset"])
    return OrderSchema(many=True).dump(tx.session.scalars(query))


def supervision_record(tx, actor):
    """Per unit, its supervision orders by status and how many were counted
    against it (left unanswered past their deadline): a bureau's own
    jurisdiction, a unit its own row."""
    actor = load_actor(actor)
    counted = func.sum(case((SupervisionOrder.counted_against_unit, 1), else_=0))
    query = select(SupervisionOrder.unit_code, SupervisionOrder.status, func.count(), counted) \
        .where(_orders_in_scope(actor)).group_by(SupervisionOrder.unit_code, SupervisionOrder.status)
    record = {}
    for unit_code, status, n, against in tx.session.execute(query):
        row = record.setdefault(unit_code, {"unit_code": unit_code, **dict.fromkeys(
            ORDER_STATUSES, 0), "counted_against_unit": 0})
        row[status] = n
        row["counted_against_unit"] += int(against or 0)
    return sorted(record.values(), key=UNIT_RECORD_ORDER)


def _orders_in_scope(actor):
    if actor["role"] in BUREAU_ROLES:
        return SupervisionOrder.area_code.startswith(jurisdiction_prefix(actor["area_code"]))
    return SupervisionOrder.unit_code == actor["unit_code"]


def caseload(tx, actor):
    """The cases the actor may see, counted by status and by track."""
    actor = load_actor(actor)
    counts = {}
    for column in (Case.status, Case.track):
        rows = tx.session.execute(select(column, func.count()).where(scope_filter(actor))
                                  .group_by(column).order_by(column))
        counts[f"by_{column.key}"] = {key or "none": n for key, n in rows}
    return CaseloadSchema().dump(counts)


def status_counts(tx):
    rows = tx.session.execute(select(Case.status, func.count()).group_by(Case.status))
    return {status: count for status, count in rows}


def _timeline(tx, case_number, public_only):
    """The case's timeline (``public_only``: the entries the public sees, and
    only what the public view shows of them), oldest first, as mappings."""
    return [entry._mapping for entry in tx.session.execute(
        _PUBLIC_TIMELINE if public_only else _TIMELINE, {"number": case_number})]


# Core statements built once (the public one is asked on every look-up by
# query code): plain rows, no ORM objects for a read that changes nothing.
_ENTRIES = TimelineEntry.__table__
_TIMELINE = (select(_ENTRIES.c.at, _ENTRIES.c.kind, _ENTRIES.c.text, _ENTRIES.c.detail,
                    _ENTRIES.c.actor, _ENTRIES.c.public)
             .where(_ENTRIES.c.case_number == bindparam("number"))
             .order_by(_ENTRIES.c.at, _ENTRIES.c.id))
_PUBLIC_TIMELINE = (select(_ENTRIES.c.at, _ENTRIES.c.kind, _ENTRIES.c.text)
                    .where(_ENTRIES.c.case_number == bindparam("number"), _ENTRIES.c.public)
                    .order_by(_ENTRIES.c.at, _ENTRIES.c.id))


def _fields(case, today):
    """The case's columns, and whether it is overdue today."""
    overdue = (case.due_date is not None and case.due_date < today
               and case.status not in _CLOCK_STOPPED)
    return {**{c.key: getattr(case, c.key) for c in Case.__table__.columns}, "overdue": overdue}

