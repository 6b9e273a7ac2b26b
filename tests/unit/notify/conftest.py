from datetime import date

import pytest

from core import events
from core.privacy import FieldCipher
from services.notify.models import Base
from services.notify.providers import FailingProvider, RecordProvider
from services.notify.sending import Delivery, RetryPolicy
from tests.kit import store_fixture

CASE = "JN20261125-000001"
PHONE = "13812345678"
QUERY_CODE = "K7Q2-M9XP-4TNA"


store = store_fixture(Base)


@pytest.fixture
def cipher(secrets_env):
    return FieldCipher(secrets_env["CONTACT_ENCRYPTION_KEYS"])


@pytest.fixture
def sms_log(tmp_path):
    return tmp_path / "sms.log"


@pytest.fixture
def recording(cipher, sms_log):
    return Delivery(cipher, RecordProvider(sms_log), RetryPolicy())


@pytest.fixture
def failing(cipher):
    return Delivery(cipher, FailingProvider(),
                    RetryPolicy(base_seconds=10, max_attempts=3, lease_seconds=60))


def _event(contract, **fields):
    """An event as a handler receives it: built and loaded by its contract."""
    envelope = dict(case_number=CASE, area_code="370102", unit_code=None)
    return contract.load(contract.build(**{**envelope, **fields}))


@pytest.fixture
def contact():
    return lambda: _event(events.PETITIONER_CONTACT, phone=PHONE, query_code=QUERY_CODE)


@pytest.fixture
def routed():
    return lambda: _event(events.PETITION_ROUTED, unit_code="370102-ZJJ", unit_name="历下区住建局",
                          category="housing", track="standard", due_date=date(2026, 12, 9),
                          reason="按属地和职能", routing_seq=1)
