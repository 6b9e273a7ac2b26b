"""The tracking service on the real broker: events in, RPC, events out; and
its migrations on PostgreSQL."""
from datetime import date, datetime, timezone

import eventlet
import pytest
from kombu import Connection
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy.orm import DeclarativeBase, sessionmaker

from core import events
from core.config import ROOT
from core.handlers import HandlerQueues, handles
from core.migrations import upgrade
from core.store import Store, StoreHandle, create_tables, make_engine
from services.tracking import cases, views
from services.tracking.models import Base
from services.tracking.service import TrackingService

CASE = {"case_number": "JN20261125-000042", "area_code": "370102001"}
HOUSING = {"unit_code": "370102-housing", "unit_name": "历下区住建局"}
WATER = {"unit_code": "370102-water", "unit_name": "历下区水务局"}
RETRY_DELAYS = [1, 2]


def actor(unit):
    return {"username": "staff", "unit_code": unit["unit_code"], "unit_name": unit["unit_name"],
            "role": "handler", "area_code": "370102"}


def routed(unit, routing_seq):
    return events.PETITION_ROUTED.build(
        **CASE, unit_code=unit["unit_code"], unit_name=unit["unit_name"], category="housing",
        track="standard", due_date=date(2099, 12, 31), reason="按类别和属地分派",
        routing_seq=routing_seq)


class FeederBase(DeclarativeBase):
    pass


class Feeder:
    """Stands in for intake, routing and rating: publishes through its outbox."""

    name = "feeder"
    store = Store(FeederBase)

    @rpc
    def publish(self, payload):
        """Emit a payload built by its contract in the test (JSON over RPC)."""
        contract = next(c for c in events.ALL if c.event_type == payload["event_type"])
        with self.store.transaction() as tx:
            tx.emit(contract, **contract.load(payload))


class Watcher:
    """A department system subscribed to tracking's events."""

    name = "watcher"
    seen = []

    @handles(events.CASE_RETURNED)
    def on_returned(self, event):
        self.seen.append(event)

    @handles(events.CASE_REPLIED)
    def on_replied(self, event):
        self.seen.append(event)

    @handles(events.CASE_CONCLUDED)
    def on_concluded(self, event):
        self.seen.append(event)


def _waiting_for_retry(amqp_uri, contract, method_name):
    """How many messages for this tracking handler wait in its first retry queue."""
    queue = HandlerQueues(contract, "tracking", method_name, RETRY_DELAYS).retry(RETRY_DELAYS[0])
    with Connection(amqp_uri) as conn:
        return conn.default_channel.queue_declare(queue, passive=True).message_count


def _config(amqp_uri, url):
    return {"AMQP_URI": amqp_uri, "DB_URL": url, "OUTBOX_POLL_SECONDS": 0.2,
            "EVENT_RETRY_DELAYS": RETRY_DELAYS}


def _wait_for(predicate, timeout=10):
    with eventlet.Timeout(timeout):
        while not predicate():
            eventlet.sleep(0.05)


def _seen(event_type):
    return [e for e in Watcher.seen if e["event_type"] == event_type]


@pytest.fixture
def running(container_factory, amqp_uri, tmp_path):
    urls = {name: f"sqlite:///{tmp_path}/{name}.db" for name in ("tracking", "feeder")}
    create_tables(make_engine(urls["tracking"]), Base)
    create_tables(make_engine(urls["feeder"]), FeederBase)
    Watcher.seen = []
    container_factory(Watcher, {"AMQP_URI": amqp_uri}).start()
    container_factory(TrackingService, _config(amqp_uri, urls["tracking"])).start()
    container_factory(Feeder, _config(amqp_uri, urls["feeder"])).start()
    with ServiceRpcProxy("tracking", {"AMQP_URI": amqp_uri}) as tracking, \
            ServiceRpcProxy("feeder", {"AMQP_URI": amqp_uri}) as feeder:
        yield tracking, feeder


def test_case_lifecycle_over_the_broker(running, amqp_uri):
    tracking, feeder = running
    number = CASE["case_number"]

    # routing's event overtakes intake's
    feeder.publish(routed(HOUSING, 1))
    feeder.publish(events.PETITION_SUBMITTED.build(
        **CASE, unit_code=None, category="housing", title="小区供暖不热", content="（私人内容）",
        submitted_at=datetime(2026, 11, 25, 1, tzinfo=timezone.utc), channel="online"))
    _wait_for(lambda: len(tracking.get_case(number)["timeline"]) == 2)
    view = tracking.get_case(number)
    assert (view["status"], view["unit_code"], view["title"]) == (
        "routed", HOUSING["unit_code"], "小区供暖不热")

    # 退回, and routing sends it to another unit
    tracking.return_case(number, actor(HOUSING), "不属本单位职责")
    _wait_for(lambda: _seen("case_returned"))
    [returned] = _seen("case_returned")
    assert (returned["unit_code"], returned["routing_seq"]) == (HOUSING["unit_code"], 1)
    feeder.publish(routed(WATER, 2))
    _wait_for(lambda: tracking.get_case(number)["unit_code"] == WATER["unit_code"])

    # the rating overtakes the reply: it is retried until the reply is in
    tracking.accept(number, actor(WATER))
    feeder.publish(events.RATING_SUBMITTED.build(
        **CASE, unit_code=WATER["unit_code"], service_attitude="satisfied",
        work_efficiency="satisfied", handling_quality="basically_satisfied"))
    _wait_for(lambda: _waiting_for_retry(amqp_uri, events.RATING_SUBMITTED,
                                         "on_rating_submitted") == 1)
    tracking.reply(number, actor(WATER), "已协调供热公司检修，室温达标")
    _wait_for(lambda: _seen("case_replied") and _seen("case_concluded"))
    [replied], [concluded] = _seen("case_replied"), _seen("case_concluded")
    assert (replied["reply"], replied["unit_code"], replied["area_code"]) == (
        "已协调供热公司检修，室温达标", WATER["unit_code"], CASE["area_code"])
    assert concluded["on_time"] is True
    assert tracking.get_case(number)["status"] == "concluded"
    assert tracking.status_counts() == {"concluded": 1}


def test_migrations_and_a_unit_of_work_on_postgresql(postgres_url):
    upgrade(ROOT / "services" / "tracking", postgres_url)
    store = StoreHandle(sessionmaker(make_engine(postgres_url), expire_on_commit=False))
    event = events.PETITION_ROUTED.load(routed(HOUSING, 1))
    with store.transaction() as tx:
        assert tx.first_delivery(event)
        cases.apply_routing(tx, event)
    with store.transaction() as tx:
        cases.accept(tx, CASE["case_number"], actor(HOUSING))
    city = {**actor(HOUSING), "unit_code": "370100-bureau", "role": "bureau",
            "area_code": "370100"}
    with store.transaction() as tx:
        assert not tx.first_delivery(event)
        [summary] = views.list_cases(tx, city)
        counts = views.status_counts(tx)
    assert (summary["status"], summary["due_date"]) == ("accepted", "2099-12-31")
    assert counts == {"accepted": 1}
