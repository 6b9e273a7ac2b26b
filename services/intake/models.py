"""Intake's tables: petitions as submitted, with the petitioner's identity
encrypted, the query code kept only as a keyed hash, proxy consents and the
audit trail of every read of personal data."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from core.limits import RateHitMixin
from core.retention import ErasureMixin
from core.store import UtcDateTime


class Base(DeclarativeBase):
    pass


class Petition(Base):
    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    # HMAC of the query code: the code itself is never stored.
    query_code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed hash of the submission id: a redelivered submission finds its petition.
    submission_hash: Mapped[str] = mapped_column(String(64), unique=True)

    # The petitioner: encrypted at rest (core.privacy.FieldCipher); the keyed
    # hash finds a citizen's other petitions without decrypting every row.
    name_encrypted: Mapped[str] = mapped_column(Text)
    id_number_encrypted: Mapped[str] = mapped_column(Text)
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone_encrypted: Mapped[str] = mapped_column(Text)

    title: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(50))
    area_code: Mapped[str] = mapped_column(String(9))
    address: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    # the petitioner agreed that the concluded case be listed publicly (masked)
    publish: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)

    proxy: Mapped["ProxyConsent | None"] = relationship(back_populates="petition")


class ProxyConsent(Base):
    """A grid agent (信訪代理員) submitted on the citizen's behalf, with the
    citizen's recorded consent."""

    __tablename__ = "proxy_consents"

    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), primary_key=True)
    agent_id: Mapped[str] = mapped_column(String(30), index=True)
    consent_record: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # how and when the citizen gave consent (a signed-in agent's submission)
    consent_method: Mapped[str | None] = mapped_column(String(20))
    consent_given_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    petition: Mapped[Petition] = relationship(back_populates="proxy")


class AuditEntry(Base):
    """One read of a petitioner's personal data: who, when, how."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))


class Attachment(Base):
    """A file of the case's material (补充材料): its bytes encrypted in the
    blob store under ``blob_key``; its name encrypted here (names say things:
    "张三身份证.jpg"). ``unit_code`` is None for the petitioner's own files,
    else the unit of the member of staff (``added_by``) who added it."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("petition_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    filename_encrypted: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(64), unique=True)
    added_by: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str | None] = mapped_column(String(40))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Message(Base):
    """A message (留言) on a case: the petitioner's (``unit_code`` None) or
    the handling unit's answer (``author`` its member of staff). The text is
    personal data, encrypted; ``length`` is what events and figures may know."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petitions.id"), index=True)
    text_encrypted: Mapped[str] = mapped_column(Text)
    length: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str | None] = mapped_column(String(40))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseCounter(Base):
    """The last case number sequence handed out on one day (Asia/Shanghai)."""

    __tablename__ = "case_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD
    last: Mapped[int] = mapped_column(Integer)


class PhoneCode(Base):
    """A one-time code texted to prove a phone (短信验证码) before a petition is
    accepted from it; bound to the ID number it was asked for. Only its keyed
    hash is kept."""

    __tablename__ = "phone_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # keyed hash of phone + ID number: the code proves that pair
    holder_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RateHit(RateHitMixin, Base):
    """Code requests and petitions counted per phone, ID number and client
    address (see phone_codes.LIMITS)."""


class Erasure(ErasureMixin, Base):
    """What personal-data retention erased here (core/retention.py)."""
