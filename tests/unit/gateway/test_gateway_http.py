"""The gateway's own logic: error mapping, request bodies, tokens, OpenAPI."""
import json
import time

import jwt
import pytest
from marshmallow import ValidationError
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder

from core.actors import ActorSigner, ActorVerifier, new_key_pair
from core.errors import (
    ConfigurationError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
)
from services.gateway import openapi
from services.gateway.auth import bearer_token
from services.gateway.http import HttpEntrypoint, json_body
from services.gateway.service import GatewayService
from services.tracking.workflows import PETITIONER_ACTIONS, STAFF_ACTIONS, STEPS

SIGNING_KEY, VERIFY_KEY = new_key_pair()
ACTOR = {"username": "lixia_housing", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
         "role": "handler", "area_code": "370102"}


def request_with(data, content_type="application/json"):
    return EnvironBuilder(method="POST", data=data, content_type=content_type).get_request()


@pytest.mark.parametrize("exc, status, code", [
    (InvalidInput("bad", {"phone": ["not a mobile number"]}), 400, "invalid_input"),
    (ValidationError({"reply": ["Missing data for required field."]}), 400, "invalid_input"),
    (Unauthorized("no token"), 401, "unauthorized"),
    (Forbidden("not your unit"), 403, "forbidden"),
    (NotFound("no such case"), 404, "not_found"),
    (Conflict("already rated"), 409, "conflict"),
    (ServiceUnavailable("intake did not answer in time"), 503, "service_unavailable"),
    (RuntimeError("secret internals"), 500, "internal_error"),
])
def test_errors_map_to_status_and_json_body(exc, status, code):
    response = HttpEntrypoint("GET", "/").response_from_exception(exc)
    body = json.loads(response.get_data())
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert body["error"] == code
    assert "secret internals" not in body["message"]


def test_field_details_travel_with_the_error():
    response = HttpEntrypoint("GET", "/").response_from_exception(
        InvalidInput("bad", {"phone": ["not a mobile number"]}))
    assert json.loads(response.get_data())["details"] == {"phone": ["not a mobile number"]}


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", "42", ""])
def test_a_body_that_is_not_a_json_object_is_invalid_input(data):
    with pytest.raises(InvalidInput) as raised:
        json_body(request_with(data))
    assert "body" in raised.value.details


def test_json_object_body_is_returned():
    assert json_body(request_with('{"a": 1}')) == {"a": 1}
    assert json_body(request_with('{"a": 1}', "application/json; charset=utf-8")) == {"a": 1}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_a_body_not_sent_as_json_is_refused_with_415(content_type):
    # A cross-site form can post text/plain or a form without asking first.
    with pytest.raises(UnsupportedMediaType) as raised:
        json_body(request_with('{"a": 1}', content_type))
    assert "Content-Type" in raised.value.details


def test_a_body_over_the_limit_is_refused_unread_with_413():
    with pytest.raises(PayloadTooLarge):
        json_body(request_with('{"a": "' + "x" * 200 + '"}'), max_bytes=100)


@pytest.mark.parametrize("data, field", [
    ('{"name": "\\ud800"}', "name"),
    ('{"proxy": {"agent_id": "a\\u0000b"}}', "proxy.agent_id"),
    ('{"\\udfff": 1}', "body"),
    ('{"offset": 9223372036854775808}', "offset"),
    ('{"a": ' + "[" * 20 + "]" * 20 + "}", "a"),
    ('{"a": ' + "[" * 4000 + "]" * 4000 + "}", "body"),
    ('{"a": NaN}', "body"),
    ('{"a": 1e999999999999}', "body"),
], ids=["surrogate", "nul", "surrogate-key", "huge-int", "deep", "very-deep", "nan", "inf"])
def test_unstorable_values_are_invalid_input_naming_the_field(data, field):
    with pytest.raises(InvalidInput) as raised:
        json_body(request_with(data))
    [named] = raised.value.details
    assert named.startswith(field)
    assert all(len(reason) < 100 for reason in raised.value.details[named])


def test_errors_without_details_do_not_send_the_text_none():
    from nameko.exceptions import deserialize, serialize
    error = deserialize(serialize(NotFound("no such case")))
    assert error.details == {}
    response = HttpEntrypoint("GET", "/").response_from_exception(error)
    assert "details" not in json.loads(response.get_data())


