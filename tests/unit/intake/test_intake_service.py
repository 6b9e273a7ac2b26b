"""The entrypoints with a real store (worker_factory), the start-up checks on
the keys, and the reference-data cache."""
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from core.errors import ConfigurationError, Forbidden, InvalidInput, NotFound, ServiceUnavailable
from core.store import OutboxMessage
from services.intake.dependencies import ReferenceData
from services.intake.service import IntakeService
from services.intake.settings import Settings
from tests.kit import prove_phone


@pytest.fixture
def service(store, settings, reference):
    return worker_factory(IntakeService, store=store, settings=settings,
                          reference_data=lambda: reference)


def test_submit_then_lookup_then_staff_read(service, submission, store, settings):
    submitted = service.submit(prove_phone(store, settings, submission))
    assert submitted["status"] == "submitted"

    view = service.lookup(submitted["query_code"].lower())
    assert view["case_number"] == submitted["case_number"]
    assert view["petitioner"]["phone"] == "138****5678"

    actor = {"username": "zhang.wei", "role": "handler", "unit_code": "LX-ZJJ"}
    assert service.petitioner(submitted["case_number"], actor)["petitioner"]["name"] == "张**"
    assert [(e["actor"], e["action"]) for e in service.audit_log(submitted["case_number"])] == [
        ("citizen", "read_by_query_code"), ("zhang.wei", "read_by_staff")]


def test_bad_input_and_unknown_code_cross_as_platform_errors(service, submission, engine):
    with pytest.raises(InvalidInput) as caught:
        service.submit({**submission, "phone": "+86 531 8600 1234", "area_code": "999999",
                        "sms_code": "123456"})
    assert set(caught.value.details) == {"phone", "area_code"}
    with engine.connect() as conn:
        assert conn.execute(select(OutboxMessage)).all() == []
    with pytest.raises(NotFound):
        service.lookup("0000-0000-0000-0000")


@pytest.mark.parametrize("missing", ["ID_ENCRYPTION_KEYS", "HASH_KEY"])
def test_refuses_to_start_without_keys(secrets_env, missing):
    config = {**secrets_env, missing: None}  # what `${HASH_KEY}` gives when unset
    with pytest.raises(ConfigurationError, match=f"{missing} not set"):
        Settings.from_config(config)


def test_refuses_a_malformed_encryption_key(secrets_env):
    with pytest.raises(ConfigurationError, match="Fernet"):
        Settings.from_config({**secrets_env, "ID_ENCRYPTION_KEYS": "not-a-key"})


def test_numeric_hash_key_from_yaml_still_works(secrets_env):
    assert Settings.from_config({**secrets_env, "HASH_KEY": 12345}).hash("x") == \
        Settings.from_config({**secrets_env, "HASH_KEY": "12345"}).hash("x")


class RoutingDouble:
    """Stands in for routing's RPC proxy: counts the calls, can be taken down."""

    def __init__(self, reference):
        self.reference, self.calls, self.down = reference, 0, False

    def reference_data(self):
        self.calls += 1
        if self.down:
            raise ServiceUnavailable("routing did not answer in time")
        return self.reference


def _cache(ttl):
    cache = ReferenceData()
    cache.ttl = ttl
    return cache


def test_reference_data_is_cached_for_the_ttl(reference):
    routing, cache = RoutingDouble(reference), _cache(ttl=60)
    assert cache._get(routing) is reference
    assert cache._get(routing) is reference
    assert routing.calls == 1


def test_reference_data_is_asked_again_after_the_ttl(reference):
    routing, cache = RoutingDouble(reference), _cache(ttl=0)
    cache._get(routing)
    cache._get(routing)
    assert routing.calls == 2


def test_last_copy_is_used_while_routing_is_down(reference):
    routing, cache = RoutingDouble(reference), _cache(ttl=0)
    cache._get(routing)
    routing.down = True
    assert cache._get(routing) is reference
    with pytest.raises(ServiceUnavailable):
        _cache(ttl=0)._get(routing)  # nothing to fall back on


KEY = "3f1c9a7e-5b2d-4c8e-9a61-0d2f7b8e4c10"


