"""From public events to figures: one table says which projector each event
type runs (``PROJECTORS``); one mechanism (``project``) runs it and keeps the
daily counters true.

A projector only updates the case's fact row. The counters are then derived:
``contributions(fact)`` lists what a case adds to which counter (received on
the day it was submitted, for its current unit; due on its due date; ...), and
``project`` applies the difference between the case's contributions before and
after the event. So events may arrive in any order, a re-routed case moves all
its counts to the new unit, and a rebuild that replays the archive in any
order ends with the same counters. A new event type is one row in the table
and, if it adds a measure, one line in ``contributions``.

Measures (the counter names; figures.py turns them into rates):

    received      submitted_at        the case's current unit (or "" before routing)
    repeat        submitted_at        a repeat petition (重复信访, see ``_mark_repeats``)
    declined      declined_at         not accepted (不予受理): routing's rejection or the unit's
    accepted      accepted_at
    returned      each return         the unit that returned it (退回): a step
    transferred   each transfer       the unit that passed it on (转办): a step
    extended      each approved extension (延期): a step; the due date moves
    replied       replied_at
    replied_rated replied_at          ... and since rated (rating participation)
    handling_days replied_at          working days from submission to reply, summed
    hwd:<n>       replied_at          replies that took n working days (for p90)
    concluded     concluded_at
    due           due_date            due on that day (the on-time rate's denominator)
    on_time       due_date            ... and concluded by then (按期办结)
    supervised    supervised_at       督办
    rated, rated_satisfied, <dimension>:<level>   rated_at
"""
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, tuple_, update

from core import events
from core.calendar import local_date
from core.events import RATING_DIMENSIONS, unsatisfied_dimensions
from services.reports import counters, similar, suggestions, words
from services.reports.models import (
    AREA_TABLES,
    FULL_TABLES,
    ArchivedEvent,
    CaseFact,
    DailyWord,
    UnitName,
)

RECEIVED, REPEAT, DECLINED, ACCEPTED = "received", "repeat", "declined", "accepted"
RETURNED, TRANSFERRED, EXTENDED = "returned", "transferred", "extended"
REPLIED, REPLIED_RATED, HANDLING_DAYS = "replied", "replied_rated", "handling_days"
HANDLING_HISTOGRAM = "hwd:"
CONCLUDED, DUE, ON_TIME, SUPERVISED = "concluded", "due", "on_time", "supervised"
RATED, RATED_SATISFIED = "rated", "rated_satisfied"

COUNTER_KEY = ("day", "unit_code", "area_code", "category", "channel", "measure")


def _month(key):
    return {**key, "day": key["day"].replace(day=1)}


def _week(key):
    return {**key, "day": key["day"] - timedelta(days=key["day"].weekday())}


def _quarter(key):
    day = key["day"]
    return {**key, "day": day.replace(month=day.month - (day.month - 1) % 3, day=1)}


def _year(key):
    return {**key, "day": key["day"].replace(month=1, day=1)}


def up_the_areas(key):
    """A daily counter's keys in the area roll-up (models._AreaCounter): its
    city under "", its district under the city, its own area under the
    district."""
    area = key["area_code"]
    return [{"parent": parent, "area_code": code, "day": key["day"], "measure": key["measure"]}
            for parent, code in (("", area[:4]), (area[:4], area[:6]), (area[:6], area))]


# Each change of a daily counter (a COUNTER_KEY dict) is made to every table
# here, under the keys the function gives: the monthly counters are the daily
# ones summed per month (week, quarter, year), the area counters the same
# rolled up the area tree.
_STRETCH_OF = {"day": lambda key: key, "week": _week, "month": _month, "quarter": _quarter,
               "year": _year}
COUNTER_TABLES = (
    *((table, lambda key, of=_STRETCH_OF[stretch]: [of(key)])
      for stretch, table in FULL_TABLES.items()),
    *((table, lambda key, of=_STRETCH_OF[stretch]: up_the_areas(of(key)))
      for stretch, table in AREA_TABLES.items()))
# Moments a case has once, each counted on its day for the case's current
# unit: (CaseFact attribute, measure).
MOMENTS = (("submitted_at", RECEIVED), ("declined_at", DECLINED), ("accepted_at", ACCEPTED),
           ("replied_at", REPLIED), ("concluded_at", CONCLUDED), ("supervised_at", SUPERVISED),
           ("rated_at", RATED))


# The archive's row and the unit's name as Core statements built once: an ORM
# add and flush, and merge's load of the unit, cost more CPU per event than
# the statements (in-process, README: Performance). The name is written only
# when it changed (no new row version on PostgreSQL for every routing).
_ARCHIVE = insert(ArchivedEvent.__table__)


