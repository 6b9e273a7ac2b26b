"""Who the staff actor is, checked by every service itself ("trust inside").

The gateway signs each staff bearer token with its Ed25519 private key
(``ACTOR_SIGNING_KEY``, the gateway's only); the token carries the actor that
routing authenticated. A staff RPC takes a parameter named ``actor``, and what
a caller passes there is that token, never a name: the service verifies it with
the public key (``ACTOR_VERIFY_KEY``) before the method runs and calls it with
the verified actor dict. A made-up actor, an expired or forged token, or one
signed by anyone but the gateway is ``Unauthorized``. Asymmetric on purpose: a
service that is broken into holds only the public key and cannot mint actors.

Converting a staff RPC is one line: ``@rpc`` becomes ``@staff_rpc``.

The verified actor is an ``Actor``: the dict of claims, which also holds the
token it came from (``actor.token``, not a key: no schema or log dumps it), so
a service may ask another on the actor's behalf (intake asks tracking whether
the actor may see a case) and that service verifies it again.

Keys are raw 32-byte Ed25519 keys in URL-safe base64 (one line: an environment
variable or a secrets file entry); ``new_key_pair()`` makes a pair.
"""
import base64
import functools
import inspect
from datetime import datetime, timedelta, timezone

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from core.broker import CheckedArgumentRpc, TimedRpcProxy, in_transaction
from core.errors import ConfigurationError, Unauthorized

ALGORITHM = "EdDSA"
ACTOR_CLAIMS = ("username", "unit_code", "unit_name", "role", "area_code")
# Set in the token of an account whose one-time password must be changed: it
# allows nothing but changing it (services refuse it outright).
MUST_CHANGE = "must_change_password"
ISSUER = "petition-gateway"
TOKEN_VERSION, VERSION = "token_version", "ver"  # the actor's key, the token's claim
# The username of a unit's API key acting as that unit's handler: ``key:<id>``.
API_KEY_ACTOR = "key:"


