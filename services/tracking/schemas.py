"""RPC inputs (checked, bad input becomes InvalidInput) and outputs (JSON)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from core.events import AREA_CODE, TRACKS
from core.validation import Day, Instant, VisibleStr

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
    # Bounded: an offset past any real queue (9223372036854775808) would
    # overflow the database's integer instead of answering an empty page.
    offset = fields.Int(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class ReplySchema(_Input):
    reply = VisibleStr(required=True, validate=validate.Length(min=1, max=5000))


class ReturnSchema(_Input):
    reason = VisibleStr(required=True, validate=validate.Length(min=1, max=1000))



class TimelineEntrySchema(Schema):
    at = Instant()
    kind = fields.Str()
    text = fields.Str()


class CaseSummarySchema(Schema):
    """A row of a staff work queue."""

    case_number = fields.Str()
    status = fields.Str(metadata={"enum": list(STATUSES)})
    category = fields.Str()
    area_code = fields.Str()
    title = fields.Str()
    unit_code = fields.Str(allow_none=True)
    unit_name = fields.Str(allow_none=True)
    track = fields.Str(allow_none=True, metadata={"enum": list(TRACKS)})
    due_date = Day(allow_none=True)
    overdue = fields.Bool()
    supervision_open = fields.Bool()


class PublicCaseSchema(CaseSummarySchema):
    """What anyone with the case number sees: no personal data."""

    reply = fields.Str(allow_none=True)
    rejection_reason = fields.Str(allow_none=True,
                                  metadata={"description": "why it was not accepted"})
    rejection_channel = fields.Str(allow_none=True,
                                   metadata={"description": "where to turn instead"})
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class StaffCaseSchema(PublicCaseSchema):
    """What the unit's staff see besides: who did what, and why it came to them."""

    submitted_at = Instant()
    routing_reason = fields.Str(allow_none=True)
    routing_seq = fields.Int()
    accepted_by = fields.Str(allow_none=True)
    return_reason = fields.Str(allow_none=True)
    replied_by = fields.Str(allow_none=True)
    replied_at = Instant(allow_none=True)
    concluded_at = Instant(allow_none=True)
    on_time = fields.Bool(allow_none=True)
    supervision_reason = fields.Str(allow_none=True)
