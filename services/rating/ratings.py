"""Rating a replied case (the per-unit scores are in scores.py).

A case may be rated once, after its reply (答复), on three dimensions: the petition
office's service attitude, its work efficiency, and the responsible unit's handling
quality, each 满意 / 基本满意 / 不满意.
"""

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from core import events
from core.errors import Conflict
from core.events import RATING_DIMENSIONS
from core.store import utcnow
from core.validation import load
from services.rating.models import RatableCase, Rating
from services.rating.schemas import RatingInputSchema, RatingRecordSchema

NOT_REPLIED = "the case has not been replied yet"
ALREADY_RATED = "already rated"


def record_reply(tx, event):
    """The case was replied (once: tracking allows one reply): from now on it
    may be rated, and the rating is about the unit that replied."""
    if tx.session.get(RatableCase, event["case_number"]) is None:
        tx.session.add(RatableCase(case_number=event["case_number"], unit_code=event["unit_code"],
                                   area_code=event["area_code"], replied_at=event["occurred_at"]))


def submit(tx, case_number, data):
    """Record the petitioner's rating and publish it (tracking concludes the
    case, or opens supervision when it is unsatisfied); ``rating_unsatisfied``
    is published besides for subscribers who want only those."""
    levels = load(RatingInputSchema(), data)
    # An unknown case answers like an unreplied one: nothing to learn by probing.
    ratable = tx.find(RatableCase, case_number)
    if ratable is None:
        raise Conflict(NOT_REPLIED)
    if tx.session.scalar(select(Rating.id).where(Rating.case_number == case_number)):
        raise Conflict(ALREADY_RATED)

    rating = Rating(case_number=case_number, unit_code=ratable.unit_code,
                    area_code=ratable.area_code, submitted_at=utcnow(), **levels)
    tx.session.add(rating)
    try:
        tx.session.flush()
    except IntegrityError:  # a concurrent submission for the same case committed first
        raise Conflict(ALREADY_RATED) from None

    envelope = dict(case_number=case_number, area_code=ratable.area_code,
                    unit_code=ratable.unit_code)
    dimensions = {d: levels[d] for d in RATING_DIMENSIONS}
    tx.emit(events.RATING_SUBMITTED, **envelope, **dimensions)
    unsatisfied = events.unsatisfied_dimensions(dimensions)
    if unsatisfied:
        tx.emit(events.RATING_UNSATISFIED, **envelope, dimensions=unsatisfied)
    return RatingRecordSchema().dump(rating)


def get(tx, case_number):
    if not isinstance(case_number, str):
        return None
    rating = tx.session.execute(_RATING, {"case_number": case_number}).first()
    return None if rating is None else _RATING_RECORD.dump(rating._mapping)


# Asked on every look-up by query code (nearly always finding none): a Core
# statement and a schema built once, the row read as a plain mapping.
_RATING_RECORD = RatingRecordSchema()
_RATINGS = Rating.__table__
_RATING = select(*(_RATINGS.c[name] for name in _RATING_RECORD.fields)).where(
    _RATINGS.c.case_number == bindparam("case_number"))
