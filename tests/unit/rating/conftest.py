from datetime import datetime, timezone

import pytest
from sqlalchemy.orm import sessionmaker

from core import events
from core.store import StoreHandle, create_tables, make_engine
from services.rating.models import Base

CASE = "JN20261125-000001"


@pytest.fixture
def store(sqlite_url):
    engine = make_engine(sqlite_url)
    create_tables(engine, Base)
    yield StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="rating.test")
    engine.dispose()


@pytest.fixture
def case_replied():
    """Makes case_replied events as a handler receives them (built and loaded
    by the contract)."""
    def make(case_number=CASE, unit_code="U370102-HOUSING",
             occurred_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc)):
        contract = events.CASE_REPLIED
        return contract.load(contract.build(
            case_number=case_number, area_code="370102", unit_code=unit_code,
            occurred_at=occurred_at, reply="已为您协调解决", replied_by="zhang"))
    return make
