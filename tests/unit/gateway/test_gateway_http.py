"""The gateway's own logic: error mapping, request bodies, tokens, OpenAPI."""
import json
import time

import pytest
from marshmallow import ValidationError
from openapi_spec_validator import validate
from werkzeug.test import EnvironBuilder

from core.errors import (
    ConfigurationError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
)
from services.gateway import openapi
from services.gateway.auth import Tokens
from services.gateway.http import HttpEntrypoint, json_body
from services.gateway.service import GatewayService
from services.tracking.workflows import PETITIONER_ACTIONS, STAFF_ACTIONS, STEPS

SECRET = "a-test-secret-of-thirty-two-chars"
ACTOR = {"username": "lixia_housing", "unit_code": "370102-ZJJ", "unit_name": "历下区住建局",
         "role": "handler", "area_code": "370102"}


def request_with(data):
    return EnvironBuilder(method="POST", data=data).get_request()


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


def test_token_round_trip_carries_the_actor():
    tokens = Tokens(SECRET, 60)
    token, expires_in = tokens.issue(ACTOR)
    assert expires_in == 60
    assert tokens.verify(f"Bearer {token}") == ACTOR


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer not-a-jwt"])
def test_missing_or_malformed_token_is_unauthorized(header):
    with pytest.raises(Unauthorized):
        Tokens(SECRET, 60).verify(header)


def test_token_signed_with_another_secret_or_expired_is_unauthorized():
    forged, _ = Tokens("another-secret-of-thirty-two-chars!", 60).issue(ACTOR)
    with pytest.raises(Unauthorized):
        Tokens(SECRET, 60).verify(f"Bearer {forged}")
    expired, _ = Tokens(SECRET, 1).issue(ACTOR)
    time.sleep(2.1)
    with pytest.raises(Unauthorized):
        Tokens(SECRET, 1).verify(f"Bearer {expired}")


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_tokens_refuse_to_work_without_a_strong_secret(secret):
    with pytest.raises(ConfigurationError, match="TOKEN_SECRET"):
        Tokens(secret, 60)


def test_openapi_document_is_valid_and_documents_every_route():
    document = openapi.document(GatewayService)
    validate(document)
    routes = {(m.lower(), openapi.WERKZEUG_ARG.sub(r"{\1}", url))
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
            assert "requestBody" in operation
    for action in PETITIONER_ACTIONS:
        assert f"/api/v1/petitions/{{query_code}}/{action}" in paths
    assert "/api/v1/workflows" in paths
