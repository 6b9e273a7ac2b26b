"""The channel routes over real HTTP, notify replaced by a stand-in that
checks the actor token and the role as notify does."""
import socket

import pytest
import requests

from core.errors import Forbidden
from core.once import check_request_id
from core.privacy import FieldCipher
from deploy.keys import new_secrets
from services.notify import messages, webhooks
from services.notify.destinations import Destinations
from services.notify.models import Base
from tests.kit import OnStore, bearer, gateway_url, sqlite_store

KEYS = new_secrets()
CIPHER = FieldCipher(KEYS["CONTACT_ENCRYPTION_KEYS"])


def resolve(host, port, type=0):
    """The name server as the tests need it: the unit's host is public, the
    other name an internal one (an address literal as it is)."""
    address = {"ops.lixia.gov.cn": "220.181.38.148", "intranet.lixia.gov.cn": "10.8.0.3"}.get(host)
    if address is None:
        return socket.getaddrinfo(host, port, type=type)
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


DESTINATIONS = Destinations(resolve=resolve)
LEADER = {"username": "lixia_leader", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
          "role": "unit_leader", "area_code": "370102"}


def register_webhook(tx, actor, data, request_id):
    check_request_id(request_id)  # one made by the gateway (no Idempotency-Key sent)
    return webhooks.register(tx, CIPHER, DESTINATIONS, actor, data)


def notify(store):
    """notify's own domain functions on a real SQLite store, behind the
    token check its @staff_rpc entrypoints make."""
    return OnStore(
        store, KEYS["ACTOR_VERIFY_KEY"], set_unit_contact=messages.set_unit_contact,
        register_webhook=register_webhook, list_webhooks=webhooks.endpoints,
        webhook_deliveries=webhooks.deliveries, resume_webhook=webhooks.resume,
        replay_webhook=webhooks.replay, disable_webhook=webhooks.disable,
        delete_webhook=webhooks.delete, webhook_changes=webhooks.changes,
        rotate_webhook_secret=lambda tx, actor, endpoint_id, data: webhooks.rotate(
            tx, CIPHER, actor, endpoint_id, data, 24))


@pytest.fixture
def api(sqlite_url):
    with sqlite_store(sqlite_url, Base) as store, gateway_url({"notify": notify(store)}, KEYS) as url:
        yield url


def token(actor):
    return bearer(KEYS, actor, 60)


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


def test_webhook_registration_listing_and_their_refusals(api):
    leader = token(LEADER)
    created = requests.post(f"{api}/webhooks", headers=leader, json={
        "url": "https://ops.lixia.gov.cn/hooks", "kinds": ["case_assigned", "case_overdue"]})
    assert created.status_code == 201
    endpoint = created.json()
    assert endpoint["status"] == "active" and len(endpoint["secret"]) >= 40
    listed = requests.get(f"{api}/webhooks", headers=leader).json()
    assert [e["endpoint_id"] for e in listed] == [endpoint["endpoint_id"]]
    assert "secret" not in listed[0]
    unknown = requests.post(f"{api}/webhooks", headers=leader, json={
        "url": "https://ops.lixia.gov.cn/hooks", "kinds": ["everything"]})
    assert unknown.status_code == 400 and "kinds" in unknown.json()["details"]
    not_a_url = requests.post(f"{api}/webhooks", headers=leader, json={
        "url": "file:///etc/passwd", "kinds": ["case_assigned"]})
    assert not_a_url.status_code == 400 and "url" in not_a_url.json()["details"]
    for url, reason in (
            ("http://ops.lixia.gov.cn/hooks", "https only"),
            ("https://ops:secret@ops.lixia.gov.cn/hooks", "no user name or password in the address"),
            ("https://169.254.169.254/latest/meta-data/",
             "169.254.169.254 resolves to 169.254.169.254, not a public address (link-local)"),
            ("https://intranet.lixia.gov.cn/hooks",
             "intranet.lixia.gov.cn resolves to 10.8.0.3, not a public address (private)")):
        refused = requests.post(f"{api}/webhooks", headers={**leader, "Accept-Language": "en"},
                                json={"url": url, "kinds": ["case_assigned"]})
        assert refused.status_code == 400, url
        assert refused.json()["message"] == "This address may not receive webhooks"
        assert refused.json()["details"] == {"url": [reason]}
    in_chinese = requests.post(f"{api}/webhooks", headers={**leader, "Accept-Language": "zh"},
                               json={"url": "http://ops.lixia.gov.cn/hooks", "kinds": ["case_assigned"]})
    assert in_chinese.json()["details"] == {"url": ["只接受https地址"]}
    assert len(requests.get(f"{api}/webhooks", headers=leader).json()) == 1  # none kept
    deliveries = requests.get(f"{api}/webhooks/{endpoint['endpoint_id']}/deliveries",
                              headers=leader)
    assert deliveries.status_code == 200 and deliveries.json() == []
    assert requests.get(f"{api}/webhooks/999/deliveries", headers=leader).status_code == 404
    assert requests.post(f"{api}/webhook-deliveries/nope/replay",
                         headers=leader).status_code == 404
    resumed = requests.post(f"{api}/webhooks/{endpoint['endpoint_id']}/resume", headers=leader)
    assert resumed.status_code == 200 and resumed.json()["status"] == "active"
    other = token({**LEADER, "unit_code": "370103-ZJJ"})
    assert requests.post(f"{api}/webhooks/{endpoint['endpoint_id']}/resume",
                         headers=other).status_code == 403


