"""RPC inputs (checked, bad input becomes InvalidInput) and outputs (JSON).

Every moment in an output is in China's time with its offset (+08:00), as
intake's ``submitted_at`` is: the one rule for the platform's outputs."""
from marshmallow import EXCLUDE, Schema, fields, validate

from core.calendar import LOCAL_TIME
from core.roles import ROLES

_UNIT_CODE = validate.Length(min=1, max=50)


class _Input(Schema):
    class Meta:
        unknown = EXCLUDE


def _text(max_length, **kwargs):
    return fields.Str(required=True, validate=validate.Length(min=1, max=max_length), **kwargs)


class LocalDateTime(fields.DateTime):
    """A moment as China's local time with its offset, e.g. 2026-02-13T09:30:00+08:00."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.astimezone(LOCAL_TIME).isoformat()


class ActorSchema(_Input):
    username = fields.Str(required=True, validate=validate.Length(min=1))
    unit_code = fields.Str(required=True, validate=validate.Length(min=1))
    unit_name = fields.Str(load_default=None)
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    area_code = fields.Str(required=True, validate=validate.Regexp(r"^\d{6}(\d{3})?$"))


class QueueFilterSchema(_Input):
    """A page of the work queue: a bureau's can hold a city's cases. The status
    is checked against the handling workflow's states (views.py)."""

    status = fields.Str(load_default=None, allow_none=True)
    limit = fields.Int(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0))


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
    at = LocalDateTime()
    kind = fields.Str()
    text = fields.Str()


class StaffTimelineEntrySchema(TimelineEntrySchema):
    detail = fields.Str()
    actor = fields.Str()
    public = fields.Bool()


class DeadlineViewSchema(Schema):
    kind = fields.Str()
    subject = fields.Str()
    unit_code = fields.Str()
    due = fields.Date()
    open = fields.Bool()


class OrderSchema(Schema):
    id = fields.Int()
    case_number = fields.Str()
    unit_code = fields.Str()
    kind = fields.Str()
    status = fields.Str()
    reason = fields.Str()
    instructions = fields.Str()
    answer = fields.Str()
    answer_due = fields.Date()
    counted_against_unit = fields.Bool()
    opened_at = LocalDateTime()
    closed_at = LocalDateTime()


class PartViewSchema(Schema):
    unit_code = fields.Str()
    unit_name = fields.Str()
    due = fields.Date()
    status = fields.Str()
    content = fields.Str()
    late = fields.Bool()
    submitted_at = LocalDateTime()


class SpotCheckSchema(Schema):
    id = fields.Int()
    unit_code = fields.Str()
    period_start = fields.Date()
    period_end = fields.Date()
    size = fields.Int()
    seed = fields.Int()
    population = fields.List(fields.Str())
    drawn = fields.List(fields.Str())
    drawn_by = fields.Str()
    drawn_at = LocalDateTime()


class CaseSummarySchema(Schema):
    """A row of a staff work queue."""

    case_number = fields.Str()
    status = fields.Str()
    category = fields.Str()
    area_code = fields.Str()
    title = fields.Str()
    unit_code = fields.Str()
    unit_name = fields.Str()
    track = fields.Str()
    due_date = fields.Date()
    overdue = fields.Bool()
    supervision_open = fields.Bool()
    extension_state = fields.Str()
    review_state = fields.Str()


class PublicCaseSchema(CaseSummarySchema):
    """What anyone with the case number sees: no personal data."""

    reply = fields.Str()
    rejection_reason = fields.Str()
    rejection_channel = fields.Str()
    decline_reason = fields.Str()
    extended_until = fields.Date()
    extension_reason = fields.Str()
    review_answer = fields.Str()
    final = fields.Bool()
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class StaffCaseSchema(PublicCaseSchema):
    submitted_at = LocalDateTime()
    assigned_at = LocalDateTime()
    accept_due = fields.Date()
    routing_reason = fields.Str()
    routing_seq = fields.Int()
    accepted_by = fields.Str()
    return_reason = fields.Str()
    replied_by = fields.Str()
    replied_at = LocalDateTime()
    concluded_at = LocalDateTime()
    on_time = fields.Bool()
    supervision_reason = fields.Str()
    instructions = fields.Str()
    report_back_required = fields.Bool()
    report_back = fields.Str()
    plan = fields.Str()
    coordinating_units = fields.List(fields.Str())
    extension_requested_until = fields.Date()
    reviewing_unit_code = fields.Str()
    reviewing_unit_name = fields.Str()
    timeline = fields.List(fields.Nested(StaffTimelineEntrySchema))
    deadlines = fields.List(fields.Nested(DeadlineViewSchema))
    orders = fields.List(fields.Nested(OrderSchema))
    parts = fields.List(fields.Nested(PartViewSchema))
