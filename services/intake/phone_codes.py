"""Proving the phone, and keeping floods out (短信验证码).

Before a petition is accepted its petitioner asks for a one-time code for
their phone and ID number; intake keeps only the code's keyed hash and sends
the code to notify on the private exchange, which texts it. The petition then
carries the code. Asking for codes is limited per phone, per ID number and per
client address; petitions per ID number (a day) and per client address. The
limits are a table in config.yaml (``RATE_LIMITS``), counted by core.limits.
"""
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select, update

from core import events
from core.errors import InvalidInput
from core.limits import Limit, enforce
from core.privacy import mask_phone
from core.store import utcnow
from core.validation import load
from services.intake.models import PhoneCode, RateHit
from services.intake.schemas import PhoneCodeRequestSchema, PhoneProofSchema

CODE_DIGITS = 6

# name: (input it counts, reason shown, default [max_hits, window_seconds])
LIMITS = {
    "code_per_phone": ("phone", "该手机号获取验证码过于频繁", [1, 60]),
    "code_per_phone_day": ("phone", "该手机号今日获取验证码次数已达上限", [10, 86400]),
    "code_per_id_number": ("id_number", "该身份证号获取验证码次数过多", [10, 86400]),
    "code_per_address": ("client", "本网络地址获取验证码过于频繁", [30, 3600]),
    "petitions_per_id_number": ("id_number", "该身份证号24小时内提交的信访事项已达上限", [5, 86400]),
    "petitions_per_address": ("client", "本网络地址提交过于频繁", [30, 3600]),
}


@dataclass(frozen=True)
class PhoneCodePolicy:
    limits: dict           # name -> core.limits.Limit
    ttl_seconds: int       # how long a code is valid
    max_attempts: int      # wrong codes before the code is void

    @classmethod
    def from_config(cls, config):
        configured = config.get("RATE_LIMITS") or {}
        limits = {name: Limit.from_config(name, field, configured.get(name, default), reason)
                  for name, (field, reason, default) in LIMITS.items()}
        return cls(limits, int(config.get("PHONE_CODE_TTL_SECONDS", 600)),
                   int(config.get("PHONE_CODE_MAX_ATTEMPTS", 5)))


class WrongCode(InvalidInput):
    """A code that does not match: counted against the code in a transaction
    of its own (the submission's is rolled back)."""

    def __init__(self, code_id):
        super().__init__("短信验证码错误", {"sms_code": ["短信验证码错误，请核对"]})
        self.code_id = code_id


def request_code(tx, data, client, settings, now=None):
    """Text a new code to the phone (via notify), within the limits."""
    request = load(PhoneCodeRequestSchema(), data, "手机号或身份证号有误")
    now = now or utcnow()
    policy, phone, id_number = settings.phone_codes, request["phone"], request["id_number"]
    enforce(tx.session, RateHit, [
        (policy.limits["code_per_phone"], _key(settings, "phone", phone)),
        (policy.limits["code_per_phone_day"], _key(settings, "phone", phone)),
        (policy.limits["code_per_id_number"], _key(settings, "id", id_number)),
        (policy.limits["code_per_address"], _key(settings, "client", client)),
    ], now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    holder = _holder(settings, phone, id_number)
    tx.session.add(PhoneCode(holder_hash=holder, code_hash=_code_hash(settings, holder, code),
                             created_at=now, expires_at=now + timedelta(seconds=policy.ttl_seconds),
                             failed_attempts=0))
    tx.emit(events.PHONE_CODE, sealed=settings.private.seal({"phone": phone, "code": code}))
    return {"phone": mask_phone(phone), "expires_in": policy.ttl_seconds,
            "resend_after": int(policy.limits["code_per_phone"].window_seconds)}


# Every submission's two statements on the codes, as Core statements built
# once (built per call as ORM statements they were a few per cent of intake's
# CPU: README, Performance, fifth round). Core rows, not ORM objects: the
# UPDATE below leaves nothing stale in the session.
_CODES = PhoneCode.__table__
_LATEST_CODE = (select(_CODES.c.id, _CODES.c.code_hash, _CODES.c.failed_attempts)
                .where(_CODES.c.holder_hash == bindparam("holder"), _CODES.c.used_at.is_(None),
                       _CODES.c.expires_at > bindparam("now"))
                .order_by(_CODES.c.id.desc()).limit(1))
_USE_CODE = (update(_CODES).where(_CODES.c.id == bindparam("code_id"), _CODES.c.used_at.is_(None))
             .values(used_at=bindparam("now")))


def consume_code(tx, submission, settings, now):
    """Use up the petitioner's code, or InvalidInput on ``sms_code`` (WrongCode
    for a mismatch)."""
    holder = _holder(settings, submission["phone"], submission["id_number"])
    row = tx.session.execute(_LATEST_CODE, {"holder": holder, "now": now}).first()
    if row is None or row.failed_attempts >= settings.phone_codes.max_attempts:
        raise InvalidInput("短信验证码无效或已过期", {"sms_code": ["请先获取短信验证码（或重新获取）"]})
    if not hmac.compare_digest(row.code_hash,
                               _code_hash(settings, holder, submission["sms_code"])):
        raise WrongCode(row.id)
    # One use, even for two requests racing with the same code.
    used = tx.session.execute(_USE_CODE, {"code_id": row.id, "now": now})
    if used.rowcount != 1:
        raise InvalidInput("短信验证码已使用", {"sms_code": ["请重新获取短信验证码"]})


def prove_phone(tx, data, settings):
    """Use up the code texted for a phone and ID number, for a channel other
    than petitions (people's suggestions): the same codes, the same one use."""
    request = load(PhoneProofSchema(), data, "手机号、身份证号或验证码有误")
    consume_code(tx, request, settings, utcnow())
    return {"phone": mask_phone(request["phone"])}


def count_wrong_code(tx, code_id):
    tx.session.execute(update(PhoneCode).where(PhoneCode.id == code_id).values(
        failed_attempts=PhoneCode.failed_attempts + 1))


def limit_petitions(tx, submission, client, settings, now):
    limits = settings.phone_codes.limits
    enforce(tx.session, RateHit, [
        (limits["petitions_per_id_number"], _key(settings, "id", submission["id_number"])),
        (limits["petitions_per_address"], _key(settings, "client", client)),
    ], now)


def _key(settings, kind, value):
    return settings.hash(f"{kind}:{value or 'unknown'}")


def _holder(settings, phone, id_number):
    return settings.hash(f"holder:{phone}:{id_number}")


def _code_hash(settings, holder, code):
    return settings.hash(f"code:{holder}:{code}")
