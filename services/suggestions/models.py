"""The suggestions store: solicitation topics, proposals (the proposer's
contact encrypted, the query code only as a keyed hash) and each proposal's
steps.

    topics           征集主题: a period and the departments that answer
    proposals        人民建议: who proposed (encrypted), what, where it stands
    proposal_steps   every step of the workflow (workflow.py), as taken
    personal_data_erasures  what retention erased (core/retention.py)
"""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.retention import ErasureMixin
from core.store import UtcDateTime, utcnow


class Base(DeclarativeBase):
    pass


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    area_code: Mapped[str] = mapped_column(String(9))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # unit codes of the departments that answer the topic's proposals
    departments: Mapped[list] = mapped_column(JSON)
    opened_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Proposal(Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    # NULL once erased at the end of the retention period (core/retention.py)
    query_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), index=True)
    area_code: Mapped[str] = mapped_column(String(9))
    # a citizen, or an organisation (its name is not personal data; its contact person's is)
    organisation: Mapped[str | None] = mapped_column(String(100))
    name_encrypted: Mapped[str] = mapped_column(Text)
    id_number_encrypted: Mapped[str] = mapped_column(Text)
    phone_encrypted: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    # may an adopted proposal be published (masked) with the answer
    publish: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    department: Mapped[str | None] = mapped_column(String(40), index=True)
    merged_into: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)      # the bureau's, when not adopted or merged
    answer: Mapped[str | None] = mapped_column(Text)      # the department's
    follow_up: Mapped[str | None] = mapped_column(Text)   # what the department will do
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ProposalStep(Base):
    __tablename__ = "proposal_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str | None] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Erasure(ErasureMixin, Base):
    """What personal-data retention erased here (core/retention.py): keyed by
    the proposal's number."""
