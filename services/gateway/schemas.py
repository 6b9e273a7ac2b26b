"""What the API returns, field by field. Every response is dumped through its
schema: a field no schema names (say, an unmasked number some service added)
never leaves the gateway. A shape a service owns is that service's own output
schema (receipt: intake; case, work queue: tracking; rating: rating; the
categories, areas and signed-in actor: routing), and the
request bodies its input schemas (see openapi.py): one declaration per shape.
Declared here: what only the gateway composes or answers."""
from marshmallow import Schema, fields, validate

from core.validation import Day
from services.intake.schemas import AgentPetitionSchema, PetitionViewSchema
from services.rating.schemas import RatingSchema
from services.routing.schemas import ActorSchema
from services.tracking.schemas import PublicCaseSchema, StaffCaseSchema
from services.tracking.workflows import STATUSES, WHO


class Error(Schema):
    error = fields.Str(metadata={"description": "machine-readable code, e.g. invalid_input"})
    message = fields.Str()
    details = fields.Dict(keys=fields.Str(), values=fields.List(fields.Str()),
                          metadata={"description": "each bad field and why"})


class CaseView(PublicCaseSchema):
    """A case (tracking's shape) with its rating (rating's shape)."""

    rating = fields.Nested(RatingSchema, allow_none=True)


class PetitionView(CaseView, PetitionViewSchema):
    """What a petitioner sees with the query code: the case, and the petition
    as intake shows it, personal data masked."""

    class Meta:
        exclude = ("proxy",)  # the proxy's consent record is not for the API


class StaffCaseView(StaffCaseSchema, PetitionView):
    """What the unit's staff see: the petition, and who did what and why."""


class Credentials(Schema):
    username = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    # Bounded: hashing a megabyte-long password is work an attacker chooses.
    password = fields.Str(required=True, validate=validate.Length(min=1, max=256))


class PasswordChange(Schema):
    old_password = fields.Str(required=True, validate=validate.Length(min=1, max=256))
    new_password = fields.Str(required=True, validate=validate.Length(min=1, max=256), metadata={
        "description": "12 or more characters of three kinds (or a passphrase of 20), "
                       "not containing the username"})


class PasswordChanged(Schema):
    username = fields.Str()
    must_change_password = fields.Bool()


class PhoneCodeSent(Schema):
    phone = fields.Str(metadata={"description": "where the code went, masked",
                                 "example": "138****5678"})
    expires_in = fields.Int(metadata={"description": "seconds the code stays valid"})
    resend_after = fields.Int(metadata={
        "description": "seconds before another code may be asked for"})


class Token(Schema):
    access_token = fields.Str()
    token_type = fields.Str()
    expires_in = fields.Int()
    actor = fields.Nested(ActorSchema)


class Step(Schema):
    """A row of a workflow table (services/tracking/workflows.py)."""

    action = fields.Str()
    name_zh = fields.Str()
    from_states = fields.Function(lambda step: sorted(step.from_states))
    to_state = fields.Str(allow_none=True)
    who = fields.Str()
    roles = fields.Function(lambda step: sorted(WHO[step.who].roles))
    event = fields.Function(lambda step: step.event.event_type)
    event_version = fields.Function(lambda step: step.event.version)
    public_text = fields.Str(attribute="public", allow_none=True)
    staff_text = fields.Str(attribute="staff")
    case_states = fields.Function(
        lambda step: sorted(step.case_states) if step.case_states is not None else None)
    tells_petitioner = fields.Bool()


class Workflow(Schema):
    name = fields.Str()
    state_of = fields.Str()
    states = fields.List(fields.Str())
    steps = fields.List(fields.Nested(Step))


class AgentPetitionView(AgentPetitionSchema):
    """A petition a grid agent submitted (intake's shape) and where it stands (tracking's)."""

    status = fields.Str(metadata={"enum": list(STATUSES)})
    unit_name = fields.Str(allow_none=True)
    due_date = Day(allow_none=True)
