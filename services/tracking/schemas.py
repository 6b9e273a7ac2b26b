"""RPC inputs (checked, bad input becomes InvalidInput) and outputs (JSON)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from core.events import AREA_CODE

# Every status a case can have; the main path first, in order (see cases.py).
STATUSES = ("submitted", "routed", "accepted", "replied", "concluded", "rejected", "returned")


class _Input(Schema):
    class Meta:
        unknown = EXCLUDE


class ActorSchema(_Input):
    username = fields.Str(required=True, validate=validate.Length(min=1))
    unit_code = fields.Str(required=True, validate=validate.Length(min=1))
    unit_name = fields.Str(load_default=None)
    role = fields.Str(required=True, validate=validate.OneOf(("handler", "bureau")))
    area_code = fields.Str(required=True, validate=validate.Regexp(AREA_CODE))


class QueueFilterSchema(_Input):
    """A page of the work queue: a bureau's can hold a city's cases."""

    status = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(STATUSES))
    limit = fields.Int(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0))


class ReplySchema(_Input):
    reply = fields.Str(required=True, validate=validate.Length(min=1, max=5000))


class ReturnSchema(_Input):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=1000))



class TimelineEntrySchema(Schema):
    at = fields.DateTime()
    kind = fields.Str()
    text = fields.Str()


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


class PublicCaseSchema(CaseSummarySchema):
    """What anyone with the case number sees: no personal data."""

    reply = fields.Str()
    rejection_reason = fields.Str()
    rejection_channel = fields.Str()
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class StaffCaseSchema(PublicCaseSchema):
    submitted_at = fields.DateTime()
    routing_reason = fields.Str()
    routing_seq = fields.Int()
    accepted_by = fields.Str()
    return_reason = fields.Str()
    replied_by = fields.Str()
    replied_at = fields.DateTime()
    concluded_at = fields.DateTime()
    on_time = fields.Bool()
    supervision_reason = fields.Str()
