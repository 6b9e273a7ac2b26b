"""RPC inputs and outputs of intake. Reasons are in simplified Chinese: the
gateway shows them to the citizen next to the field."""
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from core.events import AREA_CODE_DIGITS
from core.validation import Instant, VisibleStr
from services.intake import identity

REQUIRED = {"required": "必填", "null": "必填", "invalid": "应为文本"}
SCHEMA_ERRORS = {"unknown": "不支持的字段", "type": "应为对象"}


class Text(VisibleStr):
    """Visible text of bounded length, with reasons a citizen can act on."""

    def __init__(self, label, max_length, required=True, **kwargs):
        if required:
            length = validate.Length(min=1, max=max_length,
                                     error=f"{label}不能为空，且不能超过{max_length}个字")
        else:
            length = validate.Length(max=max_length, error=f"{label}不能超过{max_length}个字")
        super().__init__(required=required, validate=length, error_messages=REQUIRED, **kwargs)


class Checked(fields.Str):
    """A string normalised by one of the identity checks."""

    def __init__(self, check, **kwargs):
        self.check = check
        super().__init__(required=True, error_messages=REQUIRED, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return self.check(super()._deserialize(value, attr, data, **kwargs))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ProxySchema(Schema):
    error_messages = SCHEMA_ERRORS

    agent_id = fields.Str(required=True, error_messages=REQUIRED, validate=validate.Regexp(
        rf"^GA-{AREA_CODE_DIGITS}-\d{{2}}$", error="代理员编号格式应如 GA-370102001-01"))
    consent = fields.Bool(required=True, error_messages={**REQUIRED, "invalid": "应为是或否"},
                          validate=validate.Equal(True, error="代理提交须取得信访人同意"))
    consent_record = Text("同意书记录", 200)


class SubmissionSchema(Schema):
    """What a citizen (or a grid agent for them) submits. Category and area
    are checked afterwards against routing's reference data."""

    error_messages = SCHEMA_ERRORS

    name = Text("姓名", 50)
    id_number = Checked(identity.resident_id_number)
    phone = Checked(identity.mobile_number)
    title = Text("标题", 100)
    content = Text("内容", 5000)
    category = fields.Str(required=True, error_messages=REQUIRED,
                          validate=validate.Length(max=50, error="类别代码过长"))
    area_code = fields.Str(required=True, error_messages=REQUIRED,
                           validate=validate.Regexp(rf"^{AREA_CODE_DIGITS}$",
                                                    error="地区代码应为6位或9位数字"))
    address = Text("地址", 200, required=False, load_default=None, allow_none=True)
    proxy = fields.Nested(ProxySchema, load_default=None, allow_none=True)
    # 公开: whether the concluded case may be listed publicly (masked); the
    # petitioner may say no at submission.
    publish = fields.Bool(load_default=True, error_messages={"invalid": "应为是或否"})
    sms_code = fields.Str(required=True, error_messages=REQUIRED, validate=validate.Regexp(
        r"^[0-9]{6}$", error="短信验证码应为6位数字"),
        metadata={"description": "the code texted to the phone (POST /phone-codes)"})


class PhoneCodeRequestSchema(Schema):
    """Asking for the code that proves the phone before submitting."""

    error_messages = SCHEMA_ERRORS

    phone = Checked(identity.mobile_number)
    id_number = Checked(identity.resident_id_number)


class PhoneProofSchema(PhoneCodeRequestSchema):
    """The code texted for a phone and ID number, given back to prove them."""

    sms_code = fields.Str(required=True, error_messages=REQUIRED, validate=validate.Regexp(
        r"^[0-9]{6}$", error="短信验证码应为6位数字"))


class MaskedPersonSchema(Schema):
    """core.privacy.masked_person: a petitioner, a proposer (suggestions)."""

    name = fields.Str(metadata={"example": "张**"})
    id_number = fields.Str(metadata={"example": "3701**********123X"})
    phone = fields.Str(metadata={"example": "138****5678"})


class ProxyViewSchema(Schema):
    agent_id = fields.Str()
    consent_record = fields.Str()
    recorded_at = fields.DateTime()


class PetitionViewSchema(Schema):
    """A petition as shown to its petitioner or to staff: personal data masked."""

    case_number = fields.Str()
    # null once erased at the end of the retention period (core/retention.py)
    petitioner = fields.Nested(MaskedPersonSchema, allow_none=True)
    title = fields.Str()
    content = fields.Str()
    category = fields.Str()
    area_code = fields.Str()
    address = fields.Str(allow_none=True)
    submitted_at = Instant()
    channel = fields.Str()
    publish = fields.Bool()
    proxy = fields.Nested(ProxyViewSchema, allow_none=True)


class SubmittedSchema(Schema):
    """The receipt of a submission; the query code is shown only here and by SMS."""

    case_number = fields.Str(metadata={"example": "JN20261125-000123"})
    query_code = fields.Str(metadata={"description": "shown once; keep it private",
                                      "example": "K7M2-9QXD-4HTR-8WPA"})
    status = fields.Str()
    submitted_at = Instant()


class AuditEntrySchema(Schema):
    at = fields.DateTime()
    actor = fields.Str()
    action = fields.Str()


class RevealedSchema(Schema):
    """A petitioner's personal data unmasked: for the audited "show" only."""

    case_number = fields.Str()
    name = fields.Str()
    id_number = fields.Str()
    phone = fields.Str()


class ReadsFilterSchema(Schema):
    error_messages = SCHEMA_ERRORS

    case_number = fields.Str(load_default=None, allow_none=True,
                             validate=validate.Length(max=20, error="案件编号过长"))
    reader = fields.Str(load_default=None, allow_none=True,
                        validate=validate.Length(max=50, error="用户名过长"))
    limit = fields.Int(load_default=100, validate=validate.Range(min=1, max=500))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class PersonalReadSchema(Schema):
    """One read of a petitioner's personal data, as the bureau's audit log shows it."""

    at = Instant()
    reader = fields.Str(metadata={"description": "the username that read it (citizen: by query code)"})
    action = fields.Str(metadata={"description": "read_by_query_code, read_by_staff (masked), "
                                                 "revealed_to_staff (unmasked)"})
    case_number = fields.Str()
    petitioner = fields.Str(allow_none=True, metadata={
        "description": "whose record, masked (null: erased after its retention period)",
        "example": "张**"})


class AttachmentSchema(Schema):
    """A file of the case's material, as listed (never its bytes)."""

    id = fields.Int()
    filename = fields.Str(metadata={"example": "漏水照片.jpg"})
    content_type = fields.Str(metadata={"description": "the type its content was found to be"})
    size = fields.Int(metadata={"description": "bytes"})
    added_by = fields.Str(metadata={"description": "petitioner or staff"})
    unit_code = fields.Str(allow_none=True, metadata={"description": "the staff's unit"})
    added_at = Instant()


# 1,000 characters: a message fits the front's 8 KiB body limit even as escaped JSON
MESSAGE_MAX_CHARS = 1000


class CaseMessageInputSchema(Schema):
    """A message (留言) as written: visible text, at most MESSAGE_MAX_CHARS."""

    class Meta:
        unknown = EXCLUDE

    text = VisibleStr(required=True, validate=validate.Length(
        min=1, max=MESSAGE_MAX_CHARS,
        error=f"留言不能为空，且不能超过{MESSAGE_MAX_CHARS}个字"),
        metadata={"example": "补充说明：漏水已持续两周。"})


class CaseMessageSchema(Schema):
    """A message on the case; ``author`` (the member of staff) only for staff."""

    id = fields.Int()
    text = fields.Str()
    written_by = fields.Str(metadata={"description": "petitioner or staff (the handling unit)"})
    unit_code = fields.Str(allow_none=True)
    author = fields.Str(allow_none=True)
    written_at = Instant()


# How a citizen gave a grid agent consent to submit for them.
CONSENT_METHODS = ("signed_form", "fingerprint", "verbal_recorded")


class AgentConsentSchema(Schema):
    """The citizen's consent, as a signed-in grid agent records it."""

    error_messages = SCHEMA_ERRORS

    method = fields.Str(required=True, error_messages=REQUIRED, validate=validate.OneOf(
        CONSENT_METHODS, error="应为书面签字、按手印或口头同意（录音）之一"), metadata={
        "description": "signed_form: 书面签字, fingerprint: 按手印, verbal_recorded: 口头同意（录音）"})
    given_at = fields.AwareDateTime(required=True, error_messages={
        **REQUIRED, "invalid": "应为带时区的时间", "invalid_awareness": "应为带时区的时间"})
    record = Text("同意记录", 200)


class AgentPetitionSchema(Schema):
    """A petition a grid agent submitted: no personal data."""

    case_number = fields.Str()
    title = fields.Str()
    category = fields.Str()
    area_code = fields.Str()
    submitted_at = Instant()
    consent_method = fields.Str(allow_none=True)
    consent_given_at = Instant(allow_none=True)
