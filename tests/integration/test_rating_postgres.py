"""The rating store on PostgreSQL: migrations, and two truly concurrent
submissions for one case."""
from datetime import datetime, timezone
from pathlib import Path

import eventlet
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

import services.rating
from core import events
from core.errors import Conflict
from core.migrations import upgrade
from core.store import OutboxMessage, StoreHandle, make_engine
from services.rating import ratings

CASE = "JN20261125-000001"


def test_migrated_postgres_store_accepts_one_of_two_concurrent_ratings(postgres_url):
    upgrade(Path(services.rating.__file__).parent, postgres_url)
    engine = make_engine(postgres_url)
    store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="rating.test")
    reply = events.CASE_REPLIED
    with store.transaction() as tx:
        ratings.record_reply(tx, reply.load(reply.build(
            case_number=CASE, area_code="370102", unit_code="U1", reply="已答复",
            replied_by="zhang", occurred_at=datetime(2026, 11, 25, tzinfo=timezone.utc))))

    def rate(level):
        try:
            with store.transaction() as tx:
                return ratings.submit(tx, CASE, dict(
                    service_attitude=level, work_efficiency=level, handling_quality=level))
        except Conflict as exc:
            return exc.message

    outcomes = [t.wait() for t in [eventlet.spawn(rate, "satisfied"),
                                   eventlet.spawn(rate, "unsatisfied")]]
    assert outcomes.count("already rated") == 1
    [rating] = [o for o in outcomes if isinstance(o, dict)]
    with store.transaction() as tx:
        assert ratings.get(tx, CASE) == rating
        announced = tx.session.scalars(select(OutboxMessage.routing_key)).all()
    assert announced.count("rating_submitted") == 1
    engine.dispose()
