"""API keys for department systems and apps: made and revoked by a bureau
administrator, scoped to a unit (its system acts as the unit's staff) or an
app (it may submit petitions through Open311), kept only as keyed hashes,
rate-limited per key (core.limits), every use logged.

A key reads ``pk_<key id>_<secret>``: the key id (public, shown in lists and
logs) finds the row, the whole key's HMAC (``API_KEY_HASH_KEY``) must match.
The key itself is shown once, when made. Every key expires (a date given
when it is made, at most ``API_KEY_MAX_DAYS`` ahead, which is the default);
an expired key is refused (401). Rotating a key makes its successor (same
scope, shown once) and lets the old one work ``API_KEY_ROTATION_OVERLAP_HOURS``
longer. A key's last accepted use is kept on it."""
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from core.limits import Limit, enforce
from core.privacy import keyed_hash
from core.roles import BUREAU_ADMIN, jurisdiction_prefix
from core.store import utcnow
from core.validation import load
from services.routing.models import ApiKey, ApiKeyUse, RateHit, Unit
from services.routing.schemas import (
    ApiKeyInput,
    ApiKeyRotateInput,
    ApiKeySchema,
    ApiKeyUseSchema,
    NewApiKeySchema,
)

UNIT, APP = "unit", "app"
PREFIX = "pk_"
RATE_LIMITED = "该密钥请求过于频繁，请稍后再试"


@dataclass(frozen=True)
class KeyPolicy:
    hash_key: str | None
    limit: Limit
    max_days: float = 365
    overlap_hours: float = 24

    @classmethod
    def from_config(cls, config):
        return cls(config.get("API_KEY_HASH_KEY") or None,
                   Limit.from_config("api_key", "api_key", config.get("API_KEY_RATE", [600, 60]),
                                     RATE_LIMITED),
                   max_days=float(config.get("API_KEY_MAX_DAYS", 365)),
                   overlap_hours=float(config.get("API_KEY_ROTATION_OVERLAP_HOURS", 24)))

    def expiry(self, asked, now):
        """When a key made ``now`` expires: ``asked``, or the longest allowed."""
        longest = now + timedelta(days=self.max_days)
        if asked is None:
            return longest
        if asked <= now:
            raise InvalidInput("输入有误", {"expires_at": ["must be in the future"]})
        if asked > longest:
            raise InvalidInput("输入有误", {"expires_at": [
                f"at most {self.max_days:g} days ahead (API_KEY_MAX_DAYS)"]})
        return asked

    def digest(self, key):
        if not self.hash_key:
            raise ServiceUnavailable("API keys are not configured (API_KEY_HASH_KEY)")
        return keyed_hash(self.hash_key, key)


def _require_admin(actor):
    if actor["role"] != BUREAU_ADMIN:
        raise Forbidden("只有信访局管理员可以管理API密钥", {"actor": ["a bureau administrator only"]})


def create(tx, policy, actor, data, now=None):
    """A new key, shown once. A unit's key: a unit in the administrator's
    jurisdiction; an app's: its name."""
    _require_admin(actor)
    data = load(ApiKeyInput(), data)
    if (data["unit_code"] is None) == (data["app"] is None):
        raise InvalidInput("输入有误", {"unit_code": ["give unit_code or app, not both"]})
    if data["unit_code"] is not None:
        unit = tx.session.get(Unit, data["unit_code"])
        if unit is None or not unit.area_code.startswith(jurisdiction_prefix(actor["area_code"])):
            raise InvalidInput("输入有误", {"unit_code": ["not a unit in your jurisdiction"]})
    now = now or utcnow()
    return _issue(tx, policy, actor, now, policy.expiry(data["expires_at"], now),
                  name=data["name"], scope=UNIT if data["unit_code"] else APP,
                  unit_code=data["unit_code"], app=data["app"])


def _issue(tx, policy, actor, now, expires_at, **columns):
    key_id = secrets.token_hex(6)
    key = f"{PREFIX}{key_id}_{secrets.token_urlsafe(24)}"
    row = ApiKey(id=key_id, key_hash=policy.digest(key), created_by=actor["username"],
                 created_at=now, expires_at=expires_at, **columns)
    tx.session.add(row)
    tx.session.flush()
    return NewApiKeySchema().dump({**_row(row), "key": key})


