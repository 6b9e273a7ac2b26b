"""Staff bearer tokens at the edge: the gateway issues them (signed with its
private key, core.actors) and checks them before any call. What it passes on
to a service as ``actor`` is the token itself, which the service verifies
again: no service trusts a name the gateway (or anyone on the bus) sends."""
import functools

from core.errors import Forbidden, Unauthorized
from core.roles import GRID_AGENT, STAFF_ROLES


def bearer_token(authorization):
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    return token.strip()


def _role_only(roles, refusal):
    """Route decorator for ``roles``: the bearer token, checked, passed as
    ``actor`` (for the services to verify again); an account that must change
    its password may do nothing else first; another role is ``refusal``."""
    def decorator(method):
        @functools.wraps(method)
        def wrapper(self, request, **kwargs):
            token = bearer_token(request.headers.get("Authorization"))
            actor = self.tokens.verify(token, allow_password_change=True)
            if actor["must_change_password"]:
                raise Forbidden("the password must be changed first (POST /api/v1/auth/password)",
                                {"password": ["须先修改初始密码"]})
            if actor["role"] not in roles:
                raise Forbidden(*refusal)
            return method(self, request, actor=token, **kwargs)
        return wrapper
    return decorator


# the case work, the queues, the figures: staff of units and bureaus
staff_only = _role_only(STAFF_ROLES, ("staff only", {"role": ["仅限承办单位和信访部门工作人员"]}))
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
    return wrapper
