"""Signed webhooks: a unit's receivers for the event kinds it chose.

Each delivery is a message (channel ``webhook``) in the same outbox as SMS and
email: claimed, sent outside any transaction, each attempt recorded, retried
with backoff (WEBHOOK_RETRY_BASE_SECONDS doubling, WEBHOOK_MAX_ATTEMPTS: by
default 60 s to 17 h, 34 h in all), never sent again once the receiver
acknowledged it (any 2xx). After WEBHOOK_PAUSE_AFTER failed attempts in a row
the endpoint is paused (its deliveries held, the unit told by email) until an
administrator resumes it. An administrator lists the deliveries with their
attempts and replays one.

Signature (docs/webhooks.md): header ``X-Petition-Signature: t=<unix seconds>,
v1=<hex HMAC-SHA256(secret, "<t>." + body)>``; a receiver checks it with
``verify`` and refuses a timestamp older than a few minutes. After a secret
is rotated, the old one still signs for an overlap (a second ``v1``, as
Stripe does), then it is retired. The secrets are read when a delivery is
claimed (``signed``), never kept with the queued delivery.
"""
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

import requests
from sqlalchemy import bindparam, select, update

from core import events
from core.errors import Conflict, InvalidInput, NotFound, translate
from core.roles import BUREAU_ADMIN
from core.store import utcnow
from core.validation import load
from services.notify import messages
from services.notify.destinations import Refused
from services.notify.models import (
    ACTIVE,
    CANCELLED,
    DELETED,
    DISABLED,
    EMAIL,
    FAILED,
    HELD,
    PAUSED,
    PENDING,
    SENDING,
    SENT,
    WEBHOOK,
    DeliveryAttempt,
    Message,
    UnitContact,
    WebhookChange,
    WebhookEndpoint,
)
from services.notify.providers import SendFailed, SmsProvider, mask_email
from services.notify.schemas import (
    EndpointInput,
    EndpointSchema,
    RegisteredSchema,
    Replayed,
    RotateInput,
    WebhookChangeSchema,
    WebhookDeliverySchema,
)
from services.notify.templates import STAFF


@dataclass(frozen=True)
class Kind:
    contract: events.Contract
    # Carries personal data: delivered only to an endpoint registered for it.
    personal: bool = False
    unit_field: str = "unit_code"  # the event's field naming the unit told


# The event kinds a unit may subscribe to: the declared table.
KINDS = {
    "case_assigned": Kind(events.PETITION_ROUTED),
    "supervision_opened": Kind(events.SUPERVISION_OPENED),
    "case_due_soon": Kind(events.CASE_DUE_SOON, unit_field="responsible_unit"),
    "case_overdue": Kind(events.CASE_OVERDUE, unit_field="responsible_unit"),
    "case_rated": Kind(events.RATING_SUBMITTED),
    "case_concluded": Kind(events.CASE_CONCLUDED),
}
KIND_OF = {kind.contract.event_type: name for name, kind in KINDS.items()}

SIGNATURE_HEADER = "X-Petition-Signature"
TOLERANCE_SECONDS = 300


def _digest(secret, timestamp, body):
    return hmac.new(secret.encode(), f"{int(timestamp)}.".encode() + body,
                    hashlib.sha256).hexdigest()


def sign(secret, timestamp, body, *older):
    """The signature header's value for ``body`` (bytes) at ``timestamp``:
    one ``v1`` for ``secret`` and one for each ``older`` secret still valid."""
    return ",".join([f"t={int(timestamp)}"] + [
        f"v1={_digest(key, timestamp, body)}" for key in (secret, *older)])


def verify(secret, header, body, now=None, tolerance=TOLERANCE_SECONDS):
    """What a receiver does: True only when one of the ``v1`` signatures is
    of this very body made with ``secret``, no more than ``tolerance``
    seconds ago."""
    try:
        parts = [item.split("=", 1) for item in (header or "").split(",")]
        [timestamp] = [int(value) for name, value in parts if name == "t"]
    except ValueError:
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = _digest(secret, timestamp, body)
    return any(hmac.compare_digest(expected, value) for name, value in parts if name == "v1")