def rotate(tx, policy, actor, key_id, data, now=None):
    """The key's successor (same name and scope, the longest expiry), shown
    once; the old key works ``overlap_hours`` longer (0: refused at once),
    never past its own expiry."""
    _require_admin(actor)
    row = _find(tx, key_id)
    now = now or utcnow()
    if row.revoked_at is not None or _expired(row, now):
        raise Conflict("该API密钥已吊销或已过期", {"key_id": ["revoked or expired"]})
    hours = load(ApiKeyRotateInput(), data)["overlap_hours"]
    ends = now + timedelta(hours=policy.overlap_hours if hours is None else hours)
    row.expires_at = min(ends, row.expires_at) if row.expires_at else ends
    return _issue(tx, policy, actor, now, policy.expiry(None, now), name=row.name,
                  scope=row.scope, unit_code=row.unit_code, app=row.app, rotated_from=row.id)


def _expired(row, now):
    return row.expires_at is not None and row.expires_at <= now


def revoke(tx, actor, key_id, now=None):
    _require_admin(actor)
    row = _find(tx, key_id)
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now or utcnow(), actor["username"]
    return ApiKeySchema().dump(_row(row))


def keys(tx, actor):
    _require_admin(actor)
    return ApiKeySchema(many=True).dump(
        [_row(r) for r in tx.session.scalars(select(ApiKey).order_by(ApiKey.created_at))])


def uses(tx, actor, key_id, limit=200):
    _require_admin(actor)
    _find(tx, key_id)
    return ApiKeyUseSchema(many=True).dump(tx.session.scalars(
        select(ApiKeyUse).where(ApiKeyUse.key_id == key_id)
        .order_by(ApiKeyUse.id.desc()).limit(limit)))


def check(tx, policy, key, operation, client, now=None):
    """Who the key speaks for, or the refusal to raise after the commit (so
    the refused use stays logged): Unauthorized for an unknown, revoked or
    expired key, TooManyRequests past the key's rate."""
    now = now or utcnow()
    key = key if isinstance(key, str) else ""
    key_id = key[len(PREFIX):].split("_", 1)[0][:12] if key.startswith(PREFIX) else None
    row = tx.session.get(ApiKey, key_id) if key_id else None
    if row is None or not hmac.compare_digest(row.key_hash, policy.digest(key)):
        _log(tx, now, key_id if row else None, operation, client, "unknown_key")
        return Unauthorized("API密钥无效", {"api_key": ["unknown key"]})
    if row.revoked_at is not None:
        _log(tx, now, row.id, operation, client, "revoked")
        return Unauthorized("API密钥已被吊销", {"api_key": ["revoked"]})
    if _expired(row, now):
        _log(tx, now, row.id, operation, client, "expired")
        return Unauthorized("API密钥已过期", {"api_key": ["expired"]})
    try:
        enforce(tx.session, RateHit, [(policy.limit, row.id)], now)
    except TooManyRequests as refusal:  # raised after the commit
        _log(tx, now, row.id, operation, client, "rate_limited")
        return refusal
    _log(tx, now, row.id, operation, client, "ok")
    row.last_used_at = now
    principal = {"key_id": row.id, "name": row.name, "scope": row.scope, "app": row.app,
                 "unit_code": None, "unit_name": None, "area_code": None}
    if row.scope == UNIT:
        unit = tx.session.get(Unit, row.unit_code)
        principal.update(unit_code=unit.code, unit_name=unit.name_zh, area_code=unit.area_code)
    return principal


def _find(tx, key_id):
    row = tx.session.get(ApiKey, str(key_id)[:12])
    if row is None:
        raise NotFound("没有这个API密钥", {"key_id": ["unknown"]})
    return row


def _row(row):
    return {"key_id": row.id, **{name: getattr(row, name) for name in (
        "name", "scope", "unit_code", "app", "created_by", "created_at", "revoked_at",
        "revoked_by", "expires_at", "last_used_at", "rotated_from")}}


def _log(tx, now, key_id, operation, client, outcome):
    tx.session.add(ApiKeyUse(key_id=key_id, at=now, operation=str(operation)[:80],
                             client=(client or "")[:45], outcome=outcome))
