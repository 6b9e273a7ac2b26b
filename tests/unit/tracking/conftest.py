"""A real SQLite tracking store, the service's clocks from its own config on
a clock a test can set, and events built by their contracts."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from core import events
from core.config import LOCAL_TIME, load_config
from core.store import OutboxMessage
from services.tracking.clocks import clocks_from_config
from services.tracking.models import Base, TimelineEntry
from tests.kit import store_fixture

CASE_NUMBER = "JN20261125-000001"
AREA = "370102001"  # a street of 历下区
UNIT = "370102-housing"
ACTORS = {
    "handler": {"username": "li", "unit_code": UNIT, "unit_name": "历下区住建局",
                "role": "handler", "area_code": "370102"},
    "other_handler": {"username": "wang", "unit_code": "370103-housing",
                      "unit_name": "市中区住建局", "role": "handler", "area_code": "370103"},
    "district_bureau": {"username": "zhao", "unit_code": "370102-bureau",
                        "unit_name": "历下区信访局", "role": "bureau_supervisor", "area_code": "370102"},
    "other_district_bureau": {"username": "qian", "unit_code": "370103-bureau",
                              "unit_name": "市中区信访局", "role": "bureau_supervisor", "area_code": "370103"},
    "city_bureau": {"username": "sun", "unit_code": "370100-bureau",
                    "unit_name": "济南市信访局", "role": "bureau_supervisor", "area_code": "370100"},
}
SUBMITTED_AT = datetime(2026, 11, 25, 1, tzinfo=timezone.utc)
# A small directory as routing's ``units`` RPC answers it.
UNITS = {u["code"]: u for u in [
    {"code": "370100-bureau", "name_zh": "济南市信访局", "kind": "petition_bureau",
     "area_code": "370100", "parent": None},
    {"code": "370102-bureau", "name_zh": "历下区信访局", "kind": "petition_bureau",
     "area_code": "370102", "parent": "370100-bureau"},
    {"code": "370100-housing", "name_zh": "济南市住建局", "kind": "department",
     "area_code": "370100", "parent": None},
    {"code": UNIT, "name_zh": "历下区住建局", "kind": "department", "area_code": "370102",
     "parent": "370100-housing"},
    {"code": "370103-housing", "name_zh": "市中区住建局", "kind": "department",
     "area_code": "370103", "parent": "370100-housing"},
    {"code": "370102-water", "name_zh": "历下区水务局", "kind": "department",
     "area_code": "370102", "parent": None},
]}


class SetClock:
    """The clock a test moves by hand (a fake with the real one's behaviour)."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment

    def set(self, local_iso):
        self.moment = datetime.fromisoformat(local_iso).replace(tzinfo=LOCAL_TIME)


@pytest.fixture
def clocks():
    """The city profile from tracking's config.yaml, at 10:00 on 25 Nov 2026."""
    found = clocks_from_config(load_config("tracking"))
    found.clock = SetClock(datetime(2026, 11, 25, 10, tzinfo=LOCAL_TIME))
    return found


class FakeRouting:
    """routing's ``units`` RPC, answered from UNITS."""

    def units(self):
        return list(UNITS.values())


def directory():
    return UNITS


store = store_fixture(Base)


@pytest.fixture
def sessions(store):
    return store.sessions


def received(contract, case_number=CASE_NUMBER, area_code=AREA, unit_code=None, **fields):
    """An event as a handler receives it: built, published as JSON, loaded."""
    return contract.load(contract.build(case_number=case_number, area_code=area_code,
                                        unit_code=unit_code, **fields))


def submitted(**fields):
    return received(events.PETITION_SUBMITTED, **{
        "category": "housing", "title": "小区供暖不热",
        "submitted_at": SUBMITTED_AT, "channel": "online", **fields})


def routed(routing_seq=1, unit_code=UNIT, unit_name="历下区住建局",
           due_date=date(2099, 12, 31), **fields):
    return received(events.PETITION_ROUTED, unit_code=unit_code, **{
        "unit_name": unit_name, "category": "housing", "track": "standard",
        "due_date": due_date, "reason": "按类别和属地分派", "routing_seq": routing_seq, **fields})


def rated(level="satisfied", **fields):
    return received(events.RATING_SUBMITTED, unit_code=UNIT, **{
        "service_attitude": "satisfied", "work_efficiency": "satisfied",
        "handling_quality": level, **fields})


def timeline_count(store):
    with store.transaction() as tx:
        return tx.session.scalar(select(func.count()).select_from(TimelineEntry))


def emitted(store):
    """The payloads in the outbox, oldest first."""
    with store.transaction() as tx:
        return [row.payload for row in tx.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id))]
