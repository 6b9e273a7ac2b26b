"""What the notify RPCs return: never a phone number in clear, never a body."""
from marshmallow import Schema, fields


class MessageSchema(Schema):
    message_id = fields.Str(attribute="id")
    template = fields.Str()
    channel = fields.Str()
    to = fields.Str(attribute="to_masked")
    status = fields.Str()
    attempts = fields.Int()
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
