"""The staff-administration routes over real HTTP, routing replaced by a
stand-in that verifies the token as routing's @staff_rpc does and keeps what
it is given."""
import requests

from core.actors import ActorVerifier
from core.errors import Forbidden
from core.once import check_request_id
from deploy.keys import new_secrets
from tests.kit import bearer, stood_in

KEYS = new_secrets()
VERIFY = ActorVerifier(KEYS["ACTOR_VERIFY_KEY"]).verify
ADMIN = {"username": "lixia_admin", "unit_code": "370102-XFJ", "unit_name": "历下区信访局",
         "role": "bureau_admin", "area_code": "370102"}
HANDLER = {**ADMIN, "username": "lixia_housing", "unit_code": "370102-ZJJ", "role": "handler"}
ACCOUNT = {"username": "lixia.wang", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
           "role": "handler", "area_code": "370102", "active": True, "must_change_password": True,
           "password_hash": "never-shown"}


class Routing:
    def __init__(self):
        self.calls, self.request_ids = [], []

    def _admin(self, actor, call):
        if VERIFY(actor)["role"] != "bureau_admin":
            raise Forbidden("only a bureau administrator manages staff accounts")
        self.calls.append(call)

    def staff_accounts_list(self, actor):
        self._admin(actor, ("list",))
        return [ACCOUNT]

    def create_account(self, actor, data, request_id):
        self._admin(actor, ("create", data))
        self.request_ids.append(check_request_id(request_id))
        return {**ACCOUNT, "one_time_password": "shown-once"}

    def update_account(self, actor, username, data):
        self._admin(actor, ("update", username, data))
        return {**ACCOUNT, "active": data.get("active", True)}

    def reset_password(self, actor, username, request_id):
        self._admin(actor, ("reset", username))
        self.request_ids.append(check_request_id(request_id))
        return {**ACCOUNT, "one_time_password": "shown-once"}

    def staff_changes(self, actor, username=None):
        self._admin(actor, ("changes", username))
        return [{"at": "2026-11-25T01:00:00+00:00", "actor": "lixia_admin",
                 "username": "lixia.wang", "change": "disabled", "detail": "active: True -> False"}]


routing, url = stood_in(KEYS, routing=Routing)


def test_create_update_reset_and_the_change_record(url, routing):
    admin = bearer(KEYS, ADMIN)
    created = requests.post(f"{url}/staff", json={"username": "lixia.wang", "unit_code": "370102-ZJJ",
                                                   "role": "handler"}, headers=admin, timeout=10)
    assert created.status_code == 201, created.text
    assert created.json()["one_time_password"] == "shown-once"
    assert "password_hash" not in created.json()
    disabled = requests.patch(f"{url}/staff/lixia.wang", json={"active": False}, headers=admin,
                              timeout=10)
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    reset = requests.post(f"{url}/staff/lixia.wang/password", headers=admin, timeout=10)
    assert reset.status_code == 200 and reset.json()["one_time_password"] == "shown-once"
    changes = requests.get(f"{url}/staff/changes", params={"username": "lixia.wang"},
                           headers=admin, timeout=10)
    assert changes.json()[0]["at"] == "2026-11-25T09:00:00+08:00"
    listed = requests.get(f"{url}/staff", headers=admin, timeout=10).json()
    assert [a["username"] for a in listed] == ["lixia.wang"]
    assert routing.calls == [
        ("create", {"username": "lixia.wang", "unit_code": "370102-ZJJ", "role": "handler"}),
        ("update", "lixia.wang", {"active": False}), ("reset", "lixia.wang"),
        ("changes", "lixia.wang"), ("list",)]
    for response in (created, reset):
        assert response.headers["Cache-Control"] == "no-store"


def test_refusals(url, routing):
    assert requests.get(f"{url}/staff", timeout=10).status_code == 401
    assert requests.get(f"{url}/staff", headers=bearer(KEYS, HANDLER), timeout=10).status_code == 403
    form = requests.post(f"{url}/staff", data="username=x", headers={
        **bearer(KEYS, ADMIN), "Content-Type": "application/x-www-form-urlencoded"}, timeout=10)
    assert form.status_code == 415
    long_name = requests.patch(f"{url}/staff/{'x' * 51}", json={}, headers=bearer(KEYS, ADMIN), timeout=10)
    assert long_name.status_code == 404
    assert routing.calls == []


def test_the_routes_are_in_the_openapi_document(url):
    paths = requests.get(f"{url}/openapi.json", timeout=10).json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/staff"])
    assert "patch" in paths["/api/v1/staff/{username}"]
    assert "get" in paths["/api/v1/staff/changes"]
    # the routes that act once per request name the header and say what a repeat gets
    for create in (paths["/api/v1/staff"]["post"], paths["/api/v1/staff/{username}/password"]["post"]):
        [header] = [p for p in create["parameters"] if p["in"] == "header"]
        assert (header["name"], header["schema"]["pattern"]) == ("Idempotency-Key",
                                                                  "^[A-Za-z0-9_-]{16,64}$")
        assert "a 409 naming it" in create["description"]
    assert not [p for p in paths["/api/v1/staff/{username}"]["patch"]["parameters"]
                if p["in"] == "header"]


def test_a_clients_idempotency_key_is_the_request_id_else_each_request_has_its_own(url, routing):
    admin = bearer(KEYS, ADMIN)
    account = {"username": "lixia.wang", "unit_code": "370102-ZJJ", "role": "handler"}
    key = {"Idempotency-Key": "5f0c8e1a-0b7d-4c8e-9a51-2f4e6d7c8b90"}
    for _ in range(2):
        sent = requests.post(f"{url}/staff", json=account, headers={**admin, **key}, timeout=10)
        assert sent.status_code == 201
    for _ in range(2):
        assert requests.post(f"{url}/staff/lixia.wang/password", headers=admin,
                             timeout=10).status_code == 200
    same, again, first, second = routing.request_ids
    assert same == again == key["Idempotency-Key"]
    assert len({same, first, second}) == 3
    malformed = requests.post(f"{url}/staff", json=account, timeout=10,
                              headers={**admin, "Idempotency-Key": "short"})
    assert malformed.status_code == 400
    assert list(malformed.json()["details"]) == ["Idempotency-Key"]
    assert len(routing.calls) == 4  # the malformed one was refused before routing was asked
