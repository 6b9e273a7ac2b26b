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

from sqlalchemy import update

from core.calendar import calendar_from_config, local_date, start_date
from core.clock import clock_from_config
from core.errors import ConfigurationError
from services.tracking.models import Deadline

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


def _open_deadline(tx, case, kind, due, subject="", unit_code=None):
    tx.session.add(Deadline(case_number=case.case_number, kind=kind, subject=str(subject),
                            unit_code=unit_code if unit_code is not None else case.unit_code,
                            due=due, open=True))
    if kind == "conclude":
        case.due_date = due
    elif kind == "accept":
        case.accept_due = due


def close_deadlines(tx, case, kinds=None, subject=None):
    """One UPDATE, the rows already in the session kept in step
    (``evaluate``): loading the open rows to clear each one's flag cost
    tracking a query and a flush per clock."""
    query = update(Deadline).where(Deadline.case_number == case.case_number,
                                   Deadline.open.is_(True))
    if kinds is not None:
        query = query.where(Deadline.kind.in_(kinds))
    if subject is not None:
        query = query.where(Deadline.subject == str(subject))
    tx.session.execute(query.values(open=False),
                       execution_options={"synchronize_session": "evaluate"})


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
