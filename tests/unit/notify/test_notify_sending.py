"""Delivering messages: the record provider, retries with backoff, failure."""
from datetime import timedelta, timezone

from nameko.testing.services import worker_factory
from sqlalchemy import select

from core.store import OutboxMessage
from services.notify import messages, sending
from services.notify.models import DeliveryAttempt, Message
from services.notify.service import NotifyService

CASE, PHONE, QUERY_CODE = "JN20261125-000001", "13812345678", "K7Q2-M9XP-4TNA"


def _queue_contact(store, cipher, contact):
    with store.transaction() as tx:
        messages.record_contact(tx, cipher, contact())


def _queued_at(store):
    return _message(store).next_attempt_at.replace(tzinfo=timezone.utc)


def _message(store):
    with store.transaction() as tx:
        return tx.session.scalars(select(Message)).one()


def test_the_record_provider_writes_what_the_citizen_receives(
        store, cipher, recording, sms_log, contact):
    service = worker_factory(NotifyService, store=store, delivery=recording)
    service.on_petitioner_contact(contact())
    service.send_due()

    [line] = sms_log.read_text(encoding="utf-8").splitlines()
    _at, phone, sms = line.split("\t")
    assert phone == PHONE and f"查询码{QUERY_CODE}" in sms
    [listed] = service.messages_for_case(CASE)
    assert (listed["status"], listed["attempts"]) == ("sent", 1) and listed["sent_at"]
    service.send_due()  # a sent message is never sent again
    assert len(sms_log.read_text(encoding="utf-8").splitlines()) == 1


def test_failed_sends_back_off_then_the_message_fails_and_operators_are_told(
        store, cipher, failing, contact):
    _queue_contact(store, cipher, contact)
    now = _queued_at(store)
    # base 10s, 3 attempts: tried at once, again 10s later, again 20s after that
    for wait, tried in [(0, 1), (9, 0), (1, 1), (19, 0), (1, 1), (3600, 0)]:
        now += timedelta(seconds=wait)
        assert sending.send_due(store, failing, now=now) == tried

    with store.transaction() as tx:
        message = tx.session.scalars(select(Message)).one()
        attempts = tx.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).all()
        [failed] = tx.session.scalars(select(OutboxMessage.payload)).all()
    assert (message.status, message.attempts) == ("failed", 3)
    gaps = [b.at - a.at for a, b in zip(attempts, attempts[1:])]
    assert gaps == [timedelta(seconds=10), timedelta(seconds=20)]
    assert not any(a.ok for a in attempts)
    assert "failing provider" in attempts[0].error
    assert failed["event_type"] == "notification_failed"
    assert (failed["message_id"], failed["attempts"], failed["template"]) == (
        message.id, 3, "query_code")
    assert QUERY_CODE not in str(failed) and PHONE not in str(failed)


def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(
        store, cipher, recording, contact):
    _queue_contact(store, cipher, contact)
    policy, t0 = recording.policy, _queued_at(store)
    with store.transaction() as tx:
        [claim] = sending.claim_due(tx, policy, t0)
    with store.transaction() as tx:  # a second sender run meanwhile
        assert sending.claim_due(tx, policy, t0 + timedelta(seconds=1)) == []

    # the first sender died; after the lease another one takes the message over
    later = t0 + timedelta(seconds=policy.lease_seconds)
    with store.transaction() as tx:
        [again] = sending.claim_due(tx, policy, later)
    with store.transaction() as tx:  # the first sender's late outcome changes nothing
        sending.record_attempt(tx, claim, "TimeoutError", policy, later)
    with store.transaction() as tx:
        sending.record_attempt(tx, again, None, policy, later)
    message = _message(store)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)
