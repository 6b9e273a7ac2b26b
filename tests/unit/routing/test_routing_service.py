"""The entrypoints, on a real store: duplicate deliveries, sign-in, the directory."""
import pytest
from nameko.testing.services import worker_factory

from core.errors import InvalidInput, NotFound, Unauthorized
from core.once import new_request_id
from services.routing import directory_seed
from services.routing.service import RoutingService


@pytest.fixture
def service(store, schedule, auth):
    return worker_factory(RoutingService, store=store, schedule=schedule, auth=auth)


def test_a_redelivered_petition_submitted_is_routed_once(service, submitted, emitted):
    event = submitted()
    service.on_petition_submitted(event)
    service.on_petition_submitted(event)
    assert [e["event_type"] for e in emitted()] == ["petition_routed"]
    assert service.assignment("JN20260930-000001")["unit_code"] == "370102-ZJJ"


def test_a_redelivered_case_returned_reroutes_once(service, submitted, returned, emitted):
    service.on_petition_submitted(submitted())
    event = returned(emitted()[0])
    service.on_case_returned(event)
    service.on_case_returned(event)
    assert [e["routing_seq"] for e in emitted()] == [1, 2]


def test_authenticate_returns_the_actor(service):
    assert service.authenticate("lixia_housing", "petition-demo") == {
        "username": "lixia_housing", "unit_code": "370102-ZJJ",
        "unit_name": "历下区住房和城乡建设局", "role": "handler", "area_code": "370102",
        "must_change_password": False, "token_version": 1}
    assert service.authenticate("city_bureau", "petition-demo")["role"] == "bureau_supervisor"


@pytest.mark.parametrize("username, password", [
    ("lixia_housing", "wrong"), ("nobody", "petition-demo"), ("lixia_housing", ""),
    (None, None),
])
def test_authenticate_refuses_alike_whether_or_not_the_user_exists(service, username, password):
    with pytest.raises(Unauthorized) as caught:
        service.authenticate(username, password)
    assert caught.value.message == "用户名或密码错误"


def test_reference_data_lists_categories_and_the_area_hierarchy(service):
    data = service.reference_data()
    codes = [c["code"] for c in data["categories"]]
    assert codes[0] == "housing" and {"consultation", "litigation", "other"} <= set(codes)
    assert {"code": "consultation", "name_zh": "政策咨询", "name_en": "Policy consultation",
            "description_zh": "咨询政策规定，当日答复",
            "description_en": "questions about a policy, answered the same day"} in data["categories"]
    # every category tells a citizen what it covers, in both languages
    assert all(c["description_zh"] and c["description_en"] for c in data["categories"])
    areas = {a["code"]: a for a in data["areas"]}
    assert areas["370100"]["level"] == "city"
    assert sum(a["parent"] == "370100" for a in areas.values()) == 12
    assert areas["370102001"] == {"code": "370102001", "name_zh": "解放路街道",
                                  "name_en": "Jiefanglu Subdistrict", "level": "town",
                                  "parent": "370102"}


def test_units_has_a_petition_bureau_for_the_city_and_every_district(service):
    units = service.units()
    bureaus = {u["area_code"] for u in units if u["kind"] == "petition_bureau"}
    assert len(bureaus) == 13
    lixia_housing = next(u for u in units if u["code"] == "370102-ZJJ")
    assert lixia_housing["parent"] == "370100-ZJJ"


def test_set_rule_and_unknown_assignment_errors_cross_as_platform_errors(service):
    with pytest.raises(InvalidInput) as caught:
        service.set_rule("housing", "370102", "370102-ZJJ", "someday")
    assert "track" in caught.value.details
    with pytest.raises(NotFound):
        service.assignment("JN20260930-424242")


def test_seeding_again_adds_nothing_and_keeps_an_admins_rule(service, store):
    service.set_rule("housing", "370102", "370102-XFJ", "standard")
    with store.transaction() as tx:
        assert directory_seed.seed(tx, "another-password") == {"rules": 0, "staff_accounts": 0,
                                                                "one_time_passwords": {}}
    assert {"category": "housing", "area_code": "370102", "unit_code": "370102-XFJ",
            "unit_name": "历下区信访局", "track": "standard"} in service.rules()
    assert service.authenticate("city_bureau", "petition-demo")["unit_code"] == "370100-XFJ"


def test_api_keys_expire_rotate_and_record_their_last_use(store, schedule, auth, secrets_env):
    """routing's key entrypoints (worker_factory): a key made with the longest
    expiry (API_KEY_MAX_DAYS), its last use kept, rotated (the old key works
    the overlap, then is refused as expired)."""
    from datetime import timedelta

    from core.actors import ActorSigner
    from core.store import utcnow
    from services.routing.api_keys import KeyPolicy
    from services.routing.models import ApiKey
    from tests.kit import AsStaffRpc

    policy = KeyPolicy.from_config({"API_KEY_HASH_KEY": "k" * 32, "API_KEY_MAX_DAYS": 30,
                                    "API_KEY_ROTATION_OVERLAP_HOURS": 2})
    worker = worker_factory(RoutingService, store=store, schedule=schedule, auth=auth,
                            key_policy=policy)
    routing = AsStaffRpc(worker, secrets_env["ACTOR_VERIFY_KEY"])
    admin = ActorSigner(secrets_env["ACTOR_SIGNING_KEY"], 600).issue({
        "username": "city_admin", "unit_code": "370100-XFJ", "unit_name": "济南市信访局",
        "role": "bureau_admin", "area_code": "370100"})[0]
    old = routing.create_api_key(admin, {"name": "工单系统", "unit_code": "370102-ZJJ"})
    with store.transaction() as tx:
        row = tx.session.get(ApiKey, old["key_id"])
        assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
    assert worker.check_api_key(old["key"], "GET /api/v1/cases")["unit_code"] == "370102-ZJJ"
    new = routing.rotate_api_key(admin, old["key_id"], {}, new_request_id())
    assert worker.check_api_key(old["key"], "GET /api/v1/cases")  # within the 2 h overlap
    [listed] = [k for k in routing.list_api_keys(admin) if k["key_id"] == old["key_id"]]
    assert listed["last_used_at"] is not None and listed["expires_at"] is not None
    with store.transaction() as tx:
        tx.session.get(ApiKey, old["key_id"]).expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Unauthorized, match="API密钥已过期"):
        worker.check_api_key(old["key"], "GET /api/v1/cases")
    assert worker.check_api_key(new["key"], "GET /api/v1/cases")["name"] == "工单系统"
