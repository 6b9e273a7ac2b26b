"""What the reports RPCs take (checked: bad input is InvalidInput naming the
field), the assessment rules in config, and what the RPCs answer (the shapes
the gateway dumps its answers through)."""
from datetime import date, timedelta

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from core.events import AREA_CODE, TRACKS

PERIODS = ("day", "week", "month", "quarter", "year", "range")
BREAKDOWNS = ("unit", "area", "category", "channel", "day")
CHANNELS = ("online", "proxy")
MAX_RANGE_DAYS = 3660
# The figures the assessment may weigh or set a threshold on.
RATE_FIGURES = ("on_time_rate", "satisfaction_rate", "rating_participation")
COUNT_FIGURES = ("supervised", "overdue", "returned", "repeats", "declined")

_AREA = validate.Regexp(AREA_CODE, error="须为6位或9位行政区划代码 (an area code has 6 or 9 digits)")
_DAY = {"invalid": "应为日期，如2026-11-25 (must be a date, e.g. 2026-11-25)"}
# The days a period may be asked around: a month, quarter or year around the
# calendar's last day (9999-12-31) would end past it.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
_IN_CALENDAR = validate.Range(min=FIRST_DAY, max=LAST_DAY,
                              error=f"应在{FIRST_DAY}至{LAST_DAY}之间 (must be between {FIRST_DAY} "
                                    f"and {LAST_DAY})")


class _Input(Schema):
    class Meta:
        unknown = EXCLUDE


class PeriodSchema(_Input):
    """A period: ``period`` around the day ``date`` (default: today in China),
    or ``period=range`` from ``from`` to ``to`` (both days included)."""

    period = fields.Str(load_default="month", validate=validate.OneOf(
        PERIODS, error=f"须为{'、'.join(PERIODS)}之一 (must be one of: {', '.join(PERIODS)})"))
    date = fields.Date(load_default=None, error_messages=_DAY, validate=_IN_CALENDAR)
    start = fields.Date(data_key="from", load_default=None, error_messages=_DAY,
                        validate=_IN_CALENDAR)
    end = fields.Date(data_key="to", load_default=None, error_messages=_DAY, validate=_IN_CALENDAR)

    @validates_schema
    def _range(self, data, **kwargs):
        if data["period"] != "range":
            return
        errors = {}
        for key, name in (("start", "from"), ("end", "to")):
            if data.get(key) is None:
                errors[name] = ["period=range 时必填 (required when period is range)"]
        if not errors and data["end"] < data["start"]:
            errors["to"] = ["不能早于开始日期 (must not be before from)"]
        if not errors and (data["end"] - data["start"]).days > MAX_RANGE_DAYS:
            errors["to"] = [f"时间跨度不能超过{MAX_RANGE_DAYS}天 (range too long)"]
        if errors:
            raise ValidationError(errors)


class _FilterSchema(PeriodSchema):
    unit_code = fields.Str(load_default=None, validate=validate.Length(min=1, max=40))
    area_code = fields.Str(load_default=None, validate=_AREA)
    category = fields.Str(load_default=None, validate=validate.Length(min=1, max=30))


class FigureQuerySchema(_FilterSchema):
    channel = fields.Str(load_default=None, validate=validate.OneOf(CHANNELS))
    by = fields.Str(load_default=None, validate=validate.OneOf(BREAKDOWNS))


class SuggestionFigureQuerySchema(PeriodSchema):
    """The people's suggestions' figures (suggestions.py): a period, and
    optionally one topic, one department, one area (rolled up)."""

    topic = fields.Int(load_default=None, validate=validate.Range(
        min=1, max=2**31 - 1, error="应为征集主题的编号（正整数） (must be a topic's id, a whole number from 1)"),
        error_messages={"invalid": "应为征集主题的编号（正整数） (must be a topic's id, a whole number "
                                   "from 1)"})
    department = fields.Str(load_default=None, validate=validate.Length(
        min=1, max=40, error="应为1至40个字符的单位代码 (a unit code of 1 to 40 characters)"))
    area_code = fields.Str(load_default=None, validate=_AREA)


