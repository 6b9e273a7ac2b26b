"""The weekly, monthly, quarterly, yearly and area counters' migrations fill
them from the daily counters a store already has, on both stores (the SQL
differs: a week's, a month's, a quarter's, a year's first day)."""
from datetime import date

import pytest
from alembic import command
from sqlalchemy import text

from core.config import ROOT
from core.migrations import alembic_config
from core.store import make_engine

DAILY = [  # (day, unit, area, measure, value)
    (date(2026, 10, 3), "U1", "370102", "received", 2),
    (date(2026, 10, 31), "U1", "370102001", "received", 1),
    (date(2026, 11, 1), "U1", "370102", "received", 4),
    (date(2026, 11, 1), "U2", "370112", "rated", 1),
    (date(2026, 11, 30), "U2", "370112", "rated", -1),  # a count moved away nets to nothing
]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, sqlite_url):
    return sqlite_url if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_the_monthly_counters_start_as_the_daily_ones_summed(url):
    config = alembic_config(ROOT / "services" / "reports", url)
    command.upgrade(config, "0cbc6890711e")
    engine = make_engine(url)
    with engine.begin() as conn:
        for day, unit, area, measure, value in DAILY:
            conn.execute(text(
                "INSERT INTO daily_counts (day, unit_code, area_code, category, channel, measure,"
                " value) VALUES (:day, :unit, :area, 'housing', 'online', :measure, :value)"),
                dict(day=day, unit=unit, area=area, measure=measure, value=value))
    command.upgrade(config, "head")
    with engine.connect() as conn:
        months = {(str(day), unit, measure): value for day, unit, measure, value in conn.execute(
            text("SELECT day, unit_code, measure, SUM(value) FROM monthly_counts "
                 "GROUP BY day, unit_code, measure"))}
        areas = {table: {(parent, area, str(day), measure): value
                         for parent, area, day, measure, value in conn.execute(text(
                             f"SELECT parent, area_code, day, measure, value FROM {table}"))}
                 for table in ("daily_area_counts", "monthly_area_counts")}
        longer = {table: {(str(day), unit, measure): value for day, unit, measure, value in
                          conn.execute(text(f"SELECT day, unit_code, measure, SUM(value) FROM {table} "
                                            "GROUP BY day, unit_code, measure"))}
                  for table in ("weekly_counts", "quarterly_counts", "yearly_counts")}
    engine.dispose()
    assert months == {("2026-10-01", "U1", "received"): 3, ("2026-11-01", "U1", "received"): 4}
    # Saturday 10-03 in the week from 09-28; 10-31 and 11-01 (Saturday, Sunday) from 10-26;
    # 11-30 a Monday: U2's rating and its move away are in two weeks
    assert longer == {"weekly_counts": {("2026-09-28", "U1", "received"): 2,
                                        ("2026-10-26", "U1", "received"): 5,
                                        ("2026-10-26", "U2", "rated"): 1,
                                        ("2026-11-30", "U2", "rated"): -1},
                      "quarterly_counts": {("2026-10-01", "U1", "received"): 7},
                      "yearly_counts": {("2026-01-01", "U1", "received"): 7}}
    # the city, its district and the district's own cases or town, per day and per month
    assert areas["daily_area_counts"] == {
        ("", "3701", "2026-10-03", "received"): 2, ("3701", "370102", "2026-10-03", "received"): 2,
        ("370102", "370102", "2026-10-03", "received"): 2,
        ("", "3701", "2026-10-31", "received"): 1, ("3701", "370102", "2026-10-31", "received"): 1,
        ("370102", "370102001", "2026-10-31", "received"): 1,
        ("", "3701", "2026-11-01", "received"): 4, ("3701", "370102", "2026-11-01", "received"): 4,
        ("370102", "370102", "2026-11-01", "received"): 4,
        ("", "3701", "2026-11-01", "rated"): 1, ("3701", "370112", "2026-11-01", "rated"): 1,
        ("370112", "370112", "2026-11-01", "rated"): 1,
        ("", "3701", "2026-11-30", "rated"): -1, ("3701", "370112", "2026-11-30", "rated"): -1,
        ("370112", "370112", "2026-11-30", "rated"): -1}
    assert areas["monthly_area_counts"] == {
        ("", "3701", "2026-10-01", "received"): 3, ("3701", "370102", "2026-10-01", "received"): 3,
        ("370102", "370102", "2026-10-01", "received"): 2,
        ("370102", "370102001", "2026-10-01", "received"): 1,
        ("", "3701", "2026-11-01", "received"): 4, ("3701", "370102", "2026-11-01", "received"): 4,
        ("370102", "370102", "2026-11-01", "received"): 4}


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
