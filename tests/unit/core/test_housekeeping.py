"""Outbox, inbox and answered-request retention (deploy.housekeeping): only
published outbox rows, inbox entries and answered requests past the age go;
two runs at once delete each row once."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from core.once import AnsweredRequestMixin, answered_requests_model
from core.store import InboxEntry, OutboxMessage, create_tables, make_engine, utcnow
from deploy.housekeeping import BATCH, purge


class NoTables(DeclarativeBase):
    pass


class Answering(DeclarativeBase):
    """A store with ``@once`` methods: it has answered requests."""


class AnsweredRequest(AnsweredRequestMixin, Answering):
    pass


def outbox_row(n, created, published):
    return OutboxMessage(event_id=f"e{n}", exchange="x.events", routing_key="k", payload={},
                         created_at=created, published_at=published)


def test_purges_only_what_is_published_and_old(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/store.db")
    create_tables(engine, Answering)
    sessions = sessionmaker(engine)
    assert answered_requests_model(Answering) is AnsweredRequest
    now, old, recent = utcnow(), utcnow() - timedelta(days=40), utcnow() - timedelta(days=2)
    with sessions() as session:
        session.add_all([outbox_row(n, old, old) for n in range(BATCH + 5)])  # more than a batch
        session.add_all([outbox_row("new", recent, recent),
                         outbox_row("unpublished", old, None)])
        session.add_all([InboxEntry(event_id=f"i{n}", handler="s.h", handled_at=old)
                         for n in range(3)])
        session.add(InboxEntry(event_id="i-new", handler="s.h", handled_at=recent))
        session.add_all([AnsweredRequest(handler="s.m", request_key=key, fingerprint="f",
                                         answer="{}", withheld=[], answered_at=at)
                         for key, at in (("a-old", old), ("b-old", old), ("c-new", recent))])
        session.commit()

    # Two replicas at once: every old row deleted once, nothing else.
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: purge(sessions, 30, now, answered=AnsweredRequest),
                                range(2)))
    assert sum(r[0] for r in results) == BATCH + 5
    assert sum(r[1] for r in results) == 3
    assert sum(r[2] for r in results) == 2
    with sessions() as session:
        assert sorted(session.scalars(select(OutboxMessage.event_id))) == ["enew", "eunpublished"]
        assert list(session.scalars(select(InboxEntry.event_id))) == ["i-new"]
        assert list(session.scalars(select(AnsweredRequest.request_key))) == ["c-new"]
    assert purge(sessions, 30, now, answered=AnsweredRequest) == (0, 0, 0)


def test_a_store_without_answered_requests_purges_the_rest(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/store.db")
    create_tables(engine, NoTables)
    sessions = sessionmaker(engine)
    assert answered_requests_model(NoTables) is None
    old = utcnow() - timedelta(days=40)
    with sessions() as session:
        session.add(outbox_row("old", old, old))
        session.add(InboxEntry(event_id="i-old", handler="s.h", handled_at=old))
        session.commit()
    assert purge(sessions, 30, dry_run=True) == (1, 1, None)
    assert purge(sessions, 30) == (1, 1, None)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert session.scalar(select(func.count()).select_from(InboxEntry)) == 0
