"""API keys over real HTTP: routing's own key functions on a seeded SQLite
store behind the gateway (the token check its @staff_rpc entrypoints make
in front), tracking a stand-in that verifies the actor token it is given.
A key is made, used on the REST API, rate-limited, revoked mid-use, expires,
is rotated."""
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
import requests

from core.actors import ActorVerifier
from core.errors import NotFound
from core.once import check_request_id
from deploy.keys import new_secrets
from services.routing import api_keys, directory_seed
from services.routing.models import ApiKeyUse, Base
from tests import kit
from tests.kit import OnStore, gateway_url, sqlite_store

KEYS = new_secrets()
VERIFY = ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify
ADMIN = {"username": "city_admin", "unit_code": "370100-XFJ", "unit_name": "济南市信访局",
         "role": "bureau_admin", "area_code": "370100"}
SUPERVISOR = {**ADMIN, "username": "city_bureau", "role": "bureau_supervisor"}


class Routing(OnStore):
    """routing's own key functions on a real store, behind the token check
    its @staff_rpc entrypoints make; the check of a key, as its @rpc."""

    def __init__(self, store, policy):
        def rotate(tx, actor, key_id, data, request_id):
            check_request_id(request_id)  # one made by the gateway (no Idempotency-Key sent)
            return api_keys.rotate(tx, policy, actor, key_id, data)

        super().__init__(
            store, KEYS["ACTOR_VERIFY_KEY"], list_api_keys=api_keys.keys,
            revoke_api_key=api_keys.revoke, api_key_uses=api_keys.uses, rotate_api_key=rotate,
            create_api_key=lambda tx, actor, data: api_keys.create(tx, policy, actor, data))
        self.policy = policy

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
    return kit.bearer(KEYS, actor, 60)


def test_a_unit_key_works_on_the_rest_api_until_revoked_mid_use(stack):
    api, tracking, store = stack
    made = requests.post(f"{api}/api-keys", headers=bearer(ADMIN),
                         json={"name": "历下住建 工单系统", "unit_code": "370102-ZJJ"})
    assert made.status_code == 201
    key, key_id = made.json()["key"], made.json()["key_id"]
    assert key.startswith(f"pk_{key_id}_") and made.json()["scope"] == "unit"
    assert "key" not in requests.get(f"{api}/api-keys", headers=bearer(ADMIN)).json()[0]

    # (sent after the revocation had answered?, status), waited for by count, not by time
    uses_seen, revoked_flag, stop = [], [False], [False]

    def use():  # a department system polling its queue
        while not stop[0]:
            sent_after = revoked_flag[0]
            status = requests.get(f"{api}/cases", headers={"X-Api-Key": key}).status_code
            uses_seen.append((sent_after, status))
            eventlet.sleep(0.05)

    def until(count):
        while len(uses_seen) < count:
            eventlet.sleep(0.02)
    user = eventlet.spawn(use)
    until(2)
    revoked = requests.delete(f"{api}/api-keys/{key_id}", headers=bearer(ADMIN))
    assert revoked.status_code == 200 and revoked.json()["revoked_by"] == "city_admin"
    revoked_flag[0] = True
    until(len(uses_seen) + 3)
    stop[0] = True
    user.wait()

    statuses = [status for _, status in uses_seen]
    after = [status for sent_after, status in uses_seen if sent_after]
    assert statuses[:2] == [200, 200] and len(after) >= 2
    assert set(after) == {401}  # refused from the very next use on
    assert {a["unit_code"] for a in tracking.actors} == {"370102-ZJJ"}
    assert {a["role"] for a in tracking.actors} == {"handler"}
    uses = requests.get(f"{api}/api-keys/{key_id}/uses", headers=bearer(ADMIN)).json()
    assert len(uses) == len(statuses)
    assert {u["outcome"] for u in uses[:statuses.count(401)]} == {"revoked"}
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


