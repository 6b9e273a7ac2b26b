"""Figures, summed from the counters: per unit, area (rolled up the
area-code tree), category, channel and period, and the trends. A figure of
areas alone (a city, a district, broken down by area or day) is read from the
area roll-up, a few rows a day; any other from the full counters.

Definitions (the public scoreboard states them too, ``METHOD``):

- on-time rate (按期办理率) = cases due in the period (due date passed, up to
  yesterday) concluded by their due date / cases due in the period;
- overdue = cases due in the period not concluded by their due date;
- satisfaction rate (群众满意率) = ratings with no 不满意 on any dimension /
  ratings made in the period (满意 and 基本满意 both count), and per dimension
  (满意 + 基本满意) / ratings;
- rating participation = cases replied in the period and since rated /
  cases replied in the period;
- handling time = working days from submission to the reply (答复), over the
  cases replied in the period: the mean and the 90th percentile (nearest rank).
"""
import math
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import case, func, select

from core.events import RATING_DIMENSIONS, RATING_LEVELS
from core.roles import jurisdiction_prefix
from services.reports import projections as m
from services.reports.models import AREA_TABLES, FULL_TABLES, DailyCount, DailyWord, UnitName
from services.reports.schemas import resolve_period

METHOD = {
    "on_time_rate": "按期办理率 = 期内到期且按期办结的件数 / 期内到期的件数（到期日截至昨日）",
    "satisfaction_rate": "群众满意率 = 三项评价均为满意或基本满意的件数 / 期内评价件数",
    "rating_participation": "参评率 = 期内答复且已评价的件数 / 期内答复件数",
    "handling_days": "办理时长 = 从提交到答复的工作日数（法定节假日与调休按国务院安排）",
}
SATISFIED_LEVELS = ("satisfied", "basically_satisfied")
# The counts a figure row shows, and the counter each is read from.
COUNTS = {
    "received": m.RECEIVED, "accepted": m.ACCEPTED, "declined": m.DECLINED,
    "concluded": m.CONCLUDED, "returned": m.RETURNED, "transferred": m.TRANSFERRED,
    "extended": m.EXTENDED, "supervised": m.SUPERVISED, "repeats": m.REPEAT,
    "replied": m.REPLIED, "rated": m.RATED,
}


def filters(query, model):
    """SQL conditions on ``model``'s counters for a checked FigureQuerySchema
    query, all but the days."""
    if model in AREA_TABLES.values():
        parent, area = _area_rows(query)
        return [model.parent == parent, *([model.area_code == area] if area else [])]
    conditions = []
    if query.get("unit_code"):
        conditions.append(model.unit_code == query["unit_code"])
    if query.get("area_code"):
        # roll-up: an area's figures include every area below it (370102001 in 370102)
        conditions.append(model.area_code.startswith(jurisdiction_prefix(query["area_code"])))
    for field in ("category", "channel"):
        if query.get(field):
            conditions.append(getattr(model, field) == query[field])
    return conditions


# the lengths of the area-code prefixes the area roll-up is kept for
# (projections.up_the_areas): a city, a district, a town
AREA_LEVELS = (4, 6, 9)


def _tables(query):
    """The counters that answer ``query``: the area roll-up if it asks about
    an area (a city, district or town) as a whole, by area or by day; the full
    counters if it names a unit, category or channel, or breaks down by one."""
    if (query.get("area_code") and len(jurisdiction_prefix(query["area_code"])) in AREA_LEVELS
            and not any(query.get(f) for f in ("unit_code", "category", "channel"))
            and query.get("by") in (None, "total", "area", "day")):
        return AREA_TABLES
    return FULL_TABLES


def _area_rows(query):
    """(parent, area code or None for all of the parent's) of the area
    roll-up's rows that answer ``query`` (see models._AreaCounter)."""
    prefix = jurisdiction_prefix(query["area_code"])
    if query.get("by") == "area" and len(prefix) < AREA_LEVELS[-1]:
        return prefix, None  # one level below: a city's districts, a district's towns
    return {4: "", 6: prefix[:4], 9: prefix[:6]}[len(prefix)], prefix


