"""RPC inputs (checked, bad input becomes InvalidInput) and outputs (JSON).

Every moment in an output is in China's time with its offset (+08:00), as
intake's ``submitted_at`` is: the one rule for the platform's outputs."""
from datetime import datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from marshmallow.utils import get_value

from core.events import AREA_CODE, TRACKS
from core.roles import STAFF_ROLES
from core.validation import Day, Instant, VisibleStr
from services.tracking.workflows import (
    EXTENSION,
    MATERIAL,
    REVIEW,
    STATUSES,
    SUPERVISION,
    english,
)

_UNIT_CODE = validate.Length(min=1, max=50)


class _Input(Schema):
    class Meta:
        unknown = EXCLUDE


def _text(max_length, **kwargs):
    # Visible text: a reply of spaces and zero-width characters is empty.
    return VisibleStr(required=True, validate=validate.Length(min=1, max=max_length), **kwargs)


class ActorSchema(_Input):
    username = fields.Str(required=True, validate=validate.Length(min=1))
    unit_code = fields.Str(required=True, validate=validate.Length(min=1))
    unit_name = fields.Str(load_default=None)
    role = fields.Str(required=True, validate=validate.OneOf(sorted(STAFF_ROLES)))
    area_code = fields.Str(required=True, validate=validate.Regexp(AREA_CODE))


# The work queue's views (the console's tabs): new = awaiting acceptance,
# due_soon = the clock runs out within the profile's warning, overdue = past
# it with the clock still running, supervised = a supervision order is open.
QUEUES = ("new", "due_soon", "overdue", "supervised")
# The orders of the rows tracking lists, each declared once as (field, how)
# terms: views.py orders the query by them (SQL), sort_rows the rows as dumped
# (the gateway's merge of the deployments' pages). A term is ASC or DESC by
# the field's value, a missing value last either way (NULLS LAST); or
# SET_LAST: by whether the field is set, the rows without it first.
ASC, DESC, SET_LAST = "asc", "desc", "set last"
# The work queue's orders (CaseSummarySchema's fields): urgency first
# (supervision, then due date), or by when the petition came in, newest or
# oldest first.
QUEUE_ORDERS = {
    # supervision open first, then the due date, then the number
    "urgent": (("supervision_open", DESC), ("due_date", ASC), ("case_number", ASC)),
    # submitted latest first, then the number, highest first
    "newest": (("submitted_at", DESC), ("case_number", DESC)),
    # submitted earliest first, then the number
    "oldest": (("submitted_at", ASC), ("case_number", ASC)),
}
# The supervision queue's order (OrderSchema's fields): the unanswered first,
# the earliest answer due first, then the order's number. Each deployment
# numbers its own orders, so two may share one: the case number (never in two
# deployments) decides between them.
SUPERVISION_QUEUE_ORDER = (("closed_at", SET_LAST), ("answer_due", ASC), ("id", ASC),
                           ("case_number", ASC))
# The public list's order (Open311; PublicRequestSchema's fields): the newest
# submission first, then the case number.
PUBLIC_REQUEST_ORDER = (("submitted_at", DESC), ("case_number", ASC))
QUEUE_SORTS = tuple(QUEUE_ORDERS)
# The most rows one page of the queue may ask for.
QUEUE_PAGE_MAX = 500
_PAGE_LIMIT = validate.Range(min=1, max=QUEUE_PAGE_MAX)
# Bounded: an offset past any real queue (9223372036854775808) would
# overflow the database's integer instead of answering an empty page.
_PAGE_OFFSET = validate.Range(min=0, max=10_000_000)
# The most rows one page of the public list (Open311) may ask for.
PUBLIC_PAGE_MAX = 200
# A supervision order's states (SUPERVISION's, but "none": a case's, not an order's).
ORDER_STATUSES = tuple(s for s in SUPERVISION.states if s != "none")


class QueueFilterSchema(_Input):
    """A page of the work queue: a bureau's can hold a city's cases."""

    status = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    queue = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(QUEUES))
    sort = fields.Str(load_default="urgent", allow_none=True, validate=validate.OneOf(QUEUE_SORTS))
    # a case number or its beginning (JN20261125-0001...)
    search = fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[A-Za-z0-9-]{1,20}$", error="应为案件编号或其开头"))
    unit_code = fields.Str(load_default=None, allow_none=True, validate=_UNIT_CODE)
    limit = fields.Int(load_default=100, validate=_PAGE_LIMIT)
    offset = fields.Int(load_default=0, validate=_PAGE_OFFSET)


