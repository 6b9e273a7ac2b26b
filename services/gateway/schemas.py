"""What the API returns, field by field. Every response is dumped through its
schema: a field no schema names (say, an unmasked number some service added)
never leaves the gateway. The request bodies are the owning services' own
schemas (see openapi.py), so the rules live in one place."""
from marshmallow import Schema, fields, validate

from core.events import RATING_LEVELS, TRACKS

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


class PhoneCodeSent(Schema):
    phone = Str(metadata={"description": "where the code went, masked", "example": "138****5678"})
    expires_in = fields.Int(metadata={"description": "seconds the code stays valid"})
    resend_after = fields.Int(metadata={"description": "seconds before another code may be asked for"})


class Petitioner(Schema):
    name = Str(metadata={"example": "张**"})
    id_number = Str(metadata={"example": "3701**********123X"})
    phone = Str(metadata={"example": "138****5678"})


class TimelineEntry(Schema):
    at = Str()
    kind = Str()
    text = Str()


class Rating(Schema):
    service_attitude = Str(metadata={"enum": list(RATING_LEVELS)})
    work_efficiency = Str(metadata={"enum": list(RATING_LEVELS)})
    handling_quality = Str(metadata={"enum": list(RATING_LEVELS)})
    comment = Str(allow_none=True)
    submitted_at = Str(metadata={"description": "when the petitioner rated"})


class CaseSummary(Schema):
    case_number = Str()
    status = Str()
    category = Str()
    area_code = Str()
    title = Str()
    unit_code = Str(allow_none=True)
    unit_name = Str(allow_none=True)
    track = Str(allow_none=True, metadata={"enum": list(TRACKS)})
    due_date = Str(allow_none=True)
    overdue = fields.Bool()
    supervision_open = fields.Bool()


class CaseView(CaseSummary):
    reply = Str(allow_none=True)
    rejection_reason = Str(allow_none=True, metadata={"description": "why it was not accepted"})
    rejection_channel = Str(allow_none=True, metadata={"description": "where to turn instead"})
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


class Category(Schema):
    code = Str()
    name_zh = Str()
    name_en = Str()


class Area(Category):
    level = Str()
    parent = Str(allow_none=True)


class Credentials(Schema):
    username = Str(required=True, validate=validate.Length(min=1, max=64))
    # Bounded: hashing a megabyte-long password is work an attacker chooses.
    password = Str(required=True, validate=validate.Length(min=1, max=256))


class Actor(Schema):
    username = Str()
    unit_code = Str()
    unit_name = Str()
    role = Str(metadata={"enum": ["handler", "bureau"]})
    area_code = Str()
    must_change_password = fields.Bool(metadata={
        "description": "true: the token only allows POST /auth/password"})


class PasswordChange(Schema):
    old_password = Str(required=True, validate=validate.Length(min=1, max=256))
    new_password = Str(required=True, validate=validate.Length(min=1, max=256), metadata={
        "description": "12 or more characters of three kinds (or a passphrase of 20), "
                       "not containing the username"})


class PasswordChanged(Schema):
    username = Str()
    must_change_password = fields.Bool()


class Token(Schema):
    access_token = Str()
    token_type = Str()
    expires_in = fields.Int()
    actor = fields.Nested(Actor)


class ReplyRequest(Schema):
    reply = Str(required=True, metadata={"description": "the answer to the petitioner (1..5000)"})


class ReturnRequest(Schema):
    reason = Str(required=True, metadata={"description": "why this unit is not the right one"})