class WebhookProvider(SmsProvider):
    """Posts one delivery; its address is ``{url, secrets, delivery, kind}``
    (``signed`` adds the secrets when it is claimed). Acknowledged: any 2xx answer. Only to
    where ``destinations`` allows (services/notify/destinations.py)."""

    def __init__(self, destinations):
        self.destinations = destinations

    def send(self, address, text, key=None):
        # No key needed: a receiver recognises a repeat by X-Petition-Delivery.
        to, body = json.loads(address), text.encode()
        headers = {"Content-Type": "application/json", "User-Agent": "petition-webhooks/1",
                   "X-Petition-Delivery": to["delivery"], "X-Petition-Event": to["kind"],
                   SIGNATURE_HEADER: sign(*to["secrets"][:1], time.time(), body, *to["secrets"][1:])}
        try:
            answer = self.destinations.post(to["url"], data=body, headers=headers)
        except Refused as refusal:
            raise SendFailed(f"address refused: {translate(refusal.reason, 'en')}") from None
        except requests.RequestException as exc:
            raise SendFailed(f"receiver unreachable: {type(exc).__name__}") from None
        if not 200 <= answer.status_code < 300:
            raise SendFailed(f"receiver answered {answer.status_code}")


def register(tx, cipher, destinations, actor, data):
    """A unit's administrator registers an endpoint for its own unit (a bureau
    administrator for any unit, named in ``unit_code``); only a bureau
    administrator may register one for personal data. The URL must be one
    ``destinations`` allows."""
    data = load(EndpointInput(), data)
    unknown = sorted(set(data["kinds"]) - set(KINDS))
    if unknown:
        raise InvalidInput("输入有误", {"kinds": [f"unknown: {', '.join(unknown)[:64]}; "
                                                 f"known: {', '.join(KINDS)}"]})
    unit_code = data["unit_code"] or actor["unit_code"]
    messages.require_unit_admin(actor, unit_code)
    if data["personal_data"] and actor["role"] != BUREAU_ADMIN:
        raise InvalidInput("只有信访局管理员可以登记接收个人信息的地址",
                           {"personal_data": ["a bureau administrator only"]})
    destinations.require(data["url"])
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(unit_code=unit_code, url=data["url"], kinds=sorted(set(data["kinds"])),
                               personal_data=data["personal_data"],
                               secret_encrypted=cipher.encrypt(secret), created_by=actor["username"],
                               status=ACTIVE, failures=0, created_at=utcnow())
    tx.session.add(endpoint)
    tx.session.flush()
    _audit(tx, endpoint, actor["username"], "registered", endpoint.url[:200])
    return RegisteredSchema().dump({**_row(endpoint), "secret": secret})


def _row(endpoint):
    """An endpoint as its schemas read it (they are dumped again at the gateway)."""
    return {"endpoint_id": endpoint.id, "old_secret_until": _overlap(endpoint, utcnow()),
            **{name: getattr(endpoint, name) for name in (
        "unit_code", "url", "kinds", "personal_data", "status", "failures", "created_by",
        "created_at", "paused_at", "deleted_at", "deleted_by")}}


def endpoints(tx, actor):
    query = select(WebhookEndpoint).order_by(WebhookEndpoint.id)
    if actor["role"] != BUREAU_ADMIN:
        query = query.where(WebhookEndpoint.unit_code == actor["unit_code"])
    return EndpointSchema(many=True).dump([_row(e) for e in tx.session.scalars(query)])


def _endpoint(tx, actor, endpoint_id):
    endpoint = tx.session.get(WebhookEndpoint, int(endpoint_id))
    if endpoint is None:
        raise NotFound("没有这个接收地址", {"endpoint_id": ["unknown"]})
    messages.require_unit_admin(actor, endpoint.unit_code)
    return endpoint


def _live(tx, actor, endpoint_id):
    """An endpoint that may still be changed: not deleted."""
    endpoint = _endpoint(tx, actor, endpoint_id)
    if endpoint.status == DELETED:
        raise Conflict("这个接收地址已删除", {"endpoint_id": ["deleted"]})
    return endpoint


def _audit(tx, endpoint, who, action, detail=None):
    tx.session.add(WebhookChange(endpoint_id=endpoint.id, at=utcnow(), actor=who, action=action,
                                 detail=detail))


def _hold(tx, endpoint):
    """The endpoint's pending deliveries wait (paused or disabled)."""
    tx.session.execute(update(Message).where(
        Message.endpoint_id == endpoint.id, Message.status == PENDING).values(status=HELD),
        execution_options={"synchronize_session": False})


def _overlap(endpoint, now):
    """Until when the old secret still signs, or None (none, or retired)."""
    until = endpoint.previous_secret_until
    return until if endpoint.previous_secret_encrypted and until and until > now else None