class OrderFilterSchema(_Input):
    """A page of the supervision queue. Without a limit, the most a page may
    hold (what the queue answered before it had pages)."""

    status = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(
        ORDER_STATUSES, error=f"应为以下之一：{', '.join(ORDER_STATUSES)}"))
    limit = fields.Int(load_default=QUEUE_PAGE_MAX, validate=_PAGE_LIMIT)
    offset = fields.Int(load_default=0, validate=_PAGE_OFFSET)


class PublicRequestQuerySchema(_Input):
    """The public list of requests (Open311 GET requests): by case numbers,
    category, area (rolled up), submission time and status, a page at a time."""

    case_numbers = fields.List(fields.Str(validate=validate.Length(max=20)), load_default=None,
                               allow_none=True, validate=validate.Length(max=100))
    category = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=50))
    area_code = fields.Str(load_default=None, allow_none=True,
                           validate=validate.Regexp(AREA_CODE))
    start = fields.AwareDateTime(load_default=None, allow_none=True)
    end = fields.AwareDateTime(load_default=None, allow_none=True)
    statuses = fields.List(fields.Str(validate=validate.OneOf(STATUSES)), load_default=None,
                           allow_none=True)
    limit = fields.Int(load_default=50, validate=validate.Range(min=1, max=PUBLIC_PAGE_MAX))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0, max=1_000_000))


# --- the inputs of the workflow steps (workflows.py names them) ---------------

class ReplySchema(_Input):
    reply = _text(5000)


class ReasonSchema(_Input):
    reason = _text(1000)


class NoteSchema(_Input):
    note = _text(1000)


class TransferSchema(_Input):
    unit_code = fields.Str(required=True, validate=_UNIT_CODE,
                           metadata={"description": "the unit the case goes to"})
    note = _text(1000)


class AssignSchema(_Input):
    instructions = _text(2000)


class CoUnitSchema(_Input):
    unit_code = fields.Str(required=True, validate=_UNIT_CODE)
    due_date = fields.Date(required=True, metadata={"description": "the co-unit's own deadline"})


class CoHandleSchema(_Input):
    co_units = fields.List(fields.Nested(CoUnitSchema), required=True,
                           validate=validate.Length(min=1, max=10))


class PlanSchema(_Input):
    plan = _text(5000)
    coordinating_units = fields.List(fields.Str(validate=_UNIT_CODE), load_default=list,
                                     validate=validate.Length(max=20))
    due_date = fields.Date(required=True)


class ReportSchema(_Input):
    report = _text(5000)


class ExtensionRequestSchema(_Input):
    until = fields.Date(required=True, metadata={"description": "the new due date asked for"})
    reason = _text(1000)


class MaterialRequestSchema(_Input):
    """What the petitioner is asked to add, and by when: a date, or a number of
    working days from today (one of the two)."""

    what = _text(1000, metadata={"description": "the material needed, told to the petitioner"})
    due_date = fields.Date(load_default=None, metadata={"description": "the last day"})
    working_days = fields.Int(load_default=None, validate=validate.Range(min=1, max=60),
                              metadata={"description": "or: this many working days from today"})

    @validates_schema
    def _one_deadline(self, data, **kwargs):
        if (data["due_date"] is None) == (data["working_days"] is None):
            raise ValidationError("给出补充期限：日期（due_date）或工作日数（working_days），二者选一",
                                  "due_date")


class PartSchema(_Input):
    content = _text(5000)


class SuperviseSchema(_Input):
    kind = fields.Str(required=True, validate=validate.OneOf(("work", "special")),
                      metadata={"description": "work: 工作督办, special: 专项督办"})
    instructions = _text(2000)
    answer_due = fields.Date(required=True)


class AnswerSchema(_Input):
    answer = _text(5000)


class ReturnVisitSchema(_Input):
    reached = fields.Bool(required=True)
    view = fields.Str(load_default="", validate=validate.Length(max=2000))
    satisfied = fields.Bool(required=True)


class CheckSchema(_Input):
    kind = fields.Str(required=True, validate=validate.OneOf(("spot", "unannounced")),
                      metadata={"description": "spot: 抽查, unannounced: 暗访"})
    finding = _text(5000)
    spot_check_id = fields.Int(load_default=None, allow_none=True)


class OpinionSchema(_Input):
    opinion = _text(5000)


class SpotCheckDrawSchema(_Input):
    unit_code = fields.Str(required=True, validate=_UNIT_CODE)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    size = fields.Int(required=True, validate=validate.Range(min=1, max=100))
    seed = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=0),
                      metadata={"description": "omit for a fresh random seed (recorded)"})



