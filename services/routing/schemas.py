"""RPC inputs and outputs of the routing service."""
from marshmallow import Schema, fields, validate

from core.events import AREA_CODE, TRACKS
from core.roles import ROLES
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


USERNAME = validate.Regexp(r"^[a-z0-9][a-z0-9_.-]{2,49}$",
                           error="用户名为3至50位小写字母、数字、点、下划线或连字符")
_ROLE = validate.OneOf(ROLES, error=f"角色应为 {', '.join(ROLES)} 之一")
_UNIT = validate.Length(min=1, max=30, error="单位代码应为1至30个字符")


class NewAccountSchema(Schema):
    """A staff account a bureau administrator creates (a one-time password
    is made for it)."""

    username = fields.Str(required=True, validate=USERNAME)
    unit_code = fields.Str(required=True, validate=_UNIT)
    role = fields.Str(required=True, validate=_ROLE)


class AccountChangeSchema(Schema):
    """What an administrator changes: any of unit, role, active."""

    unit_code = fields.Str(validate=_UNIT)
    role = fields.Str(validate=_ROLE)
    active = fields.Bool(metadata={"description": "false disables the account at once"})


class ActorSchema(Schema):
    """A signed-in account as the API shows it (authenticate's answer, the
    token's actor; the token version stays inside the token)."""

    username = fields.Str()
    unit_code = fields.Str()
    unit_name = fields.Str()
    role = fields.Str(metadata={"enum": list(ROLES)})
    area_code = fields.Str()
    must_change_password = fields.Bool(metadata={
        "description": "true: the account's token only allows POST /auth/password"})


class AccountSchema(ActorSchema):
    active = fields.Bool()


class NewPasswordSchema(AccountSchema):
    """An account with its one-time password: shown this once."""

    one_time_password = fields.Str()


class StaffChangeSchema(Schema):
    at = Instant()
    actor = fields.Str(metadata={"description": "the administrator"})
    username = fields.Str()
    change = fields.Str(metadata={"enum": ["created", "disabled", "enabled", "unit_changed",
                                           "role_changed", "password_reset"]})
    detail = fields.Str()


class NamedSchema(Schema):
    """What every entry of the directory has: its code and its names."""

    code = fields.Str()
    name_zh = fields.Str()
    name_en = fields.Str()


class CategorySchema(NamedSchema):
    """A category a petition can have (directory.reference_data)."""

    description_zh = fields.Str(allow_none=True, metadata={
        "description": "what the category covers, in plain words"})
    description_en = fields.Str(allow_none=True)


class AreaSchema(NamedSchema):
    """An area a petition can concern (directory.reference_data)."""

    level = fields.Str()
    parent = fields.Str(allow_none=True)


class UnitSchema(NamedSchema):
    """A unit of the directory (directory.units)."""

    kind = fields.Str(metadata={"description": "petition_bureau | department | town_office"})
    area_code = fields.Str()
    parent = fields.Str(allow_none=True)


class RuleTargetSchema(Schema):
    unit_code = fields.Str()
    track = fields.Str()


class RuleChangeSchema(Schema):
    """A change of a routing rule: who, when, from what to what."""

    at = Instant()
    changed_by = fields.Str()
    category = fields.Str()
    area_code = fields.Str()
    before = fields.Nested(RuleTargetSchema, allow_none=True,
                           metadata={"description": "null: the rule was new"})
    after = fields.Nested(RuleTargetSchema)


class ApiKeyInput(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    unit_code = fields.Str(load_default=None, validate=validate.Length(max=30))
    app = fields.Str(load_default=None, validate=validate.Length(min=1, max=100))
    # At most API_KEY_MAX_DAYS ahead, which is also the default.
    expires_at = fields.AwareDateTime(load_default=None)


class ApiKeyRotateInput(Schema):
    # How long the old key still works; 0: refused at once (a leaked key).
    # Default: API_KEY_ROTATION_OVERLAP_HOURS.
    overlap_hours = fields.Float(load_default=None, validate=validate.Range(min=0, max=168))


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
    expires_at = Instant(allow_none=True)
    last_used_at = Instant(allow_none=True)
    rotated_from = fields.Str(allow_none=True)


class NewApiKeySchema(ApiKeySchema):
    key = fields.Str()  # shown once


class ApiKeyUseSchema(Schema):
    at = Instant()
    operation = fields.Str()
    client = fields.Str()
    outcome = fields.Str()
