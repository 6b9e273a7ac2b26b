"""The routing service on the real broker: petitions come in as events,
routings and rejections go out as events, a return re-routes, RPC in between."""
import shutil
from datetime import datetime, timezone

import eventlet
import pytest
from kombu import Connection
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from core import events
from core.errors import Unauthorized
from core.handlers import HandlerQueues, handles
from core.store import Store, StoreHandle, create_tables, make_engine
from services.routing import directory_seed
from services.routing.models import Base as RoutingBase
from services.routing.service import RoutingService

RETRY_DELAYS = [0.2, 0.4]


class Base(DeclarativeBase):
    pass


class Heard(Base):
    __tablename__ = "heard"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(50))
    case_number: Mapped[str] = mapped_column(String(20))
    unit_code: Mapped[str | None] = mapped_column(String(30))
    routing_seq: Mapped[int | None] = mapped_column(Integer)


class Intake:
    """Stands in for intake: submits petitions."""

    name = "intake"
    store = Store(Base)

    @rpc
    def submit(self, case_number, category, area_code):
        with self.store.transaction() as tx:
            tx.emit(events.PETITION_SUBMITTED, case_number=case_number, area_code=area_code,
                    unit_code=None, category=category, title="噪音扰民", content="夜间施工",
                    submitted_at=datetime(2026, 9, 30, 2, tzinfo=timezone.utc),
                    channel="online")


class Tracking:
    """Stands in for tracking: hears routings and rejections, returns a case."""

    name = "tracking"
    store = Store(Base)

    @rpc
    def return_case(self, case_number, area_code, unit_code, routing_seq):
        with self.store.transaction() as tx:
            tx.emit(events.CASE_RETURNED, case_number=case_number, area_code=area_code,
                    unit_code=unit_code, reason="不属于本单位职责", returned_by="zhang",
                    routing_seq=routing_seq)

    def _hear(self, event):
        with self.store.transaction() as tx:
            if tx.first_delivery(event):
                tx.session.add(Heard(event_id=str(event["event_id"]),
                                     event_type=event["event_type"],
                                     case_number=event["case_number"],
                                     unit_code=event["unit_code"],
                                     routing_seq=event.get("routing_seq")))

    @handles(events.PETITION_ROUTED)
    def on_petition_routed(self, event):
        self._hear(event)

    @handles(events.PETITION_REJECTED)
    def on_petition_rejected(self, event):
        self._hear(event)


def _config(amqp_uri, url):
    return {"AMQP_URI": amqp_uri, "DB_URL": url, "OUTBOX_POLL_SECONDS": 0.2,
            "EVENT_RETRY_DELAYS": RETRY_DELAYS, "HOLIDAY_OVERRIDES": None}


def _heard(url):
    with make_engine(url).connect() as conn:
        return conn.execute(select(Heard.event_type, Heard.case_number, Heard.unit_code,
                                   Heard.routing_seq).order_by(Heard.routing_seq)).all()


def _wait_for(predicate, timeout=15):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


@pytest.fixture(scope="module")
def seeded_routing_db(tmp_path_factory):
    """Seeded once: argon2 makes hashing the demo passwords deliberately slow."""
    path = tmp_path_factory.mktemp("routing") / "seeded.db"
    engine = make_engine(f"sqlite:///{path}")
    create_tables(engine, RoutingBase)
    with StoreHandle(sessionmaker(engine)).transaction() as tx:
        directory_seed.seed(tx, "petition-demo")
    engine.dispose()
    return path


@pytest.fixture
def running(container_factory, amqp_uri, tmp_path, seeded_routing_db):
    """Routing (seeded), the two stand-ins; returns the stand-in tracking's DB URL."""
    shutil.copy(seeded_routing_db, tmp_path / "routing.db")
    routing_url = f"sqlite:///{tmp_path}/routing.db"
    urls = {name: f"sqlite:///{tmp_path}/{name}.db" for name in ("intake", "tracking")}
    for url in urls.values():
        create_tables(make_engine(url), Base)
    # Handlers declare their queues as they start: every consumer before any producer.
    container_factory(RoutingService, _config(amqp_uri, routing_url)).start()
    container_factory(Tracking, _config(amqp_uri, urls["tracking"])).start()
    container_factory(Intake, _config(amqp_uri, urls["intake"])).start()
    return urls["tracking"]


def test_a_petition_is_routed_returned_and_rerouted(running, amqp_uri):
    case = "JN20260930-000001"
    with ServiceRpcProxy("intake", {"AMQP_URI": amqp_uri}) as intake:
        intake.submit(case, "housing", "370102001")
    _wait_for(lambda: len(_heard(running)) == 1)
    assert _heard(running) == [("petition_routed", case, "370102001-JDB", 1)]

    with ServiceRpcProxy("tracking", {"AMQP_URI": amqp_uri}) as tracking:
        tracking.return_case(case, "370102001", "370102001-JDB", 1)
    _wait_for(lambda: len(_heard(running)) == 2)
    assert _heard(running)[1] == ("petition_routed", case, "370102-ZJJ", 2)

    with ServiceRpcProxy("routing", {"AMQP_URI": amqp_uri}) as routing:
        assignment = routing.assignment(case)
        assert (assignment["unit_code"], assignment["routing_seq"]) == ("370102-ZJJ", 2)
        assert routing.authenticate("lixia_housing", "petition-demo")["unit_code"] == "370102-ZJJ"
        with pytest.raises(Unauthorized):
            routing.authenticate("lixia_housing", "guess")


def test_litigation_is_rejected_and_an_unknown_area_is_parked(running, amqp_uri):
    with ServiceRpcProxy("intake", {"AMQP_URI": amqp_uri}) as intake:
        intake.submit("JN20260930-000002", "housing", "370199")   # no such area
        intake.submit("JN20260930-000003", "litigation", "370102")
    _wait_for(lambda: len(_heard(running)) == 1)
    assert _heard(running) == [("petition_rejected", "JN20260930-000003", None, None)]

    queues = HandlerQueues(events.PETITION_SUBMITTED, "routing", "on_petition_submitted",
                           tuple(RETRY_DELAYS))
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        _wait_for(lambda: channel.queue_declare(queues.parked, passive=True).message_count == 1)
        parked = channel.basic_get(queues.parked, no_ack=True)
    assert "unknown area '370199'" in parked.headers["x-parked-reason"]
