"""What the API returns, field by field. Every response is dumped through its
schema: a field no schema names (say, an unmasked number some service added)
never leaves the gateway. The request bodies are the owning services' own
schemas (see openapi.py), so the rules live in one place."""
from marshmallow import Schema, fields

from core.events import RATING_LEVELS, TRACKS
from core.roles import ROLES
from services.tracking.views import ORDER_STATUSES
from services.tracking.workflows import EXTENSION, REVIEW, STATUSES, WHO

Str = fields.Str


class Error(Schema):
    error = Str(metadata={"description": "machine-readable code, e.g. invalid_input"})
    message = Str()
    details = fields.Dict(keys=Str(), values=fields.List(Str()),
                          metadata={"description": "each bad field and why"})


class Receipt(Schema):
    case_number = Str(metadata={"example": "JN20261125-000123"})
    query_code = Str(metadata={"description": "shown once; keep it private",
                               "example": "K7M2-9QXD-4HTR-8WPA"})
    status = Str()
    submitted_at = Str()


class Petitioner(Schema):
    name = Str(metadata={"example": "张**"})
    id_number = Str(metadata={"example": "3701**********123X"})
    phone = Str(metadata={"example": "138****5678"})


class TimelineEntry(Schema):
    at = Str(metadata={"description": "China's time with its offset (+08:00), as every moment here"})
    kind = Str(metadata={"description": "the workflow step (see GET /workflows) or event"})
    text = Str()


class StaffTimelineEntry(TimelineEntry):
    detail = Str(allow_none=True)
    actor = Str(allow_none=True)
    public = fields.Bool(metadata={"description": "whether the public timeline shows it"})


class Rating(Schema):
    service_attitude = Str(metadata={"enum": list(RATING_LEVELS)})
    work_efficiency = Str(metadata={"enum": list(RATING_LEVELS)})
    handling_quality = Str(metadata={"enum": list(RATING_LEVELS)})
    comment = Str(allow_none=True)
    submitted_at = Str(metadata={"description": "when the petitioner rated"})


class CaseSummary(Schema):
    case_number = Str()
    status = Str(metadata={"enum": list(STATUSES)})
    category = Str()
    area_code = Str()
    title = Str()
    unit_code = Str(allow_none=True)
    unit_name = Str(allow_none=True)
    track = Str(allow_none=True, metadata={"enum": list(TRACKS)})
    due_date = Str(allow_none=True)
    overdue = fields.Bool()
    supervision_open = fields.Bool()
    extension_state = Str(metadata={"enum": list(EXTENSION.states)})
    review_state = Str(metadata={"enum": list(REVIEW.states)})


class StepResult(Schema):
    """Where a step left the case (and the workflow it belongs to)."""

    case_number = Str()
    status = Str(metadata={"enum": list(STATUSES)})
    extension = Str()
    co_handling = Str()
    supervision = Str()
    review = Str()


class CaseView(CaseSummary):
    reply = Str(allow_none=True)
    rejection_reason = Str(allow_none=True, metadata={"description": "why it was not accepted"})
    rejection_channel = Str(allow_none=True, metadata={"description": "where to turn instead"})
    decline_reason = Str(allow_none=True, metadata={"description": "why the unit declined (不予受理)"})
    extended_until = Str(allow_none=True)
    extension_reason = Str(allow_none=True)
    review_answer = Str(allow_none=True)
    final = fields.Bool(metadata={"description": "the matter is closed for good (终结)"})
    timeline = fields.List(fields.Nested(TimelineEntry))
    rating = fields.Nested(Rating, allow_none=True)


class PetitionView(CaseView):
    """What a petitioner sees with the query code."""

    content = Str()
    address = Str(allow_none=True)
    submitted_at = Str()
    channel = Str()
    petitioner = fields.Nested(Petitioner)