def stretches(start, end, kinds):
    """start..end cut into whole stretches of the ``kinds`` given (day, week,
    month, quarter, year), each the largest that starts there and ends inside,
    the runs of one kind merged: [(kind, first stretch's first day, last
    stretch's first day)]. A year is one year's rows; a year from mid-October
    is some days, a week or two, two months, three quarters, some days."""
    runs, day = [], start
    while day <= end:
        kind, last = next((kind, last) for kind in reversed(STRETCH_KINDS) if kind in kinds
                          for last in [_fitting_end(kind, day, end, kinds)] if last)
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1], day)
        else:
            runs.append((kind, day, day))
        day = last + timedelta(days=1)
    return runs


STRETCH_KINDS = ("day", "week", "month", "quarter", "year")


def _fitting_end(kind, day, end, kinds):
    """The last day of the ``kind`` of stretch starting on ``day`` if one
    starts there and ends by ``end``, else None. A week is not taken over the
    1st of a month whose whole month fits: the weeks would run past it and
    never reach the months (and quarters, years) after it."""
    last = _stretch_end(kind, day)
    if last is None or last > end:
        return None
    if kind == "week" and "month" in kinds:
        first = _stretch_end("month", day.replace(day=1)) + timedelta(days=1)
        if first <= last and _stretch_end("month", first) <= end:
            return None
    return last


def _stretch_end(kind, day):
    """The last day of the ``kind`` of stretch starting on ``day``, or None
    if none starts there."""
    if kind == "day":
        return day
    if kind == "week":  # Monday to Sunday
        return day + timedelta(days=6) if day.weekday() == 0 else None
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    if day.day != 1 or (day.month - 1) % months:
        return None
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _sources(start, end, today, tables):
    """(counter table, conditions, sign) to sum: the period's stretches, then,
    taken back, the due and on-time counts of its days from ``today`` on (a
    due date counts, on time or overdue, once it has passed)."""
    sources = [(tables[kind], [tables[kind].day.between(first, last)], 1)
               for kind, first, last in stretches(start, end, tables)]
    if max(start, today) <= end:
        sources += [(tables[kind], [tables[kind].day.between(first, last),
                                    tables[kind].measure.in_((m.DUE, m.ON_TIME))], -1)
                    for kind, first, last in stretches(max(start, today), end, tables)]
    return sources


def _group_column(by, area_code, model):
    if by in (None, "total"):
        return None
    if by == "area":
        if model in AREA_TABLES.values():
            return model.area_code
        # one level below the area asked for: a city's districts, a district's towns
        below_city = area_code and len(jurisdiction_prefix(area_code)) >= 6
        return func.substr(model.area_code, 1, 9 if below_city else 6)
    return getattr(model, {"unit": "unit_code"}.get(by, by))


def figures(tx, query, today):
    """Figure rows for a checked query: one row, or one per ``by`` key. The
    period is summed from the largest stretches' counters that fit in it
    (``stretches``; a series by day from the daily ones)."""
    by = query.get("by")
    start, end = resolve_period(query, today)
    tables = _tables(query)
    if by == "day":
        tables = {"day": tables["day"]}
    sums = defaultdict(lambda: defaultdict(int))
    for model, days, sign in _sources(start, end, today, tables):
        column = _group_column(by, query.get("area_code"), model)
        key = (column if column is not None else func.min("")).label("key")
        for group, measure, value in tx.session.execute(
                select(key, model.measure, func.sum(model.value))
                .where(*filters(query, model), *days)
                .group_by(*([column] if column is not None else []), model.measure)):
            sums[group if by not in (None, "total") else None][measure] += sign * value
    # a group whose only counts were not yet due has none
    sums = defaultdict(lambda: defaultdict(int), {
        group: counts for group, counts in sums.items() if any(counts.values())})
    if by == "day":  # a series has every day, quiet ones too
        for offset in range((end - start).days + 1):
            sums.setdefault(start + timedelta(days=offset), defaultdict(int))
    names = _unit_names(tx) if by == "unit" else {}
    period = {"from": start.isoformat(), "to": end.isoformat()}
    if by in (None, "total"):
        return [{"key": None, **period, **figure_row(sums[None])}]
    return [{"key": _plain(group), **({"name": names.get(group)} if names else {}), **period,
             **figure_row(sums[group])} for group in sorted(sums, key=str)]


