"""The rating service on the real broker: a reply comes in as an event, the
rating goes out as events, RPC in between."""
from pathlib import Path

import eventlet
import pytest
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import JSON, String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import services.rating
from core import events
from core.errors import Conflict
from core.handlers import handles
from core.migrations import upgrade
from core.store import Store, create_tables, make_engine
from services.rating.models import RatableCase
from services.rating.service import RatingService

CASE = "JN20261125-000001"
ENVELOPE = dict(case_number=CASE, area_code="370102", unit_code="U370102-HOUSING")


class Base(DeclarativeBase):
    pass


class Received(Base):
    __tablename__ = "received"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)


class Tracking:
    """Stands in for tracking: replies to the case, and hears the rating."""

    name = "tracking"
    store = Store(Base)

    @rpc
    def reply(self):
        with self.store.transaction() as tx:
            tx.emit(events.CASE_REPLIED, **ENVELOPE, reply="已答复", replied_by="zhang")

    def _receive(self, event):
        with self.store.transaction() as tx:
            if tx.first_delivery(event):
                tx.session.add(Received(event_id=str(event["event_id"]), payload={
                    "event_type": event["event_type"],
                    "dimensions": event.get("dimensions")}))

    @handles(events.RATING_SUBMITTED)
    def on_rating_submitted(self, event):
        self._receive(event)

    @handles(events.RATING_UNSATISFIED)
    def on_rating_unsatisfied(self, event):
        self._receive(event)


def _config(amqp_uri, url):
    return {"AMQP_URI": amqp_uri, "DB_URL": url, "OUTBOX_POLL_SECONDS": 0.2,
            "EVENT_RETRY_DELAYS": [0.2]}


def _count(url, model):
    with make_engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar()


def _wait_for(predicate, timeout=15):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


def test_a_replied_case_is_rated_once_and_tracking_hears_it(container_factory, amqp_uri, tmp_path):
    rating_url, tracking_url = f"sqlite:///{tmp_path}/rating.db", f"sqlite:///{tmp_path}/t.db"
    upgrade(Path(services.rating.__file__).parent, rating_url)
    create_tables(make_engine(tracking_url), Base)
    container_factory(RatingService, _config(amqp_uri, rating_url)).start()
    container_factory(Tracking, _config(amqp_uri, tracking_url)).start()
    levels = dict(service_attitude="satisfied", work_efficiency="satisfied",
                  handling_quality="unsatisfied")

    with ServiceRpcProxy("rating", {"AMQP_URI": amqp_uri}) as rating, \
            ServiceRpcProxy("tracking", {"AMQP_URI": amqp_uri}) as tracking:
        with pytest.raises(Conflict):
            rating.submit(CASE, levels)
        tracking.reply()
        _wait_for(lambda: _count(rating_url, RatableCase) == 1)
        assert rating.submit(CASE, {**levels, "comment": "还没解决"})["comment"] == "还没解决"
        with pytest.raises(Conflict):
            rating.submit(CASE, levels)
        assert rating.unit_scores()[0]["ratings"] == 1

    _wait_for(lambda: _count(tracking_url, Received) == 2)
    with make_engine(tracking_url).connect() as conn:
        received = {p["event_type"]: p for p in conn.execute(select(Received.payload)).scalars()}
    assert received["rating_unsatisfied"]["dimensions"] == ["handling_quality"]
    assert "rating_submitted" in received