class TimelineEntrySchema(Schema):
    at = Instant()
    kind = fields.Str(metadata={"description": "the workflow step (GET /workflows) or event"})
    text = fields.Str(metadata={"description": "what happened, in Chinese, as it was written"})
    # by the kind, from the workflow tables (workflows.english): an entry
    # dumped from the store or dumped again from another service's answer
    text_en = fields.Function(lambda entry: english(get_value(entry, "kind")), metadata={
        "type": "string", "nullable": True,
        "description": "what happened, in English, by the kind (no names or dates: those are in text)"})


class StaffTimelineEntrySchema(TimelineEntrySchema):
    detail = fields.Str(allow_none=True)
    actor = fields.Str(allow_none=True)
    public = fields.Bool(metadata={"description": "whether the public timeline shows it"})


class DeadlineViewSchema(Schema):
    """One clock of the case (clocks.py)."""

    kind = fields.Str(metadata={"enum": ["accept", "conclude", "part", "supervision_answer",
                                         "review_answer", "review_request"]})
    subject = fields.Str(metadata={"description": "the co-unit or the order the clock is for"})
    unit_code = fields.Str(allow_none=True)
    due = Day()
    open = fields.Bool()


class OrderSchema(Schema):
    """A supervision order (督办单)."""

    id = fields.Int()
    case_number = fields.Str()
    unit_code = fields.Str(allow_none=True)
    kind = fields.Str(metadata={"enum": ["rating", "overdue", "return_visit", "work", "special"]})
    status = fields.Str(metadata={"enum": list(SUPERVISION.states)})
    reason = fields.Str()
    instructions = fields.Str(allow_none=True)
    answer = fields.Str(allow_none=True)
    answer_due = Day()
    counted_against_unit = fields.Bool()
    opened_at = Instant()
    closed_at = Instant(allow_none=True)


class UnitSupervisionSchema(Schema):
    """A unit's supervision orders by status, and how many were counted against it."""

    unit_code = fields.Str(allow_none=True)
    open = fields.Int()
    answered = fields.Int()
    escalated = fields.Int()
    closed = fields.Int()
    counted_against_unit = fields.Int(metadata={"description": "left unanswered past the deadline"})


class PartViewSchema(Schema):
    """A co-unit's part (协办)."""

    unit_code = fields.Str()
    unit_name = fields.Str()
    due = Day()
    status = fields.Str()
    content = fields.Str(allow_none=True)
    late = fields.Bool()
    submitted_at = Instant(allow_none=True)


class SpotCheckSchema(Schema):
    """A random spot check (抽查) and its draw made again."""

    id = fields.Int()
    unit_code = fields.Str()
    period_start = Day()
    period_end = Day()
    size = fields.Int()
    seed = fields.Int(metadata={"description": "with the population, enough to draw again"})
    population = fields.List(fields.Str())
    drawn = fields.List(fields.Str())
    redrawn = fields.List(fields.Str(), metadata={"description": "drawn again from seed and population"})
    reproduced = fields.Bool()
    drawn_by = fields.Str()
    drawn_at = Instant()


class StepResultSchema(Schema):
    """Where a step left the case, and the state of its workflow."""

    case_number = fields.Str()
    status = fields.Str(metadata={"enum": list(STATUSES)})
    extension = fields.Str()
    co_handling = fields.Str()
    supervision = fields.Str()
    review = fields.Str()
    material = fields.Str()


class CaseSummarySchema(Schema):
    """A row of a staff work queue."""

    case_number = fields.Str()
    status = fields.Str(metadata={"enum": list(STATUSES)})
    category = fields.Str()
    area_code = fields.Str()
    title = fields.Str()
    submitted_at = Instant(allow_none=True)
    unit_code = fields.Str(allow_none=True)
    unit_name = fields.Str(allow_none=True)
    track = fields.Str(allow_none=True, metadata={"enum": list(TRACKS)})
    due_date = Day(allow_none=True)
    overdue = fields.Bool()
    supervision_open = fields.Bool()
    extension_state = fields.Str(metadata={"enum": list(EXTENSION.states)})
    review_state = fields.Str(metadata={"enum": list(REVIEW.states)})


