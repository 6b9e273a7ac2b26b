"""Staff bearer tokens at the edge: the gateway issues them (signed with its
private key, core.actors) and checks them before any call. What it passes on
to a service as ``actor`` is the token itself, which the service verifies
again: no service trusts a name the gateway (or anyone on the bus) sends."""
import functools

from core.errors import Forbidden, Unauthorized


def bearer_token(authorization):
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("a bearer token is required")
    return token.strip()


def staff_only(method):
    """Route decorator: the bearer token, checked, passed as ``actor`` (for
    the services to verify again); an account that must change its password
    may do nothing else first."""
    @functools.wraps(method)
    def wrapper(self, request, **kwargs):
        token = bearer_token(request.headers.get("Authorization"))
        if self.tokens.verify(token, allow_password_change=True)["must_change_password"]:
            raise Forbidden("the password must be changed first (POST /api/v1/auth/password)",
                            {"password": ["须先修改初始密码"]})
        return method(self, request, actor=token, **kwargs)
    return wrapper


def signed_in(method):
    """Route decorator: the verified actor of any valid token, even one that
    must change its password."""
    @functools.wraps(method)
    def wrapper(self, request, **kwargs):
        token = bearer_token(request.headers.get("Authorization"))
        return method(self, request, actor=self.tokens.verify(token, allow_password_change=True),
                      **kwargs)
    return wrapper
