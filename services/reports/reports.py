"""What staff and the public may ask: each function checks its input and, for
staff, who the actor is, then reads the figures.

Scope: a unit's staff see their own unit's figures; a bureau sees its
jurisdiction (every area under its own, rolled up) and ranks the units in it.
"""
from datetime import datetime, timedelta

from core.errors import Forbidden, InvalidInput
from core.roles import BUREAU_ROLES
from core.validation import load
from services.reports import assessment, exports, figures
from services.reports.schemas import FigureQuerySchema, TrendQuerySchema
from services.routing.deadlines import LOCAL_TIME
from services.tracking.access import jurisdiction_prefix, load_actor

# the accounts on main still carry the role "bureau"; core.roles names the
# bureau roles the staff-admin change introduces
BUREAU = BUREAU_ROLES | {"bureau"}
PUBLIC_COLUMNS = ("key", "name", "from", "to", "received", "concluded", "due", "on_time",
                  "on_time_rate", "rated", "satisfaction_rate", "rating_participation")


def today():
    return datetime.now(LOCAL_TIME).date()


def scoreboard(tx, query, on=None):
    """The public table of units (like FixMyStreet's): volume, on-time and
    satisfaction rates for the period, with the method beside it."""
    query = load(FigureQuerySchema(), {**(query or {}), "by": "unit"})
    query.update(unit_code=None, category=None, channel=None)
    rows = figures.figures(tx, query, on or today())
    return {"method": figures.METHOD,
            "units": [{k: row[k] for k in PUBLIC_COLUMNS} for row in rows if row["key"]]}


def unit_figures(tx, query, actor, on=None):
    query = _scoped(load(FigureQuerySchema(), query or {}), actor)
    return figures.figures(tx, query, on or today())


def trends(tx, query, actor, settings, on=None):
    """The daily series, and the categories, areas and title words rising fastest."""
    actor = load_actor(actor)
    query = load(TrendQuerySchema(), query or {})
    if actor["role"] not in BUREAU:
        raise Forbidden("trends cover a jurisdiction: for the petition bureau")
    query["area_code"] = _within(query.get("area_code"), actor)
    day = on or today()
    end = query["date"] or day
    # the series covers both windows the rising figures compare
    start = end - timedelta(days=2 * query["days"] - 1)
    series = figures.figures(tx, {"period": "range", "start": start, "end": end,
                                  "area_code": query["area_code"], "by": "day"}, day)
    return {"series": [{"day": r["key"], "received": r["received"], "concluded": r["concluded"]}
                       for r in series],
            "categories": figures.rising(tx, "category", query, day),
            "areas": figures.rising(tx, "area", query, day),
            "words": figures.rising_words(tx, query, day, settings.hot_word_min_cases)}


def unit_assessment(tx, query, actor, settings, on=None):
    query = _bureau_query(query, actor)
    return assessment.assessment(tx, query, on or today(), settings.rules)


def lagging_units(tx, query, actor, settings, on=None):
    query = _bureau_query(query, actor)
    return assessment.lagging(tx, query, on or today(), settings.rules)


def export(tx, table, query, actor, settings, on=None):
    """Any table as CSV: ``figures`` (with ``by``), ``assessment``, ``lagging``."""
    readers = {
        "figures": lambda: unit_figures(tx, query, actor, on),
        "assessment": lambda: unit_assessment(tx, query, actor, settings, on),
        "lagging": lambda: lagging_units(tx, query, actor, settings, on),
    }
    if table not in readers:
        raise InvalidInput("没有这个表 (no such table)",
                           {"table": [f"须为 {', '.join(readers)} 之一"]})
    return exports.csv_document(table, readers[table]())


def bulletin(tx, query, actor, settings, on=None):
    """The bulletin (通报) as XLSX: figures, units, lagging units, the series."""
    day = on or today()
    query = _bureau_query(query, actor)
    return exports.bulletin(
        overall=figures.figures(tx, {**query, "by": None}, day)[0],
        units=assessment.assessment(tx, query, day, settings.rules),
        lagging=assessment.lagging(tx, query, day, settings.rules),
        series=figures.figures(tx, {**query, "by": "day"}, day),
        categories=figures.figures(tx, {**query, "by": "category"}, day),
        method=figures.METHOD)


def _bureau_query(query, actor):
    actor = load_actor(actor)
    if actor["role"] not in BUREAU:
        raise Forbidden("the assessment ranks units: for the petition bureau")
    query = load(FigureQuerySchema(), query or {})
    query["area_code"] = _within(query.get("area_code"), actor)
    return query


def _scoped(query, actor):
    actor = load_actor(actor)
    if actor["role"] in BUREAU:
        query["area_code"] = _within(query.get("area_code"), actor)
    else:
        if query.get("unit_code") not in (None, actor["unit_code"]):
            raise Forbidden(f"figures of {query['unit_code']} are not yours to see")
        query["unit_code"] = actor["unit_code"]
    return query


def _within(area_code, actor):
    """The area asked for if it lies in the actor's jurisdiction; by default
    the whole jurisdiction."""
    if area_code is None:
        return actor["area_code"]
    if not area_code.startswith(jurisdiction_prefix(actor["area_code"])):
        raise Forbidden(f"area {area_code} is outside your jurisdiction")
    return area_code
