"""The routing service on the real broker: petitions come in as events,
routings and rejections go out as events, a return re-routes, RPC in between."""
import shutil
from datetime import datetime, timezone

import pytest
from kombu import Connection
from nameko.standalone.rpc import ServiceRpcProxy

from core import events
from core.actors import ActorSigner
from core.errors import Unauthorized
from core.handlers import HandlerQueues
from services.routing import directory_seed
from services.routing.models import Base as RoutingBase
from services.routing.service import RoutingService
from tests.kit import publish, recorded, recorder, service_config, sqlite_store, wait_for

RETRY_DELAYS = [0.2, 0.4]


def submit(amqp_uri, case_number, category, area_code):
    """What intake publishes about a new petition."""
    publish(amqp_uri, events.PETITION_SUBMITTED, case_number=case_number, area_code=area_code,
            unit_code=None, category=category, title="噪音扰民", submitted_at=datetime(2026, 9, 30, 2, tzinfo=timezone.utc), channel="online")


def return_case(amqp_uri, case_number, area_code, unit_code, routing_seq):
    """What tracking publishes when a unit returns a case (退回)."""
    publish(amqp_uri, events.CASE_RETURNED, case_number=case_number, area_code=area_code,
            unit_code=unit_code, reason="不属于本单位职责", returned_by="zhang",
            routing_seq=routing_seq)


def heard(url):
    """What the stand-in tracking heard from routing, in order."""
    return [(e["event_type"], e["case_number"], e["unit_code"], e.get("routing_seq"))
            for e in recorded(url)]


@pytest.fixture(scope="module")
def seeded_routing_db(tmp_path_factory):
    """Seeded once: argon2 makes hashing the demo passwords deliberately slow."""
    path = tmp_path_factory.mktemp("routing") / "seeded.db"
    with sqlite_store(f"sqlite:///{path}", RoutingBase) as store, store.transaction() as tx:
        directory_seed.seed(tx, "petition-demo")
    return path


@pytest.fixture
def running(container_factory, amqp_uri, tmp_path, seeded_routing_db, secrets_env):
    """Routing (seeded) and a recorder standing in for tracking; returns the
    recorder's store URL."""
    shutil.copy(seeded_routing_db, tmp_path / "routing.db")
    routing_url, tracking_url = (f"sqlite:///{tmp_path}/{name}.db" for name in ("routing", "t"))
    # Handlers declare their queues as they start: every consumer before any event.
    container_factory(RoutingService, service_config(
        amqp_uri, routing_url, EVENT_RETRY_DELAYS=RETRY_DELAYS, HOLIDAY_OVERRIDES=None,
        ACTOR_VERIFY_KEY=secrets_env["ACTOR_VERIFY_KEY"],
        API_KEY_HASH_KEY=secrets_env["API_KEY_HASH_KEY"])).start()
    tracking = recorder(events.PETITION_ROUTED, events.PETITION_REJECTED, name="tracking")
    container_factory(tracking, service_config(amqp_uri, tracking_url)).start()
    return tracking_url


def test_a_petition_is_routed_returned_and_rerouted(running, amqp_uri):
    case = "JN20260930-000001"
    submit(amqp_uri, case, "housing", "370102001")
    wait_for(lambda: len(heard(running)) == 1)
    assert heard(running) == [("petition_routed", case, "370102001-JDB", 1)]

    return_case(amqp_uri, case, "370102001", "370102001-JDB", 1)
    wait_for(lambda: len(heard(running)) == 2)
    assert heard(running)[1] == ("petition_routed", case, "370102-ZJJ", 2)

    with ServiceRpcProxy("routing", {"AMQP_URI": amqp_uri}) as routing:
        assignment = routing.assignment(case)
        assert (assignment["unit_code"], assignment["routing_seq"]) == ("370102-ZJJ", 2)
        assert routing.authenticate("lixia_housing", "petition-demo")["unit_code"] == "370102-ZJJ"
        with pytest.raises(Unauthorized):
            routing.authenticate("lixia_housing", "guess")


