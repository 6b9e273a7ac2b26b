"""Sign-in: backoff and lockout per account and per address, the audit, the
password policy and the forced change of a one-time password."""
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import select

from core.errors import InvalidInput, TooManyRequests, Unauthorized
from services.routing import directory_seed
from services.routing.auth import Auth, PasswordHashing, SignInPolicy, check_policy
from services.routing.models import Base, SignInAudit
from services.routing.service import RoutingService
from tests.kit import sqlite_store

LIMITS = {"sign_in_account_backoff": [3, 60], "sign_in_account_lockout": [5, 1800],
          "sign_in_address": [8, 900]}


@pytest.fixture
def service(store, schedule):
    auth = Auth(PasswordHashing(), SignInPolicy.from_config({"SIGN_IN_LIMITS": LIMITS}))
    return worker_factory(RoutingService, store=store, schedule=schedule, auth=auth)


def outcomes(store):
    with store.transaction() as tx:
        return [(a.username, a.client, a.outcome) for a in tx.session.scalars(
            select(SignInAudit).order_by(SignInAudit.id))]


def test_wrong_passwords_lock_the_account_even_for_the_right_one(service, store):
    for _ in range(3):
        with pytest.raises(Unauthorized):
            service.authenticate("lixia_housing", "wrong", "203.0.113.1")
    with pytest.raises(TooManyRequests) as caught:
        service.authenticate("lixia_housing", "petition-demo", "203.0.113.9")
    assert 1 <= caught.value.retry_after <= 60
    assert outcomes(store)[-1] == ("lixia_housing", "203.0.113.9", "refused_locked_out")
    assert [o for _, _, o in outcomes(store)].count("wrong_password") == 3
    # Another account is not locked.
    assert service.authenticate("city_housing", "petition-demo", "203.0.113.9")["username"]


def test_one_address_trying_many_accounts_is_locked_out(service):
    names = list(directory_seed.DEMO_STAFF)
    for i in range(8):
        with pytest.raises(Unauthorized):
            service.authenticate(names[i % len(names)], f"guess-{i}", "198.51.100.66")
    with pytest.raises(TooManyRequests):
        service.authenticate("city_bureau", "petition-demo", "198.51.100.66")
    assert service.authenticate("city_bureau", "petition-demo", "198.51.100.67")


def test_a_correct_password_clears_the_account_failures(service):
    for _ in range(2):
        with pytest.raises(Unauthorized):
            service.authenticate("lixia_bureau", "wrong", "203.0.113.2")
    service.authenticate("lixia_bureau", "petition-demo", "203.0.113.2")
    for _ in range(2):
        with pytest.raises(Unauthorized):
            service.authenticate("lixia_bureau", "wrong", "203.0.113.2")
    assert service.authenticate("lixia_bureau", "petition-demo", "203.0.113.2")


@pytest.mark.parametrize("password, reason", [
    ("short1A!", "长度"), ("alllowercaseletters", "至少三类"), ("Lixia_housing-2026", "用户名"),
])
def test_the_password_policy_says_why(password, reason):
    with pytest.raises(InvalidInput) as caught:
        check_policy(password, "lixia_housing")
    assert reason in " ".join(caught.value.details["new_password"])


@pytest.mark.parametrize("password", ["Kq7#mP2x!rT9", "a long passphrase of many words"])
def test_good_passwords_pass_the_policy(password):
    check_policy(password, "lixia_housing")


def test_outside_the_demo_accounts_get_one_time_passwords_to_change(tmp_path, schedule):
    with sqlite_store(f"sqlite:///{tmp_path}/r.db", Base) as store:
        with store.transaction() as tx:
            seeded = directory_seed.seed(tx)
        otp = seeded["one_time_passwords"]["city_bureau"]
        assert otp != "petition-demo" and len(set(seeded["one_time_passwords"].values())) > 1
        auth = Auth(PasswordHashing(), SignInPolicy.from_config({}))
        service = worker_factory(RoutingService, store=store, schedule=schedule, auth=auth)
        assert service.authenticate("city_bureau", otp)["must_change_password"] is True
        with pytest.raises(InvalidInput):
            service.change_password("city_bureau", otp, "weak")
        with pytest.raises(Unauthorized):
            service.change_password("city_bureau", "not-it", "Kq7#mP2x!rT9")
        service.change_password("city_bureau", otp, "Kq7#mP2x!rT9")
        actor = service.authenticate("city_bureau", "Kq7#mP2x!rT9")
        assert actor["must_change_password"] is False
        with pytest.raises(Unauthorized):
            service.authenticate("city_bureau", otp)
