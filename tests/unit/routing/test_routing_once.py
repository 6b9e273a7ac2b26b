"""Routing's RPCs that act once per request (core/once.py) through its
entrypoints (worker_factory, the seeded directory, real argon2): a repeat of
a request makes no second account, password or key; what was shown once (a
password, a key) is never kept, and its repeat is a 409 naming it."""
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import func, select

from core.actors import AccountCheck, ActorSigner
from core.errors import Conflict, InvalidInput
from core.once import new_request_id
from deploy.keys import new_secrets
from services.routing.api_keys import KeyPolicy
from services.routing.models import AnsweredRequest, ApiKey, StaffAccount, StaffChange
from services.routing.service import RoutingService
from services.routing.staff_admin import token_state
from tests.kit import AsStaffRpc

KEYS = new_secrets()
SIGN = ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 600).issue
ACCOUNT = {"username": "lixia.wang", "unit_code": "370102-ZJJ", "role": "handler"}


@pytest.fixture
def routing(store, schedule, auth):
    def state(username):
        with store.transaction() as tx:
            return token_state(tx, username)
    policy = KeyPolicy.from_config({"API_KEY_HASH_KEY": "k" * 32})
    worker = worker_factory(RoutingService, store=store, schedule=schedule, auth=auth,
                            staff_accounts=AccountCheck(state), key_policy=policy)
    return AsStaffRpc(worker, KEYS["ACTOR_VERIFY_KEY"])


def admin(routing, username="lixia_admin"):
    return SIGN(routing.authenticate(username, "petition-demo"))[0]


def count(store, *where, model=StaffChange):
    with store.transaction() as tx:
        return tx.session.scalar(select(func.count()).select_from(model).where(*where))


def records(store):
    with store.transaction() as tx:
        return [(r.handler, r.answer, r.withheld) for r in tx.session.scalars(
            select(AnsweredRequest).order_by(AnsweredRequest.answered_at))]


def test_an_account_is_created_once_and_its_password_is_never_kept(routing, store):
    token, request_id = admin(routing), new_request_id()
    created = routing.create_account(token, ACCOUNT, request_id)
    with pytest.raises(Conflict) as repeat:
        routing.create_account(token, ACCOUNT, request_id)
    assert list(repeat.value.details) == ["one_time_password"]
    assert "已办理" in repeat.value.message and "already carried out" in repeat.value.message
    assert count(store, StaffChange.username == "lixia.wang") == 1
    # the record says it was done, and holds nothing of the answer
    assert records(store) == [("routing.create_account", None, ["one_time_password"])]
    assert routing.authenticate("lixia.wang", created["one_time_password"])  # the one password

    reset_id = new_request_id()
    reset = routing.reset_password(token, "lixia.wang", reset_id)
    with pytest.raises(Conflict) as repeat:
        routing.reset_password(token, "lixia.wang", reset_id)
    assert list(repeat.value.details) == ["one_time_password"]
    assert count(store, StaffChange.change == "password_reset") == 1
    assert routing.authenticate("lixia.wang", reset["one_time_password"])
    assert created["one_time_password"] not in str(records(store))
    assert reset["one_time_password"] not in str(records(store))


def test_a_key_reused_for_another_request_or_malformed_is_refused_and_acts_not(routing, store):
    token, request_id = admin(routing), new_request_id()
    routing.create_account(token, ACCOUNT, request_id)
    with pytest.raises(Conflict) as reused:
        routing.create_account(token, {**ACCOUNT, "username": "lixia.li"}, request_id)
    assert list(reused.value.details) == ["Idempotency-Key"]
    for malformed in ("short", None, 42, "x" * 65, "has space in it!!"):
        with pytest.raises(InvalidInput) as caught:
            routing.create_account(token, {**ACCOUNT, "username": "lixia.li"}, malformed)
        assert list(caught.value.details) == ["Idempotency-Key"]
    with store.transaction() as tx:
        assert tx.session.get(StaffAccount, "lixia.li") is None


def test_the_id_is_the_actors_own_and_a_refused_request_records_nothing(routing, store):
    request_id = new_request_id()
    taken = {**ACCOUNT, "username": "lixia_housing"}
    for _ in range(2):  # refused, so nothing recorded: the repeat runs (and is refused) again
        with pytest.raises(Conflict) as caught:
            routing.create_account(admin(routing), taken, request_id)
        assert list(caught.value.details) == ["username"]
    assert records(store) == []
    # the same id from another administrator is theirs: it acts
    routing.create_account(admin(routing), ACCOUNT, request_id)
    city = routing.create_account(admin(routing, "city_admin"),
                                  {**ACCOUNT, "username": "lixia.li"}, request_id)
    assert city["username"] == "lixia.li" and len(records(store)) == 2


def test_a_key_is_rotated_once_and_the_successor_never_kept(routing, store):
    token = admin(routing, "city_admin")
    old = routing.create_api_key(token, {"name": "工单系统", "unit_code": "370102-ZJJ"})
    request_id = new_request_id()
    new = routing.rotate_api_key(token, old["key_id"], {}, request_id)
    with pytest.raises(Conflict) as repeat:
        routing.rotate_api_key(token, old["key_id"], {}, request_id)
    assert list(repeat.value.details) == ["key"]
    assert count(store, ApiKey.rotated_from == old["key_id"], model=ApiKey) == 1
    assert new["key"] not in str(records(store))


def test_once_names_the_store_model_first_or_refuses_at_declaration():
    from core.once import once

    with pytest.raises(TypeError, match="AnsweredRequest model comes first"):
        once("one_time_password")
    assert callable(once(AnsweredRequest, "one_time_password"))
