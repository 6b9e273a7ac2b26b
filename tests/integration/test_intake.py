"""intake on the real broker: a submission by RPC comes out as
petition_submitted (public) and petitioner_contact (private)."""

import pytest
from nameko.rpc import rpc
from nameko.standalone.rpc import ServiceRpcProxy

from core import events
from core.errors import ConfigurationError, InvalidInput, NotFound
from core.sealed import Sealer
from core.store import create_tables, make_engine
from services.intake.models import Base
from services.intake.service import IntakeService
from services.routing.directory_seed import districts
from tests.kit import recorded, recorder, service_config, wait_for

SUBMISSION = {
    "name": "李四", "id_number": "11010519491231002x", "phone": "+86 139 0531 0000",
    "title": "村道破损", "content": "村东道路塌陷，雨天无法通行。",
    "category": "roads", "area_code": "370112",
    "proxy": {"agent_id": "GA-370112001-03", "consent": True, "consent_record": "同意书 LC-0042"},
}


class RoutingTestDouble:
    """TEST DOUBLE named "routing": only ``reference_data``, from routing's
    districts CSV; it counts the calls, to show intake's cache at work."""

    name = "routing"
    calls = 0

    @rpc
    def reference_data(self):
        RoutingTestDouble.calls += 1
        return {"categories": [{"code": "roads", "name_zh": "道路交通", "name_en": "Roads"}],
                "areas": districts()}


# Stands for routing (public events) and notify (the private contact, the code).
Listener = recorder(events.PETITION_SUBMITTED, events.PETITIONER_CONTACT, events.PHONE_CODE,
                    name="intake_test_listener")


@pytest.fixture
def config(amqp_uri, sqlite_url, secrets_env):
    create_tables(make_engine(sqlite_url), Base)
    return service_config(amqp_uri, sqlite_url, REFERENCE_TTL_SECONDS=60,
                          TIMEZONE="Asia/Shanghai", **secrets_env)


def test_submission_reaches_routing_and_notify(container_factory, config, tmp_path):
    RoutingTestDouble.calls = 0
    listener_url = f"sqlite:///{tmp_path}/listener.db"
    container_factory(RoutingTestDouble, config).start()
    container_factory(Listener, {**config, "DB_URL": listener_url}).start()
    container_factory(IntakeService, config).start()

    seal = Sealer(config["SUBMISSION_KEYS"], "SUBMISSION_KEYS").seal  # as the gateway does
    private = Sealer(config["PRIVATE_EVENT_KEYS"], "PRIVATE_EVENT_KEYS")  # as notify opens
    with ServiceRpcProxy("intake", config) as intake:
        with pytest.raises(InvalidInput):  # in clear, or sealed with another key: refused
            intake.request_phone_code({"phone": SUBMISSION["phone"],
                                       "id_number": SUBMISSION["id_number"]}, "198.51.100.7")
        intake.request_phone_code(seal({"phone": SUBMISSION["phone"],
                                        "id_number": SUBMISSION["id_number"]}), "198.51.100.7")
        wait_for(lambda: recorded(listener_url, "phone_code"))
        [code] = [private.open(e["sealed"]) for e in recorded(listener_url, "phone_code")]
        assert code["phone"] == "13905310000"  # normalised
        submitted = intake.submit(seal({**SUBMISSION, "sms_code": code["code"]}))
        with pytest.raises(InvalidInput) as caught:
            intake.submit(seal({**SUBMISSION, "category": "lottery", "sms_code": code["code"]}))
        assert set(caught.value.details) == {"category"}
        with pytest.raises(NotFound):
            intake.lookup("not a code")
        assert intake.lookup(submitted["query_code"])["channel"] == "proxy"

    wait_for(lambda: len(recorded(listener_url)) == 3)
    by_type = {e["event_type"]: e for e in recorded(listener_url)}
    public, contact = by_type["petition_submitted"], by_type["petitioner_contact"]
    assert "13905310000" not in str(contact)  # sealed on the bus
    private = {**contact, **private.open(contact["sealed"])}
    assert public["case_number"] == private["case_number"] == submitted["case_number"]
    assert public["channel"] == "proxy" and public["area_code"] == "370112"
    assert "phone" not in public and "query_code" not in public
    assert private["phone"] == "13905310000"
    assert private["query_code"] == submitted["query_code"]
    assert RoutingTestDouble.calls == 1  # the second submission used the cached copy


def test_refuses_to_start_without_hash_key(container_factory, config):
    container = container_factory(IntakeService, {**config, "HASH_KEY": None})
    with pytest.raises(ConfigurationError, match="HASH_KEY not set"):
        container.start()
