"""The event contracts: public events carry no personal data."""
import pytest
from marshmallow import ValidationError

from core import events

PERSONAL = {"name", "id_number", "phone", "query_code", "content", "reply", "address"}


@pytest.mark.parametrize("contract", [c for c in events.ALL if not c.private],
                         ids=lambda c: c.event_type)
def test_a_public_event_has_no_personal_field(contract):
    assert not PERSONAL & set(contract.schema().fields)


def test_only_private_contracts_use_a_private_exchange():
    assert events.PRIVATE_EXCHANGES == {events.PETITIONER_CONTACT.exchange}
    assert all(not c.exchange.endswith(".private.events") for c in events.ALL if not c.private)


def test_a_field_outside_the_contract_is_not_published():
    payload = events.CASE_REPLIED.build(case_number="JN20261125-000001", area_code="370102",
                                        unit_code="370102-ZJJ", replied_by="staff",
                                        reply="张三的电话13812345678")
    assert "reply" not in payload and "13812345678" not in str(payload)


@pytest.mark.parametrize("payload", [None, [1], "text", {"version": 2}])
def test_what_is_not_an_event_of_this_contract_is_refused(payload):
    with pytest.raises(ValidationError):
        events.CASE_REPLIED.load(payload)