def test_an_endpoint_is_disabled_resumed_and_deleted_by_its_units_leader_audited(api):
    leader, other = token(LEADER), token({**LEADER, "unit_code": "370103-ZJJ"})
    endpoint_id = requests.post(f"{api}/webhooks", headers=leader, json={
        "url": "https://ops.lixia.gov.cn/hooks", "kinds": ["case_assigned"]}).json()["endpoint_id"]
    hook = f"{api}/webhooks/{endpoint_id}"
    assert requests.post(f"{hook}/disable", headers=other).status_code == 403
    assert requests.delete(hook, headers=other).status_code == 403
    disabled = requests.post(f"{hook}/disable", headers=leader)
    assert disabled.status_code == 200 and disabled.json()["status"] == "disabled"
    assert requests.post(f"{hook}/resume", headers=leader).json()["status"] == "active"
    deleted = requests.delete(hook, headers=leader)
    assert deleted.status_code == 200
    assert {k: deleted.json()[k] for k in ("status", "deleted_by")} == {
        "status": "deleted", "deleted_by": "lixia_leader"}
    assert deleted.json()["deleted_at"].endswith("+08:00")
    again = requests.delete(hook, headers=leader)
    assert again.status_code == 409 and again.json()["details"] == {"endpoint_id": ["deleted"]}
    assert requests.post(f"{hook}/resume", headers=leader).status_code == 409
    assert requests.delete(f"{api}/webhooks/999", headers=leader).status_code == 404
    assert requests.delete(hook).status_code == 401
    changes = requests.get(f"{hook}/changes", headers=leader)
    assert changes.status_code == 200
    assert [(c["action"], c["actor"]) for c in changes.json()] == [
        ("registered", "lixia_leader"), ("disabled", "lixia_leader"),
        ("resumed", "lixia_leader"), ("deleted", "lixia_leader")]
    assert changes.json()[-1]["detail"] == "0 deliveries cancelled"
    assert requests.get(f"{hook}/changes", headers=other).status_code == 403


def test_a_secret_is_rotated_with_an_overlap_or_at_once(api):
    leader = token(LEADER)
    created = requests.post(f"{api}/webhooks", headers=leader, json={
        "url": "https://ops.lixia.gov.cn/hooks", "kinds": ["case_assigned"]}).json()
    rotate = f"{api}/webhooks/{created['endpoint_id']}/rotate-secret"
    rotated = requests.post(rotate, headers=leader)  # no body: the default overlap
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != created["secret"]
    assert rotated.json()["old_secret_until"].endswith("+08:00")
    assert requests.get(f"{api}/webhooks", headers=leader).json()[0]["old_secret_until"]
    at_once = requests.post(rotate, headers=leader, json={"overlap_hours": 0})
    assert at_once.status_code == 200 and at_once.json()["old_secret_until"] is None
    too_long = requests.post(rotate, headers=leader, json={"overlap_hours": 500})
    assert too_long.status_code == 400 and "overlap_hours" in too_long.json()["details"]
    assert requests.post(rotate, headers=token({**LEADER, "unit_code": "370103-ZJJ"})) \
        .status_code == 403
    requests.delete(f"{api}/webhooks/{created['endpoint_id']}", headers=leader)
    assert requests.post(rotate, headers=leader).status_code == 409
