"""Staff bearer tokens: signed JWTs carrying the actor that the routing
service authenticated (username, unit, role, jurisdiction)."""
import functools
from datetime import datetime, timedelta, timezone

import jwt
from nameko.extensions import DependencyProvider

from core.errors import Forbidden, Unauthorized

ACTOR_CLAIMS = ("username", "unit_code", "unit_name", "role", "area_code")
ALGORITHM = "HS256"
# Set in the token of an account whose one-time password must be changed: it
# only allows POST /auth/password.
MUST_CHANGE = "must_change_password"


class Tokens:
    def __init__(self, secret, ttl_seconds):
        if not secret or len(secret) < 32:
            raise ValueError("TOKEN_SECRET must be set, at least 32 characters")
        self.secret = secret
        self.ttl = timedelta(seconds=int(ttl_seconds))

    def issue(self, actor):
        now = datetime.now(timezone.utc)
        claims = {k: actor[k] for k in ACTOR_CLAIMS}
        claims.update(sub=actor["username"], iat=now, exp=now + self.ttl)
        if actor.get(MUST_CHANGE):
            claims[MUST_CHANGE] = True
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM), int(self.ttl.total_seconds())

    def verify(self, authorization):
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("a bearer token is required")
        try:
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM],
                                options={"require": ["exp", "sub"]})
        except jwt.PyJWTError:
            raise Unauthorized("the token is invalid or has expired")
        return {k: claims[k] for k in ACTOR_CLAIMS} | {MUST_CHANGE: bool(claims.get(MUST_CHANGE))}


def staff_only(method):
    """Route decorator: verifies the bearer token and passes ``actor``; an
    account that must change its password may do nothing else first."""
    @functools.wraps(method)
    def wrapper(self, request, **kwargs):
        actor = self.tokens.verify(request.headers.get("Authorization"))
        if actor[MUST_CHANGE]:
            raise Forbidden("the password must be changed first (POST /api/v1/auth/password)",
                            {"password": ["须先修改初始密码"]})
        return method(self, request, actor=actor, **kwargs)
    return wrapper


def signed_in(method):
    """Route decorator: any valid token, even one that must change its password."""
    @functools.wraps(method)
    def wrapper(self, request, **kwargs):
        actor = self.tokens.verify(request.headers.get("Authorization"))
        return method(self, request, actor=actor, **kwargs)
    return wrapper


class TokenProvider(DependencyProvider):
    """Config: ``TOKEN_SECRET`` (required), ``TOKEN_TTL_SECONDS``."""

    def setup(self):
        config = self.container.config
        self.tokens = Tokens(config.get("TOKEN_SECRET"), config.get("TOKEN_TTL_SECONDS", 28800))

    def get_dependency(self, worker_ctx):
        return self.tokens
