"""Personal-data retention, rating's part (services/rating/retention.py): the
petitioner's comment goes; the levels, and so every unit's score, stay."""
from nameko.testing.services import worker_factory
from sqlalchemy import select

from services.rating.models import Erasure
from services.rating.service import RatingService
from tests.kit import personal_data_expired
from tests.unit.rating.conftest import CASE

LEVELS = dict(service_attitude="satisfied", work_efficiency="basically_satisfied",
              handling_quality="unsatisfied")


def test_the_comment_goes_the_levels_and_scores_stay(store, case_replied):
    service = worker_factory(RatingService, store=store)
    other = "JN20261125-000002"
    for number in (CASE, other):
        service.on_case_replied(case_replied(case_number=number))
        service.submit(number, {**LEVELS, "comment": "经办人王五态度差，我的电话13812345678"})
    scores = service.unit_scores()

    service.on_personal_data_expired(personal_data_expired(CASE))
    erased = service.get(CASE)
    assert erased["comment"] is None
    assert {k: erased[k] for k in LEVELS} == LEVELS
    assert service.get(other)["comment"].startswith("经办人王五")
    assert service.unit_scores() == scores
    service.on_personal_data_expired(personal_data_expired(CASE))  # again: nothing
    with store.transaction() as tx:
        (erasure,) = tx.session.scalars(select(Erasure)).all()
    assert (erasure.case_number, erasure.counts) == (CASE, {"ratings.comment": 1})
