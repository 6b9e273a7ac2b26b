"""The suggestions routes over real HTTP, fast: the gateway with its
suggestions RPC replaced by the service's own workers (SQLite, a real intake
worker proving the phone; no broker), called as the entrypoints call them
(sealed data opened, staff tokens verified)."""
import pytest
import requests

from core.sealed import Sealer
from tests.kit import gateway_url
from tests.unit.suggestions.conftest import BUREAU, PERSON, PROPOSAL, topic


class AsEntrypoints:
    def __init__(self, world, keys):
        self.world, self.sealer = world, Sealer(keys, "SUBMISSION_KEYS")

    def submit(self, data, submission_id):
        return self.world.service.submit(self.sealer.open(data), submission_id)

    def __getattr__(self, name):
        service = self.world.service if name in ("follow", "topics", "published") \
            else self.world.staff
        return getattr(service, name)


@pytest.fixture
def url(world, secrets_env):
    with gateway_url({"suggestions": AsEntrypoints(world, secrets_env["SUBMISSION_KEYS"])},
                     secrets_env) as address:
        yield address


def test_propose_follow_and_the_public_answers(url, world):
    opened = topic(world)
    topics = requests.get(f"{url}/suggestion-topics", timeout=10)
    assert topics.headers["Cache-Control"] == "public, max-age=300"
    assert topics.json()[0]["id"] == opened["id"]
    body = {**PERSON, **PROPOSAL, "topic_id": opened["id"], "sms_code": world.code()}
    receipt = requests.post(f"{url}/suggestions", json=body, timeout=10)
    assert receipt.status_code == 201, receipt.text
    assert set(receipt.json()) == {"number", "query_code", "status"}
    followed = requests.get(f"{url}/suggestions/{receipt.json()['query_code']}", timeout=10)
    assert followed.json()["proposer"]["phone"] == "138****5678"
    assert requests.get(f"{url}/suggestions/AAAA-BBBB-CCCC-DDDD", timeout=10).status_code == 404
    assert requests.get(f"{url}/public/suggestions?limit=0", timeout=10).status_code == 400
    assert requests.get(f"{url}/public/suggestions", timeout=10).json() == []


def test_staff_steps_need_a_token_and_name_the_field(url, world):
    number = world.propose()["number"]
    assert requests.post(f"{url}/proposals/{number}/accept", timeout=10).status_code == 401
    headers = {"Authorization": f"Bearer {world.token(BUREAU)}"}
    assert requests.post(f"{url}/proposals/{number}/accept", headers=headers,
                         timeout=10).status_code == 200
    assert requests.post(f"{url}/proposals/{number}/accept", headers=headers,
                         timeout=10).status_code == 409
    bad = requests.post(f"{url}/proposals/{number}/forward", headers=headers, json={},
                        timeout=10)
    assert bad.status_code == 400 and set(bad.json()["details"]) == {"department"}
    assert requests.post(f"{url}/proposals/{number}/explode", headers=headers,
                         timeout=10).status_code == 404
    assert requests.post(f"{url}/suggestions", json={"title": ""},
                         timeout=10).status_code == 400
