"""The tracking service on the real broker: events in, RPC, events out; and
its migrations on PostgreSQL."""
from datetime import date, datetime, timezone

import pytest
from kombu import Connection
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy.orm import sessionmaker

from core import events
from core.actors import ActorSigner, new_key_pair
from core.config import ROOT, load_config
from core.errors import Unauthorized
from core.handlers import HandlerQueues
from core.migrations import upgrade
from core.store import StoreHandle, create_tables, make_engine
from services.tracking import cases, views
from services.tracking.clocks import clocks_from_config
from services.tracking.models import Base
from services.tracking.service import TrackingService
from tests.kit import accounts_stand_in, publish, recorded, recorder, service_config, wait_for

CASE = {"case_number": "JN20261125-000042", "area_code": "370102001"}
HOUSING = {"unit_code": "370102-housing", "unit_name": "历下区住建局"}
WATER = {"unit_code": "370102-water", "unit_name": "历下区水务局"}
RETRY_DELAYS = [1, 2]
# the clock profiles as shipped
CLOCK_CONFIG = {key: load_config("tracking")[key] for key in ("CLOCK_PROFILE", "CLOCK_PROFILES")}


SIGNING_KEY, VERIFY_KEY = new_key_pair()


def actor(unit):
    return {"username": "staff", "unit_code": unit["unit_code"], "unit_name": unit["unit_name"],
            "role": "handler", "area_code": "370102"}


def signed(actor):
    """The actor as the gateway passes it: a token signed with its key."""
    return ActorSigner(SIGNING_KEY, 600).issue(actor)[0]


def routed(unit, routing_seq):
    """petition_routed's fields, as routing sends a case to ``unit``."""
    return dict(
        **CASE, unit_code=unit["unit_code"], unit_name=unit["unit_name"], category="housing",
        track="standard", due_date=date(2099, 12, 31), reason="按类别和属地分派",
        routing_seq=routing_seq)


def _waiting_for_retry(amqp_uri, contract, method_name):
    """How many messages for this tracking handler wait in its first retry queue."""
    queue = HandlerQueues(contract, "tracking", method_name, RETRY_DELAYS).retry(RETRY_DELAYS[0])
    with Connection(amqp_uri) as conn:
        return conn.default_channel.queue_declare(queue, passive=True).message_count


@pytest.fixture
def running(container_factory, amqp_uri, tmp_path):
    """Tracking, and a department system subscribed to its events (a recorder);
    yields tracking's RPC proxy and a reader of what the department saw."""
    tracking_url, watcher_url = f"sqlite:///{tmp_path}/tracking.db", f"sqlite:///{tmp_path}/w.db"
    create_tables(make_engine(tracking_url), Base)
    watcher = recorder(events.CASE_RETURNED, events.CASE_REPLIED, events.CASE_CONCLUDED,
                       name="watcher")
    container_factory(watcher, service_config(amqp_uri, watcher_url)).start()
    container_factory(accounts_stand_in(), {"AMQP_URI": amqp_uri}).start()
    container_factory(TrackingService, service_config(
        amqp_uri, tracking_url, EVENT_RETRY_DELAYS=RETRY_DELAYS, ACTOR_VERIFY_KEY=VERIFY_KEY,
        **CLOCK_CONFIG)).start()
    with ServiceRpcProxy("tracking", {"AMQP_URI": amqp_uri}) as tracking:
        yield tracking, lambda event_type: recorded(watcher_url, event_type)


