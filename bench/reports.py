"""Reports at scale: how fast events are projected, and how long a figure
takes with N cases, from the daily counters against the same figure counted
directly on per-case rows (the shape of tracking's source table).

    python -m bench.reports [--cases 1000000] [--queries 200]

Seeding does not replay N cases' events one by one (hours at 1,000,000): it
builds N case facts and their counters with the projections' own
``contributions``, in bulk, so the counters are exactly what the events would
have left. The projection throughput is measured separately, on the real
path (``projections.consume``, a transaction per event) for 1,000 cases.
"""
import argparse
import random
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import sessionmaker

from bench.load import percentiles
from core import events
from core.config import LOCAL_TIME
from core.roles import jurisdiction_prefix
from core.store import StoreHandle, create_tables, make_engine
from services.reports import figures, projections
from services.reports.models import Base, CaseFact
from services.reports.settings import Settings
from services.routing.directory_seed import DEPARTMENTS, districts

PER_DAY = 2_000
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
        yield CaseFact(
            case_number=f"JN{day:%Y%m%d}-{index % PER_DAY:06d}", area_code=area,
            category=category, channel=rng.choice(("online", "online", "proxy")),
            submitted_at=submitted, routed_at=submitted, unit_code=unit, routing_seq=1,
            track="standard", due_date=due, accepted_at=replied and submitted, replied_at=replied,
            rated_at=rated, rating=rating, concluded_at=concluded,
            on_time=concluded and concluded.astimezone(LOCAL_TIME).date() <= due,
            supervised_at=rated if rated and not concluded else None, repeat=False,
            publish=True, steps=[])


def seed(engine, count, today, settings):
    counters, rows, started = Counter(), [], time.monotonic()
    with engine.begin() as conn:
        for fact in synthetic_facts(count, today, random.Random(1)):
            counters.update(projections.contributions(fact, settings.calendar))
            rows.append({c.name: getattr(fact, c.name) for c in CaseFact.__table__.columns})
            if len(rows) == 20_000:
                conn.execute(insert(CaseFact), rows)
                rows = []
        if rows:
            conn.execute(insert(CaseFact), rows)
        for model, stretch in projections.COUNTER_TABLES:
            summed = Counter()
            for (day, *rest), value in counters.items():
                summed[(stretch(day), *rest)] += value
            batch = [dict(zip(projections.COUNTER_KEY, key), value=value)
                     for key, value in summed.items()]
            for start in range(0, len(batch), 50_000):
                conn.execute(insert(model), batch[start:start + 50_000])
    return time.monotonic() - started, len(counters)


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


def run(cases, queries):
    """The measurements, as the lines ``main`` prints (``make bench`` too)."""
    settings = Settings.from_config({})
    today = date.today()
    rate = projection_rate(settings)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/reports.db")
        create_tables(engine, Base)
        seconds, keys = seed(engine, cases, today, settings)
        store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="bench")
        rng, triples = random.Random(2), directory()
        timings = {"counters": [], "per-case rows": []}
        for _ in range(queries):
            unit, area, _ = rng.choice(triples)
            scope = {"unit_code": unit} if rng.random() < 0.5 else {"area_code": area}
            period = rng.choice(("day", "week", "month", "quarter", "year"))
            anchor = today - timedelta(days=rng.randint(1, cases // PER_DAY))
            query = {"period": period, "date": anchor, **scope}
            with store.transaction() as tx:
                started = time.monotonic()
                [row] = figures.figures(tx, query, today)
                timings["counters"].append(time.monotonic() - started)
                started = time.monotonic()
                counted = direct(tx, query, date.fromisoformat(row["from"]),
                                 date.fromisoformat(row["to"]))
                timings["per-case rows"].append(time.monotonic() - started)
            assert counted["received"] == row["received"], (query, counted, row)
        engine.dispose()
    lines = [f"projection: {rate:,.0f} events/s (SQLite, one transaction per event)",
             f"seeded {cases:,} cases in {seconds:.0f} s: {keys:,} daily counter rows"]
    for name, values in timings.items():
        p = percentiles(values)
        lines.append(f"figure from {name:14} p50 {p[50] * 1000:7.1f} ms  p95 {p[95] * 1000:7.1f} ms")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.reports")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    print("\n".join(run(args.cases, args.queries)))


if __name__ == "__main__":
    main()
