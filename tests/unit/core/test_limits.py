"""Rate limits (core/limits.py) on a real SQLite store: several limits are
checked and recorded together, and a request none applies to is let through."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from core.errors import TooManyRequests
from core.limits import Limit, enforce
from services.intake.models import Base, RateHit

PHONE = Limit("phone", "phone", 2, 60, "该手机号获取验证码过于频繁")
ADDRESS = Limit("address", "client", 3, 60, "本网络地址获取验证码过于频繁")
NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def session(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'limits.db'}")
    Base.metadata.create_all(engine, tables=[RateHit.__table__])
    with Session(engine) as session:
        yield session


def hits(session):
    return session.scalar(select(func.count()).select_from(RateHit))


def test_each_limit_counts_its_own_key_and_the_first_full_one_refuses(session):
    for n in range(2):
        enforce(session, RateHit, [(PHONE, "p1"), (ADDRESS, "a1")], NOW + timedelta(seconds=n))
    assert hits(session) == 4
    with pytest.raises(TooManyRequests) as refused:
        enforce(session, RateHit, [(PHONE, "p1"), (ADDRESS, "a1")], NOW + timedelta(seconds=2))
    assert refused.value.details == {"phone": [PHONE.reason]} and hits(session) == 4
    enforce(session, RateHit, [(PHONE, "p2"), (ADDRESS, "a1")], NOW + timedelta(seconds=3))
    with pytest.raises(TooManyRequests) as refused:
        enforce(session, RateHit, [(PHONE, "p3"), (ADDRESS, "a1")], NOW + timedelta(seconds=4))
    assert refused.value.details == {"client": [ADDRESS.reason]}
    enforce(session, RateHit, [(PHONE, "p1"), (ADDRESS, "a1")], NOW + timedelta(seconds=61))


def test_no_limit_to_check_is_let_through_and_records_nothing(session):
    enforce(session, RateHit, [], NOW)
    assert hits(session) == 0
