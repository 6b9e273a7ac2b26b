"""The labelled set of tests/data/similar_petitions.yaml as the public events
the reports service would receive: every petition submitted, routed, handled,
rated and concluded (so listed publicly), and precision at 5 of the
similar-case search over it: for each petition, searched with its title and
content, category and area, the share of the five answers that are the same
matter (each matter has five other petitions, so 1.0 is reachable)."""
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select

from core import events
from core.config import LOCAL_TIME
from services.reports import reports, similar, words
from services.reports.models import CaseFact, UnitName
from tests.reports_month import SATISFIED

DATA = Path(__file__).parent / "data" / "similar_petitions.yaml"
K = 5


def matters():
    return yaml.safe_load(DATA.read_text("utf-8"))["matters"]


# Jinan's districts: half of each matter's petitions come from another one
# than the matter's own, so that the same area is a hint, not the answer.
DISTRICTS = ("370102", "370103", "370104", "370105", "370112", "370113", "370114",
             "370115", "370116", "370117", "370124", "370126")


def petitions():
    """[(case_number, matter id, category, area_code, title, content, unit_code)]:
    five of a matter's six handled by the matter's usual unit, one by another."""
    out, n = [], 0
    for m, matter in enumerate(matters()):
        for j, (title, content) in enumerate(matter["petitions"]):
            n += 1
            area = matter["area_code"] if j < 3 else DISTRICTS[(m + j) % len(DISTRICTS)]
            unit = f"{matter['area_code']}-{matter['category'].upper()}" if j < 5 \
                else f"370100-{matter['category'].upper()}"
            out.append((f"JN2026100{n % 10}-{n:06d}", matter["id"], matter["category"],
                        area, title, content, unit))
    return out


def labelled_events(cases=None):
    """[(contract, loaded event)] for the petitions (the first ``cases`` of
    them), each concluded: the path the service takes."""
    out = []
    for case, _, category, area, title, _, unit, submitted, days in _lives(petitions()[:cases]):
        def add(contract, moment, **fields):
            payload = contract.build(case_number=case, area_code=area, unit_code=unit,
                                     occurred_at=moment, **fields)
            out.append((contract, contract.load(payload)))
        add(events.PETITION_SUBMITTED, submitted, category=category, title=title,
            submitted_at=submitted, channel="online", petitioner_key=None, publish=True)
        out[-1][1]["unit_code"] = None
        add(events.PETITION_ROUTED, submitted, unit_name=f"{unit}单位", category=category,
            track="standard", due_date=date(2026, 12, 31), reason="按规则分派", routing_seq=1)
        add(events.CASE_ACCEPTED, submitted + timedelta(hours=2), accepted_by="staff")
        add(events.CASE_REPLIED, submitted + timedelta(days=days), replied_by="staff")
        add(events.RATING_SUBMITTED, submitted + timedelta(days=days, hours=2), **SATISFIED)
        add(events.CASE_CONCLUDED, submitted + timedelta(days=days, hours=2), on_time=True)
    return out


def seed_set(store, chosen=None):
    """The whole set (or ``chosen``, tuples shaped as ``petitions()``) as those
    events would leave it (the fact rows, listed, indexed, in this order),
    written directly: the projections' counters are not needed here, and
    feeding 1,440 events one by one takes half a minute."""
    with store.transaction() as tx:
        chosen = petitions() if chosen is None else chosen
        for case, _, category, area, title, _, unit, submitted, days in _lives(chosen):
            done = submitted + timedelta(days=days, hours=2)
            tx.session.merge(UnitName(code=unit, name=f"{unit}单位"))
            tx.session.add(CaseFact(
                case_number=case, area_code=area, category=category, channel="online",
                submitted_at=submitted, publish=True, routed_at=submitted, repeat=False,
                unit_code=unit, routing_seq=1, track="standard", due_date=date(2026, 12, 31),
                accepted_at=submitted + timedelta(hours=2),
                replied_at=submitted + timedelta(days=days), concluded_at=done, on_time=True,
                rated_at=done, rating=SATISFIED, steps=[]))
            similar.remember(tx, case, title)
        tx.session.flush()
        for fact in tx.session.scalars(select(CaseFact)):
            similar.sync(tx, fact)


def newest_with(chosen, terms, n):
    """The case numbers of the last ``n`` of ``chosen`` (as seeded by
    ``seed_set``, newest last) whose titles have any of ``terms``."""
    having = [p[0] for p in chosen if set(terms) & set(words.words_of(p[4]))]
    return set(having[-n:])


def _lives(chosen):
    start = datetime(2026, 9, 1, 9, tzinfo=LOCAL_TIME)
    for i, petition in enumerate(chosen):
        # handling times differ from case to case
        yield (*petition, start + timedelta(hours=7 * i), 2 + i % 9)


def precision_at_5(store, settings):
    """(mean precision at 5, {case_number: [matter ids of the answers]})."""
    matter_of = {p[0]: p[1] for p in petitions()}
    total, answers = 0.0, {}
    with store.transaction() as tx:
        for case, matter, category, area, title, content, _ in petitions():
            found = reports.similar_cases(tx, {
                "title": title, "content": content, "category": category, "area_code": area,
                "case_number": case, "limit": K}, settings)["cases"]
            answers[case] = [matter_of[c["case_number"]] for c in found]
            total += sum(1 for m in answers[case] if m == matter) / K
    return total / len(matter_of), answers
