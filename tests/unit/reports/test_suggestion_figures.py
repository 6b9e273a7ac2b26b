"""The people's suggestions' figures in reports (services/reports/suggestions.py)
with nameko's worker_factory on a real SQLite store: the suggestions' public
steps consumed once each, archived, counted per topic, department, area and
day; the exact figures of tests/suggestion_steps.py, computed by hand there;
any order, a redelivery and a rebuild give the same counters."""
import random

import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from core import events
from core.errors import InvalidInput
from services.reports import projections, suggestions
from services.reports.models import ArchivedEvent, ProposalFact, SuggestionCount
from services.reports.service import ReportsService
from services.suggestions.workflow import STEPS
from tests.suggestion_steps import (
    EXPECTED_JT,
    EXPECTED_NO_TOPIC,
    EXPECTED_TOPIC,
    EXPECTED_ZJJ,
    JT,
    NOVEMBER,
    OCTOBER,
    TOPIC,
    ZERO,
    ZJJ,
    loaded_steps,
    number,
)


def fed(store, settings, stream):
    service = worker_factory(ReportsService, store=store, settings=settings)
    for event in stream:
        service.on_suggestion_step(event)
    return service


def counters(store):
    with store.transaction() as tx:
        return sorted(tx.session.execute(select(SuggestionCount.__table__)).all())


def test_the_month_per_topic_and_department(store, settings):
    service = fed(store, settings, loaded_steps())
    november = service.suggestion_figures(NOVEMBER)
    assert (november["from"], november["to"]) == ("2026-11-01", "2026-11-30")
    assert november["topics"] == [EXPECTED_TOPIC, EXPECTED_NO_TOPIC]
    assert november["departments"] == [EXPECTED_JT, EXPECTED_ZJJ]
    assert set(november["method"]) >= {"adoption_rate", "answer_days_avg"}
    # proposal 6 was received in October, for the department it later went to
    october = service.suggestion_figures(OCTOBER)
    assert october["topics"] == [{**EXPECTED_TOPIC, **ZERO, "key": "7", "received": 1}]
    assert october["departments"] == [{**ZERO, "key": ZJJ, "name": None, "received": 1}]


def test_filtered_by_topic_department_and_area(store, settings):
    service = fed(store, settings, loaded_steps())
    one = service.suggestion_figures({**NOVEMBER, "topic": str(TOPIC), "department": JT})
    assert one["topics"] == [{**ZERO, "key": "7", "name": "公交出行征集建议", "received": 1,
                              "accepted": 1, "forwarded": 1}]
    assert one["departments"] == [EXPECTED_JT]
    # proposal 2 alone is about 370103; the city (3701) holds every proposal
    [district] = service.suggestion_figures({**NOVEMBER, "area_code": "370103"})["topics"]
    assert (district["received"], district["answered"], district["not_adopted"],
            district["adoption_rate"], district["answer_days_avg"]) == (1, 1, 1, 0.0, 4.0)
    city = service.suggestion_figures({**NOVEMBER, "area_code": "370100"})
    assert city["topics"] == [EXPECTED_TOPIC, EXPECTED_NO_TOPIC]
    assert service.suggestion_figures({**NOVEMBER, "topic": "8"})["topics"] == []


def test_a_redelivered_step_counts_once_and_every_step_is_archived(store, settings):
    stream = loaded_steps()
    service = fed(store, settings, stream + stream[:5])
    assert service.suggestion_figures(NOVEMBER)["topics"] == [EXPECTED_TOPIC, EXPECTED_NO_TOPIC]
    with store.transaction() as tx:
        archived = tx.session.scalars(select(ArchivedEvent.event_type)).all()
    assert archived == ["suggestion_step"] * len(stream)


def test_any_order_and_a_rebuild_give_the_same_counters(store, store_factory, settings):
    stream = loaded_steps()
    fed(store, settings, stream)
    shuffled = store_factory()
    fed(shuffled, settings, random.Random(8).sample(stream, len(stream)))
    backwards = store_factory()
    fed(backwards, settings, stream[::-1])
    assert counters(store) == counters(shuffled) == counters(backwards)
    # a count moved with its proposal to the department leaves no row behind
    assert all(row.value > 0 for row in counters(backwards))
    before = counters(store)
    with store.transaction() as tx:
        assert projections.rebuild(tx, settings) == len(stream)
    assert counters(store) == before
    with store.transaction() as tx:
        fact = tx.session.get(ProposalFact, number(1))
        assert (fact.topic_id, fact.department, sorted(fact.steps)) == (
            TOPIC, ZJJ, ["accepted", "adopted", "forwarded", "published", "received"])


def test_every_step_of_the_workflow_is_counted():
    """A step added to the suggestions' workflow needs a measure here (or it
    is archived and counts nothing until one is added and the store rebuilt)."""
    assert set(suggestions.STEP_MEASURES) == {"submit", *STEPS}


@pytest.mark.parametrize("query, field", [
    ({"period": "decade"}, "period"), ({"topic": "abc"}, "topic"), ({"topic": "0"}, "topic"),
    ({"department": "x" * 41}, "department"), ({"area_code": "37"}, "area_code"),
    ({"period": "range", "from": "2026-11-30", "to": "2026-11-01"}, "to"),
    ({"date": "yesterday"}, "date"),
])
def test_bad_input_names_the_field_in_chinese_and_english(store, settings, query, field):
    service = worker_factory(ReportsService, store=store, settings=settings)
    with pytest.raises(InvalidInput) as bad:
        service.suggestion_figures(query)
    assert set(bad.value.details) == {field}
    [reason] = bad.value.details[field]
    assert any("\u4e00" <= c <= "\u9fff" for c in reason) and "(" in reason, reason


def test_the_step_events_carry_the_topic_title_and_no_proposer():
    step = events.SUGGESTION_STEP.build(number=number(1), topic_id=7, topic_title="公交出行征集建议",
                                        area_code="370102", department=None, action="submit",
                                        from_state=None, to_state="submitted")
    assert events.SUGGESTION_STEP.load(step)["topic_title"] == "公交出行征集建议"
    older = {k: v for k, v in step.items() if k != "topic_title"}  # published before it was added
    assert events.SUGGESTION_STEP.load(older)["topic_title"] is None
