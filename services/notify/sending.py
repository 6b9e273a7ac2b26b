"""Delivering queued messages: claim the due ones, send each outside any
transaction, record the attempt; retry with exponential backoff, and after the
last attempt mark the message failed (kept, visible) and tell the operators.

Claiming marks a message 'sending' with a claim token and a lease in one
conditional UPDATE, committed before anything is sent, so two sender runs
(threads, processes, hosts; SQLite or PostgreSQL) never hold the same message.
A sender that dies mid-send leaves its claim to expire: the message is then
sent again, so the lease must outlast a send. At least once (never zero) to
the provider; once to the phone, because every send carries the message's id
as its key and the provider delivers one text per key (providers.py: the
record provider and an HTTP gateway that honours Idempotency-Key; email by
SMTP keeps one Message-ID, so a copy is recognisable, not suppressed).
Webhooks have their own: the receiver dedupes by the delivery id.
"""
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, bindparam, insert, or_, select, update

from core import events
from core.metrics import SMS_DELIVERIES
from core.store import utcnow
from services.notify import webhooks
from services.notify.models import (
    EMAIL,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SMS,
    WEBHOOK,
    DeliveryAttempt,
    Message,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 30.0
    max_attempts: int = 5
    lease_seconds: float = 60.0

    def delay(self, attempts):
        """Wait after the ``attempts``-th failure: base, 2*base, 4*base, ..."""
        return timedelta(seconds=self.base_seconds * 2 ** (attempts - 1))


@dataclass(frozen=True)
class Delivery:
    """What the sender needs: the cipher for addresses and bodies, the SMS
    provider, the retry policy, the sealer that opens the private events, and
    the email provider."""

    cipher: object
    provider: object
    policy: RetryPolicy
    private: object = None
    email: object = None
    webhook: object = None
    # Webhooks retry for longer (a receiver's system may be down for a day),
    # and an endpoint is paused after this many failed attempts in a row.
    webhook_policy: RetryPolicy = None
    pause_after: int = 10
    # After a rotation, the old secret still signs this long by default.
    secret_overlap_hours: float = 24.0

    def provider_for(self, channel):
        provider = {SMS: self.provider, EMAIL: self.email, WEBHOOK: self.webhook}.get(channel)
        if provider is None:
            raise LookupError(f"no provider for the {channel} channel")
        return provider

    def policy_for(self, channel):
        return (self.webhook_policy or self.policy) if channel == WEBHOOK else self.policy


@dataclass(frozen=True)
class Claim:
    message_id: str
    token: str
    channel: str
    to_encrypted: str
    body_encrypted: str


def _due(now):
    return or_(and_(Message.status == PENDING, Message.next_attempt_at <= now),
               and_(Message.status == SENDING, Message.lease_until <= now))


def claim_due(tx, policy, now, limit=50):
    candidates = tx.session.scalars(
        select(Message.id).where(_due(now)).order_by(Message.next_attempt_at).limit(limit)).all()
    if not candidates:
        return []
    token = str(uuid.uuid4())
    # The due condition again: PostgreSQL re-checks it on a row another sender
    # claimed meanwhile, so that row is skipped rather than claimed twice.
    tx.session.execute(
        update(Message).where(Message.id.in_(candidates), _due(now))
        .values(status=SENDING, claim_token=token,
                lease_until=now + timedelta(seconds=policy.lease_seconds)),
        execution_options={"synchronize_session": False})
    rows = tx.session.execute(
        select(Message.id, Message.channel, Message.to_encrypted, Message.body_encrypted)
        .where(Message.claim_token == token))
    return [Claim(row.id, token, row.channel, row.to_encrypted, row.body_encrypted)
            for row in rows]


def _next_state(tx, claim, error, policy, now):
    """The message's next state after an attempt (``_record`` logs the attempt
    itself); returns the message, or None when another sender took it over."""
    message = tx.session.get(Message, claim.message_id)
    if message.claim_token != claim.token:
        return None  # our lease ran out and another sender took the message over
    message.attempts += 1
    message.claim_token = message.lease_until = None
    if error is None:
        message.status, message.sent_at = SENT, now
        return message
    message.last_error = error
    if message.attempts < policy.max_attempts:
        message.status = PENDING
        message.next_attempt_at = now + policy.delay(message.attempts)
        return message
    message.status = FAILED
    tx.emit(events.NOTIFICATION_FAILED, case_number=message.case_number,
            area_code=message.area_code, unit_code=message.unit_code,
            message_id=message.id, channel=message.channel, template=message.template,
            attempts=message.attempts, error=error)
    return message


def send_due(store, delivery, now=None):
    """One sender run; returns how many messages it tried. The outcomes are
    recorded together in one transaction after the sends, each at the time of
    its own send (a slow batch must not back-date its later outcomes), and
    sooner once half the lease is gone, so that they land while the claims
    still hold. A crash before they are recorded loses no message: their
    leases run out and they are sent again with the same key (at least once
    to the provider, once to the phone)."""
    clock = (lambda: now) if now else utcnow
    with store.transaction() as tx:
        claimed_at = clock()
        claims = [webhooks.signed(tx, delivery.cipher, claim, claimed_at)
                  if claim.channel == WEBHOOK else claim
                  for claim in claim_due(tx, delivery.policy, claimed_at)]
    half_lease = timedelta(seconds=delivery.policy.lease_seconds / 2)
    outcomes = []
    for claim in claims:
        error = None
        try:
            delivery.provider_for(claim.channel).send(
                delivery.cipher.decrypt(claim.to_encrypted),
                delivery.cipher.decrypt(claim.body_encrypted), key=claim.message_id)
        except Exception as exc:  # any provider failure is retried, never dropped
            error = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("message %s not delivered: %s", claim.message_id, error)
        outcomes.append((claim, error, clock()))
        if outcomes[-1][2] - claimed_at >= half_lease:
            _record(store, delivery, outcomes)
            outcomes = []
    _record(store, delivery, outcomes)
    return len(claims)


# A batch's outcomes as Core statements built once: every attempt logged by one
# INSERT, in the order made; a text or an email sent (nearly every outcome) by
# one UPDATE, under the claim's token (a message another sender took over is
# left to it, as _next_state does). As ORM objects loaded, changed and
# flushed they were half the sender's CPU (README, Performance, intake round).
_ATTEMPT = insert(DeliveryAttempt.__table__)
_MESSAGES = Message.__table__
_SENT = (update(_MESSAGES)
         .where(_MESSAGES.c.id == bindparam("message_id"),
                _MESSAGES.c.claim_token == bindparam("token"))
         .values(attempts=_MESSAGES.c.attempts + 1, claim_token=None, lease_until=None,
                 status=SENT, sent_at=bindparam("sent")))


def _record(store, delivery, outcomes):
    if not outcomes:
        return
    with store.transaction() as tx:
        tx.session.execute(_ATTEMPT, [
            {"message_id": claim.message_id, "at": at, "ok": error is None, "error": error}
            for claim, error, at in outcomes])
        sent = [(claim, at) for claim, error, at in outcomes
                if error is None and claim.channel != WEBHOOK]
        if sent:
            tx.session.execute(_SENT, [{"message_id": claim.message_id, "token": claim.token,
                                        "sent": at} for claim, at in sent])
        _record_others(tx, delivery, [(claim, error, at) for claim, error, at in outcomes
                                      if error is not None or claim.channel == WEBHOOK])
    for claim, error, _at in outcomes:
        if claim.channel == SMS:
            SMS_DELIVERIES.labels("failed" if error else "sent").inc()


def _record_others(tx, delivery, outcomes):
    """Failures (a retry, or failed for good) and webhook deliveries (their
    endpoint's bookkeeping), through _next_state."""
    if not outcomes:
        return
    # The messages loaded in one query, so _next_state's get finds each in
    # the session instead of querying for it (``loaded`` holds them: the
    # session keeps an object only while it is referenced).
    loaded = tx.session.scalars(select(Message).where(
        Message.id.in_([claim.message_id for claim, _error, _at in outcomes]))).all()
    for claim, error, at in outcomes:
        message = _next_state(tx, claim, error, delivery.policy_for(claim.channel), at)
        if message is not None and message.channel == WEBHOOK:
            webhooks.after_attempt(tx, delivery.cipher, message, error is None,
                                   delivery.pause_after)
    del loaded