def rotate(tx, cipher, actor, endpoint_id, data, default_overlap_hours):
    """A new secret, shown once; the old one still signs (a second v1) for
    ``overlap_hours`` (0: retired at once), then is retired."""
    endpoint = _live(tx, actor, endpoint_id)
    hours = load(RotateInput(), data)["overlap_hours"]
    hours = default_overlap_hours if hours is None else hours
    now, secret = utcnow(), secrets.token_urlsafe(32)
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted if hours > 0 else None
    endpoint.previous_secret_until = now + timedelta(hours=hours) if hours > 0 else None
    endpoint.secret_encrypted = cipher.encrypt(secret)
    _audit(tx, endpoint, actor["username"], "secret_rotated",
           f"old secret valid until {endpoint.previous_secret_until.isoformat()}"
           if hours > 0 else "old secret retired at once")
    return RegisteredSchema().dump({**_row(endpoint), "secret": secret})


def signed(tx, cipher, claim, now):
    """A claimed delivery's address with the secrets that sign it now: the
    endpoint's secret, and the old one during a rotation's overlap (retired
    here once it is over)."""
    endpoint = tx.session.get(WebhookEndpoint, tx.session.get(Message, claim.message_id)
                              .endpoint_id)
    keys = [endpoint.secret_encrypted]
    if _overlap(endpoint, now):
        keys.append(endpoint.previous_secret_encrypted)
    elif endpoint.previous_secret_encrypted:
        endpoint.previous_secret_encrypted = endpoint.previous_secret_until = None
    to = json.loads(cipher.decrypt(claim.to_encrypted))
    to.pop("secret", None)  # deliveries queued before the secrets were read at claim time
    to["secrets"] = [cipher.decrypt(key) for key in keys]
    return replace(claim, to_encrypted=cipher.encrypt(json.dumps(to)))


# Every event a unit is told of asks for its endpoints (nearly always finding
# none): a Core statement built once, plain rows; an ORM query built per call
# and its objects cost notify's handlers about 0.4 ms of CPU per petition
# (README, Performance, intake round). Run in the event's own transaction, which has
# changed no endpoint, so no change of one waits for a flush.
_ENDPOINTS = WebhookEndpoint.__table__
_RECEIVERS = (select(_ENDPOINTS.c.id, _ENDPOINTS.c.url, _ENDPOINTS.c.kinds,
                     _ENDPOINTS.c.personal_data, _ENDPOINTS.c.status)
              .where(_ENDPOINTS.c.unit_code == bindparam("unit_code"),
                     _ENDPOINTS.c.status != DELETED)
              .order_by(_ENDPOINTS.c.id))


def queue(tx, cipher, event):
    """A delivery of ``event`` to each active or paused endpoint of its unit
    that chose its kind (held while paused)."""
    name = KIND_OF[event["event_type"]]
    kind = KINDS[name]
    unit_code = event.get(kind.unit_field) or event["unit_code"]
    if not unit_code:
        return
    for endpoint in tx.session.execute(_RECEIVERS, {"unit_code": unit_code}).all():
        if name not in endpoint.kinds or (kind.personal and not endpoint.personal_data):
            continue
        delivery = str(uuid.uuid4())
        body = json.dumps({"delivery_id": delivery, "kind": name,
                           "event": kind.contract.dump(event)}, ensure_ascii=False)
        address = json.dumps({"url": endpoint.url, "delivery": delivery, "kind": name})
        messages.queue(tx, cipher, event, f"webhook.{name}.{endpoint.id}",
                       cipher.encrypt(address), endpoint.url[:40], channel=WEBHOOK, body=body,
                       id=delivery, endpoint_id=endpoint.id,
                       status=PENDING if endpoint.status == ACTIVE else HELD)


def after_attempt(tx, cipher, message, ok, pause_after):
    """Count the endpoint's failures in a row; past ``pause_after``, pause it
    (its pending deliveries held) and tell its unit by email. A retry due to
    an endpoint disabled meanwhile is held."""
    endpoint = tx.session.get(WebhookEndpoint, message.endpoint_id)
    endpoint.failures = 0 if ok else endpoint.failures + 1
    if endpoint.status == ACTIVE and endpoint.failures >= pause_after:
        _pause(tx, cipher, endpoint, message)
    if endpoint.status != ACTIVE and message.status == PENDING:
        message.status = HELD


def _pause(tx, cipher, endpoint, message):
    endpoint.status, endpoint.paused_at = PAUSED, utcnow()
    _hold(tx, endpoint)
    _audit(tx, endpoint, "notify", "paused", f"{endpoint.failures} failed attempts in a row")
    contact = tx.session.get(UnitContact, endpoint.unit_code)
    if contact is not None:
        notice = {"event_id": f"paused-{endpoint.id}-{endpoint.paused_at.timestamp():.0f}",
                  "case_number": message.case_number, "area_code": message.area_code,
                  "unit_code": endpoint.unit_code, "url": endpoint.url,
                  "failures": endpoint.failures}
        messages.queue(tx, cipher, notice, STAFF + "webhook_paused",
                       cipher.encrypt(contact.email), mask_email(contact.email), channel=EMAIL)