def _plain(key):
    return key.isoformat() if isinstance(key, date) else key


def figure_row(sums):
    """Counts and rates from one group's counter sums."""
    row = {name: sums.get(measure, 0) for name, measure in COUNTS.items()}
    due, on_time, rated = sums.get(m.DUE, 0), sums.get(m.ON_TIME, 0), sums.get(m.RATED, 0)
    row.update(
        due=due, on_time=on_time, overdue=due - on_time,
        on_time_rate=_rate(on_time, due),
        satisfaction_rate=_rate(sums.get(m.RATED_SATISFIED, 0), rated),
        satisfaction_by_dimension={
            d: _rate(sum(sums.get(f"{d}:{level}", 0) for level in SATISFIED_LEVELS), rated)
            for d in RATING_DIMENSIONS},
        ratings_by_dimension={d: {level: sums.get(f"{d}:{level}", 0) for level in RATING_LEVELS}
                              for d in RATING_DIMENSIONS},
        rating_participation=_rate(sums.get(m.REPLIED_RATED, 0), row["replied"]),
    )
    row.update(_handling(sums))
    return row


def _handling(sums):
    histogram = sorted((int(measure[len(m.HANDLING_HISTOGRAM):]), n) for measure, n in sums.items()
                       if measure.startswith(m.HANDLING_HISTOGRAM) and n)
    total = sum(n for _, n in histogram)
    if not total:
        return {"handling_days_avg": None, "handling_days_p90": None}
    rank, seen = math.ceil(0.9 * total), 0
    for days, n in histogram:
        seen += n
        if seen >= rank:
            break
    return {"handling_days_avg": round(sums.get(m.HANDLING_DAYS, 0) / total, 2),
            "handling_days_p90": days}


def _rate(part, whole):
    return round(part / whole, 4) if whole else None


def _unit_names(tx):
    return dict(tx.session.execute(select(UnitName.code, UnitName.name)).all())


# --- trends -------------------------------------------------------------------

def rising(tx, by, query, today):
    """Categories or areas whose received petitions rose most: the last
    ``days`` days to ``date`` against the ``days`` before them."""
    end = query["date"] or today
    start = end - timedelta(days=query["days"] - 1)
    before = start - timedelta(days=query["days"])
    column = _group_column(by, query.get("area_code"), DailyCount)
    conditions = [DailyCount.measure == m.RECEIVED, DailyCount.day >= before,
                  DailyCount.day <= end]
    if query.get("area_code"):
        conditions.append(DailyCount.area_code.startswith(
            jurisdiction_prefix(query["area_code"])))
    recent = func.sum(case((DailyCount.day >= start, DailyCount.value), else_=0))
    earlier = func.sum(case((DailyCount.day < start, DailyCount.value), else_=0))
    rows = tx.session.execute(select(column, recent, earlier).where(*conditions)
                              .group_by(column)).all()
    return _ranked(rows, query["limit"], start, end)


def rising_words(tx, query, today, min_cases):
    """Words in titles that rose most; only words used by ``min_cases``
    petitions in the recent window are shown."""
    end = query["date"] or today
    start = end - timedelta(days=query["days"] - 1)
    before = start - timedelta(days=query["days"])
    recent = func.sum(case((DailyWord.day >= start, DailyWord.value), else_=0))
    earlier = func.sum(case((DailyWord.day < start, DailyWord.value), else_=0))
    rows = tx.session.execute(
        select(DailyWord.word, recent, earlier)
        .where(DailyWord.day >= before, DailyWord.day <= end)
        .group_by(DailyWord.word).having(recent >= min_cases)).all()
    return _ranked(rows, query["limit"], start, end)


def _ranked(rows, limit, start, end):
    ranked = sorted(((key, recent, earlier) for key, recent, earlier in rows if recent > earlier),
                    key=lambda r: (-(r[1] - r[2]), -r[1], str(r[0])))
    return {"from": start.isoformat(), "to": end.isoformat(), "rising": [
        {"key": key, "recent": recent, "earlier": earlier, "change": recent - earlier,
         "growth": _rate(recent - earlier, earlier)} for key, recent, earlier in ranked[:limit]]}
