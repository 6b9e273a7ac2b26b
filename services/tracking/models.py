"""The tracking store: one row per case, its timeline, its clocks (deadlines
and the sweep's alerts), supervision orders, co-handling parts, checks."""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    inspect,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.once import AnsweredRequestMixin
from core.retention import ErasureMixin
from core.store import UtcDateTime


class Base(DeclarativeBase):
    pass


class Case(Base):
    """A petition as it is handled. Filled from events that may arrive in any
    order, so everything but the key, status and area may still be unknown."""

    __tablename__ = "cases"
    # The work queues, walked in due-date order so a page of 100 never sorts
    # the whole table: a unit's (by unit), a bureau's (filtered on the walk).
    # A unit sees the cases under supervision first.
    __table_args__ = (Index("ix_cases_unit_queue", "unit_code", "supervision_open", "due_date",
                            "case_number"),
                      Index("ix_cases_queue", "due_date", "case_number"))

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    area_code: Mapped[str] = mapped_column(String(9), index=True)
    category: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    # The petitioner's choice at submission: may the case be listed publicly
    # (Open311's lists and requests)? Unknown until petition_submitted: yes.
    publish: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the current assignment (routing's petition_routed)
    unit_code: Mapped[str | None] = mapped_column(String(50))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    track: Mapped[str | None] = mapped_column(String(20))
    due_date: Mapped[date | None] = mapped_column(Date)
    routing_reason: Mapped[str | None] = mapped_column(Text)
    routing_seq: Mapped[int] = mapped_column(Integer, default=0)
    # the unit's clock (clocks.py): from its assignment, restarted on a re-route
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accept_due: Mapped[date | None] = mapped_column(Date)
    # handling by the unit
    accepted_by: Mapped[str | None] = mapped_column(String(100))
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)
    # the bureau's steps: 交办 (instructions, report-back), 专案专办 / 提级 (plan)
    instructions: Mapped[str | None] = mapped_column(Text)
    report_back_required: Mapped[bool] = mapped_column(Boolean, default=False)
    report_back: Mapped[str | None] = mapped_column(Text)
    plan: Mapped[str | None] = mapped_column(Text)
    coordinating_units: Mapped[list | None] = mapped_column(JSON)
    # 延期: none | requested | approved | refused
    extension_state: Mapped[str] = mapped_column(String(20), default="none")
    extension_requested_until: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_until: Mapped[date | None] = mapped_column(Date)
    # who returned it: a repeated return by the same person is answered, not refused
    returned_by: Mapped[str | None] = mapped_column(String(100))
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(String(100))
    replied_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # end states
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    rejection_channel: Mapped[str | None] = mapped_column(Text)
    concluded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    # supervision (督办) is a flag beside the state, not a state
    supervision_open: Mapped[bool] = mapped_column(Boolean, default=False)
    supervision_reason: Mapped[str | None] = mapped_column(Text)
    # 复查 / 复核: none | review_requested | reviewed | rereview_requested | final
    review_state: Mapped[str] = mapped_column(String(20), default="none")
    reviewing_unit_code: Mapped[str | None] = mapped_column(String(50), index=True)
    reviewing_unit_name: Mapped[str | None] = mapped_column(String(200))
    review_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_answer: Mapped[str | None] = mapped_column(Text)
    # 补充材料: none | requested | answered | lapsed; what was asked, by when
    material_state: Mapped[str] = mapped_column(String(20), default="none",
                                                server_default="none")
    material_request: Mapped[str | None] = mapped_column(Text)
    material_due: Mapped[date | None] = mapped_column(Date)


def written(tx, case):
    """The number of ``case`` once its row is in the database, for a Core
    INSERT of a row that refers to it (a timeline entry, a clock): a case
    created in this transaction is flushed first. A case number names a row
    already written (cases.record_submission's)."""
    if isinstance(case, str):
        return case
    if inspect(case).pending:
        tx.session.flush()
    return case.case_number


class TimelineEntry(Base):
    """One step of a case. ``text`` is the plain summary the public sees (no
    personal data) unless ``public`` is false; ``detail`` and ``actor`` are for
    the case's staff only. ``fingerprint`` tells a repeated request (same
    action, actor and input) from a conflicting one."""

    __tablename__ = "timeline"
    __table_args__ = (Index("ix_timeline_case_at", "case_number", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(100))
    fingerprint: Mapped[str | None] = mapped_column(String(64))


class Deadline(Base):
    """One clock of a case (clocks.py): the unit's acceptance or conclusion, a
    co-unit's part, a supervision order's answer, a review's answer. Moving a
    clock closes its row and opens a new one, so the sweep's alerts, keyed by
    the due date, fire again for the new date and never twice for one."""

    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_open_due", "open", "due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(50), default="")  # a co-unit, an order id
    unit_code: Mapped[str | None] = mapped_column(String(50))     # whose clock it is
    due: Mapped[date] = mapped_column(Date)
    open: Mapped[bool] = mapped_column(Boolean, default=True)


class Alert(Base):
    """What the sweep raised. The unique key is what makes it exactly once per
    case, deadline and due date, with any number of replicas sweeping at once:
    the second insert of the same alert fails and that replica moves on."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("case_number", "kind", "subject", "due", "alert",
                                       name="uq_alerts_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"))
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(50))
    due: Mapped[date] = mapped_column(Date)
    alert: Mapped[str] = mapped_column(String(20))   # due_soon | overdue
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime)
    raised_by: Mapped[str] = mapped_column(String(100))  # which process: shows the race


class SupervisionOrder(Base):
    """A supervision order (督办单). At most one is not closed per case."""

    __tablename__ = "supervision_orders"
    __table_args__ = (Index("ix_orders_status", "status", "answer_due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    area_code: Mapped[str] = mapped_column(String(9))
    unit_code: Mapped[str | None] = mapped_column(String(50), index=True)
    # rating | overdue | return_visit | work (工作督办) | special (专项督办)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # open | answered | escalated | closed
    reason: Mapped[str] = mapped_column(Text)
    instructions: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answer_due: Mapped[date] = mapped_column(Date)
    counted_against_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_by: Mapped[str | None] = mapped_column(String(100))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CoPart(Base):
    """A co-unit's part of a co-handled case (协办), by its own deadline."""

    __tablename__ = "co_parts"
    __table_args__ = (UniqueConstraint("case_number", "unit_code", name="uq_co_parts_unit"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"), index=True)
    unit_code: Mapped[str] = mapped_column(String(50), index=True)
    unit_name: Mapped[str] = mapped_column(String(200))
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | submitted
    content: Mapped[str | None] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SpotCheck(Base):
    """A random spot check (抽查): the population (concluded cases of the unit
    in the period, in case-number order), the seed and the draw, so anyone can
    draw it again and get the same cases."""

    __tablename__ = "spot_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_code: Mapped[str] = mapped_column(String(50))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    size: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    population: Mapped[list] = mapped_column(JSON)
    drawn: Mapped[list] = mapped_column(JSON)
    drawn_by: Mapped[str] = mapped_column(String(100))
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Erasure(ErasureMixin, Base):
    """What personal-data retention erased here (core/retention.py)."""


class AnsweredRequest(AnsweredRequestMixin, Base):
    """Answers of draw_spot_check (core/once.py)."""
