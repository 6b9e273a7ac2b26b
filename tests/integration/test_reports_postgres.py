"""The reports store on PostgreSQL: migrated, fed the month of
tests/reports_month.py and the suggestions' steps of tests/suggestion_steps.py,
it answers every figure as SQLite does, and two events of one day that touch
the same counters concurrently lose nothing."""
import uuid
from pathlib import Path

import eventlet
from sqlalchemy.orm import sessionmaker

import services.reports
from core import events
from core.migrations import upgrade
from core.store import StoreHandle, make_engine
from services.reports import figures, projections, suggestions
from services.reports.models import Base
from services.reports.settings import Settings
from tests.kit import sqlite_store
from tests.reports_month import AS_OF, NOVEMBER, RULES, feed, loaded_events
from tests.suggestion_steps import EXPECTED_TOPIC, loaded_steps

BREAKDOWNS = (None, "unit", "area", "category", "channel", "day")


def answers(store):
    with store.transaction() as tx:
        return [figures.figures(tx, {**NOVEMBER, "by": by}, AS_OF) for by in BREAKDOWNS] + [
            suggestions.figures(tx, {**NOVEMBER, "topic": None, "department": None,
                                     "area_code": None}, AS_OF)]


def test_postgres_gives_the_figures_sqlite_gives(postgres_url, sqlite_url):
    settings = Settings.from_config({"ASSESSMENT": RULES})
    upgrade(Path(services.reports.__file__).parent, postgres_url)
    engine = make_engine(postgres_url)
    postgres = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="reports.test")
    steps = [(events.SUGGESTION_STEP, step) for step in loaded_steps()]
    feed(postgres, settings, loaded_events() + steps)
    with sqlite_store(sqlite_url, Base) as sqlite:
        feed(sqlite, settings, loaded_events() + steps)
        assert answers(postgres) == answers(sqlite)
    assert answers(postgres)[-1]["topics"][0] == EXPECTED_TOPIC

    # the same counters (one day, unit, area, category, channel) from two workers at once
    template = next(event for contract, event in loaded_events()
                    if contract is events.PETITION_SUBMITTED and event["case_number"].endswith("01"))

    def consume(n):
        event = {**template, "event_id": uuid.uuid4(), "case_number": f"JN20261102-9{n:05d}",
                 "petitioner_key": None}
        with postgres.transaction() as tx:
            projections.consume(tx, settings, events.PETITION_SUBMITTED, event)

    before = answers(postgres)[0][0]["received"]
    for worker in [eventlet.spawn(consume, n) for n in range(8)]:
        worker.wait()
    assert answers(postgres)[0][0]["received"] == before + 8
    engine.dispose()
