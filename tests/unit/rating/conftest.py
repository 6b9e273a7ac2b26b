from datetime import datetime, timezone

import pytest

from core import events
from services.rating.models import Base
from tests.kit import store_fixture

CASE = "JN20261125-000001"


store = store_fixture(Base)


@pytest.fixture
def case_replied():
    """Makes case_replied events as a handler receives them (built and loaded
    by the contract)."""
    def make(case_number=CASE, unit_code="U370102-HOUSING",
             occurred_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc)):
        contract = events.CASE_REPLIED
        return contract.load(contract.build(
            case_number=case_number, area_code="370102", unit_code=unit_code,
            occurred_at=occurred_at, replied_by="zhang"))
    return make
