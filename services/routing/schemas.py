"""RPC inputs and outputs of the routing service."""
from marshmallow import Schema, fields, validate

from core.events import AREA_CODE, TRACKS
from core.validation import Instant

_AREA_CODE = validate.Regexp(AREA_CODE, error="地区代码应为6位或9位数字")


class SetRuleSchema(Schema):
    category = fields.Str(required=True, validate=validate.Length(min=1, max=30))
    area_code = fields.Str(required=True, validate=_AREA_CODE)
    unit_code = fields.Str(required=True, validate=validate.Length(min=1, max=30))
    track = fields.Str(required=True, validate=validate.OneOf(TRACKS))


class RuleSchema(Schema):
    category = fields.Str()
    area_code = fields.Str()
    unit_code = fields.Str()
    unit_name = fields.Str()
    track = fields.Str()


class AssignmentSchema(Schema):
    case_number = fields.Str()
    status = fields.Str()  # routed | rejected
    unit_code = fields.Str(allow_none=True)
    unit_name = fields.Str(allow_none=True)
    track = fields.Str(allow_none=True)
    due_date = fields.Date(allow_none=True)
    reason = fields.Str()
    channel = fields.Str(allow_none=True)
    routing_seq = fields.Int()


class ApiKeyInput(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    unit_code = fields.Str(load_default=None, validate=validate.Length(max=30))
    app = fields.Str(load_default=None, validate=validate.Length(min=1, max=100))


class ApiKeySchema(Schema):
    key_id = fields.Str()
    name = fields.Str()
    scope = fields.Str()
    unit_code = fields.Str(allow_none=True)
    app = fields.Str(allow_none=True)
    created_by = fields.Str()
    created_at = Instant()
    revoked_at = Instant(allow_none=True)
    revoked_by = fields.Str(allow_none=True)


class NewApiKeySchema(ApiKeySchema):
    key = fields.Str()  # shown once


class ApiKeyUseSchema(Schema):
    at = Instant()
    operation = fields.Str()
    client = fields.Str()
    outcome = fields.Str()
