"""Reports at scale: how fast events are projected, and how long a figure
takes with N cases, from the daily counters against the same figure counted
directly on per-case rows (the shape of tracking's source table).

    python -m bench.reports [--cases 1000000] [--queries 200] [--store FILE]

Seeding does not replay N cases' events one by one (hours at 1,000,000): it
builds N case facts and their daily counters with the projections' own
``contributions``, in bulk, in a store at its first revision; the migrations
then fill the monthly and area counters from the daily ones in SQL, as they
do for a store that had figures. The projection throughput is measured
separately, on the real path (``projections.consume``, a transaction per
event) for 1,000 cases. Seeding 1,000,000 cases takes most of half an hour on
a loaded machine: with ``--store FILE`` the seeded store is kept in that
SQLite file (outside the repository), and a later run with the same file (the
same day: the cases are placed back from today) migrates it to the head
revision and queries it again without seeding.

The queries: a unit, a district or the whole city (a third each) over a day,
week, month, quarter or year anywhere in the seeded span, each also counted
on the per-case rows; then the breakdowns the pages ask for (by unit, area,
category, day) for a district or the city, from the counters only.
"""
import argparse
import functools
import os
import random
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from types import SimpleNamespace

from alembic import command
from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import sessionmaker

from bench.load import percentiles
from core import events
from core.config import LOCAL_TIME, ROOT
from core.migrations import alembic_config
from core.roles import jurisdiction_prefix
from core.store import StoreHandle, create_tables, make_engine
from services.reports import figures, projections
from services.reports.models import Base, CaseFact, DailyCount
from services.reports.settings import Settings
from services.routing.directory_seed import DEPARTMENTS, districts

PER_DAY = 2_000
CITY = "370100"
# the reports store's first revision: daily counters only (the later ones
# fill the monthly and area counters from them)
FIRST_REVISION = "0cbc6890711e"
LEVELS = ("satisfied", "basically_satisfied", "unsatisfied")


def directory():
    """(unit, area, category) triples from routing's seeded Jinan directory."""
    areas = [d["code"] for d in districts()]
    return [(f"{area}-{abbr}", area, category) for area in areas
            for category, (abbr, _, _) in DEPARTMENTS.items()]


def synthetic_facts(count, today, rng):
    triples = directory()
    for index in range(count):
        day = today - timedelta(days=1 + index // PER_DAY)
        unit, area, category = rng.choice(triples)
        submitted = datetime(day.year, day.month, day.day, 9, tzinfo=LOCAL_TIME) + \
            timedelta(minutes=index % 480)
        due = day + timedelta(days=14)
        replied = submitted + timedelta(days=rng.randint(0, 20)) if rng.random() < 0.85 else None
        rated = replied and replied + timedelta(days=1) if replied and rng.random() < 0.7 else None
        rating = rated and {d: rng.choice(LEVELS) for d in events.RATING_DIMENSIONS}
        concluded = rated if rating and "unsatisfied" not in rating.values() else None
        yield SimpleNamespace(  # a CaseFact's columns (an ORM object each is slow)
            case_number=f"JN{day:%Y%m%d}-{index % PER_DAY:06d}", area_code=area,
            category=category, channel=rng.choice(("online", "online", "proxy")),
            submitted_at=submitted, routed_at=submitted, unit_code=unit, routing_seq=1,
            track="standard", due_date=due, petitioner_key=None, declined_at=None,
            accepted_at=replied and submitted, replied_at=replied, rated_at=rated, rating=rating, concluded_at=concluded,
            on_time=concluded and concluded.astimezone(LOCAL_TIME).date() <= due,
            supervised_at=rated if rated and not concluded else None, repeat=False,
            publish=True, steps=[])


def seed(url, count, today, settings):
    """N case facts and their daily counters in bulk, then the migrations to
    the head revision; returns (seconds, daily counter rows)."""
    config = alembic_config(ROOT / "services" / "reports", url)
    command.upgrade(config, FIRST_REVISION)
    engine = make_engine(url)
    # the handling time of a reply is counted on few distinct (submitted, replied) days
    calendar = SimpleNamespace(working_days_between=functools.lru_cache(maxsize=None)(
        settings.calendar.working_days_between))
    counters, rows, started = Counter(), [], time.monotonic()
    columns = [c.name for c in CaseFact.__table__.columns]
    with engine.begin() as conn:
        for fact in synthetic_facts(count, today, random.Random(1)):
            counters.update(projections.contributions(fact, calendar))
            rows.append({c: getattr(fact, c) for c in columns})
            if len(rows) == 20_000:
                conn.execute(insert(CaseFact), rows)
                rows = []
        if rows:
            conn.execute(insert(CaseFact), rows)
        batch = [dict(zip(projections.COUNTER_KEY, key), value=value)
                 for key, value in counters.items() if value]
        for start in range(0, len(batch), 50_000):
            conn.execute(insert(DailyCount), batch[start:start + 50_000])
    engine.dispose()
    command.upgrade(config, "head")
    return time.monotonic() - started, len(batch)


def projection_rate(settings, cases=1_000):
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/reports.db")
        create_tables(engine, Base)
        store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="bench")
        stream = list(_events(cases))
        started = time.monotonic()
        for contract, event in stream:
            with store.transaction() as tx:
                projections.consume(tx, settings, contract, event)
        engine.dispose()
        return len(stream) / (time.monotonic() - started)


