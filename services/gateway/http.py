"""The HTTP entrypoint: JSON in and out, and one place that maps errors to
status codes, so every route just returns data or raises.

Everything a client sends is checked here before any service sees it: the
Content-Type, the body's size, its JSON (nesting depth, numbers, characters no
store can hold). Every response carries the security headers and is never
cached: receipts, case views and tokens hold personal data or secrets."""
import json
import logging
import re
from urllib.parse import quote

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
    PayloadTooLarge,
    PlatformError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    translate_error,
)
from core.validation import excerpt
from services.gateway.dependencies import unreachable

log = logging.getLogger(__name__)

STATUS = {InvalidInput: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409,
          PayloadTooLarge: 413, UnsupportedMediaType: 415, TooManyRequests: 429,
          ServiceUnavailable: 503}

# The languages an error can be answered in (the citizens' page: Chinese by
# default, English when switched).
LANGUAGES = ["zh", "en"]
# A request body larger than this is refused unread (413); routes that take
# more (a petition's 5,000 characters) pass their own limit to json_body.
MAX_BODY_BYTES = 8 * 1024
MAX_JSON_DEPTH = 8
# Beyond what any field means (and what the stores' integers hold).
MAX_JSON_INT = 2 ** 53
# Lone surrogates cannot be encoded as UTF-8 (no store or message can hold
# them); control characters other than tab and newlines (NUL: PostgreSQL
# refuses it) have no place in a petition.
UNSTORABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# On every response. The API answers JSON only: nothing may load from it,
# frame it, or sniff it as something else. The citizens' page sets its own
# Content-Security-Policy (pages.py).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def json_response(payload, status=200, headers=None):
    return Response(json.dumps(payload, ensure_ascii=False), status=status,
                    headers=headers, mimetype="application/json")


def error_response(status, code, message, details=None):
    body = {"error": code, "message": message}
    if details:
        body["details"] = details
    return json_response(body, status)


def json_body(request, max_bytes=MAX_BODY_BYTES, optional=False):
    """The request body as a JSON object, or the error saying why not: 415
    unless sent as application/json (a cross-site form cannot send that
    without the browser asking first), 413 past ``max_bytes``, 400 for bad
    JSON, nesting deeper than MAX_JSON_DEPTH, a huge number or a character no
    store can hold, naming the field. ``optional``: no body at all is ``{}``."""
    if optional and not request.content_length and "chunked" not in (
            request.headers.get("Transfer-Encoding") or ""):
        return {}
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(
            "the request body must be sent as application/json",
            {"Content-Type": [f"expected application/json, got {excerpt(request.mimetype or 'none')}"]})
    if request.content_length is not None and request.content_length > max_bytes:
        raise PayloadTooLarge(f"the request body exceeds {max_bytes} bytes",
                              {"body": [f"at most {max_bytes} bytes"]})
    data = request.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"the request body exceeds {max_bytes} bytes",
                              {"body": [f"at most {max_bytes} bytes"]})
    try:
        body = json.loads(data.decode("utf-8") or "null", parse_constant=_no_constant,
                          parse_float=_finite)
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else excerpt(exc, 80)
        raise InvalidInput("the request body is not valid JSON", {"body": [reason]})
    if not isinstance(body, dict):
        raise InvalidInput("the request body must be a JSON object",
                           {"body": ["expected a JSON object"]})
    check_values(body, "", 1)
    return body


def _no_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text):
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise ValueError("number out of range")
    return number


