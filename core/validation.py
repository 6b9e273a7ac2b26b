"""RPC input checked by a marshmallow schema, bad input becoming
``InvalidInput`` the same way in every service; and the time fields of the
output schemas, which the gateway dumps a second time."""
from datetime import datetime

from marshmallow import ValidationError, fields

from core.config import LOCAL_TIME
from core.errors import InvalidInput


def load(schema, data, message="输入有误"):
    """``data`` loaded by ``schema``, or InvalidInput(message, field_errors)."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidInput(message, field_errors(exc)) from None


def field_errors(exc):
    """A ValidationError's reasons as ``{field: [reason, ...]}``, nested fields
    under dotted keys (``"proxy.agent_id"``): what InvalidInput's details hold."""
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    return _flatten(messages)


def _flatten(messages, prefix=""):
    flat = {}
    for field, reasons in messages.items():
        if isinstance(reasons, dict):
            flat.update(_flatten(reasons, f"{prefix}{field}."))
        else:
            flat[f"{prefix}{field}"] = list(reasons)
    return flat


class _DumpedOnce:
    """An output field the owning service dumps to ISO 8601 and the gateway
    dumps again through the same schema (one declaration per shape): a value
    that is already a string passes through."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


class Instant(_DumpedOnce, fields.DateTime):
    """A point in time in an output schema, in China's time with its offset
    (``2026-12-09T09:00:00+08:00``): the one rule for every moment the platform
    answers with, whatever zone it was stored in."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(LOCAL_TIME)
        return super()._serialize(value, attr, obj, **kwargs)


class Day(_DumpedOnce, fields.Date):
    """A calendar day in an output schema."""
