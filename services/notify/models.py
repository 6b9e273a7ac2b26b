"""The notify service's tables: who to tell about a case (the petitioner, the
unit's mailbox), the messages, and every delivery attempt. Phone numbers,
addresses and message bodies (one of them carries the query code) are stored
encrypted."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.once import AnsweredRequestMixin
from core.retention import ErasureMixin
from core.store import UtcDateTime, utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
# HELD: a webhook delivery waiting while its endpoint is paused or disabled;
# CANCELLED: one whose endpoint was deleted before it was acknowledged.
HELD, CANCELLED = "held", "cancelled"
SMS, EMAIL, WEBHOOK = "sms", "email", "webhook"
CHANNELS = (SMS, EMAIL, WEBHOOK)
# An endpoint: paused by its failures, disabled by an administrator (both
# resumed by one), deleted for good (its secret forgotten).
ACTIVE, PAUSED, DISABLED, DELETED = "active", "paused", "disabled", "deleted"


class Base(DeclarativeBase):
    pass


class Recipient(Base):
    """The petitioner of a case, as intake told us on the private exchange."""

    __tablename__ = "recipients"

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    phone_masked: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        # One message per triggering event and template: a redelivered event
        # can never send twice.
        UniqueConstraint("event_id", "template", name="uq_messages_event_template"),
        Index("ix_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), index=True)
    area_code: Mapped[str] = mapped_column(String(9))
    unit_code: Mapped[str | None] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(36))
    template: Mapped[str] = mapped_column(String(40))
    # CHANNELS: each with its own address format and provider.
    channel: Mapped[str] = mapped_column(String(20), default=SMS)
    to_encrypted: Mapped[str] = mapped_column(Text)
    to_masked: Mapped[str] = mapped_column(String(40))
    body_encrypted: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A sender owns a message it marked 'sending' until lease_until; a sender
    # that died leaves it to be claimed again after that.
    claim_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A webhook delivery's endpoint (channel webhook only).
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id"),
                                                    index=True)


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(String(500))


class UnitContact(Base):
    """A unit's mailbox for staff notifications (new case, due soon, overdue,
    supervision), set by its leader or a bureau administrator."""

    __tablename__ = "unit_contacts"

    unit_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    updated_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class WebhookEndpoint(Base):
    """A unit's receiver for the event kinds it chose (webhooks.KINDS). The
    secret signs each delivery; it is shown once, at registration, and kept
    encrypted. ``failures`` counts failed attempts in a row: past the limit
    the endpoint is paused and its unit told."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_code: Mapped[str] = mapped_column(String(40), index=True)
    url: Mapped[str] = mapped_column(String(500))
    secret_encrypted: Mapped[str] = mapped_column(Text)
    # After a rotation the old secret still signs (a second v1) until then.
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kinds: Mapped[list] = mapped_column(JSON)
    # May receive kinds that carry personal data (none of webhooks.KINDS does yet).
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_by: Mapped[str | None] = mapped_column(String(50))


class WebhookChange(Base):
    """Who did what to an endpoint, when (its audit): registered, disabled,
    paused (by notify), resumed, secret_rotated, deleted."""

    __tablename__ = "webhook_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(200))


class Erasure(ErasureMixin, Base):
    """What personal-data retention erased here (core/retention.py)."""


class AnsweredRequest(AnsweredRequestMixin, Base):
    """Answers of register_webhook (core/once.py)."""