def test_litigation_is_rejected_and_an_unknown_area_is_parked(running, amqp_uri):
    submit(amqp_uri, "JN20260930-000002", "housing", "370199")   # no such area
    submit(amqp_uri, "JN20260930-000003", "litigation", "370102")
    wait_for(lambda: len(heard(running)) == 1)
    assert heard(running) == [("petition_rejected", "JN20260930-000003", None, None)]

    queues = HandlerQueues(events.PETITION_SUBMITTED, "routing", "on_petition_submitted",
                           tuple(RETRY_DELAYS))
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        wait_for(lambda: channel.queue_declare(queues.parked, passive=True).message_count == 1)
        parked = channel.basic_get(queues.parked, no_ack=True)
    assert "unknown area '370199'" in parked.headers["x-parked-reason"]


def test_a_disabled_account_is_refused_by_every_service_at_once(running, container_factory,
                                                                 amqp_uri, tmp_path, secrets_env):
    """Tracking beside routing: the handler's token works in tracking until the
    bureau administrator disables the account; from that call on, tracking
    refuses the same token (its @staff_rpc asks routing), and so does routing."""
    from core.store import create_tables, make_engine
    from services.tracking.models import Base as TrackingBase
    from services.tracking.service import TrackingService
    from tests.integration.test_tracking import CLOCK_CONFIG

    tracking_url = f"sqlite:///{tmp_path}/tracking.db"
    create_tables(make_engine(tracking_url), TrackingBase)
    container_factory(TrackingService, service_config(
        amqp_uri, tracking_url, ACTOR_VERIFY_KEY=secrets_env["ACTOR_VERIFY_KEY"], **CLOCK_CONFIG)).start()
    sign = ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 600).issue
    with ServiceRpcProxy("routing", {"AMQP_URI": amqp_uri}) as routing, \
            ServiceRpcProxy("tracking", {"AMQP_URI": amqp_uri}) as tracking:
        handler = sign(routing.authenticate("lixia_housing", "petition-demo"))[0]
        admin = sign(routing.authenticate("lixia_admin", "petition-demo"))[0]
        assert tracking.list_cases(handler) == []
        routing.update_account(admin, "lixia_housing", {"active": False})
        with pytest.raises(Unauthorized):
            tracking.list_cases(handler)
        with pytest.raises(Unauthorized):
            routing.staff_accounts_list(handler)
        routing.update_account(admin, "lixia_housing", {"active": True})
        with pytest.raises(Unauthorized):  # the old token stays refused
            tracking.list_cases(handler)
        fresh = sign(routing.authenticate("lixia_housing", "petition-demo"))[0]
        assert tracking.list_cases(fresh) == []
        assert [c["change"] for c in routing.staff_changes(admin)] == ["enabled", "disabled"]


def test_api_key_made_checked_and_revoked_over_rpc(running, amqp_uri, secrets_env):
    from core.actors import ActorSigner
    from core.errors import Unauthorized
    with ServiceRpcProxy("routing", {"AMQP_URI": amqp_uri}) as routing:
        admin = ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 60).issue(
            routing.authenticate("city_admin", "petition-demo"))[0]
        made = routing.create_api_key(admin, {"name": "工单系统", "unit_code": "370102-ZJJ"})
        principal = routing.check_api_key(made["key"], "GET /api/v1/cases", "198.51.100.9")
        assert (principal["unit_code"], principal["area_code"]) == ("370102-ZJJ", "370102")
        routing.revoke_api_key(admin, made["key_id"])
        with pytest.raises(Unauthorized):
            routing.check_api_key(made["key"], "GET /api/v1/cases", "198.51.100.9")
        uses = routing.api_key_uses(admin, made["key_id"])
    assert [u["outcome"] for u in uses] == ["revoked", "ok"]
    assert uses[0]["client"] == "198.51.100.9"