class StaffCaseView(PetitionView):
    """What the unit's staff see besides: who did what, and why it came to them."""

    routing_reason = Str(allow_none=True)
    routing_seq = fields.Int()
    accepted_by = Str(allow_none=True)
    return_reason = Str(allow_none=True)
    replied_by = Str(allow_none=True)
    replied_at = Str(allow_none=True)
    concluded_at = Str(allow_none=True)
    on_time = fields.Bool(allow_none=True)
    supervision_reason = Str(allow_none=True)
    assigned_at = Str(allow_none=True)
    accept_due = Str(allow_none=True)
    instructions = Str(allow_none=True)
    report_back_required = fields.Bool()
    report_back = Str(allow_none=True)
    plan = Str(allow_none=True)
    coordinating_units = fields.List(Str(), allow_none=True)
    extension_requested_until = Str(allow_none=True)
    reviewing_unit_code = Str(allow_none=True)
    reviewing_unit_name = Str(allow_none=True)
    timeline = fields.List(fields.Nested(StaffTimelineEntry))
    deadlines = fields.List(fields.Nested(lambda: Deadline()))
    orders = fields.List(fields.Nested(lambda: SupervisionOrder()))
    parts = fields.List(fields.Nested(lambda: CoPart()))


class Deadline(Schema):
    kind = Str(metadata={"description": "accept, conclude, part, supervision_answer, review_answer"})
    subject = Str()
    unit_code = Str(allow_none=True)
    due = Str()
    open = fields.Bool()


class SupervisionOrder(Schema):
    id = fields.Int()
    case_number = Str()
    unit_code = Str(allow_none=True)
    kind = Str(metadata={"enum": ["rating", "overdue", "return_visit", "work", "special"]})
    status = Str(metadata={"enum": list(ORDER_STATUSES)})
    reason = Str()
    instructions = Str(allow_none=True)
    answer = Str(allow_none=True)
    answer_due = Str()
    counted_against_unit = fields.Bool()
    opened_at = Str()
    closed_at = Str(allow_none=True)


class UnitSupervision(Schema):
    unit_code = Str(allow_none=True)
    open = fields.Int()
    answered = fields.Int()
    escalated = fields.Int()
    closed = fields.Int()
    counted_against_unit = fields.Int(metadata={"description": "left unanswered past the deadline"})


class CoPart(Schema):
    unit_code = Str()
    unit_name = Str()
    due = Str()
    status = Str()
    content = Str(allow_none=True)
    late = fields.Bool()
    submitted_at = Str(allow_none=True)


class SpotCheck(Schema):
    id = fields.Int()
    unit_code = Str()
    period_start = Str()
    period_end = Str()
    size = fields.Int()
    seed = fields.Int(metadata={"description": "with the population, enough to draw again"})
    population = fields.List(Str())
    drawn = fields.List(Str())
    redrawn = fields.List(Str(), metadata={"description": "drawn again now from seed and population"})
    reproduced = fields.Bool()
    drawn_by = Str()
    drawn_at = Str()


class Category(Schema):
    code = Str()
    name_zh = Str()
    name_en = Str()


class Area(Category):
    level = Str()
    parent = Str(allow_none=True)


class Credentials(Schema):
    username = Str(required=True)
    password = Str(required=True)


class Actor(Schema):
    username = Str()
    unit_code = Str()
    unit_name = Str()
    role = Str(metadata={"enum": list(ROLES)})
    area_code = Str()


class Token(Schema):
    access_token = Str()
    token_type = Str()
    expires_in = fields.Int()
    actor = fields.Nested(Actor)


class Step(Schema):
    action = Str()
    name_zh = Str()
    from_states = fields.Function(lambda step: sorted(step.from_states))
    to_state = Str(allow_none=True)
    who = Str()
    roles = fields.Function(lambda step: sorted(WHO[step.who].roles))
    event = fields.Function(lambda step: step.event.event_type)
    event_version = fields.Function(lambda step: step.event.version)
    public_text = Str(attribute="public", allow_none=True)
    staff_text = Str(attribute="staff")
    case_states = fields.Function(
        lambda step: sorted(step.case_states) if step.case_states is not None else None)
    tells_petitioner = fields.Bool()


class Workflow(Schema):
    name = Str()
    state_of = Str()
    states = fields.List(Str())
    steps = fields.List(fields.Nested(Step))