def test_case_lifecycle_over_the_broker(running, amqp_uri):
    tracking, seen = running
    number = CASE["case_number"]

    # routing's event overtakes intake's
    publish(amqp_uri, events.PETITION_ROUTED, **routed(HOUSING, 1))
    publish(amqp_uri, events.PETITION_SUBMITTED, **CASE, unit_code=None, category="housing",
            title="小区供暖不热", submitted_at=datetime(2026, 11, 25, 1, tzinfo=timezone.utc), channel="online")
    wait_for(lambda: len(tracking.get_case(number)["timeline"]) == 2)
    view = tracking.get_case(number)
    assert (view["status"], view["unit_code"], view["title"]) == (
        "routed", HOUSING["unit_code"], "小区供暖不热")

    # 退回, and routing sends it to another unit
    tracking.act(number, "return", signed(actor(HOUSING)), {"reason": "不属本单位职责"})
    wait_for(lambda: seen("case_returned"))
    [returned] = seen("case_returned")
    assert (returned["unit_code"], returned["routing_seq"]) == (HOUSING["unit_code"], 1)
    publish(amqp_uri, events.PETITION_ROUTED, **routed(WATER, 2))
    wait_for(lambda: tracking.get_case(number)["unit_code"] == WATER["unit_code"])

    # the rating overtakes the reply: it is retried until the reply is in
    tracking.act(number, "accept", signed(actor(WATER)))
    publish(amqp_uri, events.RATING_SUBMITTED,
            **CASE, unit_code=WATER["unit_code"], service_attitude="satisfied",
            work_efficiency="satisfied", handling_quality="basically_satisfied")
    wait_for(lambda: _waiting_for_retry(amqp_uri, events.RATING_SUBMITTED,
                                        "on_rating_submitted") == 1)
    tracking.act(number, "reply", signed(actor(WATER)), {"reply": "已协调供热公司检修，室温达标"})
    wait_for(lambda: seen("case_replied") and seen("case_concluded"))
    [replied], [concluded] = seen("case_replied"), seen("case_concluded")
    assert (replied["replied_by"], replied["unit_code"], replied["area_code"]) == (
        actor(WATER)["username"], WATER["unit_code"], CASE["area_code"])
    assert "reply" not in replied  # the text stays with tracking's public view
    assert concluded["on_time"] is True
    assert tracking.get_case(number)["status"] == "concluded"
    assert tracking.status_counts() == {"concluded": 1}


def test_a_staff_rpc_refuses_an_actor_it_cannot_verify(running, amqp_uri):
    tracking, _ = running
    publish(amqp_uri, events.PETITION_ROUTED, **routed(HOUSING, 1))
    wait_for(lambda: tracking.get_case(CASE["case_number"])["unit_code"])
    other_key, _ = new_key_pair()
    for forged in (actor(HOUSING), "staff", ActorSigner(other_key, 600).issue(actor(HOUSING))[0]):
        with pytest.raises(Unauthorized):
            tracking.list_cases(forged)
        with pytest.raises(Unauthorized):
            tracking.act(CASE["case_number"], "accept", forged)
    assert tracking.get_case(CASE["case_number"])["status"] == "routed"
    assert [c["case_number"] for c in tracking.list_cases(signed(actor(HOUSING)))] == [
        CASE["case_number"]]


def test_migrations_and_a_unit_of_work_on_postgresql(postgres_url):
    upgrade(ROOT / "services" / "tracking", postgres_url)
    store = StoreHandle(sessionmaker(make_engine(postgres_url), expire_on_commit=False))
    event = events.PETITION_ROUTED.load(events.PETITION_ROUTED.build(**routed(HOUSING, 1)))
    clocks = clocks_from_config(CLOCK_CONFIG)
    with store.transaction() as tx:
        assert tx.first_delivery(event)
        cases.apply_routing(tx, event, clocks)
    with store.transaction() as tx:
        cases.act(tx, CASE["case_number"], "accept", actor(HOUSING), None, clocks)
    city = {**actor(HOUSING), "unit_code": "370100-bureau", "role": "bureau_supervisor",
            "area_code": "370100"}
    with store.transaction() as tx:
        assert not tx.first_delivery(event)
        [summary] = views.list_cases(tx, city, clocks.today())
        counts = views.status_counts(tx)
    due = clocks.track("standard").conclude.due(clocks.calendar, clocks.today())
    assert (summary["status"], summary["due_date"]) == ("accepted", due.isoformat())
    assert counts == {"accepted": 1}


def test_a_spot_check_drawn_twice_with_one_request_id_is_drawn_once(running, tmp_path):
    """A request run again (its reply lost: core/broker.py requeues it, or the
    client sent its Idempotency-Key again) gets the first draw back: one
    check recorded. Another id is another draw."""
    from services.tracking.models import SpotCheck
    from tests.kit import count_rows

    tracking, _seen = running
    bureau = signed({"username": "lixia_bureau", "unit_code": "370102-XFJ",
                     "unit_name": "历下区信访局", "role": "bureau_admin", "area_code": "370102"})
    body = {"unit_code": HOUSING["unit_code"], "period_start": "2026-11-01",
            "period_end": "2026-11-30", "size": 2}
    first = tracking.draw_spot_check(bureau, body, "spot-check-request-0001")
    again = tracking.draw_spot_check(bureau, body, "spot-check-request-0001")
    assert again == first
    url = f"sqlite:///{tmp_path}/tracking.db"
    assert count_rows(url, SpotCheck) == 1
    other = tracking.draw_spot_check(bureau, body, "spot-check-request-0002")
    assert other["id"] != first["id"] and count_rows(url, SpotCheck) == 2