def test_too_many_requests_says_when_to_come_back():
    from nameko.exceptions import deserialize, serialize
    error = deserialize(serialize(TooManyRequests("slow down", {"phone": ["too many"]}, 42)))
    response = HttpEntrypoint("GET", "/").response_from_exception(error)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "42"


def test_token_round_trip_carries_the_actor():
    signer = ActorSigner(SIGNING_KEY, 60)
    token, expires_in = signer.issue(ACTOR)
    assert expires_in == 60
    assert signer.verify(token) == {**ACTOR, "must_change_password": False, "token_version": 0}
    assert signer.verify(signer.issue({**ACTOR, "token_version": 7})[0])["token_version"] == 7
    assert ActorVerifier(VERIFY_KEY).verify(token)["username"] == ACTOR["username"]


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc"])
def test_missing_or_malformed_bearer_is_unauthorized(header):
    with pytest.raises(Unauthorized):
        bearer_token(header)


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", {"username": "city_bureau"}])
def test_what_is_not_a_signed_token_is_unauthorized(token):
    with pytest.raises(Unauthorized):
        ActorVerifier(VERIFY_KEY).verify(token)


def test_a_token_signed_by_another_key_or_expired_or_symmetric_is_unauthorized():
    other_signing, _ = new_key_pair()
    forged, _ = ActorSigner(other_signing, 60).issue(ACTOR)
    with pytest.raises(Unauthorized):
        ActorVerifier(VERIFY_KEY).verify(forged)
    # An HS256 token "signed" with the public key (the algorithm-confusion trick).
    confused = jwt.encode({**ACTOR, "sub": "x", "iss": "petition-gateway",
                           "exp": int(time.time()) + 60}, VERIFY_KEY, algorithm="HS256")
    with pytest.raises(Unauthorized):
        ActorVerifier(VERIFY_KEY).verify(confused)
    expired, _ = ActorSigner(SIGNING_KEY, 1).issue(ACTOR)
    time.sleep(2.1)
    with pytest.raises(Unauthorized):
        ActorVerifier(VERIFY_KEY).verify(expired)


def test_a_token_that_must_change_its_password_is_refused_by_services():
    token, _ = ActorSigner(SIGNING_KEY, 60).issue({**ACTOR, "must_change_password": True})
    with pytest.raises(Unauthorized):
        ActorVerifier(VERIFY_KEY).verify(token)
    assert ActorVerifier(VERIFY_KEY).verify(token, allow_password_change=True)[
        "must_change_password"]


@pytest.mark.parametrize("key", [None, "", "short"])
def test_tokens_refuse_to_work_without_a_key(key):
    with pytest.raises(ConfigurationError):
        ActorSigner(key, 60)


def test_openapi_document_is_valid_and_documents_every_route():
    document = openapi.document(GatewayService)
    validate(document)
    routes = {(m.lower(), openapi.openapi_path(url))
              for m, any_url, _ in openapi.routes(GatewayService)
              for url, _ in openapi.expand(any_url)}
    documented = {(m, path) for path, ops in document["paths"].items() for m in ops}
    assert routes == documented
    submit = document["paths"]["/api/v1/petitions"]["post"]
    body = submit["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/Submission")
    assert "id_number" in document["components"]["schemas"]["Submission"]["properties"]


def test_every_staff_and_petitioner_step_of_the_workflow_tables_is_a_documented_route():
    paths = openapi.document(GatewayService)["paths"]
    for action in STAFF_ACTIONS:
        operation = paths[f"/api/v1/cases/{{case_number}}/{action}"]["post"]
        workflow, step = STEPS[action]
        assert step.name_zh in operation["summary"]
        assert step.event.event_type in operation["description"]
        if step.body is not None:
            body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith("/" + step.body.removesuffix("Schema"))
    for action in PETITIONER_ACTIONS:
        assert f"/api/v1/petitions/{{query_code}}/{action}" in paths
    assert "/api/v1/workflows" in paths


def test_every_schema_the_openapi_document_names_is_in_it():
    """A name two schemas share (an event's and a request's) resolves to
    neither: the reference would point at nothing, the console's form be empty."""
    document = openapi.document(GatewayService)

    def refs(node):
        if isinstance(node, dict):
            yield from ([node["$ref"]] if isinstance(node.get("$ref"), str) else [])
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)
    named = {ref.rsplit("/", 1)[-1] for ref in refs(document)}
    assert "MaterialRequest" in named and "ExtensionRequest" in named
    assert named - set(document["components"]["schemas"]) == set()