def _events(cases):
    unit, area, category = directory()[0]
    for n in range(cases):
        at = datetime(2026, 11, 2 + n % 20, 10, tzinfo=LOCAL_TIME)
        base = dict(case_number=f"JN20261101-{n:06d}", area_code=area, unit_code=unit,
                    occurred_at=at)
        for contract, fields in (
                (events.PETITION_SUBMITTED, dict(
                    unit_code=None, category=category, title="小区供暖不热", submitted_at=at,
                    channel="online")),
                (events.PETITION_ROUTED, dict(
                    unit_name="单位", category=category, track="standard",
                    due_date=at.date() + timedelta(days=14), reason="规则", routing_seq=1)),
                (events.CASE_ACCEPTED, dict(accepted_by="s")),
                (events.CASE_REPLIED, dict(replied_by="s")),
                (events.RATING_SUBMITTED, {d: "satisfied" for d in events.RATING_DIMENSIONS}),
                (events.CASE_CONCLUDED, dict(on_time=True))):
            yield contract, contract.load(contract.build(**{**base, **fields}))


def direct(tx, query, start, end):
    """The same core figures counted on per-case rows, as a query on the
    source table would."""
    lo = datetime(start.year, start.month, start.day, tzinfo=LOCAL_TIME)
    hi = datetime(end.year, end.month, end.day, tzinfo=LOCAL_TIME) + timedelta(days=1)
    scope = [CaseFact.unit_code == query["unit_code"]] if query.get("unit_code") else \
        [CaseFact.area_code.startswith(jurisdiction_prefix(query["area_code"]))]

    def count(*where):
        return tx.session.scalar(select(func.count()).select_from(CaseFact).where(*scope, *where))
    return {"received": count(CaseFact.submitted_at >= lo, CaseFact.submitted_at < hi),
            "concluded": count(CaseFact.concluded_at >= lo, CaseFact.concluded_at < hi),
            "due": count(CaseFact.due_date >= start, CaseFact.due_date <= end),
            "on_time": count(and_(CaseFact.due_date >= start, CaseFact.due_date <= end,
                                  CaseFact.on_time.is_(True)))}


def kept(url):
    """A kept store (``--store``) migrated to the head revision; returns its
    daily counter rows."""
    command.upgrade(alembic_config(ROOT / "services" / "reports", url), "head")
    engine = make_engine(url)
    with engine.connect() as conn:
        keys = conn.scalar(select(func.count()).select_from(DailyCount))
    engine.dispose()
    return keys


def run(cases, queries, projected=1_000, store=None):
    """The measurements, as the lines ``main`` prints (``make bench`` too)."""
    settings = Settings.from_config({})
    today = date.today()
    rate = projection_rate(settings, projected)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.abspath(store) if store else f"{tmp}/reports.db"
        url = f"sqlite:///{path}"
        seconds, keys = (None, kept(url)) if os.path.exists(path) else \
            seed(url, cases, today, settings)
        engine = make_engine(url)
        store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="bench")
        rng, triples = random.Random(2), directory()
        timings = {"counters": [], "per-case rows": [], "breakdowns": []}
        slowest = {}

        def ask(tx, query, kind):
            started = time.monotonic()
            rows = figures.figures(tx, query, today)
            timings[kind].append(time.monotonic() - started)
            what = (query.get("by"), query["period"],
                    "unit" if query.get("unit_code") else query["area_code"] == CITY)
            slowest[what] = max(slowest.get(what, 0), timings[kind][-1])
            return rows

        for _ in range(queries):
            unit, area, _ = rng.choice(triples)
            scope = rng.choice(({"unit_code": unit}, {"area_code": area}, {"area_code": CITY}))
            period = rng.choice(("day", "week", "month", "quarter", "year"))
            anchor = today - timedelta(days=rng.randint(1, cases // PER_DAY))
            query = {"period": period, "date": anchor, **scope}
            with store.transaction() as tx:
                [row] = ask(tx, query, "counters")
                started = time.monotonic()
                counted = direct(tx, query, date.fromisoformat(row["from"]),
                                 date.fromisoformat(row["to"]))
                timings["per-case rows"].append(time.monotonic() - started)
                by = rng.choice(("unit", "area", "category", "day"))
                ask(tx, {**query, "unit_code": None, "area_code": scope.get("area_code", area),
                         "by": by, "period": "month" if by == "day" else period}, "breakdowns")
            assert counted["received"] == row["received"], (query, counted, row)
        engine.dispose()
    lines = [f"projection: {rate:,.1f} events/s (SQLite, one transaction per event, "
             f"{projected:,} cases' events)",
             f"seeded {cases:,} cases in {seconds:.0f} s: {keys:,} daily counter rows"
             if seconds is not None else f"kept store {path}: {keys:,} daily counter rows"]
    for name, values in timings.items():
        p = percentiles(values)
        lines.append(f"figure from {name:14} p50 {p[50] * 1000:7.1f} ms  p95 {p[95] * 1000:7.1f} ms"
                     f"  ({len(values)} queries)")
    worst = sorted(slowest.items(), key=lambda item: -item[1])[:5]
    lines.append("slowest kinds (by, period, unit / city?): " + "; ".join(
        f"{by} {period} {scope}: {seconds * 1000:.0f} ms" for (by, period, scope), seconds in worst))
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--projected", type=int, default=1_000,
                        help="cases whose events are projected one by one for the events/s")
    parser.add_argument("--store", help="keep the seeded store in this SQLite file and reuse it")
    args = parser.parse_args(argv)
    print("\n".join(run(args.cases, args.queries, args.projected, args.store)))


if __name__ == "__main__":
    main()
