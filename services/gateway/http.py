"""The HTTP entrypoint: JSON in and out, and one place that maps errors to
status codes, so every route just returns data or raises."""
import json
import logging

from marshmallow import ValidationError
from nameko.exceptions import BadRequest
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import WebServer, WsgiApp
from werkzeug import Request, Response
from werkzeug.exceptions import HTTPException

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PlatformError,
    ServiceUnavailable,
    Unauthorized,
)

log = logging.getLogger(__name__)

STATUS = {InvalidInput: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409,
          ServiceUnavailable: 503}


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    headers=headers, mimetype="application/json")


def error_response(status, code, message, details=None):
    body = {"error": code, "message": message}
    if details:
        body["details"] = details
    return json_response(body, status)


def json_body(request):
    """The request body as a JSON object, or InvalidInput saying why not."""
    try:
        body = json.loads(request.get_data(as_text=True) or "null")
    except ValueError as exc:
        raise InvalidInput("the request body is not valid JSON", {"body": [str(exc)]})
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object",
                           {"body": ["expected a JSON object"]})
    return body


class JsonWsgiApp(WsgiApp):
    """nameko's app answers an unknown path or method with werkzeug's HTML
    page; here it is the same JSON error body as every other error."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)  # as nameko's: the body is read later
        try:
            provider, request.path_values = self.url_map.bind_to_environ(environ).match()
        except HTTPException as exc:
            response = error_response(exc.code, "not_found" if exc.code == 404 else "http_error",
                                      exc.description)
        else:
            response = provider.handle_request(request)
        return response(environ, start_response)


class JsonWebServer(WebServer):
    def get_wsgi_app(self):
        return JsonWsgiApp(self)


class HttpEntrypoint(HttpRequestHandler):
    server = JsonWebServer()

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = result if isinstance(result, tuple) else (200, result)
        return json_response(payload, status)

    def response_from_exception(self, exc):
        if isinstance(exc, PlatformError):
            return error_response(STATUS.get(type(exc), 400), exc.code, exc.message,
                                  exc.details)
        if isinstance(exc, ValidationError):  # a request body checked in the gateway
            return error_response(400, InvalidInput.code, "the request has invalid fields",
                                  exc.messages)
        if isinstance(exc, BadRequest):  # path arguments that do not fit the route
            return error_response(400, "invalid_input", str(exc))
        if isinstance(exc, HTTPException):
            return error_response(exc.code, "http_error", exc.description)
        log.exception("unexpected error answering a request")
        return error_response(500, "internal_error", "the server could not complete the request")


http = HttpEntrypoint.decorator
