"""What the rating RPCs take and return."""
from marshmallow import Schema, fields, validate

from core.events import RATING_LEVELS
from core.validation import Instant


class RatingInputSchema(Schema):
    """The petitioner's rating. Unknown fields are rejected: a misspelt
    dimension must not pass as "not given"."""

    service_attitude = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    work_efficiency = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    handling_quality = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RatingSchema(Schema):
    """A rating as the petitioner and the unit's staff see it."""

    service_attitude = fields.Str(metadata={"enum": list(RATING_LEVELS)})
    work_efficiency = fields.Str(metadata={"enum": list(RATING_LEVELS)})
    handling_quality = fields.Str(metadata={"enum": list(RATING_LEVELS)})
    comment = fields.Str(allow_none=True)
    submitted_at = Instant(metadata={"description": "when the petitioner rated"})


class RatingRecordSchema(RatingSchema):
    """What the RPCs answer: the rating, and which case and unit it is about."""

    case_number = fields.Str()
    unit_code = fields.Str(allow_none=True)
    area_code = fields.Str()
