"""The CPU reports spends per petition, in-process: the events of N petitions
as the pipeline publishes them (submitted, routed; for three in four also
accepted, replied, rated and concluded), each projected in a transaction of
its own with the inbox check, as ``core.handlers.handles`` runs the service's
handlers, on a SQLite store in a temporary directory; CPU time
(``time.process_time``) per petition, by kind of event.

    python -m bench.reports_cpu [--petitions N] [--rounds R] [--dump FILE]

``--dump`` writes every projected table, sorted, after the run and after
each submission again (new event ids, 40 days earlier: the repeats' whole
order) and some routings again (another unit) and a rebuild: two versions of
the code must write the same file. Run before and after a change back to
back: on a shared machine only such pairs mean anything.
"""
import argparse
import hashlib
import random
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta

import yaml
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from bench.reports import directory
from core import events
from core.config import LOCAL_TIME, ROOT
from core.store import StoreHandle, create_tables, make_engine
from services.reports import projections, words
from services.reports.models import Base
from services.reports.settings import Settings

PROJECTED = ("case_facts", "case_texts", "search_words", "daily_words", "units",
             "similar_index", "daily_counts", "weekly_counts", "monthly_counts",
             "quarterly_counts", "yearly_counts", "daily_area_counts", "monthly_area_counts")
LEVELS = ("satisfied", "basically_satisfied")


def titles():
    """Real petition titles (the similar-case test set)."""
    data = yaml.safe_load((ROOT / "tests" / "data" / "similar_petitions.yaml").read_text())
    return [petition[0] for matter in data["matters"] for petition in matter["petitions"]]


def stream(petitions, rng):
    """(kind, contract, event) in the order a case's events come; a third as
    many petitioners as petitions, so some petitions are repeats."""
    triples, phrasings = directory()[:40], titles()
    keys = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(max(petitions // 3, 1))]
    for n in range(petitions):
        unit, area, category = rng.choice(triples)
        at = datetime(2026, 11, 2 + n % 20, 9, tzinfo=LOCAL_TIME) + timedelta(minutes=n)
        base = dict(case_number=f"JN20261101-{n:06d}", area_code=area, unit_code=unit,
                    occurred_at=at)
        steps = [("submitted", events.PETITION_SUBMITTED, dict(
                     unit_code=None, category=category, title=rng.choice(phrasings),
                     submitted_at=at, channel="online", petitioner_key=rng.choice(keys))),
                 ("routed", events.PETITION_ROUTED, dict(
                     unit_name="单位", category=category, track="standard",
                     due_date=at.date() + timedelta(days=14), reason="规则", routing_seq=1))]
        if n % 4:
            steps += [
                ("beyond", events.CASE_ACCEPTED, dict(accepted_by="s",
                                                      occurred_at=at + timedelta(hours=1))),
                ("beyond", events.CASE_REPLIED, dict(replied_by="s",
                                                     occurred_at=at + timedelta(days=2))),
                ("beyond", events.RATING_SUBMITTED, {
                    **{d: rng.choice(LEVELS) for d in events.RATING_DIMENSIONS},
                    "occurred_at": at + timedelta(days=3)}),
                ("beyond", events.CASE_CONCLUDED, dict(on_time=True,
                                                       occurred_at=at + timedelta(days=3)))]
        for kind, contract, fields in steps:
            yield kind, contract, contract.load(contract.build(**{**base, **fields}))


def run(petitions, dump=None, seed=7):
    """CPU ms per petition by kind of event, and in all."""
    settings = Settings.from_config({})
    words.ready()
    stream_ = list(stream(petitions, random.Random(seed)))
    cpu = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/reports.db")
        create_tables(engine, Base)
        store = StoreHandle(sessionmaker(engine, expire_on_commit=False), handler="reports.h")
        for kind, contract, event in stream_:
            started = time.process_time()
            with store.transaction() as tx:
                if tx.first_delivery(event):
                    projections.consume(tx, settings, contract, event)
            cpu[kind] += time.process_time() - started
        if dump:
            _again(store, settings, stream_)
            _dump(engine, dump)
        engine.dispose()
    cpu["all"] = sum(cpu.values())
    return {kind: 1000 * seconds / petitions for kind, seconds in cpu.items()}


def _again(store, settings, stream_):
    """Submissions again, earlier, routings again, elsewhere; then a rebuild."""
    for kind, contract, event in reversed(stream_):
        last = event["case_number"][-1]
        if kind == "submitted" and last in "02468":
            event = {**event, "submitted_at": event["submitted_at"] - timedelta(days=40)}
        elif kind == "routed" and last in "05":
            event = {**event, "routing_seq": 2, "unit_code": "370102-JTYSJ", "unit_name": "交通"}
        else:
            continue
        with store.transaction() as tx:
            projections.consume(tx, settings, contract, {**event, "event_id": uuid.uuid4()})
    with store.transaction() as tx:
        projections.rebuild(tx, settings)


def _dump(engine, path):
    with engine.connect() as connection, open(path, "w") as out:
        for table in PROJECTED:
            for row in sorted(map(repr, connection.execute(text(f"SELECT * FROM {table}")))):
                out.write(f"{table} {row}\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--petitions", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dump", help="write the projected tables here (after a rebuild)")
    args = parser.parse_args(argv)
    for round_ in range(args.rounds):
        figures = run(args.petitions, args.dump)
        print(f"round {round_ + 1}, {args.petitions} petitions, CPU ms per petition: "
              + ", ".join(f"{kind} {ms:.2f}" for kind, ms in figures.items()), flush=True)


if __name__ == "__main__":
    main()