def sort_rows(rows, order, schema):
    """``rows`` as ``schema`` dumps them in ``order`` (QUEUE_ORDERS',
    SUPERVISION_QUEUE_ORDER or PUBLIC_REQUEST_ORDER), as tracking's query orders them: how the
    gateway merges the pages of the city's and the counties' trackings into
    one. One stable sort per term, the last term first."""
    instants = {name for name, field in schema._declared_fields.items()
                if isinstance(field, Instant)}
    for name, how in reversed(order):
        if how == SET_LAST:
            rows = sorted(rows, key=lambda row: row[name] is not None)
            continue
        descending = how == DESC
        rows = sorted(rows, reverse=descending, key=lambda row: _term(
            datetime.fromisoformat(row[name]) if name in instants and row[name] else row[name],
            descending))
    return rows


def _term(value, descending):
    # A missing value sorts last in either direction (SQL: NULLS LAST).
    return (value is None) != descending, value if value is not None else 0


# The per-unit supervision record's order (views.supervision_record): the most
# orders counted against the unit first, then the unit's code.
UNIT_RECORD_ORDER = lambda r: (-r["counted_against_unit"], r["unit_code"] or "")  # noqa: E731


class PublicCaseSchema(CaseSummarySchema):
    """What anyone with the case number sees: no personal data."""

    reply = fields.Str(allow_none=True)
    rejection_reason = fields.Str(allow_none=True,
                                  metadata={"description": "why it was not accepted"})
    rejection_channel = fields.Str(allow_none=True,
                                   metadata={"description": "where to turn instead"})
    decline_reason = fields.Str(allow_none=True,
                                metadata={"description": "why the unit declined (不予受理)"})
    extended_until = Day(allow_none=True)
    extension_reason = fields.Str(allow_none=True)
    review_answer = fields.Str(allow_none=True)
    material_state = fields.Str(metadata={"enum": list(MATERIAL.states),
                                          "description": "the unit's request for material (补充材料)"})
    material_request = fields.Str(allow_none=True, metadata={"description": "what is asked for"})
    material_due = Day(allow_none=True, metadata={"description": "the last day to add it"})
    final = fields.Bool(metadata={"description": "the matter is closed for good (终结)"})
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class StaffCaseSchema(PublicCaseSchema):
    """What the unit's staff see besides: who did what, and why it came to them;
    the clocks, supervision orders and co-units' parts."""

    assigned_at = Instant(allow_none=True)
    accept_due = Day(allow_none=True)
    routing_reason = fields.Str(allow_none=True)
    routing_seq = fields.Int()
    accepted_by = fields.Str(allow_none=True)
    return_reason = fields.Str(allow_none=True)
    replied_by = fields.Str(allow_none=True)
    replied_at = Instant(allow_none=True)
    concluded_at = Instant(allow_none=True)
    on_time = fields.Bool(allow_none=True)
    supervision_reason = fields.Str(allow_none=True)
    instructions = fields.Str(allow_none=True)
    report_back_required = fields.Bool()
    report_back = fields.Str(allow_none=True)
    plan = fields.Str(allow_none=True)
    coordinating_units = fields.List(fields.Str(), allow_none=True)
    extension_requested_until = Day(allow_none=True)
    reviewing_unit_code = fields.Str(allow_none=True)
    reviewing_unit_name = fields.Str(allow_none=True)
    timeline = fields.List(fields.Nested(StaffTimelineEntrySchema))
    deadlines = fields.List(fields.Nested(DeadlineViewSchema))
    orders = fields.List(fields.Nested(OrderSchema))
    parts = fields.List(fields.Nested(PartViewSchema))


class QueueTotalsSchema(Schema):
    """The work queue's totals (the console's tabs and pager)."""

    matching = fields.Int(metadata={"description": "cases the filters match (all pages)"})
    by_status = fields.Dict(keys=fields.Str(), values=fields.Int(),
                            metadata={"description": "same unit and search, any status or view"})
    by_queue = fields.Dict(keys=fields.Str(), values=fields.Int(),
                           metadata={"description": "new, due_soon, overdue, supervised"})


class CaseloadSchema(Schema):
    """The caseload in the actor's scope: cases by status and by track."""

    by_status = fields.Dict(keys=fields.Str(), values=fields.Int())
    by_track = fields.Dict(keys=fields.Str(), values=fields.Int(),
                           metadata={"description": "none: not routed yet"})


class PublicRequestSchema(Schema):
    """A case as the public lists show it (Open311): no title, text or reply,
    no personal data; the public timeline's steps and times."""

    case_number = fields.Str()
    status = fields.Str()
    category = fields.Str(allow_none=True)
    area_code = fields.Str()
    unit_code = fields.Str(allow_none=True)
    unit_name = fields.Str(allow_none=True)
    track = fields.Str(allow_none=True)
    submitted_at = Instant(allow_none=True)
    updated_at = Instant(allow_none=True)
    due_date = Day(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
