"""The event contracts: public events carry no personal data."""
from datetime import datetime, timezone

import pytest
from marshmallow import ValidationError

from core import events

PERSONAL = {"name", "id_number", "phone", "query_code", "content", "reply", "address"}
# Public fields that are about the petitioner without naming them, each allowed
# knowingly: a keyed, purpose-bound pseudonym (intake's settings) that lets
# reports count repeat petitions (重复信访). A new one must be added here, with
# its reason, or the test below fails.
PSEUDONYMS = {"petition_submitted": {"petitioner_key"}}


@pytest.mark.parametrize("contract", [c for c in events.ALL if not c.private],
                         ids=lambda c: c.event_type)
def test_a_public_event_has_no_personal_field(contract):
    names = set(contract.schema().fields)
    assert not PERSONAL & names
    about_the_petitioner = {n for n in names if "petitioner" in n or n.endswith("_hash")}
    assert about_the_petitioner == PSEUDONYMS.get(contract.event_type, set())


def test_the_petitioner_key_must_look_like_a_keyed_hash():
    base = dict(case_number="JN20261125-000001", area_code="370102", unit_code=None,
                category="housing", title="t", submitted_at=datetime(2026, 11, 25, 8, tzinfo=timezone.utc),
                channel="online")
    with pytest.raises(events.ContractViolation):
        events.PETITION_SUBMITTED.build(**base, petitioner_key="370102199003071238")
    # an event from before the field existed still loads, with no key
    old = events.PETITION_SUBMITTED.build(**base)
    assert events.PETITION_SUBMITTED.load(old)["petitioner_key"] is None


def test_only_private_contracts_use_a_private_exchange():
    assert events.PRIVATE_EXCHANGES == {events.PETITIONER_CONTACT.exchange,
                                       events.PROPOSER_MESSAGE.exchange}
    assert events.PROPOSER_DATA_EXPIRED.exchange == events.PROPOSER_MESSAGE.exchange
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


def test_one_unsatisfied_dimension_makes_the_rating_unsatisfied():
    levels = {"service_attitude": "satisfied", "work_efficiency": "basically_satisfied",
              "handling_quality": "unsatisfied"}
    assert events.unsatisfied_dimensions(levels) == ["handling_quality"]
    assert events.unsatisfied_dimensions({**levels, "handling_quality": "satisfied"}) == []


def test_the_events_for_subscribers_only_are_those_no_service_consumes():
    """What the outbox relay does not set aside when no queue takes it
    (core/publish.py): a service that starts consuming one must take it out."""
    from deploy.topology import all_handler_queues
    consumed = {q.contract.event_type for q in all_handler_queues("amqp://unused/")}
    assert events.FOR_SUBSCRIBERS_ONLY == {c.event_type for c in events.ALL} - consumed
