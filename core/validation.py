"""RPC input checked by a marshmallow schema, bad input becoming
``InvalidInput`` the same way in every service."""
from marshmallow import ValidationError

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
