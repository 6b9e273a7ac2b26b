"""Staff sign-in: passwords (argon2, hashed off the request path), the
password policy, backoff and lockout per account and per client address, and
the audit of every attempt.

Failed attempts are counted per account and per address (core.limits, limits
in config.yaml ``SIGN_IN_LIMITS``): a few quickly (backoff), more over a longer
window (lockout). While either is reached the attempt is refused (429 with
Retry-After) without checking the password at all, so a correct guess in a
lockout does not get in, and a flood does no hashing. A correct password
clears the account's failures. Every attempt is audited (``SignInAudit``).

A refusal must still be recorded, so the domain functions return it instead
of raising (raising would roll the record back); the entrypoint raises it
after the commit."""
import hashlib
import secrets
import string
from dataclasses import dataclass

import eventlet
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool

from core.errors import InvalidInput, ServiceUnavailable, TooManyRequests, Unauthorized
from core.limits import Limit, clear, record, seconds_until_free
from core.store import utcnow
from services.routing.models import RateHit, SignInAudit, StaffAccount, Unit

# name: (what it counts, default [max failures, window seconds])
SIGN_IN_LIMITS = {
    "sign_in_account_backoff": ("username", [5, 60]),
    "sign_in_account_lockout": ("username", [10, 1800]),
    "sign_in_address": ("client", [30, 900]),
}
REFUSED = "登录失败次数过多，请稍后再试"

MIN_LENGTH, MAX_LENGTH, PASSPHRASE_LENGTH = 12, 256, 20


def check_policy(password, username):
    """InvalidInput naming ``new_password`` unless it is at least 12
    characters with three kinds of character (or a passphrase of 20 or more),
    and does not contain the username."""
    reasons = []
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        reasons.append(f"密码长度应为{MIN_LENGTH}至{MAX_LENGTH}个字符")
    else:
        kinds = sum(any(c in chars for c in password) for chars in (
            string.ascii_lowercase, string.ascii_uppercase, string.digits))
        kinds += any(not c.isascii() or c in string.punctuation or c == " " for c in password)
        if kinds < 3 and len(password) < PASSPHRASE_LENGTH:
            reasons.append("密码应包含大写字母、小写字母、数字、符号中的至少三类"
                           f"（或使用不少于{PASSPHRASE_LENGTH}个字符的短语）")
        if username and username.lower() in password.lower():
            reasons.append("密码不能包含用户名")
    if reasons:
        raise InvalidInput("新密码不符合要求", {"new_password": reasons})


def one_time_password():
    """For an account created outside the demo: shown once, changed at first sign-in."""
    return secrets.token_urlsafe(12)


