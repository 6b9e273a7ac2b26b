"""Rating rules, against a real SQLite store."""

import pytest
from sqlalchemy import event, func, select

from core.errors import Conflict, InvalidInput
from core.store import OutboxMessage
from services.rating import ratings, scores
from services.rating.models import Rating

CASE = "JN20261125-000001"

ALL_SATISFIED = dict(service_attitude="satisfied", work_efficiency="basically_satisfied",
                     handling_quality="satisfied")


@pytest.fixture
def replied(store, case_replied):
    """Records the reply that opens a case for rating."""
    def record(case_number=CASE, unit_code="U370102-HOUSING"):
        with store.transaction() as tx:
            ratings.record_reply(tx, case_replied(case_number, unit_code))
    return record


def outbox(store):
    with store.transaction() as tx:
        return [row.payload for row in tx.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id))]


def test_a_case_cannot_be_rated_before_its_reply_and_unknown_cases_look_the_same(store):
    with pytest.raises(Conflict) as unknown, store.transaction() as tx:
        ratings.submit(tx, "JN20261125-999999", ALL_SATISFIED)
    assert unknown.value.message == "the case has not been replied yet"
    with pytest.raises(Conflict) as not_string, store.transaction() as tx:
        ratings.submit(tx, 42, ALL_SATISFIED)
    assert not_string.value.message == unknown.value.message
    assert outbox(store) == []


def test_bad_input_names_each_bad_field(store, replied):
    replied()
    with pytest.raises(InvalidInput) as exc, store.transaction() as tx:
        ratings.submit(tx, CASE, {"service_attitude": "great", "handling_quality": "satisfied",
                                  "comment": "长" * 501, "speed": "satisfied"})
    assert set(exc.value.details) == {"service_attitude", "work_efficiency", "comment", "speed"}
    with pytest.raises(InvalidInput) as not_a_dict, store.transaction() as tx:
        ratings.submit(tx, CASE, "satisfied")
    assert not_a_dict.value.details
    with store.transaction() as tx:
        assert tx.session.scalar(select(func.count()).select_from(Rating)) == 0


def test_a_satisfied_rating_is_stored_and_announced(store, replied):
    replied()
    with store.transaction() as tx:
        rating = ratings.submit(tx, CASE, {**ALL_SATISFIED, "comment": "办得很快"})
    assert rating["unit_code"] == "U370102-HOUSING" and rating["comment"] == "办得很快"
    assert rating["submitted_at"].endswith("+08:00")  # every moment answered in China's time
    with store.transaction() as tx:
        assert ratings.get(tx, CASE) == rating
        assert ratings.get(tx, "JN20261125-999999") is None

    [submitted] = outbox(store)
    assert submitted["event_type"] == "rating_submitted"
    assert submitted["unit_code"] == "U370102-HOUSING" and submitted["area_code"] == "370102"
    assert {k: submitted[k] for k in ALL_SATISFIED} == ALL_SATISFIED
    assert "comment" not in submitted  # public events carry no free text from the citizen


def test_an_unsatisfied_dimension_is_announced_for_supervision(store, replied):
    replied()
    with store.transaction() as tx:
        ratings.submit(tx, CASE, {**ALL_SATISFIED, "work_efficiency": "unsatisfied",
                                  "handling_quality": "unsatisfied"})
    submitted, unsatisfied = outbox(store)
    assert submitted["event_type"] == "rating_submitted"
    assert unsatisfied["event_type"] == "rating_unsatisfied"
    assert unsatisfied["dimensions"] == ["work_efficiency", "handling_quality"]
    assert unsatisfied["case_number"] == CASE


def test_a_case_is_rated_once(store, replied):
    replied()
    with store.transaction() as tx:
        ratings.submit(tx, CASE, ALL_SATISFIED)
    with pytest.raises(Conflict) as exc, store.transaction() as tx:
        ratings.submit(tx, CASE, {**ALL_SATISFIED, "handling_quality": "unsatisfied"})
    assert exc.value.message == "already rated"
    assert [e["event_type"] for e in outbox(store)] == ["rating_submitted"]


def test_of_two_concurrent_submissions_only_one_commits(store, replied):
    """The second transaction passes the "already rated" check before the first
    commits; the unique constraint still refuses it."""
    replied()
    with pytest.raises(Conflict) as exc, store.transaction() as second:
        @event.listens_for(second.session, "before_flush", once=True)
        def first_commits_meanwhile(*_):
            with store.transaction() as first:
                ratings.submit(first, CASE, ALL_SATISFIED)

        ratings.submit(second, CASE, {**ALL_SATISFIED, "service_attitude": "unsatisfied"})
    assert exc.value.message == "already rated"

    with store.transaction() as tx:
        assert ratings.get(tx, CASE)["service_attitude"] == "satisfied"
    assert [e["event_type"] for e in outbox(store)] == ["rating_submitted"]


def test_unit_scores_count_basically_satisfied_as_satisfied(store, replied):
    given = {
        "JN20261125-000001": ("U-A", ALL_SATISFIED),
        "JN20261125-000002": ("U-A", {**ALL_SATISFIED, "handling_quality": "unsatisfied"}),
        "JN20261125-000003": ("U-A", {k: "basically_satisfied" for k in ALL_SATISFIED}),
        "JN20261125-000004": ("U-B", {k: "unsatisfied" for k in ALL_SATISFIED}),
    }
    for case_number, (unit, levels) in given.items():
        replied(case_number, unit)
        with store.transaction() as tx:
            ratings.submit(tx, case_number, levels)
    replied("JN20261125-000005", "U-C")  # replied, not rated: no score yet

    with store.transaction() as tx:
        unit_a, unit_b = scores.unit_scores(tx)
    assert (unit_a["unit_code"], unit_a["ratings"]) == ("U-A", 3)
    assert unit_a["satisfaction_rate"] == 0.6667
    assert unit_a["dimensions"]["handling_quality"] == {
        "satisfied": 1, "basically_satisfied": 1, "unsatisfied": 1}
    assert unit_a["dimensions"]["service_attitude"] == {
        "satisfied": 2, "basically_satisfied": 1, "unsatisfied": 0}
    assert (unit_b["unit_code"], unit_b["ratings"], unit_b["satisfaction_rate"]) == ("U-B", 1, 0.0)
