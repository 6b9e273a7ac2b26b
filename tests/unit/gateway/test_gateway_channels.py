"""The channel routes over real HTTP, notify replaced by a stand-in that
checks the actor token and the role as notify does."""
import pytest
import requests

from core.actors import ActorSigner, ActorVerifier
from core.errors import Forbidden
from deploy.keys import new_secrets
from services.notify import messages
from services.notify.models import Base
from tests.kit import gateway_url, sqlite_store

KEYS = new_secrets()
LEADER = {"username": "lixia_leader", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
          "role": "unit_leader", "area_code": "370102"}


class Notify:
    """notify's own domain functions on a real SQLite store, behind the
    token check its @staff_rpc entrypoints make."""

    def __init__(self, store):
        self.store, self.verify = store, ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify

    def set_unit_contact(self, actor, unit_code, data):
        with self.store.transaction() as tx:
            return messages.set_unit_contact(tx, self.verify(actor), unit_code, data)


@pytest.fixture
def api(sqlite_url):
    with sqlite_store(sqlite_url, Base) as store, gateway_url({"notify": Notify(store)}, KEYS) as url:
        yield url


def token(actor):
    return {"Authorization": "Bearer " + ActorSigner(KEYS["ACTOR_SIGNING_KEY"], 60).issue(actor)[0]}


def test_a_unit_leader_sets_the_mailbox_and_others_may_not(api):
    answer = requests.put(f"{api}/units/370102-ZJJ/contact", json={"email": "zjj@lixia.gov.cn"},
                          headers=token(LEADER))
    assert answer.status_code == 200
    assert {k: answer.json()[k] for k in ("unit_code", "email", "updated_by")} == {
        "unit_code": "370102-ZJJ", "email": "zjj@lixia.gov.cn", "updated_by": "lixia_leader"}
    assert answer.json()["updated_at"].endswith("+08:00")
    other = requests.put(f"{api}/units/370103-ZJJ/contact", json={"email": "a@b.cn"},
                         headers=token(LEADER))
    assert other.status_code == 403 and other.json()["error"] == Forbidden.code
    bad = requests.put(f"{api}/units/370102-ZJJ/contact", json={"email": "not-an-address"},
                       headers=token(LEADER))
    assert bad.status_code == 400 and "email" in bad.json()["details"]
    assert requests.put(f"{api}/units/370102-ZJJ/contact",
                        json={"email": "a@b.cn"}).status_code == 401