def _naming(dialect):
    units = UnitName.__table__
    upsert = counters.UPSERTS[dialect](units)
    return upsert.on_conflict_do_update(
        index_elements=[units.c.code], set_={"name": upsert.excluded.name},
        where=units.c.name != upsert.excluded.name)


_NAME_UNIT = {dialect: _naming(dialect) for dialect in counters.UPSERTS}


# --- projectors: what each event says about its case --------------------------

def on_submitted(p, fact, event):
    first = fact.submitted_at is None
    fact.category = fact.category or event["category"]
    fact.channel = event["channel"]
    fact.submitted_at = event["submitted_at"]
    fact.petitioner_key = event["petitioner_key"]
    fact.publish = event["publish"]
    if first:
        _count_words(p.tx, local_date(event["submitted_at"]), event["title"])
        similar.remember(p.tx, fact.case_number, event["title"])
    _mark_repeats(p, fact, first)


def on_routed(p, fact, event):
    connection = p.tx.session.connection()
    connection.execute(_NAME_UNIT[connection.dialect.name],
                       {"code": event["unit_code"], "name": event["unit_name"]})
    if event["routing_seq"] <= fact.routing_seq:
        return  # an older routing that arrived late
    fact.routing_seq = event["routing_seq"]
    fact.unit_code, fact.category = event["unit_code"], event["category"]
    fact.track, fact.due_date = event["track"], event["due_date"]
    fact.routed_at = event["occurred_at"]


def on_declined(p, fact, event):
    """Not accepted: by routing before any unit (a court matter), or by the
    unit (不予受理, with reasons)."""
    fact.declined_at = event["occurred_at"]


def on_accepted(p, fact, event):
    fact.accepted_at = event["occurred_at"]


def on_returned(p, fact, event):
    _step(fact, RETURNED, event)


def on_transferred(p, fact, event):
    _step(fact, TRANSFERRED, event)  # counted for the unit that passed it on


def on_extended(p, fact, event):
    _step(fact, EXTENDED, event)
    fact.due_date = event["until"]


def on_new_plan(p, fact, event):
    """专案专办 / 提级: a plan of its own, with its own due date (if set)."""
    if event["due_date"]:
        fact.due_date = event["due_date"]


def on_replied(p, fact, event):
    fact.replied_at = event["occurred_at"]


def on_concluded(p, fact, event):
    fact.concluded_at, fact.on_time = event["occurred_at"], event["on_time"]


def on_supervision(p, fact, event):
    fact.supervised_at = fact.supervised_at or event["occurred_at"]


def on_rated(p, fact, event):
    fact.rated_at = event["occurred_at"]
    fact.rating = {d: event[d] for d in RATING_DIMENSIONS}


def _step(fact, measure, event):
    """A step a unit may take more than once on a case (return; later
    transfer, extension), counted for the unit that took it; the same
    event recorded twice (a rebuild) is one step."""
    event_id = str(event["event_id"])
    if all(step["event_id"] != event_id for step in fact.steps):
        fact.steps = [*fact.steps, {"event_id": event_id, "measure": measure,
                                    "unit": event["unit_code"],
                                    "at": event["occurred_at"].isoformat()}]


# The events this read side consumes, and what each does to its case.
PROJECTORS = {
    events.PETITION_SUBMITTED: on_submitted,
    events.PETITION_ROUTED: on_routed,
    events.PETITION_REJECTED: on_declined,
    events.CASE_DECLINED: on_declined,
    events.CASE_ACCEPTED: on_accepted,
    events.CASE_RETURNED: on_returned,
    events.CASE_TRANSFERRED: on_transferred,
    events.EXTENSION_APPROVED: on_extended,
    events.CASE_SPECIAL: on_new_plan,
    events.CASE_ESCALATED: on_new_plan,
    events.CASE_REPLIED: on_replied,
    events.CASE_CONCLUDED: on_concluded,
    events.SUPERVISION_OPENED: on_supervision,
    events.RATING_SUBMITTED: on_rated,
}


# --- the one mechanism ----------------------------------------------------------

def consume(tx, settings, contract, event):
    """A public event arrived: keep it in the archive, then project it."""
    tx.session.connection().execute(_ARCHIVE, {
        "event_id": str(event["event_id"]), "event_type": contract.event_type,
        "case_number": event.get("case_number"), "version": contract.version,
        "payload": contract.dump(event)})
    CONSUMED[contract](tx, settings, contract, event)


def project(tx, settings, contract, event):
    p = Projection(tx, settings)
    fact = p.fact(event["case_number"], event["area_code"])
    with p.recount(fact):
        PROJECTORS[contract](p, fact, event)
    p.apply()
    similar.sync(tx, fact)


