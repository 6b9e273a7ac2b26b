"""A seeded routing store per test (copied from one seeded file: hashing the
demo passwords with argon2 is deliberately slow), and event builders
(fixtures, since test modules cannot import this file)."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from core import events
from core.calendar import WorkingCalendar
from core.store import OutboxMessage
from services.routing import directory_seed
from services.routing.deadlines import DEFAULT_TRACK_WORKING_DAYS, Schedule
from services.routing.models import Base
from tests.kit import store_copy, template_store

DEMO_PASSWORD = "petition-demo"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    def seed(store):
        with store.transaction() as tx:
            directory_seed.seed(tx, DEMO_PASSWORD)
    return template_store(tmp_path_factory, "routing", Base, seed)


@pytest.fixture
def store(seeded_template, tmp_path):
    with store_copy(seeded_template, tmp_path, Base) as store:
        yield store


@pytest.fixture
def auth():
    """Sign-in as configured by default (services/routing/config.yaml)."""
    from services.routing.auth import Auth, PasswordHashing, SignInPolicy
    return Auth(PasswordHashing(), SignInPolicy.from_config({}))


@pytest.fixture(scope="session")
def schedule():
    return Schedule(WorkingCalendar(), DEFAULT_TRACK_WORKING_DAYS)


@pytest.fixture
def emitted(store):
    """Payloads in the test store's outbox, oldest first."""
    def payloads():
        with store.transaction() as tx:
            return [m.payload for m in
                    tx.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    return payloads


def _submitted(case_number="JN20260930-000001", category="housing", area_code="370102",
              submitted_at=datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)):
    """A petition_submitted event as a handler receives it (built, then loaded)."""
    return events.PETITION_SUBMITTED.load(events.PETITION_SUBMITTED.build(
        case_number=case_number, area_code=area_code, unit_code=None, category=category,
        title="楼上漏水", submitted_at=submitted_at, channel="online"))


def _returned(routing, case_number="JN20260930-000001", reason="不属于本单位职责",
             occurred_at=datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)):
    """A case_returned event for the routing described by ``routing`` (a petition_routed payload)."""
    return events.CASE_RETURNED.load(events.CASE_RETURNED.build(
        case_number=case_number, area_code=routing["area_code"], unit_code=routing["unit_code"],
        reason=reason, returned_by="someone", routing_seq=routing["routing_seq"],
        occurred_at=occurred_at))


@pytest.fixture
def submitted():
    return _submitted


@pytest.fixture
def returned():
    return _returned
