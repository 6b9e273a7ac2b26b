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