class OpenDataQuerySchema(_FilterSchema):
    """Concluded in the period (default: this month), filtered."""


class PublishedQuerySchema(OpenDataQuerySchema):
    """... and paged."""

    limit = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0))


class WithholdSchema(_Input):
    reason = fields.Str(required=True, validate=validate.Length(min=2, max=500))


class CaseNumbersSchema(_Input):
    """A page of a public list's case numbers (Open311's page is at most 200)."""
    case_numbers = fields.List(fields.Str(validate=validate.Length(min=1, max=20)),
                               required=True, validate=validate.Length(max=200))


class SimilarQuerySchema(_Input):
    """What a citizen is writing (or has written: ``case_number``, which is
    then not shown as similar to itself)."""

    title = fields.Str(load_default="", validate=validate.Length(max=100))
    content = fields.Str(load_default="", validate=validate.Length(max=5000))
    category = fields.Str(load_default=None, validate=validate.Length(min=1, max=30))
    area_code = fields.Str(load_default=None, validate=_AREA)
    limit = fields.Int(load_default=5, validate=validate.Range(min=1, max=20))
    case_number = fields.Str(load_default=None, validate=validate.Length(min=1, max=20))

    @validates_schema
    def _some_text(self, data, **kwargs):
        if not (data["title"].strip() or data["content"].strip()):
            raise ValidationError({"title": ["标题和内容不能都为空 (title or content required)"]})


class TrendQuerySchema(_Input):
    """The last ``days`` days up to ``date`` against the ``days`` before them."""

    date = fields.Date(load_default=None, error_messages=_DAY, validate=_IN_CALENDAR)
    days = fields.Int(load_default=7, validate=validate.Range(min=1, max=92))
    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=100))
    area_code = fields.Str(load_default=None, validate=_AREA)


class LaggingRuleSchema(Schema):
    """One rule: a rate below ``below`` (with at least ``min_cases`` in its
    denominator), or a count above ``above``, names the unit as lagging."""

    figure = fields.Str(required=True, validate=validate.OneOf(RATE_FIGURES + COUNT_FIGURES))
    below = fields.Float(load_default=None, validate=validate.Range(min=0, max=1))
    above = fields.Int(load_default=None, validate=validate.Range(min=0))
    min_cases = fields.Int(load_default=1, validate=validate.Range(min=1))

    @validates_schema
    def _one_bound(self, data, **kwargs):
        rate = data["figure"] in RATE_FIGURES
        if rate and data["below"] is None:
            raise ValidationError({"below": ["a rate rule needs below"]})
        if not rate and data["above"] is None:
            raise ValidationError({"above": ["a count rule needs above"]})


class AssessmentRulesSchema(Schema):
    """config ``ASSESSMENT``: the weighted score (rates weighted, counts
    deducted per case) and the rules that name lagging units (后进单位)."""

    weights = fields.Dict(keys=fields.Str(validate=validate.OneOf(RATE_FIGURES)),
                          values=fields.Float(validate=validate.Range(min=0)),
                          load_default=lambda: {"on_time_rate": 40, "satisfaction_rate": 50,
                                                "rating_participation": 10})
    deductions = fields.Dict(keys=fields.Str(validate=validate.OneOf(COUNT_FIGURES)),
                             values=fields.Float(validate=validate.Range(min=0)),
                             load_default=lambda: {"supervised": 2, "overdue": 1})
    lagging_rules = fields.List(fields.Nested(LaggingRuleSchema), load_default=lambda: [
        {"figure": "on_time_rate", "below": 0.9, "min_cases": 3, "above": None},
        {"figure": "satisfaction_rate", "below": 0.85, "min_cases": 3, "above": None},
    ])
    name_at_most = fields.Int(load_default=10, validate=validate.Range(min=1))


