"""Every input path, tried as an attacker would, against the running system
(front, gateway, services): what used to answer 500 or echo megabytes now
answers a 4xx JSON error naming the field and quoting at most a few dozen
characters; and the security headers are on every answer."""
import json
import socket

import pytest

from tests.security.conftest import new_person
from tests.stack import VALID, eventually, follow, login, submit_petition

pytestmark = pytest.mark.e2e

SURROGATE = "\\ud800"  # as JSON text: a lone surrogate


def post_raw(client, path, text, content_type="application/json", token=None):
    return client.call("POST", path, token=token, data=text.encode(),
                       headers={"Content-Type": content_type})


def assert_json_error(response, status, field=None, max_echo=200):
    assert response.status_code == status, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and body["message"]
    assert body.get("details") != "None" and "None" not in json.dumps(body.get("details", {}))
    if field:
        assert field in body["details"], body
    assert len(response.text) < max_echo + 600, "the error echoes the input"
    return body


@pytest.mark.parametrize("field", ["name", "title", "content", "address", "category",
                                   "area_code", "id_number", "phone", "sms_code"])
def test_a_lone_surrogate_in_any_petition_field_is_400_naming_it(client, field):
    body = {**VALID, "address": "历下区文化东路1号", "sms_code": "123456"}
    text = json.dumps({**body, field: "SPOILED"}, ensure_ascii=False)
    text = text.replace('"SPOILED"', f'"{SURROGATE}"')
    assert_json_error(post_raw(client, "/petitions", text), 400, field)


def test_a_lone_surrogate_in_the_username_is_400(client):
    response = post_raw(client, "/auth/token", f'{{"username": "{SURROGATE}", "password": "x"}}')
    assert_json_error(response, 400, "username")


def test_json_nested_1000_deep_is_400(client):
    text = '{"name": ' + "[" * 1000 + "]" * 1000 + "}"
    assert_json_error(post_raw(client, "/petitions", text), 400)


def test_a_huge_offset_is_400_naming_it(client):
    token = login(client.stack, "city_bureau")
    response = client.call("GET", "/cases?offset=9223372036854775808", token)
    assert_json_error(response, 400, "offset")


def test_a_20_mb_value_is_refused_before_the_bus_with_413_json(client):
    text = json.dumps({**VALID, "category": "x" * (20 * 1024 * 1024)})
    body = assert_json_error(post_raw(client, "/petitions", text), 413)
    assert body["error"] == "payload_too_large"


def test_an_oversized_field_is_named_and_not_echoed(client):
    text = json.dumps({**VALID, "sms_code": "123456", "category": "y" * 5000})
    body = assert_json_error(post_raw(client, "/petitions", text), 400, "category")
    assert "y" * 40 not in json.dumps(body)


def test_path_input_is_not_echoed(client):
    response = client.call("GET", "/cases/" + "Z" * 5000, login(client.stack, "city_bureau"))
    body = assert_json_error(response, 404)
    assert "Z" * 40 not in json.dumps(body)
    response = client.call("GET", "/petitions/" + "Q" * 5000)
    assert "Q" * 40 not in json.dumps(assert_json_error(response, 404))


def raw_request(stack, request_bytes):
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as sock:
        sock.sendall(request_bytes)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), head.decode("latin-1"), body


def test_an_over_long_url_or_header_gets_a_json_error(stack):
    status, head, body = raw_request(
        stack, b"GET /api/v1/petitions/" + b"A" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status == 414 and json.loads(body)["error"] == "request_too_long", head
    status, head, body = raw_request(
        stack, b"GET /api/v1/categories HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20000
        + b"\r\nConnection: close\r\n\r\n")
    assert 400 <= status < 500 and json.loads(body)["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_json_sent_as_a_form_or_text_is_415(client, content_type):
    # What a cross-site form can send without the browser asking first.
    response = post_raw(client, "/auth/token",
                        '{"username": "city_bureau", "password": "petition-demo"}', content_type)
    assert_json_error(response, 415, "Content-Type")


def test_405_says_which_methods_are_allowed(client):
    response = client.call("DELETE", "/petitions")
    assert_json_error(response, 405)
    assert response.headers["Allow"] == "POST"


def test_security_headers_and_no_store(client):
    page = client.session.get(f"{client.stack.url}/", timeout=10)
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    for response in (page, client.call("GET", "/categories"),
                     client.call("GET", "/petitions/ABCD-EFGH-JKMN-PQRS")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    person = new_person()
    receipt = submit_petition(client.stack, {**VALID, **person}, client=client.call)
    token = client.call("POST", "/auth/token",
                        json={"username": "lixia_housing", "password": "petition-demo"})
    view = client.call("GET", f"/petitions/{receipt.json()['query_code']}")
    for response in (receipt, token, view):
        assert response.status_code in (200, 201), response.text
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("id_number, reason", [
    ("１１０１０５１９４９１２３１００２Ｘ", "前17位应为数字"),  # full-width
    ("11010519491231٠٠2X", "前17位应为数字"),  # Arabic-Indic digits
    ("370102180003071232", "1900"),  # born 1800
])
def test_id_numbers_with_foreign_digits_or_born_1800_are_refused(client, id_number, reason):
    body = assert_json_error(client.call("POST", "/phone-codes", json={
        "phone": "13512340000", "id_number": id_number}), 400, "id_number")
    assert reason in " ".join(body["details"]["id_number"])


def test_a_one_character_name_is_masked(client):
    receipt = submit_petition(client.stack, {**VALID, **new_person(), "name": "张"},
                              client=client.call)
    assert receipt.status_code == 201, receipt.text
    assert follow(client.stack, receipt.json()["query_code"])["petitioner"]["name"] == "*"


def test_a_reply_of_spaces_and_zero_width_characters_is_refused(client):
    receipt = submit_petition(client.stack, {**VALID, **new_person()}, client=client.call)
    code, number = receipt.json()["query_code"], receipt.json()["case_number"]
    assert eventually(lambda: follow(client.stack, code)["status"] == "routed")
    token = login(client.stack, "lixia_housing")
    assert client.call("POST", f"/cases/{number}/accept", token).status_code == 200
    reply = client.call("POST", f"/cases/{number}/reply", token,
                        json={"reply": " \u200b\u3000\ufeff\u200d\t "})
    assert_json_error(reply, 400, "reply")
    assert follow(client.stack, code)["status"] == "accepted"
