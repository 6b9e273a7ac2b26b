"""The monthly counters' migration fills them from the daily counters a store
already has, on both stores (the SQL differs: a month's first day)."""
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text

from core.config import ROOT
from core.migrations import alembic_config
from core.store import make_engine

DAILY = [  # (day, unit, measure, value)
    (date(2026, 10, 3), "U1", "received", 2), (date(2026, 10, 31), "U1", "received", 1),
    (date(2026, 11, 1), "U1", "received", 4), (date(2026, 11, 1), "U2", "rated", 1),
    (date(2026, 11, 30), "U2", "rated", -1),  # a count moved away nets to nothing
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url):
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_the_monthly_counters_start_as_the_daily_ones_summed(url):
    config = alembic_config(ROOT / "services" / "reports", url)
    command.upgrade(config, "0cbc6890711e")
    engine = make_engine(url)
    with engine.begin() as conn:
        for day, unit, measure, value in DAILY:
            conn.execute(text(
                "INSERT INTO daily_counts (day, unit_code, area_code, category, channel, measure,"
                " value) VALUES (:day, :unit, '370102', 'housing', 'online', :measure, :value)"),
                dict(day=day, unit=unit, measure=measure, value=value))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        months = {(str(day), unit, measure): value for day, unit, measure, value in conn.execute(
            text("SELECT day, unit_code, measure, value FROM monthly_counts"))}
    engine.dispose()
    assert months == {("2026-10-01", "U1", "received"): 3, ("2026-11-01", "U1", "received"): 4}


def test_archived_events_get_their_case_from_the_payload(url):
    """Retention finds a case's archived events by an indexed column: the
    migration that adds it fills it for the events already archived."""
    config = alembic_config(ROOT / "services" / "reports", url)
    command.upgrade(config, "5a1d2c3e4f60")
    engine = make_engine(url)
    with engine.begin() as conn:
        for n, payload in enumerate(('{"case_number": "JN20261125-000001", "x": 1}',
                                     '{"number": "JY20261125-000001"}')):
            conn.execute(text(
                "INSERT INTO archived_events (event_id, event_type, version, payload, received_at)"
                " VALUES (:id, 'petition_submitted', 1, :payload, '2026-11-25 01:00:00')"),
                dict(id=f"e{n}", payload=payload))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        found = dict(conn.execute(text("SELECT event_id, case_number FROM archived_events")).all())
    engine.dispose()
    assert found == {"e0": "JN20261125-000001", "e1": None}
