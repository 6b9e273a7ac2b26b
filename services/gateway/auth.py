"""Staff bearer tokens: signed JWTs carrying the actor that the routing
service authenticated (username, unit, role, jurisdiction)."""
import functools
from datetime import datetime, timedelta, timezone

import jwt

from core.errors import ConfigurationError, Unauthorized

ACTOR_CLAIMS = ("username", "unit_code", "unit_name", "role", "area_code")
ALGORITHM = "HS256"


class Tokens:
    def __init__(self, secret, ttl_seconds):
        if not secret or len(secret) < 32:
            raise ConfigurationError("gateway: TOKEN_SECRET must be set, at least 32 characters")
        self.secret = secret
        self.ttl = timedelta(seconds=int(ttl_seconds))

    def issue(self, actor):
        now = datetime.now(timezone.utc)
        claims = {k: actor[k] for k in ACTOR_CLAIMS}
        claims.update(sub=actor["username"], iat=now, exp=now + self.ttl)
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
        return {k: claims[k] for k in ACTOR_CLAIMS}


def staff_only(method):
    """Route decorator: verifies the bearer token and passes ``actor``."""
    @functools.wraps(method)
    def wrapper(self, request, **kwargs):
        actor = self.tokens.verify(request.headers.get("Authorization"))
        return method(self, request, actor=actor, **kwargs)
    return wrapper
