"""What the suggestions RPCs take (checked: InvalidInput naming the field, the
reasons in Chinese as intake's) and what they answer (the shapes the gateway
dumps through)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from core.events import AREA_CODE_DIGITS
from core.validation import Instant
from services.intake.schemas import (
    REQUIRED,
    SCHEMA_ERRORS,
    MaskedPersonSchema,
    PhoneProofSchema,
    Text,
)
from services.suggestions.workflow import STATES

_AREA = validate.Regexp(rf"^{AREA_CODE_DIGITS}$", error="地区代码应为6位或9位数字")


class ProposalSubmissionSchema(PhoneProofSchema):
    """A citizen's, or an organisation's (``organisation``: its name, then the
    contact person's name, ID number and phone), proposal (人民建议)."""

    error_messages = SCHEMA_ERRORS

    name = Text("姓名", 50)
    organisation = Text("单位名称", 100, required=False, load_default=None, allow_none=True)
    title = Text("标题", 100)
    content = Text("内容", 5000)
    area_code = fields.Str(required=True, error_messages=REQUIRED, validate=_AREA)
    topic_id = fields.Int(load_default=None, allow_none=True,
                          validate=validate.Range(min=1, max=2**31 - 1))
    publish = fields.Bool(load_default=True, error_messages={"invalid": "应为是或否"})


class SuggestionTopicInputSchema(Schema):
    error_messages = SCHEMA_ERRORS

    title = Text("主题", 100)
    description = Text("说明", 2000)
    area_code = fields.Str(required=True, error_messages=REQUIRED, validate=_AREA)
    opens_on = fields.Date(required=True, error_messages=REQUIRED)
    closes_on = fields.Date(required=True, error_messages=REQUIRED)
    departments = fields.List(fields.Str(validate=validate.Length(min=1, max=40)),
                              required=True, error_messages=REQUIRED,
                              validate=validate.Length(min=1, max=20, error="须列出1至20个答复部门"))

    @validates_schema
    def _period(self, data, **kwargs):
        if data["closes_on"] < data["opens_on"]:
            raise ValidationError({"closes_on": ["截止日期不能早于开始日期"]})


class ProposalStepInputSchema(Schema):
    """What a step may carry; which fields a step needs is in workflow.STEPS."""

    error_messages = SCHEMA_ERRORS

    merged_into = fields.Str(load_default=None, validate=validate.Regexp(
        r"^JY\d{8}-\d{6}$", error="应为建议编号，如JY20261125-000001"))
    reason = Text("理由", 500, required=False, load_default=None)
    department = fields.Str(load_default=None, validate=validate.Length(min=1, max=40))
    answer = Text("答复", 2000, required=False, load_default=None)
    follow_up = Text("后续措施", 2000, required=False, load_default=None)


class ProposalQuerySchema(Schema):
    status = fields.Str(load_default=None, validate=validate.OneOf(STATES))
    topic_id = fields.Int(load_default=None, validate=validate.Range(min=1, max=2**31 - 1))
    limit = fields.Int(load_default=50, validate=validate.Range(min=1, max=200))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))


# -- outputs --------------------------------------------------------------

class SuggestionTopicSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    description = fields.Str()
    area_code = fields.Str()
    opens_on = fields.Str()
    closes_on = fields.Str()
    departments = fields.List(fields.Str())
    open = fields.Bool(metadata={"description": "taking proposals today"})


class ProposalReceiptSchema(Schema):
    number = fields.Str()
    query_code = fields.Str(metadata={"description": "shown only here and by SMS"})
    status = fields.Str()


class ProposalTimelineEntrySchema(Schema):
    step = fields.Str()
    step_en = fields.Str(metadata={"description": "the step's name in English (workflow.STEPS)"})
    text = fields.Str(metadata={"description": "what happened, in Chinese, as the proposer's record"})
    text_en = fields.Str(metadata={"description": "what happened, in English (no names or reasons: those are in text)"})
    at = Instant()


class ProposalViewSchema(Schema):
    """What the proposer sees with the query code, and staff (personal data masked)."""

    number = fields.Str()
    status = fields.Str(metadata={"enum": list(STATES)})
    status_name = fields.Str()
    topic_id = fields.Int(allow_none=True)
    topic_title = fields.Str(allow_none=True)
    organisation = fields.Str(allow_none=True)
    # null once erased at the end of the retention period (core/retention.py)
    proposer = fields.Nested(MaskedPersonSchema, allow_none=True)
    title = fields.Str()
    content = fields.Str()
    area_code = fields.Str()
    department = fields.Str(allow_none=True)
    merged_into = fields.Str(allow_none=True)
    reason = fields.Str(allow_none=True)
    answer = fields.Str(allow_none=True)
    follow_up = fields.Str(allow_none=True)
    submitted_at = Instant()
    timeline = fields.List(fields.Nested(ProposalTimelineEntrySchema))


class PublishedProposalSchema(Schema):
    """An adopted proposal as published: no contact data, numbers in the text masked."""

    number = fields.Str()
    topic_title = fields.Str(allow_none=True)
    proposer = fields.Str(metadata={"description": "the organisation, or the masked name"})
    title = fields.Str()
    content = fields.Str()
    department = fields.Str()
    answer = fields.Str()
    follow_up = fields.Str()
    published_at = Instant()
