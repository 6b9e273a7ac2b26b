"""What the rating RPCs take and return."""
from marshmallow import Schema, fields, validate

from core.events import RATING_LEVELS


class RatingInputSchema(Schema):
    """The petitioner's rating. Unknown fields are rejected: a misspelt
    dimension must not pass as "not given"."""

    service_attitude = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    work_efficiency = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    handling_quality = fields.Str(required=True, validate=validate.OneOf(RATING_LEVELS))
    comment = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))


class RatingSchema(Schema):
    case_number = fields.Str()
    unit_code = fields.Str(allow_none=True)
    area_code = fields.Str()
    service_attitude = fields.Str()
    work_efficiency = fields.Str()
    handling_quality = fields.Str()
    comment = fields.Str(allow_none=True)
    submitted_at = fields.DateTime()
