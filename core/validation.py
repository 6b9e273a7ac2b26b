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


class Instant(fields.DateTime):
    """A point in time in an output schema, by the platform's one rule for
    times in outputs: ISO 8601 in China Standard Time with its offset,
    ``2026-11-25T10:30:00+08:00`` (stored in UTC: core.store.UtcDateTime).
    Every RPC and HTTP answer dumps its times through this field; a time
    another service already dumped (a string) is brought to the same rule."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime has no place in an output: {value!r}")
        return value.astimezone(LOCAL_TIME).isoformat()


class Day(fields.Date):
    """A calendar day in an output schema (a due date: a day in the city's
    calendar). The owning service dumps it to ISO 8601 and the gateway dumps
    it again through the same schema: a day already a string passes through."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)


# Characters that show nothing: a reply or name made only of them is empty.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# How much of a bad value an error message may quote back: enough to recognise
# it, never a 20 MB echo.
EXCERPT_CHARS = 32


def visible(value):
    """``value`` without surrounding whitespace and zero-width characters."""
    return value.strip().strip(INVISIBLE + " \t\r\n\u3000").strip()


def excerpt(value, limit=EXCERPT_CHARS):
    """``value`` as text, cut to ``limit`` characters for quoting in an error."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


class VisibleStr(fields.Str):
    """A string with surrounding whitespace and zero-width characters
    removed, so that text which shows nothing counts as empty."""

    def _deserialize(self, value, attr, data, **kwargs):
        return visible(super()._deserialize(value, attr, data, **kwargs))
