"""The tracking store: one row per case, and its public timeline."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.store import UtcDateTime


class Base(DeclarativeBase):
    pass


class Case(Base):
    """A petition as it is handled. Filled from events that may arrive in any
    order, so everything but the key, status and area may still be unknown."""

    __tablename__ = "cases"
    # The work queues, walked in due-date order so a page of 100 never sorts
    # the whole table: a unit's (by unit), a bureau's (filtered on the walk).
    __table_args__ = (Index("ix_cases_unit_queue", "unit_code", "due_date", "case_number"),
                      Index("ix_cases_queue", "due_date", "case_number"))

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    area_code: Mapped[str] = mapped_column(String(9), index=True)
    category: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the current assignment (routing's petition_routed)
    unit_code: Mapped[str | None] = mapped_column(String(50))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    track: Mapped[str | None] = mapped_column(String(20))
    due_date: Mapped[date | None] = mapped_column(Date)
    routing_reason: Mapped[str | None] = mapped_column(Text)
    routing_seq: Mapped[int] = mapped_column(Integer, default=0)
    # handling by the unit
    accepted_by: Mapped[str | None] = mapped_column(String(100))
    return_reason: Mapped[str | None] = mapped_column(Text)
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


class TimelineEntry(Base):
    """One public step of a case: no personal data, text in Chinese."""

    __tablename__ = "timeline"
    __table_args__ = (Index("ix_timeline_case_at", "case_number", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(ForeignKey("cases.case_number"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
