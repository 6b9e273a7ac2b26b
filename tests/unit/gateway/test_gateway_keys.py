"""API keys over real HTTP: routing's own key functions on a seeded SQLite
store behind the gateway (the token check its @staff_rpc entrypoints make
in front), tracking a stand-in that verifies the actor token it is given.
A key is made, used on the REST API, rate-limited, revoked mid-use."""
import eventlet
import pytest
import requests

from core.actors import ActorSigner, ActorVerifier
from core.errors import NotFound
from deploy.keys import new_secrets
from services.routing import api_keys, directory_seed
from services.routing.models import ApiKeyUse, Base
from tests.kit import gateway_url, sqlite_store

KEYS = new_secrets()
VERIFY = ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify
ADMIN = {"username": "city_admin", "unit_code": "370100-XFJ", "unit_name": "济南市信访局",
         "role": "bureau_admin", "area_code": "370100"}
SUPERVISOR = {**ADMIN, "username": "city_bureau", "role": "bureau_supervisor"}


class Routing:
    def __init__(self, store, policy):
        self.store, self.policy = store, policy

    def _staff(self, function, actor, *args):
        with self.store.transaction() as tx:
            return function(tx, VERIFY(actor), *args)

    def create_api_key(self, actor, data):
        return self._staff(lambda tx, a, d: api_keys.create(tx, self.policy, a, d), actor, data)

    def list_api_keys(self, actor):
        return self._staff(api_keys.keys, actor)

    def revoke_api_key(self, actor, key_id):
        return self._staff(api_keys.revoke, actor, key_id)

    def api_key_uses(self, actor, key_id):
        return self._staff(api_keys.uses, actor, key_id)

    def check_api_key(self, key, operation, client=None):
        with self.store.transaction() as tx:
            outcome = api_keys.check(tx, self.policy, key, operation, client)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class Tracking:
    """The work queue: whoever the verified actor is, their unit's (none here)."""

    def __init__(self):
        self.actors = []

    def list_cases(self, actor, status=None, limit=100, offset=0):
        self.actors.append(VERIFY(actor))
        return []

    def staff_case(self, case_number, actor):
        VERIFY(actor)
        raise NotFound("没有这个案件")


@pytest.fixture
def stack(sqlite_url):
    policy = api_keys.KeyPolicy.from_config({"API_KEY_HASH_KEY": KEYS["API_KEY_HASH_KEY"],
                                             "API_KEY_RATE": [5, 60]})
    with sqlite_store(sqlite_url, Base) as store:
        with store.transaction() as tx:
            directory_seed.seed(tx, "petition-demo")
        tracking = Tracking()
        with gateway_url({"routing": Routing(store, policy), "tracking": tracking}, KEYS) as url:
            yield url, tracking, store


def bearer(actor):
    return {"Authorization": "Bearer " + ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 60).issue(actor)[0]}


def test_a_unit_key_works_on_the_rest_api_until_revoked_mid_use(stack):
    api, tracking, store = stack
    made = requests.post(f"{api}/api-keys", headers=bearer(ADMIN),
                         json={"name": "历下住建 工单系统", "unit_code": "370102-ZJJ"})
    assert made.status_code == 201
    key, key_id = made.json()["key"], made.json()["key_id"]
    assert key.startswith(f"pk_{key_id}_") and made.json()["scope"] == "unit"
    assert "key" not in requests.get(f"{api}/api-keys", headers=bearer(ADMIN)).json()[0]

    statuses, stop = [], [False]

    def use():  # a department system polling its queue
        while not stop[0]:
            statuses.append(requests.get(f"{api}/cases", headers={"X-Api-Key": key}).status_code)
            eventlet.sleep(0.05)
    user = eventlet.spawn(use)
    eventlet.sleep(0.3)
    revoked = requests.delete(f"{api}/api-keys/{key_id}", headers=bearer(ADMIN))
    assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "city_admin"
    after = len(statuses)
    eventlet.sleep(0.3)
    stop[0] = True
    user.wait()

    assert statuses[:2] == [200, 200] and 200 in statuses[:after]
    assert set(statuses[after:]) == {401}  # refused from the very next use on
    assert {a["unit_code"] for a in tracking.actors} == {"370102-ZJJ"}
    assert {a["role"] for a in tracking.actors} == {"handler"}
    uses = requests.get(f"{api}/api-keys/{key_id}/uses", headers=bearer(ADMIN)).json()
    assert len(uses) == len(statuses)
    assert {u["outcome"] for u in uses[:len(statuses) - after]} == {"revoked"}
    assert uses[-1]["operation"] == "GET /api/v1/cases"


def test_keys_are_rate_limited_per_key_and_only_an_administrator_makes_them(stack):
    api, tracking, store = stack
    assert requests.post(f"{api}/api-keys", headers=bearer(SUPERVISOR),
                         json={"name": "x", "app": "y"}).status_code == 403
    outside = requests.post(f"{api}/api-keys", headers=bearer({**ADMIN, "area_code": "370102"}),
                            json={"name": "x", "unit_code": "370114-RSJ"})
    assert outside.status_code == 400 and "unit_code" in outside.json()["details"]
    one = requests.post(f"{api}/api-keys", headers=bearer(ADMIN),
                        json={"name": "a", "unit_code": "370102-ZJJ"}).json()["key"]
    other = requests.post(f"{api}/api-keys", headers=bearer(ADMIN),
                          json={"name": "b", "unit_code": "370102-ZJJ"}).json()["key"]
    app = requests.post(f"{api}/api-keys", headers=bearer(ADMIN),
                        json={"name": "市民App", "app": "jinan-citizen-app"}).json()["key"]
    answers = [requests.get(f"{api}/cases", headers={"X-Api-Key": one}) for _ in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert requests.get(f"{api}/cases", headers={"X-Api-Key": other}).status_code == 200
    assert requests.get(f"{api}/cases", headers={"X-Api-Key": app}).status_code == 403
    wrong = requests.get(f"{api}/cases", headers={"X-Api-Key": one[:-3] + "xyz"})
    assert wrong.status_code == 401
    with store.transaction() as tx:  # stored: only keyed hashes
        assert tx.session.query(api_keys.ApiKey).filter_by(key_hash=one).count() == 0
        assert tx.session.query(ApiKeyUse).filter_by(outcome="rate_limited").count() == 1
