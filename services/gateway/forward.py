"""Routes that only forward: the request passed to one RPC call, the answer
sent in one response schema. Most of the API is such a route; written out
as a method each, the same lines (the entrypoint, the auth decorator, the
security and success response in the docstring, the call, the dump) stood
fifty times with small variations. Here they are one declaration each, in
its audience's class beside the routes that do more (routes/*.py), which
stay methods:

    list_api_keys = forward("GET", f"{API}/api-keys", "routing.list_api_keys", ACTOR,
                            answer=ApiKeySchema, many=True, doc='''Every API key''')

The attribute's name is the entrypoint's (nameko's method name, the metrics'
label). The call's arguments, in order, are each a name (``ACTOR``, or a path
argument such as ``"key_id"``) or a function of the request (``body``,
``optional_body``, ``query``, ``query_arg("status")``, or the module's own).
The arguments are read before the call, so bad input is refused (4xx) before
any service is asked.

The OpenAPI entry (openapi.py) is read off the same declaration: ``doc`` is
written as a route's docstring (summary, then after ``---`` what is
particular: request body, parameters, other responses); the declaration adds
the success response (``status``, ``answer``; a description given in ``doc``
is kept), and ``who`` the bearer security, as on every route (auth.py).

A route that does more stays a method, and declares its answer the same way,
once (``@answers(StaffCaseView)`` under its auth decorator): the method
returns the data, the decorator dumps it and the document names the shape;
no schema is named twice (in the docstring and in a dump call) to drift."""
import functools
import inspect

from core import once
from services.gateway.auth import staff_only
from services.gateway.http import http, json_body, json_response
from services.gateway.openapi import WERKZEUG_ARG

# The caller's token, as the ``who`` decorator passes it (auth.py).
ACTOR = "actor"
# ``who`` for a route anyone may call. A declaration that names no ``who`` is
# staff_only: a route forgotten is closed, not open.
PUBLIC = None


def body(request):
    """The JSON body (http.json_body: 415, 413, 400 naming the field)."""
    return json_body(request)


def optional_body(request):
    """The JSON body, ``{}`` when none is sent."""
    return json_body(request, optional=True)


def idempotency_key(request):
    """The request's ``Idempotency-Key`` header (core/once.py), None when
    absent, or InvalidInput naming it."""
    key = request.headers.get(once.HEADER)
    return key if key is None else once.check_request_id(key)


def request_id(request):
    """The id an RPC that acts once per request (core/once.py) is called
    with: the client's ``Idempotency-Key`` (a client that may send a request
    again sends the same key: it gets the first answer), else a new id for
    this HTTP request alone (a copy of it requeued inside the platform
    still finds the first answer). The route's OpenAPI entry names the header."""
    return idempotency_key(request) or once.new_request_id()


def query(request):
    """Every query parameter, as a dict: the owning service checks them."""
    return request.args.to_dict()


def query_arg(name, default=None):
    """One query parameter, ``default`` when absent."""
    return lambda request: request.args.get(name, default)


# What a route called with ``request_id`` adds to its OpenAPI description.
ACTS_ONCE = (
    "Acts once per request: a repeat with the same `Idempotency-Key` (and the same actor) "
    "gets the first answer, or, when that answer held a field shown only once (a password, "
    "a key, a secret: never kept), a 409 naming it; the same key with another request is a "
    "409. Without the header each HTTP request is its own (a copy of it run twice inside "
    "the platform still acts once).")


def forward(method, url, call, *arguments, answer, many=False, status=200, who=staff_only,
            headers=None, dumped=False, describe=None, doc):
    """The nameko HTTP entrypoint calling ``call`` ("service.method") with
    ``arguments`` and answering ``status`` with the result dumped by
    ``answer`` (``many``: a list of them), with ``headers`` (a cache rule).
    ``who``: the auth decorator (auth.py), or PUBLIC.
    ``dumped``: the owning service already dumped its answer with ``answer``
    (that schema is its one home): sent as it came, ``answer`` only names
    the shape in the document. ``describe``: for a path with an ``any``
    converter, the OpenAPI operation of each option (openapi.expand)."""
    service_name, rpc_name = call.split(".")
    # a misspelt name would fail on the first request; here it fails at import
    named = {m["name"] for m in WERKZEUG_ARG.finditer(url)} | ({ACTOR} if who is not PUBLIC else set())
    unknown = [a for a in arguments if isinstance(a, str) and a not in named]
    if unknown:
        raise ValueError(f"{method} {url}: {unknown} is neither a path argument nor ACTOR")

    def call_service(self, request, **values):
        args = [values[a] if isinstance(a, str) else a(request) for a in arguments]
        return getattr(getattr(self, service_name), rpc_name)(*args)

    route = answers(answer, many=many, status=status, headers=headers, dumped=dumped,
                    acts_once=request_id in arguments)(call_service)
    route.__doc__ = inspect.cleandoc(doc)
    route.call = call
    if describe is not None:
        route.describe = describe
    return http(method, url)(route if who is PUBLIC else who(route))


def answers(answer, *, many=False, status=200, said="ok", headers=None, dumped=False,
            acts_once=False):
    """The answer of a route that does more than forward (a method under
    ``@http`` and its auth decorator), declared once: what the method
    returns, dumped by ``answer`` (``many``: a list of them) and answered
    ``status`` with ``headers``; the OpenAPI success response, ``said`` its
    description, is read off the same declaration. (``dumped``, ``acts_once``:
    for ``forward``.)"""
    schema = answer(many=many)

    def decorate(method):
        @functools.wraps(method)
        def route(self, request, **values):
            result = method(self, request, **values)
            payload = result if dumped else schema.dump(result)
            # (status, payload) as a method returns it: the entrypoint may add to
            # the payload still (http.with_unreachable); a cache rule needs a Response
            return json_response(payload, status, headers) if headers else (status, payload)

        route.complete = lambda operation: _complete(operation, str(status), answer.__name__,
                                                     many, acts_once, said)
        return route
    return decorate


def _complete(operation, status, shape, many, acts_once, said):
    """``operation`` (the YAML of ``doc``) with the success response the
    declaration says, first among the responses as a docstring writes it
    (a description it gives is kept), and for a route called with
    ``request_id`` its header."""
    if acts_once:
        operation["parameters"] = [*operation.get("parameters", []), "idempotency_key"]
        operation["description"] = " ".join(filter(None, [operation.get("description"), ACTS_ONCE]))
    given = operation.get("responses", {})
    success = {"description": said, **given.get(status, {})}
    success.setdefault("content", {"application/json": {
        "schema": {"type": "array", "items": shape} if many else shape}})
    operation["responses"] = {status: success, **{k: v for k, v in given.items() if k != status}}
    return operation