def test_a_retry_with_the_idempotency_key_gets_the_first_receipt(service, submission, store,
                                                                 settings, engine):
    from services.intake.models import Petition

    proven = prove_phone(store, settings, submission)
    first = service.submit(proven, "request-1", idempotency_key=KEY)
    # The retry is another request (another submission id); its code is used up.
    again = service.submit(proven, "request-2", idempotency_key=KEY)
    assert again == first
    with engine.connect() as conn:
        assert len(conn.execute(select(Petition.id)).all()) == 1


def test_one_persons_key_never_returns_another_persons_receipt(service, submission, store,
                                                               settings):
    mine = service.submit(prove_phone(store, settings, submission), idempotency_key=KEY)
    someone = {**submission, "id_number": _valid_id_number(), "phone": "13900001111"}
    theirs = service.submit(prove_phone(store, settings, someone), idempotency_key=KEY)
    assert theirs["case_number"] != mine["case_number"]
    assert theirs["query_code"] != mine["query_code"]
    # Without a proven phone, the key alone gets nothing: the code is asked for.
    with pytest.raises(InvalidInput) as refused:
        service.submit({**someone, "phone": "13900002222", "sms_code": "000000"},
                       idempotency_key=KEY)
    assert "sms_code" in refused.value.details


def test_a_retry_whose_first_send_was_refused_is_tried_afresh(service, submission, store,
                                                             settings):
    with pytest.raises(InvalidInput):
        service.submit({**submission, "sms_code": "000000"}, idempotency_key=KEY)
    receipt = service.submit(prove_phone(store, settings, submission), idempotency_key=KEY)
    assert receipt["status"] == "submitted"


def _valid_id_number():
    from stdnum.cn import ric

    base = "37010219800101123"
    return base + ric.calc_check_digit(base)


def test_a_grid_agents_retry_with_the_idempotency_key_gets_the_first_receipt(
        store, settings, reference, submission, secrets_env, engine):
    from core.sealed import Sealer
    from services.intake.models import Petition, ProxyConsent

    sealer = Sealer(secrets_env["SUBMISSION_KEYS"], "SUBMISSION_KEYS")
    agent = {"username": "jiefanglu_agent", "role": "grid_agent", "unit_code": "370102001-JDB",
             "area_code": "370102001"}
    consent = {"method": "signed_form", "given_at": "2026-11-25T09:30:00+08:00",
               "record": "同意书 JFL-0007"}
    street = {**reference, "areas": reference["areas"] + [{"code": "370102001"}]}
    service = worker_factory(IntakeService, store=store, settings=settings, submissions=sealer,
                             reference_data=lambda: street)
    proven = sealer.seal(prove_phone(store, settings, {**submission, "area_code": "370102001"}))
    first = service.submit_by_agent(agent, proven, consent, "request-1", idempotency_key=KEY)
    # The console sends the same key again (its answer was lost); the code is used up.
    again = service.submit_by_agent(agent, proven, consent, "request-2", idempotency_key=KEY)
    assert again == first
    with engine.connect() as conn:
        assert len(conn.execute(select(Petition.id)).all()) == 1
        assert len(conn.execute(select(ProxyConsent.petition_id)).all()) == 1
    # Without the key, the same send is refused: its code is used up.
    with pytest.raises(InvalidInput) as refused:
        service.submit_by_agent(agent, proven, consent, "request-3")
    assert "sms_code" in refused.value.details
    # The key never answers anyone the checks refuse, nor another agent of the grid.
    for who, given, error, field in (
            ({**agent, "role": "handler"}, consent, Forbidden, "role"),
            ({**agent, "area_code": "370103"}, consent, Forbidden, "area_code"),
            (agent, {**consent, "given_at": "2099-01-01T09:00:00+08:00"}, InvalidInput,
             "consent.given_at"),
            ({**agent, "username": "another_agent"}, consent, InvalidInput, "sms_code")):
        with pytest.raises(error) as refused:
            service.submit_by_agent(who, proven, given, "request-4", idempotency_key=KEY)
        assert field in refused.value.details
    with engine.connect() as conn:
        assert len(conn.execute(select(Petition.id)).all()) == 1
