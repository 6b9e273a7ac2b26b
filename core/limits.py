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

from sqlalchemy import Index, Integer, String, delete, func, select
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
    hit recorded for each."""
    exceeded, waits = {}, []
    for limit, key in checks:
        wait = seconds_until_free(session, model, limit, key, now)
        if wait:
            exceeded[limit.field] = [limit.reason]
            waits.append(wait)
    if exceeded:
        raise TooManyRequests("请求过于频繁，请稍后再试", exceeded, retry_after=max(waits))
    for limit, key in checks:
        record(session, model, limit, key, now)


def seconds_until_free(session, model, limit, key, now):
    """0 when ``limit`` has room for ``key``; otherwise the seconds until its
    oldest hit in the window leaves it."""
    since = now - timedelta(seconds=limit.window_seconds)
    # Only the max_hits-th newest hit in the window decides: the index walks
    # to it and one row is read, not every hit (a lifted limit, or a busy
    # client address, has thousands in its window on every submission).
    oldest_counted = session.scalar(
        select(model.at).where(model.limit_name == limit.name, model.key_hash == key,
                               model.at >= since).order_by(model.at.desc())
        .offset(limit.max_hits - 1).limit(1))
    if oldest_counted is None:
        return 0
    return max(1.0, (oldest_counted - since).total_seconds())


def record(session, model, limit, key, now):
    # Hits that left the window are of no use: dropped as new ones come (a
    # check alone writes nothing, so it takes no write lock).
    session.execute(delete(model).where(
        model.limit_name == limit.name, model.key_hash == key,
        model.at < now - timedelta(seconds=limit.window_seconds)))
    session.add(model(limit_name=limit.name, key_hash=key, at=now))


def clear(session, model, limit, key):
    """Forget ``key``'s hits (a correct password clears the failures)."""
    session.execute(delete(model).where(model.limit_name == limit.name, model.key_hash == key))


def count(session, model, limit, key, now):
    since = now - timedelta(seconds=limit.window_seconds)
    return session.scalar(select(func.count()).select_from(model).where(
        model.limit_name == limit.name, model.key_hash == key, model.at >= since))