def new_key_pair():
    """``(signing_key, verify_key)`` as one-line strings."""
    private = Ed25519PrivateKey.generate()
    return _b64(private.private_bytes_raw()), _b64(
        private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def verify_key_of(signing_key):
    return _b64(_private(signing_key).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


class ActorSigner:
    """The gateway's side: issues and checks the staff bearer tokens."""

    def __init__(self, signing_key, ttl_seconds):
        if not signing_key:
            raise ConfigurationError("ACTOR_SIGNING_KEY must be set (see core/actors.py)")
        self.key = _private(signing_key)
        self.verifier = ActorVerifier(verify_key_of(signing_key))
        self.ttl = timedelta(seconds=int(ttl_seconds))

    def issue(self, actor):
        now = datetime.now(timezone.utc)
        claims = {k: actor[k] for k in ACTOR_CLAIMS}
        claims.update(sub=actor["username"], iss=ISSUER, iat=now, exp=now + self.ttl)
        if actor.get(MUST_CHANGE):
            claims[MUST_CHANGE] = True
        # The account's token version when signed in: an administrator's
        # change (disable, role, unit, password reset) raises it in routing,
        # and a token carrying an older one is refused from then on.
        claims[VERSION] = int(actor.get(TOKEN_VERSION) or 0)
        return jwt.encode(claims, self.key, algorithm=ALGORITHM), int(self.ttl.total_seconds())

    def verify(self, token, allow_password_change=False):
        return self.verifier.verify(token, allow_password_change)


class ActorVerifier:
    """A service's side: the verified actor behind a token, or Unauthorized."""

    def __init__(self, verify_key):
        if not verify_key:
            raise ConfigurationError("ACTOR_VERIFY_KEY must be set (see core/actors.py)")
        try:
            self.key = Ed25519PublicKey.from_public_bytes(_unb64(verify_key))
        except ValueError as exc:
            raise ConfigurationError(f"ACTOR_VERIFY_KEY is not an Ed25519 key ({exc})") from None

    def verify(self, token, allow_password_change=False):
        if not isinstance(token, str) or not token:
            raise Unauthorized("a signed staff token is required", {"actor": ["须提供签名的操作人令牌"]})
        try:
            claims = jwt.decode(token, self.key, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["exp", "sub", "iss"]})
        except jwt.PyJWTError:
            raise Unauthorized("the token is invalid or has expired",
                               {"actor": ["令牌无效或已过期"]}) from None
        if claims.get(MUST_CHANGE) and not allow_password_change:
            raise Unauthorized("the password must be changed first",
                               {"actor": ["须先修改初始密码"]})
        return {k: claims[k] for k in ACTOR_CLAIMS} | {MUST_CHANGE: bool(claims.get(MUST_CHANGE)),
                                                       TOKEN_VERSION: int(claims.get(VERSION, 0))}


class Actor(dict):
    """A verified actor's claims, with ``token``, the signed token they came from."""

    def __init__(self, claims, token):
        super().__init__(claims)
        self.token = token


class StaffAccounts(TimedRpcProxy):
    """Is the account behind a verified token still as it was signed? Every
    service with staff RPCs has ``staff_accounts = StaffAccounts()`` (from
    ``core.service.StaffService``);
    each worker of a ``@staff_rpc`` asks routing (``token_state``) before the
    method runs: a disabled account, or one an administrator changed since
    the token was signed (its token version moved on), is Unauthorized at
    once, in every service. Routing answers from its own store
    (routing's ``LocalStaffAccounts``)."""

    def __init__(self):
        super().__init__("routing")

    def get_dependency(self, worker_ctx):
        routing = super().get_dependency(worker_ctx)
        return AccountCheck(routing.token_state)


class AccountCheck:
    def __init__(self, token_state):
        self.token_state = token_state

    def check(self, actor):
        state = self.token_state(actor["username"])
        if not state["active"] or state["token_version"] != actor[TOKEN_VERSION]:
            raise Unauthorized("the account was disabled or changed; sign in again",
                               {"actor": ["账号已停用或已变更，请重新登录"]})


class StaffRpc(CheckedArgumentRpc):
    """``@staff_rpc``: an RPC whose ``actor`` argument is a signed token,
    verified here (config ``ACTOR_VERIFY_KEY``) and replaced by the actor it
    carries before the worker starts. Unverifiable: Unauthorized to the caller.
    Then, in the worker, the account is checked (``StaffAccounts``)."""

    argument = "actor"

    def setup(self):
        super().setup()
        self.verifier = ActorVerifier(self.container.config.get("ACTOR_VERIFY_KEY"))
        accounts = getattr(self.container.service_cls, ACCOUNTS, None)
        if not isinstance(accounts, StaffAccounts):
            raise ConfigurationError(
                f"{self.container.service_name}: a service with @staff_rpc derives from "
                f"core.service.StaffService (`{ACCOUNTS} = StaffAccounts()`, core/actors.py)")

    def check(self, value):
        return Actor(self.verifier.verify(value), value)


ACCOUNTS = "staff_accounts"


def staff_rpc(method):
    """The entrypoint decorator: the token verified before the worker, the
    account checked first thing in it (before any transaction opens)."""
    method = in_transaction(method)
    signature = inspect.signature(method)

    # updated=(): nameko checks a request against ``checked``'s own
    # (*args, **kwargs), as before; ``signature`` binds it in the worker.
    @functools.wraps(method, updated=())
    def checked(self, *args, **kwargs):
        getattr(self, ACCOUNTS).check(signature.bind(self, *args, **kwargs).arguments["actor"])
        return method(self, *args, **kwargs)
    return StaffRpc.decorator(checked)


def _b64(raw):
    return base64.urlsafe_b64encode(raw).decode()


def _unb64(text):
    return base64.urlsafe_b64decode(str(text).encode())


def _private(signing_key):
    try:
        return Ed25519PrivateKey.from_private_bytes(_unb64(signing_key))
    except ValueError as exc:
        raise ConfigurationError(f"ACTOR_SIGNING_KEY is not an Ed25519 key ({exc})") from None
