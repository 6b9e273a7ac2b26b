"""Staff administration through routing's entrypoints (worker_factory, the
seeded directory, real argon2): a bureau administrator creates, moves,
disables, re-enables and resets accounts of its jurisdiction; each change is
recorded and emitted; a changed account's old token is refused at once by
the account check every @staff_rpc runs."""
import pytest
from nameko.testing.services import worker_factory

from core.actors import AccountCheck, ActorSigner, StaffAccounts, StaffRpc, staff_rpc
from core.errors import (
    ConfigurationError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthorized,
)
from core.once import new_request_id
from deploy.keys import new_secrets
from services.routing.service import RoutingService
from services.routing.staff_admin import token_state
from tests.kit import AsStaffRpc

KEYS = new_secrets()
SIGN = ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 600).issue
DEMO = "petition-demo"


@pytest.fixture
def routing(store, schedule, auth):
    def state(username):
        with store.transaction() as tx:
            return token_state(tx, username)
    # the check LocalStaffAccounts gives routing's workers, on this store
    worker = worker_factory(RoutingService, store=store, schedule=schedule, auth=auth,
                            staff_accounts=AccountCheck(state))
    return AsStaffRpc(worker, KEYS["ACTOR_VERIFY_KEY"])


def token(routing, username, password=DEMO):
    return SIGN(routing.authenticate(username, password))[0]


def test_an_administrator_creates_an_account_that_must_change_its_password(routing, emitted):
    admin = token(routing, "lixia_admin")
    created = routing.create_account(admin, {"username": "lixia.wang", "unit_code": "370102-ZJJ",
                                             "role": "handler"}, new_request_id())
    assert (created["must_change_password"], created["active"]) == (True, True)
    password = created["one_time_password"]
    actor = routing.authenticate("lixia.wang", password)
    assert actor["must_change_password"] is True
    routing.change_password("lixia.wang", password, "A-new-Passw0rd!")
    assert routing.authenticate("lixia.wang", "A-new-Passw0rd!")["must_change_password"] is False
    staff_changed = [e for e in emitted() if e["event_type"] == "staff_changed"]
    assert [(e["username"], e["change"], e["active"]) for e in staff_changed] == [
        ("lixia.wang", "created", True)]
    assert password not in str(staff_changed)


def test_disabling_stops_sign_in_and_every_token_at_once(routing):
    admin = token(routing, "lixia_admin")
    handler = token(routing, "lixia_housing")
    assert routing.staff_changes(admin) == []
    routing.update_account(admin, "lixia_housing", {"active": False})
    with pytest.raises(Unauthorized):
        routing.authenticate("lixia_housing", DEMO)
    with pytest.raises(Unauthorized) as caught:
        routing.staff_accounts_list(handler)  # the old token, any staff RPC
    assert "sign in again" in caught.value.message

    routing.update_account(admin, "lixia_housing", {"active": True})
    with pytest.raises(Unauthorized):  # re-enabled, the old token stays dead
        routing.staff_accounts_list(handler)
    assert routing.authenticate("lixia_housing", DEMO)["token_version"] == 3


def test_moving_and_resetting_invalidate_tokens_and_are_recorded(routing):
    admin = token(routing, "lixia_admin")
    moved = routing.update_account(admin, "jiefanglu_office",
                                   {"unit_code": "370102-ZJJ", "role": "unit_leader"})
    assert (moved["unit_code"], moved["role"]) == ("370102-ZJJ", "unit_leader")
    reset = routing.reset_password(admin, "lixia_housing", new_request_id())
    assert routing.authenticate("lixia_housing", reset["one_time_password"])["must_change_password"]
    with pytest.raises(Unauthorized):
        routing.authenticate("lixia_housing", DEMO)
    record = routing.staff_changes(admin)
    assert [(c["actor"], c["username"], c["change"], c["detail"]) for c in record] == [
        ("lixia_admin", "lixia_housing", "password_reset", "one-time password issued"),
        ("lixia_admin", "jiefanglu_office", "role_changed", "role: handler -> unit_leader"),
        ("lixia_admin", "jiefanglu_office", "unit_changed", "unit: 370102001-JDB -> 370102-ZJJ")]
    assert record[0]["at"].endswith("+08:00")
    assert [c["change"] for c in routing.staff_changes(admin, "jiefanglu_office")] == [
        "role_changed", "unit_changed"]


def test_only_an_administrator_and_only_within_its_jurisdiction(routing):
    admin = token(routing, "lixia_admin")
    with pytest.raises(Forbidden):
        routing.staff_accounts_list(token(routing, "lixia_bureau"))  # a supervisor
    names = {a["username"] for a in routing.staff_accounts_list(admin)}
    assert {"lixia_housing", "lixia_bureau", "jiefanglu_office"} <= names
    assert not names & {"city_bureau", "city_housing", "zhangqiu_hrss"}  # outside 历下区
    with pytest.raises(NotFound):
        routing.update_account(admin, "zhangqiu_hrss", {"active": False})
    with pytest.raises(NotFound):
        routing.create_account(admin, {"username": "x.city", "unit_code": "370100-ZJJ",
                                       "role": "handler"}, new_request_id())
    with pytest.raises(Conflict):  # a bureau role outside a bureau
        routing.update_account(admin, "lixia_housing", {"role": "bureau_supervisor"})
    with pytest.raises(Conflict):
        routing.update_account(admin, "lixia_admin", {"active": False})
    with pytest.raises(Conflict):
        routing.create_account(admin, {"username": "lixia_bureau", "unit_code": "370102-XFJ",
                                       "role": "handler"}, new_request_id())
    with pytest.raises(InvalidInput) as caught:
        routing.create_account(admin, {"username": "A", "unit_code": "370102-ZJJ", "role": "boss"}, new_request_id())
    assert set(caught.value.details) == {"username", "role"}


def test_a_service_with_staff_rpcs_must_declare_the_account_check():
    from nameko.containers import ServiceContainer

    class Careless:
        name = "careless"

        @staff_rpc
        def act(self, actor):
            return actor

    container = ServiceContainer(Careless, {"AMQP_URI": "amqp://unused",
                                            "ACTOR_VERIFY_KEY": KEYS["ACTOR_VERIFY_KEY"]})
    entrypoint = next(e for e in container.entrypoints if isinstance(e, StaffRpc))
    with pytest.raises(ConfigurationError, match="staff_accounts = StaffAccounts"):
        entrypoint.setup()
    assert isinstance(RoutingService.staff_accounts, StaffAccounts)
