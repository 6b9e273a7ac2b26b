"""Random spot checks (抽查): a reproducible sample of a unit's concluded cases
for a period. The population (in case-number order), the seed and the draw are
recorded, so anyone can draw again and get the same cases; each checked case's
finding is a ``record_check`` step on the case (workflows.py)."""
import random
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import select

from core.config import LOCAL_TIME
from core.errors import Forbidden, InvalidInput, NotFound
from core.roles import BUREAU_ROLES
from core.validation import load
from services.tracking.access import load_actor, scope_filter
from services.tracking.models import Case, SpotCheck
from services.tracking.schemas import SpotCheckDrawSchema, SpotCheckSchema


def draw(population, size, seed):
    """The sample: Python's Mersenne Twister seeded with ``seed`` over the
    population in its recorded order (same inputs, same cases, any machine)."""
    return sorted(random.Random(seed).sample(population, min(size, len(population))))


def draw_spot_check(tx, actor, body, clocks):
    actor = _bureau(actor)
    data = load(SpotCheckDrawSchema(), body or {})
    if data["period_end"] < data["period_start"]:
        raise InvalidInput("抽查期间有误", {"period_end": ["不能早于开始日期"]})
    start = datetime.combine(data["period_start"], time(), LOCAL_TIME)
    end = datetime.combine(data["period_end"] + timedelta(days=1), time(), LOCAL_TIME)
    population = list(tx.session.scalars(select(Case.case_number).where(
        scope_filter(actor), Case.unit_code == data["unit_code"], Case.status == "concluded",
        Case.concluded_at >= start, Case.concluded_at < end).order_by(Case.case_number)))
    seed = data["seed"] if data["seed"] is not None else secrets.randbelow(2 ** 31)
    check = SpotCheck(unit_code=data["unit_code"], period_start=data["period_start"],
                      period_end=data["period_end"], size=data["size"], seed=seed,
                      population=population, drawn=draw(population, data["size"], seed),
                      drawn_by=actor["username"], drawn_at=clocks.now())
    tx.session.add(check)
    tx.session.flush()
    return _view(check)


def spot_check(tx, actor, spot_check_id):
    """A recorded check, drawn again from its population and seed: ``reproduced``
    says the new draw is the recorded one."""
    _bureau(actor)
    check = tx.session.get(SpotCheck, spot_check_id) if isinstance(spot_check_id, int) else None
    if check is None:
        raise NotFound(f"spot check {spot_check_id} not found")
    return _view(check)


def _view(check):
    redrawn = draw(check.population, check.size, check.seed)
    return {**SpotCheckSchema().dump(check), "redrawn": redrawn,
            "reproduced": redrawn == check.drawn}


def _bureau(actor):
    actor = load_actor(actor)
    if actor["role"] not in BUREAU_ROLES:
        raise Forbidden("spot checks are the bureau's")
    return actor
