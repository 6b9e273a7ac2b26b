"""Personal-data retention, notify's part (services/notify/retention.py): the
texts to the petitioner (the query code among them) lose their number and
body after the messages period, the kept phone after the case-file period;
afterwards the case is texted no more; a unit's email is the unit's."""
from datetime import datetime, timezone

from nameko.testing.services import worker_factory
from sqlalchemy import select

from core import events
from services.notify import sending
from services.notify.models import DeliveryAttempt, Erasure, Message, Recipient
from services.notify.service import NotifyService
from tests.kit import personal_data_expired, sealed
from tests.unit.notify.conftest import CASE, _event


def rows(store, model):
    with store.transaction() as tx:
        return tx.session.scalars(select(model)).all()


def test_texts_then_the_phone_are_erased_and_nothing_more_is_sent(store, failing, recording,
                                                                   contact, routed):
    service = worker_factory(NotifyService, store=store, delivery=recording)
    service.on_petitioner_contact(contact())
    service.on_petition_routed(routed())
    sending.send_due(store, failing)  # an attempt with an error, then sent
    with store.transaction() as tx:  # whatever is left pending is sent now
        for message in tx.session.scalars(select(Message)):
            message.next_attempt_at = message.created_at
    sending.send_due(store, recording)
    assert {m.status for m in rows(store, Message)} == {"sent"}
    assert any(a.error for a in rows(store, DeliveryAttempt))

    service.on_personal_data_expired(personal_data_expired(CASE, "messages"))
    assert {(m.to_encrypted, m.to_masked, m.body_encrypted) for m in rows(store, Message)} == {
        ("", "", "")}
    assert {a.error for a in rows(store, DeliveryAttempt)} == {None}
    (recipient,) = rows(store, Recipient)
    assert recipient.phone_masked == "138****5678"  # the case-file period is longer
    assert [m["template"] for m in service.messages_for_case(CASE)] == [
        "query_code", "petition_routed"]  # the record of what was sent stays

    service.on_personal_data_expired(personal_data_expired(CASE, "case_file"))
    (recipient,) = rows(store, Recipient)
    assert (recipient.phone_encrypted, recipient.phone_masked) == ("", "")
    audit = {e.period: e.counts for e in rows(store, Erasure)}
    assert audit["messages"]["messages.body_encrypted"] == 2
    assert audit["case_file"] == {"recipients.phone_encrypted": 1, "recipients.phone_masked": 1}

    # a late event about the case texts no one
    service.on_case_declined(_event(events.CASE_DECLINED, actor="li", from_state="routed",
                                    to_state="declined", reason="不属于本单位"))
    assert len(rows(store, Message)) == 2


def test_a_proposers_texts_are_erased_as_a_petitioners(store, recording, secrets_env):
    """The texts to a proposer (kept under the proposal's number) lose their
    number and body when the suggestions store announces the messages period."""
    number = "JY20261125-000001"
    service = worker_factory(NotifyService, store=store, delivery=recording)
    for text in ("您的建议已受理", "您的建议已办结"):
        service.on_proposer_message(events.PROPOSER_MESSAGE.load(events.PROPOSER_MESSAGE.build(
            number=number, area_code="370102",
            sealed=sealed(secrets_env, phone="13912345678", text=text))))
    sending.send_due(store, recording)
    assert {(m.case_number, m.status, m.to_masked) for m in rows(store, Message)} == {
        (number, "sent", "139****5678")}

    def expired(period):
        contract = events.PROPOSER_DATA_EXPIRED
        return contract.load(contract.build(number=number, period=period,
                                            final_at=datetime(2023, 1, 2, tzinfo=timezone.utc)))

    service.on_proposer_data_expired(expired("messages"))
    assert {(m.to_encrypted, m.to_masked, m.body_encrypted) for m in rows(store, Message)} == {
        ("", "", "")}
    assert {m.status for m in rows(store, Message)} == {"sent"}  # the record stays
    service.on_proposer_data_expired(expired("messages"))  # a second announcement: nothing
    service.on_proposer_data_expired(expired("case_file"))  # no phone kept for a proposer
    audit = {e.period: e.counts for e in rows(store, Erasure) if e.case_number == number}
    # the record provider's two lines of them (its file) forgotten too
    assert audit["messages"] == {"messages.to_encrypted": 2, "messages.to_masked": 2,
                                 "messages.body_encrypted": 2, "delivery_attempts.error": 0,
                                 "sms_log.phone": 2, "sms_log.text": 2}
    assert audit["case_file"] == {"recipients.phone_encrypted": 0,
                                  "recipients.phone_masked": 0}
    assert len(rows(store, Erasure)) == 2
