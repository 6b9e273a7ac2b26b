"""What the notify RPCs take and return: never a phone number in clear,
never a body."""
from marshmallow import Schema, fields, validate

from core.validation import Instant


class MessageSchema(Schema):
    message_id = fields.Str(attribute="id")
    template = fields.Str()
    channel = fields.Str()
    to = fields.Str(attribute="to_masked")
    status = fields.Str()
    attempts = fields.Int()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


class UnitContactInput(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class UnitContactSchema(Schema):
    unit_code = fields.Str()
    email = fields.Str()
    updated_by = fields.Str()
    updated_at = Instant()


class EndpointInput(Schema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                     validate=validate.Length(max=500))
    # webhooks.KINDS, checked there
    kinds = fields.List(fields.Str(validate=validate.Length(max=40)), required=True,
                        validate=validate.Length(min=1, max=20))
    personal_data = fields.Bool(load_default=False)
    unit_code = fields.Str(load_default=None, validate=validate.Length(max=40))


class EndpointSchema(Schema):
    endpoint_id = fields.Int()
    unit_code = fields.Str()
    url = fields.Str()
    kinds = fields.List(fields.Str())
    personal_data = fields.Bool()
    status = fields.Str()
    failures = fields.Int()
    created_by = fields.Str()
    created_at = Instant()
    paused_at = Instant(allow_none=True)
    deleted_at = Instant(allow_none=True)
    deleted_by = fields.Str(allow_none=True)
    # After a rotation: the old secret still signs deliveries until then.
    old_secret_until = Instant(allow_none=True)


class RotateInput(Schema):
    # How long the old secret still signs (a second v1); 0: retired at once
    # (a leaked secret). Default: WEBHOOK_SECRET_OVERLAP_HOURS.
    overlap_hours = fields.Float(load_default=None, validate=validate.Range(min=0, max=168))


class WebhookChangeSchema(Schema):
    at = Instant()
    actor = fields.Str()
    action = fields.Str()
    detail = fields.Str(allow_none=True)


class RegisteredSchema(EndpointSchema):
    secret = fields.Str()  # shown once


class AttemptSchema(Schema):
    at = Instant()
    ok = fields.Bool()
    error = fields.Str(allow_none=True)


class WebhookDeliverySchema(Schema):
    delivery_id = fields.Str()
    kind = fields.Str()
    case_number = fields.Str()
    status = fields.Str()
    attempts = fields.Int()
    next_attempt_at = Instant()
    sent_at = Instant(allow_none=True)
    last_error = fields.Str(allow_none=True)  # "endpoint deleted by ..." when cancelled
    log = fields.List(fields.Nested(AttemptSchema))


class Replayed(Schema):
    delivery_id = fields.Str()
    status = fields.Str()
