"""The routing store: the org directory (areas, units, categories, staff
accounts), the routing rules, and each case's current assignment."""
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.limits import RateHitMixin
from core.once import AnsweredRequestMixin
from core.store import UtcDateTime, utcnow


class Base(DeclarativeBase):
    pass


class Area(Base):
    """An administrative area; codes are hierarchical (370100 city, 370102
    district, 370102001 town/street)."""

    __tablename__ = "areas"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(20))  # city | district | county | town
    # Not a foreign key: the city's parent (the province) is outside the directory.
    parent: Mapped[str | None] = mapped_column(String(9))


class Unit(Base):
    """A unit that can be responsible for a case: a petition bureau, a
    functional department or a town office."""

    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))  # petition_bureau | department | town_office
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"), index=True)
    # The unit one level up in the same line (district bureau -> city bureau).
    parent: Mapped[str | None] = mapped_column(String(30))


class Category(Base):
    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str] = mapped_column(String(100))
    # What the category covers, in plain words for a citizen choosing it.
    description_zh: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Track used when no rule applies and the area's petition bureau takes the case.
    default_track: Mapped[str] = mapped_column(String(20), default="standard")
    # Set for matters the petition channel does not accept (e.g. litigation):
    # why, and where the petitioner should go instead.
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    rejection_channel: Mapped[str | None] = mapped_column(Text)


class RoutingRule(Base):
    """Petitions of ``category`` concerning ``area_code`` (or any area below it,
    unless a more specific rule exists) go to ``unit_code`` on ``track``."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category", "area_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    category: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    area_code: Mapped[str] = mapped_column(ForeignKey("areas.code"))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    track: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 onupdate=utcnow)


class RuleChange(Base):
    """Who changed a routing rule, when, from what to what."""

    __tablename__ = "rule_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    changed_by: Mapped[str] = mapped_column(String(50))
    category: Mapped[str] = mapped_column(String(30))
    area_code: Mapped[str] = mapped_column(String(9))
    before_unit_code: Mapped[str | None] = mapped_column(String(30))
    before_track: Mapped[str | None] = mapped_column(String(20))
    after_unit_code: Mapped[str] = mapped_column(String(30))
    after_track: Mapped[str] = mapped_column(String(20))


class StaffAccount(Base):
    __tablename__ = "staff_accounts"

    username: Mapped[str] = mapped_column(String(50), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    role: Mapped[str] = mapped_column(String(20))  # handler | bureau
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set for an account given a one-time password: its tokens only allow
    # changing it (services/routing/auth.py).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=false())
    # A disabled account cannot sign in, and its tokens stop working.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Raised by every administrator's change (disable, role, unit, password
    # reset): tokens signed with an older version are refused (core/actors.py).
    token_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class StaffChange(Base):
    """An administrator's change to a staff account: who, to whom, what, when."""

    __tablename__ = "staff_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(50))
    username: Mapped[str] = mapped_column(String(50), index=True)
    change: Mapped[str] = mapped_column(String(30))
    # what it was and what it became, e.g. "role: handler -> unit_leader"
    detail: Mapped[str] = mapped_column(String(300))
    # the area of the account's unit: a bureau reads its jurisdiction's changes
    area_code: Mapped[str] = mapped_column(String(9), index=True)


class SignInAudit(Base):
    """Every sign-in attempt and password change: who, from where, what came of it."""

    __tablename__ = "sign_in_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    username: Mapped[str] = mapped_column(String(50), index=True)
    client: Mapped[str] = mapped_column(String(45))
    outcome: Mapped[str] = mapped_column(String(30))


class RateHit(RateHitMixin, Base):
    """Failed sign-ins counted per account and per address (auth.SIGN_IN_LIMITS)."""


class AnsweredRequest(AnsweredRequestMixin, Base):
    """Answers of create_account, reset_password and rotate_api_key (core/once.py)."""


class Assignment(Base):
    """Where a case stands now: routed to a unit, or rejected."""

    __tablename__ = "assignments"

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    category: Mapped[str] = mapped_column(String(30))
    area_code: Mapped[str] = mapped_column(String(9))
    status: Mapped[str] = mapped_column(String(20))  # routed | rejected
    unit_code: Mapped[str | None] = mapped_column(String(30))
    track: Mapped[str | None] = mapped_column(String(20))
    due_date: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(Text)  # the right channel, on rejection
    # 1 at the first routing, +1 at each re-routing; 0 for a rejected petition.
    routing_seq: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow,
                                                 onupdate=utcnow)


class AssignmentReturn(Base):
    """A unit returned the case (退回): it is never routed there again."""

    __tablename__ = "assignment_returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("assignments.case_number"), index=True)
    routing_seq: Mapped[int] = mapped_column(Integer)
    unit_code: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    returned_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ApiKey(Base):
    """A department system's or an app's key (services/routing/api_keys.py):
    only its keyed hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(12), primary_key=True)  # public: in the key itself
    key_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(10))  # unit | app
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("units.code"))
    app: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(50))
    # Refused from then on (keys made before expiry dates existed: none).
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The key this one replaced (rotation: the old one expires after an overlap).
    rotated_from: Mapped[str | None] = mapped_column(String(12))


class ApiKeyUse(Base):
    """Every use of a key, allowed or refused (an unknown key: no key id)."""

    __tablename__ = "api_key_uses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_id: Mapped[str | None] = mapped_column(String(12), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    operation: Mapped[str] = mapped_column(String(80))
    client: Mapped[str] = mapped_column(String(45))
    outcome: Mapped[str] = mapped_column(String(20))  # ok | revoked | expired | rate_limited | unknown_key
