"""What the notify RPCs return: never a phone number in clear, never a body."""
from datetime import timezone

from marshmallow import Schema, fields


class UtcDateTime(fields.DateTime):
    """ISO time in UTC; SQLite hands back naive datetimes (stored as UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


class MessageSchema(Schema):
    message_id = fields.Str(attribute="id")
    template = fields.Str()
    channel = fields.Str()
    to = fields.Str(attribute="to_masked")
    status = fields.Str()
    attempts = fields.Int()
    created_at = UtcDateTime()
    sent_at = UtcDateTime(allow_none=True)