def resolve_period(query, today):
    """(first day, last day) of the period asked for."""
    if query["period"] == "range":
        return query["start"], query["end"]
    day = query["date"] or today
    kind = query["period"]
    if kind == "day":
        return day, day
    if kind == "week":  # Monday to Sunday
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    else:
        start = date(day.year, 1, 1)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    month = start.month - 1 + months
    following = date(start.year + month // 12, month % 12 + 1, 1)
    return start, following - timedelta(days=1)


# -- outputs --------------------------------------------------------------
# Figures hold no personal data; the schemas still name every field, so a
# field added here by mistake does not leave the gateway unnoticed.

_RATE = dict(allow_none=True, metadata={"description": "0..1; null when there is nothing to divide"})


class ScoreboardUnitSchema(Schema):
    key = fields.Str(metadata={"description": "unit code"})
    name = fields.Str(allow_none=True)
    period_from = fields.Str(attribute="from", data_key="from")
    period_to = fields.Str(attribute="to", data_key="to")
    received = fields.Int()
    concluded = fields.Int()
    due = fields.Int(metadata={"description": "cases whose due date fell in the period"})
    on_time = fields.Int()
    on_time_rate = fields.Float(**_RATE)
    rated = fields.Int()
    satisfaction_rate = fields.Float(**_RATE)
    rating_participation = fields.Float(**_RATE)


class ScoreboardSchema(Schema):
    method = fields.Dict(keys=fields.Str(), values=fields.Str(),
                         metadata={"description": "how each figure is computed"})
    units = fields.List(fields.Nested(ScoreboardUnitSchema))


class FigureRowSchema(ScoreboardUnitSchema):
    key = fields.Str(allow_none=True, metadata={"description": "the breakdown's key (unit, area, "
                                                        "category, channel or day)"})
    accepted = fields.Int()
    declined = fields.Int()
    returned = fields.Int()
    transferred = fields.Int()
    extended = fields.Int()
    overdue = fields.Int()
    supervised = fields.Int()
    repeats = fields.Int(metadata={"description": "repeat petitions (重复信访)"})
    replied = fields.Int()
    satisfaction_by_dimension = fields.Dict(keys=fields.Str(), values=fields.Float(allow_none=True))
    ratings_by_dimension = fields.Dict(keys=fields.Str(), values=fields.Dict(keys=fields.Str(),
                                                                       values=fields.Int()))
    handling_days_avg = fields.Float(allow_none=True, metadata={"description": "working days"})
    handling_days_p90 = fields.Int(allow_none=True)


class SuggestionFigureRowSchema(Schema):
    """One topic's or department's people's suggestions in the period."""

    key = fields.Str(allow_none=True, metadata={
        "description": "the topic's id (null: proposals made under no topic) or the department's "
                       "unit code"})
    name = fields.Str(allow_none=True, metadata={"description": "the topic's title, the unit's name"})
    received = fields.Int()
    accepted = fields.Int()
    merged = fields.Int()
    declined = fields.Int(metadata={"description": "not adopted at the bureau's review"})
    forwarded = fields.Int()
    answered = fields.Int(metadata={"description": "answered by the department"})
    adopted = fields.Int()
    not_adopted = fields.Int(metadata={"description": "declined + not adopted by the department"})
    published = fields.Int()
    adoption_rate = fields.Float(allow_none=True, metadata={
        "description": "adopted / answered by the department; null when none was answered"})
    answer_days_avg = fields.Float(allow_none=True, metadata={
        "description": "working days from submission to the department's answer, on average"})


class SuggestionFiguresSchema(Schema):
    period_from = fields.Str(attribute="from", data_key="from")
    period_to = fields.Str(attribute="to", data_key="to")
    method = fields.Dict(keys=fields.Str(), values=fields.Str(),
                         metadata={"description": "how each figure is computed"})
    topics = fields.List(fields.Nested(SuggestionFigureRowSchema))
    departments = fields.List(fields.Nested(SuggestionFigureRowSchema))


class AssessmentRowSchema(FigureRowSchema):
    score = fields.Float()
    rank = fields.Int()
    lagging = fields.Bool()
    reasons = fields.List(fields.Str())


class PublishedStepSchema(Schema):
    step = fields.Str(metadata={"description": "提交, 分派, 受理, 答复, 评价, 办结"})
    step_en = fields.Str(metadata={"description": "the step in English (disclosure.TIMELINE)"})
    at = fields.Str()


class PublishedCaseSchema(Schema):
    case_number = fields.Str()
    category = fields.Str()
    area_code = fields.Str()
    unit_code = fields.Str(allow_none=True)
    unit_name = fields.Str(allow_none=True)
    track = fields.Str(allow_none=True, metadata={"enum": list(TRACKS)})
    on_time = fields.Bool(allow_none=True)
    timeline = fields.List(fields.Nested(PublishedStepSchema))
    rating = fields.Dict(keys=fields.Str(), values=fields.Str(), allow_none=True)


class PublishedCasesSchema(Schema):
    period_from = fields.Str(attribute="from", data_key="from")
    period_to = fields.Str(attribute="to", data_key="to")
    limit = fields.Int()
    offset = fields.Int()
    cases = fields.List(fields.Nested(PublishedCaseSchema))


class WithheldSchema(Schema):
    case_number = fields.Str()
    withheld = fields.Bool()
    reason = fields.Str()


class StoredBulletinSchema(Schema):
    id = fields.Int()
    period = fields.Str(metadata={"enum": ["month", "quarter"]})
    period_from = fields.Str(attribute="from", data_key="from")
    period_to = fields.Str(attribute="to", data_key="to")
    format = fields.Str(metadata={"enum": ["xlsx", "pdf"]})
    filename = fields.Str()
    generated_at = fields.Str()


class RisingSchema(Schema):
    key = fields.Str()
    recent = fields.Int()
    earlier = fields.Int()
    change = fields.Int()
    growth = fields.Float(allow_none=True)


class RisingListSchema(Schema):
    period_from = fields.Str(attribute="from", data_key="from")
    period_to = fields.Str(attribute="to", data_key="to")
    rising = fields.List(fields.Nested(RisingSchema))


class SeriesPointSchema(Schema):
    day = fields.Str()
    received = fields.Int()
    concluded = fields.Int()


class TrendsSchema(Schema):
    series = fields.List(fields.Nested(SeriesPointSchema))
    categories = fields.Nested(RisingListSchema)
    areas = fields.Nested(RisingListSchema)
    words = fields.Nested(RisingListSchema)


class SimilarCaseSchema(PublishedCaseSchema):
    title = fields.Str(metadata={"description": "as submitted; numbers like phones masked"})
    handling = fields.Str(metadata={"description": "how it was handled, in words"})
    result = fields.Str(metadata={"description": "the result: on time or late, working days, "
                                                 "the rating of the handling"})
    handling_days = fields.Int(allow_none=True, metadata={"description": "working days"})
    score = fields.Float(metadata={"description": "similarity; higher is closer"})


class RegulationSchema(Schema):
    id = fields.Str()
    source = fields.Str()
    article = fields.Str()
    text = fields.Str()
    summary = fields.Bool(metadata={"description": "the text is a summary, not the official "
                                                   "wording"})
    categories = fields.List(fields.Str())


class SimilarSchema(Schema):
    cases = fields.List(fields.Nested(SimilarCaseSchema))
    regulations = fields.List(fields.Nested(RegulationSchema))


class SuggestedUnitSchema(Schema):
    unit_code = fields.Str()
    unit_name = fields.Str(allow_none=True)
    similar_cases = fields.Int(metadata={"description": "how many of the similar cases it handled"})
    of = fields.Int()
    median_handling_days = fields.Float()
    reason = fields.Str()


class RoutedUnitSchema(Schema):
    unit_code = fields.Str(allow_none=True)
    unit_name = fields.Str(allow_none=True)


class StaffSimilarSchema(SimilarSchema):
    """For staff, beside a case: the similar cases, the regulations, the unit
    that handled such cases most often, and routing's own decision next to it
    (the suggestion never changes it)."""

    suggested_unit = fields.Nested(SuggestedUnitSchema, allow_none=True)
    routed_unit = fields.Nested(RoutedUnitSchema, allow_none=True)