# Every event type this read side consumes, and what projects it: a case's
# events into the case's facts (PROJECTORS), a people's suggestion's steps
# into the proposal's (suggestions.py). deploy.topology declares a queue for
# each, and the service a handler (service.py).
CONSUMED = {**dict.fromkeys(PROJECTORS, project), events.SUGGESTION_STEP: suggestions.project}
_BY_TYPE = {contract.event_type: contract for contract in CONSUMED}


# A case's fact row read and written with Core statements built once: the
# ORM's load by key and its flush were a quarter of the CPU of a case's events
# (in-process, README: Performance). The row is locked as the ORM's
# get(with_for_update) locked it; only the columns changed are written.
_FACTS = CaseFact.__table__
_FACT_COLUMNS = tuple(column.name for column in _FACTS.columns)
_FACT = select(_FACTS).where(_FACTS.c.case_number == bindparam("case_number")).with_for_update()
_NEW_FACT = insert(_FACTS)
_CHANGE_FACT = update(_FACTS).where(_FACTS.c.case_number == bindparam("number"))


class Fact:
    """A case's fact row (CaseFact's columns as attributes) as a projection
    reads and changes it; ``Projection.save`` writes the columns changed."""

    def __init__(self, values, stored):
        self.__dict__.update(values)
        self.stored = stored  # the row as in the store; None: not written yet

    def values(self):
        return {name: getattr(self, name) for name in _FACT_COLUMNS}


class Projection:
    """One event's projection: the cases it changed and, once, the counters."""

    def __init__(self, tx, settings):
        self.tx, self.settings = tx, settings
        self.changes = Counter()
        self.facts = {}  # case number -> Fact: one object per case, as an identity map

    def fact(self, case_number, area_code):
        """The case's fact row, locked (a new one if the case has none)."""
        row = self.tx.session.connection().execute(_FACT, {"case_number": case_number}).first()
        if row is not None:
            return self.known(row)
        fact = Fact({**dict.fromkeys(_FACT_COLUMNS), "case_number": case_number,
                     "area_code": area_code, "routing_seq": 0, "repeat": False,
                     "publish": True, "steps": []}, None)
        self.facts[case_number] = fact
        return fact

    def known(self, row):
        """The Fact of a row read: the one already in this projection, if any."""
        fact = self.facts.get(row.case_number)
        if fact is None:
            values = row._asdict()
            fact = self.facts[row.case_number] = Fact(values, values)
        return fact

    def save(self, fact):
        """Write the columns of ``fact`` that changed (all of a new one)."""
        values, connection = fact.values(), self.tx.session.connection()
        if fact.stored is None:
            # as the ORM inserted it: a column not set is left out, so a JSON
            # one is SQL NULL, not JSON null
            connection.execute(_NEW_FACT, {name: value for name, value in values.items()
                                           if value is not None})
        else:
            changed = {name: value for name, value in values.items()
                       if value != fact.stored[name]}
            if changed:
                connection.execute(_CHANGE_FACT, {**changed, "number": fact.case_number})
        fact.stored = values

    @contextmanager
    def recount(self, fact):
        """Note what the change made inside the block changed in the case's
        contributions."""
        before = contributions(fact, self.settings.calendar)
        yield
        self.changes.update(contributions(fact, self.settings.calendar))
        self.changes.subtract(before)

    def apply(self):
        for fact in self.facts.values():
            self.save(fact)
        for model, changes in counter_changes(self.changes):
            counters.apply(self.tx, model, changes)


def counter_changes(changes):
    """(table, {key as (column, value) pairs: change}) for each of
    COUNTER_TABLES, from changes of the daily counters ({COUNTER_KEY tuple:
    change})."""
    for model, keys in COUNTER_TABLES:
        summed = Counter()
        for key, change in changes.items():
            for table_key in keys(dict(zip(COUNTER_KEY, key))):
                summed[tuple(table_key.items())] += change
        yield model, summed


def rebuild(tx, settings, batch=1000):
    """Empty every projection and replay the archive: the same figures as the
    events gave when they arrived (the projectors do not depend on order)."""
    for model in (CaseFact, *(table for table, _ in COUNTER_TABLES), DailyWord, UnitName,
                  *suggestions.TABLES):
        tx.session.execute(delete(model))
    similar.clear(tx)
    replayed = 0
    rows = tx.session.execute(select(ArchivedEvent.event_type, ArchivedEvent.payload)
                              .order_by(ArchivedEvent.id)).yield_per(batch)
    for event_type, payload in rows:
        contract = _BY_TYPE[event_type]
        CONSUMED[contract](tx, settings, contract, contract.load(payload))
        replayed += 1
    return replayed


