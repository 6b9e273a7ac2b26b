"""Per-unit scores from the ratings: what feeds the assessment. Writes live
in ``ratings.py``; this module only reads."""
from sqlalchemy import and_, case, func, select

from core.events import RATING_DIMENSIONS, RATING_LEVELS, UNSATISFIED
from services.rating.models import Rating


def unit_scores(tx):
    """Per responsible unit: how many ratings, the satisfaction rate and the
    count of each level on each dimension.

    Satisfaction rate (群众满意率) = ratings with no unsatisfied dimension /
    all ratings of the unit, i.e. 满意 and 基本满意 both count as satisfied,
    and one 不满意 on any dimension makes the whole rating unsatisfied (it is
    also what opens supervision). Rounded to 4 decimals.
    """
    def count_where(condition):
        return func.sum(case((condition, 1), else_=0))

    # core.events.unsatisfied_dimensions, as SQL: no dimension is unsatisfied
    satisfied = count_where(and_(*(getattr(Rating, d) != UNSATISFIED
                                   for d in RATING_DIMENSIONS)))
    level_counts = [count_where(getattr(Rating, d) == level).label(f"{d}.{level}")
                    for d in RATING_DIMENSIONS for level in RATING_LEVELS]
    rows = tx.session.execute(
        select(Rating.unit_code, func.count().label("ratings"),
               satisfied.label("satisfied"), *level_counts)
        .group_by(Rating.unit_code).order_by(Rating.unit_code)
    ).mappings()
    return [{
        "unit_code": row["unit_code"],
        "ratings": row["ratings"],
        "satisfaction_rate": round(row["satisfied"] / row["ratings"], 4),
        "dimensions": {d: {level: row[f"{d}.{level}"] for level in RATING_LEVELS}
                       for d in RATING_DIMENSIONS},
    } for row in rows]
