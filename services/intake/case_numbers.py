"""Case numbers: ``JN{YYYYMMDD}-{000001}``, the day in the service's timezone,
the sequence from a per-day counter row updated in the submission's own
transaction (a rolled-back submission gives its number back)."""
from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError

from services.intake.models import CaseCounter


def next_case_number(session, submitted_at, timezone):
    day = submitted_at.astimezone(timezone).strftime("%Y%m%d")
    return f"JN{day}-{_next_sequence(session, day):06d}"


def _next_sequence(session, day):
    sequence = _increment(session, day)
    if sequence is not None:
        return sequence
    try:
        with session.begin_nested():
            session.add(CaseCounter(day=day, last=1))
        return 1
    except IntegrityError:
        # Another submission opened the day between our update and insert.
        return _increment(session, day)


def _increment(session, day):
    # One UPDATE ... RETURNING rather than SELECT ... FOR UPDATE then UPDATE:
    # it locks the row on PostgreSQL just the same, and on SQLite (which has
    # no FOR UPDATE) it takes the write lock before reading, so two
    # submissions can never read the same value.
    return session.execute(_INCREMENT, {"counter_day": day}).scalar()


# Built once, a Core statement (per call, as an ORM one, it was a few per cent
# of intake's CPU: README, Performance, fifth round).
_COUNTERS = CaseCounter.__table__
_INCREMENT = (update(_COUNTERS).where(_COUNTERS.c.day == bindparam("counter_day"))
              .values(last=_COUNTERS.c.last + 1).returning(_COUNTERS.c.last))
