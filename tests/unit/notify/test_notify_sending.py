"""Delivering messages: the record provider, retries with backoff, failure."""
from dataclasses import replace
from datetime import timedelta, timezone

import pytest
import sqlalchemy
from nameko.testing.services import worker_factory
from sqlalchemy import select

from core import events
from core.store import OutboxMessage, utcnow
from services.notify import messages, sending
from services.notify.models import DeliveryAttempt, Message
from services.notify.providers import RecordProvider
from services.notify.service import NotifyService
from tests.kit import sealed

CASE, PHONE, QUERY_CODE = "JN20261125-000001", "13812345678", "K7Q2-M9XP-4TNA"


def _queue_contact(store, cipher, contact, opened):
    with store.transaction() as tx:
        messages.record_contact(tx, cipher, opened(contact()))


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
    _at, phone, sms, key = line.split("\t")
    assert phone == PHONE and f"查询码{QUERY_CODE}" in sms
    assert key == f"key={_message(store).id}"  # the message's id: the same on every attempt
    [listed] = service.messages_for_case(CASE)
    assert (listed["status"], listed["attempts"]) == ("sent", 1) and listed["sent_at"]
    service.send_due()  # a sent message is never sent again
    assert len(sms_log.read_text(encoding="utf-8").splitlines()) == 1


def test_failed_sends_back_off_then_the_message_fails_and_operators_are_told(
        store, cipher, failing, contact, opened):
    _queue_contact(store, cipher, contact, opened)
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


def _taken_over(store, cipher, recording, contact, opened):
    """A message claimed, not claimed again while its lease holds, then taken
    over by a second sender: (the first claim, the second, the moment of it)."""
    _queue_contact(store, cipher, contact, opened)
    policy, t0 = recording.policy, _queued_at(store)
    with store.transaction() as tx:
        [first] = sending.claim_due(tx, policy, t0)
    with store.transaction() as tx:  # a second sender run meanwhile
        assert sending.claim_due(tx, policy, t0 + timedelta(seconds=1)) == []
    # the first sender died; after the lease another one takes the message over
    later = t0 + timedelta(seconds=policy.lease_seconds)
    with store.transaction() as tx:
        [again] = sending.claim_due(tx, policy, later)
    return first, again, later


def test_a_claimed_message_is_not_claimed_again_until_its_lease_runs_out(
        store, cipher, recording, contact, opened):
    claim, again, later = _taken_over(store, cipher, recording, contact, opened)
    # the first sender's late outcome changes nothing (its attempt is logged)
    sending._record(store, recording, [(claim, "TimeoutError", later)])
    sending._record(store, recording, [(again, None, later)])
    message = _message(store)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)


def test_a_late_success_after_a_takeover_leaves_the_message_to_the_new_sender(
        store, cipher, recording, contact, opened):
    # A success is recorded by one UPDATE under the claim's token (sending._SENT):
    # the first sender's, after its lease ran out, must not mark the message
    # sent while the second sender holds it.
    first, again, later = _taken_over(store, cipher, recording, contact, opened)
    sending._record(store, recording, [(first, None, later)])
    message = _message(store)
    assert (message.status, message.attempts, message.claim_token, message.sent_at) == (
        "sending", 0, again.token, None)
    sending._record(store, recording, [(again, None, later + timedelta(seconds=1))])
    message = _message(store)
    assert (message.status, message.attempts, message.claim_token, message.lease_until) == (
        "sent", 1, None, None)
    with store.transaction() as tx:
        logged = tx.session.scalars(select(DeliveryAttempt.ok).order_by(DeliveryAttempt.id)).all()
    assert logged == [True, True]  # both senders' attempts logged


def test_a_batch_of_outcomes_logs_every_attempt_in_order_and_sets_each_message(
        store, cipher, recording, opened, secrets_env):
    _contacts(store, cipher, opened, secrets_env, 3)
    policy = recording.policy
    with store.transaction() as tx:
        now = max(m.next_attempt_at for m in tx.session.scalars(select(Message)))
        claims = sending.claim_due(tx, policy, now)
    assert len(claims) == 3
    ok1, bad, ok2 = claims
    sending._record(store, recording, [(ok1, None, now), (bad, "TimeoutError: x", now),
                                       (ok2, None, now)])
    with store.transaction() as tx:
        rows = {m.id: m for m in tx.session.scalars(select(Message))}
        attempts = [(a.message_id, a.ok, a.error) for a in
                    tx.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id))]
    for sent in (ok1, ok2):
        assert (rows[sent.message_id].status, rows[sent.message_id].attempts) == ("sent", 1)
    failed = rows[bad.message_id]
    assert (failed.status, failed.attempts, failed.claim_token, failed.last_error) == (
        "pending", 1, None, "TimeoutError: x")
    assert failed.next_attempt_at == now + policy.delay(1)
    assert attempts == [(ok1.message_id, True, None), (bad.message_id, False, "TimeoutError: x"),
                        (ok2.message_id, True, None)]


