"""Staff bearer tokens at the edge: the gateway issues them (signed with its
private key, core.actors) and checks them before any call. What it passes on
to a service as ``actor`` is the token itself, which the service verifies
again: no service trusts a name the gateway (or anyone on the bus) sends."""
import functools

from core.actors import API_KEY_ACTOR
from core.errors import Forbidden, Unauthorized
from core.roles import GRID_AGENT, HANDLER, STAFF_ROLES
from services.gateway.http import client_address

# A department system's API key (services/routing/api_keys.py), instead of a
# bearer token: on the staff routes a unit's key acts as that unit's handler;
# on Open311 an app's or a unit's key submits petitions.
API_KEY_HEADER = "X-Api-Key"


def bearer_token(authorization):
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    return token.strip()


def _role_only(roles, refusal, api_keys=False):
    """Route decorator for ``roles``: the bearer token, checked, passed as
    ``actor`` (for the services to verify again); an account that must change
    its password may do nothing else first; another role is ``refusal``. With
    ``api_keys``, a unit's API key instead of a token acts as its handler."""
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, request, **kwargs):
            key = request.headers.get(API_KEY_HEADER)
            if api_keys and key and not request.headers.get("Authorization"):
                return method(self, request, actor=unit_key_actor(self, request, key), **kwargs)
            token = bearer_token(request.headers.get("Authorization"))
            actor = self.tokens.verify(token, allow_password_change=True)
            if actor["must_change_password"]:
                raise Forbidden("the password must be changed first (POST /api/v1/auth/password)",
                                {"password": ["须先修改初始密码"]})
            if actor["role"] not in roles:
                raise Forbidden(*refusal)
            return method(self, request, actor=token, **kwargs)
        wrapper.needs_token = True  # the OpenAPI document says so (openapi.py)
        return wrapper
    return decorator


# the case work, the queues, the figures: staff of units and bureaus (or a unit's system)
staff_only = _role_only(STAFF_ROLES, ("staff only", {"role": ["仅限承办单位和信访部门工作人员"]}),
                        api_keys=True)
# submitting for a citizen of the grid: grid agents (信访代理员)
agent_only = _role_only({GRID_AGENT}, ("grid agents only", {"role": ["仅限信访代理员"]}))


def signed_in(method):
    """Route decorator: the verified actor of any valid token, even one that
    must change its password."""
    @functools.wraps(method)
    def wrapper(self, request, **kwargs):
        token = bearer_token(request.headers.get("Authorization"))
        return method(self, request, actor=self.tokens.verify(token, allow_password_change=True),
                      **kwargs)
    wrapper.needs_token = True
    return wrapper


def key_principal(service, request, key):
    """Who an API key speaks for, checked (and the use logged, rate-limited)
    by routing."""
    return service.routing.check_api_key(key, f"{request.method} {request.path}"[:80],
                                         client_address(request))


def unit_key_actor(service, request, key):
    """A unit's key as a signed actor token of that unit's handler (the
    services verify it as any staff token); an app's key is no staff."""
    principal = key_principal(service, request, key)
    if principal["scope"] != "unit":
        raise Forbidden("an app's API key may only submit petitions (Open311)",
                        {API_KEY_HEADER: ["not a unit's key"]})
    return service.tokens.issue({
        "username": f"{API_KEY_ACTOR}{principal['key_id']}", "unit_code": principal["unit_code"],
        "unit_name": principal["unit_name"], "role": HANDLER,
        "area_code": principal["area_code"]})[0]
