"""Staff administration (账号管理): a bureau administrator creates accounts,
disables and re-enables them, moves them (unit, role) and resets passwords,
for units in the bureau's jurisdiction; every change is recorded (who, to
whom, what it was and became, when) and readable by the bureau.

Each change but a creation raises the account's ``token_version``: tokens
signed before it are refused by every ``@staff_rpc`` from then on
(core/actors.py, ``token_state`` below). A created or reset account gets a
one-time password, shown once, that must be changed at the first sign-in.
Each change emits ``staff_changed`` (no password, no personal data)."""
from sqlalchemy import select

from core import events
from core.actors import API_KEY_ACTOR
from core.errors import Conflict, Forbidden, NotFound
from core.roles import BUREAU_ADMIN, BUREAU_ROLES, jurisdiction_prefix
from core.store import utcnow
from core.validation import load
from services.routing.models import ApiKey, StaffAccount, StaffChange, Unit
from services.routing.schemas import AccountChangeSchema, NewAccountSchema, StaffChangeSchema

BUREAU_KIND = "petition_bureau"


def token_state(tx, username):
    """What a token of ``username`` must still match: the account is active
    and its token version is the one signed into the token. A unit's API key
    acting as its handler (``key:<id>``) is active until it is revoked."""
    if isinstance(username, str) and username.startswith(API_KEY_ACTOR):
        key = tx.session.get(ApiKey, username[len(API_KEY_ACTOR):])
        return {"active": key is not None and key.revoked_at is None, "token_version": 0}
    account = tx.session.get(StaffAccount, username) if isinstance(username, str) else None
    if account is None:
        return {"active": False, "token_version": -1}
    return {"active": account.active, "token_version": account.token_version}


def accounts(tx, actor):
    """The accounts of the units in the administrator's jurisdiction."""
    prefix = _admin(actor)
    rows = tx.session.execute(
        select(StaffAccount, Unit).join(Unit, Unit.code == StaffAccount.unit_code)
        .where(Unit.area_code.startswith(prefix)).order_by(StaffAccount.username))
    return [_view(account, unit) for account, unit in rows]


def create(tx, actor, data, password_hash, now=None):
    """A new account with a one-time password (its hash given: hashed before
    the transaction); ``Conflict`` if the username is taken."""
    body = load(NewAccountSchema(), data)
    prefix = _admin(actor)
    unit = _unit_for(tx, body["unit_code"], body["role"], prefix)
    if tx.session.get(StaffAccount, body["username"]) is not None:
        raise Conflict("the username is taken", {"username": ["用户名已存在 / taken"]})
    account = StaffAccount(username=body["username"], unit_code=unit.code, role=body["role"],
                           password_hash=password_hash, must_change_password=True, active=True,
                           token_version=1)
    tx.session.add(account)
    _record(tx, actor, account, unit, "created", f"unit: {unit.code}; role: {account.role}", now)
    return _view(account, unit)


def update(tx, actor, username, data, now=None):
    """Disable or re-enable an account, or move it to another unit or role."""
    body = load(AccountChangeSchema(), data)
    prefix = _admin(actor)
    account, unit = _account(tx, username, prefix, actor)
    changes = []
    if "unit_code" in body or "role" in body:
        new_unit = _unit_for(tx, body.get("unit_code", account.unit_code),
                             body.get("role", account.role), prefix)
        for field, before, after in (("unit", account.unit_code, new_unit.code),
                                     ("role", account.role, body.get("role", account.role))):
            if before != after:
                changes.append((f"{field}_changed", f"{field}: {before} -> {after}"))
        account.unit_code, account.role, unit = new_unit.code, body.get("role", account.role), new_unit
    if "active" in body and body["active"] != account.active:
        account.active = body["active"]
        changes.append(("enabled" if account.active else "disabled",
                        f"active: {not account.active} -> {account.active}"))
    if changes:
        account.token_version += 1
        for change, detail in changes:
            _record(tx, actor, account, unit, change, detail, now)
    return _view(account, unit)


def reset_password(tx, actor, username, password_hash, now=None):
    """A new one-time password (its hash given); the old tokens stop working."""
    prefix = _admin(actor)
    account, unit = _account(tx, username, prefix, actor)
    account.password_hash, account.must_change_password = password_hash, True
    account.token_version += 1
    _record(tx, actor, account, unit, "password_reset", "one-time password issued", now)
    return _view(account, unit)


def changes(tx, actor, username=None):
    """The record of changes to accounts in the jurisdiction, newest first."""
    prefix = _admin(actor)
    query = select(StaffChange).where(StaffChange.area_code.startswith(prefix))
    if username:
        query = query.where(StaffChange.username == username)
    return StaffChangeSchema(many=True).dump(
        tx.session.scalars(query.order_by(StaffChange.id.desc()).limit(500)))


def _admin(actor):
    """The administrator's jurisdiction (an area-code prefix), or Forbidden."""
    if actor["role"] != BUREAU_ADMIN:
        raise Forbidden("only a bureau administrator manages staff accounts",
                        {"actor": ["仅信访局管理员可管理账号 / bureau administrators only"]})
    return jurisdiction_prefix(actor["area_code"])


def _unit_for(tx, unit_code, role, prefix):
    unit = tx.session.get(Unit, unit_code)
    if unit is None or not unit.area_code.startswith(prefix):
        raise NotFound(f"no unit {unit_code} in the jurisdiction",
                       {"unit_code": ["辖区内无此单位 / no such unit in the jurisdiction"]})
    if role in BUREAU_ROLES and unit.kind != BUREAU_KIND:
        raise Conflict("bureau roles belong to a petition bureau's staff",
                       {"role": ["信访局角色只能设在信访局 / only in a petition bureau"]})
    return unit


def _account(tx, username, prefix, actor):
    found = tx.session.execute(
        select(StaffAccount, Unit).join(Unit, Unit.code == StaffAccount.unit_code)
        .where(StaffAccount.username == str(username), Unit.area_code.startswith(prefix))
        .with_for_update(of=StaffAccount)).first()
    if found is None:
        raise NotFound(f"no account {username} in the jurisdiction")
    if found[0].username == actor["username"]:
        raise Conflict("an administrator does not change their own account",
                       {"username": ["不能修改自己的账号 / not one's own account"]})
    return found


def _record(tx, actor, account, unit, change, detail, now):
    tx.session.add(StaffChange(at=now or utcnow(), actor=actor["username"],
                               username=account.username, change=change, detail=detail,
                               area_code=unit.area_code))
    tx.emit(events.STAFF_CHANGED, username=account.username, unit_code=unit.code,
            area_code=unit.area_code, role=account.role, active=account.active,
            token_version=account.token_version, change=change)


def _view(account, unit):
    return {"username": account.username, "unit_code": unit.code, "unit_name": unit.name_zh,
            "role": account.role, "area_code": unit.area_code, "active": account.active,
            "must_change_password": account.must_change_password}
