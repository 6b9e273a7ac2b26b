"""The rating entrypoints, with a real store behind them."""
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import func, select

from core.errors import Conflict
from core.store import InboxEntry
from services.rating.models import RatableCase
from services.rating.service import RatingService

CASE = "JN20261125-000001"


def test_a_redelivered_reply_is_recorded_once_and_opens_rating(store, case_replied):
    service = worker_factory(RatingService, store=store)
    with pytest.raises(Conflict):
        service.submit(CASE, {"service_attitude": "satisfied", "work_efficiency": "satisfied",
                              "handling_quality": "satisfied"})
    event = case_replied()
    service.on_case_replied(event)
    service.on_case_replied(event)
    with store.transaction() as tx:
        assert tx.session.scalar(select(func.count()).select_from(RatableCase)) == 1
        assert tx.session.scalar(select(func.count()).select_from(InboxEntry)) == 1

    rating = service.submit(CASE, {"service_attitude": "satisfied", "work_efficiency": "satisfied",
                                   "handling_quality": "unsatisfied"})
    assert service.get(CASE) == rating
    [score] = service.unit_scores()
    assert score["ratings"] == 1 and score["satisfaction_rate"] == 0.0


@pytest.mark.parametrize("case_number", [20261125, None, ["JN20261125-000001"]])
def test_a_case_number_that_is_not_a_string_is_a_case_not_replied(store, case_number):
    service = worker_factory(RatingService, store=store)
    with pytest.raises(Conflict):
        service.submit(case_number, {"service_attitude": "satisfied",
                                     "work_efficiency": "satisfied",
                                     "handling_quality": "satisfied"})
