"""Who may see which case: a unit's staff see their unit's cases, a bureau
also sees every case in its jurisdiction. Outside that scope a case does not
exist for the actor (NotFound: its existence is not revealed)."""
from sqlalchemy import bindparam, exists, or_, select

from core.errors import NotFound
from core.roles import BUREAU_ROLES, jurisdiction_prefix
from core.validation import load
from services.tracking.models import Case, CoPart
from services.tracking.schemas import ActorSchema


def load_actor(actor):
    """The actor dict from the gateway's token, checked."""
    return load(ActorSchema(), actor)


def is_city_bureau(actor):
    """Bureau staff of a city (area 3701 00): 专案专办 and 提级 are theirs."""
    area = actor["area_code"]
    return actor["role"] in BUREAU_ROLES and len(area) == 6 and area.endswith("00") \
        and not area.endswith("0000")


def scope_filter(actor):
    """A SQL condition selecting the cases ``actor`` may see: its unit's, those
    it co-handles (协办) or reviews (复查/复核), and a bureau's jurisdiction."""
    unit = actor["unit_code"]
    mine = or_(Case.unit_code == unit, Case.reviewing_unit_code == unit,
               exists().where(CoPart.case_number == Case.case_number, CoPart.unit_code == unit))
    if actor["role"] in BUREAU_ROLES:
        return or_(mine, Case.area_code.startswith(jurisdiction_prefix(actor["area_code"])))
    return mine


def find_case(tx, case_number, for_update=False):
    case = tx.find(Case, case_number, with_for_update=for_update)
    if case is None:
        raise _no_case(case_number)
    return case


# The case's columns as a plain row, for a read that changes nothing (the
# public view: every look-up by query code asks), as a Core statement built
# once: no ORM object, identity map or statement built per call.
_CASE_ROW = select(Case.__table__).where(Case.__table__.c.case_number == bindparam("number"))


def case_row(tx, case_number):
    """The case as a row of its columns (read-only), or NotFound as find_case."""
    case = isinstance(case_number, str) and tx.session.execute(
        _CASE_ROW, {"number": case_number}).first()
    if not case:
        raise _no_case(case_number)
    return case


def _no_case(case_number):
    return NotFound(f"case {case_number} not found")


def case_in_scope(tx, case_number, actor, for_update=False):
    """The case if ``actor`` may see it; the same NotFound as for no case otherwise."""
    query = select(Case).where(Case.case_number == str(case_number), scope_filter(actor))
    case = tx.session.scalar(query.with_for_update() if for_update else query)
    if case is None:
        raise NotFound(f"case {case_number} not found")
    return case
