"""RPCs that act once per request: a repeat of the same request gets the
first answer instead of a second effect.

A request that reached a service may run twice: when the reply cannot be
published the request is requeued (core/broker.py, ReliableRpc) and run
again, and a client that lost its connection sends it again. Most RPCs do
no harm twice (a read, a state change that finds itself done); the ones
below would make a second account, password, key, webhook or spot check.

Such a method is declared with ``@once(AnsweredRequest, ...)`` under its
``@rpc`` or ``@staff_rpc`` and written ``method(self, tx, ...)``; callers
pass one more argument, ``request_id`` (the gateway: the client's
``Idempotency-Key``, or a new id per HTTP request:
services/gateway/forward.py). The store of a service with such methods has
the table ``answered_requests``: its models declare
``class AnsweredRequest(AnsweredRequestMixin, Base)`` (the other stores have
no such table). In the method's transaction the request is looked up there:
found, its answer is returned and the method does not run;
not found, the method runs and its answer is recorded in the same
transaction, so the effect and the record commit together or not at all.

- The id is scoped to the staff actor (their username), as intake scopes a
  petition's key to the person: another person's key never returns this
  one's answer.
- The same id with other arguments is refused (409, naming Idempotency-Key).
- ``withheld`` names the fields of the answer shown once: a one-time
  password, an API key, a webhook's signing secret. They are never kept: the
  other stores hold them only as hashes (or, the webhook secret, encrypted
  where it signs), and a decryptable copy beside them for the purge period
  would let whoever reads the database and its key sign in or call as the
  new account or key. A repeat of such a request is refused (409) naming the
  field: it was done, and what was shown once is not shown again; the
  administrator resets the password, rotates the key or the secret. Nothing
  else of that answer is kept either (no need for it).
- A request that failed (raised) recorded nothing: its repeat runs again.
- Two copies at once: the second's record collides with the first's key and
  its transaction (effect included) rolls back: 409, send it again.

Records go after ``--days`` with the inbox (deploy/housekeeping.py).
"""
import functools
import hashlib
import inspect
import re
import secrets
from datetime import datetime

from kombu.utils import json
from sqlalchemy import JSON, String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from core.errors import Conflict, InvalidInput
from core.store import UtcDateTime, utcnow

# The header a client sends its key in, and the field errors name.
HEADER = "Idempotency-Key"
# A client's key: a UUID or another random token; short keys would be guessable.
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
PARAMETER = "request_id"


class AnsweredRequestMixin:
    """An RPC that must not act twice: the answer given to one request id,
    written in the transaction of the request's effect. A store whose service
    declares ``@once`` methods has it: ``class AnsweredRequest(AnsweredRequestMixin, Base)``."""

    __tablename__ = "answered_requests"

    handler: Mapped[str] = mapped_column(String(200), primary_key=True)
    # sha256 of the caller's scope (the staff actor) and the request id
    request_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # sha256 of the request's other arguments: a key reused for another request is refused
    fingerprint: Mapped[str] = mapped_column(String(64))
    # the answer as it went on the wire (kombu's JSON); None when a secret was withheld
    answer: Mapped[str | None] = mapped_column(Text)
    # the fields of the answer that were shown once and are not kept (a new password, a key)
    withheld: Mapped[list] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def answered_requests_model(base):
    """The store's AnsweredRequest model among ``base``'s, or None (a store
    without ``@once`` methods has no such table)."""
    return next((mapper.class_ for mapper in base.registry.mappers
                 if issubclass(mapper.class_, AnsweredRequestMixin)), None)


def new_request_id():
    """An id for one request of a caller that gives none."""
    return secrets.token_urlsafe(16)


def check_request_id(value):
    """``value`` if it is a request id, else InvalidInput naming the header."""
    if not isinstance(value, str) or not REQUEST_ID.match(value):
        raise InvalidInput(f"{HEADER} 格式有误 / the {HEADER} is malformed", {
            HEADER: ["应为16至64个字母、数字、-或_ / 16 to 64 letters, digits, - or _"]})
    return value


def once(model, *withheld):
    """Decorate ``method(self, tx, ...)`` (no parameter with a default): it
    gains a last parameter ``request_id`` and acts once per id (above),
    recorded in ``model`` (the store's AnsweredRequest); ``withheld``: the
    answer's fields shown once and never kept."""
    if not (isinstance(model, type) and issubclass(model, AnsweredRequestMixin)):
        raise TypeError(f"@once({model!r}): the store's AnsweredRequest model comes first")

    def decorate(method):
        signature = inspect.signature(method)
        parameters = list(signature.parameters.values())
        if len(parameters) < 2 or parameters[1].name != "tx" or any(
                p.default is not p.empty or p.kind is not p.POSITIONAL_OR_KEYWORD
                for p in parameters):
            raise TypeError(f"{method.__name__}: @once takes method(self, tx, ...) without "
                            f"defaults, *args or **kwargs")
        signature = signature.replace(parameters=[
            *parameters, inspect.Parameter(PARAMETER, inspect.Parameter.POSITIONAL_OR_KEYWORD)])

        @functools.wraps(method)
        def answered_once(self, tx, *args, **kwargs):
            bound = signature.bind(self, tx, *args, **kwargs)
            request_id = check_request_id(bound.arguments.pop(PARAMETER))
            arguments = {name: value for name, value in bound.arguments.items()
                         if name not in ("self", "tx", "actor")}
            actor = bound.arguments.get("actor")
            key = _sha256(f"{actor['username'] if actor else ''}\n{request_id}")
            handler = f"{self.name}.{method.__name__}"
            fingerprint = _sha256(json.dumps(arguments, sort_keys=True))
            found = tx.session.get(model, (handler, key))
            if found is not None:
                return _repeat(found, fingerprint)
            answer = method(*bound.args, **bound.kwargs)
            kept_back = sorted(field for field in withheld if field in answer)
            tx.session.add(model(
                handler=handler, request_key=key, fingerprint=fingerprint, withheld=kept_back,
                answer=None if kept_back else json.dumps(answer)))
            try:
                tx.session.flush()
            except IntegrityError:  # a copy of the request committed first
                raise Conflict("同一请求正在办理，请再次发送以获取结果 / the same request is being "
                               "carried out: send it again for its answer",
                               {HEADER: ["同一请求同时发送了两次 / sent twice at once"]}) from None
            return answer
        answered_once.__signature__ = signature
        return answered_once
    return decorate


def _repeat(found, fingerprint):
    if found.fingerprint != fingerprint:
        raise Conflict(f"{HEADER} 已用于另一请求 / the {HEADER} was used for another request", {
            HEADER: ["每个请求用新的键 / a new key for each request"]})
    if found.withheld:
        raise Conflict("该请求已办理 / this request was already carried out", {
            field: ["只显示一次，不再显示；如未收到，请重新办理 / shown once only, never again: "
                    "if it was lost, ask for a new one"] for field in found.withheld})
    return json.loads(found.answer)


def _sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()