def contributions(fact, calendar):
    """What this case adds to which daily counter: {COUNTER_KEY tuple: n}."""
    counts = Counter()
    where = (fact.area_code, fact.category or "", fact.channel or "")

    def add(when, measure, n=1, unit=fact.unit_code):
        day = when if type(when) is date else local_date(when)
        counts[(day, unit or "", *where, measure)] += n

    for attribute, measure in MOMENTS:
        if getattr(fact, attribute):
            add(getattr(fact, attribute), measure)
    for step in fact.steps:
        add(datetime.fromisoformat(step["at"]), step["measure"], unit=step["unit"])
    if fact.submitted_at and fact.repeat:
        add(fact.submitted_at, REPEAT)
    if fact.replied_at:
        if fact.rated_at:
            add(fact.replied_at, REPLIED_RATED)
        if fact.submitted_at:
            days = calendar.working_days_between(local_date(fact.submitted_at),
                                                 local_date(fact.replied_at))
            add(fact.replied_at, HANDLING_DAYS, days)
            add(fact.replied_at, f"{HANDLING_HISTOGRAM}{days}")
    if fact.due_date and not fact.declined_at:
        add(fact.due_date, DUE)
        if fact.on_time:
            add(fact.due_date, ON_TIME)
    if fact.rated_at:
        if not unsatisfied_dimensions(fact.rating):
            add(fact.rated_at, RATED_SATISFIED)
        for dimension, level in fact.rating.items():
            add(fact.rated_at, f"{dimension}:{level}")
    return counts


# The petitioner's order on one matter and a case's neighbours in it, built
# once: building them per petition cost more CPU than running them.
_SAME_MATTER = (_FACTS.c.petitioner_key == bindparam("petitioner_key"),
                _FACTS.c.category == bindparam("category"),
                _FACTS.c.area_code == bindparam("area_code"),
                _FACTS.c.submitted_at.is_not(None))
# (submitted_at, case_number) compared as a row: one seek in
# ix_case_facts_repeats to the neighbour, either way.
_PLACE = tuple_(_FACTS.c.submitted_at, _FACTS.c.case_number)
_HERE = tuple_(bindparam("submitted_at", type_=_FACTS.c.submitted_at.type),
               bindparam("case_number", type_=_FACTS.c.case_number.type))
_PREVIOUS = select(_FACTS).where(*_SAME_MATTER, _PLACE < _HERE).order_by(
    _FACTS.c.submitted_at.desc(), _FACTS.c.case_number.desc()).limit(1)
_FOLLOWING = select(_FACTS).where(*_SAME_MATTER, _PLACE > _HERE).order_by(
    _FACTS.c.submitted_at, _FACTS.c.case_number).limit(1)
_WHOLE_ORDER = select(_FACTS).where(*_SAME_MATTER).order_by(
    _FACTS.c.submitted_at, _FACTS.c.case_number)


def _mark_repeats(p, fact, first):
    """重复信访: the same petitioner (by the keyed pseudonym) on the same matter
    (category and area) within the window after a previous petition. A case is
    a repeat when its predecessor in that petitioner's and matter's order
    (submitted_at, then case number) came within the window, so a late-arriving
    earlier petition makes the later one a repeat too."""
    if not fact.petitioner_key:
        return
    p.save(fact)  # the neighbours' queries below see the case as it is now
    connection = p.tx.session.connection()
    matter = {"petitioner_key": fact.petitioner_key, "category": fact.category,
              "area_code": fact.area_code}
    if first:
        # A case joining the order changes only its own mark and its
        # successor's (whose predecessor it now is): two rows read, not every
        # petition of the petitioner (thousands for a prolific one).
        here = {**matter, "submitted_at": fact.submitted_at, "case_number": fact.case_number}
        previous, following = (p.known(row) if row else None for row in (
            connection.execute(_PREVIOUS, here).first(),
            connection.execute(_FOLLOWING, here).first()))
        pairs = [(previous, fact), *([(fact, following)] if following is not None else [])]
    else:
        # Submitted again (a rebuild over kept facts): its old neighbours may
        # change too, so the whole order is marked again.
        order = [p.known(row) for row in connection.execute(_WHOLE_ORDER, matter)]
        pairs = zip([None, *order], order)
    for earlier, case in pairs:
        repeat = earlier is not None and \
            case.submitted_at - earlier.submitted_at <= p.settings.repeat_window
        if case.repeat != repeat:
            if case is fact:  # inside the caller's own recount
                case.repeat = repeat
            else:
                with p.recount(case):
                    case.repeat = repeat


def _count_words(tx, day, title):
    counters.add(tx, DailyWord, Counter((("day", day), ("word", word[:40]))
                               for word in words.title_words(title)))