class Died(BaseException):
    """The sender's process dies in the middle of a batch."""


def _contacts(store, cipher, opened, secrets_env, count):
    for number in range(1, count + 1):
        contact = events.PETITIONER_CONTACT.build(
            case_number=f"JN20261125-{number:06d}", area_code="370102", unit_code=None,
            sealed=sealed(secrets_env, phone=PHONE, query_code=QUERY_CODE))
        with store.transaction() as tx:
            messages.record_contact(tx, cipher, opened(events.PETITIONER_CONTACT.load(contact)))


def _assert_each_sent_once(store, sms_log, count):
    """``count`` messages, each recorded sent at its first attempt, and as
    many lines in the SMS file: one per message at the phone."""
    with store.transaction() as tx:
        assert [(m.status, m.attempts) for m in tx.session.scalars(select(Message))] == [
            ("sent", 1)] * count
    assert len(sms_log.read_text(encoding="utf-8").splitlines()) == count


def test_a_batch_of_sends_is_recorded_in_one_transaction(
        store, cipher, recording, opened, secrets_env, sms_log):
    _contacts(store, cipher, opened, secrets_env, 3)
    commits = []

    def committed(connection):
        commits.append(connection)

    engine = store.sessions.kw["bind"]
    sqlalchemy.event.listen(engine, "commit", committed)
    try:
        assert sending.send_due(store, recording) == 3
    finally:
        sqlalchemy.event.remove(engine, "commit", committed)
    assert len(commits) == 2  # the claim, then the three outcomes
    _assert_each_sent_once(store, sms_log, 3)


def test_a_sender_that_dies_mid_batch_loses_no_message(
        store, cipher, recording, opened, secrets_env, sms_log):
    _contacts(store, cipher, opened, secrets_env, 2)

    class DiesOnSecondSend:
        sends = 0

        def send(self, to, body, key):
            self.sends += 1
            if self.sends == 2:
                raise Died()
            recording.provider.send(to, body, key)

    t0 = utcnow()
    with pytest.raises(Died):
        sending.send_due(store, replace(recording, provider=DiesOnSecondSend()), now=t0)
    # the first was sent, its outcome not recorded: once the lease runs out
    # what is not recorded is sent again (at least once, never zero), and the
    # provider drops the first's second copy (its key)
    assert sending.send_due(store, recording, now=t0 + timedelta(seconds=1)) == 0
    later = t0 + timedelta(seconds=recording.policy.lease_seconds)
    sending.send_due(store, recording, now=later)
    _assert_each_sent_once(store, sms_log, 2)


def test_a_message_sent_again_after_a_crash_reaches_the_phone_once_across_a_restart(
        store, cipher, recording, contact, opened, sms_log):
    """notify killed after the send and before the outcome was recorded: the
    claim runs out and a new process (a new provider, the same file: the
    gateway) sends the message again with the same key; the phone gets it once."""
    _queue_contact(store, cipher, contact, opened)

    class DiesAfterTheSend:
        def send(self, to, body, key):
            recording.provider.send(to, body, key)
            raise Died()

    t0 = _queued_at(store)
    with pytest.raises(Died):
        sending.send_due(store, replace(recording, provider=DiesAfterTheSend()), now=t0)
    assert _message(store).status == "sending"  # nothing recorded
    restarted = replace(recording, provider=RecordProvider(sms_log))
    later = t0 + timedelta(seconds=recording.policy.lease_seconds)
    assert sending.send_due(store, restarted, now=later) == 1  # sent again: at least once
    message = _message(store)
    assert (message.status, message.attempts) == ("sent", 1)
    [line] = sms_log.read_text(encoding="utf-8").splitlines()
    _at, phone, sms, key = line.split("\t")
    assert (phone, key) == (PHONE, f"key={message.id}") and f"查询码{QUERY_CODE}" in sms
