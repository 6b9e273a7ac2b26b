"""Rate limits kept in a service's own store, so every process of the service
sees the same counts: a sliding window of hits per (limit, key).

A service declares its limits as a table of ``Limit``s and one ``RateHit``
model (``class RateHit(RateHitMixin, Base)``); ``enforce`` refuses with
``TooManyRequests`` (429 + Retry-After at the gateway) once any limit is
reached, and otherwise records one hit for each. Keys are keyed hashes (an ID
number, phone or client address is never stored in clear).

Under concurrent requests two may both pass the last free slot (a count, not a
lock): the limits are about floods, not exact quotas."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Index, Integer, String, bindparam, delete, func, insert, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.errors import TooManyRequests
from core.store import UtcDateTime


@dataclass(frozen=True)
class Limit:
    name: str          # stored with each hit
    field: str         # the input it counts (named in the 429's details)
    max_hits: int
    window_seconds: float
    reason: str        # what the citizen reads, in Chinese

    @classmethod
    def from_config(cls, name, field, value, reason):
        """``value`` from a config.yaml: ``[max_hits, window_seconds]``."""
        max_hits, window = value
        return cls(name, field, int(max_hits), float(window), reason)


class RateHitMixin:
    __tablename__ = "rate_hits"

    @declared_attr.directive
    def __table_args__(cls):
        return (Index("ix_rate_hits_key", "limit_name", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    limit_name: Mapped[str] = mapped_column(String(40))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


def enforce(session, model, checks, now):
    """``checks``: ``[(limit, key_hash), ...]``. TooManyRequests naming every
    limit reached (Retry-After: until the first of them frees a slot), or one
    hit recorded for each. Three statements whatever the number of checks:
    one SELECT for all the windows, one DELETE (of the hits that left them)
    and one INSERT, each built once per table (building and compiling
    statements cost intake more CPU than SQLite running them)."""
    if not checks:  # no limit applies: nothing to count (no statement has no column)
        return
    table = model.__table__
    connection = session.connection()
    oldest = connection.execute(_oldest_counted(table, len(checks)), {
        name: value for i, (limit, key) in enumerate(checks)
        for name, value in _window(i, limit, key, now).items()}).one()
    exceeded, waits = {}, []
    for (limit, _key), counted in zip(checks, oldest):
        if counted is not None:
            exceeded[limit.field] = [limit.reason]
            waits.append(_wait(limit, counted, now))
    if exceeded:
        raise TooManyRequests("请求过于频繁，请稍后再试", exceeded, retry_after=max(waits))
    _record(connection, table, checks, now)


def seconds_until_free(session, model, limit, key, now):
    """0 when ``limit`` has room for ``key``; otherwise the seconds until its
    oldest hit in the window leaves it."""
    counted = session.connection().execute(_oldest_counted(model.__table__, 1),
                                           _window(0, limit, key, now)).scalar()
    return 0 if counted is None else _wait(limit, counted, now)


def record(session, model, limit, key, now):
    _record(session.connection(), model.__table__, [(limit, key)], now)


@cache
def _oldest_counted(table, checks):
    """For each of ``checks`` windows, only the max_hits-th newest hit in it
    decides (NULL: there is room): the index walks to it and one row is read,
    not every hit (a lifted limit, or a busy client address, has thousands in
    its window on every submission)."""
    return select(*(
        select(table.c.at).where(table.c.limit_name == bindparam(f"name_{i}"),
                                 table.c.key_hash == bindparam(f"key_{i}"),
                                 table.c.at >= bindparam(f"since_{i}"))
        .order_by(table.c.at.desc()).offset(bindparam(f"skip_{i}", type_=Integer)).limit(1)
        .scalar_subquery() for i in range(checks)))


def _window(i, limit, key, now):
    return {f"name_{i}": limit.name, f"key_{i}": key, f"skip_{i}": limit.max_hits - 1,
            f"since_{i}": now - timedelta(seconds=limit.window_seconds)}


def _wait(limit, oldest_counted, now):
    since = now - timedelta(seconds=limit.window_seconds)
    return max(1.0, (oldest_counted - since).total_seconds())


@cache
def _writes(table):
    expired = delete(table).where(table.c.limit_name == bindparam("name"),
                                  table.c.key_hash == bindparam("key"),
                                  table.c.at < bindparam("before"))
    return expired, insert(table)


def _record(connection, table, checks, now):
    # Hits that left the window are of no use: dropped as new ones come (a
    # check alone writes nothing, so it takes no write lock).
    expired, hit = _writes(table)
    connection.execute(expired, [
        {"name": limit.name, "key": key, "before": now - timedelta(seconds=limit.window_seconds)}
        for limit, key in checks])
    connection.execute(hit, [{"limit_name": limit.name, "key_hash": key, "at": now}
                             for limit, key in checks])


def clear(session, model, limit, key):
    """Forget ``key``'s hits (a correct password clears the failures)."""
    session.execute(delete(model).where(model.limit_name == limit.name, model.key_hash == key))


def count(session, model, limit, key, now):
    since = now - timedelta(seconds=limit.window_seconds)
    return session.scalar(select(func.count()).select_from(model).where(
        model.limit_name == limit.name, model.key_hash == key, model.at >= since))
