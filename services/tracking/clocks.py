"""The case's clocks: limits per track from configuration (profiles), counted
on the shared working-day calendar, and the deadlines they set.

A profile names, per track, how long a unit has to accept (受理) and to
conclude (办结), from when the conclusion clock runs (its assignment or its
acceptance) and how long one extension (延期) may be; beside the tracks, the
limits for a review request, a review's answer and a supervision order's
answer. A limit reads ``"<n> working_days"`` or ``"<n> days"`` (calendar days;
one that ends on a day off ends on the next working day). Config::

    CLOCK_PROFILE: city                # which profile runs
    CLOCK_PROFILES: {city: {...}, national_2022: {...}}   # see config.yaml

A unit's clock is its own from its assignment: a re-route (退回, 转办) closes
every clock of the case and starts the new unit's.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value

from core.calendar import calendar_from_config, local_date, start_date
from core.clock import clock_from_config
from core.errors import ConfigurationError
from services.tracking.models import Deadline, written

UNITS = ("working_days", "days")
HANDLING_CLOCKS = ("accept", "conclude")


@dataclass(frozen=True)
class Limit:
    n: int
    unit: str

    @classmethod
    def parse(cls, text):
        n, _, unit = str(text).strip().partition(" ")
        if unit not in UNITS or not n.isdigit():
            raise ConfigurationError(f"a limit reads '<n> working_days' or '<n> days', got {text!r}")
        return cls(int(n), unit)

    def due(self, calendar, start):
        start = start_date(start)
        if self.unit == "working_days":
            return calendar.add_working_days(start, self.n)
        return calendar.add_days(start, self.n)


@dataclass(frozen=True)
class TrackLimits:
    accept: Limit
    conclude: Limit
    conclude_from: str   # assigned | accepted
    extension: Limit


@dataclass(eq=False)
class Clocks:
    """What a worker gets: now, today, the calendar and the running profile."""

    clock: object
    calendar: object
    tracks: dict
    review_request: Limit
    review_answer: Limit
    supervision_answer: Limit
    due_soon: Limit

    def now(self):
        return self.clock.now()

    def today(self):
        return local_date(self.clock.now())

    def track(self, track):
        return self.tracks[track]


def clocks_from_config(config):
    name = config.get("CLOCK_PROFILE") or "city"
    profiles = config.get("CLOCK_PROFILES") or {}
    if name not in profiles:
        raise ConfigurationError(f"CLOCK_PROFILE {name!r} is not one of {sorted(profiles)}")
    profile = profiles[name]
    tracks = {}
    for track, limits in profile["tracks"].items():
        if limits.get("conclude_from", "assigned") not in ("assigned", "accepted"):
            raise ConfigurationError(f"{name}.{track}: conclude_from is assigned or accepted")
        tracks[track] = TrackLimits(Limit.parse(limits["accept"]), Limit.parse(limits["conclude"]),
                                    limits.get("conclude_from", "assigned"),
                                    Limit.parse(limits["extension"]))
    return Clocks(clock_from_config(config), calendar_from_config(config), tracks,
                  *(Limit.parse(profile[k]) for k in (
                      "review_request", "review_answer", "supervision_answer", "due_soon")))


# --- deadlines ----------------------------------------------------------------

def set_deadline(tx, case, kind, due, subject="", unit_code=None):
    """Start (or move) one clock of the case: the open one of the same kind and
    subject is closed, a new one opens. The conclusion clock is also the case's
    ``due_date`` (the work queues' order), acceptance its ``accept_due``."""
    close_deadlines(tx, case, kinds=(kind,), subject=subject)
    _open_deadline(tx, case, kind, due, subject, unit_code)


# A clock is written at once by an INSERT built once (as a timeline entry is,
# cases.note): an ORM object and its share of the flush cost more than the row.
_OPEN = insert(Deadline.__table__)


def _open_deadline(tx, case, kind, due, subject="", unit_code=None):
    if kind == "conclude":
        case.due_date = due
    elif kind == "accept":
        case.accept_due = due
    tx.session.connection().execute(_OPEN, {
        "case_number": written(tx, case), "kind": kind, "subject": str(subject),
        "unit_code": unit_code if unit_code is not None else case.unit_code, "due": due,
        "open": True})


# close_deadlines' UPDATE, one Core statement per shape (every open clock of
# the case; of some kinds; of one subject too), built once: the ORM UPDATE
# with "evaluate" built and compiled its statement per call and flushed the
# whole session first (on a routing, the case's row was written twice).
_DEADLINES = Deadline.__table__


def _closing(by_kind, by_subject):
    query = update(_DEADLINES).where(_DEADLINES.c.case_number == bindparam("number"),
                                     _DEADLINES.c.open.is_(True))
    if by_kind:
        query = query.where(_DEADLINES.c.kind.in_(bindparam("kinds", expanding=True)))
    if by_subject:
        query = query.where(_DEADLINES.c.subject == bindparam("of_subject"))
    return query.values(open=False)


_CLOSE = {(k, s): _closing(k, s) for k in (False, True) for s in (False, True)}


def close_deadlines(tx, case, kinds=None, subject=None):
    """Close the case's open clocks (of ``kinds``, of ``subject``): one UPDATE
    (clocks are written at once, _open_deadline), and a clock loaded in the
    session (the sweep's) reads closed, as the ORM's "evaluate" kept it."""
    params = {"number": case.case_number}
    if kinds is not None:
        params["kinds"] = list(kinds)
    if subject is not None:
        params["of_subject"] = str(subject)
    # on the session's connection: no autoflush, nothing of it is needed
    tx.session.connection().execute(_CLOSE[kinds is not None, subject is not None], params)
    for row in tx.session.identity_map.values():
        if isinstance(row, Deadline) and row.case_number == case.case_number and row.open \
                and (kinds is None or row.kind in kinds) \
                and (subject is None or row.subject == str(subject)):
            set_committed_value(row, "open", False)


def start_unit_clocks(tx, case, clocks):
    """A (new) assignment: every earlier clock stops, the unit's start today
    (no clock is open after the first line, so none is closed again)."""
    close_deadlines(tx, case)
    limits = clocks.track(case.track)
    case.assigned_at = clocks.now()
    _open_deadline(tx, case, "accept", limits.accept.due(clocks.calendar, case.assigned_at))
    if limits.conclude_from == "assigned":
        _open_deadline(tx, case, "conclude",
                       limits.conclude.due(clocks.calendar, case.assigned_at))
    else:
        case.due_date = None


def latest_extension(case, clocks):
    """The latest date an extension may ask for: the profile's limit from the current due date."""
    base = case.due_date or clocks.today()
    return clocks.track(case.track).extension.due(clocks.calendar, base)


def is_past(due, today):
    return isinstance(due, date) and due < today
