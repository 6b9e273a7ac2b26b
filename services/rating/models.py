"""The rating service's tables: which cases may be rated, and the ratings."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.retention import ErasureMixin
from core.store import UtcDateTime, utcnow


class Base(DeclarativeBase):
    pass


class RatableCase(Base):
    """A case that has been replied to (答复): only these may be rated."""

    __tablename__ = "ratable_cases"

    case_number: Mapped[str] = mapped_column(String(20), primary_key=True)
    unit_code: Mapped[str | None] = mapped_column(String(40))
    area_code: Mapped[str] = mapped_column(String(9))
    replied_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Rating(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    # Unique: of two concurrent submissions for a case, only one can commit.
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    unit_code: Mapped[str | None] = mapped_column(String(40), index=True)
    area_code: Mapped[str] = mapped_column(String(9))
    service_attitude: Mapped[str] = mapped_column(String(20))
    work_efficiency: Mapped[str] = mapped_column(String(20))
    handling_quality: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Erasure(ErasureMixin, Base):
    """What personal-data retention erased here (core/retention.py)."""
