"""Who may see which figures: a unit's staff their own unit's, a bureau its
jurisdiction (every area under its own, rolled up), and only a bureau ranks
units or withholds a case from the public list. The actor is the one the
gateway verified from the token, checked again here."""
from core.errors import Forbidden
from core.roles import BUREAU_ROLES, jurisdiction_prefix
from services.tracking.access import load_actor


def bureau(actor, what):
    """The actor, if a bureau's; Forbidden saying ``what`` is theirs otherwise."""
    actor = load_actor(actor)
    if actor["role"] not in BUREAU_ROLES:
        raise Forbidden(f"{what}: for the petition bureau")
    return actor


def scoped(query, actor):
    """``query`` narrowed to what ``actor`` may see."""
    actor = load_actor(actor)
    if actor["role"] in BUREAU_ROLES:
        query["area_code"] = within(query.get("area_code"), actor)
    else:
        if query.get("unit_code") not in (None, actor["unit_code"]):
            raise Forbidden(f"figures of {query['unit_code']} are not yours to see")
        query["unit_code"] = actor["unit_code"]
    return query


def within(area_code, actor):
    """The area asked for if it lies in the actor's jurisdiction; by default
    the whole jurisdiction."""
    if area_code is None:
        return actor["area_code"]
    if not in_jurisdiction(area_code, actor):
        raise Forbidden(f"area {area_code} is outside your jurisdiction")
    return area_code


def in_jurisdiction(area_code, actor):
    return area_code.startswith(jurisdiction_prefix(actor["area_code"]))
