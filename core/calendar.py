"""The working-day calendar (工作日) every deadline is counted on: Chinese public
holidays and make-up workdays (调休) from the ``holidays`` package, corrected by
an ops override file. Routing proposes a due date with it, tracking runs the
clocks with it.

The State Council announces next year's holidays late in the year, often after
the installed ``holidays`` release (which lists estimated dates with no make-up
workdays meanwhile); until it is upgraded, ops list the announced days in the
override file (config ``HOLIDAY_OVERRIDES``, default ``core/holiday_overrides.yaml``)::

    holidays: [2027-10-06, 2027-10-07]   # days off the package does not know
    workdays: [2027-09-26]               # make-up workdays (调休上班), e.g. a Sunday

The file is read when a service starts: restart routing and tracking after editing it.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import yaml

from core.config import LOCAL_TIME, ROOT
from core.errors import ConfigurationError

DEFAULT_OVERRIDES = "core/holiday_overrides.yaml"
ONE_DAY = timedelta(days=1)


@dataclass(eq=False)
class WorkingCalendar:
    official: holidays.HolidayBase = field(default_factory=lambda: holidays.country_holidays("CN"))
    extra_holidays: frozenset = frozenset()
    extra_workdays: frozenset = frozenset()

    def is_working_day(self, day):
        # The override wins: it carries announcements newer than the package.
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        return self.official.is_working_day(day)

    def next_working_day(self, day):
        """``day`` itself if it is a working day, otherwise the next one."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def add_working_days(self, start, n):
        """The n-th working day after ``start``; for n=0, ``start`` itself if it
        is a working day, otherwise the next working day (same-day answers to a
        petition sent on a holiday are due when the office reopens)."""
        day = start
        if n == 0:
            return self.next_working_day(day)
        for _ in range(n):
            day = self.next_working_day(day + ONE_DAY)
        return day

    def working_days_between(self, start, end):
        """How many working days after ``start`` up to and including ``end``:
        0 for an answer the same day (or on the next working day after a
        holiday start), as ``add_working_days`` counts them. Reports measures
        handling times with it."""
        if end <= start:
            return 0
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + offset * ONE_DAY))

    def add_days(self, start, n):
        """n calendar days after ``start``; a limit ending on a day off ends on
        the next working day instead (the rule for periods counted in days)."""
        return self.next_working_day(start + timedelta(days=n))


def local_date(moment):
    """The calendar day in China of an aware datetime."""
    return moment.astimezone(LOCAL_TIME).date()


def today():
    """The calendar day in China now, by the system clock (tracking's workers
    read an injectable one instead: core/clock.py)."""
    return datetime.now(LOCAL_TIME).date()


def parse_overrides(text):
    """The override file's content -> (extra holidays, extra workdays)."""
    data = yaml.safe_load(text) or {}
    unknown = set(data) - {"holidays", "workdays"}
    if unknown:
        raise ConfigurationError(f"holiday overrides: unknown keys {sorted(unknown)}")

    def dates(key):
        values = data.get(key) or []
        # YAML reads 2027-10-01 as a date already; quoted strings are accepted too.
        try:
            return frozenset(v if isinstance(v, date) else date.fromisoformat(str(v))
                             for v in values)
        except ValueError as exc:
            raise ConfigurationError(f"holiday overrides: {key}: {exc}") from None

    return dates("holidays"), dates("workdays")


def load_calendar(overrides_path=None):
    extra_holidays, extra_workdays = frozenset(), frozenset()
    if overrides_path:
        path = Path(overrides_path)
        if not path.is_absolute():
            path = ROOT / path
        if path.exists():
            extra_holidays, extra_workdays = parse_overrides(path.read_text(encoding="utf-8"))
    return WorkingCalendar(extra_holidays=extra_holidays, extra_workdays=extra_workdays)


def calendar_from_config(config):
    return load_calendar(config.get("HOLIDAY_OVERRIDES", DEFAULT_OVERRIDES))


def start_date(start):
    """A date, or the day in China of an aware datetime."""
    return local_date(start) if isinstance(start, datetime) else start