class PasswordHashing:
    """argon2 in a few OS threads (eventlet's tpool; argon2 releases the GIL),
    never in the green thread serving requests: a flood of sign-ins cannot
    stall routing's other work. At most ``concurrency`` hashes at once and
    ``queue`` sign-ins waiting for a turn (each at most ``queue_seconds``);
    beyond that a sign-in is told at once to try again (503), so a flood
    holds only a few of routing's workers."""

    def __init__(self, concurrency=1, queue=4, queue_seconds=5):
        self.hasher = PasswordHasher()
        self.turns = eventlet.semaphore.Semaphore(int(concurrency))
        self.queue, self.waiting = int(queue), 0
        self.queue_seconds = float(queue_seconds)
        # Verified against when the username is unknown, so both failures cost the same.
        self.dummy_hash = self.hasher.hash("not-a-password")

    def hash(self, password):
        return self._run(self.hasher.hash, password)

    def verify(self, password_hash, password):
        try:
            return self._run(self.hasher.verify, password_hash or self.dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _run(self, fn, *args):
        if self.waiting >= self.queue:
            raise ServiceUnavailable("sign-in is busy; try again in a moment")
        self.waiting += 1
        try:
            turn = self.turns.acquire(timeout=self.queue_seconds)
        finally:
            self.waiting -= 1
        if not turn:
            raise ServiceUnavailable("sign-in is busy; try again in a moment")
        try:
            return tpool.execute(fn, *args)
        finally:
            self.turns.release()


@dataclass(frozen=True)
class SignInPolicy:
    limits: dict

    @classmethod
    def from_config(cls, config):
        configured = config.get("SIGN_IN_LIMITS") or {}
        return cls({name: Limit.from_config(name, field, configured.get(name, default), REFUSED)
                    for name, (field, default) in SIGN_IN_LIMITS.items()})


class Auth:
    """What sign-in needs: the hashing pool and the policy."""

    def __init__(self, hashing, policy):
        self.hashing, self.policy = hashing, policy


class Attempt:
    """A sign-in in its three steps, so that no transaction is open while the
    password is hashed (a flood would otherwise hold routing's store): ``check``
    (is the account or the address locked out? whose hash?), then
    ``verify`` (no transaction), then ``record`` (the outcome, audited)."""

    def __init__(self, username, client, auth):
        self.username = username if isinstance(username, str) else ""
        self.client, self.auth = client, auth
        self.checks = _checks(auth.policy, self.username, client)
        self.password_hash = None

    def check(self, tx, now=None):
        """The refusal to raise after commit (locked out, audited), or None."""
        now = now or utcnow()
        waits = [seconds_until_free(tx.session, RateHit, limit, key, now)
                 for limit, key in self.checks]
        if any(waits):
            _audit(tx, now, self.username, self.client, "refused_locked_out")
            return TooManyRequests(REFUSED, {"username": [REFUSED]}, retry_after=max(waits))
        account = tx.session.get(StaffAccount, self.username) if self.username else None
        self.password_hash = account and account.password_hash
        return None

    def verify(self, password):
        return self.auth.hashing.verify(self.password_hash, str(password))

    def record(self, tx, verified, now=None):
        """The actor, or Unauthorized (the same whether the user exists or
        not) to raise after commit; the failure counted, the attempt audited."""
        now = now or utcnow()
        account = tx.session.get(StaffAccount, self.username) if verified else None
        if account is not None and not account.active:
            # disabled by an administrator: the same answer as a wrong password
            _audit(tx, now, self.username, self.client, "refused_disabled")
            return Unauthorized("用户名或密码错误")
        if account is None:
            for limit, key in self.checks:
                record(tx.session, RateHit, limit, key, now)
            _audit(tx, now, self.username, self.client, "wrong_password")
            return Unauthorized("用户名或密码错误")
        for limit, key in self.checks:
            if limit.field == "username":
                clear(tx.session, RateHit, limit, key)
        _audit(tx, now, self.username, self.client, "signed_in")
        unit = tx.session.get(Unit, account.unit_code)
        return {"username": account.username, "unit_code": unit.code,
                "unit_name": unit.name_zh, "role": account.role, "area_code": unit.area_code,
                "must_change_password": account.must_change_password,
                "token_version": account.token_version}


def change_password(tx, attempt, verified, new_password, now=None):
    """Set a new password once the old one was verified (it proves the
    owner); clears a forced change. Returns the refusal to raise, as
    ``Attempt.record``. Hashes the new password inside the (short) transaction."""
    now = now or utcnow()
    if not verified:
        for limit, key in attempt.checks:
            record(tx.session, RateHit, limit, key, now)
        _audit(tx, now, attempt.username, attempt.client, "password_change_refused")
        return Unauthorized("原密码错误")
    check_policy(new_password, attempt.username)
    account = tx.session.get(StaffAccount, attempt.username)
    if not account.active:
        _audit(tx, now, attempt.username, attempt.client, "password_change_refused")
        return Unauthorized("原密码错误")
    if attempt.verify(new_password):
        raise InvalidInput("新密码不符合要求", {"new_password": ["新密码不能与原密码相同"]})
    account.password_hash = attempt.auth.hashing.hash(new_password)
    account.must_change_password = False
    _audit(tx, now, attempt.username, attempt.client, "password_changed")
    return {"username": attempt.username, "must_change_password": False}


def _checks(policy, username, client):
    # Staff usernames and addresses are not citizens' data: a plain digest
    # keeps the key short and fixed in length.
    return [(limit, hashlib.sha256(f"{limit.field}:{value}".encode()).hexdigest())
            for limit in policy.limits.values()
            for value in [username.lower() if limit.field == "username" else (client or "")]]


def _audit(tx, now, username, client, outcome):
    """A sign-in audit names the account and the address it came from."""
    tx.session.add(SignInAudit(at=now, username=username[:50], client=(client or "")[:45],
                               outcome=outcome))