def test_a_key_expires_and_is_refused_with_a_clear_401(stack):
    api, tracking, store = stack
    now = datetime.now(timezone.utc)
    for expires_at, reason in ((now + timedelta(days=400), "at most 365 days ahead"),
                               (now - timedelta(minutes=1), "must be in the future")):
        refused = requests.post(f"{api}/api-keys", headers=bearer(ADMIN), json={
            "name": "x", "unit_code": "370102-ZJJ", "expires_at": expires_at.isoformat()})
        assert refused.status_code == 400
        assert refused.json()["details"]["expires_at"][0].startswith(reason)
    made = requests.post(f"{api}/api-keys", headers=bearer(ADMIN),
                         json={"name": "a", "unit_code": "370102-ZJJ"}).json()
    longest = datetime.fromisoformat(made["expires_at"]) - now
    assert timedelta(days=364) < longest <= timedelta(days=365, seconds=60)  # API_KEY_MAX_DAYS
    asked = (now + timedelta(days=30)).replace(microsecond=0)
    dated = requests.post(f"{api}/api-keys", headers=bearer(ADMIN), json={
        "name": "b", "unit_code": "370102-ZJJ", "expires_at": asked.isoformat()}).json()
    assert datetime.fromisoformat(dated["expires_at"]) == asked

    assert requests.get(f"{api}/cases", headers={"X-Api-Key": made["key"]}).status_code == 200
    listed = {k["key_id"]: k for k in requests.get(f"{api}/api-keys", headers=bearer(ADMIN)).json()}
    assert listed[made["key_id"]]["last_used_at"] and listed[dated["key_id"]]["last_used_at"] is None
    with store.transaction() as tx:  # the key's day has come
        tx.session.get(api_keys.ApiKey, made["key_id"]).expires_at = now
    expired = requests.get(f"{api}/cases", headers={"X-Api-Key": made["key"], "Accept-Language": "en"})
    assert expired.status_code == 401
    assert (expired.json()["message"], expired.json()["details"]) == (
        "The API key has expired", {"api_key": ["expired"]})
    uses = requests.get(f"{api}/api-keys/{made['key_id']}/uses", headers=bearer(ADMIN)).json()
    assert [u["outcome"] for u in uses] == ["expired", "ok"]


def test_a_rotated_key_keeps_working_for_the_overlap_and_its_successor_takes_over(stack):
    api, tracking, store = stack
    old = requests.post(f"{api}/api-keys", headers=bearer(ADMIN),
                        json={"name": "工单系统", "unit_code": "370102-ZJJ"}).json()
    rotated = requests.post(f"{api}/api-keys/{old['key_id']}/rotate", headers=bearer(ADMIN))
    assert rotated.status_code == 201
    new = rotated.json()
    assert (new["rotated_from"], new["name"], new["unit_code"]) == (
        old["key_id"], "工单系统", "370102-ZJJ")
    assert new["key"] != old["key"]
    old_until = datetime.fromisoformat(next(k for k in requests.get(
        f"{api}/api-keys", headers=bearer(ADMIN)).json() if k["key_id"] == old["key_id"])
        ["expires_at"])
    assert timedelta(hours=23) < old_until - datetime.now(timezone.utc) <= timedelta(hours=24)
    for key in (old["key"], new["key"]):  # both work during the overlap
        assert requests.get(f"{api}/cases", headers={"X-Api-Key": key}).status_code == 200

    # A leaked key: rotated with no overlap, refused at once.
    newest = requests.post(f"{api}/api-keys/{new['key_id']}/rotate", headers=bearer(ADMIN),
                           json={"overlap_hours": 0}).json()
    assert requests.get(f"{api}/cases", headers={"X-Api-Key": new["key"]}).status_code == 401
    assert requests.get(f"{api}/cases", headers={"X-Api-Key": newest["key"]}).status_code == 200
    again = requests.post(f"{api}/api-keys/{new['key_id']}/rotate", headers=bearer(ADMIN))
    assert again.status_code == 409
    assert requests.post(f"{api}/api-keys/{old['key_id']}/rotate",
                         headers=bearer(SUPERVISOR)).status_code == 403
    assert requests.post(f"{api}/api-keys/nope/rotate", headers=bearer(ADMIN)).status_code == 404
    too_long = requests.post(f"{api}/api-keys/{newest['key_id']}/rotate", headers=bearer(ADMIN),
                             json={"overlap_hours": 1000})
    assert too_long.status_code == 400 and "overlap_hours" in too_long.json()["details"]