def resume(tx, actor, endpoint_id):
    """Back to active (from paused or disabled): its held deliveries are due
    at once."""
    endpoint = _live(tx, actor, endpoint_id)
    if endpoint.status != ACTIVE:
        _audit(tx, endpoint, actor["username"], "resumed", f"was {endpoint.status}")
    endpoint.status, endpoint.failures, endpoint.paused_at = ACTIVE, 0, None
    tx.session.execute(update(Message).where(
        Message.endpoint_id == endpoint.id, Message.status == HELD)
        .values(status=PENDING, next_attempt_at=utcnow()),
        execution_options={"synchronize_session": False})
    return EndpointSchema().dump(_row(endpoint))


def disable(tx, actor, endpoint_id):
    """No delivery goes out until an administrator resumes it: pending ones
    and the events that come meanwhile are held (nothing lost)."""
    endpoint = _live(tx, actor, endpoint_id)
    if endpoint.status != DISABLED:
        _audit(tx, endpoint, actor["username"], "disabled", f"was {endpoint.status}")
        endpoint.status = DISABLED
        _hold(tx, endpoint)
    return EndpointSchema().dump(_row(endpoint))


def delete(tx, actor, endpoint_id):
    """Deleted for good: its secret forgotten, no new delivery; each delivery
    not yet acknowledged (pending, held, being sent) is settled as cancelled,
    kept and listed with its attempts."""
    endpoint = _live(tx, actor, endpoint_id)
    note = f"endpoint deleted by {actor['username']}"
    cancelled = tx.session.execute(update(Message).where(
        Message.endpoint_id == endpoint.id, Message.status.in_((PENDING, HELD, SENDING)))
        .values(status=CANCELLED, claim_token=None, lease_until=None, last_error=note),
        execution_options={"synchronize_session": False}).rowcount
    endpoint.status, endpoint.secret_encrypted = DELETED, ""
    endpoint.previous_secret_encrypted = endpoint.previous_secret_until = None
    endpoint.deleted_at, endpoint.deleted_by = utcnow(), actor["username"]
    _audit(tx, endpoint, actor["username"], "deleted", f"{cancelled} deliveries cancelled")
    return EndpointSchema().dump(_row(endpoint))


def changes(tx, actor, endpoint_id):
    """The endpoint's audit, oldest first."""
    endpoint = _endpoint(tx, actor, endpoint_id)
    return WebhookChangeSchema(many=True).dump(tx.session.scalars(
        select(WebhookChange).where(WebhookChange.endpoint_id == endpoint.id)
        .order_by(WebhookChange.id)))


def deliveries(tx, actor, endpoint_id, limit=100):
    """The endpoint's deliveries, newest first, each with its attempts."""
    endpoint = _endpoint(tx, actor, endpoint_id)
    rows = tx.session.scalars(select(Message).where(Message.endpoint_id == endpoint.id)
                              .order_by(Message.created_at.desc(), Message.id).limit(limit)).all()
    attempts = {}
    for attempt in tx.session.scalars(select(DeliveryAttempt).where(
            DeliveryAttempt.message_id.in_([m.id for m in rows])).order_by(DeliveryAttempt.id)):
        attempts.setdefault(attempt.message_id, []).append(attempt)
    return WebhookDeliverySchema(many=True).dump([
        {"delivery_id": m.id, "kind": m.template.split(".")[1], "case_number": m.case_number,
         "status": m.status, "attempts": m.attempts, "next_attempt_at": m.next_attempt_at,
         "sent_at": m.sent_at, "last_error": m.last_error, "log": attempts.get(m.id, [])} for m in rows])


def replay(tx, actor, delivery_id):
    """Send a delivery again (one that failed, or that a receiver lost): due
    at once with a fresh count of attempts; the receiver sees the same
    ``X-Petition-Delivery`` id."""
    message = tx.session.get(Message, str(delivery_id))
    if message is None or message.channel != WEBHOOK:
        raise NotFound("没有这次推送", {"delivery_id": ["unknown"]})
    endpoint = _live(tx, actor, message.endpoint_id)
    if message.status not in (SENT, FAILED):
        raise InvalidInput("这次推送尚在进行中", {"delivery_id": [f"status {message.status}"]})
    message.status = PENDING if endpoint.status == ACTIVE else HELD
    message.attempts, message.next_attempt_at, message.last_error = 0, utcnow(), None
    return Replayed().dump({"delivery_id": message.id, "status": message.status})