def check_values(value, path, depth):
    """InvalidInput naming the first field (dotted path) nested too deeply,
    holding an out-of-range number or an unstorable character."""
    field = path or "body"
    if depth > MAX_JSON_DEPTH:
        raise InvalidInput("the request body is nested too deeply",
                           {field: [f"at most {MAX_JSON_DEPTH} levels of nesting"]})
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, field)
            check_values(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_values(item, f"{field}[{index}]", depth + 1)
    elif isinstance(value, str):
        _check_text(value, field)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_JSON_INT:
        raise InvalidInput("the request has invalid fields",
                           {field: ["number out of range / 数值超出范围"]})


def _check_text(text, field):
    if UNSTORABLE.search(text):
        raise InvalidInput("the request has invalid fields",
                           {field: ["contains characters that are not valid text / 含有无效字符"]})


# The front (deploy/front.py) runs beside the gateway and passes on the
# address it saw; only a peer on loopback may say who the client is.
TRUSTED_PROXIES = frozenset({"127.0.0.1", "::1"})


def client_address(request):
    """The client's address, for limits per address."""
    if request.remote_addr in TRUSTED_PROXIES and request.headers.get("X-Real-IP"):
        return excerpt(request.headers["X-Real-IP"], 45)
    return request.remote_addr


def with_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def in_language(response, request):
    """An error answered in the language the client asks for (Accept-Language:
    Chinese or English, core.errors.PHRASES); the error as sent otherwise."""
    language = request.accept_languages.best_match(LANGUAGES) if request.accept_languages else None
    if response.status_code < 400 or response.mimetype != "application/json" or not language:
        return response
    body = translate_error(json.loads(response.get_data()), language)
    response.set_data(json.dumps(body, ensure_ascii=False))
    return response


class JsonWsgiApp(WsgiApp):
    """nameko's app answers an unknown path or method with werkzeug's HTML
    page; here it is the same JSON error body as every other error."""

    def __call__(self, environ, start_response):
        request = Request(environ, shallow=True)  # as nameko's: the body is read later
        if self.server.stopping:
            response = error_response(503, ServiceUnavailable.code,
                                      "the gateway is stopping; try again later")
            response.headers["Retry-After"] = "1"
            return with_security_headers(in_language(response, request))(environ, start_response)
        try:
            provider, request.path_values = self.url_map.bind_to_environ(environ).match()
        except HTTPException as exc:
            response = error_response(exc.code, "not_found" if exc.code == 404 else "http_error",
                                      exc.description)
            # A 405 says which methods the path has.
            response.headers.extend((k, v) for k, v in exc.get_headers() if k == "Allow")
        else:
            response = provider.handle_request(request)
        return with_security_headers(in_language(response, request))(environ, start_response)


class JsonWebServer(WebServer):
    """nameko's web server, with a stop that ends under traffic. nameko stops
    the web server only after the running workers finish, and until then it
    goes on taking requests (on new connections and on kept-alive ones, such
    as the front's) and starting workers for them: under steady traffic the
    wait never ended and the gateway was killed at the end of its grace
    period. Here, once the entrypoints stop, a request is answered 503 (try
    again; the front or a client goes to another replica) without a worker,
    its connection is closed, and the wait covers only what already runs."""

    stopping = False

    def get_wsgi_app(self):
        return JsonWsgiApp(self)

    def refuse_new_requests(self):
        self.stopping = True
        if self._serv is not None:  # started: each connection closes after its answer
            self._serv.keepalive = False


class HttpEntrypoint(HttpRequestHandler):
    server = JsonWebServer()

    def stop(self):
        self.server.refuse_new_requests()
        super().stop()

    def handle_result(self, event, worker_ctx, result, exc_info):
        if exc_info is None:
            result = with_unreachable(result, unreachable(worker_ctx.service))
        return super().handle_result(event, worker_ctx, result, exc_info)

    def response_from_result(self, result):
        if isinstance(result, Response):
            return result
        status, payload = status_and_payload(result)
        return json_response(payload, status)

    def response_from_exception(self, exc):
        if isinstance(exc, TooManyRequests):
            response = error_response(429, exc.code, exc.message, exc.details)
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
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

# On an answer that leaves out the cases of a deployment it could not reach
# (a county's tracking down: services/gateway/dependencies.py), the area codes
# of those deployments; a JSON object answer also names them, in both
# languages, in the field UNREACHABLE_FIELD. Never a silent partial answer.
UNREACHABLE_HEADER = "Unreachable-Deployments"
UNREACHABLE_FIELD = "unreachable"


def status_and_payload(result):
    """A route's plain result, ``payload`` or ``(status, payload)``, as the pair."""
    return result if isinstance(result, tuple) else (200, result)


def with_unreachable(result, left_out):
    """``result`` (what a route returned) saying which deployments it left out."""
    if not left_out:
        return result
    if isinstance(result, Response):
        response = result
    else:
        status, payload = status_and_payload(result)
        if isinstance(payload, dict):
            payload = {**payload, UNREACHABLE_FIELD: left_out}
        response = json_response(payload, status)
    response.headers[UNREACHABLE_HEADER] = ", ".join(d["area_code"] for d in left_out)
    return response


API = "/api/v1"
# Public figures change with the events, not per request: a proxy or browser
# may keep them a few minutes. Staff figures are the caller's only.
PUBLIC_CACHE = {"Cache-Control": "public, max-age=300"}
STAFF_CACHE = {"Cache-Control": "private, max-age=60"}


def download(body, document, cache):
    """A file to save (a CSV, a bulletin, a case's material): ``document``
    names it and its type. A name beyond ASCII (中文.pdf) goes in
    ``filename*`` (RFC 6266), with an ASCII stand-in for old clients."""
    name = document["filename"]
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f'attachment; filename="{fallback}"'
    if fallback != name:
        disposition += f"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(body, headers={**cache, "Content-Disposition": disposition},
                    content_type=document["content_type"])


def file_body(request, max_bytes, allowed_types):
    """The request body as one file's bytes: 415 unless sent as one of
    ``allowed_types`` (or application/octet-stream; a cross-site form can send
    neither without the browser asking first), 413 past ``max_bytes``,
    400 when empty. What the bytes are is checked by the service, by content."""
    kind = request.mimetype
    if kind not in allowed_types and kind != "application/octet-stream":
        raise UnsupportedMediaType(
            "send the file as the body, with its type as Content-Type",
            {"Content-Type": [f"expected an image, PDF or office document type, got "
                              f"{excerpt(kind or 'none')}"]})
    too_large = PayloadTooLarge(f"a file may be at most {max_bytes} bytes",
                                {"file": [f"文件不能超过 {max_bytes} 字节 / at most {max_bytes} bytes"]})
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    data = request.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    if not data:
        raise InvalidInput("the file is empty", {"file": ["文件为空 / the file is empty"]})
    return data
